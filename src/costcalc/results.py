"""What an answer is made of: a leaf module of result types, imported by the modules that
build answers (estimator, workloads, outlook) and those that show them (render). It
imports nothing of costcalc's at module level, so it can sit below all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Assumption:
    """One input of the model as used: its value, how to show it, and why.

    ``value`` is expressed in ``unit`` (``989.5`` with ``"TFLOPS"``, ``37.5`` with
    ``"%"``); ``base`` is the same value in costcalc's base units (FLOP/s, W, kg/J, s,
    USD/s, ...), the number the model computes with.
    """

    name: str
    base: Any  # the value in base units (a float; a name or count where unit is "")
    unit: str  # display unit ("" for a plain number or a name, "%" for a fraction)
    text: str  # the value as a person reads it
    source: str
    origin: str  # "flag", "profile", "default", "region", "derived"

    @property
    def value(self) -> Any:
        """The value in ``unit``: ``value * unit == base``."""
        if not self.unit:
            return self.base
        if self.unit == "%":
            return self.base * 100
        from costcalc.units import convert

        return convert(self.base, self.unit)
