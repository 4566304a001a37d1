"""Sweep speed (issue 4): core throughput, ratio to hand-written numpy, CLI to CSV,
top-20 and Pareto over 10^8 scenarios (time and peak RSS), speed-up over a pint loop."""

from __future__ import annotations

import math
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).with_name("costcalc")
GRID_1E6 = [
    "1e20..1e24:1000log",
    "-H",
    "h100-sxm,tpu-v5p,a100-sxm-80gb,mi300x",
    "--devices",
    "8..4096:50log",
    "--region",
    "IS,us-central1,world,europe-north1,FR",
]


def core(n_flops: int) -> None:
    from costcalc.sweeps import plan

    inputs = dict(
        flops=f"1e20..1e24:{n_flops}log",
        hardware="h100-sxm,tpu-v5p,a100-sxm-80gb,mi300x",
        devices="8..4096:100log",
        utilization="30%..60%:5",
    )
    s = plan(inputs)
    n = s.grid.size
    hand = _hand_written(s.grid)
    best = {"ours": math.inf, "hand": math.inf, "cpu": math.inf}
    for _ in range(5):  # best of 5, alternating: the machine is shared
        start, cpu = time.perf_counter(), time.process_time()
        for _ in s.chunks():
            pass
        best["ours"] = min(best["ours"], time.perf_counter() - start)
        best["cpu"] = min(best["cpu"], time.process_time() - cpu)
        start = time.perf_counter()
        hand()
        best["hand"] = min(best["hand"], time.perf_counter() - start)
    t, c, h = best["ours"], best["cpu"], best["hand"]
    print(
        f"core: {n:,} scenarios evaluated in {t:.3f} s = {n / t / 1e6:.1f} M scenarios/s "
        f"({n / c / 1e6:.1f} M per CPU-second); hand-written numpy {h:.3f} s = "
        f"{n / h / 1e6:.1f} M/s; ratio {t / h:.2f}"
    )
    s = plan(inputs, sort="cost_usd", top=20)
    start = time.perf_counter()
    s.selected()
    t = time.perf_counter() - start
    print(f"core: top-20 over {n:,} in {t:.2f} s = {n / t / 1e6:.1f} M/s")


def _hand_written(grid: Any) -> Callable[[], None]:
    """The same formulas written by hand in numpy: the grid's axis values broadcast
    against each other, every output column made in full (flat, one per scenario), in
    chunks of the same size as ours."""
    import numpy as np

    from costcalc.sweeps import CHUNK

    axes = {a.name: a for a in grid.axes}
    flops = axes["flops"].params["flops"]
    hw = axes["hardware"].params
    devices = axes["devices"].params["devices"]
    util = axes["utilization"].params["utilization"]
    ci = grid.fixed["carbon_intensity"]
    # PUE comes with the hardware's site (a provider's PUE) unless given as one number
    pue = grid.fixed["pue"] if "pue" in grid.fixed else hw["pue"][None, :, None, None]
    shape = (len(flops), len(hw["peak"]), len(devices), len(util))
    per_flops = shape[1] * shape[2] * shape[3]
    step = max(1, CHUNK // per_flops)
    f4 = flops[:, None, None, None]
    peak = hw["peak"][None, :, None, None]
    power = hw["power"][None, :, None, None]
    price = hw["price"][None, :, None, None]
    d4 = devices[None, None, :, None]
    u4 = util[None, None, None, :]

    def run() -> None:
        for i in range(0, shape[0], step):
            f = f4[i : i + step]
            full = (len(f), *shape[1:])
            seconds = f / (peak * u4)
            joules = seconds * power * pue
            columns = (
                np.broadcast_to(f, full),
                seconds / d4 / 3600.0,
                seconds / 3600.0,
                joules / 3.6e6,
                seconds * price,
                joules * ci,
            )
            for column in columns:
                np.broadcast_to(column, full).ravel()

    return run


def pint_loop() -> None:
    import numpy as np

    from costcalc.sweeps import sweep
    from costcalc.units import registry

    reg = registry()
    n = 2000
    flops = np.geomspace(1e20, 1e24, n)
    start = time.perf_counter()
    for f in flops:  # the naive way: pint quantities, one scenario at a time
        q = reg.Quantity(f, "FLOP") / (reg.Quantity(989, "TFLOPS") * 0.375)
        hours = q.to("hour")
        _ = (hours * reg.Quantity(12.29, "USD/hour")).to("USD")
        _ = (q * reg.Quantity(955.5, "W") * 1.56).to("kWh")
    naive = (time.perf_counter() - start) / n
    r = sweep("1e20..1e24:1000000log", hardware="h100-sxm")
    start = time.perf_counter()
    r = sweep("1e20..1e24:1000000log", hardware="h100-sxm")
    ours = (time.perf_counter() - start) / r.rows
    print(
        f"pint loop: {1 / naive:,.0f} scenarios/s; sweep API {1 / ours:,.0f}/s; "
        f"speed-up {naive / ours:,.0f}x"
    )


def _child(args: list[str]) -> tuple[float, float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, after.ru_maxrss / 1024


def cli_csv() -> None:
    wall, cpu, _ = _child(
        [str(BIN), "sweep", *GRID_1E6, "-f", "csv", "-o", "/tmp/costcalc-bench.csv"]
    )
    with open("/tmp/costcalc-bench.csv") as f:
        rows = sum(1 for _ in f) - 1
    print(f"cli: costcalc sweep {rows:,} scenarios to CSV: {wall:.2f} s wall, {cpu:.2f} s CPU")


def big(quick: bool) -> None:
    n = "1000" if quick else "10000"
    args = [
        str(BIN),
        "sweep",
        f"1e20..1e24:{n}log",
        "-H",
        "h100-sxm,tpu-v5p,a100-sxm-80gb,mi300x",
        "--devices",
        "1..4096:50",
        "--utilization",
        "20%..60%:50",
        "-f",
        "csv",
    ]
    for extra in (["--sort", "cost_usd", "--top", "20"], ["--pareto", "cost_usd,wall_clock_hours"]):
        code = (
            "import resource, subprocess, sys, time; t = time.perf_counter(); "
            f"subprocess.run({args + extra!r}, check=True, stdout=subprocess.DEVNULL); "
            "r = resource.getrusage(resource.RUSAGE_CHILDREN); "
            "print(f'{time.perf_counter() - t:.1f} s wall, {r.ru_utime + r.ru_stime:.1f} s CPU, "
            "peak RSS {r.ru_maxrss / 1024:.0f} MiB')"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        )
        scen = int(n) * 4 * 50 * 50
        print(f"cli: {' '.join(extra)} over {scen:,} scenarios: {out.stdout.strip()}")


def main(quick: bool) -> None:
    core(100 if quick else 1000)
    pint_loop()
    cli_csv()
    big(quick)
