"""``costcalc config``: the defaults in force and where each comes from."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

from costcalc.cli import group, workspace
from costcalc.cli._options import format_option

cli = group("Defaults from costcalc.yaml and your config file: show.")


class Format(str, Enum):
    table = "table"
    json = "json"


@cli.command()
def show(
    ctx: typer.Context,
    output_format: Annotated[Format, format_option()] = Format.table,
) -> None:
    """Print each effective default and where it came from (file:line or built-in)."""
    from costcalc.config import effective_defaults
    from costcalc.render import catalog as render_catalog

    settings = workspace(ctx).settings()
    sys.stdout.write(
        render_catalog.render_config(effective_defaults(settings), settings, output_format.value)
    )
