"""What becomes FLOPs: parameters x tokens, a reference run, repeats; and what follows from
a model's size: the memory floor (devices needed to hold the training state), the
compute-optimal model for a compute budget, and regulatory compute thresholds.

The arithmetic functions take plain floats or numpy arrays alike. :func:`resolve` reads
the user's inputs into a :class:`Workload` whose assumptions and notes the estimate shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from costcalc.errors import InputError, given_with, ref
from costcalc.inputs import frozen
from costcalc.results import Assumption
from costcalc.units import convert, factor, parse_quantity

Number = Any  # float or numpy array
# The inputs resolve reads (declared in costcalc.inputs).
WORK_INPUTS: tuple[str, ...] = (
    "work",
    "params",
    "tokens",
    "flops_per_param_token",
    "active_params",
)
WORK_INPUTS += ("bytes_per_param", "repeats")


# --- The arithmetic -------------------------------------------------------------------


def training_flops(params: Number, tokens: Number, flops_per_param_token: Number = 6.0) -> Number:
    """Training compute of a dense transformer: k x N x D (k = 6: forward 2, backward 4)."""
    return flops_per_param_token * params * tokens


def compute_optimal(
    flops: Number, tokens_per_param: Number = 20.0, flops_per_param_token: Number = 6.0
) -> tuple[Number, Number]:
    """The compute-optimal (params, tokens) for ``flops``: C = k N D with D = r N."""
    params = (flops / (flops_per_param_token * tokens_per_param)) ** 0.5
    return params, tokens_per_param * params


def _ceil(x: Number) -> Number:
    return -((-x) // 1)  # math.ceil for floats and numpy arrays alike


def memory_floor(params: Number, bytes_per_param: Number, device_memory: Number) -> Number:
    """The fewest devices whose memory (bytes each) holds ``params`` x ``bytes_per_param``."""
    return _ceil(params * bytes_per_param / device_memory)


def devices_for_deadline(device_seconds: Number, deadline: Number) -> Number:
    """The fewest devices that do ``device_seconds`` of work within ``deadline`` seconds."""
    return _ceil(device_seconds / deadline)


# --- Rules and thresholds (data/workloads.yaml) -------------------------------------------


def rules() -> dict[str, Any]:
    from costcalc.tables import data_yaml

    data: dict[str, Any] = data_yaml("workloads.yaml")
    return data


def rule(name: str) -> tuple[float, str]:
    """A rule's value and its citation."""
    entry = rules()[name]
    return float(entry["value"]), f"{entry['source']} ({entry['date']})"


def threshold_notes(flops: float) -> list[str]:
    """A note for each well-known compute threshold that ``flops`` exceeds."""
    out = []
    for t in rules()["thresholds"]:
        limit = float(t["flops"])
        if flops > limit:
            out.append(
                f"threshold: {flop_text(flops)} FLOP is more than {flop_text(limit)} FLOP: "
                f"{t['label']} "
                f"[{t['status']}]. Source: {t['source']} ({t['date']})"
            )
    return out


# --- Display helpers ------------------------------------------------------------------


def flop_text(x: float) -> str:
    """3.14e+23 -> '3.14e23'."""
    mantissa, _, exponent = f"{x:.4g}".partition("e")
    return f"{mantissa}e{int(exponent)}" if exponent else mantissa


def count_text(x: float) -> str:
    """175000000000 -> '175B'; 1.4e12 -> '1.4T'."""
    for suffix, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if x >= size:
            return f"{x / size:.4g}{suffix}"
    return f"{x:.4g}"


def bytes_text(bits: float) -> str:
    for unit in ("PB", "TB", "GB", "MB"):
        if convert(bits, unit) >= 1:
            return f"{convert(bits, unit):.4g} {unit}"
    return f"{convert(bits, 'B'):.4g} B"


# --- Reading the user's inputs ------------------------------------------------------------


@dataclass
class Workload:
    """The work of one estimate as far as it is not FLOPs given directly."""

    work: Any  # what to hand to resolve_work as the compute (None: other ways)
    params: float | None = None  # total parameters (memory)
    bytes_per_param: float = 16.0
    repeats: float = 1.0
    assumptions: list[Assumption] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    bytes_source: str = ""
    # Extra results by section (costcalc.workload_shape: "workload", "memory").
    sections: dict[str, Any] = field(default_factory=dict)

    def measured_utilization(
        self, peak: float, devices: float, utilization: Any
    ) -> tuple[float, Assumption] | None:
        """The utilization a measured throughput implies (None: not measured)."""
        return None

    def total(self, single_flops: float) -> float:
        """The compute of all repeats."""
        return single_flops * self.repeats

    def notes_for(
        self, outputs: dict[str, Any], memory: float | None, devices: float, hardware: str
    ) -> list[str]:
        """Memory floor, thresholds and per-run figures, once the estimate is known."""
        notes = list(self.notes)
        single = outputs["flops"] / self.repeats
        if self.params is not None:
            notes += _memory_notes(
                self.params, self.bytes_per_param, memory, devices, hardware, self.bytes_source
            )
            if memory is not None:  # read by costcalc.budget's feasibility rule
                floor = memory_floor(self.params, self.bytes_per_param * factor("B"), memory)
                self.sections["feasibility"] = {"fits": bool(devices >= floor), "devices": floor}
        notes += threshold_notes(single)
        if self.repeats != 1:
            notes.append(_per_run(outputs, self.repeats))
        return notes


def _memory_notes(
    params: float,
    bytes_per_param: float,
    memory: float | None,
    devices: float,
    hardware: str,
    source: str,
) -> list[str]:
    state = params * bytes_per_param * factor("B")
    head = (
        f"memory: {count_text(params)} params x {bytes_per_param:g} bytes = "
        f"{bytes_text(state)} of training state (activations excluded)"
    )
    if memory is None:
        return [f"{head}; {hardware} has no memory size, so the memory floor is not checked"]
    floor = memory_floor(params, bytes_per_param * factor("B"), memory)
    notes = [f"{head} needs at least {floor:g} x {hardware} ({bytes_text(memory)} each)"]
    if devices < floor:
        notes.append(
            f"warning: {devices:g} device{'s' if devices != 1 else ''} cannot hold the "
            f"training state; at least {floor:g} are needed ({ref('devices')})"
        )
    return notes


def _per_run(outputs: dict[str, Any], repeats: float) -> str:
    parts = [
        f"{flop_text(outputs['flops'] / repeats)} FLOP",
        f"{convert(outputs['wall_clock'] / repeats, 'hour'):.4g} hours wall-clock",
        f"{convert(outputs['energy'] / repeats, 'kWh'):.4g} kWh",
    ]
    if outputs.get("cost") is not None:
        parts.append(f"${outputs['cost'] / repeats:,.2f}")
    parts.append(f"{outputs['co2e'] / repeats:.4g} kg CO2e")
    return f"repeats: the figures above are totals for {repeats:g} runs; one run: " + ", ".join(
        parts
    )


def _assumption(name: str, text: str, source: str, origin: str, value: float = 0.0) -> Assumption:
    return Assumption(name, value, "", text, source, origin)


def _names_a_run(work: Any) -> bool:
    """Whether WORK is a run name (or a near miss of one) rather than a quantity."""
    if not (isinstance(work, str) and work.strip()[:1].isalpha()):
        return False
    from costcalc import runs

    return runs.is_known(work) or runs.is_near(work)


def resolve(given: Mapping[str, Any]) -> Workload:
    """Turn a run name, or parameters and tokens, into compute; keep what was assumed.
    ``given``: the inputs (:func:`costcalc.inputs.frozen`) ``work``, ``params``,
    ``tokens``, ``flops_per_param_token``, ``active_params``, ``bytes_per_param`` and
    ``repeats``, any left out being None. (A model's shape is counted by
    costcalc.workload_shape.resolve instead.)"""
    g = frozen(given, WORK_INPUTS)
    work, params, tokens, repeats = g["work"], g["params"], g["tokens"], g["repeats"]
    flops_per_param_token, active_params = g["flops_per_param_token"], g["active_params"]
    bytes_per_param = g["bytes_per_param"]
    assumptions: list[Assumption] = []
    notes: list[str] = []
    n_params = parse_quantity(params, "count", input="params") if params is not None else None
    n_active = (
        parse_quantity(active_params, "count", input="active_params")
        if active_params is not None
        else None
    )
    n_tokens = parse_quantity(tokens, "count", input="tokens") if tokens is not None else None
    if n_active is not None:
        if n_params is None:
            raise InputError(
                f"{ref('active_params')} needs {ref('params')} (the total, which sets the memory)",
                input="active_params",
            )
        if n_active > n_params:
            raise InputError(
                f"{active_params!r} active parameters is more than the {params!r} in total",
                input="active_params",
            )
    if flops_per_param_token is not None and n_tokens is None:
        raise InputError(
            f"{ref('flops_per_param_token')} applies to {ref('params')} with {ref('tokens')}",
            input="tokens",
        )

    out_work = work
    if _names_a_run(work):
        from costcalc import runs

        if n_tokens is not None:
            raise InputError(
                f"{work!r} is a reference run with its own compute; drop {ref('tokens')}",
                input="tokens",
            )
        run = runs.find(str(work), input="work")
        out_work = run.compute
        assumptions.append(
            _assumption(
                "run",
                f"{run.name}, {flop_text(run.compute)} FLOP "
                f"({run.confidence.lower() or 'unrated'})",
                run.cite(),
                "run",
                run.compute,
            )
        )
        if n_params is None and run.params is not None:
            n_params = run.params
            assumptions.append(
                _assumption("params", count_text(n_params), f"run {run.slug}", "run", n_params)
            )
    elif n_tokens is not None:
        if work is not None:
            raise InputError(
                f"give the compute once: {ref('work')}, or {ref('params')} with {ref('tokens')}",
                input="tokens",
            )
        if n_params is None:
            raise InputError(
                f"{ref('tokens')} needs {ref('params')} "
                f"(e.g. {ref('params')} 70B {ref('tokens')} 1.4T)",
                input="params",
            )
        if flops_per_param_token is not None:
            k = parse_quantity(flops_per_param_token, "number", input="flops_per_param_token")
            k_source = f"given with {ref('flops_per_param_token')}"
            if k == rule("flops_per_param_token_recompute")[0]:
                k_source += "; " + rule("flops_per_param_token_recompute")[1]
            k_origin = "flag"
        else:
            k, k_source = rule("flops_per_param_token")
            k_origin = "default"
        n_flop_params = n_active if n_active is not None else n_params
        out_work = training_flops(n_flop_params, n_tokens, k)
        which = "N active" if n_active is not None else "N"
        assumptions += [
            _assumption("compute_rule", f"{k:g} x {which} x D FLOP", k_source, k_origin, k),
            _assumption("params", count_text(n_params), given_with("params"), "flag", n_params),
            _assumption("tokens", count_text(n_tokens), given_with("tokens"), "flag", n_tokens),
        ]
        if n_active is not None:
            assumptions.append(
                _assumption(
                    "active_params",
                    count_text(n_active),
                    f"given with {ref('active_params')} (mixture of experts: FLOPs use the active "
                    "parameters, memory the total)",
                    "flag",
                    n_active,
                )
            )
    elif n_params is not None:
        assumptions.append(
            _assumption("params", count_text(n_params), given_with("params"), "flag", n_params)
        )

    job = Workload(out_work, params=n_params, assumptions=assumptions, notes=notes)
    if n_params is not None:
        if bytes_per_param is not None:
            job.bytes_per_param = parse_quantity(bytes_per_param, "number", input="bytes_per_param")
            job.bytes_source = f"given with {ref('bytes_per_param')}"
            origin = "flag"
        else:
            job.bytes_per_param, job.bytes_source = rule("bytes_per_param")
            origin = "default"
        assumptions.append(
            _assumption(
                "bytes_per_param",
                f"{job.bytes_per_param:g} B/param",
                job.bytes_source,
                origin,
                job.bytes_per_param,
            )
        )
    elif bytes_per_param is not None:
        raise InputError(
            f"{ref('bytes_per_param')} needs {ref('params')} (or a run name)",
            input="bytes_per_param",
        )
    if repeats is not None:
        job.repeats = parse_quantity(repeats, "count", input="repeats")
        if not job.repeats.is_integer():
            raise InputError(f"expected a whole number of runs, got {repeats!r}", input="repeats")
        assumptions.append(
            _assumption(
                "repeats",
                f"{job.repeats:g} runs",
                f"given with {ref('repeats')}: the outputs are totals",
                "flag",
                job.repeats,
            )
        )
    return job
