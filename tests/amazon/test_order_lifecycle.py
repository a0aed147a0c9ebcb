"""Orders #11/#13/#14: charges of both versions, getOrders by id, cancellations, confirmShipment.

Requests are checked against Amazon's Swagger models (``model_check``); the sandbox's answers
are checked against the models' response schemas, and proved together on the wire.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import httpx2
import pytest

from amazon_erp_bridge.amazon import orders as ops
from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.errors import ApiError, ValidationError
from amazon_erp_bridge.model import FulfillmentChannel, Money, Order, OrderStatus

from .model_check import check_call, check_value, model, operation
from .spapi_env import MARKETS, SEEDED_FROM, Env

V0_MODEL = "orders-api-model/ordersV0.json"
V2026_MODEL = "orders-api-model/orders_2026-01-01.json"
US = "ATVPDKIKX0DER"


def _raw(method: str, path: str, params: dict[str, str] | None = None) -> Call[Any]:
    return Call(method, path, parse=lambda r: json.loads(r.content), params=params or {})


def _example(relative: str, operation_id: str) -> Any:
    _, _, op = operation(relative, operation_id)
    return op["responses"]["200"]["examples"]["application/json"]


def _schema(relative: str, operation_id: str) -> dict[str, Any]:
    _, _, op = operation(relative, operation_id)
    schema: dict[str, Any] = op["responses"]["200"]["schema"]
    return schema


# -- #11 getOrders by id alone -----------------------------------------------------------------


def test_get_orders_v0_by_ids_alone_sends_the_documented_created_after() -> None:
    call = ops.get_orders_v0([US], amazon_order_ids=["111-1111111-1111111"])
    assert call.params["CreatedAfter"] == "2016-01-01T00:00:00Z"
    assert "LastUpdatedAfter" not in call.params
    check_call(call, V0_MODEL, "getOrders")


def test_get_orders_v0_by_seller_order_id_follows_the_model() -> None:
    call = ops.get_orders_v0([US], seller_order_id="SO-00001")
    assert call.params["CreatedAfter"] == "2016-01-01T00:00:00Z"
    check_call(call, V0_MODEL, "getOrders")
    with pytest.raises(ValidationError, match="seller_order_id cannot be combined with statuses"):
        ops.get_orders_v0([US], seller_order_id="SO-1", statuses=["Shipped"])


def test_sandbox_finds_an_order_by_seller_order_id() -> None:
    env = Env()
    seeded = next(iter(env.fake.state.orders.values()))
    with env.client() as client:
        found = list(
            client.orders.get_orders(
                [seeded.marketplace_id or US],
                seller_order_id=seeded.seller_order_id,
                version="v0",
                with_lines=False,
            )
        )
    assert [o.order_id for o in found] == [seeded.order_id]


def test_get_orders_v0_keeps_the_callers_window_with_ids() -> None:
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    call = ops.get_orders_v0([US], amazon_order_ids=["1"], last_updated_after=t0)
    assert call.params["LastUpdatedAfter"] == "2026-03-01T00:00:00Z"
    assert "CreatedAfter" not in call.params


def test_sandbox_refuses_get_orders_without_created_or_updated_after() -> None:
    env = Env()
    order_id = next(iter(env.fake.state.orders))
    with env.client() as client:
        call = _raw("GET", "/orders/v0/orders", {"MarketplaceIds": US, "AmazonOrderIds": order_id})
        with pytest.raises(ApiError) as caught:
            client.sender.send(attrs.evolve(call, limit_key="ordersV0.getOrders"))
        assert caught.value.status == 400 and caught.value.code == "InvalidInput"
        assert "CreatedAfter or LastUpdatedAfter" in str(caught.value)
        found = list(
            client.orders.get_orders(
                [US, *MARKETS], amazon_order_ids=[order_id], version="v0", with_lines=False
            )
        )
    assert [o.order_id for o in found] == [order_id]


# -- the sandbox's answers against the response schemas ----------------------------------------


def test_sandbox_orders_answers_match_the_models() -> None:
    env = Env()
    with env.client() as client:
        search = client.sender.send(
            _raw(
                "GET",
                "/orders/2026-01-01/orders",
                {
                    "createdAfter": "2026-02-25T00:00:00Z",
                    "includedData": ",".join(ops.INCLUDED_DATA),
                },
            )
        )
        some = search["orders"][0]["orderId"]
        one = client.sender.send(
            _raw("GET", f"/orders/2026-01-01/orders/{some}", {"includedData": "PROCEEDS"})
        )
        v0 = client.sender.send(
            _raw(
                "GET",
                "/orders/v0/orders",
                {"MarketplaceIds": US, "CreatedAfter": "2026-02-25T00:00:00Z"},
            )
        )
        items = client.sender.send(_raw("GET", f"/orders/v0/orders/{some}/orderItems"))
        wrapped = next(
            o.order_id
            for o in env.fake.state.orders.values()
            if any(line.gift_wrap_price for line in o.lines)
        )
        rdt = client.tokens.cached_token((ops.v0_items_resource(wrapped),))
        pii_items = client.sender.send(
            attrs.evolve(
                _raw("GET", f"/orders/v0/orders/{wrapped}/orderItems"),
                headers={"x-amz-access-token": rdt.reveal()},
            )
        )
    assert not check_value(V2026_MODEL, _schema(V2026_MODEL, "searchOrders"), search, "search")
    assert not check_value(V0_MODEL, _schema(V0_MODEL, "getOrderItems"), pii_items, "pii items")
    assert any("BuyerInfo" in i for i in pii_items["payload"]["OrderItems"])
    assert not check_value(V2026_MODEL, _schema(V2026_MODEL, "getOrder"), one, "getOrder")
    assert not check_value(V0_MODEL, _schema(V0_MODEL, "getOrders"), v0, "getOrders")
    assert not check_value(V0_MODEL, _schema(V0_MODEL, "getOrderItems"), items, "items")
    levels = {
        "EXPEDITED",
        "FREE_ECONOMY",
        "NEXT_DAY",
        "PRIORITY",
        "SAME_DAY",
        "SECOND_DAY",
        "SCHEDULED",
        "STANDARD",
    }
    for order in search["orders"]:
        assert order["fulfillment"]["fulfillmentServiceLevel"] in levels
        for entry in order["proceeds"]["breakdowns"]:
            assert "detailedBreakdowns" not in entry  # only items have them
    details = [
        e
        for o in search["orders"]
        for i in o["orderItems"]
        for e in i["proceeds"]["breakdowns"]
        if "detailedBreakdowns" in e
    ]
    assert details


# -- #14 charges -------------------------------------------------------------------------------


def _line_sum(order: Order) -> Money:
    currency = order.currency or "USD"
    return Money.total((line.buyer_total(currency) for line in order.lines), currency)


def test_every_v2026_order_total_is_the_sum_of_its_lines() -> None:
    env = Env()
    with env.client() as client:
        orders = list(client.orders.get_orders(MARKETS, created_after=SEEDED_FROM))
    priced = [o for o in orders if o.order_total is not None]
    assert len(priced) > 40
    for order in priced:
        assert _line_sum(order) == order.order_total, order.order_id
    lines = [line for o in orders for line in o.lines]
    for kind in (
        "shipping_price",
        "gift_wrap_price",
        "gift_wrap_tax",
        "promotion_discount",
        "promotion_discount_tax",
        "shipping_discount",
        "facilitator_tax",
    ):
        assert any(getattr(line, kind) is not None for line in lines), kind
    assert all(line.gift_message is None for line in lines)  # no PII asked for


def test_v0_order_totals_add_up_with_pii_and_gift_wrap_is_restricted() -> None:
    env = Env()
    wrapped = [
        o
        for o in env.fake.state.orders.values()
        if any(line.gift_wrap_price for line in o.lines) and o.order_total is not None
    ]
    assert wrapped
    with env.client() as client:
        for seeded in wrapped[:3]:
            full = client.orders.get_order(seeded.order_id, version="v0", include_pii=True)
            assert full.lines == seeded.lines
            assert _line_sum(full) == full.order_total == seeded.order_total
            plain = client.orders.get_order(seeded.order_id, version="v0")
            assert all(
                line.gift_wrap_price is None and line.gift_message is None for line in plain.lines
            )
        with_pii = client.orders.get_order(wrapped[0].order_id, include_pii=True)
    assert any(line.gift_message for line in with_pii.lines)


def test_v2026_model_example_reads_every_charge() -> None:
    data = _example(V2026_MODEL, "getOrder")["order"]
    order = ops.order_from_2026(data)
    (line,) = order.lines
    gbp = "GBP"
    assert line.item_price == Money.of("89.97", gbp)
    assert line.shipping_price == Money.of("10.00", gbp)
    assert line.item_tax == Money.of("3.00", gbp)
    assert line.shipping_tax == Money.of("1.00", gbp)
    assert line.buyer_total(gbp) == Money.of("103.97", gbp) == order.order_total
    assert line.gift_message is None
    assert order.attributes["promotion_ids"] == "UK-BOXING-DAY-2024"
    gifted = ops.order_from_2026(data, include_pii=True)
    assert gifted.lines[0].gift_message and gifted.lines[0].gift_message.startswith("Happy")


def test_v2026_discounts_and_discount_tax_split_by_their_details() -> None:
    usd = "USD"
    m = lambda a: {"amount": a, "currencyCode": usd}  # noqa: E731
    item = {
        "orderItemId": "1",
        "quantityOrdered": 1,
        "product": {"sellerSku": "S"},
        "proceeds": {
            "proceedsTotal": m("22.70"),
            "breakdowns": [
                {"type": "ITEM", "subtotal": m("20.00")},
                {"type": "SHIPPING", "subtotal": m("5.00")},
                {"type": "GIFT_WRAP", "subtotal": m("2.00")},
                {
                    "type": "TAX",
                    "subtotal": m("1.70"),
                    "detailedBreakdowns": [
                        {"subtype": "ITEM", "value": m("1.60")},
                        {"subtype": "SHIPPING", "value": m("0.40")},
                        {"subtype": "GIFT_WRAP", "value": m("0.20")},
                        {"subtype": "DISCOUNT", "value": m("-0.50")},
                    ],
                },
                {
                    "type": "DISCOUNT",
                    "subtotal": m("-6.00"),
                    "detailedBreakdowns": [
                        {"subtype": "ITEM", "value": m("-1.00")},
                        {"subtype": "SHIPPING", "value": m("-5.00")},
                    ],
                },
            ],
        },
        "tax": {"taxCollections": [{"model": "MARKETPLACE_FACILITATOR"}]},
        "cancellation": {"cancellationExecution": {"cancelledBy": "BUYER"}},
    }
    line = ops.line_from_2026(item)
    assert line.promotion_discount == Money.of("1.00", usd)
    assert line.shipping_discount == Money.of("5.00", usd)
    assert line.promotion_discount_tax == Money.of("0.50", usd)
    assert line.gift_wrap_tax == Money.of("0.20", usd)
    assert line.facilitator_tax == Money.of("1.70", usd)
    assert line.buyer_total(usd) == Money.of("22.70", usd)
    assert line.cancelled


def test_v0_item_reads_every_money_field_and_facilitator_tax() -> None:
    def m(a: str) -> dict[str, str]:
        return {"CurrencyCode": "USD", "Amount": a}

    line = ops.line_from_v0(
        {
            "ASIN": "B0",
            "OrderItemId": "9",
            "QuantityOrdered": 2,
            "SellerSKU": "S",
            "ItemPrice": m("20.00"),
            "ItemTax": m("1.60"),
            "ShippingPrice": m("5.00"),
            "ShippingTax": m("0.40"),
            "ShippingDiscount": m("5.00"),
            "ShippingDiscountTax": m("0.40"),
            "PromotionDiscount": m("2.00"),
            "PromotionDiscountTax": m("0.16"),
            "TaxCollection": {
                "Model": "MarketplaceFacilitator",
                "ResponsibleParty": "Amazon Services, Inc.",
            },
            "BuyerInfo": {
                "GiftWrapPrice": m("3.00"),
                "GiftWrapTax": m("0.24"),
                "GiftMessageText": "Enjoy",
            },
        }
    )
    assert line.gift_wrap_price == Money.of("3.00", "USD") and line.gift_message == "Enjoy"
    assert line.facilitator_tax == Money.of("1.68", "USD")  # 1.60+0.40+0.24-0.40-0.16
    assert line.buyer_total("USD") == Money.of("22.68", "USD")


def test_missing_required_fields_are_validation_errors_naming_them() -> None:
    with pytest.raises(ValidationError, match="order item.*OrderItemId"):
        ops.line_from_v0({"ASIN": "B0", "QuantityOrdered": 1})
    with pytest.raises(ValidationError, match="order.*orderId"):
        ops.order_from_2026({"fulfillment": {"fulfillmentStatus": "SHIPPED"}})
    with pytest.raises(ValidationError, match="order 1.*OrderStatus.*'Lost'"):
        ops.order_from_v0({"AmazonOrderId": "1", "OrderStatus": "Lost"})
    with pytest.raises(ValidationError, match="QuantityOrdered.*integer"):
        ops.line_from_v0({"OrderItemId": "1", "ASIN": "B", "QuantityOrdered": "two"})
    with pytest.raises(ValidationError, match="getOrders.*payload"):
        ops.get_orders_v0([US], created_after=SEEDED_FROM).parse(httpx2.Response(200, json={}))


# -- #13 cancellations -------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2026-01-01", "v0"])
def test_an_order_cancelled_after_listing_reads_cancelled_and_newer(version: str) -> None:
    env = Env()
    open_order = next(
        o for o in env.fake.state.orders.values() if o.status is OrderStatus.UNSHIPPED
    )
    with env.client() as client:
        before = client.orders.get_order(open_order.order_id, version=version)
        env.clock.advance(3600)
        env.fake.cancel_order(open_order.order_id)
        changed = list(
            client.orders.get_orders(
                [open_order.marketplace_id or US],
                last_updated_after=env.fake.now() - timedelta(minutes=5),
                version=version,
            )
        )
    (after,) = [o for o in changed if o.order_id == open_order.order_id]
    assert before.status is OrderStatus.UNSHIPPED
    assert after.status is OrderStatus.CANCELED
    assert after.last_updated > before.last_updated
    assert after.lines and all(line.cancelled for line in after.lines)


def test_a_shipped_order_cannot_be_cancelled_in_the_sandbox() -> None:
    env = Env()
    shipped = next(o for o in env.fake.state.orders.values() if o.status is OrderStatus.SHIPPED)
    with pytest.raises(ValueError, match="cannot be cancelled"):
        env.fake.cancel_order(shipped.order_id)


# -- #13 confirmShipment -----------------------------------------------------------------------


def _request(order: Order, ref: str = "1", **package: Any) -> ops.ConfirmShipmentRequest:
    items = [
        ops.ConfirmShipmentItem(line.line_id, line.quantity - line.quantity_shipped)
        for line in order.lines
        if line.quantity > line.quantity_shipped
    ]
    detail = {
        "package_reference_id": ref,
        "carrier_code": "UPS",
        "tracking_number": "1Z999AA10123456784",
        "ship_date": datetime(2026, 4, 14, 9, 30, tzinfo=UTC),
        "items": items,
        "shipping_method": "UPS Ground",
        **package,
    }
    return ops.ConfirmShipmentRequest(order.marketplace_id or US, ops.PackageDetail(**detail))


def _unshipped_mfn(env: Env) -> Order:
    return next(
        o
        for o in env.fake.state.orders.values()
        if o.status is OrderStatus.UNSHIPPED
        and o.fulfillment_channel is FulfillmentChannel.MERCHANT
    )


def test_confirm_shipment_request_is_the_models() -> None:
    order = Order(
        "111-1111111-1111111", SEEDED_FROM, SEEDED_FROM, OrderStatus.UNSHIPPED, marketplace_id=US
    )
    request = ops.ConfirmShipmentRequest(
        US,
        ops.PackageDetail(
            "1",
            "Other",
            "TN1",
            SEEDED_FROM,
            [ops.ConfirmShipmentItem("79039765272157", 2, ["0987"])],
            carrier_name="Local Courier",
            shipping_method="Ground",
            ship_from_supply_source_id="057d3fcc",
        ),
        cod_collection_method="DirectPayment",
    )
    call = ops.confirm_shipment(order.order_id, request)
    check_call(call, V0_MODEL, "confirmShipment")
    assert call.path == "/orders/v0/orders/111-1111111-1111111/shipmentConfirmation"
    assert call.json["packageDetail"]["shipDate"] == "2026-02-25T00:00:00Z"
    assert call.json["packageDetail"]["orderItems"] == [
        {"orderItemId": "79039765272157", "quantity": 2, "transparencyCodes": ["0987"]}
    ]
    assert call.limit_key == "ordersV0.confirmShipment" and not call.is_idempotent


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"package_reference_id": "A1"}, "positive numbers"),
        ({"carrier_code": "Other"}, "carrierName is required"),
        ({"ship_date": datetime(2026, 4, 14)}, "shipDate"),
        ({"items": []}, "at least one item"),
        ({"tracking_number": " "}, "trackingNumber"),
    ],
)
def test_bad_confirmations_are_refused_before_sending(kwargs: dict[str, Any], words: str) -> None:
    detail: dict[str, Any] = {
        "package_reference_id": "1",
        "carrier_code": "UPS",
        "tracking_number": "T",
        "ship_date": SEEDED_FROM,
        "items": [ops.ConfirmShipmentItem("1", 1)],
        **kwargs,
    }
    with pytest.raises(ValidationError, match=words):
        ops.PackageDetail(**detail)


def test_confirm_item_quantity_must_be_positive() -> None:
    with pytest.raises(ValidationError, match="quantity.*>= 1"):
        ops.ConfirmShipmentItem("1", 0)


def test_confirm_shipment_ships_the_order_once_and_a_repeat_is_a_typed_error() -> None:
    env = Env()
    order = _unshipped_mfn(env)
    with env.client() as client:
        client.orders.confirm_shipment(order.order_id, _request(order))
        after = client.orders.get_order(order.order_id)
        before = len(env.fake.requests_to("shipmentConfirmation"))
        with pytest.raises(ops.ShipmentConfirmationError) as caught:
            client.orders.confirm_shipment(order.order_id, _request(order))
    assert after.status is OrderStatus.SHIPPED
    assert all(line.quantity_shipped == line.quantity for line in after.lines)
    assert after.last_updated > order.last_updated
    assert (order.order_id, "1") in env.fake.state.confirmations
    error = caught.value
    assert error.status == 400 and error.code == "InvalidInput"
    assert "already fulfilled" in error.amazon_message
    assert error.order_id == order.order_id and error.package_reference_id == "1"
    assert len(env.fake.requests_to("shipmentConfirmation")) == before + 1  # never retried


def test_confirm_shipment_of_an_amazon_fulfilled_order_is_refused() -> None:
    env = Env()
    afn = next(
        o
        for o in env.fake.state.orders.values()
        if o.fulfillment_channel is FulfillmentChannel.AMAZON and o.status is OrderStatus.UNSHIPPED
    )
    with env.client() as client, pytest.raises(ops.ShipmentConfirmationError):
        client.orders.confirm_shipment(afn.order_id, _request(afn))


def test_async_confirm_shipment_behaves_the_same() -> None:
    env = Env()
    order = _unshipped_mfn(env)

    async def run() -> tuple[Order, ops.ShipmentConfirmationError]:
        async with env.async_client() as client:
            await client.orders.confirm_shipment(order.order_id, _request(order))
            shipped = await client.orders.get_order(order.order_id)
            try:
                await client.orders.confirm_shipment(order.order_id, _request(order))
            except ops.ShipmentConfirmationError as exc:
                return shipped, exc
        raise AssertionError("the repeat was accepted")

    shipped, error = asyncio.run(run())
    assert shipped.status is OrderStatus.SHIPPED
    assert error.code == "InvalidInput"


def test_partial_confirmation_leaves_the_order_partially_shipped() -> None:
    env = Env()
    order = next(
        o
        for o in env.fake.state.orders.values()
        if o.status is OrderStatus.UNSHIPPED
        and o.fulfillment_channel is FulfillmentChannel.MERCHANT
        and len(o.lines) > 1
    )
    first = order.lines[0]
    request = _request(order, items=[ops.ConfirmShipmentItem(first.line_id, first.quantity)])
    with env.client() as client:
        client.orders.confirm_shipment(order.order_id, request)
        after = client.orders.get_order(order.order_id, version="v0")
    assert after.status is OrderStatus.PARTIALLY_SHIPPED
    assert Decimal(after.lines[0].quantity_shipped) == first.quantity


def test_every_model_operation_used_here_exists() -> None:
    assert operation(V0_MODEL, "confirmShipment")[0] == "POST"
    assert "ConfirmShipmentRequest" in model(V0_MODEL)["definitions"]


def test_search_and_get_order_requests_are_the_models() -> None:
    search = ops.search_orders(
        marketplace_ids=[US],
        last_updated_after=SEEDED_FROM,
        statuses=["Canceled"],
        include_pii=True,
        max_results_per_page=100,
    )
    check_call(search, V2026_MODEL, "searchOrders")
    assert "CANCELLATION" in str(search.params["includedData"])
    check_call(ops.get_order_2026("111-1111111-1111111"), V2026_MODEL, "getOrder")
    check_call(ops.get_order_items_v0("111-1111111-1111111", "tok"), V0_MODEL, "getOrderItems")
