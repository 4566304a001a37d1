"""The README tells the truth: its examples are real output, and every command is there."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _examples_module():
    spec = importlib.util.spec_from_file_location(
        "readme_examples", ROOT / "scripts" / "readme_examples.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_examples_are_real_output() -> None:
    module = _examples_module()
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "```console" in text
    assert module.render(text) == text, "run: python scripts/readme_examples.py"


def test_quick_start_is_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Quick start")
    section = text[start : text.index("\n## ", start + 1)]
    assert "make run" in section and "make test" in section


def test_every_command_has_help_and_is_in_the_readme() -> None:
    from typer.main import get_command

    from costcalc.cli import app

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    group = get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert command.help, f"costcalc {name} has no help text"
        assert f"costcalc {name}" in text, f"costcalc {name} is missing from README.md"


def test_the_package_docstring_example_runs() -> None:
    import doctest

    import costcalc

    result = doctest.testmod(costcalc)
    assert result.attempted >= 3 and result.failed == 0


def test_readme_python_examples_run(tmp_path: Path) -> None:
    import os
    import re
    import subprocess
    import sys

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    env = {**os.environ, "COSTCALC_CONFIG_DIR": str(tmp_path / "config")}
    for code in blocks:
        run = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
        if run.returncode and "needs pandas" in run.stderr:
            continue  # the example says pandas is optional; it is not installed here
        assert run.returncode == 0, run.stderr
