"""The one error family. ``str(error)`` is the sentence a person reads.

The CLI turns a :class:`CostcalcError` into one line on stderr and its ``exit_code``;
anything else that escapes is a bug (exit 70, traceback shown).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# How the front end now running spells an input's name (see :func:`ref`); None: Python's.
_SPELLING: ContextVar[Callable[[str], str] | None] = ContextVar("costcalc_spelling", default=None)
# The inputs that front end takes (see :func:`either`); None: every one.
_OFFERS: ContextVar[frozenset[str] | None] = ContextVar("costcalc_offers", default=None)


def ref(name: str) -> str:
    """How the person reads input ``name`` (a Python keyword: ``top_k``, ``work``) in the
    front end now running: the keyword itself for Python callers, ``--top-k`` on the
    command line, the key in a plan. The core names inputs only through this, never by a
    flag, so one message reads right wherever the value came from."""
    spell = _SPELLING.get()
    return name if spell is None else spell(name)


@contextmanager
def spelling(
    spell: Callable[[str], str],
    only: Collection[str] | None = None,
    *,
    keep: Collection[str] = (),
    offers: Collection[str] | None = None,
) -> Iterator[None]:
    """Within the block, :func:`ref` spells input names with ``spell`` (a front end's);
    with ``only``, just those inputs (given in a file), the others as before; the inputs
    in ``keep`` (given on the command line around a file) as before, too. ``offers``: the
    inputs this front end takes (a plan's keys), which advice may name (:func:`either`)."""
    if only is not None or keep:
        outer, inner = _SPELLING.get(), spell
        names = None if only is None else frozenset(only)
        kept = frozenset(keep)

        def spell(name: str) -> str:
            if name not in kept and (names is None or name in names):
                return inner(name)
            return name if outer is None else outer(name)

    token = _SPELLING.set(spell)
    offered = _OFFERS.set(frozenset(offers)) if offers is not None else None
    try:
        yield
    finally:
        if offered is not None:
            _OFFERS.reset(offered)
        _SPELLING.reset(token)


def either(*names: str) -> str:
    """Advice naming inputs ``names`` as alternatives (``--owned or --purchase-price``),
    only those the front end now running takes: a plan has no ``owned`` key, so there it
    reads ``purchase_price``."""
    offers = _OFFERS.get()
    kept = [n for n in names if offers is None or n in offers] or list(names)
    spelled = [ref(n) for n in kept]
    return spelled[0] if len(spelled) == 1 else ", ".join(spelled[:-1]) + " or " + spelled[-1]


GIVEN = "given with "


def given_with(name: str, detail: str = "") -> str:
    """An assumption's source when the caller gave input ``name``: ``given with --pue``
    on the command line, ``given with pue`` from Python; ``detail`` follows the name."""
    return f"{GIVEN}{ref(name)}{detail}"


def is_given_with(source: str, name: str) -> bool:
    """Whether ``source`` is :func:`given_with` of input ``name`` (in the spelling now in
    force), with or without a detail."""
    head = given_with(name)
    return source == head or (
        source.startswith(head) and not (source[len(head)].isalnum() or source[len(head)] in "_-")
    )


class CostcalcError(Exception):
    """Something the user can fix. ``where`` names the flag, file, line or field.

    ``input`` is the name of the input the error is about (a Python keyword, as in
    :mod:`costcalc.inputs`), or "". Given without ``where``, the error is located at that
    input as the front end now running spells it (:func:`ref`); a front end that knows
    better (a config file's line, a plan's key) relocates it by ``input``."""

    exit_code = 2

    def __init__(self, message: str, where: str = "", *, input: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.input = input
        self.where = where or (ref(input) if input else "")

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return printable(text)

    def at(self, where: str) -> CostcalcError:
        """The same error, located (keeps an existing, more precise location)."""
        if not self.where:
            self.where = where
        return self


@contextmanager
def about(input: str) -> Iterator[None]:
    """Errors raised within are about input ``input``, unless they name another: a helper
    that knows no input (a catalog lookup, a unit parser) is located by its caller."""
    try:
        yield
    except CostcalcError as e:
        if input and not e.input:
            e.input = input
            e.where = e.where or ref(input)
        raise


class InputError(CostcalcError):
    """A value given on the command line or to the library API is not acceptable."""


class DataError(CostcalcError):
    """A data file (hardware profile, plan, data table) is malformed or inconsistent."""

    def __init__(
        self,
        message: str,
        where: str = "",
        problems: list[str] | None = None,
        *,
        input: str = "",
    ) -> None:
        super().__init__(message, where, input=input)
        # Every problem found in the file, each as "file:line: field: message".
        self.problems = problems or [str(self)]


def did_you_mean(word: str, choices: Iterable[str], n: int = 1) -> str:
    """``" (did you mean 'x'?)"`` when a choice is close to ``word``, else ``""``."""
    pool = list(choices)
    close = difflib.get_close_matches(word, pool, n=n, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in pool}
        close = [lowered[c] for c in difflib.get_close_matches(word.lower(), lowered, n=n)]
    if not close:
        return ""
    return " (did you mean " + " or ".join(f"'{c}'" for c in close) + "?)"


_SEPARATORS = frozenset(" \t-_./,()")


def name_key(text: str) -> str:
    """A name compared without case, spaces or separating punctuation (``-_./,()``):
    "NVIDIA H100" -> "nvidiah100". Text with hidden characters (controls, bidi marks)
    has no key, so it never matches loosely; other punctuation ("h100*") is kept."""
    if not text.isprintable():
        return ""
    return "".join(c for c in text.casefold() if c not in _SEPARATORS)


def loose_index(pairs: Iterable[tuple[str, str]]) -> dict[str, str | None]:
    """``name_key(shown) -> target`` over (shown, target) pairs; None where one key would
    name two targets (ambiguous, so never resolved loosely)."""
    out: dict[str, str | None] = {}
    for shown, target in pairs:
        key = name_key(shown)
        if key and out.get(key, target) != target:
            out[key] = None
        elif key:
            out.setdefault(key, target)
    return out


def loose_match(word: str, pairs: Iterable[tuple[str, str]]) -> str | None:
    """The one target of (shown, target) ``pairs`` whose shown name is ``word`` compared
    without case, spaces or punctuation ("gpt 3", "United-States"); None if none or two."""
    return loose_index(pairs).get(name_key(word)) or None


def did_you_mean_name(word: str, pairs: Iterable[tuple[str, str]]) -> str:
    """``" (did you mean 'h100-sxm'?)"``: the target whose names (ids, aliases, display
    names) are closest to ``word``, compared without case, spaces or punctuation."""
    index = {k: v for k, v in loose_index(pairs).items() if v is not None}
    close = difflib.get_close_matches(name_key(word), index, n=1, cutoff=0.6)
    return f" (did you mean '{index[close[0]]}'?)" if close else ""


def printable(text: str) -> str:
    """``text`` on one line, with control characters (newlines, terminal escapes) shown
    escaped: an error message quotes user input and must not act on the terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


# An SGR sequence (colour, bold) as rich writes it: it cannot move the cursor, clear the
# screen, set a title or open a link, so output may keep it.
_SGR = re.compile(r"\x1b\[[0-9;]*m")


def terminal_text(text: str) -> str:
    """Output text safe for a terminal: lines and tabs kept, colour (SGR) sequences kept,
    every other control character (ESC sequences, C1 controls, bidi overrides such as
    U+202E) shown escaped, as in :func:`printable`."""
    if text.isprintable():
        return text
    out = []
    pos = 0
    for match in _SGR.finditer(text):
        out.append(_escape_controls(text[pos : match.start()]))
        out.append(match.group())
        pos = match.end()
    out.append(_escape_controls(text[pos:]))
    return "".join(out)


# Lines and tabs, which terminal output keeps as they are.
_LAYOUT = str.maketrans("", "", "\n\t")


def _escape_controls(text: str) -> str:
    if text.translate(_LAYOUT).isprintable():  # the common case, without a loop per character
        return text
    return "".join(c if c.isprintable() or c in "\n\t" else repr(c)[1:-1] for c in text)
