"""Text for the catalog commands: ``profiles``, ``regions`` and ``config``. Tables for
people (rich on a terminal, aligned plain text otherwise), JSON and CSV for scripts.
Only unit conversion for display happens here."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from costcalc.config import Effective, Settings
from costcalc.profiles import LIST_COLUMNS, Checked, Entry, Profile, Sourced, column_value
from costcalc.render.fmt import PLAIN_WIDTH, csv_table, in_unit, json_text, plain_table, sig
from costcalc.tables import REGION_COLUMNS, Region, region_value
from costcalc.units import convert

PROFILES_SCHEMA = "costcalc/profiles/1"
REGIONS_SCHEMA = "costcalc/regions/1"


def _key(column: str, unit: str) -> str:
    """A JSON/CSV field name that carries its unit: ``memory_gb``, ``price_usd_per_hour``."""
    if not unit:
        return column
    suffix = unit.lower().replace("/", "_per_").replace("hour", "hour")
    return f"{column}_{suffix}"


def _cell(value: Any, unit: str) -> str:
    if value is None or value == "":
        return "-"
    if unit:
        return sig(convert(value, unit))
    return str(value)


# -- profiles list ----------------------------------------------------------------


def _header(column: str, unit: str) -> str:
    return f"{column} ({unit.replace('USD/hour', '$/h')})" if unit else column


def profile_rows(entries: Sequence[Entry]) -> tuple[list[str], list[list[str]]]:
    header = [_header(c, u) for c, u in LIST_COLUMNS.items()]
    rows = []
    for e in entries:
        row = [_cell(column_value(e, c), u) for c, u in LIST_COLUMNS.items()]
        if e.shadows:
            row[-1] += " (shadows)"
        rows.append(row)
    return header, rows


def profile_list_doc(entries: Sequence[Entry]) -> dict[str, Any]:
    items = []
    for e in entries:
        item: dict[str, Any] = {}
        for column, unit in LIST_COLUMNS.items():
            value = column_value(e, column)
            item[_key(column, unit)] = in_unit(value, unit) if unit and value is not None else value
        item["display_name"] = e.profile.display_name
        item["path"] = e.profile.path
        item["shadows"] = list(e.shadows)
        items.append(item)
    return {"schema": PROFILES_SCHEMA, "profiles": items}


def render_profile_list(entries: Sequence[Entry], fmt: str) -> str:
    if fmt == "json":
        return json_text(profile_list_doc(entries))
    if fmt == "csv":
        items = profile_list_doc(entries)["profiles"]
        header = [k for k in items[0] if k != "shadows"] if items else list(LIST_COLUMNS)
        return csv_table(header, [[i[k] for k in header] for i in items])
    header, rows = profile_rows(entries)
    return plain_table(header, rows) + f"{len(rows)} profiles\n"


# -- profiles show ----------------------------------------------------------------


def _sourced_dict(s: Sourced) -> dict[str, Any]:
    out: dict[str, Any] = {"value": s.text, "source": s.source, "date": s.date}
    if s.estimate:
        out["estimate"] = True
    if s.note:
        out["note"] = s.note
    out.update(s.extra)
    return out


def _sourced_fields(p: Profile) -> list[tuple[str, Sourced]]:
    out = [(f"dense_peak.{k}", v) for k, v in p.dense_peak.items()]
    out += [(f"sparse_peak.{k}", v) for k, v in p.sparse_peak.items()]
    for name in (
        "memory",
        "memory_bandwidth",
        "tdp",
        "average_power",
        "server_overhead",
        "power_load",
        "price",
    ):
        value = getattr(p, name)
        if value is not None:
            out.append((name, value))
    return out


def profile_doc(entry: Entry) -> dict[str, Any]:
    p = entry.profile
    doc: dict[str, Any] = {
        "schema": "costcalc/profile/1",
        "name": p.name,
        "display_name": p.display_name,
        "aliases": list(p.aliases),
        "vendor": p.vendor,
        "kind": p.kind,
        "form": p.form,
        "chips": p.chips,
        "launch_year": p.launch_year,
        "default_precision": p.default_precision,
        "base": p.base,
        "inherited": list(p.inherited),
        "from": entry.origin,
        "path": p.path,
        "shadows": list(entry.shadows),
    }
    for name, value in _sourced_fields(p):
        section, _, prec = name.partition(".")
        if prec:
            doc.setdefault(section, {})[prec] = _sourced_dict(value)
        else:
            doc[name] = _sourced_dict(value)
    doc["notes"] = p.notes
    return doc


def _where(entry: Entry) -> str:
    """The profile's file; shipped ones by name only (the install path is noise)."""
    path = entry.profile.path
    return path.replace("\\", "/").rsplit("/", 1)[-1] if entry.origin == "shipped" else path


def render_profile(entry: Entry, fmt: str) -> str:
    if fmt == "json":
        return json_text(profile_doc(entry))
    p = entry.profile
    out = [f"{p.name}: {p.display_name}", ""]
    facts = [
        ("vendor", p.vendor),
        ("kind", p.kind),
        ("form", f"{p.form}" + (f" ({p.chips} chips)" if p.chips > 1 else "")),
        ("launch_year", str(p.launch_year or "-")),
        ("default_precision", p.default_precision),
        ("aliases", ", ".join(p.aliases) or "-"),
        ("from", f"{entry.origin}: {_where(entry)}"),
    ]
    if p.base:
        facts.append(("base", f"{p.base} (inherits {', '.join(p.inherited) or 'nothing'})"))
    facts += [("shadows", s) for s in entry.shadows]
    width = max(len(k) for k, _ in facts)
    out += [f"  {k:<{width}}  {v}" for k, v in facts]
    out += ["", "Values and sources"]
    rows = _sourced_fields(p)
    width = max(len(name) for name, _ in rows)
    vwidth = max(len(s.text) for _, s in rows)
    indent = 2 + width + 2 + vwidth + 2
    text_width = max(40, PLAIN_WIDTH - indent)
    for name, s in rows:
        mark = " [estimate]" if s.estimate else ""
        where = ", ".join(s.extra[k] for k in ("provider", "region", "kind") if k in s.extra)
        cite = f"{where + ': ' if where else ''}{s.source} ({s.date}){mark}"
        if name in p.inherited or name.split(".")[0] in p.inherited:
            cite += f" [from {p.base}]"
        lines = textwrap.wrap(cite, text_width) or [""]
        if s.note:
            lines += textwrap.wrap(f"Note: {s.note}", text_width)
        out.append(f"  {name:<{width}}  {s.text:<{vwidth}}  {lines[0]}")
        out += [" " * indent + line for line in lines[1:]]
    if p.notes:
        out += ["", "Notes"]
        out += ["  " + line for line in textwrap.wrap(p.notes, PLAIN_WIDTH - 2)]
    return "\n".join(out) + "\n"


# -- profiles validate ------------------------------------------------------------


def render_validation(results: Sequence[Checked]) -> str:
    out = []
    problems = 0
    for r in results:
        if r.problems:
            out += list(r.problems)
            problems += len(r.problems)
        elif r.profile is not None:
            base = f", inherits {r.profile.base}" if r.profile.base else ""
            out.append(f"{r.path}: ok ({r.profile.name}{base})")
    files = len(results)
    verdict = "ok" if not problems else f"{problems} problem{'s' if problems != 1 else ''}"
    out.append(f"{files} file{'s' if files != 1 else ''} checked: {verdict}")
    return "\n".join(out) + "\n"


# -- regions ------------------------------------------------------------------------


def region_rows(regions: Sequence[Region]) -> tuple[list[str], list[list[str]]]:
    columns = {k: u for k, u in REGION_COLUMNS.items() if k not in ("iso3",)}
    header = [_header(c, u) for c, u in columns.items()]
    rows = [[_cell(region_value(r, c), u) for c, u in columns.items()] for r in regions]
    return header, rows


def region_doc(region: Region) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for column, unit in REGION_COLUMNS.items():
        value = region_value(region, column)
        doc[_key(column, unit)] = in_unit(value, unit) if unit else value
    doc["aliases"] = list(region.aliases)
    doc["source"] = region.source
    return doc


def render_region_list(regions: Sequence[Region], fmt: str) -> str:
    if fmt == "json":
        doc = {"schema": REGIONS_SCHEMA, "regions": [region_doc(r) for r in regions]}
        return json_text(doc)
    if fmt == "csv":
        docs = [region_doc(r) for r in regions]
        header = list(docs[0]) if docs else list(REGION_COLUMNS)
        rows = [[";".join(v) if isinstance(v, list) else v for v in d.values()] for d in docs]
        return csv_table(header, rows)
    header, rows = region_rows(regions)
    return plain_table(header, rows) + f"{len(rows)} regions\n"


def render_region(region: Region, fmt: str) -> str:
    doc = region_doc(region)
    if fmt == "json":
        return json_text(doc)
    doc["aliases"] = ", ".join(doc["aliases"]) or "-"
    width = max(len(k) for k in doc)
    out = []
    for key, value in doc.items():
        lines = textwrap.wrap(
            str(value if value not in (None, "") else "-"), PLAIN_WIDTH - width - 4
        )
        out.append(f"  {key:<{width}}  {lines[0] if lines else '-'}")
        out += [" " * (width + 4) + line for line in lines[1:]]
    return f"{region.id}: {region.name}\n\n" + "\n".join(out) + "\n"


# -- config show --------------------------------------------------------------------


def render_config(rows: Sequence[Effective], settings: Settings, fmt: str) -> str:
    if fmt == "json":
        doc = {
            "schema": "costcalc/config/1",
            "files": [
                {"scope": scope, "path": str(path), "exists": exists}
                for scope, path, exists in settings.files
            ],
            "defaults": {
                r.key: {"value": r.value, "from": r.origin, "source": r.source} for r in rows
            },
        }
        return json_text(doc)
    header = ["default", "value", "from", "source"]
    width = PLAIN_WIDTH - 40
    body = [
        [r.key, r.value, r.origin, textwrap.shorten(r.source, width, placeholder="…")] for r in rows
    ]
    files = [
        f"  {scope + ' file:':<14}{path}{'' if exists else ' (not found)'}"
        for scope, path, exists in settings.files
    ]
    return (
        plain_table(header, body)
        + "\nPrecedence: flags > project file > user file > built-in.\n"
        + "\n".join(files)
        + "\n"
    )
