"""Options shared by the commands that price a workload (budget, scale)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer


class Format(str, Enum):
    table = "table"
    json = "json"


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
    str | None, typer.Option(help="Peak per device: '180 TFLOPS'.", show_default=False)
]
Power = Annotated[
    str | None, typer.Option(help="Average power per device: '330 W'.", show_default=False)
]
Pue = Annotated[
    str | None, typer.Option(help="Data-centre PUE (default 1.56).", show_default=False)
]
CarbonIntensity = Annotated[
    str | None,
    typer.Option(
        "--carbon-intensity", help="Grid carbon intensity: '429 g/kWh'.", show_default=False
    ),
]
Region = Annotated[
    str | None,
    typer.Option("--region", "-r", help="Grid region (IS, us-central1).", show_default=False),
]
Price = Annotated[
    str | None, typer.Option(help="Price per device-hour: '2.50 USD/hour'.", show_default=False)
]
OutputFormat = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
