#!/usr/bin/env python3
"""Run costcalc's default answer against published training runs (validation/runs.yaml).

Usage (from the repository root):

    python scripts/validate.py            # print the table and the summary (make validate)
    python scripts/validate.py --write    # also regenerate docs/validation.md

Each run is estimated with ONLY what a user knows before training: 6 x params x tokens
(active parameters for a mixture of experts) or, where the source gives no tokens, its
reported FLOPs; the hardware profile; the device count; the country. Everything else is
costcalc's default. Per run: reported vs estimated device-hours (point error, a factor
>= 1), whether the reported figure lies in the default 90 % band, and the band's width
(p95 / p5). For runs with a published energy figure, the energy costcalc gives for the
reported device-hours at the run's own PUE, on the power basis the source used (measured
system power: server; TDP: accelerator). Writes nothing unless --write.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fit_band import group_of, run_flops  # noqa: E402
from validation_runs import load_runs  # noqa: E402

DOC = HERE.parent / "docs" / "validation.md"


@dataclass
class Row:
    id: str
    profile: str
    work: str  # "6ND" or "reported FLOPs"
    reported: float  # device-hours
    estimated: float
    p5: float
    p95: float
    loo_estimated: float  # the point with the utilization fitted without this run
    loo_p5: float
    loo_p95: float
    energy_reported: float | None = None  # MWh
    energy_estimated: float | None = None
    energy_basis: str = ""

    @property
    def error(self) -> float:
        return max(self.estimated / self.reported, self.reported / self.estimated)

    @property
    def inside(self) -> bool:
        return self.p5 <= self.reported <= self.p95

    @property
    def width(self) -> float:
        return self.p95 / self.p5

    @property
    def loo_error(self) -> float:
        return max(self.loo_estimated / self.reported, self.reported / self.loo_estimated)

    @property
    def loo_inside(self) -> bool:
        return self.loo_p5 <= self.reported <= self.loo_p95

    @property
    def loo_width(self) -> float:
        return self.loo_p95 / self.loo_p5

    @property
    def energy_error(self) -> float | None:
        if self.energy_reported is None or self.energy_estimated is None:
            return None
        return self.energy_estimated / self.energy_reported - 1


def _estimate(**kwargs: Any) -> Any:
    from costcalc.outlook import estimate

    return estimate(equivalents=False, **kwargs)


def _region(run: dict[str, Any]) -> str | None:
    from costcalc.errors import CostcalcError
    from costcalc.tables import find_region

    country = run.get("country")
    if not country:
        return None
    try:
        find_region(str(country))
    except CostcalcError:
        return None
    return str(country)


def _energy(run: dict[str, Any]) -> tuple[float, str] | None:
    """costcalc's energy (MWh) for the run's reported device-hours at its own PUE."""
    import inspect

    from costcalc import estimator

    basis = run.get("energy_basis")
    if run.get("energy_mwh") is None or basis not in ("measured_system_power", "tdp"):
        return None
    pue = run.get("pue") if run.get("energy_includes_pue") else 1.0
    if pue is None:
        return None
    kwargs: dict[str, Any] = {}
    if basis == "tdp":
        if "power_basis" not in inspect.signature(estimator.base_estimate).parameters:
            return None
        kwargs["power_basis"] = "accelerator"
    est = _estimate(
        device_hours=float(run["device_hours"]),
        hardware=run["profile"],
        pue=pue,
        band=False,
        **kwargs,
    )
    return est.fields()["energy_kwh"] / 1000, "server" if basis != "tdp" else "accelerator"


def loo_fits(runs: list[dict[str, Any]]) -> dict[str, tuple[float, float]]:
    """Per run: the default utilization and its sigma of the run's hardware group fitted
    WITHOUT the run (leave one out), as scripts/fit_band.py fits them."""
    from fit_band import group_fit, implied_mfu, rms_log

    from costcalc.estimator import resolve_utilization

    centre = resolve_utilization()[0]
    mfus = implied_mfu(runs)
    out = {}
    for rid, profile, _m in mfus:
        group = group_of(profile)
        others = [m for i, p, m in mfus if i != rid and (group is None or group_of(p) == group)]
        if group is None:
            out[rid] = (centre, rms_log(others, centre))
        else:
            out[rid] = group_fit(others, centre)
    return out


def validate(runs: list[dict[str, Any]] | None = None) -> list[Row]:
    from costcalc.band import Z90

    runs = load_runs() if runs is None else runs
    loo = loo_fits(runs)
    rows = []
    for run in runs:
        profile, hours = run.get("profile"), run.get("device_hours")
        flops = run_flops(run)
        if not profile or not hours or flops is None:
            continue
        kwargs: dict[str, Any] = {"hardware": profile, "region": _region(run)}
        if run.get("devices"):
            kwargs["devices"] = int(run["devices"])
        if flops[1] == "6ND":
            kwargs["params"] = float(run["params_total"])
            kwargs["tokens"] = float(run["training_tokens"])
            if run.get("params_active"):
                kwargs["active_params"] = float(run["params_active"])
        else:
            kwargs["work"] = flops[0]
        est = _estimate(**kwargs)
        estimated = est.fields()["device_hours"]
        pct = est.sections["band"]["percentiles"]["device_hours"]
        # leave one out: hours scale as 1 / utilization; only the utilization spreads them
        loo_util, loo_sigma = loo[str(run["id"])]
        loo_point = estimated * est.assumption("utilization").base / loo_util
        row = Row(
            id=str(run["id"]),
            profile=str(profile),
            work=flops[1],
            reported=float(hours),
            estimated=float(estimated),
            p5=pct["p5"],
            p95=pct["p95"],
            loo_estimated=loo_point,
            loo_p5=loo_point * math.exp(-Z90 * loo_sigma),
            loo_p95=loo_point * math.exp(Z90 * loo_sigma),
        )
        energy = _energy(run)
        if energy is not None:
            row.energy_reported = float(run["energy_mwh"])
            row.energy_estimated, row.energy_basis = energy
        rows.append(row)
    return rows


@dataclass
class Summary:
    runs: int
    coverage: float
    loo_coverage: float
    median_error: float
    median_width: float
    loo_median_error: float
    loo_median_width: float
    energy_runs: int
    energy_within_25: int
    median_energy_error: float | None
    tdp_runs: int
    tdp_within_5: int


def summarize(rows: list[Row]) -> Summary:
    energy = [
        r.energy_error for r in rows if r.energy_error is not None and r.energy_basis == "server"
    ]
    tdp = [
        r.energy_error
        for r in rows
        if r.energy_error is not None and r.energy_basis == "accelerator"
    ]
    return Summary(
        runs=len(rows),
        coverage=sum(r.inside for r in rows) / len(rows),
        loo_coverage=sum(r.loo_inside for r in rows) / len(rows),
        median_error=statistics.median(r.error for r in rows),
        median_width=statistics.median(r.width for r in rows),
        loo_median_error=statistics.median(r.loo_error for r in rows),
        loo_median_width=statistics.median(r.loo_width for r in rows),
        energy_runs=len(energy),
        energy_within_25=sum(abs(e) <= 0.25 for e in energy),
        median_energy_error=statistics.median(abs(e) for e in energy) if energy else None,
        tdp_runs=len(tdp),
        tdp_within_5=sum(abs(e) <= 0.05 for e in tdp),
    )


def _n(x: float) -> str:
    from costcalc.render.fmt import sig

    return sig(x, 3)


def table(rows: list[Row]) -> list[str]:
    head = (
        "| run | profile | work | reported h | estimated h (90 % band) | error | in band "
        "| width | leave one out: error, in band | energy MWh reported / costcalc (basis) |"
    )
    lines = [head, "|" + "---|" * 10]
    for r in rows:
        energy = ""
        if r.energy_error is not None:
            assert r.energy_reported is not None and r.energy_estimated is not None
            energy = (
                f"{_n(r.energy_reported)} / {_n(r.energy_estimated)} "
                f"({r.energy_error:+.0%}, {r.energy_basis})"
            )
        lines.append(
            f"| {r.id} | {r.profile} | {r.work} | {_n(r.reported)} | {_n(r.estimated)} "
            f"({_n(r.p5)}–{_n(r.p95)}) | {r.error:.2f}x | {'yes' if r.inside else 'NO'} "
            f"| {r.width:.2f}x | {r.loo_error:.2f}x, {'yes' if r.loo_inside else 'NO'} "
            f"| {energy} |"
        )
    return lines


def summary_lines(s: Summary) -> list[str]:
    lines = [
        f"- runs: {s.runs}",
        "- in-sample (the default utilization and its sigma fitted to all these runs, as"
        " costcalc ships them):",
        f"  - reported device-hours inside the default 90 % band: {s.coverage:.0%} "
        "(target >= 85 %)",
        f"  - median point error: {s.median_error:.2f}x (target <= 1.3x)",
        f"  - median band width p95/p5: {s.median_width:.2f}x (target <= 3.5x)",
        "- leave one out (each run's group median and sigma fitted without the run):",
        f"  - inside the band: {s.loo_coverage:.0%}",
        f"  - median point error: {s.loo_median_error:.2f}x",
        f"  - median band width p95/p5: {s.loo_median_width:.2f}x",
    ]
    if s.median_energy_error is not None:
        lines.append(
            f"- energy from measured system power (Patterson et al.), for the reported "
            f"device-hours at the run's PUE, server basis: {s.energy_within_25} of "
            f"{s.energy_runs} runs within 25 % of the published figure; median error "
            f"{s.median_energy_error:.0%}"
        )
    if s.tdp_runs:
        lines.append(
            f"- energy of sources that count TDP x GPU-hours, accelerator basis: "
            f"{s.tdp_within_5} of {s.tdp_runs} within 5 % (this checks the accounting, "
            "not a measurement)"
        )
    return lines


DOC_HEAD = """# Validation: costcalc's default answer against published runs

GENERATED by `python scripts/validate.py --write` (`make validate` prints the same table).
Do not edit by hand.

## Method

Each run of `validation/runs.yaml` (primary sources: papers, model cards, technical
reports; see `validation/README.md`) that reports device-hours, has a costcalc hardware
profile and gives either parameters and tokens or its training FLOPs is estimated with
**only what a user knows before training**: the compute as 6 x parameters x tokens (the
active parameters for a mixture of experts), or the reported FLOPs where the source gives
no token count; the hardware profile; the device count; the country. Utilization, power,
PUE and price are costcalc's defaults, and the band is the default 90 % band
(`costcalc.band`, spreads in `src/costcalc/data/band.yaml`).

- **error** is the point estimate's factor from the reported device-hours (>= 1 either
  way); **in band**: the reported figure lies between the band's 5th and 95th percentile;
  **width** is p95 / p5 of the device-hours band.
- **energy**: for runs that publish energy, costcalc's energy for the *reported*
  device-hours at the run's own PUE (1 where the source excludes it), on the power basis
  the source used: `server` (the default rule, TDP x server overhead x load) for
  Patterson et al.'s measured system power, `accelerator` (TDP) for sources that count
  TDP x GPU-hours. This tests the power model alone, not the utilization; for the TDP
  sources it only checks that costcalc reproduces their accounting.

## Limits

- **In-sample.** The default utilization of a hardware generation with at least 8 runs
  (A100; Hopper; V100, P100 and TPU v2-v4) is the median implied MFU of its runs here, and
  its sigma the log-RMS around that median (`scripts/fit_band.py`): the shipped defaults
  are fitted to these same runs, so the in-sample figures flatter them. The leave-one-out
  figures refit each run's group median and sigma without the run and estimate it with
  those: that is the honest figure for a run costcalc has not seen.
- **Few runs per generation, few organizations.** The Hopper median ({hopper_runs} runs) is mostly
  Meta's Llama 3.x and 4 cards, whose small models (distilled, short sequences) run far
  below the large ones; its band is wide. Hardware outside these groups keeps 37.5 % (Epoch
  AI's median over 33 runs) with the spread of all runs.
- **Circular FLOPs.** Patterson et al.'s FLOPs for the Google runs are measured TFLOPS x
  chips x days, and GPT-3's 14.8 days are FLOPs / (10,000 x 24.6 TFLOPS): for these runs
  the comparison tests only the MFU, not an independent duration.
- Runs without device-hours (OLMo) or without
  FLOPs or tokens (BERT, OPT, Stable Diffusion) are left out.
- Carbon intensity is taken as exact (the country's grid); the CO2e band does not
  include the grid's own uncertainty.

## Summary

"""


def render(rows: list[Row]) -> str:
    s = summarize(rows)
    return "\n".join([*summary_lines(s), "", *table(rows)]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="regenerate docs/validation.md")
    args = parser.parse_args(argv)
    rows = validate()
    text = render(rows)
    print(text, end="")
    if args.write:
        DOC.write_text(doc_text(rows), encoding="utf-8")
    return 0


def doc_text(rows: list[Row]) -> str:
    s = summarize(rows)
    from costcalc.tables import data_yaml

    groups = data_yaml("band.yaml")["utilization"]["groups"]
    hopper = next(g for g in groups if g["id"] == "h100")
    head = DOC_HEAD.replace("{hopper_runs}", str(hopper["runs"]))
    return head + "\n".join([*summary_lines(s), "", "## Per run", "", *table(rows)]) + "\n"


if __name__ == "__main__":
    sys.exit(main())
