"""What a sweep may vary (the axes, declared in :mod:`costcalc.inputs`), and how an axis's
values are read: lists, ranges, labels."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from costcalc import inputs as registry
from costcalc.errors import InputError
from costcalc.sweeps.limits import MAX_POINTS
from costcalc.units import KINDS


@dataclass(frozen=True)
class Input:
    """A sweepable input: how its values are read, and its column's unit. (Errors name it
    by :func:`input_of`; each front end spells that name.)"""

    kind: str  # costcalc.units kind ("" for text)
    unit: str  # column unit: what a bare number on the flag means


def _column_unit(kind: str | None) -> str:
    """A column's unit: what a bare number on the flag means (else the kind's base unit),
    so that a value can be pasted back into the flag."""
    if kind is None:
        return ""
    spec = KINDS[kind]
    return spec.bare if spec.bare is not None else spec.base


# The sweep axes, in column order (declared in costcalc.inputs).
INPUTS: dict[str, Input] = {
    name: Input(
        registry.INPUTS[name].kind or "",
        _column_unit(registry.INPUTS[name].kind),
    )
    for name in registry.accepted(registry.SWEEP)
}


def input_of(name: str) -> str:
    """The input an axis is about, as errors name it (:func:`costcalc.errors.ref`): the
    work for ``flops`` (``WORK`` on the command line), else the axis's own name."""
    return "work" if name == "flops" else name


OUTPUT_KINDS = {name: o.kind for name, o in registry.OUTPUTS.items()}
# One '..' and one ':'; neither end may touch a third dot ("1e20...1e22" is a typo, not
# 1e20..0.1e22), N is ASCII digits ("３" is not 3); \Z, not $: a final newline counts.
_RANGE = re.compile(
    r"^(?P<lo>(?:(?!\.\.)[^:])*?[^.:])\.\.(?P<hi>[^.:](?:(?!\.\.)[^:])*?)"
    r":\s*(?P<n>[0-9]+)\s*(?P<log>log)?\Z",
    re.I,
)


@dataclass
class Axis:
    """One dimension of the grid. ``params`` are model inputs in base units, one value per
    entry; ``columns`` are output columns: numeric values (column unit) or text labels."""

    name: str
    size: int
    params: dict[str, Any]
    columns: dict[str, Any]  # name -> np.ndarray of numbers, or Labels
    stride: int = 1


@dataclass(frozen=True)
class Labels:
    """A text column of an axis: distinct labels, and each axis entry's label number."""

    names: tuple[str, ...]
    of_entry: Any  # np.ndarray of int, one per axis entry

    @classmethod
    def of(cls, values: list[str]) -> Labels:
        import numpy as np

        names = tuple(dict.fromkeys(values))
        return cls(names, np.array([names.index(v) for v in values], dtype=np.intp))


# Commas separate a list's values ("8,512" is 8 and 512 devices); a value such as "000"
# ("1,000") or "05" ("1,05") is a thousands separator or decimal comma misread, and
# refused rather than read as 1 and 0.
_GROUPED_LIST = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?![\d])")
_LEADING_ZERO = re.compile(r"0\d")


def _items(name: str, value: Any) -> list[Any]:
    """A flag value as a list of items: ``"a,b"`` -> ["a", "b"]; lists stay lists."""
    import numpy as np

    if isinstance(value, str):
        items: list[Any] = [v.strip() for v in value.split(",")]
        odd = next((v for v in items[1:] if _LEADING_ZERO.match(v)), None)
        if odd is not None:
            grouped = _GROUPED_LIST.search(value)
            hint = f"write {grouped[0].replace(',', '')}" if grouped else "write 1.5, not 1,5"
            raise InputError(
                f"{value!r}: commas separate the values of a list, so {odd!r} would be a "
                f"value of its own; {hint} (no thousands separators or decimal commas "
                "in a list)",
                input=input_of(name),
            )
    elif isinstance(value, (list, tuple)):
        items = list(value)
    elif isinstance(value, np.ndarray):
        items = value.ravel().tolist()
    else:
        items = [value]
    if not items or any(isinstance(v, str) and not v for v in items):
        raise InputError(
            f"empty value in {value!r}; expected a list like a,b,c", input=input_of(name)
        )
    return items


def _reader(name: str) -> Callable[[Any], float]:
    """Read one value of a numeric input the way ``estimate`` does (same checks, messages)."""
    from costcalc import estimator
    from costcalc.units import parse_quantity

    spec = INPUTS[name]
    if name == "utilization":
        return lambda v: estimator.resolve_utilization(v)[0]
    if name == "devices":
        return lambda v: estimator.resolve_devices(v)[0]
    if name == "pue":
        return lambda v: estimator.resolve_pue(v)[0]
    allow_zero = registry.INPUTS[name].allow_zero
    about = input_of(name)
    return lambda v: parse_quantity(v, spec.kind, input=about, allow_zero=allow_zero)


# Inputs whose ranges are rounded to whole numbers (and their least value).
_WHOLE = {"devices": 1.0, "seq_len": 1.0, "zero": 0.0}


def _numbers(name: str, value: Any) -> Any:
    """The values of a numeric input in base units: list items and ranges, in order."""
    import numpy as np

    read = _reader(name)
    about = input_of(name)
    out: list[float] = []
    for item in _items(name, value):
        text = item.strip() if isinstance(item, str) else None
        if text is None or ".." not in text:
            out.append(read(item))
            continue
        m = _RANGE.match(text)
        if not m:
            raise InputError(
                f"bad range {text!r}; expected lo..hi:N (linear) or lo..hi:Nlog "
                "(log-spaced), e.g. 30%..60%:4 or 1e20..1e24:5log",
                input=about,
            )
        lo, hi, count = read(m["lo"].strip()), read(m["hi"].strip()), int(m["n"])
        if not 2 <= count <= MAX_POINTS:
            raise InputError(
                f"bad range {text!r}: the number of points must be 2 to {MAX_POINTS:,}", input=about
            )
        if not lo < hi:
            raise InputError(
                f"bad range {text!r}: the low end must be below the high end", input=about
            )
        if m["log"]:
            if lo <= 0:
                raise InputError(f"bad range {text!r}: a log range must start above 0", input=about)
            points = np.geomspace(lo, hi, count)
        else:
            points = np.linspace(lo, hi, count)
        if name in _WHOLE:  # a count: round, and drop the repeats rounding makes
            points = np.unique(np.maximum(np.rint(points), _WHOLE[name]))
        out.extend(points.tolist())
    return np.asarray(out, dtype=float)


def _labels(name: str, value: Any) -> list[str]:
    return [str(v).strip() for v in _items(name, value)]
