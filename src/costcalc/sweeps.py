"""What-if sweeps: grids of scenarios, evaluated in chunks over numpy arrays.

Every input of ``estimate`` can take a list (``8,64,512``) or a range (``30%..60%:4``,
``1e20..1e24:5log``). The resolvers of :mod:`costcalc.estimator` run once per distinct
axis value (a few dozen calls), never per scenario; scenarios are then numbered
0..n-1 (the cartesian product in axis order, the last axis fastest; or, with
``zip_axes``, the axes side by side) and evaluated chunk by chunk from their numbers.
Constraints (``where``), ranking (``sort``/``top``) and Pareto fronts stream over the
chunks with a bounded candidate set, so memory does not grow with the grid.

No I/O here: renderers turn the chunks into text (``costcalc.render.sweep``).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from costcalc import inputs as registry
from costcalc import model, tables
from costcalc.errors import InputError
from costcalc.estimator import OUTPUT_FIELDS
from costcalc.hardware import default_catalog
from costcalc.profiles import Catalog, Profile
from costcalc.results import Assumption
from costcalc.units import KINDS
from costcalc.where import Field, compile_where

if TYPE_CHECKING:
    from costcalc.config import Setting, Settings

CHUNK = 1 << 15  # scenarios per evaluated chunk: its temporaries stay in the CPU's cache
WRITE_CHUNK = 1 << 17  # rows per written chunk: text output has more work per chunk
MAX_SCENARIOS = 10**9
MAX_SORTED = 10**7  # a full sort (no --top) keeps this many (key, index) pairs at most
MAX_POINTS = 1_000_000  # points in one range
SCHEMA = "costcalc/sweep/1"


@dataclass(frozen=True)
class Input:
    """A sweepable input: how its values are read, and its column's unit."""

    flag: str
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
        registry.INPUTS["work"].flag if name == "flops" else registry.INPUTS[name].flag,
        registry.INPUTS[name].kind or "",
        _column_unit(registry.INPUTS[name].kind),
    )
    for name in registry.accepted(registry.SWEEP)
}
OUTPUT_KINDS = {name: o.kind for name, o in registry.OUTPUTS.items()}
# One '..' and one ':'; neither end may touch a third dot ("1e20...1e22" is a typo, not
# 1e20..0.1e22), N is ASCII digits ("３" is not 3); \Z, not $: a final newline counts.
_RANGE = re.compile(
    r"^(?P<lo>(?:(?!\.\.)[^:])*?[^.:])\.\.(?P<hi>[^.:](?:(?!\.\.)[^:])*?)"
    r":\s*(?P<n>[0-9]+)\s*(?P<log>log)?\Z",
    re.I,
)


# ---------------------------------------------------------------------------- axes


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
                INPUTS[name].flag,
            )
    elif isinstance(value, (list, tuple)):
        items = list(value)
    elif isinstance(value, np.ndarray):
        items = value.ravel().tolist()
    else:
        items = [value]
    if not items or any(isinstance(v, str) and not v for v in items):
        raise InputError(f"empty value in {value!r}; expected a list like a,b,c", INPUTS[name].flag)
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
    return lambda v: parse_quantity(v, spec.kind, spec.flag, allow_zero=allow_zero)


# Inputs whose ranges are rounded to whole numbers (and their least value).
_WHOLE = {"devices": 1.0, "seq_len": 1.0, "zero": 0.0}


def _numbers(name: str, value: Any) -> Any:
    """The values of a numeric input in base units: list items and ranges, in order."""
    import numpy as np

    read = _reader(name)
    flag = INPUTS[name].flag
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
                flag,
            )
        lo, hi, count = read(m["lo"].strip()), read(m["hi"].strip()), int(m["n"])
        if not 2 <= count <= MAX_POINTS:
            raise InputError(
                f"bad range {text!r}: the number of points must be 2 to {MAX_POINTS:,}", flag
            )
        if not lo < hi:
            raise InputError(f"bad range {text!r}: the low end must be below the high end", flag)
        if m["log"]:
            if lo <= 0:
                raise InputError(f"bad range {text!r}: a log range must start above 0", flag)
            points = np.geomspace(lo, hi, count)
        else:
            points = np.linspace(lo, hi, count)
        if name in _WHOLE:  # a count: round, and drop the repeats rounding makes
            points = np.unique(np.maximum(np.rint(points), _WHOLE[name]))
        out.extend(points.tolist())
    return np.asarray(out, dtype=float)


def _labels(name: str, value: Any) -> list[str]:
    return [str(v).strip() for v in _items(name, value)]


# ------------------------------------------------------------------------ the grid


@dataclass
class Grid:
    """The resolved sweep: axes, fixed inputs, and how to evaluate any scenario number."""

    axes: list[Axis]
    fixed: dict[str, float]  # model inputs that do not vary (base units)
    work: str  # "flops", "device_hours" or "duration"
    zipped: bool
    size: int
    assumptions: list[Assumption]  # the inputs that do not vary, with their sources
    notes: list[str]
    input_columns: list[str]  # swept input columns, in INPUTS order
    shape: Any = None  # costcalc.sweep_shape.Tables, with --arch

    @property
    def shape_outputs(self) -> list[str]:
        """Output columns of the model's shape (memory per device, fits), with --arch."""
        from costcalc import sweep_shape

        return list(sweep_shape.OUTPUTS) if self.shape is not None else []

    @property
    def columns(self) -> list[str]:
        return list(OUTPUT_FIELDS) + self.shape_outputs + self.input_columns

    def evaluate(self, params: dict[str, Any]) -> dict[str, Any]:
        """The output columns of the scenarios of ``params`` (the shape's too)."""
        if self.shape is None:
            return evaluate(params, self.work)
        from costcalc import sweep_shape

        params = dict(params)
        extra = sweep_shape.apply(self.shape, params)
        out = evaluate(params, self.work)
        out.update(extra)
        return out

    def column_labels(self, name: str) -> tuple[str, ...] | None:
        for axis in self.axes:
            if name in axis.columns and isinstance(axis.columns[name], Labels):
                labels: tuple[str, ...] = axis.columns[name].names
                return labels
        return None

    def fields(self) -> dict[str, Field]:
        """The columns a constraint may name."""
        out = {
            name: Field(name, OUTPUT_KINDS[name], OUTPUT_FIELDS[name][0]) for name in OUTPUT_FIELDS
        }
        if self.shape is not None:
            from costcalc import sweep_shape

            for name, (kind, unit) in sweep_shape.OUTPUTS.items():
                out[name] = Field(name, kind, unit)
        for name in self.input_columns:
            if name in out:
                continue
            labels = self.column_labels(name)
            if name not in INPUTS:  # a basis column: text
                out[name] = Field(name, "number", "", labels)
                continue
            spec = INPUTS[name]
            out[name] = Field(name, spec.kind or "number", spec.unit, labels)
        return out

    def chunk(self, index: Any, span: tuple[int, int] | None = None) -> Chunk:
        """Every column of the scenarios numbered ``index`` (an int64 array); ``span`` says
        that ``index`` is the run ``start..stop-1``, whose codes are cheaper to make."""
        import numpy as np

        params: dict[str, Any] = dict(self.fixed)
        codes: dict[str, Any] = {}
        for axis in self.axes:
            if axis.size == 1:
                code = np.zeros(len(index), dtype=np.intp)
                params.update({k: float(v[0]) for k, v in axis.params.items()})
            else:
                if self.zipped:
                    code = index
                elif span is not None:
                    code = _run_codes(span[0], span[1], axis.stride, axis.size)
                elif axis.stride * axis.size == self.size:  # the first axis: no wrap-around
                    code = index // axis.stride
                elif axis.stride == 1:
                    code = index % axis.size
                else:
                    code = (index // axis.stride) % axis.size
                params.update({k: v.take(code) for k, v in axis.params.items()})
            for col in axis.columns:
                codes[col] = code
        outputs = self.evaluate(params)
        for name, value in outputs.items():
            if np.shape(value) != index.shape:  # every input fixed: scalars
                outputs[name] = np.full(index.shape, value, dtype=float)
        return Chunk(self, index, outputs, codes)

    def block_start(self, limit: int) -> int | None:
        """The first of the trailing axes whose scenarios (together) fit in ``limit``, for
        :meth:`block`; None when the grid is zipped or its last axis alone is larger."""
        if self.zipped:
            return None
        inner = 1
        first = len(self.axes)
        for i in range(len(self.axes) - 1, -1, -1):
            if inner * self.axes[i].size > limit:
                break
            inner *= self.axes[i].size
            first = i
        return first if first < len(self.axes) else None

    def block(self, start: int, stop: int, first: int) -> Chunk:
        """The scenarios start..stop-1 of a product grid, where the axes from ``first`` on
        are whole (start and stop are multiples of their product). The inputs broadcast
        against each other, so each output is computed over only the axes it depends on
        (device_hours does not depend on the devices or the region) and then laid out."""
        import numpy as np

        inner = self.axes[first:]
        whole = math.prod(a.size for a in inner)
        rows = (stop - start) // whole
        shape = (rows, *(a.size for a in inner))
        ndim = len(shape)
        params: dict[str, Any] = dict(self.fixed)
        makers: dict[str, Callable[[], Any]] = {}
        for i, axis in enumerate(self.axes):
            if axis.size == 1:
                params.update({k: float(v[0]) for k, v in axis.params.items()})
                code: Any = np.zeros(1, dtype=np.intp)
                dim = 0
            elif i < first:
                code = _run_codes(start // whole, stop // whole, axis.stride // whole, axis.size)
                dim = 0
            else:
                code = np.arange(axis.size, dtype=np.intp)
                dim = 1 + i - first
            bshape = [1] * ndim
            bshape[dim] = len(code)
            if axis.size > 1:
                params.update({k: v.take(code).reshape(bshape) for k, v in axis.params.items()})
            shaped = code.reshape(bshape)
            for col in axis.columns:
                makers[col] = functools.partial(_spread, shaped, shape)
        outputs = {name: _spread(value, shape) for name, value in self.evaluate(params).items()}
        return Chunk(self, None, outputs, _Codes(makers), (start, stop))


class _Codes(dict):  # type: ignore[type-arg]
    """Input column -> codes, each made when first asked for (an evaluation alone needs
    none)."""

    def __init__(self, makers: dict[str, Callable[[], Any]]) -> None:
        super().__init__()
        self.makers = makers

    def __missing__(self, name: str) -> Any:
        value = self[name] = self.makers[name]()
        return value

    def __contains__(self, name: object) -> bool:
        return name in self.makers

    def items(self) -> Any:  # type: ignore[override]
        return [(name, self[name]) for name in self.makers]


def _spread(value: Any, shape: tuple[int, ...]) -> Any:
    """``value`` broadcast to ``shape``, as a fresh flat array. np.repeat along each
    missing axis copies far faster than copying a broadcast view (stride-0 inner loops)."""
    import numpy as np

    if np.ndim(value) == 0:
        return np.full(math.prod(shape), value, dtype=float)
    if value.shape == shape:  # a fresh result, or (a view of) an axis's own values: copy
        return value.ravel() if value.flags.owndata else value.ravel().copy()
    # Merge neighbouring axes that are alike (all present or all missing): fewer repeats.
    groups: list[list[int]] = []  # [size, present]
    for have, size in zip(value.shape, shape, strict=True):
        present = int(have == size or size == 1)
        if groups and groups[-1][1] == present:
            groups[-1][0] *= size
        else:
            groups.append([size, present])
    value = value.reshape([size if present else 1 for size, present in groups])
    if not groups[-1][1]:  # each value repeated in a run: a broadcast copy fills runs fast
        out = np.empty([size for size, _ in groups], dtype=value.dtype)
        out[...] = value
        return out.ravel()
    for dim, (size, present) in enumerate(groups):
        if not present:
            value = np.repeat(value, size, axis=dim)
    return value.ravel()


def _run_codes(start: int, stop: int, stride: int, size: int) -> Any:
    """``(i // stride) % size`` for i in start..stop-1, by repeating a cycle: integer
    division over every scenario costs more than the rest of a chunk's arithmetic."""
    import numpy as np

    first, last = start // stride, (stop - 1) // stride
    if last - first < 4096:  # few values (the usual case): the cycle costs more to make
        values = np.arange(first, last + 1, dtype=np.intp) % size
    else:
        values = np.resize(
            np.roll(np.arange(size, dtype=np.intp), -(first % size)), last - first + 1
        )
    if stride == 1:
        return values
    counts = np.full(len(values), stride, dtype=np.intp)
    counts[0] -= start - first * stride
    counts[-1] -= (last + 1) * stride - stop
    return np.repeat(values, counts)


def evaluate(params: Mapping[str, Any], work: str) -> dict[str, Any]:
    """The output columns (display units) for model inputs in base units: the functions
    of :mod:`costcalc.model` in the order ``estimate`` calls them, so that every value is
    bit for bit the estimate's. Inputs may broadcast against each other; only the wall
    clock time depends on every input."""
    import numpy as np

    from costcalc import finite
    from costcalc.units import factor

    peak, util = params["peak"], params["utilization"]
    # The model divides by peak x utilization: refused when it underflows to zero.
    finite.product((("peak", peak), ("utilization", util)), "--utilization")
    with np.errstate(over="ignore", divide="ignore", invalid="ignore", under="ignore"):
        if work == "flops":
            flops = params["flops"]
        elif work == "device_hours":
            flops = model.flops_from_device_time(params["device_seconds"], peak, util)
        else:
            flops = model.flops_from_device_time(
                params["duration_seconds"] * params["devices"], peak, util
            )
        seconds = model.device_time(flops, peak, util)
        joules = model.energy(seconds, params["power"], params["pue"])
        values = {
            "flops": flops,
            "wall_clock_hours": model.wall_clock(seconds, params["devices"]),
            "device_hours": seconds,
            "energy_kwh": joules,
            "cost_usd": model.cost(seconds, params["price"]),
            "co2e_kg": model.co2e(joules, params["carbon_intensity"]),
        }
    for name, value in values.items():
        _refuse_overflow(name, value, params, work)
    out = {}
    for name, value in values.items():
        scale = factor(OUTPUT_FIELDS[name][0])
        if scale == 1.0:
            out[name] = value
        elif name == "wall_clock_hours" and isinstance(value, np.ndarray):
            value /= scale  # in place: a fresh array, as large as the chunk
            out[name] = value
        else:
            out[name] = value / scale
    return out


_MODEL_INPUTS = ("peak", "utilization", "devices", "power", "pue", "price", "carbon_intensity")
_WORK_INPUTS = {"flops": "flops", "device_hours": "device_seconds", "duration": "duration_seconds"}


def _refuse_overflow(name: str, value: Any, params: Mapping[str, Any], work: str) -> None:
    """An output column with an infinite value (NaN is a missing price, shown empty) is
    refused, naming the inputs of the first scenario that overflows (base units)."""
    import numpy as np

    bad = np.isinf(value)
    if not bad.any():
        return
    inputs = (_WORK_INPUTS.get(work, "flops"), *_MODEL_INPUTS)
    arrays = {k: params[k] for k in inputs}
    shape = np.broadcast_shapes(np.shape(value), *(np.shape(v) for v in arrays.values()))
    i = int(np.flatnonzero(np.broadcast_to(bad, shape))[0])
    shown = ", ".join(
        f"{k.replace('_', ' ')} {float(np.broadcast_to(v, shape).flat[i]):g}"
        for k, v in arrays.items()
    )
    raise InputError(
        f"{name} overflows for inputs of this sweep ({shown}, base units): the inputs are "
        "too large or too small to compute with; narrow the sweep",
        "WORK",
    )


class Chunk:
    """Some scenarios: their numbers, output columns and each input column's codes."""

    def __init__(
        self,
        grid: Grid,
        index: Any,
        outputs: dict[str, Any],
        codes: dict[str, Any],  # input column -> index into its axis values
        span: tuple[int, int] | None = None,  # index is start..stop-1, made when needed
    ) -> None:
        self.grid = grid
        self._index = index
        self.outputs = outputs
        self.codes = codes
        self.span = span

    @property
    def index(self) -> Any:
        if self._index is None:
            import numpy as np

            assert self.span is not None
            self._index = np.arange(*self.span, dtype=np.int64)
        return self._index

    def __len__(self) -> int:
        if self._index is None and self.span is not None:
            return self.span[1] - self.span[0]
        return len(self.index)

    def __getitem__(self, name: str) -> Any:
        """A column as constraints see it: numbers, or codes for a text column."""
        if name in self.outputs:
            return self.outputs[name]
        return self.grid_column(name, labels_as_codes=True)

    def grid_column(self, name: str, labels_as_codes: bool = False) -> Any:
        import numpy as np

        for axis in self.grid.axes:
            if name in axis.columns:
                values = axis.columns[name]
                code = self.codes[name]
                if isinstance(values, Labels):
                    label = values.of_entry.take(code)
                    if labels_as_codes:
                        return label
                    return np.asarray(values.names, dtype=object).take(label)
                return values.take(code)
        raise KeyError(name)

    def column(self, name: str) -> Any:
        """A column's values: numbers, or text for a text column."""
        if name in self.outputs:
            return self.outputs[name]
        return self.grid_column(name)

    def select(self, mask: Any) -> Chunk:
        return Chunk(
            self.grid,
            self.index[mask],
            {k: v[mask] for k, v in self.outputs.items()},
            {k: v[mask] for k, v in self.codes.items()},
        )


# Text columns that say where each row's price, PUE and grid intensity come from.
BASIS_COLUMNS = ("price_provider", "price_pricing", "price_date", "pue_source", "grid_basis")
SITE_INPUTS = ("region", "provider", "pricing")


def _site_lists(given: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The regions, providers and pricing models of a sweep, each checked by name
    (``[None]`` where not given)."""
    from costcalc import pricing
    from costcalc.tables import find_region

    out: dict[str, list[Any]] = {}
    for name in SITE_INPUTS:
        if name not in given:
            continue
        values = _labels(name, given[name])
        for v in values:
            if name == "region":
                find_region(v, "--region")
            elif name == "provider":
                pricing.find_provider(v)
            else:
                pricing.find_pricing(v)
        out[name] = values
    return out


def _combine(lists: list[list[Any]], zipped: bool) -> list[tuple[Any, ...]]:
    """Hardware pairs x regions x providers x pricing models: the product, or with --zip
    the lists longer than one paired. Each tuple is (pair, region, provider, pricing)."""
    import itertools

    full = lists
    if not zipped:
        return list(itertools.product(*full))
    lengths = {len(x) for x in full if len(x) > 1}
    if len(lengths) > 1:
        raise InputError(
            "--zip pairs lists of the same length; --hardware, --region, --provider and "
            f"--pricing have {', '.join(str(len(x)) for x in full)} values",
            "--zip",
        )
    n = lengths.pop() if lengths else 1
    return [tuple(x[i] if len(x) > 1 else x[0] for x in full) for i in range(n)]


def _pue_source(pue_name: str | None, region: str | None, provider: str | None) -> str:
    """A short name of where a PUE comes from: ``gcp us-central1`` (the region's own
    figure), ``aws fleet``, ``--pue google``, or ``industry`` (the default)."""
    from costcalc import site

    found = site.site_pue(pue_name, region, provider)
    return "industry" if found is None else found.short


def build_grid(
    inputs: Mapping[str, Any],
    *,
    zip_axes: bool = False,
    max_scenarios: int = MAX_SCENARIOS,
    catalog: Catalog | None = None,
) -> Grid:
    """Resolve the inputs (each None, a value, a list or a range) into a grid."""
    import numpy as np

    from costcalc import estimator

    unknown = set(inputs) - set(INPUTS)
    if unknown:
        raise InputError(f"unknown sweep input(s): {', '.join(sorted(unknown))}")
    given = {k: v for k, v in inputs.items() if v is not None}
    work_given = [k for k in ("flops", "device_hours", "duration") if k in given]
    if len(work_given) > 1:
        raise InputError(
            "give the work one way: FLOPs, --device-hours, or --duration with --devices",
            INPUTS[work_given[-1]].flag,
        )
    from costcalc import sweep_shape

    shape_given = [k for k in sweep_shape.SHAPE_INPUTS[1:] if k in given]
    if shape_given and "arch" not in given:
        flag = INPUTS[shape_given[0]].flag
        raise InputError(f"{flag} needs --arch (the model's shape; see 'costcalc arch list')", flag)
    if not work_given and "tokens" not in given:
        raise InputError(
            "no work given: pass FLOPs (e.g. 1e20..1e24:5log), --device-hours, --duration "
            "or --arch with --tokens",
            "WORK",
        )
    if "carbon_intensity" in given and "region" in given:
        raise InputError("give --carbon-intensity or --region, not both", "--region")
    work = work_given[0] if work_given else "flops"
    catalog = catalog or default_catalog()
    notes: list[str] = []
    assumptions: list[Assumption] = []
    fixed: dict[str, float] = {}
    axes: list[Axis] = []

    # A provider's name on --pue (--pue google) is one value, not an axis.
    pue_name = None
    if isinstance(given.get("pue"), str) and given["pue"].strip()[:1].isalpha():
        pue_name = given.pop("pue")
    # Numeric inputs, each its own axis.
    numeric: dict[str, Any] = {}
    for name in INPUTS:
        if name in given and INPUTS[name].kind:
            numeric[name] = _numbers(name, given[name])
    # A model's shape: tables per architecture and sequence length (costcalc.sweep_shape).
    shape_tables = None
    if "arch" in given:
        shape_tables, shape_assumptions, shape_notes = sweep_shape.build(given, numeric, work_given)
        assumptions += shape_assumptions
        notes += shape_notes

    # Hardware x precision: one axis of the valid pairs (a few dozen resolver calls).
    if given.get("hardware") is not None:
        names = _labels("hardware", given["hardware"])
        if any(n.lower() == "all" for n in names):
            if len(names) > 1:
                raise InputError("'all' cannot be combined with other hardware", "--hardware")
            profiles = [catalog.all()[k] for k in sorted(catalog.all())]
        else:
            profiles = [catalog.get(n) for n in names]
    else:
        profiles = [catalog.get(tables.defaults()["hardware"]["value"])]
    precisions: list[str | None] = (
        [p.lower() for p in _labels("precision", given["precision"])]
        if "precision" in given
        else [None]
    )
    if zip_axes and len(profiles) > 1 and len(precisions) > 1:
        if len(profiles) != len(precisions):
            raise InputError(
                f"--zip pairs lists of the same length; --hardware has {len(profiles)} "
                f"values and --precision {len(precisions)}",
                "--precision",
            )
        pairs = list(zip(profiles, precisions, strict=True))
    else:
        pairs = [(p, q) for p in profiles for q in precisions]
    has_peak = "peak" in numeric
    skipped: list[str] = []
    # The site: regions x providers x pricing models, each bringing a PUE, a price and a
    # grid. Names are checked first, so a failure below is one of availability only.
    from costcalc import pricing as price_list
    from costcalc import site
    from costcalc.tables import find_region

    sites = _site_lists(given)
    valid = []
    for profile, prec in pairs:
        if prec is not None and not has_peak and prec not in profile.dense_peak:
            if zip_axes or (len(profiles) == 1 and len(precisions) == 1):
                raise InputError(
                    f"{profile.name} has no {prec} peak; it has {', '.join(profile.dense_peak)}",
                    "--precision",
                )
            skipped.append(f"{profile.name} {prec}")
            continue
        valid.append((profile, prec))
    if not valid:
        raise InputError(
            "no hardware has the precision(s) asked for: " + ", ".join(skipped), "--precision"
        )
    combos = _combine([valid, *(sites.get(n, [None]) for n in SITE_INPUTS)], zip_axes)
    choices = []
    entries: list[dict[str, Any]] = []
    unsold: list[str] = []
    mismatched: list[str] = []
    single = len(combos) == 1
    for (profile, prec), region, provider, pricing_model in combos:
        if region is not None and provider is not None:
            cloud = site.cloud_region_of(region)
            if cloud is not None and cloud.provider != price_list.find_provider(provider).id:
                if single:
                    raise InputError(
                        f"region '{cloud.id}' belongs to {cloud.provider}, not {provider}",
                        "--region",
                    )
                mismatched.append(f"{region} with {provider}")
                continue
        try:
            choice = estimator.resolve_hardware(
                profile,
                precision=prec,
                peak=f"{float(numeric['peak'][0])!r} FLOPS" if has_peak else None,
                price="1 USD/hour" if "price" in numeric else None,
                catalog=catalog,
                provider=provider,
                pricing=pricing_model,
                region=region,
            )
        except InputError:
            if single:
                raise
            choice = estimator.resolve_hardware(
                profile,
                precision=prec,
                peak=f"{float(numeric['peak'][0])!r} FLOPS" if has_peak else None,
                price="1 USD/hour",
                catalog=catalog,
            )
            choice = replace(choice, price=None, price_basis=("none", "", ""))
            whose = " ".join(x for x in (region, provider, pricing_model) if x)
            unsold.append(f"{profile.name} at {whose}".strip())
        pue_value, pue_a = estimator.resolve_pue(pue_name, region, provider)
        entry: dict[str, Any] = {
            "region": region,
            "provider": provider,
            "pricing": pricing_model,
            "pue": pue_value,
            "pue_assumption": pue_a,
            "pue_source": _pue_source(pue_name, region, provider),
        }
        if region is not None:
            entry["carbon_intensity"], entry["ci_assumption"] = estimator.resolve_carbon_intensity(
                region=region
            )
        ci_region = region if region is not None else tables.defaults()["region"]
        entry["grid_basis"] = (
            "given" if "carbon_intensity" in numeric else site.grid_basis(find_region(ci_region))
        )
        choices.append(choice)
        entries.append(entry)
    if not choices:
        raise InputError(
            "no scenario left: every region belongs to another provider than the one "
            "given: " + ", ".join(mismatched),
            "--region",
        )
    if skipped:
        notes.append("skipped (no such precision): " + ", ".join(skipped))
    if mismatched:
        notes.append("skipped (the region belongs to another provider): " + ", ".join(mismatched))
    if unsold:
        notes.append(
            "no price from that provider (cost_usd is empty; see 'costcalc prices'): "
            + ", ".join(dict.fromkeys(unsold))
        )
    if len({e["grid_basis"] for e in entries}) > 1:
        notes.append(
            "the grid intensities mix bases: countries are lifecycle figures (OWID), cloud "
            "regions operational location-based ones; compare co2e_kg across them with care"
        )
    hw_params: dict[str, Any] = {
        "peak": np.array([c.peak for c in choices]),
        "power": np.array([c.power for c in choices]),
        "price": np.array([math.nan if c.price is None else c.price for c in choices]),
        "pue": np.array([e["pue"] for e in entries]),
    }
    if shape_tables is not None:
        from costcalc.units import factor

        hw_params["memory_bytes"] = np.array(
            [
                c.profile.memory.value / factor("B") if c.profile.memory else math.nan
                for c in choices
            ]
        )
    if "region" in given:
        hw_params["carbon_intensity"] = np.array([e["carbon_intensity"] for e in entries])
    if "price" not in numeric:
        unpriced = sorted(
            {c.profile.name for c in choices if c.price is None and c.price_basis[0] != "none"}
        )
        if unpriced:
            notes.append(
                f"no published price for {', '.join(unpriced)}: cost_usd is empty; "
                "give --price for a cost"
            )
    for key in ("peak", "power", "price", "pue"):
        if key in numeric:
            del hw_params[key]  # the flag overrides the profile
    columns: dict[str, Any] = {
        "hardware": Labels.of([c.profile.name for c in choices]),
        "precision": Labels.of([c.precision for c in choices]),
    }
    for name in sites:
        columns[name] = Labels.of([str(e[name]) for e in entries])
    given_price = "price" in numeric
    columns["price_provider"] = Labels.of(
        ["--price" if given_price else c.price_basis[0] for c in choices]
    )
    columns["price_pricing"] = Labels.of(["" if given_price else c.price_basis[1] for c in choices])
    columns["price_date"] = Labels.of(["" if given_price else c.price_basis[2] for c in choices])
    columns["pue_source"] = Labels.of(
        ["--pue" if "pue" in numeric else e["pue_source"] for e in entries]
    )
    columns["grid_basis"] = Labels.of([e["grid_basis"] for e in entries])
    hw_axis = Axis("hardware", len(choices), hw_params, columns)
    if len(choices) == 1:
        by_name = {a.name: a for a in choices[0].assumptions}
        assumptions += [
            by_name[k]
            for k in ("hardware", "precision", "peak", "power", "price")
            if k in by_name and k not in numeric
        ]
    if "region" in given and len({e["ci_assumption"] for e in entries}) == 1:
        assumptions.append(entries[0]["ci_assumption"])  # one grid for every row
    one_pue = None
    if "pue" not in numeric and len({e["pue_assumption"] for e in entries}) == 1:
        one_pue = entries[0]["pue_assumption"]  # one PUE for every row
    region_axis = None

    # Axes in column order; defaults for the rest.
    param_of = {
        "flops": "flops",
        "device_hours": "device_seconds",
        "duration": "duration_seconds",
    }
    from costcalc.units import convert

    for name in INPUTS:
        if name == "hardware":
            axes.append(hw_axis)
        elif name == "region" and region_axis is not None:
            axes.append(region_axis)
        elif name == "arch" and shape_tables is not None:
            arch_columns: dict[str, Any] = {"arch": Labels.of(list(shape_tables.names))}
            if "seq_len" not in numeric:  # each architecture's own sequence length
                arch_columns["seq_len"] = shape_tables.seq_lens[:, 0].copy()
            n_arch = len(shape_tables.names)
            axes.append(
                Axis(name, n_arch, {"arch_code": np.arange(n_arch, dtype=float)}, arch_columns)
            )
        elif name == "seq_len" and name in numeric:
            values = numeric[name]
            axes.append(
                Axis(
                    name,
                    len(values),
                    {"seq_code": np.arange(len(values), dtype=float)},
                    {name: values},
                )
            )
        elif name in numeric:
            values = numeric[name]
            unit = INPUTS[name].unit
            shown = convert(values, unit) if unit else values
            axes.append(Axis(name, len(values), {param_of.get(name, name): values}, {name: shown}))
    if "utilization" not in numeric:
        # the default utilization depends on the hardware generation (costcalc.band)
        utils = [estimator.resolve_utilization(profile=c.profile.name) for c in choices]
        if len({u for u, _a in utils}) == 1:
            fixed["utilization"], a = utils[0]
            assumptions.append(a)
        else:
            hw_axis.params["utilization"] = np.array([u for u, _a in utils])
            notes.append(
                "utilization: each hardware's default (median MFU of published runs on its "
                "generation, else Epoch AI's 37.5 %): "
                + ", ".join(
                    dict.fromkeys(
                        f"{c.profile.name} {u:.1%}"
                        for c, (u, _a) in zip(choices, utils, strict=True)
                    )
                )
            )
    if "devices" not in numeric:
        fixed["devices"], a = estimator.resolve_devices()
        assumptions.append(a)
    if one_pue is not None:
        assumptions.append(one_pue)
    if "carbon_intensity" not in numeric and "region" not in given:
        fixed["carbon_intensity"], a = estimator.resolve_carbon_intensity()
        assumptions.append(a)

    # Numbering: product (last axis fastest) or zip.
    sizes = [a.size for a in axes]
    if zip_axes:
        lengths = {a.size for a in axes if a.size > 1}
        if len(lengths) > 1:
            detail = ", ".join(f"{a.name} {a.size}" for a in axes if a.size > 1)
            raise InputError(f"--zip pairs lists of the same length; got {detail}", "--zip")
        size = lengths.pop() if lengths else 1
    else:
        size = math.prod(sizes)
        stride = 1
        for axis in reversed(axes):
            axis.stride = stride
            stride *= axis.size
    if size > max_scenarios:
        raise InputError(
            f"the sweep has {size:,} scenarios, more than the limit of {max_scenarios:,}; "
            "narrow the axes or raise --max-scenarios",
            "--max-scenarios",
        )
    order = {name: i for i, name in enumerate([*INPUTS, *BASIS_COLUMNS])}
    input_columns = sorted(
        (col for axis in axes for col in axis.columns if col not in OUTPUT_FIELDS),
        key=lambda col: order.get(col, len(order)),
    )
    grid = Grid(axes, fixed, work, zip_axes, size, assumptions, notes, input_columns, shape_tables)
    if size:
        check_bounds(grid)
    return grid


def check_bounds(grid: Grid) -> None:
    """Refuse, before a row is written, a sweep any of whose results overflows (or whose
    peak x utilization underflows). Each output is a product of powers of the inputs, so
    its extremes over the grid lie at the corners of the box of input ranges: evaluating
    the 2^k corners (k inputs that vary) bounds every scenario."""
    import numpy as np

    ranges: dict[str, Any] = dict(grid.fixed)
    for axis in grid.axes:
        for name, values in axis.params.items():
            arr = np.asarray(values, dtype=float)
            ok = arr[~np.isnan(arr)]
            ranges[name] = (float(ok.min()), float(ok.max())) if ok.size else math.nan
    if grid.shape is not None:  # the shape's FLOPs: per-token extremes x tokens' extremes
        from costcalc import sweep_shape

        for key in ("arch_code", "seq_code", "zero", "memory_bytes"):
            ranges.pop(key, None)
        if grid.shape.tokens_mode:
            ranges["flops"] = sweep_shape.flops_range(grid.shape, ranges.pop("tokens"))
    varying = [k for k, r in ranges.items() if isinstance(r, tuple)]
    params: dict[str, Any] = {k: r for k, r in ranges.items() if not isinstance(r, tuple)}
    for i, name in enumerate(varying):
        shape = [1] * len(varying)
        shape[i] = 2
        params[name] = np.array(ranges[name], dtype=float).reshape(shape)
    evaluate(params, grid.work)


# ------------------------------------------------------------------ ranking helpers


def _sort_key(chunk: Chunk, name: str, descending: bool) -> Any:
    """Ascending key: NaN last whatever the direction; text sorts by label."""
    import numpy as np

    labels = chunk.grid.column_labels(name) if name not in chunk.outputs else None
    if labels is not None:
        rank = np.argsort(np.argsort(np.asarray(labels, dtype=object), kind="stable"))
        key = rank.take(chunk[name]).astype(float)
    else:
        key = np.asarray(chunk[name], dtype=float)
    key = -key if descending else key.copy()
    key[np.isnan(key)] = np.inf
    return key


def _smallest(key: Any, index: Any, k: int) -> tuple[Any, Any]:
    """The k entries with the smallest (key, index), in any order."""
    import numpy as np

    if len(key) <= k:
        return key, index
    kth = np.partition(key, k - 1)[k - 1]
    below = key < kth
    ties = np.flatnonzero(key == kth)
    ties = ties[np.argsort(index[ties], kind="stable")][: k - int(below.sum())]
    keep = np.flatnonzero(below)
    keep = np.concatenate([keep, ties])
    return key[keep], index[keep]


def pareto_mask(points: Any) -> Any:
    """Which rows of ``points`` (n x m, minimised) no other row dominates.

    Two objectives: sort and scan, O(n log n). More: repeatedly take the lexicographically
    smallest point (nothing can dominate it) and drop what it dominates, O(n x front)."""
    import numpy as np

    n, m = points.shape
    keep = np.zeros(n, dtype=bool)
    if n == 0:
        return keep
    order = np.lexsort(points.T[::-1])
    p = points[order]
    if m == 2:
        first, second = p[:, 0], p[:, 1]
        best = np.minimum.accumulate(second)
        start = np.r_[True, first[1:] != first[:-1]]
        group = np.maximum.accumulate(np.where(start, np.arange(n), 0))
        before = np.where(group > 0, best[np.maximum(group - 1, 0)], np.inf)
        on_front = (second == second[group]) & (second < before)
        keep[order[on_front]] = True
        return keep
    alive = np.arange(n)
    while len(alive):
        head = alive[0]
        keep[order[head]] = True
        rest = alive[1:]
        q = p[rest]
        dominated = np.all(q >= p[head], axis=1) & np.any(q > p[head], axis=1)
        alive = rest[~dominated]
    return keep


# ------------------------------------------------------------------------- running


@dataclass
class Query:
    """What to keep and in which order."""

    where: str | None = None
    sort: str | None = None
    top: int | None = None
    pareto: list[str] | None = None


@dataclass
class Sweep:
    """A resolved sweep and its query, ready to stream rows.

    ``chunks()`` yields the rows (as :class:`Chunk`) in output order; nothing is computed
    before it is called. ``rows`` is the number of rows when known in advance."""

    grid: Grid
    query: Query
    mask: Any = None
    sort_field: str | None = None
    descending: bool = False
    chunk_size: int = CHUNK
    write_chunk: int = WRITE_CHUNK
    progress: Callable[[int, int], None] | None = None
    _selected: Any = field(default=None, repr=False)

    @property
    def columns(self) -> list[str]:
        return self.grid.columns

    @property
    def ranked(self) -> bool:
        return self.sort_field is not None or self.query.pareto is not None or bool(self.query.top)

    def _scan(self, size: int | None = None) -> Iterator[Chunk]:
        """Every scenario passing the constraint, in scenario order."""
        import numpy as np

        n = self.grid.size
        size = size or self.chunk_size
        first = self.grid.block_start(size)
        step = size
        if first is not None:
            whole = math.prod(a.size for a in self.grid.axes[first:])
            step = size // whole * whole
        for start in range(0, n, step):
            stop = min(n, start + step)
            if first is not None:
                chunk = self.grid.block(start, stop, first)
            else:
                chunk = self.grid.chunk(np.arange(start, stop, dtype=np.int64), (start, stop))
            if self.mask is not None:
                chunk = chunk.select(self.mask(chunk))
            if self.progress is not None:
                self.progress(stop, n)
            yield chunk

    def selected(self) -> Any:
        """The scenario numbers of the rows, in output order (ranked queries only)."""
        import numpy as np

        if self._selected is not None:
            return self._selected
        q = self.query
        if q.pareto:
            front_points = np.empty((0, len(q.pareto)))
            front_index = np.empty(0, dtype=np.int64)
            for chunk in self._scan():
                pts = np.column_stack([np.asarray(chunk[f], dtype=float) for f in q.pareto])
                ok = ~np.isnan(pts).any(axis=1)
                pts, idx = pts[ok], chunk.index[ok]
                m = pareto_mask(pts)
                pts = np.concatenate([front_points, pts[m]])
                idx = np.concatenate([front_index, idx[m]])
                m = pareto_mask(pts)
                front_points, front_index = pts[m], idx[m]
            order = np.lexsort((front_index, *front_points.T[::-1]))
            index = front_index[order]
            if self.sort_field is not None:
                index = self._order(index)
            if q.top:
                index = index[: q.top]
        elif q.top:
            keys = np.empty(0)
            index = np.empty(0, dtype=np.int64)
            assert self.sort_field is not None
            for chunk in self._scan():
                key = _sort_key(chunk, self.sort_field, self.descending)
                k, i = _smallest(key, chunk.index, q.top)
                keys, index = _smallest(
                    np.concatenate([keys, k]), np.concatenate([index, i]), q.top
                )
            index = index[np.lexsort((index, keys))]
        else:
            assert self.sort_field is not None
            if self.grid.size > MAX_SORTED:
                raise InputError(
                    f"sorting all {self.grid.size:,} scenarios needs too much memory; "
                    f"add --top N (or narrow the sweep below {MAX_SORTED:,})",
                    "--sort",
                )
            parts = [
                (_sort_key(c, self.sort_field, self.descending), c.index) for c in self._scan()
            ]
            keys = np.concatenate([p[0] for p in parts]) if parts else np.empty(0)
            index = np.concatenate([p[1] for p in parts]) if parts else np.empty(0, np.int64)
            index = index[np.lexsort((index, keys))]
        self._selected = index
        return index

    def _order(self, index: Any) -> Any:
        import numpy as np

        assert self.sort_field is not None
        chunk = self.grid.chunk(index)
        key = _sort_key(chunk, self.sort_field, self.descending)
        return index[np.lexsort((index, key))]

    def chunks(self, size: int | None = None) -> Iterator[Chunk]:
        """The rows, in chunks (of ``size`` rows at most; default ``chunk_size``), in
        output order."""
        size = size or self.chunk_size
        if not self.ranked:
            yield from self._scan(size)
            return
        index = self.selected()
        for start in range(0, len(index), size):
            yield self.grid.chunk(index[start : start + size])


def plan(
    inputs: Mapping[str, Any],
    *,
    zip_axes: bool = False,
    where: str | None = None,
    sort: str | None = None,
    top: int | None = None,
    pareto: str | list[str] | None = None,
    max_scenarios: int = MAX_SCENARIOS,
    catalog: Catalog | None = None,
    chunk_size: int | None = None,
) -> Sweep:
    """Resolve and check everything (grid, constraint, ranking) before any row is made."""
    from costcalc.errors import did_you_mean

    grid = build_grid(inputs, zip_axes=zip_axes, max_scenarios=max_scenarios, catalog=catalog)
    fields = grid.fields()
    mask = compile_where(where, fields) if where is not None else None

    def known(name: str, flag: str) -> str:
        if name not in fields:
            hint = did_you_mean(name, fields)
            raise InputError(f"unknown field '{name}'{hint}; fields: {', '.join(fields)}", flag)
        return name

    sort_field, descending = None, False
    if sort is not None:
        text = sort.strip()
        descending = text.startswith("-")
        sort_field = known(text.lstrip("-+").strip(), "--sort")
    objectives = None
    if pareto is not None:
        names = [p.strip() for p in (pareto.split(",") if isinstance(pareto, str) else pareto)]
        objectives = [known(p, "--pareto") for p in names]
        if len(objectives) < 2 or len(set(objectives)) != len(objectives):
            raise InputError(
                "a Pareto front needs two or more different fields, e.g. cost_usd,wall_clock_hours",
                "--pareto",
            )
        for p in objectives:
            if fields[p].labels is not None:
                raise InputError(f"{p} is text; a Pareto objective must be a number", "--pareto")
    if top is not None and top < 1:
        raise InputError(f"expected a positive number of rows, got {top}", "--top")
    if top and sort_field is None and objectives is None:
        raise InputError(
            "--top needs --sort FIELD (or --pareto) to say which rows come first", "--top"
        )
    query = Query(where, sort_field, top, objectives)
    if chunk_size is None:
        return Sweep(grid, query, mask, sort_field, descending)
    return Sweep(grid, query, mask, sort_field, descending, chunk_size, chunk_size)


SPEC_KEYS = (*INPUTS, "work", "where", "sort", "top", "pareto", "zip", "max_scenarios")


def read_spec(path: str) -> dict[str, Any]:
    """A sweep spec file (YAML): the flags' names as keys, lists as YAML lists or text."""
    return _read_spec(path)[0]


# Spec settings that are text (or, for pareto, a list of text) and need no unit.
_TEXT_SETTINGS = ("where", "sort", "pareto")


def _read_spec(path: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The spec's settings, and where each was written (``file:line: key``)."""
    from pathlib import Path

    from costcalc import yamlio
    from costcalc.errors import DataError, did_you_mean

    doc = yamlio.load(yamlio.read_text(Path(path), "sweep spec"), path)
    if doc.data is None:
        return {}, {}
    if not isinstance(doc.data, dict):
        raise DataError("expected a mapping of sweep inputs (flops: ..., hardware: ...)", path)
    out: dict[str, Any] = {}
    origins: dict[str, str] = {}
    seen: dict[str, Any] = {}  # setting -> the key that gave it
    for key, value in doc.data.items():
        name = str(key).replace("-", "_")
        where = doc.where((key,))
        if name not in SPEC_KEYS:
            hint = did_you_mean(name, SPEC_KEYS)
            raise DataError(f"unknown key '{key}'{hint}", where)
        if isinstance(value, dict) or (
            isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)
        ):
            raise DataError(f"{key}: expected a value or a list of values", where)
        if name in _TEXT_SETTINGS and not (
            isinstance(value, str)
            or (
                name == "pareto"
                and isinstance(value, list)
                and all(isinstance(v, str) for v in value)
            )
        ):
            example = {
                "where": "'cost_usd < 1e6'",
                "sort": "cost_usd",
                "pareto": "[cost_usd, co2e_kg]",
            }
            raise DataError(f"{key}: expected text such as {example[name]}, got {value!r}", where)
        if name == "zip" and not isinstance(value, bool):
            raise DataError(f"{key}: expected true or false, got {value!r}", where)
        name = "flops" if name == "work" else name
        if name in seen:  # work: and flops:, or max-scenarios: and max_scenarios:
            raise DataError(f"'{key}' and '{seen[name]}' are the same setting; keep one", where)
        seen[name] = key
        out[name] = value
        origins[name] = f"{where}: {key}"
    return out, origins


def _flag(name: str) -> str:
    return INPUTS[name].flag if name in INPUTS else "--" + name.replace("_", "-")


def plan_command(
    flags: Mapping[str, Any],
    spec: str | None = None,
    settings: Settings | None = None,
    catalog: Catalog | None = None,
) -> Sweep:
    """The sweep for a command line: the spec file's settings, overridden by flags, over
    the config-file defaults of ``settings`` (flags > spec > project file > user file >
    built-in). An error in a value from a file names the file, line and key, not the flag."""
    from costcalc.config import DEFAULT_KEYS
    from costcalc.errors import CostcalcError

    chosen, origins = _read_spec(spec) if spec is not None else ({}, {})
    given = {k: v for k, v in flags.items() if v is not None}
    chosen.update(given)
    located = {_flag(k): origin for k, origin in origins.items() if k not in given}
    used: Mapping[str, Setting] = {}
    if settings is not None:
        filled, used = settings.fill({k: chosen.get(k) for k in DEFAULT_KEYS})
        chosen.update({k: filled[k] for k in used})
        located.update({_flag(k): s.where for k, s in used.items()})
    try:
        sweep = _plan_settings(chosen, catalog)
    except CostcalcError as e:
        if e.where in located:
            e.where = located[e.where]
        raise
    if used:
        _show_defaults(sweep.grid, used)
        layout = [s for k, s in used.items() if k not in INPUTS]  # tp, pp, recompute
        if layout and sweep.grid.shape is not None:
            sweep.grid.notes.append(
                "not applied: "
                + ", ".join(f"{s.key} {s.value} ({s.where})" for s in layout)
                + "; a sweep lays the model out with tp 1, pp 1 and selective recomputation"
            )
    return sweep


def _show_defaults(grid: Grid, used: Mapping[str, Setting]) -> None:
    """Name the file and line of each config-file default among the grid's assumptions
    (a numeric default is a one-value axis: it gets an assumption too)."""
    from costcalc.config import Settings

    grid.assumptions[:] = Settings.relabel(grid.assumptions, used)
    named = {a.name for a in grid.assumptions}
    for axis in grid.axes:
        s = used.get(axis.name)
        if s is not None and axis.size == 1 and axis.name not in named:
            value = float(next(iter(axis.params.values()))[0])
            grid.assumptions.append(
                Assumption(axis.name, value, "", str(s.value), s.origin, s.scope)
            )


def _plan_settings(settings: dict[str, Any], catalog: Catalog | None = None) -> Sweep:
    from costcalc.units import parse_quantity

    limit = settings.pop("max_scenarios", None)
    max_scenarios = MAX_SCENARIOS
    if limit is not None:
        value = parse_quantity(limit, "number", "--max-scenarios")
        if not value.is_integer():
            raise InputError(f"expected a whole number, got {limit!r}", "--max-scenarios")
        max_scenarios = int(value)
    top = settings.pop("top", None)
    if top is not None and (isinstance(top, bool) or not isinstance(top, int)):
        raise InputError(f"expected a whole number of rows, got {top!r}", "--top")
    pareto = settings.pop("pareto", None)
    return plan(
        {k: v for k, v in settings.items() if k in INPUTS},
        zip_axes=bool(settings.get("zip")),
        where=settings.get("where"),
        sort=settings.get("sort"),
        top=top,
        pareto=pareto,
        max_scenarios=max_scenarios,
        catalog=catalog,
    )


# ------------------------------------------------------------------ the Python API


class SweepResult(Mapping[str, Any]):
    """Sweep rows as columns (numpy arrays), like a read-only dict of columns.

    ``result["cost_usd"]``, ``list(result)`` (the column names), ``len(result)`` (the
    number of columns), ``result.rows`` (the number of rows), ``result.to_pandas()``."""

    def __init__(self, columns: dict[str, Any], sweep: Sweep) -> None:
        self._columns = columns
        self.assumptions = sweep.grid.assumptions
        self.notes = sweep.grid.notes
        self.scenarios = sweep.grid.size

    def __getitem__(self, name: str) -> Any:
        return self._columns[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    @property
    def rows(self) -> int:
        return len(next(iter(self._columns.values())))

    def to_pandas(self) -> Any:
        try:
            import pandas as pd
        except ImportError:
            raise InputError("to_pandas() needs pandas: pip install pandas") from None
        return pd.DataFrame(self._columns)

    def __repr__(self) -> str:
        return f"<SweepResult {self.rows} rows x {len(self)} columns: {', '.join(self)}>"


def collect(sweep: Sweep, max_rows: int = MAX_SORTED) -> SweepResult:
    """All the rows of ``sweep`` in memory, as columns."""
    import numpy as np

    if not sweep.ranked and sweep.grid.size > max_rows:
        raise InputError(
            f"the sweep has {sweep.grid.size:,} scenarios, more rows than {max_rows:,} to hold "
            "in memory; add top=, pareto= or where=, or raise max_rows"
        )
    parts: dict[str, list[Any]] = {name: [] for name in sweep.columns}
    for chunk in sweep.chunks():
        for name in sweep.columns:
            parts[name].append(chunk.column(name))
    columns = {}
    for name, values in parts.items():
        if values:
            columns[name] = np.concatenate(values)
        else:
            labels = sweep.grid.column_labels(name)
            columns[name] = np.empty(0, dtype=object if labels is not None else float)
    return SweepResult(columns, sweep)


def sweep(
    work: Any = None,
    *,
    flops: Any = None,
    device_hours: Any = None,
    duration: Any = None,
    tokens: Any = None,
    arch: Any = None,
    seq_len: Any = None,
    zero: Any = None,
    hardware: Any = None,
    precision: Any = None,
    devices: Any = None,
    utilization: Any = None,
    peak: Any = None,
    power: Any = None,
    pue: Any = None,
    region: Any = None,
    carbon_intensity: Any = None,
    price: Any = None,
    provider: Any = None,
    pricing: Any = None,
    zip: bool = False,  # noqa: A002 - the flag's name
    where: str | None = None,
    sort: str | None = None,
    top: int | None = None,
    pareto: str | list[str] | None = None,
    max_scenarios: int = MAX_SCENARIOS,
    max_rows: int = MAX_SORTED,
    catalog: Catalog | None = None,
) -> SweepResult:
    """Evaluate a grid of scenarios; the columns come back as numpy arrays.

    Each input takes what ``estimate`` takes, or a list, or a string with a list or
    ranges (``"8,64,512"``, ``"30%..60%:4"``, ``"1e20..1e24:5log"``); ``hardware="all"``
    sweeps every profile. Scenarios are the cartesian product (``zip=True`` pairs the
    lists). ``where``, ``sort`` (``"-field"`` for descending), ``top`` and ``pareto``
    (``"cost_usd,wall_clock_hours"``) work as on the command line.

        >>> r = sweep("1e20..1e22:3log", hardware="h100-sxm,tpu-v5p", devices="8,64")
        >>> r.rows, r["cost_usd"].shape
        (12, (12,))
    """
    if work is not None and flops is not None:
        raise InputError("give the compute once, as work or flops", "flops")
    inputs = {
        "flops": work if work is not None else flops,
        "device_hours": device_hours,
        "duration": duration,
        "tokens": tokens,
        "arch": arch,
        "seq_len": seq_len,
        "zero": zero,
        "hardware": hardware.name if isinstance(hardware, Profile) else hardware,
        "precision": precision,
        "devices": devices,
        "utilization": utilization,
        "peak": peak,
        "power": power,
        "pue": pue,
        "region": region,
        "carbon_intensity": carbon_intensity,
        "price": price,
        "provider": provider,
        "pricing": pricing,
    }
    prepared = plan(
        inputs,
        zip_axes=zip,
        where=where,
        sort=sort,
        top=top,
        pareto=pareto,
        max_scenarios=max_scenarios,
        catalog=catalog,
    )
    return collect(prepared, max_rows)
