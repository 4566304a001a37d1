"""Errors name the input the way the person gave it: the keyword from Python, the flag on
the command line, ``file:line: key`` in a plan or a config file. The core names inputs
only by keyword (costcalc.errors.ref); it holds no flag literals."""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import costcalc
from costcalc.cli import app
from costcalc.errors import (
    CostcalcError,
    DataError,
    InputError,
    given_with,
    is_given_with,
    ref,
    spelling,
)
from costcalc.inputs import FLAG, INPUTS, PLAN

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


# -- every number input, on the command line and from Python ---------------------------------

SHAPE = {"arch": "llama-2-7b", "tokens": "1T"}
OWNED = {"work": "1e20", "owned": True}
# What else an input needs for its value to be read at all (else: WORK 1e20).
CONTEXT: dict[str, dict[str, object]] = {
    **{n: SHAPE for n in ("seq_len", "tp", "pp", "zero", "micro_batch", "throughput")},
    "step_time": {**SHAPE, "batch_tokens": "4M"},
    "batch_tokens": {**SHAPE, "step_time": "2 s"},
    "lora_rank": {**SHAPE, "finetune": "lora"},
    **{
        n: OWNED
        for n in (
            "purchase_price",
            "useful_life",
            "server_cost_overhead",
            "interconnect_share",
            "depreciation",
            "hardware_age",
            "electricity_price",
        )
    },
    "tokens": {"params": "7B"},
    **{n: {"params": "7B", "tokens": "1T"} for n in ("active_params", "bytes_per_param")},
    "flops_per_param_token": {"params": "7B", "tokens": "1T"},
    "fx_rate": {"work": "1e20", "currency": "EUR"},
    **{n: {"work": "1e20", "utilization": "30%..40%"} for n in ("samples", "seed")},
    "device_hours": {},
    "duration": {},
}
# Read in estimator.py and outlook.py, which other work reshapes now: their Python errors
# still name the flag. Converted after the wave (then this list goes).
NUMBERS = [
    name for name, i in INPUTS.items() if FLAG in i.places and not i.argument and i.kind is not None
]
BAD = st.sampled_from(["-5", "nan", "-1e3", "1e999", "12 zorks", "--"])


def _argv(context: dict[str, object]) -> list[str]:
    argv: list[str] = []
    for key, value in context.items():
        if key == "work":
            argv.insert(0, str(value))
        elif value is True:
            argv.append("--" + key)
        else:
            argv += [INPUTS[key].flag, str(value)]
    return argv


def test_every_number_input_is_covered():
    assert set(CONTEXT) <= set(NUMBERS)
    assert len(NUMBERS) > 40


@pytest.mark.parametrize("name", NUMBERS)
@settings(max_examples=3, deadline=None)
@given(bad=BAD)
def test_a_bad_number_names_its_flag_on_the_command_line(name, bad):
    context = CONTEXT.get(name, {"work": "1e20"})
    flag = INPUTS[name].flag
    r = CliRunner().invoke(app, ["estimate", *_argv(context), f"{flag}={bad}"])
    assert r.exit_code == 2, r.stdout
    assert r.stderr.startswith(f"costcalc: error: {flag}: "), r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize("name", NUMBERS)
@settings(max_examples=3, deadline=None)
@given(bad=BAD)
def test_a_bad_number_names_its_keyword_in_python(name, bad):
    from costcalc import outlook

    context = CONTEXT.get(name, {"work": "1e20"})
    with pytest.raises(InputError) as e:
        outlook.estimate(**context, **{name: bad})
    assert str(e.value).startswith(f"{name}: "), str(e.value)
    assert e.value.input == name


# -- plans and config files: the line that gave the value ------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "extra", "says"),
    [
        ("tokens", "many", {"params": "7B"}, "'many' is not a number"),
        ("discount", "150%", {"flops": "1e20"}, "is more than 100%"),
        ("tp", 3, {**SHAPE, "devices": 8}, "tp 3 does not divide llama-2-7b's 32 heads"),
        ("experts", 2, {**SHAPE, "top_k": 3}, None),
        ("region", "atlantis", {"flops": "1e20"}, "unknown region 'atlantis'"),
    ],
)
def test_a_plan_error_names_the_line_and_key_that_gave_the_value(
    cli, tmp_path, monkeypatch, key, value, extra, says
):
    monkeypatch.chdir(tmp_path)
    run = {**extra, key: value}
    lines = ["version: 1", "runs:", "  a:", *(f"    {k}: {v}" for k, v in run.items())]
    (tmp_path / "costcalc.yaml").write_text("\n".join(lines) + "\n")
    r = cli("check")
    assert r.code == 2, r.out
    blamed = "top_k" if key == "experts" else key  # top_k is the one more than experts
    line = 4 + list(run).index(blamed)
    assert r.err.startswith(f"costcalc: error: costcalc.yaml:{line}: runs.a.{blamed}: "), r.err
    assert "--" not in r.err  # the plan's keys, not flags
    if says is not None:
        assert says in r.err


PLAN_NUMBERS = [n for n, i in INPUTS.items() if PLAN in i.places and i.kind is not None]
# A plan has no owned: key; a purchase price says the hardware is owned.
PLAN_OWNED = {"flops": "1e20", "purchase_price": "30000 USD"}


def _plan_context(name: str) -> dict[str, object]:
    context = dict(CONTEXT.get(name, {"work": "1e20"}))
    if context.pop("owned", None):
        context = {**PLAN_OWNED, **context}
    if "work" in context:
        context["flops"] = context.pop("work")
    context.pop(name, None)
    return context


@pytest.mark.parametrize("bad", ["-5", "12 zorks"])
@pytest.mark.parametrize("name", PLAN_NUMBERS)
def test_a_bad_number_in_a_plan_names_its_line_and_key(cli, tmp_path, monkeypatch, name, bad):
    monkeypatch.chdir(tmp_path)
    run = {**_plan_context(name), name: bad}
    lines = ["version: 1", "runs:", "  a:", *(f"    {k}: {v}" for k, v in run.items())]
    (tmp_path / "costcalc.yaml").write_text("\n".join(lines) + "\n")
    r = cli("check")
    assert r.code == 2, r.out
    line = 4 + list(run).index(name)
    assert r.err.startswith(f"costcalc: error: costcalc.yaml:{line}: runs.a.{name}: "), r.err


def test_a_plan_shows_a_given_value_at_its_line(cli, tmp_path, monkeypatch):
    import json

    monkeypatch.chdir(tmp_path)
    (tmp_path / "costcalc.yaml").write_text(
        "version: 1\nruns:\n  a:\n    arch: llama-2-7b\n    tokens: 1T\n    seq_len: 2048\n"
        "    devices: 64\n"
    )
    r = cli("check", "--format", "json")
    assert r.code in (0, 1), r.err
    (run,) = json.loads(r.out)["runs"]
    sources = {k: a["source"] for k, a in run["estimate"]["assumptions"].items()}
    assert sources["tokens"] == "given in the plan: costcalc.yaml:5: runs.a.tokens"
    assert sources["seq_len"] == "given in the plan: costcalc.yaml:6: runs.a.seq_len"
    assert sources["devices"] == "given in the plan: costcalc.yaml:7: runs.a.devices"


def test_a_config_default_is_blamed_at_its_line_and_spelled_by_its_key(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "costcalc.yaml").write_text("defaults:\n  tp: 3\n  arch: llama-2-7b\n")
    r = cli("estimate", "--tokens", "1T", "--devices", "8")
    assert r.code == 2
    assert r.err == (
        "costcalc: error: costcalc.yaml:2: defaults.tp: tp 3 does not divide llama-2-7b's "
        "32 heads: each tensor-parallel rank takes whole heads\n"
    )
    # the same default given as a flag is the flag's
    r = cli("estimate", "--tokens", "1T", "--devices", "8", "--tp", "3")
    assert r.err.startswith("costcalc: error: --tp: --tp 3 does not divide")


def test_a_config_value_and_a_flag_name_themselves_in_one_message(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "costcalc.yaml").write_text("defaults:\n  arch: llama-2-7b\n")
    r = cli("estimate", "--tokens", "1T", "--devices", "8", "--tp", "3")
    assert r.code == 2
    assert r.err.startswith("costcalc: error: --tp: --tp 3 does not divide llama-2-7b's 32 heads")


# -- no flags in the core --------------------------------------------------------------------

# Modules other work is reshaping now: converted after the wave (then removed from here).
CONVERTED_AFTER_THE_WAVE: set[str] = set()
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


# -- sweeps: axes by keyword or flag, spec files by file:line: key ---------------------------

# What else an axis needs for its value to be read (else the work 1e20).
SWEEP_CONTEXT: dict[str, dict[str, str]] = {
    "flops": {},
    "device_hours": {},
    "duration": {"devices": "8"},
    "tokens": {"arch": "llama-2-7b"},
    "arch": {"tokens": "1T"},
    "seq_len": {"arch": "llama-2-7b", "tokens": "1T"},
    "zero": {"arch": "llama-2-7b", "tokens": "1T"},
}


def _sweep_axes() -> list[str]:
    from costcalc.sweeps import INPUTS as AXES

    return list(AXES)


def _bad_axis_value(name: str) -> str:
    from costcalc.sweeps import INPUTS as AXES

    return "1e400" if AXES[name].kind else "zork"


@pytest.mark.parametrize("name", _sweep_axes())
def test_a_bad_sweep_axis_names_its_keyword_in_python(name):
    from costcalc.sweeps import sweep

    context = SWEEP_CONTEXT.get(name, {"work": "1e20"})
    with pytest.raises(InputError) as e:
        sweep(**context, **{name: _bad_axis_value(name)})
    assert str(e.value).startswith(f"{name}: "), str(e.value)
    assert "--" not in str(e.value)
    assert e.value.input == ("work" if name == "flops" else name)


def test_the_sweeps_work_is_named_by_the_keyword_that_gave_it():
    from costcalc.sweeps import sweep

    with pytest.raises(InputError, match=r"^work: '1e400' is too large"):
        sweep("1e400")
    with pytest.raises(InputError, match=r"^flops: '1e400' is too large"):
        sweep(flops="1e400")
    with pytest.raises(InputError) as e:
        sweep(hardware="h100-sxm")
    assert str(e.value) == (
        "work: no work given: pass FLOPs (e.g. 1e20..1e24:5log), device_hours, duration "
        "or arch with tokens"
    )
    with pytest.raises(InputError) as e:
        sweep("1e20,1e21", devices="8,16,32", zip=True)
    assert str(e.value) == "zip: zip pairs lists of the same length; got flops 2, devices 3"


@pytest.mark.parametrize("name", _sweep_axes())
def test_a_bad_sweep_axis_names_its_flag_on_the_command_line(cli, name):
    from costcalc.cli import flag
    from costcalc.sweeps.axes import input_of

    context = SWEEP_CONTEXT.get(name, {"work": "1e20"})
    argv = [str(context["work"])] if "work" in context else []
    argv += [x for k, v in context.items() if k != "work" for x in (flag(k), v)]
    bad = _bad_axis_value(name)
    argv += [bad] if name == "flops" else [f"{flag(name)}={bad}"]
    r = cli("sweep", *argv)
    assert r.code == 2, r.out
    assert r.err.startswith(f"costcalc: error: {flag(input_of(name))}: "), r.err
    assert r.out == ""


def test_sweep_options_are_named_by_flag_on_the_command_line(cli):
    r = cli("sweep", "1e20,1e21", "--devices", "8,16,32", "--zip")
    assert r.err == (
        "costcalc: error: --zip: --zip pairs lists of the same length; got flops 2, devices 3\n"
    )
    r = cli("sweep", "1e20", "--top", "3")
    assert r.err == (
        "costcalc: error: --top: --top needs --sort FIELD (or --pareto) to say which rows "
        "come first\n"
    )
    r = cli("sweep", "--devices", "8")
    assert r.err.startswith("costcalc: error: WORK: no work given: pass FLOPs")


def _spec(tmp_path: Path, text: str) -> str:
    path = tmp_path / "sweep.yaml"
    path.write_text(textwrap.dedent(text))
    return str(path)


SPEC_CASES = [
    # (spec, line: key, message): the inputs the file gave are spelled by their keys
    (
        "hardware: [h100-sxm, tpu-v5p]\ndevices: [8, 16, 32]\nzip: true\nflops: 1e20\n",
        "3: zip",
        ": zip pairs lists of the same length; got hardware 2, devices 3",
    ),
    ("flops: 1e20\nutilization: 150%\n", "2: utilization", "'150%' is more than 100%"),
    (
        "arch: llama-2-7b\ntokens: 1T\nseq-len: 4096.5\n",
        "3: seq-len",
        "expected whole numbers >= 1, got 4096.5",
    ),
    ("work: -1\n", "1: work", "'-1' is negative; expected an amount of compute"),
    (
        "arch: llama-2-7b\ntokens: 1T\nflops: 1e20\n",
        "2: tokens",
        "give the compute once: flops (or ",
    ),
    ("flops: 1e20\ntop: 3\n", "2: top", ": top needs "),
    ("flops: 1e20\nsort: costs\n", "2: sort", "unknown field 'costs' (did you mean 'cost_usd'?)"),
    (
        "flops: 1e20..1e22:3\ndevices: 8,16\nmax_scenarios: 2\n",
        "3: max_scenarios",
        "the sweep has 6 scenarios, more than the limit of 2; narrow the axes or raise "
        "max_scenarios",
    ),
]


@pytest.mark.parametrize(("text", "where", "says"), SPEC_CASES)
def test_a_spec_file_error_names_its_line_and_key(cli, tmp_path, text, where, says):
    from costcalc import sweeps

    spec = _spec(tmp_path, text)
    r = cli("sweep", "--spec", spec)
    assert r.code == 2, r.out
    assert r.err.startswith(f"costcalc: error: {spec}:{where}: "), r.err
    assert says in r.err
    with pytest.raises(InputError) as e:  # the same from Python
        sweeps.plan_command({}, spec)
    assert str(e.value).startswith(f"{spec}:{where}: "), str(e.value)
    assert says in str(e.value)


def test_a_spec_file_spells_its_own_keys_and_the_flags_as_flags(cli, tmp_path):
    spec = _spec(tmp_path, "flops: 1e20\nzero: 3\n")
    r = cli("sweep", "--spec", spec)
    assert r.err == (  # the arch it lacks is a key of the spec too
        f"costcalc: error: {spec}:2: zero: zero needs arch (the model's shape; see "
        "'costcalc arch list')\n"
    )
    # a flag over the spec's value: the flag's own error
    spec = _spec(tmp_path, "flops: 1e20\nutilization: 30%\n")
    r = cli("sweep", "--spec", spec, "--utilization", "150%")
    assert r.err.startswith("costcalc: error: --utilization: '150%' is more than 100%")


def test_a_config_default_in_a_sweep_is_blamed_at_its_line(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "costcalc.yaml").write_text("defaults:\n  devices: 8.5\n")
    r = cli("sweep", "1e20")
    assert r.code == 2
    assert r.err.startswith("costcalc: error: costcalc.yaml:2: defaults.devices: "), r.err
