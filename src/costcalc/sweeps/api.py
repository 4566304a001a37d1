"""The Python API: :func:`sweep` and its result, columns as numpy arrays."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from costcalc.errors import InputError, spelling
from costcalc.profiles import Catalog, Profile
from costcalc.sweeps.limits import MAX_SCENARIOS, MAX_SORTED
from costcalc.sweeps.run import Sweep, plan


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
        raise InputError("give the compute once, as work or flops", input="flops")
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
    # the work is named by the keyword that gave it (errors.ref("work"))
    with spelling(lambda _: "flops", only={"work"} if flops is not None else ()):
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
