"""Every command that prices a run takes its defaults from the same workspace: flags >
project file (``costcalc.yaml`` ``defaults:``) > user file > built-in; ``check`` puts the
user file under its plan's own defaults. A broken config file stops each of them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from support import script


def _user_file(text: str) -> Path:
    path = Path(os.environ["COSTCALC_CONFIG_DIR"]) / "config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path.relative_to(Path.cwd())  # as shown: the tests' config dir is under cwd


def _project_file(text: str) -> None:
    (Path.cwd() / "costcalc.yaml").write_text(text, encoding="utf-8")


# command line -> the assumptions of its JSON output
COMMANDS = {
    "estimate": (["estimate", "1e20"], lambda d: d["assumptions"]),
    "sweep": (["sweep", "1e20,1e21"], lambda d: d["assumptions"]),
    "budget": (["budget", "1000USD", "-H", "h100-sxm"], lambda d: d["estimate"]["assumptions"]),
    "scale": (["scale", "1e20", "--improvement", "2"], lambda d: d["result"]["assumptions"]),
}


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_honours_a_project_default_and_names_its_line(cli, name: str) -> None:
    _user_file("defaults:\n  pue: 1.2\n  utilization: 25%\n")
    _project_file("defaults:\n  pue: 1.1\n")
    args, assumptions = COMMANDS[name]
    r = cli(*args, "-f", "json")
    assert r.code == 0, r.err
    a = assumptions(json.loads(r.out))
    assert a["pue"] == {
        "value": 1.1,
        "unit": "",
        "source": "project file costcalc.yaml:2",
        "origin": "project",
    }
    assert a["utilization"]["value"] == 0.25 and a["utilization"]["origin"] == "user"
    assert a["devices"]["origin"] == "default"


@pytest.mark.parametrize("name", COMMANDS)
def test_a_flag_beats_the_files_in_every_command(cli, name: str) -> None:
    _project_file("defaults:\n  pue: 1.1\n")
    args, assumptions = COMMANDS[name]
    r = cli(*args, "--pue", "1.4", "-f", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    if name == "sweep":  # a sweep's flag is an input column, not an assumption
        assert "pue" not in assumptions(doc) and doc["rows"][0]["pue"] == 1.4
    else:
        assert assumptions(doc)["pue"] == {
            "value": 1.4,
            "unit": "",
            "source": "given with --pue",
            "origin": "flag",
        }


def test_sweep_numeric_default_is_a_one_value_column_and_a_named_assumption(cli) -> None:
    _project_file("defaults:\n  devices: 8\n  hardware: h100-sxm\n")
    r = cli("sweep", "1e22", "-f", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["assumptions"]["devices"] == {
        "value": 8.0,
        "unit": "",
        "source": "project file costcalc.yaml:2",
        "origin": "project",
    }
    assert doc["assumptions"]["hardware"]["origin"] == "project"
    # ... and the rows use it: 1e22 FLOP on 8 devices is 1/8 of the wall-clock on one
    one = json.loads(cli("sweep", "1e22", "--devices", "1", "-f", "json").out)
    assert one["rows"][0]["wall_clock_hours"] == pytest.approx(
        8 * doc["rows"][0]["wall_clock_hours"]
    )


def test_sweep_spec_beats_the_project_file(cli, tmp_path: Path) -> None:
    _project_file("defaults:\n  pue: 1.1\n")
    spec = tmp_path / "spec.yaml"
    spec.write_text("flops: 1e20\npue: 1.3\n", encoding="utf-8")
    doc = json.loads(cli("sweep", "--spec", str(spec), "-f", "json").out)
    assert "pue" not in doc["assumptions"]  # a spec value is an input column, not a default
    assert doc["rows"][0]["pue"] == 1.3


def test_budget_deadline_with_flops_never_takes_devices_from_a_file(cli) -> None:
    _project_file("defaults:\n  devices: 8\n")
    r = cli("budget", "7days", "--flops", "1e22", "-H", "h100-sxm", "-f", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["estimate"]["assumptions"]["devices"]["origin"] == "derived"


PLAN = """\
defaults:
  hardware: h100-sxm
  devices: 8
runs:
  a:
    flops: 1e22
  b:
    flops: 1e21
    devices: 2
budgets:
  cost: 1e9 USD
"""


def test_check_puts_the_user_file_under_the_plan(cli) -> None:
    user = _user_file("defaults:\n  devices: 4\n  pue: 1.2\n")
    _project_file(PLAN)
    r = cli("check", "-f", "json")
    assert r.code == 0, r.err
    runs = {run["name"]: run["estimate"]["assumptions"] for run in json.loads(r.out)["runs"]}
    assert runs["a"]["devices"]["value"] == 8  # the plan's defaults beat the user file
    assert runs["b"]["devices"]["value"] == 2  # and a run's own value beats both
    for a in runs.values():
        assert a["pue"]["value"] == 1.2 and a["pue"]["origin"] == "user"
        assert a["pue"]["source"] == f"user file {user}:3"


def test_check_user_default_error_names_the_user_file(cli) -> None:
    user = _user_file("defaults:\n  region: atlantis\n")
    _project_file(PLAN)
    r = cli("check")
    assert r.code == 2
    assert r.err.startswith(f"costcalc: error: {user}:2: defaults.region: unknown region")


BROKEN = {
    **{name: args for name, (args, _) in COMMANDS.items()},
    "check": ["check"],
}


@pytest.mark.parametrize("name", BROKEN)
def test_a_broken_user_file_stops_every_command(cli, name: str) -> None:
    user = _user_file("defaults:\n  pue: [1.1]\n")
    _project_file(PLAN)
    r = cli(*BROKEN[name])
    assert (r.code, r.out) == (2, "")
    assert r.err == (
        f"costcalc: error: {user}:2: defaults.pue: expected a single value such as 40% or '330 W'\n"
    )


@pytest.mark.parametrize("name", COMMANDS)
def test_a_broken_project_file_stops_every_command(cli, name: str) -> None:
    _project_file("runs: {}\ndefaults:\n  utilisation: 40%\n")
    r = cli(*COMMANDS[name][0])
    assert r.code == 2
    assert r.err == (
        "costcalc: error: costcalc.yaml:3: defaults.utilisation: unknown default (did you "
        "mean 'utilization'?); expected one of arch, seq_len, recompute, tp, pp, zero, "
        "hardware, precision, devices, utilization, power, pue, region, provider, "
        "carbon_intensity, price, pricing\n"
    )


@pytest.mark.parametrize("name", ["hardware", "sweep"])
def test_an_unknown_hardware_default_is_located_in_its_file(cli, name: str) -> None:
    user = _user_file("defaults:\n  hardware: h100-sxn\n")
    args = ["estimate", "1e20"] if name == "hardware" else ["sweep", "1e20"]
    r = cli(*args)
    assert r.code == 2
    assert r.err.startswith(f"costcalc: error: {user}:2: defaults.hardware: unknown hardware")


def test_sweep_and_budget_read_the_project_file_as_a_real_subprocess(tmp_path: Path) -> None:
    (tmp_path / "costcalc.yaml").write_text("defaults:\n  pue: 1.1\n", encoding="utf-8")
    env = dict(os.environ, COSTCALC_CONFIG_DIR=str(tmp_path / "config"))
    done = subprocess.run(
        [script(), "sweep", "1e20", "-f", "json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["assumptions"]["pue"]["origin"] == "project"
    (tmp_path / "costcalc.yaml").write_text("defaults:\n  pue: [1]\n", encoding="utf-8")
    done = subprocess.run(
        [script(), "budget", "100USD", "-H", "h100-sxm"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "costcalc: error: costcalc.yaml:2: defaults.pue: expected a single value such as "
        "40% or '330 W'\n"
    )
