"""Where costcalc runs: the user's config directory, the project file and the defaults
they set.

Two files may set defaults for every command, in a ``defaults:`` mapping:

- the user file ``<config dir>/config.yaml`` (platform conventions via platformdirs,
  e.g. ``~/.config/costcalc/config.yaml``; ``COSTCALC_CONFIG_DIR`` overrides the
  directory, which tests use to keep away from the real home), and
- the project file ``costcalc.yaml`` in the current directory. Only its ``defaults:``
  section is read here; other top-level keys (``runs:``, ``budgets:``) belong to other
  commands and are ignored.

Precedence: command-line flags > project file > user file > built-in defaults. Looking
the files up costs two ``stat`` calls; YAML is parsed only when a file exists.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from costcalc import inputs as registry
from costcalc.errors import (
    GIVEN,
    CostcalcError,
    DataError,
    InputError,
    did_you_mean,
    ref,
    spelling,
)
from costcalc.paths import (
    optional_place,
    user_config_file,
)

if TYPE_CHECKING:
    from costcalc.profiles import Catalog
    from costcalc.results import Assumption, Estimate

T = TypeVar("T")

PROJECT_FILE = "costcalc.yaml"

# Settable defaults (declared in costcalc.inputs) -> unit kind of the value (None: a
# name, checked where it is used).
DEFAULT_KEYS: dict[str, str | None] = {
    name: registry.INPUTS[name].kind for name in registry.accepted(registry.CONFIG)
}
# Two ways of giving one input: the first given (flag, then file by file) wins for both.
_GROUPS = (
    {"region", "carbon_intensity"},
    {"utilization", "throughput", "step_time"},
    {"price", "pricing"},  # a price given, or a pricing model that picks a listed one
)


def overridden(key: str, higher: Collection[str]) -> bool:
    """Whether input ``key`` from a lower layer (a file's default, a plan's defaults, a
    spec under flags) gives way to the inputs ``higher`` gives: the same input, or another
    way of giving it (a region for a carbon intensity, a price for a pricing model)."""
    return key in higher or any(key in g and not g.isdisjoint(higher) for g in _GROUPS)


# Defaults of a model's layout: used only when there is a shape (an architecture from the
# flags or a file, or a shape by hand), so that a plain estimate stays one.
SHAPE_LAYOUT = ("seq_len", "recompute", "zero", "tp", "pp")
_SHAPE_GIVEN = ("arch", "layers", "d_model", "heads", "vocab")


class Setting(NamedTuple):
    """One default from a config file, located to its line."""

    key: str
    value: Any  # as written in the file
    file: str
    line: int
    scope: str  # "project" or "user"

    @property
    def origin(self) -> str:
        return f"{self.scope} file {self.file}:{self.line}"

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}: defaults.{self.key}"


class Settings(NamedTuple):
    """The defaults in force from config files (flags are applied on top by ``apply``)."""

    values: Mapping[str, Setting]
    files: tuple[tuple[str, str, bool], ...] = ()  # (scope, path as shown, exists)
    warnings: tuple[str, ...] = ()  # places that could not be read (skipped)

    def fill(self, given: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Setting]]:
        """``given`` with the keys left ``None`` taken from the files; and what was used."""
        taken = {k for k, v in given.items() if v is not None}
        used = {k: s for k, s in self.values.items() if k in given and not overridden(k, taken)}
        if not any(given.get(k) is not None for k in _SHAPE_GIVEN) and "arch" not in used:
            used = {k: s for k, s in used.items() if k not in SHAPE_LAYOUT}
        return {**given, **{k: s.value for k, s in used.items()}}, used

    def without(self, *keys: str) -> Settings:
        """These settings less ``keys`` (an input the command derives itself)."""
        return self._replace(values={k: s for k, s in self.values.items() if k not in keys})

    @contextmanager
    def blame(self, used: Mapping[str, Setting]) -> Iterator[None]:
        """Errors about a value taken from a file name its file and line, not the flag;
        inputs taken from a file are spelled by their key."""
        try:
            with spelling(str, only=used):
                yield
        except CostcalcError as e:
            for s in used.values():
                if e.input == s.key:  # the input the error is about came from the file
                    e.where = s.where
            raise

    @staticmethod
    def relabel(assumptions: Iterable[Assumption], used: Mapping[str, Setting]) -> list[Assumption]:
        """``assumptions`` with each default taken from a file naming that file and line."""
        by_name = {("carbon_intensity" if k == "region" else k): s for k, s in used.items()}
        return [_relabel(a, by_name.get(a.name)) for a in assumptions]

    def apply(
        self,
        run: Callable[..., T],
        labelled: Callable[[T, Callable[[Estimate], Estimate]], T],
        **given: Any,
    ) -> T:
        """``run(**given)`` with these defaults under the flags in ``given`` (merged once,
        here); ``labelled(result, label)`` is the result with ``label`` applied to each of
        its estimates, so that their assumptions name the file and line of each default
        used. ``run`` is a core function built on :func:`costcalc.estimate` (budget,
        scale); :func:`costcalc.estimate` itself takes ``settings`` and labels as it builds."""
        filled, used = self.fill(given)
        with self.blame(used):
            result = run(**filled)

        def label(est: Estimate) -> Estimate:
            return replace(
                est,
                assumptions=tuple(self.relabel(est.assumptions, used)),
                inputs={k: v for k, v in est.inputs.items() if k not in used},
            )

        return labelled(result, label)


def _relabel(a: Assumption, setting: Setting | None) -> Assumption:
    if setting is None:
        return a
    source = setting.origin
    if not a.source.startswith(GIVEN):
        source += f"; {a.source}"
    return replace(a, source=source, origin=setting.scope)


def read_defaults(path: Path, scope: str, shown: str) -> dict[str, Setting]:
    """The ``defaults:`` section of one config file, every value checked."""
    from costcalc import yamlio

    doc = yamlio.load(yamlio.read_text(path, "config file"), shown)
    data = doc.data
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DataError("expected a mapping with a 'defaults:' section", doc.where())
    if scope == "user":  # the user file is costcalc's alone: catch typos in it
        for key in data:
            if key != "defaults":
                raise DataError(
                    f"{key}: unknown section{did_you_mean(str(key), ['defaults'])}; "
                    "expected 'defaults:'",
                    doc.where((key,)),
                )
    section = data.get("defaults")
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise DataError(
            "defaults: expected a mapping such as 'hardware: h100-sxm'", doc.where(("defaults",))
        )
    out: dict[str, Setting] = {}
    for key, value in section.items():
        line = doc.lines.get(("defaults", key), 0)
        setting = Setting(str(key), value, shown, line, scope)
        if key not in DEFAULT_KEYS:
            raise DataError(
                f"unknown default{did_you_mean(str(key), DEFAULT_KEYS)}; expected one of "
                f"{', '.join(DEFAULT_KEYS)}",
                setting.where,
            )
        _check(setting)
        out[key] = setting
    both = [k for k in ("region", "carbon_intensity") if k in out]
    if len(both) == 2:
        raise DataError("give region or carbon_intensity, not both", out["region"].where)
    return out


def _check(setting: Setting) -> None:
    from costcalc.units import parse_quantity

    value = setting.value
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise DataError("expected a single value such as 40% or '330 W'", setting.where)
    kind = DEFAULT_KEYS[setting.key]
    try:
        if setting.key in ("pue", "provider") and str(value).strip()[:1].isalpha():
            from costcalc.pricing import find_provider

            find_provider(str(value), setting.key)
        elif setting.key == "pricing":
            from costcalc.pricing import find_pricing

            find_pricing(str(value), setting.key)
        elif kind is not None:
            number = parse_quantity(value, kind, allow_zero=registry.INPUTS[setting.key].allow_zero)
            if setting.key == "devices" and not float(number).is_integer():
                raise DataError(f"expected a whole number of devices, got {value!r}")
        elif setting.key == "arch":
            from costcalc.workload_shape import find

            find(str(value), setting.key)
        elif setting.key == "recompute":
            from costcalc.shapes import RECOMPUTE

            if str(value).strip().lower() not in RECOMPUTE:
                raise DataError(
                    f"unknown recompute '{value}'{did_you_mean(str(value), RECOMPUTE)}; "
                    f"expected one of {', '.join(RECOMPUTE)}"
                )
        elif setting.key == "precision":
            from costcalc.profiles import PRECISIONS

            if str(value).lower() not in PRECISIONS:
                raise DataError(
                    f"unknown precision '{value}'{did_you_mean(str(value), PRECISIONS)}; "
                    f"expected one of {', '.join(PRECISIONS)}"
                )
    except CostcalcError as e:
        raise DataError(e.message, setting.where) from None


def _shown(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


def load_settings(
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    project: bool = True,
) -> Settings:
    """The defaults from the user file and the project file (project wins); without
    ``project``, the user file's alone (``check`` reads its plan's defaults itself)."""
    warnings: list[str] = []
    here: Path | None
    if cwd is not None:
        here = Path(cwd)
    else:
        try:
            here = Path.cwd()
        except OSError as e:  # the working directory was deleted, or cannot be read
            here = None
            if project:
                warnings.append(
                    f"cannot read the current directory ({e.strerror}); "
                    f"project file {PROJECT_FILE} skipped"
                )
    values: dict[str, Setting] = {}
    files = []
    scopes: list[tuple[str, Callable[[], Path], str]] = [
        ("user", lambda: user_config_file(env), "user config file")
    ]
    if project and here is not None:
        cwd_path = here
        scopes.append(("project", lambda: cwd_path / PROJECT_FILE, "project file"))
    for scope, find, what in scopes:
        try:
            path = find()
        except InputError as e:
            warnings.append(f"{e}; {what} skipped")
            continue
        shown = _shown(path, here) if here is not None else str(path)
        readable = optional_place(functools.partial(Path, path), Path.is_file, what, warnings)
        exists = readable is not None
        files.append((scope, shown, exists))
        if not exists:
            continue
        found = read_defaults(path, scope, shown)
        values = {k: v for k, v in values.items() if not overridden(k, found)}
        values.update(found)
    return Settings(values, tuple(files), tuple(warnings))


class Effective(NamedTuple):
    """One default as in force: its value and where it came from."""

    key: str
    value: str
    origin: str
    source: str


def effective_defaults(settings: Settings) -> list[Effective]:
    """Every settable default with its value and origin (a file and line, or built-in)."""
    from costcalc.tables import defaults, pue_values, regions

    base = defaults()
    industry = pue_values()[base["pue"]]
    world = regions()[base["region"]]
    builtin = {
        "hardware": (base["hardware"]["value"], base["hardware"]["source"]),
        "devices": (str(base["devices"]["value"]), base["devices"]["source"]),
        "precision": ("(profile)", "the hardware profile's default_precision"),
        "utilization": (base["utilization"]["value"], base["utilization"]["source"]),
        "power": ("(profile)", "TDP x server overhead x load, or the profile's average_power"),
        "pue": (
            f"{industry.pue:g}",
            f"{industry.source} ({industry.name}, {industry.year}); a cloud region or "
            f"{ref('provider')} brings its published PUE",
        ),
        "region": (world.id, f"{world.name} {world.year}: {world.source}"),
        "carbon_intensity": ("(region)", "the region's grid carbon intensity"),
        "price": (
            "(price list)",
            "prices.csv by the default rule (newest hyperscaler on-demand price, else the "
            "median across providers); the profile's price where the list has none",
        ),
        "provider": ("(rule)", "none: the default price rule; a cloud region implies its own"),
        "pricing": ("on-demand", "costcalc.pricing.DEFAULT_PRICING"),
        "arch": (
            "(none)",
            f"no architecture: FLOPs from the work, {ref('params')} x {ref('tokens')}",
        ),
        "seq_len": ("(arch)", "the architecture's training sequence length"),
        "recompute": ("selective", "Korthikanti et al. 2022 (with an architecture)"),
        "zero": ("1", "distributed optimizer, Rajbhandari et al. 2020 (with an architecture)"),
        "tp": ("1", "no tensor parallelism (with an architecture)"),
        "pp": ("1", "no pipeline parallelism (with an architecture)"),
    }
    set_by = {k: k for k in settings.values}
    for group in _GROUPS:
        for key in group & set(settings.values):
            set_by.update({other: key for other in group - {key}})
    out = []
    for key in DEFAULT_KEYS:
        s = settings.values.get(key)
        if s is not None:
            out.append(Effective(key, str(s.value), f"{s.scope} file", f"{s.file}:{s.line}"))
        elif key in set_by:
            other = set_by[key]
            out.append(Effective(key, f"(from {other})", "-", f"set by {other}"))
        else:
            value, source = builtin[key]
            out.append(Effective(key, value, "built-in", source))
    return out


class Workspace:
    """Everything a command reads besides its own flags: the profile search path and
    the config files. Both are looked up lazily, once."""

    def __init__(
        self,
        profiles_dirs: Sequence[Path | str] = (),
        cwd: Path | str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.profiles_dirs = list(profiles_dirs)
        self.cwd = cwd
        self.env = env
        self._catalog: Catalog | None = None
        self._settings: Settings | None = None
        self._user_settings: Settings | None = None

    def catalog(self) -> Catalog:
        if self._catalog is None:
            from costcalc.hardware import default_catalog

            self._catalog = default_catalog(self.profiles_dirs, self.env)
        return self._catalog

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.cwd, self.env)
        return self._settings

    def user_settings(self) -> Settings:
        """The user file's defaults alone: ``check`` puts them under its plan's."""
        if self._user_settings is None:
            self._user_settings = load_settings(self.cwd, self.env, project=False)
        return self._user_settings

    @property
    def warnings(self) -> list[str]:
        out = list(self._catalog.warnings) if self._catalog is not None else []
        for settings in (self._settings, self._user_settings):
            for w in settings.warnings if settings is not None else ():
                if w not in out:
                    out.append(w)
        return out
