#!/usr/bin/env python3
"""Derive the cloud price list and the per-region PUE table in src/costcalc/data/.

Usage (from the repository root):

    python scripts/derive_prices.py [SHARED_DATA_DIR] [--out DIR]

``--out`` writes the three files elsewhere (the tests compare them with the shipped ones).

Writes, deterministically (sorted rows, normalised numbers, "\\n" line endings):

- ``prices.csv``: from Epoch AI's ``epoch/Hardware prices.csv`` in the shared pack, one row per
  (provider, device, region, pricing model, date) with the price per DEVICE-hour in USD, where a
  device is what the matching hardware profile defines (``form`` and ``chips``: a TPU v2 profile
  is the 4-chip board, a K80 profile the 2-GPU board).
- ``providers.csv``: the provider ids (normalised from Epoch's vendor names), whether the
  provider is a hyperscaler (used by the default price rule), and the ``pue.csv`` id of its
  published fleet PUE.
- ``region_pue.csv``: every cloud region of ``regions.csv`` with its provider, the provider's
  fleet PUE and the region's own PUE where published, each with its year and source. Read from
  the shipped ``regions.csv`` and ``pue.csv``, so run ``scripts/derive_data.py`` first.

Epoch hardware names are matched to profile names and aliases (hardware_profiles/*.yaml) after
normalisation (vendor words dropped, lower case, dashes); a few names need a hand rule (below).
The unmatched names are printed. A development tool only: nothing at run time reads the pack.
"""

from __future__ import annotations

import csv
import re
import statistics
import sys
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "src" / "costcalc" / "data"
PROFILES_DIR = REPO_ROOT / "hardware_profiles"
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data"
SOURCE = (
    "Epoch AI, Hardware prices.csv (epoch-research/training-cost-trends data/ @263c40a15930; "
    "CC BY 4.0)"
)

# Epoch "Vendor" -> (provider id, display name, hyperscaler?, pue.csv id of the fleet PUE).
PROVIDERS = {
    "Amazon Web Services": ("aws", "Amazon Web Services", True, "aws"),
    "Google Cloud": ("gcp", "Google Cloud", True, "google"),
    "Microsoft Azure": ("azure", "Microsoft Azure", True, "azure"),
    "Oracle Cloud": ("oracle", "Oracle Cloud", True, ""),
    "CR8DL": ("cr8dl", "CR8DL", False, ""),
    "Cudo Compute": ("cudo", "Cudo Compute", False, ""),
    "Databricks": ("databricks", "Databricks (MosaicML)", False, ""),
    "Datacrunch": ("datacrunch", "DataCrunch", False, ""),
    "Exoscale": ("exoscale", "Exoscale", False, ""),
    "FluidStack": ("fluidstack", "FluidStack", False, ""),
    "Jarvislabs": ("jarvislabs", "Jarvislabs", False, ""),
    "Lambda Labs": ("lambda", "Lambda Labs", False, ""),
    "Latitude.sh": ("latitude", "Latitude.sh", False, ""),
    "NovoNimbus": ("novonimbus", "NovoNimbus", False, ""),
    "OVHcloud": ("ovhcloud", "OVHcloud", False, ""),
    "Oblivus Cloud": ("oblivus", "Oblivus Cloud", False, ""),
    "Paperspace": ("paperspace", "Paperspace", False, ""),
    "RunPod": ("runpod", "RunPod", False, ""),
    "Salad": ("salad", "Salad", False, ""),
    "vast.ai": ("vastai", "vast.ai", False, ""),
}
# Other spellings users type, per provider id.
PROVIDER_ALIASES = {
    "aws": "amazon;amazon-web-services;ec2",
    "gcp": "google;google-cloud;gce",
    "azure": "microsoft;microsoft-azure",
    "oracle": "oci;oracle-cloud",
    "lambda": "lambda-labs;lambdalabs",
    "vastai": "vast;vast.ai",
    "datacrunch": "verda",
}
HYPERSCALER_NOTE = "hyperscaler: the default price rule prefers its on-demand price"

# (Epoch vendor, Epoch "Location") -> cloud region ids of regions.csv. An empty id means the
# source names no single region ("US", "Europe" multi-regions): the row keeps its location text.
LOCATIONS = {
    ("Amazon Web Services", "US East (Northern Virginia)"): ["us-east-1"],
    ("Amazon Web Services", "East US"): ["us-east-1"],
    ("Microsoft Azure", "East US"): ["eastus"],
    ("Microsoft Azure", "West US 2"): ["westus2"],
    ("Microsoft Azure", "Central US"): ["centralus"],
    ("Google Cloud", "Iowa (us-central1)"): ["us-central1"],
    ("Google Cloud", "Oregon"): ["us-west1"],
    ("Google Cloud", "East US"): ["us-east1"],
    ("Google Cloud", "us-central2-b"): ["us-central2"],
    ("Google Cloud", "Netherlands (europe-west4)"): ["europe-west4"],
    ("Google Cloud", "Belgium"): ["europe-west1"],
    ("Google Cloud", "Japan (asia-northeast1)"): ["asia-northeast1"],
    ("Google Cloud", "Iowa (us-central1),Oregon"): ["us-central1", "us-west1"],
    ("Google Cloud", "Iowa (us-central1),Oregon,East US"): ["us-central1", "us-west1", "us-east1"],
    (
        "Google Cloud",
        "Netherlands (europe-west4),Singapore (asia-southeast1)",
    ): ["europe-west4", "asia-southeast1"],
    ("Google Cloud", "US"): [""],
    ("Google Cloud", "Europe"): [""],
}

PRICE_COLUMNS = {
    "on-demand": "Price per chip-hour (on-demand)",
    "1y": "Price per chip-hour (1-year CUD)",
    "3y": "Price per chip-hour (3-year CUD)",
}

# Epoch names that do not normalise to a profile name or alias.
OVERRIDES = {
    # Epoch files the cloud V100 16 GB instances (AWS p3, GCP, Azure NCv3, ...) under this name;
    # the v100-sxm2 profile's own price comes from such a row.
    "NVIDIA Tesla V100 DGXS 16 GB": "v100-sxm2",
}
# Profiles that get the rows of another profile's Epoch model, converted to their own device.
EXTRA = {"Google TPU v2": ["tpu-v2-chip"]}
UNMATCHED_REASON = "no costcalc profile"


def refine(model: str, row: dict[str, str], profile: str | None) -> tuple[str | None, str]:
    """The profile for one row of an ambiguous Epoch model, or None and the reason."""
    text = " ".join([row["Notes"], row["Cloud GPU description"]])
    if model == "NVIDIA A100":
        # A generic A100: the instance says which one.
        if re.search(r"p4de\b", text):
            return "a100-sxm-80gb", ""
        if re.search(r"p4d\b|ND96asr", text):
            return "a100-sxm-40gb", ""
        if re.search(r"NC\d+ads A100 v4", text):
            return "a100-pcie-80gb", ""
        return None, "generic 'A100' without an instance type (SXM or PCIe, 40 or 80 GB)"
    if model == "NVIDIA A100 PCIe":
        if re.search(r"80 ?GB", text) or re.search(r"NC\d+ads A100 v4", text):
            return "a100-pcie-80gb", ""
        if re.search(r"40 ?GB", text):
            return "a100-pcie-40gb", ""
        return None, "'A100 PCIe' without a memory size (40 or 80 GB)"
    if model == "NVIDIA V100" and "ND40rs" in text:
        return None, "Azure ND40rs v2 is the V100 SXM2 32 GB (the v100-sxm2 profile is 16 GB)"
    return profile, ""


def normalise(model: str) -> str:
    text = model.lower()
    for word in ("nvidia ", "google ", "tesla ", "geforce "):
        text = text.replace(word, "")
    text = re.sub(r"(\d) gb\b", r"\1gb", text)
    return re.sub(r"\s+", "-", text.strip())


def load_profiles() -> tuple[dict[str, str], dict[str, dict[str, object]]]:
    """(name or alias -> name, name -> profile document)."""
    index: dict[str, str] = {}
    docs: dict[str, dict[str, object]] = {}
    for path in sorted(PROFILES_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        name = doc["name"]
        docs[name] = doc
        for key in [name, *(doc.get("aliases") or [])]:
            index[key] = name
    return index, docs


def money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN).normalize())


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, fields: list[str], rows: Iterable[dict[str, object]]) -> int:
    rows = list(rows)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


PRICE_FIELDS = [
    "provider",
    "device",
    "region",
    "location",
    "pricing",
    "price",
    "unit",
    "date",
    "chips",
    "price_per_chip",
    "source_unit",
    "epoch_model",
    "instances",
    "rows",
    "source",
]


def build_prices(shared: Path) -> tuple[list[dict[str, object]], dict[str, int]]:
    """The price rows, and the Epoch models left out ("model: reason" -> source rows)."""
    index, docs = load_profiles()
    rows = read_csv(shared / "epoch" / "Hardware prices.csv")
    groups: dict[tuple[str, str, str, str, str], list[tuple[Decimal, dict[str, str]]]]
    groups = defaultdict(list)
    unmatched: dict[str, int] = {}  # "model: reason" -> source rows
    locations: dict[tuple[str, str, str, str, str], str] = {}
    for row in rows:
        vendor = row["Vendor"].strip()
        if not vendor:
            continue  # a purchase price (purchase_prices.csv)
        if vendor not in PROVIDERS:
            sys.exit(f"unknown vendor {vendor!r}: add it to PROVIDERS")
        provider = PROVIDERS[vendor][0]
        model = row["Hardware model"].strip()
        base = OVERRIDES.get(model) or index.get(normalise(model))
        profile, why = refine(model, row, base)
        if profile is None:
            key = f"{model}: {why or UNMATCHED_REASON}"
            unmatched[key] = unmatched.get(key, 0) + 1
            continue
        location = row["Location"].strip()
        if location and (vendor, location) not in LOCATIONS:
            sys.exit(f"unknown location {vendor!r} {location!r}: add it to LOCATIONS")
        regions = LOCATIONS.get((vendor, location), [""]) if location else [""]
        for device in [profile, *EXTRA.get(model, [])]:
            for pricing, column in PRICE_COLUMNS.items():
                text = row[column].strip()
                if not text:
                    continue
                per_chip = Decimal(text)
                if per_chip <= 0:
                    sys.exit(f"non-positive price in {row}")
                for region in regions:
                    key = (provider, device, region, pricing, row["Price date"])
                    groups[key].append((per_chip, row))
                    locations[key] = location
    out: list[dict[str, object]] = []
    for key in sorted(groups):
        provider, device, region, pricing, date = key
        members = groups[key]
        doc = docs[device]
        chips = int(doc.get("chips", 1))  # type: ignore[call-overload]
        per_chip = statistics.median(p for p, _ in members)
        sizes = sorted(
            {int(r["Number of GPUs"]) for _, r in members if r["Number of GPUs"].strip()}
        )
        size_text = f"; instances of {', '.join(map(str, sizes))} chips" if sizes else ""
        form = doc.get("form", "chip")
        unit_text = (
            f"USD per chip-hour as Epoch lists it (instance price / chips{size_text}); "
            f"x {chips} for one {form}"
        )
        instances = sorted(
            {
                " ".join((r["Notes"] + " " + r["Cloud GPU description"]).split())[:60]
                for _, r in members
                if (r["Notes"] + r["Cloud GPU description"]).strip()
            }
        )
        urls = sorted({r["Price source"].strip() for _, r in members})
        models = sorted({r["Hardware model"].strip() for _, r in members})
        out.append(
            {
                "provider": provider,
                "device": device,
                "region": region,
                "location": locations[key],
                "pricing": pricing,
                "price": money(per_chip * chips),
                "unit": "USD/hour",
                "date": date,
                "chips": chips,
                "price_per_chip": money(per_chip),
                "source_unit": unit_text,
                "epoch_model": "; ".join(models),
                "instances": " | ".join(instances),
                "rows": len(members),
                "source": SOURCE + "; " + " | ".join(urls),
            }
        )
    return out, unmatched


PROVIDER_FIELDS = ["id", "name", "kind", "aliases", "fleet_pue_id", "epoch_vendor", "note"]


def build_providers() -> list[dict[str, object]]:
    out = []
    for vendor, (pid, name, hyper, pue_id) in PROVIDERS.items():
        out.append(
            {
                "id": pid,
                "name": name,
                "kind": "hyperscaler" if hyper else "cloud",
                "aliases": PROVIDER_ALIASES.get(pid, ""),
                "fleet_pue_id": pue_id,
                "epoch_vendor": vendor,
                "note": HYPERSCALER_NOTE if hyper else "",
            }
        )
    return sorted(out, key=lambda r: str(r["id"]))


REGION_PUE_FIELDS = [
    "region",
    "provider",
    "fleet_pue",
    "fleet_pue_year",
    "fleet_pue_id",
    "region_pue",
    "region_pue_year",
    "region_pue_id",
    "source",
]


def build_region_pue(providers: list[dict[str, object]]) -> list[dict[str, object]]:
    regions = read_csv(OUT_DIR / "regions.csv")
    pue = {r["id"]: r for r in read_csv(OUT_DIR / "pue.csv")}
    fleet = {str(p["id"]): str(p["fleet_pue_id"]) for p in providers}
    out = []
    for r in regions:
        if r["kind"] not in ("cloud_region", "cloud_geography"):
            continue
        provider = r["provider"]
        if not provider:
            sys.exit(f"cloud region {r['id']} names no provider")
        fleet_id = fleet.get(provider, "")
        fleet_row = pue.get(fleet_id) if fleet_id else None
        region_id = f"{provider}-{r['id']}"
        region_row = pue.get(region_id)
        sources = []
        if fleet_row:
            sources.append(f"fleet: {fleet_row['source']} ({fleet_row['url']})")
        if region_row:
            sources.append(f"region: {region_row['source']} ({region_row['url']})")
        out.append(
            {
                "region": r["id"],
                "provider": provider,
                "fleet_pue": fleet_row["pue"] if fleet_row else "",
                "fleet_pue_year": fleet_row["year"] if fleet_row else "",
                "fleet_pue_id": fleet_id if fleet_row else "",
                "region_pue": region_row["pue"] if region_row else "",
                "region_pue_year": region_row["year"] if region_row else "",
                "region_pue_id": region_id if region_row else "",
                "source": "; ".join(sources),
            }
        )
    used = {str(r["region_pue_id"]) for r in out if r["region_pue_id"]}
    orphans = sorted(k for k in pue if k.startswith("gcp-") and k not in used)
    if orphans:
        sys.exit(f"per-region PUE without a cloud region in regions.csv: {orphans}")
    return sorted(out, key=lambda r: (str(r["provider"]), str(r["region"])))


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("shared", nargs="?", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    shared, out_dir = args.shared, args.out
    prices, unmatched = build_prices(shared)
    providers = build_providers()
    known = {str(p["id"]) for p in providers}
    assert {str(r["provider"]) for r in prices} <= known
    n = write_csv(out_dir / "prices.csv", PRICE_FIELDS, prices)
    print(f"wrote prices.csv ({n} rows)")
    n = write_csv(out_dir / "providers.csv", PROVIDER_FIELDS, providers)
    print(f"wrote providers.csv ({n} rows)")
    n = write_csv(out_dir / "region_pue.csv", REGION_PUE_FIELDS, build_region_pue(providers))
    print(f"wrote region_pue.csv ({n} rows)")
    for model, count in sorted(unmatched.items()):
        print(f"unmatched Epoch hardware: {model} ({count} rows)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
