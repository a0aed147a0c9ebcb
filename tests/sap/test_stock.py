"""API_MATERIAL_STOCK_SRV: own unrestricted-use stock per plant, paged, exact decimals."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import unquote

import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.sandbox.sap import FakeSap
from amazon_erp_bridge.sap import (
    AsyncMaterialStockService,
    AsyncODataClient,
    MaterialStock,
    MaterialStockService,
    ODataClient,
)
from amazon_erp_bridge.sap.stock import ENTITY_SET, available_filter, stock_page


@pytest.fixture
def stocked(fake: FakeSap) -> FakeSap:
    fake.set_stock("MUG-SAGE", "AMZ", 12)
    fake.set_stock("MUG-SAGE", "AMZ", "3.5", storage_location="0002")
    fake.set_stock("MUG-SAGE", "AMZ", 5, stock_type="07")  # blocked
    fake.set_stock("MUG-SAGE", "AMZ", 4, stock_type="02")  # quality inspection
    fake.set_stock("MUG-SAGE", "AMZ", 9, special_stock_type="K")  # supplier consignment
    fake.set_stock("VASE-TALL", "AMZ", 2)
    fake.set_stock("VASE-TALL", "1010", 40)
    return fake


def _rows(found: list[MaterialStock]) -> list[tuple[str, str, str, Decimal]]:
    return [(r.material, r.plant, r.storage_location, r.quantity) for r in found]


def test_available_keeps_own_unrestricted_stock_of_the_plant(
    client: ODataClient, stocked: FakeSap
) -> None:
    found = list(MaterialStockService(client).available(["AMZ"]))
    assert _rows(found) == [
        ("MUG-SAGE", "AMZ", "0001", Decimal(12)),
        ("MUG-SAGE", "AMZ", "0002", Decimal("3.5")),
        ("VASE-TALL", "AMZ", "0001", Decimal(2)),
    ]
    first = found[0]
    assert (first.item, first.location, first.on_hand, first.allocated) == (
        "MUG-SAGE",
        "AMZ",
        Decimal(12),
        Decimal(0),
    )
    assert first.stock_type == "01" and first.special_stock_type == "" and first.unit == "EA"


def test_available_narrows_to_storage_locations_and_materials(
    client: ODataClient, stocked: FakeSap
) -> None:
    service = MaterialStockService(client)
    assert _rows(list(service.available("AMZ", storage_locations="0002"))) == [
        ("MUG-SAGE", "AMZ", "0002", Decimal("3.5"))
    ]
    assert _rows(list(service.available(["AMZ", "1010"], materials=["VASE-TALL"]))) == [
        ("VASE-TALL", "1010", "0001", Decimal(40)),
        ("VASE-TALL", "AMZ", "0001", Decimal(2)),
    ]


def test_rows_without_a_filter_page_through_every_stock_row(
    client: ODataClient, stocked: FakeSap
) -> None:
    assert len(list(MaterialStockService(client).rows())) == 7  # fake pages 3 at a time


def test_stock_page_asks_for_the_fields_it_reads_with_a_v2_filter() -> None:
    call = stock_page(available_filter(["AMZ"]), None)
    assert call.path == ENTITY_SET
    assert unquote(call.params["$filter"]) == (
        "Plant eq 'AMZ' and InventoryStockType eq '01' and InventorySpecialStockType eq ''"
    )
    assert "MatlWrhsStkQtyInMatlBaseUnit" in call.params["$select"]
    assert call.limit_key == "sap.stock.read"


def test_an_empty_plant_list_is_refused() -> None:
    with pytest.raises(ValidationError, match="Plant: one_of needs at least one value"):
        available_filter([])


async def test_async_service_reads_the_same_rows(
    aclient: AsyncODataClient, stocked: FakeSap
) -> None:
    service = AsyncMaterialStockService(aclient)
    found = [r async for r in service.available(["AMZ"], materials=["VASE-TALL"])]
    assert _rows(found) == [("VASE-TALL", "AMZ", "0001", Decimal(2))]
