"""One estimate seen from every angle: ranges (Monte Carlo), money (discounts, owned
hardware, carbon price, currency), embodied carbon, projections to a later year, and
everyday equivalents.

:func:`estimate` takes everything :func:`costcalc.estimator.estimate` takes, plus the
options below. It resolves the inputs with the estimator (ranges at their median), then
post-processes the :class:`~costcalc.estimator.Estimate`: extra outputs go into
``Estimate.sections`` and extra inputs into ``Estimate.assumptions``. Without a range or
a money option it imports neither numpy nor pint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from costcalc import equivalents as equivalents_module
from costcalc import estimator, model
from costcalc import inputs as registry
from costcalc.errors import InputError
from costcalc.estimator import Estimate
from costcalc.results import Assumption
from costcalc.units import convert, parse_quantity

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


@dataclass
class _Plan:
    """What to compute beyond the model, fixed before evaluating (floats or arrays)."""

    work_is_time: bool
    device_seconds: float
    money: Any  # money.MoneySetup | None
    embodied: float | None  # kg CO2e per device
    price_factor: float | None  # projection multipliers
    energy_factor: float | None


def _evaluate(v: dict[str, Any], plan: _Plan) -> dict[str, Any]:
    """Every output for inputs ``v`` (base units; floats or numpy arrays)."""
    if plan.work_is_time:
        flops = model.flops_from_device_time(plan.device_seconds, v["peak"], v["utilization"])
    else:
        flops = v["flops"]
    price = v.get("price", math.nan)
    out = model.evaluate(
        flops,
        v["peak"],
        v["utilization"],
        v["devices"],
        v["power"],
        v["pue"],
        price,
        v["carbon_intensity"],
    )
    if plan.money is not None:
        from costcalc import money

        items = money.costs(
            out["device_time"], out["energy"], out["co2e"], price, v, plan.money.owned
        )
        out["cost"] = items["total"]
        out.update({f"money_{k}": x for k, x in items.items()})
    if plan.embodied is not None:
        out["embodied"] = out["device_time"] * plan.embodied / v["useful_life"]
    if plan.price_factor is not None and plan.energy_factor is not None:
        out["projected_cost"] = out["cost"] * plan.price_factor
        out["projected_energy"] = out["energy"] * plan.energy_factor
        out["projected_co2e"] = out["co2e"] * plan.energy_factor
    return out


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


def estimate(
    work: Any = None,
    *,
    samples: Any = None,
    seed: Any = None,
    discount: Any = None,
    owned: bool = False,
    purchase_price: Any = None,
    useful_life: Any = None,
    electricity_price: Any = None,
    carbon_price: Any = None,
    server_cost_overhead: Any = None,
    interconnect_share: Any = None,
    depreciation: Any = None,
    hardware_age: Any = None,
    currency: str | None = None,
    fx_rate: Any = None,
    embodied: bool = False,
    year: Any = None,
    equivalents: bool = True,
    band: bool = True,
    **kwargs: Any,
) -> Estimate:
    """Estimate a training run (see :func:`costcalc.estimator.estimate` for ``work`` and
    ``kwargs``), with ranges, money, embodied carbon, a projection and equivalents.

    Any numeric estimate input may be a range (``"30%..50%"``), ``"triangular(a,mode,b)"``
    or ``"lognormal(median,sigma)"``; then ``samples`` (default 10^5) Monte Carlo draws,
    seeded with ``seed`` (default 0), give the 5th/50th/95th percentile of every output.
    Otherwise ``band`` (default on) adds the default 90 % band of every output from the
    spread of the inputs costcalc assumed (:mod:`costcalc.band`, closed form).
    """
    given: dict[str, Any] = dict(kwargs, work=work)
    extra = dict(
        discount=discount,
        purchase_price=purchase_price,
        useful_life=useful_life,
        electricity_price=electricity_price,
        carbon_price=carbon_price,
        server_cost_overhead=server_cost_overhead,
        interconnect_share=interconnect_share,
        depreciation=depreciation,
        hardware_age=hardware_age,
    )
    from costcalc import uncertainty

    dists: dict[str, uncertainty.Distribution] = {}
    for table in (given, extra):
        for name, text in table.items():
            if name in RANGEABLE and uncertainty.is_distribution(text):
                kind, flag, allow_zero = RANGEABLE[name]
                dist = uncertainty.parse_distribution(text, kind, flag, allow_zero=allow_zero)
                _check_bounds(name, dist, flag)
                dists[name] = dist
                table[name] = uncertainty.bare_value(dist.central, kind)
    if not dists and (samples is not None or seed is not None):
        flag = "--samples" if samples is not None else "--seed"
        raise InputError(
            "no input is a range; give one as lo..hi (e.g. --utilization 30%..50%)", flag
        )
    money_wanted = any(x is not None for x in extra.values()) or owned or currency is not None
    money_wanted = money_wanted or fx_rate is not None
    if useful_life is not None and not (owned or purchase_price is not None or embodied):
        raise InputError(
            "the useful life amortizes owned hardware or embodied carbon; add --owned, "
            "--purchase-price or --embodied",
            "--useful-life",
        )

    if (owned or purchase_price is not None) and given.get("price") is not None:
        raise InputError("a price per device-hour is a cloud price; not with --owned", "--price")
    if (owned or purchase_price is not None) and given.get("pricing") is not None:
        raise InputError("a pricing model applies to cloud prices; not with --owned", "--pricing")
    if owned or purchase_price is not None:
        # Owned hardware has no cloud price: no provider's price list is consulted (so a
        # device no cloud in the region sells is no error), and no price assumption shows.
        given["price"] = "1 USD/hour"
    est = estimator.estimate(given.pop("work"), **given)
    if owned or purchase_price is not None:
        est.inputs.pop("price", None)
    est.assumptions = [_ranged(a, dists[a.name]) if a.name in dists else a for a in est.assumptions]
    if not (dists or money_wanted or embodied or year is not None):
        _add_band(est, band)
        if equivalents:
            _add_equivalents(est)
        return est

    profile = est.hardware
    life_entry = outlook_data()["useful_life"]
    life_default = (life_entry["value"], f"{life_entry['source']} ({life_entry['date']})")
    setup = None
    if money_wanted:
        from costcalc import money

        elec = outlook_data()["electricity"]
        setup = money.resolve(
            profile.name,
            discount=extra["discount"],
            owned=owned,
            purchase_price=extra["purchase_price"],
            useful_life=extra["useful_life"],
            electricity_price_per_kwh=extra["electricity_price"],
            carbon_price=extra["carbon_price"],
            currency=currency,
            fx_rate=fx_rate,
            life_default=life_default,
            electricity_default=(elec["region"], elec["sector"]),
            server_cost_overhead=extra["server_cost_overhead"],
            interconnect_share=extra["interconnect_share"],
            depreciation=extra["depreciation"],
            hardware_age=extra["hardware_age"],
        )
        est.assumptions += [
            _ranged(a, dists[a.name]) if a.name in dists else a for a in setup.assumptions
        ]
        if setup.owned:
            est.assumptions = [a for a in est.assumptions if a.name != "price"]
    values: dict[str, Any] = {a.name: a.base for a in est.assumptions if a.name in _MODEL_INPUTS}
    values["flops"] = est.outputs["flops"]
    if setup is not None:
        values.update(setup.values)

    footprint = None
    if embodied:
        found = embodied_footprint(profile.name)
        if found is None:
            est.sections["embodied"] = {
                "available": False,
                "note": f"no published manufacturing footprint for {profile.name} in costcalc's "
                "data; embodied CO2e not estimated",
            }
        else:
            footprint, source = found
            if "useful_life" not in values:
                life = (
                    parse_quantity(extra["useful_life"], "lifetime", "--useful-life")
                    if extra["useful_life"] is not None
                    else parse_quantity(life_default[0], "lifetime", "outlook.yaml useful_life")
                )
                origin = "flag" if extra["useful_life"] is not None else "default"
                src = (
                    "given with --useful-life"
                    if origin == "flag"
                    else f"default: {life_default[1]}"
                )
                est.assumptions.append(
                    Assumption(
                        "useful_life",
                        life,
                        "year",
                        f"{convert(life, 'year'):.4g} years",
                        src,
                        origin,
                    )
                )
                values["useful_life"] = life
            est.assumptions.append(
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
    if year is not None:
        price_factor, energy_factor = _projection(est, year)

    work_is_time = any(k in est.inputs for k in ("device_hours", "duration"))
    plan = _Plan(
        work_is_time,
        est.outputs["device_time"],
        setup,
        footprint,
        price_factor,
        energy_factor,
    )
    point = _evaluate(values, plan)
    for key in ("cost",):
        est.outputs[key] = _finite_or_none(point[key])
    money_items = [k.removeprefix("money_") for k in point if k.startswith("money_")]
    if setup is not None:
        items = {k: _finite_or_none(point[f"money_{k}"]) for k in money_items}
        from costcalc import money

        est.sections["money"] = {
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
        est.sections["embodied"] = {
            "available": True,
            "co2e_kg": float(convert(point["embodied"], "kg")),
            "per_device_hour_kg": float(footprint / values["useful_life"] * 3600),
        }
    if year is not None:
        est.sections["projection"]["cost_usd"] = _finite_or_none(
            None
            if point["projected_cost"] is None
            else float(convert(point["projected_cost"], "USD"))
        )
        est.sections["projection"]["energy_kwh"] = float(convert(point["projected_energy"], "kWh"))
        est.sections["projection"]["co2e_kg"] = float(convert(point["projected_co2e"], "kg"))

    if dists:
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
                RANGEABLE[next(iter(dists))][1],
            )
        ranges = {}
        for name, arr in fields.items():
            ranges[name] = None if np.isnan(arr).any() else uncertainty.percentiles(arr)
        if setup is not None and setup.currency != "USD":
            for item in money_items:
                r = ranges.get(f"money_{item}_usd")
                if r is not None:
                    ranges[f"money_{item}_{setup.currency.lower()}"] = {
                        k: x * setup.fx_rate for k, x in r.items()
                    }
        est.sections["ranges"] = {
            "samples": n,
            "seed": seed_value,
            "generator": "numpy PCG64",
            "inputs": {
                k: {"distribution": d.describe(), "given": d.text} for k, d in dists.items()
            },
            "percentiles": ranges,
        }
        varying = {k: v for k, v in fields.items() if ranges.get(k) is not None}
        est.sections["sensitivity"] = {
            "method": SENSITIVITY_METHOD,
            "ranking": uncertainty.sensitivity(drawn, varying),
        }
    if not dists:
        _add_band(est, band)
    if equivalents:
        _add_equivalents(est)
    return est


def _add_band(est: Estimate, wanted: bool) -> None:
    """The default band (costcalc.band) of the point estimate, unless not wanted."""
    if not wanted:
        return
    from costcalc import band as band_module

    section = band_module.band(est)
    if "money" in est.sections:  # cost has other parts (electricity, discounts): no band
        section["percentiles"].pop("cost_usd", None)
    est.sections["band"] = section
    from costcalc import projection_band

    projection_band.add(est)  # a --year projection: the band widened by the trends' spread


def _check_bounds(name: str, dist: Any, flag: str) -> None:
    if name == "pue" and dist.low < 1:
        raise InputError(
            f"PUE range {dist.text!r} goes below 1; PUE is total facility power over IT power, "
            "so at least 1 (e.g. 1.1..1.6)",
            flag,
        )
    if name == "discount" and dist.high >= 1:
        raise InputError(f"{dist.text!r} reaches 100%; expected a discount below 100%", flag)


def _ranged(a: Assumption, dist: Any) -> Assumption:
    return replace(a, text=dist.text, source=f"{a.source} ({dist.describe()}; median {a.text})")


def _count(samples: Any) -> int:
    from costcalc import uncertainty

    if samples is None:
        return uncertainty.DEFAULT_SAMPLES
    value = parse_quantity(samples, "number", "--samples")
    if not float(value).is_integer():
        raise InputError(f"expected a whole number of samples, got {_shown(samples)}", "--samples")
    return int(value)


def _seed(seed: Any) -> int:
    if seed is None:
        return 0
    text = str(seed).strip()
    if not text.isdigit() or len(text) > 19:
        raise InputError(f"expected a whole number 0 or more, got {_shown(seed)}", "--seed")
    return int(text)


def _shown(value: Any) -> str:
    """``value`` quoted for an error message, or its length when it is too long to show."""
    text = str(value)
    return repr(value) if len(text) <= 40 else f"a value {len(text)} characters long"


def _projection(est: Estimate, year: Any) -> tuple[float, float]:
    text = str(year).strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 4) or not (
        MIN_YEAR <= int(text) <= MAX_YEAR
    ):
        raise InputError(
            f"expected a year between {MIN_YEAR} and {MAX_YEAR}, got {_shown(year)}", "--year"
        )
    target = int(text)
    base = est.hardware.launch_year
    if base is None:
        raise InputError(f"{est.hardware.name} has no launch year to project from", "--year")
    if target < base:
        raise InputError(
            f"{target} is before {est.hardware.name}'s launch ({base}); projections go forward",
            "--year",
        )
    data = outlook_data()
    ooms = float(data["price_performance"]["value"])
    doubling = float(data["energy_efficiency"]["value"])
    years = target - base
    price_factor = 10 ** (-ooms * years)
    energy_factor = 2 ** (-years / doubling)
    est.assumptions.append(
        Assumption(
            "price_performance_trend",
            ooms,
            "",
            f"{ooms:g} OOM/year",
            f"{data['price_performance']['source']} ({data['price_performance']['date']})",
            "default",
        )
    )
    est.assumptions.append(
        Assumption(
            "energy_efficiency_trend",
            doubling,
            "",
            f"x2 every {doubling:g} years",
            f"{data['energy_efficiency']['source']} ({data['energy_efficiency']['date']})",
            "default",
        )
    )
    last = min(int(str(data[k]["date"])[:4]) for k in ("price_performance", "energy_efficiency"))
    if target > last:
        spread = data["trend_spread"]
        est.notes.append(
            f"warning: --year {target} is {target - last} years past the trend data (to "
            f"{last}); assumed: price-performance improves {ooms:g} orders of magnitude a year "
            f"and energy efficiency doubles every {doubling:g} years, for every year to "
            f"{target} without limit (cost x{price_factor:.3g}, energy x{energy_factor:.3g}); "
            "the further past the data, the less this says: the projection's band widens "
            f"with the {years} years projected, the trends' rates being uncertain by "
            f"{spread['price_performance']['sigma_per_year']:g} (price-performance, Epoch "
            f"AI's 95 % interval) and {spread['energy_efficiency']['sigma_per_year']:g} "
            "(energy efficiency, assumed) in log per year (trend_spread in outlook.yaml)"
        )
    est.sections["projection"] = {
        "year": target,
        "from_year": base,
        "label": f"PROJECTION: the same work on the hardware of {target}, extrapolating trends "
        f"from {est.hardware.name} ({base}); not a forecast",
        "cost_factor": price_factor,
        "energy_factor": energy_factor,
    }
    return price_factor, energy_factor


def _add_equivalents(est: Estimate) -> None:
    co2e, energy = est.outputs["co2e"], est.outputs["energy"]
    est.sections["equivalents"] = [
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
