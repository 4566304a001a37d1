"""Issue 14, the rest: the default utilization by hardware generation, the projection's
band, and the public figures of the seed runs (runs show)."""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from costcalc import band, public_estimates
from costcalc.errors import DataError
from costcalc.outlook import estimate

ROOT = Path(__file__).resolve().parents[1]
Z90 = 1.6448536269514722


def _implied_mfus(prefixes: tuple[str, ...]) -> list[float]:
    """FLOPs / (device-hours x dense peak) of the validation runs on ``prefixes``, read from
    validation/runs.yaml here (peaks: the profiles' published dense bf16 figures)."""
    peaks = {"a100-": 312e12, "h100-": 989e12, "h200": 989e12, "h800": 989e12}
    runs = yaml.safe_load((ROOT / "validation" / "runs.yaml").read_text(encoding="utf-8"))
    out = []
    for run in runs["runs"]:
        profile, hours = run.get("profile") or "", run.get("device_hours")
        prefix = next((p for p in prefixes if profile.startswith(p)), None)
        if prefix is None or not hours:
            continue
        n = run.get("params_active") or run.get("params_total")
        if n and run.get("training_tokens"):
            flops = 6.0 * n * run["training_tokens"]
        elif run.get("reported_training_flop"):
            flops = float(run["reported_training_flop"])
        else:
            continue
        out.append(flops / (peaks[prefix] * float(hours) * 3600))
    return out


# -- 1. the default utilization by hardware generation ----------------------------------


@pytest.mark.parametrize(
    ("profile", "prefixes", "label"),
    [
        ("a100-sxm-80gb", ("a100-",), "A100"),
        ("h100-sxm", ("h100-", "h200", "h800"), "H100"),
    ],
)
def test_default_utilization_is_the_generations_median(profile, prefixes, label):
    mfus = _implied_mfus(prefixes)
    assert len(mfus) >= 8
    est = estimate("1e21", hardware=profile, equivalents=False)
    util = est.assumption("utilization")
    assert util.origin == "default"
    assert util.base == pytest.approx(statistics.median(mfus), abs=5e-4)
    assert f"median MFU of {len(mfus)} published" in util.source
    assert label in util.source
    # hours = FLOPs / (peak x utilization)
    assert est.fields()["device_hours"] == pytest.approx(
        1e21 / (est.assumption("peak").base * util.base) / 3600
    )


def test_other_hardware_keeps_epochs_default():
    est = estimate("1e21", hardware="mi300x", equivalents=False)
    util = est.assumption("utilization")
    assert util.base == 0.375
    assert "Epoch AI" in util.source


def test_given_utilization_wins(cli):
    doc = json.loads(cli("estimate", "1e21", "-H", "h100-sxm", "-u", "50%", "-f", "json").out)
    assert doc["assumptions"]["utilization"]["value"] == 0.5
    assert doc["assumptions"]["utilization"]["origin"] == "flag"


def test_sweep_rows_agree_with_estimate_per_hardware(cli):
    out = cli("sweep", "1e21", "-H", "a100-sxm-80gb,h100-sxm,mi300x", "-f", "json").out
    rows = json.loads(out)["rows"]
    for row in rows:
        one = estimate("1e21", hardware=row["hardware"], equivalents=False)
        assert row["device_hours"] == pytest.approx(one.fields()["device_hours"], rel=1e-9)


def test_sweep_on_one_hardware_shows_its_utilization(cli):
    out = cli("sweep", "1e21", "-H", "h100-sxm", "--devices", "8,16").out
    assert "median MFU of" in out


def test_band_sigma_is_around_the_generations_median():
    mfus = _implied_mfus(("a100-",))
    centre = round(statistics.median(mfus), 3)
    sigma = math.sqrt(sum(math.log(m / centre) ** 2 for m in mfus) / len(mfus))
    assert band.utilization_sigma("a100-sxm-40gb")[0] == pytest.approx(sigma, abs=1e-3)


def test_validation_reports_leave_one_out():
    sys.path.insert(0, str(ROOT / "scripts"))
    import validate

    rows = validate.validate()
    row = next(r for r in rows if r.id == "llama-2-7b")
    # the A100 median without Llama 2 7B's own run
    mfus = _implied_mfus(("a100-",))
    own = 6 * 7e9 * 2.0e12 / (312e12 * 184320 * 3600)
    others = list(mfus)
    others.remove(min(others, key=lambda m: abs(m - own)))
    loo = statistics.median(others)
    assert row.loo_estimated == pytest.approx(6 * 7e9 * 2.0e12 / (312e12 * loo) / 3600, rel=1e-3)
    s = validate.summarize(rows)
    text = "\n".join(validate.summary_lines(s))
    assert "leave one out" in text and "in-sample" in text
    assert s.median_error <= 1.3 and s.coverage >= 0.85 and s.median_width <= 3.5


# -- 3. --year: the band widens with the years projected --------------------------------


def _projection(year: str) -> dict:
    est = estimate("gpt-3", year=year, equivalents=False)
    return {"projection": est.sections["projection"], "band": est.sections["band"]}


def test_projection_band_widens_with_the_years():
    near, far = _projection("2021"), _projection("2100")
    width = {
        y: d["projection"]["percentiles"]["energy_kwh"]["p95"]
        / d["projection"]["percentiles"]["energy_kwh"]["p5"]
        for y, d in (("near", near), ("far", far))
    }
    assert width["far"] > 100 * width["near"]
    # closed form: today's log-sigma and the trend's (sigma per year x years) in quadrature
    today = far["band"]["percentiles"]["energy_kwh"]
    own = math.log(today["p95"] / today["p50"]) / Z90
    years = 2100 - far["projection"]["from_year"]
    per_year = far["projection"]["trend_sigma"]["energy_efficiency"]["sigma_per_year"]
    expected = math.exp(2 * Z90 * math.hypot(own, per_year * years))
    assert width["far"] == pytest.approx(expected, rel=1e-9)


def test_price_performance_sigma_follows_epochs_interval():
    # Hobbhahn & Besiroglu 2022, ML GPUs: doubling 2.07 years, 95 % CI [1.54, 3.13]
    sigma = (math.log(2) / 1.54 - math.log(2) / 3.13) / (2 * 1.959964)
    far = _projection("2100")["projection"]
    assert far["trend_sigma"]["price_performance"]["sigma_per_year"] == pytest.approx(
        sigma, abs=5e-4
    )
    assert "ASSUMED" in far["trend_sigma"]["energy_efficiency"]["source"]


def test_year_warning_names_the_trend_and_the_widening(cli):
    r = cli("estimate", "gpt-3", "--year", "2100")
    assert r.code == 0, r.err
    warning = next(line for line in r.out.splitlines() if "past the trend data" in line)
    assert "0.14 orders of magnitude a year" in warning
    assert "band widens" in warning and "0.058" in warning
    line = next(x for x in r.out.splitlines() if x.strip().startswith("Cost    $"))
    assert "–" in line  # the projected cost shows its band


def test_no_range_drops_the_projection_band():
    est = estimate("gpt-3", year="2100", equivalents=False, band=False)
    assert "percentiles" not in est.sections["projection"]


# -- 2. seed numbers: public figures beside costcalc's answer ----------------------------


def test_lambda_figure_is_reproduced_by_its_method():
    (row,) = public_estimates.for_run("gpt-3")
    years = 3.14e23 / 28e12 / 3600 / 8760  # the paper's FLOPs at Lambda's 28 TFLOPS
    assert years == pytest.approx(355, abs=1)
    assert row["device_hours"] == pytest.approx(years * 8760, rel=0.01)
    assert row["device_hours"] * row["price_usd_per_device_hour"] == pytest.approx(
        row["cost_usd"], rel=0.02
    )


def test_runs_show_gpt3_explains_the_public_figure(cli):
    r = cli("runs", "show", "gpt-3")
    assert r.code == 0, r.err
    assert "$4.6 M: Lambda" in r.out
    assert "lambdalabs.com/blog/demystifying-gpt-3" in r.out
    assert "10,000 x v100-sxm2" in r.out
    doc = json.loads(cli("runs", "show", "gpt-3", "-f", "json").out)
    (pub,) = doc["public_estimates"]
    own = json.loads(cli("estimate", "gpt-3", "--no-range", "-f", "json").out)
    assert pub["costcalc"]["cost_usd"] == pytest.approx(own["cost_usd"])
    assert pub["costcalc"]["device_hours"] == pytest.approx(own["device_hours"])
    assert pub["factors"]["cost"] == pytest.approx(4.6e6 / own["cost_usd"])
    # 3.11 M GPU-hours x $1.50 = $4.66 M, which Lambda rounds to $4.6 M
    assert pub["factors"]["device_hours"] * pub["factors"]["price"] == pytest.approx(
        pub["factors"]["cost"], rel=0.02
    )
    assert "public/costcalc" in r.out


def test_runs_show_alphago_zero_explains_its_figure(cli):
    r = cli("runs", "show", "alphago-zero")
    assert r.code == 0, r.err
    assert "$35 M: Dan Huang (yuzeh.com)" in r.out
    assert "Google Cloud" in r.out
    # the run as it ran is on the TPU v1 profile, which was never rented: no price to compare
    assert "tpu-v1" in r.out and "no cost (no price)" in r.out


def test_runs_without_public_figures_have_no_section(cli):
    doc = json.loads(cli("runs", "show", "palm", "-f", "json").out)
    assert "public_estimates" not in doc
    assert "Public estimate" not in cli("runs", "show", "palm").out


def test_a_broken_public_estimates_file_is_a_data_error(monkeypatch):
    from costcalc import tables

    monkeypatch.setattr(
        tables, "data_yaml", lambda name: {"estimates": [{"run": "gpt-3", "cost_usd": -1}]}
    )
    with pytest.raises(DataError, match="missing"):
        public_estimates.load()


def test_installed_script_shows_the_public_figure():
    exe = Path(sys.executable).with_name("costcalc")
    out = subprocess.run(
        [str(exe), "runs", "show", "gpt-3", "-f", "json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out)["public_estimates"][0]["cost_usd"] == 4600000
