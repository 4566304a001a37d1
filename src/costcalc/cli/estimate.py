"""``costcalc estimate``: one training run, from compute (or device-time) to money and CO2e."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated, Any

import typer

from costcalc.cli import color_stdout, workspace


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    yaml = "yaml"
    markdown = "markdown"


cli = typer.Typer(add_completion=False, rich_markup_mode=None)


@cli.command()
def estimate(
    ctx: typer.Context,
    work: Annotated[
        str | None,
        typer.Argument(
            help="Training compute: 1e18, 10^18, '1 EFLOP', '3.14e23 FLOP', '3 PF/s-day' "
            "(bare number: FLOP); or a reference run (gpt-3, palm, llama-3.1-405b: see "
            "'costcalc runs list'). "
            "Omit it when giving --device-hours, --duration or --params with --tokens.",
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
            help="Work as device-hours instead of FLOPs, e.g. 3.3e6 (bare number: hours).",
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
    params: Annotated[
        str | None,
        typer.Option(
            help="Model parameters, e.g. 70B: with --tokens gives the compute (6 x N x D); "
            "alone, sets the memory floor.",
            show_default=False,
        ),
    ] = None,
    tokens: Annotated[
        str | None,
        typer.Option(help="Training tokens, e.g. 1.4T (with --params).", show_default=False),
    ] = None,
    flops_per_param_token: Annotated[
        str | None,
        typer.Option(
            "--flops-per-param-token",
            help="FLOP per parameter per token (default 6, Kaplan et al. 2020; 8 with "
            "activation recomputation).",
            show_default=False,
        ),
    ] = None,
    active_params: Annotated[
        str | None,
        typer.Option(
            "--active-params",
            help="Mixture of experts: parameters active per token (FLOPs use these; memory "
            "uses --params).",
            show_default=False,
        ),
    ] = None,
    bytes_per_param: Annotated[
        str | None,
        typer.Option(
            "--bytes-per-param",
            help="Training-state bytes per parameter for the memory floor (default 16: "
            "mixed-precision Adam, ZeRO paper). Activations are excluded.",
            show_default=False,
        ),
    ] = None,
    repeats: Annotated[
        str | None,
        typer.Option(
            help="Number of runs (e.g. a hyper-parameter search of 50): outputs are totals.",
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
            help="Peak throughput per device, overriding the profile: '180 TFLOPS' "
            "(a unit is required).",
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
            help="Average power per device, overriding the TDP rule: '330 W' (bare number: watts).",
            show_default=False,
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
    # Ranges, money, embodied carbon, projections and equivalents (costcalc.outlook).
    discount: Annotated[
        str | None,
        typer.Option(
            help="Committed-use or spot discount on the cloud price: 40% or 0.4.",
            show_default=False,
        ),
    ] = None,
    owned: Annotated[
        bool,
        typer.Option(
            "--owned",
            help="Owned hardware: amortized purchase price plus electricity, not a cloud price.",
        ),
    ] = False,
    purchase_price: Annotated[
        str | None,
        typer.Option(
            "--purchase-price",
            help="Purchase price per device: '30000 USD' (bare number: USD; implies "
            "--owned; default: Epoch AI hardware prices).",
            show_default=False,
        ),
    ] = None,
    useful_life: Annotated[
        str | None,
        typer.Option(
            "--useful-life",
            help="Years a device is used, to amortize its price or embodied carbon: '4 years' "
            "(bare number: years; default 3 years, Epoch AI).",
            show_default=False,
        ),
    ] = None,
    electricity_price: Annotated[
        str | None,
        typer.Option(
            "--electricity-price",
            help="Electricity price for owned hardware: '0.08 USD/kWh' (bare number: USD/kWh; "
            "default: US industrial average, latest year, EIA via Epoch AI).",
            show_default=False,
        ),
    ] = None,
    carbon_price: Annotated[
        str | None,
        typer.Option(
            "--carbon-price",
            help="Carbon price on the operational CO2e: '80 USD/t' (bare number: USD/t).",
            show_default=False,
        ),
    ] = None,
    currency: Annotated[
        str | None,
        typer.Option(
            help="Show money in this currency too (EUR, GBP, JPY, CNY); needs --fx-rate.",
            show_default=False,
        ),
    ] = None,
    fx_rate: Annotated[
        str | None,
        typer.Option(
            "--fx-rate",
            help="Units of --currency per USD, e.g. 0.92; never guessed.",
            show_default=False,
        ),
    ] = None,
    embodied: Annotated[
        bool,
        typer.Option(
            "--embodied",
            help="Add the manufacturing (embodied) CO2e, amortized per device-hour, where a "
            "source gives the device's footprint.",
        ),
    ] = False,
    year: Annotated[
        str | None,
        typer.Option(
            help="Project cost and energy of the same work onto the hardware of this year "
            "(Epoch AI trends), e.g. 2030.",
            show_default=False,
        ),
    ] = None,
    samples: Annotated[
        str | None,
        typer.Option(
            help="Monte Carlo samples when an input is a range (default 100000).",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        str | None,
        typer.Option(help="Random seed for the samples (default 0).", show_default=False),
    ] = None,
    equivalents: Annotated[
        bool,
        typer.Option(
            "--equivalents/--no-equivalents",
            help="Show CO2e and energy as everyday equivalents.",
        ),
    ] = True,
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
    """Estimate time, energy, cost and CO2e of a training run.

    Numeric inputs may be ranges (30%..50%) or distributions (triangular(a,mode,b),
    lognormal(median,sigma)): the result then gives 5th/50th/95th percentiles.
    """
    from costcalc.outlook import estimate as run_estimate

    ws = workspace(ctx)
    result = run_estimate(
        work,
        hardware=hardware,
        devices=devices,
        device_hours=device_hours,
        duration=duration,
        params=params,
        tokens=tokens,
        flops_per_param_token=flops_per_param_token,
        active_params=active_params,
        bytes_per_param=bytes_per_param,
        repeats=repeats,
        utilization=utilization,
        peak=peak,
        precision=precision,
        power=power,
        pue=pue,
        carbon_intensity=carbon_intensity,
        region=region,
        price=price,
        discount=discount,
        owned=owned,
        purchase_price=purchase_price,
        useful_life=useful_life,
        electricity_price=electricity_price,
        carbon_price=carbon_price,
        currency=currency,
        fx_rate=fx_rate,
        embodied=embodied,
        year=year,
        samples=samples,
        seed=seed,
        equivalents=equivalents,
        catalog=ws.catalog(),
        settings=ws.settings(),
    )
    given = [
        f"{k.replace('_', ' ')} {v}"
        for k, v in ctx.params.items()
        if v is not None and not isinstance(v, bool) and k not in ("output_format", "value")
    ]
    _emit(result, output_format, value, ", ".join(given))


def _emit(result: Any, output_format: Format, value: str | None, given: str = "") -> None:
    from costcalc import finite, render

    # the one check, before any format: a result that is not finite names the inputs
    finite.require_finite(render.to_dict(result), inputs=given)

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
    elif color_stdout():
        from rich.console import Console

        render.render_table(result, Console())
    else:
        sys.stdout.write(render.render_plain(result))
