"""The documentation tells the truth: the examples in README.md and docs/*.md are real
output, their Python runs, their links lead somewhere, and every command is documented."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
IDS = [p.relative_to(ROOT).as_posix() for p in PAGES]


def _examples_module():
    spec = importlib.util.spec_from_file_location(
        "readme_examples", ROOT / "scripts" / "readme_examples.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def test_the_runner_covers_the_readme_and_every_docs_page() -> None:
    module = _examples_module()
    assert module.pages() == PAGES
    assert len(PAGES) >= 15  # the reference moved into docs/, one page per command or topic


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_examples_are_real_output(page: Path) -> None:
    module = _examples_module()
    text = _read(page)
    assert module.render(text) == text, "run: python scripts/readme_examples.py"


def test_readme_has_examples_and_stays_short() -> None:
    text = _read(ROOT / "README.md")
    assert "```console" in text
    assert len(text.encode("utf-8")) <= 20_000, "the reference belongs in docs/"


def test_quick_start_is_two_commands() -> None:
    text = _read(ROOT / "README.md")
    start = text.index("## Quick start")
    section = text[start : text.index("\n## ", start + 1)]
    assert "make run" in section and "make test" in section


def test_readme_has_an_install_section() -> None:
    text = _read(ROOT / "README.md")
    start = text.index("## Install")
    section = text[start : text.index("\n## ", start + 1)]
    for command in ("pipx install .", "uv tool install .", "pip install ."):
        assert command in section
    assert ">=3.10" in section and "costcalc --version" in section


def test_install_instructions_never_name_an_unpublished_package() -> None:
    """costcalc is not on PyPI and no release is tagged: no `pip install costcalc`, no
    `rev: v0.1.0` in any recipe."""
    for page in PAGES:
        text = _read(page)
        assert not re.search(r"(pip|pipx|uv tool) install ['\"]?costcalc\b", text), page
        assert not re.search(r"rev: v\d", text), page


def test_every_command_has_help_and_is_documented() -> None:
    from typer.main import get_command

    from costcalc.cli import app

    readme = _read(ROOT / "README.md")
    docs = "".join(_read(p) for p in PAGES[1:])
    group = get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert command.help, f"costcalc {name} has no help text"
        assert f"costcalc {name}" in readme, f"costcalc {name} is missing from README.md"
        assert f"costcalc {name}" in docs, f"costcalc {name} is missing from docs/"


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_relative_links_lead_to_files(page: Path) -> None:
    text = re.sub(r"```.*?```", "", _read(page), flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path, _, anchor = target.partition("#")
        file = page.parent / path
        assert file.exists(), f"{page.name}: broken link {target}"
        if anchor and file.suffix == ".md":
            assert anchor in _anchors(file), f"{page.name}: no heading for {target}"


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"```.*?```", "", _read(page), flags=re.S)
    headings = re.findall(r"^#+ (.*)$", text, re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def test_the_changelog_speaks_to_users() -> None:
    text = _read(ROOT / "CHANGELOG.md")
    assert "## [Unreleased]" in text and "## [0.1.0]" in text
    internal = r"\bissues? \d|\br\d+\b|\bD\d+\b|\bsessions?\b|\bhelpers?\b|\bstop"
    assert not re.search(internal, text, re.I), re.search(internal, text, re.I)


def test_the_package_docstring_example_runs() -> None:
    import doctest

    import costcalc

    result = doctest.testmod(costcalc)
    assert result.attempted >= 3 and result.failed == 0


PYTHON_PAGES = [p for p in PAGES if "```python" in _read(p)]


def test_the_readme_and_the_docs_have_python_examples() -> None:
    assert ROOT / "README.md" in PYTHON_PAGES
    assert any(p.parent == DOCS for p in PYTHON_PAGES)


@pytest.mark.parametrize(
    "page", PYTHON_PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PYTHON_PAGES]
)
def test_python_examples_run(page: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    blocks = re.findall(r"```python\n(.*?)```", _read(page), re.S)
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
