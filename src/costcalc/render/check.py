"""Text for ``costcalc check`` reports: a plain table, Markdown for a PR comment, GitHub
workflow annotations, JSON (``costcalc/check/1``), a Hugging Face model-card block and a
LaTeX sentence. Values arrive in base units; only unit conversion happens here.
"""

from __future__ import annotations

import re
from typing import Any

from costcalc import __version__, finite
from costcalc.budget import METRICS, REPORT_SCHEMA, BudgetLine, Change, Report, assumed
from costcalc.errors import printable
from costcalc.plausibility import Finding
from costcalc.render.estimate import to_dict as estimate_dict
from costcalc.render.fmt import (
    ENERGY_UNITS,
    MASS_UNITS,
    human_time,
    json_text,
    md_cell,
    scaled,
    sig,
)
from costcalc.units import convert

FORMATS = ("table", "markdown", "github", "json", "hf-card", "latex", "gitlab", "html")
LABELS = {
    "flops": "compute",
    "wall_clock": "wall-clock",
    "device_hours": "device-hours",
    "energy": "energy",
    "cost": "cost",
    "co2e": "CO2e",
}
ICONS = {"ok": "✅", "warn": "⚠️", "over": "❌", "fail": "❌", "infeasible": "❌"}
HEADLINES = {
    "ok": "within budget",
    "warn": "within budget, with warnings",
    "over": "over budget",
    "fail": "fails the plan's checks",
    "infeasible": "a run does not fit in memory",
}
FINDING_ICONS = {"warning": "⚠️", "failure": "❌"}


# -- numbers as people read them ---------------------------------------------------------


def show(metric: str, value: float | None) -> str:
    """A metric's value (base units) in the unit a reader expects."""
    if value is None:
        return "n/a"
    if value < 0:
        return "-" + show(metric, -value)
    if metric == "flops":
        return f"{sig(value, 3)} FLOP"
    if metric == "wall_clock":
        return human_time(value)
    if metric == "device_hours":
        return f"{sig(convert(value, 'hour'), 3)} device-hours"
    if metric == "energy":
        return scaled(value, ENERGY_UNITS, 3)
    if metric == "cost":
        return f"${sig(value, 3)}"
    return scaled(value, MASS_UNITS, 3) + " CO2e"


def signed(metric: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    return ("+" if value >= 0 else "") + show(metric, value)


def percent(fraction: float | None, plus: bool = False) -> str:
    if fraction is None:
        return "n/a"
    text = f"{sig(fraction * 100, 3)}%"
    return f"+{text}" if plus and fraction >= 0 else text


def _label(line: BudgetLine) -> str:
    scope = "plan total" if line.limit.scope == "plan" else f"run {printable(line.limit.scope)}"
    suffix = " increase" if line.limit.kind == "max_increase" else ""
    return f"{scope}: {LABELS[line.limit.metric]}{suffix}"


def _cells(line: BudgetLine) -> tuple[str, str, str, str, str]:
    """label, limit, estimate, headroom, status."""
    metric, lim = line.limit.metric, line.limit
    if lim.kind == "max_increase":
        limit = signed(metric, line.allowed)
        if lim.fraction is not None:
            limit += f" ({percent(lim.fraction, plus=True)})"
        estimate = signed(metric, line.value)
    else:
        limit, estimate = show(metric, line.allowed), show(metric, line.value)
    if lim.warn_at is not None:
        limit += f", warn at {percent(lim.warn_at)}"
    headroom = f"{show(metric, line.headroom)} ({percent(line.headroom_fraction)})"
    return _label(line), limit, estimate, headroom, line.status


def change_sentence(report: Report) -> str:
    """ "This change adds $12,400 (+18%) and 3.1 t CO2e (+18%) to the plan's total.\""""
    assert report.baseline is not None
    total = report.baseline.total
    parts = []
    for metric in ("cost", "co2e"):
        delta = total.delta(metric)
        if delta is None:
            continue
        parts.append(f"{show(metric, abs(delta))} ({percent(total.delta_fraction(metric), True)})")
    if not parts:
        return "This change leaves the plan's cost and CO2e unknown (no price)."
    cost_delta = total.delta("cost")
    delta = cost_delta if cost_delta is not None else total.delta("co2e")
    if all(total.delta(m) == 0 for m in ("cost", "co2e")):
        return "This change does not change the plan's cost or CO2e."
    verb = "adds" if delta is not None and delta >= 0 else "removes"
    return f"This change {verb} {' and '.join(parts)} in total."


# -- plain text ----------------------------------------------------------------------------


def _align(rows: list[list[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        indent + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _title(report: Report) -> str:
    n, b = len(report.runs), len(report.lines)
    return (
        f"costcalc check: {printable(report.plan.source)}: {n} run{'s' * (n != 1)}, "
        f"{b} budget{'s' * (b != 1)}: {HEADLINES[report.status]}"
    )


def _run_rows(report: Report) -> list[list[str]]:
    rows = [["run", "repeats", "hardware", *LABELS.values()]]
    for r in report.runs:
        rows.append(
            [printable(r.name), str(r.run.repeats), printable(r.estimate.hardware.name)]
            + [show(m, r.totals[m]) for m in METRICS]
        )
    rows.append(["total", "", ""] + [show(m, report.totals[m]) for m in METRICS])
    return rows


def _change_rows(report: Report) -> list[list[str]]:
    assert report.baseline is not None
    rows = [["run", "change", "cost", "", "CO2e", ""]]
    for c in [*report.baseline.runs, report.baseline.total]:
        rows.append(
            [printable(c.name), c.state]
            + [
                x
                for m in ("cost", "co2e")
                for x in (signed(m, c.delta(m)), percent(c.delta_fraction(m), plus=True))
            ]
        )
    return rows


def input_text(change: Change, arrow: str = "->") -> str:
    """``utilization 40% -> 90%; price 12.29 USD/hour -> 0.1 USD/hour``."""
    parts = []
    for c in change.inputs:
        before = "(none)" if c.before is None else c.before
        after = "(none)" if c.after is None else c.after
        parts.append(f"{c.name} {before} {arrow} {after}")
    return "; ".join(printable(p) for p in parts)


def finding_text(finding: Finding) -> str:
    return printable(f"run {finding.run}: {finding.message}")


def _findings_plain(report: Report) -> list[str]:
    if not report.findings:
        return []
    out = ["", "Inputs outside published practice or the plan's policy"]
    for f in report.findings:
        out.append(f"  {f.level}: {finding_text(f)}")
        out.append(f"    source: {printable(f.source)}")
    return out


def _inputs_plain(report: Report) -> list[str]:
    assert report.baseline is not None
    changed = [c for c in report.baseline.runs if c.inputs]
    if not changed:
        return []
    out = ["", "Inputs changed"]
    out += [f"  {printable(c.name)}: {input_text(c)}" for c in changed]
    return out


def render_plain(report: Report) -> str:
    out = [_title(report), ""]
    if report.lines:
        rows = [["budget", "limit", "estimate", "headroom", "status"]]
        rows += [list(_cells(line)) for line in report.lines]
        out += _align(rows)
    else:
        out.append("  (no budgets in the plan)")
    out += ["", "Runs"] + _align(_run_rows(report))
    if report.baseline is not None:
        out += ["", f"Against {printable(report.baseline.source)}"] + _align(_change_rows(report))
        out += _inputs_plain(report)
        out += ["", change_sentence(report)]
    out += _findings_plain(report)
    out += [f"Note: {note}" for note in report.notes]
    out.append("Assumptions of each run: --format json.")
    return "\n".join(out) + "\n"


# -- Markdown ------------------------------------------------------------------------------


def _md_table(rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(md_cell(c) for c in rows[0]) + " |"]
    lines.append("|" + "---|" * len(rows[0]))
    lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in rows[1:]]
    return lines


def render_markdown(report: Report) -> str:
    status = report.status
    out = [f"### {ICONS[status]} costcalc check: {HEADLINES[status]}", ""]
    out.append(
        f"Plan `{md_cell(report.plan.source)}`: {len(report.runs)} runs, "
        f"{len(report.lines)} budgets."
    )
    if report.baseline is not None:
        out += ["", f"**{change_sentence(report)}**"]
    out.append("")
    if report.lines:
        rows = [["Budget", "Limit", "Estimate", "Headroom", "Status"]]
        for line in report.lines:
            cells = list(_cells(line))
            cells[-1] = f"{ICONS[line.status]} {line.status}"
            rows.append(cells)
        out += _md_table(rows) + [""]
    out += ["<details><summary>Runs</summary>", ""]
    runs = _run_rows(report)
    runs[0] = [c.capitalize() if c != "CO2e" else c for c in runs[0]]
    out += _md_table(runs) + ["", "</details>", ""]
    if report.baseline is not None:
        changes = _change_rows(report)
        changes[0] = ["Run", "Change", "Cost", "Cost %", "CO2e", "CO2e %", "Inputs changed"]
        for row, c in zip(changes[1:], [*report.baseline.runs, report.baseline.total], strict=True):
            row.append(input_text(c, "→"))
        out += [f"Against `{md_cell(report.baseline.source)}`:", ""] + _md_table(changes) + [""]
    if report.findings:
        out += ["**Inputs outside published practice or the plan's policy:**", ""]
        for f in report.findings:
            out.append(
                f"- {FINDING_ICONS[f.level]} {f.level}: {md_cell(finding_text(f))} "
                f"(source: {md_cell(f.source)})"
            )
        out.append("")
    out += [f"_{note}_" for note in report.notes]
    return "\n".join(out).rstrip("\n") + "\n"


# -- GitHub Actions ---------------------------------------------------------------------------


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _flagged(report: Report) -> list[BudgetLine]:
    """The budget lines over or near their limit."""
    return [line for line in report.lines if line.status != "ok"]


def budget_sentence(line: BudgetLine) -> str:
    """A budget over or near its limit, as one sentence with its headroom."""
    label, limit, estimate, headroom, _ = _cells(line)
    verb = "exceeds" if line.status == "over" else "is near"
    return f"{label}: {estimate} {verb} the budget of {limit} (headroom {headroom})"


def workflow_commands(report: Report) -> list[str]:
    """``::error``/``::warning`` workflow commands at the plan line of each budget."""
    out = []
    for line in _flagged(report):
        level = "error" if line.status == "over" else "warning"
        message = budget_sentence(line)
        props = (
            f"file={_escape_property(report.plan.source)},line={line.limit.line},"
            f"title={_escape_property('costcalc budget ' + line.status)}"
        )
        out.append(f"::{level} {props}::{_escape_data(message)}")
    for f in report.findings:
        level = "error" if f.level == "failure" else "warning"
        props = (
            f"file={_escape_property(report.plan.source)},line={f.line},"
            f"title={_escape_property('costcalc input ' + f.level)}"
        )
        out.append(f"::{level} {props}::{_escape_data(finding_text(f) + ' (' + f.source + ')')}")
    if report.baseline is not None:
        lines = {r.name: r.run.line for r in report.runs}
        for c in report.baseline.runs:
            if not c.inputs or c.name not in lines:
                continue
            props = (
                f"file={_escape_property(report.plan.source)},line={lines[c.name]},"
                f"title={_escape_property('costcalc inputs changed')}"
            )
            text = f"run {printable(c.name)}: {input_text(c)}"
            out.append(f"::notice {props}::{_escape_data(text)}")
    return out


def problem_commands(problems: list[str], source: str) -> list[str]:
    """An invalid plan's problems (each ``file:line: field: message``) as ``::error``
    workflow commands, every one of them (``source`` when a problem has no line)."""
    out = []
    for problem in problems:
        m = _PROBLEM.match(problem)
        if m is not None:
            props = f"file={_escape_property(m['file'])},line={m['line']}"
            message = m["message"]
        else:
            props, message = f"file={_escape_property(source)}", problem
        props += f",title={_escape_property('costcalc invalid plan')}"
        out.append(f"::error {props}::{_escape_data(printable(message))}")
    return out


def problems_markdown(problems: list[str], source: str) -> str:
    """The step summary of an invalid plan: every problem, one per line."""
    out = ["### ❌ costcalc check: invalid plan", ""]
    out.append(f"Plan `{md_cell(source)}`: {len(problems)} problem{'s' * (len(problems) != 1)}.")
    out.append("")
    out += [f"- `{md_cell(p)}`" if "`" not in p else f"- {md_cell(p)}" for p in problems]
    return "\n".join(out) + "\n"


_PROBLEM = re.compile(r"^(?P<file>.+?):(?P<line>[0-9]+): (?P<message>.*)$", re.DOTALL)


def render_github(report: Report) -> str:
    """The plain report, then the annotations. GitHub reads any log line that starts with
    ``::`` as a command, so the report (which quotes run names, file names) is wrapped in
    ``::stop-commands::`` with a token derived from it: nothing in it can end the block."""
    import hashlib

    plain = render_plain(report)
    token = "costcalc-" + hashlib.sha256(plain.encode("utf-8", "replace")).hexdigest()[:32]
    return f"::stop-commands::{token}\n{plain}::{token}::\n" + "".join(
        a + "\n" for a in workflow_commands(report)
    )


# -- JSON ----------------------------------------------------------------------------------


def _fields(values: dict[str, float | None]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for metric, (_kind, _key, name, unit) in METRICS.items():
        value = values.get(metric)
        out[name] = None if value is None else float(convert(value, unit))
    return out


def _change_dict(change: Change) -> dict[str, Any]:
    delta: dict[str, float | None] = {}
    fraction: dict[str, float | None] = {}
    for metric, (_kind, _key, name, unit) in METRICS.items():
        d = change.delta(metric)
        delta[name] = None if d is None else float(convert(d, unit))
        fraction[name] = change.delta_fraction(metric)
    return {
        "name": change.name,
        "state": change.state,
        "before": _fields(change.before),
        "after": _fields(change.after),
        "delta": delta,
        "delta_fraction": fraction,
        "inputs": [{"name": c.name, "before": c.before, "after": c.after} for c in change.inputs],
    }


def to_dict(report: Report, strict: bool = False) -> dict[str, Any]:
    """The stable JSON document (README, "JSON report")."""
    budgets = []
    for line in report.lines:
        lim = line.limit
        unit = METRICS[lim.metric][3]
        budgets.append(
            {
                "scope": lim.scope,
                "metric": lim.metric,
                "kind": lim.kind,
                "unit": unit,
                "limit": float(convert(line.allowed, unit)),
                "limit_text": lim.text,
                "max_increase_fraction": lim.fraction,
                "baseline": None if line.baseline is None else float(convert(line.baseline, unit)),
                "estimate": float(convert(line.value, unit)),
                "headroom": float(convert(line.headroom, unit)),
                "headroom_fraction": line.headroom_fraction,
                "warn_at": lim.warn_at,
                "status": line.status,
                "line": lim.line,
            }
        )
    doc: dict[str, Any] = {
        "schema": REPORT_SCHEMA,
        "costcalc": __version__,
        "plan": report.plan.source,
        "status": report.status,
        "verdict": "fail" if report.exit_code(strict) else "pass",
        "strict": strict,
        "exit_code": report.exit_code(strict),
        "budgets": budgets,
        "total": _fields(report.totals),
        "runs": [
            {
                "name": r.name,
                "repeats": r.run.repeats,
                "line": r.run.line,
                "total": _fields(r.totals),
                "assumed": assumed(r),
                "estimate": estimate_dict(r.estimate),
            }
            for r in report.runs
        ],
        "findings": [
            {
                "run": f.run,
                "input": f.input,
                "level": f.level,
                "rule": f.rule,
                "message": f.message,
                "source": f.source,
                "line": f.line,
            }
            for f in report.findings
        ],
        "baseline": None,
        "notes": list(report.notes),
    }
    if report.baseline is not None:
        doc["baseline"] = {
            "source": report.baseline.source,
            "summary": change_sentence(report),
            "runs": [_change_dict(c) for c in report.baseline.runs],
            "total": _change_dict(report.baseline.total),
        }
    return doc


def render_json(report: Report, strict: bool = False) -> str:
    return json_text(to_dict(report, strict))


# -- Hugging Face model card ---------------------------------------------------------------


def _hardware_used(report: Report) -> str:
    parts = []
    for r in report.runs:
        devices = r.estimate.assumption("devices").base
        text = f"{sig(devices)} x {r.estimate.hardware.display_name}"
        if r.run.repeats > 1:
            text += f" ({r.run.repeats} runs)"
        parts.append(text)
    return "; ".join(dict.fromkeys(parts))


def render_hf_card(report: Report) -> str:
    """The ``co2_eq_emissions`` block of a Hugging Face model card (emissions in grams);
    keys as documented at https://huggingface.co/docs/hub/model-cards-co2."""
    import yaml

    co2e = report.totals["co2e"]
    block: dict[str, Any] = {
        "emissions": round(float(convert(co2e, "g")), 1) if co2e is not None else None,
        "source": f"costcalc {__version__} estimate from {report.plan.source} "
        "(compute x power x PUE x grid carbon intensity; not measured)",
    }
    types = [r.run.training_type for r in report.runs if r.run.training_type]
    if types:
        block["training_type"] = ", ".join(dict.fromkeys(types))
    block["geographical_location"] = "; ".join(dict.fromkeys(r.location for r in report.runs))
    block["hardware_used"] = _hardware_used(report)
    text = yaml.safe_dump(
        {"co2_eq_emissions": block}, sort_keys=False, allow_unicode=True, width=1000
    )
    return str(text)


# -- LaTeX ---------------------------------------------------------------------------------

_LATEX = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_RE = re.compile("|".join(re.escape(k) for k in _LATEX))


def latex_escape(text: str) -> str:
    return _LATEX_RE.sub(lambda m: _LATEX[m.group()], text)


def _latex_number(text: str) -> str:
    """``1.43e20`` -> ``$1.43\\times10^{20}$``; ``1,230`` -> ``1{,}230``."""
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"${mantissa}\\times10^{{{int(exponent)}}}$"
    return text.replace(",", "{,}")


def _latex_show(metric: str, value: float | None) -> str:
    text = show(metric, value)
    number, _, unit = text.partition(" ")
    if metric == "cost":
        return r"\$" + _latex_number(text.lstrip("$"))
    unit = unit.replace("CO2e", r"CO\textsubscript{2}e")
    return f"{_latex_number(number)} {unit}"


def render_latex(report: Report) -> str:
    """One sentence for a paper's compute statement, with the numbers."""
    t = report.totals
    executions = sum(r.run.repeats for r in report.runs)
    hardware = ", ".join(dict.fromkeys(r.estimate.hardware.display_name for r in report.runs))
    n = len(report.runs)
    sentence = (
        f"We estimate that the training runs of this work ({n} run{'s' * (n != 1)}, "
        f"{executions} execution{'s' * (executions != 1)} in total, on "
        f"{latex_escape(hardware)}) used {_latex_show('flops', t['flops'])}, "
        f"{_latex_show('device_hours', t['device_hours'])} and "
        f"{_latex_show('energy', t['energy'])} of electricity (including data-centre "
        f"overhead), emitting about {_latex_show('co2e', t['co2e'])}"
    )
    if t["cost"] is not None:
        sentence += f" at an estimated cloud cost of {_latex_show('cost', t['cost'])}"
    sentence += (
        f". Estimates by costcalc {__version__} from {latex_escape(report.plan.source)}; "
        "every assumption and its source is listed in its JSON report."
    )
    return sentence + "\n"


def render(report: Report, output_format: str, strict: bool = False) -> str:
    finite.require_finite(to_dict(report, strict))  # the one check, before any format
    if output_format == "json":
        return render_json(report, strict)
    if output_format == "markdown":
        return render_markdown(report)
    if output_format == "github":
        return render_github(report)
    if output_format == "hf-card":
        return render_hf_card(report)
    if output_format == "latex":
        return render_latex(report)
    if output_format == "gitlab":
        return render_gitlab(report, strict)
    return render_plain(report)


def github_outputs(report: Report, strict: bool = False) -> dict[str, str]:
    """The step outputs ``check --format github`` appends to ``$GITHUB_OUTPUT``."""
    totals = _fields(report.totals)

    def number(value: float | None) -> str:
        return "" if value is None else repr(float(value))

    return {
        "verdict": "fail" if report.exit_code(strict) else "pass",
        "status": report.status,
        "cost_usd": number(totals["cost_usd"]),
        "co2e_kg": number(totals["co2e_kg"]),
    }


# -- GitLab Code Quality ----------------------------------------------------------------------

SEVERITIES = {"warn": "minor", "over": "major", "warning": "minor", "failure": "major"}


def _fingerprint(*parts: str) -> str:
    import hashlib

    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()


def _issue(
    check: str, description: str, severity: str, path: str, line: int, key: str
) -> dict[str, Any]:
    return {
        "description": printable(description),
        "check_name": check,
        "fingerprint": _fingerprint(check, path, key),
        "severity": severity,
        "location": {"path": path, "lines": {"begin": max(line, 1)}},
    }


def gitlab_issues(report: Report, strict: bool = False) -> list[dict[str, Any]]:
    """GitLab Code Quality issues: a budget over or near its limit, an implausible input
    or a failed policy rule, at its plan line. The fingerprint is stable across numbers
    (scope, metric, run, input), so GitLab tracks an issue from one pipeline to the next."""
    path = report.plan.source
    out = []
    for line in _flagged(report):
        severity = SEVERITIES[line.status]
        if strict and line.status == "warn":
            severity = "major"
        out.append(
            _issue(
                f"costcalc-budget-{line.status}",
                budget_sentence(line),
                severity,
                path,
                line.limit.line,
                f"{line.limit.scope}/{line.limit.metric}/{line.limit.kind}",
            )
        )
    for f in report.findings:
        out.append(
            _issue(
                f"costcalc-input-{f.rule}",
                f"{finding_text(f)} (source: {f.source})",
                SEVERITIES[f.level],
                path,
                f.line,
                f"{f.run}/{f.input}/{f.rule}",
            )
        )
    return out


def problems_gitlab(problems: list[str], source: str) -> str:
    """An invalid plan as GitLab Code Quality issues (``blocker``), one per problem."""
    issues = []
    for problem in problems:
        m = _PROBLEM.match(problem)
        path, line, message = (
            (m["file"], int(m["line"]), m["message"]) if m else (source, 1, problem)
        )
        issues.append(_issue("costcalc-invalid-plan", message, "blocker", path, line, message))
    return json_text(issues)


def render_gitlab(report: Report, strict: bool = False) -> str:
    return json_text(gitlab_issues(report, strict))
