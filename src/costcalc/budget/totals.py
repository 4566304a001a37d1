"""One run's estimate and its totals over repeats (``evaluate_run``); the plan's totals
over runs (``plan_totals``); a run's inputs as people read them (``assumed``)."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from costcalc import yamlio
from costcalc.budget.plan import METRICS, RUN_KEYS, WORKS
from costcalc.budget.report import RunResult
from costcalc.errors import CostcalcError, spelling
from costcalc.results import given_in

if TYPE_CHECKING:
    from costcalc.budget.plan import Run
    from costcalc.config import Settings
    from costcalc.profiles import Catalog


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


def assumed(result: RunResult) -> dict[str, str]:
    """A run's inputs and assumptions as people read them (``utilization: 40%``), with its
    repeats: what a baseline diff compares."""
    out = {a.name: a.text for a in result.estimate.assumptions}
    out["repeats"] = str(result.run.repeats)
    return out


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
