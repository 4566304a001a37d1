"""Workloads (issue 6): 6ND and memory floor over arrays; start-up of a run-name estimate."""

from __future__ import annotations

import subprocess
import sys
import time


def main(quick: bool) -> None:
    import numpy as np

    from costcalc import workloads

    n = 1_000_000 if quick else 10_000_000
    rng = np.random.default_rng(0)
    params, tokens = rng.uniform(1e8, 1e12, n), rng.uniform(1e9, 1e13, n)
    start = time.perf_counter()
    flops = workloads.training_flops(params, tokens)
    workloads.memory_floor(params, 16.0, 8e10 * 8)
    workloads.compute_optimal(flops)
    took = time.perf_counter() - start
    print(f"workloads: {n:,} models (6ND, memory floor, compute-optimal) in {took:.3f} s")
    code = (
        "import sys; from costcalc.cli import app; from typer.testing import CliRunner; "
        "CliRunner().invoke(app, ['estimate', 'gpt-3', '-f', 'json']); "
        "print(','.join(m for m in ('numpy', 'pint') if m in sys.modules) or 'none')"
    )
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    took = time.perf_counter() - start
    print(
        f"estimate gpt-3 -f json: {took:.2f} s in a fresh process; "
        f"heavy imports: {out.stdout.strip()}"
    )
