"""Hardware profiles: the YAML files in ``hardware_profiles/``, validated into objects.

Every number in a profile is a mapping ``{value, source, date}``; ``value`` is a unit
string (``180 TFLOPS``) read once, here, into base units. Peaks are dense (no
sparsity); ``form`` and ``chips`` say whether one device is a chip, a GPU, a board or
a pod slice.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from costcalc import yamlio
from costcalc.errors import CostcalcError, DataError, InputError, did_you_mean
from costcalc.units import parse_quantity

PRECISIONS = ("fp64", "fp32", "tf32", "bf16", "fp16", "fp8", "int8")
KINDS = ("gpu", "tpu", "accelerator", "cpu")
FORMS = ("chip", "gpu", "board", "pod-slice", "server")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{0,63}$")

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


class _Problems:
    """Collects every problem in one file, each located as ``file:line: field: message``."""

    def __init__(self, doc: yamlio.Document) -> None:
        self.doc = doc
        self.items: list[str] = []

    def add(self, path: tuple[Any, ...], message: str) -> None:
        name = ".".join(str(p) for p in path) or "(top level)"
        self.items.append(f"{self.doc.where(path)}: {name}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            more = f" (and {len(self.items) - 1} more problems)" if len(self.items) > 1 else ""
            err = DataError(self.items[0] + more, problems=self.items)
            raise err


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def _sourced(
    raw: Any,
    kind: str,
    path: tuple[Any, ...],
    problems: _Problems,
    extra_keys: tuple[str, ...] = (),
) -> Sourced | None:
    if not isinstance(raw, dict):
        problems.add(path, "expected a mapping with value, source and date")
        return None
    allowed = {"value", "source", "date", "estimate", "note", *extra_keys}
    for key in raw:
        if key not in allowed:
            problems.add(path + (key,), f"unknown key{did_you_mean(str(key), allowed)}")
    text = _text(raw.get("value"))
    source = raw.get("source")
    date = raw.get("date")
    ok = True
    if text is None:
        problems.add(path + ("value",), "missing value (a number with its unit)")
        ok = False
    if not isinstance(source, str) or not source.strip():
        problems.add(path + ("source",), "missing source: every value needs one")
        ok = False
    if isinstance(date, datetime.date):
        date = date.isoformat()
    elif isinstance(date, int) and 1900 < date < 2200:
        date = str(date)
    elif not isinstance(date, str) or not re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", date):
        problems.add(path + ("date",), "missing or malformed date (YYYY-MM-DD)")
        ok = False
    estimate = raw.get("estimate", False)
    if not isinstance(estimate, bool):
        problems.add(path + ("estimate",), "expected true or false")
        ok = False
    value = 0.0
    if text is not None:
        try:
            value = parse_quantity(text, kind)
        except CostcalcError as e:
            problems.add(path + ("value",), e.message)
            ok = False
    extra = {}
    for key in extra_keys:
        if key in raw:
            extra[key] = str(raw[key])
    if not ok:
        return None
    return Sourced(
        value=value,
        text=str(text),
        source=str(source).strip(),
        date=str(date),
        estimate=bool(estimate),
        note=str(raw.get("note", "") or ""),
        extra=extra,
    )


def parse_profile(doc: yamlio.Document) -> Profile:
    """Validate a parsed profile document; raise :class:`DataError` listing every problem."""
    p = _Problems(doc)
    data = doc.data
    if not isinstance(data, dict):
        p.add((), "expected a mapping of profile fields")
        p.raise_if_any()
    for key in data:
        if key not in ALL_FIELDS:
            p.add((key,), f"unknown field{did_you_mean(str(key), ALL_FIELDS)}")
    if data.get("schema_version") != 1 or isinstance(data.get("schema_version"), bool):
        p.add(("schema_version",), "expected schema_version: 1")
    name = data.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        p.add(("name",), "expected a lowercase id of letters, digits, '.' and '-'")
        name = "?"
    aliases = data.get("aliases")
    aliases = [] if aliases is None else aliases
    if not isinstance(aliases, list) or not all(
        isinstance(a, str) and NAME_RE.match(a) for a in aliases
    ):
        p.add(("aliases",), "expected a list of lowercase ids")
        aliases = []
    for key, choices in (("kind", KINDS), ("form", FORMS)):
        if data.get(key) not in choices:
            p.add(
                (key,),
                f"expected one of {', '.join(choices)}{did_you_mean(str(data.get(key)), choices)}",
            )
    vendor = data.get("vendor")
    if not isinstance(vendor, str) or not vendor.strip():
        p.add(("vendor",), "missing vendor")
    chips = data.get("chips", 1)
    if isinstance(chips, bool) or not isinstance(chips, int) or chips < 1:
        p.add(("chips",), "expected a whole number of chips, at least 1")
        chips = 1
    year = data.get("launch_year")
    if year is not None and (
        isinstance(year, bool) or not isinstance(year, int) or not 1950 <= year <= 2100
    ):
        p.add(("launch_year",), "expected a year such as 2022")
    peaks: dict[str, dict[str, Sourced]] = {}
    for section in PEAK_FIELDS:
        raw = data.get(section)
        peaks[section] = {}
        if raw is None:
            continue
        if not isinstance(raw, dict) or not raw:
            p.add((section,), "expected a mapping of precision to peak throughput")
            continue
        for prec, entry in raw.items():
            if prec not in PRECISIONS:
                p.add(
                    (section, prec),
                    "unknown precision; expected one of "
                    f"{', '.join(PRECISIONS)}{did_you_mean(str(prec), PRECISIONS)}",
                )
                continue
            got = _sourced(entry, "throughput", (section, prec), p)
            if got is not None:
                peaks[section][prec] = got
    dense = peaks["dense_peak"]
    if not data.get("dense_peak"):
        p.add(("dense_peak",), "missing: at least one dense (no-sparsity) peak is required")
    if "bf16" in dense and "fp32" in dense and dense["bf16"].value < dense["fp32"].value:
        p.add(("dense_peak", "bf16"), "bf16 peak is below the fp32 peak; is one of them wrong?")
    for prec, sparse in peaks["sparse_peak"].items():
        if prec in dense and sparse.value < dense[prec].value:
            p.add(("sparse_peak", prec), "sparse peak is below the dense peak")
    default_precision = data.get("default_precision")
    if default_precision is None:
        default_precision = "bf16" if "bf16" in dense else next(iter(dense), "bf16")
    elif not isinstance(default_precision, str) or (default_precision not in dense and dense):
        p.add(
            ("default_precision",),
            f"no dense peak for {default_precision!r}; have {', '.join(dense)}",
        )
    sourced: dict[str, Sourced | None] = {}
    for key, kind in SOURCED_FIELDS.items():
        if key in data:
            extra = PRICE_EXTRA if key == "price" else ()
            sourced[key] = _sourced(data[key], kind, (key,), p, extra)
    if "tdp" not in data and "average_power" not in data:
        p.add(("tdp",), "missing: a TDP (or an average_power) is needed for energy")
    notes = data.get("notes", "")
    p.raise_if_any()
    return Profile(
        name=str(name),
        display_name=str(data.get("display_name") or name),
        vendor=str(vendor),
        kind=str(data["kind"]),
        form=str(data["form"]),
        chips=int(chips),
        dense_peak=dense,
        sparse_peak=peaks["sparse_peak"],
        default_precision=str(default_precision),
        path=doc.source,
        aliases=tuple(aliases),
        launch_year=year,
        notes=str(notes or ""),
        **sourced,  # type: ignore[arg-type]
    )


def load_profile(path: Path | str) -> Profile:
    from costcalc import cache

    path = Path(path)
    return cache.memo("profile", [path], lambda: _read_profile(path), (Profile, Sourced))


def _read_profile(path: Path) -> Profile:
    text = yamlio.read_text(path, "profile")
    return parse_profile(yamlio.load(text, str(path)))


def shipped_dir() -> Path:
    """The profiles shipped with costcalc (inside the wheel, or the source checkout)."""
    inside = Path(__file__).resolve().parent / "hardware_profiles"
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parents[2] / "hardware_profiles"


class Catalog:
    """Profiles by name, from the shipped directory (and, later, user directories)."""

    def __init__(self, dirs: list[Path] | None = None) -> None:
        self.dirs = dirs if dirs is not None else [shipped_dir()]
        self._all: dict[str, Profile] | None = None

    def files(self) -> list[Path]:
        out = []
        for d in self.dirs:
            out.extend(sorted(d.glob("*.yaml")))
        return out

    def all(self) -> dict[str, Profile]:
        """Every profile by name; later directories shadow earlier ones."""
        if self._all is None:
            profiles: dict[str, Profile] = {}
            for path in self.files():
                prof = load_profile(path)
                profiles[prof.name] = prof
            self._all = profiles
        return self._all

    def get(self, name: str, where: str = "--hardware") -> Profile:
        """A profile by name, alias or unique prefix, with "did you mean" on a miss."""
        key = name.strip().lower()
        if NAME_RE.match(key):  # fast path: one file, no full scan
            for d in reversed(self.dirs):
                path = d / f"{key}.yaml"
                if path.is_file():
                    return load_profile(path)
        profiles = self.all()
        index = {p.name: p for p in profiles.values()}
        for p in profiles.values():
            for alias in p.aliases:
                index.setdefault(alias, p)
        if key in index:
            return index[key]
        starts = {p.name for k, p in index.items() if k.startswith(key)}
        if len(starts) == 1:
            return profiles[starts.pop()]
        if len(starts) > 1:
            raise InputError(f"'{name}' is ambiguous: {', '.join(sorted(starts))}", where)
        raise InputError(
            f"unknown hardware '{name}'{did_you_mean(key, index)}; see 'costcalc profiles list'",
            where,
        )


@cache
def default_catalog() -> Catalog:
    return Catalog()
