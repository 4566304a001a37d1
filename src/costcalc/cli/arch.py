"""``costcalc arch``: the catalog of model architectures (Llama, GPT-3, Mixtral, ...)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from costcalc.cli import group
from costcalc.cli._options import Format, OutputFormat

cli = group(
    "Model architectures (shapes from the models' published configs and papers, each "
    "sourced; your own as YAML in the config directory's architectures/): list, show."
)


@cli.command("list")
def list_archs(output_format: OutputFormat = Format.table) -> None:
    """List the architectures: shape, sequence length and parameters counted from it."""
    from costcalc import workload_shape
    from costcalc.render import arch as render_arch

    archs = [workload_shape.summary(d) for d in workload_shape.architectures()]
    sys.stdout.write(render_arch.render_list(archs, output_format.value))


@cli.command("show")
def show_arch(
    arch: Annotated[str, typer.Argument(help="Architecture name or alias: llama-2-7b.")],
    output_format: OutputFormat = Format.table,
) -> None:
    """Show one architecture with its shape, parameter counts and sources."""
    from costcalc import workload_shape
    from costcalc.render import arch as render_arch

    doc = workload_shape.summary(workload_shape.find(arch, "ARCH"))
    sys.stdout.write(render_arch.render_show(doc, output_format.value))
