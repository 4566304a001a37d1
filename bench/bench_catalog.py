"""Loading the profile catalog and the catalog commands (issue 3)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def _median(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(quick: bool) -> None:
    from costcalc.config import load_settings
    from costcalc.profiles import Catalog

    repeats = 3 if quick else 10
    full = _median(lambda: Catalog.from_search_path().entries(), repeats)
    one = _median(lambda: Catalog.from_search_path().get("h100-sxm"), repeats * 10)
    with tempfile.TemporaryDirectory() as empty:
        settings = _median(lambda: load_settings(empty, {"COSTCALC_CONFIG_DIR": empty}), 1000)
    print(f"catalog: load all {len(Catalog().all())} profiles   {full * 1000:7.1f} ms")
    print(f"catalog: one profile (fast path)  {one * 1000:7.2f} ms")
    print(f"config: look up files (none)      {settings * 1e6:7.1f} us")

    def cli(*args: str) -> None:
        subprocess.run([str(BIN / "costcalc"), *args], check=True, capture_output=True)

    listing = _median(lambda: cli("profiles", "list", "--format", "json"), repeats)
    print(f"start-up: costcalc profiles list -f json {listing * 1000:7.1f} ms")
