"""Config merging for ``costcalc sweep``: flags over the spec file over the defaults, once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from costcalc.errors import InputError, spelling
from costcalc.profiles import Catalog
from costcalc.results import Assumption, given_in
from costcalc.sweeps.axes import INPUTS, input_of
from costcalc.sweeps.grid import Grid
from costcalc.sweeps.limits import MAX_SCENARIOS
from costcalc.sweeps.run import Sweep, plan
from costcalc.sweeps.spec import _read_spec

if TYPE_CHECKING:
    from costcalc.config import Setting, Settings


def plan_command(
    flags: Mapping[str, Any],
    spec: str | None = None,
    settings: Settings | None = None,
    catalog: Catalog | None = None,
) -> Sweep:
    """The sweep for a command line: the spec file's settings, overridden by flags, over
    the config-file defaults of ``settings`` (flags > spec > project file > user file >
    built-in). An error about a value from a file names the file, line and key, not the
    flag, and the inputs a file gave are spelled by their keys there."""
    from costcalc.config import DEFAULT_KEYS, overridden
    from costcalc.errors import CostcalcError
    from costcalc.inputs import check_values

    check_values(dict(spec=spec, settings=settings, catalog=catalog))
    chosen, origins, keys = _read_spec(spec) if spec is not None else ({}, {}, {})
    given = {k: v for k, v in flags.items() if v is not None}
    # a flag replaces the spec's value, and another way of giving it (--price, pricing:)
    origins = {k: o for k, o in origins.items() if not overridden(k, given)}
    chosen = {k: v for k, v in chosen.items() if k in origins} | given
    # by the input an error names (errors.ref): the file's line and key, the key's spelling
    located = {input_of(k): o for k, o in origins.items() if k not in given}
    spelled = {input_of(k): keys[k] for k in origins if k not in given}
    used: Mapping[str, Setting] = {}
    if settings is not None:
        filled, used = settings.fill({k: chosen.get(k) for k in DEFAULT_KEYS})
        chosen.update({k: filled[k] for k in used})
        located.update({input_of(k): s.where for k, s in used.items()})
        spelled.update({input_of(k): k for k in used})
    # With a spec file, every input reads as its key there (its key as written, else its
    # name), those given as flags excepted; without one, as the command line spells them.
    only = None if spec is not None else spelled
    flagged = {input_of(k) for k in given}
    try:
        with spelling(lambda name: spelled.get(name, name), only=only, keep=flagged):
            sweep = _plan_settings(chosen, catalog)
            # a value the spec gave says so, at its line (given in the spec: s.yaml:3: ...)
            places = {input_of(k): o for k, o in origins.items() if k not in given}
            sweep.grid.assumptions[:] = [
                given_in(a, places, "spec") for a in sweep.grid.assumptions
            ]
    except CostcalcError as e:
        if e.input in located:
            e.where = located[e.input]
        elif spec is not None and e.input and e.input not in flagged and e.where == e.input:
            e.where = f"{spec}: {e.where}"  # an input the spec lacks (no work given)
        raise
    if used:
        # only the defaults the sweep applied: tp, pp and recompute are not (see the note)
        _show_defaults(sweep.grid, {k: s for k, s in used.items() if k in INPUTS})
        layout = [s for k, s in used.items() if k not in INPUTS]  # tp, pp, recompute
        if layout and sweep.grid.shape is not None:
            sweep.grid.notes.append(
                "not applied: "
                + ", ".join(f"{s.key} {s.value} ({s.where})" for s in layout)
                + "; a sweep lays the model out with tp 1, pp 1 and selective recomputation"
            )
    return sweep


def _show_defaults(grid: Grid, used: Mapping[str, Setting]) -> None:
    """Name the file and line of each config-file default among the grid's assumptions
    (a numeric default is a one-value axis: it gets an assumption too)."""
    from costcalc.config import Settings

    grid.assumptions[:] = Settings.relabel(grid.assumptions, used)
    named = {a.name for a in grid.assumptions}
    for axis in grid.axes:
        s = used.get(axis.name)
        if s is not None and axis.size == 1 and axis.name not in named:
            value = float(next(iter(axis.params.values()))[0])
            grid.assumptions.append(
                Assumption(axis.name, value, "", str(s.value), s.origin, s.scope)
            )


def _plan_settings(settings: dict[str, Any], catalog: Catalog | None = None) -> Sweep:
    from costcalc.units import parse_quantity

    limit = settings.pop("max_scenarios", None)
    max_scenarios = MAX_SCENARIOS
    if limit is not None:
        value = parse_quantity(limit, "number", input="max_scenarios")
        if not value.is_integer():
            raise InputError(f"expected a whole number, got {limit!r}", input="max_scenarios")
        max_scenarios = int(value)
    top = settings.pop("top", None)
    if top is not None and (isinstance(top, bool) or not isinstance(top, int)):
        raise InputError(f"expected a whole number of rows, got {top!r}", input="top")
    pareto = settings.pop("pareto", None)
    return plan(
        {k: v for k, v in settings.items() if k in INPUTS},
        zip_axes=bool(settings.get("zip")),
        where=settings.get("where"),
        sort=settings.get("sort"),
        top=top,
        pareto=pareto,
        max_scenarios=max_scenarios,
        catalog=catalog,
    )
