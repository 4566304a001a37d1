"""Baselines: an older plan, a JSON report or a plan at a git ref, read into run totals
(``load_baseline``), and the changes against them (``compare``, ``input_changes``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from costcalc import yamlio
from costcalc.budget.plan import METRICS, parse_plan
from costcalc.budget.report import REPORT_SCHEMA, Baseline, Change, InputChange
from costcalc.budget.totals import _sum, assumed, evaluate_run, plan_totals
from costcalc.errors import DataError, InputError, ref
from costcalc.units import parse_quantity

if TYPE_CHECKING:
    from costcalc.config import Settings
    from costcalc.profiles import Catalog


def load_baseline(
    path: str | Path, settings: Settings | None = None, catalog: Catalog | None = None
) -> dict[str, dict[str, float | None]]:
    """Run totals by name (and ``""`` for the plan total) from a plan or a JSON report."""
    return _load_baseline(path, settings, catalog)[0]


Totals = dict[str, dict[str, float | None]]


def _load_baseline(
    path: str | Path, settings: Settings | None = None, catalog: Catalog | None = None
) -> tuple[Totals, dict[str, dict[str, str]] | None]:
    """Run totals, and each run's inputs as people read them (None: a report without)."""
    path = Path(path)
    where = f"{ref('baseline')} {path}"
    try:
        text = yamlio.read_text(path, "baseline")
    except DataError as e:
        raise InputError(e.message, where) from None
    return _baseline_from_text(text, path, settings, catalog)


def _baseline_from_text(
    text: str, path: Path, settings: Settings | None, catalog: Catalog | None
) -> tuple[Totals, dict[str, dict[str, str]] | None]:
    doc = _baseline_doc(text, path)
    if isinstance(doc.data, dict) and "schema" in doc.data:
        return _report_totals(doc), _report_inputs(doc)
    plan = parse_plan(doc)
    results = [evaluate_run(run, plan.doc, settings, catalog) for run in plan.runs]
    out = {r.name: r.totals for r in results}
    out[""] = plan_totals(results)
    return out, {r.name: assumed(r) for r in results}


def _report_inputs(doc: yamlio.Document) -> dict[str, dict[str, str]] | None:
    """``runs[].assumed`` of a JSON report (None when a run has none: an older report)."""
    out: dict[str, dict[str, str]] = {}
    for i, run in enumerate(doc.data.get("runs") or []):
        raw = run.get("assumed") if isinstance(run, dict) else None
        if raw is None:
            return None
        if not isinstance(raw, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
        ):
            raise DataError(
                "assumed: expected a mapping of input names to text",
                doc.where(("runs", i, "assumed")),
            )
        out[str(run["name"])] = raw
    return out


def _baseline_doc(text: str, path: Path) -> yamlio.Document:
    """A ``.json`` file (a saved report) is read as JSON, by a JSON parser: YAML 1.1
    reads ``1e+21``, as Python writes large floats, as text. Other files are YAML (an
    older plan), unless they begin with ``{`` and are valid JSON."""
    if path.suffix.lower() == ".json":
        return yamlio.load_json(text, str(path))
    if text.lstrip("\ufeff \t\r\n").startswith("{"):
        try:
            return yamlio.load_json(text, str(path))
        except DataError as e:
            if "invalid JSON" not in e.message:
                raise
    return yamlio.load(text, str(path))


def _report_totals(doc: yamlio.Document) -> dict[str, dict[str, float | None]]:
    data = doc.data
    if data.get("schema") != REPORT_SCHEMA:
        raise DataError(
            f"unknown report schema {data.get('schema')!r}; expected {REPORT_SCHEMA!r} "
            "(from 'costcalc check --format json')",
            doc.where(("schema",)),
        )

    def fields(raw: Any, path: tuple[Any, ...]) -> dict[str, float | None]:
        if not isinstance(raw, dict):
            raise DataError("expected a mapping of totals", doc.where(path))
        out: dict[str, float | None] = {}
        for metric, (kind, _key, name, unit) in METRICS.items():
            value = raw.get(name)
            if value is None:
                out[metric] = None
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise DataError(f"{name}: expected a number", doc.where((*path, name)))
            try:
                out[metric] = parse_quantity(f"{float(value)!r} {unit}", kind, allow_zero=True)
            except InputError as e:
                raise DataError(f"{name}: {e.message}", doc.where((*path, name))) from None
        return out

    runs = data.get("runs")
    if not isinstance(runs, list):
        raise DataError("runs: expected a list", doc.where(("runs",)))
    totals: dict[str, dict[str, float | None]] = {}
    for i, run in enumerate(runs):
        if not isinstance(run, dict) or not isinstance(run.get("name"), str):
            raise DataError("expected a run with a name", doc.where(("runs", i)))
        totals[run["name"]] = fields(run.get("total"), ("runs", i, "total"))
    totals[""] = fields(data.get("total"), ("total",))
    return totals


def compare(
    before: dict[str, dict[str, float | None]],
    after: dict[str, dict[str, float | None]],
    source: str = "",
    before_inputs: dict[str, dict[str, str]] | None = None,
    after_inputs: dict[str, dict[str, str]] | None = None,
) -> Baseline:
    """Changes per run (matched by name) and in total; with both ``*_inputs``, each
    changed run lists the inputs that differ."""
    empty: dict[str, float | None] = dict.fromkeys(METRICS, 0.0)
    changes: list[Change] = []
    for name in [*after, *(n for n in before if n not in after and n)]:
        if not name:
            continue
        old, new = before.get(name), after.get(name)
        state = (
            "added"
            if old is None
            else "removed"
            if new is None
            else "unchanged"
            if old == new
            else "changed"
        )
        diff: list[InputChange] = []
        if before_inputs is not None and after_inputs is not None and old and new:
            diff = input_changes(before_inputs.get(name, {}), after_inputs.get(name, {}))
            if diff and state == "unchanged":
                state = "changed"
        changes.append(Change(name, state, old or empty, new or empty, diff))
    total_before = before.get("") or _sum(v for k, v in before.items() if k)
    total_after = _sum(after.values())
    state = "unchanged" if total_before == total_after else "changed"
    return Baseline(
        source=source, runs=changes, total=Change("total", state, total_before, total_after)
    )


def input_changes(before: dict[str, str], after: dict[str, str]) -> list[InputChange]:
    """The inputs whose text differs, in the order the run lists them."""
    names = [*after, *(n for n in before if n not in after)]
    return [
        InputChange(n, before.get(n), after.get(n)) for n in names if before.get(n) != after.get(n)
    ]
