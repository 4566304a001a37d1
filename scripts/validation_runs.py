#!/usr/bin/env python3
"""Load and summarise the validation table (validation/runs.yaml, validation/measured_power.yaml).

Usage (from the repository root):

    python scripts/validation_runs.py [--runs PATH] [--power PATH]

Prints one line per run (id, hardware, profile, devices, device-hours, energy, CO2e) and the
runs whose hardware has no costcalc profile. A development tool: it reads the data files only,
imports nothing from costcalc, and writes nothing. `load_runs` and `load_power` are what
tests/test_validation_data.py checks.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

from costcalc.errors import CostcalcError

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "validation" / "runs.yaml"
POWER = ROOT / "validation" / "measured_power.yaml"
PROFILES = ROOT / "hardware_profiles"


def _load(path: Path) -> dict[str, Any]:
    """The file as costcalc reads every YAML file: duplicate keys refused, merges resolved."""
    from costcalc.yamlio import load, read_text

    data = load(read_text(path), str(path)).data
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return data


def load_runs(path: Path = RUNS) -> list[dict[str, Any]]:
    """The runs of validation/runs.yaml, as plain dicts (merge keys resolved)."""
    runs = _load(path).get("runs")
    if not isinstance(runs, list):
        raise ValueError(f"{path}: expected a list under 'runs'")
    return runs


def load_power(path: Path = POWER) -> list[dict[str, Any]]:
    """The rows of validation/measured_power.yaml."""
    rows = _load(path).get("measurements")
    if not isinstance(rows, list):
        raise ValueError(f"{path}: expected a list under 'measurements'")
    return rows


def profile_names(directory: Path = PROFILES) -> set[str]:
    """Names of the shipped hardware profiles (file stems of hardware_profiles/*.yaml)."""
    return {p.stem for p in directory.glob("*.yaml")}


def _num(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    x = float(value)
    if not math.isfinite(x):
        return "?"
    if x >= 1e6:
        text = f"{x / 1e6:.3g}M"
    elif x >= 1e4:
        text = f"{x / 1e3:.4g}k"
    else:
        text = f"{x:.4g}"
    return text + unit


def report(runs: list[dict[str, Any]]) -> str:
    """A plain-text table of the runs and a short summary."""
    head = ("id", "hardware (profile)", "devices", "device-h", "kind", "MWh", "tCO2e")
    rows = [head]
    for run in runs:
        profile = run.get("profile") or f"none: {run.get('needs_profile', '?')}"
        rows.append(
            (
                str(run["id"]),
                f"{run['hardware']} ({profile})"[:48],
                _num(run.get("devices")),
                _num(run.get("device_hours")),
                str(run.get("device_hours_kind", "-")),
                _num(run.get("energy_mwh")),
                _num(run.get("co2e_t")),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]
    with_hours = sum(1 for r in runs if r.get("device_hours") is not None)
    with_energy = sum(1 for r in runs if r.get("energy_mwh") is not None)
    with_co2 = sum(1 for r in runs if r.get("co2e_t") is not None)
    missing = sorted({str(r.get("needs_profile")) for r in runs if r.get("profile") is None})
    lines += [
        "",
        f"{len(runs)} runs: {with_hours} with device-hours, {with_energy} with energy, "
        f"{with_co2} with CO2e.",
        "hardware without a costcalc profile: " + ("; ".join(missing) if missing else "none"),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=Path, default=RUNS)
    parser.add_argument("--power", type=Path, default=POWER)
    args = parser.parse_args(argv)
    try:
        runs = load_runs(args.runs)
        power = load_power(args.power)
    except (OSError, ValueError, CostcalcError) as exc:
        print(f"validation_runs: error: {exc}", file=sys.stderr)
        return 2
    print(report(runs))
    print(f"{len(power)} published per-device power measurements in {args.power.name}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
