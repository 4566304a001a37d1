"""The Python API: one public estimate (the one the CLI calls), with every input as a
keyword; values of a wrong type refused at the Python boundary naming the keyword; the
functions built on the estimate name themselves for an unknown keyword."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest

import costcalc
from costcalc import estimator, outlook
from costcalc import inputs as registry

# Inputs only a plan takes (a run's name, how runs overlap): not keywords of an estimate.
PLAN_ONLY = {n for n, i in registry.INPUTS.items() if i.places == {registry.PLAN}}


def test_there_is_one_public_estimate_and_the_cli_calls_it(cli) -> None:
    assert costcalc.estimate is outlook.estimate
    assert costcalc.__all__.count("estimate") == 1
    assert not hasattr(estimator, "estimate")  # the building block has its own name
    assert "estimate" not in estimator.__all__
    args = ["1e21", "-H", "h100-sxm", "--discount", "20%", "--carbon-price", "100"]
    shown = json.loads(cli("estimate", *args, "--format", "json").out)
    est = costcalc.estimate("1e21", hardware="h100-sxm", discount="20%", carbon_price=100)
    assert est.fields()["cost_usd"] == pytest.approx(shown["cost_usd"], rel=1e-12)


def test_every_input_of_the_reference_is_a_keyword_of_the_estimate() -> None:
    params = inspect.signature(costcalc.estimate).parameters
    assert PLAN_ONLY == {"run", "concurrency", "group"}
    missing = [n for n in registry.INPUTS if n not in params and n not in PLAN_ONLY]
    assert not missing, missing
    for name in ("purchase_price", "discount", "carbon_price", "electricity_price", "year"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY, name
    assert "purchase_price=None" in (costcalc.estimate.__doc__ or "") + str(
        inspect.signature(costcalc.estimate)
    )


def test_the_money_keywords_work_in_python() -> None:
    # a discount of 20 % on a cloud price: 0.8 x the cost without one
    plain = costcalc.estimate("1e21", hardware="h100-sxm", band=False, equivalents=False)
    cut = costcalc.estimate("1e21", hardware="h100-sxm", discount="20%")
    assert cut.outputs["cost"] == pytest.approx(0.8 * plain.outputs["cost"], rel=1e-9)
    owned = costcalc.estimate(
        "1e21",
        hardware="h100-sxm",
        purchase_price="30000 USD",
        useful_life=4,
        electricity_price="0.1 USD/kWh",
    )
    assert owned.sections["money"]["mode"] == "owned"
    # electricity alone: energy x price (the money section's part, computed by hand)
    kwh = owned.fields()["energy_kwh"]
    assert owned.sections["money"]["items_usd"]["electricity"] == pytest.approx(kwh * 0.1)


def test_the_estimate_gains_its_band_and_equivalents_and_can_leave_them_out() -> None:
    full = costcalc.estimate("1e20")
    assert {"band", "equivalents"} <= set(full.sections)
    bare = costcalc.estimate("1e20", band=False, equivalents=False)
    assert not {"band", "equivalents"} & set(bare.sections)
    assert bare.fields() == full.fields()


def test_the_plain_estimate_imports_no_numpy_or_pint() -> None:
    code = (
        "import sys; from costcalc import estimate; e = estimate('1e21', hardware='h100-sxm');"
        "assert 'band' in e.sections;"
        "print(sorted(m for m in ('numpy', 'pint', 'yaml', 'rich', 'typer') if m in sys.modules))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
