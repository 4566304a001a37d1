"""`make bench`: figures the issues ask for, printed as a table. Not part of `make test`.

Run: .venv/bin/python bench/run.py [--quick]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def cold_start(argv: list[str], repeats: int) -> float:
    """Median wall time of a fresh process running ``argv``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_startup(repeats: int) -> None:
    typer_floor = cold_start([sys.executable, "-c", "import typer"], repeats)
    one_liner = cold_start(
        [str(BIN / "costcalc"), "estimate", "1e18", "--hardware", "tpu-v2", "--format", "json"],
        repeats,
    )
    version = cold_start([str(BIN / "costcalc"), "--version"], repeats)
    print(f"start-up: python -c 'import typer'        {typer_floor * 1000:7.1f} ms")
    print(
        f"start-up: costcalc estimate ... -f json  {one_liner * 1000:7.1f} ms  "
        f"ratio {one_liner / typer_floor:.2f} (goal <= 2.0)"
    )
    print(
        f"start-up: costcalc --version             {version * 1000:7.1f} ms  "
        f"ratio {version / typer_floor:.2f} (goal <= 1.3)"
    )


def bench_model(n: int) -> None:
    import numpy as np

    from costcalc import model

    rng = np.random.default_rng(0)
    flops = rng.uniform(1e18, 1e24, n)
    util = rng.uniform(0.2, 0.6, n)
    devices = rng.integers(1, 4096, n).astype(float)
    args = dict(peak=9.89e14, power=955.5, pue=1.1, price=0.003, carbon_intensity=1e-7)
    start = time.perf_counter()
    model.evaluate(flops, utilization=util, devices=devices, **args)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    seconds = flops / (9.89e14 * util)
    joules = seconds * 955.5 * 1.1
    _ = (seconds / devices, joules, seconds * 0.003, joules * 1e-7)
    hand = time.perf_counter() - start
    print(
        f"model: {n:,} scenarios in {ours:.3f} s = {n / ours / 1e6:.1f} M/s "
        f"(hand-written numpy {hand:.3f} s; ratio {ours / hand:.2f})"
    )


def main() -> None:
    quick = "--quick" in sys.argv
    bench_startup(5 if quick else 20)
    bench_model(1_000_000 if quick else 10_000_000)


if __name__ == "__main__":
    main()
