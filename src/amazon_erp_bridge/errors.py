"""Every error the library raises derives from :class:`BridgeError`.

Messages say which record and which field, and what was expected, so a person can act on them.
Registered secrets are scrubbed from every message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from amazon_erp_bridge.core.redaction import redact


class BridgeError(Exception):
    """Base class of every error raised by amazon-erp-bridge."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class ConfigurationError(BridgeError):
    """A setting, credentials file or rule table is missing, malformed or inconsistent."""


class AuthError(BridgeError):
    """The identity provider refused the credentials, or a token could not be obtained."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class TransportError(BridgeError):
    """The request never got an HTTP answer: connection refused, reset, DNS or timeout."""

    def __init__(self, message: str, *, timeout: bool = False, sent: bool = True) -> None:
        super().__init__(message)
        self.timeout = timeout
        #: False when the request certainly never reached the server (safe to send again).
        self.sent = sent


class ApiError(BridgeError):
    """A service answered with an error: HTTP status, its error code, message and request id."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        request_id: str | None = None,
        service: str = "",
        details: Sequence[Mapping[str, Any]] | Mapping[str, Any] | None = None,
        operation: str = "",
        retry_after: float | None = None,
    ) -> None:
        prefix = f"{service} " if service else ""
        op = f" {operation}" if operation else ""
        code_part = f" {code}" if code else ""
        rid = f" (request id {request_id})" if request_id else ""
        super().__init__(f"{prefix}HTTP {status}{code_part}{op}: {message}{rid}")
        self.status = status
        self.code = code
        self.request_id = request_id
        self.service = service
        self.details = details
        self.operation = operation
        self.detail_message = redact(message)
        #: Seconds the server asked us to wait (``Retry-After``), if it said.
        self.retry_after = retry_after


class RateLimitedError(ApiError):
    """The service kept answering 429 (too many requests) past the retry budget."""


class ValidationError(BridgeError, ValueError):
    """Input does not have the shape or values expected: names the record and field."""


class CurrencyMismatchError(ValidationError):
    """Two amounts in different currencies were combined."""


class UnbalancedJournalError(ValidationError):
    """A journal entry's debits and credits differ in at least one currency."""


class IntegrityError(ValidationError):
    """A document contradicts itself, e.g. a settlement whose lines do not sum to its total."""


class MappingError(ValidationError):
    """A mapping rule is missing or cannot be applied to a record."""


class PostingError(BridgeError):
    """A record could not be posted to the ERP."""


__all__ = [
    "ApiError",
    "AuthError",
    "BridgeError",
    "ConfigurationError",
    "CurrencyMismatchError",
    "IntegrityError",
    "MappingError",
    "PostingError",
    "RateLimitedError",
    "TransportError",
    "UnbalancedJournalError",
    "ValidationError",
]
