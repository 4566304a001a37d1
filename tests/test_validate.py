"""The validation suite (scripts/validate.py): costcalc's default answer against published
runs. Keeps the summary from regressing and docs/validation.md in sync with the code."""

from __future__ import annotations

import math
import statistics
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import validate  # noqa: E402

# Floors and ceilings: the targets (in-sample: coverage 90 %, median error 1.28x,
# median width 3.31x with the default utilization by hardware generation; leave one out:
# 88 %, 1.31x, 2.91x; energy 10 of 10 within 25 %), with a little room for leave one out.
COVERAGE_FLOOR = 0.85
ERROR_CEILING = 1.30
WIDTH_CEILING = 3.5
LOO_ERROR_CEILING = 1.35


@pytest.fixture(scope="module")
def rows() -> list[validate.Row]:
    return validate.validate()


def test_enough_runs(rows):
    assert len(rows) >= 20
    assert len({r.profile for r in rows}) >= 5


def test_summary_does_not_regress(rows):
    s = validate.summarize(rows)
    assert s.coverage >= COVERAGE_FLOOR
    assert s.loo_coverage >= COVERAGE_FLOOR - 0.05
    assert s.median_error <= ERROR_CEILING
    assert s.median_width <= WIDTH_CEILING
    assert s.loo_median_error <= LOO_ERROR_CEILING
    assert s.loo_median_width <= WIDTH_CEILING


def test_energy_of_runs_with_measured_energy(rows):
    # measured system power (Patterson et al.) against the server-basis rule
    errors = [
        r.energy_error for r in rows if r.energy_error is not None and r.energy_basis == "server"
    ]
    assert len(errors) >= 8
    assert sum(abs(e) <= 0.25 for e in errors) >= 0.9 * len(errors)


def test_model_card_accounting_is_reproduced(rows):
    # LLaMA Table 15 / BLOOM: TDP 400 W x GPU-hours (x PUE 1.1 where included)
    llama = next(r for r in rows if r.id == "llama-65b")
    assert llama.energy_basis == "accelerator"
    assert llama.energy_estimated == pytest.approx(1022362 * 0.4 * 1.1 / 1000, rel=1e-3)


def test_one_run_by_hand(rows):
    # Llama 2 7B (Meta's card): 7B params, 2.0T tokens, A100 80GB at 312 TFLOPS bf16.
    row = next(r for r in rows if r.id == "llama-2-7b")
    # The A100 default utilization: the median implied MFU of the A100 runs, each
    # FLOPs / (GPU-hours x 312 TFLOPS), recomputed here from the table's own numbers.
    a100 = []
    for run in validate.load_runs():
        if str(run.get("profile") or "").startswith("a100-") and run.get("device_hours"):
            found = validate.run_flops(run)
            if found is not None:
                a100.append(found[0] / (312e12 * float(run["device_hours"]) * 3600))
    assert len(a100) >= 8
    median = statistics.median(a100)
    hand = 6 * 7e9 * 2.0e12 / (312e12 * round(median, 3)) / 3600
    assert row.estimated == pytest.approx(hand, rel=1e-3)
    assert row.reported == 184320
    # the A100 band: sigma = log-RMS of the MFUs around that median, p95/p5 = exp(2 z sigma)
    sigma = math.sqrt(sum(math.log(m / round(median, 3)) ** 2 for m in a100) / len(a100))
    assert row.width == pytest.approx(math.exp(2 * 1.6448536 * sigma), rel=1e-2)
    assert row.inside


def test_the_error_is_a_factor_either_way():
    low = validate.Row("a", "p", "6ND", 100.0, 50.0, 40.0, 60.0, 50.0, 40.0, 60.0)
    high = validate.Row("b", "p", "6ND", 100.0, 200.0, 150.0, 250.0, 50.0, 40.0, 120.0)
    assert low.error == high.error == 2.0
    assert low.loo_error == high.loo_error == 2.0
    assert not low.inside and not high.inside
    assert not low.loo_inside and high.loo_inside
    assert validate.Row("c", "p", "6ND", 100.0, 90.0, 50.0, 150.0, 90.0, 50.0, 150.0).inside


def test_docs_page_is_the_generated_one(rows):
    page = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    assert page == validate.doc_text(rows), "run: python scripts/validate.py --write"


def test_make_validate_prints_the_summary(capsys):
    assert validate.main([]) == 0
    out = capsys.readouterr().out
    assert "inside the default 90 % band" in out
    assert "| gpt-3 |" in out
