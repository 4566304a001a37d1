"""Plots of sweep rows (optional: ``pip install 'costcalc[plot]'`` for matplotlib).

One line per hardware: a column (default ``cost_usd``) against FLOPs or devices, on log
scales where the values span more than a decade.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from costcalc.errors import InputError

MAX_POINTS = 100_000


def _x_axis(sweep: Any) -> str:
    for name in ("flops", "devices", "device_hours", "duration", "utilization", "price", "pue"):
        for axis in sweep.grid.axes:
            if name in axis.columns and axis.size > 1:
                return name
    raise InputError(
        "nothing to plot against: sweep flops or devices (or another number)", "--plot"
    )


def check_plot(path: str, sweep: Any, y: str | None = None) -> None:
    """Fail before any output: no matplotlib, a bad file type, or an unknown column."""
    import importlib.util

    from costcalc.errors import did_you_mean

    if Path(path).suffix.lower() not in (".png", ".svg", ".pdf"):
        raise InputError(f"{path!r}: expected a .png, .svg or .pdf file", "--plot")
    fields = sweep.grid.fields()
    y = y or "cost_usd"
    if y not in fields or fields[y].labels is not None:
        raise InputError(f"cannot plot '{y}'{did_you_mean(y, fields)}", "--plot-y")
    _x_axis(sweep)
    if importlib.util.find_spec("matplotlib") is None:
        raise InputError(
            "plotting needs matplotlib: pip install 'costcalc[plot]' (or pip install matplotlib)",
            "--plot",
        )


def draw(sweep: Any, path: str, y: str | None = None) -> None:
    """Draw ``y`` against the first swept number, one line per hardware; write atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from costcalc.atomic import atomic_open
    from costcalc.sweeps import OUTPUT_FIELDS, collect

    y = y or "cost_usd"
    x = _x_axis(sweep)
    rows = collect(sweep, MAX_POINTS)
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=100)
    hardware = rows["hardware"]
    for name in dict.fromkeys(hardware.tolist()):
        pick = hardware == name
        xs, ys = rows[x][pick], rows[y][pick]
        order = np.argsort(xs, kind="stable")
        ax.plot(xs[order], ys[order], marker="o", markersize=3, linewidth=1, label=name)
    for values, setter in ((rows[x], ax.set_xscale), (rows[y], ax.set_yscale)):
        positive = values[np.isfinite(values) & (values > 0)]
        if len(positive) and positive.max() > 10 * positive.min():
            setter("log")
    unit = {**{k: v[0] for k, v in OUTPUT_FIELDS.items()}}
    ax.set_xlabel(f"{x} ({unit[x]})" if x in unit else x)
    ax.set_ylabel(f"{y} ({unit[y]})" if y in unit else y)
    ax.grid(True, which="major", alpha=0.3)
    if len(set(hardware.tolist())) <= 12:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fmt = Path(path).suffix.lower().lstrip(".")
    with atomic_open(path, binary=True, where="--plot") as f:
        fig.savefig(f, format=fmt, metadata={"Software": None} if fmt == "png" else {"Date": None})
    plt.close(fig)
