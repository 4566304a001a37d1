"""Power accounting you can name: ``server`` (the default, honest for cost: the accelerator's
average draw plus its share of the server: host CPU, memory, network, fans) or
``accelerator`` (the accelerator's TDP alone, as model cards count TDP x device-hours).
The estimate shows both parts of the power as assumptions of their own.
"""

from __future__ import annotations

from typing import Any

from costcalc.errors import InputError, did_you_mean, ref
from costcalc.results import Assumption

BASES = ("server", "accelerator")
DEFAULT = "server"


def parse(text: Any) -> str:
    """``server`` or ``accelerator`` (None: the default)."""
    if text is None:
        return DEFAULT
    key = str(text).strip().lower()
    if key not in BASES:
        raise InputError(
            f"unknown power basis {text!r}{did_you_mean(key, BASES)}; expected server "
            "(accelerator plus its share of the server, the default) or accelerator "
            "(TDP only, as model cards count)",
            input="power_basis",
        )
    return key


def parts(tdp: float, tdp_cite: str, overhead: float, load: float, basis: str) -> list[Assumption]:
    """The power per device as the accelerator's part and the server's part (base units, W).

    server:      accelerator = TDP x load; server overhead = TDP x load x (overhead - 1)
    accelerator: accelerator = TDP;        server overhead = 0 (not counted)
    """
    if basis == "accelerator":
        acc, rest = tdp, 0.0
        acc_source = f"TDP, counted at full power ({ref('power_basis')} accelerator): {tdp_cite}"
        rest_source = (
            f"not counted ({ref('power_basis')} accelerator: as model cards, TDP x device-hours)"
        )
        origin = "flag"
    else:
        acc, rest = tdp * load, tdp * load * (overhead - 1)
        acc_source = f"TDP x load {load:g}: {tdp_cite}"
        rest_source = (
            f"host CPU, memory, network, fans: accelerator x (server overhead {overhead:g} - 1); "
            f"{ref('power_basis')} accelerator leaves it out"
        )
        origin = "profile"
    return [
        Assumption("accelerator_power", acc, "W", f"{acc:.4g} W", acc_source, origin),
        Assumption("server_overhead", rest, "W", f"{rest:.4g} W", rest_source, origin),
    ]
