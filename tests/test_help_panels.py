"""--help groups the options under the registry's panels (issue 17), in plain click text.

Each registry input declares its panel (costcalc.inputs.PANELS); the commands that take
registry options show them under that heading, in PANELS order, with the command's own
options under a panel they declare or under "Options" (last). Help stays plain text that
the parsers of other tests (test_hostile_units._help, test_help) read, and --help does not
need rich.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import typer

from costcalc import inputs as registry
from costcalc.cli import app
from costcalc.cli._options import MODEL_INPUTS, OTHER_PANEL, SHAPE_INPUTS

PANEL_COMMANDS = ("estimate", "sweep", "budget", "scale", "check")
HEADING = re.compile(r"^([A-Z][A-Za-z ]*):$")


def _sections(text: str) -> list[tuple[str, list[str]]]:
    """The help's sections in order: (heading, the option or argument names under it)."""
    sections: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        heading = HEADING.match(line)
        if heading:
            sections.append((heading[1], []))
        elif sections and re.match(r"^  \S", line):
            first = re.split(r"\s{2,}", line.strip())[0]
            sections[-1][1].extend(re.findall(r"--?[\w-]+|^[A-Z_]+$", first))
        elif line and not line.startswith(" "):
            sections.append(("", []))  # the end of the sections (e.g. after them all)
    return [(h, names) for h, names in sections if h]


def _flag(name: str) -> str:
    return registry.INPUTS[name].flag


def _command(name: str):
    group = typer.main.get_command(app)
    return group.get_command(None, name)  # type: ignore[attr-defined]


def _help(cli, command: str) -> str:
    r = cli(command, "--help")
    assert r.code == 0, r.err
    return r.out


@pytest.mark.parametrize(
    ("command", "names"),
    [
        ("estimate", registry.accepted(registry.FLAG)),
        ("budget", (*MODEL_INPUTS, *SHAPE_INPUTS)),
        ("scale", (*MODEL_INPUTS, *SHAPE_INPUTS)),
    ],
)
def test_every_registry_input_is_under_its_panel(cli, command: str, names) -> None:
    sections = dict(_sections(_help(cli, command)))
    assert names
    for name in names:
        panel = registry.INPUTS[name].panel
        assert panel in sections, (command, name, list(sections))
        assert _flag(name) in sections[panel], (command, name, panel, sections[panel])


def test_sweep_axes_are_under_their_panels(cli) -> None:
    from costcalc.cli.sweep import SWEEP_FLAGS

    sections = dict(_sections(_help(cli, "sweep")))
    for name in SWEEP_FLAGS:
        assert _flag(name) in sections[registry.INPUTS[name].panel], name


@pytest.mark.parametrize("command", PANEL_COMMANDS)
def test_panels_come_in_the_registry_order_then_options(cli, command: str) -> None:
    headings = [h for h, _ in _sections(_help(cli, command))]
    assert headings[-1] == OTHER_PANEL  # --help at least
    panels = [h for h in headings if h in registry.PANELS]
    assert panels == sorted(panels, key=registry.PANELS.index)
    assert len(set(headings)) == len(headings), headings  # each panel once
    known = {"Arguments", *registry.PANELS, OTHER_PANEL}
    assert set(headings) <= known, headings
    if "Arguments" in headings:
        assert headings[0] == "Arguments"


@pytest.mark.parametrize("command", PANEL_COMMANDS)
def test_help_still_lists_every_option(cli, command: str) -> None:
    listed = {name for _, names in _sections(_help(cli, command)) for name in names}
    text = _help(cli, command)
    cmd = _command(command)
    params = [p for p in cmd.params if not getattr(p, "hidden", False)]
    assert params
    for param in params:
        if param.param_type_name == "argument":
            record = param.get_help_record(typer.Context(cmd))
            assert record is None or f"  {record[0]}" in text, param.name
        else:
            assert set(param.opts) <= listed, (command, param.opts)


def test_estimate_panels_hold_its_own_options_where_they_belong(cli) -> None:
    sections = dict(_sections(_help(cli, "estimate")))
    assert "--owned" in sections["Money"]
    assert {"--range", "--no-range"} <= set(sections["Uncertainty"])
    assert {"--format", "-f", "--value", "--equivalents"} <= set(sections["Output"])
    assert sections[OTHER_PANEL] == ["-h", "--help"]


def test_a_command_without_panels_keeps_plain_sections(cli) -> None:
    """check declares no panel: its help is the usual Arguments/Options."""
    headings = [h for h, _ in _sections(_help(cli, "check"))]
    assert headings == [OTHER_PANEL]


def test_panel_help_does_not_import_rich(tmp_path) -> None:
    probe = (
        "import contextlib, io, json, sys\n"
        "sys.argv = ['costcalc', 'estimate', '--help']\n"
        "from costcalc.__main__ import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit as e:\n"
        "        assert e.code in (0, None), e.code\n"
        "print(json.dumps({'out': out.getvalue(), 'modules': sorted(sys.modules)}))\n"
    )
    env = {**os.environ, "COSTCALC_CACHE_DIR": str(tmp_path)}
    r = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert "Hardware:" in doc["out"].splitlines()
    assert not [m for m in doc["modules"] if m.split(".")[0] == "rich"]
