"""costcalc: what does training cost? Compute to wall-clock time, device-hours, energy,
money and CO2e, with every assumption shown and sourced.

    >>> from costcalc import estimate
    >>> e = estimate("1e18", hardware="tpu-v2")
    >>> round(e.fields()["device_hours"], 4)
    0.0041
"""

from __future__ import annotations

from typing import Any

from costcalc.errors import CostcalcError, DataError, InputError
from costcalc.estimator import Assumption, Estimate, estimate
from costcalc.profiles import Catalog, Profile, load_profile
from costcalc.units import parse_quantity

__version__ = "0.1.0"

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
    "parse_quantity",
    "sweep",
]


def __getattr__(name: str) -> Any:
    # costcalc.sweep(...) without importing numpy at ``import costcalc``. The submodule is
    # callable (it is the function too), since importing it rebinds the package attribute.
    if name == "sweep":
        import importlib

        return importlib.import_module("costcalc.sweep")
    raise AttributeError(f"module 'costcalc' has no attribute {name!r}")
