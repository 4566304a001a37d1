"""Parse every shipped YAML file (hardware profiles, costcalc/data/*.yaml) into
src/costcalc/data/parsed/, so that costcalc never caches shipped data in a writable place.

Run after changing a shipped YAML file:  python scripts/build_parsed.py
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
