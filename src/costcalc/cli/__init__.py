"""The command line: parse flags, call one core function, hand the result to the renderer.

This is the only place where errors become exit codes: 0 ok, 1 a budget check failed,
2 invalid input or usage, 70 internal error (a bug: the traceback is shown).
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from costcalc import __version__
from costcalc.cli import _coerce
from costcalc.errors import CostcalcError, printable

EXIT_OK, EXIT_BUDGET, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70


def _error(message: str) -> None:
    sys.stderr.write(f"costcalc: error: {message}\n")


class _Group(TyperGroup):
    """Runs the app with one error boundary, whether called from main() or a test runner."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        try:
            with _coerce.light_coercion():
                code = super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[misc]
            code = code if isinstance(code, int) else EXIT_OK
        except CostcalcError as e:
            _error(str(e))
            code = e.exit_code
        except typer.TyperException as e:  # click's usage errors: unknown option, bad value
            ctx = getattr(e, "ctx", None)
            if type(e).__name__ == "NoArgsIsHelpError":  # bare `costcalc`: the help itself
                sys.stderr.write(f"{e.format_message()}\n")
            else:
                where = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
                _error(printable(f"{e.format_message()}{where}"))
            code = getattr(e, "exit_code", EXIT_USAGE)
        except typer.Abort:
            _error("aborted")
            code = 130
        except BrokenPipeError:
            # The reader went away (e.g. `| head`): not an error of ours.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            code = EXIT_OK
        except Exception:  # noqa: BLE001 - the boundary: anything else is a bug to report
            traceback.print_exc()
            _error("internal error (a bug in costcalc); please report it with the traceback")
            code = EXIT_INTERNAL
        if standalone_mode:
            sys.exit(code)
        return code


app = typer.Typer(
    cls=_Group,
    name="costcalc",
    help="What does training cost? Compute -> wall-clock time, device-hours, energy, money "
    "and CO2e, with every assumption shown and sourced.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"costcalc {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """costcalc: training-cost estimates you can check."""


# Each command lives in its own module and registers itself on ``app``.
from costcalc.cli import estimate as _estimate  # noqa: E402,F401


def main() -> None:
    app(prog_name="costcalc")
