"""The power (and peak) of this machine's CPU when nothing measures it: a share of the
generic ``cpu-server`` profile, per core, for the logical CPUs actually present.

A 2-vCPU cloud VM is not a 128-core server: ``--hardware local`` and ``calibrate`` without
a readable RAPL counter scale the generic server's TDP and peak by the logical CPUs this
process may run on over the server's cores. The per-core figure is the server's own source:
AMD EPYC 7763, 280 W TDP per socket (Epoch AI Chip dataset) over its 64 cores (AMD's
specification), 4.375 W per core. A logical CPU is counted as a core, the upper figure
where a vCPU is one hyperthread. Labelled as an estimate everywhere it shows.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from costcalc.detect import Device
    from costcalc.profiles import Profile, Sourced

SERVER_CORES = 128  # cpu-server: 2 sockets x 64 cores (AMD EPYC 7763)
SOCKET_TDP_W = 280.0  # AMD EPYC 7763, Epoch AI Chip dataset-Grid view.csv (CC BY 4.0)
CORES_PER_SOCKET = 64  # AMD EPYC 7763 specification
PER_CORE_W = SOCKET_TDP_W / CORES_PER_SOCKET
SOURCE = (
    "per-core share of AMD EPYC 7763 (280 W TDP per socket: Epoch AI Chip dataset-Grid "
    "view.csv, CC BY 4.0; 64 cores: AMD specification) = 4.375 W per core"
)


def logical_cpus(cpu: Device) -> int:
    return max(1, cpu.logical_cpus or 1)


def share(cpu: Device) -> float:
    """The fraction of the generic server this machine's logical CPUs are (at most 1)."""
    return min(1.0, logical_cpus(cpu) / SERVER_CORES)


def tdp_text(cpu: Device) -> tuple[float, str]:
    """This machine's CPU TDP estimate (W) and how it was made."""
    n = logical_cpus(cpu)
    watts = PER_CORE_W * n if n < SERVER_CORES else SOCKET_TDP_W * SERVER_CORES / CORES_PER_SOCKET
    return watts, f"{SOURCE} x {n} logical CPUs present ({cpu.name})"


def _scaled(entry: Sourced, factor: float, source: str) -> Sourced:
    value = entry.value * factor
    unit = entry.text.split(" ", 1)[1] if " " in entry.text else ""
    number = float(entry.text.split(" ", 1)[0]) * factor if unit else value
    return dataclasses.replace(
        entry,
        value=value,
        text=f"{number:.4g} {unit}".strip(),
        source=f"{source}; scaled from: {entry.source}",
        estimate=True,
    )


def scale_server(profile: Profile, cpu: Device) -> Profile:
    """The generic server profile cut to this machine's logical CPUs: TDP and peaks per
    core; a machine as large as the server or larger keeps the profile."""
    n = logical_cpus(cpu)
    if n >= SERVER_CORES or profile.tdp is None:
        return profile
    factor = n / SERVER_CORES
    how = f"{n} of {SERVER_CORES} cores ({cpu.name}, {n} logical CPUs present)"
    watts, source = tdp_text(cpu)
    tdp = dataclasses.replace(
        profile.tdp, value=watts, text=f"{watts:.4g} W", source=source, estimate=True
    )
    peaks = {k: _scaled(v, factor, how) for k, v in profile.dense_peak.items()}
    return dataclasses.replace(
        profile,
        display_name=f"{profile.display_name}, cut to {n} logical CPUs",
        tdp=tdp,
        dense_peak=peaks,
        sparse_peak={},
    )
