"""The hard shell: hostile and malformed input gives one clear error line and exit 2 —
never a traceback, a hang or a written file (issue 8).

The corpus lives in tests/corpus/ (see its README.md): hostile files, one directory per
kind of file, and hostile command-line values, one list per kind of argument. Adding a
kind is one entry in FILE_LOADERS or VALUE_ARGVS below.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from costcalc import budget, config, sweeps
from costcalc import inputs as registry
from costcalc.errors import CostcalcError
from costcalc.profiles import load_profile, shipped_dir
from costcalc.yamlio import MAX_BYTES
from support import script

CORPUS = Path(__file__).parent / "corpus"
SECONDS = 20  # per case (the bound); a case that takes longer is a hang


def _load_profile(path: Path) -> Any:
    return load_profile(path)


# Hostile files: corpus directory -> the loader that must refuse each of its files.
FILE_LOADERS: dict[str, Callable[[Path], Any]] = {
    "profiles": _load_profile,
    # `costcalc check --plan FILE`: the whole check, so that values are read too
    "plans": lambda path: budget.check(path, None),
    # `costcalc sweep --spec FILE`
    "specs": lambda path: sweeps.plan_command({}, str(path)),
    # a user config.yaml (the stricter of the two config files; see test_hostile_config_*)
    "configs": lambda path: config.read_defaults(path, "user", str(path)),
}
# The generic hostile YAML in profiles/ (binary, alias bombs, tags, ...) is refused by
# every loader, except these (kind, file) pairs, which are fine for that kind.
SHARED = "profiles"
ACCEPTED_FILES = {("configs", n) for n in ("empty.yaml", "null.yaml", "only-comment.yaml")}

# Every option of estimate, from the input registry, plus the output options.
ESTIMATE_OPTIONS = [
    *(i.flag for i in registry.INPUTS.values() if registry.FLAG in i.places and not i.argument),
    "--format",
    "--value",
]
# Hostile values: corpus file -> command lines, each with "{}" where the value goes.
VALUE_ARGVS: dict[str, list[list[str]]] = {
    "values.txt": [
        ["estimate", "--", "{}"],
        ["estimate", "--device-hours={}"],
        ["estimate", "--duration={}", "--devices=8"],
        ["estimate", "--devices={}", "--duration=1"],
        *[["estimate", "1e18", f"{option}={{}}"] for option in ESTIMATE_OPTIONS],
        ["budget", "--", "{}"],
        ["budget", "7 days", "-H", "h100-sxm", "--flops={}"],
        ["budget", "7 days", "-H", "h100-sxm", "--flops=1e24", "--params={}"],
        ["budget", "7 days", "--flops=1e24", "--params=7B", "--bytes-per-param={}"],
        ["scale", "--", "{}"],
        ["scale", "gpt-3", "--improvement={}"],
        ["scale", "gpt-3", "--improvement=2", "--exponent={}"],
        ["calibrate", "--seconds={}"],
        *[  # owned hardware as Cottier et al. cost it (tests/test_owned.py)
            ["estimate", "1e18", "--owned", "--depreciation=30%", f"{option}={{}}"]
            for option in (
                "--server-cost-overhead",
                "--interconnect-share",
                "--depreciation",
                "--hardware-age",
            )
        ],
    ],
    "where.txt": [["sweep", "1e20", "-H", "h100-sxm", "-f", "csv", "--where={}"]],
    "bare.txt": [  # a peak needs its unit, on every command and in every file
        ["estimate", "1e18", "--peak={}"],
        ["sweep", "1e20", "-H", "h100-sxm", "-f", "csv", "--peak={}"],
        ["budget", "100 USD", "--peak={}"],
        ["scale", "gpt-3", "--improvement=2", "--peak={}"],
    ],
    "axes.txt": [
        ["sweep", "-f", "csv", "-H", "h100-sxm", "--", "{}"],
        *[
            ["sweep", "1e20", "-f", "csv", "-H", "h100-sxm", f"{option}={{}}"]
            for option in ("--devices", "--utilization", "--power", "--price", "--pue")
        ],
        ["sweep", "-f", "csv", "-H", "h100-sxm", "--devices=8", "--duration={}"],
    ],
    "names.txt": [
        ["runs", "show", "--", "{}"],
        ["profiles", "show", "--", "{}"],
        ["profiles", "new", "--", "{}"],
        ["regions", "show", "--", "{}"],
        ["estimate", "1e18", "--hardware={}"],
        ["sweep", "1e20", "-f", "csv", "--hardware={}"],
        ["estimate", "1e18", "--provider={}"],
        ["estimate", "1e18", "--pricing={}"],
        ["estimate", "1e18", "--pue={}"],
        ["sweep", "1e20", "-f", "csv", "--provider={}"],
        ["sweep", "1e20", "-f", "csv", "--pricing={}"],
        ["prices", "--", "{}"],
        ["prices", "--provider={}"],
        ["prices", "--pricing={}"],
    ],
    "formats.txt": [
        [*command, "--format={}"]
        for command in (
            ["estimate", "1e18"],
            ["sweep", "1e20"],
            ["check"],
            ["budget", "100 USD"],
            ["scale", "gpt-3", "--improvement=2"],
            ["runs", "list"],
            ["runs", "show", "gpt-3"],
            ["profiles", "list"],
            ["profiles", "show", "h100-sxm"],
            ["regions", "list"],
            ["regions", "show", "IS"],
            ["config", "show"],
        )
    ],
    # Output paths that name no file (a directory, '/' at the end, empty, a missing
    # parent, NUL, too long): every command that writes a file.
    "paths.txt": [
        ["sweep", "1e20", "-f", "csv", "-H", "h100-sxm", "--output={}"],
        ["sweep", "1e20", "-f", "csv", "-H", "h100-sxm", "--plot={}"],
        ["check", "--init", "--plan={}"],
    ],
}
# (command line template, value) pairs that are fine after all: zero carbon intensity is
# a real grid (allow_zero), and so is a value that underflows to zero.
ACCEPTED = (
    {  # zero is a real value of these inputs (a carbon-free grid, no discount), as declared
        (f"estimate 1e18 {i.flag}={{}}", v)
        for i in registry.INPUTS.values()
        if i.allow_zero and registry.FLAG in i.places
        for v in ("0", "0.0", "-0", "1e-400")
    }
    | {  # 1e16 devices, or a PUE of 1e16: absurd, but numbers
        (f"estimate {t}", "1e18 %")
        for t in ("--devices={} --duration=1", "1e18 --devices={}", "1e18 --pue={}")
    }
    | {  # "h 100" is the alias h100 written with a space: names match without spaces
        ("estimate 1e18 --hardware={}", "h 100"),
        ("profiles show -- {}", "h 100"),
        ("sweep 1e20 -f csv --hardware={}", "h 100"),
        ("prices -- {}", "h 100"),
    }
    | {  # 1e16 bytes per parameter, or a 1e16-fold improvement: absurd, but numbers
        ("budget 7 days --flops=1e24 --params=7B --bytes-per-param={}", "1e18 %"),
        ("scale gpt-3 --improvement={}", "1e18 %"),
    }
    | {  # no interconnect, or hardware bought at the start of the run, are real cases;
        # a server costing 1e16 times its chips is absurd, but a number
        (f"estimate 1e18 --owned --depreciation=30% --{o}={{}}", v)
        for o in ("interconnect-share", "hardware-age")
        for v in ("0", "0.0", "-0", "1e-400")
    }
    | {("estimate 1e18 --owned --depreciation=30% --server-cost-overhead={}", "1e18 %")}
)


@pytest.fixture
def bounded() -> Iterator[None]:
    """Fail (instead of hanging the suite) when a case runs longer than SECONDS."""

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"no answer within {SECONDS} s: a hang")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _expected(data: bytes) -> str | None:
    """The ``# expect: <text>`` a corpus file may open with."""
    first = data.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    if first.startswith(b"# expect: "):
        return first[len(b"# expect: ") :].decode()
    return None


def _assert_one_clear_line(message: str) -> None:
    assert message and "\n" not in message and message.isprintable(), repr(message)
    assert "Traceback" not in message


# --- hostile files ---------------------------------------------------------------------

FILES = [(kind, p) for kind in FILE_LOADERS for p in sorted((CORPUS / kind).iterdir())]
FILES += [
    (kind, p)
    for kind in FILE_LOADERS
    if kind != SHARED
    for p in sorted((CORPUS / SHARED).iterdir())
    if (kind, p.name) not in ACCEPTED_FILES
]
FILES = [(kind, p) for kind, p in FILES if p.name != "README.md"]


@pytest.mark.parametrize(
    ("kind", "path"), FILES, ids=[f"{k}:{p.parent.name}/{p.name}" for k, p in FILES]
)
def test_hostile_file_is_refused_clearly(
    kind: str, path: Path, bounded: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CostcalcError) as info:
        FILE_LOADERS[kind](path)
    assert info.value.exit_code == 2
    _assert_one_clear_line(str(info.value))
    expect = _expected(path.read_bytes()) if path.parent.name == kind else None
    if expect:  # in the first problem, or among all the problems a file has
        problems = [str(info.value), *getattr(info.value, "problems", [])]
        assert any(expect in problem for problem in problems), problems
    assert not list(tmp_path.iterdir()), "nothing is written"


def _base_profile() -> dict[str, Any]:
    data = yaml.safe_load((shipped_dir() / "tpu-v2.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


HOSTILE_VALUES: list[Any] = [
    float("nan"),
    float("inf"),
    float("-inf"),
    -1,
    0,
    "1e400",
    "1e400 W",
    "nan W",
    "-180 TFLOPS",
    "",
    None,
    [],
    {},
    True,
    "5 kWh",
    "9**9**9",
    10**400,
    "x" * 5000,
]
# field path -> values that are valid there after all (and so are not hostile).
FIELDS: dict[tuple[str, ...], set[str]] = {
    ("dense_peak", "bf16", "value"): set(),
    ("dense_peak", "fp32", "value"): set(),
    ("tdp", "value"): set(),
    ("price", "value"): set(),
    ("memory", "value"): set(),
    ("server_overhead", "value"): set(),
    ("dense_peak", "bf16", "date"): set(),
    ("dense_peak", "bf16", "source"): {repr(v) for v in HOSTILE_VALUES if isinstance(v, str) and v},
    ("chips",): {repr(10**400)},  # a whole number, if an absurd one
    ("name",): {"'1e400'"},  # a valid id
    ("schema_version",): set(),
    ("kind",): set(),
    ("form",): set(),
    ("vendor",): {repr(v) for v in HOSTILE_VALUES if isinstance(v, str) and v},
    ("dense_peak",): set(),
    ("dense_peak", "bf16"): set(),
    ("tdp",): set(),
    ("launch_year",): {"None"},  # launch_year is optional
    ("aliases",): {"None", "[]"},  # no aliases is fine
}
MUTATIONS = [
    (path, value) for path in FIELDS for value in HOSTILE_VALUES if repr(value) not in FIELDS[path]
]


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


@pytest.mark.parametrize(
    ("field", "value"), MUTATIONS, ids=[f"{'.'.join(p)}={v!r:.20}" for p, v in MUTATIONS]
)
def test_hostile_profile_value_is_refused_at_its_line(
    field: tuple[str, ...], value: Any, tmp_path: Path, bounded: None
) -> None:
    data = _base_profile()
    _set(data, field, value)
    path = tmp_path / "tpu-v2.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(CostcalcError) as info:
        load_profile(path)
    message = str(info.value)
    _assert_one_clear_line(message)
    assert message.startswith(f"{path}:"), message  # located: file:line
    assert field[0] in message, message


GENERATED = {
    "over the size cap": lambda: b"a: " + b"x" * (MAX_BYTES + 10),
    "exactly over the cap": lambda: b"#" * (MAX_BYTES + 1),
    "deep flow nesting": lambda: b"[" * 100_000 + b"]" * 100_000,
    "deep mapping nesting": lambda: b"{a: " * 20_000 + b"1" + b"}" * 20_000,
    "nesting just over the limit": lambda: b"[" * 60 + b"]" * 60,
    "deep block nesting": lambda: "".join(" " * i + "a:\n" for i in range(300)).encode(),
    "many unknown keys": lambda: "".join(f"k{i}: {i}\n" for i in range(40_000)).encode(),
    "one huge line": lambda: b"name: " + b"y" * (MAX_BYTES - 100),
    "many aliases": lambda: b"a: &a x\nb: [" + b"*a, " * 150_000 + b"*a]\n",
    "null bytes late": lambda: b"name: x\n" * 1000 + b"\x00",
}


@pytest.mark.parametrize("kind", list(FILE_LOADERS))
@pytest.mark.parametrize("maker", GENERATED.values(), ids=list(GENERATED))
def test_generated_hostile_file_is_refused(kind: str, maker, tmp_path: Path, bounded: None) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(maker())
    with pytest.raises(CostcalcError) as info:
        FILE_LOADERS[kind](path)
    _assert_one_clear_line(str(info.value))


# --- hostile command-line values ---------------------------------------------------------


def _values(name: str) -> list[str]:
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line and not line.startswith("#")]


CASES = [
    (template, value)
    for name, templates in VALUE_ARGVS.items()
    for template in templates
    for value in _values(name)
    if (" ".join(template), value) not in ACCEPTED
]


@pytest.mark.parametrize(
    ("template", "value"), CASES, ids=[f"{' '.join(t[1:])}:{v!r:.24}" for t, v in CASES]
)
def test_hostile_value_one_line_exit_2_no_write(
    cli, template: list[str], value: str, tmp_path: Path, monkeypatch, bounded: None
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = [part.replace("{}", value) for part in template]
    r = cli(*argv)
    assert r.code == 2, (argv, r.out, r.err)
    assert r.out == ""
    assert r.err.startswith("costcalc: error: ") and r.err.endswith("\n"), r.err
    _assert_one_clear_line(r.err[:-1])
    assert not list(tmp_path.iterdir()), "nothing is written"
    config_dir = Path(os.environ["COSTCALC_CONFIG_DIR"])  # where `profiles new` writes
    assert not config_dir.exists() or not list(config_dir.rglob("*")), "nothing is written"


REAL = [
    ["estimate", "--", "9**9**9"],
    ["estimate", "1e18", "--power=1e400 W"],
    ["estimate", "1e18", "--utilization=nan"],
    ["estimate", "1e18", "--hardware=../../../../etc/passwd"],
    ["estimate", "1e18", "--region=\x1b[2J"],
    ["estimate", "1e18", "--price=__import__('os').system('touch PWNED')"],
    ["estimate", "1e30", "--utilization=1e-300"],
    ["estimate", "--duration=" + "9" * 5000],
]


@pytest.mark.parametrize("argv", REAL, ids=[" ".join(a)[:40] for a in REAL])
def test_hostile_value_in_a_real_process(argv: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "COSTCALC_NO_CACHE": "1"}
    r = subprocess.run(
        [script(), *argv], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60
    )
    assert r.returncode == 2, r.stderr
    assert r.stdout == "" and r.stderr.count("\n") == 1
    _assert_one_clear_line(r.stderr[:-1])
    assert not list(tmp_path.iterdir())


def test_the_corpus_is_large_enough() -> None:
    assert len(FILES) + len(MUTATIONS) + len(GENERATED) + len(CASES) >= 200
    assert len(FILES) >= 40 and len(_values("values.txt")) >= 50


def test_bare_command_shows_the_help_not_an_error(cli) -> None:
    r = cli()
    assert r.code == 2 and r.out == ""
    assert r.err.startswith("Usage: costcalc") and "costcalc: error" not in r.err


@pytest.mark.parametrize("flag", ["--x\x1b[2Jy", "--\u202eevil", "--a\nb"])
def test_unknown_option_with_control_characters_is_one_escaped_line(cli, flag: str) -> None:
    r = cli("estimate", "1e18", flag)
    assert r.code == 2 and r.err.startswith("costcalc: error: ")
    _assert_one_clear_line(r.err[:-1])


# --- regressions found by the corpus ------------------------------------------------------


def test_profiles_new_refuses_a_name_with_a_trailing_newline(cli, tmp_path: Path) -> None:
    # NAME_RE ended in "$", which also matches before a final newline: this wrote "h100\n.yaml"
    r = cli("profiles", "new", "my-gpu\n", "--dir", str(tmp_path))
    assert r.code == 2 and "is not a profile name" in r.err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("value", ["١٠", "１０ W", "1e1٠"])
def test_digits_of_other_scripts_are_refused(cli, value: str) -> None:
    r = cli("estimate", "1e18", f"--power={value}")
    assert r.code == 2 and "write numbers with 0-9" in r.err


def test_scale_exponent_that_overflows_is_an_input_error(cli) -> None:
    r = cli("scale", "gpt-3", "--improvement=2", "--exponent=1e16")
    assert r.code == 2, r.err
    assert r.err == (
        "costcalc: error: --exponent: K^E = 2^1e+16 overflows a 64-bit float; "
        "give a smaller improvement or exponent\n"
    )


def test_a_spec_error_names_the_file_line_and_key(cli, tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text("flops: 1e20\nutilization: 150%\n", encoding="utf-8")
    r = cli("sweep", "--spec", str(spec))
    assert r.code == 2 and r.err.startswith(f"costcalc: error: {spec}:2: utilization: "), r.err
    r = cli("sweep", "--spec", str(spec), "--utilization", "150%")  # the flag's own error
    assert r.err.startswith("costcalc: error: --utilization: "), r.err


@pytest.mark.parametrize("scope", ["user", "project"])
@pytest.mark.parametrize("path", sorted((CORPUS / "configs").iterdir()), ids=lambda p: p.name)
def test_hostile_config_file_stops_estimate(
    cli, scope: str, path: Path, tmp_path: Path, monkeypatch, bounded: None
) -> None:
    monkeypatch.chdir(tmp_path)
    if scope == "user":
        target = Path(os.environ["COSTCALC_CONFIG_DIR"]) / "config.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
    else:
        target = tmp_path / "costcalc.yaml"
    target.write_bytes(path.read_bytes())
    if scope == "project" and path.name == "unknown-section.yaml":
        return  # the project file is shared with `check`: other sections are not ours
    r = cli("estimate", "1e18")
    assert r.code == 2 and r.out == "", (r.out, r.err)
    _assert_one_clear_line(r.err[:-1])
