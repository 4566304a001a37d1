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
