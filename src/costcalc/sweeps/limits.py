"""The sweep's sizes and limits: chunk sizes, how many scenarios, rows and points, and the
output schema's name."""

from __future__ import annotations

CHUNK = 1 << 15  # scenarios per evaluated chunk: its temporaries stay in the CPU's cache
WRITE_CHUNK = 1 << 17  # rows per written chunk: text output has more work per chunk
MAX_SCENARIOS = 10**9
MAX_SORTED = 10**7  # a full sort (no --top) keeps this many (key, index) pairs at most
MAX_POINTS = 1_000_000  # points in one range
SCHEMA = "costcalc/sweep/1"
