"""Write files atomically: a reader (or a crash) sees the old file or the new one, never
a partial one.

The text goes to a temporary file in the same directory (so the rename cannot cross a
file system), is flushed to disk, and replaces the target with ``os.replace``. On an
error the temporary file is removed; a process killed mid-write may leave a hidden
``.<name>.<random>.tmp`` beside the target, never a damaged target.

    with atomic_open("out.csv") as f:
        f.write(text)
    write_text_atomic("out.json", text, where="--output")
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from costcalc.errors import InputError


@contextmanager
def atomic_open(
    path: str | os.PathLike[str],
    *,
    encoding: str = "utf-8",
    newline: str | None = None,
    where: str | None = None,
) -> Iterator[IO[str]]:
    """A text file to write; it replaces ``path`` when the block ends without error.

    ``OSError`` (no such directory, no permission, disk full) propagates, or becomes an
    :class:`InputError` located at ``where`` when given (e.g. ``"--output"``).
    """
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
    except OSError as e:
        raise _located(e, target, where) from None
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline=newline) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        with suppress(FileNotFoundError):  # keep the permissions of the file we replace
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(tmp, target)
    except BaseException as e:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise _located(e, target, where) from None
        raise
    _sync_dir(target.parent)


def write_text_atomic(
    path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8", where: str | None = None
) -> None:
    """Replace ``path`` with ``text`` atomically (see :func:`atomic_open`)."""
    with atomic_open(path, encoding=encoding, newline="", where=where) as f:
        f.write(text)


def _located(error: OSError, target: Path, where: str | None) -> OSError | InputError:
    if where is None:
        return error
    reason = error.strerror or str(error)
    return InputError(f"cannot write {str(target)!r}: {reason}", where)


def _sync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
