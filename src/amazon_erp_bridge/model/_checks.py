"""attrs validators shared by the model classes; each names the class and field it rejects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from amazon_erp_bridge.errors import ValidationError


def _where(instance: object, attribute: attrs.Attribute[Any]) -> str:
    return f"{type(instance).__name__}.{attribute.name}"


def require_aware(value: object, what: str) -> datetime:
    """``value`` if it is a datetime with a UTC offset; else a ValidationError naming ``what``.

    Naive times are ambiguous across marketplaces: UTC or the server's local time, and an
    order window off by hours loses orders.
    """
    if not isinstance(value, datetime):
        raise ValidationError(f"{what}: expected an aware datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(
            f"{what}: {value.isoformat()} has no time zone; pass an aware datetime "
            "(e.g. datetime(2026, 3, 1, tzinfo=timezone.utc))"
        )
    return value


def aware(instance: object, attribute: attrs.Attribute[Any], value: datetime | None) -> None:
    """attrs validator: an optional datetime field must be aware (see :func:`require_aware`)."""
    if value is not None:
        require_aware(value, _where(instance, attribute))


def not_blank(instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{_where(instance, attribute)}: expected a non-empty string")


def non_negative(instance: object, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{_where(instance, attribute)}: expected an integer, got {value!r}")
    if value < 0:
        raise ValidationError(f"{_where(instance, attribute)}: expected >= 0, got {value}")


def currency_of(expected_field: str) -> Any:
    """Validator: a Money field must be in the currency held by another field of the instance."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        expected = getattr(instance, expected_field)
        if value is not None and value.currency != expected:
            raise ValidationError(
                f"{_where(instance, attribute)}: amount {value} is not in the "
                f"{expected_field} {expected}"
            )

    return check
