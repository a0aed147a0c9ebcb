"""FBA Inventory getInventorySummaries: call, parse (top-level pagination), sandbox."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx2
import pytest

from amazon_erp_bridge.amazon import inventory as ops
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import ItemRef

from .spapi_env import Env

RECORDED = Path(__file__).parent / "recorded"


def test_call_always_asks_for_details_at_marketplace_granularity() -> None:
    call = ops.get_inventory_summaries(
        "A1PA6795UKMFR9",
        seller_skus=["A", "B"],
        start_date_time=datetime(2026, 3, 1, tzinfo=UTC),
        next_token="n",
    )
    assert call.path == "/fba/inventory/v1/summaries"
    assert call.limit_key == "fbaInventory.getInventorySummaries"
    assert call.params == {
        "details": "true",
        "granularityType": "Marketplace",
        "granularityId": "A1PA6795UKMFR9",
        "marketplaceIds": "A1PA6795UKMFR9",
        "sellerSkus": "A,B",
        "startDateTime": "2026-03-01T00:00:00Z",
        "nextToken": "n",
    }


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"marketplace_id": ""}, "marketplace_id"),
        ({"marketplace_id": "M", "seller_skus": [str(i) for i in range(51)]}, "at most 50"),
        ({"marketplace_id": "M", "start_date_time": datetime(2026, 3, 1)}, "no time zone"),
    ],
)
def test_bad_inventory_arguments(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        ops.get_inventory_summaries(**kwargs)  # type: ignore[arg-type]


def test_parse_summaries_with_details_and_top_level_token() -> None:
    response = httpx2.Response(
        200, content=(RECORDED / "inventory_getInventorySummaries.json").read_bytes()
    )
    page = ops.get_inventory_summaries("ATVPDKIKX0DER").parse(response)
    assert page.next_token == "seed-inv-page-2"
    mug, lamp = page.items
    assert mug.item == ItemRef("MUG-RED-12OZ", "B0EXAMPLE1", "X00EXAMPL1")
    assert (mug.fulfillable, mug.reserved, mug.inbound, mug.unfulfillable, mug.researching) == (
        140,
        9,
        40,
        3,
        1,
    )
    assert mug.total == 193
    assert mug.location == "ATVPDKIKX0DER" and mug.condition == "NewItem"
    assert mug.updated_at == datetime(2026, 3, 10, 4, 5, 6, tzinfo=UTC)
    assert (lamp.fulfillable, lamp.reserved, lamp.inbound, lamp.updated_at) == (0, 0, 0, None)


def test_non_integer_quantity_is_unreadable() -> None:
    body = (
        b'{"payload":{"granularity":{"granularityId":"M"},"inventorySummaries":'
        b'[{"sellerSku":"S","inventoryDetails":{"fulfillableQuantity":"many"}}]}}'
    )
    with pytest.raises(ValueError, match="fulfillableQuantity"):
        ops.get_inventory_summaries("M").parse(httpx2.Response(200, content=body))


def test_sandbox_pages_through_every_sku() -> None:
    env = Env(page_size=4)
    levels = list(env.client().inventory.get_inventory_summaries("A1VC38T7YXB528"))
    expected = [
        v for (m, _), v in sorted(env.fake.state.inventory.items()) if m == "A1VC38T7YXB528"
    ]
    assert levels == expected
    assert len(env.paths("/fba/inventory/v1/summaries")) == 2


def test_sandbox_filters_by_sku() -> None:
    env = Env()
    levels = list(
        env.client().inventory.get_inventory_summaries("ATVPDKIKX0DER", seller_skus=["SKU-MUG-01"])
    )
    assert [lv.item.seller_sku for lv in levels] == ["SKU-MUG-01"]


async def test_async_inventory() -> None:
    env = Env(page_size=4)
    client = env.async_client()
    levels = [lv async for lv in client.inventory.get_inventory_summaries("ATVPDKIKX0DER")]
    assert len(levels) == 6
    await client.aclose()
