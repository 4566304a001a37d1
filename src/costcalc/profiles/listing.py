"""``costcalc profiles list``: the catalog as rows, filtered and sorted."""

from __future__ import annotations

from typing import Any

from costcalc.errors import InputError, did_you_mean
from costcalc.profiles.catalog import Catalog, Entry
from costcalc.profiles.model import KINDS
from costcalc.units import parse_quantity

# Columns of ``costcalc profiles list`` -> display unit ("" for text).
LIST_COLUMNS = {
    "name": "",
    "vendor": "",
    "kind": "",
    "form": "",
    "chips": "",
    "year": "",
    "precision": "",
    "peak": "TFLOPS",
    "memory": "GB",
    "bandwidth": "GB/s",
    "tdp": "W",
    "price": "USD/hour",
    "from": "",
}


def column_value(entry: Entry, column: str) -> Any:
    """The value of a list column in base units (None when the profile does not say)."""
    p = entry.profile
    direct = {
        "name": p.name,
        "vendor": p.vendor,
        "kind": p.kind,
        "form": p.form,
        "chips": p.chips,
        "year": p.launch_year,
        "precision": p.default_precision,
        "from": entry.origin,
    }
    if column in direct:
        return direct[column]
    if column == "peak":
        peak = p.dense_peak.get(p.default_precision)
        return peak.value if peak else None
    attr = {"bandwidth": "memory_bandwidth"}.get(column, column)
    sourced = getattr(p, attr)
    return sourced.value if sourced is not None else None


def list_profiles(
    catalog: Catalog,
    *,
    vendor: str | None = None,
    kind: str | None = None,
    min_memory: str | None = None,
    sort: str = "name",
    reverse: bool = False,
) -> list[Entry]:
    """The catalog's profiles, filtered (vendor, kind, at least this much memory) and
    sorted by any of ``LIST_COLUMNS``; profiles without the sort value come last."""
    from costcalc.tables import sort_by

    if kind is not None and kind.lower() not in KINDS:
        raise InputError(
            f"unknown kind '{kind}'{did_you_mean(kind.lower(), KINDS)}; expected one of "
            f"{', '.join(KINDS)}",
            input="kind",
        )
    memory = parse_quantity(min_memory, "memory", input="min_memory") if min_memory else None
    entries = list(catalog.entries().values())
    if vendor is not None:
        vendors = {e.profile.vendor.lower() for e in entries}
        if vendor.lower() not in vendors:
            raise InputError(
                f"no profile has vendor '{vendor}'{did_you_mean(vendor.lower(), vendors)}; "
                f"vendors: {', '.join(sorted({e.profile.vendor for e in entries}))}",
                input="vendor",
            )
    rows = [
        e
        for e in entries
        if (vendor is None or e.profile.vendor.lower() == vendor.lower())
        and (kind is None or e.profile.kind == kind.lower())
        and (memory is None or (e.profile.memory is not None and e.profile.memory.value >= memory))
    ]
    return sort_by(rows, sort, column_value, LIST_COLUMNS, reverse)
