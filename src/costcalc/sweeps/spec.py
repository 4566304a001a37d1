"""Sweep spec files (YAML): reading them, located (``file:line: key``)."""

from __future__ import annotations

from typing import Any

from costcalc.sweeps.axes import INPUTS

SPEC_KEYS = (*INPUTS, "work", "where", "sort", "top", "pareto", "zip", "max_scenarios")


def read_spec(path: str) -> dict[str, Any]:
    """A sweep spec file (YAML): the flags' names as keys, lists as YAML lists or text."""
    return _read_spec(path)[0]


# Spec settings that are text (or, for pareto, a list of text) and need no unit.
_TEXT_SETTINGS = ("where", "sort", "pareto")


def _read_spec(path: str) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """The spec's settings, where each was written (``file:line: key``), and its key as
    written (``seq-len``, ``work``)."""
    from pathlib import Path

    from costcalc import yamlio
    from costcalc.errors import DataError, did_you_mean

    doc = yamlio.load(yamlio.read_text(Path(path), "sweep spec"), path)
    if doc.data is None:
        return {}, {}, {}
    if not isinstance(doc.data, dict):
        raise DataError("expected a mapping of sweep inputs (flops: ..., hardware: ...)", path)
    out: dict[str, Any] = {}
    origins: dict[str, str] = {}
    keys: dict[str, str] = {}
    seen: dict[str, Any] = {}  # setting -> the key that gave it
    for key, value in doc.data.items():
        name = str(key).replace("-", "_")
        where = doc.where((key,))
        if name not in SPEC_KEYS:
            hint = did_you_mean(name, SPEC_KEYS)
            raise DataError(f"unknown key '{key}'{hint}", where)
        if isinstance(value, dict) or (
            isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)
        ):
            raise DataError(f"{key}: expected a value or a list of values", where)
        if name in _TEXT_SETTINGS and not (
            isinstance(value, str)
            or (
                name == "pareto"
                and isinstance(value, list)
                and all(isinstance(v, str) for v in value)
            )
        ):
            example = {
                "where": "'cost_usd < 1e6'",
                "sort": "cost_usd",
                "pareto": "[cost_usd, co2e_kg]",
            }
            raise DataError(f"{key}: expected text such as {example[name]}, got {value!r}", where)
        if name == "zip" and not isinstance(value, bool):
            raise DataError(f"{key}: expected true or false, got {value!r}", where)
        name = "flops" if name == "work" else name
        if name in seen:  # work: and flops:, or max-scenarios: and max_scenarios:
            raise DataError(
                f"'{key}' and '{seen[name]}' are the same setting; keep one", f"{where}: {key}"
            )
        seen[name] = key
        out[name] = value
        origins[name] = f"{where}: {key}"
        keys[name] = str(key)
    return out, origins, keys
