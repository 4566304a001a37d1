"""What reaches the output (issue 12, items 7, 8, 9, 11): results are finite numbers or
refused naming the inputs; JSON is strict; any output encoding works; user text cannot
forge GitHub workflow commands, break a Markdown table or act on a terminal; products
that underflow to zero are refused instead of dividing by zero."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costcalc import finite
from costcalc.errors import InputError, terminal_text
from costcalc.profiles import shipped_dir
from support import SCRIPT

# Control characters that must never reach a terminal raw: ESC, BEL, C1 (CSI, NEL),
# bidi overrides and isolates.
CONTROLS = "\x1b\x07\x9b\x85\u202e\u202d\u2066\u2067\u2068\u2069\x00\x08\r"


def _strict(text: str) -> Any:
    """json.loads that refuses NaN, Infinity and -Infinity."""

    def refuse(name: str) -> Any:
        raise ValueError(f"not strict JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def _one_line_exit_2(r: Any) -> str:
    assert r.code == 2, (r.code, r.out, r.err)
    lines = r.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("costcalc: error: "), r.err
    assert "Traceback" not in r.err
    return lines[0]


def _plan(tmp_path: Path, text: str, name: str = "plan.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# -- 7: inf and NaN never reach the output ----------------------------------------------------

CHECK_FORMATS = ["table", "markdown", "github", "json", "hf-card", "latex"]


@pytest.mark.parametrize("fmt", CHECK_FORMATS)
def test_flops_times_repeats_overflow_is_refused_naming_the_inputs(
    cli, tmp_path: Path, fmt: str
) -> None:
    plan = _plan(tmp_path, "runs:\n  r: {flops: 1e308, repeats: 2}\n")
    line = _one_line_exit_2(cli("check", "--plan", plan, "--format", fmt))
    assert "flops × repeats overflows" in line and "plan.yaml" in line and "runs.r" in line
    assert "inf" not in line.lower().replace("information", "")


def test_plan_total_that_overflows_is_refused(cli, tmp_path: Path) -> None:
    plan = _plan(tmp_path, "runs:\n  a: {flops: 1e308}\n  b: {flops: 1e308}\n")
    line = _one_line_exit_2(cli("check", "--plan", plan, "-f", "json"))
    assert "total flops" in line and "2 runs" in line


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_a_budget_too_small_to_compare_with_is_refused(cli, tmp_path: Path, fmt: str) -> None:
    plan = _plan(tmp_path, "runs:\n  r: {flops: 1e18}\nbudgets:\n  cost: 1e-320 USD\n")
    line = _one_line_exit_2(cli("check", "--plan", plan, "-f", fmt))
    assert "budgets.cost" in line and "1e-320 USD" in line and ":4:" in line


def test_a_small_but_comparable_budget_is_still_checked(cli, tmp_path: Path) -> None:
    plan = _plan(tmp_path, "runs:\n  r: {flops: 1e18}\nbudgets:\n  cost: 1e-6 USD\n")
    r = cli("check", "--plan", plan, "-f", "json")
    assert r.code == 1, r.err
    doc = _strict(r.out)
    assert doc["budgets"][0]["status"] == "over"


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_sweep_rows_that_overflow_are_refused_before_anything_is_written(
    cli, tmp_path: Path, fmt: str
) -> None:
    r = cli("sweep", "1e18,1e300", "--price", "1 USD/hour,1e300 USD/hour", "-f", fmt)
    line = _one_line_exit_2(r)
    assert "cost_usd overflows" in line and "flops 1e+300" in line
    assert r.out == ""


def test_sweep_to_a_file_that_overflows_writes_no_file(cli, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    r = cli("sweep", "1e300", "--price", "1e300 USD/hour", "-f", "json", "-o", str(out))
    _one_line_exit_2(r)
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_sweep_bound_uses_the_real_corners_not_just_the_first_rows(cli) -> None:
    # the overflowing scenario is the last of 40,000: refused before the first row
    r = cli("sweep", "1e18..1e300:200", "--price", "1..1e300 USD/hour:200", "-f", "csv")
    _one_line_exit_2(r)
    assert r.out == ""


@pytest.mark.parametrize("fmt", ["json", "table", "csv", "yaml", "markdown"])
def test_a_wide_lognormal_is_refused_naming_the_distribution(cli, fmt: str) -> None:
    line = _one_line_exit_2(cli("estimate", "lognormal(1e18,1000)", "-f", fmt))
    assert "lognormal(1e18,1000)" in line and line.startswith("costcalc: error: WORK:")


def test_a_sensible_lognormal_still_gives_strict_json(cli) -> None:
    r = cli("estimate", "lognormal(1e18,1)", "-f", "json", "--seed", "1")
    assert r.code == 0, r.err
    doc = _strict(r.out)
    assert 0 < doc["flops"]["p5"] < doc["flops"]["p50"] < doc["flops"]["p95"]


@pytest.mark.parametrize(
    ("amount", "price"), [("1e300 USD", "1e-300 USD/hour"), ("1e-300 USD", "1e300 USD/hour")]
)
def test_budget_whose_compute_overflows_or_underflows_is_refused(
    cli, amount: str, price: str
) -> None:
    line = _one_line_exit_2(cli("budget", amount, "--price", price, "-f", "json"))
    assert "BUDGET" in line and amount in line


def test_finite_dumps_refuses_nan_and_inf_naming_the_field() -> None:
    import numpy as np

    with pytest.raises(InputError, match=r"runs\[1\]\.cost_usd"):
        finite.dumps({"runs": [{"cost_usd": 1.0}, {"cost_usd": math.inf}]})
    with pytest.raises(InputError, match="total"):
        finite.dumps({"total": np.float64("nan")})
    assert _strict(finite.dumps({"a": 1e308, "b": None, "c": [0.0, -1.5]})) == {
        "a": 1e308,
        "b": None,
        "c": [0.0, -1.5],
    }


def test_no_renderer_calls_json_dumps_without_the_finite_check() -> None:
    src = Path(finite.__file__).parent
    for path in sorted((src / "render").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        # only strings (names, labels) may go through json.dumps directly
        for call in re.findall(r"json\.dumps\(([^)]*)\)", text):
            assert call.strip() in {"text", "name"}, (path.name, call)


POSITIVE = st.floats(min_value=1e-310, max_value=1e308, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    flops=POSITIVE,
    peak=POSITIVE,
    utilization=st.floats(min_value=1e-310, max_value=1.0),
    price=POSITIVE,
    power=POSITIVE,
    repeats=st.integers(min_value=1, max_value=1000),
)
def test_any_finite_positive_inputs_give_strict_json_or_one_line_exit_2(
    cli, flops: float, peak: float, utilization: float, price: float, power: float, repeats: int
) -> None:
    values = [
        f"--peak={peak!r} FLOPS",
        f"--utilization={utilization!r}",
        f"--price={price!r} USD/hour",
        f"--power={power!r} W",
    ]
    commands = [
        ["estimate", repr(flops), *values, "-f", "json"],
        ["sweep", repr(flops), *values, "-f", "json"],
    ]
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan.yaml"
        plan.write_text(
            "runs:\n  r:\n"
            f"    flops: {flops!r}\n    peak: {peak!r} FLOPS\n    utilization: {utilization!r}\n"
            f"    price: {price!r} USD/hour\n    power: {power!r} W\n    repeats: {repeats}\n"
            "budgets:\n  cost: 1 USD\n",
            encoding="utf-8",
        )
        commands.append(["check", "--plan", str(plan), "-f", "json"])
        for argv in commands:
            r = cli(*argv)
            if r.code == 2:
                _one_line_exit_2(r)
                assert r.out == "", argv
                continue
            assert r.code in (0, 1), (argv, r.err)
            _strict(r.out)  # strict JSON: no NaN, no Infinity


# -- 11: products that underflow to zero ---------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["estimate", "1e18", "--peak=1e-300 FLOPS", "--utilization=1e-300"],
        ["estimate", "1e18", "--peak=1e-300 FLOPS", "--utilization=1e-300", "-f", "json"],
        ["estimate", "--device-hours=10", "--peak=1e-300 FLOPS", "--utilization=1e-300"],
        ["sweep", "1e18", "--peak=1e-300 FLOPS", "--utilization=1e-300", "-f", "json"],
        ["sweep", "1e18", "--peak=1e-300 FLOPS", "--utilization=1e-300,0.5", "-f", "csv"],
        ["budget", "100 USD", "--peak=1e-300 FLOPS", "--utilization=1e-300"],
    ],
)
def test_peak_times_utilization_underflow_is_refused_naming_both(cli, argv: list[str]) -> None:
    r = cli(*argv)
    line = _one_line_exit_2(r)
    assert "underflows to zero" in line and "peak × utilization" in line, line
    assert r.out == ""


def test_plan_with_underflowing_peak_is_refused_at_its_line(cli, tmp_path: Path) -> None:
    plan = _plan(
        tmp_path,
        "runs:\n  r:\n    flops: 1e18\n    peak: 1e-300 FLOPS\n    utilization: 1e-300\n",
    )
    line = _one_line_exit_2(cli("check", "--plan", plan))
    assert "underflows to zero" in line and "plan.yaml:" in line


def _tiny_profile(tmp_path: Path, value: str = "1e-300 FLOPS") -> Path:
    text = (shipped_dir() / "tpu-v2.yaml").read_text(encoding="utf-8")
    text = text.replace("name: tpu-v2", "name: tiny", 1).replace(
        "value: 180 TFLOPS", f"value: {value}"
    )
    text = text.replace("value: 12 TFLOPS", f"value: {value}")
    folder = tmp_path / "hw"
    folder.mkdir(exist_ok=True)
    path = folder / "tiny.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_profiles_validate_refuses_a_peak_too_small_to_compute_with(cli, tmp_path: Path) -> None:
    path = _tiny_profile(tmp_path)
    r = cli("profiles", "validate", str(path))
    assert r.code == 2, r.out
    assert "dense_peak.bf16" in r.out + r.err and "too small" in r.out + r.err
    r = cli("--profiles-dir", str(path.parent), "estimate", "1e18", "-H", "tiny")
    line = _one_line_exit_2(r)
    assert "tiny.yaml" in line and "dense_peak.bf16" in line


def test_a_peak_of_a_few_flops_is_still_a_profile(cli, tmp_path: Path) -> None:
    path = _tiny_profile(tmp_path, "2 FLOPS")
    r = cli("profiles", "validate", str(path))
    assert r.code == 0, r.out + r.err


# -- 8: any output encoding ------------------------------------------------------------------


def _real(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    full = {
        "PATH": os.environ.get("PATH", ""),
        "COSTCALC_CONFIG_DIR": str(cwd / "config"),
        "COSTCALC_CACHE_DIR": os.environ["COSTCALC_CACHE_DIR"],
        "HOME": str(cwd),
        **env,
    }
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, cwd=cwd, env=full, timeout=60, check=False
    )


ENCODINGS = [
    {"PYTHONIOENCODING": "ascii"},
    {"PYTHONIOENCODING": "cp1252"},
    {"PYTHONIOENCODING": "latin-1"},
    {"LC_ALL": "C", "LANG": "C"},
]
ENCODING_IDS = ["ascii", "cp1252", "latin-1", "LC_ALL=C"]


@pytest.mark.parametrize("env", ENCODINGS, ids=ENCODING_IDS)
def test_every_format_writes_on_a_narrow_encoding(env: dict[str, str], tmp_path: Path) -> None:
    plan = _plan(tmp_path, "runs:\n  r: {flops: 1e18}\nbudgets:\n  cost: 1 USD\n")
    encoding = env.get("PYTHONIOENCODING", "utf-8")
    cases = [
        ["estimate", "1e18", "-f", fmt, "--equivalents"]
        for fmt in ("table", "json", "csv", "yaml", "markdown")
    ] + [["check", "--plan", plan, "-f", fmt] for fmt in ("table", "markdown", "github", "hf-card")]
    cases += [["sweep", "1e18", "-H", "h100-sxm,tpu-v2", "--devices=8,16"], ["profiles", "list"]]
    for args in cases:
        p = _real(args, env, tmp_path)
        assert p.returncode in (0, 1), (args, p.stderr.decode(encoding, "replace"))
        assert b"Traceback" not in p.stderr, args
        p.stdout.decode(encoding)  # what was written is in the stream's encoding
        p.stderr.decode(encoding)


@pytest.mark.parametrize("env", ENCODINGS[:3], ids=ENCODING_IDS[:3])
def test_errors_quoting_non_ascii_input_degrade_on_stderr(
    env: dict[str, str], tmp_path: Path
) -> None:
    p = _real(["estimate", "1e18", "--hardware", "h100→×₂–"], env, tmp_path)
    assert p.returncode == 2, p.stderr
    err = p.stderr.decode(env["PYTHONIOENCODING"])
    assert err.startswith("costcalc: error: --hardware:") and err.count("\n") == 1
    if env["PYTHONIOENCODING"] == "ascii":
        assert "h100->x2-" in err


def test_markdown_degrades_characters_on_ascii(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "runs:\n  r: {flops: 1e18}\nbudgets:\n  cost: 1 USD\n")
    p = _real(["check", "--plan", plan, "-f", "markdown"], {"PYTHONIOENCODING": "ascii"}, tmp_path)
    assert p.returncode == 1
    out = p.stdout.decode("ascii")
    assert out.startswith("### ? costcalc check: over budget")


def test_files_are_utf8_whatever_the_terminal(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "runs:\n  r: {flops: 1e18}\nbudgets:\n  cost: 1 USD\n")
    summary = tmp_path / "summary.md"
    env = {"PYTHONIOENCODING": "ascii", "GITHUB_STEP_SUMMARY": str(summary)}
    p = _real(["check", "--plan", plan, "-f", "github"], env, tmp_path)
    assert p.returncode == 1, p.stderr
    assert "❌ costcalc check: over budget" in summary.read_text(encoding="utf-8")


# -- 9: output injection --------------------------------------------------------------------

FORGED = "r\n::error file=a::forged"


def _outside_stop_commands(out: str) -> list[str]:
    """The stdout lines GitHub reads as commands: those outside ::stop-commands::."""
    lines, token, live = out.splitlines(), None, []
    for line in lines:
        if token is not None:
            if line == f"::{token}::":
                token = None
            continue
        m = re.fullmatch(r"::stop-commands::(\S+)", line)
        if m:
            token = m.group(1)
            continue
        live.append(line)
    assert token is None, "the stop-commands block is never closed"
    return live


@pytest.mark.parametrize(
    "name", [FORGED, "::error file=b::forged", "x\r::warning::forged", "::costcalc-00::"]
)
def test_run_names_cannot_forge_workflow_commands(cli, tmp_path: Path, name: str) -> None:
    plan = _plan(
        tmp_path, f"runs:\n  {json.dumps(name)}: {{flops: 1e18}}\nbudgets:\n  cost: 1 USD\n"
    )
    r = cli("check", "--plan", plan, "-f", "github")
    assert r.code == 1, r.err
    live = [line for line in _outside_stop_commands(r.out) if line.lstrip().startswith("::")]
    assert live == [line for line in live if line.startswith("::error file=")]
    assert all("forged" not in line for line in live)
    assert len(live) == 1  # the real annotation, at the budget's line


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=30))
def test_no_run_name_escapes_the_github_block_or_a_markdown_row(cli, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan.yaml"
        plan.write_text(
            f"runs:\n  {json.dumps(name)}: {{flops: 1e18}}\n"
            "  other: {flops: 1e18}\nbudgets:\n  cost: 1 USD\n",
            encoding="utf-8",
        )
        r = cli("check", "--plan", str(plan), "-f", "github")
        if r.code == 2:  # a name the plan refuses (e.g. a duplicate of "other")
            _one_line_exit_2(r)
            return
        live = _outside_stop_commands(r.out)
        assert [x for x in live if x.lstrip().startswith("::")] == [
            x for x in live if x.startswith("::error file=") and "line=5" in x
        ]
        md = cli("check", "--plan", str(plan), "-f", "markdown").out
        rows = [x for x in md.splitlines() if x.startswith("| ") and "FLOP" in x]
        assert len(rows) == 3  # two runs and the total, each on one line
        for row in rows:
            assert len(re.findall(r"(?<!\\)\|", row)) == 10, row
        for fmt in ("table", "markdown", "github"):
            out = cli("check", "--plan", str(plan), "-f", fmt).out
            assert not set(out) & set(CONTROLS), (fmt, out)


def _evil_profile(tmp_path: Path) -> Path:
    text = (shipped_dir() / "tpu-v2.yaml").read_text(encoding="utf-8")
    evil = json.dumps("Evil \x1b]0;pwned\x07\x1b[2J\u202eX\x9b31m|pipe\nline2")
    text = re.sub(r"(?m)^display_name: .*$", lambda _: f"display_name: {evil}", text, count=1)
    text = text.replace("name: tpu-v2", "name: evil", 1)
    folder = tmp_path / "hw"
    folder.mkdir()
    (folder / "evil.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "argv",
    [["estimate", "1e18", "-H", "evil", "-f", f] for f in ("table", "csv", "yaml", "markdown")]
    + [
        ["estimate", "1e18", "-H", "evil", "-f", "json"],
        ["sweep", "1e18", "-H", "evil,tpu-v2"],
        ["budget", "100 USD", "-H", "evil"],
        ["profiles", "list"],
        ["profiles", "show", "evil"],
        ["profiles", "show", "evil", "--format", "json"],
    ],
)
def test_control_characters_in_a_profile_never_reach_the_output(
    cli, tmp_path: Path, argv: list[str]
) -> None:
    folder = _evil_profile(tmp_path)
    r = cli("--profiles-dir", str(folder), *argv)
    assert r.code == 0, r.err
    assert not set(r.out) & set(CONTROLS), repr(r.out[:400])
    if argv[-1] in ("table", "yaml", "markdown", "json") or argv[:2] == ["profiles", "show"]:
        assert "Evil" in r.out
    if "markdown" in argv:
        heading = r.out.splitlines()[0]
        assert heading.startswith("### ") and "\\|pipe" in heading and "line2" in heading


def test_control_characters_in_a_profile_never_reach_a_real_terminal_stream(
    tmp_path: Path,
) -> None:
    folder = _evil_profile(tmp_path)
    p = _real(["--profiles-dir", str(folder), "estimate", "1e18", "-H", "evil"], {}, tmp_path)
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode("utf-8")
    assert not set(out) & set(CONTROLS)
    assert "Evil \\x1b]0;pwned\\x07\\x1b[2J\\u202eX\\x9b31m|pipe" in out


def test_warnings_quoting_file_names_are_one_line(cli, tmp_path: Path) -> None:
    folder = tmp_path / "dir\x1b[2Jx"
    r = cli("--profiles-dir", str(folder), "estimate", "1e18")
    assert r.code in (0, 2)
    assert "\x1b" not in r.err and "\x1b" not in r.out


def test_terminal_text_keeps_lines_tabs_and_colour_but_nothing_else() -> None:
    assert terminal_text("a\n\tb") == "a\n\tb"
    assert terminal_text("\x1b[1;31mred\x1b[0m") == "\x1b[1;31mred\x1b[0m"
    assert terminal_text("\x1b[2J\x1b]0;t\x07\u202e\x9b") == "\\x1b[2J\\x1b]0;t\\x07\\u202e\\x9b"


def test_a_real_terminal_gets_colour_but_no_other_control_sequence(tmp_path: Path) -> None:
    """On a terminal (a pty) the rich tables keep their colour (SGR) sequences; the escape
    sequences, C1 controls and bidi overrides of a profile's display name are shown escaped."""
    import pty

    folder = _evil_profile(tmp_path)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "TERM": "xterm-256color",
        "COLUMNS": "150",
        "COSTCALC_CONFIG_DIR": str(tmp_path / "config"),
        "COSTCALC_CACHE_DIR": os.environ["COSTCALC_CACHE_DIR"],
        "HOME": str(tmp_path),
    }
    argv = [str(SCRIPT), "--profiles-dir", str(folder), "estimate", "1e18", "-H", "evil"]
    pid, fd = pty.fork()
    if pid == 0:  # the child: the script, with the pty as its terminal
        os.execve(argv[0], argv, env)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, out[-500:]
    text = out.decode("utf-8")
    assert re.search(r"\x1b\[[0-9;]*m", text), "no colour on a terminal"
    rest = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert not set(rest) & set(CONTROLS.replace("\r", "")), repr(rest[:300])
    assert "Evil \\x1b]0;pwned\\x07\\x1b[2J\\u202eX\\x9b31m" in rest


def test_the_one_check_before_rendering_names_the_inputs(cli) -> None:
    """A result that no earlier check catches (an exchange rate that overflows the money
    section) is refused by the check before rendering, naming the inputs given."""
    for fmt in ("json", "table", "csv", "yaml", "markdown"):
        r = cli(
            "estimate", "1e18", "-H", "h100-sxm", "--currency=EUR", "--fx-rate=1e308", "-f", fmt
        )
        line = _one_line_exit_2(r)
        assert "money.items" in line and "fx rate 1e308" in line and "currency EUR" in line
        assert r.out == ""
