"""Throughput of the model over numpy arrays (issue 4)."""

from __future__ import annotations

import time


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


def main(quick: bool) -> None:
    bench_model(1_000_000 if quick else 10_000_000)
