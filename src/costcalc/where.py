"""The ``--where`` grammar: a small, safe language of constraints over sweep columns.

    expr       := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | "(" or ")" | comparison
    comparison := FIELD OP value | value OP FIELD
    value      := NUMBER [UNIT] | 'text' | "text"
    OP         := < <= > >= == != =

A hand-written tokenizer and recursive-descent parser compile the text into a function
of the columns that returns a numpy boolean mask. Nothing is ever evaluated as Python:
names are only looked up among the known fields, and input length and nesting depth are
bounded. A bare number is in the field's unit; a number with a unit is converted to it
(``co2e_kg < 30 t`` means 30000 kg). Comparisons with a missing value (NaN) are false.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from costcalc.errors import InputError, did_you_mean

MAX_LENGTH = 1000  # characters
MAX_DEPTH = 20  # nested parentheses and "not"s


@dataclass(frozen=True)
class Field:
    """A column a constraint may name: its quantity kind and unit, or its labels."""

    name: str
    kind: str = "number"  # a costcalc.units kind, for numbers with units
    unit: str = ""  # the column's unit ("" = plain number)
    labels: tuple[str, ...] | None = None  # categorical column: values are label codes


Mask = Callable[[Mapping[str, Any]], Any]

_KEYWORDS = {"and", "or", "not"}
_OPS = ("<=", ">=", "==", "!=", "<", ">", "=")
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9,])(?:\.[0-9]*)?|[0-9]+(?:\.[0-9]*)?|\.[0-9]+)
      (?:[eE][+-]?[0-9]+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op><=|>=|==|!=|<|>|=)
  | (?P<paren>[()])
    """,
    re.X,
)
# A suffix against a number ("1M", "50k USD"), as costcalc.units reads it everywhere:
# k, M, B/G, T, then a space or the end of the value ("5kW" is five kilowatts).
_SUFFIX = re.compile(r"[kKMBGT](?![A-Za-z0-9_/^*.\-\u00b5%])")
# A unit directly after a number: "30 t", "40%", "2.5 USD/hour", "3 PF/s-day".
_UNIT = re.compile(r"[ \t]*(?P<unit>%|[A-Za-z\u00b5][A-Za-z0-9_/^*.\-\u00b5]*)")


@dataclass
class _Tok:
    kind: str  # number, name, string, op, paren, end
    text: str
    pos: int  # 0-based offset in the text
    unit: str = ""


def _fail(text: str, message: str) -> InputError:
    return InputError(f"{message} in {text!r}", input="where")


def tokenize(text: str) -> list[_Tok]:
    if len(text) > MAX_LENGTH:
        raise InputError(
            f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}",
            input="where",
        )
    out: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise _fail(text, f"unexpected character {text[pos]!r} at column {pos + 1}")
        kind = m.lastgroup or ""
        pos = m.end()
        if kind == "space":
            continue
        tok = _Tok(kind, m.group(), m.start())
        if kind == "number":
            if text.startswith(",", pos):
                raise _fail(
                    text,
                    f"a comma in a number must separate thousands (1,000 or 10,000.5) "
                    f"at column {pos + 1}",
                )
            suffix = _SUFFIX.match(text, pos)
            if suffix:
                tok.text += suffix.group()
                pos = suffix.end()
            u = _UNIT.match(text, pos)
            if u and u["unit"].lower() not in _KEYWORDS:
                tok.unit = u["unit"]
                pos = u.end()
        elif kind == "name" and tok.text.lower() in _KEYWORDS:
            tok.kind, tok.text = "keyword", tok.text.lower()
        out.append(tok)
    out.append(_Tok("end", "", len(text)))
    return out


class _Parser:
    def __init__(self, text: str, fields: Mapping[str, Field]) -> None:
        self.text = text
        self.fields = fields
        self.toks = tokenize(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def where(self, tok: _Tok) -> str:
        return "at the end" if tok.kind == "end" else f"at column {tok.pos + 1}"

    def expect_end(self) -> None:
        tok = self.peek()
        if tok.kind != "end":
            raise _fail(self.text, f"unexpected {tok.text!r} {self.where(tok)}")

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _fail(self.text, f"nested deeper than {MAX_DEPTH} levels")

    def parse_or(self) -> Mask:
        return self.parse_chain("or", self.parse_and, operator.or_)

    def parse_and(self) -> Mask:
        return self.parse_chain("and", self.parse_not, operator.and_)

    def parse_chain(
        self, keyword: str, operand: Callable[[], Mask], join: Callable[[Any, Any], Any]
    ) -> Mask:
        """Operands joined by ``keyword``, left to right, their masks by ``join`` (| or &)."""
        parts = [operand()]
        while self.peek().kind == "keyword" and self.peek().text == keyword:
            self.take()
            parts.append(operand())
        if len(parts) == 1:
            return parts[0]

        def joined(cols: Mapping[str, Any]) -> Any:
            mask = parts[0](cols)
            for p in parts[1:]:
                mask = join(mask, p(cols))
            return mask

        return joined

    def parse_not(self) -> Mask:
        tok = self.peek()
        if tok.kind == "keyword" and tok.text == "not":
            self.take()
            self.nest()
            inner = self.parse_not()
            self.depth -= 1
            return lambda cols: ~inner(cols)
        if tok.kind == "paren" and tok.text == "(":
            self.take()
            self.nest()
            inner = self.parse_or()
            close = self.take()
            if close.text != ")":
                raise _fail(self.text, f"expected ')' {self.where(close)}")
            self.depth -= 1
            return inner
        return self.parse_comparison()

    def parse_comparison(self) -> Mask:
        left = self.take()
        if left.kind in ("number", "string"):  # 30 t > co2e_kg
            op = self.take_op()
            right = self.take()
            if right.kind != "name":
                raise _fail(self.text, f"expected a field name {self.where(right)}")
            flipped = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
            return self.compare(right, flipped, left)
        if left.kind != "name":
            raise _fail(self.text, f"expected a comparison {self.where(left)}")
        self.field(left)  # an unknown name is the first thing to report
        op = self.take_op()
        right = self.take()
        if right.kind not in ("number", "string"):
            raise _fail(self.text, f"expected a number or 'text' {self.where(right)}")
        return self.compare(left, op, right)

    def take_op(self) -> str:
        tok = self.take()
        if tok.kind != "op":
            raise _fail(
                self.text, f"expected a comparison ({', '.join(_OPS[:6])}) {self.where(tok)}"
            )
        return "==" if tok.text == "=" else tok.text

    def field(self, tok: _Tok) -> Field:
        spec = self.fields.get(tok.text)
        if spec is None:
            hint = did_you_mean(tok.text, self.fields)
            raise InputError(
                f"unknown field '{tok.text}'{hint}; fields: {', '.join(self.fields)}", input="where"
            )
        return spec

    def compare(self, name: _Tok, op: str, value: _Tok) -> Mask:
        spec = self.field(name)
        key = spec.name
        if spec.labels is not None:
            if op not in ("==", "!="):
                raise _fail(self.text, f"{key} is text: compare it with == or != only")
            if value.kind != "string":
                raise _fail(self.text, f"{key} is text: quote the value, e.g. {key} == 'x'")
            label = value.text[1:-1]
            if label not in spec.labels:
                hint = did_you_mean(label, spec.labels)
                raise InputError(
                    f"{key} has no value '{label}'{hint}; it has {', '.join(spec.labels)}",
                    input="where",
                )
            code = spec.labels.index(label)
            if op == "==":
                return lambda cols: cols[key] == code
            return lambda cols: cols[key] != code
        if value.kind != "string":
            number = self.number(spec, value)
        else:
            raise _fail(self.text, f"{key} is a number: compare it with a number, not text")
        compare = _COMPARE[op]
        return lambda cols: compare(cols[key], number)

    def number(self, spec: Field, tok: _Tok) -> float:
        from costcalc.units import convert, parse_quantity

        shown = f"{tok.text} {tok.unit}".strip()
        if not tok.unit:  # in the field's unit; "1M" and "10,000" read as everywhere else
            value = parse_quantity(tok.text, "number", input="where", allow_zero=True)
        else:
            value = parse_quantity(
                f"{tok.text} {tok.unit}", spec.kind, input="where", allow_zero=True
            )
            if spec.unit and spec.unit != "%":
                value = float(convert(value, spec.unit))
        if not math.isfinite(value):
            raise InputError(f"{shown!r} is too large: it overflows a 64-bit float", input="where")
        return value


def _lt(a: Any, b: float) -> Any:
    return a < b


def _le(a: Any, b: float) -> Any:
    return a <= b


def _gt(a: Any, b: float) -> Any:
    return a > b


def _ge(a: Any, b: float) -> Any:
    return a >= b


def _eq(a: Any, b: float) -> Any:
    return a == b


def _ne(a: Any, b: float) -> Any:
    return (a != b) & (a == a)  # a missing value (NaN) is not "different from" anything


_COMPARE = {"<": _lt, "<=": _le, ">": _gt, ">=": _ge, "==": _eq, "!=": _ne}


def compile_where(text: str, fields: Mapping[str, Field]) -> Mask:
    """The constraint ``text`` as a function: columns -> boolean mask.

    Categorical columns are given to the function as integer codes into their labels.
    """
    if not text.strip():
        raise InputError("empty expression; expected e.g. 'cost_usd < 1e6'", input="where")
    parser = _Parser(text, fields)
    mask = parser.parse_or()
    parser.expect_end()
    return mask
