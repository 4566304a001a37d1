"""``costcalc scale``: the compute (and cost) of a better model."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from costcalc.cli import _options as o
from costcalc.cli import command_app

cli = command_app()


@o.workload_command(cli)
def scale(
    ctx: typer.Context,
    work: Annotated[
        str | None,
        typer.Argument(
            metavar="WORK",
            help="The base: a reference run (gpt-3) or its compute (3.14e23).",
            show_default=False,
        ),
    ] = None,
    improvement: Annotated[
        str | None, o.option("K: how many times lower the error should be.")
    ] = None,
    exponent: Annotated[
        str | None,
        o.option(
            "E: compute grows as K^E (default 9, observed; theory says at least 4: "
            "Thompson et al. 2021)."
        ),
    ] = None,
    fit: Annotated[
        str | None,
        o.option("Fit a power law to your own points: a CSV (columns compute,error) or YAML list."),
    ] = None,
    target: Annotated[str | None, o.option("With --fit: the error (or loss) to reach.")] = None,
    output_format: o.OutputFormat = o.Format.table,
    **inputs: Any,
) -> None:
    """Compute, cost, energy and CO2e of a K-fold better model, or of a target error."""
    from costcalc.render import workloads as render_workloads
    from costcalc.scaling import scale as run_scale

    result = run_scale(**o.core_options(ctx, "output_format"))
    o.emit(render_workloads.render_scaled, result, output_format)
