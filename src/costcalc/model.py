"""The arithmetic: compute -> time, energy, cost and CO2e.

Every function takes plain floats or numpy arrays (broadcasting) in base units
(FLOP, FLOP/s, second, watt, joule, USD, kg) and uses only arithmetic operators, so
the same code answers a one-liner without importing numpy and a sweep of millions
of scenarios at numpy speed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Number = Any  # float or numpy array


def device_time(flops: Number, peak: Number, utilization: Number) -> Number:
    """Device-seconds to run ``flops`` at ``utilization`` of ``peak`` FLOP/s."""
    return flops / (peak * utilization)


def flops_from_device_time(device_seconds: Number, peak: Number, utilization: Number) -> Number:
    """The FLOPs that ``device_seconds`` of work at ``utilization`` of ``peak`` performs."""
    return device_seconds * peak * utilization


def wall_clock(device_seconds: Number, devices: Number) -> Number:
    """Seconds of wall-clock time with the work spread over ``devices``."""
    return device_seconds / devices


def average_power(tdp: Number, server_overhead: Number, power_load: Number) -> Number:
    """Average wall power per device: chip TDP x chip-to-server ratio x load fraction."""
    return tdp * server_overhead * power_load


def energy(device_seconds: Number, power: Number, pue: Number) -> Number:
    """Joules drawn from the grid: IT energy times the data centre's PUE."""
    return device_seconds * power * pue


def cost(device_seconds: Number, price: Number) -> Number:
    """Money for ``device_seconds`` at ``price`` per device-second."""
    return device_seconds * price


def co2e(joules: Number, carbon_intensity: Number) -> Number:
    """kg CO2e for ``joules`` at ``carbon_intensity`` kg per joule."""
    return joules * carbon_intensity


def evaluate(
    flops: Number,
    peak: Number,
    utilization: Number,
    devices: Number,
    power: Number,
    pue: Number,
    price: Number,
    carbon_intensity: Number,
    *,
    device_seconds: Number | None = None,
    costs: Callable[[Number, Number, Number, Number], dict[str, Number]] | None = None,
    embodied: tuple[Number, Number] | None = None,
    trends: tuple[Number, Number] | None = None,
) -> dict[str, Number]:
    """All outputs for the given inputs (each a float or a broadcastable array): the one
    composition of the model, for a point, a band's centre, a Monte Carlo draw or a sweep.

    ``device_seconds``: the work is given as device-time, so ``flops`` is what that time
    performs at ``peak`` and ``utilization``. ``costs(device_time, energy, co2e, price)``
    prices the run item by item (costcalc.money.costs): ``cost`` becomes the total and each
    item is an output ``money_<item>``. ``embodied`` (kg CO2e per device, useful life in
    seconds) adds the manufacturing footprint amortized over the device-time; ``trends``
    (cost factor, energy factor) adds the projection of cost, energy and CO2e.
    """
    if device_seconds is not None:
        flops = flops_from_device_time(device_seconds, peak, utilization)
    seconds = device_time(flops, peak, utilization)
    joules = energy(seconds, power, pue)
    out = {
        "flops": flops,
        "device_time": seconds,
        "wall_clock": wall_clock(seconds, devices),
        "energy": joules,
        "cost": cost(seconds, price),
        "co2e": co2e(joules, carbon_intensity),
    }
    if costs is not None:
        items = costs(seconds, joules, out["co2e"], price)
        out["cost"] = items["total"]
        out.update({f"money_{k}": x for k, x in items.items()})
    if embodied is not None:
        footprint, useful_life = embodied
        out["embodied"] = seconds * footprint / useful_life
    if trends is not None:
        price_factor, energy_factor = trends
        out["projected_cost"] = out["cost"] * price_factor
        out["projected_energy"] = joules * energy_factor
        out["projected_co2e"] = out["co2e"] * energy_factor
    return out
