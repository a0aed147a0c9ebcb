"""How the fake SP-API writes and reads timestamps: ISO 8601, UTC, whole seconds, ``Z``.

The fake's own reader and writer, not the client's (``amazon.timestamps``): the two must be
free to disagree, or a bug they share could never fail a test.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

#: Header names as Amazon publishes them (SP-API "Usage Plans and Rate Limits", "Connecting to
#: the Selling Partner API"); the fake's own copies, not the client's.
REQUEST_ID_HEADER: Final = "x-amzn-RequestId"
RATE_LIMIT_HEADER: Final = "x-amzn-RateLimit-Limit"
ACCESS_TOKEN_HEADER: Final = "x-amz-access-token"

#: The grantless scopes Login with Amazon issues tokens for (Notifications, credential rotation).
SCOPE_NOTIFICATIONS: Final = "sellingpartnerapi::notifications"
SCOPE_CREDENTIAL_ROTATION: Final = "sellingpartnerapi::client_credential:rotation"


def wire_time(value: datetime) -> str:
    """``value`` as SP-API writes it (``2026-03-01T08:00:00Z``); naive datetimes are refused."""
    if value.tzinfo is None:
        raise ValueError(f"the fake writes aware datetimes only, got {value!r}")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_time(value: str | None) -> datetime | None:
    """An ISO 8601 timestamp with a zone (``Z`` or offset), or None if absent.

    A timestamp without a zone raises ValueError: the fake answers such input with a 400.
    """
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(value)
    return parsed


__all__ = [
    "ACCESS_TOKEN_HEADER",
    "RATE_LIMIT_HEADER",
    "REQUEST_ID_HEADER",
    "SCOPE_CREDENTIAL_ROTATION",
    "SCOPE_NOTIFICATIONS",
    "read_time",
    "wire_time",
]
