"""``costcalc regions``: grid carbon intensity by country and cloud region."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from costcalc.cli import group
from costcalc.cli._catalog import (
    ListFormat,
    ListFormatOption,
    ShowFormat,
    ShowFormatOption,
    write_list,
)
from costcalc.cli._options import option

cli = group("Grid regions (countries, cloud regions): list, show.")


@cli.command("list")
def list_(
    provider: Annotated[str | None, option("Only this cloud provider: aws, gcp or azure.")] = None,
    kind: Annotated[
        str | None,
        option("Only this kind: world, country, cloud_region or cloud_geography."),
    ] = None,
    sort: Annotated[
        str | None,
        option(
            "Sort by a column: id, kind, name, provider, iso2, iso3, carbon_intensity, "
            "year, basis (default: world, countries, cloud regions)."
        ),
    ] = None,
    reverse: Annotated[bool, typer.Option("--reverse", help="Reverse the order.")] = False,
    output_format: ListFormatOption = ListFormat.table,
) -> None:
    """List grid regions with their carbon intensity, year and basis."""
    from costcalc.render import catalog as render_catalog
    from costcalc.tables import list_regions

    rows = list_regions(provider, kind, sort, reverse)
    write_list(rows, output_format, render_catalog.region_rows, render_catalog.render_region_list)


@cli.command()
def show(
    region: Annotated[
        str,
        typer.Argument(help="ISO code (IS, ISL), country name or cloud region id (us-central1)."),
    ],
    output_format: ShowFormatOption = ShowFormat.table,
) -> None:
    """Show one region: carbon intensity, year, basis, codes and source."""
    from costcalc.render import catalog as render_catalog
    from costcalc.tables import find_region

    sys.stdout.write(
        render_catalog.render_region(find_region(region, "REGION"), output_format.value)
    )
