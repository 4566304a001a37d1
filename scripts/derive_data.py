#!/usr/bin/env python3
"""Derive the packaged data tables in src/costcalc/data/ from the shared reference data pack.

Usage (from the repository root):

    python scripts/derive_data.py [SHARED_DATA_DIR]

SHARED_DATA_DIR defaults to ../shared/data relative to the repository root. The script (re)writes
regions.csv, pue.csv, electricity_prices.csv and equivalents.csv deterministically: rows sorted,
numbers normalised, "\\n" line endings. It is a development tool only; nothing at run time reads
the shared directory. It needs pycountry (ISO 3166 alpha-2 codes and alternative names).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any


def _pycountry() -> Any:
    """Imported when needed, so the rest of this script (and its tests) runs without it."""
    try:
        import pycountry
    except ImportError:  # pragma: no cover - dev tool
        sys.exit("derive_data.py needs pycountry: pip install pycountry")
    return pycountry


REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "src" / "costcalc" / "data"
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data"

INTENSITY_UNIT = "gCO2e/kWh"

# Citations. Snapshot revisions are the ones recorded in the shared SOURCES.md.
OWID_SOURCE = (
    "Our World in Data, Carbon intensity of electricity generation (grapher export "
    "carbon-intensity-electricity, based on Ember and Energy Institute Statistical Review); "
    "copy in twsaf1-sys/math_331_cryptocurrency_project carbon-intensity-electricity.csv "
    "@7149bf49f9cf; CC BY 4.0"
)
GCP_SOURCE = (
    "Google Cloud region carbon info, GoogleCloudPlatform/region-carbon-info "
    "data/yearly/{year}.csv @49f3f26bfd68; Apache-2.0"
)
CCF_FILES = {
    "aws": "packages/aws/src/domain/AwsFootprintEstimationConstants.ts",
    "azure": "packages/azure/src/domain/AzureFootprintEstimationConstants.ts",
}
CCF_SOURCE = (
    "Cloud Carbon Footprint default grid emission factor, cloud-carbon-footprint/"
    "cloud-carbon-footprint {path} @b7a049c7d25c (Apache-2.0); underlying: {underlying}"
)

PROVIDER_LABEL = {"gcp": "Google Cloud", "aws": "AWS", "azure": "Azure"}

# Extra, hand-picked country aliases (kept short on purpose).
EXTRA_COUNTRY_ALIASES = {"gb": ["uk"], "ae": ["uae"]}

# Host country (ISO alpha-2) and location of each cloud region, mapped by hand from the region's
# documented location. None for iso2 means the region spans several countries.
GCP_REGIONS: dict[str, tuple[str | None, str]] = {
    "africa-south1": ("ZA", "Johannesburg"),
    "asia-east1": ("TW", "Taiwan"),
    "asia-east2": ("HK", "Hong Kong"),
    "asia-northeast1": ("JP", "Tokyo"),
    "asia-northeast2": ("JP", "Osaka"),
    "asia-northeast3": ("KR", "Seoul"),
    "asia-south1": ("IN", "Mumbai"),
    "asia-south2": ("IN", "Delhi"),
    "asia-southeast1": ("SG", "Singapore"),
    "asia-southeast2": ("ID", "Jakarta"),
    "australia-southeast1": ("AU", "Sydney"),
    "australia-southeast2": ("AU", "Melbourne"),
    "europe-central2": ("PL", "Warsaw"),
    "europe-north1": ("FI", "Finland"),
    "europe-north2": ("SE", "Stockholm"),
    "europe-southwest1": ("ES", "Madrid"),
    "europe-west1": ("BE", "Belgium"),
    "europe-west10": ("DE", "Berlin"),
    "europe-west12": ("IT", "Turin"),
    "europe-west2": ("GB", "London"),
    "europe-west3": ("DE", "Frankfurt"),
    "europe-west4": ("NL", "Eemshaven, Netherlands"),
    "europe-west6": ("CH", "Zurich"),
    "europe-west8": ("IT", "Milan"),
    "europe-west9": ("FR", "Paris"),
    "me-central1": ("QA", "Doha"),
    "me-central2": ("SA", "Dammam"),
    "me-west1": ("IL", "Tel Aviv"),
    "northamerica-northeast1": ("CA", "Montréal"),
    "northamerica-northeast2": ("CA", "Toronto"),
    "northamerica-south1": ("MX", "Mexico"),
    "southamerica-east1": ("BR", "São Paulo"),
    "southamerica-west1": ("CL", "Santiago"),
    "us-central1": ("US", "Iowa"),
    "us-central2": ("US", "Oklahoma"),
    "us-east1": ("US", "South Carolina"),
    "us-east2": ("US", "Georgia, US"),
    "us-east4": ("US", "Northern Virginia"),
    "us-east5": ("US", "Columbus, Ohio"),
    "us-south1": ("US", "Dallas"),
    "us-west1": ("US", "Oregon"),
    "us-west2": ("US", "Los Angeles"),
    "us-west3": ("US", "Salt Lake City"),
    "us-west4": ("US", "Las Vegas"),
}
AWS_REGIONS: dict[str, tuple[str | None, str]] = {
    "af-south-1": ("ZA", "Cape Town"),
    "ap-east-1": ("HK", "Hong Kong"),
    "ap-northeast-1": ("JP", "Tokyo"),
    "ap-northeast-2": ("KR", "Seoul"),
    "ap-northeast-3": ("JP", "Osaka"),
    "ap-south-1": ("IN", "Mumbai"),
    "ap-southeast-1": ("SG", "Singapore"),
    "ap-southeast-2": ("AU", "Sydney"),
    "ap-southeast-3": ("ID", "Jakarta"),
    "ca-central-1": ("CA", "Canada Central"),
    "cn-north-1": ("CN", "Beijing"),
    "cn-northwest-1": ("CN", "Ningxia"),
    "eu-central-1": ("DE", "Frankfurt"),
    "eu-north-1": ("SE", "Stockholm"),
    "eu-south-1": ("IT", "Milan"),
    "eu-west-1": ("IE", "Ireland"),
    "eu-west-2": ("GB", "London"),
    "eu-west-3": ("FR", "Paris"),
    "me-central-1": ("AE", "UAE"),
    "me-south-1": ("BH", "Bahrain"),
    "sa-east-1": ("BR", "São Paulo"),
    "us-east-1": ("US", "N. Virginia"),
    "us-east-2": ("US", "Ohio"),
    "us-gov-east-1": ("US", "GovCloud US-East"),
    "us-gov-west-1": ("US", "GovCloud US-West"),
    "us-west-1": ("US", "N. California"),
    "us-west-2": ("US", "Oregon"),
}
AZURE_REGIONS: dict[str, tuple[str | None, str]] = {
    "australiacentral": ("AU", "Canberra"),
    "australiacentral2": ("AU", "Canberra"),
    "australiaeast": ("AU", "New South Wales"),
    "australiasoutheast": ("AU", "Victoria"),
    "brazilsouth": ("BR", "São Paulo State"),
    "brazilsoutheast": ("BR", "Rio de Janeiro"),
    "canadacentral": ("CA", "Toronto"),
    "canadaeast": ("CA", "Quebec City"),
    "centralindia": ("IN", "Pune"),
    "centralus": ("US", "Iowa"),
    "eastasia": ("HK", "Hong Kong"),
    "eastus": ("US", "Virginia"),
    "eastus2": ("US", "Virginia"),
    "eastus3": ("US", "location not documented by CCF"),
    "francecentral": ("FR", "Paris"),
    "francesouth": ("FR", "Marseille"),
    "germanynorth": ("DE", "Berlin"),
    "germanywestcentral": ("DE", "Frankfurt"),
    "japaneast": ("JP", "Tokyo, Saitama"),
    "japanwest": ("JP", "Osaka"),
    "jioindiacentral": ("IN", "Nagpur"),
    "jioindiawest": ("IN", "Jamnagar"),
    "koreacentral": ("KR", "Seoul"),
    "koreasouth": ("KR", "Busan"),
    "northcentralus": ("US", "Illinois"),
    "northeurope": ("IE", "Ireland"),
    "norwayeast": ("NO", "Oslo"),
    "norwaywest": ("NO", "Stavanger"),
    "southafricanorth": ("ZA", "Johannesburg"),
    "southafricawest": ("ZA", "Cape Town"),
    "southcentralus": ("US", "Texas"),
    "southeastasia": ("SG", "Singapore"),
    "southindia": ("IN", "Chennai"),
    "swedencentral": ("SE", "Gävle"),
    "switzerlandnorth": ("CH", "Zurich"),
    "switzerlandwest": ("CH", "Geneva"),
    "uaecentral": ("AE", "Abu Dhabi"),
    "uaenorth": ("AE", "Dubai"),
    "uksouth": ("GB", "London"),
    "ukwest": ("GB", "Cardiff"),
    "usnorth": ("US", "location not documented by CCF"),
    "westcentralus": ("US", "Wyoming"),
    "westeurope": ("NL", "Netherlands"),
    "westindia": ("IN", "Mumbai"),
    "westus": ("US", "California"),
    "westus2": ("US", "Washington"),
    "westus3": ("US", "Arizona"),
    # Azure geographies (CCF applies one factor to the whole geography).
    "asia": (None, "Asia geography"),
    "asiapacific": (None, "Asia Pacific geography"),
    "australia": ("AU", "Australia geography"),
    "brazil": ("BR", "Brazil geography"),
    "canada": ("CA", "Canada geography"),
    "france": ("FR", "France geography"),
    "germany": ("DE", "Germany geography"),
    "india": ("IN", "India geography"),
    "japan": ("JP", "Japan geography"),
    "korea": ("KR", "Korea geography"),
    "norway": ("NO", "Norway geography"),
    "southafrica": ("ZA", "South Africa geography"),
    "switzerland": ("CH", "Switzerland geography"),
    "uae": ("AE", "UAE geography"),
    "uk": ("GB", "UK geography"),
    "unitedstates": ("US", "United States geography"),
}
AZURE_GEOGRAPHIES = {k for k, (_, loc) in AZURE_REGIONS.items() if loc.endswith(" geography")}
CLOUD_REGIONS = {"gcp": GCP_REGIONS, "aws": AWS_REGIONS, "azure": AZURE_REGIONS}

# Azure staging/EUAP endpoints and legacy names that CCF lists separately, folded into the row
# of the region they belong to (only when CCF gives them the same factor; checked below).
AZURE_FOLD = {
    "apeast": "eastasia",
    "apsoutheast": "southeastasia",
    "centraluseuap": "centralus",
    "centralusstage": "centralus",
    "eastasiastage": "eastasia",
    "eastus2euap": "eastus2",
    "eastus2stage": "eastus2",
    "eastusstage": "eastus",
    "northcentralusstage": "northcentralus",
    "southcentralusstage": "southcentralus",
    "southeastasiastage": "southeastasia",
    "unitedstateseuap": "unitedstates",
    "westus2stage": "westus2",
    "westusstage": "westus",
}
# CCF rows that are not per-region intensities.
CCF_SKIP = {"unknown"}
GCP_MULTI_REGION_SUMS = {"asia1", "eur4", "nam4", "asia", "europe", "us"}

KIND_ORDER = {"world": 0, "country": 1, "cloud_region": 2, "cloud_geography": 3}

REGION_FIELDS = [
    "id",
    "kind",
    "name",
    "provider",
    "iso2",
    "iso3",
    "aliases",
    "carbon_intensity",
    "unit",
    "year",
    "basis",
    "source",
]
PUE_FIELDS = ["id", "name", "pue", "year", "kind", "source", "url", "note"]
PRICE_FIELDS = ["region", "sector", "year", "price", "unit", "source", "note"]
EQUIV_FIELDS = ["id", "value", "unit", "year", "source", "url", "note"]


class DataError(Exception):
    """The shared data does not look as this script expects."""


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, fields: list[str], rows: Iterable[dict[str, object]]) -> int:
    rows = list(rows)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n", extrasaction="raise")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def number(text: str, places: int = 3) -> str:
    """Round to at most `places` decimals and drop trailing zeros: '497.50' -> '497.5'."""
    value = Decimal(text.strip()).quantize(Decimal(1).scaleb(-places))
    out = f"{value:f}"
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return out


def ascii_dash(text: str) -> str:
    return text.replace(" — ", "; ").replace("—", "-")


# ---------------------------------------------------------------------------------------------
# regions.csv


def country_rows(shared: Path) -> list[dict[str, object]]:
    rows = []
    for src in read_csv(shared / "grid" / "owid_carbon_intensity_latest.csv"):
        code = src["iso_code"]
        if not code:
            continue  # OWID / Ember aggregates
        base = {
            "carbon_intensity": number(src["carbon_intensity_elec"]),
            "unit": INTENSITY_UNIT,
            "year": int(src["year"]),
            "basis": "lifecycle",
            "source": OWID_SOURCE,
            "provider": "",
        }
        if code == "OWID_WRL":
            rows.append(
                base
                | {"id": "world", "kind": "world", "name": "World", "iso2": "", "iso3": ""}
                | {"aliases": "global"}
            )
            continue
        if code == "OWID_KOS":
            # Kosovo has no ISO 3166 code; XK / XKX are the user-assigned codes in common use.
            rows.append(
                base
                | {"id": "xk", "kind": "country", "name": src["country"]}
                | {"iso2": "XK", "iso3": "XKX", "aliases": ""}
            )
            continue
        if code.startswith("OWID_"):
            raise DataError(f"unexpected OWID code {code} ({src['country']})")
        entry = _pycountry().countries.get(alpha_3=code)
        if entry is None:
            raise DataError(f"no ISO 3166 entry for {code} ({src['country']})")
        iso2 = entry.alpha_2
        name = src["country"]
        aliases = {
            getattr(entry, attr).lower()
            for attr in ("name", "common_name", "official_name")
            if getattr(entry, attr, None)
        }
        aliases.update(EXTRA_COUNTRY_ALIASES.get(iso2.lower(), []))
        aliases.discard(name.lower())
        rows.append(
            base
            | {"id": iso2.lower(), "kind": "country", "name": name}
            | {"iso2": iso2, "iso3": code, "aliases": ";".join(sorted(aliases))}
        )
    return rows


def cloud_entry(
    provider: str, region: str, value: str, year: str, basis: str, source: str
) -> dict[str, object]:
    mapping = CLOUD_REGIONS[provider]
    if region not in mapping:
        print(f"warning: no location mapping for {provider} {region}", file=sys.stderr)
    iso2, location = mapping.get(region, (None, ""))
    kind = (
        "cloud_geography" if provider == "azure" and region in AZURE_GEOGRAPHIES else "cloud_region"
    )
    label = f"{PROVIDER_LABEL[provider]} {region}" + (f" ({location})" if location else "")
    return {
        "id": region,
        "kind": kind,
        "name": label,
        "provider": provider,
        "iso2": iso2 or "",
        "iso3": "",
        "aliases": "",
        "carbon_intensity": number(value),
        "unit": INTENSITY_UNIT,
        "year": int(year) if year else "",
        "basis": basis,
        "source": source,
    }


def gcp_rows(shared: Path) -> list[dict[str, object]]:
    latest: dict[str, dict[str, str]] = {}
    for src in read_csv(shared / "cloud" / "gcp_region_carbon_info.csv"):
        region = src["region"].lower()
        if region not in latest or int(src["year"]) > int(latest[region]["year"]):
            latest[region] = src
    rows = []
    for region, src in latest.items():
        if "location-based" not in src["intensity_basis"]:
            raise DataError(
                f"gcp {region}: latest row is {src['intensity_basis']}, not operational"
            )
        rows.append(
            cloud_entry(
                "gcp",
                region,
                src["gCO2e_per_kWh"],
                src["year"],
                "location-based-operational",
                GCP_SOURCE.format(year=src["year"]),
            )
        )
    return rows


def ccf_rows(shared: Path) -> list[dict[str, object]]:
    by_key: dict[tuple[str, str], dict[str, str]] = {}
    for src in read_csv(shared / "cloud" / "ccf_emission_factors.csv"):
        provider, region = src["provider"], src["region"].lower()
        if provider not in CCF_FILES or region in CCF_SKIP or src["basis"] != "grid":
            continue
        if (provider, region) in by_key:
            raise DataError(f"duplicate CCF row {provider} {region}")
        by_key[provider, region] = src

    rows: dict[tuple[str, str], dict[str, object]] = {}
    folded: list[tuple[str, str]] = []
    for (provider, region), src in sorted(by_key.items()):
        parent = AZURE_FOLD.get(region) if provider == "azure" else None
        if parent is not None:
            if by_key[provider, parent]["gCO2e_per_kWh"] != src["gCO2e_per_kWh"]:
                raise DataError(f"azure {region} differs from {parent}; cannot fold")
            folded.append((parent, region))
            continue
        underlying = ascii_dash(src["source"]).split("; ", 1)[-1]
        source = CCF_SOURCE.format(path=CCF_FILES[provider], underlying=underlying)
        rows[provider, region] = cloud_entry(
            provider, region, src["gCO2e_per_kWh"], src["year"], "grid", source
        )
    for parent, alias in folded:
        row = rows["azure", parent]
        row["aliases"] = ";".join(sorted(filter(None, [*str(row["aliases"]).split(";"), alias])))
    return list(rows.values())


def resolve_collisions(rows: list[dict[str, object]]) -> None:
    """Make every id and alias unique (case-insensitive) across the table.

    Azure geographies ('japan', 'uk', 'asia', ...) are always named 'azure:<geography>', so that
    a bare word such as 'japan' keeps meaning the country. Any other cloud id that equals a
    country's id, name or alias (ignoring spaces) is renamed 'provider:id' for the same reason.
    A cloud id shared by two providers is renamed 'provider:id' on both, and the bare id becomes
    an alias of the first (by provider name).
    """
    country_words: set[str] = set()
    for row in rows:
        if row["kind"] in ("country", "world"):
            words = [row["id"], row["name"], *str(row["aliases"]).split(";")]
            country_words.update(str(w).lower().replace(" ", "") for w in words if w)

    cloud = [r for r in rows if r["provider"]]
    by_id: dict[str, list[dict[str, object]]] = {}
    for row in cloud:
        by_id.setdefault(str(row["id"]), []).append(row)
    for region_id, group in sorted(by_id.items()):
        if len(group) > 1:
            group.sort(key=lambda r: str(r["provider"]))
            for row in group:
                row["id"] = f"{row['provider']}:{region_id}"
            if region_id not in country_words:
                first = group[0]
                first["aliases"] = ";".join(filter(None, [str(first["aliases"]), region_id]))
            print(f"note: {region_id} is used by several providers; prefixed", file=sys.stderr)
        elif region_id in country_words or group[0]["kind"] == "cloud_geography":
            group[0]["id"] = f"{group[0]['provider']}:{region_id}"

    seen: dict[str, str] = {}
    for row in rows:
        for key in [row["id"], *str(row["aliases"]).split(";")]:
            key = str(key).lower()
            if not key:
                continue
            if key in seen and seen[key] != row["id"]:
                raise DataError(f"'{key}' names both {seen[key]} and {row['id']}")
            seen[key] = str(row["id"])


def build_regions(shared: Path) -> list[dict[str, object]]:
    countries = country_rows(shared)
    iso3_of = {str(r["iso2"]): str(r["iso3"]) for r in countries if r["iso2"]}
    cloud = gcp_rows(shared) + ccf_rows(shared)
    for row in cloud:
        if row["iso2"]:
            if row["iso2"] not in iso3_of:
                raise DataError(
                    f"{row['provider']} {row['id']}: {row['iso2']} is not a country row"
                )
            row["iso3"] = iso3_of[str(row["iso2"])]
    rows = countries + cloud
    resolve_collisions(rows)
    rows.sort(key=lambda r: (KIND_ORDER[str(r["kind"])], str(r["provider"]), str(r["id"])))
    return rows


# ---------------------------------------------------------------------------------------------
# pue.csv

# id -> (operator, scope, display name). GCP per-campus rows are added from the data.
PUE_PICKS = {
    "industry": (
        "industry (Uptime Institute survey)",
        "global average of surveyed data centers",
        "Industry average (Uptime Institute Global Data Center Survey)",
    ),
    "google": (
        "google",
        "fleet (Google-owned and -operated data centers)",
        "Google fleet (owned and operated data centers)",
    ),
    "aws": ("aws", "global", "AWS global fleet"),
    "azure": ("microsoft", "global (all datacenters)", "Microsoft (Azure) fleet, all datacenters"),
    "meta": ("meta", "fleet", "Meta fleet"),
    "epoch-hyperscaler": (
        "epoch-ai assumption",
        "hyperscalers (Google; Microsoft; Amazon; Meta)",
        "Epoch AI assumption for hyperscalers (Google, Microsoft, Amazon, Meta)",
    ),
    "epoch-other": (
        "epoch-ai assumption",
        "other organisations",
        "Epoch AI assumption for other organisations",
    ),
    "idc-cloud": (
        "industry (IDC estimate)",
        "public cloud industry average",
        "Public cloud industry average (IDC estimate)",
    ),
    "idc-onprem": (
        "industry (IDC estimate)",
        "on-premises enterprise data centers",
        "On-premises enterprise data centers (IDC estimate)",
    ),
}
PUE_DEFAULT = "industry"


def latest(rows: list[dict[str, str]]) -> tuple[dict[str, str], list[dict[str, str]]]:
    ordered = sorted(rows, key=lambda r: int(r["year"]), reverse=True)
    if len(ordered) > 1 and ordered[0]["year"] == ordered[1]["year"]:
        raise DataError(f"two PUE rows for the same year: {ordered[0]} / {ordered[1]}")
    return ordered[0], ordered[1:]


def pue_row(pid: str, name: str, rows: list[dict[str, str]]) -> dict[str, object]:
    src, older = latest(rows)
    notes = []
    if pid == PUE_DEFAULT:
        notes.append("costcalc default PUE")
    notes.append(src["metric"])
    if src["note"]:
        notes.append(src["note"])
    if older:
        earlier = ", ".join(f"{r['pue']} ({r['year']})" for r in older)
        notes.append(f"earlier values in the reference pack: {earlier}")
    return {
        "id": pid,
        "name": name,
        "pue": number(src["pue"]),
        "year": int(src["year"]),
        "kind": src["kind"],
        "source": src["source"],
        "url": src["source_url"],
        "note": "; ".join(notes),
    }


def build_pue(shared: Path) -> list[dict[str, object]]:
    src = read_csv(shared / "pue.csv")
    out = []
    for pid, (operator, scope, name) in PUE_PICKS.items():
        match = [r for r in src if r["operator"] == operator and r["scope"] == scope]
        if not match:
            raise DataError(f"no PUE row for {operator} / {scope}")
        out.append(pue_row(pid, name, match))
    campuses = sorted({r["scope"] for r in src if r["operator"] == "gcp"})
    for region in campuses:
        match = [r for r in src if r["operator"] == "gcp" and r["scope"] == region]
        out.append(pue_row(f"gcp-{region}", f"Google Cloud {region} campus", match))
    out.sort(key=lambda r: str(r["id"]))
    return out


# ---------------------------------------------------------------------------------------------
# electricity_prices.csv

PRICE_SECTORS = ("industrial", "commercial", "all_sectors")


def build_prices(shared: Path) -> list[dict[str, object]]:
    out = []
    seen = set()
    for src in read_csv(shared / "electricity_price_usd_per_kwh.csv"):
        if src["sector"] not in PRICE_SECTORS or src["preferred"] != "yes":
            continue
        key = (src["sector"], src["year"])
        if key in seen:
            raise DataError(f"two preferred price rows for {key}")
        seen.add(key)
        # "(rows below)" points at rows of the shared file that are not shipped here.
        source_note = src["note"].replace(" (rows below)", " (not shipped)")
        note = ascii_dash(f"{src['method']}; {source_note}") if source_note else src["method"]
        out.append(
            {
                "region": "us",
                "sector": src["sector"],
                "year": int(src["year"]),
                "price": number(src["usd_per_kwh"], places=4),
                "unit": "USD/kWh",
                "source": src["source"],
                "note": note,
            }
        )
    out.sort(key=lambda r: (str(r["region"]), PRICE_SECTORS.index(str(r["sector"])), r["year"]))
    return out


# ---------------------------------------------------------------------------------------------
# equivalents.csv

# Source `name` -> pint-parsable unit. The gas and the "per what" move to the note.
EQUIV_UNITS = {
    "passenger_vehicle_co2_per_mile": "g/mile",
    "passenger_vehicle_co2_per_km": "g/km",
    "passenger_vehicle_co2_per_year": "t/year",
    "gasoline_co2_per_gallon": "g/gallon",
    "us_household_electricity_per_year": "kWh/year",
    "us_per_capita_co2": "t/year",
    "world_per_capita_co2": "t/year",
    "eu27_per_capita_co2": "t/year",
    "china_per_capita_co2": "t/year",
    "india_per_capita_co2": "t/year",
    "uk_per_capita_co2": "t/year",
    "passenger_car_eu_co2_per_km": "g/km",
    "flight_economy_co2_per_passenger_km": "g/km",
    "flight_new_york_san_francisco": "kg",
    "train_co2_per_passenger_km": "g/km",
    "tree_co2_sequestration_per_year": "kg/year",
}
NYC = {
    "id": "nyc_annual_emissions",
    "value": "56.5",
    "unit": "Mt/year",
    "year": "",
    "source": "NYC greenhouse gas inventory as cited by the project brief; verify",
    "url": "https://www1.nyc.gov/site/sustainability/reports-and-data/ghg-inventory.page",
    "note": (
        "estimate; source unit: Mt CO2e / year (citywide); the figure the project brief uses for "
        "'months of New York City's emissions'; year not stated and not checked against the "
        "inventory (for comparison NYC reported 49.3 Mt CO2e for 2009 and 48.4 Mt for 2020)"
    ),
}


# A transatlantic flight, DERIVED (no such constant in the reference pack): the per-km economy
# factor times the great-circle distance New York JFK - London LHR. Airport coordinates are the
# aerodrome reference points (ARP) of the national publications; the distance is the haversine
# formula on the IUGG mean Earth radius (Moritz, "Geodetic Reference System 1980").
AIRPORTS = {
    "JFK": (
        (40, 38, 23.104, "N"),
        (73, 46, 44.132, "W"),
        "FAA Airport Master Record (Form 5010) for JFK, ARP 40-38-23.1040N 073-46-44.1320W",
    ),
    "LHR": (
        (51, 28, 39.0, "N"),
        (0, 27, 41.0, "W"),
        "UK AIP AD 2 EGLL (NATS), ARP 512839N 0002741W",
    ),
}
EARTH_MEAN_RADIUS_KM = 6371.0088  # IUGG mean radius R1 of the GRS 80 ellipsoid


def _degrees(dms: tuple[float, float, float, str]) -> float:
    d, m, s, hemisphere = dms
    value = d + m / 60 + s / 3600
    return -value if hemisphere in ("S", "W") else value


def great_circle_km(a: str, b: str) -> float:
    """Haversine distance between two airports of AIRPORTS, in km."""
    import math

    lat1, lon1 = (math.radians(_degrees(x)) for x in AIRPORTS[a][:2])
    lat2, lon2 = (math.radians(_degrees(x)) for x in AIRPORTS[b][:2])
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_MEAN_RADIUS_KM * math.asin(math.sqrt(h))


def transatlantic_flight(per_km: dict[str, object]) -> dict[str, object]:
    """One economy passenger, JFK -> LHR one way: factor (g/km) x great-circle distance."""
    distance = great_circle_km("JFK", "LHR")
    factor = float(str(per_km["value"]))
    assert per_km["unit"] == "g/km", per_km
    return {
        "id": "flight_new_york_london",
        "value": f"{factor * distance / 1000:.0f}",
        "unit": "kg",
        "year": per_km["year"],
        "source": (
            f"DERIVED: flight_economy_co2_per_passenger_km ({per_km['value']} g CO2e/passenger-km,"
            f" {per_km['source']}) x {distance:,.0f} km, the great-circle distance New York JFK -"
            f" London LHR (haversine on the {EARTH_MEAN_RADIUS_KM} km IUGG mean Earth radius"
            f" between the airports' reference points: {AIRPORTS['JFK'][2]}; {AIRPORTS['LHR'][2]})"
        ),
        "url": per_km["url"],
        "note": (
            "derived; source unit: kg CO2e / passenger (one way); the per-km factor is an average "
            "over flights (139-244 g/km by flight) and real routes are somewhat longer than the "
            "great circle: a rough figure"
        ),
    }


def build_equivalents(shared: Path) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for src in read_csv(shared / "equivalents.csv"):
        name = src["name"]
        if name not in EQUIV_UNITS:
            raise DataError(f"equivalent {name} has no unit mapping")
        note = f"source unit: {src['unit']}"
        if src["note"]:
            note += "; " + ascii_dash(src["note"])
        out.append(
            {
                "id": name,
                "value": number(src["value"]),
                "unit": EQUIV_UNITS[name],
                "year": int(src["year"]) if src["year"] else "",
                "source": src["source"],
                "url": src["source_url"],
                "note": note,
            }
        )
    out.append(dict(NYC))
    per_km = next(r for r in out if r["id"] == "flight_economy_co2_per_passenger_km")
    out.append(transatlantic_flight(per_km))
    ids = [r["id"] for r in out]
    if len(ids) != len(set(ids)):
        raise DataError("duplicate equivalent ids")
    out.sort(key=lambda r: str(r["id"]))
    return out


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "shared",
        nargs="?",
        type=Path,
        default=DEFAULT_SHARED,
        help="shared reference data directory (default: ../shared/data from the repo root)",
    )
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    args = parser.parse_args(argv)
    shared = args.shared if args.shared.is_absolute() else (Path.cwd() / args.shared)
    if not shared.is_dir():
        parser.error(f"{shared} is not a directory")
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        tables = {
            "regions.csv": (REGION_FIELDS, build_regions(shared)),
            "pue.csv": (PUE_FIELDS, build_pue(shared)),
            "electricity_prices.csv": (PRICE_FIELDS, build_prices(shared)),
            "equivalents.csv": (EQUIV_FIELDS, build_equivalents(shared)),
        }
    except DataError as e:
        print(f"derive_data.py: {e}", file=sys.stderr)
        return 1
    for filename, (fields, rows) in tables.items():
        count = write_csv(args.out / filename, fields, rows)
        print(f"wrote {count:4d} rows to {args.out / filename}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
