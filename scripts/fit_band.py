#!/usr/bin/env python3
"""Fit the spreads of costcalc's default band (src/costcalc/data/band.yaml) to published data.

Usage (from the repository root):  python scripts/fit_band.py [--write]

- utilization: for every run of validation/runs.yaml with device-hours, a costcalc profile
  and FLOPs (6 x params x tokens where the source gives both, else its reported FLOPs), the
  implied MFU = FLOPs / (device-hours x the profile's dense peak). Per hardware group with
  >= MIN_RUNS runs, the default utilization is the group's median implied MFU and sigma the
  log-RMS around it: sqrt(mean(ln(mfu / median)^2)); hardware in no such group keeps the
  global default (37.5 %, Epoch AI) and the log-RMS of all runs around it.
- power: measured per-accelerator system power (validation/measured_power.yaml, Patterson et
  al. 2021 Table 3 averages) against costcalc's power rule for the same profile:
  sqrt(mean(ln(measured / rule)^2)).
- pue: a site of unknown kind, around the default (industry average 1.56): the kinds of site
  in pue.csv (hyperscale fleet, public-cloud average, industry survey, on-premises):
  sqrt(mean(ln(pue / 1.56)^2)).
Prints the YAML; --write writes src/costcalc/data/band.yaml. tests/test_band.py re-fits and
checks the file agrees.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from validation_runs import load_power, load_runs  # noqa: E402

OUT = ROOT.parent / "src" / "costcalc" / "data" / "band.yaml"
# Hardware groups for the utilization spread (profile name prefixes).
GROUPS = {
    "a100": ("NVIDIA A100 (Ampere)", ("a100-",)),
    "h100": ("NVIDIA H100/H200/H800 (Hopper)", ("h100-", "h200", "h800")),
    "pre-2020": (
        "V100, P100, TPU v2, v3, v4 (Patterson et al., Gopher, PaLM)",
        ("v100-", "p100", "tpu-v2", "tpu-v3", "tpu-v4"),
    ),
}
PUE_SITES = ("epoch-hyperscaler", "idc-cloud", "industry", "idc-onprem")
# A group's median becomes its default utilization only with at least this many runs.
MIN_RUNS = 8


def median(values: list[float]) -> float:
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def run_flops(run: dict[str, Any]) -> tuple[float, str] | None:
    """What a user knows before training: 6 N D, else the reported FLOPs."""
    n = run.get("params_active") or run.get("params_total")
    tokens = run.get("training_tokens")
    if isinstance(n, (int, float)) and isinstance(tokens, (int, float)):
        return 6.0 * n * tokens, "6ND"
    if run.get("reported_training_flop"):
        return float(run["reported_training_flop"]), "reported FLOPs"
    return None


def group_of(profile: str) -> str | None:
    for key, (_label, prefixes) in GROUPS.items():
        if profile.startswith(prefixes):
            return key
    return None


def implied_mfu(runs: list[dict[str, Any]]) -> list[tuple[str, str, float]]:
    """(run id, profile, implied MFU) for every usable run."""
    return [(i, p, m) for i, p, m, _org in implied_mfu_orgs(runs)]


def implied_mfu_orgs(runs: list[dict[str, Any]]) -> list[tuple[str, str, float, str]]:
    """(run id, profile, implied MFU, organization) for every usable run."""
    from costcalc.estimator import resolve_hardware

    out = []
    for run in runs:
        profile, hours = run.get("profile"), run.get("device_hours")
        flops = run_flops(run)
        if not profile or not hours or flops is None:
            continue
        peak = resolve_hardware(profile).peak
        mfu = flops[0] / (peak * float(hours) * 3600)
        out.append((str(run["id"]), str(profile), mfu, str(run.get("organization") or "")))
    return out


def group_fit(mfus: list[float], centre: float) -> tuple[float, float]:
    """(point, sigma) of a group: its median and the log-RMS around it with enough runs,
    else the global default and the log-RMS around that."""
    point = median(mfus) if len(mfus) >= MIN_RUNS else centre
    return point, rms_log(mfus, point)


def rms_log(values: list[float], centre: float) -> float:
    return math.sqrt(sum(math.log(v / centre) ** 2 for v in values) / len(values))


def fit() -> dict[str, Any]:
    from costcalc.estimator import resolve_hardware, resolve_utilization
    from costcalc.tables import pue_values

    centre = resolve_utilization()[0]
    rows = implied_mfu_orgs(load_runs())
    mfus = [(i, p, m) for i, p, m, _o in rows]
    groups = []
    for key, (label, prefixes) in GROUPS.items():
        members = [m for _i, p, m in mfus if group_of(p) == key]
        orgs = sorted({o for _i, p, _m, o in rows if group_of(p) == key and o})
        point, sigma = group_fit(members, centre)
        groups.append(
            {
                "id": key,
                "label": label,
                "profiles": list(prefixes),
                "sigma": round(sigma, 3),
                "runs": len(members),
                "median_mfu": round(median(members), 3),
                "default": len(members) >= MIN_RUNS,
                "organizations": orgs,
            }
        )
    power_rows = [r for r in load_power() if r.get("kind") == "average"]
    residuals = []
    for row in power_rows:
        rule = resolve_hardware(str(row["profile"])).power
        residuals.append(float(row["watts"]) / rule)
    from costcalc import band, pricing
    from costcalc.hardware import default_catalog

    price_sigmas = []
    for name in sorted({r.device for r in pricing.load_prices()}):
        try:
            choice = resolve_hardware(default_catalog().get(name))
        except Exception:  # a device priced but without a profile
            continue
        if choice.price is not None:
            found = band.price_spread(name, choice.price * 3600)
            if found is not None:
                price_sigmas.append(found[0])
    price_sigmas.sort()
    pues = pue_values()
    default_pue = pues["industry"].pue
    return {
        "utilization": {
            "centre": centre,
            "min_runs": MIN_RUNS,
            "groups": groups,
            "all": {
                "sigma": round(rms_log([m for _, _, m in mfus], centre), 3),
                "runs": len(mfus),
            },
        },
        "power": {
            "sigma": round(rms_log(residuals, 1.0), 3),
            "measurements": len(residuals),
            "ratios": {
                str(r["profile"]): round(x, 3) for r, x in zip(power_rows, residuals, strict=True)
            },
        },
        "price": {
            "sigma": round(price_sigmas[len(price_sigmas) // 2], 3),
            "devices": len(price_sigmas),
        },
        "pue": {
            "sigma": round(rms_log([pues[k].pue for k in PUE_SITES], default_pue), 3),
            "sites": {k: pues[k].pue for k in PUE_SITES},
        },
    }


def to_yaml(f: dict[str, Any]) -> str:
    u = f["utilization"]
    lines = [
        "# The spreads of costcalc's default band (costcalc.band): each input costcalc assumes",
        "# (not one you give) is taken as lognormal with its default as the median and the",
        "# log-sigma below. GENERATED by scripts/fit_band.py from validation/runs.yaml,",
        "# validation/measured_power.yaml and pue.csv; tests/test_band.py re-fits and compares.",
        "# sigma = sqrt(mean(ln(x / default)^2)): the maximum-likelihood log-sigma of a lognormal",
        "# whose median is costcalc's default, so a bias of the default widens the band. The",
        "# default utilization of a hardware group with enough runs is the group's median.",
        "utilization:",
        "  source: >-",
        "    Implied MFU = FLOPs (6 x params x tokens, else the reported FLOPs) / (reported",
        "    device-hours x the profile's dense peak) of the published runs in",
        "    validation/runs.yaml (Patterson et al. 2021, Meta model cards, LLaMA, BLOOM,",
        "    PaLM, Gopher, Pythia, ...). A group with at least min_runs runs has its median",
        "    implied MFU as costcalc's default utilization (default: true) and sigma around it;",
        f"    other hardware keeps the default {u['centre']:.3g} (Epoch AI median); fitted"
        " in-sample",
        f"  min_runs: {u['min_runs']}",
        "  groups:",
    ]
    for g in u["groups"]:
        lines += [
            f"    - id: {g['id']}",
            f"      label: {g['label']}",
            f"      profiles: [{', '.join(g['profiles'])}]",
            f"      sigma: {g['sigma']}",
            f"      runs: {g['runs']}",
            f"      median_mfu: {g['median_mfu']}",
            f"      default: {'true' if g['default'] else 'false'}",
            "      organizations: [" + ", ".join(json.dumps(o) for o in g["organizations"]) + "]",
        ]
    lines += [
        "  # any other hardware: all runs together, around the global default",
        f"  all: {{sigma: {u['all']['sigma']}, runs: {u['all']['runs']}}}",
        "power:",
        "  source: >-",
        "    Measured average system power per accelerator (Patterson et al. 2021, arXiv",
        "    2104.10350, Table 3: TPU v2, TPU v3, P100, V100) against costcalc's power rule for",
        "    the same profile (TDP x server overhead x load)",
        f"  sigma: {f['power']['sigma']}",
        f"  measurements: {f['power']['measurements']}",
        "  measured_over_rule: {"
        + ", ".join(f"{k}: {v}" for k, v in f["power"]["ratios"].items())
        + "}",
        "pue:",
        "  source: >-",
        "    A site of unknown kind around the industry default: hyperscale fleet (Epoch AI",
        "    assumption), public-cloud and on-premises averages (IDC 2025) and the Uptime",
        "    Institute survey, rows of pue.csv",
        f"  sigma: {f['pue']['sigma']}",
        "  sites: {" + ", ".join(f"{k}: {v}" for k, v in f["pue"]["sites"].items()) + "}",
        "price:",
        "  source: >-",
        "    Newest on-demand price of each provider for the profile in prices.csv around the",
        "    profile's price, computed when the band is. One seller alone (a TPU: Google Cloud)",
        "    gives no price spread; this value is for a device the price list does not know:",
        "    the median of that sigma over the devices with several providers",
        f"  sigma: {f['price']['sigma']}",
        f"  devices: {f['price']['devices']}",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    text = to_yaml(fit())
    if args.write:
        OUT.write_text(text, encoding="utf-8")
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
