"""Parameter coercion for plain ``str``, ``list[str]``, ``bool`` and ``Enum`` parameters,
without pydantic.

typer coerces every parameter through a pydantic ``TypeAdapter``, built on each run even
for an option left at ``None``; importing pydantic alone costs about as much as importing
typer. Our commands take text (read by the core, with its own errors), flags and enum
choices, whose coercion is trivial, so while costcalc's app runs, typer builds this light
coercion for those parameters instead. Every other parameter, and any value that is not
already of the declared type, keeps typer's own coercion: slower, never different. If
typer's internals change shape, nothing is swapped and everything still works;
tests/test_startup.py then fails on the import of pydantic, so the slowdown is noticed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any

import typer

try:
    import typer.core as _core
    from typer._coercion import RuntimeParam
    from typer._param_types import coerce_cli_choice
except ImportError:  # a typer without these internals: keep its own coercion
    _core = None  # type: ignore[assignment]

_original: Any = getattr(_core, "build_runtime_param", None)


def _is_enum(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Enum)


if _original is not None:

    @dataclass(frozen=True)
    class _Plain(RuntimeParam):  # type: ignore[misc,valid-type]
        """Values already of the declared type as they are; text to enum members."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            annotation = self.annotation
            if _is_enum(annotation) and isinstance(value, (str, annotation)):
                try:
                    return coerce_cli_choice(
                        value,
                        choices=tuple(annotation),
                        case_sensitive=self.parameter_info.case_sensitive,
                        ctx=ctx,
                    )
                except ValueError as e:
                    raise typer.BadParameter(str(e), ctx=ctx, param=param) from None
            if annotation == list[str] and isinstance(value, (list, tuple)):
                if all(isinstance(v, str) for v in value):  # a repeatable text option
                    return list(value)
            elif isinstance(value, annotation):  # str as typed, bool from a flag
                return value
            return _original(param.type_descriptor)._coerce_value(value, param, ctx)


def _build(descriptor: Any) -> Any:
    annotation = descriptor.annotation
    plain = annotation in (str, bool, list[str]) or _is_enum(annotation)
    if plain and descriptor.parameter_info.parser is None and descriptor.file_annotation is None:
        return _Plain(parameter_info=descriptor.parameter_info, annotation=annotation)
    return _original(descriptor)


@contextmanager
def light_coercion() -> Iterator[None]:
    """While the block runs, typer builds the light coercion for plain parameters."""
    if _original is None or getattr(_core, "build_runtime_param", None) is not _original:
        yield  # unknown typer, or already inside: leave it alone
        return
    setattr(_core, "build_runtime_param", _build)  # noqa: B010 - typer's name, swapped
    try:
        yield
    finally:
        setattr(_core, "build_runtime_param", _original)  # noqa: B010
