"""Searching sales orders with items and ship-to addresses; orders entered in SAP; auto billing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from amazon_erp_bridge.mapping import sap_order
from amazon_erp_bridge.sandbox.sap import FakeSap
from amazon_erp_bridge.sandbox.sap.odata import ODataFailure
from amazon_erp_bridge.sap import (
    AsyncODataClient,
    AsyncSalesOrderService,
    BillingDocumentService,
    DeliveryLine,
    ODataClient,
    ODataError,
    OutboundDeliveryService,
    SalesOrderService,
    prop,
)
from amazon_erp_bridge.sap.sales_orders import search_page
from tests.sap.conftest import order_payload

SHIP_TO = {
    "PartnerFunction": "WE",
    "Customer": "1000001",
    "to_Address": {
        "results": [
            {
                "OrganizationName1": "Jane Doe",
                "StreetName": "12 Pike Street",
                "CityName": "Seattle",
                "PostalCode": "98101",
                "Region": "WA",
                "Country": "US",
            }
        ]
    },
}


def mcf_payload(po: str, **extra: Any) -> dict[str, Any]:
    return order_payload(po, SalesOrderType="ZMCF", to_Partner={"results": [SHIP_TO]}, **extra)


def test_search_page_asks_for_items_and_partner_addresses() -> None:
    call = search_page(prop("SalesOrderType").eq("ZMCF"), None, with_items=True, with_partners=True)
    assert call.params["$expand"] == "to_Item,to_Partner/to_Address"
    assert "$expand" not in search_page(None, None).params


def test_search_by_type_reads_items_and_the_ship_to_address(
    client: ODataClient, fake: FakeSap
) -> None:
    number = fake.add_sales_order(mcf_payload("WEB-1"))
    fake.add_sales_order(order_payload("AMZ-1"))
    orders = SalesOrderService(client)
    (found,) = orders.search(prop("SalesOrderType").eq("ZMCF"), with_items=True, with_partners=True)
    assert found.sales_order == number
    assert [i.material for i in found.items] == ["MUG-SAGE", "VASE-TALL"]
    ship_to = found.partner("WE")
    assert ship_to is not None
    assert ship_to.customer == "1000001"
    assert ship_to.address["CityName"] == "Seattle"
    assert found.partner("RE") is None
    assert found.creation_date is not None


def test_searched_order_maps_to_a_canonical_order(client: ODataClient, fake: FakeSap) -> None:
    fake.add_sales_order(mcf_payload("WEB-2"))
    (found,) = SalesOrderService(client).search(
        prop("SalesOrderType").eq("ZMCF"), with_items=True, with_partners=True
    )
    order = sap_order(found.raw)
    assert order.seller_order_id == "WEB-2"
    assert [(ln.line_id, ln.item.seller_sku, ln.quantity) for ln in order.lines] == [
        ("10", "MUG-SAGE", 2),
        ("20", "VASE-TALL", 1),
    ]
    assert order.ship_address is not None
    assert order.ship_address.postal_code == "98101"


def test_partner_without_a_function_is_refused(client: ODataClient) -> None:
    payload = order_payload("WEB-3", to_Partner={"results": [{"Customer": "1000001"}]})
    with pytest.raises(ODataError, match="partner function"):
        SalesOrderService(client).create(payload)


def test_add_sales_order_checks_like_a_post(fake: FakeSap) -> None:
    with pytest.raises(ODataFailure, match="material NOPE does not exist"):
        fake.add_sales_order(
            order_payload(to_Item={"results": [{"Material": "NOPE", "RequestedQuantity": "1"}]})
        )


def test_auto_bill_bills_each_goods_issue(client: ODataClient, fake: FakeSap) -> None:
    fake.auto_bill = True
    number = fake.add_sales_order(order_payload("WEB-4"))
    deliveries = OutboundDeliveryService(client)
    delivery = deliveries.create_for_sales_order(number, [DeliveryLine("10"), DeliveryLine("20")])
    deliveries.pick_all_items(delivery.delivery_document)
    deliveries.post_goods_issue(delivery.delivery_document)
    (bill,) = BillingDocumentService(client).find_by_sales_order(number)
    assert bill.purchase_order_by_customer == "WEB-4"
    assert bill.total_net_amount == Decimal("64.90")


async def test_async_search_reads_partners(aclient: AsyncODataClient, fake: FakeSap) -> None:
    fake.add_sales_order(mcf_payload("WEB-5"))
    found = [
        o
        async for o in AsyncSalesOrderService(aclient).search(
            prop("SalesOrderType").eq("ZMCF"), with_partners=True
        )
    ]
    assert [o.partner("WE") is not None for o in found] == [True]
