"""What the catalog commands (``profiles``, ``regions``) share: formats and list output."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Annotated, TypeVar

from costcalc.cli import color_stdout
from costcalc.cli._options import format_option

T = TypeVar("T")


class ListFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class ShowFormat(str, Enum):
    table = "table"
    json = "json"


ListFormatOption = Annotated[ListFormat, format_option()]
ShowFormatOption = Annotated[ShowFormat, format_option()]


def write_list(
    items: Sequence[T],
    output_format: ListFormat,
    rows: Callable[[Sequence[T]], tuple[list[str], list[list[str]]]],
    render: Callable[[Sequence[T], str], str],
) -> None:
    """A rich table on a colour terminal; otherwise ``render``'s plain text, JSON or CSV."""
    if output_format is ListFormat.table and color_stdout():
        from rich.console import Console

        from costcalc.render.fmt import rich_table

        rich_table(*rows(items), Console())
    else:
        sys.stdout.write(render(items, output_format.value))
