"""Ranges and distributions for numeric inputs, and Monte Carlo over the model.

An input may be written as a range or a distribution instead of one number:

- ``30%..50%``, ``300..500 g/kWh``, ``"2..4 USD/hour"``: uniform between the two ends
  (a unit written only after the high end applies to both);
- ``triangular(a, mode, b)``: triangular with its peak at ``mode``;
- ``lognormal(median, sigma)``: log-normal, ``sigma`` the standard deviation of the log.

The text is read by a small hand-written parser (never ``eval``); every value with a unit
goes through :func:`costcalc.units.parse_quantity`. numpy is imported only when sampling.

Sensitivity is ranked by Spearman's rank correlation between each ranged input and each
output over the samples (on at most :data:`SENSITIVITY_SAMPLES` of them).
"""

from __future__ import annotations

import math
import re
from typing import Any, NamedTuple

from costcalc.errors import InputError
from costcalc.units import KINDS, factor, parse_quantity

DEFAULT_SAMPLES = 100_000
MAX_SAMPLES = 10_000_000
SENSITIVITY_SAMPLES = 100_000
PERCENTILES = (5.0, 50.0, 95.0)
FORMS = "lo..hi (e.g. 30%..50%), triangular(a,mode,b) or lognormal(median,sigma)"

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
# Patterns, compiled on first use (re caches them): a one-liner with no range needs none.
_BARE = rf"^\s*{_NUMBER}\s*$"
_WITH_UNIT = rf"^\s*(?P<num>{_NUMBER})\s*(?P<unit>[^\d.\s].*?)\s*$"
_CALL = r"^\s*(?P<name>[A-Za-z_]\w*)\s*\((?P<args>[^()]*)\)\s*(?P<unit>.*?)\s*$"


class Distribution(NamedTuple):
    """A distribution of one input, its parameters in base units."""

    form: str  # "uniform", "triangular" or "lognormal"
    params: tuple[float, ...]
    text: str  # as the user wrote it

    @property
    def central(self) -> float:
        """The median: the value the point estimate uses."""
        if self.form == "uniform":
            lo, hi = self.params
            return (lo + hi) / 2
        if self.form == "triangular":
            a, c, b = self.params
            if b == a:
                return a
            if c - a >= (b - a) / 2:
                return a + math.sqrt((b - a) * (c - a) / 2)
            return b - math.sqrt((b - a) * (b - c) / 2)
        return self.params[0]  # lognormal: the median

    @property
    def low(self) -> float:
        return self.params[0] if self.form != "lognormal" else 0.0

    @property
    def high(self) -> float:
        return self.params[-1] if self.form != "lognormal" else math.inf

    def describe(self) -> str:
        names = {"uniform": "uniform", "triangular": "triangular", "lognormal": "log-normal"}
        return names[self.form]

    def sample(self, rng: Any, n: int) -> Any:
        if self.form == "uniform":
            lo, hi = self.params
            return rng.uniform(lo, hi, n) if hi > lo else _full(n, lo)
        if self.form == "triangular":
            a, c, b = self.params
            return rng.triangular(a, c, b, n) if b > a else _full(n, a)
        median, sigma = self.params
        return rng.lognormal(math.log(median), sigma, n)


def _full(n: int, value: float) -> Any:
    import numpy as np

    return np.full(n, value)


def is_distribution(text: Any) -> bool:
    """Whether ``text`` is written as a range or a distribution (not one number)."""
    if not isinstance(text, str):
        return False
    return ".." in text or ("(" in text and re.match(_CALL, text) is not None)


def _with_unit(text: str, unit: str) -> str:
    """A bare number with the unit written elsewhere in the range appended."""
    if unit and re.match(_BARE, text):
        return f"{text.strip()}{unit}" if unit == "%" else f"{text.strip()} {unit}"
    return text


def parse_distribution(
    text: str, kind: str, where: str, *, allow_zero: bool = False
) -> Distribution:
    """Read ``text`` (see the module docstring) as a distribution of ``kind``."""
    shown = text.strip()
    if len(shown) > 200:
        raise InputError(f"value is {len(shown)} characters long; expected {FORMS}", where)
    call = re.match(_CALL, shown)
    if call is not None:
        return _parse_call(call, shown, kind, where, allow_zero)
    parts = shown.split("..")
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        raise InputError(f"cannot read {shown!r} as a range; expected {FORMS}", where)
    left, right = parts
    unit = re.match(_WITH_UNIT, right)
    left = _with_unit(left, unit["unit"] if unit else "")
    lo = parse_quantity(left.strip(), kind, where, allow_zero=allow_zero)
    hi = parse_quantity(right.strip(), kind, where, allow_zero=allow_zero)
    if lo > hi:
        raise InputError(
            f"range {shown!r} has its low end above its high end; write it low..high", where
        )
    return Distribution("uniform", (lo, hi), shown)


def _parse_call(
    call: re.Match[str], shown: str, kind: str, where: str, allow_zero: bool
) -> Distribution:
    name = call["name"].lower()
    args = [a.strip() for a in call["args"].split(",")]
    unit = call["unit"]
    if name == "triangular":
        if len(args) != 3 or not all(args):
            raise InputError(f"{shown!r}: triangular takes three values (a, mode, b)", where)
        a, c, b = (
            parse_quantity(_with_unit(x, unit), kind, where, allow_zero=allow_zero) for x in args
        )
        if not a <= c <= b:
            raise InputError(f"{shown!r}: triangular(a, mode, b) needs a <= mode <= b", where)
        return Distribution("triangular", (a, c, b), shown)
    if name == "lognormal":
        if len(args) != 2 or not all(args):
            raise InputError(f"{shown!r}: lognormal takes two values (median, sigma)", where)
        if kind == "fraction":
            raise InputError(
                f"{shown!r}: a log-normal is unbounded, so it cannot describe a fraction; "
                "use lo..hi or triangular(a,mode,b)",
                where,
            )
        median = parse_quantity(_with_unit(args[0], unit), kind, where)
        sigma = parse_quantity(args[1], "number", where)
        return Distribution("lognormal", (median, sigma), shown)
    raise InputError(f"unknown distribution '{call['name']}' in {shown!r}; expected {FORMS}", where)


def bare_value(value: float, kind: str) -> float | str:
    """A base-unit value in the unit a bare number of ``kind`` means (to pass it on);
    with its base unit where a bare number of the kind is refused as ambiguous."""
    bare = KINDS[kind].bare
    if bare is None:
        return f"{value!r} {KINDS[kind].base}"
    return value / factor(bare) if bare else value


def make_rng(seed: int) -> Any:
    """A reproducible generator: numpy's PCG64 seeded with ``seed``."""
    import numpy as np

    return np.random.Generator(np.random.PCG64(seed))


def draw(distributions: dict[str, Distribution], n: int, seed: int) -> dict[str, Any]:
    """``n`` samples of each input, drawn in name order from one seeded generator."""
    if not 1 <= n <= MAX_SAMPLES:
        raise InputError(
            f"expected between 1 and {MAX_SAMPLES:,} samples, got {n}", input="samples"
        )
    rng = make_rng(seed)
    return {name: distributions[name].sample(rng, n) for name in sorted(distributions)}


def percentiles(values: Any) -> dict[str, float]:
    """``{"p5": .., "p50": .., "p95": ..}`` of a sample array (or a float)."""
    import numpy as np

    p5, p50, p95 = np.percentile(values, PERCENTILES)
    return {"p5": float(p5), "p50": float(p50), "p95": float(p95)}


def _ranks(values: Any) -> Any:
    import numpy as np

    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(len(values))
    return ranks


def _standardized_ranks(values: Any) -> Any | None:
    """Ranks scaled to mean 0 and variance 1; None for a constant sample."""
    import numpy as np

    values = np.asarray(values)[:SENSITIVITY_SAMPLES]
    if values.ndim == 0 or np.ptp(values) == 0:
        return None
    ranks = _ranks(values)
    return (ranks - ranks.mean()) / ranks.std()


def sensitivity(inputs: dict[str, Any], outputs: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """For each output that varies, the ranged inputs ordered by |Spearman rho|, strongest
    first. Ranks are computed once per sample array, on at most SENSITIVITY_SAMPLES."""
    input_ranks = {name: _standardized_ranks(values) for name, values in inputs.items()}
    out: dict[str, list[list[Any]]] = {}
    for name, values in outputs.items():
        ry = _standardized_ranks(values)
        if ry is None:
            continue
        ranking = [
            (input_name, 0.0 if rx is None else round(float((rx * ry).mean()), 3))
            for input_name, rx in input_ranks.items()
        ]
        ranking.sort(key=lambda item: (-abs(item[1]), item[0]))
        out[name] = [list(item) for item in ranking]
    return out
