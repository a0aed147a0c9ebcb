"""Money: an exact Decimal amount in one ISO 4217 currency. Never a float."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from attrs import field, frozen

from amazon_erp_bridge.errors import CurrencyMismatchError, ValidationError
from amazon_erp_bridge.model.currency import is_currency, minor_units


def to_decimal(value: Any, *, what: str = "amount") -> Decimal:
    """Convert a str, int or Decimal to a finite Decimal; floats are refused as inexact."""
    if isinstance(value, bool):
        raise ValidationError(f"{what}: expected a decimal amount, got a boolean {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
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

    amount: Decimal = field(converter=to_decimal)
    currency: str = field(converter=_currency, validator=_check_currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
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

    def __add__(self, other: object) -> Money:
        o = self._same(other, "add")
        return Money(self.amount + o.amount, self.currency)

    def __sub__(self, other: object) -> Money:
        o = self._same(other, "subtract")
        return Money(self.amount - o.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int | Decimal):
            raise TypeError(f"Money can be multiplied by an int or Decimal, not {factor!r}")
        return Money(self.amount * factor, self.currency)

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
        return minor_units(self.currency)

    def rounded(self, *, half_even: bool = False) -> Money:
        """Round to the currency's minor unit (JPY 0 decimals, USD 2, KWD 3); half up by default."""
        quantum = Decimal(1).scaleb(-self.minor_units)
        mode = ROUND_HALF_EVEN if half_even else ROUND_HALF_UP
        return Money(self.amount.quantize(quantum, rounding=mode), self.currency)

    def is_zero(self) -> bool:
        return self.amount == 0

    def is_negative(self) -> bool:
        return self.amount < 0

    def __str__(self) -> str:
        quantum = Decimal(1).scaleb(-self.minor_units)
        amount = self.amount
        if amount == amount.quantize(quantum):
            amount = amount.quantize(quantum)
        return f"{amount} {self.currency}"
