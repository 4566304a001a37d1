"""One estimate: resolve the inputs (flags, profile, defaults), run the model, and keep
every assumption with its value and source so the output can show them all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from costcalc import model
from costcalc.errors import InputError
from costcalc.profiles import Catalog, Profile, default_catalog
from costcalc.tables import defaults, find_region, pue_values
from costcalc.units import parse_quantity

# Output fields of an estimate: name -> (display unit, label). The JSON field names carry
# their unit so that scripts reading them cannot mistake it.
OUTPUT_FIELDS = {
    "flops": ("FLOP", "Compute"),
    "wall_clock_hours": ("hour", "Wall-clock time"),
    "device_hours": ("hour", "Device-hours"),
    "energy_kwh": ("kWh", "Energy"),
    "cost_usd": ("USD", "Cost"),
    "co2e_kg": ("kg", "CO2e"),
}
_MODEL_KEYS = {
    "flops": "flops",
    "wall_clock_hours": "wall_clock",
    "device_hours": "device_time",
    "energy_kwh": "energy",
    "cost_usd": "cost",
    "co2e_kg": "co2e",
}


@dataclass(frozen=True)
class Assumption:
    """One input of the model as used: its value (base units), how to show it, and why."""

    name: str
    value: float
    unit: str  # display unit ("" for a plain number, "%" for a fraction)
    text: str  # the value as a person reads it
    source: str
    origin: str  # "flag", "profile", "default", "region", "derived"


@dataclass
class Estimate:
    """The answer to one question. Values are in base units; ``fields()`` gives the
    stable JSON field names in output units."""

    hardware: Profile
    precision: str
    outputs: dict[str, float]
    assumptions: list[Assumption]
    inputs: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def fields(self) -> dict[str, float | None]:
        from costcalc.units import convert

        out: dict[str, float | None] = {}
        for name, (unit, _label) in OUTPUT_FIELDS.items():
            value = self.outputs.get(_MODEL_KEYS[name])
            out[name] = None if value is None else float(convert(value, unit))
        return out

    def assumption(self, name: str) -> Assumption:
        return next(a for a in self.assumptions if a.name == name)


def _fmt(value: float, unit: str) -> str:
    from costcalc.units import convert

    if unit == "%":
        return f"{value * 100:.4g}%"
    shown = convert(value, unit) if unit else value
    return f"{shown:.4g} {unit}".strip()


def estimate(
    work: Any = None,
    *,
    hardware: str | Profile | None = None,
    flops: Any = None,
    device_hours: Any = None,
    duration: Any = None,
    devices: Any = None,
    utilization: Any = None,
    peak: Any = None,
    precision: str | None = None,
    power: Any = None,
    pue: Any = None,
    carbon_intensity: Any = None,
    region: str | None = None,
    price: Any = None,
    catalog: Catalog | None = None,
) -> Estimate:
    """Estimate time, energy, cost and CO2e of one training run.

    ``work`` (or ``flops``) is the compute (``"1e18"``, ``"3.14e23 FLOP"``, ``1e18``); or
    give ``device_hours``, or ``duration`` with ``devices``. Every other input defaults
    to the hardware profile or the built-in defaults, and accepts a number (in the unit
    the CLI assumes for a bare number) or a string with units.
    """
    given = {
        k: v
        for k, v in dict(
            work=work,
            hardware=hardware if not isinstance(hardware, Profile) else hardware.name,
            flops=flops,
            device_hours=device_hours,
            duration=duration,
            devices=devices,
            utilization=utilization,
            peak=peak,
            precision=precision,
            power=power,
            pue=pue,
            carbon_intensity=carbon_intensity,
            region=region,
            price=price,
        ).items()
        if v is not None
    }
    base = defaults()
    assumptions: list[Assumption] = []
    notes: list[str] = []

    def add(name: str, value: float, unit: str, source: str, origin: str) -> None:
        assumptions.append(Assumption(name, value, unit, _fmt(value, unit), source, origin))

    # Hardware and precision.
    if isinstance(hardware, Profile):
        profile = hardware
    else:
        name = hardware or base["hardware"]["value"]
        profile = (catalog or default_catalog()).get(str(name))
    hw_origin = "flag" if hardware else "default"
    prec = (precision or profile.default_precision).strip().lower()
    if peak is not None:
        peak_value = parse_quantity(peak, "throughput", "--peak")
        add("peak", peak_value, "TFLOPS", "given with --peak", "flag")
    else:
        if prec not in profile.dense_peak:
            raise InputError(
                f"{profile.name} has no {prec} peak; it has {', '.join(profile.dense_peak)}",
                "--precision",
            )
        entry = profile.dense_peak[prec]
        peak_value = entry.value
        add(
            "peak",
            peak_value,
            "TFLOPS",
            f"dense {prec} peak: {entry.cite()}",
            "profile",
        )

    util = (
        parse_quantity(utilization, "fraction", "--utilization")
        if utilization is not None
        else parse_quantity(base["utilization"]["value"], "fraction")
    )
    add(
        "utilization",
        util,
        "%",
        "given with --utilization"
        if utilization is not None
        else f"default: {base['utilization']['source']}",
        "flag" if utilization else "default",
    )

    # The work: FLOPs, or device-time from which the FLOPs follow.
    work_given = [k for k in ("work", "flops", "device_hours", "duration") if k in given]
    if "work" in given and "flops" in given:
        raise InputError("give the compute once, as WORK or --flops", "--flops")
    if len(work_given) > 1:
        raise InputError(
            "give the work one way: FLOPs, --device-hours, or --duration with --devices",
            "--" + work_given[-1].replace("_", "-"),
        )
    if not work_given:
        raise InputError(
            "no work given: pass FLOPs (e.g. 1e18), --device-hours or --duration", "WORK"
        )
    n_devices = (
        parse_quantity(devices, "number", "--devices")
        if devices is not None
        else float(base["devices"]["value"])
    )
    if not float(n_devices).is_integer():
        raise InputError(f"expected a whole number of devices, got {devices!r}", "--devices")
    if "device_hours" in given:
        device_seconds = parse_quantity(device_hours, "time", "--device-hours")
        total_flops = model.flops_from_device_time(device_seconds, peak_value, util)
        notes.append("FLOPs derived from the device-time at the stated peak and utilization")
    elif "duration" in given:
        device_seconds = parse_quantity(duration, "time", "--duration") * n_devices
        total_flops = model.flops_from_device_time(device_seconds, peak_value, util)
        notes.append("FLOPs derived from the duration x devices at the stated peak and utilization")
    else:
        total_flops = parse_quantity(
            work if work is not None else flops,
            "compute",
            "WORK" if work is not None else "--flops",
        )
    add(
        "devices",
        n_devices,
        "",
        "given with --devices" if devices is not None else "default",
        "flag" if devices is not None else "default",
    )

    # Power per device.
    if power is not None:
        power_value = parse_quantity(power, "power", "--power")
        add("power", power_value, "W", "given with --power", "flag")
    elif profile.average_power is not None:
        power_value = profile.average_power.value
        add(
            "power",
            power_value,
            "W",
            f"{profile.name} average power: {profile.average_power.cite()}",
            "profile",
        )
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
        add(
            "power",
            power_value,
            "W",
            f"TDP {profile.tdp.text} x server overhead {overhead:g} x load {load:g}, the rule of "
            f"{rule['source']} ({rule['date']}); TDP: {profile.tdp.cite()}"
            + (
                f"; overhead from {profile.server_overhead.cite()}"
                if profile.server_overhead
                else ""
            ),
            "profile",
        )

    # Data centre and grid.
    if pue is not None:
        pue_value = parse_quantity(pue, "number", "--pue")
        if pue_value < 1:
            raise InputError(
                f"PUE {pue!r} is below 1; PUE is total facility power over IT "
                "power, so at least 1 (e.g. 1.1)",
                "--pue",
            )
        add("pue", pue_value, "", "given with --pue", "flag")
    else:
        row = pue_values()[base["pue"]]
        add("pue", row.pue, "", f"default: {row.source} ({row.name}, {row.year})", "default")
        pue_value = row.pue
    if carbon_intensity is not None:
        if region is not None:
            raise InputError("give --carbon-intensity or --region, not both", "--region")
        intensity = parse_quantity(
            carbon_intensity, "carbon_intensity", "--carbon-intensity", allow_zero=True
        )
        add("carbon_intensity", intensity, "g/kWh", "given with --carbon-intensity", "flag")
    else:
        reg = find_region(region if region is not None else base["region"])
        intensity = reg.carbon_intensity
        label = f"{reg.name} ({reg.id}) {reg.year or 'undated'}, {reg.basis}: {reg.source}"
        add(
            "carbon_intensity",
            intensity,
            "g/kWh",
            label if region is not None else f"default: {label}",
            "region" if region is not None else "default",
        )

    # Price per device-hour.
    price_value: float | None
    if price is not None:
        price_value = parse_quantity(price, "price", "--price")
        add("price", price_value, "USD/hour", "given with --price", "flag")
    elif profile.price is not None:
        price_value = profile.price.value
        extra = profile.price.extra
        where = ", ".join(
            v for v in (extra.get("provider"), extra.get("region"), extra.get("kind")) if v
        )
        add(
            "price",
            price_value,
            "USD/hour",
            f"{where}: {profile.price.cite()}",
            "profile",
        )
    else:
        price_value = None
        notes.append(f"{profile.name} has no published price; give --price for a cost")

    outputs = model.evaluate(
        total_flops,
        peak_value,
        util,
        n_devices,
        power_value,
        pue_value,
        price_value if price_value is not None else math.nan,
        intensity,
    )
    if price_value is None:
        outputs["cost"] = None
    for key, value in outputs.items():
        if value is not None and not math.isfinite(value):
            raise InputError(
                f"the {key.replace('_', ' ')} overflows: the inputs are too large to compute with",
                "WORK",
            )
    assumptions.insert(
        0,
        Assumption(
            "hardware",
            0.0,
            "",
            profile.display_name,
            f"{profile.name} ({profile.path.rsplit('/', 1)[-1]})",
            hw_origin,
        ),
    )
    assumptions.insert(
        1,
        Assumption(
            "precision",
            0.0,
            "",
            prec,
            "given with --precision" if precision else f"{profile.name} default precision",
            "flag" if precision else "profile",
        ),
    )
    return Estimate(
        hardware=profile,
        precision=prec,
        outputs=outputs,
        assumptions=assumptions,
        inputs=given,
        notes=notes,
    )
