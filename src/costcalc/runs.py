"""Reference training runs (GPT-3, PaLM, Llama 3.1 405B, ...): the catalog in
``data/runs.yaml``, derived from Epoch AI's data by ``scripts/derive_runs.py``.

A run is found by its slug, an alias or a unique prefix of either (``gpt-3``, ``gpt3``,
``davinci``, ``llama-3.1``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from costcalc import yamlio
from costcalc.errors import (
    DataError,
    InputError,
    did_you_mean,
    did_you_mean_name,
    loose_match,
)

FILE = "costcalc/data/runs.yaml"
REQUIRED = ("slug", "name", "compute", "reference", "link", "source", "date")
NUMBERS = (
    "params",
    "compute",
    "dataset_size",
    "hardware_quantity",
    "training_hours",
    "chip_hours",
    "mfu",
    "epoch_cost_usd_2023",
    "epoch_power_draw_w",
)
TEXTS = (
    "slug",
    "name",
    "organization",
    "domain",
    "published",
    "hardware",
    "profile",
    "arch",
    "confidence",
    "compute_method",
    "reference",
    "link",
    "source",
    "date",
)


@dataclass(frozen=True)
class Run:
    """One published training run; numbers in base units (FLOP, hours as given by Epoch)."""

    slug: str
    name: str
    compute: float
    reference: str
    link: str
    source: str
    date: str
    aliases: tuple[str, ...] = ()
    organization: str = ""
    domain: str = ""
    published: str = ""
    params: float | None = None
    dataset_size: float | None = None
    hardware: str = ""
    profile: str = ""
    arch: str = ""  # the model's architecture in costcalc's catalog (costcalc arch show)
    hardware_quantity: float | None = None
    training_hours: float | None = None
    chip_hours: float | None = None
    mfu: float | None = None
    epoch_cost_usd_2023: float | None = None
    epoch_power_draw_w: float | None = None
    confidence: str = ""
    compute_method: str = ""

    def cite(self) -> str:
        return f"{self.source} ({self.date})"


def _entry(raw: Any, i: int, doc: yamlio.Document) -> Run:
    where = doc.where(("runs", i))
    if not isinstance(raw, dict):
        raise DataError("expected a mapping for each run", where)
    unknown = set(raw) - set(NUMBERS) - set(TEXTS) - {"aliases"}
    if unknown:
        key = sorted(unknown)[0]
        raise DataError(f"unknown field '{key}'", doc.where(("runs", i, key)))
    for key in REQUIRED:
        if raw.get(key) in (None, ""):
            raise DataError(f"{key}: missing (every run needs one)", where)
    values: dict[str, Any] = {}
    for key in NUMBERS:
        if key in raw:
            value = raw[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise DataError(f"{key}: expected a positive number", doc.where(("runs", i, key)))
            values[key] = float(value)
    for key in TEXTS:
        if key in raw:
            values[key] = str(raw[key])
    aliases = raw.get("aliases") or []
    if not isinstance(aliases, list):
        raise DataError("aliases: expected a list", doc.where(("runs", i, "aliases")))
    return Run(aliases=tuple(str(a).lower() for a in aliases), **values)


@cache
def catalog() -> dict[str, Run]:
    """Every run by slug, in the file's order (its parsed YAML prebuilt, validated here)."""
    from costcalc.tables import data_document

    return _read_catalog(data_document("runs.yaml", FILE))


def _read_catalog(doc: yamlio.Document) -> dict[str, Run]:
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get("runs"), list):
        raise DataError("expected a top-level 'runs:' list", FILE)
    out: dict[str, Run] = {}
    seen: set[str] = set()
    for i, raw in enumerate(doc.data["runs"]):
        run = _entry(raw, i, doc)
        for key in (run.slug, *run.aliases):
            if key in seen:
                raise DataError(f"'{key}' names two runs", doc.where(("runs", i)))
            seen.add(key)
        out[run.slug] = run
    return out


def _index() -> dict[str, str]:
    return {key: run.slug for run in catalog().values() for key in (run.slug, *run.aliases)}


def find(text: str, where: str = "RUN", *, input: str = "") -> Run:
    """A run by slug, alias, or a prefix that names only one run; an unknown one is an
    error at ``where``, or about input ``input`` (``work``) when given."""
    if input:
        where = ""
    key = text.strip().lower()
    index = _index()
    if key in index:
        return catalog()[index[key]]
    names = [*index.items(), *((run.name, run.slug) for run in catalog().values())]
    loose = loose_match(text, names)  # "GPT-3 175B (davinci)", "gpt 3": display names too
    if loose is not None:
        return catalog()[loose]
    matches = sorted({slug for name, slug in index.items() if name.startswith(key)})
    if len(matches) == 1:
        return catalog()[matches[0]]
    if len(matches) > 1 and key:
        raise InputError(
            f"'{text}' could be any of {', '.join(matches)}; give more of the name",
            where,
            input=input,
        )
    raise InputError(
        f"unknown run '{text}'{did_you_mean_name(text, names)}; see 'costcalc runs list'",
        where,
        input=input,
    )


def is_known(text: str) -> bool:
    """Whether ``text`` names a run (exactly or by a prefix, ambiguous or not)."""
    key = text.strip().lower()
    return bool(key) and any(name.startswith(key) for name in _index())


def is_near(text: str) -> bool:
    """Whether ``text`` is close to a run's name (a typo of one)."""
    return bool(did_you_mean(text.strip().lower(), _index()))
