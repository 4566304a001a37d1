"""Text and JSON for ``costcalc runs``, ``budget`` and ``scale``. No model arithmetic
here, only unit conversion for display; the estimates inside are shown by
:mod:`costcalc.render.estimate`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from costcalc import finite
from costcalc.inverse import Budget
from costcalc.render import estimate as render
from costcalc.render.fmt import json_text, label_rows, sig, write_csv_row
from costcalc.results import Estimate
from costcalc.runs import NUMBERS, Run
from costcalc.scaling import Scaled
from costcalc.units import convert
from costcalc.workloads import count_text, flop_text

KIND_LABEL = {"money": "Money", "energy": "Energy", "mass": "CO2e", "time": "Deadline"}
KIND_UNIT = {"money": "USD", "energy": "kWh", "mass": "kg", "time": "hour"}


# --- runs ---------------------------------------------------------------------------


def run_dict(run: Run) -> dict[str, Any]:
    doc: dict[str, Any] = {"slug": run.slug, "name": run.name, "aliases": list(run.aliases)}
    for key in ("organization", "domain", "published", "hardware", "profile", "arch"):
        doc[key] = getattr(run, key) or None
    doc["confidence"] = run.confidence or None
    for key in NUMBERS:
        doc[key] = getattr(run, key)
    for key in ("compute_method", "reference", "link", "source", "date"):
        doc[key] = getattr(run, key)
    return doc


def render_runs_list(runs: list[Run], fmt: str) -> str:
    if fmt == "json":
        return json_text({"schema": "costcalc/runs/1", "runs": [run_dict(r) for r in runs]})
    head = ("run", "published", "params", "compute", "hardware", "confidence")
    table = [head]
    for r in runs:
        hw = r.hardware.split(",")[0]
        if r.hardware_quantity:
            hw = f"{r.hardware_quantity:g} x {hw}"
        table.append(
            (
                r.slug,
                r.published[:4],
                count_text(r.params) if r.params else "-",
                f"{flop_text(r.compute)} FLOP",
                hw or "-",
                r.confidence,
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    lines = [
        "  ".join(f"{c:<{w}}" for c, w in zip(row, widths, strict=True)).rstrip() for row in table
    ]
    lines.append(
        "Data: Epoch AI, Notable AI Models (CC BY 4.0); 'costcalc runs show RUN' for sources."
    )
    return "\n".join(lines) + "\n"


def render_run(run: Run, fmt: str, public: list[dict[str, Any]] | None = None) -> str:
    """One run; ``public``: its public cost estimates beside costcalc's own answer
    (costcalc.public_estimates.explain), shown after the run's numbers."""
    if fmt == "json":
        doc = {"schema": "costcalc/run/1", **run_dict(run)}
        if public is not None:
            doc["public_estimates"] = public
        return json_text(doc)
    rows = [("name", run.name)]
    if run.aliases:
        rows.append(("aliases", ", ".join(run.aliases)))
    rows += [
        ("organization", run.organization),
        ("published", run.published),
        ("compute", f"{flop_text(run.compute)} FLOP ({run.compute_method})"),
    ]
    if run.params:
        rows.append(("params", count_text(run.params)))
    if run.arch:
        rows.append(("architecture", f"{run.arch} (costcalc arch show {run.arch})"))
    if run.dataset_size:
        rows.append(("dataset size", f"{count_text(run.dataset_size)} datapoints (Epoch AI)"))
    if run.hardware:
        qty = f"{run.hardware_quantity:g} x " if run.hardware_quantity else ""
        profile = f" (costcalc profile: {run.profile})" if run.profile else ""
        rows.append(("hardware", f"{qty}{run.hardware}{profile}"))
    if run.training_hours:
        rows.append(("training time", f"{run.training_hours:g} hours"))
    if run.chip_hours:
        rows.append(("chip-hours", f"{run.chip_hours:,.0f}"))
    if run.mfu:
        rows.append(("utilization", f"{run.mfu:.1%} MFU"))
    if run.epoch_cost_usd_2023:
        rows.append(("cost", f"${run.epoch_cost_usd_2023:,.0f} (2023 USD, Epoch AI estimate)"))
    if run.epoch_power_draw_w:
        rows.append(("power draw", f"{run.epoch_power_draw_w / 1000:,.0f} kW (Epoch AI estimate)"))
    rows += [
        ("confidence", run.confidence),
        ("reference", f"{run.reference}, {run.link}"),
        ("source", f"{run.source} (last modified {run.date})"),
    ]
    text = f"costcalc run: {run.slug}\n\n" + "\n".join(label_rows(rows)) + "\n"
    for p in public or []:
        text += "\n" + _public_estimate_text(p)
    return text


def _money(x: float) -> str:
    return f"${x / 1e6:,.3g} M" if x >= 1e6 else f"${x:,.0f}"


def _public_estimate_text(p: dict[str, Any]) -> str:
    """A public cost figure: who, how, and how it relates to costcalc's answer."""
    own, f = p["costcalc"], p["factors"]
    inputs = []
    if p.get("device_hours"):
        inputs.append(f"{p['device_hours']:,.0f} device-hours")
    if p.get("price_usd_per_device_hour"):
        inputs.append(f"${p['price_usd_per_device_hour']:g} per device-hour")
    rows = [
        ("figure", f'{_money(p["cost_usd"])}: {p["who"]}, "{p["title"]}" ({p["date"]})'),
        ("url", p["url"]),
        ("hardware", p["hardware"] + (f"; {', '.join(inputs)}" if inputs else "")),
        ("how", " ".join(str(p["method"]).split())),
        ("checked", " ".join(str(p["checked"]).split())),
    ]
    price = own.get("price") or {}
    own_cost = "no cost (no price)" if own["cost_usd"] is None else _money(own["cost_usd"])
    rows.append(
        (
            "costcalc",
            f"{own_cost} for the run as it ran: {own['devices']:,.0f} x {own['hardware']}, "
            f"{own['device_hours']:,.0f} device-hours"
            + (
                f" at ${own['price_usd_per_device_hour']:.3g} per device-hour "
                f"({price.get('source', '')})"
                if own["price_usd_per_device_hour"]
                else ""
            )
            + f"; utilization {(own.get('utilization') or {}).get('value', 0):.1%} "
            f"({(own.get('utilization') or {}).get('source', '')})",
        )
    )
    if own.get("note"):
        rows.append(("note", own["note"]))
    parts = [f"cost x{f['cost']:.3g}"] if f.get("cost") else []
    if "device_hours" in f:
        parts.append(f"= device-hours x{f['device_hours']:.3g}")
    if f.get("price"):
        parts.append(f"x price x{f['price']:.3g}")
    if parts:
        rows.append(("public/costcalc", " ".join(parts)))
    return "Public estimate\n" + "\n".join(label_rows(rows)) + "\n"


# --- budget -------------------------------------------------------------------------


def budget_dict(b: Budget) -> dict[str, Any]:
    unit = KIND_UNIT[b.kind]
    return {
        "schema": "costcalc/budget/1",
        "budget": {"kind": b.kind, "value": convert(b.amount, unit), "unit": unit, "text": b.text},
        "flops": b.estimate.outputs["flops"],
        "devices_needed": b.devices_needed,
        "compute_optimal": {
            "params": b.optimal_params,
            "tokens": b.optimal_tokens,
            "memory_floor_devices": b.optimal_floor,
            "assumptions": {
                a.name: {"value": a.base, "source": a.source, "origin": a.origin}
                for a in b.assumptions
            },
        },
        "notes": list(b.notes),
        "estimate": render.to_dict(b.estimate),
    }


@dataclass
class Report:
    """What the text and rich renderers show for budget and scale: a title, labelled rows,
    notes, and the estimate underneath."""

    title: str
    rows: list[tuple[str, str]]
    notes: list[str]
    heading: str  # above the estimate
    estimate: Estimate


def _report(
    what: str, rows: list[tuple[str, str]], notes: Sequence[str], compute: str, est: Estimate
) -> Report:
    return Report(
        title=f"costcalc {what}on {est.hardware.display_name}, {est.precision}",
        rows=rows,
        notes=list(notes),
        heading=f"The estimate of {compute}:",
        estimate=est,
    )


def render_report(r: Report, fmt: str, console: Any = None) -> str:
    """Aligned plain text; with ``console`` (a rich Console, on a terminal) rich tables,
    printed there, and an empty string returned."""
    if console is not None:
        _report_table(r, console)
        return ""
    out = [r.title, "", *label_rows(r.rows)]
    out += [f"Note: {n}" for n in r.notes]
    out += ["", r.heading, ""]
    out.append(render.render_plain(r.estimate).split("\n", 2)[2])
    return "\n".join(out).rstrip("\n") + "\n"


def _report_table(r: Report, console: Any) -> None:
    from rich.table import Table

    table = Table(title=r.title, show_header=False, title_justify="left", box=None, padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(style="cyan", overflow="fold")
    for label, value in r.rows:
        table.add_row(label, value)
    console.print(table)
    from rich.markup import escape

    for note in r.notes:
        console.print(f"[yellow]Note:[/yellow] {escape(note)}", highlight=False)
    console.print()
    console.print(f"[bold]{r.heading}[/bold]")
    console.print()
    render.render_table(r.estimate, console)


def _csv(head: dict[str, Any], est: Estimate) -> str:
    row = dict(head)
    row.update({f"estimate_{k}" if k in row else k: v for k, v in render.csv_row(est).items()})
    return write_csv_row(row)


def budget_report(b: Budget) -> Report:
    est = b.estimate
    hw = est.hardware.name
    rows = [(KIND_LABEL[b.kind], b.text)]
    if b.devices_needed is not None:
        rows.append(("Devices needed", f"{b.devices_needed:,.0f} x {hw}"))
        rows.append(("Compute", f"{flop_text(est.outputs['flops'])} FLOP"))
    else:
        rows.append(("Affordable compute", f"{flop_text(est.outputs['flops'])} FLOP"))
    ratio = b.assumptions[0]
    rows.append(
        (
            "Compute-optimal model",
            f"{count_text(b.optimal_params)} params on {count_text(b.optimal_tokens)} tokens "
            f"({ratio.text}, Hoffmann et al. 2022)",
        )
    )
    if b.optimal_floor is not None:
        rows.append(("Memory floor", f"{b.optimal_floor:,.0f} x {hw} for that model"))
    return _report(f"budget: {b.text} ", rows, b.notes, "that compute", est)


def _budget_head(b: Budget) -> dict[str, Any]:
    unit = KIND_UNIT[b.kind]
    return {
        "budget_kind": b.kind,
        f"budget_{unit.lower()}": convert(b.amount, unit),
        "devices_needed": b.devices_needed,
        "optimal_params": b.optimal_params,
        "optimal_tokens": b.optimal_tokens,
        "optimal_memory_floor_devices": b.optimal_floor,
    }


def _render(
    doc: dict[str, Any],
    head: Callable[[], dict[str, Any]],
    est: Estimate,
    report: Callable[[], Report],
    fmt: str,
    console: Any,
) -> str:
    """``doc`` as JSON, ``head`` and ``est`` as one CSV row, or ``report`` as text."""
    finite.require_finite(doc)  # the one check, before any format
    if fmt == "json":
        return json_text(doc)
    if fmt == "csv":
        return _csv(head(), est)
    return render_report(report(), fmt, console)


def render_budget(b: Budget, fmt: str, console: Any = None) -> str:
    return _render(
        budget_dict(b), lambda: _budget_head(b), b.estimate, lambda: budget_report(b), fmt, console
    )


def render_budget_value(b: Budget, field: str) -> str:
    doc = budget_dict(b)
    if field in ("params", "tokens"):
        return repr(float(doc["compute_optimal"][field])) + "\n"
    if field in ("flops", "devices_needed") and doc[field] is not None:
        return repr(float(doc[field])) + "\n"
    return render.render_value(b.estimate, field)


# --- scale --------------------------------------------------------------------------


def scaled_dict(s: Scaled) -> dict[str, Any]:
    doc: dict[str, Any] = {"schema": "costcalc/scale/1", "multiplier": s.multiplier}
    doc["assumptions"] = {
        a.name: {"value": a.base, "source": a.source, "origin": a.origin} for a in s.assumptions
    }
    if s.fit is not None:
        doc["fit"] = {
            "prefactor": s.fit.prefactor,
            "slope": s.fit.slope,
            "exponent": s.fit.exponent,
            "r2": s.fit.r2,
            "residuals_log10": list(s.fit.residuals),
            "points": s.fit.points,
            "compute_range": list(s.fit.compute_range),
            "target": s.target,
        }
    doc["notes"] = list(s.notes)
    doc["base"] = render.to_dict(s.base) if s.base is not None else None
    doc["result"] = render.to_dict(s.result)
    return doc


def scaled_report(s: Scaled) -> Report:
    est = s.result
    rows: list[tuple[str, str]] = []
    if s.fit is not None:
        f = s.fit
        rows += [
            ("Fit", f"error = {f.prefactor:.4g} x C^{f.slope:.4g} over {f.points} points"),
            (
                "Quality",
                f"R² = {f.r2:.4f}; max |residual| = {max(abs(r) for r in f.residuals):.3g} (log10)",
            ),
            ("Exponent", f"K-fold lower error needs K^{f.exponent:.3g} more compute"),
            (
                "Target",
                f"error {s.target:g} needs {flop_text(est.outputs['flops'])} FLOP "
                f"({s.multiplier:.3g}x the largest point)",
            ),
        ]
    else:
        assert s.base is not None
        run = next((a for a in s.base.assumptions if a.name == "run"), None)
        rows += [
            ("Base", run.text if run else f"{flop_text(s.base.outputs['flops'])} FLOP"),
            (
                "Multiplier",
                f"{s.multiplier:.4g}x ({s.assumptions[0].text} better, {s.assumptions[1].text})",
            ),
            ("Scaled", f"{flop_text(est.outputs['flops'])} FLOP"),
        ]
        b = s.base.fields()
        cost = "n/a" if b["cost_usd"] is None else f"${sig(b['cost_usd'])}"
        rows.append(
            (
                "Base cost",
                f"{cost}, {sig(b['energy_kwh'] or 0.0)} kWh, {sig(b['co2e_kg'] or 0.0)} kg CO2e",
            )
        )
    rows += [(f"({a.name})", a.source) for a in s.assumptions if a.origin != "flag"]
    return _report("scale: ", rows, s.notes, "the scaled compute", est)


def _scaled_head(s: Scaled) -> dict[str, Any]:
    head: dict[str, Any] = {"multiplier": s.multiplier}
    if s.fit is not None:
        head.update(
            fit_prefactor=s.fit.prefactor,
            fit_slope=s.fit.slope,
            fit_exponent=s.fit.exponent,
            fit_r2=s.fit.r2,
            fit_points=s.fit.points,
            target=s.target,
        )
    else:
        assert s.base is not None
        head.update({f"base_{k}": v for k, v in s.base.fields().items()})
    head.update({a.name: a.base for a in s.assumptions})
    return head


def render_scaled(s: Scaled, fmt: str, console: Any = None) -> str:
    return _render(
        scaled_dict(s), lambda: _scaled_head(s), s.result, lambda: scaled_report(s), fmt, console
    )
