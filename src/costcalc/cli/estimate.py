"""``costcalc estimate``: one training run, from compute (or device-time) to money and CO2e."""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated, Any

import typer

from costcalc.cli import app, workspace


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    yaml = "yaml"
    markdown = "markdown"


@app.command()
def estimate(
    ctx: typer.Context,
    work: Annotated[
        str | None,
        typer.Argument(
            help="Training compute: 1e18, 10^18, '1 EFLOP', '3.14e23 FLOP', '3 PF/s-day'. "
            "Omit it when giving --device-hours or --duration.",
            show_default=False,
        ),
    ] = None,
    hardware: Annotated[
        str | None,
        typer.Option(
            "--hardware",
            "-H",
            help="Hardware profile name or alias (default: tpu-v2). See hardware_profiles/.",
            show_default=False,
        ),
    ] = None,
    devices: Annotated[
        str | None,
        typer.Option(help="Number of devices running in parallel (default 1).", show_default=False),
    ] = None,
    device_hours: Annotated[
        str | None,
        typer.Option(
            "--device-hours",
            help="Work as device-hours instead of FLOPs, e.g. 3.3e6.",
            show_default=False,
        ),
    ] = None,
    duration: Annotated[
        str | None,
        typer.Option(
            help="Work as wall-clock time on --devices, e.g. '14.8 days' (bare number: hours).",
            show_default=False,
        ),
    ] = None,
    utilization: Annotated[
        str | None,
        typer.Option(
            "--utilization",
            "-u",
            help="Achieved fraction of peak: 40% or 0.4 (default 37.5%, Epoch AI).",
            show_default=False,
        ),
    ] = None,
    peak: Annotated[
        str | None,
        typer.Option(
            help="Peak throughput per device, overriding the profile: '180 TFLOPS'.",
            show_default=False,
        ),
    ] = None,
    precision: Annotated[
        str | None,
        typer.Option(
            help="Precision whose dense peak to use: fp32, tf32, bf16, fp16, fp8, int8 "
            "(default: the profile's).",
            show_default=False,
        ),
    ] = None,
    power: Annotated[
        str | None,
        typer.Option(
            help="Average power per device, overriding the TDP rule: '330 W'.", show_default=False
        ),
    ] = None,
    pue: Annotated[
        str | None,
        typer.Option(
            help="Data-centre PUE, e.g. 1.1 (default 1.56, Uptime Institute 2024).",
            show_default=False,
        ),
    ] = None,
    carbon_intensity: Annotated[
        str | None,
        typer.Option(
            "--carbon-intensity",
            help="Grid carbon intensity: '429 g/kWh', '0.429 kg/kWh' (bare number: g/kWh).",
            show_default=False,
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            "-r",
            help="Grid region for carbon intensity: ISO code (IS, USA), country "
            "name or cloud region (us-central1). Default: world average.",
            show_default=False,
        ),
    ] = None,
    price: Annotated[
        str | None,
        typer.Option(
            help="Price per device-hour: '2.50 USD/hour' (bare number: USD/hour).",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        Format, typer.Option("--format", "-f", help="Output format.")
    ] = Format.table,
    value: Annotated[
        str | None,
        typer.Option(
            "--value",
            help="Print one bare number: flops, wall_clock_hours, device_hours, "
            "energy_kwh, cost_usd or co2e_kg.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Estimate time, energy, cost and CO2e of a training run."""
    from costcalc.estimator import estimate as run_estimate

    ws = workspace(ctx)
    result = run_estimate(
        work,
        hardware=hardware,
        devices=devices,
        device_hours=device_hours,
        duration=duration,
        utilization=utilization,
        peak=peak,
        precision=precision,
        power=power,
        pue=pue,
        carbon_intensity=carbon_intensity,
        region=region,
        price=price,
        catalog=ws.catalog(),
        settings=ws.settings(),
    )
    _emit(result, output_format, value)


def _emit(result: Any, output_format: Format, value: str | None) -> None:
    from costcalc import render

    if value is not None:
        sys.stdout.write(render.render_value(result, value))
    elif output_format is Format.json:
        sys.stdout.write(render.render_json(result))
    elif output_format is Format.csv:
        sys.stdout.write(render.render_csv(result))
    elif output_format is Format.yaml:
        sys.stdout.write(render.render_yaml(result))
    elif output_format is Format.markdown:
        sys.stdout.write(render.render_markdown(result))
    elif sys.stdout.isatty() and "NO_COLOR" not in os.environ:
        from rich.console import Console

        render.render_table(result, Console())
    else:
        sys.stdout.write(render.render_plain(result))
