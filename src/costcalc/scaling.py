"""Scaling and diminishing returns: how much more compute a better model needs.

Two ways: a compute multiplier K^E for a K-fold improvement (Thompson et al. 2021), or a
power law error = a x compute^b fitted to the user's own points and extrapolated to a
target error. Either way the resulting compute is priced by the ordinary estimate.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costcalc import inputs as registry
from costcalc import workloads, yamlio
from costcalc.errors import DataError, InputError, given_with, ref
from costcalc.estimator import KEYWORDS, base_estimate
from costcalc.results import Assumption, Estimate
from costcalc.units import parse_quantity

if TYPE_CHECKING:
    from costcalc.config import Settings

Number = Any
MAX_POINTS = 10_000
FAR = 10.0  # extrapolating more than this factor beyond the data earns a warning


def compute_multiplier(improvement: Number, exponent: Number) -> Number:
    """Compute needed for a ``improvement``-fold better model: K^E."""
    try:
        return improvement**exponent
    except OverflowError:  # Python floats raise here; numpy arrays give inf
        raise InputError(
            f"K^E = {improvement:g}^{exponent:g} overflows a 64-bit float; "
            "give a smaller improvement or exponent",
            input="exponent",
        ) from None


@dataclass(frozen=True)
class Fit:
    """error = prefactor x compute^slope, fitted in log-log space."""

    prefactor: float
    slope: float  # negative: error falls with compute
    r2: float
    residuals: tuple[float, ...]  # log10(observed / fitted), per point
    points: int
    compute_range: tuple[float, float]

    @property
    def exponent(self) -> float:
        """E in "K-fold lower error needs K^E more compute" (= -1/slope)."""
        return -1.0 / self.slope

    def compute_for(self, error: Number) -> Number:
        return (error / self.prefactor) ** (1.0 / self.slope)


def fit_power_law(compute: Any, error: Any) -> Fit:
    """Least-squares fit of log(error) = log(a) + b log(compute)."""
    import numpy as np

    x = np.log10(np.asarray(compute, dtype=float))
    y = np.log10(np.asarray(error, dtype=float))
    if len(x) < 3:
        raise InputError(f"need at least 3 points to fit a power law, got {len(x)}", input="fit")
    if np.ptp(x) == 0:
        raise InputError("all points have the same compute; nothing to fit", input="fit")
    slope, intercept = np.polyfit(x, y, 1)
    fitted = intercept + slope * x
    ss_res = float(np.sum((y - fitted) ** 2))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    if slope >= 0:
        raise InputError(
            f"the error does not fall with compute in these points (slope {slope:.3g}); "
            "a power law cannot extrapolate to a lower error",
            input="fit",
        )
    return Fit(
        prefactor=float(10**intercept),
        slope=float(slope),
        r2=r2,
        residuals=tuple(float(r) for r in y - fitted),
        points=len(x),
        compute_range=(float(10 ** x.min()), float(10 ** x.max())),
    )


DELIMITERS = (",", ";", "\t")
_DECIMAL_COMMA = re.compile(r"^\s*[+-]?[0-9]+,[0-9]+(?:[eE][+-]?[0-9]+)?\s*\Z")


def _csv_rows(text: str, file: Path) -> list[tuple[dict[str, Any], str]]:
    """The rows of a points CSV as spreadsheets write it: a UTF-8 byte-order mark, CRLF
    line ends, quoted fields, and ``,``, ``;`` or tab between fields (whichever the
    header uses). In a file separated by ``;`` or tabs, a decimal comma (``0,5``) is
    read as a decimal point. Each row is located as ``file:line``."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines()
    header = next((line for line in lines if line.strip()), "")
    delimiter = max(DELIMITERS, key=header.count)
    if not header.count(delimiter):
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[dict[str, Any], str]] = []
    names: list[str] | None = None
    try:
        for record in reader:
            where = f"{file}:{reader.line_num}"
            if not any(field.strip() for field in record):
                continue  # a blank line
            if names is None:
                names = [field.strip().lower() for field in record]
                if "compute" not in names or not {"error", "loss"} & set(names):
                    shown = ", ".join(repr(n) for n in names[:6])
                    raise DataError(
                        f"expected a header with the columns compute and error (or loss), "
                        f"separated by ',', ';' or tabs; found {shown}",
                        where,
                    )
                continue
            if len(rows) > MAX_POINTS:
                break
            if len(record) > len(names) and any(f.strip() for f in record[len(names) :]):
                hint = " (a decimal comma needs ';' between fields)" if delimiter == "," else ""
                raise DataError(
                    f"{len(record)} fields, but the header has {len(names)}{hint}", where
                )
            row: dict[str, Any] = dict.fromkeys(names, "")
            for name, field in reversed(list(zip(names, record, strict=False))):
                if delimiter != "," and _DECIMAL_COMMA.match(field):
                    field = field.replace(",", ".")
                row[name] = field.strip()  # reversed: of two equal names, the first wins
            rows.append((row, where))
    except csv.Error as e:
        raise DataError(f"not a readable CSV file: {e}", f"{file}:{reader.line_num}") from None
    if names is None:
        raise DataError("empty: expected a header with compute and error (or loss)", str(file))
    return rows


def read_points(path: str) -> tuple[list[float], list[float]]:
    """Points from a CSV (columns compute and error, or loss) or a YAML list of mappings."""
    file = Path(path)
    text = yamlio.read_text(file, "points file")
    rows: list[tuple[Any, str]]
    if file.suffix.lower() in (".yaml", ".yml"):
        doc = yamlio.load(text, str(file))
        items = doc.data
        if not isinstance(items, list):
            raise DataError("expected a list of {compute, error} mappings", doc.where())
        rows = [(item, doc.where((i,))) for i, item in enumerate(items[: MAX_POINTS + 1])]
    else:
        rows = list(_csv_rows(text, file))
    compute: list[float] = []
    error: list[float] = []
    for row, where in rows[: MAX_POINTS + 1]:
        if not isinstance(row, dict):
            raise DataError("expected a mapping with compute and error", where)
        target = "error" if "error" in row else "loss"
        if "compute" not in row or target not in row:
            raise DataError("expected the fields compute and error (or loss)", where)
        for key in ("compute", target):
            if row[key] is None or row[key] == "":
                raise DataError(f"{key}: missing value", where)
        compute.append(parse_quantity(str(row["compute"]), "compute", f"{where}: compute"))
        error.append(parse_quantity(str(row[target]), "number", f"{where}: {target}"))
    if len(compute) > MAX_POINTS:
        raise DataError(f"more than {MAX_POINTS} points", str(file))
    return compute, error


def _needed(fit: Fit, goal: float, errors: list[float]) -> float:
    """The compute the fitted law needs for ``goal``, worked out in log space so that an
    extreme target is a clear error, never an overflow or a division by zero."""
    log_needed = (math.log10(goal) - math.log10(fit.prefactor)) / fit.slope
    span = f"the points' errors go from {max(errors):.3g} down to {min(errors):.3g}"
    if not math.isfinite(log_needed) or log_needed > 300:
        raise InputError(
            f"the fitted power law needs more than 1e300 FLOP to reach {goal:g} ({span}); "
            "give a higher target",
            input="target",
        )
    if log_needed < 0:
        raise InputError(
            f"the fitted power law reaches {goal:g} with less than 1 FLOP ({span}); "
            "give a lower target",
            input="target",
        )
    return float(10**log_needed)


@dataclass
class Scaled:
    """A base compute scaled up, and the estimate of the result."""

    result: Estimate
    multiplier: float
    base: Estimate | None = None
    fit: Fit | None = None
    target: float | None = None
    assumptions: list[Assumption] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def scale(
    work: Any = None,
    *,
    improvement: Any = None,
    exponent: Any = None,
    fit: str | None = None,
    target: Any = None,
    settings: Settings | None = None,
    **options: Any,
) -> Scaled:
    """Either ``work`` x ``improvement``^``exponent``, or the compute a fitted power law
    needs for ``target`` error; each priced with :func:`costcalc.estimate` (``options``,
    with the config-file defaults of ``settings`` under them)."""
    registry.check_keywords("scale", {**options, "settings": settings}, KEYWORDS[1:])
    if settings is not None:
        from costcalc.config import DEFAULT_KEYS

        return settings.apply(
            scale,
            lambda s, label: replace(
                s, result=label(s.result), base=None if s.base is None else label(s.base)
            ),
            work=work,
            improvement=improvement,
            exponent=exponent,
            fit=fit,
            target=target,
            **(dict.fromkeys(DEFAULT_KEYS) | options),
        )
    if fit is not None:
        if work is not None or improvement is not None or exponent is not None:
            raise InputError(
                f"give a base run with {ref('improvement')}, or {ref('fit')} with "
                f"{ref('target')}, not both",
                input="fit",
            )
        if target is None:
            raise InputError(
                f"{ref('fit')} needs {ref('target')} (the error to reach, e.g. 0.05)",
                input="target",
            )
        goal = parse_quantity(target, "number", input="target")
        compute, error = read_points(fit)
        result_fit = fit_power_law(compute, error)
        needed = _needed(result_fit, goal, error)
        lo, hi = result_fit.compute_range
        notes = []
        if needed > hi * FAR or needed < lo / FAR:
            beyond = needed / hi if needed > hi else lo / needed
            notes.append(
                f"warning: the target lies {beyond:.3g}x outside the fitted compute range "
                f"({workloads.flop_text(lo)} to {workloads.flop_text(hi)} FLOP); "
                "a power law extrapolated this far is a guess"
            )
        return Scaled(
            result=base_estimate(needed, **options),
            multiplier=needed / hi,
            fit=result_fit,
            target=goal,
            notes=notes,
        )
    if work is None:
        raise InputError(
            f"give a base (a run name or FLOPs) with {ref('improvement')}, or {ref('fit')}",
            input="work",
        )
    if improvement is None:
        raise InputError(
            f"{ref('improvement')} is needed (e.g. 2 for a 2-fold lower error)", input="improvement"
        )
    k = parse_quantity(improvement, "number", input="improvement")
    if exponent is not None:
        e = parse_quantity(exponent, "number", input="exponent")
        source, origin = given_with("exponent"), "flag"
    else:
        e, source = workloads.rule("scaling_exponent")
        origin = "default"
    multiplier = float(compute_multiplier(k, e))
    base = base_estimate(work, **options)
    result = base_estimate(base.outputs["flops"] * multiplier, **options)
    assumptions = [
        Assumption("improvement", k, "", f"{k:g}x", given_with("improvement"), "flag"),
        Assumption("exponent", e, "", f"compute x K^{e:g}", source, origin),
    ]
    from costcalc.workload_shape import tokens_note

    return Scaled(
        result=result,
        multiplier=multiplier,
        base=base,
        assumptions=assumptions,
        notes=tokens_note(result, f"the scaled compute ({multiplier:.4g}x)"),
    )
