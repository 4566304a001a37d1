"""The grid: scenarios numbered 0..n-1 over the axes, and the chunks of rows they make."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from costcalc.estimator import OUTPUT_FIELDS
from costcalc.results import Assumption
from costcalc.sweeps.axes import INPUTS, OUTPUT_KINDS, Axis, Labels
from costcalc.sweeps.evaluate import Chunk, evaluate
from costcalc.where import Field


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
