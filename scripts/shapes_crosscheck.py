"""Compares costcalc.shapes with llm-analysis 0.2.2's summaries (from shapes_crosscheck.sh).

Usage: .venv/bin/python scripts/shapes_crosscheck.py /tmp/xcheck  -> a Markdown table.
"like-for-like" feeds costcalc the shape llm-analysis used (its bundled model config, its
2-matrix 4h-equivalent FFN, its 4-byte gradients); "catalogue" uses architectures/*.yaml.
"""

from __future__ import annotations

import glob
import json
import sys
from pathlib import Path

from costcalc.shapes import Shape, flops_per_token, load_architectures, memory_per_device

ROOT = Path(__file__).resolve().parents[1]
CAT = load_architectures(ROOT / "architectures")
# The shapes llm-analysis 0.2.2 reads from its bundled model_configs/*.json.
LLMA = {
    "megatron-lm-175b": Shape(
        layers=96, d_model=12288, heads=96, ffn=49152, vocab=50272, tied_embeddings=True
    ),
    "NousResearch_Llama-2-7b-hf": Shape(
        layers=32, d_model=4096, heads=32, ffn=16384, vocab=32000, tied_embeddings=True
    ),
    "upstage_Llama-2-70b-instruct-v2": Shape(
        layers=80, d_model=8192, heads=64, kv_heads=8, ffn=32768, vocab=32000, tied_embeddings=True
    ),
}
CASES = {  # suffix: (llm-analysis model, catalogue name, seq, tp, pp, dp, zero, recompute)
    "gpt3-none": ("megatron-lm-175b", "gpt-3-175b", 2048, 8, 8, 1, 0, "none"),
    "gpt3-selective": ("megatron-lm-175b", "gpt-3-175b", 2048, 8, 8, 1, 0, "selective"),
    "gpt3-full": ("megatron-lm-175b", "gpt-3-175b", 2048, 8, 8, 1, 0, "full"),
    "l7-selective": ("NousResearch_Llama-2-7b-hf", "llama-2-7b", 4096, 1, 1, 8, 3, "selective"),
    "l7-full": ("NousResearch_Llama-2-7b-hf", "llama-2-7b", 4096, 1, 1, 8, 3, "full"),
    "l70-selective": (
        "upstage_Llama-2-70b-instruct-v2",
        "llama-2-70b",
        4096,
        8,
        4,
        2,
        1,
        "selective",
    ),
    "l70-full": ("upstage_Llama-2-70b-instruct-v2", "llama-2-70b", 4096, 8, 4, 2, 1, "full"),
}
G = 1e9


def mine(s: Shape, seq: int, tp: int, pp: int, dp: int, zero: int, rc: str, grad: float):
    f = flops_per_token(s, seq, causal=False, recompute=rc)
    fc = flops_per_token(s, seq, causal=True, recompute=rc)
    m = memory_per_device(
        s, seq_len=seq, micro_batch=1, tp=tp, pp=pp, dp=dp, zero=zero, recompute=rc, grad_bytes=grad
    )
    return f, fc, m


def main(folder: str) -> None:
    print(
        "| case | layout | llm-analysis FLOPs/token (HFU) | costcalc like-for-like | "
        "costcalc catalogue (non-causal / causal, MFU) | llm-analysis states+acts GB/GPU | "
        "costcalc like-for-like GB | costcalc catalogue GB (16 B/param) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for suffix, (model, arch, seq, tp, pp, dp, zero, rc) in CASES.items():
        (path,) = glob.glob(f"{folder}/{model}-*_{suffix}-summary.json")
        d = json.loads(Path(path).read_text())
        la_flops = d["num_flops_total_per_micro_batch"] / seq
        la_mem = (
            d["weight_memory_per_gpu"]
            + d["gradient_memory_per_gpu"]
            + d["optimizer_state_memory_per_gpu"]
            + d["activation_memory_per_gpu"]
        )
        like = LLMA[model]
        f1, _, m1 = mine(like, seq, tp, pp, dp, zero, rc, grad=4.0)
        cat = CAT[arch]["_shape"]
        f2, f2c, m2 = mine(cat, seq, tp, pp, dp, zero, rc, grad=2.0)
        print(
            f"| {arch} {rc} | s={seq} tp={tp} pp={pp} dp={dp} ZeRO-{zero} b=1 | "
            f"{la_flops / G:,.1f} G | "
            f"{f1.hardware / G:,.1f} G ({f1.hardware / la_flops - 1:+.1%}) | "
            f"{f2.model / G:,.1f} / {f2c.model / G:,.1f} G (HFU {f2.hardware / G:,.1f}) | "
            f"{la_mem / G:.2f} | {m1.total / G:.2f} ({m1.total / la_mem - 1:+.1%}) | "
            f"{m2.total / G:.2f} |"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/xcheck")
