"""Plan files and verdicts in the library: suffixes, the schema, the laws of the totals."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc import budget, yamlio
from costcalc.errors import DataError, InputError
from costcalc.units import parse_quantity

ROOT = Path(__file__).resolve().parents[1]
PLAN = """\
defaults:
  peak: 1000 TFLOPS
  utilization: 50%
  power: 1000 W
  pue: 1.0
  carbon_intensity: 500 g/kWh
  price: 2 USD/hour
runs:
  main:
    flops: 1.8e19
    repeats: {repeats}
"""


def plan(text: str) -> budget.Plan:
    return budget.parse_plan(yamlio.load(text, "costcalc.yaml"))


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("50k USD", "money", 50_000.0),
        ("125M", "number", 125e6),
        ("2.5B", "number", 2.5e9),
        ("2T", "number", 2e12),
        ("3k days", "time", 3000 * 86400.0),
        ("5kW", "power", 5000.0),  # kilowatts, not a suffix
        ("5k W", "power", 5000.0),
        ("2B", "memory", 16.0),  # two bytes: no suffixes on memory sizes
    ],
)
def test_number_suffixes(text: str, kind: str, expected: float) -> None:
    assert parse_quantity(text, kind) == pytest.approx(expected)


@settings(max_examples=50)
@given(st.floats(min_value=1e-3, max_value=1e6), st.sampled_from(["k", "M", "B", "T"]))
def test_a_suffix_is_a_power_of_a_thousand(x: float, suffix: str) -> None:
    scale = {"k": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}[suffix]
    assert parse_quantity(f"{x!r}{suffix} USD", "money") == pytest.approx(x * scale)


def test_percent_hint_is_not_doubled() -> None:
    with pytest.raises(InputError) as e:
        parse_quantity("120%", "fraction")
    assert "%%" not in str(e.value)


def test_params_times_tokens_run_uses_the_workloads_rule() -> None:
    # Kaplan et al. 2020: GPT-3's 175B parameters on 300B tokens are 3.15e23 FLOP.
    text = PLAN.replace("flops: 1.8e19", "params: 175B\n    tokens: 300B").format(repeats=1)
    p = plan(text)
    run = budget.evaluate_run(p.runs[0], yamlio.load(text, "costcalc.yaml"))
    assert run.estimate.outputs["flops"] == pytest.approx(3.15e23)
    rules = [a.text for a in run.estimate.assumptions if a.name == "compute_rule"]
    assert rules == ["6 x N x D FLOP"]


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=1, max_value=1000))
def test_totals_are_linear_in_repeats(repeats: int) -> None:
    one = budget.evaluate(plan(PLAN.format(repeats=1)))
    many = budget.evaluate(plan(PLAN.format(repeats=repeats)))
    for metric, value in one.totals.items():
        assert many.totals[metric] == pytest.approx(repeats * value)


def test_plan_total_is_the_sum_of_its_runs() -> None:
    text = PLAN.format(repeats=2) + "  other:\n    device_hours: 7\n    hardware: a100-sxm-80gb\n"
    report = budget.evaluate(plan(text))
    for metric in budget.METRICS:
        assert report.totals[metric] == pytest.approx(sum(r.totals[metric] for r in report.runs))


@settings(max_examples=100)
@given(
    st.floats(min_value=1e-6, max_value=1e12),
    st.floats(min_value=0, max_value=2e12),
    st.one_of(st.none(), st.floats(min_value=0.01, max_value=1)),
)
def test_verdict_law(limit: float, value: float, warn_at: float | None) -> None:
    lim = budget.Limit("plan", "cost", "limit", limit, None, warn_at, 1, "x")
    line = budget._verdict(lim, limit, value)
    assert (line.status == "over") == (value > limit)
    if warn_at is None:
        assert line.status in ("ok", "over")
    elif value <= limit:
        assert (line.status == "warn") == (value >= warn_at * limit)
    report = budget.Report(plan(PLAN.format(repeats=1)), [], {}, [line])
    assert report.exit_code() == (1 if line.status == "over" else 0)
    assert report.exit_code(strict=True) == (0 if line.status == "ok" else 1)


def test_run_override_replaces_default_region() -> None:
    text = "defaults:\n  region: IS\nruns:\n  a:\n    flops: 1e20\n    carbon_intensity: 100\n"
    (run,) = plan(text).runs
    assert "region" not in run.inputs and run.inputs["carbon_intensity"] == 100


def test_every_problem_is_reported_with_its_line() -> None:
    text = "runs:\n  a:\n    flops: 1e20\n    repeat: 3\nbudgets:\n  cost: 5 kWh\n  co2: 1 t\n"
    with pytest.raises(DataError) as e:
        plan(text)
    assert e.value.problems == [
        "costcalc.yaml:4: runs.a.repeat: unknown field (did you mean 'repeats'?); expected one "
        "of " + ", ".join(budget.RUN_KEYS),
        "costcalc.yaml:7: budgets.co2: unknown field (did you mean 'co2e'?); expected one of "
        "flops, wall_clock, device_hours, energy, cost, co2e, warn_at, max_increase",
        "costcalc.yaml:6: budgets.cost: '5 kWh' is an energy, expected an amount of money "
        "(e.g. 50000 USD)",
    ]


def test_section_max_increase_needs_a_limited_metric() -> None:
    with pytest.raises(DataError, match="limits none"):
        plan("runs: {a: {flops: 1e20}}\nbudgets: {max_increase: 10%}\n")


# -- the JSON Schema ------------------------------------------------------------------------


def _schema() -> dict:
    path = resources.files("costcalc") / "data" / "plan.schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _readme_plans() -> list[str]:
    """The plan files shown in the README and in docs/ (docs/check.md has the full one)."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    text = "".join(p.read_text(encoding="utf-8") for p in pages)
    return [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "\nruns:" in b]


def _examples() -> list[str]:
    files = [ROOT / "examples" / "costcalc.yaml", ROOT / "examples" / "baseline.yaml"]
    return [budget.starter_plan(), *(p.read_text("utf-8") for p in files), *_readme_plans()]


def test_schema_accepts_the_examples_and_so_does_costcalc() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    examples = _examples()
    assert len(examples) >= 4
    for text in examples:
        doc = yamlio.load(text, "example.yaml")
        jsonschema.validate(doc.data, _schema())
        budget.evaluate(budget.parse_plan(doc))


BROKEN = [
    "runs: {}\n",
    "budgets: {cost: 5 USD}\n",
    "runs: {a: {flops: 1e20, hardwre: h100-sxm}}\n",
    "runs: {a: {flops: 1e20, device_hours: 5}}\n",
    "runs: {a: {params: 7B}}\n",
    "runs: {a: {flops: -1e20}}\n",
    "runs: {a: {flops: 1e20, repeats: 0}}\n",
    "runs: {a: {flops: 1e20}}\nbudgets: {costs: 5 USD}\n",
    "runs: {a: {flops: 1e20}}\nbudgets: {cost: {limt: 5 USD}}\n",
    "runs: {a: {flops: 1e20}}\nbudgets: {warn_at: 80}\n",
    "runs: {a: {flops: 1e20}}\nversion: 2\n",
]


@pytest.mark.parametrize("text", BROKEN)
def test_schema_and_costcalc_reject_broken_plans(text: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    doc = yamlio.load(text, "broken.yaml")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc.data, _schema())
    with pytest.raises((DataError, InputError)):
        budget.evaluate(budget.parse_plan(doc))
