"""A cache of parsed data files (hardware profiles, data tables), so that a one-liner
neither imports a YAML parser nor re-validates files that have not changed.

Each entry is a small JSON file in the user cache directory
(``platformdirs.user_cache_dir("costcalc")``, or ``$COSTCALC_CACHE_DIR``), named after
the files it was built from. It is trusted only when its key matches: a hash of the cache
format, the costcalc version, the code that parses (the package's modules, by size and
modification time) and the exact bytes of every source file; the files' paths, sizes and
modification times serve as a pre-check that spares reading and hashing them. A stale,
corrupt or tampered entry is ignored and rebuilt; entries are written atomically; deleting the
directory at any time is safe. ``COSTCALC_NO_CACHE=1`` turns the cache off.

Only results are cached, never errors: a bad file is re-read, and reported, every time.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

FORMAT = 1  # bump when the entry layout changes
MAX_SOURCE_BYTES = 1 << 20  # larger sources are not cached (the loader refuses them anyway)

T = TypeVar("T")
_PACKAGE = Path(__file__).resolve().parent


class _Unusable(Exception):
    """An entry or a value that cannot be used; never escapes this module."""


def cache_dir() -> Path | None:
    """Where entries live, or None when the cache is turned off."""
    if os.environ.get("COSTCALC_NO_CACHE", "").strip() not in ("", "0"):
        return None
    env = os.environ.get("COSTCALC_CACHE_DIR", "").strip()
    if env:
        return Path(env)
    if sys.platform.startswith("linux"):  # platformdirs' rule, without its import (~3 ms)
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        return Path(xdg if xdg else os.path.expanduser("~/.cache")) / "costcalc"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("costcalc", appauthor=False))


def memo(
    kind: str,
    sources: Sequence[Path],
    build: Callable[[], T],
    classes: Iterable[type] = (),
) -> T:
    """``build()``, or its cached result when none of ``sources`` (nor costcalc) changed.

    ``classes`` are the dataclasses the result may contain; nothing else is rebuilt
    from an entry. A result that cannot be stored as JSON is simply not cached.
    """
    directory = cache_dir()
    stamp = _stamp(kind, sources) if directory is not None else None
    if directory is None or stamp is None:
        return build()
    allowed = {f"{c.__module__}.{c.__qualname__}": c for c in classes}
    entry = directory / _entry_name(kind, sources)
    key = None
    try:
        doc = json.loads(entry.read_bytes())
        if doc["format"] == FORMAT:
            # Same code, same files by path, size and mtime: trusted without reading
            # them. Otherwise the files' bytes decide (a checkout may touch them).
            if doc["stamp"] != stamp:
                key = _key(kind, sources)
            if doc["stamp"] == stamp or (key is not None and doc["key"] == key):
                result: T = _decode(doc["value"], allowed)
                if doc["stamp"] != stamp:
                    _store(entry, stamp, doc["key"], doc["value"])
                return result
    except (OSError, ValueError, KeyError, TypeError, IndexError, _Unusable):
        pass  # missing, stale or corrupt: rebuild
    key = key or _key(kind, sources)
    result = build()
    if key is None or _key(kind, sources) != key or _stamp(kind, sources) != stamp:
        return result  # a source changed while we read it: do not store
    try:
        value = _encode(result, allowed)
    except _Unusable:
        return result
    _store(entry, stamp, key, value)
    return result


def _store(entry: Path, stamp: str, key: str, value: Any) -> None:
    try:
        text = json.dumps({"format": FORMAT, "stamp": stamp, "key": key, "value": value})
    except ValueError:
        return
    try:
        from costcalc.atomic import write_text_atomic

        entry.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(entry, text, follow=False)
    except OSError:
        pass  # a read-only or full cache directory only costs speed


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
    """The parsing code's identity: every module of the package, by size and mtime."""
    from costcalc import __version__

    parts = [f"format {FORMAT}", f"costcalc {__version__}"]
    with os.scandir(_PACKAGE) as it:
        for e in sorted(it, key=lambda e: e.name):
            if e.name.endswith((".py", ".txt")) and e.is_file():
                st = e.stat()
                parts.append(f"{e.name}:{st.st_size}:{st.st_mtime_ns}")
    st = (_PACKAGE / "data" / "units_table.json").stat()
    parts.append(f"units_table.json:{st.st_size}:{st.st_mtime_ns}")
    return tuple(parts)


def _stamp(kind: str, sources: Sequence[Path]) -> str | None:
    """The cheap key: the code, and each source's path, size and mtime (no reading)."""
    try:
        parts = [kind, *_code_stamp()]
        for source in sources:
            st = source.stat()
            if st.st_size > MAX_SOURCE_BYTES:
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
            data = source.read_bytes()
            if len(data) > MAX_SOURCE_BYTES:
                return None
            parts += [str(source).encode(), data]
    except OSError:
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
