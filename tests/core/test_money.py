from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amazon_erp_bridge.errors import CurrencyMismatchError, ValidationError
from amazon_erp_bridge.model import Money


def test_amounts_are_exact_decimals():
    total = Money.total([Money.of("0.10", "USD")] * 3, "USD")
    assert total == Money.of("0.30", "USD")
    assert total.amount == Decimal("0.30")


def test_adding_different_currencies_names_both():
    with pytest.raises(CurrencyMismatchError, match=r"USD and EUR"):
        Money.of("1.00", "USD") + Money.of("1.00", "EUR")


def test_subtracting_different_currencies_is_refused():
    with pytest.raises(CurrencyMismatchError, match="subtract"):
        Money.of("1.00", "GBP") - Money.of("1.00", "JPY")


def test_unknown_currency_code_is_refused():
    with pytest.raises(ValidationError, match=r"'XYZ' is not an ISO 4217 currency code"):
        Money.of("1", "XYZ")


def test_currency_code_is_normalised_to_upper_case():
    assert Money.of("1", " eur ").currency == "EUR"


def test_float_amount_is_refused_as_inexact():
    with pytest.raises(ValidationError, match="float"):
        Money(0.1, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["abc", "", "1,00", "NaN", "Infinity"])
def test_non_numeric_amount_is_refused(bad):
    with pytest.raises(ValidationError, match="amount"):
        Money.of(bad, "USD")


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1234.5", "JPY", "1235"),
        ("10.005", "USD", "10.01"),
        ("10.0045", "KWD", "10.005"),
        ("-2.345", "EUR", "-2.35"),
    ],
)
def test_rounding_follows_the_currency_minor_unit(amount, currency, expected):
    assert Money.of(amount, currency).rounded().amount == Decimal(expected)


def test_half_even_rounding_is_available_for_banks():
    assert Money.of("10.005", "USD").rounded(half_even=True).amount == Decimal("10.00")


def test_str_shows_minor_units():
    assert str(Money.of("5", "USD")) == "5.00 USD"
    assert str(Money.of("5", "JPY")) == "5 JPY"
    assert str(Money.of("5.125", "USD")) == "5.125 USD"


def test_comparison_within_one_currency():
    assert Money.of("1", "USD") < Money.of("2", "USD")
    with pytest.raises(CurrencyMismatchError):
        _ = Money.of("1", "USD") < Money.of("2", "EUR")


def test_multiplication_by_quantity():
    assert Money.of("2.50", "USD") * 3 == Money.of("7.50", "USD")
    with pytest.raises(TypeError):
        Money.of("2.50", "USD") * 1.5  # type: ignore[operator]


amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False)


@given(st.lists(amounts, max_size=30))
def test_sum_is_exact_and_order_independent(values):
    money = [Money(v, "EUR") for v in values]
    assert Money.total(money, "EUR").amount == sum(values, Decimal(0))
    assert Money.total(reversed(money), "EUR") == Money.total(money, "EUR")
