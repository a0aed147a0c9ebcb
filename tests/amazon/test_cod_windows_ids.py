"""What #20 added to the parsers: cash-on-delivery fees on order lines (v0 CODFee /
CODFeeDiscount, v2026 COD_FEE proceeds), the order's ship and delivery windows, the MCF
shipment's fulfilment centre and the preview items' seller item ids."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx2
import pytest

from amazon_erp_bridge.amazon import fulfillment
from amazon_erp_bridge.amazon.orders import (
    line_from_2026,
    line_from_v0,
    order_from_2026,
    order_from_v0,
)
from amazon_erp_bridge.errors import MappingError
from amazon_erp_bridge.mapping.charges import ChargeRules, UnknownChargeError, line_charges
from amazon_erp_bridge.model import ItemRef, Money, Order, OrderLine, OrderStatus
from amazon_erp_bridge.sandbox.server import dump_json

JPY = "JPY"


def yen(amount: str) -> dict[str, str]:
    return {"CurrencyCode": JPY, "Amount": amount}


def test_v0_item_reads_the_cod_fee_and_its_discount() -> None:
    line = line_from_v0(
        {
            "OrderItemId": "1",
            "SellerSKU": "SKU-1",
            "QuantityOrdered": 1,
            "ItemPrice": yen("1000"),
            "CODFee": yen("10.00"),
            "CODFeeDiscount": yen("1.00"),
        }
    )
    assert line.cod_fee == Money.of("10", JPY)
    assert line.cod_fee_discount == Money.of("1", JPY)
    assert line.charges["cod_fee"] == Money.of("10", JPY)
    assert line.charges["cod_fee_discount"] == Money.of("1", JPY)
    assert line.buyer_total(JPY) == Money.of("1009", JPY)


def test_v2026_item_reads_the_cod_fee_and_its_discount_from_the_proceeds() -> None:
    def money(amount: str) -> dict[str, str]:
        return {"amount": amount, "currencyCode": JPY}

    line = line_from_2026(
        {
            "orderItemId": "1",
            "quantityOrdered": 1,
            "product": {"sellerSku": "SKU-1"},
            "proceeds": {
                "breakdowns": [
                    {"type": "ITEM", "subtotal": money("1000")},
                    {"type": "COD_FEE", "subtotal": money("330")},
                    {
                        "type": "DISCOUNT",
                        "subtotal": money("-30"),
                        "detailedBreakdowns": [{"subtype": "COD_FEE", "value": money("-30")}],
                    },
                ]
            },
        }
    )
    assert line.cod_fee == Money.of("330", JPY)
    assert line.cod_fee_discount == Money.of("30", JPY)
    assert line.promotion_discount is None
    assert line.buyer_total(JPY) == Money.of("1300", JPY)


def _cod_order(line: OrderLine) -> Order:
    day = datetime(2026, 3, 1, tzinfo=UTC)
    return Order("503-1", day, day, OrderStatus.UNSHIPPED, lines=(line,))


def test_a_cod_fee_without_a_charge_code_is_refused_naming_the_line() -> None:
    line = OrderLine(
        "1", ItemRef("SKU-1"), 1, item_price=Money.of("1000", JPY), cod_fee=Money.of("10", JPY)
    )
    with pytest.raises(UnknownChargeError, match=r"order 503-1 line 1: cod_fee 10 JPY"):
        line_charges(_cod_order(line), line, ChargeRules(codes={}))


def test_a_cod_fee_goes_as_a_charge_and_its_discount_as_a_negative_one() -> None:
    line = OrderLine(
        "1", ItemRef("SKU-1"), 1, item_price=Money.of("1000", JPY),
        cod_fee=Money.of("10", JPY), cod_fee_discount=Money.of("1", JPY),
    )  # fmt: skip
    rules = ChargeRules(codes={"cod_fee": "COD", "cod_fee_discount": "CODD"})
    charges = line_charges(_cod_order(line), line, rules)
    assert [(c.kind, c.code, c.amount) for c in charges] == [
        ("cod_fee", "COD", Money.of("10", JPY)),
        ("cod_fee_discount", "CODD", Money.of("-1", JPY)),
    ]


def test_a_cod_fee_discount_larger_than_the_fee_is_refused() -> None:
    line = OrderLine(
        "1", ItemRef("SKU-1"), 1, item_price=Money.of("1000", JPY),
        cod_fee=Money.of("10", JPY), cod_fee_discount=Money.of("11", JPY),
    )  # fmt: skip
    with pytest.raises(MappingError, match="cod_fee_discount 11 JPY is larger than the cod_fee"):
        line_charges(_cod_order(line), line, ChargeRules(codes={"cod_fee": "C"}))


def test_v0_order_carries_its_ship_and_delivery_windows() -> None:
    order = order_from_v0(
        {
            "AmazonOrderId": "902-1",
            "PurchaseDate": "2026-03-01T10:00:00Z",
            "LastUpdateDate": "2026-03-01T11:00:00Z",
            "OrderStatus": "Unshipped",
            "EarliestShipDate": "2026-03-02T00:00:00Z",
            "LatestShipDate": "2026-03-03T23:59:59Z",
            "EarliestDeliveryDate": "2026-03-04T00:00:00Z",
            "LatestDeliveryDate": "2026-03-06T23:59:59Z",
        }
    )
    assert order.earliest_ship_date == datetime(2026, 3, 2, tzinfo=UTC)
    assert order.latest_ship_date == datetime(2026, 3, 3, 23, 59, 59, tzinfo=UTC)
    assert order.earliest_delivery_date == datetime(2026, 3, 4, tzinfo=UTC)
    assert order.latest_delivery_date == datetime(2026, 3, 6, 23, 59, 59, tzinfo=UTC)
    assert "EarliestShipDate" not in order.attributes


def test_v2026_order_carries_its_ship_and_delivery_windows() -> None:
    order = order_from_2026(
        {
            "orderId": "902-2",
            "createdTime": "2026-03-01T10:00:00Z",
            "lastUpdatedTime": "2026-03-01T11:00:00Z",
            "fulfillment": {
                "fulfillmentStatus": "UNSHIPPED",
                "shipByWindow": {
                    "earliestDateTime": "2026-03-02T00:00:00Z",
                    "latestDateTime": "2026-03-03T23:59:59Z",
                },
                "deliverByWindow": {
                    "earliestDateTime": "2026-03-04T00:00:00Z",
                    "latestDateTime": "2026-03-06T23:59:59Z",
                },
            },
        }
    )
    assert order.earliest_ship_date == datetime(2026, 3, 2, tzinfo=UTC)
    assert order.latest_ship_date == datetime(2026, 3, 3, 23, 59, 59, tzinfo=UTC)
    assert order.earliest_delivery_date == datetime(2026, 3, 4, tzinfo=UTC)
    assert order.latest_delivery_date == datetime(2026, 3, 6, 23, 59, 59, tzinfo=UTC)


def test_mcf_shipment_carries_its_fulfillment_center() -> None:
    shipment = fulfillment.shipment_of(
        "MCF-1",
        {
            "amazonShipmentId": "S1",
            "fulfillmentCenterId": "PHX7",
            "fulfillmentShipmentStatus": "SHIPPED",
            "fulfillmentShipmentItem": [],
        },
    )
    assert shipment.fulfillment_center_id == "PHX7"
    bare = fulfillment.shipment_of(
        "MCF-1", {"amazonShipmentId": "S2", "fulfillmentShipmentStatus": "PENDING"}
    )
    assert bare.fulfillment_center_id is None


def test_preview_items_carry_the_sellers_item_ids() -> None:
    body = {
        "payload": {
            "fulfillmentPreviews": [
                {
                    "shippingSpeedCategory": "Standard",
                    "isFulfillable": True,
                    "marketplaceId": "ATVPDKIKX0DER",
                    "fulfillmentPreviewShipments": [
                        {
                            "fulfillmentPreviewItems": [
                                {
                                    "sellerSku": "SKU-1",
                                    "quantity": 2,
                                    "sellerFulfillmentOrderItemId": "L1",
                                },
                                {"sellerSku": "SKU-2", "quantity": 1},
                            ]
                        }
                    ],
                }
            ]
        }
    }
    (preview,) = fulfillment._parse_previews(httpx2.Response(200, content=dump_json(body)))
    (shipment,) = preview.shipments
    assert shipment.items == (("SKU-1", 2), ("SKU-2", 1))
    assert [
        (i.seller_sku, i.quantity, i.seller_fulfillment_order_item_id)
        for i in shipment.preview_items
    ] == [("SKU-1", 2, "L1"), ("SKU-2", 1, None)]


def test_cod_money_fields_hold_decimals() -> None:
    line = OrderLine("1", ItemRef("SKU-1"), 1, cod_fee=Money(Decimal("10.5"), JPY))
    assert line.charges == {"cod_fee": Money(Decimal("10.5"), JPY)}
