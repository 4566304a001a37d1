"""Quantity parsing: every accepted spelling, every dimension check, the fast-path table."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costcalc import units
from costcalc.errors import InputError
from costcalc.units import parse_quantity


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("1e18", "compute", 1e18),
        ("10^18", "compute", 1e18),
        ("10**18", "compute", 1e18),
        ("1 EFLOP", "compute", 1e18),
        ("3.14e23 FLOP", "compute", 3.14e23),
        ("3.14e23 FLOPs", "compute", 3.14e23),
        ("3 PF/s-day", "compute", 3 * 8.64e19),
        ("1 petaflop/s-days", "compute", 8.64e19),
        ("180 TFLOPS", "throughput", 180e12),
        ("1 PFLOP/s", "throughput", 1e15),
        ("330 W", "power", 330.0),
        ("0.7 kW", "power", 700.0),
        ("14.8 days", "time", 14.8 * 86400),
        ("2", "time", 7200.0),  # a bare duration is in hours
        ("429 g/kWh", "carbon_intensity", 429e-3 / 3.6e6),
        ("0.429 kg/kWh", "carbon_intensity", 429e-3 / 3.6e6),
        ("429 gCO2e/kWh", "carbon_intensity", 429e-3 / 3.6e6),
        ("429", "carbon_intensity", 429e-3 / 3.6e6),
        ("2.50 USD/hour", "price", 2.5 / 3600),
        ("2.5", "price", 2.5 / 3600),
        ("40%", "fraction", 0.4),
        ("0.4", "fraction", 0.4),
        ("40 percent", "fraction", 0.4),
        ("80 GB", "memory", 80e9 * 8),
        ("20 t", "mass", 20_000.0),
        ("500 MWh", "energy", 500 * 3.6e9),
    ],
)
def test_accepted_spellings(text: str, kind: str, expected: float) -> None:
    assert parse_quantity(text, kind) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("5 kWh", "power", "'5 kWh' is an energy, expected a power (e.g. 330 W); divide by a time"),
        ("989 TFLOPs", "throughput", "did you mean TFLOPS?"),
        ("1 EFLOPS", "compute", "FLOPS is a rate (FLOP per second), FLOP or FLOPs a count"),
        ("nan", "power", "'nan' is not a number; expected a power"),
        ("inf W", "power", "'inf W' is too large: it overflows a 64-bit float"),
        ("1e400", "compute", "'1e400' is too large: it overflows a 64-bit float"),
        ("-3 W", "power", "'-3 W' is negative; expected a power"),
        ("0", "compute", "'0' must be greater than zero"),
        ("", "power", "empty value; expected a power (e.g. 330 W)"),
        ("3 wat", "power", "unknown unit 'wat' in '3 wat' (did you mean 'watt'?)"),
        ("40", "fraction", "did you mean 40%?"),
        ("2 EUR/hour", "price", "never converts currencies silently"),
        ("((", "compute", "cannot read '((' as an amount of compute"),
        ("__import__('os')", "power", "as a power"),
        ("x" * 300, "power", "300 characters long"),
    ],
)
def test_rejected_with_a_message(text: str, kind: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        parse_quantity(text, kind, "--flag")
    assert message in str(err.value)
    assert str(err.value).startswith("--flag: ")


def test_fast_path_table_matches_pint() -> None:
    """The pre-computed table is what the pint registry says today (to the last bits:
    pint versions differ in rounding)."""
    fresh, shipped = units.build_table(), units._table()
    assert fresh["kinds"] == shipped["kinds"]
    assert fresh["units"].keys() == shipped["units"].keys()
    for spelling, (factor, dims) in fresh["units"].items():
        assert shipped["units"][spelling][1] == dims, spelling
        assert math.isclose(shipped["units"][spelling][0], factor, rel_tol=1e-12), spelling


@given(st.floats(min_value=1e-3, max_value=1e30, allow_nan=False))
def test_prefixed_compute_equals_plain_number(x: float) -> None:
    assert parse_quantity(f"{x!r} FLOP", "compute") == pytest.approx(x)
    assert parse_quantity(f"{x / 1e18!r} EFLOP", "compute") == pytest.approx(x, rel=1e-12)


@given(
    st.floats(min_value=1e-6, max_value=1e6, allow_nan=False), st.sampled_from(["W", "kW", "MW"])
)
def test_fast_path_and_pint_agree(x: float, unit: str) -> None:
    # "1 * unit" is not in the table, so it goes through the full registry.
    fast = parse_quantity(f"{x!r} {unit}", "power")
    slow = parse_quantity(f"{x!r} * 1 {unit}", "power")
    assert math.isclose(fast, slow, rel_tol=1e-12)


@given(st.text(max_size=40))
def test_any_text_either_parses_or_raises_input_error(text: str) -> None:
    for kind in ("compute", "power", "fraction"):
        try:
            value = parse_quantity(text, kind)
        except InputError:
            continue
        assert math.isfinite(value) and value > 0
