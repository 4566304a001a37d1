"""The Python API: one public estimate (the one the CLI calls), with every input as a
keyword; values of a wrong type refused at the Python boundary naming the keyword; the
functions built on the estimate name themselves for an unknown keyword."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

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
    assert {"run", "concurrency", "group"} == PLAN_ONLY
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


# -- values of a wrong type are refused at the Python boundary, naming the keyword --------

REVIEWED = [
    (costcalc.sweep, {"sort": "cost_usd", "top": 2.5}, "top"),
    (costcalc.sweep, {"where": 5}, "where"),
    (costcalc.sweep, {"sort": 5}, "sort"),
    (costcalc.sweep, {"max_rows": "x"}, "max_rows"),
    (costcalc.sweep, {"max_scenarios": "x"}, "max_scenarios"),
    (costcalc.sweep, {"max_scenarios": 2.5}, "max_scenarios"),
    (costcalc.sweep, {"zip": "maybe"}, "zip"),
    (costcalc.sweep, {"devices": [8, None]}, "devices"),
    (costcalc.estimate, {"region": 5}, "region"),
    (costcalc.estimate, {"precision": 5}, "precision"),
    (costcalc.estimate, {"settings": "x"}, "settings"),
    (costcalc.estimate, {"catalog": "x"}, "catalog"),
    (costcalc.estimate, {"currency": 5, "fx_rate": 1}, "currency"),
    (costcalc.estimate, {"owned": "yes"}, "owned"),
    (costcalc.estimate, {"equivalents": "no"}, "equivalents"),
    (costcalc.estimate, {"devices": [8]}, "devices"),  # a list is a sweep's, not an estimate's
    (costcalc.estimate, {"utilization": True}, "utilization"),
]


@pytest.mark.parametrize(("function", "options", "name"), REVIEWED)
def test_a_value_of_a_wrong_type_is_an_input_error_naming_the_keyword(
    function, options, name
) -> None:
    with pytest.raises(costcalc.InputError) as e:
        function("1e20", **options)
    message = str(e.value)
    assert message.startswith(f"{name}: expected ") and "\n" not in message


def test_whole_numbers_may_be_given_as_text_as_on_the_command_line() -> None:
    as_text = costcalc.sweep("1e20", devices="8,64,512", sort="cost_usd", top="2")
    as_int = costcalc.sweep("1e20", devices="8,64,512", sort="cost_usd", top=2)
    assert as_text.rows == as_int.rows == 2
    assert list(as_text["devices"]) == list(as_int["devices"])
    big = costcalc.sweep("1e20", devices="8,64", max_scenarios=10**400, max_rows="100")
    assert big.rows == 2


SWITCHES = {"owned", "embodied", "equivalents", "band", "zip"}
WHOLE = {"top", "max_rows", "max_scenarios"}
TEXT = {"where", "sort", "pareto"}
OBJECTS = {"catalog", "settings"}
POOL = [True, False, 5, 2.5, "yes", [1], ("a",), ["x", "y"], {"a": 1}, b"8", 1j, frozenset()]


def _scalar_fits(name: str, value: object) -> bool:
    if isinstance(value, str):
        return True
    if registry.INPUTS[name].kind is None:  # a name: text only
        return False
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fits(name: str, value: object, lists: bool) -> bool:
    """Whether ``value`` is of a type keyword ``name`` takes (by the API's documentation)."""
    if name in SWITCHES:
        return isinstance(value, bool)
    if name in WHOLE:
        return isinstance(value, int | str) and not isinstance(value, bool)
    if name in TEXT:
        strings = isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
        return isinstance(value, str) or (name == "pareto" and strings)
    if name in OBJECTS:
        return False
    if lists and isinstance(value, list | tuple):
        return all(_scalar_fits(name, v) for v in value)
    return _scalar_fits(name, value)


@settings(max_examples=300, deadline=None)
@given(
    which=st.sampled_from(["estimate", "sweep"]),
    data=st.data(),
    value=st.sampled_from(POOL) | st.builds(object),
)
def test_any_keyword_with_a_value_of_a_wrong_type_is_refused_naming_it(
    which: str, data: st.DataObject, value: object
) -> None:
    function = costcalc.estimate if which == "estimate" else costcalc.sweep
    names = [n for n in inspect.signature(function).parameters if n != "work"]
    name = data.draw(st.sampled_from(names))
    assume(not _fits(name, value, lists=which == "sweep"))
    with pytest.raises(costcalc.InputError) as e:
        function("1e20", **{name: value})
    assert str(e.value).startswith(f"{name}: expected "), str(e.value)


# -- the functions built on the estimate name themselves ---------------------------------


def test_budget_and_scale_name_themselves_for_an_unknown_keyword() -> None:
    from costcalc import inverse, scaling

    with pytest.raises(
        TypeError, match=r"^budget\(\) got an unexpected keyword argument 'hardwre'$"
    ):
        inverse.budget("10k USD", hardwre="h100-sxm")
    with pytest.raises(TypeError, match=r"^scale\(\) got an unexpected keyword argument 'bogus'$"):
        scaling.scale("1e21", improvement=2, bogus=1)
    with pytest.raises(costcalc.InputError, match=r"^region: expected "):
        scaling.scale("1e21", improvement=2, region=5)
    with pytest.raises(costcalc.InputError, match=r"^hardware: expected "):
        inverse.budget("10k USD", hardware=5)
    # every keyword the estimate's building block takes is still taken by both
    fine = inverse.budget("10k USD", hardware="h100-sxm", utilization="40%", pue=1.2)
    assert fine.estimate.outputs["cost"] == pytest.approx(1e4, rel=0.05)
    scaled = scaling.scale("1e21", improvement=2, exponent=1, hardware="h100-sxm", devices=8)
    # compute x K^(1/exponent) with K = 2 and exponent 1: twice the compute
    assert scaled.result.outputs["flops"] == pytest.approx(2e21)


def test_every_public_function_refuses_a_wrong_settings_or_catalog_naming_it(tmp_path) -> None:
    from costcalc import budget, inverse, scaling
    from costcalc.sweeps.settings import plan_command

    calls = {
        "budget": lambda **k: inverse.budget("10k USD", **k),
        "scale": lambda **k: scaling.scale("1e21", improvement=2, **k),
        "check": lambda **k: budget.check(tmp_path / "costcalc.yaml", **k),
        "plan_command": lambda **k: plan_command({"flops": "1e20"}, **k),
        "sweep": lambda **k: costcalc.sweep("1e20", **k),
        "estimate": lambda **k: costcalc.estimate("1e20", **k),
    }
    for function, call in calls.items():
        for name in ("settings", "catalog"):
            if function == "sweep" and name == "settings":
                continue  # sweep takes no settings
            with pytest.raises(costcalc.InputError, match=rf"^{name}: expected "):
                call(**{name: "x"})
    with pytest.raises(costcalc.InputError, match=r"^strict: expected True or False"):
        budget.check(tmp_path / "costcalc.yaml", strict="no")
    with pytest.raises(costcalc.InputError, match=r"^plan: expected a file"):
        budget.check(5)  # type: ignore[arg-type]


def test_numpy_numbers_are_numbers_and_numpy_booleans_are_not() -> None:
    np = pytest.importorskip("numpy")
    by_numpy = costcalc.estimate("1e20", devices=np.int64(8), utilization=np.float64(0.4))
    by_python = costcalc.estimate("1e20", devices=8, utilization=0.4)
    assert by_numpy.fields() == by_python.fields()
    assert costcalc.sweep("1e20", devices=(np.int64(8), 16)).rows == 2
    with pytest.raises(costcalc.InputError, match=r"^devices: expected a number or a string"):
        costcalc.estimate("1e20", devices=np.bool_(True))
