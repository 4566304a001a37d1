"""Start-up time of the one-liner against the CLI framework's own import (issues 8, 17).

The three commands run interleaved, round after round, so that load from other processes
falls on all of them alike; the ratios compare medians (and, less noisy, minima).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
COMMANDS = {
    "typer": [sys.executable, "-c", "import typer"],
    "one-liner": [str(BIN / "costcalc"), *("estimate", "1e18", "--hardware", "tpu-v2")],
    "json": [
        str(BIN / "costcalc"),
        *("estimate", "1e18", "--hardware", "tpu-v2", "--format", "json"),
    ],
    "value": [
        str(BIN / "costcalc"),
        *("estimate", "1e18", "--hardware", "tpu-v2", "--value", "cost_usd"),
    ],
    "version": [str(BIN / "costcalc"), "--version"],
}


def _once(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def bench_startup(repeats: int) -> None:
    # As installed from a wheel, costcalc's modules have bytecode; an editable install under
    # PYTHONDONTWRITEBYTECODE (set on some machines, CI among them) would compile every
    # module on every start and measure the compiler instead.
    import compileall

    import costcalc

    compileall.compile_dir(str(Path(costcalc.__file__).parent), quiet=1)
    for argv in COMMANDS.values():  # warm the OS file cache and costcalc's own cache
        _once(argv)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(repeats):
        for name, argv in COMMANDS.items():
            times[name].append(_once(argv))
    med = {name: statistics.median(t) for name, t in times.items()}
    low = {name: min(t) for name, t in times.items()}
    print(f"start-up: python -c 'import typer'           {med['typer'] * 1000:7.1f} ms (median)")
    for name, label, goal in (  # the goals of issue 17
        ("one-liner", "costcalc estimate 1e18 -H tpu-v2", 1.5),
        ("json", "  ... --format json             ", 1.5),
        ("value", "  ... --value cost_usd          ", 1.5),
        ("version", "costcalc --version              ", 0.5),
    ):
        print(
            f"start-up: {label}  {med[name] * 1000:7.1f} ms  ratio {med[name] / med['typer']:.2f}"
            f" (min {low[name] / low['typer']:.2f}; goal <= {goal})"
        )


def main(quick: bool) -> None:
    bench_startup(5 if quick else 20)
