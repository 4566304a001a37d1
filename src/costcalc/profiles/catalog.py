"""The catalog: profile directories on a search path (shipped, user, environment, flag),
``base:`` inheritance, lookup by name or alias with "did you mean"."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from costcalc import yamlio
from costcalc.errors import (
    DataError,
    InputError,
    did_you_mean,
    did_you_mean_name,
    loose_index,
    name_key,
    ref,
)
from costcalc.paths import shipped_dir
from costcalc.profiles.model import NAME_RE, PEAK_FIELDS, Profile
from costcalc.profiles.parse import parse_profile

# The longest ``base:`` chain: far beyond any real use, short enough to name in an error.
MAX_BASE_DEPTH = 32

# Fields a profile does not take from its base: they name and describe the new profile.
NOT_INHERITED = ("name", "aliases", "display_name", "notes", "base")

# Where a directory of profiles comes from, lowest precedence first.
SHIPPED, USER, ENV, PROFILES_DIR, FILE = (
    "shipped",
    "user config",
    "COSTCALC_PROFILES_PATH",
    "profiles_dir",  # the input, spelled as the front end does (errors.ref)
    "file",
)


class Layer(NamedTuple):
    """One directory on the profile search path and where it was configured."""

    path: Path
    origin: str


class Entry(NamedTuple):
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
        path = expand_place(str(d), ref(PROFILES_DIR))
        try:
            is_dir = path.is_dir()
        except OSError as e:
            raise InputError(f"cannot read '{d}' ({e.strerror})", input=PROFILES_DIR) from None
        if not is_dir:
            raise InputError(f"no such directory '{d}'", input=PROFILES_DIR)
        layers.append(Layer(path, ref(PROFILES_DIR)))
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

    def get(self, name: str, where: str = "", *, input: str = "hardware") -> Profile:
        """A profile by name, alias or unique prefix, with "did you mean" on a miss; an
        error is at ``where``, else about input ``input`` (as the front end spells it)."""
        key = name.strip().lower()
        if key == "local":  # this machine: calibrated profile, else detection
            if self.local is None:
                raise InputError(
                    "'local' (this machine) is resolved by the catalog of "
                    "costcalc.hardware.default_catalog(), not this one",
                    where,
                    input=input,
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
            raise InputError(
                f"'{name}' is ambiguous: {', '.join(sorted(starts))}", where, input=input
            )
        raise InputError(
            f"unknown hardware '{name}'{did_you_mean_name(name, names)}; "
            "see 'costcalc profiles list'",
            where,
            input=input,
        )

    def entry(self, name: str, where: str = "NAME") -> Entry:
        return self.entries()[self.get(name, where).name]


def load_profile(path: Path | str, catalog: Catalog | None = None) -> Profile:
    """One profile file, validated; a ``base:`` is looked up on the profile search path."""
    return (catalog or Catalog.from_search_path()).load_file(path)
