"""The inverse questions: given money, energy, CO2e or time on some hardware, how much
compute is that, and which compute-optimal model fits it? Given a deadline and a
workload, how many devices finish it in time?

The functions below invert :mod:`costcalc.model` (floats or numpy arrays alike);
:func:`budget` answers one question and returns the forward estimate of the answer, so
that every figure and assumption can be checked the usual way.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from costcalc import estimator, model, workloads
from costcalc import inputs as registry
from costcalc.config import DEFAULT_KEYS
from costcalc.errors import InputError, ref
from costcalc.estimator import HARDWARE_INPUTS as HARDWARE
from costcalc.estimator import (
    base_estimate,
    resolve_carbon_intensity,
    resolve_hardware,
    resolve_pue,
    resolve_utilization,
)
from costcalc.results import Assumption, Estimate
from costcalc.units import factor, parse_one_of, parse_quantity

if TYPE_CHECKING:
    from costcalc.config import Settings

Number = Any
BUDGET_KINDS = ("money", "energy", "mass", "time")
# The estimate inputs that resolve the hardware (costcalc.estimator.resolve_hardware).
# (as before, without power_basis: the budget's device-time is at the profile's power rule)
HARDWARE_INPUTS = ("hardware", "catalog", *(k for k in HARDWARE if k != "power_basis"))


def device_time_for_money(money: Number, price: Number) -> Number:
    """Device-seconds that ``money`` buys at ``price`` per device-second."""
    return money / price


def device_time_for_energy(joules: Number, power: Number, pue: Number) -> Number:
    """Device-seconds that ``joules`` from the grid power (inverse of model.energy)."""
    return joules / (power * pue)


def device_time_for_co2e(
    kg: Number, power: Number, pue: Number, carbon_intensity: Number
) -> Number:
    """Device-seconds whose energy emits ``kg`` CO2e (inverse of model.co2e . energy)."""
    return device_time_for_energy(kg / carbon_intensity, power, pue)


def device_time_for_deadline(seconds: Number, devices: Number) -> Number:
    """Device-seconds that ``devices`` do in ``seconds`` of wall-clock time."""
    return seconds * devices


@dataclass
class Budget:
    """The answer to a budget question, with the forward estimate of that answer."""

    kind: str  # money, energy, mass or time
    amount: float  # base units
    text: str  # as given
    estimate: Estimate
    optimal_params: float
    optimal_tokens: float
    optimal_floor: float | None  # devices to hold the compute-optimal model's state
    devices_needed: float | None = None  # deadline with a workload
    assumptions: list[Assumption] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def budget(amount: Any, *, settings: Settings | None = None, **inputs: Any) -> Budget:
    """What ``amount`` (``"10000 USD"``, ``"500 MWh"``, ``"20 t"``, ``"7 days"``) buys.

    ``inputs`` are the estimate's hardware and site inputs (``hardware``, ``precision``,
    ``peak``, ``power``, ``price``, ``utilization``, ``pue``, ``carbon_intensity``,
    ``region``, ``catalog``), as :func:`costcalc.estimate` takes them, and
    ``devices``, ``flops``, ``params`` and ``bytes_per_param``;
    ``settings`` (from :func:`costcalc.config.load_settings`) fill the ones left out.
    With a duration and ``flops`` (and no ``devices``): the devices needed to finish
    ``flops`` in that time, at least the memory floor of ``params``.
    """
    registry.check_keywords("budget", {**inputs, "settings": settings}, estimator.KEYWORDS[1:])
    if settings is not None:  # config-file defaults under the given inputs
        # With --flops the devices are the answer, never a default.
        use = settings.without("devices") if inputs.get("flops") is not None else settings
        given = {k: None for k in DEFAULT_KEYS if k != "devices"} | inputs
        return use.apply(
            budget,
            lambda result, label: replace(result, estimate=label(result.estimate)),
            amount=amount,
            **given,
        )
    work_keys = ("flops", "params", "bytes_per_param", "devices")
    flops, params, bytes_per_param, devices = (inputs.pop(k, None) for k in work_keys)
    kind, value = parse_one_of(amount, BUDGET_KINDS, "BUDGET")
    hw = resolve_hardware(**{k: inputs.get(k) for k in HARDWARE_INPUTS})
    util, _ = resolve_utilization(inputs.get("utilization"), profile=hw.profile.name)
    from costcalc import finite

    # The model divides by peak x utilization: refused when it underflows to zero.
    finite.product(
        (("peak", hw.peak), ("utilization", util)),
        input="peak" if inputs.get("peak") is not None else "utilization",
    )
    options: dict[str, Any] = dict(inputs, params=params, bytes_per_param=bytes_per_param)
    notes: list[str] = []
    devices_needed = None
    if flops is not None:
        if kind != "time":
            raise InputError(
                f"{ref('flops')} goes with a deadline (e.g. 7days): the devices needed to finish",
                input="flops",
            )
        if devices is not None:
            raise InputError(
                f"give {ref('devices')} (the compute they do by the deadline) or {ref('flops')} "
                "(the "
                "devices needed to finish it), not both",
                input="devices",
            )
        work = parse_quantity(flops, "compute", input="flops")
        need = workloads.devices_for_deadline(model.device_time(work, hw.peak, util), value)
        devices_needed = need
        if params is not None and hw.profile.memory is not None:
            job = workloads.resolve({"params": params, "bytes_per_param": bytes_per_param})
            assert job.params is not None
            floor = workloads.memory_floor(
                job.params, job.bytes_per_param * factor("B"), hw.profile.memory.value
            )
            if floor > need:
                notes.append(
                    f"devices: {need:g} would finish in time, but the training state needs "
                    f"{floor:g} (memory floor)"
                )
                devices_needed = floor
        result = base_estimate(work, devices=devices_needed, **options)
        fewest = result.sections.get("memory", {}).get("fewest_devices")
        if fewest is not None and fewest > devices_needed:  # the shape's memory per device
            notes.append(
                f"devices: {devices_needed:g} would finish in time, but the model's memory "
                f"per device needs {fewest:g} (memory per device by part)"
            )
            devices_needed = fewest
            result = base_estimate(work, devices=devices_needed, **options)
        result = replace(
            result,
            assumptions=tuple(
                Assumption(
                    "devices",
                    float(devices_needed),
                    "",
                    f"{devices_needed:g}",
                    f"the fewest that finish {flops} within {amount} (and hold the training state)",
                    "derived",
                )
                if a.name == "devices"
                else a
                for a in result.assumptions
            ),
        )
    else:
        device_seconds = _device_time(kind, value, hw, devices, inputs)
        work = model.flops_from_device_time(device_seconds, hw.peak, util)
        finite.checked(work, f"the compute that {amount} buys", "BUDGET", str(amount))
        if work == 0:
            raise InputError(
                f"the compute that {amount} buys underflows to zero: the budget is "
                f"{finite.TOO_BIG}",
                "BUDGET",
            )
        result = base_estimate(work, devices=devices, **options)

    from costcalc.workload_shape import tokens_note

    notes += tokens_note(result, f"the compute of {str(amount).strip()}")
    ratio, ratio_source = workloads.rule("tokens_per_param")
    k, _ = workloads.rule("flops_per_param_token")
    n_opt, d_opt = workloads.compute_optimal(result.outputs["flops"], ratio, k)
    bytes_rule = (
        parse_quantity(bytes_per_param, "number", input="bytes_per_param")
        if bytes_per_param is not None
        else workloads.rule("bytes_per_param")[0]
    )
    memory = hw.profile.memory.value if hw.profile.memory else None
    floor_opt = (
        workloads.memory_floor(n_opt, bytes_rule * factor("B"), memory)
        if memory is not None
        else None
    )
    if floor_opt is not None and devices is not None:
        n = parse_quantity(devices, "number", input="devices")
        if n < floor_opt:
            notes.append(
                f"warning: the compute-optimal model needs at least {floor_opt:g} devices to "
                f"hold its training state; {ref('devices')} is {n:g}"
            )
    assumptions = [
        Assumption(
            "tokens_per_param",
            ratio,
            "",
            f"{ratio:g} tokens/param",
            ratio_source,
            "default",
        )
    ]
    return Budget(
        kind=kind,
        amount=value,
        text=str(amount).strip(),
        estimate=result,
        optimal_params=n_opt,
        optimal_tokens=d_opt,
        optimal_floor=floor_opt,
        devices_needed=devices_needed,
        assumptions=assumptions,
        notes=notes,
    )


def _device_time(kind: str, value: float, hw: Any, devices: Any, inputs: dict[str, Any]) -> float:
    if kind == "money":
        if hw.price is None:
            raise InputError(
                f"{hw.profile.name} has no published price; give {ref('price')} for a money budget",
                input="price",
            )
        return float(device_time_for_money(value, hw.price))
    pue_value, _ = resolve_pue(inputs.get("pue"), inputs.get("region"), inputs.get("provider"))
    if kind == "energy":
        return float(device_time_for_energy(value, hw.power, pue_value))
    if kind == "mass":
        intensity, _ = resolve_carbon_intensity(
            inputs.get("carbon_intensity"), inputs.get("region")
        )
        if intensity == 0:
            raise InputError(
                "a CO2e budget at zero carbon intensity buys unlimited compute",
                input="carbon_intensity",
            )
        return float(device_time_for_co2e(value, hw.power, pue_value, intensity))
    n = 1.0 if devices is None else parse_quantity(devices, "number", input="devices")
    return float(device_time_for_deadline(value, n))
