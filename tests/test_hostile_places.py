"""Issue 12, second hostile round: the places costcalc reads and the tools it runs.

Item 3 (a poisoned cache), 5 (odd config places), 10 (tools that print garbage or
forever), 12 (spreadsheet CSV for ``scale --fit``), 15 (long ``base:`` chains).
Tests run as root, where permissions do not stop reads: "another user" is simulated with
chown, unreadable places with files, FIFOs, dangling symlinks and paths under files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from costcalc import cache, yamlio
from costcalc.profiles import Catalog, Layer, parse_profile, shipped_dir

H100 = shipped_dir() / "h100-sxm.yaml"
OTHER_UID = 54321


def _fresh(path: Path):
    return parse_profile(yamlio.load(path.read_text(encoding="utf-8"), str(path)))


# -- item 3: the cache ------------------------------------------------------------------


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "cache"
    d.mkdir(mode=0o700)
    monkeypatch.setenv("COSTCALC_CACHE_DIR", str(d))
    return d


@pytest.fixture
def user_profile(tmp_path: Path) -> Path:
    """A user's copy of the H100 profile (user files are the ones that get cached)."""
    d = tmp_path / "mine"
    d.mkdir()
    p = d / "h100-sxm.yaml"
    shutil.copy(H100, p)
    return p


def _load(path: Path):
    return Catalog([Layer(path.parent, "directory")]).load_file(path)


def _poison(entry: Path, path: Path) -> None:
    """Rewrite ``entry`` the way an attacker would: the same, recomputed key and stamp,
    a price 10,000 times higher, the source still citing the vendor."""
    doc = json.loads(entry.read_text())
    text = re.sub(r'"([0-9.]+) USD/hour', r'"\1e4 USD/hour', json.dumps(doc["value"]))
    assert text != json.dumps(doc["value"])
    doc["value"] = json.loads(text)
    doc["key"] = cache._key("doc", [path])
    doc["stamp"] = cache._stamp("doc", [path])
    entry.write_text(json.dumps(doc))


def _entry(cache_dir: Path) -> Path:
    (entry,) = cache_dir.glob("doc-*.json")
    return entry


def test_a_user_profile_is_cached_as_its_parsed_tree(cache_dir: Path, user_profile: Path):
    assert _load(user_profile) == _load(user_profile) == _fresh(user_profile)
    entry = _entry(cache_dir)
    assert entry.stat().st_mode & 0o077 == 0  # written 0600
    assert _owned_sanity(entry)


def _owned_sanity(entry: Path) -> bool:
    return entry.stat().st_uid == os.getuid()


def test_the_poison_itself_works_when_the_entry_is_ours(cache_dir: Path, user_profile: Path):
    """The control: an entry of ours with a matching key is used (so that the tests below,
    where the same entry is refused, test the ownership checks and nothing else)."""
    good = _load(user_profile).price.value
    _poison(_entry(cache_dir), user_profile)
    assert _load(user_profile).price.value == pytest.approx(good * 10_000)


@pytest.mark.parametrize(
    "plant",
    [
        pytest.param(lambda e: os.chown(e, OTHER_UID, OTHER_UID), id="owned-by-another-user"),
        pytest.param(lambda e: os.chmod(e, 0o620), id="group-writable"),
        pytest.param(lambda e: os.chmod(e, 0o602), id="other-writable"),
        pytest.param(lambda e: os.chown(e.parent, OTHER_UID, OTHER_UID), id="dir-of-another"),
        pytest.param(lambda e: os.chmod(e.parent, 0o777), id="dir-world-writable"),
        pytest.param(lambda e: os.chmod(e.parent, 0o1777), id="dir-sticky-shared"),
    ],
)
def test_a_planted_entry_is_ignored(cache_dir: Path, user_profile: Path, plant) -> None:
    good = _fresh(user_profile)
    _load(user_profile)
    entry = _entry(cache_dir)
    _poison(entry, user_profile)
    plant(entry)
    assert _load(user_profile) == good
    assert _load(user_profile).price.value == good.price.value


def test_a_symlinked_entry_is_ignored(cache_dir: Path, user_profile: Path, tmp_path) -> None:
    good = _fresh(user_profile)
    _load(user_profile)
    entry = _entry(cache_dir)
    _poison(entry, user_profile)
    planted = tmp_path / "planted.json"
    entry.rename(planted)
    entry.symlink_to(planted)
    assert _load(user_profile) == good


def _fifo(p: Path) -> None:
    os.mkfifo(p)


BROKEN = {
    "directory": lambda p: p.mkdir(),
    "fifo": _fifo,
    "deep-json": lambda p: p.write_text("[" * 200_000 + "]" * 200_000),
    "deep-value": lambda p: p.write_text(
        json.dumps({"format": cache.FORMAT, "stamp": "", "key": "", "value": 0}).replace(
            "0}", '{"$t": ' * 900 + "[]" + "}" * 900 + "}"
        )
    ),
    "garbage": lambda p: p.write_bytes(b"\xff\xfe\x00garbage"),
    "huge": lambda p: p.write_bytes(b" " * (cache.MAX_ENTRY_BYTES + 10)),
    "dangling-symlink": lambda p: p.symlink_to(p.parent / "nowhere"),
    "empty": lambda p: p.write_bytes(b""),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_broken_entry_is_a_miss(cache_dir: Path, user_profile: Path, kind: str) -> None:
    good = _fresh(user_profile)
    _load(user_profile)
    entry = _entry(cache_dir)
    entry.unlink()
    BROKEN[kind](entry)
    if kind == "deep-value":  # a valid key, so that the nesting is really decoded
        doc = json.loads(entry.read_text())
        doc["key"], doc["stamp"] = cache._key("doc", [user_profile]), ""
        entry.write_text(json.dumps(doc))
    assert _load(user_profile) == good


def test_a_cache_dir_that_is_a_file_or_fifo_only_costs_speed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, user_profile: Path
) -> None:
    for name, make in (("file", lambda p: p.write_text("x")), ("fifo", _fifo)):
        place = tmp_path / name
        make(place)
        monkeypatch.setenv("COSTCALC_CACHE_DIR", str(place))
        assert _load(user_profile) == _fresh(user_profile)
        monkeypatch.setenv("COSTCALC_CACHE_DIR", str(place / "below"))
        assert _load(user_profile) == _fresh(user_profile)


def test_a_shared_cache_dir_is_not_written(cache_dir: Path, user_profile: Path) -> None:
    os.chmod(cache_dir, 0o777)
    _load(user_profile)
    assert not list(cache_dir.iterdir())


def test_every_shipped_file_has_a_prebuilt_tree_in_sync() -> None:
    """The package's parsed form of the shipped data equals a fresh parse, file by file
    (after editing a shipped file: python scripts/build_parsed.py)."""
    parsed = cache._PACKAGE / "data" / cache.PARSED_DIR
    expected = set()
    for group, root in cache._shipped_roots():
        for path in sorted(root.glob("*.yaml")):
            expected.add(f"{group}/{path.name}.json")
            fresh = yamlio.load(path.read_text(encoding="utf-8"), str(path))
            got = cache._prebuilt(path, f"{group}/{path.name}")
            assert got is not None, (
                f"{path}: prebuilt tree out of date: python scripts/build_parsed.py"
            )
            assert got == (fresh.data, fresh.lines), path
        for path in sorted(root.glob("*.csv")):  # their rows (tests/test_startup_data.py)
            expected.add(f"{group}/{path.name}.json")
            assert cache.shipped_rows(path) is not None, (
                f"{path}: prebuilt rows out of date: python scripts/build_parsed.py"
            )
    assert {str(p.relative_to(parsed)) for p in parsed.rglob("*.json")} == expected


def test_a_changed_shipped_file_is_parsed_not_taken_from_the_prebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_dir: Path
) -> None:
    copy = tmp_path / "shipped"
    shutil.copytree(shipped_dir(), copy)
    monkeypatch.setattr(
        cache, "_shipped_roots", lambda: [("profiles", copy), ("data", tmp_path / "none")]
    )
    path = copy / "h100-sxm.yaml"
    expected = _fresh(path)
    parsed = []
    real_load = yamlio.load
    monkeypatch.setattr(yamlio, "load", lambda *a: parsed.append(a) or real_load(*a))
    assert _load(path) == expected and not parsed  # from the prebuilt tree
    path.write_text(path.read_text().replace("989 TFLOPS", "990 TFLOPS"))
    assert _load(path).dense_peak["bf16"].value == 990e12 and len(parsed) == 1
    assert not list(cache_dir.iterdir())  # shipped files are never cached


def _price_hours(cli) -> tuple[float, float]:
    """cost_usd and device_hours of the issue's command, through the CLI."""
    r = cli("estimate", "1e18", "-H", "h100-sxm", "-f", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    return doc["cost_usd"], doc["device_hours"]


def test_the_issue_instance_is_not_poisonable(cli, cache_dir: Path) -> None:
    """The instance: whatever sits in the cache directory, the shipped H100 price applies.
    Independent check: cost = device-hours x the default rule's price, read from the
    shipped prices.csv with the csv module (newest hyperscaler rows, lower median)."""
    import csv

    import costcalc

    data = Path(costcalc.__file__).parent / "data" / "prices.csv"
    rows = list(csv.DictReader(data.read_text(encoding="utf-8").splitlines()))
    hyper = [
        r
        for r in rows
        if r["device"] == "h100-sxm"
        and r["pricing"] == "on-demand"
        and r["provider"] in ("aws", "gcp", "azure", "oracle")
    ]
    newest = max(r["date"] for r in hyper)
    prices = sorted(float(r["price"]) for r in hyper if r["date"] == newest)
    price = prices[(len(prices) - 1) // 2]  # USD per device-hour
    cost, hours = _price_hours(cli)
    assert cost == pytest.approx(hours * price, rel=1e-9)
    assert not list(cache_dir.iterdir())  # nothing of the shipped data is cached
    for i in range(3):
        planted = cache_dir / f"profile-h100-sxm.yaml-{i:016x}.json"
        planted.write_text('{"format": 2, "value": {"price": "1e9 USD/hour"}}')
    assert _price_hours(cli) == (cost, hours)


# -- item 15: base chains ---------------------------------------------------------------


def _chain(d: Path, n: int, first_base: str = "h100-sxm") -> None:
    d.mkdir(exist_ok=True)
    for i in range(n):
        base = f"c{i - 1}" if i else first_base
        (d / f"c{i}.yaml").write_text(f"schema_version: 1\nname: c{i}\nbase: {base}\n")


def test_a_chain_of_1000_bases_is_one_clear_error(cli, tmp_path: Path) -> None:
    d = tmp_path / "p"
    _chain(d, 1000)
    env = {"COSTCALC_PROFILES_PATH": str(d)}
    r = cli("profiles", "validate", str(d / "c999.yaml"), env=env)
    assert r.exit_code == 2 and "a chain of more than 32 profiles" in r.output
    r = cli("profiles", "list", env=env)  # user profiles that fail are skipped, with a warning
    assert r.exit_code == 0 and "c0 " in r.stdout and "Traceback" not in r.output
    for argv in (["estimate", "1e18", "-H", "c999"], ["profiles", "show", "c999"]):
        r = cli(*argv, env=env)
        assert r.exit_code == 2, (argv, r.output)
        assert "Traceback" not in r.output
        line = r.stderr.strip().splitlines()[-1]  # after warnings about the other profiles
        assert line.startswith(f"costcalc: error: {d / 'c999.yaml'}:3: base: a chain of more")
        assert "c999 -> c998 -> c997 -> ... ->" in line


def test_a_chain_at_the_limit_inherits_everything(tmp_path: Path) -> None:
    from costcalc.profiles import MAX_BASE_DEPTH

    d = tmp_path / "p"
    _chain(d, MAX_BASE_DEPTH)
    catalog = Catalog([Layer(shipped_dir(), "shipped"), Layer(d, "dir")])
    top = catalog.get(f"c{MAX_BASE_DEPTH - 1}")
    h100 = _fresh(H100)
    assert top.dense_peak == h100.dense_peak and top.price == h100.price
    assert "price" in top.inherited
    _chain(d, MAX_BASE_DEPTH + 2)
    with pytest.raises(Exception, match="a chain of more than"):
        Catalog([Layer(shipped_dir(), "shipped"), Layer(d, "dir")]).get(f"c{MAX_BASE_DEPTH + 1}")


@pytest.mark.parametrize(
    ("bases", "cycle"),
    [
        ({"a": "b", "b": "a"}, "a -> b -> a"),
        ({"a": "b", "b": "c", "c": "a"}, "a -> b -> c -> a"),
        ({"a": "b", "b": "c", "c": "b"}, "a -> b -> c -> b"),
    ],
)
def test_a_cycle_is_named(cli, tmp_path: Path, bases: dict[str, str], cycle: str) -> None:
    for name, base in bases.items():
        (tmp_path / f"{name}.yaml").write_text(f"schema_version: 1\nname: {name}\nbase: {base}\n")
    r = cli("estimate", "1e18", "-H", "a", env={"COSTCALC_PROFILES_PATH": str(tmp_path)})
    assert r.exit_code == 2, r.output
    (line,) = r.stderr.strip().splitlines()
    assert f"base: inheritance cycle {cycle}" in line


def test_many_inheriting_profiles_load_with_each_base_validated_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Linear work: 300 profiles in chains of 10 validate 300 merged documents plus the
    shipped ones, not one per step of every chain (timing: bench/bench_inherit.py)."""
    import costcalc.profiles.catalog as profiles  # where the catalog calls parse_profile

    d = tmp_path / "p"
    d.mkdir()
    for i in range(300):
        base = f"x{i - 1}" if i % 10 else "h100-sxm"
        (d / f"x{i}.yaml").write_text(f"schema_version: 1\nname: x{i}\nbase: {base}\n")
    shipped = len(Catalog().all())
    calls = []
    real = profiles.parse_profile
    monkeypatch.setattr(profiles, "parse_profile", lambda doc: calls.append(1) or real(doc))
    catalog = Catalog([Layer(shipped_dir(), "shipped"), Layer(d, "dir")])
    files = len(list(shipped_dir().glob("*.yaml")))
    assert len(catalog.entries()) == shipped + 300
    assert len(calls) == files + 300
    assert catalog.get("x299").price == _fresh(H100).price


# -- item 5: odd config places ----------------------------------------------------------

COMMANDS = [
    ["estimate", "1e18", "-H", "h100-sxm", "--value", "cost_usd"],
    ["sweep", "1e18", "--hardware", "h100-sxm,a100-sxm-80gb", "-f", "csv"],
    ["budget", "10 USD", "-H", "h100-sxm"],
    ["profiles", "list", "-f", "json"],
    ["config", "show"],
    ["estimate", "1e18", "-H", "local", "-f", "json"],
]


def _odd_place(tmp_path: Path, kind: str) -> str:
    regular = tmp_path / "regular"
    regular.write_text("not a directory\n")
    if kind == "fifo":
        os.mkfifo(tmp_path / "fifo")
    if kind == "dangling":
        (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    if kind == "loop":
        (tmp_path / "loop").symlink_to(tmp_path / "loop")
    return {
        "no-such-user": "~nosuchuser-costcalc",
        "no-such-user-below": "~nosuchuser-costcalc/config",
        "a-file": str(regular),
        "under-a-file": str(regular / "config"),
        "fifo": str(tmp_path / "fifo"),
        "dangling": str(tmp_path / "dangling"),
        "loop": str(tmp_path / "loop"),
    }[kind]


PLACES = [
    "no-such-user",
    "no-such-user-below",
    "a-file",
    "under-a-file",
    "fifo",
    "dangling",
    "loop",
]


def _clean(r) -> list[str]:
    """The result's stderr lines; each must be a one-line warning."""
    assert "Traceback" not in r.output
    lines = r.stderr.strip().splitlines()
    assert all(line.startswith("costcalc: warning: ") for line in lines), lines
    return lines


@pytest.mark.parametrize("kind", PLACES)
@pytest.mark.parametrize("var", ["COSTCALC_CONFIG_DIR", "COSTCALC_PROFILES_PATH"])
def test_an_odd_config_place_does_not_stop_commands(cli, tmp_path, kind, var) -> None:
    place = _odd_place(tmp_path, kind)
    for argv in COMMANDS:
        r = cli(*argv, env={var: place, "PATH": str(tmp_path / "no-tools")})
        assert r.exit_code == 0, (argv, r.output)
        _clean(r)


@pytest.mark.parametrize("kind", ["a-file", "under-a-file", "dangling", "fifo"])
@pytest.mark.parametrize("var", ["HOME", "XDG_CONFIG_HOME"])
def test_an_odd_home_does_not_stop_commands(cli, tmp_path, monkeypatch, kind, var) -> None:
    monkeypatch.delenv("COSTCALC_CONFIG_DIR")
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv(var, _odd_place(tmp_path, kind))
    for argv in COMMANDS[:3]:
        r = cli(*argv)
        assert r.exit_code == 0, (argv, r.output)
        _clean(r)


def test_an_unreadable_config_dir_is_skipped_with_a_warning(cli, tmp_path, monkeypatch) -> None:
    """Permission denied (sudo, docker --user), simulated: tests run as root."""
    locked = tmp_path / "locked"
    real_stat = Path.stat

    def stat(self: Path, *a, **k):
        if str(self).startswith(str(locked)):
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *a, **k)

    monkeypatch.setattr(Path, "stat", stat)
    monkeypatch.setenv("COSTCALC_CONFIG_DIR", str(locked / "config"))
    r = cli("estimate", "1e18", "-H", "h100-sxm", "--value", "cost_usd")
    assert r.exit_code == 0, r.output
    lines = _clean(r)
    assert lines and all("Permission denied" in line and "skipped" in line for line in lines)
    assert float(r.stdout) == pytest.approx(_price_hours(cli)[0])


def _costcalc() -> str:
    exe = Path(sys.executable).with_name("costcalc")
    assert exe.exists()
    return str(exe)


def _in_deleted_cwd(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """``costcalc argv`` run from a working directory that was deleted after ``cd``."""
    script = 'mkdir gone && cd gone && rmdir ../gone && exec "$@"'
    return subprocess.run(
        ["sh", "-c", script, "sh", _costcalc(), *argv],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PATH": str(tmp_path / "no-tools") + os.pathsep + "/usr/bin:/bin"},
    )


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: "-".join(a[:2]))
def test_a_deleted_working_directory_does_not_stop_commands(tmp_path, argv) -> None:
    r = _in_deleted_cwd(tmp_path, *argv)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert all(line.startswith("costcalc: warning: ") for line in lines), lines
    if argv[0] != "profiles":  # the commands that read the project file say it was skipped
        assert any("current directory" in line for line in lines), lines


@pytest.mark.parametrize(
    "argv", [["check"], ["check", "--init"], ["calibrate", "--seconds", "1", "-o", "x.yaml"]]
)
def test_a_deleted_working_directory_is_one_line_where_it_matters(tmp_path, argv) -> None:
    r = _in_deleted_cwd(tmp_path, *argv)
    assert r.returncode == 2, r.stderr
    line = r.stderr.strip().splitlines()[-1]
    assert line.startswith("costcalc: error: ") and "Traceback" not in r.stderr


# -- item 10: the tools costcalc runs, and where calibrate writes -----------------------


def _fake_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    tool = bin_dir / "nvidia-smi"
    tool.write_text("#!/bin/sh\n" + body + "\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin:/bin")


def test_a_tool_printing_invalid_utf8_is_decoded_leniently(tmp_path, monkeypatch, cli) -> None:
    from costcalc import detect

    _fake_smi(
        tmp_path, monkeypatch, r"printf 'NVIDIA H100 80GB HBM3\377, 81559 MiB, 700.00 W\n\376'"
    )
    found = detect.detect()
    (gpu,) = found.gpus
    assert gpu.name == "NVIDIA H100 80GB HBM3\ufffd"
    assert gpu.memory is not None and gpu.memory.value == 81559 * 2**20
    r = cli("estimate", "1e18", "-H", "local", "-f", "json", "--price", "2 USD/hour")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["hardware"] == "h100-sxm"


def test_a_tool_printing_forever_is_stopped(tmp_path, monkeypatch) -> None:
    """`yes` prints without end; what is read is capped, and the tool is killed."""
    from costcalc import detect

    _fake_smi(tmp_path, monkeypatch, 'exec yes "NVIDIA H100 80GB HBM3, 81559 MiB, 700.00 W"')
    remarks: list[str] = []
    assert detect.run_tool(["nvidia-smi"], remarks) is None
    assert remarks == [f"nvidia-smi printed more than {detect.MAX_TOOL_OUTPUT} bytes; ignored"]


def test_a_tool_printing_forever_on_stderr_is_stopped(tmp_path, monkeypatch) -> None:
    from costcalc import detect

    _fake_smi(tmp_path, monkeypatch, "yes error >&2")
    remarks: list[str] = []
    assert detect.run_tool(["nvidia-smi"], remarks) is None
    assert "printed more than" in remarks[0]


def test_hardware_local_with_an_endless_tool_is_a_real_process_that_finishes(tmp_path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "nvidia-smi").write_text('#!/bin/sh\nexec yes "NVIDIA H100, 81559 MiB, 700 W"\n')
    (bin_dir / "nvidia-smi").chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin"}
    r = subprocess.run(
        [_costcalc(), "estimate", "1e18", "-H", "local", "-f", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["hardware"] == "cpu-server"


@pytest.fixture
def no_measuring(monkeypatch: pytest.MonkeyPatch) -> None:
    """A measurement fails the test: where the result goes is checked first."""
    from costcalc import calibrate

    def measured(*a, **k):
        raise AssertionError("measured before checking where the profile goes")

    monkeypatch.setattr(calibrate, "measure_numpy", measured)
    monkeypatch.setattr(calibrate, "measure_torch", measured)


@pytest.mark.parametrize("kind", ["under-a-file", "no-such-user-below", "a-file", "fifo"])
def test_calibrate_checks_where_it_writes_before_measuring(
    cli, tmp_path, monkeypatch, no_measuring, kind
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    place = _odd_place(tmp_path, kind)
    r = cli("calibrate", "--seconds", "1", env={"COSTCALC_CONFIG_DIR": place})
    assert r.exit_code == 2, r.output
    (line,) = r.stderr.strip().splitlines()[-1:]
    assert line.startswith("costcalc: error: COSTCALC_CONFIG_DIR: ")
    r = cli("calibrate", "--seconds", "1", "-o", str(Path(place) / "mine.yaml"))
    assert r.exit_code == 2, r.output
    assert r.stderr.strip().splitlines()[-1].startswith("costcalc: error: --output: ")


@pytest.mark.parametrize("kind", ["under-a-file", "no-such-user-below", "a-file"])
def test_profiles_new_in_an_odd_place_is_one_line(cli, tmp_path, kind) -> None:
    place = _odd_place(tmp_path, kind)
    r = cli("profiles", "new", "mine", env={"COSTCALC_CONFIG_DIR": place})
    assert r.exit_code == 2, r.output
    assert r.stderr.strip().splitlines()[-1].startswith("costcalc: error: ")
    r = cli("profiles", "new", "mine", "--dir", str(Path(place) / "p"))
    assert r.exit_code == 2, r.output
    assert r.stderr.strip().splitlines()[-1].startswith("costcalc: error: ")


# -- item 12: scale --fit reads what spreadsheets write ----------------------------------

POINTS = [(1e18, 0.5), (1e19, 0.3), (1e20, 0.2)]


def _expected_flops(target: float) -> float:
    """The compute for ``target`` from a least-squares line through the log-log points,
    worked out here by hand (closed form), independently of costcalc's numpy fit."""
    import math

    xs = [math.log10(c) for c, _ in POINTS]
    ys = [math.log10(e) for _, e in POINTS]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    return 10 ** (mx + (math.log10(target) - my) / slope)


def _rows(sep: str, decimal: str = ".", quote: bool = False, head=("compute", "error")) -> list:
    def cell(text: str) -> str:
        return f'"{text}"' if quote else text

    lines = [sep.join(cell(h) for h in head)]
    for c, e in POINTS:
        lines.append(sep.join([cell(f"{c:g}"), cell(f"{e:g}".replace(".", decimal))]))
    return lines


DIALECTS = {
    "comma": ("\n".join(_rows(",")) + "\n").encode(),
    "excel-bom-crlf": ("\ufeff" + "\r\n".join(_rows(",")) + "\r\n").encode(),
    "semicolon-decimal-comma": ("\n".join(_rows(";", ",")) + "\n").encode(),
    "semicolon-decimal-point": ("\n".join(_rows(";")) + "\n").encode(),
    "tab": ("\n".join(_rows("\t")) + "\n").encode(),
    "tab-decimal-comma-crlf": ("\r\n".join(_rows("\t", ",")) + "\r\n").encode(),
    "quoted": ("\n".join(_rows(",", quote=True)) + "\n").encode(),
    "quoted-semicolon-decimal-comma-bom": (
        "\ufeff" + "\r\n".join(_rows(";", ",", quote=True)) + "\r\n"
    ).encode(),
    "header-case-spaces-loss": ("\n".join(_rows(", ", head=(" Compute", "LOSS "))) + "\n").encode(),
    "blank-lines-and-extra-column": (
        b"\n\ncompute,error,note\n1e18,0.5,a\n\n1e19,0.3,\n1e20,0.2,c\n\n"
    ),
    "cr-only-line-ends": ("\r".join(_rows(",")) + "\r").encode(),
}


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_scale_fit_reads_spreadsheet_csv(cli, tmp_path: Path, dialect: str) -> None:
    points = tmp_path / "points.csv"
    points.write_bytes(DIALECTS[dialect])
    r = cli("scale", "--fit", str(points), "--target", "0.1", "-f", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["result"]["flops"] == pytest.approx(_expected_flops(0.1), rel=1e-9)


HOSTILE_POINTS = sorted((Path(__file__).parent / "corpus" / "points").iterdir())


@pytest.mark.parametrize("path", HOSTILE_POINTS, ids=lambda p: p.name)
def test_hostile_points_files_are_one_line(cli, path: Path) -> None:
    r = cli("scale", "--fit", str(path), "--target", "0.1")
    assert r.exit_code == 2, r.output
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith("costcalc: error: ")


def test_an_oversized_csv_field_is_one_line_with_its_line(cli, tmp_path: Path) -> None:
    points = tmp_path / "points.csv"
    points.write_text('compute,error\n1e18,0.5\n"' + "1" * 200_000 + '",0.3\n')
    r = cli("scale", "--fit", str(points), "--target", "0.1")
    assert r.exit_code == 2, r.output
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith(f"costcalc: error: {points}:3: ")


@pytest.mark.parametrize("target", ["1e-300", "5e-324", "1e-200", "1e300", "0.99999", "1e308"])
def test_extreme_targets_are_one_line(cli, tmp_path: Path, target: str) -> None:
    points = tmp_path / "points.csv"
    points.write_bytes(DIALECTS["comma"])
    r = cli("scale", "--fit", str(points), f"--target={target}", "-f", "json")
    if r.exit_code == 0:  # a target the law reaches with a sane amount of compute
        assert json.loads(r.stdout)["result"]["flops"] == pytest.approx(
            _expected_flops(float(target))
        )
        return
    assert r.exit_code == 2, r.output
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith("costcalc: error: --target: ")


@pytest.mark.parametrize("place", ["~nosuchuser-costcalc/cache", "relative/cache", "."])
def test_an_odd_cache_place_turns_the_cache_off(cli, tmp_path, monkeypatch, place) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COSTCALC_CACHE_DIR", place)
    assert cache.cache_dir() is None
    mine = tmp_path / "mine"
    mine.mkdir()
    shutil.copy(H100, mine / "mine.yaml")
    text = (mine / "mine.yaml").read_text().replace("name: h100-sxm", "name: mine")
    (mine / "mine.yaml").write_text(text)
    r = cli(
        "estimate",
        "1e18",
        "-H",
        "mine",
        "--value",
        "cost_usd",
        env={"COSTCALC_PROFILES_PATH": str(mine)},
    )
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]  # nothing written here


def test_an_entry_of_ours_that_fails_validation_is_a_miss(cache_dir, user_profile) -> None:
    """Stored trees are validated like a fresh parse; one that fails (an entry tampered
    with, by whatever means) is parsed again from the file instead of failing."""
    good = _fresh(user_profile)
    _load(user_profile)
    entry = _entry(cache_dir)
    doc = json.loads(entry.read_text())
    text = re.sub(r'"[0-9.]+ TFLOPS', '"-inf TFLOPS', json.dumps(doc["value"]))
    assert text != json.dumps(doc["value"])
    doc["value"] = json.loads(text)
    entry.write_text(json.dumps(doc))
    assert _load(user_profile) == good
