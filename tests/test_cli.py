"""The CLI as a user meets it: golden cases for good and bad input, exit codes, streams."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from costcalc import estimate


def test_json_fields_match_the_library(cli) -> None:
    r = cli("estimate", "1e18", "--hardware", "tpu-v2", "--format", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    expected = estimate("1e18", hardware="tpu-v2").fields()
    for key, value in expected.items():
        assert doc[key] == pytest.approx(value)
    assert doc["schema"] == "costcalc/estimate/1"
    assert set(doc["assumptions"]) == {
        "hardware",
        "precision",
        "peak",
        "utilization",
        "devices",
        "power",
        "accelerator_power",
        "server_overhead",
        "pue",
        "carbon_intensity",
        "price",
    }
    for name, item in doc["assumptions"].items():
        assert item["source"], name
    assert doc["assumptions"]["utilization"]["origin"] == "default"
    assert r.err == ""


def test_table_shows_answer_and_every_assumption(cli) -> None:
    r = cli("estimate", "1e18", "--hardware", "tpu-v2")
    assert r.code == 0
    for label in (
        "Wall-clock time",
        "Device-hours",
        "Energy",
        "Cost",
        "CO2e",
        "utilization",
        "pue",
        "carbon_intensity",
        "price",
        "power",
        "Epoch AI",
        "Uptime Institute",
    ):
        assert label in r.out
    assert "\x1b[" not in r.out  # not a terminal: plain text


def test_value_prints_one_bare_number(cli) -> None:
    r = cli("estimate", "1e18", "-H", "tpu-v2", "--value", "cost_usd")
    assert r.code == 0
    assert float(r.out) == pytest.approx(estimate("1e18", hardware="tpu-v2").fields()["cost_usd"])
    assert r.out.count("\n") == 1


def test_overrides_are_used_and_marked(cli) -> None:
    r = cli(
        "estimate",
        "1 EFLOP",
        "-H",
        "h100-sxm",
        "--utilization",
        "40%",
        "--pue",
        "1.1",
        "--carbon-intensity",
        "429 g/kWh",
        "--price",
        "2.50 USD/hour",
        "--power",
        "700 W",
        "--devices",
        "8",
        "-f",
        "json",
    )
    doc = json.loads(r.out)
    a = doc["assumptions"]
    assert a["utilization"] == {
        "value": 0.4,
        "unit": "",
        "source": "given with --utilization",
        "origin": "flag",
    }
    assert a["carbon_intensity"]["value"] == pytest.approx(429)
    assert a["price"]["value"] == pytest.approx(2.5)
    assert doc["device_hours"] == pytest.approx(1e18 / (989e12 * 0.4) / 3600)
    assert doc["wall_clock_hours"] == pytest.approx(doc["device_hours"] / 8)
    assert doc["energy_kwh"] == pytest.approx(doc["device_hours"] * 0.7 * 1.1)
    assert doc["cost_usd"] == pytest.approx(doc["device_hours"] * 2.5)


def test_region_picks_grid_intensity(cli) -> None:
    iceland = json.loads(
        cli("estimate", "1e20", "-H", "h100-sxm", "--region", "IS", "-f", "json").out
    )
    by_name = json.loads(
        cli("estimate", "1e20", "-H", "h100-sxm", "--region", "Iceland", "-f", "json").out
    )
    assert iceland["co2e_kg"] == by_name["co2e_kg"]
    assert iceland["assumptions"]["carbon_intensity"]["origin"] == "region"
    world = json.loads(cli("estimate", "1e20", "-H", "h100-sxm", "-f", "json").out)
    assert iceland["co2e_kg"] < world["co2e_kg"] / 5
    gcp = cli("estimate", "1e20", "-H", "h100-sxm", "--region", "us-central1", "-f", "json")
    assert gcp.code == 0


def test_csv_and_yaml_and_markdown(cli) -> None:
    rows = list(csv.DictReader(io.StringIO(cli("estimate", "1e18", "-f", "csv").out)))
    assert len(rows) == 1 and rows[0]["hardware"] == "tpu-v2"
    # the TPU v2's generation (V100, P100, TPU v2-v4): median MFU of its runs, band.yaml
    assert float(rows[0]["utilization"]) == 0.383
    import yaml

    doc = yaml.safe_load(cli("estimate", "1e18", "-f", "yaml").out)
    assert doc["hardware"] == "tpu-v2"
    md = cli("estimate", "1e18", "-f", "markdown").out
    assert md.startswith("### costcalc estimate") and "| utilization | 38.3% |" in md


def test_device_time_work(cli) -> None:
    r = cli(
        "estimate", "--devices", "10000", "--duration", "14.8 days", "-H", "v100-sxm2", "-f", "json"
    )
    doc = json.loads(r.out)
    assert doc["device_hours"] == pytest.approx(10000 * 14.8 * 24)
    assert doc["notes"]


BAD = [
    (["estimate", "1e18", "-H", "tpu-v3x"], "--hardware: unknown hardware 'tpu-v3x' (did you mean"),
    (
        ["estimate", "1e18", "--power", "5 kWh"],
        "--power: '5 kWh' is an energy, expected a power (e.g. 330 W); divide by a time",
    ),
    (["estimate", "1e18", "--utilization", "40"], "did you mean 40%?"),
    (["estimate", "--", "-1e18"], "WORK: '-1e18' is negative; expected an amount of compute"),
    (["estimate", "0"], "WORK: '0' must be greater than zero"),
    (["estimate", "nan"], "WORK: 'nan' is not a number"),
    (["estimate", "1e400"], "WORK: '1e400' is too large"),
    (["estimate", "1e18", "--pue", "0.9"], "--pue: PUE '0.9' is below 1"),
    (
        ["estimate", "1e18", "--precision", "fp8", "-H", "tpu-v2"],
        "--precision: tpu-v2 has no fp8 peak; it has bf16, fp32",
    ),
    (["estimate", "1e18", "--region", "Icelnd"], "--region: unknown region 'Icelnd' (did you mean"),
    (["estimate", "1e18", "--devices", "2.5"], "--devices: expected a whole number of devices"),
    (["estimate"], "WORK: no work given"),
    (["estimate", "1e18", "--device-hours", "5"], "give the work one way"),
    (["estimate", "1e18", "--value", "cost"], "--value: unknown field 'cost' (did you mean"),
    (["estimate", "1e18", "--hardwre", "x"], "error: --hardwre: no such option (did you mean"),
    (["estimate", "1e18", "--format", "xml"], "error: --format: 'xml' is not one of 'table'"),
    (["estimate", "1e30", "--utilization", "1e-300"], "overflows"),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_input_one_line_exit_2_nothing_on_stdout(cli, args: list[str], message: str) -> None:
    r = cli(*args)
    assert r.code == 2, (r.out, r.err)
    assert r.out == ""
    assert message in r.err
    assert r.err.startswith("costcalc: error: ")
    assert r.err.count("\n") == 1, r.err
    assert "Traceback" not in r.err


def test_version(cli) -> None:
    from costcalc import __version__

    r = cli("--version")
    assert r.code == 0 and r.out == f"costcalc {__version__}\n"


def test_internal_error_exits_70_with_traceback(cli, monkeypatch) -> None:
    import costcalc.estimator

    def boom(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(costcalc.estimator, "base_estimate", boom)
    r = cli("estimate", "1e18")
    assert r.code == 70
    assert "Traceback" in r.err and "internal error" in r.err


def _installed_script() -> str:
    exe = Path(sys.executable).with_name("costcalc")
    return str(exe) if exe.exists() else shutil.which("costcalc") or "costcalc"


def test_installed_script_as_a_real_subprocess(tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    ok = subprocess.run(
        [_installed_script(), "estimate", "1e18", "--hardware", "tpu-v2", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["hardware"] == "tpu-v2"
    bad = subprocess.run(
        [_installed_script(), "estimate", "1e18", "--power", "5 kWh"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.count("\n") == 1
    module = subprocess.run(
        [sys.executable, "-m", "costcalc", "estimate", "1e18", "--value", "flops"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert module.returncode == 0 and float(module.stdout) == 1e18


PROBE_MODULES = """
import sys
from costcalc.__main__ import main
sys.argv = ["costcalc", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print("modules:", *sorted(m for m in sys.modules if m.startswith("costcalc.cli.")), file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("argv", "loaded"),
    [
        (["estimate", "1e18", "--value", "flops"], {"costcalc.cli.estimate"}),
        (["--profiles-dir", ".", "runs", "show", "gpt-3"], {"costcalc.cli.runs"}),
        (["estimat", "1e18"], set()),
    ],
)
def test_only_the_command_that_runs_is_imported(argv: list[str], loaded: set[str]) -> None:
    r = subprocess.run(
        [sys.executable, "-c", PROBE_MODULES, *argv], capture_output=True, text=True, timeout=60
    )
    modules = set(r.stderr.strip().splitlines()[-1].split()[1:])
    assert {m for m in modules if not m.startswith("costcalc.cli._")} == loaded, r.stderr


def test_the_script_registers_one_command_yet_suggests_any(tmp_path: Path) -> None:
    """The installed script imports only the command it runs; a misspelt command still
    gets a suggestion, and help lists every command."""
    env = {**os.environ, "NO_COLOR": "1"}
    run = subprocess.run(
        [
            _installed_script(),
            "--profiles-dir",
            str(tmp_path),
            "estimate",
            "1e18",
            "--value",
            "flops",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0 and float(run.stdout) == 1e18, run.stderr
    typo = subprocess.run(
        [_installed_script(), "estimat", "1e18"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert typo.returncode == 2 and typo.stdout == ""
    assert typo.stderr == (
        "costcalc: error: no command 'estimat' (did you mean 'estimate'?); see 'costcalc --help'\n"
    )
    helped = subprocess.run(
        [_installed_script(), "--help"], capture_output=True, text=True, env=env, timeout=60
    )
    for name in ("estimate", "sweep", "check", "budget", "profiles", "calibrate"):
        assert name in helped.stdout
