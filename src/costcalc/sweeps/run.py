"""Running a sweep: a query (where, sort, top, pareto) over a grid, streamed in chunks."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from costcalc.errors import InputError, ref
from costcalc.profiles import Catalog
from costcalc.sweeps.build import build_grid
from costcalc.sweeps.evaluate import Chunk
from costcalc.sweeps.grid import Grid
from costcalc.sweeps.limits import CHUNK, MAX_SCENARIOS, MAX_SORTED, WRITE_CHUNK
from costcalc.sweeps.rank import _smallest, _sort_key, pareto_mask
from costcalc.where import compile_where


@dataclass
class Query:
    """What to keep and in which order."""

    where: str | None = None
    sort: str | None = None
    top: int | None = None
    pareto: list[str] | None = None


@dataclass
class Sweep:
    """A resolved sweep and its query, ready to stream rows.

    ``chunks()`` yields the rows (as :class:`Chunk`) in output order; nothing is computed
    before it is called. ``rows`` is the number of rows when known in advance."""

    grid: Grid
    query: Query
    mask: Any = None
    sort_field: str | None = None
    descending: bool = False
    chunk_size: int = CHUNK
    write_chunk: int = WRITE_CHUNK
    progress: Callable[[int, int], None] | None = None
    _selected: Any = field(default=None, repr=False)

    @property
    def columns(self) -> list[str]:
        return self.grid.columns

    @property
    def ranked(self) -> bool:
        return self.sort_field is not None or self.query.pareto is not None or bool(self.query.top)

    def _scan(self, size: int | None = None) -> Iterator[Chunk]:
        """Every scenario passing the constraint, in scenario order."""
        import numpy as np

        n = self.grid.size
        size = size or self.chunk_size
        first = self.grid.block_start(size)
        step = size
        if first is not None:
            whole = math.prod(a.size for a in self.grid.axes[first:])
            step = size // whole * whole
        for start in range(0, n, step):
            stop = min(n, start + step)
            if first is not None:
                chunk = self.grid.block(start, stop, first)
            else:
                chunk = self.grid.chunk(np.arange(start, stop, dtype=np.int64), (start, stop))
            if self.mask is not None:
                chunk = chunk.select(self.mask(chunk))
            if self.progress is not None:
                self.progress(stop, n)
            yield chunk

    def selected(self) -> Any:
        """The scenario numbers of the rows, in output order (ranked queries only)."""
        import numpy as np

        if self._selected is not None:
            return self._selected
        q = self.query
        if q.pareto:
            front_points = np.empty((0, len(q.pareto)))
            front_index = np.empty(0, dtype=np.int64)
            for chunk in self._scan():
                pts = np.column_stack([np.asarray(chunk[f], dtype=float) for f in q.pareto])
                ok = ~np.isnan(pts).any(axis=1)
                pts, idx = pts[ok], chunk.index[ok]
                m = pareto_mask(pts)
                pts = np.concatenate([front_points, pts[m]])
                idx = np.concatenate([front_index, idx[m]])
                m = pareto_mask(pts)
                front_points, front_index = pts[m], idx[m]
            order = np.lexsort((front_index, *front_points.T[::-1]))
            index = front_index[order]
            if self.sort_field is not None:
                index = self._order(index)
            if q.top:
                index = index[: q.top]
        elif q.top:
            keys = np.empty(0)
            index = np.empty(0, dtype=np.int64)
            assert self.sort_field is not None
            for chunk in self._scan():
                key = _sort_key(chunk, self.sort_field, self.descending)
                k, i = _smallest(key, chunk.index, q.top)
                keys, index = _smallest(
                    np.concatenate([keys, k]), np.concatenate([index, i]), q.top
                )
            index = index[np.lexsort((index, keys))]
        else:
            assert self.sort_field is not None
            if self.grid.size > MAX_SORTED:
                raise InputError(
                    f"sorting all {self.grid.size:,} scenarios needs too much memory; "
                    f"add {ref('top')} N (or narrow the sweep below {MAX_SORTED:,})",
                    input="sort",
                )
            parts = [
                (_sort_key(c, self.sort_field, self.descending), c.index) for c in self._scan()
            ]
            keys = np.concatenate([p[0] for p in parts]) if parts else np.empty(0)
            index = np.concatenate([p[1] for p in parts]) if parts else np.empty(0, np.int64)
            index = index[np.lexsort((index, keys))]
        self._selected = index
        return index

    def _order(self, index: Any) -> Any:
        import numpy as np

        assert self.sort_field is not None
        chunk = self.grid.chunk(index)
        key = _sort_key(chunk, self.sort_field, self.descending)
        return index[np.lexsort((index, key))]

    def chunks(self, size: int | None = None) -> Iterator[Chunk]:
        """The rows, in chunks (of ``size`` rows at most; default ``chunk_size``), in
        output order."""
        size = size or self.chunk_size
        if not self.ranked:
            yield from self._scan(size)
            return
        index = self.selected()
        for start in range(0, len(index), size):
            yield self.grid.chunk(index[start : start + size])


def plan(
    inputs: Mapping[str, Any],
    *,
    zip_axes: bool = False,
    where: str | None = None,
    sort: str | None = None,
    top: int | None = None,
    pareto: str | list[str] | None = None,
    max_scenarios: int = MAX_SCENARIOS,
    catalog: Catalog | None = None,
    chunk_size: int | None = None,
) -> Sweep:
    """Resolve and check everything (grid, constraint, ranking) before any row is made."""
    from costcalc.errors import did_you_mean

    grid = build_grid(inputs, zip_axes=zip_axes, max_scenarios=max_scenarios, catalog=catalog)
    fields = grid.fields()
    mask = compile_where(where, fields) if where is not None else None

    def known(name: str, about: str) -> str:
        if name not in fields:
            hint = did_you_mean(name, fields)
            raise InputError(
                f"unknown field '{name}'{hint}; fields: {', '.join(fields)}", input=about
            )
        return name

    sort_field, descending = None, False
    if sort is not None:
        text = sort.strip()
        descending = text.startswith("-")
        sort_field = known(text.lstrip("-+").strip(), "sort")
    objectives = None
    if pareto is not None:
        names = [p.strip() for p in (pareto.split(",") if isinstance(pareto, str) else pareto)]
        objectives = [known(p, "pareto") for p in names]
        if len(objectives) < 2 or len(set(objectives)) != len(objectives):
            raise InputError(
                "a Pareto front needs two or more different fields, e.g. cost_usd,wall_clock_hours",
                input="pareto",
            )
        for p in objectives:
            if fields[p].labels is not None:
                raise InputError(
                    f"{p} is text; a Pareto objective must be a number", input="pareto"
                )
    if top is not None and top < 1:
        raise InputError(f"expected a positive number of rows, got {top}", input="top")
    if top and sort_field is None and objectives is None:
        raise InputError(
            f"{ref('top')} needs {ref('sort')} FIELD (or {ref('pareto')}) to say which rows "
            "come first",
            input="top",
        )
    query = Query(where, sort_field, top, objectives)
    if chunk_size is None:
        return Sweep(grid, query, mask, sort_field, descending)
    return Sweep(grid, query, mask, sort_field, descending, chunk_size, chunk_size)
