"""Fulfillment Outbound 2020-07-01 (MCF): request checks, recorded shapes, sandbox lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest

from amazon_erp_bridge.amazon import fulfillment as ops
from amazon_erp_bridge.core.sender import SyncSender
from amazon_erp_bridge.errors import ApiError, ValidationError
from amazon_erp_bridge.model import Address, Money, Shipment, ShipmentPackage

from .spapi_env import NOW, Env

RECORDED = Path(__file__).parent / "recorded"


def recorded(name: str) -> httpx2.Response:
    return httpx2.Response(200, content=(RECORDED / name).read_bytes())


def order_request(order_id: str = "WEB-1", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sellerFulfillmentOrderId": order_id,
        "displayableOrderId": order_id,
        "displayableOrderDate": datetime(2026, 4, 14, 9, 30, tzinfo=UTC),
        "displayableOrderComment": "Thanks for shopping with us",
        "shippingSpeedCategory": "Standard",
        "destinationAddress": {
            "name": "Pat Example",
            "addressLine1": "12 Harbour Road",
            "city": "Seattle",
            "stateOrRegion": "WA",
            "postalCode": "98101",
            "countryCode": "US",
        },
        "items": [
            {
                "sellerSku": "SKU-MUG-01",
                "sellerFulfillmentOrderItemId": "line-1",
                "quantity": 2,
                "perUnitDeclaredValue": Money.of("12.99", "USD"),
            }
        ],
    }
    body.update(changes)
    return body


# -- request checks --------------------------------------------------------------------------


def test_order_body_is_written_in_wire_form() -> None:
    call = ops.create_fulfillment_order(order_request())
    assert (call.method, call.path, call.limit_key) == (
        "POST",
        "/fba/outbound/2020-07-01/fulfillmentOrders",
        "fulfillmentOutbound.createFulfillmentOrder",
    )
    assert call.json["displayableOrderDate"] == "2026-04-14T09:30:00Z"
    assert call.json["items"][0]["perUnitDeclaredValue"] == {
        "currencyCode": "USD",
        "value": "12.99",
    }
    assert not call.is_idempotent


def test_missing_order_fields_are_all_named() -> None:
    request = order_request()
    del request["displayableOrderComment"]
    request["destinationAddress"] = {"name": "Pat", "countryCode": "US"}
    request["items"] = [{"sellerSku": "A", "quantity": 0}]
    with pytest.raises(ValidationError) as info:
        ops.create_fulfillment_order(request)
    message = str(info.value)
    assert message.startswith("createFulfillmentOrder WEB-1: missing required field(s)")
    for name in (
        "displayableOrderComment",
        "destinationAddress.addressLine1",
        "destinationAddress.postalCode",
        "items[0].sellerFulfillmentOrderItemId",
    ):
        assert name in message
    assert "items[0].quantity must be a whole number >= 1, got 0" in message


def test_empty_request_names_every_required_field() -> None:
    with pytest.raises(ValidationError) as info:
        ops.create_fulfillment_order({})
    for name in ops.ORDER_REQUIRED:
        assert name in str(info.value)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"shippingSpeedCategory": "Overnight"}, "shippingSpeedCategory must be one of"),
        ({"fulfillmentAction": "Later"}, "fulfillmentAction must be one of"),
        ({"fulfillmentPolicy": "Maybe"}, "fulfillmentPolicy must be one of"),
        ({"displayableOrderDate": datetime(2026, 4, 14)}, "no time zone"),
    ],
)
def test_bad_enumerations_are_refused(change: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        ops.create_fulfillment_order(order_request(**change))


def test_preview_needs_address_and_items() -> None:
    with pytest.raises(ValidationError, match="missing required field"):
        ops.get_fulfillment_preview({"items": []})


def test_order_id_is_encoded_in_paths() -> None:
    assert ops.get_fulfillment_order("A/B 1").path.endswith("/fulfillmentOrders/A%2FB%201")
    assert ops.cancel_fulfillment_order("A").path.endswith("/fulfillmentOrders/A/cancel")
    with pytest.raises(ValidationError, match="sellerFulfillmentOrderId"):
        ops.get_fulfillment_order(" ")


def test_tracking_needs_a_package_number() -> None:
    assert ops.get_package_tracking_details(12).params == {"packageNumber": "12"}
    with pytest.raises(ValidationError, match="packageNumber"):
        ops.get_package_tracking_details("abc")  # type: ignore[arg-type]


# -- recorded shapes -------------------------------------------------------------------------


def test_fulfillment_order_maps_shipments_to_the_canonical_model() -> None:
    details = ops.get_fulfillment_order("x").parse(recorded("fulfillment_getFulfillmentOrder.json"))
    assert details.order.status == "Complete"
    assert details.order.destination_address == Address(
        name="Pat Example",
        line1="12 Harbour Road",
        city="Seattle",
        state_or_region="WA",
        postal_code="98101",
        country_code="US",
    )
    (shipment,) = details.shipments
    assert isinstance(shipment, Shipment)
    assert shipment.order_id == "WEB-10042" and shipment.status == "SHIPPED"
    assert shipment.shipped_at == datetime(2026, 4, 11, 16, 45, tzinfo=UTC)
    assert shipment.packages == (ShipmentPackage("148213", "UPS", "1Z999AA10123456784"),)
    assert shipment.items[0].line_id == "line-1" and shipment.items[0].quantity == 2
    assert details.tracking_numbers == ("1Z999AA10123456784",)
    assert details.items[0].estimated_arrival_date == datetime(2026, 4, 13, 20, tzinfo=UTC)


def test_preview_parses_fees_as_money() -> None:
    (preview,) = ops.get_fulfillment_preview(
        {"address": order_request()["destinationAddress"], "items": order_request()["items"]}
    ).parse(recorded("fulfillment_getFulfillmentPreview.json"))
    assert preview.is_fulfillable and preview.shipping_speed_category == "Standard"
    assert preview.total_fees() == Money.of("6.94", "USD")
    assert preview.shipments[0].items == (("SKU-MUG-01", 2),)


def test_tracking_parses_events() -> None:
    tracking = ops.get_package_tracking_details(148213).parse(
        recorded("fulfillment_getPackageTrackingDetails.json")
    )
    assert tracking.current_status == "DELIVERED" and tracking.signed_for_by == "P. Example"
    assert [e.event_code for e in tracking.events] == ["EVENT_101", "EVENT_301"]


def test_answer_without_payload_is_a_validation_error_naming_it() -> None:
    reply = httpx2.MockTransport(lambda request: httpx2.Response(200, json={"errors": []}))
    sender = SyncSender("https://x.test", service="SP-API", transport=reply)
    with sender, pytest.raises(ValidationError, match="getFulfillmentOrder.*payload"):
        sender.send(ops.get_fulfillment_order("x"))


# -- against the sandbox ---------------------------------------------------------------------


def test_order_progresses_to_shipped_with_tracking() -> None:
    env = Env()
    with env.client() as client:
        client.fulfillment.create_fulfillment_order(order_request())
        seen = []
        for _ in range(5):
            details = client.fulfillment.get_fulfillment_order("WEB-1")
            seen.append(details.order.status)
        tracking = client.fulfillment.get_package_tracking_details(
            int(details.shipments[0].packages[0].package_number)
        )
    assert seen[:4] == ["Planning", "Processing", "Complete", "Complete"]
    (shipment,) = details.shipments
    assert shipment.status == "SHIPPED" and shipment.shipped_at == NOW
    assert details.tracking_numbers and details.tracking_numbers[0].startswith("1ZSANDBOX")
    assert tracking.tracking_number == details.tracking_numbers[0]
    assert tracking.current_status == "IN_TRANSIT"


def test_sandbox_refuses_duplicate_and_unknown_sku() -> None:
    env = Env()
    with env.client() as client:
        client.fulfillment.create_fulfillment_order(order_request())
        with pytest.raises(ApiError, match="already exists"):
            client.fulfillment.create_fulfillment_order(order_request())
        bad = order_request("WEB-2")
        bad["items"][0]["sellerSku"] = "NOPE"
        with pytest.raises(ApiError, match="Unknown sellerSku: NOPE"):
            client.fulfillment.create_fulfillment_order(bad)


def test_cancel_before_shipping_but_not_after() -> None:
    env = Env()
    with env.client() as client:
        client.fulfillment.create_fulfillment_order(order_request("WEB-1"))
        client.fulfillment.cancel_fulfillment_order("WEB-1")
        assert client.fulfillment.get_fulfillment_order("WEB-1").order.status == "Cancelled"
        client.fulfillment.create_fulfillment_order(order_request("WEB-2"))
        for _ in range(3):
            client.fulfillment.get_fulfillment_order("WEB-2")
        with pytest.raises(ApiError, match="has shipped"):
            client.fulfillment.cancel_fulfillment_order("WEB-2")


def test_held_order_does_not_ship() -> None:
    env = Env()
    with env.client() as client:
        client.fulfillment.create_fulfillment_order(order_request(fulfillmentAction="Hold"))
        for _ in range(4):
            details = client.fulfillment.get_fulfillment_order("WEB-1")
    assert details.order.status == "Received" and details.shipments == ()


def test_preview_says_what_stock_cannot_cover() -> None:
    env = Env()
    request = {
        "marketplaceId": "ATVPDKIKX0DER",
        "address": order_request()["destinationAddress"],
        "items": [
            {"sellerSku": "SKU-MUG-01", "sellerFulfillmentOrderItemId": "1", "quantity": 1},
            {"sellerSku": "SKU-MUG-01", "sellerFulfillmentOrderItemId": "2", "quantity": 10**6},
        ],
        "shippingSpeedCategories": ["Standard", "Priority"],
    }
    with env.client() as client:
        standard, priority = client.fulfillment.get_fulfillment_preview(request)
    assert not standard.is_fulfillable and standard.unfulfillable_items == (("SKU-MUG-01", 10**6),)
    assert standard.total_fees() is not None and priority.total_fees() is not None
    assert priority.total_fees() > standard.total_fees()  # type: ignore[operator]


def test_list_all_orders_pages_and_filters_by_date() -> None:
    env = Env(page_size=2)
    with env.client() as client:
        for n in range(5):
            client.fulfillment.create_fulfillment_order(order_request(f"WEB-{n}"))
        every = list(client.fulfillment.list_all_fulfillment_orders())
        later = list(
            client.fulfillment.list_all_fulfillment_orders(
                query_start_date=datetime(2027, 1, 1, tzinfo=UTC)
            )
        )
    assert [o.seller_fulfillment_order_id for o in every] == [f"WEB-{n}" for n in range(5)]
    assert later == []


async def test_async_mcf_round_trip() -> None:
    env = Env()
    async with env.async_client() as client:
        await client.fulfillment.create_fulfillment_order(order_request())
        for _ in range(3):
            details = await client.fulfillment.get_fulfillment_order("WEB-1")
        listed = [o async for o in client.fulfillment.list_all_fulfillment_orders()]
        tracking = await client.fulfillment.get_package_tracking_details(
            int(details.shipments[0].packages[0].package_number)
        )
        await client.fulfillment.get_fulfillment_preview(
            {"address": order_request()["destinationAddress"], "items": order_request()["items"]}
        )
    assert details.shipments[0].status == "SHIPPED" and listed[0].status == "Complete"
    assert tracking.carrier_code == "UPS"
