"""The cache of parsed data files: same answers as parsing, never stale, never fatal."""

from __future__ import annotations

import functools
import json
import os
import shutil
from pathlib import Path

import pytest

from costcalc import cache, runs, tables, yamlio
from costcalc.errors import DataError
from costcalc.profiles import Profile, Sourced, load_profile, parse_profile, shipped_dir

TPU = shipped_dir() / "tpu-v2.yaml"


def _read_profile(path: Path) -> Profile:
    """A profile parsed straight from its file, bypassing the cache."""
    return parse_profile(yamlio.load(yamlio.read_text(Path(path), "profile"), str(path)))


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("COSTCALC_CACHE_DIR", str(d))
    return d


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    p = tmp_path / "tpu-v2.yaml"
    shutil.copy(TPU, p)
    return p


class Counting:
    def __init__(self, path: Path) -> None:
        self.path, self.calls = path, 0

    def __call__(self) -> Profile:
        self.calls += 1
        return _read_profile(self.path)


def _memo(path: Path, build: Counting) -> Profile:
    return cache.memo("profile", [path], build, (Profile, Sourced))


def test_cached_profile_equals_the_parsed_one(cache_dir: Path, profile: Path) -> None:
    build = Counting(profile)
    first, second = _memo(profile, build), _memo(profile, build)
    assert first == second == _read_profile(profile)
    assert build.calls == 1
    assert len(list(cache_dir.glob("profile-*.json"))) == 1


@pytest.mark.parametrize(
    "loader",
    [
        tables.regions,
        tables.pue_values,
        *[
            functools.partial(tables.data_yaml, name)
            for name in ("defaults.yaml", "workloads.yaml", "outlook.yaml")
        ],
        runs.catalog,
    ],
)
def test_shipped_tables_are_never_cached(cache_dir: Path, loader) -> None:
    """Shipped data comes from the package (prebuilt trees), never from a writable cache
    (issue 12: an entry planted by another user changed a shipped price)."""
    clear = getattr(loader, "cache_clear", None) or loader.func.cache_clear
    clear()
    try:
        assert loader() and loader()
    finally:
        clear()
    assert not cache_dir.exists() or not list(cache_dir.iterdir())


def test_a_changed_file_is_parsed_again(cache_dir: Path, profile: Path) -> None:
    build = Counting(profile)
    assert _memo(profile, build).dense_peak["bf16"].value == 180e12
    text = profile.read_text().replace("180 TFLOPS", "190 TFLOPS")
    profile.write_text(text)
    os.utime(profile, ns=(1, 1))  # even with an old modification time
    assert _memo(profile, build).dense_peak["bf16"].value == 190e12
    assert build.calls == 2


def test_a_touched_but_unchanged_file_is_not_parsed_again(cache_dir: Path, profile: Path) -> None:
    build = Counting(profile)
    _memo(profile, build)
    os.utime(profile, ns=(10**18, 10**18))
    assert _memo(profile, build) == _read_profile(profile)
    assert build.calls == 1


CORRUPT = [
    b"",
    b"\x00\xff\xfe garbage",
    b"[]",
    b'{"format": 999}',
    b"{not json",
    b'{"format": 1, "stamp": "x", "key": "y", "value": null}',
]


@pytest.mark.parametrize("junk", CORRUPT)
def test_a_corrupt_entry_is_rebuilt(cache_dir: Path, profile: Path, junk: bytes) -> None:
    build = Counting(profile)
    _memo(profile, build)
    (entry,) = cache_dir.glob("profile-*.json")
    entry.write_bytes(junk)
    assert _memo(profile, build) == _read_profile(profile)
    assert build.calls == 2
    json.loads(entry.read_bytes())  # and rewritten whole


@pytest.mark.parametrize(
    "tamper",
    [
        lambda v: {"$c": "os.system", "a": ["true"]},
        lambda v: {"$c": v["$c"], "a": v["a"][:-1]},
        lambda v: {"$c": v["$c"], "a": "nope"},
        lambda v: {"$m": [[["unhashable"], 1]]},
        lambda v: {"$date": "not a date"},
        lambda v: {"$x": 1, "$y": 2, "$z": 3},
    ],
)
def test_a_tampered_entry_is_rebuilt(cache_dir: Path, profile: Path, tamper) -> None:
    build = Counting(profile)
    _memo(profile, build)
    (entry,) = cache_dir.glob("profile-*.json")
    doc = json.loads(entry.read_text())
    doc["value"] = tamper(doc["value"])
    entry.write_text(json.dumps(doc))
    assert _memo(profile, build) == _read_profile(profile)
    assert build.calls == 2


def test_errors_are_not_cached(cache_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    for _ in range(2):
        with pytest.raises(DataError, match="invalid YAML"):
            load_profile(bad)
    assert not list(cache_dir.glob("*.json"))


def test_an_unwritable_cache_only_costs_speed(tmp_path: Path, monkeypatch, profile: Path) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("")
    monkeypatch.setenv("COSTCALC_CACHE_DIR", str(blocker / "cache"))
    build = Counting(profile)
    assert _memo(profile, build) == _memo(profile, build)
    assert build.calls == 2


def test_the_cache_can_be_turned_off(cache_dir: Path, monkeypatch, profile: Path) -> None:
    monkeypatch.setenv("COSTCALC_NO_CACHE", "1")
    assert cache.cache_dir() is None
    build = Counting(profile)
    _memo(profile, build)
    _memo(profile, build)
    assert build.calls == 2 and not cache_dir.exists()


@pytest.mark.parametrize("xdg", [None, "/tmp/xdg-cache", ""])
def test_default_location_is_the_user_cache_dir(monkeypatch, xdg: str | None) -> None:
    from platformdirs import user_cache_dir

    monkeypatch.delenv("COSTCALC_CACHE_DIR")
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    assert cache.cache_dir() == Path(user_cache_dir("costcalc", appauthor=False))


def test_deleting_the_cache_is_safe(cache_dir: Path, profile: Path) -> None:
    build = Counting(profile)
    _memo(profile, build)
    shutil.rmtree(cache_dir)
    assert _memo(profile, build) == _read_profile(profile)


def test_values_json_cannot_hold_are_not_cached(cache_dir: Path, profile: Path) -> None:
    calls = []

    def build() -> object:
        calls.append(1)
        return {1: object()}

    cache.memo("odd", [profile], build)
    cache.memo("odd", [profile], build)
    assert len(calls) == 2
