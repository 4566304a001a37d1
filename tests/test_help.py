"""Help people read: every command has examples, and each example runs; options say what
goes there; names complete in the shell."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from costcalc.cli import COMMANDS
from costcalc.cli._help import EXAMPLES
from costcalc.paths import shipped_dir

EVERY_EXAMPLE = sorted({line for lines in EXAMPLES.values() for line in lines})


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """What the examples refer to: a plan, a baseline report, fit points, a profile folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "points.csv").write_text("compute,error\n1e18,0.5\n1e19,0.3\n1e20,0.2\n")
    hw = tmp_path / "hw"
    hw.mkdir()
    (hw / "tpu-v2.yaml").write_bytes((shipped_dir() / "tpu-v2.yaml").read_bytes())
    return tmp_path


@pytest.mark.parametrize("line", EVERY_EXAMPLE)
def test_every_example_runs(cli, workdir: Path, line: str) -> None:
    argv = shlex.split(line)
    if argv[0] == "calibrate":
        argv += ["--seconds", "1"] if "--seconds" not in argv else []
    if argv[0] == "check" and "--init" not in argv:
        assert cli("check", "--init").code == 0
        if "--baseline" in argv:
            report = cli("check", "--format", "json")
            (workdir / "old-report.json").write_text(report.out)
    r = cli(*argv)
    # 0, or 1 where a plan's budget is exceeded: an example is never a usage error
    assert r.code in (0, 1), (line, r.err)
    assert "Traceback" not in r.err


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_shows_examples_and_readable_metavars(cli, name: str) -> None:
    r = cli(name, "--help")
    assert r.code == 0, r.err
    assert f"Examples:\n    costcalc {name}" in r.out, r.out
    assert "<str>" not in r.out and "<int>" not in r.out and "<float>" not in r.out


def test_every_command_has_examples() -> None:
    assert set(COMMANDS) <= set(EXAMPLES)


def _complete(words: str, tmp_path: Path) -> list[str]:
    env = {
        **os.environ,
        "_COSTCALC_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    exe = Path(sys.executable).with_name("costcalc")
    r = subprocess.run(
        [str(exe)], capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def test_hardware_region_and_command_names_complete(tmp_path: Path) -> None:
    assert "h100-sxm" in _complete("costcalc estimate -H h100-s", tmp_path)
    assert all(n.startswith("h100") for n in _complete("costcalc sweep -H h100", tmp_path))
    assert "us-central1" in _complete("costcalc estimate 1e18 --region us-cent", tmp_path)
    assert _complete("costcalc esti", tmp_path) == ["estimate"]
