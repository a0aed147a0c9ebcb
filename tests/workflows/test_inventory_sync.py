"""Inventory sync against the sandbox: ERP available-to-sell -> Amazon quantities, changes only."""

from __future__ import annotations

import json

import attrs
import pytest

from amazon_erp_bridge.errors import ConfigurationError
from amazon_erp_bridge.mapping import InventoryRules
from amazon_erp_bridge.posting import PostStatus
from amazon_erp_bridge.sandbox.environment import WAREHOUSE
from amazon_erp_bridge.sandbox.rules import finance
from amazon_erp_bridge.workflows.inventory_sync import InventorySyncM3Config

from .finance_env import US, World

#: STOCK on-hand less allocated, less the buffer of 2 and (pens) 5 reserved; fractions down.
EXPECTED = {
    "SKU-MUG-01": 103,
    "SKU-LAMP-02": 30,
    "SKU-BAG-03": 0,
    "SKU-PEN-04": 0,
    "SKU-TEA-05": 458,
    "SKU-BOOK-06": 56,
}


def feeds(world: World) -> list[dict]:
    """The JSON_LISTINGS_FEEDs the Amazon fake received, oldest first."""
    fake = world.sandbox.amazon
    return [
        json.loads(fake.documents.text(feed.input_document_id))
        for feed in fake.feeds.feeds.values()
    ]


def sent(feed: dict) -> dict[str, int]:
    return {m["sku"]: m["patches"][0]["value"][0]["quantity"] for m in feed["messages"]}


def test_m3_stock_reaches_amazon_with_reservations_and_buffer_held_back() -> None:
    world = World()
    report = world.inventory_m3()
    assert report.ok and report.erp == "m3"
    assert world.sandbox.amazon.feeds.quantities == EXPECTED
    [feed] = feeds(world)
    assert feed["header"]["sellerId"] == world.sandbox.amazon.state.seller_id
    text = str(report)
    assert "M3 warehouse AMZ: 6 balances of 6 items" in text
    assert "6 of 6 SKUs changed" in text and "6 accepted, 0 rejected" in text


def test_a_second_run_with_unchanged_stock_sends_no_feed() -> None:
    world = World()
    world.inventory_m3()
    again = world.inventory_m3()
    assert len(feeds(world)) == 1
    assert "6 SKUs unchanged; no feed sent" in str(again)


def test_only_changed_skus_are_sent() -> None:
    world = World()
    world.inventory_m3()
    world.sandbox.ion.set_stock(world.sandbox.m3_item("SKU-MUG-01"), WAREHOUSE, 50, 10)
    report = world.inventory_m3()
    assert sent(feeds(world)[-1]) == {"SKU-MUG-01": 38}
    assert "SKU-MUG-01 103 -> 38" in str(report)


def test_allocations_beyond_stock_send_zero_never_a_negative_quantity() -> None:
    world = World()
    world.inventory_m3()
    world.sandbox.ion.set_stock(world.sandbox.m3_item("SKU-LAMP-02"), WAREHOUSE, 2, 9)
    world.inventory_m3()
    assert sent(feeds(world)[-1]) == {"SKU-LAMP-02": 0}


def test_the_cursor_holds_the_quantities_amazon_accepted() -> None:
    world = World()
    world.inventory_m3()
    assert json.loads(world.ledger.get_cursor("amazon.inventory.m3")) == {US: EXPECTED}


def test_skus_amazon_rejects_are_reported_and_sent_again_next_run() -> None:
    world = World()
    world.sandbox.amazon.feeds.listings.discard("SKU-TEA-05")
    report = world.inventory_m3()
    assert not report.ok
    [failed] = report.steps[-1].summary.results
    assert (failed.source_id, failed.status) == ("SKU-TEA-05", PostStatus.FAILED)
    assert "SANDBOX_SKU_NOT_FOUND" in failed.reason and "has no listing" in failed.reason
    assert "5 accepted, 1 rejected" in str(report)
    world.sandbox.amazon.feeds.listings.add("SKU-TEA-05")
    again = world.inventory_m3()
    assert again.ok and sent(feeds(world)[-1]) == {"SKU-TEA-05": 458}


def test_a_feed_that_fails_leaves_every_change_for_the_next_run() -> None:
    world = World()
    world.sandbox.amazon.feeds.fail_next = "FATAL"
    report = world.inventory_m3()
    results = report.steps[-1].summary.results
    assert {r.status for r in results} == {PostStatus.FAILED} and len(results) == 6
    assert "not sent: FeedFailedError" in results[0].reason
    world.inventory_m3()
    assert world.sandbox.amazon.feeds.quantities == EXPECTED


def test_shares_split_the_stock_over_marketplaces_one_feed_each() -> None:
    world = World()
    canada = "A2EUQ1WTGCTBG2"
    config = attrs.evolve(
        finance.inventory_sync_m3_config(world.sandbox),
        rules=attrs.evolve(finance.INVENTORY_RULES, shares={US: "0.5", canada: "0.5"}),
        marketplace_ids=(US, canada),
    )
    report = world.inventory_m3(config=config)
    first, second = feeds(world)
    assert sent(first)["SKU-MUG-01"] + sent(second)["SKU-MUG-01"] == 103
    assert [s.name for s in report.steps] == [
        "read stock",
        "feed to Amazon US",
        "feed to Amazon CA",
    ]


def test_sap_offers_own_unrestricted_stock_only() -> None:
    world = World()
    report = world.inventory_sap()
    assert report.ok and report.erp == "sap"
    # blocked mugs, lamps in inspection and consignment tea are never offered
    assert world.sandbox.amazon.feeds.quantities == EXPECTED
    assert "SAP plant AMZ: 6 unrestricted stock rows of 6 products" in str(report)
    assert "no feed sent" in str(world.inventory_sap())


def test_sap_changes_only() -> None:
    world = World()
    world.inventory_sap()
    world.sandbox.sap.set_stock("SKU-BAG-03", WAREHOUSE, 12)
    world.inventory_sap()
    assert sent(feeds(world)[-1]) == {"SKU-BAG-03": 10}


def test_a_config_without_marketplaces_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="at least one marketplace"):
        InventorySyncM3Config(
            rules=InventoryRules(), seller_id="A1", marketplace_ids=(), warehouses=("AMZ",)
        )


def test_an_unreadable_cursor_is_a_configuration_error() -> None:
    world = World()
    world.ledger.set_cursor("amazon.inventory.m3", "[1, 2]")
    with pytest.raises(ConfigurationError, match="send every quantity again"):
        world.inventory_m3()
