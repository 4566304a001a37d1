"""Throughput of the model over numpy arrays, and its ratio to hand-written numpy (issue 4).

Both are warmed up and timed best-of-5, alternating: the first call into fresh memory
pays for page faults (the old bench timed ours cold and the hand version warm, hence
its bad ratio)."""

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

    def ours() -> object:
        return model.evaluate(flops, utilization=util, devices=devices, **args)

    def hand() -> object:
        seconds = flops / (9.89e14 * util)
        joules = seconds * 955.5 * 1.1
        return (seconds / devices, joules, seconds * 0.003, joules * 1e-7)

    best = {"ours": float("inf"), "hand": float("inf")}
    for _ in range(5):
        for name, fn in (("ours", ours), ("hand", hand)):
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    t, h = best["ours"], best["hand"]
    print(
        f"model: {n:,} scenarios in {t:.3f} s = {n / t / 1e6:.1f} M/s "
        f"(hand-written numpy {h:.3f} s; ratio {t / h:.2f})"
    )


def main(quick: bool) -> None:
    bench_model(1_000_000 if quick else 10_000_000)
