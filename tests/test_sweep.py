"""Sweeps: every row is the estimate of its scenario; chunking, constraints, ranking and
Pareto fronts agree with brute force; output is atomic and deterministic."""

from __future__ import annotations

import itertools
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import costcalc
from costcalc import estimate
from costcalc.errors import InputError
from costcalc.render.sweep import format_numbers
from costcalc.sweeps import collect, pareto_mask, plan, sweep
from support import script, wait_while_running

OUTPUTS = ["flops", "wall_clock_hours", "device_hours", "energy_kwh", "cost_usd", "co2e_kg"]
# every row says where its price, PUE and grid intensity come from
BASIS = ["price_provider", "price_pricing", "price_date", "pue_source", "grid_basis"]
HARDWARE = ["h100-sxm", "tpu-v5p", "a100-sxm-80gb", "tpu-v2", "mi300x"]
REGIONS = ["IS", "us-central1", "europe-north1", "world"]


def close(a: float | None, b: float) -> bool:
    if a is None:
        return math.isnan(b)
    return a == b  # bit for bit: the same model functions in the same order


@settings(max_examples=15, deadline=None)
@given(
    flops=st.lists(st.sampled_from(["1e18", "3.14e23", "1 EFLOP", "5e21"]), min_size=1, max_size=2),
    hardware=st.lists(st.sampled_from(HARDWARE), min_size=1, max_size=2, unique=True),
    devices=st.lists(st.integers(1, 4096), min_size=1, max_size=2),
    utilization=st.sampled_from([None, "20%", "0.5"]),
    region=st.sampled_from([None, *REGIONS]),
    pue=st.sampled_from([None, "1.1"]),
)
def test_every_row_equals_the_estimate_of_its_scenario(
    flops, hardware, devices, utilization, region, pue
) -> None:
    r = sweep(
        flops, hardware=hardware, devices=devices, utilization=utilization, region=region, pue=pue
    )
    scenarios = list(itertools.product(flops, hardware, devices))
    assert r.rows == len(scenarios)
    for i, (f, h, d) in enumerate(scenarios):
        e = estimate(f, hardware=h, devices=d, utilization=utilization, region=region, pue=pue)
        for name, value in e.fields().items():
            assert close(value, float(r[name][i])), (name, f, h, d)
        assert r["hardware"][i] == h and r["devices"][i] == d


def test_device_time_work_and_overrides_match_estimate() -> None:
    r = sweep(
        device_hours="100,3.3e6",
        hardware="v100-sxm2",
        power="330 W,400 W",
        price="2,3",
        carbon_intensity="429 g/kWh",
    )
    for i, (dh, pw, pr) in enumerate(
        itertools.product(["100", "3.3e6"], ["330 W", "400 W"], ["2", "3"])
    ):
        e = estimate(
            device_hours=dh, hardware="v100-sxm2", power=pw, price=pr, carbon_intensity="429 g/kWh"
        )
        for name, value in e.fields().items():
            assert close(value, float(r[name][i])), name
    inputs = ["hardware", "precision", "power", "carbon_intensity", "price"]
    assert list(r) == OUTPUTS + inputs + BASIS
    assert r["power"].tolist() == [330.0, 330.0, 400.0, 400.0] * 2


def test_ranges_lists_and_units() -> None:
    r = sweep("1e20..1e24:5log", utilization="30%..60%:4", hardware="h100-sxm")
    assert sorted(set(r["flops"].tolist())) == pytest.approx([1e20, 1e21, 1e22, 1e23, 1e24])
    assert sorted(set(r["utilization"].tolist())) == pytest.approx([0.3, 0.4, 0.5, 0.6])
    r = sweep("1e20", devices="8..4096:10log,3")
    assert r["devices"].tolist() == [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 3]


def test_zip_pairs_lists() -> None:
    r = sweep("1e20,1e21,1e22", hardware="h100-sxm,tpu-v5p,mi300x", devices="8,16,32", zip=True)
    assert r.rows == 3
    assert r["hardware"].tolist() == ["h100-sxm", "tpu-v5p", "mi300x"]
    assert r["devices"].tolist() == [8, 16, 32]
    with pytest.raises(
        InputError, match="^zip: zip pairs lists of the same length; got flops 3, devices 2"
    ):
        sweep("1e20,1e21,1e22", devices="8,16", zip=True)


def test_precisions_skip_hardware_without_them() -> None:
    r = sweep("1e22", hardware="h100-sxm,v100-sxm2", precision="bf16,fp8")
    pairs = list(zip(r["hardware"], r["precision"], strict=True))
    assert pairs == [("h100-sxm", "bf16"), ("h100-sxm", "fp8")]
    assert "skipped (no such precision): v100-sxm2 bf16, v100-sxm2 fp8" in r.notes


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"utilization": "30%..60%"}, "utilization: bad range '30%..60%'; expected lo..hi:N"),
        ({"utilization": "60%..30%:4"}, "the low end must be below the high end"),
        ({"devices": "1..8:1"}, "the number of points must be 2 to 1,000,000"),
        ({"price": "0..4:3log"}, "'0' must be greater than zero"),
        ({"hardware": "h100-smx"}, "unknown hardware 'h100-smx' (did you mean 'h100-sxm'?)"),
        ({"region": "Icelnd"}, "unknown region 'Icelnd'"),
        (
            {"devices": "1..1000:1000", "utilization": "1%..99%:1000", "max_scenarios": 10**5},
            "the sweep has 1,000,000 scenarios, more than the limit of 100,000",
        ),
        ({"where": "cost < 1"}, "unknown field 'cost'"),
        ({"sort": "costs"}, "sort: unknown field 'costs' (did you mean 'cost_usd'?)"),
        ({"pareto": "cost_usd"}, "a Pareto front needs two or more different fields"),
        ({"top": 3}, "top: top needs sort FIELD (or pareto)"),
    ],
)
def test_bad_sweeps(kwargs: dict, message: str) -> None:
    with pytest.raises(InputError) as e:
        sweep("1e20", **kwargs)
    assert message in str(e.value)


def test_no_work_and_two_works() -> None:
    with pytest.raises(InputError, match="^work: no work given"):
        sweep(hardware="h100-sxm")
    with pytest.raises(InputError, match="give the work one way"):
        sweep("1e20", device_hours="3")


GRID = dict(
    flops="1e20..1e24:7log",
    hardware="h100-sxm,tpu-v2,a100-sxm-80gb,l4",
    devices="1..1024:11log",
    region="IS,world,us-central1",
)


def _brute(where=None):
    r = sweep(**GRID)
    keep = np.ones(r.rows, dtype=bool)
    if where is not None:
        keep = where(r)
    return r, np.flatnonzero(keep)


@settings(max_examples=10, deadline=None)
@given(
    chunk=st.integers(1, 1000),
    top=st.integers(1, 40),
    descending=st.booleans(),
    field=st.sampled_from(["cost_usd", "co2e_kg", "wall_clock_hours", "devices", "hardware"]),
)
def test_top_k_and_chunking_agree_with_brute_force(chunk, top, descending, field) -> None:
    r, keep = _brute(lambda r: (r["wall_clock_hours"] <= 336) & (r["co2e_kg"] < 30_000))
    values = r[field]
    key = np.unique(values, return_inverse=True)[1] if values.dtype == object else values
    key = -key if descending else key
    expected = keep[np.lexsort((keep, key[keep]))][:top]
    inputs = {k: v for k, v in GRID.items()}
    s = plan(
        inputs | {"flops": GRID["flops"]},
        where="wall_clock_hours <= 336 and co2e_kg < 30 t",
        sort=("-" if descending else "") + field,
        top=top,
        chunk_size=chunk,
    )
    got = collect(s)
    for name in OUTPUTS:
        np.testing.assert_array_equal(got[name], r[name][expected])
    assert got["hardware"].tolist() == r["hardware"][expected].tolist()


@settings(max_examples=15, deadline=None)
@given(chunk=st.integers(1, 2000), region=st.booleans(), where=st.booleans())
def test_any_chunk_size_gives_the_rows_of_the_scenario_numbers(chunk, region, where) -> None:
    """Scans broadcast whole trailing axes (or, when they do not fit, number each
    scenario); both must give, column for column, what evaluating the numbers gives."""
    inputs = dict(GRID) if region else {k: v for k, v in GRID.items() if k != "region"}
    s = plan(inputs, where="co2e_kg < 30 t" if where else None, chunk_size=chunk)
    got = collect(s)
    index = np.concatenate([c.index for c in s.chunks()])
    direct = s.grid.chunk(np.arange(s.grid.size, dtype=np.int64))
    if where:
        direct = direct.select(direct["co2e_kg"] < 30_000)
    np.testing.assert_array_equal(index, direct.index)
    for name in s.columns:  # NaN is a missing price (l4 has none at Google Cloud)
        np.testing.assert_array_equal(got[name], direct.column(name), err_msg=name)


def _dominated(points: np.ndarray) -> np.ndarray:
    out = np.zeros(len(points), dtype=bool)
    for i, p in enumerate(points):
        out[i] = bool(np.any(np.all(points <= p, axis=1) & np.any(points < p, axis=1)))
    return out


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda m: st.lists(st.lists(st.integers(0, 6), min_size=m, max_size=m), max_size=60)
    )
)
def test_pareto_mask_is_the_brute_force_front(rows) -> None:
    points = np.array(rows, dtype=float).reshape(len(rows), -1 if rows else 2)
    assert pareto_mask(points).tolist() == (~_dominated(points)).tolist()


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 18])
def test_streamed_pareto_front_agrees_with_brute_force(chunk: int) -> None:
    r, keep = _brute()
    objectives = ["cost_usd", "wall_clock_hours", "co2e_kg"]
    pts = np.column_stack([r[o] for o in objectives])
    ok = ~np.isnan(pts).any(axis=1)
    front = set(np.flatnonzero(ok)[~_dominated(pts[ok])].tolist())
    got = collect(plan(dict(GRID), pareto=objectives, chunk_size=chunk))
    got_rows = {tuple(x) for x in np.column_stack([got[o] for o in objectives]).tolist()}
    assert got_rows == {tuple(pts[i]) for i in front}
    assert got.rows == len(front)


def test_format_numbers_is_percent_g() -> None:
    rng = np.random.default_rng(7)
    values = np.concatenate(
        [
            rng.uniform(-1e30, 1e30, 500),
            10.0 ** rng.uniform(-310, 308, 500),
            rng.integers(0, 10**6, 200).astype(float),
            [0.1, 1e-5, 1e-4, 999999999999.5, 5e-324],
        ]
    )
    m = format_numbers(values)
    got = [row[row != 0].tobytes().decode() for row in m]
    assert got == [f"{v:.12g}" for v in values]
    m = format_numbers(np.array([np.nan, np.inf, 0.0]), b"null")
    assert [row[row != 0].tobytes().decode() for row in m] == ["null", "inf", "0"]


def test_the_api_is_lazy_and_callable() -> None:
    code = (
        "import sys, costcalc; assert 'numpy' not in sys.modules; "
        "r = costcalc.sweep('1e20,1e21', devices='8,64'); print(r.rows, sorted(r)[:2]); "
        "import costcalc.sweeps as m; print(callable(costcalc.sweep), m.SweepResult.__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["4 ['co2e_kg', 'cost_usd']", "True SweepResult"]
    assert costcalc.sweep("1e20").rows == 1


def test_to_pandas() -> None:
    pd = pytest.importorskip("pandas")
    frame = sweep("1e20,1e21", devices="8,64").to_pandas()
    assert isinstance(frame, pd.DataFrame) and len(frame) == 4


# ------------------------------------------------------------------------------ CLI


def test_cli_csv_rows_match_the_api(cli) -> None:
    r = cli("sweep", "1e20,1e22", "-H", "h100-sxm,tpu-v2", "--devices", "8,64", "-f", "csv")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0] == ",".join([*OUTPUTS, "hardware", "precision", "devices", *BASIS])
    api = sweep("1e20,1e22", hardware="h100-sxm,tpu-v2", devices="8,64")
    assert len(lines) == 1 + api.rows
    for line, i in zip(lines[1:], range(api.rows), strict=True):
        cells = line.split(",")
        assert [float(c) for c in cells[:6]] == [float(f"{api[n][i]:.12g}") for n in OUTPUTS]
        devices = "{:g}".format(api["devices"][i])
        assert cells[6:9] == [api["hardware"][i], api["precision"][i], devices]
        assert cells[9:] == [str(api[n][i]) for n in BASIS]


def test_cli_jsonl_json_and_determinism(cli) -> None:
    args = ["sweep", "1e20..1e24:3log", "-H", "h100-sxm,mi300x", "--region", "IS,world"]
    a = cli(*args, "-f", "jsonl")
    assert a.code == 0
    rows = [json.loads(line) for line in a.out.splitlines()]
    assert len(rows) == 12 and rows[0]["region"] == "IS"
    assert rows[-1]["hardware"] == "mi300x" and rows[-1]["cost_usd"] is None  # no price
    doc = json.loads(cli(*args, "-f", "json").out)
    assert doc["schema"] == "costcalc/sweep/1" and doc["rows"] == rows
    assert "pue" in doc["assumptions"] and doc["notes"]
    assert cli(*args, "-f", "jsonl").out == a.out


def test_cli_where_top_pareto(cli) -> None:
    r = cli(
        "sweep",
        "3.14e23",
        "-H",
        "h100-sxm,a100-sxm-80gb,tpu-v2",
        "--devices",
        "64..4096:7log",
        "--where",
        "wall_clock_hours <= 2 weeks",
        "--sort",
        "cost_usd",
        "--top",
        "3",
        "-f",
        "csv",
    )
    assert r.code == 0, r.err
    rows = r.out.splitlines()[1:]
    assert len(rows) == 3
    costs = [float(x.split(",")[4]) for x in rows]
    assert costs == sorted(costs)
    assert all(float(x.split(",")[1]) <= 336 for x in rows)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--devices", "8..64"],
            "costcalc: error: --devices: bad range '8..64'; expected lo..hi:N",
        ),
        (["--where", "cost < 5"], "costcalc: error: --where: unknown field 'cost'"),
        (
            ["--where", "__import__('os').system('echo hi')"],
            "unexpected character '.' at column 17",
        ),
        (["--where", "cost_usd < 1e99999"], "'1e99999' is too large"),
        (["--where", "(" * 50 + "cost_usd < 1" + ")" * 50], "nested deeper than 20 levels"),
        (
            ["--devices", "1..1e6:1000", "--max-scenarios", "999"],
            "--max-scenarios: the sweep has 1,000 scenarios, more than the limit of 999",
        ),
        (
            ["-f", "parquet"]
            if __import__("importlib").util.find_spec("pyarrow") is None
            else ["--sort", "nope"],
            "costcalc: error: ",
        ),
    ],
)
def test_cli_errors_exit_2_and_write_nothing(cli, tmp_path: Path, args, message) -> None:
    target = tmp_path / "out.csv"
    r = (
        cli("sweep", "1e20", *args, "-o", str(target), "-f", "csv")
        if "-f" not in args
        else cli("sweep", "1e20", *args, "-o", str(target))
    )
    assert r.code == 2
    assert message in r.err and r.err.count("\n") == 1
    assert r.out == ""
    assert list(tmp_path.iterdir()) == []


def test_cli_spec_file(cli, tmp_path: Path) -> None:
    spec = tmp_path / "sweep.yaml"
    spec.write_text(
        "work: 1e20..1e22:3log\nhardware: [h100-sxm, tpu-v2]\ndevices: 8\nsort: -cost_usd\ntop: 2\n"
    )
    r = cli("sweep", "--spec", str(spec), "-f", "csv")
    assert r.code == 0, r.err
    assert len(r.out.splitlines()) == 3 and r.out.splitlines()[1].startswith("1e+22,")
    # flags override the spec
    r = cli("sweep", "--spec", str(spec), "--top", "1", "-f", "csv")
    assert len(r.out.splitlines()) == 2
    spec.write_text("flops: 1e20\nhardwar: h100-sxm\n")
    r = cli("sweep", "--spec", str(spec))
    assert r.code == 2 and f"{spec}:2: unknown key 'hardwar' (did you mean 'hardware'?)" in r.err


def test_cli_output_file_and_table(cli, tmp_path: Path) -> None:
    target = tmp_path / "rows.csv"
    r = cli("sweep", "1e20,1e21", "--devices", "8,64", "-f", "csv", "-o", str(target))
    assert r.code == 0 and r.out == ""
    assert target.read_text().count("\n") == 5
    assert [p.name for p in tmp_path.iterdir()] == ["rows.csv"]
    r = cli("sweep", "1e20,1e21", "--devices", "8,64")
    assert "4 of 4 rows (4 scenarios)" in r.out and "Fixed assumptions" in r.out


def test_plot_without_matplotlib_is_a_clear_error(cli, tmp_path: Path, monkeypatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else real(name)
    )
    out = str(tmp_path / "x.csv")
    r = cli("sweep", "1e20..1e24:5log", "--plot", str(tmp_path / "p.png"), "-o", out)
    assert r.code == 2 and "plotting needs matplotlib: pip install 'costcalc[plot]'" in r.err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_plot_writes_a_valid_file_atomically(cli, tmp_path: Path, suffix: str) -> None:
    pytest.importorskip("matplotlib")
    import xml.etree.ElementTree as ET

    target = tmp_path / f"p.{suffix}"
    args = ["1e20..1e24:5log", "-H", "h100-sxm,tpu-v2,tpu-v5p", "--devices", "8,64"]
    r = cli("sweep", *args, "--plot", str(target), "--plot-y", "wall_clock_hours", "-f", "csv")
    assert r.code == 0, r.err
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary left
    data = target.read_bytes()
    if suffix == "png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR"
        assert 1000 < len(data) < 300_000
    else:
        root = ET.fromstring(data)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        text = data.decode()
        for label in ("Wall-clock time (hour)", "Compute (FLOP)", "h100-sxm", "tpu-v2"):
            assert label in text, label
        assert "lowest over devices" in text


def test_plot_errors_write_nothing(cli, tmp_path: Path) -> None:
    target = tmp_path / "p.png"
    r = cli("sweep", "1e20..1e24:5log", "--plot", str(target), "--plot-y", "hardware")
    assert r.code == 2 and "cannot plot 'hardware'" in r.err
    r = cli("sweep", "1e20", "--plot", str(target))
    assert r.code == 2 and "nothing to plot against" in r.err
    r = cli("sweep", "1e20..1e24:5log", "--plot", str(tmp_path / "p.gif"))
    assert r.code == 2 and "expected a .png, .svg or .pdf file" in r.err
    assert list(tmp_path.iterdir()) == []


def test_readme_plot_command_draws_the_readme_picture(tmp_path: Path) -> None:
    """The README shows docs/sweep.png and the command that drew it; run that command."""
    pytest.importorskip("matplotlib")
    import shlex

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "![" in readme and "(docs/sweep.png)" in readme
    line = next(x for x in readme.splitlines() if x.startswith("costcalc sweep") and "--plot" in x)
    args = shlex.split(line)
    args[args.index("--plot") + 1] = str(tmp_path / "sweep.png")
    out = subprocess.run([script(), *args[1:]], capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (root / "docs" / "sweep.png").stat().st_size < 150_000


def test_subprocess_sweep() -> None:
    out = subprocess.run(
        [script(), "sweep", "1e20", "--devices", "8,64", "--format", "csv"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0 and out.stdout.count("\n") == 3


def test_killed_sweep_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "big.csv"
    args = [
        script(),
        "sweep",
        "1e18..1e25:2000log",
        "--devices",
        "1..4096:2000",
        "-f",
        "csv",
        "-o",
        str(target),
    ]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        proc = subprocess.Popen(args, stderr=subprocess.PIPE)
        deadline = time.time() + 30
        while time.time() < deadline and not any(
            p.name.startswith(".costcalc-") for p in tmp_path.iterdir()
        ):
            time.sleep(0.05)
        time.sleep(0.3)  # writing by now
        proc.send_signal(sig)
        proc.wait(timeout=30)
        assert not target.exists()
        leftovers = [p.name for p in tmp_path.iterdir()]
        assert (
            leftovers == []
            if sig == signal.SIGTERM
            else all(n.startswith(".costcalc-") for n in leftovers)
        )
    env = dict(os.environ)
    subprocess.run(
        args[:2] + ["1e20", "--devices", "1..4096:2000", "-f", "csv", "-o", str(target)],
        check=True,
        env=env,
        timeout=60,
    )
    assert target.read_text().count("\n") == 2001


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_sweep_over_an_existing_file_leaves_the_old_file(
    tmp_path: Path, sig: signal.Signals
) -> None:
    """A sweep killed while it writes over ``out.csv`` leaves the old ``out.csv`` whole;
    SIGTERM also removes the hidden temporary file (SIGKILL cannot)."""
    target = tmp_path / "out.csv"
    old = b"flops,cost_usd\n1e20,123\n"
    target.write_bytes(old)
    args = [script(), "sweep", "1e18..1e25:2000log", "--devices", "1..4096:2000"]
    proc = subprocess.Popen([*args, "-f", "csv", "--output", str(target)])
    try:
        wait_while_running(
            proc, lambda: bool(list(tmp_path.glob(".costcalc-*.tmp"))), "a temporary file", 30
        )
        proc.send_signal(sig)
    finally:
        code = proc.wait(timeout=30)
    assert code != 0, "killed mid-write, not finished"
    assert target.read_bytes() == old
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p != target)
    if sig == signal.SIGTERM:
        assert leftovers == []
    else:
        assert len(leftovers) <= 1 and all(n.startswith(".costcalc-") for n in leftovers)
