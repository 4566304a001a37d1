"""Same inputs, same bytes; huge and tiny numbers read well; overflow is an error (issue 8)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from costcalc.errors import InputError
from costcalc.estimator import base_estimate as estimate
from costcalc.render.fmt import sig

ARGS = ["estimate", "3.14e23", "-H", "h100-sxm", "--devices", "512", "--region", "IS"]


def _run(fmt: str, tmp_path: Path, **env: str) -> bytes:
    r = subprocess.run(
        [sys.executable, "-m", "costcalc", *ARGS, "--format", fmt],
        capture_output=True,
        env={**os.environ, "COSTCALC_CACHE_DIR": str(tmp_path / "cache"), **env},
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize("fmt", ["json", "csv", "yaml", "markdown"])
def test_same_inputs_give_byte_identical_output(fmt: str, tmp_path: Path) -> None:
    cold = _run(fmt, tmp_path, PYTHONHASHSEED="1")  # fills the cache
    warm = _run(fmt, tmp_path, PYTHONHASHSEED="2")  # reads it
    uncached = _run(fmt, tmp_path, PYTHONHASHSEED="3", COSTCALC_NO_CACHE="1")
    assert cold == warm == uncached


def test_in_process_output_matches_a_real_process(cli, tmp_path: Path) -> None:
    assert cli(*ARGS, "--format", "json").out.encode() == _run("json", tmp_path)


@pytest.mark.parametrize(
    ("x", "shown"),
    [
        (1e30, "1e30"),
        (1.0, "1"),
        (0.0, "0"),
        (4115226337449.56, "4,115,000,000,000"),  # no digits beyond the 4 significant ones
        (18.518518, "18.52"),
        (1e15, "1e15"),
        (2.5e-4, "2.5e-4"),
        (1e-300, "1e-300"),
        (999_999.5, "1,000,000"),
    ],
)
def test_significant_digits(x: float, shown: str) -> None:
    assert sig(x) == shown


def test_huge_and_tiny_compute_read_well_in_the_table(cli) -> None:
    huge = cli("estimate", "1e30").out
    assert "Compute          1e30 FLOP" in huge
    # TPU v2 board at its generation's median MFU 38.3 %: 1e30 / (180e12 x 0.383) s
    assert "460,000,000 years" in huge and "4,965 TWh" in huge
    tiny = cli("estimate", "1").out
    assert "Compute          1 FLOP" in tiny
    assert "1.45e-14 seconds" in tiny and "4.965e-15 Wh" in tiny
    for text in (huge, tiny):
        words = text.lower().split()
        assert "inf" not in words and "nan" not in words


@pytest.mark.parametrize(
    "args",
    [
        ["1e308", "--utilization", "1e-200"],
        ["1e300", "--utilization", "1e-300"],
        ["1e300", "--power", "1e300 W"],
        ["1e300", "--price", "1e300 USD/hour"],
    ],
)
def test_overflow_is_an_error_not_inf(cli, args: list[str]) -> None:
    r = cli("estimate", *args, "--format", "json")
    assert r.code == 2 and r.out == ""
    assert "overflows" in r.err


def test_overflow_in_the_library_is_an_input_error() -> None:
    with pytest.raises(InputError, match="overflows"):
        estimate("1e308", utilization=1e-12)
