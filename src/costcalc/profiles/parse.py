"""Reading one profile document: every field validated, every quantity read once into base
units, every problem located (``file:line: field``)."""

from __future__ import annotations

import datetime
import functools
import re
from typing import Any

from costcalc import yamlio
from costcalc.errors import CostcalcError, did_you_mean
from costcalc.profiles.model import (
    ALL_FIELDS,
    FORMS,
    KINDS,
    MIN_PEAK,
    NAME_RE,
    PEAK_FIELDS,
    PRECISIONS,
    PRICE_EXTRA,
    SOURCED_FIELDS,
    Profile,
    Sourced,
)
from costcalc.units import parse_quantity


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _sourced(
    raw: Any,
    kind: str,
    path: tuple[Any, ...],
    problems: yamlio.Problems,
    extra_keys: tuple[str, ...] = (),
) -> Sourced | None:
    if not isinstance(raw, dict):
        problems.add(path, "expected a mapping with value, source and date")
        return None
    allowed = {"value", "source", "date", "estimate", "note", *extra_keys}
    for key in raw:
        if key not in allowed:
            hint = "" if problems.full else did_you_mean(str(key), allowed)
            problems.add(path + (key,), f"unknown key{hint}")
    text = _text(raw.get("value"))
    source = raw.get("source")
    date = raw.get("date")
    ok = True
    if text is None:
        problems.add(path + ("value",), "missing value (a number with its unit)")
        ok = False
    if not isinstance(source, str) or not source.strip():
        problems.add(path + ("source",), "missing source: every value needs one")
        ok = False
    if isinstance(date, datetime.date):
        date = date.isoformat()
    elif isinstance(date, int) and 1900 < date < 2200:
        date = str(date)
    elif not isinstance(date, str) or not re.match(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?\Z", date):
        problems.add(path + ("date",), "missing or malformed date (YYYY-MM-DD)")
        ok = False
    estimate = raw.get("estimate", False)
    if not isinstance(estimate, bool):
        problems.add(path + ("estimate",), "expected true or false")
        ok = False
    value = 0.0
    if text is not None:
        try:
            value = _quantity(text, kind)
        except CostcalcError as e:
            problems.add(path + ("value",), e.message)
            ok = False
    extra = {}
    for key in extra_keys:
        if key in raw:
            extra[key] = str(raw[key])
    if not ok:
        return None
    return Sourced(
        value=value,
        text=str(text),
        source=str(source).strip(),
        date=str(date),
        estimate=bool(estimate),
        note=str(raw.get("note", "") or ""),
        extra=extra,
    )


@functools.lru_cache(maxsize=4096)
def _quantity(text: str, kind: str) -> float:
    """A profile's value read once (inheriting profiles repeat their bases' values)."""
    return parse_quantity(text, kind)


def parse_profile(doc: yamlio.Document) -> Profile:
    """Validate a parsed profile document; raise :class:`DataError` listing every problem."""
    p = yamlio.Problems(doc)
    data = doc.data
    if not isinstance(data, dict):
        p.add((), "expected a mapping of profile fields")
        p.raise_if_any()
    for key in data:
        if key not in ALL_FIELDS:
            p.add((key,), f"unknown field{'' if p.full else did_you_mean(str(key), ALL_FIELDS)}")
    if data.get("schema_version") != 1 or isinstance(data.get("schema_version"), bool):
        p.add(("schema_version",), "expected schema_version: 1")
    name = data.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        p.add(("name",), "expected a lowercase id of letters, digits, '.' and '-'")
        name = "?"
    aliases = data.get("aliases")
    aliases = [] if aliases is None else aliases
    if not isinstance(aliases, list) or not all(
        isinstance(a, str) and NAME_RE.match(a) for a in aliases
    ):
        p.add(("aliases",), "expected a list of lowercase ids")
        aliases = []
    for key, choices in (("kind", KINDS), ("form", FORMS)):
        if data.get(key) not in choices:
            p.add(
                (key,),
                f"expected one of {', '.join(choices)}{did_you_mean(str(data.get(key)), choices)}",
            )
    vendor = data.get("vendor")
    if not isinstance(vendor, str) or not vendor.strip():
        p.add(("vendor",), "missing vendor")
    chips = data.get("chips", 1)
    if isinstance(chips, bool) or not isinstance(chips, int) or chips < 1:
        p.add(("chips",), "expected a whole number of chips, at least 1")
        chips = 1
    year = data.get("launch_year")
    if year is not None and (
        isinstance(year, bool) or not isinstance(year, int) or not 1950 <= year <= 2100
    ):
        p.add(("launch_year",), "expected a year such as 2022")
    peaks: dict[str, dict[str, Sourced]] = {}
    for section in PEAK_FIELDS:
        raw = data.get(section)
        peaks[section] = {}
        if raw is None:
            continue
        if not isinstance(raw, dict) or not raw:
            p.add((section,), "expected a mapping of precision to peak throughput")
            continue
        for prec, entry in raw.items():
            if prec not in PRECISIONS:
                p.add(
                    (section, prec),
                    "unknown precision; expected one of "
                    f"{', '.join(PRECISIONS)}{did_you_mean(str(prec), PRECISIONS)}",
                )
                continue
            got = _sourced(entry, "throughput", (section, prec), p)
            if got is not None:
                peaks[section][prec] = got
    dense = peaks["dense_peak"]
    for section, by_prec in peaks.items():
        for prec, got in by_prec.items():
            if got.value < MIN_PEAK:
                p.add(
                    (section, prec),
                    f"peak {got.text} is below {MIN_PEAK:g} FLOP/s: too small to compute with "
                    "(peak x utilization x devices underflows to zero); is the unit TFLOPS?",
                )
    if not data.get("dense_peak"):
        p.add(("dense_peak",), "missing: at least one dense (no-sparsity) peak is required")
    if "bf16" in dense and "fp32" in dense and dense["bf16"].value < dense["fp32"].value:
        p.add(("dense_peak", "bf16"), "bf16 peak is below the fp32 peak; is one of them wrong?")
    for prec, sparse in peaks["sparse_peak"].items():
        if prec in dense and sparse.value < dense[prec].value:
            p.add(("sparse_peak", prec), "sparse peak is below the dense peak")
    default_precision = data.get("default_precision")
    if default_precision is None:
        default_precision = "bf16" if "bf16" in dense else next(iter(dense), "bf16")
    elif not isinstance(default_precision, str) or (default_precision not in dense and dense):
        p.add(
            ("default_precision",),
            f"no dense peak for {default_precision!r}; have {', '.join(dense)}",
        )
    sourced: dict[str, Sourced | None] = {}
    for key, kind in SOURCED_FIELDS.items():
        if key in data:
            extra = PRICE_EXTRA if key == "price" else ()
            sourced[key] = _sourced(data[key], kind, (key,), p, extra)
    if "tdp" not in data and "average_power" not in data:
        p.add(("tdp",), "missing: a TDP (or an average_power) is needed for energy")
    notes = data.get("notes", "")
    base = data.get("base")
    if base is not None and not (isinstance(base, str) and NAME_RE.match(base)):
        p.add(("base",), "expected the name of another profile, e.g. h100-sxm")
    p.raise_if_any()
    return Profile(
        name=str(name),
        display_name=str(data.get("display_name") or name),
        vendor=str(vendor),
        kind=str(data["kind"]),
        form=str(data["form"]),
        chips=int(chips),
        dense_peak=dense,
        sparse_peak=peaks["sparse_peak"],
        default_precision=str(default_precision),
        path=doc.source,
        aliases=tuple(aliases),
        launch_year=year,
        notes=str(notes or ""),
        base=base,
        **sourced,  # type: ignore[arg-type]
    )
