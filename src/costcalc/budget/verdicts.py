"""A plan evaluated: every run's estimate, the totals, a verdict per budget, against a
baseline when one is given (``evaluate``, ``check``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from costcalc import inputs as registry
from costcalc.budget.baseline import _baseline_from_text, _load_baseline, compare
from costcalc.budget.plan import find_plan, load_plan
from costcalc.budget.report import BudgetLine, Report
from costcalc.budget.totals import assumed, evaluate_run, plan_totals
from costcalc.errors import InputError, ref

if TYPE_CHECKING:
    from costcalc.budget.plan import Limit, Plan
    from costcalc.budget.report import Baseline, Change
    from costcalc.config import Settings
    from costcalc.profiles import Catalog


def evaluate(
    plan: Plan,
    before: dict[str, dict[str, float | None]] | None = None,
    baseline_source: str = "",
    settings: Settings | None = None,
    catalog: Catalog | None = None,
    before_inputs: dict[str, dict[str, str]] | None = None,
    strict: bool = False,
) -> Report:
    """Every run's estimate, the totals, and a verdict per budget; ``before`` holds the
    baseline's run totals by name (``""``: the plan total), see :func:`load_baseline`;
    ``before_inputs`` its runs' inputs as people read them (:func:`assumed`). Inputs
    outside published practice or the plan's policy are ``findings``
    (:mod:`costcalc.plausibility`); ``strict`` (the report's verdict) fails on warnings."""
    results = [evaluate_run(run, plan.doc, settings, catalog) for run in plan.runs]
    totals = plan_totals(results)
    from costcalc import finite

    for metric, value in totals.items():
        finite.checked(
            value,
            f"the plan's total {metric} (the sum over {len(results)} runs)",
            f"{plan.source}: runs",
        )
    baseline = None
    if before is not None:
        baseline = compare(
            before,
            {r.name: r.totals for r in results},
            baseline_source,
            before_inputs,
            {r.name: assumed(r) for r in results},
        )
    by_name = {r.name: r for r in results}
    notes: list[str] = []
    lines: list[BudgetLine] = []
    for limit in plan.limits:
        current = totals if limit.scope == "plan" else by_name[limit.scope].totals
        value = current[limit.metric]
        if value is None and limit.every:
            continue
        if value is None:
            run = next((r for r in results if r.totals[limit.metric] is None), results[0])
            raise InputError(
                f"a {limit.metric} budget needs a price for every run, and run "
                f"'{run.name}' ({run.estimate.hardware.name}) has none; give price: (USD/hour)",
                f"{plan.doc.where(run.run.path)}: runs.{run.name}",
            )
        if limit.kind == "limit":
            assert limit.limit is not None
            lines.append(_verdict(limit, limit.limit, value))
            continue
        if baseline is None:
            continue
        change = baseline.total if limit.scope == "plan" else _change_of(baseline, limit.scope)
        old = change.before.get(limit.metric) if change and change.state != "added" else None
        if old is None:
            notes.append(
                f"run '{limit.scope}' is not in the baseline: its {limit.metric} max_increase "
                "is not checked"
            )
            continue
        allowed = limit.limit if limit.limit is not None else (limit.fraction or 0.0) * old
        lines.append(_verdict(limit, allowed, value - old, baseline=old))
    for line in lines:
        _check_line(line, plan)
    # The feasibility rule (consistent with estimate's memory warning): a run whose
    # training state (or, with arch, memory per device by part) does not fit fails the plan.
    infeasible = []
    for r in results:
        feasibility = r.estimate.sections.get("feasibility")
        if feasibility is not None and not feasibility["fits"]:
            infeasible.append(r.name)
            need = feasibility["devices"]
            notes.append(
                f"infeasible: run '{r.name}' does not fit in the memory of "
                f"{r.estimate.hardware.name} as laid out"
                + (f" (at least {need:g} devices are needed)" if need else "")
                + "; see its estimate's memory note"
            )
    if baseline is None and any(lim.kind == "max_increase" for lim in plan.limits):
        notes.append(f"max_increase budgets are checked only with {ref('baseline')}")
    from costcalc.plausibility import Policy, review

    findings = review(results, plan.doc, plan.policy or Policy())
    return Report(
        plan,
        results,
        totals,
        lines,
        baseline,
        list(dict.fromkeys(notes)),
        findings,
        strict or bool(plan.policy and plan.policy.strict),
        infeasible,
    )


def _check_line(line: BudgetLine, plan: Plan) -> None:
    """A verdict whose numbers (the increase, the headroom as a fraction of the limit)
    overflow is refused, naming the budget: a limit of 1e-320 USD is no budget."""
    from costcalc import finite

    limit = line.limit
    where = f"{plan.source}:{limit.line}: budgets.{limit.metric}"
    numbers = (line.allowed, line.value, line.headroom, line.headroom_fraction)
    if not all(finite.is_finite(x) for x in numbers):
        raise InputError(
            f"the {limit.metric} budget {limit.text!r} overflows when compared with the estimate: "
            f"the budget is {finite.TOO_BIG}",
            where,
        )


def _change_of(baseline: Baseline, name: str) -> Change | None:
    return next((c for c in baseline.runs if c.name == name), None)


def _verdict(
    limit: Limit, allowed: float, value: float, baseline: float | None = None
) -> BudgetLine:
    if value > allowed:
        status = "over"
    elif limit.warn_at is not None and value >= limit.warn_at * allowed:
        status = "warn"
    else:
        status = "ok"
    return BudgetLine(limit, allowed, value, status, baseline)


def check(
    plan: str | Path | None = None,
    baseline: str | Path | None = None,
    settings: Settings | None = None,
    catalog: Catalog | None = None,
    strict: bool = False,
) -> Report:
    """Load and evaluate a plan (``costcalc.yaml`` by default), optionally against a
    baseline: an older plan, a JSON report of ``costcalc check --format json``, or
    ``git:REF``, the plan as it was at a git ref (``git:main``, ``git:HEAD~1``).
    ``settings`` (the user file's defaults: ``load_settings(project=False)``) apply under
    the plan's own ``defaults:``; ``catalog`` resolves the user's own profiles; ``strict``
    makes implausible inputs failures."""
    registry.check_values(dict(plan=plan, baseline=baseline, settings=settings, catalog=catalog))
    registry.check_values(dict(strict=strict))
    path = find_plan(plan)
    plan_obj = load_plan(path)
    if baseline is None:
        return evaluate(plan_obj, settings=settings, catalog=catalog, strict=strict)
    from costcalc import gitref

    if gitref.is_git(str(baseline)):
        text, source = gitref.read_at_ref(str(baseline), path)
        before, before_inputs = _baseline_from_text(text, Path(source), settings, catalog)
    else:
        before, before_inputs = _load_baseline(baseline, settings, catalog)
    return evaluate(
        plan_obj, before, str(baseline), settings, catalog, before_inputs, strict=strict
    )
