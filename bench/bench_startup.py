"""Start-up time of the one-liner against the CLI framework's own import (issue 8)."""

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


def main(quick: bool) -> None:
    bench_startup(5 if quick else 20)
