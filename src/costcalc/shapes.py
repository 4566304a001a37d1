"""Transformer workloads from the model's shape: parameters, training FLOPs per token and
memory per device. Pure arithmetic on plain ints and floats (no numpy, pint, typer, rich).

Sources of the formulas (each function's docstring names the one it follows):

- Kaplan et al. 2020, "Scaling Laws for Neural Language Models", Table 1: C ~ 6N per token
  (2N forward, 4N backward) for N non-embedding parameters, attention term 2 n_layer n_ctx
  d_attn per token forward.
- Narayanan et al. 2021, "Efficient Large-Scale Language Model Training on GPU Clusters
  Using Megatron-LM", Sec. 5.1: F = 72 B s L h^2 (1 + s/(6h) + V/(12 h L)) per iteration
  *with* full activation recomputation counted as 96 B s L h^2 (...); without
  recomputation the same count with 72 (3 passes: forward, backward = 2 x forward).
- Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer
  Models", Sec. 4 (Table 2): activation bytes per layer s b h (34 + 5 a s / h), with
  tensor + sequence parallelism s b h (34/t + 5 a s/(h t)), selective recomputation
  s b h (34/t), full recomputation 2 s b h; Sec. 6 / App.: model FLOPs vs hardware FLOPs.
- Chowdhery et al. 2022 (PaLM), App. B: model FLOPs utilisation (MFU) counts 6N + 12 L H Q T
  per token and never the recomputation; hardware FLOPs utilisation (HFU) adds it.
- Rajbhandari et al. 2020 (ZeRO), Sec. 3.1 / 5: mixed-precision Adam keeps 2 bytes of fp16
  weights, 2 of fp16 gradients and K = 12 of fp32 master weights, momentum and variance per
  parameter; stages 1/2/3 partition the optimizer states / + gradients / + weights over the
  data-parallel ranks.
- Hu et al. 2021 (LoRA) and Dettmers et al. 2023 (QLoRA, Sec. 3: 4-bit NF4 with double
  quantisation, 0.127 bits of quantisation constants per parameter).

Conventions: a "token" is one position of one training sequence; FLOPs count a multiply and
an add as 2; bytes are plain bytes (not GiB). ``flops_per_token`` and ``memory_per_device``
also take numpy arrays for ``seq_len``, ``micro_batch`` and ``dp`` (one shape, many
sequence lengths and layouts at once; bench/bench_arch.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

FFN_MATRICES = {"gelu": 2, "relu": 2, "swiglu": 3, "geglu": 3}
RECOMPUTE = ("none", "selective", "full")


class ShapeError(ValueError):
    """A shape that contradicts itself (names both values in its message)."""


def _any_below(x: Any, low: float) -> bool:
    """``x < low`` for a number, or for any element of a numpy array (the functions below
    take arrays of sequence lengths, micro-batches and data-parallel sizes too)."""
    below = x < low
    return bool(below.any()) if hasattr(below, "any") else bool(below)


@dataclass(frozen=True)
class Shape:
    """The shape of a (decoder, encoder or encoder-decoder) transformer.

    ``layers`` is the main stack (the decoder of an encoder-decoder model);
    ``encoder_layers`` > 0 adds an encoder stack of the same width whose decoder layers
    then carry cross-attention (T5). ``experts`` > 1 makes every layer after the first
    ``dense_layers`` a mixture of experts with ``top_k`` routed and ``shared_experts``
    always-on experts of width ``moe_ffn`` (default ``ffn``). ``q_lora_rank`` /
    ``kv_lora_rank`` > 0 switch attention to DeepSeek's multi-head latent attention (MLA).
    """

    layers: int
    d_model: int
    heads: int
    ffn: int
    vocab: int
    kv_heads: int = 0  # 0: = heads (multi-head attention)
    head_dim: int = 0  # 0: d_model // heads
    ffn_kind: str = "gelu"
    seq_len: int = 2048
    tied_embeddings: bool = False
    learned_positions: bool = False  # absolute position table of seq_len x d_model
    experts: int = 0
    top_k: int = 0
    shared_experts: int = 0
    moe_ffn: int = 0  # 0: = ffn
    dense_layers: int = 0  # leading layers with a dense FFN in an MoE model
    encoder_layers: int = 0
    q_lora_rank: int = 0
    kv_lora_rank: int = 0
    qk_rope_head_dim: int = 0
    v_head_dim: int = 0  # MLA only; 0: = head_dim
    name: str = ""

    def __post_init__(self) -> None:
        for f in ("layers", "d_model", "heads", "ffn", "vocab"):
            if int(getattr(self, f)) < 1:
                raise ShapeError(f"{f}: expected a whole number >= 1, got {getattr(self, f)!r}")
        if self.ffn_kind not in FFN_MATRICES:
            raise ShapeError(
                f"ffn_kind: expected one of {', '.join(FFN_MATRICES)}, got {self.ffn_kind!r}"
            )
        if not self.head_dim and self.d_model % self.heads:
            raise ShapeError(
                f"heads {self.heads} do not divide d_model {self.d_model} "
                "(for heads not d_model/heads wide, describe the model in an architecture "
                "file with its head_dim: see 'costcalc arch --help')"
            )
        kv = self.kv_heads or self.heads
        if kv > self.heads or self.heads % kv:
            raise ShapeError(f"kv_heads {kv} must divide heads {self.heads}")
        if self.experts > 1:
            if not 1 <= self.top_k <= self.experts:
                raise ShapeError(f"top_k {self.top_k} must be between 1 and experts {self.experts}")
            if self.dense_layers > self.layers:
                raise ShapeError(f"dense_layers {self.dense_layers} exceed layers {self.layers}")
        elif self.top_k > 1:
            raise ShapeError(f"top_k {self.top_k} given for a dense model (experts {self.experts})")

    # --- derived sizes -------------------------------------------------------------------
    @property
    def hd(self) -> int:
        """Width of one attention head (query/key; the value head for MHA/GQA)."""
        return self.head_dim or self.d_model // self.heads

    @property
    def n_kv(self) -> int:
        return self.kv_heads or self.heads

    @property
    def mla(self) -> bool:
        return self.kv_lora_rank > 0

    @property
    def is_moe(self) -> bool:
        return self.experts > 1

    @property
    def moe_layers(self) -> int:
        return self.layers - self.dense_layers if self.is_moe else 0

    @property
    def qk_dim(self) -> int:
        """Width of one query/key head as it enters Q K^T (MLA: nope + rope parts)."""
        return self.hd + self.qk_rope_head_dim if self.mla else self.hd

    @property
    def v_dim(self) -> int:
        return (self.v_head_dim or self.hd) if self.mla else self.hd


def _attention_matmul_params(s: Shape) -> int:
    """Weights of one self-attention block's projections (no biases, no norms)."""
    d, h = s.d_model, s.heads
    if s.mla:
        # DeepSeek-V2/V3 MLA: q = W_uq(norm(W_dq x)) (or W_q x), [c_kv, k_rope] = W_dkv x,
        # [k_nope, v] = W_ukv(norm(c_kv)), out = W_o v.
        q = (
            (d * s.q_lora_rank + s.q_lora_rank * h * s.qk_dim)
            if s.q_lora_rank
            else d * h * s.qk_dim
        )
        kv = d * (s.kv_lora_rank + s.qk_rope_head_dim) + s.kv_lora_rank * h * (s.hd + s.v_dim)
        return q + kv + h * s.v_dim * d
    return d * h * s.hd + 2 * d * s.n_kv * s.hd + h * s.hd * d


def _ffn_params(s: Shape, width: int) -> int:
    return FFN_MATRICES[s.ffn_kind] * s.d_model * width


def _norm_bias_params(s: Shape) -> int:
    """Small vectors per layer: two norms of d_model (biases and gains ignored beyond this)."""
    return 2 * s.d_model


@dataclass(frozen=True)
class Params:
    """Parameter counts. ``matmul_*`` are the weights that take part in per-token
    matrix multiplies (all but the input embedding lookup and norms)."""

    total: int
    active: int
    embedding: int  # input token embedding (+ learned positions)
    output: int  # the unembedding (0 when tied to the input embedding)
    matmul_total: int  # per-layer matmul weights of all experts (no embeddings)
    matmul_active: int  # per-layer matmul weights one token meets (no embeddings)
    norms: int

    @property
    def non_embedding(self) -> int:
        """Kaplan et al. 2020's N: parameters other than the embeddings."""
        return self.total - self.embedding - self.output


def params(s: Shape) -> Params:
    """Total and active parameter counts from the shape.

    Per layer: attention projections (MHA/GQA: d·h·hd + 2·d·kv·hd + h·hd·d; MLA: the
    low-rank q and kv paths), the FFN (2 or 3 matrices of d × ffn), for MoE layers
    ``experts + shared`` FFNs of width ``moe_ffn`` plus a router of d × experts, of which a
    token meets ``top_k + shared``; decoder layers of an encoder-decoder model add a
    cross-attention block. Embeddings: vocab × d (twice unless tied) plus a learned
    position table when there is one. Norm gains count 2·d per layer; biases are ignored
    (< 0.1 % for the models in the catalogue).
    """
    attn = _attention_matmul_params(s)
    dense_ffn = _ffn_params(s, s.ffn)
    matmul_total = matmul_active = 0
    if s.is_moe:
        expert = _ffn_params(s, s.moe_ffn or s.ffn)
        router = s.d_model * s.experts
        moe_total = attn + (s.experts + s.shared_experts) * expert + router
        moe_active = attn + (s.top_k + s.shared_experts) * expert + router
        dense = attn + dense_ffn
        matmul_total = s.dense_layers * dense + s.moe_layers * moe_total
        matmul_active = s.dense_layers * dense + s.moe_layers * moe_active
    else:
        matmul_total = matmul_active = s.layers * (attn + dense_ffn)
    if s.encoder_layers:
        cross = s.layers * attn  # decoder cross-attention
        enc = s.encoder_layers * (attn + dense_ffn)
        matmul_total += cross + enc
        matmul_active += cross + enc
    norms = (s.layers + s.encoder_layers) * _norm_bias_params(s) + s.d_model
    norms += s.layers * s.d_model if s.encoder_layers else 0
    embedding = s.vocab * s.d_model + (s.seq_len * s.d_model if s.learned_positions else 0)
    output = 0 if s.tied_embeddings else s.vocab * s.d_model
    total = matmul_total + embedding + output + norms
    active = matmul_active + embedding + output + norms
    return Params(total, active, embedding, output, matmul_total, matmul_active, norms)


@dataclass(frozen=True)
class Flops:
    """Training FLOPs per token, by part. ``model`` is what MFU counts; ``hardware`` adds the
    recomputed forward passes (HFU)."""

    dense: float  # attention projections + dense FFNs (+ router), forward + backward
    attention: float  # Q K^T and (softmax) V at the sequence length
    logits: float  # unembedding matmul (the input embedding lookup costs no FLOPs)
    moe: float  # the active experts' FFNs
    recompute: float  # extra forward FLOPs for recomputation (0 for "none")

    @property
    def model(self) -> float:
        return self.dense + self.attention + self.logits + self.moe

    @property
    def hardware(self) -> float:
        return self.model + self.recompute


def _attention_fwd_per_token(s: Shape, seq_len: int, causal: bool) -> float:
    """Forward FLOPs per token of Q K^T and A V, all layers: 2·s·heads·(qk + v) per layer
    (Kaplan et al. 2020 Table 1: 2 n_ctx d_attn for each of the two products), halved when
    causal (only the lower triangle is computed by a causal kernel). Cross-attention in
    an encoder-decoder attends over ``seq_len`` too."""
    per_layer = 2.0 * seq_len * s.heads * (s.qk_dim + s.v_dim)
    if causal:
        per_layer /= 2.0
    enc = 0.0
    if s.encoder_layers:
        enc = s.encoder_layers * 2.0 * seq_len * s.heads * (s.qk_dim + s.v_dim)
        enc += s.layers * 2.0 * seq_len * s.heads * (s.qk_dim + s.v_dim)  # cross
    return s.layers * per_layer + enc


def flops_per_token(
    s: Shape, seq_len: int, *, causal: bool = True, recompute: str = "none"
) -> Flops:
    """Training FLOPs per token, by part.

    Every matmul with a weight costs 2 FLOPs per weight per token forward and 4 backward
    (gradients with respect to the input and to the weight): 6 × weights (Kaplan et al.
    2020; Narayanan et al. 2021 Sec. 5.1). Attention scores and values have no weights and
    cost 2·s·(heads·head_dim) each forward, 3× that for training: 12·s·h per layer and
    token for MHA (Narayanan et al.'s s/(6h) term; PaLM App. B's 12·L·H·Q·T), halved when
    ``causal``. For GPT-3-like models, with causal=False this reproduces Narayanan et al.'s
    72·L·h²·(1 + s/(6h) + V/(12·h·L)) per token exactly (up to the biases and norms).

    Recomputation (Korthikanti et al. 2022; HFU vs MFU in PaLM App. B) adds forward work
    that MFU never counts: ``selective`` recomputes the attention scores and values
    (1/3 of the attention term), ``full`` recomputes each layer's whole forward pass
    (1/3 of dense + attention + MoE; the logits are not recomputed).
    """
    if recompute not in RECOMPUTE:
        raise ShapeError(f"recompute: expected one of {', '.join(RECOMPUTE)}, got {recompute!r}")
    if _any_below(seq_len, 1):
        raise ShapeError(f"seq_len: expected a whole number >= 1, got {seq_len!r}")
    p = params(s)
    moe_part = 0.0
    if s.is_moe:
        expert = _ffn_params(s, s.moe_ffn or s.ffn)
        moe_part = 6.0 * s.moe_layers * (s.top_k + s.shared_experts) * expert
    dense = 6.0 * p.matmul_active - moe_part
    attention = 3.0 * _attention_fwd_per_token(s, seq_len, causal)
    logits = 6.0 * s.vocab * s.d_model
    extra = 0.0
    if recompute == "selective":
        extra = attention / 3.0
    elif recompute == "full":
        extra = (dense + attention + moe_part) / 3.0
    return Flops(dense=dense, attention=attention, logits=logits, moe=moe_part, recompute=extra)


def six_n(s: Shape) -> float:
    """Kaplan et al. 2020's C per token: 6 × non-embedding parameters (active, for MoE)."""
    p = params(s)
    return 6.0 * (p.active - p.embedding - p.output)


# --- memory ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Memory:
    """Bytes per device, by part (the busiest device: the first pipeline stage)."""

    weights: float
    gradients: float
    optimizer: float
    activations: float
    logits: float

    @property
    def total(self) -> float:
        return self.weights + self.gradients + self.optimizer + self.activations + self.logits


def activation_bytes_per_layer(
    s: Shape,
    *,
    seq_len: int,
    micro_batch: int,
    tp: int = 1,
    recompute: str = "none",
    sequence_parallel: bool = True,
) -> float:
    """Activation bytes one layer keeps for the backward pass (16-bit activations, 1-byte
    dropout masks), after Korthikanti et al. 2022 Sec. 4.1-4.2, Table 2.

    For a GPT layer (MHA, 2-matrix FFN of 4h) this is exactly their s·b·h·(34 + 5·a·s/h):
    attention 11·sbh + 5·a·s²·b (QKV input 2, Q and K 4, V 2, out-projection input 2,
    dropout mask 1; softmax output 2·as²b, its dropout mask as²b and output 2·as²b),
    FFN 19·sbh (input 2, activation input 8, output 8, mask 1), norms 4·sbh. Generalised
    here: K and V take 2·sb·kv·hd each, a 2-matrix FFN 4·sbf (+ 3·sbh), a 3-matrix one
    6·sbf (+ 3·sbh). Tensor parallelism divides it by ``tp`` (with sequence parallelism;
    without it 10·sbh stay replicated: s·b·h·(10 + 24/t + 5as/(ht))). ``selective``
    recomputation drops the 5·a·s²·b term (34/t); ``full`` keeps only the layer input
    2·sbh (divided by ``tp`` with sequence parallelism).
    """
    sb = 1.0 * seq_len * micro_batch  # a float, or an array of them
    h = s.d_model
    if recompute == "full":
        return 2.0 * sb * h / (tp if sequence_parallel else 1)
    q = s.heads * s.qk_dim
    kv = s.n_kv * (s.qk_dim + s.v_dim) if not s.mla else s.heads * (s.qk_dim + s.v_dim)
    out_in = s.heads * s.v_dim
    # attention, linear parts: QKV input 2h, Q 2q, K+V 2kv, out-proj input 2*out_in, mask h
    attn_lin = sb * (2 * h + 2 * q + 2 * kv + 2 * out_in + h)
    f = s.ffn if not s.is_moe else (s.moe_ffn or s.ffn) * (s.top_k + s.shared_experts)
    ffn_lin = sb * (2 * h + (4 if FFN_MATRICES[s.ffn_kind] == 2 else 6) * f + h)
    norms = sb * 4 * h
    replicated = sb * 10 * h  # norms 4, QKV input 2, FFN input 2, two dropout masks 2
    linear = attn_lin + ffn_lin + norms
    scores = 5.0 * s.heads * seq_len * seq_len * micro_batch
    if recompute == "selective":
        scores = 0.0
    if sequence_parallel:
        return (linear + scores) / tp
    return replicated + (linear - replicated + scores) / tp


def memory_per_device(
    s: Shape,
    *,
    seq_len: int,
    micro_batch: int = 1,
    tp: int = 1,
    pp: int = 1,
    dp: int = 1,
    zero: int = 0,
    recompute: str = "none",
    weight_bytes: float = 2.0,
    grad_bytes: float = 2.0,
    optimizer_bytes: float = 12.0,
    sequence_parallel: bool = True,
    inflight_microbatches: int | None = None,
    trainable: int | None = None,
) -> Memory:
    """Bytes per device for training with mixed-precision Adam.

    Model states (Rajbhandari et al. 2020): 2 bytes of 16-bit weights, 2 of gradients and
    12 of fp32 master weights + Adam moments per parameter, split over tp × pp; ZeRO-1
    divides the optimizer states by ``dp``, ZeRO-2 the gradients too, ZeRO-3 (FSDP) the
    weights too. ``trainable`` (LoRA) limits gradients and optimizer states to that many
    parameters. Expert parallelism is not modelled (experts are split like dense weights).

    Activations (Korthikanti et al. 2022): ``activation_bytes_per_layer`` × the layers of
    one pipeline stage (ceil(L/pp)) × the micro-batches in flight on the first stage,
    ``pp`` under 1F1B (their Sec. 4.2.3: the first stage holds L layers' worth whatever
    pp). The logits part, 4·s·b·V/t bytes of fp32 logits for the loss (their Sec. 4.3), is
    counted on a single-stage pipeline only (with pp > 1 it sits on the last stage, which
    holds fewer micro-batches).
    """
    for name, v in (("tp", tp), ("pp", pp), ("dp", dp), ("micro_batch", micro_batch)):
        if _any_below(v, 1):
            raise ShapeError(f"{name}: expected a whole number >= 1, got {v!r}")
    if zero not in (0, 1, 2, 3):
        raise ShapeError(f"zero: expected 0, 1, 2 or 3, got {zero!r}")
    if recompute not in RECOMPUTE:
        raise ShapeError(f"recompute: expected one of {', '.join(RECOMPUTE)}, got {recompute!r}")
    if s.heads % tp:
        raise ShapeError(f"tp {tp} does not divide heads {s.heads}")
    if pp > s.layers:
        raise ShapeError(f"pp {pp} exceeds layers {s.layers}")
    n = params(s).total / (tp * pp)
    t = n if trainable is None else trainable / (tp * pp)
    weights = weight_bytes * n / (dp if zero >= 3 else 1)
    grads = grad_bytes * t / (dp if zero >= 2 else 1)
    opt = optimizer_bytes * t / (dp if zero >= 1 else 1)
    per_layer = activation_bytes_per_layer(
        s,
        seq_len=seq_len,
        micro_batch=micro_batch,
        tp=tp,
        recompute=recompute,
        sequence_parallel=sequence_parallel,
    )
    stage_layers = math.ceil((s.layers + s.encoder_layers) / pp)
    inflight = pp if inflight_microbatches is None else inflight_microbatches
    acts = per_layer * stage_layers * inflight
    logits = 4.0 * seq_len * micro_batch * s.vocab / tp if pp == 1 else 0.0
    return Memory(weights, grads, opt, acts, logits)


def max_micro_batch(s: Shape, memory_bytes: float, **layout: Any) -> int:
    """The largest micro-batch whose ``memory_per_device`` fits in ``memory_bytes`` (0 when
    not even one fits). Model states do not depend on the micro-batch and activations and
    logits grow in proportion to it, so this is a division, not a search."""
    layout.pop("micro_batch", None)
    one = memory_per_device(s, micro_batch=1, **layout)
    fixed = one.weights + one.gradients + one.optimizer
    per = one.activations + one.logits
    if fixed + per > memory_bytes:
        return 0
    return int((memory_bytes - fixed) // per)


# --- fine-tuning ----------------------------------------------------------------------------
LORA_TARGETS = ("all", "attention", "qv")


def _adapted_matrices(s: Shape, targets: str) -> list[tuple[int, int]]:
    """(d_in, d_out) of the matrices one layer adapts (dense FFN; experts are not adapted)."""
    d, q, kv = s.d_model, s.heads * s.hd, s.n_kv * s.hd
    if targets == "qv":
        return [(d, q), (d, kv)]
    attn = [(d, q), (d, kv), (d, kv), (q, d)]
    if targets == "attention":
        return attn
    f = s.ffn
    ffn = [(d, f), (f, d)] + ([(d, f)] if FFN_MATRICES[s.ffn_kind] == 3 else [])
    return attn + ffn


def lora_params(s: Shape, rank: int, targets: str = "all") -> int:
    """Trainable parameters of LoRA (Hu et al. 2021): r·(d_in + d_out) per adapted matrix.
    ``all`` adapts every linear layer of each block (as QLoRA, Dettmers et al. 2023, Sec. 4),
    ``attention`` the four attention projections, ``qv`` only W_q and W_v (Hu et al.)."""
    if targets not in LORA_TARGETS:
        raise ShapeError(
            f"lora targets: expected one of {', '.join(LORA_TARGETS)}, got {targets!r}"
        )
    if rank < 1:
        raise ShapeError(f"lora rank: expected a whole number >= 1, got {rank!r}")
    per_layer = sum(rank * (a + b) for a, b in _adapted_matrices(s, targets))
    return s.layers * per_layer


def lora_flops_per_token(
    s: Shape,
    seq_len: int,
    rank: int,
    *,
    targets: str = "all",
    causal: bool = True,
    recompute: str = "none",
) -> Flops:
    """Training FLOPs per token with frozen base weights (LoRA / QLoRA).

    Frozen weights need no weight-gradient matmul: 2 forward + 2 backward (input
    gradient) = 4 per weight instead of 6, i.e. 2/3 of full training for the weight
    matmuls and logits. Attention scores and values have no weights: unchanged. The
    adapters train as usual: 6 × their parameters. QLoRA's dequantisation is not counted.
    """
    full = flops_per_token(s, seq_len, causal=causal, recompute=recompute)
    adapters = 6.0 * lora_params(s, rank, targets)
    two_thirds = 2.0 / 3.0
    return Flops(
        dense=full.dense * two_thirds + adapters,
        attention=full.attention,
        logits=full.logits * two_thirds,
        moe=full.moe * two_thirds,
        recompute=full.recompute,
    )


QLORA_WEIGHT_BYTES = (4 + 0.127) / 8  # NF4 + double-quantised constants (QLoRA Sec. 3)


def finetune_memory_per_device(
    s: Shape, *, method: str, rank: int, targets: str = "all", **kw: Any
) -> Memory:
    """Memory per device for ``full``, ``lora`` (16-bit frozen base) or ``qlora`` (4-bit
    NF4 base, QLORA_WEIGHT_BYTES per weight) fine-tuning: gradients and Adam states only
    for the adapters (stored like the rest: 2 + 12 bytes), adapter weights 2 bytes each."""
    if method == "full":
        return memory_per_device(s, **kw)
    if method not in ("lora", "qlora"):
        raise ShapeError(f"finetune: expected full, lora or qlora, got {method!r}")
    base_bytes = QLORA_WEIGHT_BYTES if method == "qlora" else 2.0
    trainable = lora_params(s, rank, targets)
    m = memory_per_device(s, weight_bytes=base_bytes, trainable=trainable, **kw)
    tp, pp = kw.get("tp", 1), kw.get("pp", 1)
    return Memory(
        weights=m.weights + 2.0 * trainable / (tp * pp),
        gradients=m.gradients,
        optimizer=m.optimizer,
        activations=m.activations,
        logits=m.logits,
    )


# --- catalogue ------------------------------------------------------------------------------
_SHAPE_FIELDS = {f.name for f in fields(Shape)}
_YAML_TO_SHAPE = {"max_seq_len": "seq_len", "training_seq_len": "seq_len"}


def shape_from_mapping(doc: Mapping[str, Any]) -> Shape:
    """A Shape from one catalogue entry (its ``shape`` mapping, extra keys ignored)."""
    raw = doc.get("shape", doc)
    kw: dict[str, Any] = {}
    for key, value in raw.items():
        k = _YAML_TO_SHAPE.get(key, key)
        if k in _SHAPE_FIELDS and k != "name":
            kw[k] = value
    return Shape(name=str(doc.get("name", "")), **kw)


def load_architectures(directory: Path | str) -> dict[str, dict[str, Any]]:
    """Every ``*.yaml`` in ``directory``: name -> the parsed document, with ``Shape`` under
    the key ``"_shape"``. Aliases map to the same document."""
    import yaml  # lazy: the CLI's start-up path stays light

    out: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        with open(path, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
        if not isinstance(doc, dict) or "name" not in doc:
            raise ShapeError(f"{path}: expected a mapping with a name")
        try:
            doc["_shape"] = shape_from_mapping(doc)
        except (ShapeError, TypeError) as exc:
            raise ShapeError(f"{path}: {exc}") from None
        for key in [doc["name"], *doc.get("aliases", [])]:
            if key in out:
                raise ShapeError(f"{path}: name {key!r} is used twice")
            out[key] = doc
    return out
