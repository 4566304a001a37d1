"""Results are finite numbers, or refused.

Floats overflow to ``inf`` (1e308 x 2), underflow to zero (1e-300 x 1e-300, then a
division by it) and turn into ``nan`` (inf - inf). None of these is an answer: every
result is checked here before it is rendered, and inputs that make a result non-finite
are refused (exit 2) naming those inputs. JSON output goes through :func:`dumps`, which
never writes ``NaN`` or ``Infinity`` (not JSON).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from costcalc.errors import InputError

TOO_BIG = "too large or too small to compute with"


def is_finite(value: Any) -> bool:
    """Whether a float, or every element of a numpy array, is finite (None counts as finite:
    a value that is not available)."""
    if value is None or isinstance(value, (bool, int, str)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    import numpy as np

    try:
        return bool(np.isfinite(np.asarray(value, dtype=float)).all())
    except (TypeError, ValueError):
        return True


def checked(value: Any, what: str, where: str, inputs: str = "", *, input: str = "") -> Any:
    """``value`` if finite, else an :class:`InputError` at ``where`` (or about input
    ``input``): ``what`` overflows (``inputs``)."""
    if is_finite(value):
        return value
    named = f" ({inputs})" if inputs else ""
    raise InputError(f"{what} overflows{named}: the inputs are {TOO_BIG}", where, input=input)


def product(
    factors: Iterable[tuple[str, Any]],
    where: str = "",
    *,
    input: str = "",
    what: str = "",
    nonzero: bool = True,
) -> Any:
    """The product of named positive ``factors``, refused when it overflows or (with
    ``nonzero``) underflows to zero, naming the factors: "peak x utilization underflows
    to zero (1e-300 x 1e-300)". The error is at ``where``, or about input ``input``."""
    names: list[str] = []
    values: list[Any] = []
    result: Any = 1.0
    for name, value in factors:
        names.append(name)
        values.append(value)
        result = result * value
    label = what or " × ".join(names)
    shown = " × ".join(_show(v) for v in values)
    if not is_finite(result):
        raise InputError(
            f"{label} overflows ({shown}): the inputs are {TOO_BIG}", where, input=input
        )
    if nonzero and _any_zero(result) and not any(_any_zero(v) for v in values):
        raise InputError(
            f"{label} underflows to zero ({shown}): the inputs are {TOO_BIG}", where, input=input
        )
    return result


def _any_zero(value: Any) -> bool:
    if isinstance(value, (int, float)):
        return value == 0
    import numpy as np

    return bool((np.asarray(value) == 0).any())


def _show(value: Any) -> str:
    if isinstance(value, (int, float)):
        return f"{value:g}"
    import numpy as np

    arr = np.asarray(value, dtype=float).ravel()
    if arr.size == 1:
        return f"{arr[0]:g}"
    return f"{arr.min():g}..{arr.max():g}"


def first_nonfinite(doc: Any, path: str = "") -> str | None:
    """The path (``total.flops``, ``runs[0].cost_usd``) of the first non-finite number in a
    result document (dicts, lists, floats, numpy scalars), or None."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            found = first_nonfinite(value, f"{path}.{key}" if path else str(key))
            if found is not None:
                return found
        return None
    if isinstance(doc, (list, tuple)):
        for i, value in enumerate(doc):
            found = first_nonfinite(value, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    if isinstance(doc, (str, bool, int)) or doc is None:
        return None
    if isinstance(doc, float):
        return None if math.isfinite(doc) else path or "value"
    return None if is_finite(doc) else path or "value"


def require_finite(doc: Any, where: str = "", inputs: str = "") -> Any:
    """``doc`` when every number in it is finite; else an :class:`InputError` naming the
    first field that is not, and ``inputs`` (the one check before any rendering)."""
    found = first_nonfinite(doc)
    if found is not None:
        named = f" (from {inputs[:300]})" if inputs else ""
        raise InputError(f"the result {found} overflows{named}: the inputs are {TOO_BIG}", where)
    return doc


def dumps(doc: Any, **kwargs: Any) -> str:
    """Strict JSON of ``doc``: refused (exit 2) rather than written with NaN or Infinity."""
    require_finite(doc)
    return json.dumps(doc, allow_nan=False, **kwargs)
