"""`make bench`: every bench/bench_*.py, each printing its figures. Not part of `make test`.

Run: .venv/bin/python bench/run.py [--quick] [NAME ...]   (NAME: e.g. startup, model)
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    quick = "--quick" in sys.argv
    names = [a for a in sys.argv[1:] if not a.startswith("-")]
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if names and name not in names:
            continue
        print(f"== {name}")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.main(quick)


if __name__ == "__main__":
    main()
