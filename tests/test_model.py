"""Laws of the model, as properties over plain floats and numpy arrays."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from costcalc import estimate, model

positive = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)
flops_st = st.floats(min_value=1e10, max_value=1e26)
util_st = st.floats(min_value=0.01, max_value=1.0)
OUTPUTS = ("device_hours", "wall_clock_hours", "energy_kwh", "cost_usd", "co2e_kg")


@given(flops_st, st.floats(min_value=1.5, max_value=1000))
def test_outputs_are_linear_in_flops(flops: float, k: float) -> None:
    one = estimate(flops, hardware="tpu-v2").fields()
    scaled = estimate(flops * k, hardware="tpu-v2").fields()
    for name in OUTPUTS:
        assert scaled[name] == pytest.approx(one[name] * k, rel=1e-9)


@given(util_st, st.floats(min_value=0.01, max_value=1.0))
def test_outputs_are_inverse_in_utilization(u1: float, u2: float) -> None:
    a = estimate("1e20", hardware="tpu-v2", utilization=u1).fields()
    b = estimate("1e20", hardware="tpu-v2", utilization=u2).fields()
    for name in OUTPUTS:
        assert a[name] * u1 == pytest.approx(b[name] * u2, rel=1e-9)


@given(st.integers(min_value=1, max_value=100_000))
def test_devices_change_wall_clock_only(devices: int) -> None:
    one = estimate("1e21", hardware="h100-sxm").fields()
    many = estimate("1e21", hardware="h100-sxm", devices=devices).fields()
    assert many["wall_clock_hours"] * devices == pytest.approx(one["wall_clock_hours"])
    for name in ("device_hours", "energy_kwh", "cost_usd", "co2e_kg"):
        assert many[name] == pytest.approx(one[name])


def test_one_exaflop_spellings_agree() -> None:
    spellings = ["1e18", "10^18", "1 EFLOP", "1e18 FLOP", "1000 PFLOP", 1e18]
    results = [estimate(s, hardware="tpu-v2").fields() for s in spellings]
    for r in results[1:]:
        assert r == pytest.approx(results[0])


@given(st.floats(min_value=1e-2, max_value=1e7), st.integers(min_value=1, max_value=4096))
def test_device_time_round_trips_through_flops(hours: float, devices: int) -> None:
    by_time = estimate(hardware="h100-sxm", device_hours=hours)
    again = estimate(by_time.outputs["flops"], hardware="h100-sxm")
    assert again.fields()["device_hours"] == pytest.approx(hours, rel=1e-9)
    by_duration = estimate(hardware="h100-sxm", duration=hours, devices=devices)
    assert by_duration.fields()["wall_clock_hours"] == pytest.approx(hours, rel=1e-9)
    assert by_duration.fields()["device_hours"] == pytest.approx(hours * devices, rel=1e-9)


@given(st.lists(st.tuples(flops_st, util_st, st.integers(1, 10_000)), min_size=1, max_size=50))
def test_arrays_equal_scalar_calls(rows: list[tuple[float, float, int]]) -> None:
    """The same functions serve a sweep (arrays) and a one-liner (floats)."""
    flops, util, devices = (np.array(c, dtype=float) for c in zip(*rows, strict=True))
    args = dict(peak=9.89e14, power=955.5, pue=1.1, price=0.003, carbon_intensity=1e-7)
    vector = model.evaluate(flops, utilization=util, devices=devices, **args)
    for i, (f, u, d) in enumerate(rows):
        scalar = model.evaluate(f, utilization=u, devices=d, **args)
        for key, value in scalar.items():
            assert vector[key][i] == pytest.approx(value, rel=1e-12)


def test_hand_checked_tpu_v2_example() -> None:
    """The README's worked example, by hand: 1e18 FLOP on the TPU v2 board."""
    e = estimate("1e18", hardware="tpu-v2")
    # utilization: the median implied MFU of the 12 V100/P100/TPU runs (band.yaml, re-fitted
    # from validation/runs.yaml by tests/test_band.py)
    seconds = 1e18 / (180e12 * 0.383)
    watts = 1120 * 1.64 * 0.43
    f = e.fields()
    assert f["device_hours"] == pytest.approx(seconds / 3600)
    assert f["energy_kwh"] == pytest.approx(seconds * watts * 1.56 / 3.6e6)
    # the price list's TPU v2: Epoch's $1.13 per chip-hour x 4 chips (prices.csv)
    assert f["cost_usd"] == pytest.approx(seconds / 3600 * 4 * 1.13)
    assert f["co2e_kg"] == pytest.approx(f["energy_kwh"] * 0.473007)
