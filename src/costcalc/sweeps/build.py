"""From given inputs to a :class:`~costcalc.sweeps.grid.Grid`: the axes resolved once per
distinct value, sites (region, provider, pricing), model shapes, bounds checked."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from costcalc import tables
from costcalc.errors import InputError, ref
from costcalc.estimator import OUTPUT_FIELDS
from costcalc.hardware import default_catalog
from costcalc.profiles import Catalog
from costcalc.results import Assumption
from costcalc.sweeps.axes import INPUTS, Axis, Labels, _labels, _numbers, input_of
from costcalc.sweeps.evaluate import evaluate
from costcalc.sweeps.grid import Grid
from costcalc.sweeps.limits import MAX_SCENARIOS

BASIS_COLUMNS = ("price_provider", "price_pricing", "price_date", "pue_source", "grid_basis")
SITE_INPUTS = ("region", "provider", "pricing")


def _site_lists(given: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The regions, providers and pricing models of a sweep, each checked by name
    (``[None]`` where not given)."""
    from costcalc import pricing
    from costcalc.tables import find_region

    out: dict[str, list[Any]] = {}
    for name in SITE_INPUTS:
        if name not in given:
            continue
        values = _labels(name, given[name])
        for v in values:
            if name == "region":
                find_region(v)
            elif name == "provider":
                pricing.find_provider(v)
            else:
                pricing.find_pricing(v)
        out[name] = values
    return out


def _combine(lists: list[list[Any]], zipped: bool) -> list[tuple[Any, ...]]:
    """Hardware pairs x regions x providers x pricing models: the product, or with --zip
    the lists longer than one paired. Each tuple is (pair, region, provider, pricing)."""
    import itertools

    full = lists
    if not zipped:
        return list(itertools.product(*full))
    lengths = {len(x) for x in full if len(x) > 1}
    if len(lengths) > 1:
        raise InputError(
            f"{ref('zip')} pairs lists of the same length; {ref('hardware')}, {ref('region')}, "
            f"{ref('provider')} and {ref('pricing')} have "
            f"{', '.join(str(len(x)) for x in full)} values",
            input="zip",
        )
    n = lengths.pop() if lengths else 1
    return [tuple(x[i] if len(x) > 1 else x[0] for x in full) for i in range(n)]


def _pue_source(pue_name: str | None, region: str | None, provider: str | None) -> str:
    """A short name of where a PUE comes from: ``gcp us-central1`` (the region's own
    figure), ``aws fleet``, ``--pue google``, or ``industry`` (the default)."""
    from costcalc import site

    found = site.site_pue(pue_name, region, provider)
    return "industry" if found is None else found.short


def build_grid(
    inputs: Mapping[str, Any],
    *,
    zip_axes: bool = False,
    max_scenarios: int = MAX_SCENARIOS,
    catalog: Catalog | None = None,
) -> Grid:
    """Resolve the inputs (each None, a value, a list or a range) into a grid."""
    import numpy as np

    from costcalc import estimator

    unknown = set(inputs) - set(INPUTS)
    if unknown:
        raise InputError(f"unknown sweep input(s): {', '.join(sorted(unknown))}")
    given = {k: v for k, v in inputs.items() if v is not None}
    work_given = [k for k in ("flops", "device_hours", "duration") if k in given]
    if len(work_given) > 1:
        raise InputError(
            f"give the work one way: FLOPs, {ref('device_hours')}, or {ref('duration')} with "
            f"{ref('devices')}",
            input=input_of(work_given[-1]),
        )
    from costcalc import sweep_shape

    shape_given = [k for k in sweep_shape.SHAPE_INPUTS[1:] if k in given]
    if shape_given and "arch" not in given:
        name = shape_given[0]
        raise InputError(
            f"{ref(name)} needs {ref('arch')} (the model's shape; see 'costcalc arch list')",
            input=name,
        )
    if not work_given and "tokens" not in given:
        raise InputError(
            f"no work given: pass FLOPs (e.g. 1e20..1e24:5log), {ref('device_hours')}, "
            f"{ref('duration')} or {ref('arch')} with {ref('tokens')}",
            input="work",
        )
    if "carbon_intensity" in given and "region" in given:
        raise InputError(
            f"give {ref('carbon_intensity')} or {ref('region')}, not both", input="region"
        )
    work = work_given[0] if work_given else "flops"
    catalog = catalog or default_catalog()
    notes: list[str] = []
    assumptions: list[Assumption] = []
    fixed: dict[str, float] = {}
    axes: list[Axis] = []

    # A provider's name on --pue (--pue google) is one value, not an axis.
    pue_name = None
    if isinstance(given.get("pue"), str) and given["pue"].strip()[:1].isalpha():
        pue_name = given.pop("pue")
    # Numeric inputs, each its own axis.
    numeric: dict[str, Any] = {}
    for name in INPUTS:
        if name in given and INPUTS[name].kind:
            numeric[name] = _numbers(name, given[name])
    # A model's shape: tables per architecture and sequence length (costcalc.sweep_shape).
    shape_tables = None
    if "arch" in given:
        shape_tables, shape_assumptions, shape_notes = sweep_shape.build(given, numeric, work_given)
        assumptions += shape_assumptions
        notes += shape_notes

    # Hardware x precision: one axis of the valid pairs (a few dozen resolver calls).
    if given.get("hardware") is not None:
        names = _labels("hardware", given["hardware"])
        if any(n.lower() == "all" for n in names):
            if len(names) > 1:
                raise InputError("'all' cannot be combined with other hardware", input="hardware")
            profiles = [catalog.all()[k] for k in sorted(catalog.all())]
        else:
            profiles = [catalog.get(n) for n in names]
    else:
        profiles = [catalog.get(tables.defaults()["hardware"]["value"])]
    precisions: list[str | None] = (
        [p.lower() for p in _labels("precision", given["precision"])]
        if "precision" in given
        else [None]
    )
    if zip_axes and len(profiles) > 1 and len(precisions) > 1:
        if len(profiles) != len(precisions):
            raise InputError(
                f"{ref('zip')} pairs lists of the same length; {ref('hardware')} has "
                f"{len(profiles)} values and {ref('precision')} {len(precisions)}",
                input="precision",
            )
        pairs = list(zip(profiles, precisions, strict=True))
    else:
        pairs = [(p, q) for p in profiles for q in precisions]
    has_peak = "peak" in numeric
    skipped: list[str] = []
    # The site: regions x providers x pricing models, each bringing a PUE, a price and a
    # grid. Names are checked first, so a failure below is one of availability only.
    from costcalc import pricing as price_list
    from costcalc import site
    from costcalc.tables import find_region

    sites = _site_lists(given)
    valid = []
    for profile, prec in pairs:
        if prec is not None and not has_peak and prec not in profile.dense_peak:
            if zip_axes or (len(profiles) == 1 and len(precisions) == 1):
                raise InputError(
                    f"{profile.name} has no {prec} peak; it has {', '.join(profile.dense_peak)}",
                    input="precision",
                )
            skipped.append(f"{profile.name} {prec}")
            continue
        valid.append((profile, prec))
    if not valid:
        raise InputError(
            "no hardware has the precision(s) asked for: " + ", ".join(skipped),
            input="precision",
        )
    combos = _combine([valid, *(sites.get(n, [None]) for n in SITE_INPUTS)], zip_axes)
    choices = []
    entries: list[dict[str, Any]] = []
    unsold: list[str] = []
    mismatched: list[str] = []
    single = len(combos) == 1
    for (profile, prec), region, provider, pricing_model in combos:
        if region is not None and provider is not None:
            cloud = site.cloud_region_of(region)
            if cloud is not None and cloud.provider != price_list.find_provider(provider).id:
                if single:
                    raise InputError(
                        f"region '{cloud.id}' belongs to {cloud.provider}, not {provider}",
                        input="region",
                    )
                mismatched.append(f"{region} with {provider}")
                continue
        try:
            choice = estimator.resolve_hardware(
                profile,
                precision=prec,
                peak=f"{float(numeric['peak'][0])!r} FLOPS" if has_peak else None,
                price="1 USD/hour" if "price" in numeric else None,
                catalog=catalog,
                provider=provider,
                pricing=pricing_model,
                region=region,
            )
        except InputError:
            if single:
                raise
            choice = estimator.resolve_hardware(
                profile,
                precision=prec,
                peak=f"{float(numeric['peak'][0])!r} FLOPS" if has_peak else None,
                price="1 USD/hour",
                catalog=catalog,
            )
            choice = choice._replace(price=None, price_basis=("none", "", ""))
            whose = " ".join(x for x in (region, provider, pricing_model) if x)
            unsold.append(f"{profile.name} at {whose}".strip())
        pue_value, pue_a = estimator.resolve_pue(pue_name, region, provider)
        entry: dict[str, Any] = {
            "region": region,
            "provider": provider,
            "pricing": pricing_model,
            "pue": pue_value,
            "pue_assumption": pue_a,
            "pue_source": _pue_source(pue_name, region, provider),
        }
        if region is not None:
            entry["carbon_intensity"], entry["ci_assumption"] = estimator.resolve_carbon_intensity(
                region=region
            )
        ci_region = region if region is not None else tables.defaults()["region"]
        entry["grid_basis"] = (
            "given" if "carbon_intensity" in numeric else site.grid_basis(find_region(ci_region))
        )
        choices.append(choice)
        entries.append(entry)
    if not choices:
        raise InputError(
            "no scenario left: every region belongs to another provider than the one "
            "given: " + ", ".join(mismatched),
            input="region",
        )
    if skipped:
        notes.append("skipped (no such precision): " + ", ".join(skipped))
    if mismatched:
        notes.append("skipped (the region belongs to another provider): " + ", ".join(mismatched))
    if unsold:
        notes.append(
            "no price from that provider (cost_usd is empty; see 'costcalc prices'): "
            + ", ".join(dict.fromkeys(unsold))
        )
    if len({e["grid_basis"] for e in entries}) > 1:
        notes.append(
            "the grid intensities mix bases: countries are lifecycle figures (OWID), cloud "
            "regions operational location-based ones; compare co2e_kg across them with care"
        )
    hw_params: dict[str, Any] = {
        "peak": np.array([c.peak for c in choices]),
        "power": np.array([c.power for c in choices]),
        "price": np.array([math.nan if c.price is None else c.price for c in choices]),
        "pue": np.array([e["pue"] for e in entries]),
    }
    if shape_tables is not None:
        from costcalc.units import factor

        hw_params["memory_bytes"] = np.array(
            [
                c.profile.memory.value / factor("B") if c.profile.memory else math.nan
                for c in choices
            ]
        )
    if "region" in given:
        hw_params["carbon_intensity"] = np.array([e["carbon_intensity"] for e in entries])
    if "price" not in numeric:
        unpriced = sorted(
            {c.profile.name for c in choices if c.price is None and c.price_basis[0] != "none"}
        )
        if unpriced:
            notes.append(
                f"no published price for {', '.join(unpriced)}: cost_usd is empty; "
                f"give {ref('price')} for a cost"
            )
    for key in ("peak", "power", "price", "pue"):
        if key in numeric:
            del hw_params[key]  # the flag overrides the profile
    columns: dict[str, Any] = {
        "hardware": Labels.of([c.profile.name for c in choices]),
        "precision": Labels.of([c.precision for c in choices]),
    }
    for name in sites:
        columns[name] = Labels.of([str(e[name]) for e in entries])
    given_price = "price" in numeric
    columns["price_provider"] = Labels.of(
        [ref("price") if given_price else c.price_basis[0] for c in choices]
    )
    columns["price_pricing"] = Labels.of(["" if given_price else c.price_basis[1] for c in choices])
    columns["price_date"] = Labels.of(["" if given_price else c.price_basis[2] for c in choices])
    columns["pue_source"] = Labels.of(
        [ref("pue") if "pue" in numeric else e["pue_source"] for e in entries]
    )
    columns["grid_basis"] = Labels.of([e["grid_basis"] for e in entries])
    hw_axis = Axis("hardware", len(choices), hw_params, columns)
    if len(choices) == 1:
        by_name = {a.name: a for a in choices[0].assumptions}
        assumptions += [
            by_name[k]
            for k in ("hardware", "precision", "peak", "power", "price")
            if k in by_name and k not in numeric
        ]
    if "region" in given and len({e["ci_assumption"] for e in entries}) == 1:
        assumptions.append(entries[0]["ci_assumption"])  # one grid for every row
    one_pue = None
    if "pue" not in numeric and len({e["pue_assumption"] for e in entries}) == 1:
        one_pue = entries[0]["pue_assumption"]  # one PUE for every row
    region_axis = None

    # Axes in column order; defaults for the rest.
    param_of = {
        "flops": "flops",
        "device_hours": "device_seconds",
        "duration": "duration_seconds",
    }
    from costcalc.units import convert

    for name in INPUTS:
        if name == "hardware":
            axes.append(hw_axis)
        elif name == "region" and region_axis is not None:
            axes.append(region_axis)
        elif name == "arch" and shape_tables is not None:
            arch_columns: dict[str, Any] = {"arch": Labels.of(list(shape_tables.names))}
            if "seq_len" not in numeric:  # each architecture's own sequence length
                arch_columns["seq_len"] = shape_tables.seq_lens[:, 0].copy()
            n_arch = len(shape_tables.names)
            axes.append(
                Axis(name, n_arch, {"arch_code": np.arange(n_arch, dtype=float)}, arch_columns)
            )
        elif name == "seq_len" and name in numeric:
            values = numeric[name]
            axes.append(
                Axis(
                    name,
                    len(values),
                    {"seq_code": np.arange(len(values), dtype=float)},
                    {name: values},
                )
            )
        elif name in numeric:
            values = numeric[name]
            unit = INPUTS[name].unit
            shown = convert(values, unit) if unit else values
            axes.append(Axis(name, len(values), {param_of.get(name, name): values}, {name: shown}))
    if "utilization" not in numeric:
        # the default utilization depends on the hardware generation (costcalc.band)
        utils = [estimator.resolve_utilization(profile=c.profile.name) for c in choices]
        if len({u for u, _a in utils}) == 1:
            fixed["utilization"], a = utils[0]
            assumptions.append(a)
        else:
            hw_axis.params["utilization"] = np.array([u for u, _a in utils])
            notes.append(
                "utilization: each hardware's default (median MFU of published runs on its "
                "generation, else Epoch AI's 37.5 %): "
                + ", ".join(
                    dict.fromkeys(
                        f"{c.profile.name} {u:.1%}"
                        for c, (u, _a) in zip(choices, utils, strict=True)
                    )
                )
            )
    if "devices" not in numeric:
        fixed["devices"], a = estimator.resolve_devices()
        assumptions.append(a)
    if one_pue is not None:
        assumptions.append(one_pue)
    if "carbon_intensity" not in numeric and "region" not in given:
        fixed["carbon_intensity"], a = estimator.resolve_carbon_intensity()
        assumptions.append(a)

    # Numbering: product (last axis fastest) or zip.
    sizes = [a.size for a in axes]
    if zip_axes:
        lengths = {a.size for a in axes if a.size > 1}
        if len(lengths) > 1:
            detail = ", ".join(f"{a.name} {a.size}" for a in axes if a.size > 1)
            raise InputError(
                f"{ref('zip')} pairs lists of the same length; got {detail}", input="zip"
            )
        size = lengths.pop() if lengths else 1
    else:
        size = math.prod(sizes)
        stride = 1
        for axis in reversed(axes):
            axis.stride = stride
            stride *= axis.size
    if size > max_scenarios:
        raise InputError(
            f"the sweep has {size:,} scenarios, more than the limit of {max_scenarios:,}; "
            f"narrow the axes or raise {ref('max_scenarios')}",
            input="max_scenarios",
        )
    order = {name: i for i, name in enumerate([*INPUTS, *BASIS_COLUMNS])}
    input_columns = sorted(
        (col for axis in axes for col in axis.columns if col not in OUTPUT_FIELDS),
        key=lambda col: order.get(col, len(order)),
    )
    grid = Grid(axes, fixed, work, zip_axes, size, assumptions, notes, input_columns, shape_tables)
    if size:
        check_bounds(grid)
    return grid


def check_bounds(grid: Grid) -> None:
    """Refuse, before a row is written, a sweep any of whose results overflows (or whose
    peak x utilization underflows). Each output is a product of powers of the inputs, so
    its extremes over the grid lie at the corners of the box of input ranges: evaluating
    the 2^k corners (k inputs that vary) bounds every scenario."""
    import numpy as np

    ranges: dict[str, Any] = dict(grid.fixed)
    for axis in grid.axes:
        for name, values in axis.params.items():
            arr = np.asarray(values, dtype=float)
            ok = arr[~np.isnan(arr)]
            ranges[name] = (float(ok.min()), float(ok.max())) if ok.size else math.nan
    if grid.shape is not None:  # the shape's FLOPs: per-token extremes x tokens' extremes
        from costcalc import sweep_shape

        for key in ("arch_code", "seq_code", "zero", "memory_bytes"):
            ranges.pop(key, None)
        if grid.shape.tokens_mode:
            ranges["flops"] = sweep_shape.flops_range(grid.shape, ranges.pop("tokens"))
    varying = [k for k, r in ranges.items() if isinstance(r, tuple)]
    params: dict[str, Any] = {k: r for k, r in ranges.items() if not isinstance(r, tuple)}
    for i, name in enumerate(varying):
        shape = [1] * len(varying)
        shape[i] = 2
        params[name] = np.array(ranges[name], dtype=float).reshape(shape)
    evaluate(params, grid.work)
