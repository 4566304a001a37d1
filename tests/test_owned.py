"""Owned hardware as Cottier et al. 2024 cost it: server and cluster-interconnect additions to
the accelerator price, their depreciation rule, and the cluster's purchase cost; their GPT-4
case reproduced from its inputs."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costcalc.money import owned_hardware, paper_depreciation
from costcalc.outlook import estimate

# The GPT-4 case of Cottier et al. 2024 (arXiv 2405.21015), inputs as in Epoch AI's
# training-cost-trends (@312c7ed, development_cost.ipynb log and data/):
# 25,000 A100 SXM4 40 GB for 95 days (57e6 chip-hours), single-unit list price $15,000
# (Hardware prices.csv, nextplatform 2020-07-01), acquired 2020-08-12, training from
# 2022-05-12 (1.75 years later), PUE 1.25 (not a hyperscaler), 2022 US industrial 0.0832/kWh.
GPT4_FLAGS = [
    "estimate",
    "-H",
    "a100-sxm-40gb",
    "--devices",
    "25000",
    "--duration",
    "95 days",
    "--purchase-price",
    "15000 USD",
    "--depreciation",
    "32.24%",
    "--hardware-age",
    "1.75 years",
    "--pue",
    "1.25",
    "--electricity-price",
    "0.0832 USD/kWh",
    "--no-range",
    "--no-equivalents",
    "-f",
    "json",
]
# Epoch AI's published figures for GPT-4 (training-cost-trends model_costs.csv @263c40a:
# Hardware_Acquisition_Cost, Hardware_Capex_Energy_Cost); the paper rounds them to about
# $800M to acquire the hardware and $40M amortized hardware plus energy.
EPOCH_ACQUISITION = 778_066_898.67
EPOCH_AMORTIZED = 40_695_706.40
TOLERANCE = 0.05  # their figure is in constant dollars (a price index), ours is nominal


def _gpt4(doc: dict) -> dict:
    return doc["money"]["items_usd"]


def test_gpt4_reproduces_the_papers_acquisition_and_amortized_cost(cli) -> None:
    result = cli(*GPT4_FLAGS)
    assert result.code == 0, result.err
    items = _gpt4(json.loads(result.out))
    # by hand, from the paper's formulas: price x server overhead / (1 - interconnect share)
    cluster_per_chip = 15000 * 1.66 / (1 - 0.19)
    assert items["acquisition"] == pytest.approx(25000 * cluster_per_chip, rel=1e-9)
    start_value = cluster_per_chip * 10 ** (-0.14 * 1.75)
    assert start_value * 0.81 == pytest.approx(14165.05, rel=1e-3)  # Epoch's log: per chip
    chip_hours = 25000 * 95 * 24
    assert items["hardware"] == pytest.approx(
        start_value * 0.3224 / (365.25 * 24) * chip_hours, rel=1e-9
    )
    # ... and against Epoch AI's published figures, within the stated tolerance
    assert items["acquisition"] == pytest.approx(EPOCH_ACQUISITION, rel=TOLERANCE)
    assert items["total"] == pytest.approx(EPOCH_AMORTIZED, rel=TOLERANCE)
    assert "acquisition" not in items or items["total"] < items["acquisition"]


def test_gpt4_case_as_a_subprocess_of_the_installed_script(tmp_path: Path) -> None:
    env = dict(os.environ, COSTCALC_CONFIG_DIR=str(tmp_path), NO_COLOR="1")
    done = subprocess.run(
        [sys.executable, "-m", "costcalc", *GPT4_FLAGS],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert _gpt4(doc)["acquisition"] == pytest.approx(EPOCH_ACQUISITION, rel=TOLERANCE)
    names = doc["assumptions"]
    for name in ("server_cost_overhead", "interconnect_share", "depreciation", "hardware_age"):
        assert "Cottier" in str(names[name]) or "training-cost-trends" in str(names[name])


def test_the_papers_rate_is_its_trend_times_ln10() -> None:
    assert paper_depreciation() == pytest.approx(0.14 * math.log(10))
    assert round(paper_depreciation() * 100, 2) == 32.24  # the rate the docs tell users


def test_data_file_has_value_source_and_caveat() -> None:
    data = owned_hardware()
    assert "2405.21015" in data["source"] and data["date"]
    for key in ("server_cost_overhead", "interconnect_share", "depreciation"):
        assert data[key]["source"] and data[key]["caveat"]
    assert data["server_cost_overhead"]["by_device"]["a100"] == 1.66
    assert data["interconnect_share"]["value"] == 0.19


def _items(**kw: str) -> dict:
    return estimate(
        "1e21", hardware="a100-sxm-40gb", devices="8", band=False, equivalents=False, **kw
    ).sections["money"]["items"]


def test_server_overhead_follows_the_price_basis(cli) -> None:
    # a single-unit list price (a100-sxm-40gb) gets the A100 overhead ...
    doc = json.loads(cli("estimate", "1e21", "-H", "a100-sxm-40gb", "--owned", "-f", "json").out)
    assert float(doc["assumptions"]["server_cost_overhead"]["value"]) == pytest.approx(1.66)
    # ... a price per chip of an 8-GPU server (h100-sxm's DGX rows) already has the server
    doc = json.loads(cli("estimate", "1e21", "-H", "h100-sxm", "--owned", "-f", "json").out)
    assert float(doc["assumptions"]["server_cost_overhead"]["value"]) == pytest.approx(1.0)
    # ... a price given for a device the paper did not measure gets their average
    doc = json.loads(
        cli("estimate", "1e21", "-H", "h100-sxm", "--purchase-price", "30000", "-f", "json").out
    )
    assert float(doc["assumptions"]["server_cost_overhead"]["value"]) == pytest.approx(1.64)


def test_straight_line_and_depreciation_are_the_two_rules() -> None:
    base = dict(purchase_price="10000 USD", server_cost_overhead="1", interconnect_share="0")
    line = _items(useful_life="4 years", **base)
    rate = _items(depreciation="25%", **base)  # 25 %/year of the value = 1/4 per year
    assert rate["hardware"] == pytest.approx(line["hardware"], rel=1e-9)
    assert rate["acquisition"] == pytest.approx(8 * 10000)


@given(
    overhead=st.floats(1.0, 3.0),
    share=st.floats(0.0, 0.9),
    price=st.floats(100.0, 1e6),
)
def test_cluster_price_scales_hardware_and_acquisition(
    overhead: float, share: float, price: float
) -> None:
    plain = _items(purchase_price=f"{price} USD", server_cost_overhead="1", interconnect_share="0")
    full = _items(
        purchase_price=f"{price} USD",
        server_cost_overhead=repr(overhead),
        interconnect_share=repr(share),
    )
    factor = overhead / (1 - share)
    assert full["hardware"] == pytest.approx(plain["hardware"] * factor, rel=1e-9)
    assert full["acquisition"] == pytest.approx(8 * price * factor, rel=1e-9)
    assert full["electricity"] == pytest.approx(plain["electricity"], rel=1e-12)
    assert full["total"] == pytest.approx(full["hardware"] + full["electricity"], rel=1e-12)


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--owned", "--depreciation", "30%", "--useful-life", "3 years"], "--depreciation"),
        (["--owned", "--server-cost-overhead", "0.5"], "--server-cost-overhead"),
        (["--owned", "--interconnect-share", "100%"], "--interconnect-share"),
        (["--owned", "--hardware-age", "1 year"], "--hardware-age"),
        (["--server-cost-overhead", "1.5"], "--server-cost-overhead"),
        (["--interconnect-share", "10%"], "--interconnect-share"),
        (["--depreciation", "30%"], "--depreciation"),
        (["--owned", "--depreciation", "lots"], "--depreciation"),
    ],
)
def test_bad_owned_inputs_exit_2_naming_the_flag(cli, args: list[str], flag: str) -> None:
    result = cli("estimate", "1e21", "-H", "a100-sxm-40gb", *args)
    assert result.code == 2, result.out
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"costcalc: error: {flag}:"), result.err
    assert "Traceback" not in result.err


def test_the_gpt4_case_as_a_plan_run(cli, tmp_path: Path, monkeypatch) -> None:
    """The same inputs as plan keys (costcalc check): plans reach the same rule."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "costcalc.yaml").write_text(
        """\
runs:
  gpt-4:
    hardware: a100-sxm-40gb
    devices: 25000
    duration: 95 days
    purchase_price: 15000 USD
    depreciation: 32.24%
    hardware_age: 1.75 years
    pue: 1.25
    electricity_price: 0.0832 USD/kWh
    server_cost_overhead: 1.66
    interconnect_share: 19%
""",
        encoding="utf-8",
    )
    result = cli("check", "-f", "json", "--allow-infeasible")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["total"]["cost_usd"] == pytest.approx(EPOCH_AMORTIZED, rel=TOLERANCE)


def test_tpu_prices_get_the_server_overhead_as_in_the_paper(cli) -> None:
    doc = json.loads(cli("estimate", "1e21", "-H", "tpu-v4", "--owned", "-f", "json").out)
    assert float(doc["assumptions"]["server_cost_overhead"]["value"]) == pytest.approx(1.64)
