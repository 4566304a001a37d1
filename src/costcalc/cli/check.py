"""``costcalc check``: a plan's runs against its budgets; exit 1 when a budget is exceeded."""

from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Annotated

import typer

from costcalc.cli import command_app
from costcalc.cli._options import PanelCommand, format_option, option


class Format(str, Enum):
    table = "table"
    markdown = "markdown"
    github = "github"
    json = "json"
    hf_card = "hf-card"
    latex = "latex"
    gitlab = "gitlab"
    html = "html"


cli = command_app()


@cli.command(cls=PanelCommand)
def check(
    ctx: typer.Context,
    plan: Annotated[
        str | None,
        option("Plan file (default: costcalc.yaml in the current directory).", "--plan", "-p"),
    ] = None,
    baseline: Annotated[
        str | None,
        option(
            "An older plan, a report of 'costcalc check --format json', or git:REF "
            "(the plan at a git ref: git:main, git:HEAD~1): show the change, the inputs "
            "that changed, and check max_increase budgets.",
            "--baseline",
            "-b",
        ),
    ] = None,
    output_format: Annotated[
        Format,
        format_option(
            "table; markdown (PR comment); github (annotations, the Markdown summary "
            "to $GITHUB_STEP_SUMMARY, verdict/cost_usd/co2e_kg to $GITHUB_OUTPUT); json; "
            "hf-card; latex; gitlab (Code Quality JSON); html (a self-contained page)."
        ),
    ] = Format.table,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Fail (exit 1) on warnings too: budgets near their limit and inputs outside "
            "published practice.",
        ),
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
    from costcalc.errors import CostcalcError, DataError
    from costcalc.render import check as render_check

    github = output_format is Format.github
    summary = os.environ.get("GITHUB_STEP_SUMMARY") if github else None
    outputs = os.environ.get("GITHUB_OUTPUT") if github else None
    try:
        report = budget.check(
            plan, baseline, settings=ws.user_settings(), catalog=ws.catalog(), strict=strict
        )
        report.allow_infeasible = allow_infeasible
    except CostcalcError as e:
        if github:  # every problem as an annotation, all of them in the summary; exit 2
            problems = e.problems if isinstance(e, DataError) else [str(e)]
            source = plan if plan is not None else budget.PLAN_FILE
            commands = render_check.problem_commands(problems, source)
            sys.stdout.write("".join(c + "\n" for c in commands))
            if summary:
                budget.append_summary(summary, render_check.problems_markdown(problems, source))
            if outputs:
                budget.append_outputs(
                    outputs, {"verdict": "invalid", "cost_usd": "", "co2e_kg": ""}
                )
        if output_format is Format.gitlab:  # the Code Quality report names every problem
            problems = e.problems if isinstance(e, DataError) else [str(e)]
            source = plan if plan is not None else budget.PLAN_FILE
            sys.stdout.write(render_check.problems_gitlab(problems, source))
        raise

    if output_format.value == "html":  # built on render_check's pieces, so chosen here
        from costcalc.render.html import render_html

        text = render_html(report, strict)
    else:
        text = render_check.render(report, output_format.value, strict)
    # The step outputs first: if they cannot be written, no summary says "within budget".
    if outputs:
        budget.append_outputs(outputs, render_check.github_outputs(report, strict))
    if summary:
        budget.append_summary(summary, render_check.render_markdown(report))
    sys.stdout.write(text)
    return report.exit_code(strict)
