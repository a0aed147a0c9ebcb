"""Bounds on what the library reads from a network answer or a file, checked before the work.

A hostile or broken answer must never cost more than a bounded time or raise anything but a
:class:`~amazon_erp_bridge.errors.BridgeError`: JSON nested 100,000 levels deep (a
``RecursionError``), a 5,000-digit integer (CPython's ``ValueError``), a number like
``1e350000`` (seconds of Decimal arithmetic), or a megabyte of header. Each reader calls these
helpers first; every layer may import this module (it depends only on ``errors``).
"""

from __future__ import annotations

import functools
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from amazon_erp_bridge.errors import ValidationError

MAX_JSON_BYTES: Final = 256 * 1024 * 1024
"""The largest JSON document read in one piece (SP-API pages are well under a megabyte)."""

MAX_JSON_DEPTH: Final = 64
"""The deepest nesting of objects and arrays accepted; the deepest official schema uses 12."""

MAX_NUMBER_DIGITS: Final = 40
"""The most digits a number may carry; an ERP amount field holds at most 31 (SAP CURR 31,2)."""

MAX_EXPONENT: Final = 40
"""The largest decimal exponent accepted, so that no amount exceeds 10**40 in magnitude."""

MAX_ROW_CHARS: Final = 1_000_000
"""The longest row of a flat file (settlement, returns, order reports) read; real rows hold
well under 4,000 characters, so a longer one is a broken or hostile file."""

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


@functools.cache
def _openers(max_depth: int, binary: bool) -> re.Pattern[Any]:
    pattern = r"[\[{](?:\s*[\[{]){" + str(max_depth) + "}"
    return re.compile(pattern.encode() if binary else pattern)


def check_depth(text: str | bytes, *, what: str, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Refuse JSON text that opens more than ``max_depth`` brackets in a row, unparsed.

    This catches the cheap attack (``[[[[...``) in one pass of the regex engine; nesting
    interleaved with keys is bounded by the parser's recursion limit, which
    :func:`loads_json` turns into the same ValidationError.
    """
    if _openers(max_depth, not isinstance(text, str)).search(text):
        raise ValidationError(f"{what}: JSON nested deeper than {max_depth} levels; refused unread")


def _number(text: str) -> Decimal | int:
    digits = sum(ch.isdigit() for ch in text)
    if digits > MAX_NUMBER_DIGITS:
        raise ValueError(f"a number of {digits} digits (at most {MAX_NUMBER_DIGITS})")
    value = Decimal(text)
    if value and abs(value.adjusted()) > MAX_EXPONENT:
        raise ValueError(f"the number {text[:20]} is out of range (|exponent| > {MAX_EXPONENT})")
    if "." not in text and "e" not in text and "E" not in text:
        return int(text)
    return value


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def loads_json(
    text: str | bytes,
    *,
    what: str,
    max_bytes: int = MAX_JSON_BYTES,
    max_depth: int = MAX_JSON_DEPTH,
) -> Any:
    """Parse JSON with bounds: size, nesting depth and number size checked before the work.

    Non-integral numbers come back as exact :class:`~decimal.Decimal` (never float), integers as
    ``int``. ``NaN`` and ``Infinity`` are refused. Every failure is a ValidationError naming
    ``what`` (e.g. ``"getOrders answer"``) and, for malformed text, the line and column.
    """
    if len(text) > max_bytes:
        raise ValidationError(f"{what}: {len(text)} bytes of JSON exceed the {max_bytes} limit")
    check_depth(text, what=what, max_depth=max_depth)
    try:
        return json.loads(
            text,
            parse_float=_number,
            parse_constant=_constant,
        )
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{what}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{what}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise ValidationError(f"{what}: {exc}") from None


def parse_decimal(text: str, *, what: str) -> Decimal:
    """Read a plain ASCII decimal such as ``-12.34`` or ``1E+2``, refusing everything else.

    Refused, with a ValidationError naming ``what``: grouping separators (``1,234,5``), digits
    of other scripts (Arabic-Indic ``١٢٣``, which Python's Decimal would accept), NaN and
    infinities, more than :data:`MAX_NUMBER_DIGITS` digits, and magnitudes beyond
    ``10**MAX_EXPONENT``. Callers that accept a decimal comma convert it before calling.
    """
    stripped = text.strip()
    if len(stripped) > 2 * MAX_NUMBER_DIGITS or not _NUMBER.fullmatch(stripped):
        raise ValidationError(f"{what}: expected a decimal number such as '12.34', got {text!r}")
    try:
        value = _number(stripped)
    except (ValueError, InvalidOperation) as exc:
        raise ValidationError(f"{what}: {exc}") from None
    return Decimal(value)


def check_row(text: str, *, what: str, line: int, max_chars: int = MAX_ROW_CHARS) -> str:
    """``text`` if it is no longer than ``max_chars``; else a ValidationError naming the line.

    Line readers that gather a row from chunks call it on the part gathered so far too, so a
    file without line breaks is refused before it fills memory.
    """
    if len(text) > max_chars:
        raise ValidationError(
            f"{what} line {line}: longer than {max_chars} characters; refused unread"
        )
    return text
