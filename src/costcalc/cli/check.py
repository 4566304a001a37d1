"""``costcalc check``: a plan's runs against its budgets; exit 1 when a budget is exceeded."""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated

import typer


class Format(str, Enum):
    table = "table"
    markdown = "markdown"
    github = "github"
    json = "json"
    hf_card = "hf-card"
    latex = "latex"


cli = typer.Typer(add_completion=False, rich_markup_mode=None)


@cli.command()
def check(
    ctx: typer.Context,
    plan: Annotated[
        str | None,
        typer.Option(
            "--plan",
            "-p",
            help="Plan file (default: costcalc.yaml in the current directory).",
            show_default=False,
        ),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            "-b",
            help="An older plan, or a report of 'costcalc check --format json': show the "
            "change and check max_increase budgets.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="table; markdown (PR comment); github (annotations, and the Markdown "
            "summary to $GITHUB_STEP_SUMMARY); json; hf-card; latex.",
        ),
    ] = Format.table,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail (exit 1) on warnings too.")
    ] = False,
    allow_infeasible: Annotated[
        bool,
        typer.Option(
            "--allow-infeasible",
            help="A run that does not fit in the devices' memory is a warning, not a failure.",
        ),
    ] = False,
    init: Annotated[
        bool,
        typer.Option("--init", help="Write a commented starter plan (never overwrites) and exit."),
    ] = False,
) -> int:
    """Check a plan's training runs against its budgets (exit 0 ok, 1 over, 2 invalid)."""
    from costcalc import budget
    from costcalc.cli import workspace

    if init:
        path = budget.write_new(
            plan if plan is not None else budget.PLAN_FILE, budget.starter_plan()
        )
        sys.stderr.write(f"costcalc: wrote {path}; edit it, then run 'costcalc check'\n")
        return 0
    ws = workspace(ctx)
    report = budget.check(plan, baseline, settings=ws.user_settings(), catalog=ws.catalog())
    report.allow_infeasible = allow_infeasible

    from costcalc import render_check

    text = render_check.render(report, output_format.value, strict)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if output_format is Format.github and summary:
        budget.append_summary(summary, render_check.render_markdown(report))
    sys.stdout.write(text)
    return report.exit_code(strict)
