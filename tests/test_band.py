"""The default band (costcalc.band): closed form checked against sampling, the spreads
checked against a re-fit of their data, and every front end that shows it."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from costcalc import band
from costcalc.outlook import estimate

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import fit_band  # noqa: E402


def test_band_yaml_is_the_fit_of_its_data():
    shipped = yaml.safe_load(
        (ROOT / "src" / "costcalc" / "data" / "band.yaml").read_text(encoding="utf-8")
    )
    fitted = yaml.safe_load(fit_band.to_yaml(fit_band.fit()))
    assert shipped == fitted, "run: python scripts/fit_band.py --write"


def test_power_sigma_from_patterson_by_hand():
    # Patterson et al. Table 3 averages over costcalc's rule (V100 300 W x 1.8 x 0.75 ... ):
    from costcalc.estimator import resolve_hardware

    ratios = [
        221 / resolve_hardware("tpu-v2-chip").power,
        283 / resolve_hardware("tpu-v3").power,
        271 / resolve_hardware("p100").power,
        325 / resolve_hardware("v100-sxm2").power,
    ]
    sigma = math.sqrt(sum(math.log(r) ** 2 for r in ratios) / 4)
    assert band.spreads_data()["power"]["sigma"] == pytest.approx(sigma, abs=5e-4)


def test_closed_form_matches_sampling():
    est = estimate("1e21", hardware="a100-sxm-80gb", devices=8, equivalents=False)
    section = est.sections["band"]
    sig = {k: v["sigma"] for k, v in section["inputs"].items()}
    assert set(sig) == {"utilization", "power", "pue", "price"}
    rng = np.random.default_rng(1)
    n = 400_000
    draws = {k: np.exp(rng.normal(0.0, s, n)) for k, s in sig.items()}
    point = est.fields()
    energy = point["energy_kwh"] / draws["utilization"] * draws["power"] * draws["pue"]
    p5, p95 = np.percentile(energy, [5, 95])
    assert section["percentiles"]["energy_kwh"]["p5"] == pytest.approx(p5, rel=0.01)
    assert section["percentiles"]["energy_kwh"]["p95"] == pytest.approx(p95, rel=0.01)
    hours = point["device_hours"] / draws["utilization"]
    assert section["percentiles"]["device_hours"]["p95"] == pytest.approx(
        np.percentile(hours, 95), rel=0.01
    )


@given(st.dictionaries(st.sampled_from(["a", "b", "c"]), st.floats(0, 3), min_size=1))
def test_output_sigma_adds_in_quadrature(sigmas):
    exps = {"a": -1.0, "b": 1.0, "c": 2.0}
    s = band.output_sigma(exps, sigmas)
    assert s == pytest.approx(math.sqrt(sum((exps[k] * v) ** 2 for k, v in sigmas.items())))
    assert s >= max(abs(exps[k]) * v for k, v in sigmas.items()) - 1e-12


def test_inputs_given_are_exact():
    est = estimate(
        "1e21",
        hardware="a100-sxm-80gb",
        utilization="40%",
        power="700 W",
        pue="1.1",
        price="2",
        equivalents=False,
    )
    section = est.sections["band"]
    assert section["inputs"] == {}
    for pct in section["percentiles"].values():
        assert pct is not None and pct["p5"] == pct["p50"] == pct["p95"]


def test_utilization_given_leaves_power_and_pue_spread():
    est = estimate("1e21", hardware="a100-sxm-80gb", utilization="40%", equivalents=False)
    pct = est.sections["band"]["percentiles"]
    assert pct["device_hours"]["p5"] == pct["device_hours"]["p95"]
    assert pct["energy_kwh"]["p5"] < pct["energy_kwh"]["p95"]


def test_device_time_work_has_exact_hours_and_uncertain_flops():
    est = estimate(device_hours="1000", hardware="h100-sxm", equivalents=False)
    pct = est.sections["band"]["percentiles"]
    assert pct["device_hours"]["p5"] == pct["device_hours"]["p95"] == pytest.approx(1000)
    assert pct["flops"]["p5"] < pct["flops"]["p95"]


def test_sigma_by_hardware_group():
    a100 = band.utilization_sigma("a100-sxm-80gb")[0]
    h100 = band.utilization_sigma("h100-sxm")[0]
    other = band.utilization_sigma("mi300x")[0]
    data = band.spreads_data()["utilization"]
    assert other == data["all"]["sigma"]
    assert a100 < other < h100  # Hopper's published runs spread more


def test_table_shows_point_and_band(cli):
    r = cli("estimate", "1e18")
    assert r.code == 0, r.err
    line = next(x for x in r.out.splitlines() if "Device-hours" in x)
    # TPU v2 board (180 TFLOPS) at the pre-2020 generation's median MFU 38.3 %, sigma 0.364:
    # 1e18 / (180e12 x 0.383) / 3600 = 4.029 h; x exp(-/+ 1.645 x 0.364) = 2.21-7.33
    assert line.split() == ["Device-hours", "4.029", "(2.2–7.3)"]
    assert "Wall-clock time  4.03 hours (2.21–7.33) on 1 device" in r.out
    assert "--no-range" in r.out


def test_no_range_drops_the_band(cli):
    r = cli("estimate", "1e18", "--no-range")
    assert "(2.3–7.5)" not in r.out and "Band" not in r.out
    doc = json.loads(cli("estimate", "1e18", "--no-range", "-f", "json").out)
    assert "ranges" not in doc


def test_json_flat_fields_stay_numbers(cli):
    doc = json.loads(cli("estimate", "1e18", "-f", "json").out)
    assert isinstance(doc["device_hours"], float)
    pct = doc["ranges"]["percentiles"]["device_hours"]
    assert pct["p50"] == doc["device_hours"]
    assert pct["p5"] < doc["device_hours"] < pct["p95"]
    assert doc["ranges"]["level"] == 0.9
    assert "sensitivity" not in doc


def test_yaml_and_markdown_carry_the_band(cli):
    doc = yaml.safe_load(cli("estimate", "1e18", "-f", "yaml").out)
    assert doc["ranges"]["percentiles"]["energy_kwh"]["p95"] > doc["energy_kwh"]
    md = cli("estimate", "1e18", "-f", "markdown").out
    assert "| Device-hours | 4.029 (2.2–7.3) |" in md  # see test_table_shows_point_and_band


def test_value_takes_a_percentile(cli):
    p95 = float(cli("estimate", "1e18", "--value", "device_hours.p95").out)
    point = float(cli("estimate", "1e18", "--value", "device_hours").out)
    sigma = band.utilization_sigma("tpu-v2")[0]
    assert p95 == pytest.approx(point * math.exp(1.6448536 * sigma), rel=1e-6)


def test_user_ranges_keep_monte_carlo(cli):
    doc = json.loads(cli("estimate", "1e18", "-u", "30%..50%", "-f", "json").out)
    assert doc["ranges"]["samples"] == 100000
    assert isinstance(doc["device_hours"], dict)


def test_cost_band_centres_on_providers(cli):
    doc = json.loads(cli("estimate", "1e21", "-H", "h100-sxm", "-f", "json").out)
    price = doc["ranges"]["inputs"]["price"]
    assert "providers" in price["source"]
    pct = doc["ranges"]["percentiles"]["cost_usd"]
    assert pct["p5"] < pct["p50"] < pct["p95"]


def test_owned_hardware_has_no_cost_band():
    est = estimate("1e21", hardware="a100-sxm-80gb", owned=True, equivalents=False)
    assert "cost_usd" not in est.sections["band"]["percentiles"]


def test_installed_script_shows_the_band():
    exe = Path(sys.executable).with_name("costcalc")
    out = subprocess.run(
        [str(exe), "estimate", "1e18", "-f", "json"], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out)["ranges"]["percentiles"]["device_hours"]["p95"] > 4.115


# -- reference runs as they ran (costcalc.run_inputs) -----------------------------------


def test_gpt3_as_it_ran(cli):
    # Patterson et al. 2021 Table 4: 10,000 V100s for 14.8 days (355.2 hours).
    doc = json.loads(cli("estimate", "gpt-3", "-f", "json").out)
    assert doc["hardware"] == "v100-sxm2"
    assert doc["assumptions"]["devices"]["value"] == 10000
    assert doc["wall_clock_hours"] == pytest.approx(14.8 * 24, rel=1e-3)
    for name in ("hardware", "devices", "utilization"):
        assert doc["assumptions"][name]["origin"] == "run"
        assert doc["assumptions"][name]["source"].startswith("from run gpt-3 (Epoch AI")
    # the run's own utilization is known: no band on the hours
    pct = doc["ranges"]["percentiles"]["device_hours"]
    assert pct["p5"] == pct["p95"]


def test_run_flags_override(cli):
    doc = json.loads(cli("estimate", "gpt-3", "--devices", "1000", "-f", "json").out)
    assert doc["wall_clock_hours"] == pytest.approx(14.8 * 24 * 10, rel=1e-3)
    assert doc["assumptions"]["devices"]["origin"] == "flag"
    assert doc["assumptions"]["hardware"]["origin"] == "run"
    other = json.loads(cli("estimate", "gpt-3", "-H", "a100-sxm-80gb", "-f", "json").out)
    assert other["assumptions"]["devices"]["value"] == 1  # the run's count is of V100s
    assert other["assumptions"]["utilization"]["origin"] == "default"


def test_tpu_runs_count_chips_on_chip_profiles(cli):
    # BERT-large: "16 Cloud TPUs (64 TPU chips total)" for 4 days, on the per-chip profile.
    doc = json.loads(cli("estimate", "bert-large", "-f", "json").out)
    assert doc["hardware"] == "tpu-v2-chip"
    assert doc["assumptions"]["devices"]["value"] == 64
    assert doc["device_hours"] == pytest.approx(64 * 96)


def test_run_on_a_board_profile_counts_boards(monkeypatch):
    from costcalc import run_inputs
    from costcalc.hardware import default_catalog

    board = default_catalog().get("tpu-v2")
    assert board.chips == 4
    ran = run_inputs.as_ran("bert-large", hardware="tpu-v2")
    assert ran is None  # a board is other hardware than the run's chip profile
    # what a board profile would give: 64 chips = 16 boards, chip-hours / 4
    from dataclasses import replace

    from costcalc import runs

    run = runs.find("bert-large")
    fake = {run.slug: replace(run, profile="tpu-v2")}
    monkeypatch.setattr(runs, "catalog", lambda: fake)
    ran = run_inputs.as_ran("bert-large")
    assert ran is not None
    assert ran.devices == 16 and ran.device_hours == 6144 / 4
    assert "64 chips = 16 x tpu-v2" in ran.chips_note


# -- power accounting (--power-basis) -----------------------------------------------------


def test_llama2_card_reproduced_with_accelerator_basis(cli):
    # Llama 2 7B card: 184,320 GPU-hours, 400 W, 31.22 t = h x 0.4 kW x PUE 1.1 x 0.385 kg/kWh
    r = cli(
        "estimate",
        "--device-hours",
        "184320",
        "-H",
        "a100-sxm-80gb",
        "--power-basis",
        "accelerator",
        "--pue",
        "1.1",
        "--carbon-intensity",
        "385",
        "--value",
        "co2e_kg",
    )
    assert r.code == 0, r.err
    assert float(r.out) == pytest.approx(184320 * 0.4 * 1.1 * 0.385, rel=1e-9)  # 31.22 t


def test_power_parts_shown_and_add_up(cli):
    doc = json.loads(cli("estimate", "1e21", "-H", "h100-sxm", "-f", "json").out)
    a = doc["assumptions"]
    assert a["accelerator_power"]["value"] == "525 W"  # 700 W TDP x load 0.75
    assert a["server_overhead"]["value"] == "430.5 W"  # x (1.82 - 1)
    assert a["power"]["value"] == pytest.approx(525 + 430.5)
    acc = json.loads(
        cli("estimate", "1e21", "-H", "h100-sxm", "--power-basis", "accelerator", "-f", "json").out
    )
    assert acc["assumptions"]["power"]["value"] == 700
    assert acc["assumptions"]["server_overhead"]["value"] == "0 W"
    assert acc["energy_kwh"] < doc["energy_kwh"]
    assert "power" not in acc["ranges"]["inputs"]  # TDP accounting is exact


def test_power_basis_refuses_other_words(cli):
    r = cli("estimate", "1e21", "--power-basis", "wall")
    assert r.code == 2
    assert r.err.startswith("costcalc: error: --power-basis: unknown power basis 'wall'")
    assert len(r.err.strip().splitlines()) == 1


def test_power_flag_wins_over_the_basis():
    est = estimate("1e21", hardware="h100-sxm", power="500 W", power_basis="accelerator")
    assert est.assumption("power").base == pytest.approx(500)


# -- projections past the trend data --------------------------------------------------------


def test_year_past_the_trend_data_warns_and_names_the_trend(cli):
    r = cli("estimate", "gpt-3", "--year", "2100")
    assert r.code == 0, r.err
    note = next(x for x in r.out.splitlines() if "past the trend data" in x)
    assert "77 years past the trend data (to 2023)" in note
    assert "0.14 orders of magnitude a year" in note and "doubles every 3 years" in note
    doc = json.loads(cli("estimate", "gpt-3", "--year", "2100", "-f", "json").out)
    assert any("past the trend data" in n for n in doc["notes"])
    # cost factor 10^(-0.14 x (2100 - 2017)) from the V100's launch year
    assert doc["projection"]["cost_factor"] == pytest.approx(10 ** (-0.14 * 83))


def test_year_within_the_trend_data_does_not_warn(cli):
    doc = json.loads(cli("estimate", "gpt-3", "--year", "2022", "-f", "json").out)
    assert not any("past the trend data" in n for n in doc["notes"])


def test_value_of_a_field_is_the_point_even_when_the_band_is_off_centre(cli):
    doc = json.loads(cli("estimate", "1e21", "-H", "h100-sxm", "-f", "json").out)
    cost = float(cli("estimate", "1e21", "-H", "h100-sxm", "--value", "cost_usd").out)
    assert cost == pytest.approx(doc["cost_usd"])
    assert doc["ranges"]["percentiles"]["cost_usd"]["p50"] != pytest.approx(cost)
    p50 = float(cli("estimate", "1e21", "-H", "h100-sxm", "--value", "cost_usd.p50").out)
    assert p50 == pytest.approx(doc["ranges"]["percentiles"]["cost_usd"]["p50"])


def test_price_spread_uses_the_price_rules_per_provider_price() -> None:
    """The band's spread of prices takes, per provider, the price that provider's own
    rule gives (costcalc.pricing.choose_price), ties on a date included."""
    from costcalc import pricing

    checked = 0
    for device in sorted({r.device for r in pricing.load_prices()}):
        newest = pricing.newest_by_provider(device)
        for provider, row in newest.items():
            assert pricing.choose_price(device, provider=provider).row == row
            checked += 1
    assert checked > 20
