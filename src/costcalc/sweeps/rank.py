"""Ranking helpers: sort keys, the k smallest, Pareto fronts; bounded memory."""

from __future__ import annotations

from typing import Any

from costcalc.sweeps.evaluate import Chunk


def _sort_key(chunk: Chunk, name: str, descending: bool) -> Any:
    """Ascending key: NaN last whatever the direction; text sorts by label."""
    import numpy as np

    labels = chunk.grid.column_labels(name) if name not in chunk.outputs else None
    if labels is not None:
        rank = np.argsort(np.argsort(np.asarray(labels, dtype=object), kind="stable"))
        key = rank.take(chunk[name]).astype(float)
    else:
        key = np.asarray(chunk[name], dtype=float)
    key = -key if descending else key.copy()
    key[np.isnan(key)] = np.inf
    return key


def _smallest(key: Any, index: Any, k: int) -> tuple[Any, Any]:
    """The k entries with the smallest (key, index), in any order."""
    import numpy as np

    if len(key) <= k:
        return key, index
    kth = np.partition(key, k - 1)[k - 1]
    below = key < kth
    ties = np.flatnonzero(key == kth)
    ties = ties[np.argsort(index[ties], kind="stable")][: k - int(below.sum())]
    keep = np.flatnonzero(below)
    keep = np.concatenate([keep, ties])
    return key[keep], index[keep]


def pareto_mask(points: Any) -> Any:
    """Which rows of ``points`` (n x m, minimised) no other row dominates.

    Two objectives: sort and scan, O(n log n). More: repeatedly take the lexicographically
    smallest point (nothing can dominate it) and drop what it dominates, O(n x front)."""
    import numpy as np

    n, m = points.shape
    keep = np.zeros(n, dtype=bool)
    if n == 0:
        return keep
    order = np.lexsort(points.T[::-1])
    p = points[order]
    if m == 2:
        first, second = p[:, 0], p[:, 1]
        best = np.minimum.accumulate(second)
        start = np.r_[True, first[1:] != first[:-1]]
        group = np.maximum.accumulate(np.where(start, np.arange(n), 0))
        before = np.where(group > 0, best[np.maximum(group - 1, 0)], np.inf)
        on_front = (second == second[group]) & (second < before)
        keep[order[on_front]] = True
        return keep
    alive = np.arange(n)
    while len(alive):
        head = alive[0]
        keep[order[head]] = True
        rest = alive[1:]
        q = p[rest]
        dominated = np.all(q >= p[head], axis=1) & np.any(q > p[head], axis=1)
        alive = rest[~dominated]
    return keep
