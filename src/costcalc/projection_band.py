"""The band of a projection (``--year``): the default band of today's answer, widened by the
uncertainty of the trends it extrapolates.

A projection multiplies cost by exp(-r_price x years) and energy (and CO2e) by
exp(-r_energy x years). The rates are uncertain (data/outlook.yaml ``trend_spread``: the
price-performance rate from Epoch AI's published 95 % interval, the energy-efficiency rate
an assumption, labelled so), so the log-sigma of the factor is sigma_per_year x years: the
band widens linearly with the distance from the hardware's launch. It adds in quadrature to
the log-sigma of the output's own default band (products of lognormals, closed form).
"""

from __future__ import annotations

import math
from typing import Any

from costcalc.band import Z90, lognormal_band
from costcalc.results import Estimate, Projection

# Projected output -> (the trend it extrapolates, the band field of today's answer).
_FIELDS = {
    "cost_usd": ("price_performance", "cost_usd"),
    "energy_kwh": ("energy_efficiency", "energy_kwh"),
    "co2e_kg": ("energy_efficiency", "co2e_kg"),
}


def trend_sigmas() -> dict[str, dict[str, Any]]:
    from costcalc.tables import data_yaml

    spread: dict[str, dict[str, Any]] = data_yaml("outlook.yaml")["trend_spread"]
    return spread


def widened(est: Estimate) -> Projection:
    """The projection section of ``est`` with ``percentiles`` (p5/p50/p95 of cost_usd,
    energy_kwh, co2e_kg) and ``trend_sigma``, from its default band (absent: the trend
    alone); a new section, ``est``'s own unchanged."""
    sections = est.sections
    fields = est.fields()
    projection = sections["projection"]
    years = float(projection["year"]) - float(projection["from_year"])
    spreads = trend_sigmas()
    band = sections.get("band")
    today = (band["percentiles"] if band is not None else None) or {}
    percentiles: dict[str, dict[str, float] | None] = {}
    for field, (trend, base_field) in _FIELDS.items():
        point: Any = projection.get(field)
        if point is None:
            percentiles[field] = None
            continue
        pct = today.get(base_field)
        own, mid = 0.0, point
        now = fields.get(base_field)
        if pct and pct["p50"] > 0 and now:
            own = math.log(pct["p95"] / pct["p50"]) / Z90
            mid = point * pct["p50"] / now  # today's band may be centred off the point (price)
        s = math.hypot(own, float(spreads[trend]["sigma_per_year"]) * years)
        percentiles[field] = lognormal_band(mid, s)
    return {
        **projection,
        "percentiles": percentiles,
        "trend_sigma": {
            k: {
                "sigma_per_year": float(v["sigma_per_year"]),
                "sigma": float(v["sigma_per_year"]) * years,
                "source": str(v["source"]),
            }
            for k, v in spreads.items()
        },
    }
