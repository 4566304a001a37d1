"""One estimate: resolve the inputs (flags, profile, defaults), run the model, and keep
every assumption with its value and source so the output can show them all.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from costcalc import inputs as registry
from costcalc import model
from costcalc.errors import InputError, given_with, ref
from costcalc.hardware import default_catalog
from costcalc.profiles import Catalog, Profile
from costcalc.results import Assumption, Estimate, Sections
from costcalc.tables import defaults, find_region, pue_values
from costcalc.units import parse_quantity

if TYPE_CHECKING:
    from costcalc.config import Setting, Settings

__all__ = ["HardwareChoice", "base_estimate", "resolve_hardware"]

# Output fields of an estimate (declared in costcalc.inputs): name -> (display unit, label).
# The JSON field names carry their unit so that scripts reading them cannot mistake it.
OUTPUT_FIELDS = {name: (o.unit, o.label) for name, o in registry.OUTPUTS.items()}
# Output field -> key in costcalc.model's outputs (shared with costcalc.sweeps).
MODEL_KEYS = {name: o.model_key for name, o in registry.OUTPUTS.items()}


def _fmt(value: float, unit: str) -> str:
    from costcalc.units import convert

    if unit == "%":
        return f"{value * 100:.4g}%"
    shown = convert(value, unit) if unit else value
    return f"{shown:.4g} {unit}".strip()


def _assume(name: str, value: float, unit: str, source: str, origin: str) -> Assumption:
    return Assumption(name, value, unit, _fmt(value, unit), source, origin)


class HardwareChoice(NamedTuple):
    """A profile resolved for one precision: per-device peak, power and price (base units)."""

    profile: Profile
    precision: str
    peak: float
    power: float
    price: float | None
    assumptions: list[Assumption]
    price_basis: tuple[str, str, str] = ("", "", "")  # provider, pricing, date of the price


# The inputs resolve_hardware reads besides the hardware (names declared in costcalc.inputs).
HARDWARE_INPUTS: tuple[str, ...] = ("precision", "peak", "power", "power_basis")  # the device
HARDWARE_INPUTS += ("price", "provider", "pricing", "region")  # where it runs, at what price


def resolve_hardware(
    hardware: str | Profile | None = None, *, catalog: Catalog | None = None, **given: Any
) -> HardwareChoice:
    """The hardware inputs of the model (``given``: the names of :data:`HARDWARE_INPUTS`),
    from flags, else the profile and the power rule; the price from the price list for
    ``provider``, ``pricing`` and ``region`` (:func:`costcalc.site.device_price`)."""
    unknown = set(given) - set(HARDWARE_INPUTS)
    if unknown:
        raise TypeError(f"resolve_hardware() got unexpected inputs: {sorted(unknown)}")
    g = registry.frozen(given, HARDWARE_INPUTS)
    precision, peak, power, price = g["precision"], g["peak"], g["power"], g["price"]
    power_basis, provider, pricing, region = (
        g["power_basis"],
        g["provider"],
        g["pricing"],
        g["region"],
    )
    base = defaults()
    for name, text in (("hardware", hardware), ("precision", precision)):
        if isinstance(text, str) and not text.strip():
            raise InputError(f"empty value; expected a {name} name", input=name)
    if isinstance(hardware, Profile):
        profile = hardware
    else:
        name = hardware or base["hardware"]["value"]
        profile = (catalog or default_catalog()).get(str(name))
    prec = (precision or profile.default_precision).strip().lower()
    out = [
        Assumption(
            "hardware",
            0.0,
            "",
            profile.display_name,
            f"{profile.name} ({profile.path.rsplit('/', 1)[-1]})"
            + (f"; {profile.chosen_because}" if profile.chosen_because else ""),
            "flag" if hardware else "default",
        ),
        Assumption(
            "precision",
            0.0,
            "",
            prec,
            given_with("precision") if precision else f"{profile.name} default precision",
            "flag" if precision else "profile",
        ),
    ]
    if peak is not None:
        peak_value = parse_quantity(peak, "throughput", input="peak")
        out.append(_assume("peak", peak_value, "TFLOPS", given_with("peak"), "flag"))
    else:
        if prec not in profile.dense_peak:
            raise InputError(
                f"{profile.name} has no {prec} peak; it has {', '.join(profile.dense_peak)}",
                input="precision",
            )
        entry = profile.dense_peak[prec]
        peak_value = entry.value
        out.append(
            _assume("peak", peak_value, "TFLOPS", f"dense {prec} peak: {entry.cite()}", "profile")
        )

    from costcalc import power_basis as basis_module

    basis = basis_module.parse(power_basis)
    if power is not None:
        power_value = parse_quantity(power, "power", input="power")
        out.append(_assume("power", power_value, "W", given_with("power"), "flag"))
    elif profile.average_power is not None and not (basis == "accelerator" and profile.tdp):
        power_value = profile.average_power.value
        source = f"{profile.name} average power: {profile.average_power.cite()}"
        out.append(_assume("power", power_value, "W", source, "profile"))
    else:
        rule = base["power_rule"]
        kind_rule = rule["kinds"][profile.kind]
        assert profile.tdp is not None  # the profile validator requires tdp or average_power
        overhead = (
            profile.server_overhead.value
            if profile.server_overhead
            else float(kind_rule["server_overhead"])
        )
        load = profile.power_load.value if profile.power_load else float(kind_rule["power_load"])
        power_value = model.average_power(profile.tdp.value, overhead, load)
        out += basis_module.parts(profile.tdp.value, profile.tdp.cite(), overhead, load, basis)
        if basis == "accelerator":
            power_value = profile.tdp.value
        source = (
            f"TDP {profile.tdp.text} x server overhead {overhead:g} x load {load:g}, the rule of "
            f"{rule['source']} ({rule['date']}); TDP: {profile.tdp.cite()}"
        )
        if profile.server_overhead:
            source += f"; overhead: {profile.server_overhead.cite()}"
        if basis == "accelerator":
            source = (
                f"TDP {profile.tdp.text} ({ref('power_basis')} accelerator): {profile.tdp.cite()}"
            )
        out.append(_assume("power", power_value, "W", source, "flag" if power_basis else "profile"))

    price_value: float | None
    price_basis = ("", "", "")
    from costcalc import site

    site.check_names(provider, pricing)
    if price is not None and pricing is not None:
        raise InputError(
            f"give {ref('price')} or {ref('pricing')}, not both (a pricing model picks a "
            "listed price)",
            input="pricing",
        )
    if price is not None:
        price_value = parse_quantity(price, "price", input="price")
        out.append(_assume("price", price_value, "USD/hour", given_with("price"), "flag"))
        price_basis = (ref("price"), "", "")
    else:
        found = site.device_price(profile, provider, pricing, region)
        if found is not None:
            price_value = found.value
            out.append(_assume("price", price_value, "USD/hour", found.source, found.origin))
            price_basis = (found.provider, found.pricing, found.date)
        else:
            price_value = None
    return HardwareChoice(profile, prec, peak_value, power_value, price_value, out, price_basis)


def resolve_utilization(
    utilization: Any = None, profile: str | None = None
) -> tuple[float, Assumption]:
    """The utilization: given, else the median of published runs on ``profile``'s hardware
    generation (costcalc.band), else the global default (Epoch AI)."""
    if utilization is not None:
        value = parse_quantity(utilization, "fraction", input="utilization")
        return value, _assume("utilization", value, "%", given_with("utilization"), "flag")
    if profile is not None:
        from costcalc import mfu_groups

        fitted = mfu_groups.default_utilization(profile)
        if fitted is not None:
            return fitted[0], _assume(
                "utilization", fitted[0], "%", f"default: {fitted[1]}", "default"
            )
    entry = defaults()["utilization"]
    value = parse_quantity(entry["value"], "fraction")
    return value, _assume("utilization", value, "%", f"default: {entry['source']}", "default")


def resolve_devices(devices: Any = None) -> tuple[float, Assumption]:
    if devices is None:
        value = float(defaults()["devices"]["value"])
        return value, _assume("devices", value, "", "default", "default")
    value = parse_quantity(devices, "number", input="devices")
    if not float(value).is_integer():
        raise InputError(f"expected a whole number of devices, got {devices!r}", input="devices")
    return value, _assume("devices", value, "", given_with("devices"), "flag")


def resolve_pue(
    pue: Any = None, region: str | None = None, provider: str | None = None
) -> tuple[float, Assumption]:
    """The PUE: given (a number, or a provider name: ``--pue google``), else the one the
    site brings (a cloud region's or provider's published figure), else the default."""
    from costcalc import site

    found = site.site_pue(pue, region, provider)
    if found is not None:
        return found.value, _assume("pue", found.value, "", found.label, found.origin)
    if pue is not None:
        value = parse_quantity(pue, "number", input="pue")
        if value < 1:
            raise InputError(
                f"PUE {pue!r} is below 1; PUE is total facility power over IT "
                "power, so at least 1 (e.g. 1.1)",
                input="pue",
            )
        return value, _assume("pue", value, "", given_with("pue"), "flag")
    row = pue_values()[defaults()["pue"]]
    source = f"default: {row.source} ({row.name}, {row.year})"
    return row.pue, _assume("pue", row.pue, "", source, "default")


def resolve_carbon_intensity(
    carbon_intensity: Any = None, region: str | None = None
) -> tuple[float, Assumption]:
    if carbon_intensity is not None:
        if region is not None:
            raise InputError(
                f"give {ref('carbon_intensity')} or {ref('region')}, not both", input="region"
            )
        value = parse_quantity(
            carbon_intensity, "carbon_intensity", input="carbon_intensity", allow_zero=True
        )
        source = given_with("carbon_intensity")
        return value, _assume("carbon_intensity", value, "g/kWh", source, "flag")
    reg = find_region(region if region is not None else defaults()["region"])
    from costcalc.site import grid_basis_text

    label = f"{reg.name} ({reg.id}) {reg.year or 'undated'}, {grid_basis_text(reg)}: {reg.source}"
    if region is None:
        return reg.carbon_intensity, _assume(
            "carbon_intensity", reg.carbon_intensity, "g/kWh", f"default: {label}", "default"
        )
    return reg.carbon_intensity, _assume(
        "carbon_intensity", reg.carbon_intensity, "g/kWh", label, "region"
    )


def resolve_work(
    given: Mapping[str, Any], *, devices: float = 1.0, peak: float, utilization: float
) -> tuple[float, list[str]]:
    """The training compute in FLOP, from FLOPs or from device-time (``given``: ``work``,
    ``flops``, ``device_hours``, ``duration``, any left out being None); plus notes."""
    g = registry.frozen(given, ("work", "flops", "device_hours", "duration"))
    work, flops, device_hours, duration = g["work"], g["flops"], g["device_hours"], g["duration"]
    named = [
        k
        for k, v in (
            ("work", work),
            ("flops", flops),
            ("device_hours", device_hours),
            ("duration", duration),
        )
        if v is not None
    ]
    if work is not None and flops is not None:
        raise InputError(
            f"give the compute once, as {ref('work')} or {ref('flops')}", input="flops"
        )
    if len(named) > 1:
        raise InputError(
            f"give the work one way: FLOPs, {ref('device_hours')}, or {ref('duration')} with "
            f"{ref('devices')}",
            input=named[-1],
        )
    if not named:
        raise InputError(
            f"no work given: pass FLOPs (e.g. 1e18), {ref('device_hours')} or {ref('duration')}",
            input="work",
        )
    if device_hours is not None:
        seconds = parse_quantity(device_hours, "time", input="device_hours")
        note = "FLOPs derived from the device-time at the stated peak and utilization"
        return model.flops_from_device_time(seconds, peak, utilization), [note]
    if duration is not None:
        seconds = parse_quantity(duration, "time", input="duration") * devices
        note = "FLOPs derived from the duration x devices at the stated peak and utilization"
        return model.flops_from_device_time(seconds, peak, utilization), [note]
    name = "work" if work is not None else "flops"
    return parse_quantity(work if work is not None else flops, "compute", input=name), []


def _named_inputs(inputs: Mapping[str, Any]) -> str:
    """The inputs given, as a person wrote them (for an error naming them)."""
    shown = [f"{k.replace('_', ' ')} {v}" for k, v in inputs.items() if k != "hardware"]
    return ", ".join(shown)[:200]


def base_estimate(
    work: Any = None,
    *,
    hardware: str | Profile | None = None,
    flops: Any = None,
    device_hours: Any = None,
    duration: Any = None,
    params: Any = None,
    tokens: Any = None,
    flops_per_param_token: Any = None,
    active_params: Any = None,
    bytes_per_param: Any = None,
    repeats: Any = None,
    devices: Any = None,
    utilization: Any = None,
    peak: Any = None,
    precision: str | None = None,
    power: Any = None,
    pue: Any = None,
    carbon_intensity: Any = None,
    region: str | None = None,
    price: Any = None,
    power_basis: Any = None,
    arch: Any = None,
    seq_len: Any = None,
    layers: Any = None,
    d_model: Any = None,
    heads: Any = None,
    kv_heads: Any = None,
    ffn: Any = None,
    vocab: Any = None,
    experts: Any = None,
    top_k: Any = None,
    recompute: Any = None,
    tp: Any = None,
    pp: Any = None,
    zero: Any = None,
    micro_batch: Any = None,
    finetune: Any = None,
    lora_rank: Any = None,
    throughput: Any = None,
    step_time: Any = None,
    batch_tokens: Any = None,
    provider: str | None = None,
    pricing: str | None = None,
    catalog: Catalog | None = None,
    settings: Settings | None = None,
) -> Estimate:
    """The building block of :func:`costcalc.estimate` (not a second public estimate):
    each input resolved (given, config file, profile or default) with its source, and the
    model run at that point; no ranges, money, projection, band or equivalents.

    Its keywords are the estimate inputs that :func:`costcalc.estimate` lists first (it
    takes them from this signature, :data:`KEYWORDS`); ``settings`` (from
    ``costcalc.config.load_settings()``) supplies defaults for the inputs left out. Inside
    costcalc, :mod:`costcalc.inverse` and :mod:`costcalc.scaling` price their answers
    with it.
    """
    asked = {k: v for k, v in locals().items() if k not in ("catalog", "settings")}
    if settings is None:
        return _build(MappingProxyType(asked), catalog, {})
    # The one merge: config-file defaults under the given inputs, then the core (read-only).
    filled, used = settings.fill(asked)
    with settings.blame(used):
        return _build(MappingProxyType(filled), catalog, used)


# The keywords of base_estimate, in order (costcalc.estimate takes them all, and more).
KEYWORDS = tuple(inspect.signature(base_estimate).parameters)

# The model-shape inputs (declared in costcalc.inputs, panel "Model").
_SHAPE_KEYS = tuple(name for name, i in registry.INPUTS.items() if i.panel == "Model")


def _build(g: Mapping[str, Any], catalog: Catalog | None, used: Mapping[str, Setting]) -> Estimate:
    """The estimate for inputs ``g`` (every keyword of :func:`base_estimate`, None where not
    given), the defaults of config files already merged in; ``used`` names the inputs taken
    from a file, whose assumptions then name its file and line."""
    work, hardware, devices, utilization = g["work"], g["hardware"], g["devices"], g["utilization"]
    peak, precision, pue, provider = g["peak"], g["precision"], g["pue"], g["provider"]
    carbon_intensity, region = g["carbon_intensity"], g["region"]
    shape = {k: g[k] for k in _SHAPE_KEYS}
    # the inputs given (in the order of estimate's keywords), as given
    shown = {
        k: (v.name if k == "hardware" and isinstance(v, Profile) else v)
        for k, v in g.items()
        if v is not None
    }
    from costcalc import run_inputs

    ran = run_inputs.as_ran(
        work, catalog, hardware=hardware, devices=devices, utilization=utilization
    )
    if ran is not None:  # a reference run as it ran: its hardware and device count
        hardware = ran.hardware or hardware
        devices = ran.devices if ran.devices is not None else devices
    hw = resolve_hardware(hardware, catalog=catalog, **{k: g[k] for k in HARDWARE_INPUTS})
    util, util_note = resolve_utilization(utilization, profile=hw.profile.name)
    n_devices, devices_note = resolve_devices(devices)
    from costcalc import finite

    # The model divides by peak x utilization (and by devices): refused when it underflows.
    finite.product(
        (("peak", hw.peak), ("utilization", util), ("devices", n_devices)),
        input="peak"
        if peak is not None
        else "utilization"
        if utilization is not None
        else "hardware",
    )
    from costcalc import workloads

    # A model's shape, when any of its inputs is given, counts the FLOPs and the memory
    # (imported only then: the one-liner needs no shapes).
    shaped = any(v is not None for v in shape.values())
    if shaped:
        from costcalc import workload_shape
    job = (workload_shape.resolve if shaped else workloads.resolve)(g)
    measured = job.measured_utilization(hw.peak, n_devices, utilization)
    if measured is not None:
        util, util_note = measured
    total_flops, notes = resolve_work(
        {**g, "work": job.work}, devices=n_devices, peak=hw.peak, utilization=util
    )
    total_flops = job.total(total_flops)
    taken: set[str] = set()
    if ran is not None:
        taken = {k for k in ("hardware", "devices") if getattr(ran, k) is not None}
        run_util = run_inputs.utilization_for(ran, total_flops / job.repeats, hw.peak)
        if run_util is not None and peak is None and precision is None:
            util, util_note = run_util, _assume("utilization", run_util, "%", "", "run")
            taken.add("utilization")
    pue_value, pue_note = resolve_pue(pue, region, provider)
    intensity, intensity_note = resolve_carbon_intensity(carbon_intensity, region)
    if hw.profile.chosen_because:
        notes.append(hw.profile.chosen_because)
    if hw.price is None:
        notes.append(f"{hw.profile.name} has no published price; give {ref('price')} for a cost")

    outputs: dict[str, Any] = model.evaluate(
        total_flops,
        hw.peak,
        util,
        n_devices,
        hw.power,
        pue_value,
        hw.price if hw.price is not None else math.nan,
        intensity,
    )
    if hw.price is None:
        outputs["cost"] = None
    for key, value in outputs.items():
        finite.checked(
            value, f"the {key.replace('_', ' ')}", "", _named_inputs(shown), input="work"
        )
    by_name = {a.name: a for a in hw.assumptions}
    assumptions = [
        by_name["hardware"],
        by_name["precision"],
        by_name["peak"],
        util_note,
        devices_note,
        by_name["power"],
        *(by_name[k] for k in ("accelerator_power", "server_overhead") if k in by_name),
        pue_note,
        intensity_note,
    ]
    if "price" in by_name:
        assumptions.append(by_name["price"])
    assumptions = job.assumptions + assumptions
    if ran is not None:
        assumptions = run_inputs.relabel(assumptions, ran, taken)
    if used:
        from costcalc.config import Settings

        assumptions = Settings.relabel(assumptions, used)
    memory = hw.profile.memory.value if hw.profile.memory else None
    notes = notes + job.notes_for(outputs, memory, n_devices, hw.profile.name)
    return Estimate(
        hardware=hw.profile,
        precision=hw.precision,
        outputs=outputs,
        assumptions=tuple(assumptions),
        inputs={k: v for k, v in shown.items() if k not in used},
        notes=tuple(notes),
        sections=cast("Sections", dict(job.sections)),
    )
