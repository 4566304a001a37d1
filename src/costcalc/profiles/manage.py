"""Managing profile files: validating files against the catalog, the JSON Schema, and
writing a new profile from a template."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from costcalc import yamlio
from costcalc.errors import DataError, InputError, ref
from costcalc.profiles.catalog import Catalog
from costcalc.profiles.model import NAME_RE, Profile


class Checked(NamedTuple):
    """The verdict on one file given to ``costcalc profiles validate``."""

    path: str
    profile: Profile | None
    problems: tuple[str, ...]


def validate_files(paths: Sequence[Path | str], catalog: Catalog) -> list[Checked]:
    """Check each file (a directory means its ``*.yaml``), listing every problem as
    ``file:line: field: message``; names and aliases must be unique across the files."""
    files: list[Path] = []
    for p in map(Path, paths):
        files += yamlio.regular_files(p, "*.yaml", catalog.warnings) if p.is_dir() else [p]
    out = []
    seen: dict[str, str] = {}
    for path in files:
        try:
            prof = catalog.load_file(path)
        except DataError as e:
            out.append(Checked(str(path), None, tuple(e.problems)))
            continue
        problems = []
        for key in (prof.name, *prof.aliases):
            if key in seen:
                problems.append(f"{path}: name: '{key}' is also the name or alias in {seen[key]}")
            seen.setdefault(key, str(path))
        out.append(Checked(str(path), prof, tuple(problems)))
    return out


def schema_path() -> Path:
    """The JSON Schema of a profile file (for editors; ``costcalc profiles schema``)."""
    return Path(__file__).resolve().parent.parent / "data" / "profile.schema.json"


_TEMPLATE = """\
# yaml-language-server: $schema={schema}
# A costcalc hardware profile. Replace every null, then check the file with
#   costcalc profiles validate {path}
# Every number is a mapping {{value, source, date}}: where the figure comes from (datasheet,
# paper, price page) and the date of that source. Peaks are DENSE (without sparsity).
schema_version: 1
name: {name}
display_name: {name}
vendor: null            # e.g. NVIDIA
kind: gpu               # gpu, tpu, accelerator or cpu
form: gpu               # what ONE device is: chip, gpu, board, pod-slice or server
chips: 1                # chips in one device
launch_year: null       # e.g. 2024 (optional)
default_precision: bf16
dense_peak:             # precisions: fp64, fp32, tf32, bf16, fp16, fp8, int8
  bf16:
    value: null         # e.g. 989 TFLOPS
    source: null        # e.g. "NVIDIA H100 datasheet, table 1 (dense, not the sparse headline)"
    date: null          # e.g. 2023-03-21
memory:
  value: null           # e.g. 80 GB
  source: null
  date: null
tdp:
  value: null           # e.g. 700 W, for the whole device
  source: null
  date: null
# price:                # optional: price per device-hour
#   value: 2.50 USD/hour
#   provider: null
#   region: null
#   kind: on-demand
#   source: null
#   date: null
"""

_TEMPLATE_BASE = """\
# yaml-language-server: $schema={schema}
# A costcalc hardware profile that inherits every field of {base} and overrides a few.
# A sourced value is replaced whole: give its source and date too. Check it with
#   costcalc profiles validate {path}
schema_version: 1
name: {name}
base: {base}
display_name: {name} ({base_display})
# price:
#   value: 2.10 USD/hour
#   provider: our cluster
#   kind: negotiated
#   source: "contract 2025-17, schedule B"
#   date: 2025-01-01
# average_power:
#   value: 610 W
#   source: "measured with DCGM over the 2025-03 training run"
#   date: 2025-03-31
"""


def new_profile(
    name: str,
    directory: Path,
    *,
    catalog: Catalog,
    base: str | None = None,
    force: bool = False,
) -> Path:
    """Write a profile template ``<directory>/<name>.yaml`` (atomically; an existing file
    only with ``force``). With ``base`` the template inherits from that profile."""
    from costcalc.atomic import write_text_atomic

    if not NAME_RE.match(name):
        raise InputError(
            f"'{name}' is not a profile name: use lowercase letters, digits, '.' and '-'", "NAME"
        )
    from costcalc.paths import expand_place

    path = expand_place(str(directory), ref("dir")) / f"{name}.yaml"
    values = {"name": name, "path": path, "schema": schema_path().as_uri()}
    if base is None:
        text = _TEMPLATE.format(**values)
    else:
        parent = catalog.get(base, input="base")
        text = _TEMPLATE_BASE.format(base=parent.name, base_display=parent.display_name, **values)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(
            f"cannot create the directory '{path.parent}' ({e.strerror or type(e).__name__})",
            input="dir",
        ) from None
    write_text_atomic(path, text, overwrite=force, force_flag=ref("force"), where="NAME")
    return path
