"""Parse every shipped YAML file (hardware profiles, costcalc/data/*.yaml), and read the
rows of every shipped CSV file (costcalc/data/*.csv), into src/costcalc/data/parsed/, so
that costcalc never caches shipped data in a writable place (and a one-liner needs neither
a YAML nor a CSV parser).

Run after changing a shipped YAML or CSV file:  python scripts/build_parsed.py
(tests/test_hostile_places.py fails while the prebuilt trees are out of sync; an
out-of-date tree is never used, it only costs speed.)
"""

from __future__ import annotations

import shutil

from costcalc import cache


def main() -> None:
    out = cache._PACKAGE / "data" / cache.PARSED_DIR
    shutil.rmtree(out, ignore_errors=True)
    for path in cache.build_prebuilt(out):
        print(path)


if __name__ == "__main__":
    main()
