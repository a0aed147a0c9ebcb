"""OData values: literals for URLs (``$filter``, keys, function parameters) and JSON payloads.

OData V2 spells its literals with type prefixes and suffixes (``datetime'2026-01-02T00:00:00'``,
``guid'...'``, ``12.30M``); V4 writes most of them bare. JSON is no simpler: SAP's V2 services
send ``Edm.DateTime`` as ``/Date(1767225600000)/``, ``Edm.DateTimeOffset`` as
``/Date(1767225600000+0000)/`` and ``Edm.Decimal`` as a string, which this module reads exactly
(never through float).
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, TypeVar

from attrs import frozen

from amazon_erp_bridge import limits
from amazon_erp_bridge.errors import ValidationError

T = TypeVar("T")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_V2_DATE = re.compile(r"^/Date\((-?\d+)(?:([+-])(\d{1,4}))?\)/$")
_DURATION = re.compile(r"^P(?:(\d+)D)?T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")

#: The OData protocol versions this package speaks.
VERSIONS = (2, 4)


@frozen
class Typed:
    """A value with an explicit EDM type, for the cases a Python type cannot say.

    ``Typed(dt, "Edm.DateTime")`` writes an aware datetime as a V2 ``datetime'...'`` (in UTC)
    instead of ``datetimeoffset'...'``; ``Typed(7, "Edm.Int64")`` writes ``7L``;
    ``Typed("A", "Edm.Raw")`` is inserted verbatim (for enum members or expressions).
    """

    value: Any
    edm: str


def _check_version(version: int) -> None:
    if version not in VERSIONS:
        raise ValidationError(f"OData version: expected 2 or 4, got {version!r}")


def _iso_seconds(value: datetime) -> str:
    text = value.replace(tzinfo=None).isoformat(timespec="microseconds")
    if text.endswith(".000000"):
        text = text[: -len(".000000")]
    return text


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC)


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ValidationError(f"OData decimal literal: {value!r} is not a finite number")
    return format(value, "f")


def _string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def literal(value: Any, version: int = 2) -> str:
    """``value`` as an OData URL literal: strings quoted with quotes doubled, typed prefixes.

    str -> ``'O''Brien'``; bool -> ``true``; None -> ``null``; int -> ``12``;
    Decimal -> ``12.30M`` (V2) or ``12.30`` (V4); float -> ``1.5d`` / ``1.5``;
    naive datetime -> ``datetime'2026-01-02T03:04:05'`` (V2 only);
    aware datetime -> ``datetimeoffset'2026-01-02T03:04:05Z'`` (V2) or ``2026-01-02T03:04:05Z``;
    date -> ``datetime'2026-01-02T00:00:00'`` (V2, SAP's date fields are Edm.DateTime) or
    ``2026-01-02`` (V4); UUID -> ``guid'...'`` / bare; time -> ``time'PT1H2M3S'`` / ``01:02:03``;
    bytes -> ``binary'0A1B'`` / ``binary'ChsC'``. Wrap a value in :class:`Typed` to choose.
    """
    _check_version(version)
    if isinstance(value, Typed):
        return _typed(value, version)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        text = _decimal_text(value)
        return f"{text}M" if version == 2 else text
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValidationError(f"OData double literal: {value!r} is not a finite number")
        return f"{value!r}d" if version == 2 else repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            if version == 4:
                raise ValidationError(
                    f"OData V4 literal: {value!r} has no time zone; V4 has only "
                    "Edm.DateTimeOffset, pass an aware datetime"
                )
            return f"datetime'{_iso_seconds(value)}'"
        text = _iso_seconds(_utc(value)) + "Z"
        return f"datetimeoffset'{text}'" if version == 2 else text
    if isinstance(value, date):
        if version == 2:
            return f"datetime'{value.isoformat()}T00:00:00'"
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return f"guid'{value}'" if version == 2 else str(value)
    if isinstance(value, time):
        if version == 2:
            return f"time'{duration(value)}'"
        return value.isoformat()
    if isinstance(value, bytes):
        if version == 2:
            return f"binary'{value.hex().upper()}'"
        return f"binary'{base64.urlsafe_b64encode(value).decode('ascii')}'"
    raise ValidationError(
        f"OData literal: cannot write a {type(value).__name__} ({value!r}); use str, int, "
        "Decimal, bool, date, datetime, UUID, time, bytes, None or Typed"
    )


def _typed(value: Typed, version: int) -> str:
    edm, raw = value.edm, value.value
    if edm == "Edm.Raw":
        return str(raw)
    if edm == "Edm.DateTime":
        if not isinstance(raw, datetime | date):
            raise ValidationError(f"Typed Edm.DateTime: expected a date or datetime, got {raw!r}")
        moment = raw if isinstance(raw, datetime) else datetime.combine(raw, time())
        naive = _utc(moment).replace(tzinfo=None)
        if version == 4:
            return _iso_seconds(naive) + "Z"
        return f"datetime'{_iso_seconds(naive)}'"
    if edm == "Edm.Int64":
        return f"{int(raw)}L" if version == 2 else str(int(raw))
    if edm in ("Edm.Decimal", "Edm.Double", "Edm.Single"):
        number = Decimal(str(raw)) if not isinstance(raw, Decimal) else raw
        text = _decimal_text(number)
        if version == 4:
            return text
        return text + {"Edm.Decimal": "M", "Edm.Double": "d", "Edm.Single": "f"}[edm]
    if edm == "Edm.Guid":
        return literal(uuid.UUID(str(raw)), version)
    if edm == "Edm.String":
        return _string(str(raw))
    raise ValidationError(f"Typed: unsupported EDM type {edm!r}")


def duration(value: time | timedelta) -> str:
    """An ``Edm.Time`` (V2) value: ``PT12H30M05S``."""
    if isinstance(value, time):
        seconds = Decimal(value.hour * 3600 + value.minute * 60 + value.second)
        seconds += Decimal(value.microsecond) / Decimal(1_000_000)
    else:
        seconds = Decimal(value.days * 86400 + value.seconds) + Decimal(value.microseconds) / (
            Decimal(1_000_000)
        )
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    sec_text = _decimal_text(secs.normalize()) if secs != secs.to_integral() else f"{int(secs)}"
    return f"PT{int(hours):02d}H{int(minutes):02d}M{sec_text.zfill(2)}S"


# ----------------------------------------------------------------------------- reading JSON


def parse_datetime(value: Any, *, what: str = "datetime") -> datetime:
    """An aware datetime from V2 ``/Date(ms)/``, ``/Date(ms+0060)/`` or an ISO 8601 string.

    ``/Date(ms)/`` counts milliseconds since 1970 in UTC; an offset suffix (minutes) gives the
    zone the instant is shown in. Naive ISO strings are taken as UTC (how SAP sends
    ``Edm.DateTime``).
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str):
        raise ValidationError(f"{what}: expected an OData date string, got {value!r}")
    text = value.strip()
    match = _V2_DATE.match(text)
    if match:
        ms, sign, minutes = match.groups()
        moment = _EPOCH + timedelta(milliseconds=int(ms))
        if sign:
            offset = int(minutes) * (1 if sign == "+" else -1)
            moment = moment.astimezone(timezone(timedelta(minutes=offset)))
        return moment
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    fraction = re.match(r"^(.*T\d\d:\d\d:\d\d)\.(\d+)(.*)$", iso)
    if fraction:  # SAP sends up to 7 fractional digits; Python reads 6
        head, digits, tail = fraction.groups()
        iso = f"{head}.{digits[:6].ljust(6, '0')}{tail}"
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        raise ValidationError(
            f"{what}: {value!r} is neither /Date(ms)/ nor an ISO 8601 date-time"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_date(value: Any, *, what: str = "date") -> date:
    """A calendar date from ``/Date(ms)/`` (midnight UTC in SAP's date fields) or ISO text."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return date.fromisoformat(value.strip())
    return parse_datetime(value, what=what).astimezone(UTC).date()


def parse_decimal(value: Any, *, what: str = "decimal") -> Decimal:
    """An exact Decimal from an ``Edm.Decimal`` string (V2) or JSON number read as Decimal."""
    if isinstance(value, bool | float):
        raise ValidationError(
            f"{what}: got {value!r}; decimals must arrive as strings or exact JSON numbers"
        )
    if isinstance(value, Decimal | int):
        result = Decimal(value)
        if result.is_finite():
            # the same bounds as text: digits and exponent within what an ERP amount holds
            return limits.parse_decimal(format(result, "f") if result else "0", what=what)
        raise ValidationError(f"{what}: {value!r} is not a finite number")
    if isinstance(value, str):
        # ASCII digits only, at most 40 of them, |exponent| <= 40 (limits.parse_decimal):
        # "1e999999" or Arabic-Indic digits are refused before any arithmetic.
        return limits.parse_decimal(value, what=what)
    raise ValidationError(f"{what}: {value!r} is not a decimal number")


def parse_time(value: Any, *, what: str = "time") -> time:
    """A time of day from V2 ``PT12H30M05S`` or V4 ``12:30:05``."""
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        match = _DURATION.match(value.strip())
        if match and value.strip() != "PT":
            days, hours, minutes, seconds = match.groups()
            total = Decimal(seconds or 0) + 60 * int(minutes or 0) + 3600 * int(hours or 0)
            total += 86400 * int(days or 0)
            whole = int(total)
            micro = int((total - whole) * 1_000_000)
            if whole < 86400:
                return time(whole // 3600, whole // 60 % 60, whole % 60, micro)
        else:
            try:
                return time.fromisoformat(value.strip())
            except ValueError:
                pass
    raise ValidationError(f"{what}: {value!r} is neither PT..H..M..S nor hh:mm:ss")


def optional(parse: Callable[..., T], value: Any, *, what: str) -> T | None:
    """``parse(value)`` unless the value is absent (None or empty string), then None."""
    if value is None or value == "":
        return None
    return parse(value, what=what)


# ----------------------------------------------------------------------------- writing JSON


def json_value(value: Any, version: int = 2) -> Any:
    """A payload value as OData JSON: Decimal as string (V2) or number (V4), dates per version.

    V2: date/naive datetime -> ``/Date(ms)/``, aware datetime -> ``/Date(ms+0000)/``,
    time -> ``PT..H..M..S``. V4: ISO 8601 text. Decimal is always a string, exact (V4 bodies
    are sent with ``IEEE754Compatible=true``, which tells the service to expect that).
    Mappings and lists are converted recursively; strings, ints, bools and None pass through.
    """
    _check_version(version)
    if isinstance(value, Mapping):
        return {str(k): json_value(v, version) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v, version) for v in value]
    if isinstance(value, float):
        raise ValidationError(
            f"OData payload: got the float {value!r}; pass a Decimal or string so nothing is lost"
        )
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, datetime):
        if version == 4:
            return _iso_seconds(_utc(value)) + ("Z" if value.tzinfo else "")
        if value.tzinfo is None:
            return f"/Date({_millis(value.replace(tzinfo=UTC))})/"
        return f"/Date({_millis(value)}+0000)/"
    if isinstance(value, date):
        if version == 4:
            return value.isoformat()
        return f"/Date({_millis(datetime.combine(value, time(), tzinfo=UTC))})/"
    if isinstance(value, time):
        return duration(value) if version == 2 else value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _millis(value: datetime) -> int:
    delta = value - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000


def dump_json(payload: Any, version: int = 2) -> bytes:
    """Payload bytes for a POST/PATCH body, values converted by :func:`json_value`."""
    converted = json_value(payload, version)
    return json.dumps(converted, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
