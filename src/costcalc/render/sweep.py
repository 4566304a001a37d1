"""Sweep rows as text: CSV, JSON Lines, JSON, Parquet (with pyarrow) and a table.

Rows arrive in chunks (:meth:`costcalc.sweeps.Sweep.chunks`) and leave as bytes chunk by
chunk, so memory stays bounded. Numbers are formatted for a whole chunk at once with
numpy: each number becomes a row of a byte matrix (``%.12g`` style, NUL-padded), the
columns are laid side by side with separators, and the NULs are dropped. No Python code
runs per row. The output is deterministic: the same sweep gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cache
from typing import IO, Any

from costcalc import finite
from costcalc.render.fmt import short, sig
from costcalc.sweeps import SCHEMA, Chunk, Labels, Sweep

DIGITS = 12  # significant digits in text output
FORMATS = ("table", "csv", "jsonl", "json", "parquet")
TABLE_ROWS = 20  # rows a table shows unless --top says otherwise

_ZERO, _DOT, _MINUS, _E, _PLUS = (ord(c) for c in "0.-e+")


@cache
def _groups() -> tuple[Any, Any]:
    """ASCII digits of 0..9999 (4 bytes each) and their trailing-zero counts (0 -> 4)."""
    import numpy as np

    n = np.arange(10_000)
    ascii_digits = np.stack([(n // 10 ** (3 - j)) % 10 for j in range(4)], axis=1) + _ZERO
    zeros = np.zeros(10_000, dtype=np.int64)
    for j in range(1, 5):
        zeros[n % 10**j == 0] = j
    return ascii_digits.astype(np.uint8), zeros


def _lay_out(block: Any, digs: Any, exp_digits: Any, neg: int, exp: int, nd: int) -> None:
    """Write numbers that share sign, exponent and digit count into ``block`` (rows of
    bytes) from their 12 ASCII digits, the way ``%.12g`` would: slice copies only."""
    pos = 0
    if neg:
        block[:, 0] = _MINUS
        pos = 1
    if -4 <= exp < DIGITS:
        if exp >= 0:
            whole = exp + 1
            block[:, pos : pos + whole] = digs[:, :whole]
            pos += whole
            if nd > whole:
                block[:, pos] = _DOT
                block[:, pos + 1 : pos + 1 + nd - whole] = digs[:, whole:nd]
        else:
            block[:, pos : pos + 1 - exp] = _ZERO
            block[:, pos + 1] = _DOT
            block[:, pos + 1 - exp : pos + 1 - exp + nd] = digs[:, :nd]
        return
    block[:, pos] = digs[:, 0]
    pos += 1
    if nd > 1:
        block[:, pos] = _DOT
        block[:, pos + 1 : pos + nd] = digs[:, 1:nd]
        pos += nd
    block[:, pos] = _E
    block[:, pos + 1] = _MINUS if exp < 0 else _PLUS
    shown = exp_digits if abs(exp) >= 100 else exp_digits[:, 1:]
    block[:, pos + 2 : pos + 2 + shown.shape[1]] = shown


def format_numbers(values: Any, missing: bytes = b"") -> Any:
    """Numbers as a NUL-padded uint8 matrix (one row each), like ``%.12g``.

    NaN becomes ``missing``; infinities ``inf``/``-inf``. Numbers are grouped by layout
    (sign, exponent, digit count: a few per column) so that each group is written with
    slice copies; no Python code runs per number."""
    import numpy as np

    digits = DIGITS  # three groups of four: the digit tables below rely on it
    x = np.asarray(values, dtype=float)
    width = digits + 8
    regular = np.isfinite(x) & (x != 0)
    everything = bool(regular.all())
    rows = None if everything else np.flatnonzero(regular)
    ax = np.abs(x if rows is None else x[rows])
    count = len(ax)
    text = np.zeros((count, width), dtype=np.uint8)
    if count:
        exp = np.floor(np.log10(ax)).astype(np.int64)
        pow10 = 10.0 ** np.arange(0, 301)

        def mantissa(e: Any) -> Any:
            k = (digits - 1) - e
            up = ax * pow10.take(np.clip(k, 0, 300)) * pow10.take(np.clip(k - 300, 0, 300))
            down = ax / pow10.take(np.clip(-k, 0, 300))
            return np.rint(np.where(k >= 0, up, down))

        m = mantissa(exp)
        fix = (m >= 10.0**digits) | (m < 10.0 ** (digits - 1))
        if fix.any():  # log10 was off by one near a power of ten, or rounding carried
            exp[fix] += np.where(m[fix] >= 10.0**digits, 1, -1)
            m = np.clip(mantissa(exp), 10.0 ** (digits - 1), 10.0**digits - 1)
        high, low = np.divmod(m.astype(np.int64), 100_000_000)
        mid, low = np.divmod(low, 10_000)
        ascii_digits, zeros = _groups()
        trailing = np.where(
            low != 0, zeros.take(low), np.where(mid != 0, 4 + zeros.take(mid), 8 + zeros.take(high))
        )
        neg = (x < 0) if rows is None else (x[rows] < 0)
        key = (neg * 1000 + (exp + 400)) * (digits + 1) + (digits - trailing)
        present = np.flatnonzero(np.bincount(key))
        lookup = np.zeros(present[-1] + 1, dtype=np.int16)
        lookup[present] = np.arange(len(present))
        which = lookup.take(key)
        order = np.argsort(which, kind="stable")  # a radix sort: small ints
        bounds = np.searchsorted(which.take(order), np.arange(len(present) + 1))
        digs = np.empty((count, digits), dtype=np.uint8)
        digs[:, 0:4] = ascii_digits.take(high.take(order), axis=0)
        digs[:, 4:8] = ascii_digits.take(mid.take(order), axis=0)
        digs[:, 8:12] = ascii_digits.take(low.take(order), axis=0)
        exp_digits = ascii_digits.take(np.abs(exp).take(order), axis=0)[:, 1:]
        for i, k in enumerate(present.tolist()):
            rest, nd = divmod(k, digits + 1)
            sign, e = divmod(rest, 1000)
            lo, hi = bounds[i], bounds[i + 1]
            _lay_out(text[lo:hi], digs[lo:hi], exp_digits[lo:hi], sign, e - 400, nd)
        back = np.empty_like(order)
        back[order] = np.arange(count)
        text = text.take(back, axis=0)
    if everything:
        return text
    out = np.zeros((len(x), width), dtype=np.uint8)
    out[rows] = text
    for mask, shown in (
        (x == 0, b"0"),
        (np.isnan(x), missing),
        (np.isposinf(x), b"inf"),
        (np.isneginf(x), b"-inf"),
    ):
        if shown and mask.any():
            out[mask, : len(shown)] = np.frombuffer(shown, dtype=np.uint8)
    return out


def _text_matrix(texts: list[bytes]) -> Any:
    import numpy as np

    width = max([len(t) for t in texts] + [1])
    out = np.zeros((len(texts), width), dtype=np.uint8)
    for i, t in enumerate(texts):
        out[i, : len(t)] = np.frombuffer(t, dtype=np.uint8) if t else []
    return out


def _csv_text(text: str) -> bytes:
    if any(c in text for c in ',"\n\r'):
        text = '"' + text.replace('"', '""') + '"'
    return text.encode("utf-8")


class _Columns:
    """Per column: a function from a chunk to its byte matrix (axis values formatted once)."""

    def __init__(self, sweep: Sweep, quote: Callable[[str], bytes], missing: bytes) -> None:
        self.sweep = sweep
        self.quote = quote
        self.missing = missing
        self.cache: dict[str, Any] = {}
        for axis in sweep.grid.axes:
            for name, values in axis.columns.items():
                if name in sweep.grid.input_columns:
                    if isinstance(values, Labels):
                        names = _text_matrix([quote(v) for v in values.names])
                        self.cache[name] = names[values.of_entry]
                    else:
                        self.cache[name] = format_numbers(values, missing)

    def matrix(self, chunk: Chunk, name: str) -> Any:
        if name in self.cache:
            return self.cache[name].take(chunk.codes[name], axis=0)
        return format_numbers(chunk.outputs[name], self.missing)


def _assemble(parts: list[Any], rows: int) -> bytes:
    """Lay byte matrices and constant separators side by side; drop the NUL padding."""
    import numpy as np

    blocks = []
    for part in parts:
        if isinstance(part, bytes):
            block = np.empty((rows, len(part)), dtype=np.uint8)
            block[:] = np.frombuffer(part, dtype=np.uint8)
            blocks.append(block)
        else:
            blocks.append(part)
    whole = np.concatenate(blocks, axis=1) if blocks else np.zeros((rows, 0), np.uint8)
    packed: bytes = whole[whole != 0].tobytes()
    return packed


def _csv_chunks(sweep: Sweep) -> Iterator[bytes]:
    cols = _Columns(sweep, _csv_text, b"")
    yield (",".join(sweep.columns) + "\n").encode()
    for chunk in sweep.chunks(sweep.write_chunk):
        if len(chunk):
            parts: list[Any] = []
            for i, name in enumerate(sweep.columns):
                if i:
                    parts.append(b",")
                parts.append(cols.matrix(chunk, name))
            parts.append(b"\n")
            yield _assemble(parts, len(chunk))


def _json_text(text: str) -> bytes:
    return json.dumps(text).encode("utf-8")


def _object_parts(sweep: Sweep, chunk: Chunk, cols: _Columns, end: bytes) -> bytes:
    parts: list[Any] = []
    for i, name in enumerate(sweep.columns):
        parts.append(("{" if i == 0 else ", ").encode() + json.dumps(name).encode() + b": ")
        parts.append(cols.matrix(chunk, name))
    parts.append(b"}" + end)
    return _assemble(parts, len(chunk))


def _jsonl_chunks(sweep: Sweep) -> Iterator[bytes]:
    cols = _Columns(sweep, _json_text, b"null")
    for chunk in sweep.chunks(sweep.write_chunk):
        if len(chunk):
            yield _object_parts(sweep, chunk, cols, b"\n")


def assumptions_doc(sweep: Sweep) -> dict[str, Any]:
    from costcalc.render import estimate as render

    return render.assumptions_doc(sweep.grid.assumptions)


def _json_chunks(sweep: Sweep) -> Iterator[bytes]:
    head = {
        "schema": SCHEMA,
        "scenarios": sweep.grid.size,
        "query": {
            k: v
            for k, v in (
                ("where", sweep.query.where),
                (
                    "sort",
                    ("-" if sweep.descending else "") + sweep.sort_field
                    if sweep.sort_field
                    else None,
                ),
                ("top", sweep.query.top),
                ("pareto", sweep.query.pareto),
            )
            if v is not None
        },
        "columns": sweep.columns,
        "assumptions": assumptions_doc(sweep),
        "notes": sweep.grid.notes,
    }
    text = finite.dumps(head, indent=2)
    yield (text[: text.rindex("}")].rstrip() + ',\n  "rows": [').encode()
    cols = _Columns(sweep, _json_text, b"null")
    first = True
    for chunk in sweep.chunks(sweep.write_chunk):
        if len(chunk):
            body = _object_parts(sweep, chunk, cols, b",\n    ")
            yield (b"\n    " if first else b",\n    ") + body[: -len(b",\n    ")]
            first = False
    yield b"\n  ]\n}\n"


def byte_chunks(sweep: Sweep, output_format: str) -> Iterator[bytes]:
    """The sweep as ``csv``, ``jsonl`` or ``json`` text, chunk by chunk."""
    return {"csv": _csv_chunks, "jsonl": _jsonl_chunks, "json": _json_chunks}[output_format](sweep)


def check_parquet() -> None:
    """Fail before any output when Parquet is asked for without pyarrow."""
    import importlib.util

    from costcalc.errors import InputError

    if importlib.util.find_spec("pyarrow") is None:
        raise InputError("parquet output needs pyarrow: pip install pyarrow", "--format")


def write(sweep: Sweep, output_format: str, target: IO[bytes]) -> None:
    """Write the rows to a binary file object, chunk by chunk."""
    if output_format == "parquet":
        write_parquet(sweep, target)
        return
    if output_format == "table":
        target.write(render_table(sweep, sweep.query.top or TABLE_ROWS).encode())
        return
    for part in byte_chunks(sweep, output_format):
        target.write(part)


def write_parquet(sweep: Sweep, target: IO[bytes]) -> None:
    """The rows as a Parquet file (needs pyarrow), written row group by row group."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    for chunk in sweep.chunks(sweep.write_chunk):
        table = pa.table({name: chunk.column(name) for name in sweep.columns})
        if writer is None:
            writer = pq.ParquetWriter(target, table.schema)
        writer.write_table(table)
    if writer is None:
        empty = {
            name: pa.array([], pa.string() if sweep.grid.column_labels(name) else pa.float64())
            for name in sweep.columns
        }
        writer = pq.ParquetWriter(target, pa.table(empty).schema)
    writer.close()


def table_rows(sweep: Sweep, limit: int) -> tuple[list[list[str]], int | None]:
    """The first ``limit`` rows as text cells, and the number of rows when known."""
    cells: list[list[str]] = []
    total = 0
    counted = True
    for chunk in sweep.chunks(sweep.write_chunk):
        total += len(chunk)
        if len(cells) < limit:
            take = limit - len(cells)
            columns = [chunk.column(name)[:take] for name in sweep.columns]
            for row in zip(*columns, strict=True):
                cells.append(
                    [v if isinstance(v, str) else ("" if v != v else sig(float(v))) for v in row]
                )
        elif not sweep.ranked:
            counted = False  # don't run a huge sweep to count rows nobody sees
            break
    return cells, total if counted else None


def render_table(sweep: Sweep, limit: int, console: Any = None) -> str:
    """The first rows as a table (rich when ``console`` is given), with the assumptions."""
    rows, total = table_rows(sweep, limit)
    head = sweep.columns
    lines: list[str] = []
    if console is not None:
        from rich.table import Table

        table = Table(show_edge=False)
        for name in head:
            table.add_column(name, justify="left" if sweep.grid.column_labels(name) else "right")
        for row in rows:
            table.add_row(*row)
        console.print(table)
    else:
        widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(head)]
        lines.append("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip())
        for row in rows:
            lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    shown = len(rows)
    if total is None:
        tail = f"first {shown} rows of up to {sweep.grid.size:,} scenarios"
    else:
        tail = f"{shown} of {total:,} rows ({sweep.grid.size:,} scenarios)"
    lines.append(f"\n{tail}; all rows: --format csv|jsonl|json")
    if sweep.grid.assumptions:
        lines.append("Fixed assumptions")
        for a in sweep.grid.assumptions:
            lines.append(f"  {a.name:<17} {a.text:<12} {short(a.source)}")
    for note in sweep.grid.notes:
        lines.append(f"Note: {note}")
    text = "\n".join(lines) + "\n"
    if console is not None:
        console.print(text.rstrip("\n"), highlight=False, markup=False)
        return ""
    return text
