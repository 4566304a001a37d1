"""The cloud price list (prices.csv, providers.csv), the per-region PUE table and
costcalc.pricing: the default price rule, provider and pricing look-ups, errors, PUE."""

from __future__ import annotations

import csv
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc import pricing
from costcalc.errors import InputError
from costcalc.pricing import PriceRow, Provider
from costcalc.tables import pue_values, regions

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DATA = ROOT / "src" / "costcalc" / "data"
DERIVED = ("prices.csv", "providers.csv", "region_pue.csv")


def _profiles() -> dict[str, dict[str, object]]:
    out = {}
    for path in (ROOT / "hardware_profiles").glob("*.yaml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        out[doc["name"]] = doc
    return out


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader((DATA / name).read_text(encoding="utf-8").splitlines()))


# -- the derived files --------------------------------------------------------------------


@pytest.mark.skipif(not SHARED.is_dir(), reason="the reference data pack is not here")
def test_the_derived_tables_are_in_sync_with_the_pack(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "derive_prices.py"), str(SHARED)]
        + ["--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for name in DERIVED:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
    # the names left out are reported, and the devices costcalc has are not among them
    assert "unmatched Epoch hardware: NVIDIA RTX A6000" in done.stderr
    assert "H100 SXM5" not in done.stderr


def test_every_price_row_is_sane() -> None:
    profiles = _profiles()
    known = {p["id"] for p in _rows("providers.csv")}
    cloud = {r.id: r for r in regions().values() if r.kind == "cloud_region"}
    rows = _rows("prices.csv")
    assert len(rows) > 300
    seen = set()
    for row in rows:
        key = (row["provider"], row["device"], row["region"], row["pricing"], row["date"])
        assert key not in seen, key  # one row per provider, device, region, pricing, date
        seen.add(key)
        assert row["provider"] in known, row
        assert row["device"] in profiles, row
        assert row["pricing"] in pricing.PRICING_MODELS, row
        assert row["unit"] == "USD/hour" and row["source"].startswith("Epoch AI"), row
        assert "http" in row["source"], row
        assert "2010-01-01" <= row["date"] <= "2026-12-31", row
        # the device is the profile's: chips from the YAML, price = per-chip price x chips
        chips = int(profiles[row["device"]].get("chips", 1))  # type: ignore[call-overload]
        assert int(row["chips"]) == chips, row
        per_chip, price = float(row["price_per_chip"]), float(row["price"])
        assert 0.01 < per_chip < 50, row
        assert price == pytest.approx(per_chip * chips, abs=1e-9), row
        if row["region"]:
            assert cloud[row["region"]].provider == row["provider"], row


def test_unit_conversion_to_the_profile_device() -> None:
    rows = pricing.load_prices()
    # Google sold TPU v2 as the 4-chip v2-8 at $4.50/h, $1.13 per chip (SOURCES.md)
    board = [r for r in rows if r.device == "tpu-v2"]
    chip = [r for r in rows if r.device == "tpu-v2-chip"]
    assert [r.price for r in chip] == [1.13]
    assert [r.price for r in board] == [pytest.approx(4.50, abs=0.05)]
    # AWS p5: $98.32 for 8 GPUs = $12.29 per H100 (the h100-sxm profile's own source)
    aws = [r for r in rows if r.device == "h100-sxm" and r.provider == "aws"]
    assert [(r.price, r.region, r.date) for r in aws] == [(12.29, "us-east-1", "2025-03-17")]
    # a K80 profile is the 2-GPU board; AWS p2.xlarge rented one GPU at $0.90/h
    k80 = [r for r in rows if (r.device, r.provider, r.pricing) == ("k80", "aws", "on-demand")]
    assert k80 and all(r.price == pytest.approx(1.80) for r in k80)


def test_tpus_are_only_at_gcp() -> None:
    tpu = [r for r in pricing.load_prices() if r.device.startswith("tpu")]
    assert {r.provider for r in tpu} == {"gcp"}
    assert {r.device for r in tpu} >= {"tpu-v3", "tpu-v4", "tpu-v5e", "tpu-v6e"}


def test_committed_prices_are_cheaper_than_on_demand_where_both_exist() -> None:
    by_key: dict[tuple[str, str, str, str], dict[str, float]] = {}
    for r in pricing.load_prices():
        by_key.setdefault((r.provider, r.device, r.region, r.date), {})[r.pricing] = r.price
    both = [v for v in by_key.values() if "3y" in v and "on-demand" in v]
    assert len(both) > 50
    for prices in both:
        assert prices["3y"] < prices["on-demand"], prices
        if "1y" in prices:
            assert prices["3y"] <= prices["1y"] < prices["on-demand"], prices


def test_providers_table() -> None:
    provs = pricing.providers()
    assert {p.id for p in provs.values() if p.kind == "hyperscaler"} == {
        "aws",
        "gcp",
        "azure",
        "oracle",
    }
    assert {r.provider for r in pricing.load_prices()} <= set(provs)
    for pid, pue_id in {"aws": "aws", "gcp": "google", "azure": "azure"}.items():
        assert provs[pid].fleet_pue_id == pue_id
    assert {p.fleet_pue_id for p in provs.values()} <= set(pue_values()) | {""}


def test_every_cloud_region_names_its_provider_and_pue() -> None:
    table = {r["region"]: r for r in _rows("region_pue.csv")}
    cloud = {r.id: r for r in regions().values() if r.kind in ("cloud_region", "cloud_geography")}
    assert set(table) == set(cloud)
    fleet = {"aws": "1.14", "gcp": "1.09", "azure": "1.18"}  # pue.csv: AWS, Google, Microsoft
    for rid, row in table.items():
        assert row["provider"] == cloud[rid].provider != ""
        assert row["fleet_pue"] == fleet[row["provider"]] and row["fleet_pue_year"], row
        assert "fleet:" in row["source"], row
        if row["region_pue"]:
            assert row["provider"] == "gcp" and row["region_pue_year"], row
            assert float(row["region_pue"]) == pue_values()[row["region_pue_id"]].pue
    # Google's per-campus figures: every one reaches its region
    campus = {k for k in pue_values() if k.startswith("gcp-")}
    assert {r["region_pue_id"] for r in table.values() if r["region_pue_id"]} == campus


# -- the default rule, on a small table -----------------------------------------------


def _row(provider: str, price: float, date: str, region: str = "", pricing_: str = "on-demand"):
    return PriceRow(
        provider=provider,
        device="x1",
        region=region,
        location="",
        pricing=pricing_,
        price=price,
        date=date,
        chips=1,
        price_per_chip=price,
        source_unit="",
        epoch_model="X1",
        instances="",
        rows=1,
        source="test",
    )


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch):
    """Replace the price list by ``rows`` for one test."""

    def use(*rows: PriceRow) -> None:
        monkeypatch.setattr(pricing, "_by_device", lambda: {"x1": tuple(rows)})

    provs = {
        "aws": Provider("aws", "AWS", "hyperscaler", (), "aws"),
        "gcp": Provider("gcp", "Google Cloud", "hyperscaler", (), "google"),
        "lambda": Provider("lambda", "Lambda", "cloud", (), ""),
        "runpod": Provider("runpod", "RunPod", "cloud", (), ""),
        "cudo": Provider("cudo", "Cudo", "cloud", (), ""),
    }
    monkeypatch.setattr(pricing, "providers", lambda: provs)
    return use


def test_rule_prefers_the_newest_hyperscaler_price(table) -> None:
    old_gcp = _row("gcp", 2.0, "2024-01-01", "us-central1")
    new_aws = _row("aws", 5.0, "2025-01-01", "us-east-1")
    cheap = _row("lambda", 1.0, "2025-06-01")  # newer and cheaper, but not a hyperscaler
    table(old_gcp, new_aws, cheap)
    choice = pricing.choose_price("x1")
    assert choice.row == new_aws and choice.price == 5.0
    assert choice.rule == pricing.RULE_HYPERSCALER
    for part in ("aws", "on-demand", "us-east-1", "2025-01-01", "Epoch AI"):
        assert part in choice.label


def test_rule_takes_the_lower_median_of_rows_of_the_same_date(table) -> None:
    rows = [_row("aws", 3.0, "2025-01-01", "us-east-1"), _row("gcp", 1.0, "2025-01-01")]
    table(*rows, _row("gcp", 2.0, "2025-01-01", "us-central1"))
    assert pricing.choose_price("x1").price == 2.0
    table(*rows)  # two rows: the lower one, so that the choice is one of the rows
    assert pricing.choose_price("x1").price == 1.0


def test_rule_without_hyperscaler_is_the_median_of_each_providers_newest(table) -> None:
    table(
        _row("lambda", 9.0, "2023-01-01"),
        _row("lambda", 3.0, "2025-01-01"),  # lambda's newest
        _row("runpod", 1.0, "2024-01-01"),
        _row("cudo", 2.0, "2022-01-01"),
    )
    choice = pricing.choose_price("x1")
    assert choice.price == 2.0 and choice.row.provider == "cudo"
    assert "median" in choice.rule and "3 providers" in choice.label


def test_region_narrows_to_its_provider_and_its_own_rows(table) -> None:
    central = _row("gcp", 2.0, "2024-01-01", "us-central1")
    west = _row("gcp", 3.0, "2025-01-01", "us-west1")
    table(central, west, _row("aws", 5.0, "2025-06-01", "us-east-1"))
    assert pricing.choose_price("x1", region="us-central1").row == central
    # a gcp region without a row of its own: gcp's newest, and the label says so
    other = pricing.choose_price("x1", region="europe-west4")
    assert other.row == west and "no price listed for europe-west4" in other.label
    assert pricing.choose_price("x1", region="us-east-1").row.provider == "aws"
    # a country implies no provider: the default rule
    assert pricing.choose_price("x1", region="de").row.provider == "aws"


def test_pricing_model_selects_rows(table) -> None:
    od = _row("aws", 5.0, "2025-01-01", "us-east-1")
    table(od, od._replace(pricing="3y", price=2.0), od._replace(pricing="1y", price=3.0))
    assert pricing.choose_price("x1", pricing="3y").price == 2.0
    assert pricing.choose_price("x1", pricing="1-year").price == 3.0
    assert pricing.choose_price("x1", pricing="On-Demand").price == 5.0


# -- the rule on the shipped table ----------------------------------------------------


def test_defaults_for_well_known_devices() -> None:
    # h100: on 2025-03-17 AWS $12.29, Google Cloud $11.06 and Oracle $10.00 (the h100-sxm
    # profile's notes): the middle one
    h100 = pricing.choose_price("h100-sxm")
    assert (h100.row.provider, h100.price, h100.row.date) == ("gcp", 11.06, "2025-03-17")
    assert pricing.choose_price("h100") == h100  # aliases
    # tpu-v5e: $1.20 in Iowa, Oregon and East US (hardware_facts.md)
    assert pricing.choose_price("tpu-v5e").price == 1.20
    assert pricing.choose_price("tpu-v5e", region="us-central1").row.region == "us-central1"
    # lambda's newest H100 SXM price: $3.29 on 2025-02-28 (the h100-sxm profile's notes)
    lam = pricing.choose_price("h100", provider="Lambda Labs")
    assert (lam.price, lam.row.date) == (3.29, "2025-02-28") and "lambda" in lam.label


def test_3y_is_cheaper_than_on_demand_through_the_rule() -> None:
    for device, provider in [("h100-sxm", "gcp"), ("tpu-v5e", None), ("a100-sxm-40gb", "aws")]:
        od = pricing.choose_price(device, provider=provider)
        three = pricing.choose_price(device, provider=provider, pricing="3y")
        assert three.price < od.price, device
        assert three.row.pricing == "3y" and "3y" in three.label


def test_providers_for() -> None:
    h100 = pricing.providers_for("h100")
    assert {"aws", "gcp", "oracle", "lambda", "runpod"} <= set(h100)
    assert "azure" not in h100
    assert pricing.providers_for("tpu-v5e") == ["gcp"]
    assert pricing.providers_for("b200") == []
    assert pricing.providers_for("h100", "spot") == []


# -- errors -----------------------------------------------------------------------------


def _error(**kwargs: str) -> InputError:
    with pytest.raises(InputError) as info:
        pricing.choose_price(**kwargs)  # type: ignore[arg-type]
    return info.value


def test_unknown_provider_and_pricing_say_did_you_mean() -> None:
    e = _error(device="h100", provider="lamda")
    assert e.where == "provider" and "did you mean 'lambda'" in str(e)
    e = _error(device="h100", pricing="on-demnd")
    assert e.where == "pricing" and "did you mean 'on-demand'" in str(e)
    e = _error(device="h100", pricing="2y")
    assert "expected one of on-demand, spot, 1y, 3y" in str(e)
    with pytest.raises(InputError, match="unknown hardware|did you mean"):
        pricing.choose_price("h1000")


def test_a_provider_without_the_device_names_those_with_it() -> None:
    e = _error(device="h100", provider="azure")
    assert e.where == "provider"  # a library caller reads the keyword it gave
    assert "azure has no on-demand price for h100-sxm" in str(e)
    assert "aws" in str(e) and "lambda" in str(e) and "(or give price)" in str(e)
    e = _error(device="h100", pricing="spot")
    assert e.where == "pricing" and "1y, 3y, on-demand" in str(e)
    e = _error(device="b200")
    assert e.where == "hardware" and "give one with price" in str(e)


@pytest.mark.parametrize("provider", ["aws", "azure", "lambda", "oracle"])
def test_tpus_elsewhere_than_gcp_are_refused(provider: str) -> None:
    e = _error(device="tpu-v5e", provider=provider)
    assert "Google sells TPUs only in Google Cloud" in str(e) and "gcp" in str(e)


def test_a_tpu_in_an_aws_region_is_refused() -> None:
    e = _error(device="tpu-v5e", region="us-east-1")
    assert e.where == "region"
    assert "region 'us-east-1' belongs to aws, and aws has no on-demand price" in str(e)
    assert "gcp" in str(e)
    e = _error(device="h100", provider="aws", region="us-central1")
    assert "belongs to gcp" in str(e)


# -- property -------------------------------------------------------------------------

_DEVICES = sorted({r.device for r in pricing.load_prices()}) + ["h100", "a100", "b200"]
_PROVIDERS = [None, *sorted(pricing.providers()), "google", "nobody"]
_REGIONS = [None, "us-central1", "us-east-1", "eastus", "europe-west4", "de", "world"]


@settings(max_examples=150, deadline=None)
@given(
    device=st.sampled_from(_DEVICES),
    provider=st.sampled_from(_PROVIDERS),
    pricing_=st.sampled_from([None, *pricing.PRICING_MODELS]),
    region=st.sampled_from(_REGIONS),
)
def test_choose_price_returns_a_row_of_the_table(device, provider, pricing_, region) -> None:
    try:
        choice = pricing.choose_price(device, provider=provider, pricing=pricing_, region=region)
    except InputError as e:
        assert e.where in ("hardware", "provider", "pricing", "region")
        assert e.input == e.where
        return
    row = choice.row
    assert row in pricing.load_prices()
    assert row.pricing == (pricing_ or "on-demand")
    assert row.device == pricing._device_name(device, "--hardware")
    if provider:
        assert row.provider == pricing.find_provider(provider).id
    if row.device.startswith("tpu"):
        assert row.provider == "gcp"
    assert row.provider in choice.label and row.date in choice.label


# -- PUE ----------------------------------------------------------------------------------


def test_pue_follows_the_site() -> None:
    campus = pricing.pue_for(region="us-central1")  # Google's per-campus figure
    assert (campus.value, campus.scope, campus.provider) == (1.11, "region", "gcp")
    assert campus.year == "2021" and campus.source
    fleet = pricing.pue_for(region="us-west2")  # a gcp region without a campus figure
    assert (fleet.value, fleet.scope, fleet.id) == (1.09, "fleet", "google")
    aws = pricing.pue_for(region="us-east-1")
    assert (aws.value, aws.scope, aws.provider) == (1.14, "fleet", "aws")
    assert pricing.pue_for(region="eastus").value == 1.18
    assert pricing.pue_for("gcp").value == 1.09
    for site in [pricing.pue_for(), pricing.pue_for(region="de")]:
        assert (site.value, site.scope, site.provider) == (1.56, "industry", "")
    lam = pricing.pue_for("lambda")
    assert lam.scope == "industry" and "lambda publishes no PUE" in lam.label


def test_pue_errors() -> None:
    with pytest.raises(InputError, match="belongs to gcp, not aws"):
        pricing.pue_for("aws", "us-central1")
    with pytest.raises(InputError, match="did you mean"):
        pricing.pue_for("gpc")
    with pytest.raises(InputError, match="unknown region"):
        pricing.pue_for(region="us-centrall")


# -- the site's price and PUE (costcalc.site) -------------------------------------------


def test_a_device_missing_from_the_list_keeps_its_profile_price_labelled_so() -> None:
    from costcalc import site
    from costcalc.hardware import default_catalog

    h100 = default_catalog().get("h100-sxm")
    assert h100.price is not None
    mine = replace(h100, name="my-gpu")  # a user's profile: no row in prices.csv
    got = site.device_price(mine, None, None, None)
    assert got is not None and got.value == h100.price.value and got.origin == "profile"
    assert got.source.startswith("my-gpu is not in the price list")
    assert site.device_price(replace(mine, price=None), None, None, None) is None
    with pytest.raises(InputError, match="no cloud price known for my-gpu"):
        site.device_price(mine, "aws", None, None)  # a provider named: no silent fallback


def test_price_list_keeps_the_newest_row_per_provider_place_and_model() -> None:
    from costcalc import site

    rows = site.price_list("a100-sxm-40gb", "aws", "1y")
    raw = [
        r
        for r in _rows("prices.csv")
        if r["device"] == "a100-sxm-40gb" and r["provider"] == "aws" and r["pricing"] == "1y"
    ]
    places = {r["region"] or r["location"] or "region not given" for r in raw}
    assert len(rows) == len(places)
    for row in rows:
        dates = [r["date"] for r in raw if (r["region"] or r["location"]) == row.where]
        assert row.date == max(dates)
    assert len(site.price_list("a100-sxm-40gb", "aws", "1y", history=True)) == len(raw)


def test_default_rows_are_what_choose_price_picks() -> None:
    from costcalc import site

    rows = site.price_list("h100-sxm")
    chosen = site.default_rows(rows, None, None)
    assert chosen == {pricing.choose_price("h100-sxm").row}
    assert chosen <= set(rows)


@pytest.mark.parametrize(
    ("region", "provider", "want"),
    [
        ("us-central1", None, "gcp-us-central1"),
        ("europe-west4", None, "gcp-europe-west4"),
        ("us-east-1", None, "aws"),
        ("eastus", None, "azure"),
        (None, "gcp", "google"),
        (None, "aws", "aws"),
    ],
)
def test_site_pue_follows_the_region_then_the_fleet(region, provider, want) -> None:
    from costcalc import site

    got = site.site_pue(None, region, provider)
    assert got is not None and got.value == pue_values()[want].pue
    assert site.site_pue(None, "DE", None) is None  # a country: the caller's default
    assert site.site_pue("1.3", None, None) is None  # a number: the caller reads it
