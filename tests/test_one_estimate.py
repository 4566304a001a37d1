"""One estimate: built once and never changed (costcalc.results.Estimate is frozen), the
config files merged once at the boundary, every output from costcalc.model.evaluate, and
inputs named by keyword in Python, by flag on the command line."""

from __future__ import annotations

import copy
import dataclasses
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import costcalc
from costcalc import config, model, outlook
from costcalc.errors import InputError
from costcalc.render.estimate import to_dict
from costcalc.results import Estimate

# Estimates that fill every section: ranges, money, embodied, projection, band.
CASES = [
    ("1e23", {}),
    ("1e23", {"year": 2030, "embodied": True, "hardware": "h100-sxm"}),
    ("1e23", {"discount": "30%", "currency": "EUR", "fx_rate": 0.9, "carbon_price": 100}),
    ("1e23", {"owned": True, "embodied": True, "hardware": "h100-sxm"}),
    ("1e23", {"utilization": "30%..50%", "samples": 500, "seed": 3, "discount": "10%..20%"}),
    (None, {"device_hours": "1000", "utilization": "30%..50%", "samples": 300}),
    (None, {"arch": "llama-2-7b", "tokens": "1T"}),
]


def _snapshot(est: Estimate) -> str:
    return json.dumps(to_dict(est), sort_keys=True, default=str)


@pytest.mark.parametrize(("work", "options"), CASES)
def test_the_public_estimate_is_frozen(work, options) -> None:
    est = outlook.estimate(work, **options)
    assert isinstance(est, Estimate)
    for name in ("assumptions", "outputs", "sections", "notes", "inputs"):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(est, name, getattr(est, name))
    assert isinstance(est.assumptions, tuple) and isinstance(est.notes, tuple)


def test_the_one_liner_estimate_is_frozen_too() -> None:
    est = costcalc.estimate("1e20")
    with pytest.raises(dataclasses.FrozenInstanceError):
        est.assumptions = ()  # type: ignore[misc]
    assert costcalc.Estimate is Estimate


@pytest.mark.parametrize(("work", "options"), CASES)
def test_two_calls_give_equal_answers_and_share_nothing(work, options) -> None:
    first = outlook.estimate(work, **options)
    before = _snapshot(first)
    # Scribble over every nested dict and list the first answer holds...
    for section in first.sections.values():
        for value in section.values() if isinstance(section, dict) else section:
            if isinstance(value, dict):
                value.clear()
        if isinstance(section, dict):
            section["scribbled"] = True
    if isinstance(first.inputs, dict):
        first.inputs.clear()  # type: ignore[attr-defined]
    # ...the next answer is the one the first was before (nothing shared, no cached dict
    # changed), and equal to it field by field.
    second = outlook.estimate(work, **options)
    assert _snapshot(second) == before
    third = outlook.estimate(work, **options)
    assert third == second


def test_the_band_and_equivalents_come_from_the_point_without_changing_it() -> None:
    plain = outlook.estimate("1e23", band=False, equivalents=False)
    full = outlook.estimate("1e23")
    assert "band" not in plain.sections and "equivalents" not in plain.sections
    assert set(full.sections) == {"band", "equivalents"}
    assert full.outputs == plain.outputs and full.assumptions == plain.assumptions
    # the band is centred on the point (p50 = the value) for an input-free output
    assert full.sections["band"]["percentiles"]["flops"]["p50"] == pytest.approx(1e23)


def test_a_projection_band_widens_a_copy_of_the_projection() -> None:
    est = outlook.estimate("1e23", hardware="h100-sxm", year=2035)
    projection = est.sections["projection"]
    assert list(projection)[:5] == ["year", "from_year", "label", "cost_factor", "energy_factor"]
    pct = projection["percentiles"]["energy_kwh"]
    assert pct["p5"] < projection["energy_kwh"] < pct["p95"]
    bare = outlook.estimate("1e23", hardware="h100-sxm", year=2035, band=False)
    assert "percentiles" not in bare.sections["projection"]


# -- the config files, merged once ---------------------------------------------------------


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "costcalc.yaml").write_text("defaults:\n  pue: 1.3\n  devices: 16\n")
    return config.load_settings(tmp_path)


def test_settings_are_merged_once_and_label_the_values_they_gave(project, monkeypatch) -> None:
    calls = []
    fill = config.Settings.fill

    def counted(self, given):
        calls.append(dict(given))
        return fill(self, given)

    monkeypatch.setattr(config.Settings, "fill", counted)
    est = costcalc.estimate("1e20", devices=4, settings=project)
    assert len(calls) == 1
    pue = est.assumption("pue")
    assert (pue.base, pue.source, pue.origin) == (1.3, "project file costcalc.yaml:2", "project")
    devices = est.assumption("devices")  # the keyword given wins over the file
    assert (devices.base, devices.source, devices.origin) == (4, "given with devices", "flag")
    assert est.inputs == {"work": "1e20", "devices": 4}  # a file's value is not "given"


def test_settings_give_the_same_answer_as_the_values_given_by_hand(project) -> None:
    by_file = costcalc.estimate("1e20", settings=project)
    by_hand = costcalc.estimate("1e20", pue=1.3, devices=16)
    assert by_file.outputs == by_hand.outputs
    assert [a.base for a in by_file.assumptions] == [a.base for a in by_hand.assumptions]


def test_an_error_about_a_file_value_names_its_line(project) -> None:
    with pytest.raises(InputError) as e:
        costcalc.estimate("1e20", pue="0.5", settings=config.load_settings())
    assert str(e.value).startswith("pue: PUE '0.5' is below 1")
    bad = config.Settings({"pue": config.Setting("pue", "0.5", "costcalc.yaml", 7, "project")})
    with pytest.raises(InputError) as e:
        costcalc.estimate("1e20", settings=bad)
    assert str(e.value).startswith("costcalc.yaml:7: defaults.pue: PUE '0.5' is below 1")


def test_budget_and_scale_label_file_defaults_without_changing_an_estimate(project) -> None:
    from costcalc.inverse import budget
    from costcalc.scaling import scale

    bought = budget("10000 USD", settings=project, hardware="h100-sxm")
    assert bought.estimate.assumption("pue").source == "project file costcalc.yaml:2"
    scaled = scale("1e20", improvement=2, exponent=3, settings=project)
    for est in (scaled.result, scaled.base):
        assert est is not None
        assert est.assumption("devices").origin == "project"
        assert "devices" not in est.inputs


# -- one evaluation path ---------------------------------------------------------------------

positive = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False)


@given(
    st.lists(
        st.tuples(positive, positive, st.floats(0.05, 1), positive, positive, positive),
        min_size=1,
        max_size=8,
    ),
    st.booleans(),
)
def test_the_model_gives_arrays_what_it_gives_each_float(rows, by_time) -> None:
    np = pytest.importorskip("numpy")
    cols = [np.array(c) for c in zip(*rows, strict=True)]

    def options(seconds):
        def costs(t, e, c, price):
            return {"cloud": t * price, "carbon": c * 0.1, "total": t * price + c * 0.1}

        return dict(
            device_seconds=seconds if by_time else None,
            costs=costs,
            embodied=(150.0, 3e8),
            trends=(0.5, 0.25),
        )

    flops, peak, util, devices, power, price = cols
    out = model.evaluate(flops, peak, util, devices, power, 1.2, price, 1e-7, **options(flops))
    for i, (f, p, u, d, w, c) in enumerate(rows):
        one = model.evaluate(f, p, u, d, w, 1.2, c, 1e-7, **options(f))
        assert set(one) == set(out)
        for key, value in one.items():
            assert out[key][i] == value, key  # bit for bit


def test_the_model_options_by_hand() -> None:
    def costs(t, e, c, price):
        return {"cloud": t * price, "total": t * price + 5.0}

    out = model.evaluate(
        1e18, 1e15, 0.5, 4, 700.0, 1.5, 0.001, 1e-7, costs=costs, embodied=(150.0, 3e8)
    )
    seconds = 1e18 / (1e15 * 0.5)  # 2000 device-seconds
    assert out["device_time"] == seconds and out["wall_clock"] == seconds / 4
    assert out["energy"] == seconds * 700 * 1.5
    assert out["cost"] == out["money_total"] == seconds * 0.001 + 5.0
    assert out["money_cloud"] == seconds * 0.001
    assert out["embodied"] == pytest.approx(seconds * 150 / 3e8)
    timed = model.evaluate(None, 1e15, 0.5, 4, 700.0, 1.5, 0.001, 1e-7, device_seconds=10.0)
    assert timed["flops"] == 10.0 * 1e15 * 0.5 and timed["device_time"] == pytest.approx(10.0)


def test_the_point_of_a_priced_estimate_is_the_model_of_its_assumptions() -> None:
    est = outlook.estimate("1e23", hardware="h100-sxm", carbon_price="100 USD/t", year=2030)
    a = {x.name: x.base for x in est.assumptions}
    by_hand = model.evaluate(
        1e23, a["peak"], a["utilization"], a["devices"], a["power"], a["pue"], a["price"],
        a["carbon_intensity"],
    )  # fmt: skip
    carbon = by_hand["co2e"] * a["carbon_price"]
    assert est.outputs["cost"] == pytest.approx(by_hand["cost"] + carbon)
    assert est.sections["money"]["items_usd"]["carbon"] == pytest.approx(carbon)
    factor = est.sections["projection"]["energy_factor"]
    assert est.sections["projection"]["energy_kwh"] == pytest.approx(
        by_hand["energy"] / 3.6e6 * factor
    )


# -- inputs named by keyword from Python, by flag on the command line --------------------------

ERRORS = [
    # (work, options, keyword message, flag message)
    (
        "1e20",
        {"devices": "2.5"},
        "devices: expected a whole number of devices, got '2.5'",
        "--devices: expected a whole number of devices, got '2.5'",
    ),
    (
        "1e20",
        {"samples": 10},
        "samples: no input is a range; give one as lo..hi (e.g. utilization 30%..50%)",
        "--samples: no input is a range; give one as lo..hi (e.g. --utilization 30%..50%)",
    ),
    (
        "1e20",
        {"useful_life": "3 years"},
        "useful_life: the useful life amortizes owned hardware or embodied carbon; add owned, "
        "purchase_price or embodied",
        "--useful-life: the useful life amortizes owned hardware or embodied carbon; add "
        "--owned, --purchase-price or --embodied",
    ),
    (
        "1e20",
        {"price": "2", "pricing": "spot"},
        "pricing: give price or pricing, not both (a pricing model picks a listed price)",
        "--pricing: give --price or --pricing, not both (a pricing model picks a listed price)",
    ),
    (
        None,
        {},
        "work: no work given: pass FLOPs (e.g. 1e18), device_hours or duration",
        "WORK: no work given: pass FLOPs (e.g. 1e18), --device-hours or --duration",
    ),
    (
        "1e20",
        {"year": 1980},
        "year: expected a year between 1990 and 2100, got 1980",
        "--year: expected a year between 1990 and 2100, got '1980'",
    ),
    (
        "1e20",
        {"carbon_intensity": "100", "region": "FR"},
        "region: give carbon_intensity or region, not both",
        "--region: give --carbon-intensity or --region, not both",
    ),
]


def _argv(work, options):
    argv = ["estimate"] if work is None else ["estimate", work]
    for key, value in options.items():
        argv += ["--" + key.replace("_", "-"), str(value)]
    return argv


@pytest.mark.parametrize(("work", "options", "keyword", "flag"), ERRORS)
def test_errors_name_the_keyword_in_python_and_the_flag_on_the_command_line(
    cli, work, options, keyword, flag
) -> None:
    with pytest.raises(InputError) as e:
        outlook.estimate(work, **options)
    assert str(e.value) == keyword
    r = cli(*_argv(work, options))
    assert (r.code, r.err) == (2, f"costcalc: error: {flag}\n")


def test_given_values_say_how_they_were_given(cli) -> None:
    est = outlook.estimate("1e20", pue=1.2, price="2 USD/hour", utilization="40%")
    sources = {a.name: a.source for a in est.assumptions}
    assert sources["pue"] == "given with pue"
    assert sources["price"] == "given with price"
    assert sources["utilization"] == "given with utilization"
    r = cli("estimate", "1e20", "--pue", "1.2", "--price", "2", "-u", "40%", "-f", "json")
    doc = json.loads(r.out)
    assert doc["assumptions"]["pue"]["source"] == "given with --pue"
    assert doc["assumptions"]["price"]["source"] == "given with --price"
    assert doc["assumptions"]["utilization"]["source"] == "given with --utilization"


def test_the_estimate_copies_nothing_it_was_given() -> None:
    options = {"utilization": "30%..50%", "samples": 200}
    kept = copy.deepcopy(options)
    outlook.estimate("1e20", **options)
    assert options == kept
    assert math.isfinite(outlook.estimate("1e20", **options).outputs["energy"])


def test_the_estimate_path_holds_no_flag_literals() -> None:
    """estimator, outlook and results name inputs by keyword only."""
    from test_error_names import PACKAGE, flag_literals

    for name in ("estimator.py", "outlook.py", "results.py", "model.py", "projection_band.py"):
        assert flag_literals(PACKAGE / name) == [], name


def test_an_error_located_by_a_file_value_spelled_by_its_key_names_its_line() -> None:
    """An error about an input (``input=``) whose value a file gave is relocated to that
    file's line, within the settings' blame."""
    from costcalc import finite

    used = {"utilization": config.Setting("utilization", "1e-9", "costcalc.yaml", 4, "user")}
    with pytest.raises(InputError) as e, config.Settings(used).blame(used):
        finite.product((("peak", 1e-300), ("utilization", 1e-300)), input="utilization")
    assert str(e.value).startswith("costcalc.yaml:4: defaults.utilization: peak")
