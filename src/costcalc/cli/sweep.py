"""``costcalc sweep``: many scenarios at once, with constraints, ranking and Pareto fronts."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated, Any

import typer

from costcalc import inputs as registry
from costcalc.cli import _options as o
from costcalc.cli import color_stdout, command_app


class Format(str, Enum):
    table = "table"
    csv = "csv"
    jsonl = "jsonl"
    json = "json"
    parquet = "parquet"


cli = command_app()
# The sweep axes that are options (declared in costcalc.inputs; flops is WORK).
SWEEP_FLAGS = tuple(name for name in registry.accepted(registry.SWEEP) if name != "flops")


@cli.command(cls=o.PanelCommand)
@o.with_inputs(*SWEEP_FLAGS, axis=True)
def sweep(
    ctx: typer.Context,
    work: Annotated[
        str | None,
        typer.Argument(
            metavar="WORK",
            help="Training compute (bare number: FLOP): a value, a list (1e20,1e22) or a "
            "range: 1e20..1e24:5log "
            "(5 log-spaced points) or lo..hi:N (N linear points).",
            show_default=False,
        ),
    ] = None,
    zip_axes: Annotated[
        bool,
        typer.Option("--zip", help="Pair the lists (all of one length) instead of crossing them."),
    ] = False,
    spec: Annotated[
        str | None,
        o.option(
            "A YAML file with the same names (flops, hardware, ..., where, sort, top).", "--spec"
        ),
    ] = None,
    where: Annotated[
        str | None,
        o.option('Keep rows that match: "wall_clock_hours <= 336 and co2e_kg < 30 t".', "--where"),
    ] = None,
    sort: Annotated[
        str | None, o.option("Sort by a column; -column for descending.", "--sort")
    ] = None,
    top: Annotated[
        int | None, o.option("Keep the first N rows (with --sort or --pareto).", "--top")
    ] = None,
    pareto: Annotated[
        str | None,
        o.option("Keep the Pareto front (minimised): cost_usd,wall_clock_hours.", "--pareto"),
    ] = None,
    output_format: Annotated[
        Format, o.format_option("Output format (parquet needs pyarrow).")
    ] = Format.table,
    output: Annotated[
        str | None, o.option("Write to this file (atomically) instead of stdout.", "--output", "-o")
    ] = None,
    max_scenarios: Annotated[
        str | None, o.option("Refuse sweeps larger than this (default 1e9).", "--max-scenarios")
    ] = None,
    plot: Annotated[
        str | None,
        o.option("Also draw the rows to FILE.png or FILE.svg (needs matplotlib).", "--plot"),
    ] = None,
    plot_y: Annotated[
        str | None, o.option("Column to plot (default cost_usd).", "--plot-y")
    ] = None,
    **inputs: Any,
) -> None:
    """Sweep the inputs over lists and ranges: every scenario's time, energy, cost and CO2e."""
    from costcalc.cli import workspace
    from costcalc.sweeps import plan_command

    flags = {
        "flops": work,
        **inputs,
        "where": where,
        "sort": sort,
        "top": top,
        "pareto": pareto,
        "zip": zip_axes or None,
        "max_scenarios": max_scenarios,
    }
    ws = workspace(ctx)
    prepared = plan_command(flags, spec, settings=ws.settings(), catalog=ws.catalog())
    _emit(prepared, output_format.value, output, plot, plot_y)


def _emit(
    prepared: Any, output_format: str, output: str | None, plot: str | None, plot_y: str | None
) -> None:
    from costcalc.render import sweep as render_sweep

    if plot is not None:
        from costcalc.plot import check_plot

        check_plot(plot, prepared, plot_y)
    if output_format == "parquet":
        render_sweep.check_parquet()
    if output is not None:
        from costcalc.atomic import output_target

        output_target(output, where="--output")  # before the rows are computed
    progress = _progress(prepared)
    try:
        if output_format == "table" and output is None:
            limit = prepared.query.top or render_sweep.TABLE_ROWS
            if color_stdout():
                from rich.console import Console

                render_sweep.render_table(prepared, limit, Console())
            else:
                sys.stdout.write(render_sweep.render_table(prepared, limit))
        elif output is not None:
            from costcalc.atomic import atomic_open

            with atomic_open(output, binary=True, where="--output") as f:
                render_sweep.write(prepared, output_format, f)
        else:
            sys.stdout.flush()
            render_sweep.write(prepared, output_format, sys.stdout.buffer)
            sys.stdout.buffer.flush()
    finally:
        if progress is not None:
            progress.stop()
    if plot is not None:
        from costcalc.plot import draw

        draw(prepared, plot, plot_y)


def _progress(prepared: Any) -> Any:
    """A progress bar on stderr for long sweeps, only when stderr is a terminal."""
    if prepared.grid.size < 5_000_000 or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(console=Console(stderr=True), transient=True)
    task = bar.add_task("sweeping", total=prepared.grid.size)
    bar.start()
    prepared.progress = lambda done, total: bar.update(task, completed=done)
    return bar
