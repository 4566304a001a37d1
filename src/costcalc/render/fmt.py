"""How numbers, units, tables and cells look, shared by every renderer: significant
digits, human durations and energy/mass units, aligned plain tables and their rich
twins, CSV, strict JSON, Markdown cells. No knowledge of any result type here.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

from costcalc import finite
from costcalc.errors import printable
from costcalc.units import convert

PLAIN_WIDTH = 100  # plain text wraps long text (sources, notes) to this width

ENERGY_UNITS = ("TWh", "GWh", "MWh", "kWh", "Wh")
MASS_UNITS = ("t", "kg", "g")


# -- numbers -------------------------------------------------------------------------------


def clean(x: float) -> float:
    """Drop float noise from a unit conversion (473.00699999999995 -> 473.007)."""
    return float(f"{x:.12g}")


def in_unit(value: float, unit: str) -> float:
    """``value`` (base units) in ``unit``, without float noise."""
    return clean(convert(value, unit))


def sig(x: float, digits: int = 4) -> str:
    """``x`` with ``digits`` significant digits, without exponent for everyday sizes."""
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return str(x)
    if 1e-3 <= abs(x) < 1e15:
        x = float(f"{x:.{digits}g}")  # 4,115,226,337,449 -> 4,115,000,000,000: no false digits
        decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
        text = f"{x:,.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text
    mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def human_time(seconds: float) -> str:
    for unit, size in (
        ("years", 365.25 * 86400),
        ("days", 86400),
        ("hours", 3600),
        ("minutes", 60),
    ):
        if seconds >= size:
            return f"{sig(seconds / size, 3)} {unit}"
    return f"{sig(seconds, 3)} seconds"


def scaled(value: float, units: tuple[str, ...], digits: int = 4) -> str:
    """``value`` (base units) in the largest of ``units`` that keeps it >= 1."""
    for unit in units:
        shown = convert(value, unit)
        if abs(shown) >= 1 or unit == units[-1]:
            return f"{sig(shown, digits)} {unit}"
    raise AssertionError("unreachable")


# -- text ------------------------------------------------------------------------------------


def short(text: str, width: int = 60) -> str:
    """``text`` cut to ``width`` characters, an ellipsis marking the cut."""
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def md_cell(text: str) -> str:
    """Text for one Markdown table cell (or heading): one line, control characters
    escaped, ``|`` escaped."""
    return printable(text).replace("|", "\\|")


# -- tables ------------------------------------------------------------------------------------


def label_rows(rows: Sequence[tuple[str, str]]) -> list[str]:
    """``label  value`` lines, indented two spaces, the values aligned."""
    width = max(len(label) for label, _ in rows)
    return [f"  {label:<{width}}  {value}" for label, value in rows]


def _numeric(rows: Sequence[Sequence[str]], i: int) -> bool:
    return bool(rows) and all(
        r[i] == "-" or r[i].replace(",", "").replace(".", "").isdigit() for r in rows
    )


def plain_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns aligned with two spaces; numbers right-aligned."""
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    numeric = [_numeric(rows, i) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            f"{c:>{w}}" if num else f"{c:<{w}}"
            for c, w, num in zip(cells, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    return "\n".join([line(header), *(line(r) for r in rows)]) + "\n"


def rich_table(header: Sequence[str], rows: Sequence[Sequence[str]], console: Any) -> None:
    """:func:`plain_table` as a rich table, printed on ``console``."""
    from rich.table import Table

    table = Table(header_style="bold", box=None, padding=(0, 1))
    for i, name in enumerate(header):
        table.add_column(name, justify="right" if _numeric(rows, i) else "left", no_wrap=i == 0)
    for r in rows:
        table.add_row(*r)
    console.print(table)


# -- machine formats -------------------------------------------------------------------------


def json_text(doc: Any) -> str:
    """``doc`` as strict, indented JSON (never NaN/Infinity), with a final newline."""
    return finite.dumps(doc, indent=2) + "\n"


def csv_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A CSV header and rows; None as empty."""
    import csv  # only for CSV output: off a one-liner's start-up

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in r] for r in rows)
    return out.getvalue()


def write_csv_row(row: dict[str, Any]) -> str:
    """A CSV header and one row; floats in full precision (repr), None as empty."""
    import csv

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
    writer.writeheader()
    writer.writerow(
        {k: "" if v is None else (repr(v) if isinstance(v, float) else v) for k, v in row.items()}
    )
    return out.getvalue()
