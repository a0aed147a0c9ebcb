"""Stock events sync just their SKUs: a SKU whose Amazon quantity drifted from what was sent
gets the ERP quantity again; the runner hands a batch's SKUs to one targeted sync."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from amazon_erp_bridge.events.router import RoutingRules
from amazon_erp_bridge.events.runner import EventHandlers, EventRunner
from amazon_erp_bridge.events.sources import MemorySource
from amazon_erp_bridge.posting import SqliteLedger
from amazon_erp_bridge.sandbox.environment import WAREHOUSE
from amazon_erp_bridge.sandbox.rules import finance
from amazon_erp_bridge.workflows.inventory_sync import sync_skus_m3
from amazon_erp_bridge.workflows.report import StepReport, WorkflowReport

from ..workflows.finance_env import World
from ..workflows.test_inventory_sync import feeds, sent
from .schema_tools import examples


def test_a_drifted_amazon_quantity_is_sent_again_for_that_sku_only() -> None:
    world = World()
    world.inventory_m3()  # every SKU sent once
    config = finance.inventory_sync_m3_config(world.sandbox)
    # Amazon says 99 mugs (an order or a person changed it); M3 still has 103 to sell
    report = sync_skus_m3(world.amazon, world.m3, world.ledger, config, {"SKU-MUG-01": 99})
    assert sent(feeds(world)[-1]) == {"SKU-MUG-01": 103}
    assert "1 of 1 SKUs changed" in str(report)
    # no drift, no change in M3: nothing sent
    sync_skus_m3(world.amazon, world.m3, world.ledger, config, {"SKU-MUG-01": 103})
    assert len(feeds(world)) == 2
    # an FBA availability event (no comparable quantity) sends only what M3 changed
    world.sandbox.ion.set_stock(world.sandbox.m3_item("SKU-TEA-05"), WAREHOUSE, 50, 10)
    sync_skus_m3(
        world.amazon, world.m3, world.ledger, config, {"SKU-TEA-05": None, "SKU-MUG-01": None}
    )
    assert sent(feeds(world)[-1]) == {"SKU-TEA-05": 38}
    # the scheduled run afterwards has nothing left to send
    again = world.inventory_m3()
    assert "unchanged; no feed sent" in str(again)


def mfn_event(event_id: str, sku: str, quantity: int, at: str) -> str:
    body: dict[str, Any] = examples("LISTINGS_ITEM_MFN_QUANTITY_CHANGE")[0]
    body["NotificationMetadata"]["NotificationId"] = event_id
    body["Payload"]["Sku"] = sku
    body["Payload"]["Quantity"] = quantity
    body["EventTime"] = at
    return json.dumps(body)


def fba_event(event_id: str, sku: str) -> str:
    body: dict[str, Any] = examples("FBA_INVENTORY_AVAILABILITY_CHANGES")[0]
    body["Payload"]["SKU"] = sku
    body["EventTime"] = f"2026-03-02T10:00:0{event_id}.000Z"
    return json.dumps(body)


def test_the_runner_hands_a_batchs_skus_with_amazons_latest_quantity() -> None:
    asked: list[Mapping[str, int | None]] = []

    def sync(has: Mapping[str, int | None]) -> WorkflowReport:
        asked.append(dict(has))
        return WorkflowReport("inventory-sync", "m3", [StepReport("feed")])

    handlers = EventHandlers(skus={"m3": sync})
    runner = EventRunner(SqliteLedger(), RoutingRules({}), handlers, batch_size=10)
    source = MemorySource(
        [
            mfn_event("a", "SKU-MUG-01", 7, "2026-03-02T10:00:00.000Z"),
            mfn_event("b", "SKU-MUG-01", 5, "2026-03-02T11:00:00.000Z"),
            mfn_event("c", "SKU-MUG-01", 9, "2026-03-02T09:00:00.000Z"),  # late, older
            fba_event("1", "SKU-TEA-05"),
        ]
    )
    tally = runner.run(source, once=True)
    assert asked == [{"SKU-MUG-01": 5, "SKU-TEA-05": None}]
    assert tally.handled == 4
