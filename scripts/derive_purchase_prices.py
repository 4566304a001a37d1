#!/usr/bin/env python3
"""Derive src/costcalc/data/purchase_prices.csv from Epoch AI's "Hardware prices.csv".

Usage (from the repository root):

    python scripts/derive_purchase_prices.py [SHARED_DATA_DIR]

One row per hardware profile that Epoch's table prices: the purchase price per device as the
profile defines a device (a TPU v2 board is 4 chips). Rule: the rows of the mapped Epoch model
with a purchase price and a real source; the latest date; the median of that date's rows.
Deterministic output; a development tool only (nothing at run time reads the shared pack).
"""

from __future__ import annotations

import csv
import statistics
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT = REPO_ROOT / "src" / "costcalc" / "data" / "purchase_prices.csv"
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data"
SOURCE = (
    "Epoch AI, Hardware prices.csv (epoch-research/training-cost-trends data/ @263c40a15930; "
    "CC BY 4.0)"
)
FIELDS = ["profile", "price", "unit", "date", "chips", "epoch_model", "rows", "basis", "source"]

# profile -> (Epoch "Hardware model", chips per profile device). Chosen by hand: the Epoch model
# must be the same SKU as the profile (memory size, form factor), else the profile is left out.
MAPPING = {
    "a100-pcie-40gb": ("NVIDIA A100 PCIe", 1),
    "a100-sxm-40gb": ("NVIDIA A100 SXM4 40 GB", 1),
    "a100-sxm-80gb": ("NVIDIA A100 SXM4 80 GB", 1),
    "a40": ("NVIDIA A40 PCIe", 1),
    "b200": ("NVIDIA B200", 1),
    "gaudi2": ("Intel Habana Gaudi2", 1),
    "h100-pcie": ("NVIDIA H100 PCIe", 1),
    "h100-sxm": ("NVIDIA H100 SXM5 80GB", 1),
    "h200": ("NVIDIA H200 SXM", 1),
    "k80": ("NVIDIA Tesla K80", 1),  # Epoch prices the K80 board (2 GPUs), as the profile
    "mi250x": ("AMD Radeon Instinct MI250X", 1),
    "mi300x": ("AMD Instinct MI300X", 1),
    "p100": ("NVIDIA Tesla P100 PCIe 16GB", 1),
    "rtx-3090": ("NVIDIA GeForce RTX 3090", 1),
    "rtx-4090": ("NVIDIA GeForce RTX 4090", 1),
    "tpu-v2": ("Google TPU v2", 4),
    "tpu-v2-chip": ("Google TPU v2", 1),
    "tpu-v3": ("Google TPU v3", 1),
    "tpu-v4": ("Google TPU v4", 1),
    "tpu-v5e": ("Google TPU v5e", 1),
    "tpu-v5p": ("Google TPU v5p", 1),
    "tpu-v6e": ("Google TPU v6e Trillium", 1),
    "v100-pcie": ("NVIDIA Tesla V100 PCIe 16 GB", 1),
    "v100-sxm2": ("NVIDIA Tesla V100 SXM2 16 GB", 1),
}
# Rows left out, with the reason: (model, date, price).
EXCLUDE = {
    # listed as "H100 PCIe" but its note says 94 GB HBM3: that is the H100 NVL
    ("NVIDIA H100 PCIe", "2025-03-03", "35098.15"),
}
NO_SOURCE = {"", "no source", "unknown"}


def main() -> int:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SHARED
    with open(shared / "epoch" / "Hardware prices.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    out = []
    for profile, (model, chips) in sorted(MAPPING.items()):
        priced = [
            r
            for r in rows
            if r["Hardware model"] == model
            and r["Price (hardware purchase)"].strip()
            and r["Price source"].strip().lower() not in NO_SOURCE
            and (model, r["Price date"], r["Price (hardware purchase)"].strip()) not in EXCLUDE
        ]
        if not priced:
            sys.exit(f"no purchase price for {profile} ({model})")
        latest = max(r["Price date"] for r in priced)
        chosen = [r for r in priced if r["Price date"] == latest]
        per_chip = statistics.median(float(r["Price (hardware purchase)"]) for r in chosen)
        notes = sorted({r["Notes"].strip() or "no note" for r in chosen})
        estimate = any("Estimated TPU purchase price" in n for n in notes)
        basis = (
            "Epoch estimate (geometric mean of manufacturing cost and equivalent GPU price), "
            "not a list price"
            if estimate
            else "; ".join(n[:120] for n in notes)
        )
        out.append(
            {
                "profile": profile,
                "price": f"{per_chip * chips:.2f}",
                "unit": "USD",
                "date": latest,
                "chips": chips,
                "epoch_model": model,
                "rows": len(chosen),
                "basis": basis,
                "source": SOURCE + "; " + " | ".join(sorted(r["Price source"] for r in chosen)),
            }
        )
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(out)
    print(f"wrote {OUT} ({len(out)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
