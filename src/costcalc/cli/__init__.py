"""The command line: parse flags, call one core function, hand the result to the renderer.

This is the only place where errors become exit codes: 0 ok, 1 a budget check failed,
2 invalid input or usage, 70 internal error (a bug: the traceback is shown), 130
interrupted (Ctrl-C). Standard output (see costcalc.stdio): a reader that went away
(``| head``) is exit 0 and silent; a closed or failing stdout is exit 2 with one line,
like any other place that cannot be written. Other terminating signals end the process
as their sender meant, after any temporary file is removed (costcalc.atomic).
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from costcalc import __version__, stdio
from costcalc.cli._help import epilog
from costcalc.errors import CostcalcError, printable, spelling

if TYPE_CHECKING:
    from costcalc.config import Workspace

EXIT_OK, EXIT_BUDGET, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


def flag(name: str) -> str:
    """How the command line spells input ``name``: its option (``--top-k``), or ``WORK``
    for the argument. The core names inputs by keyword (costcalc.errors.ref); while a
    command runs, its messages spell them this way."""
    from costcalc.inputs import INPUTS

    found = INPUTS.get(name)
    return found.flag if found is not None else "--" + name.replace("_", "-")


def _error(message: str) -> None:
    sys.stderr.write(f"costcalc: error: {message}\n")


def usage_error(e: Exception) -> str:
    """A usage error of the command-line parser (click, through typer) as ``<where>:
    <what>``: ``--top: 'abc' is not a valid int``, ``--hardwre: no such option (did you
    mean '--hardware'?)``. Read from the exception's public attributes (``param``,
    ``param_hint``, ``option_name``, ``possibilities``, ``message``, ``ctx``); anything
    else keeps click's own sentence."""
    ctx = getattr(e, "ctx", None)
    see = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    message = str(getattr(e, "message", "") or "").rstrip(".")
    param = getattr(e, "param", None)
    if param is not None or getattr(e, "param_hint", None) is not None:  # BadParameter
        where = _param_name(param, getattr(e, "param_hint", None))
        if not message:  # a missing argument or option
            return f"{where}: expected a value{see}"
        return f"{where}: {message}"
    option = getattr(e, "option_name", None)
    if isinstance(option, str) and option:
        possibilities = getattr(e, "possibilities", None)
        if possibilities is not None or message.startswith("No such option"):
            close = [f"'{p}'" for p in possibilities or ()]
            hint = ", ".join(close[:-1]) + " or " if len(close) > 1 else ""
            hint = f" (did you mean {hint}{close[-1]}?)" if close else ""
            return f"{option}: no such option{hint}{see}"
        if message.endswith("requires an argument"):
            return f"{option}: expected a value after it"
        return f"{option}: {_lower(message.replace(f'Option {option!r} ', '', 1))}"
    # the command (budget, runs list), as where
    where = " ".join(ctx.command_path.split()[1:]) or ctx.command_path if ctx is not None else ""
    extra = message.removeprefix("Got unexpected extra argument")
    if extra != message and where:
        words = extra.removeprefix("(s)").removeprefix(" ").strip("()")
        return (
            f"{where}: unexpected extra argument(s): {words}; a value with spaces needs quotes{see}"
        )
    what = _lower(e.format_message() if hasattr(e, "format_message") else message)
    return f"{where}: {what}{see}" if where else what


def _param_name(param: Any, hint: Any) -> str:
    """A parameter as the command line spells it: its long option, or an argument's
    metavar (``WORK``)."""
    if isinstance(hint, str):
        return hint.strip("'\"")
    opts = list(hint) if hint else list(getattr(param, "opts", None) or [])
    if getattr(param, "param_type_name", "") == "argument":
        return str(getattr(param, "metavar", None) or getattr(param, "name", "") or "").upper()
    long = [o for o in opts if str(o).startswith("--")]
    return str((long or opts or [getattr(param, "name", "")])[0])


def _lower(text: str) -> str:
    """A sentence as the part after ``where:``: its first letter in lower case, no final
    period."""
    text = text.rstrip(".")
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


class _Interrupted(Exception):  # noqa: N818 - an event
    """Ctrl-C while a command ran (typer would turn it into a silent exit 130)."""


class _Group(TyperGroup):
    """Runs the app with one error boundary, whether called from main() or a test runner,
    and imports a command's module only when that command is wanted."""

    _loaded: dict[str, Any] = {}

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            from costcalc.errors import InputError, did_you_mean

            hint = did_you_mean(cmd_name, COMMANDS)
            raise InputError(f"no command '{cmd_name}'{hint}; see 'costcalc --help'")
        if cmd_name not in self._loaded:
            import importlib

            module = importlib.import_module(f"costcalc.cli.{cmd_name}")
            command = typer.main.get_command(module.cli)
            command.name = cmd_name
            from costcalc.cli._help import annotate

            annotate(command, cmd_name)
            self._loaded[cmd_name] = command
        return self._loaded[cmd_name]

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted() from None
        except BrokenPipeError:  # not through stdio.guard (embedded): click would exit 1
            raise stdio.ReaderGone() from None

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        stdio.degrade_output()
        stdout = sys.stdout
        try:
            # Every text the commands write goes through one filter: user text (profile
            # names, run names, sources) cannot act on the terminal.
            sys.stdout = stdio.TerminalSafe(stdout)  # type: ignore[assignment]
            with spelling(flag):  # inputs named as the command line takes them
                code = super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[misc]
            code = code if isinstance(code, int) else EXIT_OK
            stdio.flush()  # a failing stdout is found here, not at exit
        except stdio.ReaderGone:
            # The reader went away (e.g. `| head`): not an error of ours, and not exit 1.
            stdio.discard()
            code = EXIT_OK
        except stdio.StdoutError as e:
            stdio.discard()
            _error(str(e))
            code = e.exit_code
        except _Interrupted:
            _error("interrupted")
            code = EXIT_INTERRUPTED
        except CostcalcError as e:
            _error(str(e))
            code = e.exit_code
        except typer.TyperException as e:  # click's usage errors: unknown option, bad value
            _error(printable(usage_error(e)))
            code = getattr(e, "exit_code", EXIT_USAGE)
        except typer.Abort:
            _error("aborted")
            code = EXIT_INTERRUPTED
        except BrokenPipeError:
            # The reader went away (e.g. `| head`): not an error of ours.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            code = EXIT_OK
        except Exception:  # noqa: BLE001 - the boundary: anything else is a bug to report
            traceback.print_exc()
            _error("internal error (a bug in costcalc); please report it with the traceback")
            code = EXIT_INTERNAL
        finally:
            if isinstance(sys.stdout, stdio.TerminalSafe):
                sys.stdout = stdout
        if standalone_mode:
            sys.exit(code)
        return code


app = typer.Typer(
    cls=_Group,
    name="costcalc",
    help="What does training cost? Compute -> wall-clock time, device-hours, energy, money "
    "and CO2e, with every assumption shown and sourced.",
    invoke_without_command=True,  # bare `costcalc`: the help, on stderr, exit 2 (_root)
    epilog=epilog(""),
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
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    profiles_dirs: Annotated[
        list[str] | None,
        typer.Option(
            "--profiles-dir",
            help="Also read hardware profiles from DIR (repeatable; the first wins). "
            "Goes before the command: costcalc --profiles-dir ./hw estimate ...",
            metavar="DIR",
            show_default=False,
        ),
    ] = None,
) -> None:
    """costcalc: training-cost estimates you can check."""
    if ctx.invoked_subcommand is None:  # no command: show what there is, as a usage error
        sys.stderr.write(ctx.get_help() + "\n")
        raise typer.Exit(EXIT_USAGE)
    from costcalc.config import Workspace
    from costcalc.errors import InputError

    for d in profiles_dirs or []:
        if not d:  # Path("") is the working directory: never what was meant
            raise InputError("expected a directory, got an empty path", "--profiles-dir")

    ws = Workspace([Path(d) for d in profiles_dirs or []])
    ctx.obj = ws
    ctx.call_on_close(lambda: _warn(ws.warnings))


def color_stdout() -> bool:
    """Whether results go to a terminal that takes colour (rich tables) or to a pipe."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _warn(messages: list[str]) -> None:
    for message in messages:
        sys.stderr.write(f"costcalc: warning: {printable(message)}\n")


def workspace(ctx: typer.Context) -> Workspace:
    """The user's settings and profile search path, set up by the root callback."""
    from costcalc.config import Workspace

    obj = ctx.find_root().obj
    return obj if isinstance(obj, Workspace) else Workspace()


# Each command lives in its own module, which defines ``cli`` (a typer.Typer holding the
# command, or a group of them). The root group imports a module only when its command runs
# (or help lists them all): click's own lazy-group hooks, list_commands and get_command.
# Help lists them in this order.
COMMANDS = (
    "estimate",
    "sweep",
    "check",
    "budget",
    "scale",
    "runs",
    "arch",
    "profiles",
    "regions",
    "prices",
    "config",
    "calibrate",
)


def group(help: str) -> typer.Typer:
    """A command group (``costcalc runs``, ...): bare, it shows its help as a usage error."""
    sub = typer.Typer(
        help=help, invoke_without_command=True, add_completion=False, rich_markup_mode=None
    )

    @sub.callback()
    def _bare(ctx: typer.Context) -> None:
        if ctx.invoked_subcommand is None:
            sys.stderr.write(ctx.get_help() + "\n")
            raise typer.Exit(EXIT_USAGE)

    return sub


def command_app() -> typer.Typer:
    """The ``cli`` of a module that holds one command (estimate, sweep, check, ...)."""
    return typer.Typer(add_completion=False, rich_markup_mode=None)


def main(argv: list[str] | None = None) -> None:
    """The ``costcalc`` script."""
    app(args=sys.argv[1:] if argv is None else argv, prog_name="costcalc")
