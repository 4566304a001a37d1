"""Plan files and budget verdicts: ``costcalc.yaml`` -> runs -> totals -> ok / warn / over.

A plan names training runs (work, hardware, overrides, ``repeats``) and budgets on the
plan's total or on one run. Each run is one call to :func:`costcalc.estimate`;
its outputs times ``repeats`` are the run's total; the plan's total is the sum over runs.
The wall-clock counts repeats one after another unless ``concurrency`` runs them side by
side, and runs one after another unless they share a ``group`` (then the longest counts).

Every problem in a plan is reported as ``file:line: field: message``; a plan with a typo
is an error (exit 2), never "over budget". The schema is documented in
``costcalc/data/plan.schema.json``; the validation here is hand-written for the messages.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costcalc import inputs as registry
from costcalc import yamlio
from costcalc.errors import (
    CostcalcError,
    DataError,
    InputError,
    ref,
    spelling,
)
from costcalc.results import Estimate, given_in
from costcalc.units import parse_quantity
from costcalc.yamlio import Problems

if TYPE_CHECKING:
    from costcalc.config import Settings
    from costcalc.plausibility import Finding, Policy
    from costcalc.profiles import Catalog

PLAN_FILE = "costcalc.yaml"
REPORT_SCHEMA = "costcalc/check/1"

# metric -> (unit kind of a limit, key in Estimate.outputs, JSON field, JSON unit)
METRICS: dict[str, tuple[str, str, str, str]] = {
    "flops": ("compute", "flops", "flops", "FLOP"),
    "wall_clock": ("time", "wall_clock", "wall_clock_hours", "hour"),
    "device_hours": ("time", "device_time", "device_hours", "hour"),
    "energy": ("energy", "energy", "energy_kwh", "kWh"),
    "cost": ("money", "cost", "cost_usd", "USD"),
    "co2e": ("mass", "co2e", "co2e_kg", "kg"),
}
# Estimate inputs a plan may give in `defaults:` or on a run: plan key -> estimate keyword.
INPUTS = tuple(
    name for name in registry.accepted(registry.PLAN) if registry.INPUTS[name].panel != "Work"
)
# How a run's repeats and the runs themselves are scheduled: read by the plan, not the estimate.
SHAPE_KEYS = ("repeats", "concurrency", "group")
WORK_KEYS = tuple(
    name
    for name in registry.accepted(registry.PLAN)
    if registry.INPUTS[name].panel == "Work" and name not in SHAPE_KEYS
)
RUN_KEYS = (*INPUTS, *WORK_KEYS, *SHAPE_KEYS, "budgets", "description", "training_type")
# The ways a run gives its work (one of them).
WORKS = ("run", "flops", "params", "device_hours", "duration")
TOP_KEYS = ("version", "defaults", "runs", "budgets", "policy")
BUDGET_ITEM_KEYS = ("limit", "warn_at", "max_increase")
MAX_REPEATS = 1_000_000

STATUSES = ("ok", "warn", "over", "fail")


# -- the plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """One budget: ``metric`` of ``scope`` must stay at or below ``limit`` (base units).

    ``kind`` is ``"limit"`` (on the estimate) or ``"max_increase"`` (on the change against
    a baseline; then ``limit`` is absolute, or ``fraction`` of the baseline when given).
    """

    scope: str  # "plan" or the run's name
    metric: str
    kind: str
    limit: float | None
    fraction: float | None
    warn_at: float | None
    line: int
    text: str  # the limit as written
    every: bool = False  # from a section-wide max_increase


@dataclass
class Run:
    name: str
    path: tuple[Any, ...]  # ("runs", key) in the plan document
    inputs: dict[str, Any]  # estimate keywords, defaults merged with the run's own
    origins: dict[str, tuple[Any, ...]]  # estimate keyword -> key path in the plan
    repeats: int
    line: int
    description: str = ""
    training_type: str = ""
    concurrency: int = 1  # repeats running side by side
    group: str = ""  # runs of one group run at the same time


@dataclass
class Plan:
    source: str  # the path as given, for messages and annotations
    runs: list[Run]
    limits: list[Limit]
    doc: yamlio.Document
    policy: Policy | None = None


def find_plan(plan: str | Path | None = None) -> Path:
    """``plan`` if given, else ``costcalc.yaml`` in the current directory."""
    if plan is not None:
        return Path(plan)
    path = Path(PLAN_FILE)
    try:
        here = str(Path.cwd())
    except OSError as e:  # the working directory was deleted
        raise InputError(
            f"cannot read the current directory ({e.strerror}); give {ref('plan')} FILE",
            input="plan",
        ) from None
    if not path.is_file():
        raise InputError(
            f"no {PLAN_FILE} in {here}; give {ref('plan')} FILE, or create one with "
            "'costcalc check --init'",
            input="plan",
        )
    return path


def load_plan(path: str | Path) -> Plan:
    path = Path(path)
    text = yamlio.read_text(path, "plan")
    return parse_plan(yamlio.load(text, str(path)))


def parse_plan(doc: yamlio.Document) -> Plan:
    """Validate a parsed plan: every problem found, each with its line."""
    problems = Problems(doc)
    data = doc.data
    if not isinstance(data, dict):
        got = "empty" if data is None else f"a {type(data).__name__}"
        problems.add((), f"the plan is {got}; expected a mapping with runs: (and budgets:)")
        problems.raise_if_any()
    problems.check_keys(data, TOP_KEYS, ())
    if "version" in data and data["version"] != 1:
        problems.add(("version",), f"unsupported plan version {data['version']!r}; expected 1")

    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        problems.add(("defaults",), "expected a mapping of estimate inputs (hardware: h100-sxm)")
        defaults = {}
    problems.check_keys(defaults, INPUTS, ("defaults",))
    for key, value in defaults.items():
        if key in INPUTS:
            _check_input(value, ("defaults", key), problems)

    runs_data = data.get("runs")
    runs: list[Run] = []
    limits: list[Limit] = []
    if not isinstance(runs_data, dict) or not runs_data:
        problems.add(("runs",), "expected a mapping of named runs (runs: {pretrain: ...})")
        runs_data = {}
    for key, raw in runs_data.items():
        run = _parse_run(key, raw, defaults, problems)
        if run is not None:
            runs.append(run)
            if isinstance(raw, dict) and "budgets" in raw:
                limits += _parse_budgets(raw["budgets"], (*run.path, "budgets"), run.name, problems)
    plan_warn = None
    if "budgets" in data:
        limits = _parse_budgets(data["budgets"], ("budgets",), "plan", problems) + limits
        raw_budgets = data["budgets"]
        if isinstance(raw_budgets, dict) and "warn_at" in raw_budgets:
            plan_warn = _fraction(raw_budgets["warn_at"], ("budgets", "warn_at"), Problems(doc))
    from costcalc.plausibility import parse_policy

    policy = parse_policy(data.get("policy"), doc, problems)
    problems.raise_if_any()
    if plan_warn is not None:  # run budgets inherit the plan's warn_at
        limits = [
            replace(lim, warn_at=plan_warn) if lim.scope != "plan" and lim.warn_at is None else lim
            for lim in limits
        ]
    limits.sort(key=lambda lim: (lim.scope != "plan", lim.line))  # plan total first, file order
    return Plan(doc.source, runs, limits, doc, policy)


_NAMES = ("hardware", "region", "precision", "run", "group")


def _check_input(value: Any, path: tuple[Any, ...], problems: Problems) -> None:
    """Shape checks on an estimate input (units and names are checked by the estimate)."""
    example = _EXAMPLES.get(path[-1], "1.0")
    if value is None or isinstance(value, (bool, dict, list)):
        problems.add(path, f"expected a value such as {example}")
    elif path[-1] in _NAMES and not isinstance(value, str):
        problems.add(path, f"expected a name such as {example}, got {value!r}")
    elif isinstance(value, str) and _is_range(value):
        problems.add(
            path,
            f"a plan takes one value, not a range ({value!r}); give one such as {example} "
            "(ranges are for 'costcalc estimate')",
        )


_EXAMPLES = {
    "hardware": "h100-sxm",
    "region": "us-central1",
    "utilization": "40%",
    "pue": "1.1",
    "price": "2.50 USD/hour",
    "precision": "bf16",
    "devices": "512",
    "power": "700 W",
    "carbon_intensity": "429 g/kWh",
    "peak": "989 TFLOPS",
    "flops": "3.14e23",
    "params": "7B",
    "tokens": "2T",
    "device_hours": "3.3e6",
    "duration": "14 days",
    "run": "gpt-3",
    "group": "sweeps",
    "active_params": "37B",
    "flops_per_param_token": "8",
    "purchase_price": "30000 USD",
    "useful_life": "4 years",
    "electricity_price": "0.08 USD/kWh",
}


def _is_range(text: str) -> bool:
    from costcalc import uncertainty

    return bool(uncertainty.is_distribution(text))


def _parse_run(key: Any, raw: Any, defaults: dict[str, Any], problems: Problems) -> Run | None:
    name = str(key)
    path: tuple[Any, ...] = ("runs", key)
    if not isinstance(raw, dict):
        problems.add(path, "expected a mapping with the run's work (flops: 3e23) and inputs")
        return None
    problems.check_keys(raw, RUN_KEYS, path)
    for key in (*INPUTS, *WORK_KEYS):
        if key in raw:
            _check_input(raw[key], (*path, key), problems)
    work = [k for k in WORKS if k in raw]
    shaped = any(k in raw or k in defaults for k in ("arch", "layers"))
    if shaped and "tokens" in raw and "params" not in raw:
        work.append("tokens")  # the shape's FLOPs per token x tokens
    elif "tokens" in raw and "params" not in raw:
        problems.add((*path, "tokens"), "tokens needs params (work = 6 x params x tokens)")
    if "params" in raw and "tokens" not in raw:
        problems.add((*path, "params"), "params needs tokens (work = 6 x params x tokens)")
    if not work:
        problems.add(
            path,
            "no work given: run (a reference run), flops, params with tokens, arch with "
            "tokens, device_hours, or duration with devices",
        )
    elif len(work) > 1:
        problems.add(
            (*path, work[1]),
            f"give the work one way, not {' and '.join(work)}: run, flops, params with "
            "tokens, device_hours, or duration with devices",
        )
    repeats = raw.get("repeats", 1)
    if isinstance(repeats, bool) or not isinstance(repeats, int) or not 1 <= repeats <= MAX_REPEATS:
        problems.add(
            (*path, "repeats"),
            f"expected a whole number of runs from 1 to {MAX_REPEATS}, got {repeats!r}",
        )
        repeats = 1
    concurrency = raw.get("concurrency", 1)
    if (
        isinstance(concurrency, bool)
        or not isinstance(concurrency, int)
        or not 1 <= concurrency <= MAX_REPEATS
    ):
        problems.add(
            (*path, "concurrency"),
            f"expected how many repeats run side by side, a whole number from 1 to "
            f"{MAX_REPEATS}, got {concurrency!r}",
        )
        concurrency = 1
    group = raw.get("group", "")
    if not isinstance(group, str) or ("group" in raw and not group):
        problems.add((*path, "group"), f"expected a name such as sweeps, got {group!r}")
        group = ""
    inputs: dict[str, Any] = {}
    origins: dict[str, tuple[Any, ...]] = {}
    from costcalc.config import overridden

    own = {k: raw[k] for k in INPUTS if k in raw}
    for key, value in defaults.items():
        # the run's own input replaces the default, and so does another way of giving it
        # (region for carbon_intensity, pricing for price; config.overridden)
        if key not in INPUTS or overridden(key, own):
            continue
        inputs[key], origins[key] = value, ("defaults", key)
    for key, value in own.items():
        inputs[key], origins[key] = value, (*path, key)
    for key in WORK_KEYS:
        if key in raw:
            inputs[key], origins[key] = raw[key], (*path, key)
    text = {k: raw.get(k) for k in ("description", "training_type")}
    for key, value in text.items():
        if value is not None and not isinstance(value, str):
            problems.add((*path, key), "expected text")
    return Run(
        name=name,
        path=path,
        inputs=inputs,
        origins=origins,
        repeats=repeats,
        line=problems.doc.lines.get(path, 0),
        description=str(text["description"] or ""),
        training_type=str(text["training_type"] or ""),
        concurrency=concurrency,
        group=group,
    )


def _parse_budgets(raw: Any, path: tuple[Any, ...], scope: str, problems: Problems) -> list[Limit]:
    if not isinstance(raw, dict):
        problems.add(path, "expected a mapping of limits (cost: 50k USD, co2e: 20 t)")
        return []
    allowed = (*METRICS, "warn_at", "max_increase")
    problems.check_keys(raw, allowed, path)
    warn_at = _fraction(raw["warn_at"], (*path, "warn_at"), problems) if "warn_at" in raw else None
    line = problems.doc.lines.get
    out: list[Limit] = []
    for metric in METRICS:
        if metric not in raw:
            continue
        item_path = (*path, metric)
        item = raw[metric]
        if isinstance(item, dict):
            problems.check_keys(item, BUDGET_ITEM_KEYS, item_path)
            item_warn = (
                _fraction(item["warn_at"], (*item_path, "warn_at"), problems)
                if "warn_at" in item
                else warn_at
            )
            if "limit" in item:
                limit = _limit(item["limit"], metric, (*item_path, "limit"), problems)
                if limit is not None:
                    out.append(
                        Limit(
                            scope,
                            metric,
                            "limit",
                            limit,
                            None,
                            item_warn,
                            line((*item_path, "limit"), 0),
                            str(item["limit"]),
                        )
                    )
            if "max_increase" in item:
                out += _increase(
                    item["max_increase"],
                    metric,
                    scope,
                    item_warn,
                    (*item_path, "max_increase"),
                    problems,
                )
            if "limit" not in item and "max_increase" not in item:
                problems.add(item_path, "expected limit: and/or max_increase:")
        else:
            limit = _limit(item, metric, item_path, problems)
            if limit is not None:
                out.append(
                    Limit(
                        scope, metric, "limit", limit, None, warn_at, line(item_path, 0), str(item)
                    )
                )
    if "max_increase" in raw:
        inc_path = (*path, "max_increase")
        inc = raw["max_increase"]
        if isinstance(inc, dict):
            problems.check_keys(inc, tuple(METRICS), inc_path)
            for metric in METRICS:
                if metric in inc:
                    out += _increase(
                        inc[metric], metric, scope, warn_at, (*inc_path, metric), problems
                    )
        else:
            fraction = _fraction(inc, inc_path, problems, over_one=True)
            limited = [m for m in METRICS if m in raw]
            if not limited:
                problems.add(
                    inc_path,
                    f"max_increase: {inc} applies to the metrics this section limits, and it "
                    "limits none; name them (max_increase: {cost: 10%})",
                )
            if fraction is not None:
                for metric in limited:
                    out.append(
                        Limit(
                            scope,
                            metric,
                            "max_increase",
                            None,
                            fraction,
                            warn_at,
                            line(inc_path, 0),
                            str(inc),
                            every=True,
                        )
                    )
    return out


def _increase(
    raw: Any,
    metric: str,
    scope: str,
    warn_at: float | None,
    path: tuple[Any, ...],
    problems: Problems,
) -> list[Limit]:
    """``max_increase`` for one metric: a percentage of the baseline, or an amount."""
    line = problems.doc.lines.get(path, 0)
    if isinstance(raw, str) and raw.strip().endswith("%"):
        fraction = _fraction(raw, path, problems, over_one=True)
        if fraction is None:
            return []
        return [Limit(scope, metric, "max_increase", None, fraction, warn_at, line, raw)]
    limit = _limit(raw, metric, path, problems, allow_zero=True)
    if limit is None:
        return []
    return [Limit(scope, metric, "max_increase", limit, None, warn_at, line, str(raw))]


def _limit(
    raw: Any, metric: str, path: tuple[Any, ...], problems: Problems, allow_zero: bool = False
) -> float | None:
    kind = METRICS[metric][0]
    if raw is None or isinstance(raw, (bool, dict, list)):
        problems.add(path, f"expected a limit such as {_LIMIT_EXAMPLES[metric]}")
        return None
    try:
        return parse_quantity(raw, kind, allow_zero=allow_zero)
    except InputError as e:
        problems.add(path, e.message)
        return None


_LIMIT_EXAMPLES = {
    "flops": "1e24",
    "wall_clock": "14 days",
    "device_hours": "100k hours",
    "energy": "500 MWh",
    "cost": "50k USD",
    "co2e": "20 t",
}


def _fraction(
    raw: Any, path: tuple[Any, ...], problems: Problems, over_one: bool = False
) -> float | None:
    """A percentage (``80%``) or fraction (``0.8``); ``over_one`` allows ``150%``."""
    if raw is None or isinstance(raw, (bool, dict, list)):
        problems.add(path, "expected a percentage such as 80%")
        return None
    try:
        if not over_one:
            return parse_quantity(raw, "fraction")
        if isinstance(raw, str) and raw.strip().endswith("%"):
            return parse_quantity(raw.strip()[:-1], "number", allow_zero=True) / 100
        return parse_quantity(raw, "number", allow_zero=True)
    except InputError as e:
        problems.add(path, e.message)
        return None


# -- evaluation -------------------------------------------------------------------------------


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


def evaluate_run(
    run: Run, doc: yamlio.Document, settings: Settings | None = None, catalog: Catalog | None = None
) -> RunResult:
    """One run's estimate: the run's inputs over the plan's defaults, over ``settings``
    (the user file's defaults), over the built-in ones."""
    from costcalc.outlook import estimate

    kwargs = dict(run.inputs)
    if "run" in kwargs:  # a reference run is the estimate's WORK
        kwargs["work"] = kwargs.pop("run")
    # Inputs are spelled as the plan's keys (top_k 3 is more than experts 2), and an error
    # or a given value is located by the input it names, at the line that gave it.
    with spelling(lambda name: _plan_key(name, run), offers=(*RUN_KEYS, "work")):
        try:
            # params x tokens goes to the estimator, which applies the workloads rule
            # (6 N D) and shows it among the assumptions; owned hardware and discounts go
            # through costcalc.outlook, as for 'costcalc estimate'.
            est = estimate(**kwargs, settings=settings, catalog=catalog, equivalents=False)
        except CostcalcError as e:
            if settings is not None and e.where in {s.where for s in settings.values.values()}:
                raise  # a user-file default, located at its own line
            raise _locate(e, run, doc) from None
        # an assumption the plan gave says so, at its line, not as the input it names
        places = {k: f"{doc.where(p)}: {'.'.join(map(str, p))}" for k, p in run.origins.items()}
        est = replace(est, assumptions=tuple(given_in(a, places, "plan") for a in est.assumptions))
    from costcalc import finite

    totals: dict[str, float | None] = {}
    # repeats run one after another, or `concurrency` at a time: the wall-clock counts
    # ceil(repeats / concurrency) of them; every other output counts them all.
    waves = -(-run.repeats // run.concurrency)
    for metric, (_kind, key, _field, _unit) in METRICS.items():
        value = est.outputs.get(key)
        path = run.origins.get("repeats", run.path)
        where = f"{doc.where(path)}: {'.'.join(str(p) for p in path)}"
        count = waves if metric == "wall_clock" else run.repeats
        totals[metric] = (
            None
            if value is None
            else finite.product(((metric, value), ("repeats", count)), where, nonzero=False)
        )
    return RunResult(run, est, totals)


def _plan_key(name: str, run: Run) -> str:
    """How a plan spells input ``name``: its key; the work, as the run gives it (``run``,
    ``flops``, ...)."""
    if name == "work":
        return next((k for k in WORKS if k in run.origins), "flops")
    return name


def _locate(error: CostcalcError, run: Run, doc: yamlio.Document) -> CostcalcError:
    """An estimate's error, located at the plan line that gave the bad value."""
    key = error.input
    if key not in run.origins:  # the work, however the run gave it
        key = next((k for k in WORKS if k in run.origins), "")
    path = run.origins.get(key, run.path)
    name = ".".join(str(p) for p in path)
    return type(error)(error.message, f"{doc.where(path)}: {name}")


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


def assumed(result: RunResult) -> dict[str, str]:
    """A run's inputs and assumptions as people read them (``utilization: 40%``), with its
    repeats: what a baseline diff compares."""
    out = {a.name: a.text for a in result.estimate.assumptions}
    out["repeats"] = str(result.run.repeats)
    return out


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


def plan_totals(results: list[RunResult]) -> dict[str, float | None]:
    """The plan's totals: the sum over runs, except the wall-clock, where the runs of one
    ``group`` run at the same time (the longest counts) and groups run one after another."""
    totals = _sum(r.totals for r in results)
    longest: dict[str, float | None] = {}
    for r in results:
        key = r.run.group or f"\0{r.name}"  # a run without a group is a group of its own
        a, b = longest.get(key, 0.0), r.totals["wall_clock"]
        longest[key] = None if a is None or b is None else max(a, b)
    walls = list(longest.values())
    totals["wall_clock"] = None if None in walls else math.fsum(w or 0.0 for w in walls)
    return totals


def _sum(items: Any) -> dict[str, float | None]:
    totals: dict[str, float | None] = dict.fromkeys(METRICS, 0.0)
    for item in items:
        for metric in METRICS:
            a, b = totals[metric], item[metric]
            totals[metric] = None if a is None or b is None else a + b
    return totals


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


# -- baselines ------------------------------------------------------------------------------


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


# -- files ------------------------------------------------------------------------------------


def starter_plan() -> str:
    from importlib import resources

    return (resources.files("costcalc") / "data" / "plan_starter.yaml").read_text("utf-8")


def write_new(path: str | Path, text: str, where: str = "") -> Path:
    """Write ``text`` to a new file atomically; never replace an existing file."""
    from costcalc.atomic import write_text_atomic

    write_text_atomic(path, text, overwrite=False, where=where or ref("plan"))
    return Path(path)


def append_outputs(path: str | Path, values: dict[str, str]) -> None:
    """Append ``name=value`` lines to a ``$GITHUB_OUTPUT`` file (values are one line)."""
    lines = "".join(f"{k}={' '.join(v.splitlines())}\n" for k, v in values.items())
    append_summary(path, lines, "GITHUB_OUTPUT")


def append_summary(path: str | Path, text: str, where: str = "GITHUB_STEP_SUMMARY") -> None:
    """Append to a GitHub step summary file the way Actions expects: one O_APPEND write."""
    data = text.encode("utf-8")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
    except OSError as e:
        what = "the step summary" if where == "GITHUB_STEP_SUMMARY" else where
        raise InputError(f"cannot write {what}: {e.strerror}", where) from None
