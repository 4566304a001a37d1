"""A site brings its provider: --region, --provider, --pricing and --pue NAME in estimate,
sweep, config and plans; the price list's default rule in outputs; `costcalc prices`; the
sweep's basis columns; this machine's power; the Patterson et al. 2021 check in docs.

Expected values are read from the shipped CSV files directly (csv module), not through the
code under test."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc import detect, estimate, sweep

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "costcalc" / "data"


def _csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader((DATA / name).read_text(encoding="utf-8").splitlines()))


PRICES = _csv("prices.csv")
PUE = {r["id"]: float(r["pue"]) for r in _csv("pue.csv")}


def _rows(device: str, provider: str | None = None, pricing: str = "on-demand") -> list[dict]:
    return [
        r
        for r in PRICES
        if r["device"] == device
        and r["pricing"] == pricing
        and (provider is None or r["provider"] == provider)
    ]


def _json(cli, *args: str) -> dict:
    r = cli("estimate", *args, "-f", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def _one_error(r, where: str) -> str:
    assert r.code == 2, (r.out, r.err)
    assert r.out == ""
    lines = r.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"costcalc: error: {where}: "), r.err
    return lines[0]


# -- a cloud region brings its provider's PUE and price ---------------------------------


def test_a_google_region_brings_googles_pue_and_a_google_price(cli) -> None:
    doc = _json(cli, "1e20", "-H", "tpu-v5e", "--region", "us-central1")
    pue, price = doc["assumptions"]["pue"], doc["assumptions"]["price"]
    assert pue["value"] == PUE["gcp-us-central1"] == 1.11  # the region's own figure
    assert pue["source"].startswith("us-central1 (gcp), region")
    here = [r for r in _rows("tpu-v5e", "gcp") if r["region"] == "us-central1"]
    newest = max(r["date"] for r in here)
    assert price["value"] in {float(r["price"]) for r in here if r["date"] == newest}
    assert price["source"].startswith(f"gcp on-demand, us-central1, {newest}")
    # device-hours x the listed price, independently
    assert doc["cost_usd"] == pytest.approx(doc["device_hours"] * price["value"], rel=1e-9)


def test_an_aws_region_brings_aws_fleet_pue_and_an_aws_price(cli) -> None:
    doc = _json(cli, "1e20", "-H", "h100-sxm", "--region", "us-east-1")
    pue, price = doc["assumptions"]["pue"], doc["assumptions"]["price"]
    assert pue["value"] == PUE["aws"]  # AWS publishes no per-region PUE: the fleet's
    assert "fleet" in pue["source"]
    aws = _rows("h100-sxm", "aws")
    local = [r for r in aws if r["region"] == "us-east-1"] or aws
    newest = max(r["date"] for r in local)
    assert price["value"] in {float(r["price"]) for r in local if r["date"] == newest}
    assert price["source"].startswith("aws on-demand")


def test_a_country_brings_no_provider_the_industry_pue_and_a_lifecycle_grid(cli) -> None:
    doc = _json(cli, "1e20", "-H", "h100-sxm", "--region", "DE")
    assert doc["assumptions"]["pue"]["value"] == PUE["industry"] == 1.56
    assert "lifecycle" in doc["assumptions"]["carbon_intensity"]["source"]
    cloud = _json(cli, "1e20", "-H", "h100-sxm", "--region", "us-central1")
    assert "operational" in cloud["assumptions"]["carbon_intensity"]["source"]


def test_the_default_price_is_the_newest_hyperscaler_price_and_names_its_basis(cli) -> None:
    doc = _json(cli, "1e20", "-H", "h100-sxm")
    hyper = [r for r in _rows("h100-sxm") if r["provider"] in ("aws", "gcp", "azure", "oracle")]
    newest = max(r["date"] for r in hyper)
    prices = sorted(float(r["price"]) for r in hyper if r["date"] == newest)
    price = doc["assumptions"]["price"]
    assert price["value"] == prices[(len(prices) - 1) // 2]  # the lower median
    assert "newest hyperscaler price" in price["source"] and newest in price["source"]


def test_a_device_only_small_clouds_sell_takes_the_median_across_providers(cli) -> None:
    doc = _json(cli, "1e20", "-H", "l40s")
    assert "median of the newest prices across providers" in doc["assumptions"]["price"]["source"]


def test_provider_changes_the_h100_price_and_says_so(cli) -> None:
    default = _json(cli, "1e20", "-H", "h100-sxm")
    lam = _json(cli, "1e20", "-H", "h100-sxm", "--provider", "lambda")
    rows = _rows("h100-sxm", "lambda")
    newest = max(rows, key=lambda r: r["date"])
    assert lam["assumptions"]["price"]["value"] == float(newest["price"])
    assert lam["assumptions"]["price"]["source"].startswith("lambda on-demand")
    assert lam["cost_usd"] != default["cost_usd"]


def test_three_year_commitment_is_cheaper_than_on_demand(cli) -> None:
    for device in ("h100-sxm", "tpu-v5e"):
        od = _json(cli, "1e20", "-H", device)
        y3 = _json(cli, "1e20", "-H", device, "--pricing", "3y")
        assert y3["cost_usd"] < od["cost_usd"], device
        assert " 3y," in y3["assumptions"]["price"]["source"]


def test_price_pue_and_carbon_intensity_still_override(cli) -> None:
    doc = _json(cli, "1e20", "-H", "tpu-v5e", "--provider", "gcp", "--price", "2", "--pue", "1.3")
    assert doc["assumptions"]["price"]["source"] == "given with --price"
    assert doc["assumptions"]["pue"]["value"] == 1.3
    google = _json(cli, "1e20", "-H", "h100-sxm", "--pue", "google")
    assert google["assumptions"]["pue"]["value"] == PUE["google"]
    assert google["assumptions"]["pue"]["source"].startswith("given with --pue google")


# -- availability and bad names ---------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("-H", "tpu-v5e", "--region", "us-east-1"),
        ("-H", "tpu-v5e", "--provider", "aws"),
        ("-H", "tpu-v5e", "--provider", "lambda"),
    ],
)
def test_a_tpu_outside_google_cloud_is_refused_naming_who_sells_it(cli, args) -> None:
    where = "--region" if "--region" in args else "--provider"
    line = _one_error(cli("estimate", "1e20", *args), where)
    assert "providers with one: gcp" in line and "Google Cloud" in line


def test_a_region_of_another_provider_is_refused(cli) -> None:
    line = _one_error(
        cli("estimate", "1e20", "-H", "h100-sxm", "--region", "us-east-1", "--provider", "gcp"),
        "--region",
    )
    assert "belongs to aws, not gcp" in line


@pytest.mark.parametrize(
    ("flag", "value", "hint"),
    [
        ("--provider", "lamda", "did you mean 'lambda'?"),
        ("--provider", "AWZ", "did you mean 'aws'?"),
        ("--pricing", "on-demnd", "did you mean 'on-demand'?"),
        ("--pue", "gogle", "did you mean 'google'?"),
    ],
)
def test_unknown_provider_or_pricing_is_exit_2_with_a_suggestion(cli, flag, value, hint) -> None:
    for command in (("estimate", "1e20"), ("sweep", "1e20"), ("budget", "1000 USD")):
        line = _one_error(cli(*command, "-H", "h100-sxm", flag, value), flag)
        assert hint in line, (command, line)


def test_pue_of_a_provider_that_publishes_none_is_refused(cli) -> None:
    line = _one_error(cli("estimate", "1e20", "--pue", "lambda"), "--pue")
    assert "publishes no PUE" in line and "gcp" in line


def test_config_takes_provider_pricing_and_a_pue_provider(cli, tmp_path: Path) -> None:
    config = Path(os.environ["COSTCALC_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.yaml").write_text("defaults:\n  provider: lambda\n  pricing: on-demand\n")
    doc = _json(cli, "1e20", "-H", "h100-sxm")
    assert doc["assumptions"]["price"]["source"].startswith("lambda on-demand")
    (config / "config.yaml").write_text("defaults:\n  provider: lamda\n")
    r = cli("estimate", "1e20")
    assert r.code == 2 and "config.yaml:2: defaults.provider: unknown provider" in r.err
    assert "lambda" in r.err
    (config / "config.yaml").write_text("defaults:\n  pue: google\n")
    assert _json(cli, "1e20")["assumptions"]["pue"]["value"] == PUE["google"]


# -- costcalc prices --------------------------------------------------------------------


def test_prices_lists_every_provider_of_a_device(cli) -> None:
    r = cli("prices", "h100-sxm")
    assert r.code == 0, r.err
    want = {row["provider"] for row in PRICES if row["device"] == "h100-sxm"}
    assert len(want) > 5
    shown = {line.split()[1] for line in r.out.splitlines()[1:-1]}
    assert shown == want
    assert sum(line.rstrip().endswith("*") for line in r.out.splitlines()) == 1  # the pick


def test_prices_json_and_csv_agree_and_filter(cli) -> None:
    doc = json.loads(cli("prices", "h100", "--provider", "gcp", "-f", "json").out)
    assert doc["schema"] == "costcalc/prices/1" and doc["prices"]
    assert {p["provider"] for p in doc["prices"]} == {"gcp"}
    assert {p["device"] for p in doc["prices"]} == {"h100-sxm"}  # alias resolved
    rows = list(
        csv.DictReader(io.StringIO(cli("prices", "h100", "--provider", "gcp", "-f", "csv").out))
    )
    assert [float(r["price_usd_per_hour"]) for r in rows] == [
        p["price_usd_per_hour"] for p in doc["prices"]
    ]
    history = json.loads(cli("prices", "h100", "--history", "-f", "json").out)["prices"]
    assert len(history) == len([r for r in PRICES if r["device"] == "h100-sxm"])


def test_prices_bad_input_is_one_line(cli) -> None:
    _one_error(cli("prices", "h200x"), "HARDWARE")
    _one_error(cli("prices", "--provider", "lamda"), "--provider")
    _one_error(cli("prices", "--pricing", "2y"), "--pricing")
    r = cli("prices", "cpu-server")
    assert r.code == 0 and "no prices known" in r.out


# -- sweeps carry the basis --------------------------------------------------------------

BASIS = ["price_provider", "price_pricing", "price_date", "pue_source", "grid_basis"]


def test_sweep_csv_has_the_price_basis_and_each_row_matches_estimate(cli) -> None:
    args = ["1e20", "-H", "h100-sxm,tpu-v5e", "--region", "us-central1,us-east-1,DE"]
    r = cli("sweep", *args, "-f", "csv")
    assert r.code == 0, r.err
    rows = list(csv.DictReader(io.StringIO(r.out)))
    assert list(rows[0])[-5:] == BASIS and len(rows) == 6
    for row in rows:
        if row["hardware"] == "tpu-v5e" and row["region"] == "us-east-1":
            assert row["cost_usd"] == "" and row["price_provider"] == "none"
            continue
        e = estimate("1e20", hardware=row["hardware"], region=row["region"])
        assert float(row["cost_usd"]) == pytest.approx(e.fields()["cost_usd"], rel=1e-9)
        assert float(row["energy_kwh"]) == pytest.approx(e.fields()["energy_kwh"], rel=1e-9)
        assert row["price_provider"] in e.assumption("price").source
        assert row["price_date"] in e.assumption("price").source
        assert row["grid_basis"] == ("lifecycle" if row["region"] == "DE" else "operational")
    notes = json.loads(cli("sweep", *args, "-f", "json").out)["notes"]
    assert any("tpu-v5e at us-east-1" in n for n in notes)
    assert any("mix bases" in n for n in notes)


def test_which_provider_is_cheapest_is_one_sweep(cli) -> None:
    r = cli(
        "sweep",
        "1e20",
        "-H",
        "h100-sxm",
        "--provider",
        "aws,gcp,lambda,runpod",
        "--sort",
        "cost_usd",
        "-f",
        "jsonl",
    )
    assert r.code == 0, r.err
    rows = [json.loads(line) for line in r.out.splitlines()]
    cheapest = min(
        ("aws", "gcp", "lambda", "runpod"),
        key=lambda p: float(max(_rows("h100-sxm", p), key=lambda x: x["date"])["price"]),
    )
    assert rows[0]["provider"] == rows[0]["price_provider"] == cheapest
    assert [r["cost_usd"] for r in rows] == sorted(r["cost_usd"] for r in rows)


@settings(max_examples=10)
@given(
    st.lists(
        st.sampled_from(["aws", "gcp", "lambda", "runpod", "oracle", "cudo"]),
        min_size=1,
        max_size=4,
        unique=True,
    ),
    st.sampled_from(["on-demand", "3y"]),
)
def test_sweep_over_providers_is_estimate_per_provider(providers, model) -> None:
    try:
        r = sweep("1e20", hardware="h100-sxm", provider=",".join(providers), pricing=model)
    except Exception as exc:  # noqa: BLE001 - one scenario without a price: refused
        assert len(providers) == 1 and "has no" in str(exc)
        return
    assert r["provider"].tolist() == providers
    for i, p in enumerate(providers):
        try:
            e = estimate("1e20", hardware="h100-sxm", provider=p, pricing=model)
        except Exception as exc:  # noqa: BLE001 - no such price: the row says so
            assert "no" in str(exc) and r["price_provider"][i] == "none"
            assert r["cost_usd"][i] != r["cost_usd"][i]  # NaN
            continue
        assert r["cost_usd"][i] == pytest.approx(e.fields()["cost_usd"], rel=1e-12)
        assert r["price_pricing"][i] == model


def test_a_single_impossible_sweep_is_refused(cli) -> None:
    _one_error(cli("sweep", "1e20", "-H", "tpu-v5e", "--provider", "aws"), "--provider")


# -- this machine ------------------------------------------------------------------------


def test_local_on_a_small_vm_is_a_per_core_share_not_the_server(cli, monkeypatch) -> None:
    cpu = detect.Device("cpu", "AMD", "AMD EPYC", "/proc/cpuinfo", logical_cpus=2)
    monkeypatch.setattr(detect, "detect", lambda runner=None: detect.Detection([], cpu))
    doc = _json(cli, "1e18", "-H", "local")
    power = doc["assumptions"]["power"]["value"]
    assert power == pytest.approx(2 * 280 / 64 * 0.75)  # 2 cores of a 280 W 64-core socket
    server = _json(cli, "1e18", "-H", "cpu-server")
    assert server["assumptions"]["power"]["value"] == pytest.approx(420)
    # the energy per FLOP is the server's: peak and power are cut alike
    assert doc["energy_kwh"] == pytest.approx(server["energy_kwh"], rel=1e-9)
    assert "(estimate)" in doc["assumptions"]["peak"]["source"] or "estimate" in str(doc)


def test_local_on_this_machine_as_a_subprocess(tmp_path: Path) -> None:
    env = dict(os.environ, COSTCALC_CONFIG_DIR=str(tmp_path), NO_COLOR="1")
    done = subprocess.run(
        [sys.executable, "-m", "costcalc", "estimate", "1e18", "-H", "local", "-f", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    logical = len(os.sched_getaffinity(0))
    if doc["hardware"] == "cpu-server" and logical < 128:
        assert doc["assumptions"]["power"]["value"] == pytest.approx(logical * 280 / 64 * 0.75)


# -- the Patterson et al. 2021 check is current and within 25 % ------------------------


def test_patterson_table_is_in_the_docs_and_within_25_percent() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    import sites_check

    for row in sites_check.rows():
        measured = float(row["measured_mwh"])  # type: ignore[arg-type]
        assert abs(float(row["region_mwh"]) / measured - 1) <= 0.25, row  # type: ignore[arg-type]
        assert row["region_pue"] == PUE["gcp-us-central1"]
    assert sites_check.table() in (ROOT / "docs" / "sites.md").read_text(encoding="utf-8")


def test_a_plan_run_takes_provider_and_pricing(cli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "version: 1\ndefaults:\n  hardware: h100-sxm\nruns:\n"
        "  a:\n    flops: 1e20\n    provider: lambda\n"
        "  b:\n    flops: 1e20\n    pricing: 3y\n"
        "  c:\n    flops: 1e20\n    provider: lamda\n"
    )
    r = cli("check", "-p", str(plan), "-f", "json")
    assert r.code == 2 and f"{plan}:13: runs.c.provider: unknown provider" in r.err, r.err
    assert "'lambda'" in r.err
    plan.write_text(plan.read_text().replace("lamda", "runpod"))
    r = cli("check", "-p", str(plan), "-f", "json")
    assert r.code == 0, r.err
    runs = {x["name"]: x["total"] for x in json.loads(r.out)["runs"]}
    lam = float(max(_rows("h100-sxm", "lambda"), key=lambda x: x["date"])["price"])
    assert runs["a"]["cost_usd"] == pytest.approx(runs["a"]["device_hours"] * lam, rel=1e-9)
    hyper = [r for r in _rows("h100-sxm", pricing="3y") if r["provider"] in ("aws", "gcp")]
    newest = max(r["date"] for r in hyper)
    y3 = sorted(float(r["price"]) for r in hyper if r["date"] == newest)[0]
    assert runs["b"]["cost_usd"] == pytest.approx(runs["b"]["device_hours"] * y3, rel=1e-9)


def test_owned_hardware_in_a_cloud_region_needs_no_cloud_price(cli) -> None:
    # a10 has no Google price, but owned hardware pays its purchase and electricity only
    doc = _json(
        cli,
        "1e20",
        "-H",
        "a10",
        "--owned",
        "--purchase-price",
        "3000 USD",
        "--region",
        "us-central1",
    )
    assert "price" not in doc["assumptions"] and "price" not in doc["inputs"]
    assert doc["assumptions"]["pue"]["value"] == PUE["gcp-us-central1"]
    bare = _json(cli, "1e20", "-H", "a10", "--owned", "--purchase-price", "3000 USD")
    assert "price" not in bare["inputs"]


def test_where_and_sort_take_the_basis_columns(cli) -> None:
    r = cli(
        "sweep",
        "1e20",
        "-H",
        "all",
        "--where",
        "price_provider == 'gcp'",
        "--sort",
        "cost_usd",
        "-f",
        "csv",
    )
    assert r.code == 0, r.err
    rows = list(csv.DictReader(io.StringIO(r.out)))
    gcp = {row["device"] for row in PRICES if row["provider"] == "gcp"}
    assert rows and {row["price_provider"] for row in rows} == {"gcp"}
    assert {row["hardware"] for row in rows} <= gcp
    bad = cli("sweep", "1e20", "--where", "price_provider == 'gpc'")
    assert "did you mean 'gcp'" in _one_error(bad, "--where")


def test_the_plan_schema_takes_provider_and_pricing() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json.loads((DATA / "plan.schema.json").read_text(encoding="utf-8"))
    plan = yaml.safe_load(
        "version: 1\ndefaults:\n  provider: gcp\n  pricing: 3y\n  pue: google\n"
        "runs:\n  a:\n    flops: 1e20\n    provider: lambda\n"
    )
    jsonschema.validate(plan, schema)
