"""Options shared by the commands that price a workload (budget, scale), and their
common plumbing: options passed on by name, output to a rich table on a terminal."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

import typer


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def core_options(ctx: typer.Context, *cli_only: str) -> dict[str, Any]:
    """The command's arguments and options as keyword arguments of its core function
    (each is named as the keyword it fills), without the CLI's own (``cli_only``); the
    catalog and the config-file defaults of the user's workspace come along, so their
    own profiles resolve and their defaults apply."""
    from costcalc.cli import workspace

    ws = workspace(ctx)
    options = {k: v for k, v in ctx.params.items() if k not in cli_only}
    return dict(options, catalog=ws.catalog(), settings=ws.settings())


def emit(render: Callable[..., str], result: Any, output_format: Format) -> None:
    """``render(result, format)`` to stdout; a table on a terminal as rich tables."""
    if output_format is Format.table and sys.stdout.isatty() and "NO_COLOR" not in os.environ:
        from rich.console import Console

        render(result, output_format.value, Console())
    else:
        sys.stdout.write(render(result, output_format.value))


Hardware = Annotated[
    str | None,
    typer.Option(
        "--hardware", "-H", help="Hardware profile (default: tpu-v2).", show_default=False
    ),
]
Devices = Annotated[
    str | None, typer.Option(help="Number of devices (default 1).", show_default=False)
]
Utilization = Annotated[
    str | None,
    typer.Option(
        "--utilization", "-u", help="Fraction of peak (default 37.5%).", show_default=False
    ),
]
Precision = Annotated[
    str | None, typer.Option(help="Precision (default: the profile's).", show_default=False)
]
Peak = Annotated[
    str | None,
    typer.Option(help="Peak per device: '180 TFLOPS' (a unit is required).", show_default=False),
]
Power = Annotated[
    str | None,
    typer.Option(
        help="Average power per device: '330 W' (bare number: watts).", show_default=False
    ),
]
Pue = Annotated[
    str | None, typer.Option(help="Data-centre PUE (default 1.56).", show_default=False)
]
CarbonIntensity = Annotated[
    str | None,
    typer.Option(
        "--carbon-intensity",
        help="Grid carbon intensity: '429 g/kWh' (bare number: g/kWh).",
        show_default=False,
    ),
]
Region = Annotated[
    str | None,
    typer.Option("--region", "-r", help="Grid region (IS, us-central1).", show_default=False),
]
Price = Annotated[
    str | None,
    typer.Option(
        help="Price per device-hour: '2.50 USD/hour' (bare number: USD/hour).", show_default=False
    ),
]
OutputFormat = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
