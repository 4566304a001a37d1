"""Writing files safely: a temporary file in the same directory, then a rename, so a
reader never sees half a file and a crash never leaves one behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from costcalc.errors import InputError


def write_atomic(path: Path, text: str, *, overwrite: bool, where: str = "") -> None:
    """Write ``text`` to ``path``. Without ``overwrite`` an existing file is never
    replaced (the final step is a hard link, which fails if the name exists)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise InputError(
                    f"{path} exists; give --force to overwrite it", where or str(path)
                ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
