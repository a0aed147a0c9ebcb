"""Money: an exact Decimal amount in one ISO 4217 currency. Never a float.

**Range.** An amount must satisfy ``|amount| < 10**18`` (:data:`MAX_AMOUNT`) with at most 40
decimal places (:data:`MAX_DECIMALS`). The bound is what every ERP amount field the bridge
writes can hold with room to spare (M3 amounts are 15,2; SAP CURR fields 23,2 and DEC up to
31 digits), and it keeps every rounding to the minor unit and every display within Decimal's
default 28-digit precision, so none raises ``InvalidOperation``. Anything
outside is refused with a :class:`~amazon_erp_bridge.errors.ValidationError` where the amount
is made, and arithmetic whose result leaves the range says so. Forty decimals leave room for a
unit price divided out of a line total (28 significant digits) even for tiny amounts.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, DecimalException, InvalidOperation
from typing import Any, Final

from attrs import field, frozen

from amazon_erp_bridge.errors import CurrencyMismatchError, ValidationError
from amazon_erp_bridge.model.currency import is_currency, minor_units

MAX_AMOUNT: Final = Decimal(10) ** 18
"""Amounts must be smaller than this in magnitude (see the module docs)."""

MAX_DECIMALS: Final = 40
"""The most decimal places an amount may carry."""

_MAX_TEXT: Final = 100


def _shown(value: Decimal) -> str:
    """An amount for a message, short even when it is huge (``9E+999999``)."""
    text = str(value)
    return text if len(text) <= 40 else f"{value:.6E}"


def to_decimal(value: Any, *, what: str = "amount") -> Decimal:
    """Convert a str, int or Decimal to a finite Decimal; floats are refused as inexact."""
    if isinstance(value, bool):
        raise ValidationError(f"{what}: expected a decimal amount, got a boolean {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        if value.bit_length() > 400:
            raise ValidationError(f"{what}: the integer has more than 120 digits; out of range")
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_TEXT:
            raise ValidationError(
                f"{what}: expected a decimal number such as '12.34', got {len(text)} characters"
            )
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ValidationError(
                f"{what}: expected a decimal number such as '12.34', got {value!r}"
            ) from None
    elif isinstance(value, float):
        raise ValidationError(
            f"{what}: got the float {value!r}; pass a Decimal or a string so no cents are lost"
        )
    else:
        raise ValidationError(f"{what}: expected a decimal amount, got {type(value).__name__}")
    if not result.is_finite():
        raise ValidationError(f"{what}: expected a finite amount, got {value!r}")
    return result


def to_amount(value: Any) -> Decimal:
    """:func:`to_decimal` for a Money amount, refusing what is outside the range (module docs)."""
    result = to_decimal(value)
    exponent = result.as_tuple().exponent  # an int: to_decimal admits finite values only
    if result and (
        result.adjusted() >= 18
        or abs(result) >= MAX_AMOUNT
        or (isinstance(exponent, int) and exponent < -MAX_DECIMALS)
    ):
        if result.adjusted() >= 0:
            why = "|amount| must be below 10**18, more than any ERP amount field holds"
        else:
            why = f"at most {MAX_DECIMALS} decimal places"
        raise ValidationError(f"amount: {_shown(result)} is out of the range of Money: {why}")
    return result


def _check_currency(_instance: object, _attribute: object, value: str) -> None:
    if not isinstance(value, str) or not is_currency(value):
        raise ValidationError(
            f"currency: {value!r} is not an ISO 4217 currency code (expected e.g. 'USD', 'EUR')"
        )


def _currency(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


@frozen(order=False)
class Money:
    """An exact amount of money in one currency.

    Arithmetic works only within one currency; mixing currencies raises
    :class:`~amazon_erp_bridge.errors.CurrencyMismatchError`.
    """

    amount: Decimal = field(converter=to_amount)
    currency: str = field(converter=_currency, validator=_check_currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Zero in ``currency``, the start of a sum."""
        return cls(Decimal(0), currency)

    @classmethod
    def of(cls, amount: Any, currency: str) -> Money:
        """``Money.of("12.30", "USD")``: the same as the constructor, reads better inline."""
        return cls(amount, currency)

    @classmethod
    def total(cls, amounts: Iterable[Money], currency: str) -> Money:
        """Exact sum of ``amounts``, all of which must be in ``currency``."""
        result = cls.zero(currency)
        for amount in amounts:
            result = result + amount
        return result

    def _same(self, other: object, op: str) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot {op} Money and {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatchError(
                f"cannot {op} {self} and {other}: amounts are in different currencies "
                f"({self.currency} and {other.currency}); convert one first"
            )
        return other

    def _result(self, op: str, compute: Any) -> Money:
        """Money(compute()), or a ValidationError saying which operation left the range."""
        try:
            return Money(compute(), self.currency)
        except (ValidationError, DecimalException, ValueError, OverflowError):
            raise ValidationError(
                f"{self} {op}: the result is out of the range of Money "
                f"(|amount| < 10**18, at most {MAX_DECIMALS} decimal places)"
            ) from None

    def __add__(self, other: object) -> Money:
        o = self._same(other, "add")
        return self._result(f"+ {o}", lambda: self.amount + o.amount)

    def __sub__(self, other: object) -> Money:
        o = self._same(other, "subtract")
        return self._result(f"- {o}", lambda: self.amount - o.amount)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int | Decimal):
            raise TypeError(f"Money can be multiplied by an int or Decimal, not {factor!r}")
        if isinstance(factor, int) and factor.bit_length() > 400:
            raise ValidationError(f"{self} * a {factor.bit_length()}-bit integer: out of range")
        shown = _shown(Decimal(factor))
        return self._result(f"* {shown}", lambda: self.amount * factor)

    __rmul__ = __mul__

    def __lt__(self, other: object) -> bool:
        return self.amount < self._same(other, "compare").amount

    def __le__(self, other: object) -> bool:
        return self.amount <= self._same(other, "compare").amount

    def __gt__(self, other: object) -> bool:
        return self.amount > self._same(other, "compare").amount

    def __ge__(self, other: object) -> bool:
        return self.amount >= self._same(other, "compare").amount

    @property
    def minor_units(self) -> int:
        """The currency's number of decimal places (2 for USD, 0 for JPY, 3 for KWD)."""
        return minor_units(self.currency)

    def rounded(self, *, half_even: bool = False) -> Money:
        """Round to the currency's minor unit (JPY 0 decimals, USD 2, KWD 3); half up by default."""
        quantum = Decimal(1).scaleb(-self.minor_units)
        mode = ROUND_HALF_EVEN if half_even else ROUND_HALF_UP
        return Money(self.amount.quantize(quantum, rounding=mode), self.currency)

    def is_zero(self) -> bool:
        """True when the amount is exactly zero."""
        return self.amount == 0

    def is_negative(self) -> bool:
        """True when the amount is below zero."""
        return self.amount < 0

    def __str__(self) -> str:
        quantum = Decimal(1).scaleb(-self.minor_units)
        amount = self.amount
        if amount == amount.quantize(quantum):
            amount = amount.quantize(quantum)
        return f"{amount} {self.currency}"
