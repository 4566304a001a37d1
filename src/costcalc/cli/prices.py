"""``costcalc prices``: what each provider charges for a device, by pricing model and date."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from costcalc.cli import color_stdout, command_app
from costcalc.cli._catalog import ListFormat, ListFormatOption
from costcalc.cli._options import option

cli = command_app()

RULE = (
    "the newest on-demand price of a hyperscaler (aws, gcp, azure, oracle), else the median "
    "of the newest prices across providers (docs/sites.md)"
)


@cli.command()
def prices(
    hardware: Annotated[
        str | None,
        typer.Argument(help="Only this hardware (profile name or alias).", show_default=False),
    ] = None,
    provider: Annotated[str | None, option("Only this provider (aws, gcp, lambda, ...).")] = None,
    pricing: Annotated[
        str | None,
        option("Only this pricing model: on-demand, spot, 1y, 3y."),
    ] = None,
    history: Annotated[
        bool, typer.Option("--history", help="Every dated price, not only the newest.")
    ] = False,
    output_format: ListFormatOption = ListFormat.table,
) -> None:
    """List known cloud prices per provider, pricing model, region and date (Epoch AI);
    * marks the price an estimate uses by default."""
    from costcalc import site
    from costcalc.render import prices as render_prices

    rows = site.price_list(hardware, provider, pricing, history)
    chosen = site.default_rows(rows, provider, pricing)
    if output_format is ListFormat.table and color_stdout() and rows:
        from rich.console import Console

        from costcalc.render.fmt import rich_table

        rich_table(*render_prices.price_rows(rows, chosen), Console())
        sys.stdout.write(f"* the default rule's pick: {RULE}\n")
    else:
        sys.stdout.write(render_prices.render_prices(rows, chosen, output_format.value, RULE))
