"""Fault injection: order to cash and MCF against a sandbox that throttles, fails, drops
connections, loses MI replies after doing the work, expires tokens and crashes mid-post.
No duplicate reaches an ERP or Amazon; every source record ends posted or dead-lettered with
a reason."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from amazon_erp_bridge.model import FulfillmentChannel, OrderStatus
from amazon_erp_bridge.posting import RecordState
from amazon_erp_bridge.sandbox.rules import orders as rules
from amazon_erp_bridge.workflows.report import WorkflowReport

from .orders_env import Crash, CrashingLedger, World


def storm(world: World) -> None:
    """429 storms, 5xx, dropped connections, lost replies and expired tokens everywhere."""
    amazon, ion, sap = world.sandbox.amazon, world.sandbox.ion, world.sandbox.sap
    amazon.router.faults.throttle = 3  # a storm, yet within the clients' retry budget
    amazon.router.faults.fail = 1
    amazon.router.faults.drop = 1
    amazon.router.faults.match = r"/orders/|/fba/outbound/"
    amazon.expire_tokens()
    ion.rate_limit(per_second=5, burst=2)
    ion.router.faults.fail = 3
    ion.router.faults.drop = 1
    ion.router.faults.match = r"/execute"
    ion.crash_after_add_batch_head()  # a temporary order stays behind
    ion.lose_reply("OIS100MI", "Confirm")  # confirmed, but nobody heard
    ion.lose_reply("MWS420MI", "Confirm")  # delivered, but nobody heard
    ion.expire_tokens()
    sap.router.faults.throttle = 2
    sap.router.faults.fail = 2
    sap.router.faults.drop = 1
    sap.router.faults.match = r"A_SalesOrder|A_OutbDelivery|PostGoodsIssue|PickAllItems"
    sap.expire_csrf_tokens()


def settle(world: World, run: Callable[..., WorkflowReport], kinds: tuple[str, ...]) -> None:
    """Run as a scheduler would (a crashed run first) until nothing is left pending."""
    with pytest.raises(Crash):
        run(ledger=CrashingLedger(world.ledger))
    for _ in range(5):
        world.clock.advance(3600)  # dead claims expire, quotas refill, breakers close
        run()
        if all(world.settled(kind) for kind in kinds):
            break
    for kind in kinds:
        assert world.settled(kind), f"{kind}: still pending: {world.ledger.counts(kind)}"
        for dead in world.ledger.dead_letters(kind):
            assert dead.reason, dead


def shipped_by_amazon(world: World, marketplaces: tuple[str, ...]) -> set[str]:
    return {
        oid
        for oid, o in world.amazon_orders(marketplaces).items()
        if o.status is OrderStatus.SHIPPED and o.fulfillment_channel is FulfillmentChannel.AMAZON
    }


def test_m3_order_to_cash_survives_every_fault_without_a_duplicate() -> None:
    world = World()
    storm(world)
    settle(world, world.o2c_m3, ("order.m3", "shipment.m3"))
    markets = world.o2c_m3_config.marketplaces
    expected = world.postable(markets)
    records = {r.source_id: r for r in world.ledger.records(kind="order.m3")}
    assert set(records) == expected | {rules.DEAD_LETTER_M3}
    assert all(records[oid].state is RecordState.POSTED for oid in expected)
    by_cuor = world.m3_orders_by_cuor()
    assert {cuor for cuor, n in by_cuor.items() if n} == expected
    assert max(by_cuor.values()) == 1  # no order twice
    assert world.m3_open_batches() == []  # no temporary order left behind
    actions = {e.action for oid in expected for e in world.ledger.audit("order.m3", oid)}
    assert {"resume", "retry"} <= actions  # the lost AddBatchHead reply was lived through
    shipped = shipped_by_amazon(world, markets)
    invoiced = [i["ORNO"] for i in world.sandbox.ion.state.invoices]
    assert len(invoiced) == len(set(invoiced)) == len(shipped)  # each delivered once


def test_sap_order_to_cash_survives_every_fault_without_a_duplicate() -> None:
    world = World()
    storm(world)
    settle(world, world.o2c_sap, ("order.sap", "shipment.sap"))
    markets = world.o2c_sap_config.marketplaces
    expected = world.postable(markets)
    by_po = world.sap_orders_by_po()
    assert {po for po, n in by_po.items() if n} == expected
    assert max(by_po.values()) == 1
    deliveries = world.sap_deliveries()
    assert len(deliveries) == len(shipped_by_amazon(world, markets))
    assert all(d["OverallGoodsMovementStatus"] == "C" for d in deliveries)


def test_m3_mcf_survives_every_fault_without_a_duplicate() -> None:
    world = World()
    storm(world)
    settle(world, world.mcf_m3, ("mcf.m3", "mcf_shipment.m3"))
    flagged = {
        o.orno
        for o in world.sandbox.ion.state.orders.values()
        if o.head["CUNO"] == rules.M3_WEBSHOP and o.head["ORTP"] == "MCF"
    }
    assert set(world.mcf_orders()) == flagged
    assert {r.source_id for r in world.ledger.records(kind="mcf_shipment.m3")} == flagged
    assert all(world.sandbox.ion.state.orders[orno].orst == "77" for orno in flagged)


def test_sap_mcf_survives_every_fault_without_a_duplicate() -> None:
    world = World()
    storm(world)
    settle(world, world.mcf_sap, ("mcf.sap", "mcf_shipment.sap"))
    assert len(world.mcf_orders()) == 2
    deliveries = world.sap_deliveries()
    assert len(deliveries) == 2  # one per shipment, none twice
    assert len({d["BillOfLading"] for d in deliveries}) == 2
    assert all(d["OverallGoodsMovementStatus"] == "C" for d in deliveries)
