"""SP-API date-times on the wire: ISO 8601 in UTC out, aware datetimes in.

Amazon reads and writes ISO 8601 date-times (``2026-03-01T08:00:00Z``). Callers pass aware
datetimes; a naive one is refused, because its marketplace time zone is anybody's guess.
"""

from __future__ import annotations

from datetime import UTC, datetime

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import require_aware


def to_wire(value: datetime, what: str) -> str:
    """``value`` as an ISO 8601 UTC string; ``what`` names the argument in the error."""
    utc = require_aware(value, what).astimezone(UTC)
    spec = "milliseconds" if utc.microsecond else "seconds"
    return utc.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def from_wire(value: object, what: str) -> datetime | None:
    """An aware datetime from an SP-API timestamp (None if absent); naive ones are UTC."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{what}: expected an ISO 8601 timestamp, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(f"{what}: {value!r} is not an ISO 8601 timestamp") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def from_wire_required(value: object, what: str) -> datetime:
    """Like :func:`from_wire`, for a field the model says is always there."""
    parsed = from_wire(value, what)
    if parsed is None:
        raise ValidationError(f"{what}: missing; expected an ISO 8601 timestamp")
    return parsed
