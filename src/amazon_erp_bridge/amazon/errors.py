"""Reading SP-API error answers: ``{"errors": [{code, message, details}]}`` -> ErrorInfo.

The sender turns the ErrorInfo into an :class:`~amazon_erp_bridge.errors.ApiError` (or
RateLimitedError for 429) carrying the code, message, HTTP status and ``x-amzn-RequestId``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

import httpx2

from amazon_erp_bridge.core.sender import ErrorInfo, read_error_text

#: Header in which SP-API returns the id of every request (quote it to Amazon support).
REQUEST_ID_HEADER: Final = "x-amzn-RequestId"
#: Header with the rate (requests per second) applied to the operation just called.
RATE_LIMIT_HEADER: Final = "x-amzn-RateLimit-Limit"


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def read_error(response: httpx2.Response) -> ErrorInfo:
    """The first error of an SP-API error body (the others go to ``details``)."""
    try:
        body = json.loads(response.content) if response.content else None
    except ValueError:
        return read_error_text(response)
    errors = body.get("errors") if isinstance(body, Mapping) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        first = errors[0]
        message = _text(first.get("message")) or response.reason_phrase or "no message"
        detail = _text(first.get("details"))
        if detail:
            message = f"{message} ({detail})"
        return ErrorInfo(message, code=_text(first.get("code")), details=errors)
    if isinstance(body, Mapping) and ("code" in body or "message" in body):
        return ErrorInfo(
            _text(body.get("message")) or "no message", code=_text(body.get("code")), details=body
        )
    return read_error_text(response)


def error_list(response: httpx2.Response) -> list[dict[str, Any]]:
    """Every error of an SP-API error body, or an empty list if it has none (pure)."""
    try:
        body = json.loads(response.content) if response.content else None
    except ValueError:
        return []
    errors = body.get("errors") if isinstance(body, Mapping) else None
    if not isinstance(errors, list):
        return []
    return [dict(e) for e in errors if isinstance(e, Mapping)]
