"""Errors and assumptions name inputs as the front end that took them spells them: a sweep
spec's keys, a config file's line, a plan's key; the command line's flags only for what
came from flags (review findings 1, 2, 3, 4, 6, 10, 11)."""

from __future__ import annotations

import json

import pytest


def _spec(tmp_path, text: str) -> str:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return str(path)


# -- 1: a sweep spec's errors name its keys, flags only for what the command line gave ------


@pytest.mark.parametrize(
    ("text", "where", "expected", "absent"),
    [
        ("flops: 1e20\ntop: 3\n", ":2: top", "top needs sort FIELD (or pareto)", "--"),
        ("flops: 1e20\nseq_len: 1024\n", ":2: seq_len", "seq_len needs arch (", "--"),
        ("tokens: 1T\n", ":1: tokens", "tokens needs arch (", "--"),
        (
            "flops: 1e20\nduration: 5\n",
            ":2: duration",
            "FLOPs, device_hours, or duration with devices",
            "--",
        ),
        (
            "arch: llama-2-7b\ntokens: 1T\nflops: 1e20\n",
            ":2: tokens",
            "flops (or device_hours, duration), or arch with tokens",
            "--",
        ),
        ("seq-len: 1024\nflops: 1e20\n", ":1: seq-len", "seq-len needs arch (", "--"),
    ],
)
def test_spec_errors_name_keys(cli, tmp_path, text, where, expected, absent) -> None:
    spec = _spec(tmp_path, text)
    r = cli("sweep", "--spec", spec)
    assert r.code == 2, r.err
    line = r.err.strip()
    assert line.startswith(f"costcalc: error: {spec}{where}: "), line
    assert expected in line
    assert absent not in line
    assert len(r.err.splitlines()) == 1


def test_spec_error_keeps_flag_spelling_for_flags(cli, tmp_path) -> None:
    """An input given on the command line next to the spec reads as its flag."""
    spec = _spec(tmp_path, "arch: llama-2-7b\nflops: 1e20\n")
    r = cli("sweep", "--spec", spec, "--tokens", "1T")
    assert r.code == 2
    assert r.err.strip() == (
        "costcalc: error: --tokens: give the compute once: flops (or device_hours, duration), "
        "or arch with --tokens"
    )


def test_spec_without_work_is_located_at_the_file(cli, tmp_path) -> None:
    spec = _spec(tmp_path, "hardware: h100-sxm\n")
    r = cli("sweep", "--spec", spec)
    assert r.code == 2
    assert r.err.startswith(f"costcalc: error: {spec}: work: no work given"), r.err
    assert "--" not in r.err


def test_command_line_alone_still_spells_flags(cli) -> None:
    r = cli("sweep", "1e20", "--top", "3")
    assert r.code == 2
    assert r.err.strip() == (
        "costcalc: error: --top: --top needs --sort FIELD (or --pareto) to say which rows "
        "come first"
    )


# -- 11: a spec-given value is labelled with the spec's line, origin spec --------------------


def test_spec_assumptions_name_the_spec(cli, tmp_path) -> None:
    spec = _spec(tmp_path, "hardware: h100-sxm\nprecision: fp16\nflops: 1e20\n")
    r = cli("sweep", "--spec", spec, "-f", "json")
    assert r.code == 0, r.err
    assumptions = json.loads(r.out)["assumptions"]
    assert assumptions["precision"]["source"] == f"given in the spec: {spec}:2: precision"
    assert assumptions["precision"]["origin"] == "spec"
    assert assumptions["hardware"]["source"].startswith(f"given in the spec: {spec}:1: hardware")
    assert assumptions["hardware"]["origin"] == "spec"


def test_flag_over_spec_stays_a_flag(cli, tmp_path) -> None:
    spec = _spec(tmp_path, "hardware: h100-sxm\nprecision: fp16\nflops: 1e20\n")
    r = cli("sweep", "--spec", spec, "--precision", "bf16", "-f", "json")
    assert r.code == 0, r.err
    precision = json.loads(r.out)["assumptions"]["precision"]
    assert precision["origin"] == "flag"
    assert precision["source"] == "given with --precision"


# -- 2: a layout error is located at the input given, and names no flag it did not take ------


def test_layout_error_is_at_the_config_line_that_gave_tp(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "costcalc.yaml").write_text("defaults:\n  hardware: h100-sxm\n  tp: 2\n")
    r = cli("estimate", "--arch", "llama-2-7b", "--tokens", "1T")
    assert r.code == 2
    assert r.err == (
        "costcalc: error: costcalc.yaml:3: defaults.tp: the default 1 device is not a multiple "
        "of tp 2 x pp 1; the data-parallel ranks are devices / (tp x pp)\n"
    )
    r = cli("estimate", "--arch", "llama-2-7b", "--tokens", "1T", "--devices", "3")
    assert r.code == 2
    assert r.err.startswith("costcalc: error: --devices: --devices 3 is not a multiple of tp 2 x")


def test_layout_error_from_python_names_the_file(tmp_path) -> None:
    from costcalc import estimate
    from costcalc.config import load_settings
    from costcalc.errors import InputError

    (tmp_path / "costcalc.yaml").write_text("defaults:\n  hardware: h100-sxm\n  tp: 2\n")
    settings = load_settings(cwd=tmp_path, env={"COSTCALC_CONFIG_DIR": str(tmp_path / "c")})
    with pytest.raises(InputError) as e:
        estimate(arch="llama-2-7b", tokens="1T", settings=settings)
    assert str(e.value).startswith("costcalc.yaml:3: defaults.tp: the default 1 device ")
    with pytest.raises(InputError) as e:
        estimate(arch="llama-2-7b", tokens="1T", tp=2, hardware="h100-sxm")
    assert e.value.input == "tp"
    assert "devices" not in e.value.where


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--tp", "3"), "--tp 3 does not divide llama-2-7b's 32 heads:"),
        (("--pp", "40"), "--pp 40 is more than llama-2-7b's 32 layers:"),
    ],
)
def test_an_architecture_count_names_no_flag(cli, args, says) -> None:
    r = cli("estimate", "--arch", "llama-2-7b", "--tokens", "1T", "--devices", "120", *args)
    assert r.code == 2
    assert says in r.err
    assert "--heads" not in r.err and "--layers" not in r.err


def test_a_count_given_by_hand_names_its_flag(cli) -> None:
    shape = ("--layers", "2", "--heads", "32", "--d-model", "4096", "--vocab", "1000")
    r = cli("estimate", "--tokens", "1T", "--tp", "3", *shape)
    assert r.code == 2
    assert "--tp 3 does not divide the 32 heads (--heads 32)" in r.err


# -- 3: a plan's shape error is located at the key that asked for a shape ---------------------


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("zero: 7", "zero needs the model's shape: arch NAME"),
        ("top_k: 2", "top_k needs the model's shape: arch NAME"),
        ("experts: 8", "experts needs the model's shape: arch NAME"),
        ("kv_heads: 2", "kv_heads needs the model's shape: arch NAME"),
        ("throughput: 1000", "throughput needs the model's shape: arch NAME"),
        ("step_time: 2", "step_time needs the model's shape: arch NAME"),
        ("finetune: lora", "finetune needs the model's shape: arch NAME"),
        ("lora_rank: 8", "lora_rank needs the model's shape: arch NAME"),
        ("layers: 2", "a shape by hand needs d_model, heads, vocab (or arch NAME"),
    ],
)
def test_plan_shape_error_at_the_key_that_asked(cli, tmp_path, entry, says) -> None:
    plan = tmp_path / "p.yaml"
    plan.write_text(
        "runs:\n  a:\n    hardware: h100-sxm\n    devices: 8\n\n"
        f"    params: 1B\n    tokens: 10B\n    {entry}\n"
    )
    r = cli("check", "-p", str(plan))
    assert r.code == 2
    key = entry.split(":")[0]
    assert r.err.startswith(f"costcalc: error: {plan}:8: runs.a.{key}: {says}"), r.err


def test_command_line_shape_error_at_the_flag_given(cli) -> None:
    r = cli("estimate", "--tokens", "1T", "--vocab", "2", "--kv-heads", "3")
    assert r.code == 2
    assert r.err.startswith("costcalc: error: --vocab: a shape by hand needs --layers, "), r.err
    r = cli("estimate", "--tokens", "1T", "--top-k", "2")
    assert r.err.startswith("costcalc: error: --top-k: --top-k needs the model's shape"), r.err


# -- 6: a higher-priority input replaces a lower one's other way of giving it -----------------


def test_flag_price_beats_a_project_pricing(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "costcalc.yaml").write_text("defaults:\n  pricing: spot\n")
    r = cli("estimate", "1e20", "-H", "h100-sxm", "--price", "2", "-f", "json")
    assert r.code == 0, r.err
    price = json.loads(r.out)["assumptions"]["price"]
    assert (price["value"], price["origin"]) == (2, "flag")


def test_project_pricing_beats_a_user_price(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.yaml").write_text("defaults:\n  price: 2\n")
    (tmp_path / "costcalc.yaml").write_text("defaults:\n  pricing: 1y\n")
    env = {"COSTCALC_CONFIG_DIR": str(config)}
    r = cli("estimate", "1e20", "-H", "h100-sxm", "-f", "json", env=env)
    assert r.code == 0, r.err
    price = json.loads(r.out)["assumptions"]["price"]
    assert price["origin"] != "user" and price["value"] != 2
    assert " 1y, " in price["source"]  # the 1y price list's, not the user file's price


@pytest.mark.parametrize(
    ("user", "plan_defaults", "run"),
    [
        ("price: 2", "", "pricing: 1y"),  # a run's pricing over the user file's price
        ("", "price: 2", "pricing: 1y"),  # over the plan's defaults
        ("pricing: 1y", "", "price: 3"),
        ("", "utilization: 30%", "throughput: 3000"),
        ("", "region: fr", "carbon_intensity: 100"),
    ],
)
def test_a_run_input_replaces_the_lower_layer_counterpart(
    cli, tmp_path, user, plan_defaults, run
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.yaml").write_text(f"defaults:\n  {user}\n" if user else "")
    plan = tmp_path / "p.yaml"
    plan.write_text(
        (f"defaults:\n  {plan_defaults}\n" if plan_defaults else "")
        + "runs:\n  a:\n    arch: llama-2-7b\n    tokens: 1T\n    hardware: h100-sxm\n"
        f"    devices: 8\n    {run}\n"
    )
    r = cli("check", "-p", str(plan), "-f", "json", env={"COSTCALC_CONFIG_DIR": str(config)})
    assert r.code == 0, r.err
    key = run.split(":")[0]
    shown = json.loads(r.out)["runs"][0]
    assert key in json.dumps(shown)


def test_a_flag_replaces_the_spec_counterpart(cli, tmp_path) -> None:
    spec = _spec(tmp_path, "flops: 1e20\nhardware: h100-sxm\npricing: 1y\nregion: fr\n")
    r = cli("sweep", "--spec", spec, "--price", "2", "-f", "json")
    assert r.code == 0, r.err
    row = json.loads(r.out)["rows"][0]
    assert row["price"] == 2 and "pricing" not in row
    r = cli("sweep", "--spec", spec, "--carbon-intensity", "100", "-f", "json")
    assert r.code == 0, r.err
    row = json.loads(r.out)["rows"][0]
    assert row["carbon_intensity"] == 100 and "region" not in row


# -- 10: the command line's own usage errors read <where>: <what> ------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("sweep", "1e20", "--top", "abc"), "--top: 'abc' is not a valid int\n"),
        (("estimate", "1e20", "--devices"), "--devices: expected a value after it\n"),
        (
            ("estimate", "1e20", "--bogus"),
            "--bogus: no such option (see 'costcalc estimate --help')\n",
        ),
        (
            ("estimate", "1e20", "--hardwre", "x"),
            "--hardwre: no such option (did you mean '--hardware' or '--hardware-age'?) "
            "(see 'costcalc estimate --help')\n",
        ),
        (
            ("budget", "10k", "USD"),
            "budget: unexpected extra argument(s): USD; a value with spaces needs quotes "
            "(see 'costcalc budget --help')\n",
        ),
        (("budget",), "AMOUNT: expected a value (see 'costcalc budget --help')\n"),
        (
            ("estimate", "1e20", "-f", "xml"),
            "--format: 'xml' is not one of 'table', 'json', 'csv', 'yaml', 'markdown'\n",
        ),
        (("sweep", "1e20", "--zip=3"), "--zip: does not take a value\n"),
        (("runs", "bogus"), "runs: no such command 'bogus' (see 'costcalc runs --help')\n"),
    ],
)
def test_usage_errors_read_where_then_what(cli, args, expected) -> None:
    r = cli(*args)
    assert r.code == 2
    assert r.out == ""
    assert r.err == f"costcalc: error: {expected}"


def test_usage_error_as_a_real_process(tmp_path) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).with_name("costcalc")
    env = {**os.environ, "COSTCALC_CONFIG_DIR": str(tmp_path / "c"), "HOME": str(tmp_path)}
    p = subprocess.run(
        [str(script), "sweep", "1e20", "--top", "abc"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert (p.returncode, p.stdout) == (2, "")
    assert p.stderr == "costcalc: error: --top: 'abc' is not a valid int\n"


# -- 4: advice names only inputs the front end takes ------------------------------------------


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("useful_life: 3", "add purchase_price\n"),
        ("electricity_price: 0.1", "applies to owned hardware; add purchase_price\n"),
        ("price: 2\n    purchase_price: 30000", "not with purchase_price\n"),
        ("pricing: 1y\n    purchase_price: 30000", "not with purchase_price\n"),
        ("discount: 10%\n    purchase_price: 30000", "not with purchase_price\n"),
    ],
)
def test_plan_advice_names_plan_keys(cli, tmp_path, entry, says) -> None:
    plan = tmp_path / "p.yaml"
    plan.write_text(
        f"runs:\n  a:\n    hardware: h100-sxm\n    devices: 8\n    flops: 1e20\n    {entry}\n"
    )
    r = cli("check", "-p", str(plan))
    assert r.code == 2
    assert r.err.endswith(says), r.err
    assert not any(w in r.err for w in (" owned,", "or owned\n", "or embodied\n"))


def test_command_line_advice_names_its_flags(cli) -> None:
    r = cli("estimate", "1e20", "--useful-life", "3")
    assert r.err.endswith("add --owned, --purchase-price or --embodied\n"), r.err
    r = cli("estimate", "1e20", "-H", "h100-sxm", "--owned", "--discount", "10%")
    assert r.err.endswith("not with --owned or --purchase-price\n"), r.err


def test_head_dim_advice_names_no_missing_input(cli) -> None:
    r = cli("estimate", "--arch", "llama-2-7b", "--tokens", "1T", "--heads", "5")
    assert r.code == 2
    assert "--heads 5 do not divide --d-model 4096" in r.err
    assert "give head_dim" not in r.err and "--head-dim" not in r.err
    assert "architecture file" in r.err


# -- 5: a sweep credits no config default it did not apply -------------------------------------


def test_sweep_does_not_credit_an_unapplied_layout_default(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "costcalc.yaml").write_text(
        "defaults:\n  tp: 2\n  recompute: full\n  seq_len: 1024\n"
    )
    r = cli("sweep", "--arch", "llama-2-7b", "--tokens", "1T", "-H", "h100-sxm", "-f", "json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    a = out["assumptions"]
    for name, value in (("tp", "1"), ("recompute", "selective")):
        assert a[name]["value"] == value
        assert a[name]["origin"] == "default" and "costcalc.yaml" not in a[name]["source"]
    # the default it did apply keeps its file and line
    assert (a["seq_len"]["origin"], a["seq_len"]["source"]) == (
        "project",
        "project file costcalc.yaml:4",
    )
    assert any(n.startswith("not applied: tp 2 (costcalc.yaml:2") for n in out["notes"])
