"""OIS390MI AddLine SAPR: a customer return line carries the unit price it is valued at (what
Amazon refunded) when one is given, and the fake M3 keeps it on the return line."""

from datetime import date
from decimal import Decimal

import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.infor import ReturnLine, ReturnRequest
from tests.contracts.m3 import check_request

from .conftest import HEAD, LINES
from .test_lifecycle import sent


def request(orno: str, price: Decimal | None) -> ReturnRequest:
    return ReturnRequest(
        "RMA-113-2",
        orno,
        "FBA",
        [ReturnLine(Decimal("1"), order_line=1, reason="DEF", price=price)],
        return_date=date(2026, 3, 20),
    )


def test_a_return_line_sends_its_refunded_price_as_sapr(m3, fake):
    orno = m3.customer_orders.create(HEAD, LINES)
    m3.deliveries.confirm_shipped(orno)
    created, new = m3.customer_returns.ensure(request(orno, Decimal("12.345000")))
    assert new
    (line,) = sent(fake, "AddLine")
    assert line["SAPR"] == "12.345000"
    assert check_request("OIS390MI", "AddLine", line) == []
    (kept,) = fake.state.returns[("FBA", created.repn)].lines
    assert Decimal(kept["SAPR"]) == Decimal("12.345")


def test_a_return_line_without_a_price_leaves_sapr_to_m3(m3, fake):
    orno = m3.customer_orders.create(HEAD, LINES)
    m3.deliveries.confirm_shipped(orno)
    m3.customer_returns.ensure(request(orno, None))
    (line,) = sent(fake, "AddLine")
    assert "SAPR" not in line


@pytest.mark.parametrize(
    ("price", "words"),
    [
        (Decimal("-1"), "sales price (SAPR) -1 must be >= 0"),
        (Decimal("1E13"), "must be >= 0 and under 10^13"),
        (Decimal("NaN"), "sales price (SAPR) must be a finite Decimal"),
        (12.5, "sales price (SAPR) must be a finite Decimal, got 12.5"),
    ],
)
def test_a_bad_return_price_is_a_validation_error(price, words):
    with pytest.raises(ValidationError) as caught:
        ReturnLine(Decimal("1"), order_line=1, price=price)
    assert words in str(caught.value)
