"""Options shared by the commands that price a workload (budget, scale), and their
common plumbing: options passed on by name, output to a rich table on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

import typer
from typer.core import TyperCommand


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class PanelCommand(TyperCommand):
    """A command whose --help groups its options under headings: the registry's panels
    (Work, Model, Hardware, Site, Money, Uncertainty, Output: costcalc.inputs.PANELS), in
    that order, from each option's ``rich_help_panel``; then any other panel; then
    "Options" for the rest. Plain click help, without rich."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        from costcalc.inputs import PANELS

        arguments: list[tuple[str, str]] = []
        panels: dict[str, list[tuple[str, str]]] = {name: [] for name in PANELS}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            panel = getattr(param, "rich_help_panel", None)
            if panel:
                panels.setdefault(panel, []).append(record)
            elif param.param_type_name == "argument":
                arguments.append(record)
            else:
                panels.setdefault(OTHER_PANEL, []).append(record)
        panels[OTHER_PANEL] = panels.pop(OTHER_PANEL, [])  # last
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        for name, records in panels.items():
            if records:
                with formatter.section(name):
                    formatter.write_dl(records)


# The heading of the options that declare no panel (--help among them).
OTHER_PANEL = "Options"


def core_options(ctx: typer.Context, *cli_only: str) -> dict[str, Any]:
    """The command's arguments and options as keyword arguments of its core function
    (each is named as the keyword it fills), without the CLI's own (``cli_only``); the
    catalog and the config-file defaults of the user's workspace come along, so their
    own profiles resolve and their defaults apply."""
    from costcalc.cli import workspace

    ws = workspace(ctx)
    options = {k: v for k, v in ctx.params.items() if k not in cli_only}
    return dict(options, catalog=ws.catalog(), settings=ws.settings())


def option(help: str, *names: str, **more: Any) -> Any:
    """A typer option named ``names`` (else after its parameter) that shows no default:
    the default is said in ``help`` where there is one."""
    return typer.Option(*names, help=help, show_default=False, **more)


def format_option(help: str = "Output format.", **more: Any) -> Any:
    """The --format (-f) option; its choices are the command's Format enum."""
    return typer.Option("--format", "-f", help=help, **more)


def emit(render: Callable[..., str], result: Any, output_format: Format) -> None:
    """``render(result, format)`` to stdout; a table on a terminal as rich tables."""
    from costcalc.cli import color_stdout

    if output_format is Format.table and color_stdout():
        from rich.console import Console

        render(result, output_format.value, Console())
    else:
        sys.stdout.write(render(result, output_format.value))


# A sweep takes every axis as a list or a range.
AXIS_HELP = "A list (8,64,512) or a range (8..4096:10log, lo..hi:N)."


def input_help(name: str, axis: bool = False) -> str:
    """The --help text of input ``name``, from its one declaration (costcalc.inputs):
    what it is, what a bare number means, and where its default comes from."""
    from costcalc.inputs import INPUTS
    from costcalc.units import KINDS

    i = INPUTS[name]
    text = i.help.rstrip(".")
    if i.kind is not None and KINDS[i.kind].bare_help:
        text += f" ({KINDS[i.kind].bare_help})"
    parts = [text + "."]
    if axis and i.kind is None:
        parts.append("A comma-separated list" + (" or 'all'." if name == "hardware" else "."))
    elif axis:
        parts.append(AXIS_HELP)
    if i.default:
        parts.append(f"Default: {i.default}.")
    return " ".join(parts)


def input_option(name: str, axis: bool = False) -> Any:
    """The typer option of input ``name``, from its one declaration: the parameter's
    default (``None``: not given), as typer reads it (no ``Annotated`` to build per input:
    ~60 of them on every start)."""
    from costcalc.inputs import INPUTS

    i = INPUTS[name]
    if i.argument:
        return typer.Argument(
            None,
            help=input_help(name, axis),
            metavar=name.upper(),
            show_default=False,
            rich_help_panel=i.panel,
        )
    names = (i.flag, i.short) if i.short else (i.flag,)
    return typer.Option(
        None,
        *names,
        help=input_help(name, axis),
        metavar="LIST" if axis else i.metavar,
        show_default=False,
        autocompletion=completer(name),
        rich_help_panel=i.panel,
    )


def completer(name: str) -> Callable[[str], list[str]] | None:
    """Shell completion of the names an input takes (hardware profiles, regions,
    architectures)."""
    if name == "hardware":

        def hardware(incomplete: str) -> list[str]:
            from costcalc.hardware import default_catalog

            return [n for n in default_catalog().all() if n.startswith(incomplete)]

        return hardware
    if name == "region":

        def region(incomplete: str) -> list[str]:
            from costcalc.tables import regions

            return [r for r in regions() if r.lower().startswith(incomplete.lower())]

        return region
    if name == "arch":

        def arch(incomplete: str) -> list[str]:
            from costcalc import workload_shape

            return [a for a in workload_shape.catalog() if a.startswith(incomplete)]

        return arch
    return None


def with_inputs(*names: str, axis: bool = False) -> Callable[[Callable[..., Any]], Any]:
    """Give a command the options of ``names``, declared once in costcalc.inputs: they are
    added to its signature (typer reads it), and reach it as keyword arguments."""
    import inspect
    from typing import get_type_hints

    def add(command: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(command, eval_str=True)
        own = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
        context = [p for p in own if p.name == "ctx"]
        rest = [p.replace(kind=p.KEYWORD_ONLY) for p in own if p.name != "ctx"]
        extra = [
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=input_option(name, axis),
                annotation=str | None,
            )
            for name in names
        ]
        # Help lists the declared inputs first, then the command's own options.
        command.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*context, *extra, *rest]
        )
        command.__annotations__ = {
            **get_type_hints(command, include_extras=True),
            **{p.name: p.annotation for p in extra},
        }
        return command

    return add


# The inputs of the model, which every command that prices a workload takes.
MODEL_INPUTS = (
    "hardware",
    "devices",
    "utilization",
    "precision",
    "peak",
    "power",
    "pue",
    "carbon_intensity",
    "region",
    "price",
    "provider",
    "pricing",
)


# The model's shape, which budget and scale take too (the estimate's Model panel, without
# the measured throughput: a budget or a scaled run has not been measured).
def _shape_inputs() -> tuple[str, ...]:
    from costcalc.inputs import FLAG, INPUTS

    measured = ("throughput", "step_time", "batch_tokens")
    return tuple(
        name
        for name, i in INPUTS.items()
        if i.panel == "Model" and FLAG in i.places and name not in measured
    )


SHAPE_INPUTS = _shape_inputs()


def workload_command(app: typer.Typer) -> Callable[[Callable[..., Any]], Any]:
    """Register on ``app`` a command that prices a workload (budget, scale): help in
    panels, and the options of the model's inputs and of its shape."""

    def register(command: Callable[..., Any]) -> Any:
        return app.command(cls=PanelCommand)(with_inputs(*MODEL_INPUTS, *SHAPE_INPUTS)(command))

    return register


OutputFormat = Annotated[Format, format_option(rich_help_panel="Output")]
