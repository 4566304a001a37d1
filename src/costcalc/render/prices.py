"""``costcalc prices``: the price list as a table, JSON or CSV."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from costcalc.render.fmt import csv_table, json_text, plain_table

PRICES_SCHEMA = "costcalc/prices/1"
COLUMNS = ("device", "provider", "pricing", "where", "price_usd_per_hour", "date", "default")


def price_doc(row: Any, chosen: bool) -> dict[str, Any]:
    return {
        "device": row.device,
        "provider": row.provider,
        "pricing": row.pricing,
        "region": row.region,
        "location": row.location,
        "price_usd_per_hour": row.price,
        "date": row.date,
        "chips": row.chips,
        "price_per_chip_usd_per_hour": row.price_per_chip,
        "default": chosen,
        "source": row.source,
    }


def price_rows(rows: Sequence[Any], chosen: set[Any]) -> tuple[list[str], list[list[str]]]:
    header = ["device", "provider", "pricing", "where", "price ($/h)", "date", "default"]
    body = [
        [
            r.device,
            r.provider,
            r.pricing,
            r.where,
            f"{r.price:.4g}",
            r.date,
            "*" if r in chosen else "",
        ]
        for r in rows
    ]
    return header, body


# The columns of one price, as price_doc writes them (for an empty CSV's header).
PRICE_COLUMNS = (
    "device",
    "provider",
    "pricing",
    "region",
    "location",
    "price_usd_per_hour",
    "date",
    "chips",
    "price_per_chip_usd_per_hour",
    "default",
    "source",
)


def render_prices(rows: Sequence[Any], chosen: set[Any], fmt: str, rule: str) -> str:
    if fmt == "json":
        doc = {
            "schema": PRICES_SCHEMA,
            "rule": rule,
            "prices": [price_doc(r, r in chosen) for r in rows],
        }
        return json_text(doc)
    if fmt == "csv":
        docs = [price_doc(r, r in chosen) for r in rows]
        header = list(docs[0]) if docs else list(PRICE_COLUMNS)
        return csv_table(header, [list(d.values()) for d in docs])
    if not rows:
        return "no prices known for this selection; give a price with --price\n"
    header, body = price_rows(rows, chosen)
    providers = len({r.provider for r in rows})
    return (
        plain_table(header, body)
        + f"{len(rows)} prices from {providers} provider{'s' if providers != 1 else ''}; "
        + f"* the default rule's pick: {rule}\n"
    )
