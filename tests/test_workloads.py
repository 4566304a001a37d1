"""Workloads: params x tokens, reference runs, memory floor, repeats, thresholds; the
inverse questions (budget) and scaling (power-law fits)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc import estimate, runs, workloads
from costcalc.errors import InputError
from costcalc.inverse import budget
from costcalc.scaling import fit_power_law, scale
from costcalc.units import parse_quantity

counts = st.floats(min_value=1e6, max_value=1e13)


# --- 6 N D -------------------------------------------------------------------------


@settings(max_examples=50)
@given(counts, counts, st.floats(min_value=1.5, max_value=10))
def test_training_flops_is_bilinear(n: float, d: float, k: float) -> None:
    assert workloads.training_flops(n, d) == pytest.approx(6 * n * d)
    assert workloads.training_flops(n * k, d) == pytest.approx(k * workloads.training_flops(n, d))
    assert workloads.training_flops(n, d * k) == pytest.approx(k * workloads.training_flops(n, d))
    assert workloads.training_flops(n, d, 8) == pytest.approx(
        workloads.training_flops(n, d) * 8 / 6
    )


def test_params_and_tokens_give_6nd_and_show_the_rule() -> None:
    e = estimate(params="70B", tokens="1.4T", hardware="h100-sxm")
    assert e.outputs["flops"] == pytest.approx(6 * 70e9 * 1.4e12)
    rule = e.assumption("compute_rule")
    assert rule.text == "6 x N x D FLOP" and "Kaplan et al. 2020" in rule.source
    recompute = estimate(params="70B", tokens="1.4T", flops_per_param_token=8)
    assert recompute.outputs["flops"] == pytest.approx(8 * 70e9 * 1.4e12)
    assert "Narayanan" in recompute.assumption("compute_rule").source


def test_moe_uses_active_params_for_flops_and_total_for_memory() -> None:
    e = estimate(params="671B", active_params="37B", tokens="14.8T", hardware="h100-sxm")
    assert e.outputs["flops"] == pytest.approx(6 * 37e9 * 14.8e12)
    assert any("671B params x 16 bytes" in n and "135 x h100-sxm" in n for n in e.notes)


def test_the_gpt3_entry_has_the_published_compute() -> None:
    run = runs.find("gpt-3")
    assert run.compute == 3.14e23
    assert estimate("gpt-3").outputs["flops"] == 3.14e23
    assert run.params == 175e9 and "2005.14165" in run.link


def test_every_catalog_entry_is_sourced_and_dated() -> None:
    catalog = runs.catalog()
    assert len(catalog) >= 20
    for run in catalog.values():
        assert run.source.startswith("Epoch AI") and run.reference and run.link.startswith("http")
        assert run.date[:2] == "20" and run.compute > 0 and run.confidence


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("gpt-3", "gpt-3"),
        ("GPT3", "gpt-3"),
        ("davinci", "gpt-3"),
        ("palm", "palm-540b"),
        ("bloom", "bloom-176b"),
        ("alphago-zero", "alphago-zero"),
        ("bert-large", "bert-large"),
        ("llama-3.1-405b", "llama-3.1-405b"),
        ("llama-3", "llama-3.1-405b"),  # unique prefix
        ("chinch", "chinchilla"),
    ],
)
def test_slugs_aliases_and_prefixes_resolve(text: str, slug: str) -> None:
    assert runs.find(text).slug == slug


def test_unknown_and_ambiguous_runs() -> None:
    with pytest.raises(InputError, match=r"unknown run 'gtp-3' \(did you mean 'gpt-3'\?\)"):
        runs.find("gtp-3", "WORK")
    with pytest.raises(InputError, match="'alphago' could be any of alphago-master, alphago-zero"):
        runs.find("alphago", "WORK")


@pytest.mark.parametrize(
    ("text", "value"),
    [("70B", 70e9), ("1.4T", 1.4e12), ("175M", 175e6), ("8k", 8e3), ("8K", 8e3), ("1e9", 1e9)],
)
def test_count_suffixes(text: str, value: float) -> None:
    assert parse_quantity(text, "count") == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("175m", "'175m' is not a count (did you mean 175M?)"),
        ("70 GB", "'70 GB' is not a count; expected a number with an optional suffix"),
        ("-5B", "'-5B' is negative"),
    ],
)
def test_bad_counts(text: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        parse_quantity(text, "count", "--params")
    assert str(err.value).startswith("--params: ") and message in str(err.value)


# --- memory floor, repeats, thresholds ------------------------------------------------


@settings(max_examples=50)
@given(counts, st.floats(min_value=2, max_value=32), st.floats(min_value=1e9, max_value=2e11))
def test_memory_floor_is_the_fewest_devices_that_fit(n: float, b: float, mem: float) -> None:
    floor = workloads.memory_floor(n, b, mem)
    assert floor * mem >= n * b * (1 - 1e-12)
    assert (floor - 1) * mem < n * b
    assert floor == math.ceil(n * b / mem - 1e-12) or floor == math.ceil(n * b / mem)


def test_memory_warning_when_devices_below_the_floor() -> None:
    few = estimate("gpt-3", hardware="h100-sxm", devices=8)
    assert any(n.startswith("warning: 8 devices cannot hold") and "35 are" in n for n in few.notes)
    enough = estimate("gpt-3", hardware="h100-sxm", devices=35)
    assert not any(n.startswith("warning") for n in enough.notes)
    assert any("activations excluded" in n for n in enough.notes)
    custom = estimate("gpt-3", hardware="h100-sxm", devices=35, bytes_per_param=20)
    assert custom.assumption("bytes_per_param").origin == "flag"
    assert any("44 are needed" in n for n in custom.notes)


@settings(max_examples=20)
@given(st.integers(min_value=2, max_value=1000))
def test_repeats_multiply_a_single_run(k: int) -> None:
    one = estimate("1e21", hardware="h100-sxm").fields()
    many = estimate("1e21", hardware="h100-sxm", repeats=str(k))
    for name, value in many.fields().items():
        assert value == pytest.approx(one[name] * k)  # type: ignore[operator]
    assert any(
        n.startswith(f"repeats: the figures above are totals for {k} runs") for n in many.notes
    )


def test_threshold_flags_with_source() -> None:
    below = estimate("1e25", hardware="h100-sxm")
    assert not any(n.startswith("threshold") for n in below.notes)
    above = estimate("llama-3.1-405b", hardware="h100-sxm")
    (flag,) = [n for n in above.notes if n.startswith("threshold")]
    assert "EU AI Act" in flag and "Regulation (EU) 2024/1689" in flag and "Article 51" in flag
    huge = estimate("2e26", hardware="h100-sxm")
    eo = [n for n in huge.notes if "14110" in n]
    assert eo and "rescinded" in eo[0].lower()


# --- inverse questions ------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    st.floats(min_value=10, max_value=1e9),
    st.sampled_from(["h100-sxm", "tpu-v2", "a100-sxm-80gb"]),
    st.integers(min_value=1, max_value=4096),
)
def test_money_budget_round_trips(amount: float, hardware: str, devices: int) -> None:
    b = budget(f"{amount!r} USD", hardware=hardware, devices=devices)
    again = estimate(b.estimate.outputs["flops"], hardware=hardware, devices=devices)
    assert again.fields()["cost_usd"] == pytest.approx(amount, rel=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.floats(min_value=1, max_value=1e6), st.sampled_from(["MWh", "kWh"]))
def test_energy_and_co2e_budgets_round_trip(amount: float, unit: str) -> None:
    b = budget(f"{amount!r} {unit}", hardware="h100-sxm", region="IS")
    fields = estimate(b.estimate.outputs["flops"], hardware="h100-sxm", region="IS").fields()
    assert fields["energy_kwh"] == pytest.approx(amount * (1000 if unit == "MWh" else 1), rel=1e-9)
    c = budget(f"{amount!r} kg", hardware="h100-sxm")
    assert c.estimate.fields()["co2e_kg"] == pytest.approx(amount, rel=1e-9)


def test_compute_optimal_model_follows_chinchilla() -> None:
    b = budget("10000 USD", hardware="h100-sxm")
    c = b.estimate.outputs["flops"]
    assert b.optimal_tokens == pytest.approx(20 * b.optimal_params)
    assert 6 * b.optimal_params * b.optimal_tokens == pytest.approx(c)
    n, d = workloads.compute_optimal(5.88e23)  # Chinchilla itself: 70B on 1.4T
    assert n == pytest.approx(70e9, rel=1e-3) and d == pytest.approx(1.4e12, rel=1e-3)


def test_deadline_gives_devices_needed_with_memory_floor() -> None:
    b = budget("7 days", flops="1e24", hardware="h100-sxm")
    assert b.estimate.fields()["wall_clock_hours"] <= 7 * 24
    n = b.devices_needed
    assert n is not None
    slower = estimate("1e24", hardware="h100-sxm", devices=n - 1).fields()
    assert slower["wall_clock_hours"] > 7 * 24
    tiny = budget("7 days", flops="1e18", params="175B", hardware="h100-sxm")
    assert tiny.devices_needed == 35
    assert tiny.estimate.assumption("devices").origin == "derived"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("10000",), "BUDGET: '10000' has no unit; expected e.g. 50000 USD"),
        (("5 W",), "BUDGET: '5 W' is not an amount of money, an energy, a CO2e mass or a duration"),
        (("10000 USD", "--flops", "1e24"), "--flops: --flops goes with a deadline"),
        (("10 USD", "-H", "mi250x", "--price", "0"), "--price: '0' must be greater than zero"),
    ],
)
def test_budget_bad_input(cli, args: tuple[str, ...], message: str) -> None:
    r = cli("budget", *args)
    assert r.code == 2 and r.out == ""
    assert r.err == f"costcalc: error: {message}" or r.err.startswith(f"costcalc: error: {message}")


# --- scaling ---------------------------------------------------------------------------


@settings(max_examples=30)
@given(st.floats(min_value=2, max_value=12), st.floats(min_value=0.01, max_value=10))
def test_power_law_fit_recovers_a_known_exponent(exponent: float, scale_: float) -> None:
    compute = [10.0**x for x in (17, 18, 19, 20, 21)]
    error = [scale_ * c ** (-1 / exponent) for c in compute]
    f = fit_power_law(compute, error)
    assert f.exponent == pytest.approx(exponent, rel=1e-6)
    assert f.r2 == pytest.approx(1.0)
    assert f.compute_for(error[2]) == pytest.approx(compute[2], rel=1e-6)


def test_scale_multiplies_by_k_to_the_e() -> None:
    s = scale("gpt-3", improvement=2, exponent=4, hardware="h100-sxm")
    assert s.multiplier == 16 and s.result.outputs["flops"] == pytest.approx(16 * 3.14e23)
    default = scale("1e20", improvement=2, hardware="h100-sxm")
    assert default.multiplier == 2**9
    assert "Thompson" in default.assumptions[1].source


def test_scale_fit_from_csv_and_yaml(tmp_path: Path, cli) -> None:
    csv_file = tmp_path / "points.csv"
    csv_file.write_text("compute,error\n1e18,0.30\n1e19,0.2\n1e20,0.13\n1e21,0.09\n")
    yaml_file = tmp_path / "points.yaml"
    yaml_file.write_text(
        "- {compute: 1e18, loss: 0.30}\n- {compute: 1e19, loss: 0.2}\n"
        "- {compute: '1e20 FLOP', loss: 0.13}\n- {compute: 1e21, loss: 0.09}\n"
    )
    a = scale(fit=str(csv_file), target=0.05, hardware="h100-sxm")
    b = scale(fit=str(yaml_file), target=0.05, hardware="h100-sxm")
    assert a.result.outputs["flops"] == pytest.approx(b.result.outputs["flops"])
    assert any("outside the fitted compute range" in n for n in a.notes)
    near = scale(fit=str(csv_file), target=0.1, hardware="h100-sxm")
    assert not near.notes
    r = cli("scale", "--fit", str(csv_file), "--target", "0.05", "-H", "h100-sxm", "-f", "json")
    doc = json.loads(r.out)
    assert doc["fit"]["r2"] > 0.99 and len(doc["fit"]["residuals_log10"]) == 4
    bad = tmp_path / "bad.csv"
    bad.write_text("compute,error\n1e18,0.3\nlots,0.2\n")
    r = cli("scale", "--fit", str(bad), "--target", "0.05")
    assert r.code == 2 and f"{bad}:3: compute: " in r.err


# --- CLI -------------------------------------------------------------------------------

GOLDEN = [
    (["runs", "show", "bloom", "-f", "json"], '"slug": "bloom-176b"'),
    (
        ["estimate", "gpt-3", "-H", "h100-sxm", "--devices", "1024", "--value", "flops"],
        "3.14e+23\n",
    ),
    (["estimate", "--params", "70B", "--tokens", "1.4T", "--value", "flops"], "5.88e+23\n"),
]


def test_a_money_budget_costs_the_budget(cli) -> None:
    # budget / price x price: equal to the last bit or two, whatever the price
    r = cli("budget", "10000USD", "-H", "h100-sxm", "--value", "cost_usd")
    assert r.code == 0, r.err
    assert float(r.out) == pytest.approx(10000.0, rel=1e-12)


@pytest.mark.parametrize(("args", "expected"), GOLDEN)
def test_golden(cli, args: list[str], expected: str) -> None:
    r = cli(*args)
    assert r.code == 0, r.err
    assert expected in r.out


BAD = [
    (["estimate", "gtp-3"], "WORK: unknown run 'gtp-3' (did you mean 'gpt-3'?)"),
    (["estimate", "llama"], "WORK: 'llama' could be any of"),
    (["estimate", "--tokens", "1T"], "--params: --tokens needs --params"),
    (["estimate", "1e20", "--params", "7B", "--tokens", "1T"], "--tokens: give the compute once"),
    (["estimate", "--params", "7b0", "--tokens", "1T"], "--params: '7b0'"),
    (["estimate", "1e20", "--repeats", "2.5"], "--repeats: expected a whole number of runs"),
    (["estimate", "gpt-3", "--tokens", "1T"], "--tokens: 'gpt-3' is a reference run"),
    (["runs", "show", "gpt-5"], "RUN: unknown run 'gpt-5' (did you mean"),
    (["scale", "gpt-3"], "--improvement: --improvement is needed"),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_input_is_one_line(cli, args: list[str], message: str) -> None:
    r = cli(*args)
    assert r.code == 2, (r.out, r.err)
    assert r.out == "" and r.err.count("\n") == 1
    assert r.err.startswith(f"costcalc: error: {message}"), r.err


def test_runs_list_and_budget_as_a_subprocess(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("costcalc")
    env = {**os.environ, "NO_COLOR": "1"}
    out = subprocess.run(
        [str(exe), "budget", "500MWh", "-H", "h100-sxm", "-f", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["estimate"]["energy_kwh"] == pytest.approx(500_000)
    listing = subprocess.run(
        [str(exe), "runs", "list"], capture_output=True, text=True, env=env, timeout=60
    )
    assert listing.returncode == 0 and "llama-3.1-405b" in listing.stdout


# --- budget and scale output: csv, rich on a terminal, the user's own profiles --------------


def _csv_row(text: str) -> dict[str, str]:
    import csv

    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == 1
    return rows[0]


def test_budget_csv_round_trips_the_money(cli) -> None:
    r = cli("budget", "10000USD", "-H", "h100-sxm", "--format", "csv")
    assert r.code == 0, r.err
    row = _csv_row(r.out)
    assert row["budget_kind"] == "money" and row["hardware"] == "h100-sxm"
    assert float(row["cost_usd"]) == pytest.approx(float(row["budget_usd"]), rel=1e-9)
    assert float(row["optimal_tokens"]) == pytest.approx(20 * float(row["optimal_params"]))
    assert row["devices_needed"] == ""


def test_budget_csv_with_a_deadline_names_the_devices(cli) -> None:
    r = cli("budget", "7days", "-H", "h100-sxm", "--flops", "1e24", "-f", "csv")
    row = _csv_row(r.out)
    assert row["budget_kind"] == "time" and float(row["budget_hour"]) == 168
    assert float(row["devices_needed"]) == float(row["devices"]) >= 1
    assert float(row["wall_clock_hours"]) <= 168


def test_scale_csv_has_the_base_and_the_result(cli) -> None:
    r = cli("scale", "gpt-3", "--improvement", "2", "-H", "h100-sxm", "-f", "csv")
    assert r.code == 0, r.err
    row = _csv_row(r.out)
    assert float(row["multiplier"]) == 2**9 and float(row["exponent"]) == 9
    assert float(row["flops"]) == pytest.approx(512 * float(row["base_flops"]))
    assert float(row["cost_usd"]) == pytest.approx(512 * float(row["base_cost_usd"]))


def test_scale_csv_of_a_fit(tmp_path: Path, cli) -> None:
    points = tmp_path / "p.csv"
    points.write_text("compute,error\n1e18,0.4\n1e19,0.2\n1e20,0.1\n")
    r = cli("scale", "--fit", str(points), "--target", "0.05", "-f", "csv")
    row = _csv_row(r.out)
    assert float(row["fit_r2"]) == pytest.approx(1.0)
    assert float(row["flops"]) == pytest.approx(1e21, rel=1e-6)  # 0.1 -> 0.05: one decade more


@pytest.mark.parametrize(
    "args",
    [
        ("budget", "10000USD", "-H", "h100-sxm"),
        ("scale", "gpt-3", "--improvement", "2", "-H", "h100-sxm"),
    ],
)
def test_budget_and_scale_draw_rich_tables_on_a_terminal(args, monkeypatch) -> None:
    import io

    from costcalc.cli import _options

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr("sys.stdout", screen)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("COLUMNS", "120")
    from costcalc.render import workloads as render_workloads

    if args[0] == "budget":
        _options.emit(render_workloads.render_budget, budget("10000USD", hardware="h100-sxm"),
                      _options.Format.table)  # fmt: skip
        heading = "The estimate of that compute:"
    else:
        result = scale("gpt-3", improvement="2", hardware="h100-sxm")
        _options.emit(render_workloads.render_scaled, result, _options.Format.table)
        heading = "The estimate of the scaled compute:"
    out = screen.getvalue()
    assert "\x1b[" in out  # styled
    assert "┏" in out  # the assumptions table has a box
    assert heading in out and f"costcalc {args[0]}:" in out
    monkeypatch.setenv("NO_COLOR", "1")
    plain = Terminal()
    monkeypatch.setattr("sys.stdout", plain)
    _options.emit(render_workloads.render_budget, budget("10000USD", hardware="h100-sxm"),
                  _options.Format.table)  # fmt: skip
    assert "\x1b[" not in plain.getvalue() and "┏" not in plain.getvalue()


def test_budget_and_scale_find_the_users_own_profiles(tmp_path: Path, cli) -> None:
    shipped = Path(__file__).resolve().parents[1] / "hardware_profiles" / "h100-sxm.yaml"
    mine = tmp_path / "my-h100.yaml"
    mine.write_text(shipped.read_text().replace("name: h100-sxm", "name: my-h100", 1))
    for args in (
        ("budget", "10000USD", "-H", "my-h100", "-f", "json"),
        ("scale", "gpt-3", "--improvement", "2", "-H", "my-h100", "-f", "json"),
    ):
        r = cli("--profiles-dir", str(tmp_path), *args)
        assert r.code == 0, r.err
        assert '"hardware": "my-h100"' in r.out
