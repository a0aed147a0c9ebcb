"""Fixtures for the SAP tests: a seeded FakeSap and clients wired to it in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from amazon_erp_bridge.sandbox.sap import PASSWORD, USER, FakeSap
from amazon_erp_bridge.sap import AsyncODataClient, ODataClient, basic

FIXTURES = Path(__file__).parent / "fixtures"
BASE_URL = "http://s4.sandbox.test"
PO = "113-1234567-1234567"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


async def no_sleep(seconds: float) -> None:
    return None


class Sleeps(list[float]):
    """A fake ``sleep`` that records how long it was asked to wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def fake() -> FakeSap:
    sap = FakeSap(page_size=3)
    sap.add_customer(
        "Amazon.com Services LLC",
        business_partner="1000001",
        search_term="AMAZON-US",
        external_id="ATVPDKIKX0DER",
    )
    sap.add_product("MUG-SAGE", gtin="0012345678905", description="Sage mug", price="12.50")
    sap.add_product("VASE-TALL", gtin="4006381333931", description="Tall vase", price="40.00")
    return sap


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(fake: FakeSap, sleeps: Sleeps) -> Iterator[ODataClient]:
    with ODataClient(
        BASE_URL, auth=basic(USER, PASSWORD), transport=fake.transport(), sleep=sleeps
    ) as c:
        yield c


@pytest.fixture
async def aclient(fake: FakeSap) -> AsyncIterator[AsyncODataClient]:
    async with AsyncODataClient(
        BASE_URL, auth=basic(USER, PASSWORD), transport=fake.transport(), sleep=no_sleep
    ) as c:
        yield c


def order_payload(
    po: str = PO, *, sold_to: str = "1000001", quantity: str = "2", **extra: Any
) -> dict[str, Any]:
    """An A_SalesOrder deep-insert payload as the mapping layer produces it."""
    return {
        "SalesOrderType": "OR",
        "SalesOrganization": "1010",
        "DistributionChannel": "10",
        "OrganizationDivision": "00",
        "SoldToParty": sold_to,
        "PurchaseOrderByCustomer": po,
        "TransactionCurrency": "USD",
        "to_Item": {
            "results": [
                {
                    "SalesOrderItem": "10",
                    "Material": "MUG-SAGE",
                    "RequestedQuantity": Decimal(quantity),
                    "RequestedQuantityUnit": "EA",
                },
                {
                    "SalesOrderItem": "20",
                    "Material": "VASE-TALL",
                    "RequestedQuantity": Decimal("1"),
                    "RequestedQuantityUnit": "EA",
                    "to_PricingElement": {
                        "results": [{"ConditionType": "PPR0", "ConditionRateValue": "39.90"}]
                    },
                },
            ]
        },
        **extra,
    }
