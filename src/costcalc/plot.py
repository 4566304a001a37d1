"""Plots of sweep rows (optional: ``pip install 'costcalc[plot]'`` for matplotlib).

One line per hardware: a column (default ``cost_usd``) against the first swept number
(FLOPs, else devices, ...), on log scales where the values span more than a decade.
When other inputs vary too, each line follows the lowest value at each x, and the title
says over what.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from costcalc.errors import InputError, ref

MAX_POINTS = 100_000
X_CANDIDATES = (
    "flops",
    "tokens",
    "seq_len",
    "devices",
    "device_hours",
    "duration",
    "utilization",
    "price",
    "pue",
)


def _x_axis(sweep: Any) -> str:
    for name in X_CANDIDATES:
        for axis in sweep.grid.axes:
            if name in axis.columns and axis.size > 1:
                return name
    raise InputError(
        "nothing to plot against: sweep flops or devices (or another number)", input="plot"
    )


def check_plot(path: str, sweep: Any, y: str | None = None) -> None:
    """Fail before any output: no matplotlib, a bad file type, or an unknown column."""
    import importlib.util

    from costcalc.errors import did_you_mean

    if Path(path).suffix.lower() not in (".png", ".svg", ".pdf"):
        raise InputError(f"{path!r}: expected a .png, .svg or .pdf file", input="plot")
    from costcalc.atomic import output_target

    output_target(path, where=ref("plot"))
    fields = sweep.grid.fields()
    y = y or "cost_usd"
    if y not in fields or fields[y].labels is not None:
        raise InputError(f"cannot plot '{y}'{did_you_mean(y, fields)}", input="plot_y")
    _x_axis(sweep)
    if importlib.util.find_spec("matplotlib") is None:
        raise InputError(
            "plotting needs matplotlib: pip install 'costcalc[plot]' (or pip install matplotlib)",
            input="plot",
        )


def axis_label(name: str) -> str:
    """``Cost (USD)``, ``Compute (FLOP)``, ``devices``, ``price (USD/hour)``."""
    from costcalc.estimator import OUTPUT_FIELDS
    from costcalc.sweeps import INPUTS

    if name in OUTPUT_FIELDS:
        unit, label = OUTPUT_FIELDS[name]
        return f"{label} ({unit})"
    unit = INPUTS[name].unit if name in INPUTS else ""
    return f"{name} ({unit})" if unit else name


def _lowest(xs: Any, ys: Any) -> tuple[Any, Any]:
    """Per distinct x, the lowest y (NaN only when every y there is NaN); x ascending."""
    import numpy as np

    ux, at = np.unique(xs, return_inverse=True)
    low = np.full(len(ux), np.inf)
    finite = ~np.isnan(ys)
    np.minimum.at(low, at[finite], ys[finite])
    low[np.isinf(low)] = np.nan
    return ux, low


def draw(sweep: Any, path: str, y: str | None = None) -> None:
    """Draw ``y`` against the first swept number, one line per hardware; write atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from costcalc.atomic import atomic_open
    from costcalc.sweeps import BASIS_COLUMNS, collect

    y = y or "cost_usd"
    x = _x_axis(sweep)
    rows = collect(sweep, MAX_POINTS)
    varying = [
        col
        for axis in sweep.grid.axes
        if axis.size > 1
        for col in axis.columns
        if col not in (x, "hardware", "precision", *BASIS_COLUMNS)
        and (col in sweep.grid.input_columns and len(set(rows[col].tolist())) > 1)
    ]
    fig, ax = plt.subplots(figsize=(7.5, 4.6), dpi=100)
    hardware = rows["hardware"]
    precision = rows["precision"]
    missing = []
    labels = [f"{h} {p}" for h, p in zip(hardware.tolist(), precision.tolist(), strict=True)]
    one_precision = len(set(precision.tolist())) == 1
    label_of = hardware if one_precision else np.asarray(labels, dtype=object)
    for name in dict.fromkeys(label_of.tolist()):
        pick = label_of == name
        xs, ys = _lowest(rows[x][pick].astype(float), rows[y][pick].astype(float))
        if np.isnan(ys).all():
            missing.append(name)
            continue
        ax.plot(xs, ys, marker="o", markersize=3.5, linewidth=1.4, label=_basis(rows, pick, name))
    for values, setter in ((rows[x], ax.set_xscale), (rows[y], ax.set_yscale)):
        values = np.asarray(values, dtype=float)
        positive = values[np.isfinite(values) & (values > 0)]
        if len(positive) and positive.max() > 10 * positive.min():
            setter("log")
    ax.set_xlabel(axis_label(x))
    ax.set_ylabel(axis_label(y))
    what, against = axis_label(y).split(" (")[0], axis_label(x).split(" (")[0].lower()
    title = f"{what} against {against}, per hardware"
    if varying:
        title += f"\n(lowest over {', '.join(varying)})"
    ax.set_title(title, fontsize=11)
    ax.grid(True, which="major", alpha=0.35)
    ax.grid(True, which="minor", alpha=0.12)
    handles, names = ax.get_legend_handles_labels()
    if missing:
        note = f"no {y}: {', '.join(missing)}"
        ax.text(0.01, 0.01, note, transform=ax.transAxes, fontsize=7, alpha=0.7)
    if 0 < len(names) <= 12:
        ax.legend(fontsize=8, title="hardware", title_fontsize=8, loc="best")
    fig.tight_layout()
    fmt = Path(path).suffix.lower().lstrip(".")
    metadata = {"Software": None} if fmt == "png" else {"Date": None}
    if fmt == "pdf":
        metadata = {"CreationDate": None}
    with atomic_open(path, binary=True, where=ref("plot")) as f:
        fig.savefig(f, format=fmt, metadata=metadata)
    plt.close(fig)


def _basis(rows: Any, pick: Any, name: str) -> str:
    """A legend entry: the hardware, and the price basis of its rows when they share one
    (``h100-sxm (gcp on-demand 2025-03-17)``)."""
    found = {
        (p, m, d)
        for p, m, d in zip(
            rows["price_provider"][pick].tolist(),
            rows["price_pricing"][pick].tolist(),
            rows["price_date"][pick].tolist(),
            strict=True,
        )
    }
    if len(found) != 1:
        return f"{name} (several price bases)"
    shown = " ".join(x for x in found.pop() if x)
    return f"{name} ({shown})" if shown else name
