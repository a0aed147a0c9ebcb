"""Sales orders: deep insert, dedup by customer reference, statuses, warnings (sync and async)."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.sandbox.sap import FakeSap
from amazon_erp_bridge.sap import (
    AsyncODataClient,
    AsyncSalesOrderService,
    ODataClient,
    ODataError,
    SalesOrderService,
    prop,
)
from amazon_erp_bridge.sap.sales_orders import create_sales_order, find_by_purchase_order_page
from tests.sap.conftest import PO, order_payload


def test_create_returns_the_number_items_and_statuses(client: ODataClient) -> None:
    order = SalesOrderService(client).create(order_payload())
    assert order.sales_order == "5000000"
    assert order.purchase_order_by_customer == PO
    assert order.sold_to_party == "1000001"
    assert order.overall_sd_process_status == "A"
    assert order.overall_delivery_status == "A"
    assert [i.sales_order_item for i in order.items] == ["10", "20"]
    assert order.items[0].net_amount == Decimal("25.00")
    assert order.items[1].net_amount == Decimal("39.90")
    assert order.total_net_amount == Decimal("64.90")
    assert order.etag and order.etag.startswith('W/"datetimeoffset')
    assert order.messages == ()


def test_deep_insert_payload_goes_out_as_v2_json(client: ODataClient, fake: FakeSap) -> None:
    SalesOrderService(client).create(order_payload())
    post = next(r for r in fake.router.requests if r.method == "POST")
    body = post.json()
    assert body["to_Item"]["results"][0]["RequestedQuantity"] == "2"
    assert post.headers["content-type"] == "application/json"


def test_find_by_purchase_order_escapes_quotes(client: ODataClient) -> None:
    orders = SalesOrderService(client)
    tricky = "113-'O''Brien'-7"
    created = orders.create(order_payload(tricky))
    orders.create(order_payload("113-other"))
    found = orders.find_by_purchase_order(tricky, sold_to_party="1000001")
    assert [o.sales_order for o in found] == [created.sales_order]
    assert orders.find_by_purchase_order(tricky, sold_to_party="1000002") == []


def test_find_follows_paging(client: ODataClient) -> None:
    orders = SalesOrderService(client)
    for _ in range(7):
        orders.create(order_payload())
    assert len(orders.find_by_purchase_order(PO)) == 7


def test_second_order_with_same_reference_carries_sap_warning(
    client: ODataClient, caplog: pytest.LogCaptureFixture
) -> None:
    orders = SalesOrderService(client)
    first = orders.create(order_payload())
    with caplog.at_level(logging.WARNING, logger="amazon_erp_bridge.sap"):
        second = orders.create(order_payload())
    assert second.messages[0].severity == "warning"
    assert f"already exists in order {first.sales_order}" in second.messages[0].message
    assert any("already exists" in r.getMessage() for r in caplog.records)


def test_get_reads_statuses_as_the_order_moves(client: ODataClient, fake: FakeSap) -> None:
    orders = SalesOrderService(client)
    created = orders.create(order_payload())
    read = orders.get(created.sales_order)
    assert read.items[0].material == "MUG-SAGE"
    assert not read.is_fully_delivered and not read.is_completed
    header = orders.get(created.sales_order, with_items=False)
    assert header.items == ()


def test_search_with_a_filter(client: ODataClient) -> None:
    orders = SalesOrderService(client)
    orders.create(order_payload("A-1"))
    orders.create(order_payload("B-1"))
    found = list(orders.search(prop("PurchaseOrderByCustomer").startswith("B")))
    assert [o.purchase_order_by_customer for o in found] == ["B-1"]


def test_unknown_sold_to_party_is_an_odata_error_with_details(client: ODataClient) -> None:
    with pytest.raises(ODataError, match="Sold-to party 7777777 does not exist") as info:
        SalesOrderService(client).create(order_payload(sold_to="7777777"))
    error = info.value
    assert error.status == 400
    assert error.code == "SANDBOX/SO_SOLDTO"
    assert error.error_details[0].target == "SoldToParty"
    assert error.transaction_id and error.transaction_id in str(error)


def test_unknown_material_names_the_item(client: ODataClient) -> None:
    payload = order_payload()
    payload["to_Item"]["results"][0]["Material"] = "NOPE"
    with pytest.raises(ODataError, match="Item 10: material NOPE does not exist"):
        SalesOrderService(client).create(payload)


def test_missing_header_fields_are_listed(client: ODataClient) -> None:
    payload = order_payload()
    del payload["SalesOrganization"], payload["SalesOrderType"]
    with pytest.raises(ODataError, match="SalesOrderType, SalesOrganization") as info:
        SalesOrderService(client).create(payload)
    assert {d.target for d in info.value.error_details} == {"SalesOrderType", "SalesOrganization"}


def test_payload_without_items_is_refused_before_sending() -> None:
    with pytest.raises(ValidationError, match="no to_Item"):
        create_sales_order({"PurchaseOrderByCustomer": PO})
    with pytest.raises(ValidationError, match="mapping"):
        create_sales_order(["not", "a", "mapping"])  # type: ignore[arg-type]


@pytest.mark.parametrize("po", ["", "   ", "x" * 36])
def test_customer_reference_is_checked(po: str) -> None:
    with pytest.raises(ValidationError, match="PurchaseOrderByCustomer"):
        find_by_purchase_order_page(po, None, None)


def test_floats_in_the_payload_are_refused() -> None:
    payload = order_payload()
    payload["to_Item"]["results"][0]["RequestedQuantity"] = 2.0
    with pytest.raises(ValidationError, match="float"):
        create_sales_order(payload)


async def test_async_create_find_get_update(aclient: AsyncODataClient, fake: FakeSap) -> None:
    orders = AsyncSalesOrderService(aclient)
    created = await orders.create(order_payload())
    found = await orders.find_by_purchase_order(PO, sold_to_party="1000001")
    assert [o.sales_order for o in found] == [created.sales_order]
    fake.expire_csrf_tokens()
    updated = await orders.update(
        created.sales_order, {"ShippingCondition": "01"}, etag=created.etag
    )
    assert updated.etag != created.etag
    read = await orders.get(created.sales_order)
    assert read.etag == updated.etag
    assert [o.sales_order async for o in orders.search()] == [created.sales_order]
    assert fake.csrf_fetches == 2
