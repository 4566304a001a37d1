"""`costcalc check`: cold start on the example plan, and evaluation time per run."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def cold_start(repeats: int) -> float:
    argv = [str(BIN / "costcalc"), "check", "-p", str(ROOT / "examples" / "costcalc.yaml")]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([*argv, "-f", "json"], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def per_run(runs: int) -> float:
    from costcalc import budget, yamlio

    body = "".join(
        f"  r{i}:\n    params: {100 + i}M\n    tokens: 2B\n    hardware: "
        f"{('h100-sxm', 'a100-sxm-80gb', 'tpu-v4')[i % 3]}\n"
        for i in range(runs)
    )
    text = "runs:\n" + body + "budgets:\n  cost: 1M USD\n"
    start = time.perf_counter()
    report = budget.evaluate(budget.parse_plan(yamlio.load(text, "bench.yaml")))
    elapsed = time.perf_counter() - start
    assert len(report.runs) == runs
    return elapsed / runs


def main(quick: bool) -> None:
    start = cold_start(3 if quick else 10)
    print(f"check: costcalc check examples/costcalc.yaml -f json  {start * 1000:7.1f} ms")
    n = 100 if quick else 1000
    print(f"check: parse + evaluate, {n} runs                   {per_run(n) * 1e6:7.1f} us per run")
