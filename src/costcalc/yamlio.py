"""Reading YAML that a person wrote: safely, with line numbers, and within bounds.

Only PyYAML's public API is used: the parser's events (``yaml.CSafeLoader``, libyaml,
when PyYAML has it, else the pure-Python ``yaml.SafeLoader``; both give the same
results and errors), its resolver for plain scalars and ``SafeConstructor`` for scalar
values (no ``!!python`` tags). The node tree is composed here, without recursion, and
merge keys (``<<``) are resolved here too. On top: a byte cap on every file read (a
FIFO or device is refused, never waited on), a cap on nesting and on the number of
nodes (an alias "billion laughs" expands past it and is refused), duplicate keys are
errors (also those a merge brings in), integers beyond float range are refused, and
every value's line is remembered so that an error can say ``file:line: field: message``.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

from costcalc.errors import DataError, did_you_mean

MAX_BYTES = 1 << 20  # 1 MiB: no profile or plan is anywhere near this
MAX_NODES = 100_000
MAX_DEPTH = 50

Key = tuple[Any, ...]
_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


class Document:
    """Parsed YAML data plus the line (1-based) of every key path."""

    def __init__(self, data: Any, lines: dict[Key, int], source: str) -> None:
        self.data = data
        self.lines = lines
        self.source = source

    def where(self, path: Key = ()) -> str:
        """``file:line`` for the deepest known prefix of ``path``."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return f"{self.source}:{line}"
        return self.source


class Problems:
    """Every problem found in one document, each located as ``file:line: field: message``.

    Validation collects them all before raising, so that one run shows every typo."""

    MAX = 100  # listed in full; past that only counted (a hostile file has thousands)

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.items: list[str] = []
        self.unlisted = 0

    @property
    def full(self) -> bool:
        """Whether further problems are only counted (so skip costly hints for them)."""
        return len(self.items) >= self.MAX

    def add(self, path: Key, message: str) -> None:
        if self.full:
            self.unlisted += 1
            return
        name = ".".join(str(p) for p in path) or "(top level)"
        self.items.append(f"{self.doc.where(path)}: {name}: {message}")

    def check_keys(self, data: dict[Any, Any], allowed: tuple[str, ...], path: Key) -> None:
        for key in data:
            if key not in allowed:
                hint = "" if self.full else did_you_mean(str(key), allowed)
                self.add(
                    (*path, key),
                    f"unknown field{hint}; expected one of {', '.join(allowed)}",
                )

    def raise_if_any(self) -> None:
        if self.items:
            others = len(self.items) - 1 + self.unlisted
            more = f" (and {others} more problems)" if others else ""
            listed = self.items
            if self.unlisted:
                listed = [*listed, f"{self.doc.source}: ... and {self.unlisted} more problems"]
            raise DataError(self.items[0] + more, problems=listed)


# What YAML allows in a stream (YAML 1.1 "printable"): checked here, before either parser
# sees the text, so that libyaml and the pure-Python reader refuse exactly the same text.
# Compiled on first use: the character class takes milliseconds to compile, and a command
# that reads no YAML (the one-liner, with the shipped data pre-parsed) should not pay them.
@functools.cache
def _not_printable() -> re.Pattern[str]:
    return re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


_MERGE = "tag:yaml.org,2002:merge"
_NULL = "tag:yaml.org,2002:null"
_CHUNK = 1 << 16


def loader_class() -> Any:
    """libyaml's ``CSafeLoader`` when PyYAML was built with it, else ``SafeLoader``."""
    import yaml

    return getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader


def read_bytes(path: Path, what: str = "file", cap: int = MAX_BYTES) -> bytes:
    """At most ``cap`` bytes of the regular file ``path`` (else a located DataError).

    Never trusts the size ``stat()`` reports (``/proc`` files say 0, a file may grow while
    read): reads at most ``cap + 1`` bytes. Opens without blocking, so that a FIFO (or a
    device, a socket) is refused at once rather than waited on or read forever."""
    where = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise DataError(f"no such {what}", where) from None
    except IsADirectoryError:
        raise DataError(f"is a directory, expected a {what}", where) from None
    except OSError as e:
        raise DataError(f"cannot read {what}: {e.strerror}", where) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise DataError(f"is a directory, expected a {what}", where)
        if not stat.S_ISREG(mode):
            raise DataError(
                f"is not a regular file (a FIFO, device or socket); {what}s are read "
                "from regular files only",
                where,
            )
        chunks: list[bytes] = []
        size = 0
        while size <= cap:
            chunk = os.read(fd, min(_CHUNK, cap + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as e:
        raise DataError(f"cannot read {what}: {e.strerror}", where) from None
    finally:
        os.close(fd)
    if size > cap:
        raise DataError(f"{what} is larger than the limit of {cap} bytes", where)
    return b"".join(chunks)


def regular_files(directory: Path, pattern: str, warnings: list[str]) -> list[Path]:
    """The regular files (or symlinks to them) in ``directory`` matching ``pattern``,
    sorted; anything else (a FIFO, a device, a directory named ``x.yaml``) is skipped
    with a line in ``warnings``. ``stat`` never blocks, unlike opening a FIFO."""
    out = []
    for path in sorted(directory.glob(pattern)):
        try:
            mode = path.stat().st_mode
        except OSError:
            out.append(path)  # dangling symlink, vanished: the reader reports it
            continue
        if stat.S_ISREG(mode):
            out.append(path)
        else:
            warnings.append(f"{path}: not a regular file; skipped")
    return out


def read_text(path: Path, what: str = "file", cap: int = MAX_BYTES) -> str:
    """The UTF-8 text of ``path``, read with :func:`read_bytes` (capped, never blocking)."""
    raw = read_bytes(path, what, cap)
    if b"\0" in raw:
        raise DataError(f"{what} is binary, expected YAML text", str(path))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DataError(f"{what} is not UTF-8 text (byte {e.start})", str(path)) from None


def load(text: str, source: str, loader: Any = None) -> Document:
    """Parse one YAML document from ``text``; ``source`` names it in errors.

    ``loader`` is the PyYAML loader class (default :func:`loader_class`); a parse error
    found by libyaml is reported in the pure-Python parser's words, so that the error
    does not depend on how PyYAML was built."""
    import yaml

    if len(text) > MAX_BYTES:
        raise DataError(f"text is larger than {MAX_BYTES} bytes", source)
    bad = _not_printable().search(text)
    if bad:
        at = text.count("\n", 0, bad.start()) + 1
        raise DataError(
            f"invalid YAML: character {ord(bad.group()):#x} is not allowed", f"{source}:{at}"
        )
    cls = loader or loader_class()
    if _libyaml_lenient(text):  # libyaml takes these where PyYAML refuses them
        cls = yaml.SafeLoader
    try:
        return _load(cls, text, source)
    except DataError:
        if cls is yaml.SafeLoader:
            raise
    except _Lenient:
        pass
    # An error found with libyaml: the pure-Python parser's result is the one reported
    # (its error, in its words; or its value, should it accept what libyaml refused).
    return _load(yaml.SafeLoader, text, source)


# Text that libyaml accepts and the pure-Python parser refuses (found by fuzzing both,
# tests/test_hostile_input.py): a tab (as separator or indentation); a block scalar
# header followed by '#' ("|#"); a tag handle with other than word characters ("!.!x");
# an anchor or alias name followed by a character other than a space or an indicator
# ("*a'"). Such text is parsed by the pure-Python parser only: its verdict is the one
# that holds. (So is text where libyaml found a plain scalar with '?' in a flow
# collection, "{x?: 1}": see _Lenient.)
_LIBYAML_LENIENT = r"\t|[|>][-+0-9]*#|![\w-]*[^\w\s!-][^\s!]*!|[&*][\w-]+[^\w\s?:,\]}%@`-]"


def _libyaml_lenient(text: str) -> bool:
    return re.search(_LIBYAML_LENIENT, text) is not None  # compiled once, by re's cache


class _Lenient(Exception):
    """libyaml read a plain scalar with '?' inside a flow collection, which PyYAML refuses."""


def _load(cls: Any, text: str, source: str) -> Document:
    try:
        node, instance = _compose(cls, text, source)
    except _ParseError as e:
        raise e.error from None
    lines: dict[Key, int] = {}
    if node is None or (node.tag == _NULL and node.value == "" and not node.style):
        instance.dispose()
        return Document(None, lines, source)  # nothing but "---": parsers disagree on its line
    try:
        data = _Builder(instance, source).build(node, (), lines)
    finally:
        instance.dispose()
    return Document(data, lines, source)


class _ParseError(Exception):
    def __init__(self, error: DataError) -> None:
        self.error = error


def _compose(cls: Any, text: str, source: str) -> tuple[Any, Any]:
    """The root node of the single document in ``text`` (None if empty), and the loader
    (whose resolver and constructor the builder uses). Iterative: no depth limit of the
    interpreter's stack is involved, the depth cap is checked here."""
    import yaml

    loader = cls(text)
    try:
        return _compose_events(loader, yaml, source), loader
    except yaml.MarkedYAMLError as e:
        loader.dispose()
        mark = e.problem_mark or e.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise _ParseError(
            DataError(f"invalid YAML: {e.problem or e.context}", f"{source}{line}")
        ) from None
    except yaml.YAMLError as e:
        loader.dispose()
        raise _ParseError(DataError(f"invalid YAML: {e}", source)) from None
    except (_ParseError, _Lenient):
        loader.dispose()
        raise


def _compose_events(loader: Any, yaml: Any, source: str) -> Any:
    def fail(problem: str, mark: Any) -> None:
        raise yaml.MarkedYAMLError(None, None, problem, mark)

    loader.get_event()  # StreamStart
    if loader.check_event(yaml.StreamEndEvent):
        loader.get_event()
        return None
    loader.get_event()  # DocumentStart
    anchors: dict[str, Any] = {}
    # open collections: [node, pending key node or None]
    stack: list[list[Any]] = []
    root = None
    while root is None:
        event = loader.get_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                fail(f"found undefined alias {event.anchor!r}", event.start_mark)
            node = anchors[event.anchor]
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            node = stack.pop()[0]
            node.end_mark = event.end_mark
        else:
            if event.anchor is not None and event.anchor in anchors:
                fail(f"found duplicate anchor {event.anchor!r}", event.start_mark)
            if isinstance(event, yaml.ScalarEvent):
                if (
                    not event.style  # plain: None from PyYAML, "" from libyaml
                    and "?" in event.value
                    and stack
                    and stack[-1][0].flow_style
                    and not isinstance(loader, yaml.SafeLoader)
                ):
                    raise _Lenient
                tag = event.tag
                if tag == "!":  # YAML's non-specific tag: text (parsers differ on "! 5")
                    tag = "tag:yaml.org,2002:str"
                elif tag is None:
                    tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
                node = yaml.ScalarNode(
                    tag, event.value, event.start_mark, event.end_mark, style=event.style
                )
            else:
                if len(stack) > MAX_DEPTH:  # its path is deeper still: refused anyway
                    raise _ParseError(
                        DataError(
                            f"nested deeper than {MAX_DEPTH} levels",
                            f"{source}:{event.start_mark.line + 1}",
                        )
                    )
                sequence = isinstance(event, yaml.SequenceStartEvent)
                kind = yaml.SequenceNode if sequence else yaml.MappingNode
                tag = event.tag
                if tag is None or tag == "!":
                    tag = loader.resolve(kind, None, event.implicit)
                node = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
            if event.anchor is not None:
                anchors[event.anchor] = node
            if not isinstance(event, yaml.ScalarEvent):
                stack.append([node, None])
                continue
        if not stack:
            root = node
            break
        top = stack[-1]
        if isinstance(top[0], yaml.SequenceNode):
            top[0].value.append(node)
        elif top[1] is None:
            top[1] = node
        else:
            top[0].value.append((top[1], node))
            top[1] = None
    loader.get_event()  # DocumentEnd
    if not loader.check_event(yaml.StreamEndEvent):
        event = loader.get_event()
        fail(
            "expected a single document in the stream, but found another document", event.start_mark
        )
    loader.get_event()
    return root


def _line(node: Any) -> int:
    return int(node.start_mark.line) + 1


class _Builder:
    """Python values from the node tree, with every key path's line, within the caps."""

    def __init__(self, loader: Any, source: str) -> None:
        self.loader = loader
        self.source = source
        self.budget = MAX_NODES

    def at(self, node: Any) -> str:
        return f"{self.source}:{_line(node)}"

    def spend(self, n: int) -> None:
        self.budget -= n
        if self.budget < 0:
            raise DataError(f"more than {MAX_NODES} values (an alias bomb?)", self.source)

    def build(self, node: Any, path: Key, lines: dict[Key, int]) -> Any:
        import yaml

        self.spend(1)
        if len(path) > MAX_DEPTH:
            raise DataError(f"nested deeper than {MAX_DEPTH} levels", self.at(node))
        lines.setdefault(path, _line(node))
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if node.tag not in _PLAIN_TAGS:
            raise DataError(f"unsupported YAML tag {node.tag}", self.at(node))
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,), lines) for i, item in enumerate(node.value)]
        out: dict[Any, Any] = {}
        for key_node, value_node in self.pairs(node, path, set()):
            key = self.build(key_node, path + ("<key>",), {})
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise DataError("mapping keys must be plain text", self.at(key_node))
            if key in out:
                raise DataError(f"duplicate key '{key}'", self.at(key_node))
            lines[path + (key,)] = _line(key_node)
            out[key] = self.build(value_node, path + (key,), lines)
        return out

    def pairs(self, node: Any, path: Key, active: set[int]) -> list[tuple[Any, Any]]:
        """The (key, value) nodes of a mapping with its merge keys (``<<``) resolved.

        YAML's merge semantics: ``<<`` takes a mapping or a list of mappings, whose
        pairs come in under the mapping's own keys, which override them. A key that two
        merged mappings both bring in (``<<: [*a, *a]``) is a duplicate, as is a second
        ``<<`` in one mapping: which of two values was meant is not for us to guess."""
        import yaml

        if id(node) in active:
            raise DataError("invalid YAML: a mapping merges itself", self.at(node))
        if len(active) > MAX_DEPTH:
            raise DataError(f"merges nested deeper than {MAX_DEPTH} levels", self.at(node))
        own: list[tuple[Any, Any]] = []
        merge: Any = None
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == _MERGE:
                if merge is not None:
                    raise DataError("duplicate key '<<'", self.at(key_node))
                merge = value_node
            else:
                own.append((key_node, value_node))
        if merge is None:
            return own
        self.spend(1 + len(node.value))  # merges of merges: that work is counted too
        plain_list = isinstance(merge, yaml.SequenceNode) and merge.tag in _PLAIN_TAGS
        sources = merge.value if plain_list else [merge]
        merged: list[tuple[Any, Any]] = []
        seen: dict[Any, Any] = {}
        for source in sources:
            if not isinstance(source, yaml.MappingNode) or source.tag not in _PLAIN_TAGS:
                kind = "a scalar" if isinstance(source, yaml.ScalarNode) else "a list"
                if source.tag not in _PLAIN_TAGS and not isinstance(source, yaml.ScalarNode):
                    kind = f"a collection tagged {source.tag}"
                expected = "a mapping" if source is not merge else "a mapping or list of mappings"
                raise DataError(
                    f"invalid YAML: expected {expected} for merging, but found {kind}",
                    self.at(source),
                )
            for key_node, value_node in self.pairs(source, path, active | {id(node)}):
                key = self._key_identity(key_node)
                if key in seen:
                    raise DataError(
                        f"duplicate key '{key_node.value}' (merged in twice, "
                        f"from lines {_line(seen[key])} and {_line(key_node)})",
                        self.at(merge),
                    )
                seen[key] = key_node
                merged.append((key_node, value_node))
        explicit = {self._key_identity(k) for k, _ in own}
        return [pair for pair in merged if self._key_identity(pair[0]) not in explicit] + own

    def _key_identity(self, key_node: Any) -> Any:
        """What makes two key nodes the same key: the value a scalar key builds to
        (``1`` and ``0x1`` are one key, as in the built mapping); other keys are
        refused later, so identity will do."""
        import yaml

        if isinstance(key_node, yaml.ScalarNode):
            return self.scalar(key_node, ())
        return ("node", id(key_node))

    def scalar(self, node: Any, path: Key) -> Any:
        import yaml

        if node.tag == _MERGE:
            raise DataError("invalid YAML: '<<' (merge) is only allowed as a key", self.at(node))
        if node.tag == "tag:yaml.org,2002:int":
            digits = node.value.replace("_", "").lstrip("+-")
            if len(digits) > 1100:  # beyond float range in any base, even binary
                raise DataError(self._too_large(path, node), self.at(node))
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as e:
            raise DataError(f"invalid value: {getattr(e, 'problem', e)}", self.at(node)) from None
        except (ValueError, ArithmeticError, LookupError, TypeError, AttributeError):
            # PyYAML's constructors fail on such text as "!!int" with no digits
            raise DataError(
                f"invalid value for {node.tag.rsplit(':', 1)[-1]}", self.at(node)
            ) from None
        if type(value) is int and not -_FLOAT_MAX <= value <= _FLOAT_MAX:
            raise DataError(self._too_large(path, node), self.at(node))
        return value

    @staticmethod
    def _too_large(path: Key, node: Any) -> str:
        name = ".".join(str(p) for p in path if p != "<key>")
        shown = node.value if len(node.value) <= 24 else node.value[:12] + "..." + node.value[-6:]
        return (
            f"{name + ': ' if name else ''}invalid value: the integer {shown} is too large "
            f"(beyond {_FLOAT_MAX:.4g}, the largest number costcalc computes with)"
        )


_FLOAT_MAX = sys.float_info.max


# -- JSON -----------------------------------------------------------------------------------


class _Bad:
    """A JSON value to refuse once its path is known: NaN, Infinity, out of range."""

    def __init__(self, text: str, why: str) -> None:
        self.text = text
        self.why = why


class _Pairs(dict[Any, Any]):
    duplicate: str | None = None


def load_json(text: str, source: str) -> Document:
    """Parse JSON strictly (RFC 8259: no NaN or Infinity; numbers must be finite, keys
    unique) with Python's JSON parser: ``1e+21`` is a number, as JSON means it (YAML 1.1
    would read it as text). Lines are found, where they can be, by composing the same
    text as YAML (JSON's syntax is YAML's flow style)."""
    import json

    if len(text) > MAX_BYTES:
        raise DataError(f"text is larger than {MAX_BYTES} bytes", source)

    def pairs(items: list[tuple[str, Any]]) -> _Pairs:
        out = _Pairs()
        for key, value in items:
            if key in out and out.duplicate is None:
                out.duplicate = key
            out[key] = value
        return out

    def number(s: str) -> Any:
        value = float(s)
        if value != value or value in (float("inf"), float("-inf")):
            return _Bad(s, "is beyond the range of numbers")
        return value

    def integer(s: str) -> Any:
        if len(s) > 400 or abs(int(s)) > _FLOAT_MAX:
            return _Bad(s, "is too large")
        return int(s)

    def constant(s: str) -> Any:
        return _Bad(s, "is not a number JSON allows")

    try:
        data = json.loads(
            text.removeprefix("\ufeff"),
            object_pairs_hook=pairs,
            parse_float=number,
            parse_int=integer,
            parse_constant=constant,
        )
    except json.JSONDecodeError as e:
        raise DataError(
            f"invalid JSON: {e.msg} (column {e.colno})", f"{source}:{e.lineno}"
        ) from None
    except RecursionError:
        raise DataError(f"nested deeper than {MAX_DEPTH} levels", source) from None
    doc = Document(data, _json_lines(text), source)
    _check_json(data, (), doc)
    return doc


def _check_json(value: Any, path: Key, doc: Document) -> None:
    if len(path) > MAX_DEPTH:
        raise DataError(f"nested deeper than {MAX_DEPTH} levels", doc.where(path))
    name = ".".join(str(p) for p in path) or "(top level)"
    if isinstance(value, _Bad):
        shown = value.text if len(value.text) <= 24 else value.text[:12] + "..."
        raise DataError(f"{name}: invalid value: {shown} {value.why}", doc.where(path))
    if isinstance(value, _Pairs):
        if value.duplicate is not None:
            raise DataError(f"duplicate key '{value.duplicate}'", doc.where(path))
        for key, item in value.items():
            _check_json(item, path + (key,), doc)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_json(item, path + (i,), doc)


def _json_lines(text: str) -> dict[Key, int]:
    """The line of each key path of JSON ``text``, or none if YAML cannot compose it."""
    import yaml

    try:
        node, loader = _compose(loader_class(), text, "")
    except _ParseError:
        return {}
    loader.dispose()
    lines: dict[Key, int] = {}
    todo: list[tuple[Any, Key]] = [(node, ())] if node is not None else []
    while todo and len(lines) < MAX_NODES:
        node, path = todo.pop()
        lines.setdefault(path, _line(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and path + (key.value,) not in lines:
                    lines[path + (key.value,)] = _line(key)
                    todo.append((value, path + (key.value,)))
        elif isinstance(node, yaml.SequenceNode):
            todo.extend((item, path + (i,)) for i, item in enumerate(node.value))
    return lines
