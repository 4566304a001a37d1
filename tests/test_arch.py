"""Workloads from the model's shape through the CLI and the library: `arch list|show`,
`estimate --arch` (FLOPs with attention, MFU vs HFU, memory per device), fine-tuning,
measured throughput, contradictory shapes, and `check`'s feasibility rule.

Expected figures come from the papers' formulas evaluated here by hand (Korthikanti et al.
2022 Table 2; Rajbhandari et al. 2020; PaLM App. B; Hu et al. 2021) or from the published
parameter counts, never from costcalc's own output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costcalc import estimator, workload_shape
from costcalc import inputs as registry
from costcalc.errors import InputError
from costcalc.units import parse_quantity

CORPUS = Path(__file__).parent / "corpus"
BASE = ["estimate", "--arch", "llama-2-7b", "--tokens", "2T", "--seq-len", "4096"]
DONE = [*BASE, "-H", "a100-sxm-80gb", "--devices", "2048"]


def _json(cli, *argv: str) -> dict:
    r = cli(*argv, "-f", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def _error(cli, *argv: str, env: dict[str, str] | None = None) -> str:
    r = cli(*argv, env=env)
    assert r.code == 2, (argv, r.out, r.err)
    assert r.out == ""
    assert r.err.startswith("costcalc: error: ") and r.err.count("\n") == 1, r.err
    return r.err


# --- the catalog ----------------------------------------------------------------------------


def test_arch_list_has_at_least_12_sourced_architectures(cli) -> None:
    doc = _json(cli, "arch", "list")
    archs = doc["architectures"]
    assert len(archs) >= 12
    names = {a["name"] for a in archs}
    assert {"llama-2-7b", "llama-2-70b", "llama-3.1-405b", "mixtral-8x7b", "gpt-3-175b"} <= names
    for a in archs:
        assert a["sources"].get("shape"), a["name"]
        published = a["published_params"]
        assert published and a["published_params_source"], a["name"]
        # the count from the shape agrees with the published one (papers round: 5 %)
        assert abs(a["params"] / published - 1) < 0.05, (a["name"], a["params"], published)
    plain = cli("arch", "list")
    assert plain.code == 0 and "llama-2-7b" in plain.out and "mixtral-8x7b" in plain.out
    csv = cli("arch", "list", "-f", "csv")
    assert csv.out.splitlines()[0].startswith("arch,kind,layers")
    assert len(csv.out.splitlines()) == len(archs) + 1


def test_arch_show_by_alias_and_unknown_name(cli) -> None:
    r = cli("arch", "show", "mixtral")
    assert r.code == 0 and "mixtral-8x7b" in r.out and "arXiv:2401.04088" in r.out
    doc = _json(cli, "arch", "show", "llama-2-70b")
    assert doc["shape"]["kv_heads"] == 8 and doc["shape"]["layers"] == 80
    err = _error(cli, "arch", "show", "lama-2-7b")
    assert "ARCH" in err and "did you mean 'llama-2-7b'" in err


USER_ARCH = """\
name: tiny-test
display_name: Tiny test model
kind: decoder
shape: {layers: 2, d_model: 64, heads: 4, ffn: 256, vocab: 1000, seq_len: 128}
published:
  total_params: {value: 226560, source: counted by hand for this test}
sources:
  shape: {source: this test}
"""


def test_user_architecture_from_the_config_directory(cli, tmp_path: Path) -> None:
    config = tmp_path / "config"
    (config / "architectures").mkdir(parents=True)
    (config / "architectures" / "tiny.yaml").write_text(USER_ARCH, encoding="utf-8")
    env = {"COSTCALC_CONFIG_DIR": str(config)}
    workload_shape._load.cache_clear()
    r = cli("arch", "list", env=env)
    assert "tiny-test (user)" in r.out
    r = cli("estimate", "--arch", "tiny-test", "--tokens", "1B", "-f", "json", env=env)
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    # 2 layers x (4 d^2 attention + 2 d ffn) + 2 x vocab x d + norms (2 d per layer + d)
    d = 64
    by_hand = 2 * (4 * d * d + 2 * d * 256) + 2 * 1000 * d + 2 * 2 * d + d
    assert doc["workload"]["params"] == by_hand


# --- FLOPs ------------------------------------------------------------------------------------


def test_done_when_example_shows_attention_mfu_hfu_and_memory(cli) -> None:
    r = cli(*DONE)
    assert r.code == 0, r.err
    assert "attention" in r.out and "MFU" in r.out and "HFU" in r.out
    assert "memory per device: weights" in r.out and "fits" in r.out
    doc = _json(cli, *DONE)
    mem = doc["memory"]
    parts = ("weights", "gradients", "optimizer", "activations", "logits")
    assert mem["per_device_bytes"] == pytest.approx(sum(mem[f"{p}_bytes"] for p in parts))
    assert mem["fits"] is True and mem["max_micro_batch"] >= 1 and mem["fewest_devices"] >= 1


def test_llama_2_7b_flops_count_attention_palm_formula() -> None:
    """PaLM App. B: 6 N + 12 L H Q T per token, halved for a causal model's attention;
    N from the published count (6.7B, Touvron et al. 2023), L = 32, H Q = 4096, T = 4096."""
    est = estimator.base_estimate(arch="llama-2-7b", tokens="2T", seq_len=4096)
    per_token = est.outputs["flops"] / 2e12
    palm = 6 * 6.7e9 + 12 * 32 * 4096 * 4096 / 2
    assert per_token == pytest.approx(palm, rel=0.02)
    assert per_token > 1.05 * 6 * 6.7e9  # attention is counted: above 6 N D


@pytest.mark.parametrize(("arch", "published"), [("gpt-3-175b", 175e9), ("llama-2-70b", 70e9)])
def test_short_sequences_give_6nd_within_2_percent(arch: str, published: float) -> None:
    est = estimator.base_estimate(arch=arch, tokens="1T", seq_len=64)
    assert est.outputs["flops"] == pytest.approx(6 * published * 1e12, rel=0.02)


def test_gpt3_narayanan_formula_with_causal_halving() -> None:
    """Narayanan et al. 2021 Sec. 5.1: 72 B s L h^2 (1 + s/(6h) + V/(12hL)) FLOPs per
    iteration without recomputation, i.e. 72 L h^2 (...) per token; causal attention halves
    the s/(6h) term. GPT-3 175B: L 96, h 12288, V 50257, s 2048."""
    L, h, V, s = 96, 12288, 50257, 2048
    causal = 72 * L * h * h * (1 + s / (12 * h) + V / (12 * h * L))
    est = estimator.base_estimate(arch="gpt-3-175b", tokens="300B", seq_len=s, recompute="none")
    assert est.outputs["flops"] / 300e9 == pytest.approx(causal, rel=0.01)


def test_hfu_exceeds_mfu_by_the_recomputed_forward() -> None:
    kw = dict(arch="llama-2-7b", tokens="1T", seq_len=4096, utilization="40%")
    none = estimator.base_estimate(**kw, recompute="none").sections["workload"]
    full = estimator.base_estimate(**kw, recompute="full").sections["workload"]
    assert none["mfu"] == pytest.approx(0.40) and none["hfu"] == pytest.approx(0.40)
    # full recomputation repeats the forward pass of the layers: HFU ~ 4/3 MFU (logits not)
    assert 1.30 < full["hfu"] / full["mfu"] < 4 / 3


# --- memory ------------------------------------------------------------------------------------


def test_activation_memory_is_korthikanti_table_2() -> None:
    """GPT-3 175B, no parallelism, no recomputation: s b h (34 + 5 a s / h) per layer."""
    s, h, a, L = 2048, 12288, 96, 96
    est = estimator.base_estimate(
        arch="gpt-3-175b", tokens="1B", seq_len=s, recompute="none", zero=0
    )
    assert est.sections["memory"]["activations_bytes"] == pytest.approx(
        L * s * h * (34 + 5 * a * s / h), rel=1e-9
    )
    # selective recomputation with tensor (and sequence) parallelism t: s b h 34 / t
    est = estimator.base_estimate(
        arch="gpt-3-175b", tokens="1B", seq_len=s, recompute="selective", tp=8, devices=8
    )
    assert est.sections["memory"]["activations_bytes"] == pytest.approx(
        L * s * h * 34 / 8, rel=1e-9
    )


@pytest.mark.parametrize(("zero", "shards"), [(0, (1, 1, 1)), (1, (1, 1, 64)), (3, (64, 64, 64))])
def test_model_states_follow_zero(zero: int, shards: tuple[int, int, int]) -> None:
    """Rajbhandari et al. 2020: 2 + 2 + 12 bytes per parameter, partitioned by stage."""
    est = estimator.base_estimate(arch="llama-2-7b", tokens="1B", zero=zero, devices=64)
    mem = est.sections["memory"]
    n = 6.7e9  # published (Touvron et al. 2023)
    for part, per_param, k in zip(
        ("weights", "gradients", "optimizer"), (2, 2, 12), shards, strict=True
    ):
        assert mem[f"{part}_bytes"] == pytest.approx(per_param * n / k, rel=0.01), part


def test_seventy_b_on_eight_h100_does_not_fit_and_says_how_many(cli) -> None:
    argv = ["estimate", "--arch", "llama-2-70b", "--tokens", "2T", "-H", "h100-sxm"]
    doc = _json(cli, *argv, "--devices", "8")
    mem = doc["memory"]
    assert mem["fits"] is False and mem["max_micro_batch"] == 0
    assert "warning:" in " ".join(doc["notes"])
    fewest = mem["fewest_devices"]
    assert fewest is None  # ZeRO-1 leaves 2+2 B/param on each device: 280 GB > 80 GB
    # the activations of 80 layers at 4k (~90 GB) need tensor parallelism too
    layout = ["--zero", "3", "--tp", "8"]
    doc = _json(cli, *argv, "--devices", "8", *layout)
    fewest = doc["memory"]["fewest_devices"]
    assert fewest is not None and fewest > 8 and fewest % 8 == 0
    assert _json(cli, *argv, "--devices", str(fewest), *layout)["memory"]["fits"]
    assert not _json(cli, *argv, "--devices", str(fewest - 8), *layout)["memory"]["fits"]


ARCHS = ["llama-2-7b", "llama-3-8b", "mixtral-8x7b", "gpt-3-small", "mistral-7b"]


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    arch=st.sampled_from(ARCHS),
    seq=st.sampled_from([512, 2048, 4096]),
    zero=st.integers(0, 3),
    tp=st.sampled_from([1, 2, 4]),
    dp=st.integers(1, 64),
    recompute=st.sampled_from(["none", "selective", "full"]),
    finetune=st.sampled_from(["full", "lora", "qlora"]),
)
def test_largest_micro_batch_and_fewest_devices_are_the_boundaries(
    arch: str, seq: int, zero: int, tp: int, dp: int, recompute: str, finetune: str
) -> None:
    kw = dict(
        arch=arch,
        tokens="1B",
        seq_len=seq,
        zero=zero,
        tp=tp,
        recompute=recompute,
        finetune=finetune,
        hardware="h100-sxm",
    )
    mem = estimator.base_estimate(**kw, devices=tp * dp).sections["memory"]
    limit = mem["device_memory_bytes"]
    assert mem["fits"] == (mem["per_device_bytes"] <= limit)
    best = mem["max_micro_batch"]
    if best:
        at = estimator.base_estimate(**kw, devices=tp * dp, micro_batch=best).sections["memory"]
        assert at["fits"]
    above = estimator.base_estimate(**kw, devices=tp * dp, micro_batch=best + 1).sections["memory"]
    assert not above["fits"]
    fewest = mem["fewest_devices"]
    if fewest is not None:
        kw1 = dict(kw, micro_batch=1)
        assert estimator.base_estimate(**kw1, devices=fewest).sections["memory"]["fits"]
        if fewest > tp:
            smaller = estimator.base_estimate(**kw1, devices=fewest - tp).sections["memory"]
            assert not smaller["fits"]


# --- fine-tuning -------------------------------------------------------------------------------


def test_lora_trainable_params_flops_and_qlora_memory() -> None:
    kw = dict(arch="llama-2-7b", tokens="1B", seq_len=512)
    full = estimator.base_estimate(**kw)
    lora = estimator.base_estimate(**kw, finetune="lora", lora_rank=16)
    qlora = estimator.base_estimate(**kw, finetune="qlora", lora_rank=16)
    # Hu et al. 2021: r (d_in + d_out) per adapted matrix; all 7 linear layers of a block
    d, f = 4096, 11008
    by_hand = 32 * 16 * (4 * (d + d) + 2 * (d + f) + (f + d))
    assert lora.sections["workload"]["trainable_params"] == by_hand
    ratio = lora.outputs["flops"] / full.outputs["flops"]
    assert 0.64 < ratio < 0.70  # about 2/3: no weight gradients for frozen weights
    # QLoRA: 4-bit NF4 base (~0.52 B/param with its constants) vs 2 bytes for LoRA
    w_lora = lora.sections["memory"]["weights_bytes"]
    w_qlora = qlora.sections["memory"]["weights_bytes"]
    assert w_qlora == pytest.approx(6.7e9 * 4.127 / 8 + 2 * by_hand, rel=0.02)
    assert w_lora == pytest.approx(6.7e9 * 2 + 2 * by_hand, rel=0.02)
    assert lora.sections["memory"]["optimizer_bytes"] == pytest.approx(12 * by_hand)


def test_lora_rank_without_lora_is_refused(cli) -> None:
    assert "--lora-rank" in _error(cli, *BASE, "--lora-rank", "8")


# --- measured throughput ------------------------------------------------------------------------


def test_throughput_gives_time_and_implied_mfu(cli) -> None:
    doc = _json(cli, *DONE, "--throughput", "3000 tokens/s")
    assert doc["device_hours"] == pytest.approx(2e12 / 3000 / 3600)
    assert doc["wall_clock_hours"] == pytest.approx(2e12 / 3000 / 3600 / 2048)
    per_token = doc["workload"]["flops_per_token"]["model"]
    assert doc["workload"]["mfu"] == pytest.approx(per_token * 3000 / 312e12)
    assert any("implied" in n for n in doc["notes"])


def test_step_time_with_batch_tokens(cli) -> None:
    doc = _json(cli, *DONE, "--step-time", "10 s", "--batch-tokens", "4M")
    # 4M tokens per 10 s step over 2048 devices
    assert doc["device_hours"] == pytest.approx(2e12 / (4e6 / 10 / 2048) / 3600)


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        (["--throughput", "3000", "-u", "40%"], "--throughput"),
        (["--throughput", "1e6"], "--throughput"),
        (["--step-time", "10 s"], "--batch-tokens"),
        (["--batch-tokens", "4M"], "--batch-tokens"),
        (["--throughput", "3000 FLOPS"], "--throughput"),
        (["--throughput", "3000", "--step-time", "1 s", "--batch-tokens", "1M"], "--step-time"),
    ],
)
def test_bad_throughput_inputs(cli, extra: list[str], where: str) -> None:
    assert f"error: {where}:" in _error(cli, *DONE, *extra)


def test_token_rate_unit() -> None:
    assert parse_quantity("3000 tokens/s", "token_rate") == 3000
    assert parse_quantity("3k tokens/s", "token_rate") == 3000
    assert parse_quantity("10.8M tokens/hour", "token_rate") == pytest.approx(3000)
    with pytest.raises(InputError, match="token throughput"):
        parse_quantity("3000 TFLOPS", "token_rate", "--throughput")


# --- contradictions -----------------------------------------------------------------------------

HAND = ["estimate", "--tokens", "1T", "--layers", "32", "--vocab", "32000"]


@pytest.mark.parametrize(
    ("argv", "where", "values"),
    [
        ([*BASE, "--params", "70B"], "--params", ("70B", "6.738B")),
        (
            ["estimate", "--arch", "mixtral-8x7b", "--tokens", "1T", "--top-k", "9"],
            "--top-k",
            ("9", "8"),
        ),
        ([*HAND, "--d-model", "4096", "--heads", "30"], "--heads", ("30", "4096")),
        ([*BASE, "--tp", "3"], "--tp", ("3", "32")),
        ([*BASE, "--kv-heads", "5"], "--kv-heads", ("5", "32")),
        ([*BASE, "--pp", "33"], "--pp", ("33", "32")),
        ([*BASE, "--tp", "4", "--devices", "10"], "--devices", ("10", "4")),
        ([*BASE, "--zero", "4"], "--zero", ("4",)),
        ([*BASE, "--recompute", "some"], "--recompute", ("some",)),
        ([*BASE, "--finetune", "lora2"], "--finetune", ("lora2",)),
        (["estimate", "--tokens", "1T", "--layers", "32"], "--layers", ("--heads",)),
        ([*BASE, "--bytes-per-param", "16"], "--bytes-per-param", ()),
        ([*BASE, "--flops-per-param-token", "8"], "--flops-per-param-token", ()),
        (["estimate", "1e20", *BASE[1:]], "--tokens", ()),
        (["estimate", "--arch", "nope", "--tokens", "1T"], "--arch", ("nope",)),
    ],
)
def test_contradictory_shapes_exit_2_naming_both_values(
    cli, argv: list[str], where: str, values: tuple[str, ...]
) -> None:
    err = _error(cli, *argv)
    assert f"error: {where}:" in err
    for v in values:
        assert v in err, (v, err)


def test_params_close_to_the_shape_is_accepted(cli) -> None:
    assert cli(*BASE, "--params", "7B").code == 0


def test_contradiction_as_a_real_process(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("costcalc")
    cmd = [str(exe) if exe.exists() else "costcalc", *BASE, "--params", "70B"]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.count("\n") == 1 and "70B" in p.stderr and "6.738B" in p.stderr


# Every hostile value of the corpus on every shape option: exit 2, one line, nothing written.
SHAPE_FLAGS = [registry.INPUTS[k].flag for k in workload_shape.KEYS]
# Values that are valid for an option after all (zero is a ZeRO stage, experts 0 = dense).
ZERO_OK = {"0", "0.0", "-0", "1e-400"}
ACCEPTED = {("--zero", v) for v in ZERO_OK} | {("--experts", v) for v in ZERO_OK}
ACCEPTED |= {("--kv-heads", v) for v in ZERO_OK}
ACCEPTED |= {("--step-time", "1e13")}  # 1e13 hours per step: absurd, but a number


def _values() -> list[str]:
    lines = (CORPUS / "values.txt").read_text(encoding="utf-8").splitlines()
    values = [json.loads(line) for line in lines if line and not line.startswith("#")]
    return [*values, "1e300", "1e13", "1e200 tokens/s"]  # shapes no float can hold


def test_hostile_values_on_every_shape_option(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    base = ["estimate", "--arch", "llama-2-7b", "--tokens", "1T", "--batch-tokens", "1M"]
    for flag in SHAPE_FLAGS:
        for value in _values():
            if (flag, value) in ACCEPTED:
                continue
            argv = [*base, f"{flag}={value}"]
            if flag == "--batch-tokens":
                argv = [*base[:-2], "--step-time", "1 s", f"{flag}={value}"]
            if flag == "--step-time":
                argv = [*base, f"{flag}={value}"]
            r = cli(*argv)
            assert r.code == 2, (argv[5:], r.out[-300:], r.err)
            assert r.out == "" and r.err.count("\n") == 1, (argv[5:], r.err)
    assert not list(tmp_path.iterdir())


def test_shape_inputs_are_declared_once_in_the_registry() -> None:
    assert set(workload_shape.KEYS) == {
        "arch", "seq_len", "layers", "d_model", "heads", "kv_heads", "ffn", "vocab",
        "experts", "top_k", "recompute", "tp", "pp", "zero", "micro_batch", "finetune",
        "lora_rank", "throughput", "step_time", "batch_tokens",
    }  # fmt: skip
    for key in workload_shape.KEYS:
        assert registry.PLAN in registry.INPUTS[key].places


def test_params_tokens_path_is_unchanged(cli) -> None:
    doc = _json(cli, "estimate", "--params", "7B", "--tokens", "1T")
    assert doc["flops"] == pytest.approx(6 * 7e9 * 1e12)
    assert "memory" not in doc and "workload" not in doc


# --- plans and check ----------------------------------------------------------------------------

PLAN = """\
defaults:
  hardware: h100-sxm
runs:
  seventy:
    arch: llama-2-70b
    tokens: 1T
    devices: 8
  small:
    arch: llama-2-7b
    tokens: 100B
    devices: 64
budgets:
  cost: 100M USD
"""


def test_check_fails_a_plan_whose_run_does_not_fit(cli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    r = cli("check", "--plan", str(plan))
    assert r.code == 1, r.err
    assert "does not fit in memory" in r.out and "'seventy'" in r.out and "'small'" not in r.out
    r = cli("check", "--plan", str(plan), "--allow-infeasible")
    assert r.code == 0 and "with warnings" in r.out
    assert cli("check", "--plan", str(plan), "--allow-infeasible", "--strict").code == 1
    doc = json.loads(cli("check", "--plan", str(plan), "-f", "json").out)
    assert doc["status"] == "infeasible" and doc["exit_code"] == 1
    # consistent with estimate: the same run warns there
    est = _json(cli, "estimate", "--arch", "llama-2-70b", "--tokens", "1T", "-H", "h100-sxm",
                "--devices", "8")  # fmt: skip
    assert est["memory"]["fits"] is False


def test_check_params_path_is_consistent_with_estimate(cli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "runs:\n  big:\n    params: 70B\n    tokens: 1T\n    hardware: h100-sxm\n    devices: 8\n",
        encoding="utf-8",
    )
    r = cli("check", "--plan", str(plan))
    assert r.code == 1 and "'big'" in r.out
    est = cli("estimate", "--params", "70B", "--tokens", "1T", "-H", "h100-sxm", "--devices", "8")
    assert "cannot hold the training state" in est.out


def test_plan_shape_error_names_the_plan_line(cli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "runs:\n  a:\n    arch: llama-2-7b\n    tokens: 1T\n    tp: 3\n", encoding="utf-8"
    )
    err = _error(cli, "check", "--plan", str(plan))
    assert "plan.yaml:5: runs.a.tp" in err and "3" in err and "32" in err


def test_plan_arch_in_defaults_with_tokens_on_the_run(cli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "defaults: {arch: llama-2-7b, devices: 64}\nruns:\n  a: {tokens: 1T}\n", encoding="utf-8"
    )
    r = cli("check", "--plan", str(plan))
    assert r.code == 0, r.err


def test_shapes_take_arrays_and_agree_with_scalars() -> None:
    """bench/bench_arch.py sweeps with arrays through the same functions: element by
    element they give what one scalar call gives."""
    import numpy as np

    from costcalc import shapes

    s = workload_shape.find("llama-3-8b")["_shape"]
    seq = np.array([128, 2048, 8192])
    dp = np.array([1, 8, 64])
    f = shapes.flops_per_token(s, seq, recompute="selective")
    m = shapes.memory_per_device(s, seq_len=seq, dp=dp, zero=3, recompute="none")
    for i in range(3):
        one = shapes.flops_per_token(s, int(seq[i]), recompute="selective")
        assert f.hardware[i] == pytest.approx(one.hardware)
        mm = shapes.memory_per_device(
            s, seq_len=int(seq[i]), dp=int(dp[i]), zero=3, recompute="none"
        )
        assert m.total[i] == pytest.approx(mm.total)
    with pytest.raises(shapes.ShapeError):
        shapes.flops_per_token(s, np.array([1, 0]))


def test_reference_run_with_its_architecture(cli) -> None:
    doc = _json(cli, "estimate", "gpt-3", "--arch", "gpt-3-175b", "-H", "v100-sxm2",
                "--devices", "1024")  # fmt: skip
    assert doc["flops"] == pytest.approx(3.14e23)  # the run's compute, not the shape's
    assert doc["memory"]["fits"] is False
    names = (
        [a["name"] for a in doc["assumptions"]]
        if isinstance(doc["assumptions"], list)
        else list(doc["assumptions"])
    )
    assert names.count("params") == 1 and "run" in names
    assert "--tokens" in _error(cli, "estimate", "gpt-3", "--arch", "gpt-3-175b", "--tokens", "1T")


@pytest.mark.parametrize(
    "hostile", sorted((CORPUS / "profiles").glob("*.yaml")), ids=lambda p: p.name
)
def test_hostile_user_architecture_files_are_one_error_line(
    cli, hostile: Path, tmp_path: Path
) -> None:
    """The generic hostile YAML of the corpus, as a user's architecture file: refused
    (exit 2, one line naming the file), on `arch list` and on `estimate --arch`."""
    config = tmp_path / "config"
    (config / "architectures").mkdir(parents=True)
    (config / "architectures" / hostile.name).write_bytes(hostile.read_bytes())
    env = {"COSTCALC_CONFIG_DIR": str(config)}
    for argv in (["arch", "list"], ["estimate", "--arch", "llama-2-7b", "--tokens", "1T"]):
        r = cli(*argv, env=env)
        assert r.code == 2, (hostile.name, r.out[-200:], r.err)
        assert r.out == "" and r.err.count("\n") == 1 and hostile.name in r.err, r.err


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("name: t\nshape: {layers: '32'}\n", "2: shape.layers: expected a whole number"),
        ("name: t\nshape: {layers: 1e400}\n", "shape.layers"),
        ("name: t\nshape: {layers: true}\n", "shape.layers"),
        ("name: t\nshape: {lyers: 2}\n", "shape.lyers: unknown field (did you mean 'layers'"),
        ("name: t\nshape: {ffn_kind: 3}\n", "shape.ffn_kind: expected str"),
        ("name: t\nshape: {layers: 2, d_model: 64, heads: 3, ffn: 4, vocab: 5}\n", "heads 3"),
        ("name: t\nshape: {layers: 2}\n", "shape: missing d_model, heads, ffn, vocab"),
        (
            "name: t\naliases: x\nshape: {layers: 2, d_model: 64, heads: 4, ffn: 4, vocab: 5}\n",
            "aliases",
        ),
        ("shape: {layers: 2}\n", "name"),
    ],
)
def test_bad_user_architecture_names_file_line_field(
    cli, tmp_path: Path, text: str, expect: str
) -> None:
    config = tmp_path / "config"
    (config / "architectures").mkdir(parents=True)
    (config / "architectures" / "mine.yaml").write_text(text, encoding="utf-8")
    err = _error(cli, "arch", "list", env={"COSTCALC_CONFIG_DIR": str(config)})
    assert "mine.yaml" in err and expect in err, err
