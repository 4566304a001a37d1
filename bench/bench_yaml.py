"""Parsing YAML: the shipped profiles with libyaml (CSafeLoader) and pure Python (issue 12)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def _median(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(quick: bool) -> None:
    import yaml

    from costcalc import yamlio
    from costcalc.profiles import shipped_dir

    files = sorted(shipped_dir().glob("*.yaml"))
    texts = [(yamlio.read_text(f, "profile"), str(f)) for f in files]
    repeats = 3 if quick else 15
    loaders = [("pure Python (SafeLoader)", yaml.SafeLoader)]
    if getattr(yaml, "CSafeLoader", None):
        loaders.append(("libyaml (CSafeLoader)", yaml.CSafeLoader))
    else:
        print("yaml: PyYAML was built without libyaml; only the fallback is measured")
    for label, cls in loaders:
        took = _median(lambda cls=cls: [yamlio.load(t, s, cls) for t, s in texts], repeats)
        print(f"yaml: parse {len(texts)} shipped profiles, {label:26} {took * 1000:7.1f} ms")
    print(f"yaml: the loader used: {yamlio.loader_class().__name__}")
