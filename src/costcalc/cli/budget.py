"""``costcalc budget``: what a budget of money, energy, CO2e or time buys."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from costcalc.cli import _options as o
from costcalc.cli import command_app

cli = command_app()


@o.workload_command(cli)
def budget(
    ctx: typer.Context,
    amount: Annotated[
        str,
        typer.Argument(
            help="The budget, with its unit: 10000USD, 500MWh, '20 t' (CO2e), 7days.",
            show_default=False,
        ),
    ],
    flops: Annotated[
        str | None,
        o.option(
            "With a deadline: the work to finish (e.g. 1e24; bare number: FLOP); "
            "answers how many devices are needed."
        ),
    ] = None,
    params: Annotated[
        str | None, o.option("Model parameters for the memory floor (e.g. 70B).")
    ] = None,
    bytes_per_param: Annotated[
        str | None,
        o.option("Training-state bytes per parameter (default 16).", "--bytes-per-param"),
    ] = None,
    output_format: o.OutputFormat = o.Format.table,
    value: Annotated[
        str | None,
        o.option(
            "Print one bare number: flops, params, tokens, devices_needed, or an "
            "estimate field (cost_usd, energy_kwh, ...).",
            "--value",
        ),
    ] = None,
    **inputs: Any,
) -> None:
    """How much compute a budget buys, and the compute-optimal model for it."""
    from costcalc.inverse import budget as run_budget
    from costcalc.render import workloads as render_workloads

    result = run_budget(**o.core_options(ctx, "output_format", "value"))
    if value is not None:
        sys.stdout.write(render_workloads.render_budget_value(result, value))
    else:
        o.emit(render_workloads.render_budget, result, output_format)
