"""The plan: ``costcalc.yaml`` read into runs and budgets (``find_plan``, ``load_plan``,
``parse_plan``). Every problem is reported as ``file:line: field: message``; a plan with a
typo is an error (exit 2), never "over budget". The schema is documented in
``costcalc/data/plan.schema.json``; the validation here is hand-written for the messages.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costcalc import inputs as registry
from costcalc import yamlio
from costcalc.errors import InputError, ref
from costcalc.units import parse_quantity
from costcalc.yamlio import Problems

if TYPE_CHECKING:
    from costcalc.plausibility import Policy

PLAN_FILE = "costcalc.yaml"
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
