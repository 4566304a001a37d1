#!/usr/bin/env python3
"""Patterson et al. 2021, Table 4: Google's own training runs against costcalc's default
energy, given only the device count, the duration and ``--region us-central1`` (which
brings Google's PUE), and without a region (the industry PUE).

    python scripts/sites_check.py          # print the Markdown table (docs/sites.md has it)

The measured figures come from validation/runs.yaml (energy_mwh, devices,
wall_clock_hours, profile); nothing else is given to the estimate.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = ("t5-11b", "meena", "gshard-600b", "switch-transformer", "evolved-transformer-nas")
REGION = "us-central1"
LIMIT = 0.25  # the bound on |default / measured - 1|


def rows() -> list[dict[str, object]]:
    sys.path.insert(0, str(ROOT / "scripts"))
    from validation_runs import load_runs

    from costcalc import estimate

    by_id = {r["id"]: r for r in load_runs()}
    out = []
    for run_id in RUNS:
        run = by_id[run_id]
        given = dict(
            duration=f"{run['wall_clock_hours']} hour",
            devices=run["devices"],
            hardware=run["profile"],
        )
        here = estimate(**given, region=REGION)
        bare = estimate(**given)
        measured = float(run["energy_mwh"])
        out.append(
            {
                "run": run_id,
                "hardware": run["profile"],
                "devices": run["devices"],
                "hours": run["wall_clock_hours"],
                "measured_mwh": measured,
                "region_mwh": here.outputs["energy"] / 3.6e9,
                "region_pue": here.assumption("pue").base,
                "default_mwh": bare.outputs["energy"] / 3.6e9,
                "default_pue": bare.assumption("pue").base,
            }
        )
    return out


def _pct(value: float, measured: float) -> str:
    return f"{round((value / measured - 1) * 100):+d}%"


def table() -> str:
    lines = [
        f"| run | hardware | devices | hours | measured MWh | --region {REGION} MWh (PUE) "
        "| error | no region MWh (PUE) | error |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows():
        m = float(r["measured_mwh"])  # type: ignore[arg-type]
        a = float(r["region_mwh"])  # type: ignore[arg-type]
        b = float(r["default_mwh"])  # type: ignore[arg-type]
        lines.append(
            f"| {r['run']} | {r['hardware']} | {r['devices']} | {r['hours']:g} | {m:g} "
            f"| {a:.1f} ({r['region_pue']:g}) | {_pct(a, m)} "
            f"| {b:.1f} ({r['default_pue']:g}) | {_pct(b, m)} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(table())
