"""Standard output for the ``costcalc`` script: every way writing to it can fail ends
the same way, decided in one place.

- The reader went away (``costcalc sweep ... | head -1``, EPIPE): :class:`ReaderGone`;
  the script stops quietly with exit 0, like the tools it is piped into.
- Standard output cannot take the results (closed with ``>&-``, ``> /dev/full``, an I/O
  error): :class:`StdoutError`, one line on stderr and exit 2, like any other place
  that cannot be written (``--output`` into a read-only directory).

:func:`guard` runs first in the script (not in the library, not under test runners):
it makes sure file descriptors 0, 1 and 2 are open (a closed one would otherwise be
taken by the next file opened, e.g. the ``--output`` file, and receive our stdout), and
puts a writer on fd 1 that turns write errors into the exceptions above.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from typing import Any

from costcalc.errors import CostcalcError, terminal_text


class ReaderGone(Exception):  # noqa: N818 - an event, not an error
    """The reader of standard output closed its end (EPIPE): nothing more to do."""


class StdoutError(CostcalcError):
    """Standard output cannot be written: closed, full, or failing."""


class _Stdout(io.FileIO):
    def write(self, b: bytes) -> int:  # type: ignore[override]
        try:
            return super().write(b)  # type: ignore[arg-type]
        except BrokenPipeError:
            raise ReaderGone() from None
        except OSError as e:
            raise stdout_error(e) from None


def stdout_error(e: OSError) -> StdoutError:
    if e.errno == errno.EBADF:
        return StdoutError("cannot write to standard output: it is closed")
    return StdoutError(f"cannot write to standard output: {e.strerror or e}")


def guard() -> None:
    """Open fds 0-2 if closed; route stdout's write errors to the exceptions above."""
    for fd, flags in ((0, os.O_RDONLY), (1, os.O_RDONLY), (2, os.O_WRONLY)):
        # fd 1 gets a read-only /dev/null: writing to it fails (EBADF) as to a closed fd.
        try:
            os.fstat(fd)
        except OSError:
            new = os.open(os.devnull, flags)
            if new != fd:
                os.dup2(new, fd)
                os.close(new)
    if sys.stderr is None:
        sys.stderr = open(2, "w", closefd=False, errors="backslashreplace")  # noqa: SIM115
    old = sys.stdout
    if old is not None and old is not sys.__stdout__:
        return  # redirected by the caller (contextlib.redirect_stdout): theirs to handle
    raw = _Stdout(1, "w", closefd=False)
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(raw),
        encoding=old.encoding if old is not None else None,
        errors=old.errors if old is not None else None,
        line_buffering=bool(old.line_buffering) if old is not None else False,
        write_through=getattr(old, "write_through", False),
    )


def discard() -> None:
    """Send what is still buffered for stdout nowhere (after EPIPE or an error), so that
    flushing at exit cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    os.dup2(devnull, 1)
    os.close(devnull)


def flush() -> None:
    """Flush stdout now, inside the error handling (not silently at exit)."""
    out = sys.stdout
    if out is None:
        return
    try:
        out.flush()
    except BrokenPipeError:
        raise ReaderGone() from None
    except (ValueError, AttributeError):  # closed by a test runner, or not a file
        pass
    except OSError as e:
        raise stdout_error(e) from None


class TerminalSafe:
    """stdout, with control characters in the text written shown escaped
    (:func:`costcalc.errors.terminal_text`); everything else is the stream's own."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal_text(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


# Characters the output uses that a narrow terminal encoding (ASCII, cp1252, latin-1)
# may lack, as the nearest plain text; anything else without an ASCII form becomes "?".
_PLAIN = {
    "\u00d7": "x",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u2192": "->",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2248": "~",
    "\u00b1": "+/-",
    "\u00b7": ".",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u20ac": "EUR",
    "\u00a3": "GBP",
    "\u00b5": "u",
    "\u00b0": " deg",
}


def _degrade(error: UnicodeError) -> tuple[str, int]:
    """The codec error handler of stdout and stderr: a character the stream's encoding
    cannot write becomes its plain form ("×" -> "x", "₂" -> "2"), never a crash."""
    import unicodedata

    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = []
    for char in error.object[error.start : error.end]:
        plain = _PLAIN.get(char)
        if plain is None:
            decomposed = unicodedata.normalize("NFKD", char)
            plain = decomposed.encode("ascii", "ignore").decode("ascii") or "?"
        out.append(plain)
    return "".join(out), error.end


def degrade_output() -> None:
    """Let stdout and stderr write any text whatever their encoding (PYTHONIOENCODING=ascii,
    a cp1252 console, LC_ALL=C): characters they lack degrade to plain ones. Files written
    with -o are always UTF-8."""
    import codecs

    try:
        codecs.lookup_error("costcalc-degrade")
    except LookupError:
        codecs.register_error("costcalc-degrade", _degrade)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # closed, not reconfigurable
                reconfigure(errors="costcalc-degrade")
