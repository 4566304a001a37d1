"""Money from every angle: cloud at a discount, owned hardware (amortized purchase plus
electricity), a carbon price, and another currency at an explicit rate.

``costs`` is plain arithmetic on floats or numpy arrays in base units (USD, USD/s, USD/J,
USD/kg, seconds, joules, kg), so the same code serves a point estimate and Monte Carlo.
``resolve`` turns options into values with an :class:`~costcalc.estimator.Assumption` each.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from costcalc.errors import DataError, InputError, did_you_mean, either, given_with, ref
from costcalc.inputs import INPUTS, frozen
from costcalc.results import Assumption
from costcalc.tables import data_rows, package_file
from costcalc.units import convert, parse_quantity

BASE_CURRENCY = "USD"
_YEAR = 365.25 * 86400.0  # seconds; the paper's year (HOURS_PER_YEAR = 24 x 365.25)


@cache
def currencies() -> tuple[str, ...]:
    """Currencies the unit registry defines, each its own dimension (read from units.txt)."""
    text = package_file("units.txt").read_text(encoding="utf-8")
    return tuple(re.findall(r"^(\w+) = \[currency_\w+\]", text, re.M))


def years_text(seconds: float) -> str:
    """A time in years as people write it: '4 years', '1 year', '0.5 years'."""
    shown = f"{convert(seconds, 'year'):.4g}"
    return f"{shown} year" if shown == "1" else f"{shown} years"


@dataclass(frozen=True)
class PurchasePrice:
    profile: str
    price: float  # USD per device as the profile defines a device
    date: str
    basis: str
    source: str


@cache
def purchase_prices() -> dict[str, PurchasePrice]:
    out = {}
    for row in data_rows("purchase_prices.csv"):
        where = f"purchase_prices.csv {row['profile']}"
        value = parse_quantity(f"{row['price']} {row['unit']}", "money", where)
        out[row["profile"]] = PurchasePrice(
            row["profile"], value, row["date"], row["basis"], row["source"]
        )
    return out


def electricity_price(region: str, sector: str) -> tuple[float, str]:
    """The latest year's price per kWh (USD/J) for ``region`` and ``sector``, with its source."""
    rows = [
        r
        for r in data_rows("electricity_prices.csv")
        if (r["region"], r["sector"]) == (region, sector)
    ]
    if not rows:
        raise DataError(f"no electricity price for {region} {sector}", "electricity_prices.csv")
    row = max(rows, key=lambda r: int(r["year"]))
    value = parse_quantity(
        f"{row['price']} {row['unit']}", "electricity_price", "electricity_prices.csv"
    )
    text = f"{region.upper()} {sector} average {row['year']}: {row['source']}; {row['note']}"
    return value, text


@cache
def owned_hardware() -> dict[str, Any]:
    """Cottier et al. 2024's additions to an accelerator's price (data/owned_hardware.yaml)."""
    from costcalc.tables import data_yaml

    data: dict[str, Any] = data_yaml("owned_hardware.yaml")
    return data


def default_server_cost_overhead(profile: str, basis: str | None) -> tuple[float, str]:
    """The paper's server/accelerator cost ratio for ``profile``, and why. A price whose basis
    is not a single-unit (chip) price already includes the server: 1, as in the paper's code."""
    data = owned_hardware()
    entry = data["server_cost_overhead"]
    # The paper's TPU prices are per chip (an equivalent GPU price): the overhead applies.
    chip_price = "tpu" in profile.lower() or (basis is not None and "single-unit" in basis.lower())
    if basis is not None and not chip_price:
        return 1.0, (
            f"1: the purchase price ({basis}) is not a single-unit price, so it already "
            f"covers the server (the rule of {data['source']})"
        )
    family = next((k for k in entry["by_device"] if k in profile.lower()), None)
    value = float(entry["by_device"][family] if family else entry["other"])
    which = f"{family.upper()}" if family else "average of A100, V100, P100 (device not measured)"
    return value, f"{which}: {entry['source']}; {entry['caveat']}"


@dataclass
class MoneySetup:
    """Resolved money inputs (base units) and how to show them."""

    owned: bool
    values: dict[
        str, float
    ]  # discount, purchase_price, useful_life, electricity_price, carbon_price
    currency: str = BASE_CURRENCY
    fx_rate: float = 1.0
    assumptions: list[Assumption] = field(default_factory=list)


def _assume(name: str, value: float, unit: str, text: str, source: str, origin: str) -> Assumption:
    return Assumption(name, value, unit, text, source, origin)


# The money inputs resolve reads: the Money panel of costcalc.inputs but the cloud price
# (price, pricing: costcalc.estimator's), and owned (the CLI's switch).
_CLOUD = ("price", "pricing")
MONEY_INPUTS = ("owned", *(n for n, i in INPUTS.items() if i.panel == "Money" and n not in _CLOUD))


def resolve(
    profile: str,
    given: Mapping[str, Any],
    *,
    life_default: tuple[str, str] | None = None,
    electricity_default: tuple[str, str] = ("us", "industrial"),
) -> MoneySetup:
    """Money inputs (``given``: the names of :data:`MONEY_INPUTS`, any left out being None) from
    options, else sourced defaults. ``life_default`` is (text, source)."""
    g = frozen(given, MONEY_INPUTS)
    discount, purchase_price, useful_life = g["discount"], g["purchase_price"], g["useful_life"]
    carbon_price, currency, fx_rate = g["carbon_price"], g["currency"], g["fx_rate"]
    server_cost_overhead, interconnect_share = g["server_cost_overhead"], g["interconnect_share"]
    depreciation, hardware_age = g["depreciation"], g["hardware_age"]
    electricity_price_per_kwh = g["electricity_price"]
    owned = bool(g["owned"]) or purchase_price is not None
    values: dict[str, float] = {}
    out: list[Assumption] = []
    if discount is not None:
        if owned:
            raise InputError(
                "a discount applies to a cloud price; not with "
                + either("owned", "purchase_price"),
                input="discount",
            )
        d = parse_quantity(discount, "fraction", input="discount", allow_zero=True)
        if d >= 1:
            raise InputError(
                f"{discount!r} would make the price zero or less; expected below 100%",
                input="discount",
            )
        values["discount"] = d
        out.append(
            _assume(
                "discount",
                d,
                "%",
                f"{d * 100:.4g}%",
                given_with("discount", " (committed use or spot)"),
                "flag",
            )
        )
    owned_only = {
        "electricity_price": electricity_price_per_kwh,
        "server_cost_overhead": server_cost_overhead,
        "interconnect_share": interconnect_share,
        "depreciation": depreciation,
        "hardware_age": hardware_age,
    }
    for name, given in owned_only.items():
        if given is not None and not owned:
            raise InputError(
                f"applies to owned hardware; add {either('owned', 'purchase_price')}",
                input=name,
            )
    if depreciation is not None and useful_life is not None:
        raise InputError(
            f"give one amortization rule: {ref('depreciation')} (a rate per year, Cottier et al.) "
            "or "
            f"{ref('useful_life')} (straight line)",
            input="depreciation",
        )
    if hardware_age is not None and depreciation is None:
        raise InputError(
            f"the hardware's age depreciates its value at the {ref('depreciation')} rule; "
            f"add {ref('depreciation')} (e.g. 32.2%, Cottier et al.)",
            input="hardware_age",
        )
    if owned:
        if purchase_price is not None:
            price = parse_quantity(purchase_price, "money", input="purchase_price")
            source, origin = given_with("purchase_price"), "flag"
            basis = None
        else:
            known = purchase_prices().get(profile)
            if known is None:
                raise InputError(
                    f"no sourced purchase price for {profile}; "
                    f"give {ref('purchase_price')} (e.g. 30000 USD)",
                    input="owned",
                )
            price = known.price
            basis = known.basis
            source, origin = f"{known.date}, {known.basis}: {known.source}", "data"
        out.append(
            _assume(
                "purchase_price", price, "USD", f"{convert(price, 'USD'):,.0f} USD", source, origin
            )
        )
        values["purchase_price"] = price
        out += _cluster(profile, basis, server_cost_overhead, interconnect_share, values)
        if depreciation is not None:
            out += _depreciation(depreciation, hardware_age, values)
        else:
            if useful_life is not None:
                life = parse_quantity(useful_life, "lifetime", input="useful_life")
                source, origin = given_with("useful_life"), "flag"
            else:
                assert life_default is not None
                life = parse_quantity(life_default[0], "lifetime", "outlook.yaml useful_life")
                source, origin = f"default: {life_default[1]}", "default"
            out.append(_assume("useful_life", life, "year", years_text(life), source, origin))
            values["useful_life"] = life
        if electricity_price_per_kwh is not None:
            kwh = parse_quantity(
                electricity_price_per_kwh,
                "electricity_price",
                input="electricity_price",
                allow_zero=True,
            )
            source, origin = given_with("electricity_price"), "flag"
        else:
            kwh, default = electricity_price(*electricity_default)
            source, origin = f"default: {default}", "default"
        per_kwh = f"{convert(kwh, 'USD/kWh'):.4g} USD/kWh"
        out.append(_assume("electricity_price", kwh, "USD/kWh", per_kwh, source, origin))
        values["electricity_price"] = kwh
    if carbon_price is not None:
        cp = parse_quantity(carbon_price, "carbon_price", input="carbon_price", allow_zero=True)
        values["carbon_price"] = cp
        out.append(
            _assume(
                "carbon_price",
                cp,
                "USD/t",
                f"{convert(cp, 'USD/t'):.4g} USD/t",
                given_with("carbon_price", " (on operational CO2e)"),
                "flag",
            )
        )
    setup = MoneySetup(owned, values, assumptions=out)
    if currency is None and fx_rate is not None:
        raise InputError(
            f"an exchange rate needs a currency; add {ref('currency')} (e.g. EUR)", input="fx_rate"
        )
    if currency is not None:
        code = currency.strip().upper()
        if code not in currencies():
            raise InputError(
                f"unknown currency '{currency}'{did_you_mean(code, currencies())}; expected one of "
                f"{', '.join(currencies())}",
                input="currency",
            )
        if code != BASE_CURRENCY:
            if fx_rate is None:
                raise InputError(
                    "costcalc never converts currencies silently: give the rate, "
                    f"e.g. {ref('fx_rate')} 0.92 ({code} per USD)",
                    input="currency",
                )
            rate = parse_quantity(fx_rate, "number", input="fx_rate")
            setup.currency, setup.fx_rate = code, rate
            out.append(
                _assume("fx_rate", rate, "", f"{rate:g} {code}/USD", given_with("fx_rate"), "flag")
            )
    return setup


def _cluster(
    profile: str,
    basis: str | None,
    server_cost_overhead: Any,
    interconnect_share: Any,
    values: dict[str, float],
) -> list[Assumption]:
    """Server and cluster-interconnect additions to the accelerator price (Cottier et al.)."""
    data = owned_hardware()
    out = []
    if server_cost_overhead is not None:
        overhead = parse_quantity(server_cost_overhead, "number", input="server_cost_overhead")
        if overhead < 1:
            why = "expected 1 or more (1 for a price per device of a whole server)"
            less = "would make a server cost less than its accelerators"
            raise InputError(
                f"{server_cost_overhead!r} {less}; {why}", input="server_cost_overhead"
            )
        text, origin = given_with("server_cost_overhead"), "flag"
    else:
        overhead, why = default_server_cost_overhead(profile, basis)
        text, origin = f"default: {why}", "default"
    values["server_cost_overhead"] = overhead
    text = f"server cost / accelerator cost; {text}"
    out.append(_assume("server_cost_overhead", overhead, "", f"{overhead:.4g}", text, origin))
    if interconnect_share is not None:
        share = parse_quantity(
            interconnect_share, "fraction", input="interconnect_share", allow_zero=True
        )
        if share >= 1:
            raise InputError(
                f"{interconnect_share!r} leaves nothing for the servers; expected below 100%",
                input="interconnect_share",
            )
        text, origin = given_with("interconnect_share"), "flag"
    else:
        entry = data["interconnect_share"]
        share = float(entry["value"])
        text, origin = f"default: {entry['source']}; {entry['caveat']}", "default"
    values["interconnect_share"] = share
    text = f"share of the cluster cost; {text}"
    out.append(_assume("interconnect_share", share, "%", f"{share * 100:.4g}%", text, origin))
    return out


def paper_depreciation() -> float:
    """Cottier et al.'s depreciation rate per year: k ln 10, k in OOM/year."""
    return float(owned_hardware()["depreciation"]["ooms_per_year"]) * math.log(10)


def _depreciation(
    depreciation: Any, hardware_age: Any, values: dict[str, float]
) -> list[Assumption]:
    entry = owned_hardware()["depreciation"]
    rate = parse_quantity(depreciation, "fraction", input="depreciation")
    paper = paper_depreciation()
    out = [
        _assume(
            "depreciation",
            rate,
            "%",
            f"{rate * 100:.4g}%",
            f"of the cluster value a year, given with {ref('depreciation')} (Cottier et al.'s "
            "rule: "
            f"{paper * 100:.4g}%/year = {entry['ooms_per_year']} OOM/year x ln 10; "
            f"{entry['source']}; {entry['caveat']})",
            "flag",
        )
    ]
    values["depreciation"] = rate / _YEAR
    age = 0.0
    if hardware_age is not None:
        age = parse_quantity(hardware_age, "lifetime", input="hardware_age", allow_zero=True)
        years = age / _YEAR
        kept = 10 ** (-float(entry["ooms_per_year"]) * years)
        out.append(
            _assume(
                "hardware_age",
                age,
                "year",
                years_text(age),
                f"given with {ref('hardware_age')}: the value (x{kept:.4g}) at the start of the "
                "run "
                "is the price x "
                f"10^(-{entry['ooms_per_year']} OOM/year x age) "
                f"({entry['source']})",
                "flag",
            )
        )
    values["value_kept"] = 10 ** (-float(entry["ooms_per_year"]) * age / _YEAR)
    return out


def cluster_price(v: dict[str, Any]) -> Any:
    """The purchase price per device of the whole cluster: accelerator x server overhead,
    over the servers' share of the cluster (the rest is interconnect)."""
    return (
        v["purchase_price"]
        * v.get("server_cost_overhead", 1.0)
        / (1 - v.get("interconnect_share", 0.0))
    )


def costs(
    device_time: Any, energy: Any, co2e: Any, cloud_price: Any, v: dict[str, Any], owned: bool
) -> dict[str, Any]:
    """Money items in USD (floats or arrays): hardware (cloud or amortized), electricity,
    carbon, total. ``cloud_price`` is USD per device-second (NaN when unknown)."""
    items: dict[str, Any] = {}
    acquisition = None
    if owned:
        per_device = cluster_price(v)
        if "depreciation" in v:
            start_value = per_device * v.get("value_kept", 1.0)
            items["hardware"] = device_time * start_value * v["depreciation"]
        else:
            items["hardware"] = device_time * per_device / v["useful_life"]
        items["electricity"] = energy * v["electricity_price"]
        if "devices" in v:
            acquisition = v["devices"] * per_device
    else:
        items["cloud"] = device_time * cloud_price * (1 - v.get("discount", 0.0))
    if "carbon_price" in v:
        items["carbon"] = co2e * v["carbon_price"]
    total: Any = 0.0
    for value in items.values():
        total = total + value
    items["total"] = total
    if acquisition is not None:
        items["acquisition"] = acquisition  # what buying the cluster costs; not in the total
    return items


def in_currency(usd: Any, setup: MoneySetup) -> Any:
    """A USD amount (base units) in the chosen currency at the explicit rate."""
    return convert(usd, "USD") * setup.fx_rate


ITEM_LABELS = {
    "cloud": "Cloud compute",
    "hardware": "Hardware (amortized)",
    "electricity": "Electricity",
    "carbon": "Carbon price",
    "total": "Total",
    "acquisition": "Cluster purchase (not in total)",
}
