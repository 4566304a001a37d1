"""What `costcalc calibrate` measures here: numpy matmul throughput per precision (issue 9).

Prints each precision's median, range and spread, and the size chosen, for one budget.
"""

from __future__ import annotations

import os

from costcalc import calibrate


def main(quick: bool) -> None:
    seconds = 3.0 if quick else 10.0
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"calibrate: numpy on the CPU, {seconds:g} s budget, OPENBLAS_NUM_THREADS={threads}")
    for m in calibrate.measure_numpy(seconds, lambda _: None):
        t = m.timing
        print(
            f"calibrate: {m.precision:<5} median {m.median / 1e9:8.2f} GFLOPS  "
            f"min {m.low / 1e9:8.2f}  max {m.high / 1e9:8.2f}  spread {m.spread * 100:5.1f}%  "
            f"IQR {m.quartile_spread * 100:5.1f}%  N={t.size} x{t.calls}, {len(t.samples)} repeats"
        )
