"""Inputs outside published practice, and a plan's own ``policy:``.

A budget gate can be passed by editing assumptions (``utilization: 90%``, ``price: 0.10
USD/hour``). Each input a run uses is compared with what published data supports:

- utilization (MFU) above the highest MFU in costcalc's catalog of published runs
  (Epoch AI's Notable AI Models, ``data/runs.yaml``);
- a price per device-hour below every price costcalc knows for that device
  (``data/prices.csv``: on-demand, spot and committed prices, Epoch AI and providers);
- a PUE below the best reported one (``data/pue.csv``).

Each is a warning with the reason and the source; ``--strict`` (or ``policy: {strict:
true}``) makes them failures. A plan's ``policy:`` adds its own rules, which fail:
``max_utilization``, ``min_pue``, ``require_region``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from costcalc.errors import InputError, ref
from costcalc.units import parse_quantity

if TYPE_CHECKING:
    from costcalc.budget import RunResult
    from costcalc.yamlio import Document, Problems

LEVELS = ("warning", "failure")


@dataclass(frozen=True)
class Finding:
    """One input of one run that published practice (or the plan's policy) does not support."""

    run: str
    input: str
    level: str  # "warning" or "failure"
    message: str
    source: str
    line: int  # the plan line that gave the value (the run's line if a default)
    rule: str  # "published" or "policy"


# policy key -> (kind for parse_quantity, or "bool"; what it means)
POLICY_KEYS: dict[str, tuple[str, str]] = {
    "max_utilization": ("fraction", "highest utilization (MFU) a run may assume, e.g. 60%"),
    "min_pue": ("number", "lowest PUE a run may assume, e.g. 1.1"),
    "require_region": ("bool", "every run names its region (or carbon_intensity)"),
    "strict": ("bool", "implausible inputs fail the check"),  # ", as with --strict"
}


@dataclass
class Policy:
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def strict(self) -> bool:
        return bool(self.values.get("strict", False))


def parse_policy(raw: Any, doc: Document, problems: Problems) -> Policy:
    """The ``policy:`` section of a plan; every problem added to ``problems``."""
    policy = Policy()
    if raw is None:
        return policy
    path: tuple[Any, ...] = ("policy",)
    if not isinstance(raw, dict):
        problems.add(path, "expected a mapping of rules (max_utilization: 60%)")
        return policy
    problems.check_keys(raw, tuple(POLICY_KEYS), path)
    for key, value in raw.items():
        if key not in POLICY_KEYS:
            continue
        kind, meaning = POLICY_KEYS[key]
        if key == "strict":
            meaning += f", as with {ref('strict')}"
        where = (*path, key)
        if kind == "bool":
            if not isinstance(value, bool):
                problems.add(where, f"expected true or false ({meaning}), got {value!r}")
                continue
            parsed: Any = value
        else:
            if value is None or isinstance(value, (bool, dict, list)):
                problems.add(where, f"expected a value: {meaning}")
                continue
            try:
                parsed = parse_quantity(value, kind)
            except InputError as e:
                problems.add(where, f"{e.message} ({meaning})")
                continue
            if key == "min_pue" and parsed < 1:
                problems.add(where, f"a PUE is at least 1 (facility over IT power), got {value}")
                continue
        policy.values[key] = parsed
        policy.lines[key] = doc.lines.get(where, 0)
        policy.texts[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return policy


# -- published practice ---------------------------------------------------------------------


@dataclass(frozen=True)
class Bound:
    value: float
    text: str  # the value as a person reads it
    source: str


@cache
def max_published_mfu() -> Bound | None:
    """The highest MFU among costcalc's published runs, with the run it comes from."""
    from costcalc import runs

    best = max(
        (r for r in runs.catalog().values() if r.mfu is not None),
        key=lambda r: r.mfu or 0.0,
        default=None,
    )
    if best is None or best.mfu is None:
        return None
    where = f", {best.hardware}" if best.hardware else ""
    return Bound(
        best.mfu,
        f"{best.mfu * 100:.3g}%",
        f"{best.name}{where}: {best.cite()}",
    )


@cache
def lowest_price(device: str) -> Bound | None:
    """The lowest known price per device-hour of ``device`` (any provider or pricing)."""
    from costcalc import pricing

    rows = [r for r in pricing.load_prices() if r.device == device and r.price > 0]
    if not rows:
        return None
    row = min(rows, key=lambda r: (r.price, r.date))
    return Bound(
        row.price / 3600.0,  # USD/hour -> USD/s, the base unit
        f"{row.price:.4g} USD/hour",
        f"{row.provider} {row.pricing} {row.date}"
        + (f" ({row.where})" if row.region or row.location else "")
        + f": {row.source}",
    )


@cache
def best_pue() -> Bound | None:
    """The lowest reported PUE in ``pue.csv`` (reported values, not assumptions)."""
    from costcalc.tables import data_rows

    rows = [r for r in data_rows("pue.csv") if r.get("kind") == "reported"]
    if not rows:
        return None
    row = min(rows, key=lambda r: float(r["pue"]))
    return Bound(
        float(row["pue"]),
        f"{float(row['pue']):.3g}",
        f"{row['name']}, {row['year']}: {row['source']}",
    )


# -- the review -----------------------------------------------------------------------------


def _line(result: RunResult, doc: Document, name: str) -> int:
    path = result.run.origins.get(name)
    if path is not None and path in doc.lines:
        return doc.lines[path]
    return result.run.line


def review(results: list[RunResult], doc: Document, policy: Policy) -> list[Finding]:
    """Every finding over ``results``, in run order; the policy's ``strict: true`` makes
    implausible inputs failures (``--strict`` fails on any warning)."""
    out: list[Finding] = []
    published = "failure" if policy.strict else "warning"
    for r in results:
        names = {a.name: a for a in r.estimate.assumptions}

        def add(name: str, level: str, message: str, source: str, rule: str) -> None:
            out.append(Finding(r.name, name, level, message, source, _line(r, doc, name), rule))  # noqa: B023

        util = names.get("utilization")
        if util is not None:
            bound = max_published_mfu()
            if bound is not None and util.base > bound.value:
                add(
                    "utilization",
                    published,
                    f"utilization {util.text} is above the highest published MFU, {bound.text}",
                    bound.source,
                    "published",
                )
            cap = policy.values.get("max_utilization")
            if cap is not None and util.base > cap:
                add(
                    "utilization",
                    "failure",
                    f"utilization {util.text} is above the plan's policy "
                    f"max_utilization: {policy.texts['max_utilization']}",
                    f"{doc.source}:{policy.lines['max_utilization']}: policy.max_utilization",
                    "policy",
                )
        price = names.get("price")
        given = price is not None and price.origin not in ("profile", "default", "derived")
        if price is not None and given and isinstance(price.base, (int, float)):
            bound = lowest_price(r.estimate.hardware.name)
            if bound is not None and price.base < bound.value * (1 - 1e-9):
                add(
                    "price",
                    published,
                    f"price {price.text} is below every known market price for "
                    f"{r.estimate.hardware.name} (lowest: {bound.text})",
                    bound.source,
                    "published",
                )
        pue = names.get("pue")
        if pue is not None:
            bound = best_pue()
            if bound is not None and pue.base < bound.value * (1 - 1e-9):
                add(
                    "pue",
                    published,
                    f"PUE {pue.text} is below the best reported, {bound.text}",
                    bound.source,
                    "published",
                )
            low = policy.values.get("min_pue")
            if low is not None and pue.base < low:
                add(
                    "pue",
                    "failure",
                    f"PUE {pue.text} is below the plan's policy min_pue: {policy.texts['min_pue']}",
                    f"{doc.source}:{policy.lines['min_pue']}: policy.min_pue",
                    "policy",
                )
        if policy.values.get("require_region") and not (
            {"region", "carbon_intensity"} & set(r.run.inputs)
        ):
            add(
                "region",
                "failure",
                "no region (or carbon_intensity) given: the plan's policy requires one",
                f"{doc.source}:{policy.lines['require_region']}: policy.require_region",
                "policy",
            )
    return out
