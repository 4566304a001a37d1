"""Reading YAML that a person wrote: safely, with line numbers, and within bounds.

Only ``yaml.SafeLoader`` is used (no ``!!python`` tags). On top of it: a size cap, a
cap on the number of nodes (an alias "billion laughs" expands past it and is refused),
duplicate keys are errors, and every value's line is remembered so that an error can
say ``file:line: field: message``.
"""

from __future__ import annotations

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


def read_text(path: Path, what: str = "file") -> str:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DataError(f"{what} is {size} bytes; the limit is {MAX_BYTES}", str(path))
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"no such {what}", str(path)) from None
    except IsADirectoryError:
        raise DataError(f"is a directory, expected a YAML {what}", str(path)) from None
    except OSError as e:
        raise DataError(f"cannot read {what}: {e.strerror}", str(path)) from None
    if len(raw) > MAX_BYTES:
        raise DataError(f"{what} is larger than {MAX_BYTES} bytes", str(path))
    if b"\0" in raw:
        raise DataError(f"{what} is binary, expected YAML text", str(path))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DataError(f"{what} is not UTF-8 text (byte {e.start})", str(path)) from None


def load(text: str, source: str) -> Document:
    """Parse one YAML document from ``text``; ``source`` names it in errors."""
    import yaml

    if len(text) > MAX_BYTES:
        raise DataError(f"text is larger than {MAX_BYTES} bytes", source)
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as e:  # a control character, found before parsing
        at = text.count("\n", 0, max(0, e.position)) + 1
        raise DataError(
            f"invalid YAML: character {e.character:#x} is not allowed", f"{source}:{at}"
        ) from None
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise DataError(f"invalid YAML: {e.problem or e.context}", f"{source}{line}") from None
    except yaml.YAMLError as e:
        raise DataError(f"invalid YAML: {e}", source) from None
    except RecursionError:  # PyYAML's parser recurses once per level of nesting
        raise DataError(f"nested deeper than {MAX_DEPTH} levels", source) from None
    finally:
        loader.dispose()
    lines: dict[Key, int] = {}
    if node is None:
        return Document(None, lines, source)
    budget = [MAX_NODES]
    data = _build(loader, node, (), lines, budget, source)
    return Document(data, lines, source)


def _build(
    loader: Any, node: Any, path: Key, lines: dict[Key, int], budget: list[int], source: str
) -> Any:
    import yaml

    budget[0] -= 1
    if budget[0] < 0:
        raise DataError(f"more than {MAX_NODES} values (an alias bomb?)", source)
    if len(path) > MAX_DEPTH:
        raise DataError(
            f"nested deeper than {MAX_DEPTH} levels", f"{source}:{node.start_mark.line + 1}"
        )
    lines.setdefault(path, node.start_mark.line + 1)
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
        raise DataError(f"unsupported YAML tag {node.tag}", f"{source}:{node.start_mark.line + 1}")
    if isinstance(node, yaml.MappingNode):
        try:
            loader.flatten_mapping(node)  # resolve "<<" merge keys the way SafeLoader does
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or node.start_mark
            raise DataError(f"invalid YAML: {e.problem}", f"{source}:{mark.line + 1}") from None
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _build(loader, key_node, path + ("<key>",), {}, budget, source)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise DataError(
                    "mapping keys must be plain text", f"{source}:{key_node.start_mark.line + 1}"
                )
            if key in out:
                raise DataError(
                    f"duplicate key '{key}'", f"{source}:{key_node.start_mark.line + 1}"
                )
            lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = _build(loader, value_node, path + (key,), lines, budget, source)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(loader, item, path + (i,), lines, budget, source)
            for i, item in enumerate(node.value)
        ]
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as e:
        raise DataError(
            f"invalid value: {getattr(e, 'problem', e)}", f"{source}:{node.start_mark.line + 1}"
        ) from None
    except (ValueError, OverflowError):
        raise DataError("invalid value", f"{source}:{node.start_mark.line + 1}") from None
