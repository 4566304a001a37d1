"""The profile model: what a hardware profile holds (every number sourced), and the names,
precisions, kinds and forms it may use."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PRECISIONS = ("fp64", "fp32", "tf32", "bf16", "fp16", "fp8", "int8")
KINDS = ("gpu", "tpu", "accelerator", "cpu")
FORMS = ("chip", "gpu", "board", "pod-slice", "server")
# \Z, not $: "$" also matches before a final newline ("h100\n" is not a name).
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{0,63}\Z")

# field -> unit kind of its value; every one of these is a sourced mapping.
SOURCED_FIELDS = {
    "memory": "memory",
    "memory_bandwidth": "bandwidth",
    "tdp": "power",
    "average_power": "power",
    "server_overhead": "number",
    "power_load": "fraction",
    "price": "price",
}
PLAIN_FIELDS = {
    "schema_version",
    "base",
    "name",
    "display_name",
    "aliases",
    "vendor",
    "kind",
    "form",
    "chips",
    "launch_year",
    "default_precision",
    "notes",
}
PEAK_FIELDS = {"dense_peak", "sparse_peak"}
# No device computes below 1 FLOP/s; smaller peaks only make the model's products underflow.
MIN_PEAK = 1.0
PRICE_EXTRA = ("provider", "region", "kind")
ALL_FIELDS = PLAIN_FIELDS | PEAK_FIELDS | set(SOURCED_FIELDS)


@dataclass(frozen=True)
class Sourced:
    """One value with its provenance. ``value`` is in base units."""

    value: float
    text: str
    source: str
    date: str
    estimate: bool = False
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def cite(self) -> str:
        mark = " (estimate)" if self.estimate else ""
        return f"{self.source} ({self.date}){mark}"


@dataclass(frozen=True)
class Profile:
    """One hardware profile, validated: every number sourced (:class:`Sourced`)."""

    name: str
    display_name: str
    vendor: str
    kind: str
    form: str
    chips: int
    dense_peak: dict[str, Sourced]
    default_precision: str
    path: str
    aliases: tuple[str, ...] = ()
    launch_year: int | None = None
    sparse_peak: dict[str, Sourced] = field(default_factory=dict)
    memory: Sourced | None = None
    memory_bandwidth: Sourced | None = None
    tdp: Sourced | None = None
    average_power: Sourced | None = None
    server_overhead: Sourced | None = None
    power_load: Sourced | None = None
    price: Sourced | None = None
    notes: str = ""
    # Set when a profile was chosen for the user (``--hardware local``): which and why.
    chosen_because: str = ""
    base: str | None = None  # the profile this one inherits from (``base:``)
    inherited: tuple[str, ...] = ()  # fields taken from the base, e.g. "tdp", "dense_peak.bf16"
