"""Parsed data files without parsing them again, and without trusting what others wrote.

Two stores of *parsed YAML trees* (never of validated results: every tree is validated
exactly as a freshly parsed one would be, each time it is used):

* the files shipped with costcalc (hardware profiles, ``costcalc/data/*.yaml``; and the
  rows of ``costcalc/data/*.csv``) are parsed
  at build time into ``costcalc/data/parsed/`` (``scripts/build_parsed.py``; a test keeps
  them in sync). A prebuilt tree is used only when it was built from exactly the bytes of
  the file now on disk; otherwise the file is parsed. Shipped data is never cached in a
  writable place, so no other user can change what a shipped profile says.
* the user's own files (profiles in a config or ``--profiles-dir`` directory) are cached in
  the user cache directory (``platformdirs.user_cache_dir("costcalc")``, or
  ``$COSTCALC_CACHE_DIR``); ``COSTCALC_NO_CACHE=1`` turns that off. An entry is trusted only
  when its directory and the entry itself belong to the current user and are not writable
  by anyone else, it is a regular file of bounded size, and its key matches (a hash of the
  cache format, the costcalc version, the parsing code and the exact bytes of the file; the
  file's path, size and modification time serve as a pre-check that spares hashing it).
  Anything else - foreign, stale, corrupt, deeply nested, a directory, a FIFO, huge - is a
  cache miss: the file is parsed, never an error, never a hang. Entries are written
  atomically with mode 0600; deleting the directory at any time is safe.

Only results are cached, never errors: a bad file is re-read, and reported, every time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import json
import os
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from costcalc.yamlio import Document

FORMAT = 2  # bump when the entry layout changes
MAX_SOURCE_BYTES = 1 << 20  # larger sources are not cached (the loader refuses them anyway)
MAX_ENTRY_BYTES = 8 << 20  # a larger entry is not ours: a miss
PARSED_DIR = "parsed"  # costcalc/data/parsed: the shipped files, parsed at build time

T = TypeVar("T")
_PACKAGE = Path(__file__).resolve().parent


class _Unusable(Exception):
    """An entry or a value that cannot be used; never escapes this module."""


def cache_dir() -> Path | None:
    """Where entries live, or None when the cache is turned off."""
    if os.environ.get("COSTCALC_NO_CACHE", "").strip() not in ("", "0"):
        return None
    env = os.environ.get("COSTCALC_CACHE_DIR", "").strip()
    if env:  # "~user" expanded; a relative or unexpandable place turns the cache off
        expanded = os.path.expanduser(env)
        return Path(expanded) if os.path.isabs(expanded) else None
    if sys.platform.startswith("linux"):  # platformdirs' rule, without its import (~3 ms)
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        if xdg and os.path.isabs(xdg):
            return Path(xdg) / "costcalc"
        home = os.path.expanduser("~")
        return Path(home) / ".cache" / "costcalc" if os.path.isabs(home) else None
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("costcalc", appauthor=False))


# -- parsed YAML documents ----------------------------------------------------------


def document(path: Path, source: str, parse: Callable[[], Document]) -> Document:
    """The parsed YAML document of ``path`` (``parse()`` reads and parses it), named
    ``source`` in errors: from the prebuilt trees of shipped files, from the user's cache
    for other files, else parsed. The caller validates it like any parsed document."""
    from costcalc.yamlio import Document

    shipped = _shipped_name(path)
    if shipped is not None:
        prebuilt = _prebuilt(path, shipped)
        if prebuilt is None:
            return parse()  # shipped but changed since the build: parse, never cache
        return Document(prebuilt[0], prebuilt[1], source)

    def build() -> dict[str, Any]:
        doc = parse()
        return {"data": doc.data, "lines": doc.lines}

    tree = memo("doc", [path], build, valid=_is_tree)
    return Document(tree["data"], tree["lines"], source)


def _is_tree(value: Any) -> bool:
    """The shape of a parsed document: its data and the line of each key path."""
    return (
        type(value) is dict
        and set(value) == {"data", "lines"}
        and type(value["lines"]) is dict
        and all(type(k) is tuple and type(v) is int and v > 0 for k, v in value["lines"].items())
    )


def _shipped_roots() -> list[tuple[str, Path]]:
    return list(_package_roots())


@functools.cache
def _package_roots() -> tuple[tuple[str, Path], ...]:
    from costcalc.paths import shipped_dir

    return (("profiles", shipped_dir()), ("data", _PACKAGE / "data"))


_GROUPS: dict[tuple[Path, ...], dict[tuple[int, int], str]] = {}


def _shipped_name(path: Path) -> str | None:
    """``profiles/<file>`` or ``data/<file>`` for a shipped file, else None."""
    roots = _shipped_roots()
    key = tuple(root for _, root in roots)
    if key not in _GROUPS:  # the shipped directories by identity (device, inode)
        _GROUPS[key] = {}
        for group, root in roots:
            with contextlib.suppress(OSError):
                st = os.stat(root)
                _GROUPS[key][(st.st_dev, st.st_ino)] = group
    try:
        st = os.stat(path.parent)
    except OSError:
        return None
    found = _GROUPS[key].get((st.st_dev, st.st_ino))
    return None if found is None else f"{found}/{path.name}"


def _prebuilt(path: Path, name: str) -> tuple[Any, Any] | None:
    """The tree built from ``path``'s current bytes, or None (no prebuilt, or out of date)."""
    try:
        raw = (_PACKAGE / "data" / PARSED_DIR / f"{name}.json").read_bytes()
        doc = json.loads(raw)
        if doc["format"] != FORMAT or doc["text"] != _read_capped(path).decode("utf-8"):
            return None
        tree = {"data": _decode(doc["data"], {}), "lines": _decode(doc["lines"], {})}
        return (tree["data"], tree["lines"]) if _is_tree(tree) else None
    except (OSError, ValueError, KeyError, TypeError, IndexError, RecursionError, _Unusable):
        return None


def shipped_rows(path: Path) -> list[list[str]] | None:
    """The rows of a shipped CSV file (header first) as built from its current bytes, or
    None (not shipped, no prebuilt rows, or out of date: the caller reads the file)."""
    name = _shipped_name(path)
    if name is None:
        return None
    try:
        raw = (_PACKAGE / "data" / PARSED_DIR / f"{name}.json").read_bytes()
        doc = json.loads(raw)
        if doc["format"] != FORMAT or doc["text"] != _read_capped(path).decode("utf-8"):
            return None
        rows: list[list[str]] = doc["rows"]
        width = len(rows[0])
        if all(type(r) is list and len(r) == width for r in rows):
            return rows
    except (OSError, ValueError, KeyError, TypeError, IndexError, RecursionError, _Unusable):
        pass
    return None


def csv_rows(text: str) -> list[list[str]] | None:
    """A CSV text's rows (header first, blank lines skipped, as csv.DictReader reads
    them); None when a row's width differs from the header's (DictReader's own rule for
    those: the caller reads the file with it)."""
    import csv

    rows = [row for row in csv.reader(text.splitlines()) if row]
    if not rows or any(len(row) != len(rows[0]) for row in rows):
        return None
    return rows


def build_prebuilt(out: Path | None = None) -> list[Path]:
    """Write the parsed trees of every shipped YAML file, and the rows of every shipped
    CSV file (for the build; see module doc)."""
    from costcalc import yamlio

    out = out or _PACKAGE / "data" / PARSED_DIR
    written = []
    for group, root in _shipped_roots():
        (out / group).mkdir(parents=True, exist_ok=True)
        for path in sorted(root.glob("*.csv")):
            text = path.read_text(encoding="utf-8")
            rows = csv_rows(text)
            if rows is None:
                continue
            target = out / group / f"{path.name}.json"
            entry = {"format": FORMAT, "text": text, "rows": rows}
            target.write_text(json.dumps(entry, indent=None, sort_keys=True) + "\n")
            written.append(target)
        for path in sorted(root.glob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            doc = yamlio.load(text, str(path))
            entry = {
                "format": FORMAT,
                "text": text,
                "data": _encode(doc.data, {}),
                "lines": _encode(doc.lines, {}),
            }
            target = out / group / f"{path.name}.json"
            target.write_text(json.dumps(entry, indent=None, sort_keys=True) + "\n")
            written.append(target)
    return written


# -- the user's cache ----------------------------------------------------------------


def memo(
    kind: str,
    sources: Sequence[Path],
    build: Callable[[], T],
    classes: Iterable[type] = (),
    valid: Callable[[Any], bool] | None = None,
) -> T:
    """``build()``, or its cached result when none of ``sources`` (nor costcalc) changed.

    ``classes`` are the dataclasses the result may contain; nothing else is rebuilt
    from an entry. A result that cannot be stored as JSON is simply not cached. An
    entry whose value fails ``valid`` is a miss.
    """
    directory = cache_dir()
    stamp = _stamp(kind, sources) if directory is not None else None
    if directory is None or stamp is None:
        return build()
    allowed = {f"{c.__module__}.{c.__qualname__}": c for c in classes}
    entry = directory / _entry_name(kind, sources)
    key = None
    trusted = _trusted_dir(directory)
    try:
        if not trusted:
            raise _Unusable("directory")
        doc = json.loads(_read_entry(entry))
        if doc["format"] == FORMAT:
            # Same code, same files by path, size and mtime: trusted without reading
            # them. Otherwise the files' bytes decide (a checkout may touch them).
            if doc["stamp"] != stamp:
                key = _key(kind, sources)
            if doc["stamp"] == stamp or (key is not None and doc["key"] == key):
                result: T = _decode(doc["value"], allowed)
                if valid is not None and not valid(result):
                    raise _Unusable("shape")
                if doc["stamp"] != stamp:
                    _store(entry, stamp, doc["key"], doc["value"])
                return result
    except (
        OSError,
        ValueError,
        KeyError,
        TypeError,
        IndexError,
        RecursionError,
        MemoryError,
        _Unusable,
    ):
        pass  # missing, foreign, stale or corrupt: rebuild
    key = key or _key(kind, sources)
    result = build()
    if key is None or _key(kind, sources) != key or _stamp(kind, sources) != stamp:
        return result  # a source changed while we read it: do not store
    try:
        value = _encode(result, allowed)
    except (_Unusable, RecursionError):
        return result
    if trusted or not directory.exists():
        _store(entry, stamp, key, value)
    return result


def _owned(st: os.stat_result) -> bool:
    """Whether a file or directory belongs to us and no one else may write it."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # Windows: per-user profile directories and ACLs
        return True
    return st.st_uid == getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _trusted_dir(directory: Path) -> bool:
    try:
        st = os.stat(directory)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and _owned(st)


def _read_fd(fd: int, limit: int) -> bytes:
    """At most ``limit`` bytes from ``fd``; _Unusable when there are more."""
    data = b""
    while len(data) <= limit:
        chunk = os.read(fd, limit + 1 - len(data))
        if not chunk:
            break
        data += chunk
    if len(data) > limit:
        raise _Unusable("too large")
    return data


def _read_capped(path: Path, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """A regular file's bytes, at most ``limit``: anything else raises OSError or
    _Unusable, without blocking."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _Unusable("not a regular file")
        return _read_fd(fd, limit)
    finally:
        os.close(fd)


def _read_entry(entry: Path) -> bytes:
    """An entry's bytes, only if it is a regular file of ours that no one else may write."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(entry, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not _owned(st) or st.st_size > MAX_ENTRY_BYTES:
            raise _Unusable("entry")
        return _read_fd(fd, MAX_ENTRY_BYTES)
    finally:
        os.close(fd)


def _store(entry: Path, stamp: str, key: str, value: Any) -> None:
    try:
        text = json.dumps({"format": FORMAT, "stamp": stamp, "key": key, "value": value})
    except (ValueError, RecursionError):
        return
    tmp = None
    try:
        import tempfile

        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted_dir(entry.parent):
            return  # a directory others may write is not ours to fill
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=entry.parent)  # mode 0600
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, entry)
        tmp = None
    except OSError:
        pass  # a read-only or full cache directory only costs speed
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _entry_name(kind: str, sources: Sequence[Path]) -> str:
    """One file per kind and set of source paths (a changed source replaces its entry)."""
    h = 0xCBF29CE484222325  # FNV-1a: a stable name without importing hashlib
    for byte in "\0".join(str(s) for s in sources).encode():
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    stem = "+".join(s.name for s in sources)[:60]
    return f"{kind}-{stem}-{h:016x}.json"


def _digest(parts: Iterable[bytes]) -> str:
    import hashlib

    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


@functools.cache
def _code_stamp() -> tuple[str, ...]:
    """The parsing code's identity: every module of the package and of its subpackages
    (``profiles/`` holds the profile parser), by size and mtime."""
    from costcalc import __version__

    parts = [f"format {FORMAT}", f"costcalc {__version__}"]
    folders = [(_PACKAGE, "")]
    while folders:
        folder, prefix = folders.pop(0)
        with os.scandir(folder) as it:
            for e in sorted(it, key=lambda e: e.name):
                if e.name.endswith((".py", ".txt")) and e.is_file():
                    st = e.stat()
                    parts.append(f"{prefix}{e.name}:{st.st_size}:{st.st_mtime_ns}")
                elif e.is_dir() and os.path.isfile(os.path.join(e.path, "__init__.py")):
                    folders.append((Path(e.path), f"{prefix}{e.name}/"))
    st = (_PACKAGE / "data" / "units_table.json").stat()
    parts.append(f"units_table.json:{st.st_size}:{st.st_mtime_ns}")
    return tuple(parts)


def _stamp(kind: str, sources: Sequence[Path]) -> str | None:
    """The cheap key: the code, and each source's path, size and mtime (no reading)."""
    try:
        parts = [kind, *_code_stamp()]
        for source in sources:
            st = source.stat()
            if st.st_size > MAX_SOURCE_BYTES or not stat.S_ISREG(st.st_mode):
                return None
            parts.append(f"{source}:{st.st_size}:{st.st_mtime_ns}")
    except OSError:
        return None  # let the loader report it
    return "\n".join(parts)


def _key(kind: str, sources: Sequence[Path]) -> str | None:
    """The exact key: the code, and each source's path and bytes."""
    parts = [kind.encode(), "\n".join(_code_stamp()).encode()]
    try:
        for source in sources:
            parts += [str(source).encode(), _read_capped(source)]
    except (OSError, _Unusable):
        return None
    return _digest(parts)


# JSON with tags for what JSON lacks: {"$t": tuple}, {"$m": mapping as pairs},
# {"$date": iso}, {"$c": class name, "a": [field values in order]} for allowed dataclasses.
def _encode(value: Any, allowed: dict[str, type]) -> Any:
    kind = type(value)  # exact types: a subclass (an enum, say) would not come back as itself
    if value is None or kind in (bool, int, float, str):
        return value
    if kind is list:
        return [_encode(v, allowed) for v in value]
    if kind is tuple:
        return {"$t": [_encode(v, allowed) for v in value]}
    if kind is dict:
        return {"$m": [[_encode(k, allowed), _encode(v, allowed)] for k, v in value.items()]}
    if kind is datetime.date:
        return {"$date": value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = f"{type(value).__module__}.{type(value).__qualname__}"
        if allowed.get(name) is not type(value):
            raise _Unusable(name)
        return {"$c": name, "a": [_encode(getattr(value, f.name), allowed) for f in _fields(value)]}
    raise _Unusable(type(value).__name__)


def _fields(value: Any) -> tuple[dataclasses.Field[Any], ...]:
    return tuple(f for f in dataclasses.fields(value) if f.init)


_SCALARS = frozenset({type(None), bool, int, float, str})


def _decode(value: Any, allowed: dict[str, type]) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list:
        return [_decode(v, allowed) for v in value]
    if kind is not dict or len(value) not in (1, 2):
        raise _Unusable("shape")
    if "$t" in value:
        return tuple(_decode(v, allowed) for v in value["$t"])
    if "$m" in value:
        return {_decode(k, allowed): _decode(v, allowed) for k, v in value["$m"]}
    if "$date" in value:
        return datetime.date.fromisoformat(value["$date"])
    cls = allowed.get(value["$c"])
    if cls is None or not isinstance(value["a"], list) or len(value["a"]) != len(_fields(cls)):
        raise _Unusable("class")
    return cls(*[_decode(v, allowed) for v in value["a"]])
