"""Text for the default band (costcalc.band): "4.1 hours (2.7–6.9)" and one line saying
where the spread comes from. Used by costcalc.render."""

from __future__ import annotations

from typing import Any

from costcalc.units import factor

_ROWS = {  # table label -> band field, and how to show a value of it
    "Wall-clock time": "wall_clock_hours",
    "Device-hours": "device_hours",
    "Energy": "energy_kwh",
    "Cost": "cost_usd",
    "CO2e": "co2e_kg",
}


def _show(label: str, value: float) -> str:
    from costcalc.render import ENERGY_UNITS, MASS_UNITS, human_time, scaled, sig

    if label == "Wall-clock time":
        return human_time(value * factor("hour"))
    if label == "Device-hours":
        return sig(value, 2)
    if label == "Energy":
        return scaled(value * factor("kWh"), ENERGY_UNITS, 2)
    if label == "Cost":
        return "$" + sig(value, 2)
    return scaled(value * factor("kg"), MASS_UNITS, 2)


def with_band(rows: list[tuple[str, str]], percentiles: dict[str, Any]) -> list[tuple[str, str]]:
    """The output rows with the 90 % band after each value that has one."""
    out = []
    for label, text in rows:
        pct = percentiles.get(_ROWS.get(label, ""))
        if pct is not None and pct["p95"] > pct["p5"] and not text.startswith("n/a"):
            low, high = _show(label, pct["p5"]), _show(label, pct["p95"])
            head = text.split(" on ", 1)[0]
            unit = head.rsplit(" ", 1)[-1] if " " in head else ""
            if unit and low.endswith(" " + unit) and high.endswith(" " + unit):
                low = low.removesuffix(" " + unit)  # "4.1 hours (2.3–7.5)"
                high = high.removesuffix(" " + unit)
            if label == "Wall-clock time":
                text = text.replace(" on ", f" ({low}–{high}) on ", 1)
            else:
                text = f"{text} ({low}–{high})"
        out.append((label, text))
    return out


def band_lines(section: dict[str, Any]) -> list[str]:
    """One line naming the band and the spread of each assumed input."""
    if not section["inputs"]:
        return []
    parts = [
        f"{name} sigma {d['sigma']:.2g} ({d['source']})" for name, d in section["inputs"].items()
    ]
    return [
        "Band (in brackets): 90 % range (5th–95th percentile) from the inputs costcalc "
        "assumed, each lognormal around its default: " + "; ".join(parts) + ". Inputs you "
        "give are exact; --no-range drops the band."
    ]
