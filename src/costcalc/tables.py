"""Data tables shipped in ``costcalc/data``: regions (grid carbon intensity), PUE values,
and the built-in defaults. Each row carries its source and year; see data/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from costcalc import yamlio
from costcalc.cache import memo
from costcalc.errors import InputError, did_you_mean
from costcalc.units import parse_quantity


def _rows(name: str) -> list[dict[str, str]]:
    import csv

    text = _file(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _file(name: str) -> Path:
    # The package's own files (not importlib.resources: its import alone costs ~5 ms).
    return Path(__file__).resolve().parent / "data" / name


@dataclass(frozen=True)
class Region:
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
    return memo("table", [_file("regions.csv")], _read_regions, (Region,))


def _read_regions() -> dict[str, Region]:
    out = {}
    for row in _rows("regions.csv"):
        text = f"{row['carbon_intensity']} {row['unit']}"
        out[row["id"]] = Region(
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
    return out


@cache
def _region_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for r in regions().values():
        for key in (r.id, r.iso2, r.iso3, r.name, *r.aliases):
            if key:
                index.setdefault(key.lower(), r.id)
    return index


def find_region(text: str, where: str = "--region") -> Region:
    """A region by id, ISO 3166 code (alpha-2 or -3), country name or cloud region id."""
    key = text.strip().lower()
    index = _region_index()
    if key in index:
        return regions()[index[key]]
    raise InputError(
        f"unknown region '{text}'{did_you_mean(key, index)}; "
        "expected an ISO country code (IS, USA), a country name or a cloud "
        "region id (us-central1, eu-west-1)",
        where,
    )


@dataclass(frozen=True)
class PueValue:
    id: str
    name: str
    pue: float
    year: str
    source: str
    url: str


@cache
def pue_values() -> dict[str, PueValue]:
    return memo("table", [_file("pue.csv")], _read_pue_values, (PueValue,))


def _read_pue_values() -> dict[str, PueValue]:
    return {
        row["id"]: PueValue(
            row["id"], row["name"], float(row["pue"]), row["year"], row["source"], row["url"]
        )
        for row in _rows("pue.csv")
    }


@cache
def defaults() -> dict[str, Any]:
    return memo("table", [_file("defaults.yaml")], _read_defaults)


def _read_defaults() -> dict[str, Any]:
    path = _file("defaults.yaml")
    doc = yamlio.load(path.read_text(encoding="utf-8"), "costcalc/data/defaults.yaml")
    data: dict[str, Any] = doc.data
    return data
