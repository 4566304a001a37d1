"""The hardware generations of the utilization (data/band.yaml, fitted by
scripts/fit_band.py): a generation with enough published runs has their median implied MFU
as costcalc's default utilization. Imports only the data tables (the estimator and the band
both read it)."""

from __future__ import annotations

from typing import Any


def group(profile: str) -> dict[str, Any] | None:
    from costcalc.tables import data_yaml

    for g in data_yaml("band.yaml")["utilization"]["groups"]:
        if any(profile.startswith(p) for p in g["profiles"]):
            return dict(g)
    return None


def default_utilization(profile: str | None) -> tuple[float, str] | None:
    """The default utilization on ``profile``: the median implied MFU of the published runs
    on its hardware group (data/band.yaml) and its source; None where the group has too few
    runs (or the profile none), so the global default applies."""
    g = group(profile) if profile else None
    if g is None or not g.get("default"):
        return None
    orgs = ", ".join(g.get("organizations") or [])
    return float(g["median_mfu"]), (
        f"median MFU of {g['runs']} published {g['label']} runs ({orgs}; implied by their "
        "reported device-hours, validation/runs.yaml, fitted by scripts/fit_band.py)"
    )
