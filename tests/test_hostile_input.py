"""Reading inputs (issue 12): merge keys on our own node tree, libyaml and pure Python
alike, integers beyond float range, JSON baselines read as JSON, and every input file
read with a byte cap, FIFOs and devices refused, never waited on."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import assume, given
from hypothesis import strategies as st

from costcalc import budget, yamlio
from costcalc.errors import CostcalcError, DataError
from costcalc.profiles import shipped_dir

CORPUS = Path(__file__).parent / "corpus"
SRC = Path(yamlio.__file__).parent
LOADERS = [yaml.SafeLoader, *([yaml.CSafeLoader] if getattr(yaml, "CSafeLoader", None) else [])]
LOADER_IDS = [cls.__name__ for cls in LOADERS]
NINES = "9" * 400  # 1e400 - 1: beyond float range, not beyond Python's int
HEX = "0x" + "F" * 300


@pytest.fixture
def bounded() -> Iterator[None]:
    """Fail instead of hanging the suite (a FIFO opened for reading blocks forever)."""

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError("no answer within 10 s: a hang")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(10)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _outcome(text: str, loader: Any) -> Any:
    """What loading ``text`` gives: the data (as repr, NaN-safe) and lines, or the error."""
    try:
        doc = yamlio.load(text, "f.yaml", loader)
    except DataError as e:
        return ("error", str(e))
    return ("ok", repr(doc.data), doc.lines)


def _one_line_error(r: Any) -> str:
    assert r.code == 2, (r.code, r.out, r.err)
    assert r.out == ""
    assert r.err.startswith("costcalc: error: ") and r.err.count("\n") == 1, r.err
    assert "Traceback" not in r.err
    return str(r.err)


# --- A: merge keys, resolved on our own node tree ------------------------------------------


def test_no_private_pyyaml_api_is_used() -> None:
    source = (SRC / "yamlio.py").read_text(encoding="utf-8")
    assert "flatten_mapping" not in source
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\byaml\.(\w+\.)*_\w", text), path


VALID_MERGES = [
    "b: &b {name: a, x: 1}\nc: {<<: *b, name: z}\n",  # explicit keys override merged ones
    "a: &a {p: 1}\nb: &b {q: 2}\nc: {<<: [*a, *b], r: 3}\n",
    "a: &a {p: 1}\nb: &b {q: 2, <<: *a}\nc: {<<: [*b, {r: 3}], p: 9}\n",  # nested merges
    "base: &base\n  chips: 8\n  memory: 80 GB\nmine:\n  <<: *base\n  chips: 4\n",
    "{<<: {a: 1}}",
    "a: &a {1: x}\nb: {<<: *a, 0x1: y}\n",  # 0x1 is the key 1: explicit wins
    "x: &x {a: [1, 2]}\ny: {<<: *x}\nz: {<<: [*x]}\n",
]


@pytest.mark.parametrize("loader", LOADERS, ids=LOADER_IDS)
@pytest.mark.parametrize("text", VALID_MERGES)
def test_merges_match_yaml_merge_semantics(text: str, loader: Any) -> None:
    # PyYAML's own loader is the independent reference where no key collides in a merge
    assert yamlio.load(text, "f.yaml", loader).data == yaml.load(text, Loader=yaml.SafeLoader)


@pytest.mark.parametrize("loader", LOADERS, ids=LOADER_IDS)
def test_merged_keys_keep_the_line_they_were_written_on(loader: Any) -> None:
    doc = yamlio.load("base: &b\n  chips: 8\n  name: a\nmine:\n  <<: *b\n  name: z\n", "f", loader)
    assert doc.data["mine"] == {"chips": 8, "name": "z"}
    assert doc.lines[("mine", "chips")] == 2
    assert doc.lines[("mine", "name")] == 6


MERGE_ERRORS = {
    "b: &b {name: a}\nx: {<<: [*b, *b]}\n": "duplicate key 'name'",
    "a: &a {n: 1}\nb: &b {n: 2}\nx: {<<: [*a, *b]}\n": "duplicate key 'n'",
    "a: &a {p: 1}\nb: &b {<<: *a}\nx: {<<: [*a, *b]}\n": "duplicate key 'p'",
    "a: &a {p: 1}\nb: &b {q: 1}\nx: {<<: *a, <<: *b}\n": "duplicate key '<<'",
    "x: {<<: 5}\n": "expected a mapping or list of mappings for merging",
    "x: {<<: [{a: 1}, 5]}\n": "expected a mapping for merging",
    "x: {<<: ~}\n": "expected a mapping or list of mappings",
    "x: &x {<<: *x}\n": "merges itself",
    "x: &x {a: {<<: *x}}\n": "nested deeper than",  # endless, through the merge
    "x: <<\n": "only allowed as a key",
    "x: {<<: !!omap [{a: 1}]}\n": "expected a mapping",
    "x: {<<: !!set {a}}\n": "expected a mapping",
    "a: &a {name: x}\nb: {<<: *a, name: y, name: z}\n": "duplicate key 'name'",
}


@pytest.mark.parametrize("loader", LOADERS, ids=LOADER_IDS)
@pytest.mark.parametrize(("text", "expect"), MERGE_ERRORS.items())
def test_bad_merges_are_located_errors(text: str, expect: str, loader: Any) -> None:
    with pytest.raises(DataError) as info:
        yamlio.load(text, "f.yaml", loader)
    assert expect in str(info.value)
    assert re.match(r"f\.yaml:\d+: ", str(info.value)), info.value


keys = st.sampled_from(["a", "b", "c", "d", "name", "chips", "1", "true"])
mappings = st.dictionaries(keys, st.integers(-5, 5), max_size=4)


@given(sources=st.lists(mappings, min_size=1, max_size=3), own=mappings)
def test_merge_property_against_pyyaml(sources: list[dict[str, int]], own: dict[str, int]) -> None:
    """Random merges: where no two merged mappings share a key, the result is PyYAML's;
    where they do, it is a duplicate-key error (never a silent choice)."""
    anchors = "".join(f"m{i}: &m{i} {json.dumps(m)}\n" for i, m in enumerate(sources))
    body = ", ".join(
        [f"<<: [{', '.join(f'*m{i}' for i in range(len(sources)))}]"]
        + [f"{json.dumps(k)}: {v}" for k, v in own.items()]
    )
    text = anchors + "x: {" + body + "}\n"
    seen = [k for m in sources for k in m]
    results = [_outcome(text, loader) for loader in LOADERS]
    assert all(r == results[0] for r in results)
    if len(seen) != len(set(seen)):
        assert results[0][0] == "error" and "duplicate key" in results[0][1]
    else:
        assert yamlio.load(text, "f", LOADERS[0]).data == yaml.load(text, Loader=yaml.SafeLoader)


# --- B: libyaml and pure Python give the same results and the same errors ----------------

PARITY_FILES = sorted(
    p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".yaml", ".txt", ".json")
) + sorted(shipped_dir().glob("*.yaml"))
PARITY_TEXTS = [
    *VALID_MERGES,
    *MERGE_ERRORS,
    "a: 'x\n",
    "k: [1, 2\n",
    "a: b\n---\nc: d\n",
    "a: *nope\n",
    "a: &a 1\nb: &a 2\n",
    "? [a]\n: 1\n",
    "a:\tb\n",
    "a: ! 5\nb: !\nc: ! [1]\n",
    "\ufeffa: 1\n",
    "a: \x85b\n",
    "[" * 1200 + "]" * 1200,  # past libyaml's own nesting limit
    "- " * 60 + "x\n",
    "a: 2001-02-30\n",
    "a: 0b" + "1" * 1000 + "\n",
    "a: 190:20:30\n",
    "a: !!binary aGk=\n",
    "%YAML 1.1\n---\na: 1\n",
    "---\n",
    "--- !!str\n",
    "!!python/name:os.system\n",
    "# only a comment\n",
    "{x?}\n",
    "a: [b?c, 'd?e']\n",
    "note: see www.example.com/p.html?q=1 [sic]\n",
    "a: |#\n  x\n",
    "a: !.!x b\n",
    "a: &x' 1\n",
]


@pytest.mark.skipif(len(LOADERS) < 2, reason="PyYAML was built without libyaml")
@pytest.mark.parametrize("path", PARITY_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_libyaml_and_pure_python_agree_on_every_corpus_file(path: Path) -> None:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pytest.skip("not UTF-8: refused before parsing")
    assert _outcome(text, yaml.CSafeLoader) == _outcome(text, yaml.SafeLoader)


@pytest.mark.skipif(len(LOADERS) < 2, reason="PyYAML was built without libyaml")
@pytest.mark.parametrize("text", PARITY_TEXTS, ids=range(len(PARITY_TEXTS)))
def test_libyaml_and_pure_python_agree(text: str) -> None:
    assert _outcome(text, yaml.CSafeLoader) == _outcome(text, yaml.SafeLoader)


# the characters and tokens of YAML's syntax (a random hunt found the divergences that
# yamlio._LIBYAML_LENIENT lists with these)
TOKENS = [*"ab:-[]{}&*<>!?,#'\"\n 01.x|%@`~\\\t\r", "  ", "- ", ": ", "\n  ", "<<", "!!str "]
TOKENS += ["!!int ", "&a ", "*a", "---", "...", "? "]


@pytest.mark.skipif(len(LOADERS) < 2, reason="PyYAML was built without libyaml")
@given(st.lists(st.sampled_from(TOKENS), max_size=25).map("".join))
def test_libyaml_and_pure_python_agree_on_fuzz(text: str) -> None:
    assert _outcome(text, yaml.CSafeLoader) == _outcome(text, yaml.SafeLoader)


def test_libyaml_is_used_when_pyyaml_has_it() -> None:
    expected = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    assert yamlio.loader_class() is expected


def test_the_fallback_loads_every_shipped_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    from costcalc.profiles import Catalog

    monkeypatch.setattr(yamlio, "loader_class", lambda: yaml.SafeLoader)
    monkeypatch.setenv("COSTCALC_NO_CACHE", "1")
    profiles = Catalog().all()
    assert len(profiles) == len(list(shipped_dir().glob("*.yaml")))


# --- C: integers beyond float range ----------------------------------------------------------

HUGE = [NINES, "-" + NINES, HEX, "0" + "7" * 400, "1_" + "000_" * 110 + "0", "0x" + "F" * 5000]


@pytest.mark.parametrize("loader", LOADERS, ids=LOADER_IDS)
@pytest.mark.parametrize("number", HUGE, ids=range(len(HUGE)))
def test_integers_beyond_float_range_are_refused(number: str, loader: Any) -> None:
    with pytest.raises(DataError) as info:
        yamlio.load(f"x: 1\nrun:\n  flops: {number}\n", "f.yaml", loader)
    message = str(info.value)
    assert message.startswith("f.yaml:3: run.flops: invalid value: the integer"), message
    assert "too large" in message and len(message) < 200


@pytest.mark.parametrize("loader", LOADERS, ids=LOADER_IDS)
def test_integers_within_float_range_are_kept_exact(loader: Any) -> None:
    big = 2**1023  # within float range, exactly
    binary = "0b" + "1" * 1000
    data = yamlio.load(f"a: {big}\nb: {binary}\nc: -{big}\n", "f", loader).data
    assert data == {"a": big, "b": 2**1000 - 1, "c": -big}
    assert float(data["a"]) == 2.0**1023


def _plan(flops: str, extra: str = "") -> str:
    return f"runs:\n  r:\n    hardware: h100-sxm\n    flops: {flops}\n{extra}"


FILE_KINDS = {
    "plan": lambda tmp, n: ["check", "--plan", _write(tmp / "p.yaml", _plan(n))],
    "plan repeats": lambda tmp, n: [
        "check",
        "--plan",
        _write(tmp / "p.yaml", _plan("1e20", f"    repeats: {n}\n")),
    ],
    "plan budget": lambda tmp, n: [
        "check",
        "--plan",
        _write(tmp / "p.yaml", _plan("1e20") + f"budgets:\n  cost: {n}\n"),
    ],
    "spec": lambda tmp, n: [
        "sweep",
        "--spec",
        _write(tmp / "s.yaml", f"flops: [{n}]\nhardware: h100-sxm\n"),
    ],
    "spec max_scenarios": lambda tmp, n: [
        "sweep",
        "--spec",
        _write(tmp / "s.yaml", f"flops: 1e20\nhardware: h100-sxm\nmax_scenarios: {n}\n"),
    ],
    "baseline plan": lambda tmp, n: [
        "check",
        "--plan",
        _write(tmp / "p.yaml", _plan("1e20")),
        "--baseline",
        _write(tmp / "b.yaml", _plan(n)),
    ],
    "baseline json": lambda tmp, n: [
        "check",
        "--plan",
        _write(tmp / "p.yaml", _plan("1e20")),
        "--baseline",
        _write(
            tmp / "b.json",
            '{"schema": "costcalc/check/1", "runs": [],\n "total": {"cost_usd": '
            + n.replace("_", "")
            + "}}",
        ),
    ],
    "profile": lambda tmp, n: [
        "profiles",
        "validate",
        _write(tmp / "x.yaml", (shipped_dir() / "tpu-v2.yaml").read_text() + f"zzz: {n}\n"),
    ],
}


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("number", [NINES, HEX, "-" + NINES], ids=["digits", "hex", "negative"])
@pytest.mark.parametrize("kind", list(FILE_KINDS))
def test_huge_integers_in_every_file_kind_exit_2(
    cli, kind: str, number: str, tmp_path: Path
) -> None:
    if kind == "baseline json" and number == HEX:
        pytest.skip("JSON has no hex numbers")
    argv = FILE_KINDS[kind](tmp_path, number)
    r = cli(*argv)
    if kind == "profile":  # validate lists problems on stdout
        assert r.code == 2 and "too large" in r.out and "Traceback" not in r.out + r.err
        return
    err = _one_line_error(r)
    assert "too large" in err and re.search(r"\.(yaml|json):\d+: ", err), err


def test_huge_integer_in_a_config_file_exit_2(cli, tmp_path: Path, monkeypatch) -> None:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "config.yaml").write_text(f"defaults:\n  devices: {NINES}\n")
    monkeypatch.setenv("COSTCALC_CONFIG_DIR", str(config_dir))
    err = _one_line_error(cli("estimate", "1e18", "-H", "h100-sxm"))
    assert "config.yaml:2: defaults.devices: invalid value" in err and "too large" in err


# --- D: a saved JSON report is a valid baseline ----------------------------------------------


def _report(cli, tmp_path: Path, flops: str = "1e40") -> tuple[str, str]:
    plan = _write(tmp_path / "plan.yaml", _plan(flops))
    r = cli("check", "--plan", plan, "--format", "json")
    assert r.code == 0, r.err
    return plan, r.out


@pytest.mark.parametrize("name", ["r.json", "report.txt", "report"])
def test_a_saved_json_report_with_exponents_is_a_valid_baseline(
    cli, tmp_path: Path, name: str
) -> None:
    plan, report = _report(cli, tmp_path)
    assert re.search(r"\d[eE]\+\d", report), "the report writes exponents (the case at issue)"
    baseline = _write(tmp_path / name, report)
    r = cli("check", "--plan", plan, "--baseline", baseline, "--format", "json")
    assert r.code == 0, r.err
    compared = json.loads(r.out)
    expected = json.loads(report)  # the independent reading of the same file
    assert compared["total"] == expected["total"]
    text = json.dumps(compared)
    assert '"changed"' not in text and '"added"' not in text, compared


def test_json_baseline_values_are_the_numbers_json_means(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    totals = {"flops": 1e40, "cost_usd": 1e21, "co2e_kg": 12, "energy_kwh": 1.5e-3}
    path.write_text(json.dumps({"schema": budget.REPORT_SCHEMA, "total": totals, "runs": []}))
    before = budget.load_baseline(path)
    assert before[""]["cost"] == pytest.approx(1e21)
    assert before[""]["flops"] == pytest.approx(1e40)


def test_a_plan_is_still_a_baseline(cli, tmp_path: Path) -> None:
    plan = _write(tmp_path / "plan.yaml", _plan("1e20"))
    older = _write(tmp_path / "older.yaml", _plan("2e20"))
    r = cli("check", "--plan", plan, "--baseline", older)
    assert r.code == 0, r.err


@given(st.floats(min_value=1e-300, max_value=1e300))
def test_json_numbers_round_trip(value: float) -> None:
    text = json.dumps({"a": [value, -value], "b": int(value) if value < 1e18 else 1})
    assert yamlio.load_json(text, "f.json").data == json.loads(text)


def _expects() -> dict[str, str]:
    lines = (CORPUS / "baselines-expect.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t", 1) for line in lines if line and not line.startswith("#"))


BASELINES = sorted((CORPUS / "baselines").iterdir())


@pytest.mark.parametrize("path", BASELINES, ids=[p.name for p in BASELINES])
def test_hostile_baselines_are_refused_clearly(path: Path, bounded: None) -> None:
    with pytest.raises(CostcalcError) as info:
        budget.load_baseline(path)
    message = str(info.value)
    assert info.value.exit_code == 2
    assert message and "\n" not in message and message.isprintable(), message
    raw = path.read_bytes()
    expect = _expects().get(path.name) if path.suffix == ".json" else None
    if raw.startswith(b"# expect: "):
        expect = raw.split(b"\n", 1)[0][len(b"# expect: ") :].decode()
    assert expect is not None or path.name == "list.json", f"no expectation for {path.name}"
    assert (expect or "") in message, message
    assert message.startswith(f"{path}:"), message  # located


def test_every_json_baseline_has_an_expectation() -> None:
    assert {p.name for p in BASELINES if p.suffix == ".json"} == set(_expects())


def test_deep_json_is_refused(tmp_path: Path) -> None:
    for text in ("[" * 100_000 + "]" * 100_000, '{"a": ' * 60 + "1" + "}" * 60):
        path = tmp_path / "deep.json"
        path.write_text(text)
        with pytest.raises(DataError, match="nested deeper than"):
            budget.load_baseline(path)


# --- E: every input read with a byte cap; FIFOs and devices refused, never waited on ---------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "x.yaml"
    os.mkfifo(path)
    return path


def _fifo_argvs(fifo: Path, tmp_path: Path) -> dict[str, list[str]]:
    plan = _write(tmp_path / "plan.yaml", _plan("1e20"))
    return {
        "plan": ["check", "--plan", str(fifo)],
        "baseline": ["check", "--plan", plan, "--baseline", str(fifo)],
        "spec": ["sweep", "--spec", str(fifo)],
        "points": ["scale", "--fit", str(fifo), "--target", "0.05"],
    }


@pytest.mark.parametrize("which", ["plan", "baseline", "spec", "points"])
def test_a_fifo_given_as_input_is_refused_at_once(
    cli, fifo: Path, tmp_path: Path, which: str, bounded: None
) -> None:
    err = _one_line_error(cli(*_fifo_argvs(fifo, tmp_path)[which]))
    assert "is not a regular file" in err and str(fifo) in err


def test_a_fifo_named_on_profiles_validate_is_a_problem(cli, fifo: Path, bounded: None) -> None:
    r = cli("profiles", "validate", str(fifo))
    assert r.code == 2 and "is not a regular file" in r.out, (r.out, r.err)


def test_a_fifo_config_file_is_not_waited_on(
    cli, tmp_path: Path, monkeypatch, bounded: None
) -> None:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    os.mkfifo(config_dir / "config.yaml")
    monkeypatch.setenv("COSTCALC_CONFIG_DIR", str(config_dir))
    r = cli("estimate", "1e18", "-H", "h100-sxm", "--value", "flops")
    assert r.code == 0 and float(r.out) == 1e18, (r.out, r.err)


def _profile_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "hw"
    folder.mkdir()
    (folder / "mine.yaml").write_text(
        (shipped_dir() / "tpu-v2.yaml").read_text().replace("name: tpu-v2", "name: mine")
    )
    os.mkfifo(folder / "x.yaml")
    (folder / "dir.yaml").mkdir()
    (folder / "link.yaml").symlink_to(folder / "x.yaml")
    return folder


def test_a_fifo_in_a_profile_folder_is_skipped_with_a_warning(
    cli, tmp_path: Path, bounded: None
) -> None:
    folder = _profile_dir(tmp_path)
    assert cli("--profiles-dir", str(folder), "estimate", "1e18", "-H", "mine").code == 0
    r = cli("--profiles-dir", str(folder), "profiles", "list")
    assert r.code == 0 and "mine" in r.out, r.err
    for name in ("x.yaml", "dir.yaml", "link.yaml"):
        assert f"{folder / name}: not a regular file; skipped" in r.err
    r = cli("profiles", "validate", str(folder))
    assert r.code == 0, (r.out, r.err)
    assert "mine.yaml: ok" in r.out and "not a regular file; skipped" in r.err


def test_a_fifo_in_a_profile_folder_does_not_hang_the_real_script(tmp_path: Path) -> None:
    folder = _profile_dir(tmp_path)
    exe = Path(sys.executable).with_name("costcalc")
    env = {**os.environ, "COSTCALC_CONFIG_DIR": str(tmp_path / "config")}
    r = subprocess.run(
        [str(exe), "--profiles-dir", str(folder), "profiles", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert "mine" in r.stdout and "not a regular file; skipped" in r.stderr


def test_dev_zero_as_baseline_is_refused_without_reading(cli, tmp_path: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    plan = _write(tmp_path / "plan.yaml", _plan("1e20"))
    err = _one_line_error(cli("check", "--plan", plan, "--baseline", "/dev/zero"))
    assert "/dev/zero: is not a regular file" in err


def test_a_huge_sparse_file_is_read_only_up_to_the_cap(tmp_path: Path) -> None:
    import tracemalloc

    path = tmp_path / "big.yaml"
    with open(path, "wb") as f:
        f.truncate(1 << 32)  # 4 GiB of zeros, sparse: costs no disk
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match="larger than the limit"):
            yamlio.read_bytes(path, "plan")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * yamlio.MAX_BYTES, peak


def test_the_cap_does_not_trust_the_reported_size(tmp_path: Path, monkeypatch) -> None:
    """A file that says it is small (``/proc`` files say 0 bytes) is still capped."""
    path = tmp_path / "p.yaml"
    path.write_bytes(b"#" * (yamlio.MAX_BYTES + 1))
    real = os.fstat

    class Small:
        def __init__(self, st: os.stat_result) -> None:
            self.st_mode, self.st_size = st.st_mode, 0

    monkeypatch.setattr(yamlio.os, "fstat", lambda fd: Small(real(fd)))
    with pytest.raises(DataError, match="larger than the limit"):
        yamlio.read_text(path, "plan")


@pytest.mark.parametrize("size", [yamlio.MAX_BYTES, yamlio.MAX_BYTES + 1])
def test_the_cap_is_exact(tmp_path: Path, size: int) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"#" * size)
    if size <= yamlio.MAX_BYTES:
        assert len(yamlio.read_text(path, "plan")) == size
    else:
        with pytest.raises(DataError, match="larger than the limit"):
            yamlio.read_text(path, "plan")


def test_missing_and_directory_inputs_are_located(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such plan"):
        yamlio.read_text(tmp_path / "nope.yaml", "plan")
    with pytest.raises(DataError, match="is a directory"):
        yamlio.read_text(tmp_path, "plan")


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@pytest.mark.parametrize("loader", LOADERS, ids=LOADER_IDS)
@given(data=documents, flow=st.booleans())
def test_our_composer_reads_what_pyyaml_writes(loader: Any, data: Any, flow: bool) -> None:
    """The node tree composed here gives PyYAML's own reading of any document it writes."""
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    theirs = yaml.load(text, Loader=yaml.SafeLoader)
    # PyYAML writes U+0085 (a YAML line break) into a quoted key that then reads back as a
    # space: two keys become one, which PyYAML keeps silently and costcalc refuses as a
    # duplicate. Compare only documents that PyYAML itself reads back as written.
    assume(theirs == data)
    assert yamlio.load(text, "f", loader).data == theirs
