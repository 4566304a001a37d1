"""``costcalc regions``: grid carbon intensity by country and cloud region."""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated

import typer

from costcalc.cli import app

regions_app = typer.Typer(
    help="Grid regions (countries, cloud regions): list, show.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(regions_app, name="regions")


class ListFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class ShowFormat(str, Enum):
    table = "table"
    json = "json"


@regions_app.command("list")
def list_(
    provider: Annotated[
        str | None,
        typer.Option(help="Only this cloud provider: aws, gcp or azure.", show_default=False),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            help="Only this kind: world, country, cloud_region or cloud_geography.",
            show_default=False,
        ),
    ] = None,
    sort: Annotated[
        str | None,
        typer.Option(
            help="Sort by a column: id, kind, name, provider, iso2, iso3, carbon_intensity, "
            "year, basis (default: world, countries, cloud regions).",
            show_default=False,
        ),
    ] = None,
    reverse: Annotated[bool, typer.Option("--reverse", help="Reverse the order.")] = False,
    output_format: Annotated[
        ListFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ListFormat.table,
) -> None:
    """List grid regions with their carbon intensity, year and basis."""
    from costcalc import render_catalog
    from costcalc.tables import list_regions

    rows = list_regions(provider, kind, sort, reverse)
    if output_format is ListFormat.table and sys.stdout.isatty() and "NO_COLOR" not in os.environ:
        from rich.console import Console

        render_catalog.rich_table(*render_catalog.region_rows(rows), Console())
    else:
        sys.stdout.write(render_catalog.render_region_list(rows, output_format.value))


@regions_app.command()
def show(
    region: Annotated[
        str,
        typer.Argument(help="ISO code (IS, ISL), country name or cloud region id (us-central1)."),
    ],
    output_format: Annotated[
        ShowFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ShowFormat.table,
) -> None:
    """Show one region: carbon intensity, year, basis, codes and source."""
    from costcalc import render_catalog
    from costcalc.tables import find_region

    sys.stdout.write(
        render_catalog.render_region(find_region(region, "REGION"), output_format.value)
    )
