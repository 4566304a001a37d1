"""CO2e and energy in terms people feel, from the sourced constants in data/equivalents.csv.

Plain float arithmetic (no numpy, no pint): the constants' units are read through the
pre-computed unit table. A constant marked ``estimate`` in the data keeps that mark.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from costcalc.units import convert, factor


class Constant(NamedTuple):
    id: str
    value: float  # base units (kg/m, kg, kg/s, J/s)
    text: str
    year: str
    source: str
    estimate: bool


@cache
def constants() -> dict[str, Constant]:
    from costcalc.tables import data_rows

    out = {}
    used = {spec[1] for spec in _SPECS}
    for row in data_rows("equivalents.csv"):
        if row["id"] not in used:
            continue  # only the constants shown (their units are in the fast unit table)
        value = float(row["value"]) * factor(row["unit"])
        out[row["id"]] = Constant(
            row["id"],
            value,
            f"{row['value']} {row['unit']}",
            row["year"],
            row["source"],
            row["note"].startswith("estimate"),
        )
    return out


class Equivalent(NamedTuple):
    id: str  # JSON key
    unit: str  # unit of ``value``: "km", "year", "month", or "" for a count
    subject: str  # what the unit counts: "driven by an average US passenger car"
    value: float
    basis: str  # "co2e" or "energy"
    constant: Constant

    @property
    def label(self) -> str:
        """``"km driven by ..."``, ``"years of ..."``: the unit (plural) and the subject."""
        unit = {"year": "years", "month": "months"}.get(self.unit, self.unit)
        return f"{unit} {self.subject}".strip()

    def source(self) -> str:
        mark = "ESTIMATE, unverified: " if self.constant.estimate else ""
        year = f" ({self.constant.year})" if self.constant.year else ""
        return f"{mark}{self.constant.text}{year}: {self.constant.source}"


# id -> (constant, unit, subject, basis). Every equivalent is amount / constant, in ``unit``:
# kg / (kg per m) is a distance, kg / kg a count, kg / (kg per s) a duration.
_SPECS = (
    (
        "car_km",
        "passenger_vehicle_co2_per_mile",
        "km",
        "driven by an average US passenger car",
        "co2e",
    ),
    (
        "flights_transatlantic",
        "flight_new_york_london",
        "",
        "one-way New York-London flights (one economy passenger, derived)",
        "co2e",
    ),
    ("us_resident_years", "us_per_capita_co2", "year", "of an average US resident's CO2", "co2e"),
    ("nyc_months", "nyc_annual_emissions", "month", "of New York City's emissions", "co2e"),
    (
        "household_years",
        "us_household_electricity_per_year",
        "year",
        "of an average US household's electricity",
        "energy",
    ),
)


def compute(co2e: float, energy: float) -> list[Equivalent]:
    """Equivalents of ``co2e`` (kg) and ``energy`` (J)."""
    table = constants()
    out = []
    for key, cid, unit, subject, basis in _SPECS:
        c = table[cid]
        ratio = (co2e if basis == "co2e" else energy) / c.value
        value = convert(ratio, unit) if unit else ratio
        out.append(Equivalent(key, unit, subject, float(value), basis, c))
    return out
