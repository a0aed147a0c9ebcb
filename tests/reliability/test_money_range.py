"""Money has a documented range; everything outside it is a clear ValidationError, never
InvalidOperation (issue 15)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amazon_erp_bridge.errors import BridgeError, ValidationError
from amazon_erp_bridge.model import ItemRef, Money, Order, OrderLine, OrderStatus
from amazon_erp_bridge.model.money import MAX_AMOUNT, MAX_DECIMALS

LARGEST = Decimal("999999999999999999.99")


@pytest.mark.parametrize("amount", ["1e30", "9e999999", "1E+18", "-1e18", "1e999999999"])
def test_amounts_beyond_ten_to_the_eighteen_are_refused_when_made(amount):
    with pytest.raises(ValidationError, match=r"amount: .* out of the range of Money.*10\*\*18"):
        Money(amount, "USD")


def test_more_than_forty_decimals_are_refused():
    with pytest.raises(ValidationError, match="at most 40 decimal places"):
        Money("1e-41", "USD")
    assert Money("1e-40", "USD").rounded() == Money("0.00", "USD")


def test_the_largest_amount_prints_and_rounds():
    money = Money(LARGEST, "USD")
    assert str(money) == "999999999999999999.99 USD"
    assert money.rounded() == money
    assert str(Money(LARGEST, "KWD").rounded()) == "999999999999999999.990 KWD"
    assert repr(money).startswith("Money(amount=Decimal('999999999999999999.99')")


def test_a_cent_divided_by_seven_still_fits():
    unit = Money(Decimal("0.01") / 7, "USD")
    assert unit.rounded() == Money("0.00", "USD")


@pytest.mark.parametrize(
    ("operation", "words"),
    [
        (lambda m: m * 10, r"\* 10: the result is out of the range of Money"),
        (lambda m: m + m, r"\+ 999999999999999999.99 USD: the result is out of the range"),
        (lambda m: -m - m, r"- 999999999999999999.99 USD: the result is out of the range"),
        (lambda m: m * Decimal("1e999999"), r"\* 1E\+999999: the result is out of the range"),
        (lambda m: m * 10**5000, r"bit integer: out of range"),
        (lambda m: Money.total([m, m], "USD"), "out of the range of Money"),
    ],
)
def test_arithmetic_leaving_the_range_says_so(operation, words):
    with pytest.raises(ValidationError, match=words):
        operation(Money(LARGEST, "USD"))


def test_negation_stays_in_range():
    assert -Money(LARGEST, "USD") == Money(-LARGEST, "USD")


def test_an_order_with_a_huge_price_cannot_be_made():
    with pytest.raises(ValidationError, match="out of the range of Money"):
        OrderLine("1", ItemRef("SKU"), 3, item_price=Money("1E+28", "USD"))


def test_an_order_at_the_top_of_the_range_has_a_repr_and_a_unit_price():
    line = OrderLine("1", ItemRef("SKU"), 3, item_price=Money(LARGEST, "USD"))
    order = Order(
        order_id="111-0000000-0000001",
        purchase_date=datetime(2026, 3, 1, tzinfo=UTC),
        last_updated=datetime(2026, 3, 1, tzinfo=UTC),
        status=OrderStatus.UNSHIPPED,
        marketplace_id="ATVPDKIKX0DER",
        lines=(line,),
    )
    assert "999999999999999999.99" in repr(order)
    assert line.unit_price is not None
    assert str(line.unit_price.rounded()) == "333333333333333333.33 USD"


def test_a_settlement_whose_lines_overflow_the_range_is_a_bridge_error():
    from amazon_erp_bridge.amazon.settlement import parse_settlement_report

    header = (
        "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\t"
        "total-amount\tcurrency\ttransaction-type\torder-id\tamount-type\t"
        "amount-description\tamount\tposted-date"
    )
    summary = "1\t2026-03-01T00:00:00+00:00\t2026-03-15T00:00:00+00:00\t2026-03-17T00:00:00+00:00\t1.00\tUSD\t\t\t\t\t\t"
    line = "1\t\t\t\t\t\tOrder\t111-1\tItemPrice\tPrincipal\t900000000000000000.00\t2026-03-02"
    text = "\n".join([header, summary, *[line] * 3]) + "\n"
    with pytest.raises(BridgeError) as caught:
        parse_settlement_report(text.encode())
    assert "settlement 1" in str(caught.value) or "out of the range" in str(caught.value)


@settings(max_examples=300, deadline=200)
@given(
    st.decimals(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from(["USD", "JPY", "KWD", "EUR"]),
)
def test_any_amount_is_money_or_a_validation_error(amount, currency):
    try:
        money = Money(amount, currency)
    except ValidationError:
        return
    assert abs(money.amount) < MAX_AMOUNT
    exponent = money.amount.as_tuple().exponent
    assert isinstance(exponent, int) and exponent >= -MAX_DECIMALS
    str(money)
    money.rounded()
    repr(money)
    for operation in (lambda: money + money, lambda: money * 7, lambda: -money - money):
        with contextlib.suppress(ValidationError):
            operation()
