"""Typed createFulfillmentOrder requests: same body as the dict, bad input named (sync/async)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from amazon_erp_bridge.amazon import (
    DeliveryWindow,
    FulfillmentOrderRequest,
    FulfillmentOrderRequestItem,
)
from amazon_erp_bridge.amazon import fulfillment as ops
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import Address, Money

from .spapi_env import Env
from .test_fulfillment import order_request

ADDRESS = Address(
    name="Pat Example",
    line1="12 Harbour Road",
    city="Seattle",
    state_or_region="WA",
    postal_code="98101",
    country_code="US",
)


def item(**changes: Any) -> FulfillmentOrderRequestItem:
    values: dict[str, Any] = {
        "seller_sku": "SKU-MUG-01",
        "seller_fulfillment_order_item_id": "line-1",
        "quantity": 2,
        "per_unit_declared_value": Money.of("12.99", "USD"),
    }
    values.update(changes)
    return FulfillmentOrderRequestItem(**values)


def typed(order_id: str = "WEB-1", **changes: Any) -> FulfillmentOrderRequest:
    values: dict[str, Any] = {
        "seller_fulfillment_order_id": order_id,
        "displayable_order_id": order_id,
        "displayable_order_date": datetime(2026, 4, 14, 9, 30, tzinfo=UTC),
        "displayable_order_comment": "Thanks for shopping with us",
        "shipping_speed_category": "Standard",
        "destination_address": ADDRESS,
        "items": [item()],
    }
    values.update(changes)
    return FulfillmentOrderRequest(**values)


def test_typed_and_dict_requests_send_the_same_body() -> None:
    from_dict = ops.create_fulfillment_order(order_request())
    from_typed = ops.create_fulfillment_order(typed())
    assert (from_typed.method, from_typed.path) == (from_dict.method, from_dict.path)
    assert from_typed.json == from_dict.json
    assert list(from_typed.json) == list(from_dict.json)


def test_optional_fields_use_the_model_names() -> None:
    request = typed(
        marketplace_id="ATVPDKIKX0DER",
        fulfillment_action="Hold",
        fulfillment_policy="FillOrKill",
        shipping_speed_category="ScheduledDelivery",
        delivery_window=DeliveryWindow(
            datetime(2026, 4, 16, 8, tzinfo=UTC), datetime(2026, 4, 16, 12, tzinfo=UTC)
        ),
        ship_from_country_code="US",
        notification_emails=["pat@example.com"],
        items=[item(gift_message="Happy birthday", displayable_comment="Mug")],
    )
    body = ops.create_fulfillment_order(request).json
    assert body["deliveryWindow"] == {
        "startDate": "2026-04-16T08:00:00Z",
        "endDate": "2026-04-16T12:00:00Z",
    }
    assert body["notificationEmails"] == ["pat@example.com"]
    assert body["items"][0]["giftMessage"] == "Happy birthday"
    assert (body["marketplaceId"], body["fulfillmentAction"]) == ("ATVPDKIKX0DER", "Hold")


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: typed(""), "sellerFulfillmentOrderId is required"),
        (lambda: typed("W" * 41), "sellerFulfillmentOrderId has 41 characters"),
        (lambda: typed(displayable_order_id="D" * 41), "displayableOrderId has 41"),
        (lambda: typed(displayable_order_comment=" "), "displayableOrderComment is required"),
        (lambda: typed(displayable_order_comment="c" * 751), "displayableOrderComment has 751"),
        (lambda: typed(items=[]), "items is required"),
        (lambda: typed(destination_address=Address(name="Pat")), "destinationAddress.addressLine1"),
        (lambda: item(seller_sku="S" * 51), "sellerSku has 51 characters"),
        (lambda: item(seller_sku=""), "sellerSku is required"),
        (lambda: item(seller_fulfillment_order_item_id="i" * 51), "sellerFulfillmentOrderItemId"),
        (lambda: item(gift_message="g" * 513), "giftMessage has 513"),
        (lambda: item(displayable_comment="d" * 251), "displayableComment has 251"),
        (lambda: item(quantity=0), "quantity must be a whole number"),
    ],
)
def test_bad_typed_requests_name_the_field(build: Any, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        build()


def test_typed_request_goes_through_the_sandbox_like_the_dict() -> None:
    env = Env()
    with env.client() as client:
        client.fulfillment.create_fulfillment_order(typed("WEB-T"))
        client.fulfillment.create_fulfillment_order(order_request("WEB-D"))
        typed_order = client.fulfillment.get_fulfillment_order("WEB-T")
        dict_order = client.fulfillment.get_fulfillment_order("WEB-D")
    assert typed_order.order.status == dict_order.order.status
    assert typed_order.order.destination_address == dict_order.order.destination_address


async def test_async_client_takes_the_typed_request() -> None:
    env = Env()
    async with env.async_client() as client:
        await client.fulfillment.create_fulfillment_order(typed("WEB-A"))
        details = await client.fulfillment.get_fulfillment_order("WEB-A")
    assert details.order.seller_fulfillment_order_id == "WEB-A"
