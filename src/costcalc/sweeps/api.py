"""The Python API: :func:`sweep` and its result, columns as numpy arrays."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from costcalc import inputs as registry
from costcalc.errors import InputError, spelling
from costcalc.profiles import Profile
from costcalc.sweeps.axes import INPUTS
from costcalc.sweeps.limits import MAX_SCENARIOS, MAX_SORTED
from costcalc.sweeps.run import Sweep, plan


class SweepResult(Mapping[str, Any]):
    """Sweep rows as columns (numpy arrays), like a read-only dict of columns.

    ``result["cost_usd"]``, ``list(result)`` (the column names), ``len(result)`` (the
    number of columns), ``result.rows`` (the number of rows), ``result.to_pandas()``."""

    def __init__(self, columns: dict[str, Any], sweep: Sweep) -> None:
        self._columns = columns
        self.assumptions = sweep.grid.assumptions
        self.notes = sweep.grid.notes
        self.scenarios = sweep.grid.size

    def __getitem__(self, name: str) -> Any:
        return self._columns[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    @property
    def rows(self) -> int:
        return len(next(iter(self._columns.values())))

    def to_pandas(self) -> Any:
        try:
            import pandas as pd
        except ImportError:
            raise InputError("to_pandas() needs pandas: pip install pandas") from None
        return pd.DataFrame(self._columns)

    def __repr__(self) -> str:
        return f"<SweepResult {self.rows} rows x {len(self)} columns: {', '.join(self)}>"


def collect(sweep: Sweep, max_rows: int = MAX_SORTED) -> SweepResult:
    """All the rows of ``sweep`` in memory, as columns."""
    import numpy as np

    if not sweep.ranked and sweep.grid.size > max_rows:
        raise InputError(
            f"the sweep has {sweep.grid.size:,} scenarios, more rows than {max_rows:,} to hold "
            "in memory; add top=, pareto= or where=, or raise max_rows"
        )
    parts: dict[str, list[Any]] = {name: [] for name in sweep.columns}
    for chunk in sweep.chunks():
        for name in sweep.columns:
            parts[name].append(chunk.column(name))
    columns = {}
    for name, values in parts.items():
        if values:
            columns[name] = np.concatenate(values)
        else:
            labels = sweep.grid.column_labels(name)
            columns[name] = np.empty(0, dtype=object if labels is not None else float)
    return SweepResult(columns, sweep)


# The sweep's options; its inputs are the sweep axes declared in costcalc.inputs.
_OPTIONS: dict[str, Any] = dict(zip=False, where=None, sort=None, top=None, pareto=None)
_OPTIONS |= dict(max_scenarios=MAX_SCENARIOS, max_rows=MAX_SORTED, catalog=None)


@registry.takes_lists
@registry.keywords(INPUTS, **_OPTIONS)
def sweep(work: Any = None, **given: Any) -> SweepResult:
    """Evaluate a grid of scenarios; the columns come back as numpy arrays.

    Each input takes what ``estimate`` takes, or a list, or a string with a list or
    ranges (``"8,64,512"``, ``"30%..60%:4"``, ``"1e20..1e24:5log"``); ``hardware="all"``
    sweeps every profile. Scenarios are the cartesian product (``zip=True`` pairs the
    lists). ``where``, ``sort`` (``"-field"`` for descending), ``top`` and ``pareto``
    (``"cost_usd,wall_clock_hours"``) work as on the command line.

        >>> r = sweep("1e20..1e22:3log", hardware="h100-sxm,tpu-v5p", devices="8,64")
        >>> r.rows, r["cost_usd"].shape
        (12, (12,))
    """
    g = registry.bind(sweep, work, **given)
    if work is not None and g["flops"] is not None:
        raise InputError("give the compute once, as work or flops", input="flops")
    hardware = g["hardware"]
    inputs = {k: g[k] for k in INPUTS} | {
        "flops": work if work is not None else g["flops"],
        "hardware": hardware.name if isinstance(hardware, Profile) else hardware,
    }
    options = {k: g[k] for k in _OPTIONS if k not in ("zip", "max_rows")}
    # the work is named by the keyword that gave it (errors.ref("work"))
    with spelling(lambda _: "flops", only={"work"} if g["flops"] is not None else ()):
        prepared = plan(inputs, zip_axes=g["zip"], **options)
    return collect(prepared, g["max_rows"])
