"""Text for ``costcalc calibrate``: what was measured, what was skipped, what was written."""

from __future__ import annotations

from costcalc.calibrate import Calibration
from costcalc.render.fmt import sig


def _rate(value: float) -> str:
    for unit, size in (("TFLOPS", 1e12), ("GFLOPS", 1e9), ("MFLOPS", 1e6)):
        if value >= size:
            return f"{sig(value / size)} {unit}"
    return f"{sig(value)} FLOPS"


def render_calibration(cal: Calibration) -> str:
    found = cal.device
    what = f"{found.name} ({found.found_by})"
    if found.kind == "cpu":
        what += f", {found.logical_cpus} logical CPUs"
    out = [f"costcalc calibrate: {what}, {cal.measured_at:%Y-%m-%d %H:%M} UTC", ""]
    width = max((len(m.precision) for m in cal.measurements), default=4)
    for m in cal.measurements:
        t = m.timing
        out.append(
            f"  {m.precision:<{width}}  {_rate(m.median):>14}  median of {len(t.samples)}, "
            f"{_rate(m.low)}..{_rate(m.high)} (spread {m.spread * 100:.1f}%), "
            f"N={t.size}, {m.backend}"
        )
        if m.note:
            out.append(f"  {'':<{width}}  note: {m.note}")
    out += ["", f"  power  {cal.power}"]
    out += [f"  not measured: {s.what}: {s.reason}" for s in cal.skipped]
    out += [f"  note: {r}" for r in cal.remarks]
    out += [
        "",
        f"Wrote {cal.path}",
        "These are achieved matmul rates, not vendor peaks; see 'notes' in the file for what "
        "--utilization means now.",
    ]
    if cal.path.stem == "local":
        out.append("Use it: costcalc estimate 1e18 --hardware local")
    return "\n".join(out) + "\n"
