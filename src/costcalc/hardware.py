"""Which hardware a name means: the profile catalog with this machine wired in.

``--hardware local`` is this machine: its calibrated profile, else what detection finds
(:mod:`costcalc.detect`). The catalog itself (:mod:`costcalc.profiles`) knows nothing of
detection; this module hands it the resolver, so imports point one way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from costcalc.profiles import Catalog

if TYPE_CHECKING:
    from costcalc.profiles import Profile


def resolve_local(catalog: Catalog) -> Profile:
    """``local``: this machine's calibrated profile, else detection."""
    from costcalc.detect import resolve_local as detect_local

    return detect_local(catalog)


def default_catalog(
    profiles_dirs: Sequence[Path | str] = (), env: Mapping[str, str] | None = None
) -> Catalog:
    """Shipped profiles plus the user's (config directory, ``COSTCALC_PROFILES_PATH``,
    ``profiles_dirs``), with ``local`` resolved to this machine."""
    return Catalog.from_search_path(profiles_dirs, env, local=resolve_local)
