"""The shipped data can be trusted: every value sourced and dated, units of the right
dimension, peaks dense, names unique, regions complete; the JSON Schema agrees."""

from __future__ import annotations

import csv
import datetime
import json
import re
from pathlib import Path

import pytest

from costcalc import yamlio
from costcalc.profiles import (
    ALL_FIELDS,
    FORMS,
    KINDS,
    PRECISIONS,
    SOURCED_FIELDS,
    Catalog,
    load_profile,
    schema_path,
    shipped_dir,
)
from costcalc.tables import find_region, pue_values, regions
from costcalc.units import KINDS as UNIT_KINDS
from costcalc.units import convert, parse_quantity

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
SHIPPED = sorted(shipped_dir().glob("*.yaml"))
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _raw(path: Path) -> dict:
    return yamlio.load(path.read_text(encoding="utf-8"), str(path)).data


def _sourced_values(data: dict):
    for section in ("dense_peak", "sparse_peak"):
        for prec, entry in (data.get(section) or {}).items():
            yield f"{section}.{prec}", entry, "throughput"
    for key, kind in SOURCED_FIELDS.items():
        if key in data:
            yield key, data[key], kind


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_value_has_a_source_a_date_and_the_right_dimension(path: Path) -> None:
    for name, entry, kind in _sourced_values(_raw(path)):
        assert isinstance(entry["source"], str) and len(entry["source"]) > 10, name
        date = entry["date"]
        date = date.isoformat() if isinstance(date, datetime.date) else str(date)
        assert DATE.match(date) and "1950" < date < "2027", (name, date)
        value = parse_quantity(entry["value"], kind)  # raises on a wrong dimension
        text = str(entry["value"])
        # the text carries the unit of its kind (bare numbers only for plain numbers)
        unit = UNIT_KINDS[kind].bare
        if unit and kind not in ("fraction", "number"):
            assert not re.fullmatch(r"[\d.eE+-]+", text.strip()), (name, text)
        assert value > 0, name


def test_magnitudes_are_plausible() -> None:
    """A wrong prefix (GB for TB, GFLOPS for TFLOPS) would land far outside these ranges."""
    for prof in Catalog().all().values():
        for prec, peak in prof.dense_peak.items():
            assert 1e12 <= peak.value <= 1e17, (prof.name, prec)
        # 1 GB: the GTX 580 of AlexNet (2010) has 1.5 GB
        assert prof.memory is None or 1 <= convert(prof.memory.value, "GB") <= 4000, prof.name
        assert prof.tdp is None or 50 <= prof.tdp.value <= 5000, prof.name
        if prof.price is not None:
            assert 0.05 <= prof.price.value * 3600 <= 100, prof.name


def test_bf16_is_at_least_fp32_and_sparsity_is_never_dense() -> None:
    for prof in Catalog().all().values():
        dense, sparse = prof.dense_peak, prof.sparse_peak
        if "bf16" in dense and "fp32" in dense:
            assert dense["bf16"].value >= dense["fp32"].value, prof.name
        for prec, value in sparse.items():
            # 2:4 structured sparsity doubles the headline: a dense figure equal to the
            # sparse one would be a sparse figure passed off as dense.
            if prec in dense:
                assert 1.9 <= value.value / dense[prec].value <= 2.1, (prof.name, prec)


def test_the_estimate_uses_the_dense_peak() -> None:
    from costcalc import estimate

    e = estimate("1e18", hardware="h100-sxm")
    assert e.assumption("peak").base == Catalog().get("h100-sxm").dense_peak["bf16"].value
    assert "dense" in e.assumption("peak").source


def test_no_duplicate_names_or_aliases_ignoring_case() -> None:
    seen: dict[str, str] = {}
    for path in SHIPPED:
        prof = load_profile(path)
        for key in (prof.name, *prof.aliases):
            assert key.lower() not in seen, f"{key}: {path.name} and {seen[key.lower()]}"
            seen[key.lower()] = path.name


def test_the_issue_catalog_is_covered() -> None:
    names = {p.stem for p in SHIPPED}
    required = [
        "tpu-v2",
        "tpu-v2-chip",
        "tpu-v3",
        "tpu-v4",
        "tpu-v5e",
        "tpu-v5p",
        "tpu-v6e",
        "k80",
        "p100",
        "v100-pcie",
        "v100-sxm2",
        "t4",
        "a10",
        "a100-pcie-40gb",
        "a100-pcie-80gb",
        "a100-sxm-40gb",
        "a100-sxm-80gb",
        "l4",
        "l40s",
        "h100-pcie",
        "h100-sxm",
        "h200",
        "b200",
        "gb200",
        "rtx-3090",
        "rtx-4090",
        "mi250x",
        "mi300x",
        "mi325x",
        "gaudi2",
        "gaudi3",
        "trn1",
        "cpu-server",
    ]
    assert set(required) <= names
    assert len(names) >= 30


# -- regions, PUE, prices, equivalents ------------------------------------------------


def test_every_region_has_a_source_and_a_year_or_says_why_not() -> None:
    for r in regions().values():
        assert r.source and r.basis, r.id
        if not r.year:  # CCF's EEA factors carry no year (data/README.md)
            assert r.provider in ("aws", "azure"), r.id
        assert 0 <= r.carbon_intensity * 3.6e9 <= 2000, r.id  # g/kWh


@pytest.mark.skipif(not SHARED.is_dir(), reason="the reference data pack is not here")
def test_every_country_of_the_reference_data_is_a_region() -> None:
    path = SHARED / "grid" / "owid_carbon_intensity_latest.csv"
    with path.open(encoding="utf-8") as f:
        codes = {
            row["iso_code"]
            for row in csv.DictReader(f)
            if re.fullmatch(r"[A-Z]{3}", row["iso_code"])
        }
    ours = {r.iso3 for r in regions().values() if r.kind == "country"}
    assert codes <= ours, sorted(codes - ours)


def test_cloud_regions_of_each_provider_and_a_world_average() -> None:
    by_provider: dict[str, int] = {}
    for r in regions().values():
        by_provider[r.provider] = by_provider.get(r.provider, 0) + 1
    assert by_provider["aws"] >= 15 and by_provider["gcp"] >= 20 and by_provider["azure"] >= 20
    for rid in ("us-east-1", "eu-west-1", "us-central1", "europe-west4", "westeurope", "eastus"):
        assert regions()[rid].kind == "cloud_region"
    assert regions()["world"].kind == "world"


@pytest.mark.parametrize(
    ("text", "rid"),
    [("IS", "is"), ("isl", "is"), ("Iceland", "is"), ("uk", "gb"), ("us-central1", "us-central1")],
)
def test_region_lookup(text: str, rid: str) -> None:
    assert find_region(text).id == rid


def test_pue_and_prices_and_equivalents_are_sourced() -> None:
    for row in pue_values().values():
        assert row.pue >= 1 and row.year and row.source, row.id
    for name in ("electricity_prices.csv", "equivalents.csv"):
        text = (ROOT / "src" / "costcalc" / "data" / name).read_text(encoding="utf-8")
        for row in csv.DictReader(text.splitlines()):
            assert row["source"], (name, row)
            assert float(row["price" if "price" in row else "value"]) > 0, (name, row)


# -- JSON Schema ----------------------------------------------------------------------


def _schema() -> dict:
    return json.loads(schema_path().read_text(encoding="utf-8"))


def _as_json(data):
    return json.loads(json.dumps(data, default=lambda d: d.isoformat()))


def test_schema_is_in_sync_with_the_validator() -> None:
    schema = _schema()
    assert set(schema["properties"]) == ALL_FIELDS
    assert schema["properties"]["kind"]["enum"] == list(KINDS)
    assert schema["properties"]["form"]["enum"] == list(FORMS)
    assert list(schema["$defs"]["peaks"]["properties"]) == list(PRECISIONS)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_schema_accepts_every_shipped_profile(path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(_as_json(_raw(path)), _schema())


def _good() -> dict:
    return _as_json(_raw(shipped_dir() / "h100-sxm.yaml"))


def _broken():
    def drop(key):
        return lambda d: d.pop(key)

    def setting(key, value):
        return lambda d: d.__setitem__(key, value)

    yield "no name", drop("name")
    yield "no dense peak", drop("dense_peak")
    yield "unknown field", setting("tdpp", 3)
    yield "bad kind", setting("kind", "gpus")
    yield "bad form", setting("form", "card")
    yield "zero chips", setting("chips", 0)
    yield "upper-case name", setting("name", "H100")
    yield "peak in the wrong unit", lambda d: d["dense_peak"]["bf16"].__setitem__("value", "989 W")
    yield "peak without a source", lambda d: d["dense_peak"]["bf16"].pop("source")
    yield "bad precision", lambda d: d["dense_peak"].__setitem__("bf17", d["dense_peak"]["bf16"])
    yield "tdp in energy", lambda d: d["tdp"].__setitem__("value", "700 kWh")
    yield "bad date", lambda d: d["memory"].__setitem__("date", "last year")
    yield "no power at all", lambda d: (d.pop("tdp"), d.pop("server_overhead"))
    yield "price per month", lambda d: d["price"].__setitem__("value", "900 USD/month")


@pytest.mark.parametrize(("why", "breaks"), list(_broken()), ids=[w for w, _ in _broken()])
def test_schema_rejects_broken_profiles(why: str, breaks) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = _good()
    breaks(data)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, _schema())


def test_an_inheriting_profile_needs_only_name_and_base() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate({"schema_version": 1, "name": "mine", "base": "h100-sxm"}, _schema())
