"""The --where grammar: golden good and bad cases, and no way out of the sandbox."""

from __future__ import annotations

import numpy as np
import pytest

from costcalc.errors import InputError
from costcalc.where import Field, compile_where

FIELDS = {
    "cost_usd": Field("cost_usd", "money", "USD"),
    "co2e_kg": Field("co2e_kg", "mass", "kg"),
    "wall_clock_hours": Field("wall_clock_hours", "time", "hour"),
    "utilization": Field("utilization", "fraction", ""),
    "hardware": Field("hardware", "", "", ("h100-sxm", "tpu-v5p")),
}
COLS = {
    "cost_usd": np.array([10.0, 2e6, np.nan, 500.0]),
    "co2e_kg": np.array([1e3, 4e4, 10.0, 29_999.0]),
    "wall_clock_hours": np.array([100.0, 400.0, 10.0, 336.0]),
    "utilization": np.array([0.3, 0.4, 0.5, 0.6]),
    "hardware": np.array([0, 1, 0, 1]),
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cost_usd < 1000", [True, False, False, True]),
        ("co2e_kg < 30 t", [True, False, True, True]),
        ("wall_clock_hours <= 2 weeks", [True, False, True, True]),
        ("wall_clock_hours <= 336 and co2e_kg < 30000", [True, False, True, True]),
        ("not (cost_usd < 1000) or utilization >= 60%", [False, True, True, True]),
        ("hardware == 'tpu-v5p'", [False, True, False, True]),
        ('hardware != "tpu-v5p" and cost_usd > 1', [True, False, False, False]),
        ("30 t > co2e_kg", [True, False, True, True]),
        ("cost_usd != 10", [False, True, False, True]),
        ("((cost_usd = 10))", [True, False, False, False]),
        ("cost_usd < 1 kUSD AND utilization < 0.5", [True, False, False, False]),
    ],
)
def test_good_expressions(text: str, expected: list[bool]) -> None:
    assert compile_where(text, FIELDS)(COLS).tolist() == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "__import__('os')",
            "--where: unknown field '__import__'; fields: cost_usd, co2e_kg, "
            "wall_clock_hours, utilization, hardware",
        ),
        (
            "cost_usd.real < 1",
            "--where: unexpected character '.' at column 9 in 'cost_usd.real < 1'",
        ),
        (
            "cost_ud < 1",
            "--where: unknown field 'cost_ud' (did you mean 'cost_usd'?); fields: "
            "cost_usd, co2e_kg, wall_clock_hours, utilization, hardware",
        ),
        ("cost_usd < 1e999999", "--where: '1e999999' is too large: it overflows a 64-bit float"),
        ("co2e_kg < 30 kWh", "--where: '30 kWh' is an energy, expected a CO2e mass (e.g. 20 t)"),
        ("cost_usd <", "--where: expected a number or 'text' at the end in 'cost_usd <'"),
        ("cost_usd < 1 and", "--where: expected a comparison at the end in 'cost_usd < 1 and'"),
        ("(cost_usd < 1", "--where: expected ')' at the end in '(cost_usd < 1'"),
        ("cost_usd < 1)", "--where: unexpected ')' at column 13 in 'cost_usd < 1)'"),
        (
            "cost_usd",
            "--where: expected a comparison (<=, >=, ==, !=, <, >) at the end in 'cost_usd'",
        ),
        (
            "hardware < 'x'",
            "--where: hardware is text: compare it with == or != only in \"hardware < 'x'\"",
        ),
        (
            "hardware == 'h100'",
            "--where: hardware has no value 'h100' (did you mean 'h100-sxm'?); "
            "it has h100-sxm, tpu-v5p",
        ),
        (
            "cost_usd < 'x'",
            "--where: cost_usd is a number: compare it with a number, not text "
            "in \"cost_usd < 'x'\"",
        ),
        ("", "--where: empty expression; expected e.g. 'cost_usd < 1e6'"),
        ("lambda: 1", "--where: unexpected character ':' at column 7 in 'lambda: 1'"),
        (
            "cost_usd < 1; import os",
            "--where: unexpected character ';' at column 13 in 'cost_usd < 1; import os'",
        ),
    ],
)
def test_bad_expressions(text: str, message: str) -> None:
    from costcalc.cli import flag
    from costcalc.errors import spelling

    with pytest.raises(InputError) as e, spelling(flag):  # as the command line reads it
        compile_where(text, FIELDS)
    assert str(e.value) == message
    assert e.value.input == "where"
    with pytest.raises(InputError) as e:  # from Python: the keyword
        compile_where(text, FIELDS)
    assert str(e.value) == message.replace("--where: ", "where: ", 1)


def test_deep_nesting_and_long_input_are_refused() -> None:
    with pytest.raises(InputError, match="nested deeper than 20 levels"):
        compile_where("(" * 30 + "cost_usd < 1" + ")" * 30, FIELDS)
    with pytest.raises(InputError, match="nested deeper than 20 levels"):
        compile_where("not " * 30 + "cost_usd < 1", FIELDS)
    with pytest.raises(InputError, match="characters long; the limit is 1000"):
        compile_where("cost_usd < 1 or " * 100 + "cost_usd < 1", FIELDS)
