"""Evaluation: the model's outputs over numpy arrays, and a chunk of evaluated rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from costcalc import model
from costcalc.errors import InputError
from costcalc.estimator import MODEL_KEYS, OUTPUT_FIELDS
from costcalc.sweeps.axes import Labels

if TYPE_CHECKING:
    from costcalc.sweeps.grid import Grid


def evaluate(params: Mapping[str, Any], work: str) -> dict[str, Any]:
    """The output columns (display units) for model inputs in base units: the one
    composition of the model (:func:`costcalc.model.evaluate`), as ``estimate`` uses it,
    so that every value is bit for bit the estimate's. Inputs may broadcast against each
    other; only the wall clock time depends on every input."""
    import numpy as np

    from costcalc import finite
    from costcalc.units import factor

    peak, util = params["peak"], params["utilization"]
    # The model divides by peak x utilization: refused when it underflows to zero.
    finite.product((("peak", peak), ("utilization", util)), input="utilization")
    with np.errstate(over="ignore", divide="ignore", invalid="ignore", under="ignore"):
        outputs = model.evaluate(
            params.get("flops"),
            peak,
            util,
            params["devices"],
            params["power"],
            params["pue"],
            params["price"],
            params["carbon_intensity"],
            device_seconds=None
            if work == "flops"
            else params["device_seconds"]
            if work == "device_hours"
            else params["duration_seconds"] * params["devices"],
        )
        values = {name: outputs[MODEL_KEYS[name]] for name in OUTPUT_FIELDS}
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
        input="work",
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
