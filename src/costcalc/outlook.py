"""One estimate seen from every angle: ranges (Monte Carlo), money (discounts, owned
hardware, carbon price, currency), embodied carbon, projections to a later year, and
everyday equivalents.

:func:`estimate` is :func:`costcalc.estimate`, the one public estimate (``costcalc
estimate`` on the command line calls it). It resolves the inputs with
:func:`costcalc.estimator.base_estimate` (ranges at their median), then
builds a new :class:`~costcalc.results.Estimate` from that one (``dataclasses.replace``;
an estimate is never changed): extra outputs go into ``Estimate.sections`` and extra
inputs into ``Estimate.assumptions``. Every output, at the point and over Monte Carlo
draws, comes from :func:`costcalc.model.evaluate`. Without a range or a money option it
imports neither numpy nor pint.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from costcalc import equivalents as equivalents_module
from costcalc import estimator, model
from costcalc import inputs as registry
from costcalc.errors import InputError, about, either, given_with, ref
from costcalc.results import (
    Assumption,
    Equivalent,
    Estimate,
    Projection,
    Ranges,
    Sections,
    Sensitivity,
)
from costcalc.units import convert, parse_quantity

if TYPE_CHECKING:
    from costcalc.profiles import Profile

# Inputs that may be a range (declared in costcalc.inputs): name -> (kind, flag, zero allowed).
RANGEABLE = {
    name: (str(i.kind), i.flag, i.allow_zero)
    for name, i in registry.INPUTS.items()
    if registry.RANGE in i.places
}
_MODEL_INPUTS = ("peak", "utilization", "devices", "power", "pue", "carbon_intensity", "price")
SENSITIVITY_METHOD = (
    "Spearman rank correlation between each ranged input and the output over the samples "
    "(sign: + the output grows with the input)"
)
# Output fields in display units: name -> (key in the evaluated outputs, unit).
RANGE_FIELDS = {
    "flops": ("flops", ""),
    "wall_clock_hours": ("wall_clock", "hour"),
    "device_hours": ("device_time", "hour"),
    "energy_kwh": ("energy", "kWh"),
    "cost_usd": ("cost", "USD"),
    "co2e_kg": ("co2e", "kg"),
    "embodied_co2e_kg": ("embodied", "kg"),
    "projected_cost_usd": ("projected_cost", "USD"),
    "projected_energy_kwh": ("projected_energy", "kWh"),
    "projected_co2e_kg": ("projected_co2e", "kg"),
}
MIN_YEAR, MAX_YEAR = 1990, 2100


def outlook_data() -> dict[str, Any]:
    from costcalc.tables import data_yaml

    data: dict[str, Any] = data_yaml("outlook.yaml")
    return data


def embodied_footprint(profile: str) -> tuple[float, str] | None:
    """The sourced manufacturing footprint (kg CO2e per device) of ``profile``, if any."""
    for entry in outlook_data()["embodied"]:
        if profile in entry["profiles"]:
            value = parse_quantity(entry["value"], "mass", "outlook.yaml embodied")
            return value, f"{entry['source']} ({entry['date']})"
    return None


class _Plan(NamedTuple):
    """What to compute beyond the model, fixed before evaluating (floats or arrays)."""

    work_is_time: bool
    device_seconds: float
    money: Any  # money.MoneySetup | None
    embodied: float | None  # kg CO2e per device
    price_factor: float | None  # projection multipliers
    energy_factor: float | None


def _evaluate(v: Mapping[str, Any], plan: _Plan) -> dict[str, Any]:
    """Every output for inputs ``v`` (base units; floats or numpy arrays): the model's one
    composition (:func:`costcalc.model.evaluate`) with the options of ``plan``."""
    costs = None
    if plan.money is not None:
        from costcalc import money

        owned = plan.money.owned

        def costs(seconds: Any, joules: Any, co2e: Any, price: Any) -> dict[str, Any]:
            return money.costs(seconds, joules, co2e, price, dict(v), owned)

    trends = None
    if plan.price_factor is not None and plan.energy_factor is not None:
        trends = (plan.price_factor, plan.energy_factor)
    return model.evaluate(
        v.get("flops"),
        v["peak"],
        v["utilization"],
        v["devices"],
        v["power"],
        v["pue"],
        v.get("price", math.nan),
        v["carbon_intensity"],
        device_seconds=plan.device_seconds if plan.work_is_time else None,
        costs=costs,
        embodied=None if plan.embodied is None else (plan.embodied, v["useful_life"]),
        trends=trends,
    )


def _fields(out: dict[str, Any], money_items: list[str]) -> dict[str, Any]:
    fields = {}
    for name, (key, unit) in RANGE_FIELDS.items():
        if key in out:
            fields[name] = convert(out[key], unit) if unit else out[key]
    for item in money_items:
        fields[f"money_{item}_usd"] = convert(out[f"money_{item}"], "USD")
    return fields


def _finite_or_none(x: Any) -> Any:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


# The options outlook adds to the estimator's keywords, and the money inputs (the Money
# panel of costcalc.inputs that the estimator does not take; costcalc.money resolves them).
_OPTIONS = dict(samples=None, seed=None, owned=False, currency=None, fx_rate=None)
_OPTIONS |= dict(embodied=False, year=None, equivalents=True, band=True)
_MONEY = tuple(
    n
    for n, i in registry.INPUTS.items()
    if i.panel == "Money" and n not in estimator.KEYWORDS and n not in _OPTIONS
)


@registry.keywords(estimator.KEYWORDS + _MONEY, **_OPTIONS)
def estimate(work: Any = None, **given: Any) -> Estimate:
    """Estimate time, energy, cost and CO2e of one training run, with ranges, money,
    embodied carbon, a projection, the default band and everyday equivalents.

    ``work`` (or ``flops``) is the compute (``"1e18"``, ``"3.14e23 FLOP"``, ``1e18``); or
    give ``device_hours``, or ``duration`` with ``devices``. ``work`` may also name a
    reference run (``"gpt-3"``), or give ``params`` and ``tokens`` (see
    :mod:`costcalc.workloads`) or a model's shape (``arch``, ``layers``...). Every other
    input defaults to the hardware profile or the built-in defaults, and accepts a number
    (in the unit the CLI assumes for a bare number: ``power=330`` is watts) or a string
    with units; the keywords are the inputs of docs/inputs.md. ``settings`` (from
    ``costcalc.config.load_settings()``) supplies defaults for the inputs left out;
    ``catalog`` is a :class:`costcalc.Catalog` to find hardware in.

    Any numeric estimate input may be a range (``"30%..50%"``), ``"triangular(a,mode,b)"``
    or ``"lognormal(median,sigma)"``; then ``samples`` (default 10^5) Monte Carlo draws,
    seeded with ``seed`` (default 0), give the 5th/50th/95th percentile of every output.
    Otherwise ``band`` (default on) adds the default 90 % band of every output from the
    spread of the inputs costcalc assumed (:mod:`costcalc.band`, closed form).
    The money inputs (``discount``, ``owned``, ``purchase_price``, ``useful_life``,
    ``electricity_price``, ``carbon_price``, ``server_cost_overhead``,
    ``interconnect_share``, ``depreciation``, ``hardware_age``, ``currency``, ``fx_rate``)
    are resolved by :func:`costcalc.money.resolve`; ``embodied`` adds the manufacturing
    CO2e, ``year`` a projection, ``equivalents`` everyday equivalents.
    The answer is built once: each step below makes new values, none changes an estimate.
    """
    g = registry.bind(estimate, work, **given)
    samples, seed, owned, purchase_price = g["samples"], g["seed"], g["owned"], g["purchase_price"]
    embodied, year, useful_life = g["embodied"], g["year"], g["useful_life"]
    band, equivalents = g["band"], g["equivalents"]
    asked: dict[str, Any] = {k: g[k] for k in estimator.KEYWORDS}
    extra = {k: g[k] for k in _MONEY}
    from costcalc import uncertainty

    dists: dict[str, uncertainty.Distribution] = {}
    for table in (asked, extra):
        for name, text in table.items():
            if name in RANGEABLE and uncertainty.is_distribution(text):
                kind, _flag, allow_zero = RANGEABLE[name]
                with about(name):
                    dist = uncertainty.parse_distribution(
                        text, kind, ref(name), allow_zero=allow_zero
                    )
                _check_bounds(name, dist)
                dists[name] = dist
                table[name] = uncertainty.bare_value(dist.central, kind)
    if not dists and (samples is not None or seed is not None):
        raise InputError(
            f"no input is a range; give one as lo..hi (e.g. {ref('utilization')} 30%..50%)",
            input="samples" if samples is not None else "seed",
        )
    money_wanted = any(x is not None for x in extra.values()) or owned
    money_wanted = money_wanted or g["currency"] is not None or g["fx_rate"] is not None
    if useful_life is not None and not (owned or purchase_price is not None or embodied):
        raise InputError(
            "the useful life amortizes owned hardware or embodied carbon; add "
            + either("owned", "purchase_price", "embodied"),
            input="useful_life",
        )

    is_owned = owned or purchase_price is not None
    owned_by = either("owned", "purchase_price")
    if is_owned and asked.get("price") is not None:
        raise InputError(
            f"a price per device-hour is a cloud price; not with {owned_by}", input="price"
        )
    if is_owned and asked.get("pricing") is not None:
        raise InputError(
            f"a pricing model applies to cloud prices; not with {owned_by}", input="pricing"
        )
    if is_owned:
        # Owned hardware has no cloud price: no provider's price list is consulted (so a
        # device no cloud in the region sells is no error), and no price assumption shows.
        asked["price"] = "1 USD/hour"
    base = estimator.base_estimate(**asked)
    inputs = {k: v for k, v in base.inputs.items() if not (is_owned and k == "price")}
    assumptions = [_ranged(a, dists[a.name]) if a.name in dists else a for a in base.assumptions]
    if not (dists or money_wanted or embodied or year is not None):
        plain = replace(base, assumptions=tuple(assumptions), inputs=inputs)
        return _finished(plain, band=band, equivalents=equivalents)

    profile = base.hardware
    notes = list(base.notes)
    sections: Sections = cast("Sections", dict(base.sections))
    life_entry = outlook_data()["useful_life"]
    life_default = (life_entry["value"], f"{life_entry['source']} ({life_entry['date']})")
    setup = None
    if money_wanted:
        from costcalc import money

        elec = outlook_data()["electricity"]
        setup = money.resolve(
            profile.name,
            {**g, **extra},
            life_default=life_default,
            electricity_default=(elec["region"], elec["sector"]),
        )
        assumptions += [
            _ranged(a, dists[a.name]) if a.name in dists else a for a in setup.assumptions
        ]
        if setup.owned:
            assumptions = [a for a in assumptions if a.name != "price"]
    values: dict[str, Any] = {a.name: a.base for a in assumptions if a.name in _MODEL_INPUTS}
    values["flops"] = base.outputs["flops"]
    if setup is not None:
        values.update(setup.values)

    footprint = None
    if embodied:
        found = embodied_footprint(profile.name)
        if found is None:
            sections["embodied"] = {
                "available": False,
                "note": f"no published manufacturing footprint for {profile.name} in costcalc's "
                "data; embodied CO2e not estimated",
            }
        else:
            footprint, source = found
            if "useful_life" not in values:
                from costcalc import money

                given_life = extra["useful_life"] is not None
                life = (
                    parse_quantity(extra["useful_life"], "lifetime", input="useful_life")
                    if given_life
                    else parse_quantity(life_default[0], "lifetime", "outlook.yaml useful_life")
                )
                assumptions.append(
                    Assumption(
                        "useful_life",
                        life,
                        "year",
                        money.years_text(life),
                        given_with("useful_life") if given_life else f"default: {life_default[1]}",
                        "flag" if given_life else "default",
                    )
                )
                values["useful_life"] = life
            assumptions.append(
                Assumption(
                    "embodied_footprint",
                    footprint,
                    "kg",
                    f"{convert(footprint, 'kg'):.4g} kg/device",
                    source,
                    "data",
                )
            )

    price_factor = energy_factor = None
    projection: Projection | None = None
    if year is not None:
        projection, trends, warning = _projection(profile, year)
        price_factor, energy_factor = projection["cost_factor"], projection["energy_factor"]
        assumptions += trends
        notes += [warning] if warning else []
        sections["projection"] = projection

    work_is_time = any(k in base.inputs for k in ("device_hours", "duration"))
    plan = _Plan(
        work_is_time,
        base.outputs["device_time"],
        setup,
        footprint,
        price_factor,
        energy_factor,
    )
    point = _evaluate(values, plan)
    outputs = {**base.outputs, "cost": _finite_or_none(point["cost"])}
    money_items = [k.removeprefix("money_") for k in point if k.startswith("money_")]
    if setup is not None:
        items = {k: _finite_or_none(point[f"money_{k}"]) for k in money_items}
        from costcalc import money

        sections["money"] = {
            "mode": "owned" if setup.owned else "cloud",
            "currency": setup.currency,
            "fx_rate": setup.fx_rate,
            "items_usd": {
                k: None if x is None else float(convert(x, "USD")) for k, x in items.items()
            },
            "items": {
                k: None if x is None else float(money.in_currency(x, setup))
                for k, x in items.items()
            },
        }
    if footprint is not None:
        sections["embodied"] = {
            "available": True,
            "co2e_kg": float(convert(point["embodied"], "kg")),
            "per_device_hour_kg": float(footprint / values["useful_life"] * 3600),
        }
    if projection is not None:
        sections["projection"] = {
            **projection,
            "cost_usd": _finite_or_none(
                None
                if point["projected_cost"] is None
                else float(convert(point["projected_cost"], "USD"))
            ),
            "energy_kwh": float(convert(point["projected_energy"], "kWh")),
            "co2e_kg": float(convert(point["projected_co2e"], "kg")),
        }

    if dists:
        ranges, sensitivity = _monte_carlo(dists, values, plan, money_items, setup, samples, seed)
        sections["ranges"] = ranges
        sections["sensitivity"] = sensitivity
    priced = replace(
        base,
        outputs=outputs,
        assumptions=tuple(assumptions),
        inputs=inputs,
        notes=tuple(notes),
        sections=sections,
    )
    return _finished(priced, band=band and not dists, equivalents=equivalents)


def _monte_carlo(
    dists: Mapping[str, Any],
    values: Mapping[str, Any],
    plan: _Plan,
    money_items: list[str],
    setup: Any,
    samples: Any,
    seed: Any,
) -> tuple[Ranges, Sensitivity]:
    """The percentiles of every output over ``samples`` draws of the ranged inputs, and
    how much each input moves each output."""
    from costcalc import uncertainty

    n = _count(samples)
    seed_value = _seed(seed)
    named = {("flops" if k in ("work", "flops") else k): d for k, d in dists.items()}
    drawn = uncertainty.draw(named, n, seed_value)
    import numpy as np

    with np.errstate(over="ignore", divide="ignore", invalid="ignore", under="ignore"):
        sampled = _evaluate({**values, **drawn}, plan)
        fields = _fields(sampled, money_items)
    fields = {k: np.broadcast_to(v, (n,)) for k, v in fields.items()}
    overflowing = [k for k, d in drawn.items() if not np.isfinite(d).all()]
    overflowing += [k for k, arr in fields.items() if np.isinf(arr).any()]
    if overflowing:
        shown = ", ".join(repr(d.text) for d in dists.values())
        raise InputError(
            f"the range of {overflowing[0]} overflows: samples of {shown} are too large "
            "or too small to compute with; narrow the distribution",
            input=next(iter(dists)),
        )
    percentiles: dict[str, dict[str, float] | None] = {}
    for name, arr in fields.items():
        percentiles[name] = None if np.isnan(arr).any() else uncertainty.percentiles(arr)
    if setup is not None and setup.currency != "USD":
        for item in money_items:
            r = percentiles.get(f"money_{item}_usd")
            if r is not None:
                percentiles[f"money_{item}_{setup.currency.lower()}"] = {
                    k: x * setup.fx_rate for k, x in r.items()
                }
    ranges: Ranges = {
        "samples": n,
        "seed": seed_value,
        "generator": "numpy PCG64",
        "inputs": {k: {"distribution": d.describe(), "given": d.text} for k, d in dists.items()},
        "percentiles": percentiles,
    }
    varying = {k: v for k, v in fields.items() if percentiles.get(k) is not None}
    sensitivity: Sensitivity = {
        "method": SENSITIVITY_METHOD,
        "ranking": uncertainty.sensitivity(drawn, varying),
    }
    return ranges, sensitivity


def _finished(est: Estimate, *, band: bool, equivalents: bool) -> Estimate:
    """``est`` with its default band (costcalc.band) and everyday equivalents, as wanted."""
    sections: Sections = cast("Sections", dict(est.sections))
    if band:
        from costcalc import band as band_module

        section = band_module.band(est)
        if "money" in sections:  # cost has other parts (electricity, discounts): no band
            section["percentiles"].pop("cost_usd", None)
        sections["band"] = section
        if "projection" in sections:
            # a --year projection: the band widened by the trends' spread
            from costcalc import projection_band

            sections["projection"] = projection_band.widened(replace(est, sections=sections))
    if equivalents:
        sections["equivalents"] = _equivalents(est)
    return replace(est, sections=sections)


def _check_bounds(name: str, dist: Any) -> None:
    if name == "pue" and dist.low < 1:
        raise InputError(
            f"PUE range {dist.text!r} goes below 1; PUE is total facility power over IT power, "
            "so at least 1 (e.g. 1.1..1.6)",
            input=name,
        )
    if name == "discount" and dist.high >= 1:
        raise InputError(f"{dist.text!r} reaches 100%; expected a discount below 100%", input=name)


def _ranged(a: Assumption, dist: Any) -> Assumption:
    return replace(a, text=dist.text, source=f"{a.source} ({dist.describe()}; median {a.text})")


def _count(samples: Any) -> int:
    from costcalc import uncertainty

    if samples is None:
        return uncertainty.DEFAULT_SAMPLES
    value = parse_quantity(samples, "number", input="samples")
    if not float(value).is_integer():
        raise InputError(
            f"expected a whole number of samples, got {_shown(samples)}", input="samples"
        )
    return int(value)


def _seed(seed: Any) -> int:
    if seed is None:
        return 0
    text = str(seed).strip()
    if not text.isdigit() or len(text) > 19:
        raise InputError(f"expected a whole number 0 or more, got {_shown(seed)}", input="seed")
    return int(text)


def _shown(value: Any) -> str:
    """``value`` quoted for an error message, or its length when it is too long to show."""
    text = str(value)
    return repr(value) if len(text) <= 40 else f"a value {len(text)} characters long"


def _projection(profile: Profile, year: Any) -> tuple[Projection, list[Assumption], str]:
    """The projection to ``year`` of an estimate on ``profile``: its section (the factors),
    the trends it assumes, and a warning when it goes past the trend data ("" if not)."""
    text = str(year).strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 4) or not (
        MIN_YEAR <= int(text) <= MAX_YEAR
    ):
        raise InputError(
            f"expected a year between {MIN_YEAR} and {MAX_YEAR}, got {_shown(year)}", input="year"
        )
    target = int(text)
    base = profile.launch_year
    if base is None:
        raise InputError(f"{profile.name} has no launch year to project from", input="year")
    if target < base:
        raise InputError(
            f"{target} is before {profile.name}'s launch ({base}); projections go forward",
            input="year",
        )
    data = outlook_data()
    ooms = float(data["price_performance"]["value"])
    doubling = float(data["energy_efficiency"]["value"])
    years = target - base
    price_factor = 10 ** (-ooms * years)
    energy_factor = 2 ** (-years / doubling)
    trends = [
        Assumption(
            "price_performance_trend",
            ooms,
            "",
            f"{ooms:g} OOM/year",
            f"{data['price_performance']['source']} ({data['price_performance']['date']})",
            "default",
        ),
        Assumption(
            "energy_efficiency_trend",
            doubling,
            "",
            f"x2 every {doubling:g} years",
            f"{data['energy_efficiency']['source']} ({data['energy_efficiency']['date']})",
            "default",
        ),
    ]
    last = min(int(str(data[k]["date"])[:4]) for k in ("price_performance", "energy_efficiency"))
    warning = ""
    if target > last:
        spread = data["trend_spread"]
        warning = (
            f"warning: {ref('year')} {target} is {target - last} years past the trend data (to "
            f"{last}); assumed: price-performance improves {ooms:g} orders of magnitude a year "
            f"and energy efficiency doubles every {doubling:g} years, for every year to "
            f"{target} without limit (cost x{price_factor:.3g}, energy x{energy_factor:.3g}); "
            "the further past the data, the less this says: the projection's band widens "
            f"with the {years} years projected, the trends' rates being uncertain by "
            f"{spread['price_performance']['sigma_per_year']:g} (price-performance, Epoch "
            f"AI's 95 % interval) and {spread['energy_efficiency']['sigma_per_year']:g} "
            "(energy efficiency, assumed) in log per year (trend_spread in outlook.yaml)"
        )
    section: Projection = {
        "year": target,
        "from_year": base,
        "label": f"PROJECTION: the same work on the hardware of {target}, extrapolating trends "
        f"from {profile.name} ({base}); not a forecast",
        "cost_factor": price_factor,
        "energy_factor": energy_factor,
    }
    return section, trends, warning


def _equivalents(est: Estimate) -> list[Equivalent]:
    co2e, energy = est.outputs["co2e"], est.outputs["energy"]
    found: list[Equivalent] = [
        {
            "id": e.id,
            "value": e.value,
            "unit": e.unit,
            "label": e.label,
            "subject": e.subject,
            "of": e.basis,
            "estimate": e.constant.estimate,
            "source": e.source(),
        }
        for e in equivalents_module.compute(float(co2e), float(energy))
    ]
    return found
