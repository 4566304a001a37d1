"""The files a check writes: a starter plan (``starter_plan``, ``write_new``), GitHub
Actions outputs and step summaries (``append_outputs``, ``append_summary``)."""

from __future__ import annotations

import os
from pathlib import Path

from costcalc.errors import InputError, ref


def starter_plan() -> str:
    from importlib import resources

    return (resources.files("costcalc") / "data" / "plan_starter.yaml").read_text("utf-8")


def write_new(path: str | Path, text: str, where: str = "") -> Path:
    """Write ``text`` to a new file atomically; never replace an existing file."""
    from costcalc.atomic import write_text_atomic

    write_text_atomic(path, text, overwrite=False, where=where or ref("plan"))
    return Path(path)


def append_outputs(path: str | Path, values: dict[str, str]) -> None:
    """Append ``name=value`` lines to a ``$GITHUB_OUTPUT`` file (values are one line)."""
    lines = "".join(f"{k}={' '.join(v.splitlines())}\n" for k, v in values.items())
    append_summary(path, lines, "GITHUB_OUTPUT")


def append_summary(path: str | Path, text: str, where: str = "GITHUB_STEP_SUMMARY") -> None:
    """Append to a GitHub step summary file the way Actions expects: one O_APPEND write."""
    data = text.encode("utf-8")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
    except OSError as e:
        what = "the step summary" if where == "GITHUB_STEP_SUMMARY" else where
        raise InputError(f"cannot write {what}: {e.strerror}", where) from None
