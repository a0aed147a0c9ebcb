"""How ERPs want dates, numbers and prices written: M3 ``YYYYMMDD``, OData V2 ``/Date(ms)/``.

Pure text formatting with exact arithmetic; nothing here reads a clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, localcontext

from amazon_erp_bridge.errors import MappingError
from amazon_erp_bridge.model import Money


def local_date(moment: datetime | date, tz: tzinfo | None = None) -> date:
    """The calendar date of ``moment`` in ``tz`` (its own offset when ``tz`` is None)."""
    if isinstance(moment, datetime):
        return (moment.astimezone(tz) if tz is not None else moment).date()
    return moment


def m3_date(moment: datetime | date, tz: tzinfo | None = None) -> str:
    """M3's default date format (YMD8): ``20260302``."""
    return local_date(moment, tz).strftime("%Y%m%d")


def odata_date(day: date) -> str:
    """An OData V2 ``Edm.DateTime`` date: milliseconds since the epoch at midnight UTC."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return f"/Date({int(midnight.timestamp()) * 1000})/"


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``: what SP-API expects for timestamps."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def decimal_text(value: Decimal) -> str:
    """Plain decimal notation, never an exponent: ``Decimal('1E+2')`` becomes ``'100'``."""
    text = format(value, "f")
    return "0" if text in ("-0", "") else text


def exact_unit_price(total: Money, quantity: int, max_decimals: int, *, record: str) -> Decimal:
    """The unit price of a line total, exact to at most ``max_decimals`` places.

    Amazon prices are line totals; ERPs want a unit price. The unit price must multiply back
    to the line total to the cent, or the ERP order would not match what the buyer paid, so
    a price that cannot be expressed exactly is an error rather than a rounding.
    """
    if quantity <= 0:
        raise MappingError(f"{record}: cannot derive a unit price for quantity {quantity}")
    with localcontext() as ctx:
        ctx.prec = 60
        unit = total.amount / quantity
        exponent = unit.normalize().as_tuple().exponent
    places = max(total.minor_units, -exponent if isinstance(exponent, int) else 0)
    exact = unit.quantize(Decimal(1).scaleb(-places)) if places <= max_decimals else None
    if exact is None or exact * quantity != total.amount:
        raise MappingError(
            f"{record}: item price {total} for {quantity} units has no exact unit price with "
            f"at most {max_decimals} decimals; pass a price rule (unit_price_for=) that decides "
            "how to split it"
        )
    return exact
