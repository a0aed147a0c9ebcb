"""Typed sales order creates: the same deep insert as the dict payload; bad input named."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.sandbox.sap import FakeSap
from amazon_erp_bridge.sap import (
    AsyncODataClient,
    AsyncSalesOrderService,
    ODataClient,
    PricingElementCreate,
    SalesOrderCreate,
    SalesOrderItemCreate,
    SalesOrderService,
)
from amazon_erp_bridge.sap.sales_orders import create_sales_order
from tests.sap.conftest import PO, order_payload


def typed_order(po: str = PO, **changes: Any) -> SalesOrderCreate:
    values: dict[str, Any] = {
        "SalesOrderType": "OR",
        "SalesOrganization": "1010",
        "DistributionChannel": "10",
        "OrganizationDivision": "00",
        "SoldToParty": "1000001",
        "PurchaseOrderByCustomer": po,
        "TransactionCurrency": "USD",
        "items": [
            SalesOrderItemCreate(
                SalesOrderItem="10",
                Material="MUG-SAGE",
                RequestedQuantity=Decimal("2"),
                RequestedQuantityUnit="EA",
            ),
            SalesOrderItemCreate(
                SalesOrderItem="20",
                Material="VASE-TALL",
                RequestedQuantity=Decimal("1"),
                RequestedQuantityUnit="EA",
                pricing_elements=[
                    PricingElementCreate(ConditionType="PPR0", ConditionRateValue=Decimal("39.90"))
                ],
            ),
        ],
    }
    values.update(changes)
    return SalesOrderCreate(**values)


def test_typed_and_dict_payloads_build_the_same_request() -> None:
    from_dict = create_sales_order(order_payload())
    from_typed = create_sales_order(typed_order())
    assert (from_typed.method, from_typed.path) == (from_dict.method, from_dict.path)
    assert from_typed.headers == from_dict.headers
    assert json.loads(from_typed.content or b"") == json.loads(from_dict.content or b"")


def test_typed_create_goes_through_the_sandbox(client: ODataClient, fake: FakeSap) -> None:
    service = SalesOrderService(client)
    typed = service.create(typed_order("113-typed"))
    plain = service.create(order_payload("113-plain"))
    posts = [r.json() for r in fake.router.requests if r.method == "POST"]
    for body in posts:
        body.pop("PurchaseOrderByCustomer")
    assert posts[0] == posts[1]
    assert [i.sales_order_item for i in typed.items] == [i.sales_order_item for i in plain.items]
    assert typed.total_net_amount == plain.total_net_amount


def test_dates_and_partners_are_written_as_in_the_dict_path() -> None:
    partner = {"PartnerFunction": "WE", "Customer": "1000001"}
    order = typed_order(CustomerPurchaseOrderDate=date(2026, 4, 14), partners=[partner])
    payload = order.to_payload()
    assert payload["to_Partner"] == {"results": [partner]}
    call = create_sales_order(order)
    expected = create_sales_order(
        order_payload(CustomerPurchaseOrderDate=date(2026, 4, 14), to_Partner=payload["to_Partner"])
    )
    assert json.loads(call.content or b"") == json.loads(expected.content or b"")


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: typed_order("X" * 36), "PurchaseOrderByCustomer .* 36 characters; SAP allows 35"),
        (lambda: typed_order(SalesOrderType="TOOLONG"), "SalesOrderType"),
        (lambda: typed_order(items=[]), "items .*to_Item.* is required"),
        (lambda: typed_order(RequestedDeliveryDate="2026-04-14"), "RequestedDeliveryDate must be"),
        (lambda: SalesOrderItemCreate(Material="M" * 41), "Material .* 41 characters"),
        (lambda: SalesOrderItemCreate(RequestedQuantity="2"), "RequestedQuantity must be"),
        (lambda: PricingElementCreate(ConditionType="PPR01"), "ConditionType .* SAP allows 4"),
        (lambda: PricingElementCreate(), "ConditionType is required"),
        (lambda: typed_order(items=[{"Material": "MUG"}]), r"items\[0\] must be"),
    ],
)
def test_bad_typed_creates_name_the_field(build: Any, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        build()


async def test_async_service_takes_the_typed_create(aclient: AsyncODataClient) -> None:
    order = await AsyncSalesOrderService(aclient).create(typed_order("113-async"))
    assert order.purchase_order_by_customer == "113-async"
