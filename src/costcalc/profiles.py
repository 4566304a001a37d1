"""Hardware profiles: the YAML files in ``hardware_profiles/``, validated into objects.

Every number in a profile is a mapping ``{value, source, date}``; ``value`` is a unit
string (``180 TFLOPS``) read once, here, into base units. Peaks are dense (no
sparsity); ``form`` and ``chips`` say whether one device is a chip, a GPU, a board or
a pod slice.
"""

from __future__ import annotations

import datetime
import functools
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from costcalc import yamlio
from costcalc.errors import (
    CostcalcError,
    DataError,
    InputError,
    did_you_mean,
    did_you_mean_name,
    loose_index,
    name_key,
)
from costcalc.paths import shipped_dir  # re-exported: where the shipped profiles are
from costcalc.units import parse_quantity

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
    problems: yamlio.Problems,
    extra_keys: tuple[str, ...] = (),
) -> Sourced | None:
    if not isinstance(raw, dict):
        problems.add(path, "expected a mapping with value, source and date")
        return None
    allowed = {"value", "source", "date", "estimate", "note", *extra_keys}
    for key in raw:
        if key not in allowed:
            hint = "" if problems.full else did_you_mean(str(key), allowed)
            problems.add(path + (key,), f"unknown key{hint}")
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
    elif not isinstance(date, str) or not re.match(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?\Z", date):
        problems.add(path + ("date",), "missing or malformed date (YYYY-MM-DD)")
        ok = False
    estimate = raw.get("estimate", False)
    if not isinstance(estimate, bool):
        problems.add(path + ("estimate",), "expected true or false")
        ok = False
    value = 0.0
    if text is not None:
        try:
            value = _quantity(text, kind)
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


@functools.lru_cache(maxsize=4096)
def _quantity(text: str, kind: str) -> float:
    """A profile's value read once (inheriting profiles repeat their bases' values)."""
    return parse_quantity(text, kind)


def parse_profile(doc: yamlio.Document) -> Profile:
    """Validate a parsed profile document; raise :class:`DataError` listing every problem."""
    p = yamlio.Problems(doc)
    data = doc.data
    if not isinstance(data, dict):
        p.add((), "expected a mapping of profile fields")
        p.raise_if_any()
    for key in data:
        if key not in ALL_FIELDS:
            p.add((key,), f"unknown field{'' if p.full else did_you_mean(str(key), ALL_FIELDS)}")
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
    for section, by_prec in peaks.items():
        for prec, got in by_prec.items():
            if got.value < MIN_PEAK:
                p.add(
                    (section, prec),
                    f"peak {got.text} is below {MIN_PEAK:g} FLOP/s: too small to compute with "
                    "(peak x utilization x devices underflows to zero); is the unit TFLOPS?",
                )
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
    base = data.get("base")
    if base is not None and not (isinstance(base, str) and NAME_RE.match(base)):
        p.add(("base",), "expected the name of another profile, e.g. h100-sxm")
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
        base=base,
        **sourced,  # type: ignore[arg-type]
    )


# The longest ``base:`` chain: far beyond any real use, short enough to name in an error.
MAX_BASE_DEPTH = 32

# Fields a profile does not take from its base: they name and describe the new profile.
NOT_INHERITED = ("name", "aliases", "display_name", "notes", "base")

# Where a directory of profiles comes from, lowest precedence first.
SHIPPED, USER, ENV, FLAG, FILE = (
    "shipped",
    "user config",
    "COSTCALC_PROFILES_PATH",
    "--profiles-dir",
    "file",
)


@dataclass(frozen=True)
class Layer:
    """One directory on the profile search path and where it was configured."""

    path: Path
    origin: str


@dataclass(frozen=True)
class Entry:
    """A profile in the catalog: where it comes from and which files it hides."""

    profile: Profile
    origin: str
    shadows: tuple[str, ...] = ()


def search_path(
    profiles_dirs: Sequence[Path | str] = (),
    env: Mapping[str, str] | None = None,
    warnings: list[str] | None = None,
) -> list[Layer]:
    """The directories profiles are read from, lowest precedence first: shipped, the user
    config directory, ``COSTCALC_PROFILES_PATH`` (os.pathsep-separated, first entry
    wins) and ``--profiles-dir`` (repeatable, first wins). A later layer shadows an
    earlier one profile by profile. Optional places that cannot be read are skipped,
    each with a line in ``warnings``.
    """
    warnings = [] if warnings is None else warnings
    from costcalc.paths import expand_place, optional_place, user_profiles_dir

    env = os.environ if env is None else env
    layers = [Layer(shipped_dir(), SHIPPED)]
    user = optional_place(
        lambda: user_profiles_dir(env), Path.is_dir, "user profiles directory", warnings
    )
    if user is not None:
        layers.append(Layer(user, USER))
    listed = [p for p in env.get("COSTCALC_PROFILES_PATH", "").split(os.pathsep) if p.strip()]
    for p in reversed(listed):
        found = optional_place(
            functools.partial(expand_place, p, "COSTCALC_PROFILES_PATH"),
            Path.is_dir,
            "COSTCALC_PROFILES_PATH entry",
            warnings,
        )
        if found is not None:
            layers.append(Layer(found, ENV))
    for d in reversed(list(profiles_dirs)):
        path = expand_place(str(d), "--profiles-dir")
        try:
            is_dir = path.is_dir()
        except OSError as e:
            raise InputError(f"cannot read '{d}' ({e.strerror})", "--profiles-dir") from None
        if not is_dir:
            raise InputError(f"no such directory '{d}'", "--profiles-dir")
        layers.append(Layer(path, FLAG))
    return layers


class Catalog:
    """Profiles by name from a search path of directories (see :func:`search_path`).

    Broken files outside the shipped directory do not hide the others: they are
    skipped and described in ``warnings`` (one line per file).
    """

    def __init__(
        self,
        dirs: Sequence[Path | Layer] | None = None,
        local: Callable[[Catalog], Profile] | None = None,
    ) -> None:
        # How "local" (this machine) is resolved: given by the caller that knows how to
        # detect hardware (costcalc.hardware), so that profiles need not import detection.
        self.local = local
        if dirs is None:
            dirs = [Layer(shipped_dir(), SHIPPED)]
        self.layers = [d if isinstance(d, Layer) else Layer(Path(d), "directory") for d in dirs]
        self.warnings: list[str] = []
        self._entries: dict[str, Entry] | None = None
        self._docs: dict[Path, yamlio.Document] = {}
        self._merges: dict[tuple[int, Path], tuple[yamlio.Document, tuple[str, ...]]] = {}
        self._profiles: dict[int, tuple[yamlio.Document, Profile]] = {}  # by id(document)
        self._stems: set[str] | None = None
        self._unparsed = False  # whether a document came from a stored tree
        self._fresh = False  # parse every file, bypassing stored trees

    @classmethod
    def from_search_path(
        cls,
        profiles_dirs: Sequence[Path | str] = (),
        env: Mapping[str, str] | None = None,
        local: Callable[[Catalog], Profile] | None = None,
    ) -> Catalog:
        warnings: list[str] = []
        catalog = cls(search_path(profiles_dirs, env, warnings), local)
        catalog.warnings[:0] = warnings
        return catalog

    @property
    def dirs(self) -> list[Path]:
        return [layer.path for layer in self.layers]

    def files(self) -> list[Path]:
        out = []
        for d in self.dirs:
            out.extend(yamlio.regular_files(d, "*.yaml", self.warnings))
        return out

    # -- loading one file, with inheritance -------------------------------------------

    def _doc(self, path: Path) -> yamlio.Document:
        if path not in self._docs:
            from costcalc import cache

            parsed = []

            def parse() -> yamlio.Document:
                parsed.append(path)
                return yamlio.load(yamlio.read_text(path, "profile"), str(path))

            if self._fresh:
                self._docs[path] = parse()
            else:
                self._docs[path] = cache.document(path, str(path), parse)
                if not parsed:
                    self._unparsed = True  # a stored tree: see _load_file
        return self._docs[path]

    def _find(self, name: str, below: int) -> tuple[int, Path] | None:
        """The file of profile ``name`` in the layers under ``below``, highest first."""
        for i in range(min(below, len(self.layers)) - 1, -1, -1):
            path = self.layers[i].path / f"{name}.yaml"
            if path.is_file():
                return i, path
        return None

    def _merged(self, layer: int, path: Path) -> tuple[yamlio.Document, tuple[str, ...]]:
        """The document of ``path`` with its ``base`` chain merged under it.

        Iterative (a chain cannot exhaust the stack), at most ``MAX_BASE_DEPTH`` deep, a
        cycle named in the error, and each merged document kept: a catalog of many
        profiles inheriting from the same bases loads in linear time.
        """
        steps: list[tuple[int, Path]] = [(layer, path)]
        while (layer, path) not in self._merges:
            doc = self._doc(path)
            data = doc.data
            if not isinstance(data, dict) or "base" not in data:
                self._merges[(layer, path)] = (doc, ())
                break
            base = data["base"]
            if not isinstance(base, str) or not NAME_RE.match(base):
                self._merges[(layer, path)] = (doc, ())  # parse_profile reports it
                break
            own = data.get("name")
            found = self._find(base, layer if base == own else len(self.layers))
            if found is None:
                hint = " below this one on the search path" if base == own else ""
                raise DataError(
                    f"base: unknown profile '{base}'{hint}"
                    f"{did_you_mean(base, self._names())}; see 'costcalc profiles list'",
                    doc.where(("base",)),
                )
            seen = [p for _, p in steps]
            if found[1] in seen:
                names = [p.stem for p in (*seen, found[1])]
                raise DataError(
                    f"base: inheritance cycle {' -> '.join(names)}", doc.where(("base",))
                )
            if len(steps) > MAX_BASE_DEPTH:
                names = [p.stem for p in seen]
                shown = " -> ".join([*names[:3], "...", *names[-2:]])
                raise DataError(
                    f"base: a chain of more than {MAX_BASE_DEPTH} profiles ({shown}); "
                    f"inherit from a profile at most {MAX_BASE_DEPTH} steps from one without base",
                    self._doc(steps[0][1]).where(("base",)),
                )
            layer, path = found
            steps.append(found)
        # Merge from the first already-merged step down to the file asked for.
        for i in range(len(steps) - 1, 0, -1):
            base_key, key = steps[i], steps[i - 1]
            self._merges[key] = self._merge_one(key[1], *self._merges[base_key])
        return self._merges[steps[0]]

    def _merge_one(
        self, path: Path, base_doc: yamlio.Document, _: tuple[str, ...]
    ) -> tuple[yamlio.Document, tuple[str, ...]]:
        """``path``'s document merged over its (merged) base document."""
        doc = self._doc(path)
        data = doc.data
        self._parsed(base_doc)  # the base must be valid on its own
        # An override of the same name keeps the aliases, so that they still find it.
        keep = ("aliases",) if data["base"] == data.get("name") else ()
        merged: dict[Any, Any] = {
            k: v for k, v in base_doc.data.items() if k not in NOT_INHERITED or k in keep
        }
        inherited = [k for k in merged if k not in data]
        for key, value in data.items():
            old = merged.get(key)
            if key in PEAK_FIELDS and isinstance(value, dict) and isinstance(old, dict):
                inherited += [f"{key}.{prec}" for prec in old if prec not in value]
                merged[key] = {**old, **value}
            else:
                merged[key] = value
        lines = dict(doc.lines)
        for key in inherited:  # inherited fields are located at the child's ``base:`` line
            lines.setdefault(tuple(key.split(".")), doc.lines.get(("base",), 1))
        return yamlio.Document(merged, lines, doc.source), tuple(inherited)

    def _parsed(self, doc: yamlio.Document) -> Profile:
        """``parse_profile(doc)``, once per document (a base is validated once, not once
        per profile that inherits from it)."""
        if id(doc) not in self._profiles:
            self._profiles[id(doc)] = (doc, parse_profile(doc))
        return self._profiles[id(doc)][1]

    def _names(self) -> set[str]:
        if self._stems is None:
            self._stems = {p.stem for p in self.files()}
        return self._stems

    def load_file(self, path: Path | str, layer: int | None = None) -> Profile:
        """One profile file, validated, its ``base`` resolved on this catalog's path.

        The parsed YAML comes from costcalc.cache (prebuilt for shipped profiles, cached
        for the user's) and is validated here every time, like a freshly parsed file.
        """
        path = Path(path)
        layer = len(self.layers) if layer is None else layer
        return self._load_file(path, layer)

    def _load_file(self, path: Path, layer: int) -> Profile:
        try:
            return self._load_file_once(path, layer)
        except DataError:
            if self._fresh or not self._unparsed:
                raise
        # A stored tree failed validation (an entry tampered with): a cache miss, not an
        # error. Parse every file afresh; a problem that remains is the file's own.
        self._fresh = True
        self._docs.clear()
        self._merges.clear()
        self._profiles.clear()
        return self._load_file_once(path, layer)

    def _load_file_once(self, path: Path, layer: int) -> Profile:
        doc, inherited = self._merged(layer, path)
        profile = self._parsed(doc)
        if path.suffix == ".yaml" and profile.name != path.stem:
            raise DataError(
                f"name '{profile.name}' does not match the file name {path.name}; "
                f"name the file {profile.name}.yaml",
                self._doc(path).where(("name",)),
            )
        if inherited:
            from dataclasses import replace

            profile = replace(profile, inherited=inherited)
        return profile

    # -- the whole catalog ----------------------------------------------------------

    def entries(self) -> dict[str, Entry]:
        """Every profile by name with its origin; later layers shadow earlier ones."""
        if self._entries is None:
            entries: dict[str, Entry] = {}
            for i, layer in enumerate(self.layers):
                for path in yamlio.regular_files(layer.path, "*.yaml", self.warnings):
                    try:
                        prof = self.load_file(path, i)
                    except DataError as e:
                        if layer.origin == SHIPPED:
                            raise
                        self.warnings.append(
                            f"{e}; profile skipped (see 'costcalc profiles validate {path}')"
                        )
                        continue
                    hidden = entries.get(prof.name)
                    shadows = (hidden.profile.path, *hidden.shadows) if hidden else ()
                    entries[prof.name] = Entry(prof, layer.origin, shadows)
            self._entries = entries
        return self._entries

    def all(self) -> dict[str, Profile]:
        """Every profile by name; later directories shadow earlier ones."""
        return {name: e.profile for name, e in self.entries().items()}

    def get(self, name: str, where: str = "--hardware") -> Profile:
        """A profile by name, alias or unique prefix, with "did you mean" on a miss."""
        key = name.strip().lower()
        if key == "local":  # this machine: calibrated profile, else detection
            if self.local is None:
                raise InputError(
                    "'local' (this machine) is resolved by the catalog of "
                    "costcalc.hardware.default_catalog(), not this one",
                    where,
                )
            return self.local(self)
        if NAME_RE.match(key):  # fast path: one file, no full scan
            found = self._find(key, len(self.layers))
            if found is not None:
                return self.load_file(found[1], found[0])
        profiles = self.all()
        index = {p.name: p for p in profiles.values()}
        for p in profiles.values():
            for alias in p.aliases:
                index.setdefault(alias, p)
        if key in index:
            return index[key]
        # "NVIDIA H100", "H100 SXM", "nvidia a10": names, aliases and display names, with
        # and without the vendor, compared without case, spaces or punctuation.
        names = [(k, p.name) for k, p in index.items()]
        for p in profiles.values():
            names += [(f"{p.vendor} {k}", p.name) for k in (p.name, *p.aliases)]
            names += [(p.display_name, p.name)] if p.display_name else []
        loose = loose_index(names)
        if loose.get(name_key(name)):
            return profiles[str(loose[name_key(name)])]
        starts = {p.name for k, p in index.items() if k.startswith(key)}
        if not starts and name_key(name):
            starts = {t for k, t in loose.items() if t and k.startswith(name_key(name))}
        if len(starts) == 1:
            return profiles[starts.pop()]
        if len(starts) > 1:
            raise InputError(f"'{name}' is ambiguous: {', '.join(sorted(starts))}", where)
        raise InputError(
            f"unknown hardware '{name}'{did_you_mean_name(name, names)}; "
            "see 'costcalc profiles list'",
            where,
        )

    def entry(self, name: str, where: str = "NAME") -> Entry:
        return self.entries()[self.get(name, where).name]


def load_profile(path: Path | str, catalog: Catalog | None = None) -> Profile:
    """One profile file, validated; a ``base:`` is looked up on the profile search path."""
    return (catalog or Catalog.from_search_path()).load_file(path)


# Columns of ``costcalc profiles list`` -> display unit ("" for text).
LIST_COLUMNS = {
    "name": "",
    "vendor": "",
    "kind": "",
    "form": "",
    "chips": "",
    "year": "",
    "precision": "",
    "peak": "TFLOPS",
    "memory": "GB",
    "bandwidth": "GB/s",
    "tdp": "W",
    "price": "USD/hour",
    "from": "",
}


def column_value(entry: Entry, column: str) -> Any:
    """The value of a list column in base units (None when the profile does not say)."""
    p = entry.profile
    direct = {
        "name": p.name,
        "vendor": p.vendor,
        "kind": p.kind,
        "form": p.form,
        "chips": p.chips,
        "year": p.launch_year,
        "precision": p.default_precision,
        "from": entry.origin,
    }
    if column in direct:
        return direct[column]
    if column == "peak":
        peak = p.dense_peak.get(p.default_precision)
        return peak.value if peak else None
    attr = {"bandwidth": "memory_bandwidth"}.get(column, column)
    sourced = getattr(p, attr)
    return sourced.value if sourced is not None else None


def list_profiles(
    catalog: Catalog,
    *,
    vendor: str | None = None,
    kind: str | None = None,
    min_memory: str | None = None,
    sort: str = "name",
    reverse: bool = False,
) -> list[Entry]:
    """The catalog's profiles, filtered (vendor, kind, at least this much memory) and
    sorted by any of ``LIST_COLUMNS``; profiles without the sort value come last."""
    from costcalc.tables import sort_by

    if kind is not None and kind.lower() not in KINDS:
        raise InputError(
            f"unknown kind '{kind}'{did_you_mean(kind.lower(), KINDS)}; expected one of "
            f"{', '.join(KINDS)}",
            "--kind",
        )
    memory = parse_quantity(min_memory, "memory", "--min-memory") if min_memory else None
    entries = list(catalog.entries().values())
    if vendor is not None:
        vendors = {e.profile.vendor.lower() for e in entries}
        if vendor.lower() not in vendors:
            raise InputError(
                f"no profile has vendor '{vendor}'{did_you_mean(vendor.lower(), vendors)}; "
                f"vendors: {', '.join(sorted({e.profile.vendor for e in entries}))}",
                "--vendor",
            )
    rows = [
        e
        for e in entries
        if (vendor is None or e.profile.vendor.lower() == vendor.lower())
        and (kind is None or e.profile.kind == kind.lower())
        and (memory is None or (e.profile.memory is not None and e.profile.memory.value >= memory))
    ]
    return sort_by(rows, sort, column_value, LIST_COLUMNS, reverse)


@dataclass(frozen=True)
class Checked:
    """The verdict on one file given to ``costcalc profiles validate``."""

    path: str
    profile: Profile | None
    problems: tuple[str, ...]


def validate_files(paths: Sequence[Path | str], catalog: Catalog) -> list[Checked]:
    """Check each file (a directory means its ``*.yaml``), listing every problem as
    ``file:line: field: message``; names and aliases must be unique across the files."""
    files: list[Path] = []
    for p in map(Path, paths):
        files += yamlio.regular_files(p, "*.yaml", catalog.warnings) if p.is_dir() else [p]
    out = []
    seen: dict[str, str] = {}
    for path in files:
        try:
            prof = catalog.load_file(path)
        except DataError as e:
            out.append(Checked(str(path), None, tuple(e.problems)))
            continue
        problems = []
        for key in (prof.name, *prof.aliases):
            if key in seen:
                problems.append(f"{path}: name: '{key}' is also the name or alias in {seen[key]}")
            seen.setdefault(key, str(path))
        out.append(Checked(str(path), prof, tuple(problems)))
    return out


def schema_path() -> Path:
    """The JSON Schema of a profile file (for editors; ``costcalc profiles schema``)."""
    return Path(__file__).resolve().parent / "data" / "profile.schema.json"


_TEMPLATE = """\
# yaml-language-server: $schema={schema}
# A costcalc hardware profile. Replace every null, then check the file with
#   costcalc profiles validate {path}
# Every number is a mapping {{value, source, date}}: where the figure comes from (datasheet,
# paper, price page) and the date of that source. Peaks are DENSE (without sparsity).
schema_version: 1
name: {name}
display_name: {name}
vendor: null            # e.g. NVIDIA
kind: gpu               # gpu, tpu, accelerator or cpu
form: gpu               # what ONE device is: chip, gpu, board, pod-slice or server
chips: 1                # chips in one device
launch_year: null       # e.g. 2024 (optional)
default_precision: bf16
dense_peak:             # precisions: fp64, fp32, tf32, bf16, fp16, fp8, int8
  bf16:
    value: null         # e.g. 989 TFLOPS
    source: null        # e.g. "NVIDIA H100 datasheet, table 1 (dense, not the sparse headline)"
    date: null          # e.g. 2023-03-21
memory:
  value: null           # e.g. 80 GB
  source: null
  date: null
tdp:
  value: null           # e.g. 700 W, for the whole device
  source: null
  date: null
# price:                # optional: price per device-hour
#   value: 2.50 USD/hour
#   provider: null
#   region: null
#   kind: on-demand
#   source: null
#   date: null
"""

_TEMPLATE_BASE = """\
# yaml-language-server: $schema={schema}
# A costcalc hardware profile that inherits every field of {base} and overrides a few.
# A sourced value is replaced whole: give its source and date too. Check it with
#   costcalc profiles validate {path}
schema_version: 1
name: {name}
base: {base}
display_name: {name} ({base_display})
# price:
#   value: 2.10 USD/hour
#   provider: our cluster
#   kind: negotiated
#   source: "contract 2025-17, schedule B"
#   date: 2025-01-01
# average_power:
#   value: 610 W
#   source: "measured with DCGM over the 2025-03 training run"
#   date: 2025-03-31
"""


def new_profile(
    name: str,
    directory: Path,
    *,
    catalog: Catalog,
    base: str | None = None,
    force: bool = False,
) -> Path:
    """Write a profile template ``<directory>/<name>.yaml`` (atomically; an existing file
    only with ``force``). With ``base`` the template inherits from that profile."""
    from costcalc.atomic import write_text_atomic

    if not NAME_RE.match(name):
        raise InputError(
            f"'{name}' is not a profile name: use lowercase letters, digits, '.' and '-'", "NAME"
        )
    from costcalc.paths import expand_place

    path = expand_place(str(directory), "--dir") / f"{name}.yaml"
    values = {"name": name, "path": path, "schema": schema_path().as_uri()}
    if base is None:
        text = _TEMPLATE.format(**values)
    else:
        parent = catalog.get(base, "--base")
        text = _TEMPLATE_BASE.format(base=parent.name, base_display=parent.display_name, **values)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(
            f"cannot create the directory '{path.parent}' ({e.strerror or type(e).__name__})",
            "--dir",
        ) from None
    write_text_atomic(path, text, overwrite=force, force_flag="--force", where="NAME")
    return path
