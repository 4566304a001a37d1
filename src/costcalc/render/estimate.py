"""Turn results into text: a table for people, JSON/CSV/YAML/Markdown for machines and
reviewers, one bare number for ``$(...)``. No arithmetic on the model happens here,
only unit conversion for display.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

from costcalc.errors import InputError, did_you_mean, printable
from costcalc.estimator import OUTPUT_FIELDS
from costcalc.render.fmt import (
    ENERGY_UNITS,
    MASS_UNITS,
    PLAIN_WIDTH,
    human_time,
    in_unit,
    json_text,
    label_rows,
    md_cell,
    scaled,
    sig,
    write_csv_row,
)
from costcalc.results import Assumption, Estimate
from costcalc.units import convert, factor

SCHEMA = "costcalc/estimate/1"
EQUIVALENT_FLOOR = 0.01
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


def human_outputs(est: Estimate) -> list[tuple[str, str]]:
    o = est.outputs
    devices = est.assumption("devices").base
    rows = [
        ("Compute", f"{sig(o['flops'])} FLOP"),
        (
            "Wall-clock time",
            f"{human_time(o['wall_clock'])} on {sig(devices)} device{'s' if devices != 1 else ''}",
        ),
        ("Device-hours", sig(convert(o["device_time"], "hour"))),
        ("Energy", scaled(o["energy"], ENERGY_UNITS)),
        ("Cost", "n/a (no price: give --price)" if o["cost"] is None else f"${sig(o['cost'])}"),
        ("CO2e", scaled(o["co2e"], MASS_UNITS)),
    ]
    band = est.sections.get("band")
    if band is not None:
        rows = with_band(rows, band["percentiles"])
    return rows


def to_dict(est: Estimate) -> dict[str, Any]:
    """The stable JSON document (see README, "JSON output")."""
    doc: dict[str, Any] = {"schema": SCHEMA}
    doc.update(est.fields())
    doc["hardware"] = est.hardware.name
    doc["precision"] = est.precision
    doc["inputs"] = {k: v if isinstance(v, (int, float)) else str(v) for k, v in est.inputs.items()}
    doc["assumptions"] = assumptions_doc(est.assumptions)
    doc["notes"] = list(est.notes)
    _sections_to_dict(est, doc)
    return doc


def assumptions_doc(assumptions: Iterable[Assumption]) -> dict[str, Any]:
    """The JSON ``assumptions`` object of an estimate or a sweep: each in its display unit."""
    out = {}
    for a in assumptions:
        if a.name in ASSUMPTION_COLUMNS:
            unit = ASSUMPTION_COLUMNS[a.name][0]
            value: Any = in_unit(a.base, unit) if unit else a.base
        else:
            unit, value = "", a.text
        out[a.name] = {"value": value, "unit": unit, "source": a.source, "origin": a.origin}
    return out


def _sections_to_dict(est: Estimate, doc: dict[str, Any]) -> None:
    """Add costcalc.outlook's sections; with ranges, an output becomes {p5, p50, p95}."""
    sections = est.sections
    ranges = sections.get("ranges")
    if ranges is not None:
        for name in OUTPUT_FIELDS:
            pct = ranges["percentiles"].get(name)
            if pct is not None:
                doc[name] = pct
        doc["ranges"] = ranges
        doc["sensitivity"] = sections["sensitivity"]
    elif "band" in sections:  # the default band: flat fields stay the point
        doc["ranges"] = sections["band"]
    for key in ("money", "embodied", "projection", "workload", "memory"):
        if key in sections:
            doc[key] = sections[key]
    if "equivalents" in sections:
        doc["equivalents"] = {
            e["id"]: {k: v for k, v in e.items() if k != "id"} for e in sections["equivalents"]
        }


def render_json(est: Estimate) -> str:
    return json_text(to_dict(est))  # never NaN/Infinity


def render_yaml(est: Estimate) -> str:
    import yaml

    return str(yaml.safe_dump(to_dict(est), sort_keys=False, allow_unicode=True, width=100))


def csv_row(est: Estimate) -> dict[str, Any]:
    """The estimate as one flat row: outputs, hardware, numeric assumptions, percentiles."""
    row: dict[str, Any] = dict(est.fields())
    row["hardware"] = est.hardware.name
    row["precision"] = est.precision
    for a in est.assumptions:
        if a.name in ASSUMPTION_COLUMNS:
            unit, column = ASSUMPTION_COLUMNS[a.name]
            row[column] = in_unit(a.base, unit) if unit else a.base
    ranges = est.sections.get("ranges")
    if ranges is not None:
        for name in OUTPUT_FIELDS:
            for key, value in (ranges["percentiles"].get(name) or {}).items():
                row[f"{name}_{key}"] = value
    return row


def render_csv(est: Estimate) -> str:
    return write_csv_row(csv_row(est))


def _title(est: Estimate) -> str:
    name = printable(est.hardware.display_name)
    return f"{sig(est.outputs['flops'])} FLOP on {name}, {est.precision}"


def render_markdown(est: Estimate) -> str:
    lines = [f"### costcalc estimate: {md_cell(_title(est))}", "", "| | |", "|---|---|"]
    lines += [f"| {label} | {md_cell(value)} |" for label, value in human_outputs(est)]
    lines += ["", "| Assumption | Value | Source |", "|---|---|---|"]
    for a in est.assumptions:
        lines.append(f"| {a.name} | {md_cell(a.text)} | {md_cell(a.source)} |")
    lines += [f"\n_{md_cell(note)}_" for note in est.notes]
    extra = section_lines(est)
    if extra:
        lines += ["", "```text", *extra, "```"]
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
    out += label_rows(human_outputs(est))
    extra = section_lines(est)
    if extra:
        out += ["", *extra]
    out += ["", "Assumptions"]
    width = max(len(a.name) for a in est.assumptions)
    texts = [printable(a.text) for a in est.assumptions]
    vwidth = max(len(t) for t in texts)
    indent = 2 + width + 2 + vwidth + 2
    for a, text in zip(est.assumptions, texts, strict=True):
        wrapped = _short_source(a.source, max(40, PLAIN_WIDTH - indent))
        out.append(f"  {a.name:<{width}}  {text:<{vwidth}}  {wrapped[0]}")
        out += [" " * indent + line for line in wrapped[1:]]
    out += [f"Note: {note}" for note in est.notes]
    out.append(FULL_SOURCES)
    return "\n".join(out) + "\n"


def render_table(est: Estimate, console: Any) -> None:
    """A rich table on a terminal."""
    # The title is its own line: as a table title it would wrap to the table's width.
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    console.print(f"[bold]costcalc estimate:[/bold] {escape(_title(est))}", highlight=False)
    console.print()
    results = Table(show_header=False, box=None, padding=(0, 2))
    results.add_column(style="bold")
    results.add_column(style="cyan")
    for label, value in human_outputs(est):
        results.add_row(label, value)
    console.print(results)
    extra = section_lines(est)
    if extra:
        console.print()
        for line in extra:
            console.print(line, markup=False, highlight=False)
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
        source = "\n".join(_short_source(a.source, 70))
        assumptions.add_row(a.name, Text(printable(a.text)), Text(source))
    console.print()
    console.print(assumptions)
    for note in est.notes:
        console.print(f"[yellow]Note:[/yellow] {escape(note)}")
    console.print(f"[dim]{FULL_SOURCES}[/dim]")


VALUE_FIELDS = tuple(OUTPUT_FIELDS)


def render_value(est: Estimate, field: str) -> str:
    """One bare number for scripts, in the field's unit."""
    fields = est.fields()
    name, _, which = field.partition(".")
    ranges = est.sections.get("ranges")
    pcts = ranges or est.sections.get("band")  # the band: a bare field stays the point
    if name not in fields or (which and (pcts is None or which not in ("p5", "p50", "p95"))):
        raise InputError(
            f"unknown field '{field}'{did_you_mean(name, fields)}; expected one "
            f"of {', '.join(fields)}"
            + (" (add .p5, .p50 or .p95 for a percentile)" if pcts else ""),
            "--value",
        )
    value = fields[name]
    if pcts is not None and pcts["percentiles"].get(name) is not None and (which or ranges):
        value = pcts["percentiles"][name][which or "p50"]
    if value is None:
        raise InputError(f"{field} is not available: {'; '.join(est.notes)}", "--value")
    return repr(float(value)) + "\n"


# Sections added by costcalc.outlook (ranges, money, embodied carbon, projection,
# equivalents): plain lines shared by the text, rich and markdown renderers.
_RANGE_ROWS = {
    "wall_clock_hours": ("Wall-clock time", "hours"),
    "device_hours": ("Device-hours", ""),
    "energy_kwh": ("Energy", "kWh"),
    "cost_usd": ("Cost", "USD"),
    "co2e_kg": ("CO2e", "kg"),
    "embodied_co2e_kg": ("Embodied CO2e", "kg"),
    "flops": ("Compute", "FLOP"),
}


def _money_text(value: float | None, currency: str) -> str:
    if value is None:
        return "n/a (no price)"
    return f"${sig(value)}" if currency == "USD" else f"{sig(value)} {currency}"


_DURATIONS = ("year", "month", "week", "day", "hour", "minute")


def _equivalent_text(e: Mapping[str, Any]) -> str | None:
    """``"39 minutes of ..."``, ``"2,125 km driven ..."``; None when too small to feel."""
    unit = e.get("unit", "")
    if unit not in _DURATIONS:
        return f"{sig(e['value'])} {e['label']}" if e["value"] >= EQUIVALENT_FLOOR else None
    seconds = e["value"] * factor(unit)
    best = next((u for u in _DURATIONS if seconds >= factor(u)), None)
    if best is None:
        return None
    shown = sig(seconds / factor(best), 3)
    return f"{shown} {best if shown == '1' else best + 's'} {e['subject']}"


def section_lines(est: Estimate) -> list[str]:
    sections = est.sections
    lines: list[str] = []
    ranges = sections.get("ranges")
    if ranges is not None:
        lines.append(
            f"Range: 5th / 50th / 95th percentile of {ranges['samples']:,} samples "
            f"(seed {ranges['seed']}); the answer above uses the median of each range"
        )
        rows = [
            (label, ranges["percentiles"][name], unit)
            for name, (label, unit) in _RANGE_ROWS.items()
            if ranges["percentiles"].get(name) is not None
            and ranges["percentiles"][name]["p5"] != ranges["percentiles"][name]["p95"]
        ]
        width = max((len(label) for label, _, _ in rows), default=0)
        for label, pct, unit in rows:
            numbers = " / ".join(sig(pct[k]) for k in ("p5", "p50", "p95"))
            lines.append(f"  {label:<{width}}  {numbers} {unit}".rstrip())
        ranking = sections["sensitivity"]["ranking"]
        for name, label in (("cost_usd", "cost"), ("co2e_kg", "CO2e")):
            if ranking.get(name):
                drivers = ", ".join(f"{i} {rho:+.2f}" for i, rho in ranking[name])
                lines.append(
                    f"  Spread of {label} driven by (Spearman rank correlation): {drivers}"
                )
    if "band" in sections and ranges is None:
        lines += band_lines(sections["band"])
    money = sections.get("money")
    if money is not None:
        if lines:
            lines.append("")
        mode = "owned hardware" if money["mode"] == "owned" else "cloud"
        cur = money["currency"]
        head = f"Money ({mode}, {cur}"
        if cur != "USD":
            head += f" at {money['fx_rate']:g} {cur} per USD, the rate given with --fx-rate"
        lines.append(head + ")")
        from costcalc.money import ITEM_LABELS

        width = max(len(ITEM_LABELS[k]) for k in money["items"])
        for key, value in money["items"].items():
            text = _money_text(value, cur)
            if cur != "USD" and money["items_usd"][key] is not None:
                text += f"  (${sig(money['items_usd'][key])})"
            lines.append(f"  {ITEM_LABELS[key]:<{width}}  {text}")
    embodied = sections.get("embodied")
    if embodied is not None:
        if lines:
            lines.append("")
        if embodied["available"]:
            lines.append(
                f"Embodied CO2e  {scaled(embodied['co2e_kg'], MASS_UNITS)} "
                f"(manufacturing, {sig(embodied['per_device_hour_kg'] * 1000)} g per device-hour; "
                "not included in CO2e above)"
            )
        else:
            lines.append(f"Embodied CO2e  unavailable: {embodied['note']}")
    projection = sections.get("projection")
    if projection is not None:
        if lines:
            lines.append("")
        lines.append(projection["label"])
        cost = projection.get("cost_usd")
        pband = projection.get("percentiles") or {}
        lines.append(
            f"  Cost    {'n/a (no price)' if cost is None else '$' + sig(cost)}"
            f"{_projected_band(pband.get('cost_usd'), lambda x: '$' + sig(x))}"
            f"  (x{sig(projection['cost_factor'], 3)} price-performance trend)"
        )
        energy = projection["energy_kwh"] * factor("kWh")
        kwh = factor("kWh")
        lines.append(
            f"  Energy  {scaled(energy, ENERGY_UNITS)}"
            f"{_projected_band(pband.get('energy_kwh'), lambda x: scaled(x * kwh, ENERGY_UNITS))}"
            f"  (x{sig(projection['energy_factor'], 3)} energy-efficiency trend)"
        )
        lines.append(
            f"  CO2e    {scaled(projection['co2e_kg'], MASS_UNITS)}"
            f"{_projected_band(pband.get('co2e_kg'), lambda x: scaled(x, MASS_UNITS))}"
            "  (same grid)"
        )
        if pband:
            lines.append(
                "  (90 % band: today's band widened by the trends' uncertainty, which grows "
                "with the years projected)"
            )
    equivalents = sections.get("equivalents")
    if equivalents:
        if lines:
            lines.append("")
        # A person feels "9.7 km driven" or "39 minutes of a household's electricity", not
        # "5e-10 months of NYC": durations take the largest unit that makes them at least 1,
        # and the table keeps those of at least a minute and the rest of at least
        # EQUIVALENT_FLOOR (the largest one always); JSON has them all, in fixed units.
        texts = [(_equivalent_text(e), e) for e in equivalents]
        shown = [(t, e) for t, e in texts if t is not None]
        if not shown:
            best = max(equivalents, key=lambda e: e["value"])
            shown = [(f"{sig(best['value'])} {best['label']}", best)]
        hidden = len(equivalents) - len(shown)
        more = f"; {hidden} smaller {'one' if hidden == 1 else 'ones'} in --format json"
        lines.append(f"Equivalents (of the CO2e and energy above{more if hidden else ''})")
        for text, e in shown:
            mark = "  (ESTIMATE: unverified figure)" if e["estimate"] else ""
            lines.append(f"  {text}{mark}")
    return lines


# -- the default band (costcalc.band): "4.1 hours (2.7-6.9)" and where its spread comes from

_BAND_ROWS = {  # table label -> band field, and how to show a value of it
    "Wall-clock time": "wall_clock_hours",
    "Device-hours": "device_hours",
    "Energy": "energy_kwh",
    "Cost": "cost_usd",
    "CO2e": "co2e_kg",
}


def _projected_band(pct: dict[str, float] | None, show: Any) -> str:
    """ " (low–high)" of a projection's 90 % band, or nothing."""
    if not pct or not pct["p95"] > pct["p5"]:
        return ""
    return f" ({show(pct['p5'])}–{show(pct['p95'])})"


def _band_value(label: str, value: float) -> str:
    from costcalc.units import factor

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
        pct = percentiles.get(_BAND_ROWS.get(label, ""))
        if pct is not None and pct["p95"] > pct["p5"] and not text.startswith("n/a"):
            low, high = _band_value(label, pct["p5"]), _band_value(label, pct["p95"])
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


def band_lines(section: Mapping[str, Any]) -> list[str]:
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
