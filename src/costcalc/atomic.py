"""Write files atomically: a reader (or a crash) sees the old file or the new one, never
a partial one. Every file costcalc writes goes through here.

The content goes to a temporary file in the same directory as the file it replaces (so
the rename cannot cross a file system), is flushed to disk, and replaces the target with
``os.replace`` (or, when the target must not be overwritten, is hard-linked to it, which
fails if it exists). What the path names decides how it is written (:func:`output_target`):

- nothing yet, or a regular file: atomically, as above;
- a symbolic link: its regular target is replaced atomically (the link stays a link); a
  link to nothing (dangling) or a loop is refused;
- a FIFO, a character device (``/dev/null``, a terminal) or ``/dev/stdout``: written
  *through*, opened and written like a shell's ``>`` would, never replaced;
- a directory, a path ending in ``/``, an empty path, a block device or a socket: refused
  (an :class:`InputError`, exit 2).

The temporary file has a short name (``.costcalc-<8 hex>.tmp``), so any valid file name
can be written. On an error, Ctrl-C or a terminating signal (SIGTERM, SIGHUP, SIGQUIT, ...)
the temporary file is removed and the signal then takes its usual course; only a hard
kill (SIGKILL) can leave the temporary file, never a damaged target.

    with atomic_open("out.csv") as f:
        f.write(text)
    write_text_atomic("costcalc.yaml", text, overwrite=False, where="--init")
"""

from __future__ import annotations

import errno
import os
import signal
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from costcalc.errors import InputError

# Signals whose default action ends the process: while a temporary file exists they are
# caught (when their handler is the default one), the file removed, and the signal sent
# again with its default action. SIGINT already raises KeyboardInterrupt; SIGKILL and
# SIGSTOP cannot be caught; a signal that is ignored (``nohup``) stays ignored.
TERMINATING = tuple(
    getattr(signal, name)
    for name in (
        "SIGTERM",
        "SIGHUP",
        "SIGQUIT",
        "SIGUSR1",
        "SIGUSR2",
        "SIGALRM",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
    )
    if hasattr(signal, name)
)
# Paths that name one of this process's open files: written through, appending, so that
# `>> log` is not truncated and `> file` is not replaced behind the shell's back.
_FD_PATHS = ("/dev/stdout", "/dev/stderr", "/dev/fd/", "/proc/self/fd/", "/proc/thread-self/")


class Terminated(KeyboardInterrupt):
    """A terminating signal arrived while a file was being written."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@dataclass(frozen=True)
class Target:
    """Where the bytes for a named output path go."""

    path: Path  # the file to replace or create (a symlink's target), or the file to open
    through: bool  # write into it in place (FIFO, device, /dev/stdout), no temporary file
    exists: bool  # a regular file is there (to keep its permissions, or not overwrite it)


def output_target(
    path: str | os.PathLike[str],
    *,
    where: str | None = None,
    overwrite: bool = True,
    force_flag: str | None = None,
    make_parents: bool = False,
) -> Target:
    """Check an output path before anything is computed; say where its bytes will go.

    A missing parent directory is refused unless ``make_parents`` (the caller creates it).

    Raises :class:`InputError` (located at ``where``) for a path that cannot name an
    output file; when ``where`` is None an ``OSError`` with the same meaning instead.
    """
    raw = os.fsdecode(os.fspath(path))
    if raw == "":
        raise _refuse("expected a file name, got an empty path", None, where, errno.ENOENT)
    if "\0" in raw:
        raise _refuse("a file name cannot contain a NUL character", None, where, errno.EINVAL)
    if raw.endswith("/") or (os.altsep and raw.endswith(os.altsep)) or raw.endswith(os.sep):
        what = "is a directory" if os.path.isdir(raw) else "ends with '/': a directory path"
        raise _refuse(f"{raw!r} {what}, expected a file name", raw, where, errno.EISDIR)
    target = Path(raw)
    if not os.path.isabs(raw):
        try:
            os.getcwd()
        except FileNotFoundError:  # the working directory was deleted under us
            raise _refuse(
                f"cannot write {raw!r}: the current directory no longer exists; "
                "give an absolute path",
                raw,
                where,
                errno.ENOENT,
            ) from None
    if _names_an_open_file(raw):
        return Target(target, through=True, exists=False)
    try:
        st = os.stat(target)  # follows symbolic links
    except FileNotFoundError:
        if os.path.islink(target):
            link = os.readlink(target)
            raise _refuse(
                f"{raw!r} is a symbolic link to {link!r}, which does not exist; "
                "not writing through a dangling link",
                raw,
                where,
                errno.ENOENT,
            ) from None
        parent = target.parent
        if not parent.is_dir() and (parent.exists() or not make_parents):
            what = "is not a directory" if parent.exists() else "does not exist"
            raise _refuse(
                f"cannot write {raw!r}: directory {str(parent)!r} {what}",
                raw,
                where,
                errno.ENOENT,
            ) from None
        return Target(target, through=False, exists=False)
    except OSError as e:
        reason = "a loop of symbolic links" if e.errno == errno.ELOOP else e.strerror or str(e)
        raise _refuse(f"cannot write {raw!r}: {reason}", raw, where, e.errno) from None
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise _refuse(f"{raw!r} is a directory, expected a file name", raw, where, errno.EISDIR)
    if stat.S_ISREG(mode):
        if _is_our_stdout_or_stderr(st):  # e.g. a link to /dev/stdout, `> out.csv`
            return Target(target, through=True, exists=False)
        if not overwrite:
            raise exists_error(target, force_flag, where)
        real = Path(os.path.realpath(target)) if os.path.islink(target) else target
        return Target(real, through=False, exists=True)
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        return Target(target, through=True, exists=False)
    kind = "a block device" if stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else None
    raise _refuse(
        f"{raw!r} is {kind or 'not a regular file'}; not writing to it", raw, where, errno.EINVAL
    )


def _is_our_stdout_or_stderr(st: os.stat_result) -> bool:
    for fd in (1, 2):
        try:
            mine = os.fstat(fd)
        except OSError:
            continue
        if (mine.st_dev, mine.st_ino) == (st.st_dev, st.st_ino):
            return True
    return False


def _names_an_open_file(raw: str) -> bool:
    absolute = os.path.abspath(raw)
    return absolute in _FD_PATHS[:2] or absolute.startswith(_FD_PATHS[2:])


def _refuse(message: str, raw: str | None, where: str | None, code: int | None) -> Exception:
    if where is None:
        return OSError(code or errno.EINVAL, message, raw)
    return InputError(message, where)


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
    follow: bool = True,
) -> Iterator[IO[Any]]:
    """A file to write; it becomes ``path`` when the block ends without error.

    With ``overwrite=False`` an existing ``path`` is never replaced: an
    :class:`InputError` says so (and names ``force_flag``, the flag that allows it).
    ``OSError`` (no such directory, no permission, disk full) propagates, or becomes an
    :class:`InputError` located at ``where`` when given (e.g. ``"--output"``).

    ``follow=False`` is for files costcalc names itself (the cache): whatever is at the
    path (a link, a FIFO planted by someone else) is replaced, never written through.
    """
    if follow:
        found = output_target(path, where=where, overwrite=overwrite, force_flag=force_flag)
    else:
        found = Target(Path(path), through=False, exists=os.path.lexists(path))
        if found.exists and os.path.isdir(path) and not os.path.islink(path):
            raise _refuse(f"{str(path)!r} is a directory", str(path), where, errno.EISDIR)
        if not overwrite and found.exists:
            raise exists_error(found.path, force_flag, where)
    if found.through:
        with _write_through(found.path, binary, encoding, newline, where) as f:
            yield f
        return
    target = found.path
    # One cleanup for everything from the first handler on: a signal may arrive at any
    # bytecode, including just after the temporary file was created and before the name
    # was returned, so the name is known (in ``tmp``) before the file exists.
    previous: dict[int, Any] = {}
    tmp: Path | None = None
    try:
        _hold_signals(previous)
        fd = -1
        while fd < 0:
            tmp = target.parent / f".costcalc-{os.urandom(4).hex()}.tmp"  # short: NAME_MAX
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
            except FileExistsError:  # another writer's file: not ours to remove
                tmp = None
        assert tmp is not None
        mode = "wb" if binary else "w"
        kwargs: dict[str, Any] = {} if binary else {"encoding": encoding, "newline": newline}
        with os.fdopen(fd, mode, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if overwrite:
            if found.exists:  # keep the permissions of the file we replace
                with suppress(FileNotFoundError):
                    os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)  # fails if the name appeared meanwhile
            except FileExistsError:
                raise exists_error(target, force_flag, where) from None
            os.unlink(tmp)
    except BaseException as e:
        if tmp is not None:
            with suppress(FileNotFoundError):
                os.unlink(tmp)
        _release(previous, e)
        if isinstance(e, OSError):
            raise _located(e, target, where) from None
        raise
    _release(previous, None)
    _sync_dir(target.parent)


@contextmanager
def _write_through(
    path: Path, binary: bool, encoding: str, newline: str | None, where: str | None
) -> Iterator[IO[Any]]:
    """Open a FIFO, a device or one of our own open files and write into it, in place.

    A reader that goes away (EPIPE: ``-o >(head -1)``) ends the writing quietly, as for
    standard output: it has read what it wanted.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        raise _located(e, path, where) from None
    mode = "wb" if binary else "w"
    kwargs: dict[str, Any] = {} if binary else {"encoding": encoding, "newline": newline}
    f = os.fdopen(fd, mode, **kwargs)
    try:
        yield f
        f.flush()
    except BrokenPipeError:
        pass
    except OSError as e:
        raise _located(e, path, where) from None
    finally:
        try:
            f.close()
        except BrokenPipeError:  # what was still buffered: nobody reads it
            pass
        except OSError as e:
            raise _located(e, path, where) from None


def write_text_atomic(
    path: str | os.PathLike[str],
    text: str,
    *,
    encoding: str = "utf-8",
    overwrite: bool = True,
    force_flag: str | None = None,
    where: str | None = None,
    follow: bool = True,
) -> None:
    """Replace ``path`` with ``text`` atomically (see :func:`atomic_open`)."""
    with atomic_open(
        path,
        encoding=encoding,
        newline="",
        overwrite=overwrite,
        force_flag=force_flag,
        where=where,
        follow=follow,
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


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated(signum)


def _hold_signals(previous: dict[int, Any]) -> None:
    """Turn terminating signals into :class:`Terminated` while writing, so the cleanup
    runs; record in ``previous`` the handlers replaced, to put back."""
    try:
        for sig in TERMINATING:
            if signal.getsignal(sig) == signal.SIG_DFL:
                previous[sig] = signal.signal(sig, _raise_terminated)
    except ValueError:  # not the main thread: leave signals alone
        pass


def _release(previous: dict[int, Any], error: BaseException | None) -> None:
    """Put the handlers back; if one of ours caught a signal, let it act now (the
    temporary file is gone): the process ends as the signal's sender meant."""
    for sig, handler in previous.items():
        signal.signal(sig, handler)
    if isinstance(error, Terminated):  # only ever caught where the default was in place
        signal.signal(error.signum, signal.SIG_DFL)
        os.kill(os.getpid(), error.signum)


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
