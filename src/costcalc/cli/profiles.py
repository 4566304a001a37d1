"""``costcalc profiles``: list, show, validate and create hardware profiles."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from costcalc.cli import EXIT_USAGE, group, workspace
from costcalc.cli._catalog import (
    ListFormat,
    ListFormatOption,
    ShowFormat,
    ShowFormatOption,
    write_list,
)
from costcalc.cli._options import option

cli = group("Hardware profiles: list, show, validate, schema, new.")


@cli.command("list")
def list_(
    ctx: typer.Context,
    vendor: Annotated[str | None, option("Only this vendor, e.g. NVIDIA.")] = None,
    kind: Annotated[str | None, option("Only this kind: gpu, tpu, accelerator or cpu.")] = None,
    min_memory: Annotated[
        str | None,
        option("At least this much memory, e.g. 80GB (bare number: GB).", "--min-memory"),
    ] = None,
    sort: Annotated[
        str,
        typer.Option(
            help="Sort by a column: name, vendor, kind, form, chips, year, precision, peak, "
            "memory, bandwidth, tdp, price, from."
        ),
    ] = "name",
    reverse: Annotated[bool, typer.Option("--reverse", help="Largest first.")] = False,
    output_format: ListFormatOption = ListFormat.table,
) -> None:
    """List hardware profiles (shipped and your own) with their key figures."""
    from costcalc.profiles import list_profiles
    from costcalc.render import catalog as render_catalog

    entries = list_profiles(
        workspace(ctx).catalog(),
        vendor=vendor,
        kind=kind,
        min_memory=min_memory,
        sort=sort,
        reverse=reverse,
    )
    write_list(
        entries, output_format, render_catalog.profile_rows, render_catalog.render_profile_list
    )


@cli.command()
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Profile name or alias, e.g. h100-sxm.")],
    output_format: ShowFormatOption = ShowFormat.table,
) -> None:
    """Show every field of a profile with its source and date."""
    from costcalc.render import catalog as render_catalog

    entry = workspace(ctx).catalog().entry(name)
    sys.stdout.write(render_catalog.render_profile(entry, output_format.value))


@cli.command()
def validate(
    ctx: typer.Context,
    paths: Annotated[
        list[str], typer.Argument(help="Profile files or directories of *.yaml files.")
    ],
) -> None:
    """Check profile files: exit 0 if all are valid, else list every problem
    (file:line: field: message) and exit 2."""
    from costcalc.profiles import validate_files
    from costcalc.render import catalog as render_catalog

    files = [_path(p, "PATH") for p in paths]
    results = validate_files(files, workspace(ctx).catalog())
    sys.stdout.write(render_catalog.render_validation(results))
    if any(r.problems for r in results):
        raise typer.Exit(EXIT_USAGE)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of a profile file, for editors' YAML validation."""
    from costcalc.profiles import schema_path

    sys.stdout.write(schema_path().read_text(encoding="utf-8"))


@cli.command()
def new(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Name of the new profile, e.g. my-h100.")],
    base: Annotated[
        str | None,
        option("Inherit from this profile and override a few fields."),
    ] = None,
    directory: Annotated[
        str | None,
        option(
            "Where to write NAME.yaml (default: your profiles directory, "
            "<config dir>/costcalc/profiles).",
            "--dir",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a profile template to fill in (never overwrites without --force)."""
    from costcalc.paths import user_profiles_dir
    from costcalc.profiles import new_profile

    path = new_profile(
        name,
        _path(directory, "--dir") if directory is not None else user_profiles_dir(),
        catalog=workspace(ctx).catalog(),
        base=base,
        force=force,
    )
    sys.stdout.write(f"wrote {path}\nedit it, then: costcalc profiles validate {path}\n")


def _path(text: str, where: str) -> Path:
    """A path given on the command line; "" is refused (``Path("")`` is the working
    directory, never what was meant)."""
    if not text:
        from costcalc.errors import InputError

        raise InputError("expected a path, got an empty one", where)
    return Path(text)
