"""``costcalc runs``: the catalog of reference training runs (GPT-3, PaLM, ...)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from costcalc.cli import app
from costcalc.cli._options import Format, OutputFormat

runs_app = typer.Typer(
    help="Reference training runs (Epoch AI data, each with its own source): list, show.",
    no_args_is_help=True,
)
app.add_typer(runs_app, name="runs")


@runs_app.command("list")
def list_runs(output_format: OutputFormat = Format.table) -> None:
    """List the reference runs: slug, year, parameters, compute, hardware, confidence."""
    from costcalc import render_workloads, runs

    sys.stdout.write(
        render_workloads.render_runs_list(list(runs.catalog().values()), output_format.value)
    )


@runs_app.command("show")
def show_run(
    run: Annotated[str, typer.Argument(help="Run slug, alias or unique prefix: gpt-3, palm.")],
    output_format: OutputFormat = Format.table,
) -> None:
    """Show one reference run with its numbers and sources."""
    from costcalc import render_workloads, runs

    sys.stdout.write(render_workloads.render_run(runs.find(run, "RUN"), output_format.value))
