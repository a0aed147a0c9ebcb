"""M3 field values: everything travels as text; dates are YYYYMMDD, numbers plain decimals.

These conversions are exact both ways: a Decimal never passes through float, and a date is
checked to be a real calendar day. ``to_m3`` turns the Python values a caller may put in an MI
record (str, int, Decimal, date) into the strings M3 expects.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from amazon_erp_bridge.errors import ValidationError

#: The value types an MI input record may hold; None means "leave the field out".
FieldValue = str | int | Decimal | date | None


def m3_date(text: str | None, *, field: str = "date") -> date | None:
    """The date in an M3 ``YYYYMMDD`` field; None for a blank or all-zero field."""
    value = (text or "").strip()
    if not value or value.strip("0") == "":
        return None
    if len(value) != 8 or not value.isdigit():
        raise ValidationError(f"{field}: expected an M3 date YYYYMMDD, got {text!r}")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise ValidationError(f"{field}: {text!r} is not a calendar date (YYYYMMDD)") from None


def to_m3_date(value: date) -> str:
    """``date(2026, 3, 17)`` -> ``"20260317"``; a datetime is refused (say which day you mean)."""
    if isinstance(value, datetime):
        raise ValidationError(
            f"expected a date for an M3 date field, got the datetime {value.isoformat()}; "
            "pass value.date() (in the time zone the ERP books in)"
        )
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def m3_decimal(text: str | None, *, field: str = "number") -> Decimal | None:
    """The exact number in an M3 numeric field; None for a blank field."""
    value = (text or "").strip()
    if not value:
        return None
    # M3 may put a trailing minus on negative numbers ("12.50-").
    if value.endswith("-") and not value.startswith("-"):
        value = "-" + value[:-1].strip()
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise ValidationError(f"{field}: expected a decimal number, got {text!r}") from None
    if not result.is_finite():
        raise ValidationError(f"{field}: expected a finite number, got {text!r}")
    return result


def to_m3_decimal(value: Decimal | int) -> str:
    """Plain decimal text, no exponent or separators: ``Decimal("1E+2")`` -> ``"100"``."""
    if isinstance(value, bool):
        raise ValidationError(f"expected a number for an M3 numeric field, got {value!r}")
    if isinstance(value, int):
        return str(value)
    if not value.is_finite():
        raise ValidationError(f"expected a finite number for an M3 numeric field, got {value}")
    return format(value, "f")


def to_m3(value: FieldValue, *, field: str = "field") -> str | None:
    """The text M3 expects for ``value``; None stays None (the field is left out)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise ValidationError(f"{field}: M3 has no booleans; send '0' or '1', got {value!r}")
    if isinstance(value, int | Decimal):
        return to_m3_decimal(value)
    if isinstance(value, date):
        return to_m3_date(value)
    if isinstance(value, float):
        raise ValidationError(
            f"{field}: got the float {value!r}; pass a Decimal or a string so nothing is lost"
        )
    raise ValidationError(
        f"{field}: cannot send a {type(value).__name__} to M3; use str, int, Decimal or date"
    )


def to_m3_record(record: Mapping[str, FieldValue] | None) -> dict[str, str]:
    """An MI input record as text, fields with a None value left out."""
    out: dict[str, str] = {}
    for name, value in (record or {}).items():
        if not isinstance(name, str) or not name:
            raise ValidationError(f"MI field names must be non-empty strings, got {name!r}")
        text = to_m3(value, field=name)
        if text is not None:
            out[name] = text
    return out
