"""A reference run as it ran: ``estimate gpt-3`` takes the run's own hardware, device count
and utilization (from its device-hours) where the catalog (data/runs.yaml) gives them, each
labelled "from run gpt-3 (source)"; inputs the user gives override them.

Counts are in the run's profile's devices: the catalog counts chips, and a profile of
several chips (a 4-chip TPU v2 board) takes chips / chips-per-device devices.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, NamedTuple

from costcalc.results import Assumption


class AsRan(NamedTuple):
    """The run's own inputs (None where the catalog lacks one or the user gave it)."""

    slug: str
    cite: str
    hardware: str | None
    devices: float | None
    device_hours: float | None  # of the run, in the profile's devices
    chips_note: str

    def label(self, what: str) -> str:
        return f"from run {self.slug} ({self.cite}){what}"


def as_ran(work: Any, catalog: Any = None, **given: Any) -> AsRan | None:
    """The inputs of the run that ``work`` names, for those the user left out of ``given``
    (``hardware``, ``devices``, ``utilization``); None when ``work`` names no run or the
    run's hardware has no profile."""
    hardware, devices, utilization = (given.get(k) for k in ("hardware", "devices", "utilization"))
    from costcalc import workloads

    if not workloads._names_a_run(work):
        return None
    from costcalc import runs
    from costcalc.errors import CostcalcError
    from costcalc.hardware import default_catalog

    try:
        run = runs.find(str(work), input="work")
    except CostcalcError:
        return None  # the estimator says what is wrong with the name
    if not run.profile:
        return None
    try:
        profile = (catalog or default_catalog()).get(run.profile)
    except CostcalcError:
        return None
    if hardware is not None:
        try:
            chosen = hardware if not isinstance(hardware, str) else None
            chosen = chosen or (catalog or default_catalog()).get(str(hardware))
        except CostcalcError:
            return None  # the estimator reports the unknown hardware
        if chosen.name != profile.name:
            return None  # other hardware: the run's counts and speed do not transfer
    chips = max(profile.chips, 1)
    count = run.hardware_quantity / chips if run.hardware_quantity else None
    hours = None
    if run.chip_hours:
        hours = run.chip_hours / chips
    elif run.training_hours and run.hardware_quantity:
        hours = run.training_hours * run.hardware_quantity / chips
    note = ""
    if chips > 1 and count is not None:
        note = (
            f": {run.hardware_quantity:g} chips = {count:g} x {profile.name} ({chips} chips each)"
        )
    return AsRan(
        slug=run.slug,
        cite=run.cite(),
        hardware=profile.name if hardware is None else None,
        devices=count if devices is None else None,
        device_hours=hours if utilization is None else None,
        chips_note=note,
    )


def utilization_for(ran: AsRan, flops: float, peak: float) -> float | None:
    """The utilization at which the run's FLOPs took its device-hours, if plausible."""
    if ran.device_hours is None:
        return None
    value = flops / (peak * ran.device_hours * 3600)
    return value if 0 < value <= 1 else None


def relabel(assumptions: list[Assumption], ran: AsRan, taken: set[str]) -> list[Assumption]:
    """The assumptions with those taken from the run labelled as such."""
    out = []
    for a in assumptions:
        if a.name in taken:
            extra = ran.chips_note if a.name == "devices" else ""
            if a.name == "utilization":
                extra = f": its FLOPs in its {ran.device_hours:,.0f} device-hours"
            a = replace(a, source=ran.label(extra), origin="run")
        out.append(a)
    return out
