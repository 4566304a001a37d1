"""``costcalc runs``: the catalog of reference training runs (GPT-3, PaLM, ...)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from costcalc.cli import group
from costcalc.cli._options import Format, OutputFormat

cli = group("Reference training runs (Epoch AI data, each with its own source): list, show.")


@cli.command("list")
def list_runs(output_format: OutputFormat = Format.table) -> None:
    """List the reference runs: slug, year, parameters, compute, hardware, confidence."""
    from costcalc import runs
    from costcalc.render import workloads as render_workloads

    sys.stdout.write(
        render_workloads.render_runs_list(list(runs.catalog().values()), output_format.value)
    )


@cli.command("show")
def show_run(
    run: Annotated[str, typer.Argument(help="Run slug, alias or unique prefix: gpt-3, palm.")],
    output_format: OutputFormat = Format.table,
) -> None:
    """Show one reference run with its numbers and sources."""
    from costcalc import public_estimates, runs
    from costcalc.render import workloads as render_workloads

    found = runs.find(run, "RUN")
    public = public_estimates.explain(found.slug)
    sys.stdout.write(render_workloads.render_run(found, output_format.value, public=public or None))
