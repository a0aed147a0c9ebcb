"""The all-orders and FBA shipments report parsers: rows into Orders/Shipments, bad rows named
by line and column, and the report path agreeing with the API path in the sandbox."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from amazon_erp_bridge.amazon.order_reports import (
    FBA_SHIPMENTS,
    ORDERS_BY_LAST_UPDATE,
    ORDERS_BY_ORDER_DATE,
    OrderReportError,
    ReportRowError,
    iter_report_orders,
    iter_report_shipments,
)
from amazon_erp_bridge.model import FulfillmentChannel, Money, OrderStatus

from .env import US, World

HEADER = (
    "amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\t"
    "fulfillment-channel\tsales-channel\tsku\tasin\titem-status\tquantity\tcurrency\t"
    "item-price\titem-tax\titem-promotion-discount\tship-promotion-discount\tship-country"
)


def row(order: str, sku: str, price: str = "10.00", status: str = "Shipped", **kw: str) -> str:
    cells = {
        "amazon-order-id": order,
        "merchant-order-id": "",
        "purchase-date": "2026-03-02T10:00:00+00:00",
        "last-updated-date": "2026-03-03T10:00:00+00:00",
        "order-status": status,
        "fulfillment-channel": "Amazon",
        "sales-channel": "Amazon.com",
        "sku": sku,
        "asin": "B000TEST01",
        "item-status": "Shipped",
        "quantity": "2",
        "currency": "USD",
        "item-price": price,
        "item-tax": "0.80",
        "item-promotion-discount": "-1.00",
        "ship-promotion-discount": "",
        "ship-country": "US",
    } | kw
    return "\t".join(cells[c] for c in HEADER.split("\t"))


def report(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def test_rows_of_one_order_become_one_order_with_a_line_per_row() -> None:
    text = report(row("111-1", "A"), row("111-1", "B", "5.50"), row("111-2", "A"))
    orders = list(iter_report_orders(text, marketplace_id=US))
    assert [o.order_id for o in orders] == ["111-1", "111-2"]
    first = orders[0]
    assert first.marketplace_id == US
    assert first.status is OrderStatus.SHIPPED
    assert first.fulfillment_channel is FulfillmentChannel.AMAZON
    assert [line.line_id for line in first.lines] == ["A", "B"]
    assert first.lines[1].item_price == Money(Decimal("5.50"), "USD")
    assert first.lines[0].promotion_discount == Money(Decimal("1.00"), "USD")  # positive
    assert first.lines[0].quantity_shipped == 2
    assert first.order_total is None


def test_a_repeated_sku_in_one_order_gets_a_numbered_line_id() -> None:
    orders = list(iter_report_orders(report(row("1", "A"), row("1", "A"))))
    assert [line.line_id for line in orders[0].lines] == ["A", "A#2"]


def test_cancelled_order_marks_every_line_cancelled() -> None:
    (order,) = iter_report_orders(report(row("1", "A", status="Cancelled")))
    assert order.status is OrderStatus.CANCELED
    assert all(line.cancelled for line in order.lines)


def test_chunked_text_streams_like_one_string() -> None:
    text = report(row("1", "A"), row("2", "B"))
    chunks = [text[i : i + 7] for i in range(0, len(text), 7)]
    assert [o.order_id for o in iter_report_orders(chunks)] == ["1", "2"]


def test_bad_amount_names_line_and_column() -> None:
    with pytest.raises(OrderReportError, match=r"line 3, column item-price"):
        list(iter_report_orders(report(row("1", "A"), row("2", "A", "1,234,5"))))


def test_bad_quantity_names_line_and_column() -> None:
    with pytest.raises(OrderReportError, match=r"line 2, column quantity.*whole number"):
        list(iter_report_orders(report(row("1", "A", quantity="two"))))


def test_unknown_status_names_the_column() -> None:
    with pytest.raises(OrderReportError, match=r"column order-status.*'Lost'"):
        list(iter_report_orders(report(row("1", "A", status="Lost"))))


def test_rows_of_an_order_that_are_not_adjacent_are_refused() -> None:
    text = report(row("1", "A"), row("2", "A"), row("1", "B"))
    with pytest.raises(OrderReportError, match=r"line 4, column amazon-order-id.*adjacent"):
        list(iter_report_orders(text))


def test_errors_list_collects_bad_rows_and_skips_their_order() -> None:
    errors: list[ReportRowError] = []
    text = report(row("1", "A", "x"), row("2", "A"), "too\tmany\t" * 20)
    orders = list(iter_report_orders(text, errors=errors))
    assert [o.order_id for o in orders] == ["2"]
    assert sorted((e.line, e.column or "") for e in errors) == [(2, "item-price"), (4, "")]


def test_missing_required_column_is_named() -> None:
    with pytest.raises(OrderReportError, match=r"line 1, column quantity.*lacks"):
        list(
            iter_report_orders(
                "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\tsku\n"
            )
        )


def test_empty_report_is_an_error() -> None:
    with pytest.raises(OrderReportError, match="empty"):
        list(iter_report_orders(""))


def test_amount_without_currency_is_an_error() -> None:
    with pytest.raises(OrderReportError, match="column currency"):
        list(iter_report_orders(report(row("1", "A", currency=""))))


def test_shipment_rows_group_by_shipment_id() -> None:
    text = (
        "amazon-order-id\tshipment-id\tamazon-order-item-id\tsku\tquantity-shipped\t"
        "shipment-date\tcarrier\ttracking-number\tbuyer-name\n"
        "1\tD1\t11\tA\t2\t2026-03-04T08:00:00+00:00\tUPS\t1Z1\t\n"
        "1\tD1\t12\tB\t1\t2026-03-04T08:00:00+00:00\tUPS\t1Z1\t\n"
        "2\tD2\t21\tA\t1\t\t\t\t\n"
    )
    shipments = list(iter_report_shipments(text))
    assert [(s.shipment_id, s.order_id, len(s.items)) for s in shipments] == [
        ("D1", "1", 2),
        ("D2", "2", 1),
    ]
    assert shipments[0].packages[0].tracking_number == "1Z1"
    assert shipments[0].items[0].line_id == "11"
    assert shipments[1].packages == ()


def test_shipment_bad_quantity_names_line_and_column() -> None:
    text = "amazon-order-id\tshipment-id\tsku\tquantity-shipped\n1\tD1\tA\t-1\n"
    with pytest.raises(OrderReportError, match=r"line 2, column quantity-shipped"):
        list(iter_report_shipments(text))


@pytest.mark.parametrize("report_type", [ORDERS_BY_ORDER_DATE, ORDERS_BY_LAST_UPDATE])
def test_report_path_yields_the_orders_the_api_path_yields(report_type: str) -> None:
    world = World(90, 30)
    amazon, start = world.amazon, world.start
    end = start + timedelta(days=40)
    rid = amazon.reports.create_report(report_type, [US], data_start_time=start, data_end_time=end)
    done = amazon.reports.wait(rid)
    assert done.report_document_id is not None
    text = amazon.reports.download_text(done.report_document_id, marketplace_id=US)
    by_report = {o.order_id: o for o in iter_report_orders(text, marketplace_id=US)}
    by_api = {
        o.order_id: o
        for o in amazon.orders.get_orders([US], created_after=start, created_before=end)
    }
    assert by_report.keys() == by_api.keys() and len(by_api) == 30
    fields = (
        "quantity",
        "item_price",
        "item_tax",
        "shipping_price",
        "shipping_tax",
        "gift_wrap_price",
        "gift_wrap_tax",
        "promotion_discount",
        "shipping_discount",
    )
    for order_id, api in by_api.items():
        mine = by_report[order_id]
        assert (mine.status, mine.purchase_date, mine.fulfillment_channel) == (
            api.status,
            api.purchase_date,
            api.fulfillment_channel,
        )
        assert [line.item.seller_sku for line in mine.lines] == [
            line.item.seller_sku for line in api.lines
        ]
        for a, b in zip(api.lines, mine.lines, strict=True):
            assert {f: getattr(a, f) for f in fields} == {f: getattr(b, f) for f in fields}


def test_fba_shipments_report_lists_the_shipped_amazon_orders() -> None:
    world = World(60, 30)
    amazon = world.amazon
    rid = amazon.reports.create_report(
        FBA_SHIPMENTS, [US], data_start_time=world.start, data_end_time=world.end
    )
    done = amazon.reports.wait(rid)
    assert done.report_document_id is not None
    shipments = list(iter_report_shipments(amazon.reports.download_text(done.report_document_id)))
    expected = {
        o.order_id
        for o in world.orders().values()
        if o.fulfillment_channel is FulfillmentChannel.AMAZON
        and o.status in (OrderStatus.SHIPPED, OrderStatus.PARTIALLY_SHIPPED)
    }
    assert {s.order_id for s in shipments} == expected and expected
    order = world.orders()[shipments[0].order_id]
    shipped = {line.item.seller_sku: line.quantity_shipped for line in order.lines}
    assert {i.seller_sku: i.quantity for i in shipments[0].items} == {
        k: v for k, v in shipped.items() if v
    }
