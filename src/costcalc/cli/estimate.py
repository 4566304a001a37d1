"""``costcalc estimate``: one training run, from compute (or device-time) to money and CO2e."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated, Any

import typer

from costcalc import inputs as registry
from costcalc.cli import _options as o
from costcalc.cli import color_stdout, command_app, workspace


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    yaml = "yaml"
    markdown = "markdown"


cli = command_app()


@cli.command(cls=o.PanelCommand)
@o.with_inputs(*registry.accepted(registry.FLAG))
def estimate(
    ctx: typer.Context,
    owned: Annotated[
        bool,
        typer.Option(
            "--owned",
            help="Owned hardware: amortized purchase price plus electricity, not a cloud price.",
            rich_help_panel="Money",
        ),
    ] = False,
    embodied: Annotated[
        bool,
        typer.Option(
            "--embodied",
            help="Add the manufacturing (embodied) CO2e, amortized per device-hour, where a "
            "source gives the device's footprint.",
            rich_help_panel="Site",
        ),
    ] = False,
    equivalents: Annotated[
        bool,
        typer.Option(
            "--equivalents/--no-equivalents",
            help="Show CO2e and energy as everyday equivalents.",
            rich_help_panel="Output",
        ),
    ] = True,
    band: Annotated[
        bool,
        typer.Option(
            "--range/--no-range",
            help="Show the default 90 % band of every output (from the spread of the inputs "
            "costcalc assumed; inputs you give are exact).",
            rich_help_panel="Uncertainty",
        ),
    ] = True,
    output_format: Annotated[Format, o.format_option(rich_help_panel="Output")] = Format.table,
    value: Annotated[
        str | None,
        typer.Option(
            "--value",
            help="Print one bare number: flops, wall_clock_hours, device_hours, "
            "energy_kwh, cost_usd or co2e_kg.",
            show_default=False,
            rich_help_panel="Output",
        ),
    ] = None,
    **inputs: Any,
) -> None:
    """Estimate time, energy, cost and CO2e of a training run.

    Numeric inputs may be ranges (30%..50%) or distributions (triangular(a,mode,b),
    lognormal(median,sigma)): the result then gives 5th/50th/95th percentiles.
    """
    from costcalc.outlook import estimate as run_estimate

    ws = workspace(ctx)
    result = run_estimate(
        **inputs,
        owned=owned,
        embodied=embodied,
        equivalents=equivalents,
        band=band,
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
    from costcalc import finite
    from costcalc.render import estimate as render

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
