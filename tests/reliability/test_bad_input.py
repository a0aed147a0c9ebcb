"""Regression tests of issue 15: bad input to the model's JSON reader and to notification
parsing is a BridgeError naming what and where, fast."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest

from amazon_erp_bridge.amazon.notifications import parse_notification
from amazon_erp_bridge.errors import BridgeError, ValidationError
from amazon_erp_bridge.model import Money, Order, Settlement, from_dict, from_json

RECORDED = Path(__file__).parents[1] / "amazon" / "recorded"
FAST = 1.0  # seconds; every case below takes milliseconds, the issue saw 7 s and 100 s


def order_change() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((RECORDED / "notification_order_change.json").read_text())
    return data


def with_quantity(raw: str) -> str:
    """The recorded ORDER_CHANGE text with ``Quantity`` replaced by the literal ``raw``."""
    data = order_change()
    items = data["Payload"]["OrderChangeNotification"]["Summary"]["OrderItems"]
    items[0]["Quantity"] = "@@"
    return json.dumps(data).replace('"@@"', raw)


def timed(call: Any) -> BaseException:
    start = time.perf_counter()
    with pytest.raises(BridgeError) as caught:
        call()
    assert time.perf_counter() - start < FAST
    return caught.value


# -- model.from_json / from_dict ----------------------------------------------------------------


def test_from_json_refuses_deep_nesting_without_recursion_error():
    error = timed(lambda: from_json("[" * 100_000, Order))
    assert isinstance(error, ValidationError)
    assert "Order" in str(error) and "nested deeper" in str(error)


def test_from_json_refuses_a_5000_digit_integer():
    text = '{"amount": ' + "9" * 5000 + ', "currency": "USD"}'
    error = timed(lambda: from_json(text, Money))
    assert "Money" in str(error) and "digits" in str(error)


@pytest.mark.parametrize("number", ["1e350000", "1e10000000", "1e5000"])
def test_from_json_refuses_huge_exponents_fast(number):
    text = '{"amount": ' + number + ', "currency": "USD"}'
    error = timed(lambda: from_json(text, Money))
    assert "Money" in str(error) and "out of range" in str(error)


def test_from_json_reads_a_json_number_as_an_exact_decimal():
    assert from_json('{"amount": 12.30, "currency": "USD"}', Money) == Money("12.30", "USD")


def test_from_json_refuses_an_amount_beyond_the_range():
    error = timed(lambda: from_json('{"amount": "1e30", "currency": "USD"}', Money))
    assert "Money" in str(error) and "10**18" in str(error)


def test_from_dict_refuses_deep_data_and_huge_integers():
    deep: Any = []
    for _ in range(5000):
        deep = [deep]
    timed(lambda: from_dict({"settlement_id": deep}, Settlement))
    huge = {"amount": "1", "currency": "USD", "extra": 10**5000}
    timed(lambda: from_dict(huge, Money))


def test_from_json_refuses_text_that_is_not_utf8():
    error = timed(lambda: from_json(b'{"amount": "\xff"}', Money))
    assert "Money" in str(error)


# -- notifications --------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["1e350000", "1e10000000", "1e5000", "-1e350000"])
def test_a_notification_quantity_with_a_huge_exponent_is_refused_fast(number):
    error = timed(lambda: parse_notification(with_quantity(number)))
    assert "notification" in str(error) and "out of range" in str(error)


def test_a_fractional_quantity_is_an_error_not_truncated():
    error = timed(lambda: parse_notification(with_quantity("1.5")))
    message = str(error)
    assert "OrderItems[0].Quantity: expected a whole number, got 1.5" in message
    notification_id = order_change()["NotificationMetadata"]["NotificationId"]
    assert notification_id in message


def test_a_whole_decimal_quantity_is_read():
    event = parse_notification(with_quantity("2.0"))
    assert event.items[0].quantity == 2  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("-1", "from 0 to 2147483647"),
        ("1e30", "from 0 to 2147483647"),
        ("99999999999999999999", "from 0 to 2147483647"),
        ('"2"', "expected a whole number"),
        ("true", "expected a whole number"),
        ("[1]", "expected a whole number, got a list of 1 items"),
        ("9" * 5000, "digits"),
    ],
)
def test_bad_quantities_name_the_field(raw, words):
    error = timed(lambda: parse_notification(with_quantity(raw)))
    assert words in str(error)


def test_deeply_nested_notification_is_refused_without_recursion_error():
    timed(lambda: parse_notification("[" * 100_000))
    timed(lambda: parse_notification({"Body": "[" * 100_000}))


def test_a_deep_value_in_a_decoded_notification_is_described_not_printed():
    data = order_change()
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    data["Payload"]["OrderChangeNotification"]["SellerId"] = deep
    error = timed(lambda: parse_notification(data))
    assert "SellerId: expected a string, got a list of 1 items" in str(error)


def test_a_non_boolean_cancel_flag_is_an_error():
    data = order_change()
    items = data["Payload"]["OrderChangeNotification"]["Summary"]["OrderItems"]
    items[0]["IsBuyerRequestedCancel"] = "maybe"
    error = timed(lambda: parse_notification(copy.deepcopy(data)))
    assert "IsBuyerRequestedCancel: expected true or false" in str(error)


def test_an_oversized_notification_is_refused_unread():
    error = timed(lambda: parse_notification(" " * (2 * 1024 * 1024) + "{}"))
    assert "exceed" in str(error)
