"""Start-up stays fast: the one-liner imports only what it needs (issue 8).

Timing is measured by `make bench` (bench/bench_startup.py), never here; what a test can
check reliably is *what* gets imported, so that no later change silently makes every
call slower. Each check runs in a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ONE_LINER = ["estimate", "1e18", "--hardware", "tpu-v2", "--format", "json"]
# Heavy modules the one-liner must not need: numpy and pint (the unit table answers),
# rich (JSON needs no terminal), pydantic (typer 0.29 coerces every parameter through it:
# this is the loud failure of `make test-newest` that keeps typer's bound in pyproject.toml),
# and yaml once the parsed profiles and defaults are cached; platformdirs (the user config
# and cache directories follow its rule on Linux without importing it: ~3 ms).
NOT_ON_THE_HOT_PATH = ["numpy", "pint", "rich", "pydantic"]
if sys.platform.startswith("linux"):
    NOT_ON_THE_HOT_PATH.append("platformdirs")

PROBE = """
import contextlib, io, json, sys
sys.argv = ["costcalc", *json.loads(sys.argv[1])]
out = io.StringIO()
from costcalc.__main__ import main
with contextlib.redirect_stdout(out):
    try:
        main()
    except SystemExit as e:
        assert e.code in (0, None), e.code
print(json.dumps({"out": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def _run_probe(argv: list[str], cache: Path) -> tuple[str, set[str]]:
    """The output of ``costcalc argv`` in a fresh interpreter, and every module it imported."""
    env = {**os.environ, "COSTCALC_CACHE_DIR": str(cache)}
    env.pop("COSTCALC_NO_CACHE", None)
    r = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    return doc["out"], set(doc["modules"])


def _probe(argv: list[str], cache: Path) -> tuple[str, set[str]]:
    """The output, and the top-level packages imported."""
    out, modules = _run_probe(argv, cache)
    return out, {m.split(".")[0] for m in modules}


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("startup-cache")


def test_one_liner_with_a_cold_cache_needs_no_heavy_modules(cache: Path) -> None:
    out, modules = _probe(ONE_LINER, cache)
    assert json.loads(out)["hardware"] == "tpu-v2"
    heavy = modules & {*NOT_ON_THE_HOT_PATH, "yaml", "hashlib"}
    assert not heavy, heavy  # shipped data comes parsed in the package (issue 12)
    assert not list(cache.glob("*.json")), "shipped data is never cached in a writable place"


def test_one_liner_with_a_warm_cache_does_not_parse_yaml(cache: Path) -> None:
    _probe(ONE_LINER, cache)
    out, modules = _probe(ONE_LINER, cache)
    assert json.loads(out)["schema"] == "costcalc/estimate/1"
    heavy = modules & {*NOT_ON_THE_HOT_PATH, "yaml", "hashlib"}
    assert not heavy, heavy


# Core modules the one-liner does not need (sweeps, plans, money options, shapes, checks of
# plausibility, ...): imported inside the functions that need them, so they stay off it.
NOT_ON_THE_ONE_LINER = [
    "costcalc.atomic",
    "costcalc.budget",
    "costcalc.calibrate",
    "costcalc.cpu_power",
    "costcalc.detect",
    "costcalc.gitref",
    "costcalc.inverse",
    "costcalc.money",
    "costcalc.plausibility",
    "costcalc.plot",
    "costcalc.profiles.listing",  # the profiles commands' jobs (costcalc.profiles loads them)
    "costcalc.profiles.manage",
    "costcalc.public_estimates",
    "costcalc.runs",
    "costcalc.scaling",
    "costcalc.shapes",
    "costcalc.sweep_shape",
    "costcalc.sweeps",
    "costcalc.workload_shape",
    "csv",  # the shipped tables come read at build time (data/parsed); CSV output imports it
]

ONE_LINERS = [
    ["estimate", "1e18", "--hardware", "tpu-v2"],
    ONE_LINER,
    ["estimate", "1e18", "--hardware", "tpu-v2", "--value", "cost_usd"],
]


def _modules(argv: list[str], cache: Path) -> set[str]:
    return _run_probe(argv, cache)[1]


@pytest.mark.parametrize("argv", ONE_LINERS, ids=["table", "json", "value"])
def test_one_liner_leaves_the_other_jobs_modules_alone(cache: Path, argv: list[str]) -> None:
    modules = _modules(argv, cache)
    assert "costcalc.outlook" in modules  # the probe does see costcalc's own modules
    loaded = [m for m in NOT_ON_THE_ONE_LINER if m in modules]
    assert not loaded, loaded
    heavy = {m.split(".")[0] for m in modules} & {*NOT_ON_THE_HOT_PATH, "yaml", "hashlib"}
    assert not heavy, heavy


def test_version_does_not_import_the_cli_framework(cache: Path) -> None:
    from costcalc import __version__

    out, modules = _probe(["--version"], cache)
    assert out == f"costcalc {__version__}\n"
    assert not modules & {"typer", "costcalc.cli", *NOT_ON_THE_HOT_PATH}


def test_importing_costcalc_is_cheap_and_the_api_still_works() -> None:
    code = (
        "import sys, costcalc; assert 'costcalc.estimator' not in sys.modules; "
        "e = costcalc.estimate('1e18'); assert e.hardware.name == 'tpu-v2'; "
        "assert callable(costcalc.parse_quantity) and 'estimate' in dir(costcalc)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def test_unknown_attribute_is_an_attribute_error() -> None:
    import costcalc

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        costcalc.nope  # noqa: B018


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux rule")
@pytest.mark.parametrize("xdg", [None, "", "/tmp/xdg-config", "relative", " /tmp/padded"])
@pytest.mark.parametrize("home", ["/root", "/", "relative", None])
def test_config_dir_without_platformdirs_is_platformdirs_rule(
    monkeypatch: pytest.MonkeyPatch, xdg: str | None, home: str | None
) -> None:
    """costcalc's Linux rule is platformdirs' (and the XDG Base Directory spec's): a
    relative XDG_CONFIG_HOME (or HOME) is invalid and ignored. platformdirs follows the spec
    there since 4.11.8; older releases (down to the floor, 4.2.2) used the relative path,
    so for those the check is that a relative value changes nothing."""
    from platformdirs import user_config_dir

    from costcalc import paths

    monkeypatch.delenv("COSTCALC_CONFIG_DIR", raising=False)
    for var, value in (("XDG_CONFIG_HOME", xdg), ("HOME", home)):
        if value is None:
            monkeypatch.delenv(var, raising=False)
        else:
            monkeypatch.setenv(var, value)
    invalid = {
        var: value
        for var, value in (("XDG_CONFIG_HOME", xdg), ("HOME", home))
        if value and not os.path.isabs(value)
    }
    if invalid:  # a relative XDG_CONFIG_HOME or HOME: the same as not set
        for var in invalid:
            monkeypatch.delenv(var)
        unset = paths.config_dir()
        for var, value in invalid.items():
            monkeypatch.setenv(var, value)
        assert paths.config_dir() == unset
    else:
        assert paths.config_dir() == Path(user_config_dir("costcalc", appauthor=False))
