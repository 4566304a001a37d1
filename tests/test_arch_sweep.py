"""Model shapes in sweeps (issue 15, "Everywhere"): ``--arch``, ``--seq-len``, ``--zero`` and
``--tokens`` as sweep axes, with memory per device and whether it fits as columns.

Each row is checked against ``estimate`` for the same inputs (its JSON), and the FLOPs'
growth with the sequence length against the causal attention term worked out by hand
(PaLM App. B: 12·L·H·Q per token and unit of sequence length, halved when causal)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costcalc import sweeps
from costcalc.errors import InputError

OUTPUTS = ("flops", "wall_clock_hours", "device_hours", "energy_kwh", "cost_usd", "co2e_kg")


def _estimate(cli, *argv: str) -> dict:
    r = cli("estimate", *argv, "-f", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def _error(cli, *argv: str) -> str:
    r = cli(*argv)
    assert r.code == 2, (argv, r.out, r.err)
    assert r.out == ""
    assert r.err.startswith("costcalc: error: ") and r.err.count("\n") == 1, r.err
    return r.err


def _rows(result: sweeps.SweepResult) -> list[dict]:
    return [{k: result[k][i] for k in result} for i in range(result.rows)]


@pytest.mark.parametrize(
    ("arch", "seq_len", "zero", "devices", "hardware"),
    [
        ("llama-2-7b", "4096", "1", "64", "h100-sxm"),
        ("llama-2-70b", "4096", "3", "512", "h100-sxm"),
        ("llama-2-70b", "2048", "0", "8", "a100-sxm-80gb"),
        ("gpt-3-175b", "2048", "2", "1024", "a100-sxm-80gb"),  # learned positions grow with s
        ("mixtral-8x7b", "32768", "3", "256", "h100-sxm"),
    ],
)
def test_sweep_rows_equal_estimate(cli, arch, seq_len, zero, devices, hardware) -> None:
    # The sweep crosses two of each; the row of the given values must be the estimate's.
    other_seq = "1024" if seq_len != "1024" else "8192"
    result = sweeps.sweep(
        arch=f"{arch},llama-3-8b",
        tokens="300B",
        seq_len=f"{other_seq},{seq_len}",
        zero=f"{zero},{(int(zero) + 1) % 4}",
        devices=f"{devices},16",
        hardware=hardware,
    )
    assert result.rows == 16
    rows = [
        r
        for r in _rows(result)
        if r["arch"] == arch
        and r["seq_len"] == float(seq_len)
        and r["zero"] == float(zero)
        and r["devices"] == float(devices)
    ]
    assert len(rows) == 1
    row = rows[0]
    est = _estimate(
        cli,
        "--arch", arch, "--tokens", "300B", "--seq-len", seq_len, "--zero", zero,
        "--devices", devices, "-H", hardware,
    )  # fmt: skip
    for name in OUTPUTS:
        assert row[name] == est[name], name
    assert row["per_device_gb"] * 1e9 == pytest.approx(est["memory"]["per_device_bytes"], 1e-15)
    assert row["fits"] == (1.0 if est["memory"]["fits"] else 0.0)


def test_arch_alone_uses_each_architectures_own_sequence_length(cli) -> None:
    result = sweeps.sweep(arch="llama-2-7b,llama-3-8b", tokens="1T", hardware="h100-sxm")
    by_arch = {r["arch"]: r for r in _rows(result)}
    assert by_arch["llama-2-7b"]["seq_len"] == 4096.0  # Touvron et al. 2023: 4k context
    assert by_arch["llama-3-8b"]["seq_len"] == 8192.0  # Llama 3 pre-training: 8k
    for arch, row in by_arch.items():
        est = _estimate(cli, "--arch", arch, "--tokens", "1T", "-H", "h100-sxm")
        assert row["flops"] == est["flops"]
        assert row["per_device_gb"] * 1e9 == pytest.approx(est["memory"]["per_device_bytes"])


def test_flops_grow_with_sequence_length_by_the_causal_attention_term() -> None:
    # Llama 2 7B: L = 32 layers, d = 4096 (32 heads x 128). Causal attention scores and
    # values cost 12·L·d·s / 2 = 6·L·d·s FLOP per token at sequence length s.
    result = sweeps.sweep(arch="llama-2-7b", tokens="1", seq_len="1024..8192:8")
    seq, flops = result["seq_len"], result["flops"]
    step = (flops[1:] - flops[:-1]) / (seq[1:] - seq[:-1])
    assert step == pytest.approx([6 * 32 * 4096] * 7, rel=1e-12)


def test_zero_stages_split_the_model_states_over_the_devices() -> None:
    # 16 B/param of mixed-precision Adam (Rajbhandari et al. 2020): 2 weights, 2 gradients,
    # 12 optimizer; ZeRO-1 splits the 12, ZeRO-2 the 2 + 12, ZeRO-3 all 16 over 8 devices.
    result = sweeps.sweep(arch="llama-2-7b", tokens="1T", zero="0..3:4", devices="8")
    gb = result["per_device_gb"]
    n = 6_738_415_616  # Llama 2 7B's parameters (Hugging Face config, counted)
    drop = [(gb[0] - gb[k]) * 1e9 / n for k in (1, 2, 3)]
    assert drop == pytest.approx([12 * 7 / 8, 14 * 7 / 8, 16 * 7 / 8], rel=2e-3)


def test_where_and_sort_on_memory_columns(cli) -> None:
    argv = [
        "sweep", "--arch", "llama-2-7b,llama-2-70b", "--tokens", "1T", "--zero", "1,3",
        "--devices", "8,64", "-H", "h100-sxm", "-f", "jsonl",
    ]  # fmt: skip
    everything = [json.loads(x) for x in cli(*argv).out.splitlines()]
    assert len(everything) == 8
    r = cli(*argv, "--where", "fits == 1 and per_device_gb < 60 GB", "--sort", "-per_device_gb")
    assert r.code == 0, r.err
    kept = [json.loads(x) for x in r.out.splitlines()]
    expected = [x for x in everything if x["fits"] == 1 and x["per_device_gb"] < 60]
    assert 0 < len(kept) < len(everything)
    assert sorted(kept, key=lambda x: -x["per_device_gb"]) == kept
    assert {json.dumps(x, sort_keys=True) for x in kept} == {
        json.dumps(x, sort_keys=True) for x in expected
    }
    assert all(x["per_device_gb"] <= 80 for x in everything if x["fits"] == 1)
    assert all(x["per_device_gb"] > 80 for x in everything if x["fits"] == 0)


def test_spec_file_takes_the_shape_axes(cli, tmp_path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text("arch: [llama-2-7b]\ntokens: 2T\nseq-len: [2048, 4096]\nzero: 3\n")
    r = cli("sweep", "--spec", str(spec), "-f", "jsonl")
    assert r.code == 0, r.err
    rows = [json.loads(x) for x in r.out.splitlines()]
    assert [x["seq_len"] for x in rows] == [2048, 4096]
    assert {x["zero"] for x in rows} == {3}


@pytest.mark.parametrize(
    ("argv", "where", "what"),
    [
        (["--seq-len", "4096", "--tokens", "1T"], "--seq-len", "needs --arch"),
        (["--zero", "3", "1e22"], "--zero", "needs --arch"),
        (["--arch", "llama-2-7b", "--tokens", "1T", "--zero", "4"], "--zero", "4"),
        (["--arch", "llama-2-7b", "--tokens", "1T", "--seq-len", "1000.5"], "--seq-len", ""),
        (["--arch", "llama-2-7b", "--tokens", "1T", "--seq-len", "0"], "--seq-len", ""),
        (["--arch", "llama-2-7b", "--tokens", "1T", "1e22"], "--tokens", "once"),
        (["--arch", "llama-2-7bb", "--tokens", "1T"], "--arch", "did you mean"),
        (["--arch", "llama-2-7b", "--tokens", "1T", "--devices", "8.5"], "--devices", "whole"),
        (["--arch", "llama-2-7b,llama-2-7b", "--tokens", "1T"], "--arch", "twice"),
        (["--arch", "llama-2-7b"], "WORK", "--tokens"),
    ],
)
def test_bad_shape_axes_exit_2_naming_the_flag(cli, argv, where, what) -> None:
    err = _error(cli, "sweep", *argv)
    assert f"error: {where}: " in err, err
    assert what in err


def test_work_with_arch_gives_memory_only(cli) -> None:
    result = sweeps.sweep(1e22, arch="llama-2-7b", zero="1,3", devices="8")
    assert list(result["flops"]) == [1e22, 1e22]
    est = _estimate(cli, "1e22", "--arch", "llama-2-7b", "--zero", "3", "--devices", "8")
    assert result["cost_usd"][1] == est["cost_usd"]
    assert result["per_device_gb"][1] * 1e9 == pytest.approx(est["memory"]["per_device_bytes"])
    assert result["per_device_gb"][1] < result["per_device_gb"][0]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seq=st.lists(st.integers(1, 65536), min_size=1, max_size=4, unique=True),
    zero=st.sampled_from(["0", "1", "2", "3"]),
    devices=st.integers(1, 4096),
)
def test_property_chunked_and_blocked_paths_agree(seq, zero, devices) -> None:
    # The same grid evaluated by scenario numbers (chunk) and by whole blocks (block) gives
    # the same columns: the table lookups broadcast the same way in both.
    prepared = sweeps.plan(
        {
            "arch": "llama-2-7b,gpt-3-175b,mixtral-8x7b",
            "tokens": "1T",
            "seq_len": ",".join(map(str, seq)),
            "zero": zero,
            "devices": str(devices),
        }
    )
    import numpy as np

    grid = prepared.grid
    index = np.arange(grid.size, dtype=np.int64)
    by_index = grid.chunk(index)
    first = grid.block_start(grid.size)
    assert first is not None
    blocked = grid.block(0, grid.size, first)
    for name in ("flops", "per_device_gb", "fits", "cost_usd"):
        assert np.array_equal(by_index.column(name), blocked.column(name), equal_nan=True)


def test_python_api_refuses_tokens_without_arch() -> None:
    with pytest.raises(InputError, match="^tokens: tokens needs arch "):
        sweeps.sweep(tokens="1T")


# -- budget and scale take the shape inputs ---------------------------------------------


def _budget(cli, *argv: str) -> dict:
    r = cli("budget", *argv, "-f", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def test_budget_with_arch_says_the_tokens_it_buys_and_the_memory(cli) -> None:
    doc = _budget(cli, "10000USD", "--arch", "llama-2-7b", "-H", "h100-sxm", "--devices", "8")
    est = doc["estimate"]
    # Independent: the tokens are the compute over the model FLOPs per token (checked in
    # test_arch.py against PaLM App. B); here that budget and estimate agree on both.
    per_token = est["workload"]["flops_per_token"]["model"]
    tokens = doc["flops"] / per_token
    note = next(n for n in doc["notes"] if n.startswith("tokens: "))
    assert f"{tokens / 1e9:.4g}B tokens" in note
    again = _estimate(cli, repr(doc["flops"]), "--arch", "llama-2-7b", "-H", "h100-sxm",
                      "--devices", "8")  # fmt: skip
    assert est["memory"]["per_device_bytes"] == again["memory"]["per_device_bytes"]


def test_budget_deadline_needs_enough_devices_to_hold_the_shape(cli) -> None:
    # 1e18 FLOP finishes in a day on one H100, but Llama 2 7B's 16 B/param of training
    # state (6.74B params: 108 GB) does not fit in 80 GB; split by ZeRO-3 over 2 it does.
    doc = _budget(cli, "1day", "--flops", "1e18", "--arch", "llama-2-7b", "--zero", "3",
                  "-H", "h100-sxm")  # fmt: skip
    assert doc["devices_needed"] == 2
    plain = _budget(cli, "1day", "--flops", "1e18", "-H", "h100-sxm")
    assert plain["devices_needed"] == 1
    assert any("memory per device needs 2" in n for n in doc["notes"])


def test_scale_with_arch_counts_tokens_of_the_scaled_compute(cli) -> None:
    r = cli("scale", "1e22", "--improvement", "2", "--exponent", "1", "--arch", "llama-2-7b",
            "-f", "json")  # fmt: skip
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    text = json.dumps(doc)
    assert "trains llama-2-7b on" in text and "memory" in text


@pytest.mark.parametrize(
    "command", [["budget", "1000USD"], ["scale", "1e22", "--improvement", "2"]]
)
def test_budget_and_scale_refuse_bad_shape_inputs(cli, command) -> None:
    err = _error(cli, *command, "--arch", "llama-2-7b", "--tp", "5")
    assert "--tp" in err and "32" in err
    err = _error(cli, *command, "--arch", "llama-2-7bb")
    assert "--arch" in err


# -- the shape's layout as config defaults ------------------------------------------------


def _project(text: str) -> None:
    from pathlib import Path

    (Path.cwd() / "costcalc.yaml").write_text(text, encoding="utf-8")


def test_config_arch_and_zero_apply_to_estimate_sweep_and_budget(cli) -> None:
    _project("defaults:\n  arch: llama-2-7b\n  zero: 3\n  hardware: h100-sxm\n")
    est = _estimate(cli, "--tokens", "1T", "--devices", "8")
    assert est["memory"]["layout"]["zero"] == 3
    zero = est["assumptions"]["zero"]
    assert "costcalc.yaml:3" in zero["source"]
    r = cli("sweep", "--tokens", "1T", "--devices", "8", "-f", "jsonl")
    assert r.code == 0, r.err
    (row,) = [json.loads(x) for x in r.out.splitlines()]
    assert row["arch"] == "llama-2-7b" and row["zero"] == 3
    assert row["flops"] == est["flops"]
    assert row["cost_usd"] == pytest.approx(est["cost_usd"], rel=1e-11)  # 12 digits
    assert row["per_device_gb"] * 1e9 == pytest.approx(est["memory"]["per_device_bytes"])
    doc = _budget(cli, "1000USD", "--devices", "8")
    assert any(n.startswith("tokens: ") and "llama-2-7b" in n for n in doc["notes"])


def test_config_layout_without_an_architecture_leaves_a_plain_estimate(cli) -> None:
    _project("defaults:\n  zero: 3\n  tp: 2\n  recompute: full\n")
    est = _estimate(cli, "1e22")
    assert "memory" not in est and "workload" not in est
    r = cli("sweep", "1e20,1e21", "-f", "jsonl")
    assert r.code == 0, r.err
    with_arch = _estimate(cli, "1e22", "--arch", "llama-2-7b", "--devices", "2")
    assert with_arch["memory"]["layout"]["tp"] == 2
    assert with_arch["workload"]["recompute"] == "full"


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("defaults:\n  arch: llama-2-7bb\n", "costcalc.yaml:2: defaults.arch"),
        ("defaults:\n  recompute: sometimes\n", "costcalc.yaml:2: defaults.recompute"),
        ("defaults:\n  zero: lots\n", "costcalc.yaml:2: defaults.zero"),
    ],
)
def test_bad_config_layout_names_the_file_and_line(cli, text, what) -> None:
    _project(text)
    err = _error(cli, "estimate", "1e22")
    assert what in err, err


def test_sweep_notes_config_layout_it_does_not_apply(cli) -> None:
    _project("defaults:\n  arch: llama-2-7b\n  tp: 2\n")
    r = cli("sweep", "--tokens", "1T", "--devices", "8", "-f", "json")
    assert r.code == 0, r.err
    assert "not applied: tp 2 (costcalc.yaml:3" in r.out


def test_arch_all_is_every_architecture_and_zip_pairs_arch_with_seq_len(cli) -> None:
    listed = [line.split()[0] for line in cli("arch", "list").out.splitlines()[1:-1]]
    result = sweeps.sweep(arch="all", tokens="1T")
    assert sorted(result["arch"]) == sorted(listed) and len(listed) >= 12
    err = _error(cli, "sweep", "--arch", "all,llama-2-7b", "--tokens", "1T")
    assert "--arch" in err
    zipped = sweeps.sweep(arch="llama-2-7b,llama-2-13b", seq_len="1024,8192", tokens="1T", zip=True)
    assert [(a, s) for a, s in zip(zipped["arch"], zipped["seq_len"], strict=True)] == [
        ("llama-2-7b", 1024.0),
        ("llama-2-13b", 8192.0),
    ]
    for arch, seq in (("llama-2-7b", "1024"), ("llama-2-13b", "8192")):
        est = _estimate(cli, "--arch", arch, "--seq-len", seq, "--tokens", "1T")
        row = list(zipped["arch"]).index(arch)
        assert zipped["flops"][row] == est["flops"]
