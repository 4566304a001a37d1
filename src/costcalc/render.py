"""Turn results into text: a table for people, JSON/CSV/YAML/Markdown for machines and
reviewers, one bare number for ``$(...)``. No arithmetic on the model happens here,
only unit conversion for display.
"""

from __future__ import annotations

import csv
import io
import json
import math
import textwrap
from typing import Any

from costcalc.errors import InputError, did_you_mean
from costcalc.estimator import OUTPUT_FIELDS, Estimate
from costcalc.units import convert

SCHEMA = "costcalc/estimate/1"
PLAIN_WIDTH = 100  # plain text wraps sources to this width
FORMATS = ("table", "json", "csv", "yaml", "markdown")

# Numeric assumptions as flat columns (CSV): name -> (display unit, column name).
ASSUMPTION_COLUMNS = {
    "peak": ("TFLOPS", "peak_tflops"),
    "utilization": ("", "utilization"),
    "devices": ("", "devices"),
    "power": ("W", "power_w"),
    "pue": ("", "pue"),
    "carbon_intensity": ("g/kWh", "carbon_intensity_g_per_kwh"),
    "price": ("USD/hour", "price_usd_per_hour"),
}


def _clean(x: float) -> float:
    """Drop float noise from a unit conversion (473.00699999999995 -> 473.007)."""
    return float(f"{x:.12g}")


def sig(x: float, digits: int = 4) -> str:
    """``x`` with ``digits`` significant digits, without exponent for everyday sizes."""
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return str(x)
    if 1e-3 <= abs(x) < 1e15:
        x = float(f"{x:.{digits}g}")  # 4,115,226,337,449 -> 4,115,000,000,000: no false digits
        decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
        text = f"{x:,.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text
    mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def human_time(seconds: float) -> str:
    for unit, size in (
        ("years", 365.25 * 86400),
        ("days", 86400),
        ("hours", 3600),
        ("minutes", 60),
    ):
        if seconds >= size:
            return f"{sig(seconds / size, 3)} {unit}"
    return f"{sig(seconds, 3)} seconds"


def _scaled(value: float, units: list[str]) -> str:
    """``value`` (base units) in the largest of ``units`` that keeps it >= 1."""
    for unit in units:
        shown = convert(value, unit)
        if abs(shown) >= 1 or unit == units[-1]:
            return f"{sig(shown)} {unit}"
    raise AssertionError("unreachable")


def human_outputs(est: Estimate) -> list[tuple[str, str]]:
    o = est.outputs
    devices = est.assumption("devices").value
    rows = [
        ("Compute", f"{sig(o['flops'])} FLOP"),
        (
            "Wall-clock time",
            f"{human_time(o['wall_clock'])} on {sig(devices)} device{'s' if devices != 1 else ''}",
        ),
        ("Device-hours", sig(convert(o["device_time"], "hour"))),
        ("Energy", _scaled(o["energy"], ["TWh", "GWh", "MWh", "kWh", "Wh"])),
        ("Cost", "n/a (no price: give --price)" if o["cost"] is None else f"${sig(o['cost'])}"),
        ("CO2e", _scaled(o["co2e"], ["t", "kg", "g"])),
    ]
    return rows


def to_dict(est: Estimate) -> dict[str, Any]:
    """The stable JSON document (see README, "JSON output")."""
    doc: dict[str, Any] = {"schema": SCHEMA}
    doc.update(est.fields())
    doc["hardware"] = est.hardware.name
    doc["precision"] = est.precision
    doc["inputs"] = {k: v if isinstance(v, (int, float)) else str(v) for k, v in est.inputs.items()}
    assumptions = {}
    for a in est.assumptions:
        if a.name in ASSUMPTION_COLUMNS:
            unit = ASSUMPTION_COLUMNS[a.name][0]
            value: Any = _clean(convert(a.value, unit)) if unit else a.value
        else:
            unit, value = "", a.text
        assumptions[a.name] = {"value": value, "unit": unit, "source": a.source, "origin": a.origin}
    doc["assumptions"] = assumptions
    doc["notes"] = list(est.notes)
    return doc


def render_json(est: Estimate) -> str:
    return json.dumps(to_dict(est), indent=2, allow_nan=False) + "\n"  # never NaN/Infinity


def render_yaml(est: Estimate) -> str:
    import yaml

    return str(yaml.safe_dump(to_dict(est), sort_keys=False, allow_unicode=True, width=100))


def render_csv(est: Estimate) -> str:
    row: dict[str, Any] = dict(est.fields())
    row["hardware"] = est.hardware.name
    row["precision"] = est.precision
    for a in est.assumptions:
        if a.name in ASSUMPTION_COLUMNS:
            unit, column = ASSUMPTION_COLUMNS[a.name]
            row[column] = _clean(convert(a.value, unit)) if unit else a.value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
    writer.writeheader()
    writer.writerow(
        {k: "" if v is None else (repr(v) if isinstance(v, float) else v) for k, v in row.items()}
    )
    return out.getvalue()


def _title(est: Estimate) -> str:
    return f"{sig(est.outputs['flops'])} FLOP on {est.hardware.display_name}, {est.precision}"


def render_markdown(est: Estimate) -> str:
    lines = [f"### costcalc estimate: {_title(est)}", "", "| | |", "|---|---|"]
    lines += [f"| {label} | {value} |" for label, value in human_outputs(est)]
    lines += ["", "| Assumption | Value | Source |", "|---|---|---|"]
    for a in est.assumptions:
        lines.append(f"| {a.name} | {a.text} | {a.source.replace('|', '/')} |")
    lines += [f"\n_{note}_" for note in est.notes]
    return "\n".join(lines) + "\n"


FULL_SOURCES = "Full sources: --format json, yaml or markdown."


def _short_source(source: str, width: int, lines: int = 2) -> list[str]:
    """The start of a citation, wrapped to ``lines`` lines (the table is for scanning)."""
    wrapped = textwrap.wrap(source, width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return wrapped


def render_plain(est: Estimate) -> str:
    """Aligned text without colour or box drawing: for pipes, files and NO_COLOR."""
    out = [f"costcalc estimate: {_title(est)}", ""]
    rows = human_outputs(est)
    width = max(len(label) for label, _ in rows)
    out += [f"  {label:<{width}}  {value}" for label, value in rows]
    out += ["", "Assumptions"]
    width = max(len(a.name) for a in est.assumptions)
    vwidth = max(len(a.text) for a in est.assumptions)
    indent = 2 + width + 2 + vwidth + 2
    for a in est.assumptions:
        wrapped = _short_source(a.source, max(40, PLAIN_WIDTH - indent))
        out.append(f"  {a.name:<{width}}  {a.text:<{vwidth}}  {wrapped[0]}")
        out += [" " * indent + line for line in wrapped[1:]]
    out += [f"Note: {note}" for note in est.notes]
    out.append(FULL_SOURCES)
    return "\n".join(out) + "\n"


def render_table(est: Estimate, console: Any) -> None:
    """A rich table on a terminal."""
    from rich.table import Table

    results = Table(
        title=f"costcalc estimate: {_title(est)}",
        show_header=False,
        title_justify="left",
        box=None,
        padding=(0, 2),
    )
    results.add_column(style="bold")
    results.add_column(style="cyan")
    for label, value in human_outputs(est):
        results.add_row(label, value)
    console.print(results)
    assumptions = Table(
        title="Assumptions",
        title_justify="left",
        show_lines=False,
        header_style="bold",
        padding=(0, 1),
    )
    assumptions.add_column("name", no_wrap=True)
    assumptions.add_column("value", no_wrap=True, style="cyan")
    assumptions.add_column("source", overflow="fold")
    for a in est.assumptions:
        assumptions.add_row(a.name, a.text, "\n".join(_short_source(a.source, 70)))
    console.print()
    console.print(assumptions)
    for note in est.notes:
        console.print(f"[yellow]Note:[/yellow] {note}")
    console.print(f"[dim]{FULL_SOURCES}[/dim]")


VALUE_FIELDS = tuple(OUTPUT_FIELDS)


def render_value(est: Estimate, field: str) -> str:
    """One bare number for scripts, in the field's unit."""
    fields = est.fields()
    if field not in fields:
        raise InputError(
            f"unknown field '{field}'{did_you_mean(field, fields)}; expected one "
            f"of {', '.join(fields)}",
            "--value",
        )
    value = fields[field]
    if value is None:
        raise InputError(f"{field} is not available: {'; '.join(est.notes)}", "--value")
    return repr(float(value)) + "\n"
