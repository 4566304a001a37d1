"""Defaults from the user config file and the project file ``costcalc.yaml``:
flags > project file > user file > built-in, each default shown with its origin."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc import estimate
from costcalc.config import DEFAULT_KEYS, Setting, Settings, load_settings


def _user_file(text: str) -> Path:
    path = Path(os.environ["COSTCALC_CONFIG_DIR"]) / "config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _project_file(text: str) -> Path:
    path = Path.cwd() / "costcalc.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _json(cli, *args: str) -> dict:
    r = cli("estimate", *args, "-f", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def test_no_files_means_built_in_defaults(cli) -> None:
    doc = _json(cli, "1e18")
    assert doc["hardware"] == "tpu-v2"
    assert doc["assumptions"]["utilization"]["origin"] == "default"


def test_project_file_sets_defaults_and_the_output_names_the_line(cli) -> None:
    _project_file(
        "runs:\n  - name: x\nbudgets: {}\ndefaults:\n  hardware: h100-sxm\n"
        "  utilization: 40%\n  region: IS\n  devices: 8\n"
    )
    doc = _json(cli, "1e20")
    a = doc["assumptions"]
    assert doc["hardware"] == "h100-sxm"
    assert a["hardware"]["source"].startswith("project file costcalc.yaml:5; h100-sxm")
    assert a["utilization"] == {
        "value": 0.4,
        "unit": "",
        "source": "project file costcalc.yaml:6",
        "origin": "project",
    }
    assert a["carbon_intensity"]["source"].startswith("project file costcalc.yaml:7; Iceland")
    assert a["devices"]["value"] == 8
    assert doc["inputs"] == {"work": "1e20"}


def test_precedence_flags_project_user_builtin(cli) -> None:
    _user_file("defaults:\n  utilization: 30%\n  pue: 1.2\n  devices: 4\n")
    _project_file("defaults:\n  utilization: 40%\n  pue: 1.1\n")
    a = _json(cli, "1e20", "--pue", "1.3")["assumptions"]
    assert a["pue"]["value"] == 1.3 and a["pue"]["origin"] == "flag"
    assert a["utilization"]["value"] == 0.4 and a["utilization"]["origin"] == "project"
    assert a["devices"]["value"] == 4 and a["devices"]["origin"] == "user"
    assert a["devices"]["source"].endswith("config.yaml:4")
    assert a["power"]["origin"] == "profile"


def test_region_and_carbon_intensity_are_one_input(cli) -> None:
    _user_file("defaults:\n  carbon_intensity: 100 g/kWh\n")
    _project_file("defaults:\n  region: IS\n")
    a = _json(cli, "1e20")["assumptions"]["carbon_intensity"]
    assert a["origin"] == "project" and a["value"] == pytest.approx(28.334, abs=0.01)
    # a flag for either beats the files for both
    b = _json(cli, "1e20", "--carbon-intensity", "50")["assumptions"]["carbon_intensity"]
    assert b["value"] == 50 and b["origin"] == "flag"


def test_library_takes_settings_explicitly() -> None:
    _project_file("defaults:\n  hardware: h100-sxm\n")
    assert estimate("1e18").hardware.name == "tpu-v2"  # the library reads no files by itself
    assert estimate("1e18", settings=load_settings()).hardware.name == "h100-sxm"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "defaults:\n  utilisation: 40%\n",
            "costcalc.yaml:2: defaults.utilisation: unknown default",
        ),
        ("defaults:\n  power: 5 kWh\n", "costcalc.yaml:2: defaults.power: '5 kWh' is an energy"),
        ("defaults:\n  utilization: 40\n", "costcalc.yaml:2: defaults.utilization: '40' is more"),
        ("defaults:\n  devices: 2.5\n", "costcalc.yaml:2: defaults.devices: expected a whole"),
        (
            "defaults:\n  precision: bf61\n",
            "costcalc.yaml:2: defaults.precision: unknown precision",
        ),
        ("defaults:\n  pue: [1]\n", "costcalc.yaml:2: defaults.pue: expected a single value"),
        ("defaults: 3\n", "costcalc.yaml:1: defaults: expected a mapping"),
        (
            "defaults:\n  region: IS\n  carbon_intensity: 3\n",
            "costcalc.yaml:2: defaults.region: give region or carbon_intensity, not both",
        ),
    ],
)
def test_bad_project_file_is_one_located_error(cli, text: str, message: str) -> None:
    _project_file(text)
    r = cli("estimate", "1e18")
    assert r.code == 2 and r.out == ""
    assert r.err.startswith(f"costcalc: error: {message}"), r.err


def test_errors_found_later_point_at_the_file(cli) -> None:
    _project_file("defaults:\n  hardware: h100-smx\n")
    r = cli("estimate", "1e18")
    assert r.code == 2
    assert "costcalc.yaml:2: defaults.hardware: unknown hardware 'h100-smx'" in r.err
    _project_file("defaults:\n  region: Icelnd\n")
    assert "costcalc.yaml:2: defaults.region: unknown region 'Icelnd'" in cli("estimate", "1").err


def test_user_file_is_strict_about_sections(cli) -> None:
    _user_file("default:\n  pue: 1.1\n")
    r = cli("estimate", "1e18")
    assert (
        r.code == 2
        and "config.yaml:1: default: unknown section (did you mean 'defaults'?)" in r.err
    )


def test_config_show_names_every_default_and_its_origin(cli) -> None:
    _user_file("defaults:\n  pue: 1.2\n")
    _project_file("budgets: {}\ndefaults:\n  hardware: h100-sxm\n")
    r = cli("config", "show")
    assert r.code == 0
    lines = {line.split()[0]: line for line in r.out.splitlines() if line.strip()}
    for key in DEFAULT_KEYS:
        assert key in lines
    assert "project file  costcalc.yaml:3" in lines["hardware"]
    assert "user file" in lines["pue"] and "config.yaml:2" in lines["pue"]
    assert "built-in" in lines["utilization"] and "37.5%" in lines["utilization"]
    doc = json.loads(cli("config", "show", "-f", "json").out)
    assert doc["defaults"]["hardware"] == {
        "value": "h100-sxm",
        "from": "project file",
        "source": "costcalc.yaml:3",
    }
    assert [f["scope"] for f in doc["files"]] == ["user", "project"]


def test_config_lookup_is_cheap(tmp_path: Path) -> None:
    """With no files, loading settings does not import YAML, numpy or pint."""
    import subprocess
    import sys

    code = (
        "import sys; from costcalc.config import load_settings; load_settings(); "
        "print(sorted(m for m in ('yaml', 'numpy', 'pint') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "COSTCALC_CONFIG_DIR": str(tmp_path)},
        timeout=60,
    )
    assert out.stdout.strip() == "[]", out.stderr


def test_one_liner_with_a_project_file_imports_no_numpy_or_pint(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "costcalc.yaml").write_text("defaults:\n  hardware: h100-sxm\n  pue: 1.1\n")
    code = (
        "import sys; from costcalc.cli import main; sys.argv = ['costcalc', 'estimate', '1e18', "
        "'--format', 'json']\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('numpy', 'pint', 'jsonschema') if m in sys.modules), "
        "file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "COSTCALC_CONFIG_DIR": str(tmp_path / "cfg")},
        timeout=60,
    )
    assert json.loads(out.stdout)["hardware"] == "h100-sxm"
    assert out.stderr.strip() == "[]", out.stderr


KEYS = st.sampled_from(["utilization", "pue", "devices"])
VALUES = {"utilization": ["30%", "45%"], "pue": ["1.1", "1.3"], "devices": ["2", "16"]}


@settings(max_examples=30, deadline=None)
@given(
    key=KEYS,
    layers=st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_precedence_law(key: str, layers: list[bool]) -> None:
    """Whatever is set, the highest layer that sets a key wins: flag > project > user."""
    flag, project, user = layers
    values: dict[str, Setting] = {}
    if user:
        values[key] = Setting(key, VALUES[key][0], "config.yaml", 1, "user")
    if project:
        values[key] = Setting(key, VALUES[key][1], "costcalc.yaml", 1, "project")
    given_value = "99" if key != "utilization" else "99%"
    result, used = Settings(values).fill({key: given_value if flag else None})
    if flag:
        assert result[key] == given_value and not used
    elif project:
        assert result[key] == VALUES[key][1] and used[key].scope == "project"
    elif user:
        assert result[key] == VALUES[key][0] and used[key].scope == "user"
    else:
        assert result[key] is None and not used
