"""Fuzzing, bounded (max_examples): the profile loader, the quantity parser and the CLI
arguments never fail with anything but the documented errors (issue 8).

Run longer locally with e.g. ``HYPOTHESIS_PROFILE=long`` -- see tests/corpus/README.md.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costcalc import yamlio
from costcalc.errors import DataError, InputError
from costcalc.profiles import Profile, load_profile, parse_profile, shipped_dir
from costcalc.units import KINDS, TABLE_SPELLINGS, parse_quantity

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


@st.composite
def mutated_profiles(draw: Any) -> str:
    data = yaml.safe_load(yaml.safe_dump(BASE))
    for _ in range(draw(st.integers(1, 3))):
        path = _path(data, draw)
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = draw(yaml_values)
    text = yaml.safe_dump(data, sort_keys=False)
    if draw(st.booleans()):  # and a raw snippet somewhere in a value
        lines = text.splitlines()
        i = draw(st.integers(0, len(lines) - 1))
        if ": " in lines[i]:
            lines[i] = lines[i].split(": ", 1)[0] + ": " + draw(yaml_snippets)
        text = "\n".join(lines) + "\n"
    return text


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

OPTIONS = [
    "--hardware",
    "--devices",
    "--device-hours",
    "--duration",
    "--utilization",
    "--peak",
    "--precision",
    "--power",
    "--pue",
    "--carbon-intensity",
    "--region",
    "--price",
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
