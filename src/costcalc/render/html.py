"""``costcalc check --format html``: one self-contained page for a CI artifact or a PR link.

Each budget is a bar against its limit, then the baseline diff (with the inputs that
changed), the inputs outside published practice, and every run's assumptions with their
sources. No network and no script: inline CSS only, and a Content-Security-Policy that
forbids loading anything. Every text from the plan is escaped.
"""

from __future__ import annotations

from html import escape

from costcalc import __version__
from costcalc.budget import BudgetLine, Report
from costcalc.errors import printable

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:60rem;padding:0 1rem;color:#1b1f24;background:#fff}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
.status{display:inline-block;padding:.1rem .6rem;border-radius:1rem;font-weight:600}
.ok{background:#dafbe1}.warn{background:#fff8c5}.over,.fail{background:#ffebe9}
.budget{margin:.8rem 0}.budget .label{display:flex;justify-content:space-between;gap:1rem}
.track{position:relative;height:1rem;background:#eaeef2;border-radius:.5rem;overflow:hidden}
.fill{height:100%;border-radius:.5rem}.fill.ok{background:#2da44e}
.fill.warn{background:#d4a72c}.fill.over{background:#cf222e}
.mark{position:absolute;top:0;bottom:0;width:2px;background:#57606a}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;white-space:nowrap}
.source{color:#57606a;font-size:.85em}footer{margin-top:2rem;color:#57606a;font-size:.85em}
"""


def _e(text: object) -> str:
    return escape(printable(str(text)), quote=True)


def _bar(line: BudgetLine) -> str:
    from costcalc.render.check import _cells

    label, limit, estimate, headroom, status = _cells(line)
    share = line.value / line.allowed if line.allowed > 0 else (1.0 if line.value > 0 else 0.0)
    width = max(0.0, min(share, 1.0)) * 100
    mark = ""
    if line.limit.warn_at is not None:
        mark = f'<div class="mark" style="left:{min(line.limit.warn_at, 1.0) * 100:.1f}%"></div>'
    return (
        f'<div class="budget" data-status="{_e(status)}" data-share="{share:.6g}">'
        f'<div class="label"><span>{_e(label)}</span>'
        f"<span>{_e(estimate)} of {_e(limit)} · headroom {_e(headroom)} "
        f'<span class="status {_e(status)}">{_e(status)}</span></span></div>'
        f'<div class="track" role="meter" aria-valuenow="{width:.1f}" aria-valuemin="0" '
        f'aria-valuemax="100" aria-label="{_e(label)}">'
        f'<div class="fill {_e(status)}" style="width:{width:.1f}%"></div>{mark}</div></div>'
    )


def _table(rows: list[list[str]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{_e(c)}</th>" for c in rows[0])
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{_e(c)}</td>' if i in numeric else f"<td>{_e(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows[1:]
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: Report, strict: bool = False) -> str:
    from costcalc.render.check import (
        HEADLINES,
        _change_rows,
        _run_rows,
        change_sentence,
        finding_text,
        input_text,
    )

    status = report.status
    verdict = "fail" if report.exit_code(strict) else "pass"
    title = f"costcalc check: {report.plan.source}: {HEADLINES[status]}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>costcalc check: <code>{_e(report.plan.source)}</code> "
        f'<span id="verdict" class="status {_e(status)}" data-verdict="{verdict}">'
        f"{_e(HEADLINES[status])}</span></h1>",
        f"<p>{len(report.runs)} runs, {len(report.lines)} budgets; verdict: "
        f"<strong>{verdict}</strong>{' (strict)' if strict else ''}.</p>",
        '<h2>Budgets</h2><section id="budgets">',
    ]
    out += [_bar(line) for line in report.lines] or ["<p>No budgets in the plan.</p>"]
    out.append("</section>")
    if report.baseline is not None:
        rows = _change_rows(report)
        rows[0] = ["Run", "Change", "Cost", "Cost %", "CO2e", "CO2e %", "Inputs changed"]
        for row, c in zip(rows[1:], [*report.baseline.runs, report.baseline.total], strict=True):
            row.append(input_text(c, "→"))
        out += [
            f'<h2>Against <code>{_e(report.baseline.source)}</code></h2><section id="baseline">',
            f"<p><strong>{_e(change_sentence(report))}</strong></p>",
            _table(rows, {2, 3, 4, 5}),
            "</section>",
        ]
    if report.findings:
        out.append('<h2>Inputs outside published practice or the policy</h2><ul id="findings">')
        for f in report.findings:
            out.append(
                f'<li class="{_e(f.level)}"><strong>{_e(f.level)}</strong>: '
                f'{_e(finding_text(f))}<br><span class="source">source: {_e(f.source)}</span></li>'
            )
        out.append("</ul>")
    out += ['<h2>Runs</h2><section id="runs">', _table(_run_rows(report), {1, 3, 4, 5, 6, 7, 8})]
    out.append('</section><h2>Assumptions</h2><section id="assumptions">')
    for r in report.runs:
        rows = [["Input", "Value", "Origin", "Source"]]
        rows += [[a.name, a.text, a.origin, a.source] for a in r.estimate.assumptions]
        out += [f"<h3>{_e(r.name)}</h3>", _table(rows)]
    out.append("</section>")
    out += [f"<p><em>{_e(note)}</em></p>" for note in report.notes]
    out.append(f"<footer>costcalc {_e(__version__)}: estimates, not measurements.</footer>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
