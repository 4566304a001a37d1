"""Plan files and budget verdicts: ``costcalc.yaml`` -> runs -> totals -> ok / warn / over.

A plan names training runs (work, hardware, overrides, ``repeats``) and budgets on the
plan's total or on one run. Each run is one call to :func:`costcalc.estimate`;
its outputs times ``repeats`` are the run's total; the plan's total is the sum over runs.
The wall-clock counts repeats one after another unless ``concurrency`` runs them side by
side, and runs one after another unless they share a ``group`` (then the longest counts).

Every problem in a plan is reported as ``file:line: field: message``; a plan with a typo
is an error (exit 2), never "over budget". The schema is documented in
``costcalc/data/plan.schema.json``; the validation here is hand-written for the messages.

One module per job, imports pointing down: ``plan`` (the plan file read into runs and
budgets), ``report`` (what a check answers: results, verdicts, changes, the report),
``totals`` (one run's estimate and totals, the plan's totals), ``baseline`` (a baseline
read, and the changes against it), ``verdicts`` (the plan evaluated, ``check``), ``files``
(a starter plan, GitHub outputs and step summaries). This package exposes what the CLI,
the renderers and the tests use.
"""

from __future__ import annotations

from costcalc.budget.baseline import compare, input_changes, load_baseline
from costcalc.budget.files import append_outputs, append_summary, starter_plan, write_new
from costcalc.budget.plan import (
    INPUTS,
    METRICS,
    PLAN_FILE,
    RUN_KEYS,
    SHAPE_KEYS,
    WORK_KEYS,
    Limit,
    Plan,
    Run,
    find_plan,
    load_plan,
    parse_plan,
)
from costcalc.budget.report import (
    REPORT_SCHEMA,
    Baseline,
    BudgetLine,
    Change,
    InputChange,
    Report,
    RunResult,
)
from costcalc.budget.totals import assumed, evaluate_run, plan_totals
from costcalc.budget.verdicts import _verdict as _verdict  # the verdict rule, for tests
from costcalc.budget.verdicts import check, evaluate

__all__ = [
    "INPUTS",
    "METRICS",
    "PLAN_FILE",
    "REPORT_SCHEMA",
    "RUN_KEYS",
    "SHAPE_KEYS",
    "WORK_KEYS",
    "Baseline",
    "BudgetLine",
    "Change",
    "InputChange",
    "Limit",
    "Plan",
    "Report",
    "Run",
    "RunResult",
    "append_outputs",
    "append_summary",
    "assumed",
    "check",
    "compare",
    "evaluate",
    "evaluate_run",
    "find_plan",
    "input_changes",
    "load_baseline",
    "load_plan",
    "parse_plan",
    "plan_totals",
    "starter_plan",
    "write_new",
]
