"""Shipped hardware profiles are complete and sourced; broken ones are rejected precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from costcalc.errors import DataError
from costcalc.profiles import PRECISIONS, Catalog, load_profile, shipped_dir

SHIPPED = sorted(shipped_dir().glob("*.yaml"))


def test_there_are_profiles() -> None:
    names = {p.stem for p in SHIPPED}
    assert {"tpu-v2", "tpu-v2-chip", "v100-sxm2", "a100-sxm-80gb", "h100-sxm"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_profile_loads_and_is_sourced(path: Path) -> None:
    prof = load_profile(path)
    assert prof.name == path.stem
    sourced = [*prof.dense_peak.values(), *prof.sparse_peak.values()]
    sourced += [
        v
        for v in (
            prof.memory,
            prof.memory_bandwidth,
            prof.tdp,
            prof.price,
            prof.server_overhead,
            prof.power_load,
        )
        if v is not None
    ]
    for value in sourced:
        assert value.source and value.date
    assert set(prof.dense_peak) <= set(PRECISIONS)
    assert prof.default_precision in prof.dense_peak


def test_names_and_aliases_are_unique() -> None:
    seen: dict[str, str] = {}
    for path in SHIPPED:
        prof = load_profile(path)
        for key in (prof.name, *prof.aliases):
            assert key not in seen, f"{key} in {path.name} and {seen[key]}"
            seen[key] = path.name


def test_tpu_v2_board_is_the_seeds_figure() -> None:
    board = Catalog().get("tpu-v2")
    chip = Catalog().get("tpu-v2-chip")
    assert board.dense_peak["bf16"].value == 180e12 and board.form == "board"
    assert board.memory is not None and board.memory.value == 64e9 * 8
    assert chip.dense_peak["bf16"].value * 4 == board.dense_peak["bf16"].value


def test_lookup_by_alias_and_prefix() -> None:
    cat = Catalog()
    assert cat.get("tpuv2").name == "tpu-v2"
    assert cat.get("TPU-V2").name == "tpu-v2"


GOOD = """\
schema_version: 1
name: mine
vendor: Acme
kind: gpu
form: gpu
dense_peak:
  bf16: {value: 100 TFLOPS, source: datasheet, date: 2024-01-01}
tdp: {value: 300 W, source: datasheet, date: 2024-01-01}
"""


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "mine.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_a_minimal_profile_loads(tmp_path: Path) -> None:
    prof = load_profile(_write(tmp_path, GOOD))
    assert prof.dense_peak["bf16"].value == 100e12 and prof.default_precision == "bf16"


BROKEN = [
    (GOOD.replace("300 W", "300 kWh"), ":8: tdp.value: '300 kWh' is an energy, expected a power"),
    (
        GOOD.replace("source: datasheet, date: 2024-01-01}\ntdp", "date: 2024-01-01}\ntdp"),
        ":7: dense_peak.bf16.source: missing source",
    ),
    (GOOD.replace("kind: gpu", "kind: gpus"), ":4: kind: expected one of gpu, tpu"),
    (GOOD + "tdpp: 3\n", ":9: tdpp: unknown field (did you mean 'tdp'?)"),
    (GOOD.replace("bf16:", "bf17:"), ":7: dense_peak.bf17: unknown precision"),
    (GOOD + "name: again\n", ":9: duplicate key 'name'"),
    (GOOD.replace("tdp:", "# tdp:"), "tdp: missing: a TDP"),
    (GOOD + "evil: !!python/object/apply:os.system [ls]\n", "unsupported YAML tag"),
    ("", "expected a mapping of profile fields"),
    ("[1, 2", "invalid YAML"),
    (b"\xff\xfe\x00bin", "binary"),
    (b"name: caf\xe9", "not UTF-8"),
    (
        "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
        + "".join(
            f"{c}: &{c} [{','.join(['*' + p] * 10)}]\n"
            for p, c in zip("abcdefg", "bcdefgh", strict=True)
        ),
        "alias bomb",
    ),
    (GOOD.replace("100 TFLOPS", "nan TFLOPS"), "not a number"),
    (GOOD.replace("100 TFLOPS", "-5 TFLOPS"), "negative"),
]


@pytest.mark.parametrize(("text", "message"), BROKEN)
def test_broken_profile_is_rejected_with_location(tmp_path: Path, text, message: str) -> None:
    with pytest.raises(DataError) as err:
        load_profile(_write(tmp_path, text))
    assert message in str(err.value)
    assert "mine.yaml" in str(err.value)


def test_oversized_profile_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD + "notes: " + "x" * (1 << 20) + "\n")
    with pytest.raises(DataError, match="limit"):
        load_profile(path)
