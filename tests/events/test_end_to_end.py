"""End to end against the sandbox: a burst of 1,000 ORDER_CHANGE notifications, 30% of them
duplicates, shuffled, posts exactly what one scheduled order-to-cash run posts, no more; a
replay of the burst posts nothing; unknown orders and bad messages are parked with reasons."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from amazon_erp_bridge.events.router import RoutingRules
from amazon_erp_bridge.events.runner import EventHandlers, EventRunner
from amazon_erp_bridge.events.sources import DirectorySource, MemorySource, Message
from amazon_erp_bridge.posting import RecordState
from amazon_erp_bridge.sandbox.amazon.notifications import order_change
from amazon_erp_bridge.workflows.order_to_cash import post_order_m3, post_order_sap

from ..workflows.orders_env import World

TOTAL = 1000
DUPLICATES = 300


def runner(world: World) -> EventRunner:
    markets = dict.fromkeys(world.o2c_m3_config.marketplaces, "m3")
    markets |= dict.fromkeys(world.o2c_sap_config.marketplaces, "sap")
    options = world.poster_options
    handlers = EventHandlers(
        orders={
            "m3": lambda oid: post_order_m3(
                world.amazon, world.m3, world.ledger, world.o2c_m3_config, oid,
                poster_options=options,
            ),
            "sap": lambda oid: post_order_sap(
                world.amazon, world.sap, world.ledger, world.o2c_sap_config, oid,
                poster_options=options,
            ),
        },
    )  # fmt: skip
    return EventRunner(world.ledger, RoutingRules(markets), handlers, batch_size=50)


def burst(world: World, seed: int = 11) -> list[Message]:
    """TOTAL messages: TOTAL - DUPLICATES distinct notifications spread over the orders (several
    per order, at different times), then DUPLICATES redeliveries, all shuffled."""
    rng = random.Random(seed)
    orders = sorted(world.sandbox.amazon.state.orders.values(), key=lambda o: o.order_id)
    unique = []
    for n in range(TOTAL - DUPLICATES):
        order = orders[n % len(orders)]
        at = order.last_updated - timedelta(minutes=rng.randint(0, 600))
        body = order_change(order, f"n{n:05d}", at=at)
        unique.append(Message(f"m{n:05d}", json.dumps(body).encode()))
    again = [Message(f"d{n:05d}", m.body) for n, m in enumerate(rng.choices(unique, k=DUPLICATES))]
    messages = unique + again
    rng.shuffle(messages)
    return messages


def erp_documents(world: World) -> dict[str, Any]:
    """What the ERPs hold of the marketplace orders: orders per Amazon id with their status,
    SAP deliveries per sales order reference."""
    customers = set(world.sandbox.m3_customers.values())
    m3 = Counter(
        (o.head.get("CUOR", ""), o.orst)
        for o in world.sandbox.ion.state.orders.values()
        if o.head["CUNO"] in customers
    )
    sap = world.sap_orders_by_po()
    return {
        "m3": m3,
        "sap": sap,
        "sap_deliveries": len(world.sap_deliveries()),
        "m3_batches": len(world.m3_open_batches()),
    }


def ledger_view(world: World) -> set[tuple[str, str, RecordState]]:
    return {
        (r.kind, r.source_id, r.state)
        for kind in ("order.m3", "order.sap", "shipment.m3", "shipment.sap")
        for r in world.ledger.records(kind=kind)
    }


def test_a_shuffled_burst_with_duplicates_posts_exactly_one_scheduled_run() -> None:
    scheduled = World()
    scheduled.o2c_m3()
    scheduled.o2c_sap()

    evented = World()
    messages = burst(evented)
    assert len(messages) == TOTAL
    source = MemorySource(messages)
    tally = runner(evented).run(source, once=True)

    assert erp_documents(evented) == erp_documents(scheduled)
    assert ledger_view(evented) == ledger_view(scheduled)
    assert tally.received == TOTAL
    assert tally.repeats >= 1
    assert len(source.acknowledged) + len(source.dead) == TOTAL
    assert not source.dead
    assert not tally.given_back
    # every message is settled, none is lost
    assert len(source) == 0

    # a replay of the whole burst (another consumer, same ledger) posts nothing
    before = erp_documents(evented)
    again = runner(evented).run(MemorySource(burst(evented, seed=12)), once=True)
    assert erp_documents(evented) == before
    created = [r for r in again.results if r.status.value == "created"]
    assert created == []


def test_then_the_scheduled_run_finds_everything_posted() -> None:
    world = World()
    runner(world).run(MemorySource(burst(world)), once=True)
    before = erp_documents(world)
    report = world.o2c_m3()
    world.o2c_sap()
    orders = next(s for s in report.steps if s.name == "orders").summary
    assert orders is not None
    assert not [r for r in orders.results if r.status.value == "created"]
    assert erp_documents(world) == before


def test_unknown_orders_and_bad_messages_are_parked_with_reasons(tmp_path: Path) -> None:
    world = World()
    order = next(iter(world.sandbox.amazon.state.orders.values()))
    known = order_change(order, "n-known")
    unknown = json.loads(json.dumps(known))
    body = unknown["Payload"]["OrderChangeNotification"]
    body["AmazonOrderId"] = "999-0000000-0000000"
    body["Summary"]["MarketplaceId"] = world.o2c_m3_config.marketplaces[0]
    unknown["NotificationMetadata"]["NotificationId"] = "n-unknown"
    (tmp_path / "1-known.json").write_text(json.dumps(known))
    (tmp_path / "2-unknown.json").write_text(json.dumps(unknown))
    (tmp_path / "3-garbage.json").write_text("{not json")
    (tmp_path / "4-other.json").write_text('{"NotificationType": "ANY_OFFER_CHANGED"}')
    tally = runner(world).run(DirectorySource(tmp_path), once=True)
    assert sorted(p.name for p in (tmp_path / "done").iterdir()) == ["1-known.json"]
    failed = tmp_path / "failed"
    assert "unknown" in (failed / "2-unknown.json.reason.txt").read_text()
    assert "999-0000000-0000000" in (failed / "2-unknown.json.reason.txt").read_text()
    assert "not JSON" in (failed / "3-garbage.json.reason.txt").read_text()
    assert "ANY_OFFER_CHANGED" in (failed / "4-other.json.reason.txt").read_text()
    assert len(tally.parked) == 3
    report = tally.report("m3+sap")
    assert report.to_dict()["steps"][0]["dead_lettered"] == 3
