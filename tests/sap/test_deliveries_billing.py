"""Outbound deliveries (create, tracking, pick, goods issue) and billing documents read back."""

from __future__ import annotations

from decimal import Decimal

import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.sandbox.sap import FakeSap
from amazon_erp_bridge.sap import (
    AsyncBillingDocumentService,
    AsyncODataClient,
    AsyncOutboundDeliveryService,
    AsyncSalesOrderService,
    BillingDocumentService,
    DeliveryLine,
    ODataClient,
    ODataError,
    OutboundDeliveryService,
    PreconditionFailedError,
    SalesOrderService,
)
from amazon_erp_bridge.sap.deliveries import create_delivery, tracking_changes
from tests.sap.conftest import PO, order_payload


def test_amazon_shipped_order_is_delivered_goods_issued_and_billed(
    client: ODataClient, fake: FakeSap
) -> None:
    orders = SalesOrderService(client)
    deliveries = OutboundDeliveryService(client)
    order = orders.create(order_payload())

    delivery = deliveries.create_for_sales_order(
        order.sales_order, [DeliveryLine("10"), DeliveryLine("20")], shipping_point="1010"
    )
    assert delivery.delivery_document == "80000000"
    assert [i.actual_delivery_quantity for i in delivery.items] == [Decimal("2"), Decimal("1")]
    assert orders.get(order.sales_order).overall_delivery_status == "C"

    deliveries.set_tracking(delivery.delivery_document, "FBA15ABCDE")
    assert deliveries.get(delivery.delivery_document).bill_of_lading == "FBA15ABCDE"
    deliveries.pick_all_items(delivery.delivery_document)
    action = deliveries.post_goods_issue(delivery.delivery_document)
    assert action.delivery_document == delivery.delivery_document

    issued = deliveries.get(delivery.delivery_document)
    assert issued.goods_issued and issued.actual_goods_movement_date is not None
    assert orders.get(order.sales_order).overall_sd_process_status == "B"

    billing_number = fake.bill(order.sales_order)
    assert orders.get(order.sales_order).is_completed
    billing = BillingDocumentService(client)
    [invoice] = billing.find_by_sales_order(order.sales_order)
    assert invoice.billing_document == billing_number
    assert invoice.purchase_order_by_customer == PO
    assert invoice.total_net_amount == Decimal("64.90")
    assert invoice.gross_value is not None and invoice.gross_value.currency == "USD"
    assert invoice.accounting_document and invoice.fiscal_year
    assert [i.sales_document for i in invoice.items] == [order.sales_order] * 2
    assert [b.billing_document for b in billing.find_by_purchase_order(PO)] == [billing_number]
    assert billing.get(billing_number).items[1].net_amount == Decimal("39.90")


def test_partial_delivery_and_find_by_sales_order(client: ODataClient) -> None:
    order = SalesOrderService(client).create(order_payload(quantity="5"))
    deliveries = OutboundDeliveryService(client)
    deliveries.create_for_sales_order(order.sales_order, [DeliveryLine("10", Decimal("2"), "EA")])
    assert SalesOrderService(client).get(order.sales_order).overall_delivery_status == "B"
    deliveries.create_for_sales_order(order.sales_order, [DeliveryLine("10", Decimal("3"))])
    found = deliveries.find_by_sales_order(order.sales_order)
    assert [d.delivery_document for d in found] == ["80000000", "80000001"]
    with pytest.raises(ODataError, match="already fully delivered"):
        deliveries.create_for_sales_order(order.sales_order, [DeliveryLine("10")])


def test_over_delivery_is_refused(client: ODataClient) -> None:
    order = SalesOrderService(client).create(order_payload())
    with pytest.raises(ODataError, match="exceeds the open quantity 2"):
        OutboundDeliveryService(client).create_for_sales_order(
            order.sales_order, [DeliveryLine("10", Decimal("3"))]
        )


def test_goods_issue_before_picking_is_refused(client: ODataClient) -> None:
    order = SalesOrderService(client).create(order_payload())
    deliveries = OutboundDeliveryService(client)
    delivery = deliveries.create_for_sales_order(order.sales_order, [DeliveryLine("10")])
    with pytest.raises(ODataError, match="picking is not complete") as info:
        deliveries.post_goods_issue(delivery.delivery_document)
    assert info.value.status == 400


def test_goods_issue_with_a_stale_etag_is_412(client: ODataClient) -> None:
    order = SalesOrderService(client).create(order_payload())
    deliveries = OutboundDeliveryService(client)
    delivery = deliveries.create_for_sales_order(order.sales_order, [DeliveryLine("10")])
    deliveries.pick_all_items(delivery.delivery_document, etag=delivery.etag)
    with pytest.raises(PreconditionFailedError) as info:
        deliveries.post_goods_issue(delivery.delivery_document, etag=delivery.etag)
    assert info.value.status == 412


def test_delivery_input_is_checked_before_sending() -> None:
    with pytest.raises(ValidationError, match="no items"):
        create_delivery("5000000", [])
    with pytest.raises(ValidationError, match="quantity must be positive"):
        create_delivery("5000000", [DeliveryLine("10", Decimal("0"))])
    with pytest.raises(ValidationError, match="BillOfLading holds 1 to 35"):
        tracking_changes("T" * 36)
    with pytest.raises(ValidationError, match="one of"):
        tracking_changes("1Z", "TrackingNumber")
    assert tracking_changes("1Z", "MeansOfTransport") == {"MeansOfTransport": "1Z"}


def test_unknown_sales_order_item_names_it(client: ODataClient) -> None:
    with pytest.raises(ODataError, match="Sales order 123 item 10 does not exist"):
        OutboundDeliveryService(client).create_for_sales_order("123", [DeliveryLine("10")])


async def test_async_delivery_flow(aclient: AsyncODataClient, fake: FakeSap) -> None:
    order = await AsyncSalesOrderService(aclient).create(order_payload())
    deliveries = AsyncOutboundDeliveryService(aclient)
    delivery = await deliveries.create_for_sales_order(order.sales_order, [DeliveryLine("10")])
    await deliveries.set_tracking(delivery.delivery_document, "1Z999AA10123456784")
    await deliveries.pick_all_items(delivery.delivery_document)
    await deliveries.post_goods_issue(delivery.delivery_document)
    [found] = await deliveries.find_by_sales_order(order.sales_order)
    assert found.goods_issued and found.bill_of_lading == "1Z999AA10123456784"
    number = fake.bill(order.sales_order)
    billing = AsyncBillingDocumentService(aclient)
    assert (await billing.get(number)).total_net_amount == Decimal("25.00")
    assert [b.billing_document for b in await billing.find_by_sales_order(order.sales_order)] == [
        number
    ]
    assert [b.billing_document for b in await billing.find_by_purchase_order(PO)] == [number]
