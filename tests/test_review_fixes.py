"""Regressions found by trying to break the new features: each is one error line and exit 2,
or real output where there was a wrong one."""

from __future__ import annotations

from pathlib import Path

import pytest


def _one_error(r, where: str) -> str:
    assert r.code == 2 and r.out == "", (r.code, r.out, r.err)
    assert r.err.count("\n") == 1 and r.err.startswith(f"costcalc: error: {where}"), r.err
    return r.err


def test_an_empty_price_csv_has_the_real_columns(cli) -> None:
    empty = cli("prices", "tpu-v5p", "--format", "csv")
    full = cli("prices", "h100-sxm", "--format", "csv")
    assert empty.code == full.code == 0
    assert empty.out.splitlines()[0] == full.out.splitlines()[0]
    assert empty.out.splitlines()[0].startswith("device,provider,pricing,")


@pytest.mark.parametrize("tpu", ["tpu-v5p", "tpu-v5e", "tpu-v4"])
def test_a_tpu_with_another_providers_region_is_refused_priced_or_not(cli, tpu: str) -> None:
    line = _one_error(cli("estimate", "1e21", "-H", tpu, "--region", "us-east-1"), "--region")
    assert "Google Cloud" in line and "gcp" in line


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["--kv-heads", "0"], "--kv-heads"),
        (["--finetune", "lora", "--lora-rank", "1e9"], "--lora-rank"),
    ],
)
def test_shape_values_that_mean_nothing_are_refused(cli, args: list[str], where: str) -> None:
    base = ["estimate", "--arch", "llama-2-7b", "--tokens", "1T"]
    _one_error(cli(*base, *args), where)


def test_a_pricing_model_is_not_silently_ignored(cli) -> None:
    _one_error(cli("estimate", "1e21", "--owned", "--pricing", "spot"), "--pricing")
    _one_error(cli("estimate", "1e21", "--pricing", "spot", "--price", "2"), "--pricing")


def test_a_policy_pue_below_one_is_refused(cli, tmp_path: Path) -> None:
    plan = tmp_path / "p.yaml"
    plan.write_text("policy: {min_pue: 0.5}\nruns:\n  a: {flops: 1e20}\n", encoding="utf-8")
    line = _one_error(cli("check", "--plan", str(plan)), f"{plan}:1: policy.min_pue")
    assert "at least 1" in line


def test_no_summary_says_within_budget_when_the_outputs_cannot_be_written(
    cli, tmp_path: Path
) -> None:
    plan = tmp_path / "p.yaml"
    plan.write_text("runs:\n  a: {flops: 1e18}\nbudgets: {cost: 1000 USD}\n", encoding="utf-8")
    summary = tmp_path / "summary.md"
    outputs = tmp_path / "a-directory"
    outputs.mkdir()
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs)}
    r = cli("check", "--plan", str(plan), "--format", "github", env=env)
    assert r.code == 2 and "GITHUB_OUTPUT" in r.err, r.err
    assert not summary.exists() or "within budget" not in summary.read_text(encoding="utf-8")


def test_a_reference_run_with_another_models_architecture_is_refused(cli) -> None:
    line = _one_error(cli("estimate", "gpt-3", "--arch", "llama-2-7b"), "--arch")
    assert "175B" in line and "gpt-3" in line
    same = cli("estimate", "gpt-3", "--arch", "gpt-3-175b", "--value", "flops")
    assert same.code == 0, same.err


def test_a_user_architecture_cannot_take_a_shipped_name_as_its_alias(cli) -> None:
    import os

    from costcalc.workload_shape import shipped_dir

    folder = Path(os.environ["COSTCALC_CONFIG_DIR"]) / "architectures"
    folder.mkdir(parents=True)
    text = (shipped_dir() / "llama-2-7b.yaml").read_text(encoding="utf-8")
    lines = [
        "name: mine" if line.startswith("name:") else line
        for line in text.splitlines()
        if not line.startswith("- ")
    ]
    lines = ["aliases: [llama-2-7b]" if line.startswith("aliases:") else line for line in lines]
    (folder / "mine.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = cli("estimate", "--arch", "llama-2-7b", "--tokens", "1T", "--value", "flops")
    assert r.code == 2 and "alias 'llama-2-7b' of 'mine'" in r.err, r.err


# -- found by the review of the one-registry work ------------------------------------------


def _json(cli, *args: str) -> dict:
    import json

    result = cli(*args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_a_bare_hardware_age_is_years_as_the_useful_life(cli) -> None:
    owned = ("estimate", "1e21", "-H", "a100-sxm-80gb", "--owned", "--depreciation", "30%")
    bare = _json(cli, *owned, "--hardware-age", "2")["assumptions"]["hardware_age"]
    spelled = _json(cli, *owned, "--hardware-age", "24 months")["assumptions"]["hardware_age"]
    assert bare["value"] == spelled["value"] == "2 years"


def test_a_bare_step_time_is_seconds(cli) -> None:
    shape = ("estimate", "--arch", "llama-2-7b", "--tokens", "1T", "-H", "h100-sxm")
    shape += ("--devices", "512", "--batch-tokens", "4M", "--value", "wall_clock_hours")
    bare, spelled = cli(*shape, "--step-time", "10"), cli(*shape, "--step-time", "10 s")
    assert bare.code == spelled.code == 0, bare.err
    # 1T tokens / 4M tokens per step = 250,000 steps of 10 s
    assert float(bare.out) == float(spelled.out) == pytest.approx(250_000 * 10 / 3600)


@pytest.mark.parametrize("measured", [["--throughput", "3000"], ["--seq-len", "4096"]])
def test_a_measurement_without_a_shape_names_what_asked_for_one(cli, measured) -> None:
    """Not "a shape by hand needs --layers" for a flag the user never gave."""
    result = cli("estimate", "--params", "7B", "--tokens", "1T", "-H", "h100-sxm", *measured)
    line = _one_error(result, measured[0])
    assert "--arch" in line and "needs the model's shape" in line


def test_a_misspelled_keyword_names_the_function_as_python_does() -> None:
    import costcalc
    from costcalc import outlook

    for call in (costcalc.sweep, outlook.estimate, costcalc.estimate):
        with pytest.raises(TypeError, match=r"^(sweep|estimate)\(\) got an unexpected keyword"):
            call("1e20", utilizaton="40%")


def test_work_and_flops_in_a_spec_name_the_second_key(cli, tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text("work: 1e20\nflops: 1e21\nhardware: h100-sxm\n", encoding="utf-8")
    line = _one_error(cli("sweep", "--spec", str(spec)), f"{spec}:2: flops")
    assert "same setting" in line
