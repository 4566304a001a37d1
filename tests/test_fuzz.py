"""Fuzzing, bounded (max_examples): the profile loader, the quantity parser, the CLI
arguments, the ``--where`` grammar and the plan loader never fail with anything but the
documented errors (issue 8).

Run longer locally with e.g. ``HYPOTHESIS_PROFILE=long`` -- see tests/corpus/README.md.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costcalc import inputs as registry
from costcalc import yamlio
from costcalc.budget import INPUTS as PLAN_INPUTS
from costcalc.budget import RUN_KEYS, evaluate, parse_plan, starter_plan
from costcalc.errors import DataError, InputError
from costcalc.profiles import Profile, load_profile, parse_profile, shipped_dir
from costcalc.units import KINDS, TABLE_SPELLINGS, parse_quantity
from costcalc.where import Field, compile_where

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
FUZZ = settings(
    max_examples=2000 if LONG else 150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
BASE = yaml.safe_load((shipped_dir() / "tpu-v2.yaml").read_text(encoding="utf-8"))


def _one_line(message: str) -> None:
    assert message and "\n" not in message and message.isprintable(), repr(message)


# --- the profile loader ----------------------------------------------------------------

yaml_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
yaml_snippets = st.sampled_from(
    [
        "!!python/object:os.system x",
        "&a [*a]",
        "*nope",
        "{<<: 1}",
        "[[[[[[",
        "!!binary AAAA",
        "!!set {a}",
        "2024-13-45",
        ".nan",
        "-.inf",
        "1e400",
        "'180 TFLOPS'",
        "~",
        "{value: 1 TFLOPS, source: s, date: 2020}",
    ]
)


def _loads_or_refuses(text: str) -> None:
    try:
        profile = parse_profile(yamlio.load(text, "fuzz.yaml"))
    except DataError as e:
        _one_line(str(e))
    else:
        assert isinstance(profile, Profile)
        for peak in profile.dense_peak.values():
            assert math.isfinite(peak.value) and peak.value > 0


@FUZZ
@given(st.text(max_size=300))
def test_any_text_is_a_profile_or_a_data_error(text: str) -> None:
    _loads_or_refuses(text)


def _path(data: dict[str, Any], draw: Any) -> list[Any]:
    path: list[Any] = []
    node: Any = data
    while isinstance(node, dict) and node and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(node, key=str)))
        path.append(key)
        node = node[key]
    return path or [draw(st.sampled_from(sorted(data)))]


def _with_raw_snippet(draw, text: str) -> str:
    """``text`` with, maybe, a raw YAML snippet as the value of one of its lines."""
    if draw(st.booleans()):
        lines = text.splitlines() or [""]
        i = draw(st.integers(0, len(lines) - 1))
        if ": " in lines[i]:
            lines[i] = lines[i].split(": ", 1)[0] + ": " + draw(yaml_snippets)
        text = "\n".join(lines) + "\n"
    return text


@st.composite
def mutated_profiles(draw: Any) -> str:
    data = yaml.safe_load(yaml.safe_dump(BASE))
    for _ in range(draw(st.integers(1, 3))):
        path = _path(data, draw)
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = draw(yaml_values)
    return _with_raw_snippet(draw, yaml.safe_dump(data, sort_keys=False))


@FUZZ
@given(mutated_profiles())
def test_mutated_profile_is_a_profile_or_a_data_error(text: str) -> None:
    _loads_or_refuses(text)


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes_on_disk_are_a_profile_or_a_data_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "fuzz.yaml"
        path.write_bytes(data)
        try:
            load_profile(path)
        except DataError as e:
            _one_line(str(e))


# --- the quantity parser ---------------------------------------------------------------

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.from_regex(
        r"[+-]?\d{1,4}(\.\d{0,3})?([eE][+-]?\d{1,4})?(\s*\^\s*-?\d{1,4})?", fullmatch=True
    ),
)
units = st.sampled_from([*TABLE_SPELLINGS, "%", "", "FLOPs", "EUR", "m", "kg/kWh", "W*s", "1/h"])
junk = st.text(alphabet=" */^()%-+.eE0123456789", max_size=6)
quantities = st.one_of(
    st.text(max_size=40),
    st.tuples(numbers, st.sampled_from(["", " "]), units, junk).map("".join),
    st.tuples(junk, numbers, junk, units).map("".join),
)


@FUZZ
@given(quantities, st.sampled_from(sorted(KINDS)), st.booleans())
def test_quantity_is_a_finite_number_or_an_input_error(text: str, kind: str, zero: bool) -> None:
    try:
        value = parse_quantity(text, kind, "--x", allow_zero=zero)
    except InputError as e:
        _one_line(str(e))
        assert str(e).startswith("--x: ")
    else:
        assert isinstance(value, float) and math.isfinite(value) and value >= 0
        assert zero or value > 0


# --- the command line ------------------------------------------------------------------

# Every option estimate takes, from the input registry, plus the output options.
OPTIONS = [
    *(i.flag for i in registry.INPUTS.values() if registry.FLAG in i.places and not i.argument),
    "--format",
    "--value",
]
GOOD = [
    "1e18",
    "8",
    "40%",
    "330 W",
    "1.1",
    "tpu-v2",
    "h100",
    "IS",
    "bf16",
    "json",
    "csv",
    "2 USD/hour",
    "gcp",
    "us-central1",
    "llama-2-7b",
    "3",
    "lognormal(0.4,0.2)",
]
cli_values = st.one_of(st.sampled_from(GOOD), quantities, st.text(max_size=12))


@FUZZ
@given(
    st.one_of(st.none(), cli_values),
    st.lists(st.tuples(st.sampled_from(OPTIONS), cli_values), max_size=4),
)
def test_any_command_line_is_an_answer_or_one_error_line(cli, work, options) -> None:
    argv = ["estimate", *[f"{o}={v}" for o, v in options]]
    if work is not None:
        argv += ["--", work]
    r = cli(*argv)
    assert r.code in (0, 2), (argv, r.err)
    if r.code == 2:
        assert r.out == "" and r.err.startswith("costcalc: error: "), (argv, r.err)
        _one_line(r.err.rstrip("\n"))
    else:
        assert r.out and r.err == "", (argv, r.err)
        assert "nan" not in r.out.lower().split() and "inf" not in r.out.lower().split()


# --- the --where grammar -----------------------------------------------------------------
# The sweep's own fields (numbers with units, and text labels), evaluated over random
# columns: a constraint compiles to a boolean mask of one entry per row, or is refused
# with an InputError -- never evaluated as Python, never another exception.

WHERE_FIELDS = {
    "cost_usd": Field("cost_usd", "money", "USD"),
    "co2e_kg": Field("co2e_kg", "mass", "kg"),
    "wall_clock_hours": Field("wall_clock_hours", "time", "hour"),
    "devices": Field("devices"),
    "utilization": Field("utilization", "fraction"),  # a fraction; "40%" is 0.4
    "hardware": Field("hardware", labels=("h100-sxm", "tpu-v2")),
}
NUMERIC = [k for k, f in WHERE_FIELDS.items() if f.labels is None]
WHERE_TOKENS = [
    *WHERE_FIELDS,
    "and",
    "or",
    "not",
    "cost_us",
    "__import__",
    "os",
    "0",
    "1e6",
    ".5",
    "1e400",
    "3.",
    "30 t",
    "40%",
    "2 days",
    "5 USD",
    "7 kWh",
    "'h100-sxm'",
    '"tpu-v2"',
    "'",
    '"',
    "''",
    "<",
    "<=",
    ">",
    ">=",
    "==",
    "!=",
    "=",
    "(",
    ")",
    "-",
    ",",
    "[",
    ";",
    "\\",
    "\x00",
    "\u00b5s",
]
ROWS = 7


@st.composite
def where_columns(draw: Any) -> dict[str, Any]:
    cols: dict[str, Any] = {}
    numbers = st.floats(min_value=0, max_value=1e9) | st.just(math.nan)
    for name, f in WHERE_FIELDS.items():
        if f.labels is not None:
            codes = st.integers(0, len(f.labels) - 1)
            cols[name] = np.array(draw(st.lists(codes, min_size=ROWS, max_size=ROWS)))
        else:
            cols[name] = np.array(draw(st.lists(numbers, min_size=ROWS, max_size=ROWS)))
    return cols


def _mask_or_refusal(text: str, cols: dict[str, Any]) -> Any:
    try:
        mask = compile_where(text, WHERE_FIELDS)
    except InputError as e:
        _one_line(str(e))
        return None
    result = np.asarray(mask(cols))
    assert result.dtype == bool and result.shape == (ROWS,), (text, result)
    return result


@FUZZ
@given(
    st.lists(
        st.sampled_from(WHERE_TOKENS) | st.text(st.characters(), max_size=6),
        max_size=12,
    ),
    st.sampled_from([" ", "", "  "]),
    where_columns(),
)
def test_any_token_soup_is_a_mask_or_an_input_error(tokens, sep, cols) -> None:
    _mask_or_refusal(sep.join(tokens), cols)


@FUZZ
@given(st.text(max_size=80), where_columns())
def test_any_text_is_a_mask_or_an_input_error(text: str, cols) -> None:
    _mask_or_refusal(text, cols)


_REFERENCE = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "=": lambda a, b: a == b,
    "!=": lambda a, b: (a != b) & ~np.isnan(a),  # a missing value differs from nothing
}
_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}


@st.composite
def comparisons(draw: Any) -> tuple[str, Any]:
    """A comparison printed as text, with the mask it must give (a reference evaluator)."""
    name = draw(st.sampled_from(list(WHERE_FIELDS)))
    f = WHERE_FIELDS[name]
    if f.labels is not None:
        op = draw(st.sampled_from(["==", "!=", "="]))
        code = draw(st.integers(0, len(f.labels) - 1))
        quote = draw(st.sampled_from(["'", '"']))
        value = f"{quote}{f.labels[code]}{quote}"
        positive = op != "!="
        text = f"{name} {op} {value}"
        return text, (lambda c: (c[name] == code) if positive else (c[name] != code))
    op = draw(st.sampled_from(list(_REFERENCE)))
    if f.kind == "fraction" and draw(st.booleans()):  # as a percentage (the unit's parse
        number = draw(st.floats(min_value=0, max_value=100, allow_nan=False))  # is not
        value = f"{number!r}%"  # under test here)
        bound = parse_quantity(value, "fraction", allow_zero=True)
    else:
        number = draw(st.floats(min_value=0, max_value=1e9, allow_nan=False))
        value, bound = repr(number), number
    if draw(st.booleans()):  # value first: 30 > devices
        text = f"{value} {_FLIP.get(op, op)} {name}"
    else:
        text = f"{name}{draw(st.sampled_from(['', ' ']))}{op} {value}"
    return text, (lambda c: _REFERENCE[op](c[name], bound))


def _combine(inner: Any) -> Any:
    def both(pair: Any, word: str) -> tuple[str, Any]:
        (a, fa), (b, fb) = pair
        if word == "and":
            return f"{a} and {b}", (lambda c: fa(c) & fb(c))
        return f"({a} or {b})", (lambda c: fa(c) | fb(c))

    def negate(one: tuple[str, Any]) -> tuple[str, Any]:
        text, f = one
        return f"not ({text})", (lambda c: ~f(c))

    return st.builds(both, st.tuples(inner, inner), st.sampled_from(["and", "or"])) | inner.map(
        negate
    )


expressions = st.recursive(comparisons(), _combine, max_leaves=6)


@FUZZ
@given(expressions, where_columns())
def test_well_formed_expressions_compile_and_match_a_reference(expr, cols) -> None:
    text, reference = expr
    mask = _mask_or_refusal(text, cols)
    assert mask is not None, text
    np.testing.assert_array_equal(mask, reference(cols), err_msg=text)


# --- the plan loader ---------------------------------------------------------------------

PLAN = yaml.safe_load(starter_plan())
PLAN_KEYS = sorted({*PLAN_INPUTS, *RUN_KEYS, "defaults", "runs", "budgets", "limit", "warn_at"})


@st.composite
def mutated_plans(draw: Any) -> str:
    data = yaml.safe_load(yaml.safe_dump(PLAN))
    for _ in range(draw(st.integers(1, 3))):
        path = _path(data, draw)
        node = data
        for key in path[:-1]:
            node = node[key]
        if draw(st.booleans()):
            node[path[-1]] = draw(yaml_values | st.sampled_from(GOOD))
        else:
            del node[path[-1]]
            if draw(st.booleans()):
                node[draw(st.sampled_from([*PLAN_KEYS, "x"]))] = draw(yaml_scalars)
        if not data:
            break
    return _with_raw_snippet(draw, yaml.safe_dump(data, sort_keys=False))


@FUZZ
@given(mutated_plans())
def test_mutated_plan_is_a_verdict_or_a_documented_error(text: str) -> None:
    try:
        plan = parse_plan(yamlio.load(text, "fuzz.yaml"))
        report = evaluate(plan)
    except (DataError, InputError) as e:
        _one_line(str(e))
    else:
        assert report.exit_code() in (0, 1)
        for value in report.totals.values():
            assert value is None or math.isfinite(value), text
