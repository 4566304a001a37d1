"""``costcalc calibrate``: measure this machine and write the profile ``--hardware local`` uses."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from costcalc.cli import command_app
from costcalc.cli._options import option


def _progress(message: str) -> None:
    sys.stderr.write(f"costcalc calibrate: {message}\n")
    sys.stderr.flush()


cli = command_app()


@cli.command()
def calibrate(
    seconds: Annotated[
        float,
        typer.Option(
            "--seconds",
            help="Time budget for the measurement, in seconds (1 to 3600). Longer is steadier.",
        ),
    ] = 10.0,
    output: Annotated[
        str | None,
        option(
            "Write the profile here instead of <config dir>/profiles/local.yaml "
            "(config dir: $COSTCALC_CONFIG_DIR or the platform's user config directory).",
            "--output",
            "-o",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing profile file.")
    ] = False,
) -> None:
    """Measure this machine's matrix-multiply throughput and write it as a profile
    for --hardware local."""
    from costcalc.calibrate import calibrate as run_calibrate
    from costcalc.render.calibrate import render_calibration

    result = run_calibrate(seconds, output=output, force=force, progress=_progress)
    sys.stdout.write(render_calibration(result))
