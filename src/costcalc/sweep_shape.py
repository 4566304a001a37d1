"""Model shapes as sweep axes: ``--arch`` (text), ``--seq-len``, ``--zero`` and ``--tokens``.

The arithmetic is :mod:`costcalc.shapes`, called once per architecture over the array of
swept sequence lengths (a few calls, not one per scenario); the results are tables indexed
by (architecture, sequence length). Each chunk of scenarios then looks its values up and
divides the model states by the data-parallel ranks that its ZeRO stage splits them over,
in the same floating-point operations as ``estimate`` (so a sweep row equals the estimate
of the same inputs). The layout other than ZeRO is the estimate's default: no tensor or
pipeline parallelism, one sequence per micro-batch, selective recomputation, full training.

No I/O here; :mod:`costcalc.sweeps` calls :func:`build` and :func:`apply`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from costcalc import shapes
from costcalc.errors import InputError, ref
from costcalc.results import Assumption

# Output columns a shape adds (after the estimate's outputs): memory per device in GB,
# and whether it fits the hardware's memory (1 = fits, 0 = does not; empty when the
# profile has no memory size).
OUTPUTS = {"per_device_gb": ("memory", "GB"), "fits": ("number", "")}
SHAPE_INPUTS = ("arch", "seq_len", "zero", "tokens")
GB = 1e9


@dataclass(frozen=True)
class Tables:
    """Per (architecture, sequence length): model FLOPs per token and memory per device
    by part at dp = 1 and ZeRO-0 (the states are divided per scenario)."""

    names: tuple[str, ...]
    seq_lens: Any  # (n_arch, n_seq) the sequence length of each cell
    flops_per_token: Any  # (n_arch, n_seq)
    weights: Any  # (n_arch, n_seq) bytes per device, before ZeRO's division
    gradients: Any
    optimizer: Any
    activations: Any
    logits: Any
    tokens_mode: bool  # FLOPs are flops_per_token x tokens (else the work as given)


def _whole_values(name: str, values: Any, low: int, high: int | None = None) -> Any:
    import numpy as np

    bad = [v for v in values.tolist() if not float(v).is_integer() or v < low]
    if high is not None:
        bad += [v for v in values.tolist() if v > high]
    if bad:
        expected = f"{low}, 1, 2 or {high}" if high is not None else f"whole numbers >= {low}"
        raise InputError(f"expected {expected}, got {bad[0]:g}", input=name)
    return np.asarray(values, dtype=float)


def build(
    given: dict[str, Any], numeric: dict[str, Any], work_given: Sequence[str]
) -> tuple[Tables, list[Assumption], list[str]]:
    """The tables for the architectures of ``given['arch']`` at the sequence lengths of
    ``numeric['seq_len']`` (each architecture's own when not given), with the assumptions
    and notes of the layout. ``numeric`` holds the numeric axes (base units) and is
    updated in place (whole-number checks)."""
    import numpy as np

    from costcalc import workload_shape as ws

    names = [str(v).strip() for v in _split(given["arch"])]
    if any(n.lower() == "all" for n in names):  # every architecture, as --hardware all
        if len(names) > 1:
            raise InputError("'all' cannot be combined with other architectures", input="arch")
        names = sorted({d["name"] for d in ws.architectures()})
    docs = [ws.find(n) for n in names]
    shapes_ = [d["_shape"] for d in docs]
    canonical = tuple(d["name"] for d in docs)
    if len(set(canonical)) != len(canonical):
        raise InputError(f"an architecture is named twice: {', '.join(names)}", input="arch")
    if "tokens" in numeric and work_given:
        raise InputError(
            f"give the compute once: {ref('work')} (or {ref('device_hours')}, {ref('duration')}), "
            f"or {ref('arch')} with {ref('tokens')}",
            input="tokens",
        )
    if "seq_len" in numeric:
        numeric["seq_len"] = _whole_values("seq_len", numeric["seq_len"], 1)
        if numeric["seq_len"].max() > ws.MAX_WHOLE:
            raise InputError(f"expected at most {ws.MAX_WHOLE:.0e} tokens", input="seq_len")
    if "zero" in numeric:
        numeric["zero"] = _whole_values("zero", numeric["zero"], 0, 3)
    seqs = numeric.get("seq_len")
    n_seq = 1 if seqs is None else len(seqs)
    cells = {k: np.empty((len(docs), n_seq)) for k in (*shapes.Memory.__annotations__, "f", "s")}
    recompute = ws.DEFAULT_RECOMPUTE
    for i, (doc, shape) in enumerate(zip(docs, shapes_, strict=True)):
        causal = doc.get("kind", "decoder") == "decoder"
        lens = np.array([shape.seq_len], dtype=float) if seqs is None else seqs
        if shape.learned_positions:  # the position table grows with seq_len: one by one
            per = [_cell(replace_seq(shape, int(s)), int(s), causal, recompute) for s in lens]
        else:  # one call over the array of sequence lengths
            per = [_cell(shape, lens, causal, recompute)]
        for key in cells:
            cells[key][i] = (
                np.concatenate([np.broadcast_to(p[key], np.shape(p[key]) or (1,)) for p in per])
                if len(per) > 1
                else np.broadcast_to(per[0][key], (n_seq,))
            )
    tables = Tables(
        canonical,
        cells["s"],
        cells["f"],
        cells["weights"],
        cells["gradients"],
        cells["optimizer"],
        cells["activations"],
        cells["logits"],
        "tokens" in numeric,
    )
    assumptions = [
        Assumption(
            name,
            float(value) if name != "recompute" else 0.0,
            "",
            str(value),
            ws.DEFAULT_SOURCES[name],
            "default",
        )
        for name, value in (
            ("recompute", recompute),
            ("tp", 1),
            ("pp", 1),
            ("micro_batch", 1),
        )
    ]
    if "zero" not in numeric:
        assumptions.append(Assumption("zero", 1.0, "", "1", ws.DEFAULT_SOURCES["zero"], "default"))
    notes = [
        "shape: FLOPs per token from the architecture at the sequence length ("
        + ws.FLOPS_SOURCE
        + "); memory per device "
        + ws.MEMORY_SOURCE
        + "; per_device_gb and fits (1 fits, 0 does not) at dp = devices"
    ]
    if "tokens" not in numeric:
        notes.append("shape: FLOPs are the work given; the shape gives the memory only")
    return tables, assumptions, notes


def replace_seq(shape: shapes.Shape, seq_len: int) -> shapes.Shape:
    from dataclasses import replace

    return replace(shape, seq_len=seq_len)


def _cell(shape: shapes.Shape, seq_len: Any, causal: bool, recompute: str) -> dict[str, Any]:
    """FLOPs per token and memory by part at dp = 1, ZeRO-0, as the estimate computes them."""
    try:
        f = shapes.flops_per_token(shape, seq_len, causal=causal, recompute=recompute)
        m = shapes.finetune_memory_per_device(
            shape,
            method="full",
            rank=16,
            seq_len=seq_len,
            dp=1,
            recompute=recompute,
            tp=1,
            pp=1,
            zero=0,
            micro_batch=1,
        )
    except shapes.ShapeError as e:
        raise InputError(str(e), input="arch") from None
    out = {k: getattr(m, k) for k in shapes.Memory.__annotations__}
    out["f"] = f.model
    out["s"] = seq_len
    return out


def _split(value: Any) -> list[Any]:
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",")]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        items = [value]
    if not items or any(not str(v).strip() for v in items):
        raise InputError(f"empty value in {value!r}; expected a list like a,b,c", input="arch")
    return items


def _index(params: dict[str, Any], key: str) -> Any:
    import numpy as np

    value = params.get(key, 0.0)
    return np.asarray(value).astype(np.intp)


def apply(tables: Tables, params: dict[str, Any]) -> dict[str, Any]:
    """Set ``params['flops']`` (tokens mode) and return the shape's output columns for
    the scenarios of ``params`` (arrays that broadcast against each other)."""
    import numpy as np

    a, s = _index(params, "arch_code"), _index(params, "seq_code")
    if tables.tokens_mode:
        params["flops"] = tables.flops_per_token[a, s] * params["tokens"]
    zero = np.asarray(params.get("zero", 1.0))
    dp = np.asarray(params["devices"], dtype=float)
    one = 1.0
    total = (
        tables.weights[a, s] / np.where(zero >= 3, dp, one)
        + tables.gradients[a, s] / np.where(zero >= 2, dp, one)
        + tables.optimizer[a, s] / np.where(zero >= 1, dp, one)
        + tables.activations[a, s]
        + tables.logits[a, s]
    )
    memory = params.get("memory_bytes", np.nan)
    with np.errstate(invalid="ignore"):
        fits = np.where(np.isnan(memory), np.nan, (total <= memory).astype(float))
    return {"per_device_gb": total / GB, "fits": fits}


def flops_range(tables: Tables, tokens: tuple[float, float] | float) -> tuple[float, float]:
    """The smallest and largest FLOPs of the grid (for the overflow check)."""
    lo, hi = tokens if isinstance(tokens, tuple) else (tokens, tokens)
    return float(tables.flops_per_token.min() * lo), float(tables.flops_per_token.max() * hi)
