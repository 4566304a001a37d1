"""Hardware profiles: the YAML files in ``hardware_profiles/``, validated into objects.

Every number in a profile is a mapping ``{value, source, date}``; ``value`` is a unit
string (``180 TFLOPS``) read once, here, into base units. Peaks are dense (no
sparsity); ``form`` and ``chips`` say whether one device is a chip, a GPU, a board or
a pod slice.

One module per job, imports pointing down: ``model`` (what a profile holds), ``parse``
(one document validated), ``catalog`` (the search path, inheritance, lookup), ``listing``
(``profiles list``), ``manage`` (validating files, the schema, new profiles). This package
exposes what the CLI, the renderers and the tests use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from costcalc.paths import shipped_dir  # re-exported: where the shipped profiles are
from costcalc.profiles.catalog import (
    MAX_BASE_DEPTH,
    Catalog,
    Entry,
    Layer,
    load_profile,
    search_path,
)
from costcalc.profiles.model import (
    ALL_FIELDS,
    FORMS,
    KINDS,
    NAME_RE,
    PRECISIONS,
    SOURCED_FIELDS,
    Profile,
    Sourced,
)
from costcalc.profiles.parse import parse_profile

if TYPE_CHECKING:
    from costcalc.profiles.listing import LIST_COLUMNS, column_value, list_profiles
    from costcalc.profiles.manage import Checked, new_profile, schema_path, validate_files

# Listing and managing profiles are jobs of the ``profiles`` commands only: their modules
# are imported on first use (PEP 562), off the one-liner's start-up.
_LAZY = {
    "LIST_COLUMNS": "costcalc.profiles.listing",
    "column_value": "costcalc.profiles.listing",
    "list_profiles": "costcalc.profiles.listing",
    "Checked": "costcalc.profiles.manage",
    "new_profile": "costcalc.profiles.manage",
    "schema_path": "costcalc.profiles.manage",
    "validate_files": "costcalc.profiles.manage",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'costcalc.profiles' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "ALL_FIELDS",
    "FORMS",
    "KINDS",
    "LIST_COLUMNS",
    "MAX_BASE_DEPTH",
    "NAME_RE",
    "PRECISIONS",
    "SOURCED_FIELDS",
    "Catalog",
    "Checked",
    "Entry",
    "Layer",
    "Profile",
    "Sourced",
    "column_value",
    "list_profiles",
    "load_profile",
    "new_profile",
    "parse_profile",
    "schema_path",
    "search_path",
    "shipped_dir",
    "validate_files",
]
