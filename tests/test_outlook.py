"""Ranges, money, embodied carbon, projections and equivalents (costcalc.outlook)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc import estimate as point_estimate
from costcalc.errors import InputError
from costcalc.outlook import estimate
from costcalc.uncertainty import parse_distribution

SMALL = 2_000  # samples: enough for ordered percentiles, fast


def _pct(est, name: str) -> dict[str, float]:
    return est.sections["ranges"]["percentiles"][name]


# --- ranges -------------------------------------------------------------------------


def test_degenerate_range_equals_the_point_estimate() -> None:
    point = point_estimate("1e20", hardware="h100-sxm", utilization="40%", pue="1.2")
    ranged = estimate(
        "1e20", hardware="h100-sxm", utilization="40%..40%", pue="1.2..1.2", samples=SMALL
    )
    for name, value in point.fields().items():
        assert value is not None
        for p in _pct(ranged, name).values():
            assert p == pytest.approx(value, rel=1e-12)
        assert ranged.fields()[name] == pytest.approx(value, rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    lo=st.floats(0.05, 0.9),
    width=st.floats(0.0, 0.5),
    pue_lo=st.floats(1.0, 2.0),
    pue_width=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32),
)
def test_percentiles_are_ordered(
    lo: float, width: float, pue_lo: float, pue_width: float, seed: int
) -> None:
    hi = min(lo + width, 1.0)
    est = estimate(
        "1e20",
        hardware="a100-sxm-80gb",
        utilization=f"{lo!r}..{hi!r}",
        pue=f"triangular({pue_lo!r},{pue_lo!r},{pue_lo + pue_width!r})",
        samples=500,
        seed=seed,
    )
    for pct in est.sections["ranges"]["percentiles"].values():
        assert pct["p5"] <= pct["p50"] <= pct["p95"]


def test_same_seed_gives_the_same_output_and_another_seed_differs() -> None:
    args = dict(hardware="tpu-v2", utilization="30%..50%", price="lognormal(4.5, 0.3)")
    a = estimate("1e18", samples=SMALL, seed=7, **args)
    b = estimate("1e18", samples=SMALL, seed=7, **args)
    c = estimate("1e18", samples=SMALL, seed=8, **args)
    assert a.sections == b.sections
    assert _pct(a, "cost_usd") != _pct(c, "cost_usd")


def test_uniform_percentiles_match_the_distribution() -> None:
    # Utilization uniform on [20%, 60%]: device-time = W / (peak u), so its p50 is at u's median
    # (monotone map), i.e. the point estimate at 40%.
    ranged = estimate("1e20", hardware="h100-sxm", utilization="20%..60%", samples=200_000)
    at_median = point_estimate("1e20", hardware="h100-sxm", utilization="40%")
    assert _pct(ranged, "device_hours")["p50"] == pytest.approx(
        at_median.fields()["device_hours"], rel=0.01
    )
    at_p95 = point_estimate("1e20", hardware="h100-sxm", utilization="22%")  # 5th pct of u
    assert _pct(ranged, "device_hours")["p95"] == pytest.approx(
        at_p95.fields()["device_hours"], rel=0.01
    )


def test_sensitivity_ranks_the_input_that_drives_the_spread() -> None:
    est = estimate(
        "1e20", hardware="h100-sxm", utilization="20%..60%", pue="1.1..1.12", samples=SMALL
    )
    ranking = est.sections["sensitivity"]["ranking"]["energy_kwh"]
    assert ranking[0][0] == "utilization" and ranking[0][1] < -0.9
    assert abs(ranking[1][1]) < 0.2
    assert "Spearman" in est.sections["sensitivity"]["method"]


def test_device_time_work_keeps_device_time_fixed_under_a_utilization_range() -> None:
    est = estimate(device_hours="1000", hardware="h100-sxm", utilization="30%..50%", samples=SMALL)
    pct = _pct(est, "device_hours")
    assert pct["p5"] == pytest.approx(1000) and pct["p95"] == pytest.approx(1000)
    assert _pct(est, "flops")["p5"] < _pct(est, "flops")["p95"]


@pytest.mark.parametrize(
    ("text", "kind", "low", "high"),
    [
        ("30%..50%", "fraction", 0.3, 0.5),
        ("300..500g/kWh", "carbon_intensity", 300 / 3.6e9, 500 / 3.6e9),
        ("2..4 USD/hour", "price", 2 / 3600, 4 / 3600),
        ("1.1..1.6", "number", 1.1, 1.6),
        ("triangular(1, 2, 4) USD/hour", "price", 1 / 3600, 4 / 3600),
    ],
)
def test_range_syntax(text: str, kind: str, low: float, high: float) -> None:
    d = parse_distribution(text, kind, "--x")
    assert d.low == pytest.approx(low) and d.high == pytest.approx(high)


# --- money --------------------------------------------------------------------------

HAND = dict(
    hardware="h100-sxm",
    peak="1000 TFLOPS",
    utilization="50%",
    power="1000 W",
    pue="1.0",
    carbon_intensity="500 g/kWh",
)
WORK = "1.8e20"  # 1e15 FLOP/s x 0.5 x 3600 s x 100: exactly 100 device-hours


def test_owned_and_cloud_money_checked_by_hand() -> None:
    owned = estimate(
        WORK,
        purchase_price="30000 USD",
        useful_life="3 years",
        electricity_price="0.10 USD/kWh",
        carbon_price="80 USD/t",
        server_cost_overhead="1",  # the server and interconnect: tests/test_owned.py
        interconnect_share="0",
        **HAND,
    )
    items = owned.sections["money"]["items"]
    # 100 device-hours of a 30,000 USD device used for 3 x 8766 hours (Julian years).
    assert items["hardware"] == pytest.approx(30000 * 100 / (3 * 8766))
    assert items["electricity"] == pytest.approx(100 * 1.0 * 0.10)  # 100 kWh
    assert items["carbon"] == pytest.approx(50 / 1000 * 80)  # 50 kg at 80 USD/t
    assert owned.fields()["cost_usd"] == pytest.approx(114.0771 + 10 + 4, rel=1e-5)
    cloud = estimate(WORK, price="2 USD/hour", discount="25%", **HAND)
    assert cloud.sections["money"]["items"] == {"cloud": pytest.approx(150.0), "total": 150.0}
    assert cloud.fields()["cost_usd"] == pytest.approx(150.0)


@settings(max_examples=30, deadline=None)
@given(d=st.floats(0.0, 0.99))
def test_discount_scales_cost_linearly(d: float) -> None:
    base = point_estimate("1e20", hardware="h100-sxm").fields()
    disc = estimate("1e20", hardware="h100-sxm", discount=d).fields()
    assert disc["cost_usd"] == pytest.approx(base["cost_usd"] * (1 - d), rel=1e-12, abs=1e-12)
    assert disc["energy_kwh"] == base["energy_kwh"]


@settings(max_examples=20, deadline=None)
@given(rate=st.floats(0.01, 200.0))
def test_fx_rate_scales_money_only(rate: float) -> None:
    usd = estimate("1e20", hardware="h100-sxm", carbon_price="80 USD/t")
    eur = estimate(
        "1e20", hardware="h100-sxm", carbon_price="80 USD/t", currency="EUR", fx_rate=rate
    )
    for key, value in usd.sections["money"]["items"].items():
        assert eur.sections["money"]["items"][key] == pytest.approx(value * rate)
        assert eur.sections["money"]["items_usd"][key] == pytest.approx(value)
    assert eur.fields() == usd.fields()  # cost_usd stays in USD; nothing else changes


def test_owned_uses_the_sourced_purchase_price_and_electricity() -> None:
    est = estimate("1e20", hardware="h100-sxm", owned=True)
    names = {a.name: a for a in est.assumptions}
    assert "price" not in names
    assert "Epoch AI, Hardware prices.csv" in names["purchase_price"].source
    assert "industrial" in names["electricity_price"].source
    assert "Epoch AI" in names["useful_life"].source and names["useful_life"].text == "3 years"


# --- embodied, projection, equivalents ----------------------------------------------


def test_embodied_is_amortized_per_device_hour_where_sourced() -> None:
    est = estimate("1e20", hardware="a100-sxm-80gb", embodied=True)
    hours = est.fields()["device_hours"]
    assert est.sections["embodied"]["co2e_kg"] == pytest.approx(hours * 150 / (3 * 8766))
    assert "BLOOM" in est.assumption("embodied_footprint").source
    none = estimate("1e20", hardware="h100-sxm", embodied=True)
    assert none.sections["embodied"]["available"] is False


def test_projection_follows_the_sourced_trends() -> None:
    est = estimate("1e20", hardware="h100-sxm", year=2030)
    base = point_estimate("1e20", hardware="h100-sxm").fields()
    proj = est.sections["projection"]
    assert proj["cost_usd"] == pytest.approx(base["cost_usd"] * 10 ** (-0.14 * 8))
    assert proj["energy_kwh"] == pytest.approx(base["energy_kwh"] * 2 ** (-8 / 3))
    assert "PROJECTION" in proj["label"] and "not a forecast" in proj["label"]
    assert "0.14" in est.assumption("price_performance_trend").source


def test_equivalents_are_linear_and_keep_the_estimate_mark() -> None:
    a = {e["id"]: e for e in estimate("1e20", hardware="h100-sxm").sections["equivalents"]}
    b = {e["id"]: e for e in estimate("2e20", hardware="h100-sxm").sections["equivalents"]}
    for key in a:
        assert b[key]["value"] == pytest.approx(2 * a[key]["value"])
    assert a["nyc_months"]["estimate"] is True and "ESTIMATE" in a["nyc_months"]["source"]
    co2e = point_estimate("1e20", hardware="h100-sxm").fields()["co2e_kg"]
    assert a["us_resident_years"]["value"] == pytest.approx(co2e / 14300)
    assert a["car_km"]["value"] == pytest.approx(co2e / 0.400 * 1.609344)


def test_transatlantic_flight_is_derived_from_the_per_km_factor_and_the_distance() -> None:
    import csv
    import importlib.util

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("derive_data", root / "scripts/derive_data.py")
    assert spec is not None and spec.loader is not None
    derive = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(derive)
    except SystemExit:
        pytest.skip("scripts/derive_data.py needs pycountry")
    distance = derive.great_circle_km("JFK", "LHR")
    assert 5530 < distance < 5550  # the published great-circle JFK-LHR is about 5,540 km
    path = root / "src/costcalc/data/equivalents.csv"
    rows = {r["id"]: r for r in csv.DictReader(path.read_text(encoding="utf-8").splitlines())}
    flight, per_km = rows["flight_new_york_london"], rows["flight_economy_co2_per_passenger_km"]
    assert float(flight["value"]) == round(float(per_km["value"]) * distance / 1000)
    assert flight["source"].startswith("DERIVED") and flight["year"] and flight["url"]
    assert "5,539 km" in flight["source"] and flight["note"].startswith("derived")


def test_equivalents_show_the_transatlantic_flight() -> None:
    est = estimate("1e22", hardware="h100-sxm")
    eq = {e["id"]: e for e in est.sections["equivalents"]}
    co2e = est.fields()["co2e_kg"]
    assert eq["flights_transatlantic"]["value"] == pytest.approx(co2e / 947)
    assert "DERIVED" in eq["flights_transatlantic"]["source"]
    assert "flights_ny_sf" not in eq


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.001, "year", "8.77 hours of x"),  # a Julian year: 8,766 hours
        (1.0, "year", "1 year of x"),
        (2.5, "month", "2.5 months of x"),
        (1 / 365.25, "year", "1 day of x"),
        (0.01 / 8766, "year", None),  # 36 seconds: too small to feel
        (0.5, "km", "0.5 km of x"),
        (0.001, "", None),
    ],
)
def test_equivalent_durations_take_the_unit_that_reads_best(value, unit, text) -> None:
    from costcalc.render.estimate import _equivalent_text

    e = {"value": value, "unit": unit, "label": f"{unit} of x".strip(), "subject": "of x"}
    assert _equivalent_text(e) == text


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=-12, max_value=8))
def test_a_shown_duration_is_at_least_one_of_its_unit(exponent: float) -> None:
    from costcalc.render.estimate import _DURATIONS, _equivalent_text
    from costcalc.units import factor

    e = {"value": 10**exponent, "unit": "year", "subject": "of x", "label": "years of x"}
    text = _equivalent_text(e)
    seconds = e["value"] * factor("year")
    if text is None:
        assert seconds < 60
        return
    number, unit = text.split()[:2]
    unit = unit.rstrip("s")
    assert unit in _DURATIONS and float(number.replace(",", "")) >= 1
    bigger = _DURATIONS[: _DURATIONS.index(unit)]
    assert all(seconds < factor(u) for u in bigger)


def test_small_and_huge_runs_have_equivalents_people_can_feel(cli) -> None:
    # utilization given: the test is about the equivalents, not the default utilization
    small = cli("estimate", "1e18", "-H", "h100-sxm", "--devices", "8", "-u", "37.5%").out
    assert "minutes of an average US household's electricity" in small
    assert "km driven by an average US passenger car" in small
    assert "2 smaller ones in --format json" in small
    huge = cli("estimate", "1e25", "-H", "h100-sxm", "--devices", "8", "-u", "37.5%").out
    assert "minutes of New York City's emissions  (ESTIMATE" in huge
    assert "one-way New York-London flights" in huge
    assert "smaller" not in huge


# --- CLI ----------------------------------------------------------------------------


def test_json_outputs_become_percentiles_with_a_range(cli) -> None:
    r = cli("estimate", "1e20", "-u", "30%..50%", "--samples", "1000", "--format", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert set(doc["cost_usd"]) == {"p5", "p50", "p95"}
    assert doc["ranges"]["samples"] == 1000 and doc["ranges"]["seed"] == 0
    assert doc["assumptions"]["utilization"]["source"].startswith("given with --utilization")
    assert "equivalents" in doc


def test_table_shows_the_range_money_and_equivalents(cli) -> None:
    r = cli(
        "estimate", "1e20", "-H", "h100-sxm", "--pue", "1.1..1.6", "--samples", "1000",
        "--discount", "40%", "--currency", "EUR", "--fx-rate", "0.92",
    )  # fmt: skip
    assert r.code == 0, r.err
    for text in (
        "Range: 5th / 50th / 95th",
        "Spearman",
        "Money (cloud, EUR at 0.92",
        "Equivalents",
    ):
        assert text in r.out
    r = cli("estimate", "1e20", "--no-equivalents", "--format", "json")
    assert "equivalents" not in json.loads(r.out)


def test_value_gives_a_percentile(cli) -> None:
    args = ("estimate", "1e20", "-u", "30%..50%", "--samples", "1000")
    p50 = float(cli(*args, "--value", "cost_usd").out)
    p95 = float(cli(*args, "--value", "cost_usd.p95").out)
    assert p95 > p50


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-u", "50%..30%"],
            "--utilization: range '50%..30%' has its low end above its high end; "
            "write it low..high",
        ),
        (
            ["--pue", "beta(1,2)"],
            "--pue: unknown distribution 'beta' in 'beta(1,2)'; expected lo..hi (e.g. 30%..50%), "
            "triangular(a,mode,b) or lognormal(median,sigma)",
        ),
        (
            ["--pue", "triangular(1.1,1.8,1.6)"],
            "--pue: 'triangular(1.1,1.8,1.6)': triangular(a, mode, b) needs a <= mode <= b",
        ),
        (
            ["-u", "lognormal(40%,0.2)"],
            "--utilization: 'lognormal(40%,0.2)': a log-normal is unbounded, so it cannot "
            "describe a fraction; use lo..hi or triangular(a,mode,b)",
        ),
        (
            ["--pue", "0.9..1.2"],
            "--pue: PUE range '0.9..1.2' goes below 1; PUE is total facility power over IT "
            "power, so at least 1 (e.g. 1.1..1.6)",
        ),
        (
            [
                "--pue",
                "1.1..1.2..1.3",
            ],
            "--pue: cannot read '1.1..1.2..1.3' as a range; expected lo..hi (e.g. 30%..50%), "
            "triangular(a,mode,b) or lognormal(median,sigma)",
        ),
        (
            ["--currency", "EUR"],
            "--currency: costcalc never converts currencies silently: give the rate, "
            "e.g. --fx-rate 0.92 (EUR per USD)",
        ),
        (
            ["--currency", "ERU", "--fx-rate", "0.9"],
            "--currency: unknown currency 'ERU' (did you mean 'EUR'?); expected one of USD, "
            "EUR, GBP, JPY, CNY",
        ),
        (
            ["--fx-rate", "0.9"],
            "--fx-rate: an exchange rate needs a currency; add --currency (e.g. EUR)",
        ),  # noqa: E501
        (
            ["--samples", "1000"],
            "--samples: no input is a range; give one as lo..hi (e.g. --utilization 30%..50%)",
        ),
        (
            ["--discount", "100%"],
            "--discount: '100%' would make the price zero or less; expected below 100%",
        ),  # noqa: E501
        (
            ["--owned", "--price", "2"],
            "--price: a price per device-hour is a cloud price; not with --owned or "
            "--purchase-price",
        ),  # noqa: E501
        (
            ["-H", "l4", "--owned"],
            "--owned: no sourced purchase price for l4; give --purchase-price (e.g. 30000 USD)",
        ),
        (
            ["--year", "2015", "-H", "h100-sxm"],
            "--year: 2015 is before h100-sxm's launch (2022); projections go forward",
        ),  # noqa: E501
        (
            ["--carbon-price", "80 USD"],
            "--carbon-price: '80 USD' is an amount of money, expected a carbon price "
            "(e.g. 80 USD/t)",
        ),  # noqa: E501
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, args: list[str], message: str) -> None:
    r = cli("estimate", "1e20", *args)
    assert r.code == 2
    assert r.out == ""
    assert r.err == f"costcalc: error: {message}\n"


def test_library_errors_are_input_errors() -> None:
    with pytest.raises(InputError):
        estimate("1e20", utilization="30%..")


def _installed_script() -> str:
    exe = Path(sys.executable).with_name("costcalc")
    return str(exe) if exe.exists() else "costcalc"


def test_ranges_as_a_real_subprocess_and_json_stays_light(tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    r = subprocess.run(
        [_installed_script(), "estimate", "1e20", "-u", "30%..50%", "--samples", "1000",
         "--seed", "3", "--format", "json"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ranges"]["seed"] == 3
    code = (
        "import sys, io, contextlib\n"
        "from costcalc.cli import app\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    app(['estimate', '1e18', '--format', 'json'], standalone_mode=False)\n"
        "print(sorted(m for m in ('numpy', 'pint') if m in sys.modules))\n"
    )
    light = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert light.returncode == 0, light.stderr
    assert light.stdout.strip() == "[]"
