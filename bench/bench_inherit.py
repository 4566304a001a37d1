"""Many inheriting profiles and long ``base:`` chains (issue 12 item 15).

20,000 profiles in one --profiles-dir, each inheriting from a shipped profile (and every
tenth from the one before it), loaded as `costcalc profiles list` does: a cold cache
(every file parsed) and a warm one (parsed trees from the user cache).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

COUNT = 20_000


def _write(d: Path, n: int) -> None:
    for i in range(n):
        base = f"x{i - 1}" if i % 10 else "h100-sxm"
        (d / f"x{i}.yaml").write_text(
            f"schema_version: 1\nname: x{i}\nbase: {base}\n"
            f"price: {{value: {1 + i % 7} USD/hour, source: bench, date: 2025-01-01}}\n"
        )


def main(quick: bool) -> None:
    from costcalc.profiles import Catalog, Layer, shipped_dir

    n = COUNT // 10 if quick else COUNT
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "profiles"
        d.mkdir()
        _write(d, n)
        os.environ["COSTCALC_CACHE_DIR"] = str(Path(tmp) / "cache")
        for label in ("cold cache", "warm cache"):
            start = time.perf_counter()
            catalog = Catalog([Layer(shipped_dir(), "shipped"), Layer(d, "--profiles-dir")])
            entries = catalog.entries()
            took = time.perf_counter() - start
            assert len(entries) >= n and not catalog.warnings, catalog.warnings[:1]
            print(f"inherit: {n} inheriting profiles, {label}  {took:7.2f} s")


if __name__ == "__main__":
    import sys

    main("--quick" in sys.argv)
