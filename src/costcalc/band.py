"""The default band: how sure an estimate is, from the inputs costcalc assumed.

Every input costcalc fills in (utilization, power, PUE, price) is taken as lognormal with its
default as the median and a documented log-sigma (data/band.yaml, fitted by
scripts/fit_band.py to published runs and measurements). Inputs the user gave are exact.
Each output is a product of powers of the inputs (hours = FLOPs / (peak x utilization),
energy = hours x power x PUE, ...), so its log is normal with the point as median and
sigma = sqrt(sum((exponent x sigma_input)^2)): the 5th and 95th percentiles are
point x exp(-/+ 1.645 sigma). Closed form, no numpy, no sampling.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from costcalc.errors import CostcalcError
from costcalc.mfu_groups import group as _group
from costcalc.results import Band, Estimate

Z90 = 1.6448536269514722  # the 95th percentile of the standard normal


def lognormal_band(mid: float, sigma: float) -> dict[str, float]:
    """The 90 % band of a lognormal of median ``mid`` and log-sigma ``sigma``."""
    return {"p5": mid * math.exp(-Z90 * sigma), "p50": mid, "p95": mid * math.exp(Z90 * sigma)}


METHOD = (
    "closed form: each input costcalc assumed is lognormal around its default (sigma from "
    "data/band.yaml); outputs are products of powers of the inputs, so log-sigmas add in "
    "quadrature; inputs you gave are exact"
)
# Output field -> exponent of each uncertain input, when the work is FLOPs.
_EXPONENTS_FLOPS = {
    "flops": {},
    "wall_clock_hours": {"utilization": -1},
    "device_hours": {"utilization": -1},
    "energy_kwh": {"utilization": -1, "power": 1, "pue": 1},
    "cost_usd": {"utilization": -1, "price": 1},
    "co2e_kg": {"utilization": -1, "power": 1, "pue": 1},
}
# ... and when the work is device-time (the utilization only changes the FLOPs done).
_EXPONENTS_TIME = {
    "flops": {"utilization": 1},
    "wall_clock_hours": {},
    "device_hours": {},
    "energy_kwh": {"power": 1, "pue": 1},
    "cost_usd": {"price": 1},
    "co2e_kg": {"power": 1, "pue": 1},
}
_ASSUMED = ("default", "profile")  # origins of inputs costcalc filled in


def spreads_data() -> dict[str, Any]:
    from costcalc.tables import data_yaml

    data: dict[str, Any] = data_yaml("band.yaml")
    return data


def utilization_sigma(profile: str) -> tuple[float, str]:
    """The log-sigma of the utilization on ``profile`` and where it comes from."""
    u = spreads_data()["utilization"]
    g = _group(profile)
    if g is not None:
        around = "their median" if g.get("default") else "the default"
        return (
            float(g["sigma"]),
            f"implied MFU of {g['runs']} published {g['label']} runs, around {around}",
        )
    return float(u["all"]["sigma"]), f"implied MFU of all {u['all']['runs']} published runs"


def _provider_chosen(est: Estimate) -> bool:
    """Whether the price's provider was chosen (--provider, --pricing, or a cloud region,
    which implies its provider): then the price is that provider's, not a spread."""
    if est.inputs.get("provider") or est.inputs.get("pricing"):
        return True
    region = est.inputs.get("region")
    if not region:
        return False
    from costcalc.tables import find_region

    return bool(find_region(str(region)).provider)


def _one_seller(profile: str) -> bool:
    """Whether one provider alone sells ``profile`` (a TPU: Google Cloud): then there is no
    spread across providers to speak of, and the price is that provider's."""
    from costcalc import pricing

    try:
        return len(pricing.providers_for(profile)) == 1
    except CostcalcError:
        return False


def price_spread(profile: str, point: float) -> tuple[float, float, str] | None:
    """The spread of the price across providers of ``profile`` (the newest on-demand price
    of each): (log-sigma, ln(geometric mean / point), source); None when fewer than two
    providers price it. The band of cost is centred on the providers' geometric mean, not
    on the profile's price (often a hyperscaler's, at the top)."""
    from costcalc import pricing

    newest = pricing.newest_by_provider(profile)
    if len(newest) < 2:
        return None
    logs = [math.log(r.price / point) for r in newest.values()]
    mean = sum(logs) / len(logs)
    sigma = math.sqrt(sum((x - mean) ** 2 for x in logs) / len(logs))
    return (
        sigma,
        mean,
        f"prices of {len(newest)} providers (prices.csv), centred on their geometric mean",
    )


def input_sigmas(est: Estimate) -> dict[str, tuple[float, float, str]]:
    """The uncertain inputs of ``est`` (those costcalc assumed): name -> (sigma, shift,
    source); ``shift`` is ln(median / the value used), 0 where the default is the median."""
    out: dict[str, tuple[float, float, str]] = {}
    data = spreads_data()
    by_name = {a.name: a for a in est.assumptions}
    profile = est.hardware.name
    a = by_name.get("utilization")
    if a is not None and a.origin in _ASSUMED:
        out["utilization"] = (*_centred(utilization_sigma(profile)),)
    a = by_name.get("power")
    if a is not None and a.origin in _ASSUMED:
        out["power"] = (
            float(data["power"]["sigma"]),
            0.0,
            f"measured vs rule, {data['power']['measurements']} accelerators (Patterson et al.)",
        )
    a = by_name.get("pue")
    if a is not None and a.origin in _ASSUMED:
        out["pue"] = (float(data["pue"]["sigma"]), 0.0, "kinds of site: hyperscale to on-premises")
    a = by_name.get("price")
    if (
        a is not None
        and a.origin in (*_ASSUMED, "prices")  # the price list's rule, not a chosen price
        and not _provider_chosen(est)
        and est.outputs.get("cost") is not None
    ):
        found = price_spread(profile, a.base * 3600)
        if found is not None:
            out["price"] = found
        elif not _one_seller(profile):  # unknown to the price list: a typical spread
            out["price"] = (
                float(data["price"]["sigma"]),
                0.0,
                "typical spread across providers (band.yaml)",
            )
    return out


def _centred(found: tuple[float, str]) -> tuple[float, float, str]:
    return found[0], 0.0, found[1]


def band(est: Estimate) -> Band:
    """The ``ranges``-shaped section of the default band of ``est``: the uncertain inputs
    and the 5th/50th/95th percentiles of each output (p50 = the point)."""
    sigmas = input_sigmas(est)
    work_is_time = any(k in est.inputs for k in ("device_hours", "duration"))
    exponents = _EXPONENTS_TIME if work_is_time else _EXPONENTS_FLOPS
    fields = est.fields()
    percentiles: dict[str, dict[str, float] | None] = {}
    for name, powers in exponents.items():
        value = fields.get(name)
        if value is None:
            percentiles[name] = None
            continue
        s = output_sigma(powers, {k: v[0] for k, v in sigmas.items()})
        mid = value * math.exp(sum(p * sigmas[k][1] for k, p in powers.items() if k in sigmas))
        percentiles[name] = lognormal_band(mid, s)
    return {
        "method": METHOD,
        "level": 0.9,
        "inputs": {
            k: {
                "distribution": f"lognormal(median {_times(m)}the value used, sigma {s:.3g})",
                "sigma": s,
                "source": src,
            }
            for k, (s, m, src) in sigmas.items()
        },
        "percentiles": percentiles,
    }


def _times(shift: float) -> str:
    return f"x{math.exp(shift):.3g} " if shift else ""


def output_sigma(exponents: Mapping[str, float], sigmas: Mapping[str, float]) -> float:
    """The log-sigma of a product of powers of independent lognormal inputs."""
    return math.sqrt(sum((p * sigmas.get(k, 0.0)) ** 2 for k, p in exponents.items()))


def width(pct: dict[str, float]) -> float:
    """p95 / p5 of a band."""
    return pct["p95"] / pct["p5"]
