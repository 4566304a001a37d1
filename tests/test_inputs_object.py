"""One frozen inputs object flows through the core: the keywords of the public functions
are declared once (estimator.base_estimate's signature, and the registry), the core passes a
read-only mapping on instead of re-listing them, and introspection still shows them."""

from __future__ import annotations

import inspect
import pydoc
from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costcalc import estimator, money, outlook, run_inputs, sweeps, workload_shape, workloads
from costcalc import inputs as registry
from costcalc.errors import InputError


def _keywords(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


def test_outlook_estimate_shows_every_keyword_of_the_estimator_and_its_own() -> None:
    shown = _keywords(outlook.estimate)
    assert shown[: len(estimator.KEYWORDS)] == list(estimator.KEYWORDS)
    money_inputs = [n for n, i in registry.INPUTS.items() if i.panel == "Money"]
    for name in [*money_inputs, "owned", "embodied", "year", "samples", "seed", "band"]:
        assert name in shown, name
    # every option of `costcalc estimate` (each declared FLAG input) is a keyword of it
    assert set(registry.accepted(registry.FLAG)) <= set(shown)
    params = inspect.signature(outlook.estimate).parameters
    assert params["owned"].default is False and params["band"].default is True
    assert params["equivalents"].default is True and params["discount"].default is None


def test_help_shows_the_keywords() -> None:
    text = pydoc.render_doc(outlook.estimate)
    for name in ("hardware=None", "utilization=None", "purchase_price=None", "band=True"):
        assert name in text, name
    assert "carbon_intensity=None" in pydoc.render_doc(sweeps.sweep)


@pytest.mark.parametrize("function", [outlook.estimate, sweeps.sweep, estimator.base_estimate])
def test_an_unknown_keyword_is_a_type_error_as_python_says(function: object) -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'utilisation'"):
        function("1e20", utilisation="40%")  # type: ignore[operator]


def test_sweep_takes_exactly_the_declared_axes() -> None:
    shown = _keywords(sweeps.sweep)
    axes = [n for n in shown if n in registry.INPUTS and n != "work"]
    assert axes == list(registry.accepted(registry.SWEEP))
    assert {"zip", "where", "sort", "top", "pareto", "catalog"} <= set(shown)


def test_the_inputs_object_is_read_only_and_names_every_input() -> None:
    g = registry.frozen({"params": "7e9"}, workloads.WORK_INPUTS)
    assert set(g) == set(workloads.WORK_INPUTS) and g["params"] == "7e9" and g["tokens"] is None
    with pytest.raises(TypeError):
        g["tokens"] = "1T"  # type: ignore[index]


def test_bind_fills_the_defaults_of_a_signed_function() -> None:
    g = registry.bind(outlook.estimate, "1e20", devices=8)
    assert g["work"] == "1e20" and g["devices"] == 8 and g["band"] is True and g["owned"] is False
    assert isinstance(g, MappingProxyType)


def test_workloads_read_a_frozen_mapping_without_changing_it() -> None:
    given_ = MappingProxyType({"params": "7B", "tokens": "1T"})
    job = workloads.resolve(given_)
    # 6 N D (Kaplan et al.), computed here independently
    assert job.work == pytest.approx(6 * 7e9 * 1e12)
    assert dict(given_) == {"params": "7B", "tokens": "1T"}


def test_a_shape_reads_the_same_inputs_object_as_the_estimator() -> None:
    g = registry.frozen({"arch": "llama-2-7b", "tokens": "1T", "seq_len": 4096})
    job = workload_shape.resolve(g)
    est = estimator.base_estimate(arch="llama-2-7b", tokens="1T", seq_len=4096)
    assert est.outputs["flops"] == pytest.approx(job.total(job.work))


def test_money_resolve_takes_the_inputs_object() -> None:
    setup = money.resolve("h100-sxm", {"discount": "10%"})
    assert setup.values["discount"] == pytest.approx(0.10) and not setup.owned
    owned = money.resolve(
        "h100-sxm", {"purchase_price": "25000 USD"}, life_default=("4 years", "x")
    )
    assert owned.owned and owned.values["purchase_price"] == pytest.approx(25000)
    with pytest.raises(InputError) as e:
        money.resolve("h100-sxm", {"owned": True, "discount": "10%"})
    assert e.value.input == "discount"


def test_resolve_hardware_refuses_an_input_it_does_not_read() -> None:
    assert estimator.resolve_hardware("h100-sxm", precision="fp16").precision == "fp16"
    with pytest.raises(TypeError, match="devices"):
        estimator.resolve_hardware("h100-sxm", devices=8)


def test_a_run_as_it_ran_yields_to_the_inputs_given() -> None:
    ran = run_inputs.as_ran("bert-large")
    assert ran is not None and ran.devices is not None
    given_devices = run_inputs.as_ran("bert-large", devices=4)
    assert given_devices is not None and given_devices.devices is None


@given(
    devices=st.integers(1, 4096),
    utilization=st.integers(5, 90),
    pue=st.floats(1.0, 2.0),
)
def test_outlook_and_the_estimator_agree_on_the_same_inputs(
    devices: int, utilization: int, pue: float
) -> None:
    """The two public estimates read one inputs object: the same point outputs."""
    kw = {"hardware": "h100-sxm", "devices": devices, "utilization": f"{utilization}%", "pue": pue}
    base = estimator.base_estimate("1e21", **kw)
    seen = outlook.estimate("1e21", band=False, equivalents=False, **kw)
    for key in ("flops", "energy", "cost", "co2e", "wall_clock"):
        assert seen.outputs[key] == pytest.approx(base.outputs[key]), key
    assert seen.inputs == base.inputs
