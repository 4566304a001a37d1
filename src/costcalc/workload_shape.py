"""Workloads from the model's shape: ``--arch`` (or the shape by hand) with ``--seq-len``
and ``--tokens`` become FLOPs (attention at the sequence length, MoE active experts,
fine-tuning), memory per device by part under TP/PP/DP and ZeRO, and a measured throughput
becomes the utilization it implies.

The arithmetic is :mod:`costcalc.shapes` (each formula cited there); this module reads
the user's inputs, checks that they agree, and explains what was assumed. It is called
from :func:`costcalc.workloads.resolve` when any shape input is given; the ``--params``
with ``--tokens`` path does not come here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from costcalc import shapes
from costcalc.errors import DataError, InputError, did_you_mean, given_with, ref
from costcalc.inputs import INPUTS, frozen
from costcalc.results import Assumption
from costcalc.units import factor, parse_quantity
from costcalc.workloads import Workload, bytes_text, count_text, flop_text

# The shape inputs (declared in costcalc.inputs, panel "Model").
KEYS = tuple(name for name, i in INPUTS.items() if i.panel == "Model")
# Measurements that need the model's shape (its FLOPs per token) to give a time.
MEASURED = ("throughput", "step_time", "batch_tokens")
SHAPE_FIELDS = ("layers", "d_model", "heads", "kv_heads", "ffn", "vocab", "experts", "top_k")
FINETUNE = ("full", "lora", "qlora")
MAX_WHOLE = 10**12  # a shape beyond this is no model (and keeps every float finite)
PARAMS_TOLERANCE = 0.10  # --params this far from the shape's count is a contradiction
DEFAULT_RECOMPUTE = "selective"
DEFAULTS = {"tp": 1, "pp": 1, "zero": 1, "micro_batch": 1}
DEFAULT_SOURCES = {
    "recompute": "default: selective, as Megatron-LM with FlashAttention (attention scores "
    "recomputed in the backward pass; Korthikanti et al. 2022, Sec. 4.2)",
    "zero": "default: ZeRO-1, optimizer states split over the data-parallel ranks "
    "(Rajbhandari et al. 2020; Megatron-LM's distributed optimizer)",
    "tp": "default: no tensor parallelism",
    "pp": "default: no pipeline parallelism",
    "micro_batch": "default: one sequence per micro-batch",
}
FLOPS_SOURCE = (
    "6 FLOP per weight per token (Kaplan et al. 2020; Narayanan et al. 2021 Sec. 5.1) plus "
    "attention scores and values at the sequence length (PaLM App. B: 12·L·H·Q·T, halved "
    "when causal)"
)
MEMORY_SOURCE = (
    "model states 2+2+12 B/param for mixed-precision Adam, split by ZeRO (Rajbhandari et al. "
    "2020); activations per layer s·b·h·(34 + 5·a·s/h)/t (Korthikanti et al. 2022, Table 2)"
)
PART_NAMES = ("weights", "gradients", "optimizer", "activations", "logits")


# --- The catalog of architectures --------------------------------------------------------


def shipped_dir() -> Path:
    """The architectures shipped with costcalc (inside the wheel, or the source checkout)."""
    inside = Path(__file__).resolve().parent / "architectures"
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parents[2] / "architectures"


def user_dir() -> Path:
    """The user's own architectures: ``architectures/`` in the config directory."""
    from costcalc.paths import config_dir

    return config_dir() / "architectures"


@cache
def _load(directory: str) -> dict[str, dict[str, Any]]:
    try:
        return shapes.load_architectures(directory)
    except shapes.ShapeError as e:
        raise InputError(str(e), input="arch") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(
            f"{directory}: cannot read the architectures ({e})", input="arch"
        ) from None
    except Exception as e:  # a YAML syntax error in a user's file
        import yaml

        if isinstance(e, yaml.YAMLError):
            first = str(e).splitlines()[0]
            raise InputError(f"{directory}: not valid YAML: {first}", input="arch") from None
        raise


def _shape_types() -> dict[str, type]:
    from dataclasses import fields as dc_fields

    return {f.name: type(f.default) for f in dc_fields(shapes.Shape) if f.name != "name"} | {
        "layers": int,
        "d_model": int,
        "heads": int,
        "ffn": int,
        "vocab": int,
    }


def load_user(directory: Path) -> dict[str, dict[str, Any]]:
    """The user's architectures: every ``*.yaml`` in ``directory``, read as any user file
    is (costcalc.yamlio: size cap, no tags, no duplicate keys) and checked field by field;
    a problem is one error naming ``file:line: field``."""
    from costcalc import yamlio
    from costcalc.errors import DataError

    out: dict[str, dict[str, Any]] = {}
    warnings: list[str] = []
    types = _shape_types()
    for path in yamlio.regular_files(directory, "*.yaml", warnings):
        doc = yamlio.load(yamlio.read_text(path, "architecture"), str(path))
        data = doc.data
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            raise DataError("expected a mapping with name: and shape:", doc.where())
        shape = data.get("shape")
        if not isinstance(shape, dict):
            raise DataError("expected shape: with layers, d_model, ...", doc.where(("shape",)))
        for key, value in shape.items():
            where = f"{doc.where(('shape', key))}: shape.{key}"
            want = types.get(shapes._YAML_TO_SHAPE.get(str(key), str(key)))
            if want is None:
                hint = did_you_mean(str(key), list(types))
                raise DataError(f"unknown field{hint}", where)
            if want is int and (
                isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_WHOLE
            ):
                raise DataError(f"expected a whole number from 0 to {MAX_WHOLE:.0e}", where)
            if want is not int and not isinstance(value, want):
                raise DataError(f"expected {want.__name__}, got {value!r}", where)
        missing = [k for k in ("layers", "d_model", "heads", "ffn", "vocab") if k not in shape]
        if missing:
            raise DataError(f"missing {', '.join(missing)}", f"{doc.where(('shape',))}: shape")
        aliases = data.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise DataError("expected a list of names", f"{doc.where(('aliases',))}: aliases")
        try:
            entry = dict(data, _shape=shapes.shape_from_mapping(data))
        except shapes.ShapeError as e:
            raise DataError(str(e), f"{doc.where(('shape',))}: shape") from None
        for key in [data["name"], *aliases]:
            if key in out:
                raise DataError(f"name {key!r} is used twice", doc.where(("name",)))
            out[key] = entry
    return out


def catalog() -> dict[str, dict[str, Any]]:
    """Every architecture by name and alias: the shipped ones, then the user's (which
    replace a shipped one of the same name)."""
    out = dict(_load(str(shipped_dir())))
    try:
        mine = user_dir()
    except InputError:
        return out
    if mine.is_dir():
        shipped = {doc["name"] for doc in out.values()}
        for key, doc in load_user(mine).items():
            doc.setdefault("_user", True)
            # A user file replaces a shipped architecture by its name, never by an alias:
            # an alias that is another architecture's name would silently redirect it.
            if key != doc["name"] and key in out and out[key]["name"] != doc["name"]:
                raise DataError(
                    f"alias '{key}' of '{doc['name']}' is the name or an alias of the "
                    f"shipped architecture '{out[key]['name']}'; rename the alias",
                    str(mine),
                )
            if key == doc["name"] or key not in shipped:
                out[key] = doc
    return out


def architectures() -> list[dict[str, Any]]:
    """Each architecture once (not once per alias), by name."""
    seen: dict[str, dict[str, Any]] = {}
    for doc in catalog().values():
        seen.setdefault(doc["name"], doc)
    return [seen[k] for k in sorted(seen)]


def find(name: str, where: str = "") -> dict[str, Any]:
    text = str(name).strip()
    found = catalog()
    for key in (text, text.lower()):
        if key in found:
            return found[key]
    hint = did_you_mean(text, list(found))
    raise InputError(
        f"no architecture {text!r}{hint}; see 'costcalc arch list' (or write your own as "
        f"YAML in {_user_dir_text()})",
        where,
        input="arch",
    )


def _user_dir_text() -> str:
    try:
        return str(user_dir())
    except InputError:
        return "the config directory's architectures/"


def summary(doc: dict[str, Any]) -> dict[str, Any]:
    """One architecture as a list row / JSON document: shape, counts and sources."""
    s: shapes.Shape = doc["_shape"]
    p = shapes.params(s)
    published = doc.get("published", {}).get("total_params", {})
    sources = {k: v.get("source", "") for k, v in doc.get("sources", {}).items()}
    return {
        "name": doc["name"],
        "display_name": doc.get("display_name", doc["name"]),
        "aliases": list(doc.get("aliases", [])),
        "kind": doc.get("kind", "decoder"),
        "shape": {
            k: getattr(s, k)
            for k in (
                "layers",
                "d_model",
                "heads",
                "kv_heads",
                "ffn",
                "ffn_kind",
                "vocab",
                "seq_len",
                "experts",
                "top_k",
                "shared_experts",
                "encoder_layers",
            )
        },
        "params": p.total,
        "active_params": p.active,
        "published_params": published.get("value"),
        "published_params_source": published.get("source", ""),
        "sources": sources,
        "user": bool(doc.get("_user")),
    }


# --- Reading the inputs ------------------------------------------------------------------


def _whole(value: Any, name: str, *, zero: bool = False) -> int:
    number = parse_quantity(value, "count", input=name, allow_zero=zero)
    if not float(number).is_integer():
        raise InputError(f"expected a whole number, got {value!r}", input=name)
    if number > MAX_WHOLE:
        raise InputError(
            f"{value!r} is more than {MAX_WHOLE:.0e}; expected a model's shape", input=name
        )
    return int(number)


def _choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    text = str(value).strip().lower()
    if text not in choices:
        hint = did_you_mean(text, choices)
        raise InputError(
            f"expected {', '.join(choices[:-1])} or {choices[-1]}, got {value!r}{hint}",
            input=name,
        )
    return text


def _input_of(message: str, default: str) -> str:
    """The input a shapes.ShapeError is about: its message starts with the field's name."""
    word = message.split(" ", 1)[0].rstrip(":")
    return word if word in INPUTS and word in KEYS else default


def _assumption(name: str, text: str, source: str, origin: str, value: Any = 0.0) -> Assumption:
    return Assumption(name, value, "", text, source, origin)


@dataclass
class ShapeWorkload(Workload):
    """A workload counted from the model's shape (see the module docstring)."""

    shape: Any = None  # shapes.Shape
    arch: str = ""
    causal: bool = True
    seq_len: int = 2048
    recompute: str = "selective"
    layout: dict[str, int] = field(default_factory=dict)  # tp, pp, zero, micro_batch
    layout_given: tuple[str, ...] = ()  # of devices, tp and pp, those the caller gave
    finetune: str = "full"
    lora_rank: int = 16
    per_token: Any = None  # shapes.Flops
    tokens: float | None = None
    trainable: float = 0.0
    throughput: float | None = None  # tokens/s per device, measured
    step: tuple[float, float] | None = None  # (step seconds, tokens per step)
    measured_source: str = ""
    peak: float | None = None  # per device, FLOP/s (set by the estimator)

    # -- FLOPs and utilization ------------------------------------------------------------
    def measured_utilization(
        self, peak: float, devices: float, utilization: Any
    ) -> tuple[float, Assumption] | None:
        """The MFU a measured throughput implies (model FLOPs per token x tokens/s per
        device / peak), or None when no throughput was given."""
        self.peak = peak
        if self.throughput is None and self.step is None:
            return None
        name = "throughput" if self.throughput is not None else "step_time"
        if utilization is not None:
            raise InputError(
                f"give the utilization or a measured throughput, not both ({ref('utilization')} "
                f"{utilization} and {ref(name)}): the throughput implies the utilization",
                input=name,
            )
        if self.throughput is not None:
            per_device = self.throughput
        else:
            assert self.step is not None
            per_device = self.step[1] / self.step[0] / devices
        mfu = self.per_token.model * per_device / peak
        if not 0 < mfu <= 1:
            raise InputError(
                f"{per_device:.4g} tokens/s per device of {self.arch or 'this shape'} is "
                f"{self.per_token.model * per_device:.4g} FLOP/s, {mfu:.0%} of the peak "
                f"{peak / 1e12:.4g} TFLOPS; expected at most 100% (check {ref(name)} and the "
                "hardware)",
                input=name,
            )
        self.notes.append(
            f"throughput: {per_device:.4g} tokens/s per device measured ({self.measured_source})"
            f" x {flop_text(self.per_token.model)} model FLOP/token = MFU {mfu:.1%} implied; "
            "time and device-hours follow from the throughput"
        )
        text = f"{mfu * 100:.4g}%"
        return mfu, Assumption(
            "utilization",
            mfu,
            "%",
            text,
            f"implied by the measured throughput ({self.measured_source}): model FLOPs per "
            "token x tokens/s per device / peak (MFU, PaLM App. B)",
            "derived",
        )

    # -- memory -----------------------------------------------------------------------------
    def _memory(self, dp: int, micro_batch: int | None = None) -> shapes.Memory:
        layout: dict[str, Any] = dict(self.layout)
        if micro_batch is not None:
            layout["micro_batch"] = micro_batch
        return shapes.finetune_memory_per_device(
            self.shape,
            method=self.finetune,
            rank=self.lora_rank,
            seq_len=self.seq_len,
            dp=dp,
            recompute=self.recompute,
            **layout,
        )

    def memory_section(self, memory: float | None, devices: float) -> dict[str, Any]:
        tp, pp = self.layout["tp"], self.layout["pp"]
        if devices % (tp * pp):
            # named as given (a flag, a file's key), else in words; located at an input
            # the caller gave: the devices, else the parallelism that does not fit them
            given = self.layout_given
            count = (
                f"{ref('devices')} {devices:g}"
                if "devices" in given
                else f"the default {devices:g} device{'s' if devices != 1 else ''}"
            )
            tp_text, pp_text = (
                f"{ref(n) if n in given else n} {v}" for n, v in (("tp", tp), ("pp", pp))
            )
            raise InputError(
                f"{count} is not a multiple of {tp_text} x {pp_text}; the "
                "data-parallel ranks are devices / (tp x pp)",
                input=next((n for n in ("devices", "tp", "pp") if n in given), "devices"),
            )
        dp = int(devices // (tp * pp))
        m = self._memory(dp)
        parts = {name: float(getattr(m, name)) for name in PART_NAMES}
        out: dict[str, Any] = {f"{k}_bytes": v for k, v in parts.items()}
        out["per_device_bytes"] = float(m.total)
        out["device_memory_bytes"] = None if memory is None else memory / factor("B")
        out["layout"] = {
            **self.layout,
            "dp": dp,
            "seq_len": self.seq_len,
            "recompute": self.recompute,
            "finetune": self.finetune,
        }
        out["source"] = MEMORY_SOURCE
        if memory is None:
            out.update(fits=None, max_micro_batch=None, fewest_devices=None)
            return out
        limit = memory / factor("B")
        out["fits"] = bool(m.total <= limit)
        one = self._memory(dp, micro_batch=1)
        fixed = one.weights + one.gradients + one.optimizer
        per = one.activations + one.logits
        out["max_micro_batch"] = int((limit - fixed) // per) if fixed + per <= limit else 0
        # memory = A + B / dp: solve for the fewest data-parallel ranks that fit.
        m1, m2 = self._memory(1), self._memory(2)
        b = 2.0 * (m1.total - m2.total)
        a = m1.total - b
        if a > limit:
            out["fewest_devices"] = None
        else:
            need = 1 if b <= 0 else max(1, math.ceil(b / (limit - a) - 1e-9))
            out["fewest_devices"] = int(need * tp * pp)
        return out

    def notes_for(
        self, outputs: dict[str, Any], memory: float | None, devices: float, hardware: str
    ) -> list[str]:
        notes = list(self.notes)
        f = self.per_token
        if self.peak and outputs.get("wall_clock") and self.tokens is not None:
            mfu = float(outputs["flops"] / (outputs["wall_clock"] * devices * self.peak))
            hfu = mfu * f.hardware / f.model
            self.sections["workload"].update(mfu=mfu, hfu=hfu)
            notes.append(
                f"utilization: MFU {mfu:.1%} (model FLOPs, {flop_text(f.model)}/token) is HFU "
                f"{hfu:.1%} (hardware FLOPs, {flop_text(f.hardware)}/token with "
                f"{self.recompute} recomputation; PaLM App. B)"
            )
        mem = self.memory_section(memory, devices)
        self.sections["memory"] = mem
        if mem["fits"] is not None:  # read by costcalc.budget's feasibility rule
            self.sections["feasibility"] = {"fits": mem["fits"], "devices": mem["fewest_devices"]}
        parts = " + ".join(
            f"{name} {bytes_text(mem[name + '_bytes'] * factor('B'))}"
            for name in PART_NAMES
            if mem[name + "_bytes"] or name != "logits"
        )
        lay = mem["layout"]
        where = (
            f"tp {lay['tp']}, pp {lay['pp']}, dp {lay['dp']}, ZeRO-{lay['zero']}, micro-batch "
            f"{lay['micro_batch']}, seq_len {self.seq_len}, {self.recompute} recompute"
        )
        total = bytes_text(mem["per_device_bytes"] * factor("B"))
        if memory is None:
            notes.append(
                f"memory per device: {parts} = {total} ({where}); {hardware} has no memory "
                "size, so whether it fits is not checked"
            )
        else:
            verdict = "fits" if mem["fits"] else "does NOT fit"
            fewest = mem["fewest_devices"]
            notes.append(
                f"memory per device: {parts} = {total} of {bytes_text(memory)} on {hardware}: "
                f"{verdict} ({where}); largest micro-batch that fits: {mem['max_micro_batch']};"
                " fewest devices that fit: "
                + (
                    f"{fewest:g}"
                    if fewest is not None
                    else f"none at this tp/pp (try {ref('zero')} 3, a larger {ref('tp')} or "
                    f"{ref('pp')}, or {ref('recompute')} full)"
                )
            )
            if not mem["fits"]:
                notes.append(
                    f"warning: {total} per device does not fit in {bytes_text(memory)} "
                    f"({hardware}); the run is not feasible as laid out"
                    + (
                        f"; at least {fewest:g} devices are needed ({ref('devices')})"
                        if fewest
                        else ""
                    )
                )
        from costcalc.workloads import threshold_notes

        notes += threshold_notes(outputs["flops"] / self.repeats)
        if self.repeats != 1:
            from costcalc.workloads import _per_run

            notes.append(_per_run(outputs, self.repeats))
        return notes


def _describe(f: shapes.Flops) -> str:
    parts = [f"dense {flop_text(f.dense)}", f"attention {flop_text(f.attention)}"]
    parts.append(f"logits {flop_text(f.logits)}")
    if f.moe:
        parts.append(f"active experts {flop_text(f.moe)}")
    return " + ".join(parts)


def resolve(inputs: Mapping[str, Any]) -> ShapeWorkload:
    """A :class:`ShapeWorkload` from the shape inputs (names of :data:`KEYS`) and the work
    inputs of :func:`costcalc.workloads.resolve` in ``inputs`` (any left out being None)."""
    from costcalc import workloads

    given = frozen(inputs, KEYS + workloads.WORK_INPUTS)
    work, params, tokens, repeats = (
        given["work"],
        given["params"],
        given["tokens"],
        given["repeats"],
    )
    flops_per_param_token, active_params = given["flops_per_param_token"], given["active_params"]
    bytes_per_param = given["bytes_per_param"]
    for value, name in (
        (flops_per_param_token, "flops_per_param_token"),
        (active_params, "active_params"),
        (bytes_per_param, "bytes_per_param"),
    ):
        if value is not None:
            raise InputError(
                "the shape counts FLOPs and memory itself (attention, active experts, "
                f"memory by part); drop {ref(name)}",
                input=name,
            )
    work_text = work
    named_run = workloads._names_a_run(work)
    if named_run and tokens is not None:
        raise InputError(
            f"{work!r} is a reference run with its own compute; drop {ref('tokens')}",
            input="tokens",
        )
    # a reference run gives the compute (and its assumptions); the shape the memory
    base = workloads.resolve({"work": work if named_run else None, "repeats": repeats})
    if named_run:
        work = base.work
    assumptions: list[Assumption] = []
    notes: list[str] = []

    # The shape: the architecture, with any field given by hand on top.
    fields: dict[str, int] = {}
    for name in SHAPE_FIELDS:
        if given.get(name) is not None:
            fields[name] = _whole(given[name], name, zero=name == "experts")
    arch_doc = None
    causal = True
    if given.get("arch") is not None:
        arch_doc = find(given["arch"])
        causal = arch_doc.get("kind", "decoder") == "decoder"
        template: shapes.Shape = arch_doc["_shape"]
        where = "user architectures/" if arch_doc.get("_user") else "architectures/"
        source = "; ".join(
            f"{k}: {v.get('source', '')}" for k, v in arch_doc.get("sources", {}).items()
        )
        assumptions.append(
            _assumption(
                "arch",
                arch_doc.get("display_name", arch_doc["name"]),
                f"{arch_doc['name']} ({where}{arch_doc['name']}.yaml); {source}",
                "flag",
            )
        )
    else:
        core = ("layers", "d_model", "heads", "vocab")
        missing = [n for n in core if n not in fields]
        if len(missing) == len(core):  # no shape (kv_heads, top_k alone): say what asked
            asked = next((k for k in KEYS + MEASURED if given.get(k) is not None), "arch")
            names = ", ".join(ref(n) for n in missing)
            raise InputError(
                f"{ref(asked)} needs the model's shape: {ref('arch')} NAME (see 'costcalc "
                f"arch list'), or the shape by hand ({names})",
                input=asked,
            )
        if missing:
            names = ", ".join(ref(n) for n in missing)
            raise InputError(  # located at the part of the shape given
                f"a shape by hand needs {names} (or {ref('arch')} NAME, see 'costcalc arch list')",
                input=next(n for n in core if n in fields),
            )
        fields.setdefault("ffn", 4 * fields["d_model"])
        template = shapes.Shape(layers=1, d_model=1, heads=1, ffn=1, vocab=1)
    if "experts" in fields and fields["experts"] <= 1 and "top_k" not in fields:
        fields["top_k"] = 0
    if "top_k" in fields and fields["top_k"] > max(fields.get("experts", template.experts), 0):
        experts = fields.get("experts", template.experts)
        raise InputError(
            f"{ref('top_k')} {fields['top_k']} is more than {ref('experts')} {experts}",
            input="top_k",
        )
    if "d_model" in fields and template.head_dim and "heads" not in fields:
        fields["heads"] = template.heads
    try:
        if arch_doc is None:
            template = shapes.Shape(
                layers=fields["layers"],
                d_model=fields["d_model"],
                heads=fields["heads"],
                ffn=fields["ffn"],
                vocab=fields["vocab"],
            )
        overrides: dict[str, Any] = dict(fields)
        shape = replace(template, **overrides) if overrides else template
    except shapes.ShapeError as e:
        raise InputError(_both(str(e)), input=_input_of(str(e), "arch")) from None
    if fields:
        shown = ", ".join(f"{ref(k)} {v}" for k, v in fields.items())
        assumptions.append(_assumption("shape", shown, "given by hand", "flag"))

    # Sequence length, recomputation, layout, fine-tuning.
    if given.get("seq_len") is not None:
        seq_len = _whole(given["seq_len"], "seq_len")
        seq_source, seq_origin = given_with("seq_len"), "flag"
    else:
        seq_len = shape.seq_len
        seq_source = (
            f"{arch_doc['name']}'s training sequence length"
            + (
                f": {arch_doc['sources']['seq_len']['source']}"
                if "seq_len" in arch_doc.get("sources", {})
                else ""
            )
            if arch_doc is not None
            else f"default (no {ref('seq_len')})"
        )
        seq_origin = "default"
    shape = replace(shape, seq_len=seq_len) if shape.learned_positions else shape
    assumptions.append(_assumption("seq_len", f"{seq_len} tokens", seq_source, seq_origin, seq_len))
    recompute = DEFAULT_RECOMPUTE
    if given.get("recompute") is not None:
        recompute = _choice(given["recompute"], "recompute", shapes.RECOMPUTE)
    layout: dict[str, int] = {}
    for name in ("tp", "pp", "zero", "micro_batch"):
        if given.get(name) is not None:
            layout[name] = _whole(given[name], name, zero=name == "zero")
        else:
            layout[name] = DEFAULTS[name]
    if layout["zero"] not in (0, 1, 2, 3):
        raise InputError(f"expected 0, 1, 2 or 3, got {given['zero']!r}", input="zero")

    def counted(n: int, name: str) -> str:
        """``the 32 heads (heads 32)`` given by hand, ``llama-2-7b's 32 heads`` else."""
        if name in fields or arch_doc is None:
            return f"the {n} {name} ({ref(name)} {n})"
        return f"{arch_doc['name']}'s {n} {name}"

    if shape.heads % layout["tp"]:
        raise InputError(
            f"{ref('tp')} {layout['tp']} does not divide {counted(shape.heads, 'heads')}: "
            "each tensor-parallel rank takes whole heads",
            input="tp",
        )
    if layout["pp"] > shape.layers + shape.encoder_layers:
        raise InputError(
            f"{ref('pp')} {layout['pp']} is more than {counted(shape.layers, 'layers')}: "
            "each pipeline stage takes whole layers",
            input="pp",
        )
    for name in ("recompute", "tp", "pp", "zero", "micro_batch"):
        value = recompute if name == "recompute" else layout[name]
        from_flag = given.get(name) is not None
        assumptions.append(
            _assumption(
                name,
                str(value),
                given_with(name) if from_flag else DEFAULT_SOURCES[name],
                "flag" if from_flag else "default",
                value,
            )
        )
    finetune = "full"
    if given.get("finetune") is not None:
        finetune = _choice(given["finetune"], "finetune", FINETUNE)
    rank = 16
    if given.get("lora_rank") is not None:
        if finetune not in ("lora", "qlora"):
            raise InputError(
                f"{ref('lora_rank')} applies to {ref('finetune')} lora or qlora (got full "
                "training)",
                input="lora_rank",
            )
        rank = _whole(given["lora_rank"], "lora_rank")
        if rank > shape.d_model:  # a rank above the width factors nothing
            raise InputError(
                f"LoRA rank {rank} is above the model width d_model {shape.d_model}; "
                "typical ranks are 4 to 256",
                input="lora_rank",
            )

    # FLOPs per token.
    try:
        if finetune == "full":
            per_token = shapes.flops_per_token(shape, seq_len, causal=causal, recompute=recompute)
            trainable = float(shapes.params(shape).total)
        else:
            per_token = shapes.lora_flops_per_token(
                shape, seq_len, rank, causal=causal, recompute=recompute
            )
            trainable = float(shapes.lora_params(shape, rank))
    except shapes.ShapeError as e:
        raise InputError(_both(str(e)), input=_input_of(str(e), "arch")) from None
    p = shapes.params(shape)

    # A reference run's own model against the shape: another model is a contradiction.
    if named_run:
        from costcalc import runs

        run = runs.find(str(work_text))
        if run.params and abs(run.params - p.total) > PARAMS_TOLERANCE * p.total:
            what = (
                f"{ref('arch')} {arch_doc['name']}" if arch_doc is not None else "the shape given"
            )
            raise InputError(
                f"run {run.slug} has {count_text(run.params)} parameters, {what} "
                f"{count_text(p.total)}: not the same model; drop one",
                input="arch" if arch_doc is not None else "layers",
            )

    # --params against the shape.
    n_params = parse_quantity(params, "count", input="params") if params is not None else None
    if n_params is not None and abs(n_params - p.total) > PARAMS_TOLERANCE * p.total:
        what = f"{ref('arch')} {arch_doc['name']}" if arch_doc is not None else "the shape given"
        raise InputError(
            f"{ref('params')} {params} contradicts {what}, which has {count_text(p.total)} "
            f"parameters ({(n_params / p.total - 1):+.0%}); drop one",
            input="params",
        )
    assumptions.append(
        _assumption(
            "params",
            count_text(p.total)
            + (f" ({count_text(p.active)} active per token)" if p.active != p.total else ""),
            "counted from the shape (costcalc.shapes.params)",
            "derived",
            float(p.total),
        )
    )
    if finetune != "full":
        assumptions.append(
            _assumption(
                "finetune",
                f"{finetune}, rank {rank}: {count_text(trainable)} trainable parameters "
                f"({trainable / p.total:.2%})",
                "LoRA on every linear layer of each block (Hu et al. 2021; QLoRA, Dettmers et "
                "al. 2023, Sec. 4); frozen weights get no weight gradients: 2/3 of the FLOPs"
                + ("; 4-bit NF4 base weights (QLoRA Sec. 3)" if finetune == "qlora" else ""),
                "flag",
                trainable,
            )
        )

    # The work: tokens x model FLOPs per token, or the compute given some other way.
    out_work = work
    n_tokens = None
    if tokens is not None:
        if work is not None:
            raise InputError(
                f"give the compute once: {ref('work')}, or {ref('arch')} with {ref('tokens')}",
                input="tokens",
            )
        n_tokens = parse_quantity(tokens, "count", input="tokens")
        out_work = per_token.model * n_tokens
        assumptions.append(
            _assumption("tokens", count_text(n_tokens), given_with("tokens"), "flag", n_tokens)
        )
    six = shapes.six_n(shape)
    extra = per_token.model / six - 1 if six else 0.0
    assumptions.append(
        _assumption(
            "compute_rule",
            f"{flop_text(per_token.model)} FLOP/token = {_describe(per_token)}",
            FLOPS_SOURCE
            + (
                "; fine-tuning: 4 FLOP per frozen weight (no weight gradient), 6 per adapter"
                if finetune != "full"
                else ""
            ),
            "derived",
            per_token.model,
        )
    )
    notes.append(
        f"flops: {flop_text(per_token.model)} model FLOP per token at seq_len {seq_len}"
        f"{' (causal)' if causal else ''}, {extra:+.1%} against 6·N (N = "
        f"{count_text(p.active - p.embedding - p.output)} non-embedding"
        f"{' active' if p.active != p.total else ''} parameters); attention is "
        f"{per_token.attention / per_token.model:.1%} of it"
    )

    # A measured throughput.
    throughput = None
    step = None
    measured = ""
    if given.get("throughput") is not None:
        if given.get("step_time") is not None:
            raise InputError(
                f"give the throughput once: {ref('throughput')}, or {ref('step_time')} with "
                f"{ref('batch_tokens')}",
                input="step_time",
            )
        throughput = parse_quantity(given["throughput"], "token_rate", input="throughput")
        measured = f"given with {ref('throughput')} {given['throughput']}"
    elif given.get("step_time") is not None:
        if given.get("batch_tokens") is None:
            raise InputError(
                f"{ref('step_time')} needs {ref('batch_tokens')} (tokens per step over all "
                "devices)",
                input="batch_tokens",
            )
        seconds = parse_quantity(given["step_time"], "step_time", input="step_time")
        batch = parse_quantity(given["batch_tokens"], "count", input="batch_tokens")
        step = (seconds, batch)
        measured = (
            f"{ref('batch_tokens')} {given['batch_tokens']} per {ref('step_time')} "
            f"{given['step_time']}"
        )
    elif given.get("batch_tokens") is not None:
        raise InputError(
            f"{ref('batch_tokens')} applies with {ref('step_time')}", input="batch_tokens"
        )

    job = ShapeWorkload(
        out_work,
        params=float(p.total),
        repeats=base.repeats,
        assumptions=assumptions + [a for a in base.assumptions if a.name != "params"],
        notes=notes,
        shape=shape,
        arch=arch_doc["name"] if arch_doc is not None else "",
        causal=causal,
        seq_len=seq_len,
        recompute=recompute,
        layout=layout,
        layout_given=tuple(n for n in ("devices", "tp", "pp") if given.get(n) is not None),
        finetune=finetune,
        lora_rank=rank,
        per_token=per_token,
        tokens=n_tokens,
        trainable=trainable,
        throughput=throughput,
        step=step,
        measured_source=measured,
    )
    job.sections["workload"] = {
        "arch": job.arch or None,
        "seq_len": seq_len,
        "causal": causal,
        "recompute": recompute,
        "finetune": finetune,
        "lora_rank": rank if finetune != "full" else None,
        "params": float(p.total),
        "active_params": float(p.active),
        "trainable_params": trainable,
        "tokens": n_tokens,
        "flops_per_token": {
            "dense": per_token.dense,
            "attention": per_token.attention,
            "logits": per_token.logits,
            "moe": per_token.moe,
            "recompute": per_token.recompute,
            "model": per_token.model,
            "hardware": per_token.hardware,
        },
        "six_n_per_token": six,
        "hfu_over_mfu": per_token.hardware / per_token.model,
        "source": FLOPS_SOURCE,
    }
    return job


def tokens_bought(estimate: Any) -> float | None:
    """The training tokens an estimate's compute is, for the model's shape it was made
    with (its model FLOPs per token), or None without a shape (budget and scale say it)."""
    section = estimate.sections.get("workload")
    if not section:
        return None
    return float(estimate.outputs["flops"] / section["flops_per_token"]["model"])


def tokens_note(estimate: Any, what: str) -> list[str]:
    """A note: how many tokens of the shape ``what`` (the budget's compute, ...) trains."""
    tokens = tokens_bought(estimate)
    if tokens is None:
        return []
    w = estimate.sections["workload"]
    name = w["arch"] or "the shape given"
    return [
        f"tokens: {what} trains {name} on {count_text(tokens)} tokens "
        f"({flop_text(w['flops_per_token']['model'])} model FLOP per token at seq_len "
        f"{w['seq_len']})"
    ]


def _both(message: str) -> str:
    """A shapes.ShapeError's message with the field names spelled as the front end does
    (flags on the command line)."""
    import re

    for name in SHAPE_FIELDS:
        message = re.sub(rf"\b{name}\b(?= )", ref(name), message, count=1)
    return message
