"""Files written atomically: into a temporary file beside the target, then renamed over
it. A reader sees the old file or the complete new one; an interrupted run (an error,
Ctrl-C, SIGTERM) leaves no partial file behind. Only a hard kill can leave the hidden
temporary file, never a partial target.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from costcalc.errors import InputError


@contextlib.contextmanager
def atomic_output(path: str | Path, where: str = "--output") -> Iterator[IO[bytes]]:
    """A binary file object whose content replaces ``path`` only when the block succeeds."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"no such directory: {str(folder)!r}", where)
    if target.is_dir():
        raise InputError(f"{str(target)!r} is a directory", where)
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise InputError(f"cannot write in {str(folder)!r}: {e.strerror}", where) from None
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual mode
    previous = _raise_on_sigterm()
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    finally:
        _restore(previous)


def _raise_on_sigterm() -> Any:
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
