"""costcalc: what does training cost? Compute to wall-clock time, device-hours, energy,
money and CO2e, with every assumption shown and sourced.

    >>> from costcalc import estimate
    >>> e = estimate("1e18", hardware="tpu-v2")
    >>> round(e.fields()["device_hours"], 4)
    4.0293
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# The public API is imported on first use (PEP 562), so that `costcalc --version` and the
# CLI's start-up do not pay for modules a command does not need.
_EXPORTS = {
    "CostcalcError": "costcalc.errors",
    "DataError": "costcalc.errors",
    "InputError": "costcalc.errors",
    "Assumption": "costcalc.results",
    "Estimate": "costcalc.results",
    "estimate": "costcalc.outlook",
    "Catalog": "costcalc.profiles",
    "Profile": "costcalc.profiles",
    "load_profile": "costcalc.profiles",
    "parse_quantity": "costcalc.units",
    "sweep": "costcalc.sweeps",
    "SweepResult": "costcalc.sweeps",
    "outlook": "costcalc.outlook",
}

if TYPE_CHECKING:
    from costcalc import outlook
    from costcalc.errors import CostcalcError, DataError, InputError
    from costcalc.outlook import estimate
    from costcalc.profiles import Catalog, Profile, load_profile
    from costcalc.results import Assumption, Estimate
    from costcalc.sweeps import SweepResult, sweep
    from costcalc.units import parse_quantity


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'costcalc' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Assumption",
    "Catalog",
    "CostcalcError",
    "DataError",
    "Estimate",
    "InputError",
    "Profile",
    "__version__",
    "estimate",
    "load_profile",
    "SweepResult",
    "outlook",
    "parse_quantity",
    "sweep",
]
