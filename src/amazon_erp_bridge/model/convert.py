"""Turn model objects into JSON-safe dicts and back, losslessly.

Decimals travel as strings (``"12.30"`` keeps its scale), datetimes as ISO 8601 with their
offset, dates as ``YYYY-MM-DD``. Bad input raises :class:`~amazon_erp_bridge.errors.ValidationError`
listing every field that failed and why.
"""

from __future__ import annotations

import enum
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from amazon_erp_bridge.errors import BridgeError, ValidationError
from amazon_erp_bridge.limits import loads_json
from amazon_erp_bridge.model.money import to_decimal

T = TypeVar("T")


def _structure_decimal(value: Any, _: type) -> Decimal:
    return to_decimal(value)


def _structure_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValidationError(f"expected an ISO 8601 datetime string, got {value!r}")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"expected an ISO 8601 datetime, got {value!r}") from None


def _structure_date(value: Any, _: type) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValidationError(f"expected an ISO 8601 date string, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"expected a date like 2026-03-17, got {value!r}") from None


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"expected a string, got {value!r}")
    return value


_INT_LIMIT = 2**63


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        shown = repr(value) if not isinstance(value, str) or len(value) <= 40 else "a long text"
        raise ValidationError(f"expected an integer, got {shown}")
    if not -_INT_LIMIT <= value < _INT_LIMIT:
        raise ValidationError(f"expected an integer below 2**63, got {value.bit_length()} bits")
    return value


def _structure_bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(f"expected true or false, got {value!r}")
    return value


def make_converter() -> cattrs.Converter:
    """A converter for every model class; users may register hooks for their own types."""
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_unstructure_hook(datetime, datetime.isoformat)
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_structure_hook(date, _structure_date)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_unstructure_hook(enum.StrEnum, lambda v: v.value)
    return conv


converter = make_converter()


def _explain(exc: BaseException, cls: type) -> ValidationError:
    if isinstance(exc, ClassValidationError | IterableValidationError | ForbiddenExtraKeysError):
        problems = cattrs.transform_error(
            exc, path=cls.__name__, format_exception=_format_exception
        )
        return ValidationError(f"cannot read {cls.__name__}: " + "; ".join(problems))
    return ValidationError(f"cannot read {cls.__name__}: {exc}")


def _format_exception(exc: BaseException, type_: type | None) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, ForbiddenExtraKeysError):
        return "unexpected field(s) " + ", ".join(sorted(exc.extra_fields))
    if isinstance(exc, BridgeError):
        return exc.message
    if isinstance(exc, ValueError | TypeError):
        return f"invalid value ({exc})"
    return str(exc)


def to_dict(obj: Any) -> Any:
    """A JSON-safe dict (or list) for a model object (or a list of them)."""
    return converter.unstructure(obj)


def from_dict(data: Any, cls: type[T]) -> T:
    """Build ``cls`` from a dict made by :func:`to_dict`; bad data raises ValidationError."""
    try:
        return converter.structure(data, cls)
    except BridgeError as exc:
        if isinstance(exc, ValidationError) and exc.message.startswith("cannot read"):
            raise
        raise ValidationError(f"cannot read {cls.__name__}: {exc.message}") from exc
    except Exception as exc:
        raise _explain(exc, cls) from exc


def to_json(obj: Any) -> str:
    """Serialise a model object to JSON text."""
    return json.dumps(to_dict(obj), ensure_ascii=False, sort_keys=True)


def from_json(text: str | bytes, cls: type[T]) -> T:
    """Parse JSON text into ``cls``; malformed JSON raises ValidationError with the position.

    The text is read with :func:`~amazon_erp_bridge.limits.loads_json`: size, nesting depth
    and number sizes are bounded before any work, and numbers with a fraction arrive as exact
    Decimals, never floats.
    """
    data = loads_json(text, what=f"cannot read {cls.__name__}")
    return from_dict(data, cls)
