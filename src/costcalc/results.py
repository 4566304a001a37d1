"""What an answer is made of: a leaf module of result types, imported by the modules that
build answers (estimator, workloads, outlook) and those that show them (render). It
imports nothing of costcalc's at module level, so it can sit below all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from costcalc.profiles import Profile


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


def given_in(a: Assumption, places: Mapping[str, str], front: str) -> Assumption:
    """Assumption ``a``, if the caller gave it through a file (``front``: "plan", "spec"),
    saying so at the line that gave it: ``given in the plan: costcalc.yaml:7: runs.a.params``,
    origin ``front``. ``places`` maps each input the file gave to its ``file:line: key``;
    the input is the one ``a`` was given with (throughput for the utilization it implies),
    else its own name. Call it under the spelling its assumptions were made with."""
    from dataclasses import replace

    from costcalc.errors import GIVEN, is_given_with

    if a.origin != "flag":
        return a
    key = next((k for k in places if is_given_with(a.source, k)), a.name)
    where = places.get(key)
    if where is None:
        return a
    where = f"given in the {front}: {where}"
    source = where if a.source.startswith(GIVEN) else f"{where}; {a.source}"
    return replace(a, source=source, origin=front)


# -- the sections of an estimate --------------------------------------------------------------
# Each a TypedDict: a plain dict at run time (the JSON document and the renderers read them as
# such), typed for the code that builds them. Their keys are in the order the JSON shows them.


class Percentiles(TypedDict):
    p5: float
    p50: float
    p95: float


class Ranges(TypedDict):
    """Monte Carlo over the inputs given as ranges: the percentiles of every output."""

    samples: int
    seed: int
    generator: str
    inputs: dict[str, dict[str, str]]  # input -> {distribution, given}
    percentiles: dict[str, Any]  # output field -> Percentiles (None: NaN somewhere)


class Sensitivity(TypedDict):
    method: str
    ranking: Any  # per output field, the inputs by rank correlation


class Band(TypedDict):
    """The default 90 % band of the point estimate (costcalc.band, closed form)."""

    method: str
    level: float
    inputs: dict[str, dict[str, Any]]  # input -> {distribution, sigma, source}
    percentiles: dict[str, Any]  # output field -> Percentiles (None: no value)


class Money(TypedDict):
    mode: str  # "cloud" or "owned"
    currency: str
    fx_rate: float
    items_usd: dict[str, Any]  # item -> float (None: unknown)
    items: dict[str, Any]  # the same in ``currency``


class Embodied(TypedDict, total=False):
    available: bool  # always present
    note: str  # when not available
    co2e_kg: float
    per_device_hour_kg: float


class _ProjectionBase(TypedDict):
    year: int
    from_year: int
    label: str
    cost_factor: float
    energy_factor: float


class Projection(_ProjectionBase, total=False):
    cost_usd: Any  # float (None: no price)
    energy_kwh: float
    co2e_kg: float
    percentiles: dict[str, Any]  # output field -> Percentiles (None: no value)
    trend_sigma: dict[str, dict[str, Any]]


class Equivalent(TypedDict):
    id: str
    value: float
    unit: str
    label: str
    subject: str
    of: str
    estimate: bool
    source: str


class Sections(TypedDict, total=False):
    """The extra results of an estimate; the renderers show each one present."""

    workload: dict[str, Any]  # a model's shape (costcalc.workload_shape)
    memory: dict[str, Any]
    feasibility: dict[str, Any]
    embodied: Embodied
    projection: Projection
    money: Money
    ranges: Ranges
    sensitivity: Sensitivity
    band: Band
    equivalents: list[Equivalent]


@dataclass(frozen=True)
class Estimate:
    """The answer to one question, built once and never changed. Values are in base
    units; ``fields()`` gives the stable JSON field names in output units."""

    hardware: Profile
    precision: str
    outputs: Mapping[str, Any]  # key of costcalc.model's outputs -> value (None: no price)
    assumptions: tuple[Assumption, ...]
    inputs: Mapping[str, Any]  # the inputs the caller gave, as given
    notes: tuple[str, ...] = ()
    sections: Sections = field(default_factory=lambda: Sections())

    def __post_init__(self) -> None:
        # Sequences given as lists are kept as tuples: nothing shared can change an answer.
        object.__setattr__(self, "assumptions", tuple(self.assumptions))
        object.__setattr__(self, "notes", tuple(self.notes))

    def fields(self) -> dict[str, float | None]:
        from costcalc.inputs import OUTPUTS
        from costcalc.units import convert

        out: dict[str, float | None] = {}
        for name, o in OUTPUTS.items():
            value = self.outputs.get(o.model_key)
            out[name] = None if value is None else float(convert(value, o.unit))
        return out

    def assumption(self, name: str) -> Assumption:
        return next(a for a in self.assumptions if a.name == name)
