"""Write files atomically: a reader (or a crash) sees the old file or the new one, never
a partial one. Every file costcalc writes goes through here.

The content goes to a temporary file in the same directory (so the rename cannot cross a
file system), is flushed to disk, and replaces the target with ``os.replace`` (or, when
the target must not be overwritten, is hard-linked to it, which fails if it exists). On
an error, Ctrl-C or SIGTERM the temporary file is removed; only a hard kill can leave a
hidden ``.<name>.<random>.tmp`` beside the target, never a damaged target.

    with atomic_open("out.csv") as f:
        f.write(text)
    write_text_atomic("costcalc.yaml", text, overwrite=False, where="--init")
"""

from __future__ import annotations

import os
import signal
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from costcalc.errors import InputError


@contextmanager
def atomic_open(
    path: str | os.PathLike[str],
    *,
    binary: bool = False,
    encoding: str = "utf-8",
    newline: str | None = None,
    overwrite: bool = True,
    force_flag: str | None = None,
    where: str | None = None,
) -> Iterator[IO[Any]]:
    """A file to write; it becomes ``path`` when the block ends without error.

    With ``overwrite=False`` an existing ``path`` is never replaced: an
    :class:`InputError` says so (and names ``force_flag``, the flag that allows it).
    ``OSError`` (no such directory, no permission, disk full) propagates, or becomes an
    :class:`InputError` located at ``where`` when given (e.g. ``"--output"``).
    """
    target = Path(path)
    if target.is_dir():
        raise InputError(f"{str(target)!r} is a directory, expected a file name", where or "")
    if not overwrite and target.exists():
        raise exists_error(target, force_flag, where)
    tmp = target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp")
    # The SIGTERM handler goes in first: a SIGTERM just after the temporary file appears
    # must still remove it.
    previous = _cleanup_on_sigterm()
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
    except BaseException as e:
        _restore(previous)
        if isinstance(e, OSError):
            raise _located(e, target, where) from None
        raise
    try:
        mode = "wb" if binary else "w"
        kwargs: dict[str, Any] = {} if binary else {"encoding": encoding, "newline": newline}
        with os.fdopen(fd, mode, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if overwrite:
            with suppress(FileNotFoundError):  # keep the permissions of the file we replace
                os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)  # fails if the name appeared meanwhile
            except FileExistsError:
                raise exists_error(target, force_flag, where) from None
            os.unlink(tmp)
    except BaseException as e:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise _located(e, target, where) from None
        raise
    finally:
        _restore(previous)
    _sync_dir(target.parent)


def write_text_atomic(
    path: str | os.PathLike[str],
    text: str,
    *,
    encoding: str = "utf-8",
    overwrite: bool = True,
    force_flag: str | None = None,
    where: str | None = None,
) -> None:
    """Replace ``path`` with ``text`` atomically (see :func:`atomic_open`)."""
    with atomic_open(
        path, encoding=encoding, newline="", overwrite=overwrite, force_flag=force_flag, where=where
    ) as f:
        f.write(text)


def exists_error(target: Path, force_flag: str | None, where: str | None) -> InputError:
    """The error for a file that will not be overwritten (for checks made up front too)."""
    hint = f"; pass {force_flag} to replace it" if force_flag else ""
    return InputError(f"{target} already exists; not overwriting it{hint}", where or "")


def _located(error: OSError, target: Path, where: str | None) -> OSError | InputError:
    if where is None:
        return error
    reason = error.strerror or str(error)
    return InputError(f"cannot write {str(target)!r}: {reason}", where)


def _cleanup_on_sigterm() -> Any:
    """Turn SIGTERM into KeyboardInterrupt while writing, so the cleanup above runs."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        return None


def _restore(previous: Any) -> None:
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)


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
