"""The fake's reading of OData V2 ``$filter`` expressions, written apart from the client's.

It knows comparisons (eq ne gt ge lt le), and/or/not with parentheses, the functions
substringof, startswith and endswith, and V2 literals: quoted strings (``''`` for a quote),
``datetime'...'``, ``datetimeoffset'...'``, ``guid'...'``, ``time'...'``, ``binary'...'``,
numbers with their M/L/d/f suffixes, true/false and null. Anything else is refused with the
kind of message SAP Gateway gives, so a client bug shows up as a 400 in tests.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<typed>(?:datetimeoffset|datetime|guid|time|binary|X)'(?:[^']|'')*')
  | (?P<string>'(?:[^']|'')*')
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[MmLlDdFf]?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_/]*)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<comma>,)
    """,
    re.VERBOSE,
)
_COMPARE = {"eq", "ne", "gt", "ge", "lt", "le"}
_FUNCTIONS = {"substringof", "startswith", "endswith"}


class FilterError(ValueError):
    """A ``$filter`` the fake cannot read; the message says where."""


Predicate = Callable[[Mapping[str, Any]], bool]


def _unquote(text: str) -> str:
    return text[1:-1].replace("''", "'")


def _duration(text: str) -> time:
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?", text)
    if not match:
        raise FilterError(f"invalid time literal {text!r}")
    hours, minutes, seconds, fraction = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    return time(int(hours or 0), int(minutes or 0), int(seconds or 0), micro)


def _timestamp(text: str, aware: bool) -> datetime:
    iso = text[:-1] + "+00:00" if text.endswith("Z") else text
    head, dot, rest = iso.partition(".")
    if dot:
        digits = re.match(r"\d+", rest)
        if digits:
            frac = digits.group(0)
            iso = f"{head}.{frac[:6].ljust(6, '0')}{rest[len(frac) :]}"
    try:
        value = datetime.fromisoformat(iso)
    except ValueError:
        raise FilterError(f"invalid date-time literal {text!r}") from None
    if aware and value.tzinfo is None:
        raise FilterError(f"datetimeoffset literal {text!r} needs a zone (Z or +hh:mm)")
    if not aware and value.tzinfo is not None:
        raise FilterError(f"datetime literal {text!r} may not carry a zone")
    return value


def parse_literal(text: str) -> Any:
    """The Python value of one V2 literal (``'a''b'`` -> ``"a'b"``, ``12.30M`` -> Decimal)."""
    if text == "null":
        return None
    if text in ("true", "false"):
        return text == "true"
    if text.startswith("'") and text.endswith("'") and len(text) >= 2:
        return _unquote(text)
    typed = re.fullmatch(r"(datetimeoffset|datetime|guid|time|binary|X)('(?:[^']|'')*')", text)
    if typed:
        kind, quoted = typed.group(1), _unquote(typed.group(2))
        if kind == "datetime":
            return _timestamp(quoted, aware=False)
        if kind == "datetimeoffset":
            return _timestamp(quoted, aware=True)
        if kind == "guid":
            try:
                return uuid.UUID(quoted)
            except ValueError:
                raise FilterError(f"invalid guid literal {text!r}") from None
        if kind == "time":
            return _duration(quoted)
        try:
            return bytes.fromhex(quoted)
        except ValueError:
            raise FilterError(f"invalid binary literal {text!r}") from None
    number = re.fullmatch(r"(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)([MmLlDdFf]?)", text)
    if number:
        digits, suffix = number.groups()
        try:
            if suffix in ("M", "m"):
                return Decimal(digits)
            if suffix in ("D", "d", "F", "f"):
                return float(digits)
            if "." in digits or "e" in digits.lower():
                return Decimal(digits)
            return int(digits)
        except (InvalidOperation, ValueError):
            raise FilterError(f"invalid number literal {text!r}") from None
    raise FilterError(f"invalid literal {text!r}")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None:
                raise FilterError(f"invalid $filter at position {pos}: {text[pos : pos + 20]!r}")
            kind = match.lastgroup or ""
            if kind != "space":
                self.tokens.append((kind, match.group(0), pos))
            pos = match.end()
        self.i = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, kind: str | None = None, word: str | None = None) -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            raise FilterError(f"$filter ends too early: {self.text!r}")
        if (kind and token[0] != kind) or (word and token[1] != word):
            raise FilterError(f"unexpected {token[1]!r} at position {token[2]} in $filter")
        self.i += 1
        return token

    def expression(self) -> Predicate:
        left = self.conjunction()
        while self._is_word("or"):
            self.take()
            right = self.conjunction()
            left = (lambda a, b: lambda row: a(row) or b(row))(left, right)
        return left

    def conjunction(self) -> Predicate:
        left = self.unary()
        while self._is_word("and"):
            self.take()
            right = self.unary()
            left = (lambda a, b: lambda row: a(row) and b(row))(left, right)
        return left

    def unary(self) -> Predicate:
        if self._is_word("not"):
            self.take()
            inner = self.unary()
            return lambda row: not inner(row)
        token = self.peek()
        if token and token[0] == "open":
            self.take("open")
            inner = self.expression()
            self.take("close")
            return inner
        if token and token[0] == "name" and token[1] in _FUNCTIONS:
            return self.function()
        return self.comparison()

    def function(self) -> Predicate:
        name = self.take("name")[1]
        self.take("open")
        first = self.operand()
        self.take("comma")
        second = self.operand()
        self.take("close")

        def apply(row: Mapping[str, Any]) -> bool:
            a, b = str(first(row) or ""), str(second(row) or "")
            if name == "substringof":
                return a in b
            if name == "startswith":
                return a.startswith(b)
            return a.endswith(b)

        if self._is_word("eq"):  # V2 allows "substringof(...) eq true"
            self.take()
            expected = self.operand()
            return lambda row: apply(row) == expected(row)
        return apply

    def operand(self) -> Callable[[Mapping[str, Any]], Any]:
        kind, text, pos = self.take()
        if kind == "name" and text not in ("null", "true", "false"):
            return lambda row: row.get(text)
        if kind in ("name", "string", "typed", "number"):
            value = parse_literal(text)
            return lambda row: value
        raise FilterError(f"expected a property or literal at position {pos}, got {text!r}")

    def comparison(self) -> Predicate:
        left = self.operand()
        op_token = self.take("name")
        if op_token[1] not in _COMPARE:
            raise FilterError(f"unknown operator {op_token[1]!r} at position {op_token[2]}")
        right = self.operand()
        op = op_token[1]
        return lambda row: compare(left(row), op, right(row))

    def _is_word(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "name" and token[1] == word


def _comparable(a: Any, b: Any) -> tuple[Any, Any]:
    if isinstance(a, datetime) and isinstance(b, date) and not isinstance(b, datetime):
        return a.date(), b
    if isinstance(b, datetime) and isinstance(a, date) and not isinstance(a, datetime):
        return a, b.date()
    if (
        isinstance(a, datetime)
        and isinstance(b, datetime)
        and (a.tzinfo is None) != (b.tzinfo is None)
    ):
        a = a if a.tzinfo else a.replace(tzinfo=UTC)
        b = b if b.tzinfo else b.replace(tzinfo=UTC)
    if isinstance(a, Decimal) and isinstance(b, int | float) and not isinstance(b, bool):
        return a, Decimal(str(b))
    if isinstance(b, Decimal) and isinstance(a, int | float) and not isinstance(a, bool):
        return Decimal(str(a)), b
    if isinstance(a, str) and not isinstance(b, str) and b is not None:
        return a, str(b)
    return a, b


def compare(a: Any, op: str, b: Any) -> bool:
    """``a op b`` the way the fake evaluates it (null only equals null)."""
    a, b = _comparable(a, b)
    if op == "eq":
        return bool(a == b)
    if op == "ne":
        return bool(a != b)
    if a is None or b is None:
        return False
    try:
        if op == "gt":
            return bool(a > b)
        if op == "ge":
            return bool(a >= b)
        if op == "lt":
            return bool(a < b)
        return bool(a <= b)
    except TypeError:
        raise FilterError(f"cannot compare {a!r} {op} {b!r}") from None


def parse_filter(text: str) -> Predicate:
    """A predicate over rows (dicts of Python values) for the V2 ``$filter`` ``text``."""
    parser = _Parser(text)
    predicate = parser.expression()
    leftover = parser.peek()
    if leftover is not None:
        raise FilterError(f"unexpected {leftover[1]!r} at position {leftover[2]} in $filter")
    return predicate
