"""Data tables shipped in ``costcalc/data``: regions (grid carbon intensity), PUE values,
and the built-in defaults. Each row carries its source and year; see data/README.md.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from costcalc import yamlio
from costcalc.errors import InputError, did_you_mean, did_you_mean_name, loose_match
from costcalc.units import parse_quantity

_PACKAGE = Path(__file__).resolve().parent


def package_file(name: str) -> Path:
    """A file shipped in the package (not importlib.resources: its import alone costs ~5 ms)."""
    return _PACKAGE / name


def data_file(name: str) -> Path:
    """A file of ``costcalc/data``."""
    return _PACKAGE / "data" / name


def data_rows(name: str) -> list[dict[str, str]]:
    """The rows of a CSV file of ``costcalc/data``, each a mapping column -> text (read
    at build time when in sync: no CSV parser on a one-liner; see costcalc.cache)."""
    from costcalc.cache import shipped_rows

    path = data_file(name)
    rows = shipped_rows(path)
    if rows is None:
        import csv

        return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


class Region(NamedTuple):
    id: str
    kind: str
    name: str
    provider: str
    iso2: str
    iso3: str
    aliases: tuple[str, ...]
    carbon_intensity: float  # kg CO2e per joule (base units)
    text: str  # as written, e.g. "473.007 gCO2e/kWh"
    year: str
    basis: str
    source: str


@cache
def regions() -> dict[str, Region]:
    return {id: _region(id) for id in _region_rows()}


@cache
def _region_rows() -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in data_rows("regions.csv")}


@cache
def _region(id: str) -> Region:
    """One region, its carbon intensity parsed (a one-liner parses one row, not ~350)."""
    row = _region_rows()[id]
    text = f"{row['carbon_intensity']} {row['unit']}"
    return Region(
        id=row["id"],
        kind=row["kind"],
        name=row["name"],
        provider=row["provider"],
        iso2=row["iso2"],
        iso3=row["iso3"],
        aliases=tuple(a for a in row["aliases"].split(";") if a),
        carbon_intensity=parse_quantity(
            text, "carbon_intensity", f"regions.csv {row['id']}", allow_zero=True
        ),
        text=text,
        year=row["year"],
        basis=row["basis"],
        source=row["source"],
    )


@cache
def _region_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for row in _region_rows().values():
        aliases = (a for a in row["aliases"].split(";") if a)
        for key in (row["id"], row["iso2"], row["iso3"], row["name"], *aliases):
            if key:
                index.setdefault(key.lower(), row["id"])
    return index


def find_region(text: str, where: str = "") -> Region:
    """A region by id, ISO 3166 code (alpha-2 or -3), country name or cloud region id."""
    key = text.strip().lower()
    index = _region_index()
    if key in index:
        return _region(index[key])
    loose = loose_match(text, index.items())  # "United-States", "us central 1"
    if loose is not None:
        return _region(loose)
    raise InputError(
        f"unknown region '{text}'{did_you_mean_name(text, index.items())}; "
        "expected an ISO country code (IS, USA), a country name or a cloud "
        "region id (us-central1, eu-west-1)",
        where,
        input="region",
    )


class PueValue(NamedTuple):
    id: str
    name: str
    pue: float
    year: str
    source: str
    url: str


@cache
def pue_values() -> dict[str, PueValue]:
    return {
        row["id"]: PueValue(
            row["id"], row["name"], float(row["pue"]), row["year"], row["source"], row["url"]
        )
        for row in data_rows("pue.csv")
    }


@cache
def data_yaml(name: str) -> Any:
    """A YAML file of ``costcalc/data``, parsed (prebuilt at build time: no YAML parser on
    a one-liner; see costcalc.cache)."""
    return data_document(name, f"costcalc/data/{name}").data


def data_document(name: str, source: str) -> yamlio.Document:
    """The parsed document of a YAML file of ``costcalc/data`` (prebuilt when in sync)."""
    from costcalc.cache import document

    path = data_file(name)
    return document(path, source, lambda: yamlio.load(path.read_text(encoding="utf-8"), source))


def defaults() -> dict[str, Any]:
    data: dict[str, Any] = data_yaml("defaults.yaml")
    return data


def sort_by(
    items: list[Any], column: str, key: Any, columns: Any, reverse: bool = False
) -> list[Any]:
    """``items`` sorted by ``key(item, column)``; missing values (None) always last."""
    if column not in columns:
        raise InputError(
            f"unknown column '{column}'{did_you_mean(column, columns)}; "
            f"expected one of {', '.join(columns)}",
            input="sort",
        )

    def ordered(item: Any) -> tuple[bool, Any]:
        value = key(item, column)
        if isinstance(value, str):
            value = value.lower()
        return (value is None or value == ""), value

    present = [i for i in items if not ordered(i)[0]]
    missing = [i for i in items if ordered(i)[0]]
    return sorted(present, key=lambda i: ordered(i)[1], reverse=reverse) + missing


REGION_COLUMNS = {  # column -> display unit ("" for text)
    "id": "",
    "kind": "",
    "name": "",
    "provider": "",
    "iso2": "",
    "iso3": "",
    "carbon_intensity": "g/kWh",
    "year": "",
    "basis": "",
}
REGION_KINDS = ("world", "country", "cloud_region", "cloud_geography")
PROVIDERS = ("aws", "gcp", "azure")


def region_value(region: Region, column: str) -> Any:
    if column == "year":
        return int(region.year) if region.year else None
    return getattr(region, column)


def _choice(value: str | None, choices: tuple[str, ...], name: str) -> str | None:
    if value is None:
        return None
    key = value.strip().lower()
    if key not in choices:
        raise InputError(
            f"unknown value '{value}'{did_you_mean(key, choices)}; expected one of "
            f"{', '.join(choices)}",
            input=name,
        )
    return key


def list_regions(
    provider: str | None = None,
    kind: str | None = None,
    sort: str | None = None,
    reverse: bool = False,
) -> list[Region]:
    """Regions, filtered by cloud provider and kind, sorted by any column."""
    want_provider = _choice(provider, PROVIDERS, "provider")
    want_kind = _choice(kind, REGION_KINDS, "kind")
    rows = [
        r
        for r in regions().values()
        if (want_provider is None or r.provider == want_provider)
        and (want_kind is None or r.kind == want_kind)
    ]
    if sort is None:  # the file's order: world, countries, cloud regions
        return rows[::-1] if reverse else rows
    return sort_by(rows, sort, region_value, REGION_COLUMNS, reverse)
