"""Keep secrets out of logs, reprs and exception text.

Credentials register their secret values here when they are created; every log record under the
``amazon_erp_bridge`` logger and every :class:`~amazon_erp_bridge.errors.BridgeError` message is
scrubbed of them. PII fields are redacted by key name in structured data (for the audit trail).

The transport's own loggers (``httpx2`` and ``httpcore2.*``, and their ``httpx``/``httpcore``
namesakes) get the same filter as soon as this module is imported, plus header-aware masking:
at DEBUG, ``httpcore2.http11`` prints every response header as ``(b'name', b'value')``, so a
user who turns the root logger to DEBUG would otherwise see SAP's ``x-csrf-token`` and its
``SAP_SESSIONID_<SID>_<client>`` session cookie, which are never registered as secrets.
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from collections.abc import Mapping
from typing import Any, Final

MASK: Final = "***"

# Shorter values are too likely to collide with ordinary text to be scrubbed safely.
_MIN_SECRET_LENGTH: Final = 4

_lock = threading.Lock()
_known: set[str] = set()
_pending: list[str] = []
# Alternations over disjoint groups of secrets, merged like a binary counter: registering n
# secrets compiles O(n log n) pattern text in all, and a redact runs O(log n) patterns.
_groups: list[list[str]] = []
_patterns: list[re.Pattern[str]] = []

#: Keys whose values are secrets or buyer PII wherever they appear in structured data.
SENSITIVE_KEYS: Final[frozenset[str]] = frozenset(
    k.lower()
    for k in (
        "access_token",
        "refresh_token",
        "client_secret",
        "password",
        "authorization",
        "x-amz-access-token",
        "x-csrf-token",
        "cookie",
        "set-cookie",
        "restrictedDataToken",
        "cs",
        "sask",
        "saak",
        "BuyerEmail",
        "BuyerName",
        "buyerEmail",
        "buyerName",
        "buyer_email",
        "buyer_name",
        "Phone",
        "phone",
        "ShippingAddress",
        "shippingAddress",
        "ship_address",
        "AddressLine1",
        "AddressLine2",
        "AddressLine3",
        "addressLine1",
        "addressLine2",
        "addressLine3",
        "line1",
        "line2",
        "line3",
        "email",
        "CUA1",
        "CUA2",
        "CUA3",
        "CUA4",
        "PHNO",
        "StreetName",
        "PhoneNumber",
        "EmailAddress",
    )
)


def register_secret(value: str | None) -> None:
    """Remember ``value`` so that it is masked wherever the library prints or logs it."""
    if not value or len(value) < _MIN_SECRET_LENGTH:
        return
    with _lock:
        if value not in _known:
            _known.add(value)
            _pending.append(value)


def _compile(values: list[str]) -> re.Pattern[str]:
    ordered = sorted(values, key=len, reverse=True)  # longest first: no partial masks
    return re.compile("|".join(re.escape(v) for v in ordered))


def _current_patterns() -> list[re.Pattern[str]]:
    if _pending:
        with _lock:
            if _pending:
                _groups.append(list(_pending))
                _pending.clear()
                while len(_groups) > 1 and len(_groups[-1]) >= len(_groups[-2]):
                    newest = _groups.pop()
                    _groups[-1].extend(newest)
                del _patterns[len(_groups) - 1 :]
                _patterns.append(_compile(_groups[-1]))
    return list(_patterns)


def redact(text: str) -> str:
    """Return ``text`` with every registered secret replaced by ``***``."""
    if not text or not _known:
        return text
    for pattern in _current_patterns():
        text = pattern.sub(MASK, text)
    return text


def redact_data(data: Any) -> Any:
    """Return a copy of JSON-like ``data`` with sensitive keys masked and secrets scrubbed."""
    if isinstance(data, Mapping):
        return {
            k: (MASK if str(k).lower() in SENSITIVE_KEYS else redact_data(v))
            for k, v in data.items()
        }
    if isinstance(data, list | tuple):
        return [redact_data(v) for v in data]
    if isinstance(data, str):
        return redact(data)
    return data


#: Headers whose values are credentials or session state, masked in any log text.
SENSITIVE_HEADERS: Final = (
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-csrf-token",
    "x-amz-access-token",
    "x-amz-security-token",
)

_QUOTE = r"""(?:b?'|b?")"""
# ``(b'x-csrf-token', b'value')`` as httpcore2 prints header tuples, and ``name: value`` lines.
_HEADER_TUPLE = re.compile(
    r"(\(\s*"
    + _QUOTE
    + r"(?:"
    + "|".join(map(re.escape, SENSITIVE_HEADERS))
    + r")['\"]\s*,\s*)"
    + r"(b?)(['\"])(?:\\.|(?!\3).)*\3",
    re.IGNORECASE,
)
_HEADER_LINE = re.compile(
    r"((?:^|[\s{,'\"])(?:"
    + "|".join(map(re.escape, SENSITIVE_HEADERS))
    + r")['\"]?\s*[:=]\s*['\"]?)"
    + r"[^'\"\r\n,}]+",
    re.IGNORECASE,
)
# SAP's session and logon cookies, wherever they appear (``SAP_SESSIONID_S4H_100=...``).
_SAP_COOKIE = re.compile(
    r"\b((?:SAP_SESSIONID[A-Za-z0-9_]*|MYSAPSSO2|SAPLOGON_ID|sap-usercontext)=)[^;,\s'\"]+",
    re.IGNORECASE,
)


def redact_headers(text: str) -> str:
    """``text`` with the values of sensitive headers and SAP session cookies masked.

    Catches the shapes transports log: ``(b'x-csrf-token', b'...')`` tuples,
    ``Set-Cookie: SAP_SESSIONID_S4H_100=...`` lines and dict reprs.
    """
    if not text:
        return text
    text = _HEADER_TUPLE.sub(
        lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}{MASK}{m.group(3)}", text
    )
    text = _HEADER_LINE.sub(lambda m: f"{m.group(1)}{MASK}", text)
    return _SAP_COOKIE.sub(lambda m: f"{m.group(1)}{MASK}", text)


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs registered secrets, sensitive header values and SAP
    session cookies from the formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_headers(redact(message))
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        return True


_installed: weakref.WeakSet[logging.Logger] = weakref.WeakSet()


def install_log_filter(logger: logging.Logger) -> None:
    """Attach the redacting filter to ``logger`` (idempotent)."""
    if logger in _installed:
        return
    logger.addFilter(RedactingFilter())
    _installed.add(logger)


#: The transport's loggers. A logger's filters see only the records logged on that very
#: logger, not its children's, so every child the transport logs on is listed.
TRANSPORT_LOGGERS: Final = (
    "httpx2",
    "httpcore2",
    "httpcore2.connection",
    "httpcore2.http11",
    "httpcore2.http2",
    "httpcore2.proxy",
    "httpcore2.socks",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "hpack",
    "h2",
)


def install_transport_filters() -> None:
    """Attach the redacting filter to every logger of the HTTP transport (idempotent)."""
    for name in TRANSPORT_LOGGERS:
        install_log_filter(logging.getLogger(name))


def get_logger(name: str) -> logging.Logger:
    """Return a logger under ``amazon_erp_bridge`` whose records are redacted."""
    logger = logging.getLogger(name)
    install_log_filter(logger)
    return logger


class Secret:
    """A string that never shows itself in ``repr`` or ``str``; ``.reveal()`` gives the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        self._value = value
        register_secret(value)

    def reveal(self) -> str:
        """The secret value, for the one place that must send it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


install_transport_filters()
