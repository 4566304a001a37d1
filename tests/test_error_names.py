"""Errors name the input the way the person gave it: the keyword from Python, the flag on
the command line, ``file:line: key`` in a plan or a config file. The core names inputs
only by keyword (costcalc.errors.ref); it holds no flag literals."""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import pytest

import costcalc
from costcalc.errors import (
    CostcalcError,
    DataError,
    InputError,
    given_with,
    is_given_with,
    ref,
    spelling,
)

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "costcalc"


# -- the spelling ----------------------------------------------------------------------------


def test_ref_is_the_keyword_outside_any_front_end():
    assert ref("top_k") == "top_k"
    assert ref("work") == "work"


def test_spelling_applies_within_its_block_and_nests():
    with spelling(lambda n: "--" + n.replace("_", "-")):
        assert ref("top_k") == "--top-k"
        with spelling(str.upper):
            assert ref("top_k") == "TOP_K"
        assert ref("top_k") == "--top-k"
    assert ref("top_k") == "top_k"


def test_spelling_is_restored_when_the_block_raises():
    with pytest.raises(ValueError), spelling(str.upper):
        raise ValueError
    assert ref("pue") == "pue"


@pytest.mark.parametrize("cls", [CostcalcError, InputError, DataError])
def test_an_error_about_an_input_is_located_at_it_when_made(cls):
    with spelling(lambda n: f"<{n}>"):
        e = cls("expected a number", input="pue")
    assert (e.input, e.where, str(e)) == ("pue", "<pue>", "<pue>: expected a number")
    assert str(cls("expected a number", input="pue")) == "pue: expected a number"


def test_an_explicit_location_wins_and_keeps_the_input():
    e = InputError("bad", "costcalc.yaml:3: defaults.pue", input="pue")
    assert (e.where, e.input) == ("costcalc.yaml:3: defaults.pue", "pue")
    assert InputError("bad").input == ""
    assert InputError("bad").at("x").where == "x"


def test_given_reads_in_the_spelling_in_force():
    assert given_with("tokens") == "given with tokens"
    with spelling(lambda n: "--" + n):
        assert given_with("pue", " 1.2: Google") == "given with --pue 1.2: Google"
        assert is_given_with("given with --pue 1.2: Google", "pue")
        assert is_given_with("given with --pue", "pue")
        assert not is_given_with("given with --pue-x", "pue")
        assert not is_given_with("given with --pue", "pu")
        assert not is_given_with("the profile's --pue", "pue")


def test_the_cli_spells_registry_inputs_by_their_flag_and_others_alike():
    from costcalc.cli import flag
    from costcalc.inputs import INPUTS

    for name, i in INPUTS.items():
        assert flag(name) == i.flag
    assert flag("work") == "WORK"
    assert flag("top_k") == "--top-k"
    assert flag("plot_y") == "--plot-y"  # an option the registry does not declare


# -- one error, four front ends --------------------------------------------------------------

MOE = {"arch": "llama-2-7b", "tokens": "1T", "experts": 2, "top_k": 3}


def test_python_names_keywords():
    with pytest.raises(InputError) as e:
        costcalc.estimate(**MOE)
    assert str(e.value) == "top_k: top_k 3 is more than experts 2"
    assert e.value.input == "top_k"


def test_cli_names_flags(cli):
    r = cli("estimate", "--arch", "llama-2-7b", "--tokens", "1T", "--experts", "2", "--top-k", "3")
    assert r.code == 2
    assert r.err == "costcalc: error: --top-k: --top-k 3 is more than --experts 2\n"


def test_a_plan_names_its_file_line_and_key(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "costcalc.yaml").write_text(
        textwrap.dedent(
            """\
            version: 1
            runs:
              a:
                arch: llama-2-7b
                tokens: 1T
                experts: 2
                top_k: 3
            """
        )
    )
    r = cli("check")
    assert r.code == 2
    assert r.err == (
        "costcalc: error: costcalc.yaml:7: runs.a.top_k: top_k 3 is more than experts 2\n"
    )


def test_the_library_restores_its_spelling_after_a_cli_run(cli):
    cli("estimate", "1e20", "--samples", "0", "-u", "30%..40%")
    assert ref("top_k") == "top_k"


# -- no flags in the core --------------------------------------------------------------------

# Modules other work is reshaping now: converted after the wave (then removed from here).
CONVERTED_AFTER_THE_WAVE = {
    "estimator.py",
    "outlook.py",
    "profiles.py",
    "results.py",
    "sweeps.py",
}
# Options of other programs the core runs (git, nvidia-smi, rocm-smi), not costcalc's.
OTHER_PROGRAMS = {
    "detect.py": {
        "--query-gpu=name,memory.total,power.limit",
        "--format=csv,noheader",
        "--showproductname",
        "--showmaxpower",
        "--showmeminfo",
        "--json",
    },
    "gitref.py": {"--show-toplevel", "--verify", "--quiet"},
}
FLAG = re.compile(r"(?<![\w-])--[a-z][\w-]*")
# A command line quoted for the person to type ('costcalc check --init') is not a location.
COMMAND_LINE = re.compile(r"'costcalc [^']*'|`costcalc [^`]*`")


def _front_end(path: Path) -> bool:
    rel = path.relative_to(PACKAGE)
    return (
        rel.parts[0] in ("cli", "render")
        or rel.name.startswith("render")
        or rel.name == "__main__.py"  # the script: argv, before the CLI
        or rel.name == "inputs.py"  # the registry declares the flags (their help text)
    )


def _docstrings(tree: ast.AST) -> set[int]:
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, kinds)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def flag_literals(path: Path) -> list[str]:
    """Every ``--flag`` inside a string literal of ``path`` (docstrings aside), as
    ``file:line: text``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    allowed = OTHER_PROGRAMS.get(path.name, set())
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if id(node) in skip or node.value in allowed:
            continue
        text = COMMAND_LINE.sub("", node.value)
        found += [f"{path.name}:{node.lineno}: {m}" for m in FLAG.findall(text)]
    return found


def test_the_core_holds_no_flag_literals():
    core = [p for p in sorted(PACKAGE.rglob("*.py")) if not _front_end(p)]
    exempt = CONVERTED_AFTER_THE_WAVE
    found = [f for p in core if p.name not in exempt for f in flag_literals(p)]
    assert found == [], "name inputs with costcalc.errors.ref('name'), not a flag"


def test_the_rule_finds_a_flag_literal(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        '"""Docs may say --top-k."""\n'
        'x = f"--top-k {1} is more than {y}"\n'
        "z = \"create one with 'costcalc check --init'\"\n"
        'w = "a-b --c"\n'
    )
    assert sorted(flag_literals(bad)) == ["bad.py:2: --top-k", "bad.py:4: --c"]


def test_the_exemptions_name_real_modules():
    names = {p.name for p in PACKAGE.rglob("*.py")}
    assert (CONVERTED_AFTER_THE_WAVE | set(OTHER_PROGRAMS)) <= names
