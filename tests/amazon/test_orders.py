"""Orders v2026-01-01 and v0: call building, parsing recorded shapes, and the sandbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import httpx2
import pytest

from amazon_erp_bridge.amazon import orders as ops
from amazon_erp_bridge.errors import ApiError, ValidationError
from amazon_erp_bridge.model import FulfillmentChannel, Money, Order, OrderLine, OrderStatus

from .spapi_env import MARKETS, SEEDED_FROM, Env

RECORDED = Path(__file__).parent / "recorded"
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def recorded(name: str) -> httpx2.Response:
    return httpx2.Response(200, content=(RECORDED / name).read_bytes())


def body(name: str) -> Any:
    return json.loads((RECORDED / name).read_bytes())


# -- building calls ------------------------------------------------------------------------


def test_search_orders_sends_every_filter_in_its_wire_name() -> None:
    call = ops.search_orders(
        marketplace_ids=["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"],
        created_after=datetime(2026, 3, 1, 1, 0, tzinfo=UTC),
        created_before=datetime(2026, 3, 2, tzinfo=UTC),
        statuses=[OrderStatus.SHIPPED, "Canceled"],
        fulfillment_channels=["AFN"],
        max_results_per_page=50,
        included_data=["PACKAGES"],
        pagination_token="tok",
    )
    assert call.method == "GET" and call.path == "/orders/2026-01-01/orders"
    assert call.limit_key == "orders.searchOrders"
    assert call.params == {
        "createdAfter": "2026-03-01T01:00:00Z",
        "createdBefore": "2026-03-02T00:00:00Z",
        "fulfillmentStatuses": "SHIPPED,CANCELLED",
        "marketplaceIds": "ATVPDKIKX0DER,A2EUQ1WTGCTBG2",
        "fulfilledBy": "AMAZON",
        "maxResultsPerPage": "50",
        "includedData": "FULFILLMENT,PROCEEDS,TAX,PROMOTION,EXPENSE,CANCELLATION,PACKAGES",
        "paginationToken": "tok",
    }


def test_search_orders_asks_for_buyer_and_recipient_only_with_include_pii() -> None:
    plain = ops.search_orders(created_after=T0)
    pii = ops.search_orders(created_after=T0, include_pii=True)
    assert "BUYER" not in str(plain.params["includedData"])
    assert pii.params["includedData"] == (
        "FULFILLMENT,PROCEEDS,TAX,PROMOTION,EXPENSE,CANCELLATION,BUYER,RECIPIENT"
    )
    assert pii.headers == {}  # no RDT for v2026-01-01


def test_get_orders_v0_sends_all_filters() -> None:
    call = ops.get_orders_v0(
        ["ATVPDKIKX0DER"],
        last_updated_after=T0,
        last_updated_before=T0 + timedelta(days=1),
        statuses=["Unshipped", OrderStatus.PARTIALLY_SHIPPED],
        fulfillment_channels=[FulfillmentChannel.MERCHANT],
        payment_methods=["COD"],
        buyer_email="b@example.com",
        max_results_per_page=100,
        easy_ship_shipment_statuses=["PendingPickUp"],
        electronic_invoice_statuses=["NotRequired"],
        amazon_order_ids=["111-1111111-1111111"],
        actual_fulfillment_supply_source_id="src-1",
        is_ispu=False,
        store_chain_store_id="store-9",
        earliest_delivery_date_before=T0,
        earliest_delivery_date_after=T0,
        latest_delivery_date_before=T0,
        latest_delivery_date_after=T0,
        next_token="n",
    )
    assert call.path == "/orders/v0/orders" and call.limit_key == "ordersV0.getOrders"
    assert call.params["MarketplaceIds"] == "ATVPDKIKX0DER"
    assert call.params["LastUpdatedAfter"] == "2026-03-01T00:00:00Z"
    assert call.params["OrderStatuses"] == "Unshipped,PartiallyShipped"
    assert call.params["FulfillmentChannels"] == "MFN"
    assert call.params["IsISPU"] == "false"
    assert call.params["NextToken"] == "n"
    assert set(call.params) >= {
        "PaymentMethods",
        "BuyerEmail",
        "MaxResultsPerPage",
        "EasyShipShipmentStatuses",
        "ElectronicInvoiceStatuses",
        "AmazonOrderIds",
        "ActualFulfillmentSupplySourceId",
        "StoreChainStoreId",
        "EarliestDeliveryDateBefore",
        "EarliestDeliveryDateAfter",
        "LatestDeliveryDateBefore",
        "LatestDeliveryDateAfter",
    }
    assert ACCESS_TOKEN not in call.headers


ACCESS_TOKEN = "x-amz-access-token"


def test_v0_call_with_an_rdt_sends_it_as_the_access_token() -> None:
    from amazon_erp_bridge.core.redaction import Secret

    call = ops.get_order_v0("111-1111111-1111111", Secret("Atz.sprdt|abc"))
    assert call.headers == {ACCESS_TOKEN: "Atz.sprdt|abc"}


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"created_after": datetime(2026, 3, 1)}, "no time zone"),
        ({}, "created_after or last_updated_after"),
        ({"created_after": T0, "last_updated_after": T0}, "not both"),
        ({"created_after": T0, "statuses": ["Lost"]}, "not an order status"),
        ({"created_after": T0, "statuses": ["InvoiceUnconfirmed"]}, "version='v0'"),
        ({"created_after": T0, "fulfillment_channels": ["FBA"]}, "AFN"),
        ({"created_after": T0, "max_results_per_page": 101}, "1 to 100"),
        ({"created_after": T0, "included_data": ["EVERYTHING"]}, "not one of"),
        ({"created_after": T0, "included_data": ["BUYER"]}, "include_pii=True"),
        ({"created_after": T0, "marketplace_ids": ["M"] * 51}, "at most 50"),
    ],
)
def test_search_orders_rejects_bad_arguments(kwargs: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        ops.search_orders(**kwargs)


def test_get_orders_v0_needs_a_marketplace() -> None:
    with pytest.raises(ValidationError, match="at least one"):
        ops.get_orders_v0([], created_after=T0)


def test_unknown_version_is_rejected() -> None:
    with pytest.raises(ValidationError, match="'2026-01-01' or 'v0'"):
        ops.version_of("2021-01-01")


def test_v0_only_filters_need_version_v0() -> None:
    env = Env()
    with pytest.raises(ValidationError, match="buyer_email only exist in Orders v0"):
        env.client().orders.get_orders(MARKETS, created_after=T0, buyer_email="x@y")
    assert env.fake.router.requests == []  # validated before any request


def test_blank_order_id_is_rejected() -> None:
    with pytest.raises(ValidationError, match="order_id"):
        ops.get_order_2026(" ")


# -- parsing recorded shapes ---------------------------------------------------------------


def test_parse_v2026_search_page() -> None:
    page = ops.search_orders(created_after=T0).parse(recorded("orders_2026_searchOrders.json"))
    assert page.next_token == "9ZhB4RmVyc2lvbiAxLjAgb2YgdGhl"
    de, jp = page.items
    assert de.order_id == "028-5567123-9981234"
    assert de.status is OrderStatus.SHIPPED
    assert de.fulfillment_channel is FulfillmentChannel.MERCHANT
    assert de.marketplace_id == "A1PA6795UKMFR9" and de.sales_channel == "Amazon.de"
    assert de.order_total == Money.of("66.62", "EUR")
    assert de.seller_order_id == "DE-SHOP-1001"
    assert de.is_prime and de.is_business_order
    assert de.buyer_name == "Erika Beispiel"
    assert de.ship_address is not None and de.ship_address.district == "Mitte"
    assert de.latest_ship_date == datetime(2026, 3, 9, 23, 59, 59, tzinfo=UTC)
    (line,) = de.lines
    assert line.item.seller_sku == "BAG-CANVAS" and line.item.asin == "B0EXAMPLE3"
    assert line.quantity == 2 and line.quantity_shipped == 2
    assert line.item_price == Money.of("54.98", "EUR")
    assert line.item_tax == Money.of("10.45", "EUR")
    assert line.shipping_price == Money.of("4.99", "EUR")
    assert line.shipping_tax == Money.of("0.95", "EUR")
    assert line.promotion_discount == Money.of("4.75", "EUR")
    assert jp.status is OrderStatus.CANCELED and jp.fulfillment_channel is FulfillmentChannel.AMAZON
    assert jp.order_total is None
    assert jp.lines[0].item_price == Money.of("4272", "JPY")  # unit price x quantity


def test_parse_v0_orders_page_and_items() -> None:
    page = ops.get_orders_v0(["ATVPDKIKX0DER"], created_after=T0).parse(
        recorded("orders_v0_getOrders.json")
    )
    assert page.next_token == "2YgYW55IGNhcm5hbCBwbGVhc3VyZS4"
    shipped, pending = page.items
    assert shipped.status is OrderStatus.SHIPPED
    assert shipped.order_total == Money.of("61.07", "USD")
    assert shipped.order_total.amount == Decimal("61.07")
    assert shipped.is_prime and not shipped.is_business_order
    assert shipped.ship_address is not None and shipped.ship_address.name is None
    assert shipped.buyer_name is None  # no RDT, no PII
    assert shipped.attributes["ShipmentServiceLevelCategory"] == "Expedited"
    assert pending.status is OrderStatus.PENDING and pending.order_total is None
    items = ops.get_order_items_v0("114-3941689-8772232").parse(
        recorded("orders_v0_getOrderItems.json")
    )
    mug, lamp = items.items
    assert items.next_token is None
    assert mug.item_price == Money.of("25.98", "USD") and mug.unit_price == Money.of("12.99", "USD")
    assert mug.promotion_discount == Money.of("0.00", "USD")
    assert lamp.gift_wrap_price == Money.of("3.99", "USD")


def test_parse_v0_order_with_pii() -> None:
    order = ops.get_order_v0("114-3941689-8772232").parse(recorded("orders_v0_getOrder_pii.json"))
    assert order.buyer_email == "pat.example@marketplace.amazon.com"
    assert order.ship_address is not None
    assert order.ship_address.line1 == "1200 SW Main St"
    assert order.ship_address.phone == "+1 503-555-0142"


def test_both_versions_map_to_the_same_order() -> None:
    v0 = body("orders_v0_getOrder_pii.json")["payload"]
    as_2026 = {
        "orderId": v0["AmazonOrderId"],
        "createdTime": v0["PurchaseDate"],
        "lastUpdatedTime": v0["LastUpdateDate"],
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": "ATVPDKIKX0DER"},
        "proceeds": {"grandTotal": {"amount": "61.07", "currencyCode": "USD"}},
        "fulfillment": {"fulfillmentStatus": "SHIPPED", "fulfilledBy": "AMAZON"},
        "buyer": {"buyerName": "Pat Example", "buyerEmail": "pat.example@marketplace.amazon.com"},
        "recipient": {
            "deliveryAddress": {
                "name": "Pat Example",
                "addressLine1": "1200 SW Main St",
                "addressLine2": "Apt 4",
                "city": "PORTLAND",
                "stateOrRegion": "OR",
                "postalCode": "97201-1234",
                "countryCode": "US",
                "phone": "+1 503-555-0142",
                "addressType": "Residential",
            }
        },
        "orderItems": [],
    }
    assert ops.order_from_2026(as_2026) == ops.order_from_v0(v0)


def test_malformed_json_is_an_unreadable_response() -> None:
    env = Env()
    client = env.client()
    from amazon_erp_bridge.sandbox.server import Reply

    @env.fake.router.route("GET", r"/test/bad-json")
    def broken(req: Any, m: Any) -> Reply:
        return Reply.text("{not json", content_type="application/json")

    call = attrs.evolve(ops.get_order_2026("111-1111111-1111111"), path="/test/bad-json")
    with pytest.raises(ApiError, match="unreadable response") as info:
        client.sender.send(call)
    assert info.value.status == 200


def test_missing_required_field_is_an_unreadable_response() -> None:
    data = body("orders_2026_searchOrders.json")
    del data["orders"][0]["fulfillment"]
    response = httpx2.Response(200, content=json.dumps(data).encode())
    with pytest.raises(ValueError, match="fulfillmentStatus"):
        ops.search_orders(created_after=T0).parse(response)


def test_bad_amount_names_the_field() -> None:
    data = body("orders_v0_getOrders.json")
    data["payload"]["Orders"][0]["OrderTotal"]["Amount"] = "12,50"
    response = httpx2.Response(200, content=json.dumps(data).encode())
    with pytest.raises(ValidationError, match="order 114-3941689-8772232 OrderTotal"):
        ops.get_orders_v0(["ATVPDKIKX0DER"], created_after=T0).parse(response)


# -- against the sandbox -------------------------------------------------------------------


def _no_pii_line(line: OrderLine) -> OrderLine:
    # Gift wrap (v0: in the item's restricted BuyerInfo) and the gift message need PII access.
    # The facilitator tax includes the gift-wrap tax, so it is compared with PII only.
    return attrs.evolve(
        line, gift_wrap_price=None, gift_wrap_tax=None, gift_message=None, facilitator_tax=None
    )


def _as_v2026(order: Order) -> Order:
    """What v2026 can say: one tax on discounts, the promotion's when there are both."""

    def fold(line: OrderLine) -> OrderLine:
        if line.promotion_discount is None or line.shipping_discount_tax is None:
            return line
        taxes = [m for m in (line.promotion_discount_tax, line.shipping_discount_tax) if m]
        total = Money.total(taxes, taxes[0].currency)
        return attrs.evolve(line, promotion_discount_tax=total, shipping_discount_tax=None)

    return attrs.evolve(order, lines=tuple(fold(line) for line in order.lines))


def _no_pii(order: Order) -> Order:
    return attrs.evolve(
        order,
        attributes={},
        buyer_name=None,
        buyer_email=None,
        ship_address=None,
        order_type=None,
        ship_service_level=None,  # v0 ShipServiceLevel text vs v2026's category
        lines=tuple(_no_pii_line(line) for line in order.lines),
    )


def test_get_orders_reads_every_page_in_both_versions_alike() -> None:
    env = Env()
    client = env.client()
    v2026 = list(client.orders.get_orders(MARKETS, created_after=SEEDED_FROM))
    v0 = list(client.orders.get_orders(MARKETS, created_after=SEEDED_FROM, version="v0"))
    seeded = list(env.fake.state.orders.values())
    assert len(env.paths(r"/orders/2026-01-01/orders$")) == 3  # 60 orders, 20 a page
    assert [_no_pii(o) for o in v2026] == [_no_pii(_as_v2026(o)) for o in seeded]
    assert [_no_pii(o) for o in v0] == [_no_pii(o) for o in seeded]
    assert {o.currency for o in v2026} == {"USD", "CAD", "GBP", "EUR", "JPY"}
    assert {o.fulfillment_channel for o in v2026} == set(FulfillmentChannel)


def test_filters_reach_the_sandbox() -> None:
    env = Env()
    client = env.client()
    shipped_afn = list(
        client.orders.get_orders(
            ["ATVPDKIKX0DER"],
            created_after=SEEDED_FROM,
            statuses=["Shipped"],
            fulfillment_channels=["AFN"],
        )
    )
    assert shipped_afn
    assert all(
        o.status is OrderStatus.SHIPPED
        and o.fulfillment_channel is FulfillmentChannel.AMAZON
        and o.marketplace_id == "ATVPDKIKX0DER"
        for o in shipped_afn
    )
    v0 = list(
        client.orders.get_orders(
            ["ATVPDKIKX0DER"],
            created_after=SEEDED_FROM,
            statuses=["Shipped"],
            fulfillment_channels=["AFN"],
            version="v0",
            with_lines=False,
        )
    )
    assert [o.order_id for o in v0] == [o.order_id for o in shipped_afn]


def test_get_order_and_items_in_both_versions() -> None:
    env = Env()
    client = env.client()
    seeded = next(o for o in env.fake.state.orders.values() if len(o.lines) > 1)
    assert _no_pii(client.orders.get_order(seeded.order_id)) == _no_pii(_as_v2026(seeded))
    assert _no_pii(client.orders.get_order(seeded.order_id, version="v0")) == _no_pii(seeded)
    plain = [_no_pii_line(line) for line in seeded.lines]
    as_v2026 = [_no_pii_line(line) for line in _as_v2026(seeded).lines]
    assert [_no_pii_line(x) for x in client.orders.get_order_items(seeded.order_id)] == as_v2026
    v0_items = client.orders.get_order_items(seeded.order_id, version="v0")
    assert [_no_pii_line(x) for x in v0_items] == plain
    with_pii = client.orders.get_order_items(seeded.order_id, include_pii=True)
    assert with_pii == list(_as_v2026(seeded).lines)
    assert client.orders.get_order_items(seeded.order_id, version="v0", include_pii=True) == list(
        seeded.lines
    )


def test_default_version_can_be_set_on_the_group() -> None:
    env = Env()
    client = env.client()
    client.orders.version = ops.OrdersVersion.V0
    client.orders.get_order(next(iter(env.fake.state.orders)), with_lines=False)
    assert env.paths("/orders/")[0].startswith("/orders/v0/orders/")


def test_without_include_pii_no_pii_is_requested_or_returned() -> None:
    env = Env()
    client = env.client()
    orders = list(client.orders.get_orders(MARKETS, created_after=SEEDED_FROM, version="v0"))
    orders += list(client.orders.get_orders(MARKETS, created_after=SEEDED_FROM))
    assert env.paths("restrictedDataToken") == []
    assert all(o.buyer_name is None and o.buyer_email is None for o in orders)
    assert all(o.ship_address is None or o.ship_address.line1 is None for o in orders)
    for req in env.fake.requests_to(r"/orders/2026-01-01/"):
        assert "BUYER" not in req.query.get("includedData", [""])[0]


def test_include_pii_on_v0_fetches_one_rdt_for_exactly_the_resource() -> None:
    env = Env()
    client = env.client()
    orders = list(
        client.orders.get_orders(
            MARKETS, created_after=SEEDED_FROM, version="v0", include_pii=True, with_lines=False
        )
    )
    assert all(o.buyer_name and o.ship_address and o.ship_address.line1 for o in orders)
    (rdt_request,) = env.fake.requests_to("restrictedDataToken")
    assert rdt_request.json() == {
        "restrictedResources": [
            {
                "method": "GET",
                "path": "/orders/v0/orders",
                "dataElements": ["buyerInfo", "shippingAddress"],
            }
        ]
    }
    for req in env.fake.requests_to(r"/orders/v0/orders$"):
        assert req.headers["x-amz-access-token"].startswith("Atz.sprdt|")


def test_rdt_is_cached_per_resource_set_until_it_expires() -> None:
    env = Env()
    client = env.client()
    order_id = next(iter(env.fake.state.orders))
    for _ in range(3):
        client.orders.get_order(order_id, version="v0", include_pii=True, with_lines=False)
    assert len(env.paths("restrictedDataToken")) == 1
    other = list(env.fake.state.orders)[1]
    client.orders.get_order(other, version="v0", include_pii=True, with_lines=False)
    assert len(env.paths("restrictedDataToken")) == 2  # a different resource set
    env.clock.advance(3600)
    client.orders.get_order(order_id, version="v0", include_pii=True, with_lines=False)
    assert len(env.paths("restrictedDataToken")) == 3  # expired, fetched again


def test_include_pii_on_v2026_uses_included_data_without_an_rdt() -> None:
    env = Env()
    client = env.client()
    seeded = next(iter(env.fake.state.orders.values()))
    order = client.orders.get_order(seeded.order_id, include_pii=True)
    assert order.buyer_name == seeded.buyer_name and order.buyer_email == seeded.buyer_email
    assert order.ship_address is not None and order.ship_address.line1 == seeded.ship_address.line1  # type: ignore[union-attr]
    assert env.paths("restrictedDataToken") == []


def test_order_address_and_buyer_info_go_through_an_rdt() -> None:
    env = Env()
    client = env.client()
    seeded = next(iter(env.fake.state.orders.values()))
    address = client.orders.get_order_address(seeded.order_id)
    buyer = client.orders.get_order_buyer_info(seeded.order_id)
    assert address == attrs.evolve(seeded.ship_address)  # type: ignore[misc]
    assert buyer.buyer_name == seeded.buyer_name and buyer.order_id == seeded.order_id
    paths = [r.json()["restrictedResources"][0]["path"] for r in env.fake.requests_to("restricted")]
    assert paths == [
        f"/orders/v0/orders/{seeded.order_id}/address",
        f"/orders/v0/orders/{seeded.order_id}/buyerInfo",
    ]


def test_pii_operation_without_an_rdt_is_refused() -> None:
    env = Env()
    client = env.client()
    order_id = next(iter(env.fake.state.orders))
    call = ops.get_order_address_v0(order_id, rdt=None)  # type: ignore[arg-type]
    with pytest.raises(ApiError, match="Access to requested resource is denied") as info:
        client.sender.send(call)
    assert info.value.status == 403 and info.value.code == "Unauthorized"
    assert info.value.request_id
    assert len(env.paths("/auth/o2/token")) == 1  # a missing RDT does not refresh the token


def test_rdt_for_another_resource_is_refused() -> None:
    env = Env()
    client = env.client()
    first, second = list(env.fake.state.orders)[:2]
    rdt = client.tokens.cached_token([ops.v0_address_resource(first)])
    with pytest.raises(ApiError, match="denied") as info:
        client.sender.send(ops.get_order_address_v0(second, rdt))
    assert info.value.status == 403


def test_unknown_order_is_a_404() -> None:
    env = Env()
    with pytest.raises(ApiError, match="not found") as info:
        env.client().orders.get_order("999-0000000-0000000")
    assert info.value.status == 404 and info.value.code == "NotFound"


def test_added_orders_show_in_both_versions() -> None:
    env = Env(orders=0)
    seeded = Env().fake.state.orders
    order = attrs.evolve(next(iter(seeded.values())), order_id="123-4567890-1234567")
    env.fake.add_order(order)
    client = env.client()
    assert [o.order_id for o in client.orders.get_orders(MARKETS, created_after=SEEDED_FROM)] == [
        "123-4567890-1234567"
    ]
    assert _no_pii(client.orders.get_order(order.order_id, version="v0")) == _no_pii(order)


@pytest.mark.contracts_exempt("sends malformed requests on purpose to see the fake refuse them")
def test_sandbox_rejects_what_amazon_rejects() -> None:
    env = Env()
    client = env.client()
    from amazon_erp_bridge.core.call import Call
    from amazon_erp_bridge.core.sender import json_body

    bad = Call("GET", "/orders/v0/orders", parse=json_body, params={"CreatedAfter": "x"})
    with pytest.raises(ApiError, match="MarketplaceIds is required") as info:
        client.sender.send(bad)
    assert info.value.status == 400 and info.value.code == "InvalidInput"
    bad_token = Call(
        "GET",
        "/orders/2026-01-01/orders",
        parse=json_body,
        params={"createdAfter": "2026-03-01T00:00:00Z", "paginationToken": "bogus"},
    )
    with pytest.raises(ApiError, match="paginationToken"):
        client.sender.send(bad_token)
