"""What a check answers: one run's result, a budget's verdict, the changes against a
baseline, the report and its status."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from costcalc.results import Estimate

if TYPE_CHECKING:
    from costcalc.budget.plan import Limit, Plan, Run
    from costcalc.plausibility import Finding

REPORT_SCHEMA = "costcalc/check/1"
STATUSES = ("ok", "warn", "over", "fail")


@dataclass
class RunResult:
    run: Run
    estimate: Estimate  # one repeat
    totals: dict[str, float | None]  # metric -> base units, all repeats

    @property
    def name(self) -> str:
        return self.run.name

    @property
    def location(self) -> str:
        """Where the run's grid is, as a person reads it (for model cards)."""
        from costcalc.tables import defaults, find_region

        if "carbon_intensity" in self.run.inputs:
            return f"unspecified grid at {self.estimate.assumption('carbon_intensity').text}"
        region = find_region(str(self.run.inputs.get("region") or defaults()["region"]))
        return region.name if region.id != "world" else "world average grid"


@dataclass
class BudgetLine:
    """One verdict: ``estimate`` (or the increase) against ``limit``; base units."""

    limit: Limit
    allowed: float  # the limit in base units (a max_increase percentage resolved)
    value: float  # the estimate, or the increase over the baseline
    status: str  # ok / warn / over
    baseline: float | None = None

    @property
    def headroom(self) -> float:
        return self.allowed - self.value

    @property
    def headroom_fraction(self) -> float | None:
        return self.headroom / self.allowed if self.allowed > 0 else None


@dataclass(frozen=True)
class InputChange:
    """One input or assumption of a run that differs from the baseline's, as people read
    it (``utilization: 40% -> 90%``); ``None``: the side does not have it."""

    name: str
    before: str | None
    after: str | None


@dataclass
class Change:
    """A run (or the total) against the baseline: ``delta`` per metric, base units, and
    the inputs that changed (empty for the total, or when the baseline has none)."""

    name: str
    state: str  # "added", "removed", "changed", "unchanged"
    before: dict[str, float | None]
    after: dict[str, float | None]
    inputs: list[InputChange] = field(default_factory=list)

    def delta(self, metric: str) -> float | None:
        a, b = self.after.get(metric), self.before.get(metric)
        if a is None or b is None:
            return None
        return a - b

    def delta_fraction(self, metric: str) -> float | None:
        d, b = self.delta(metric), self.before.get(metric)
        if d is None or not b:
            return None
        fraction = d / b
        return fraction if math.isfinite(fraction) else None


@dataclass
class Baseline:
    source: str
    runs: list[Change]
    total: Change


@dataclass
class Report:
    plan: Plan
    runs: list[RunResult]
    totals: dict[str, float | None]
    lines: list[BudgetLine]
    baseline: Baseline | None = None
    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    strict: bool = False  # warnings fail (--strict, or the plan's policy: strict)
    infeasible: list[str] = field(default_factory=list)  # runs that do not fit in memory
    allow_infeasible: bool = False  # then they are a warning, not a failure

    @property
    def status(self) -> str:
        """ok / warn / over from the budgets; an implausible input is at least "warn", a
        failed policy rule (or, with --strict, an implausible input) "fail"; a run that
        does not fit in memory "infeasible" (a warning with allow_infeasible)."""
        found = ["fail" if f.level == "failure" else "warn" for f in self.findings]
        statuses = [line.status for line in self.lines] + found
        status = max(statuses, key=STATUSES.index, default="ok")
        if self.infeasible and not self.allow_infeasible:
            return "infeasible"
        if self.infeasible and status == "ok":
            return "warn"
        return status

    def exit_code(self, strict: bool = False) -> int:
        """0 within budget; 1 a budget exceeded, a policy failed, a run that does not fit
        in memory (or, with ``strict``, a warning)."""
        if self.infeasible and (strict or not self.allow_infeasible):
            return 1
        failing = {"over", "warn", "fail"} if strict else {"over", "fail"}
        return 1 if self.status in failing else 0

    @property
    def verdict(self) -> str:
        """``pass`` or ``fail`` as CI reads it (with the strictness the report was made)."""
        return "fail" if self.exit_code(self.strict) else "pass"
