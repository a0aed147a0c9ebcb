"""Order to cash against the sandbox, for M3 and SAP: each order posted once, shipments and
invoices, the rules per status, crashes, temporary M3 orders, dead letters and replay."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.mapping import ItemCrosswalk
from amazon_erp_bridge.model import FulfillmentChannel, OrderStatus
from amazon_erp_bridge.posting import PostStatus
from amazon_erp_bridge.sandbox.rules import orders as rules
from amazon_erp_bridge.workflows.order_to_cash import (
    OrderToCashM3Config,
    sap_crosswalk,
)
from amazon_erp_bridge.workflows.report import StepReport, WorkflowReport

from .orders_env import UK, US, Crash, CrashingLedger, World, extra_order


def step(report: WorkflowReport, name: str) -> StepReport:
    return next(s for s in report.steps if s.name == name)


def statuses(report: WorkflowReport, name: str) -> dict[str, PostStatus]:
    summary = step(report, name).summary
    assert summary is not None
    return {r.source_id: r.status for r in summary.results}


@pytest.fixture
def world() -> World:
    return World()


# -- Infor M3 ---------------------------------------------------------------------------------


def test_m3_posts_every_order_once_and_dead_letters_the_unknown_sku(world: World) -> None:
    markets = world.o2c_m3_config.marketplaces
    report = world.o2c_m3()
    posted = statuses(report, "orders")
    expected = world.postable(markets)
    assert {oid for oid, s in posted.items() if s is PostStatus.CREATED} == expected
    assert posted[rules.DEAD_LETTER_M3] is PostStatus.DEAD_LETTERED
    by_cuor = world.m3_orders_by_cuor()
    assert all(by_cuor[oid] == 1 for oid in expected)
    assert rules.DEAD_LETTER_M3 not in by_cuor
    (dead,) = world.ledger.dead_letters("order.m3")
    assert "seller SKU 'SKU-MUG-1'" in (dead.reason or "")
    assert "closest: seller SKU 'SKU-MUG-01' -> MUG01" in (dead.reason or "")
    assert not report.ok
    assert "! 114-4040404-0000001: dead_lettered" in str(report)


def test_m3_second_run_skips_duplicates_and_creates_nothing(world: World) -> None:
    world.o2c_m3()
    orders_before = dict(world.sandbox.ion.state.orders)
    second = world.o2c_m3()
    assert set(statuses(second, "orders").values()) <= {
        PostStatus.DUPLICATE,
        PostStatus.DEAD_LETTERED,
    }
    assert world.sandbox.ion.state.orders == orders_before
    assert any("cursor amazon.orders.m3 ->" in n for n in step(second, "orders").notes)


def test_m3_confirms_delivery_of_orders_amazon_shipped_and_reads_invoices(world: World) -> None:
    report = world.o2c_m3()
    amazon = world.amazon_orders(world.o2c_m3_config.marketplaces)
    shipped = {
        oid
        for oid, o in amazon.items()
        if o.status is OrderStatus.SHIPPED and o.fulfillment_channel is FulfillmentChannel.AMAZON
    }
    assert set(statuses(report, "shipments")) == shipped
    delivered = {o.head["CUOR"] for o in world.sandbox.ion.state.orders.values() if o.orst == "77"}
    assert delivered == shipped  # merchant orders are the ERP's own business
    notes = step(report, "invoices").notes
    assert notes[0].startswith(f"{len(shipped)} invoices read back for {len(shipped)} of")
    assert any(n.startswith("invoice ") for n in notes)
    assert len(world.sandbox.ion.state.invoices) == len(shipped)


def test_m3_pending_orders_wait_and_cancelled_ones_are_not_created(world: World) -> None:
    world.sandbox.amazon.add_order(extra_order("111-0000000-0000001", OrderStatus.PENDING))
    world.sandbox.amazon.add_order(extra_order("111-0000000-0000002", OrderStatus.CANCELED))
    world.sandbox.amazon.add_order(extra_order("111-0000000-0000003", OrderStatus.UNSHIPPED))
    report = world.o2c_m3()
    posted = statuses(report, "orders")
    assert "111-0000000-0000001" not in posted
    assert "111-0000000-0000002" not in posted
    assert posted["111-0000000-0000003"] is PostStatus.CREATED
    notes = " | ".join(step(report, "orders").notes)
    assert "not posted yet: 1 pending (Amazon has not confirmed payment): 111-0000000-0000001" in (
        notes
    )
    assert "not created: 1 cancelled before posting: 111-0000000-0000002" in notes
    assert world.ledger.get("order.m3", "111-0000000-0000001") is None


def test_m3_pending_order_is_posted_once_amazon_confirms_it(world: World) -> None:
    pending = extra_order("111-0000000-0000004", OrderStatus.PENDING)
    world.sandbox.amazon.add_order(pending)
    world.o2c_m3()
    confirmed = attrs.evolve(
        pending,
        status=OrderStatus.UNSHIPPED,
        last_updated=datetime(2026, 4, 2, tzinfo=pending.last_updated.tzinfo),
        order_total=pending.lines[0].item_price,
    )
    world.sandbox.amazon.add_order(confirmed)
    assert statuses(world.o2c_m3(), "orders")[pending.order_id] is PostStatus.CREATED


def test_m3_order_cancelled_after_posting_is_reported_not_touched(world: World) -> None:
    # with cancel_orders=False; the cancellation itself: tests/workflows/test_cancellations.py
    config = attrs.evolve(world.o2c_m3_config, cancel_orders=False)
    order = extra_order("111-0000000-0000005", OrderStatus.UNSHIPPED)
    world.sandbox.amazon.add_order(order)
    world.o2c_m3(config=config)
    cancelled = attrs.evolve(
        order, status=OrderStatus.CANCELED, last_updated=order.last_updated + timedelta(days=30)
    )
    world.sandbox.amazon.add_order(cancelled)
    report = world.o2c_m3(config=config)
    orno = world.ledger.get("order.m3", order.order_id).document_id  # type: ignore[union-attr]
    notes = " ".join(step(report, "orders").notes)
    assert f"{order.order_id} ({orno}); cancel them in M3" in notes
    assert world.m3_orders_by_cuor()[order.order_id] == 1


def test_mcf_orders_in_amazons_list_are_left_to_the_mcf_workflow(world: World) -> None:
    mcf = attrs.evolve(
        extra_order("111-0000000-0000006", OrderStatus.SHIPPED), sales_channel="Non-Amazon"
    )
    world.sandbox.amazon.add_order(mcf)
    report = world.o2c_m3()
    assert mcf.order_id not in statuses(report, "orders")
    assert "left to the MCF workflow: 1 MCF orders" in " ".join(step(report, "orders").notes)


def test_m3_crash_between_create_and_ledger_write_makes_no_duplicate(world: World) -> None:
    with pytest.raises(Crash):
        world.o2c_m3(ledger=CrashingLedger(world.ledger))
    world.clock.advance(120)  # the dead run's claim lease runs out
    report = world.o2c_m3()
    posted = statuses(report, "orders")
    assert PostStatus.FOUND_EXISTING in posted.values()
    by_cuor = world.m3_orders_by_cuor()
    assert all(by_cuor[oid] == 1 for oid in world.postable(world.o2c_m3_config.marketplaces))


def test_m3_temporary_order_left_by_a_crash_is_resumed(world: World) -> None:
    order = extra_order("111-0000000-0000007", OrderStatus.UNSHIPPED)
    world.sandbox.amazon.add_order(order)
    temporary = world.sandbox.ion.add_temporary_order(
        "AMZUS", order.order_id, [{"ITNO": "TEA05", "ORQT": "2", "CUOR": order.order_id}]
    )
    report = world.o2c_m3()
    assert statuses(report, "orders")[order.order_id] is PostStatus.RESUMED
    assert world.m3_orders_by_cuor()[order.order_id] == 1
    final = next(
        o for o in world.sandbox.ion.state.orders.values() if o.head["CUOR"] == order.order_id
    )
    assert final.temporary_orno == temporary
    assert world.m3_open_batches() == []


def test_m3_lost_reply_after_add_batch_head_is_resumed_in_the_same_run(world: World) -> None:
    world.sandbox.ion.crash_after_add_batch_head()
    report = world.o2c_m3()
    assert PostStatus.RESUMED in statuses(report, "orders").values()
    assert world.m3_open_batches() == []
    assert max(world.m3_orders_by_cuor().values()) == 1


def test_m3_dead_letter_is_posted_by_replay_after_the_crosswalk_is_fixed(world: World) -> None:
    world.o2c_m3()
    world.m3.items.add_alias("MUG01", "seller_sku", rules.TYPO_SKU)  # the fix, in M3
    report = world.o2c_m3(replay=True)
    assert statuses(report, "replay") == {rules.DEAD_LETTER_M3: PostStatus.CREATED}
    assert world.m3_orders_by_cuor()[rules.DEAD_LETTER_M3] == 1
    assert world.ledger.dead_letters("order.m3") == []
    assert statuses(world.o2c_m3(replay=True), "replay") == {}


def test_m3_orders_that_fail_hold_the_cursor_until_a_later_run(world: World) -> None:
    faults = world.sandbox.ion.router.faults
    faults.fail, faults.match = 10_000, "AddBatchHead"
    first = world.o2c_m3()
    assert set(statuses(first, "orders").values()) <= {
        PostStatus.FAILED,
        PostStatus.DEFERRED,
        PostStatus.DEAD_LETTERED,
    }
    assert any("kept at" in n for n in step(first, "orders").notes)
    faults.reset()
    world.clock.advance(3600)  # the circuit breaker lets calls through again
    second = world.o2c_m3()
    expected = world.postable(world.o2c_m3_config.marketplaces)
    assert {o for o, s in statuses(second, "orders").items() if s.name == "CREATED"} == expected


def test_m3_config_refuses_a_naive_start_and_no_marketplaces(world: World) -> None:
    config = world.o2c_m3_config
    with pytest.raises(ValidationError, match="start must be timezone-aware"):
        attrs.evolve(config, start=datetime(2026, 3, 1))
    with pytest.raises(ValidationError, match="marketplaces must name at least one"):
        OrderToCashM3Config(
            marketplaces=(),
            customers=config.customers,
            order_types=config.order_types,
            start=config.start,
        )


# -- SAP S/4HANA ------------------------------------------------------------------------------


def test_sap_posts_every_order_once_delivers_and_bills(world: World) -> None:
    markets = world.o2c_sap_config.marketplaces
    report = world.o2c_sap()
    expected = world.postable(markets)
    posted = statuses(report, "orders")
    assert {o for o, s in posted.items() if s is PostStatus.CREATED} == expected
    assert posted[rules.DEAD_LETTER_SAP] is PostStatus.DEAD_LETTERED
    by_po = world.sap_orders_by_po()
    assert all(by_po[oid] == 1 for oid in expected)
    cancelled = {
        oid for oid, o in world.amazon_orders(markets).items() if o.status is OrderStatus.CANCELED
    }
    assert cancelled and not cancelled & set(by_po)
    shipped = set(statuses(report, "shipments"))
    assert len(world.sap_deliveries()) == len(shipped)
    assert all(d["OverallGoodsMovementStatus"] == "C" for d in world.sap_deliveries())
    assert step(report, "invoices").notes[0].startswith(f"{len(shipped)} invoices read back")


def test_sap_second_run_skips_duplicates_and_creates_nothing(world: World) -> None:
    world.o2c_sap()
    before = (world.sap_orders_by_po(), len(world.sap_deliveries()))
    second = world.o2c_sap()
    assert PostStatus.CREATED not in statuses(second, "orders").values()
    assert PostStatus.CREATED not in statuses(second, "shipments").values()
    assert (world.sap_orders_by_po(), len(world.sap_deliveries())) == before


def test_sap_crash_between_create_and_ledger_write_makes_no_duplicate(world: World) -> None:
    with pytest.raises(Crash):
        world.o2c_sap(ledger=CrashingLedger(world.ledger))
    world.clock.advance(120)
    report = world.o2c_sap()
    assert PostStatus.FOUND_EXISTING in statuses(report, "orders").values()
    assert max(world.sap_orders_by_po().values()) == 1


def test_sap_delivery_left_without_goods_issue_is_finished(world: World) -> None:
    faults = world.sandbox.sap.router.faults
    faults.fail, faults.match = 10_000, "PostGoodsIssue"
    first = world.o2c_sap()
    assert PostStatus.FAILED in statuses(first, "shipments").values()
    faults.reset()
    world.clock.advance(3600)
    second = world.o2c_sap()
    resumed = statuses(second, "shipments")
    assert PostStatus.RESUMED in resumed.values()
    assert all(d["OverallGoodsMovementStatus"] == "C" for d in world.sap_deliveries())
    sales_orders = [d["SoldToParty"] for d in world.sap_deliveries()]
    assert len(sales_orders) == len(statuses(first, "shipments"))  # one delivery each


def test_sap_dead_letter_is_posted_by_replay_with_a_fixed_crosswalk(world: World) -> None:
    world.o2c_sap()
    fixed = sap_crosswalk(world.sap).merged(
        ItemCrosswalk.from_entries([("seller_sku", rules.TYPO_SKU, rules.RIGHT_SKU)])
    )
    config = attrs.evolve(world.o2c_sap_config, items=fixed)
    report = world.o2c_sap(config=config, replay=True)
    assert statuses(report, "replay") == {rules.DEAD_LETTER_SAP: PostStatus.CREATED}
    assert world.sap_orders_by_po()[rules.DEAD_LETTER_SAP] == 1


def test_sap_cancelled_after_posting_is_reported(world: World) -> None:
    config = attrs.evolve(world.o2c_sap_config, cancel_orders=False)  # see test_cancellations
    order = extra_order("206-0000000-0000001", OrderStatus.UNSHIPPED, marketplace=UK)
    world.sandbox.amazon.add_order(order)
    world.o2c_sap(config=config)
    world.sandbox.amazon.add_order(
        attrs.evolve(
            order, status=OrderStatus.CANCELED, last_updated=order.last_updated + timedelta(40)
        )
    )
    notes = " ".join(step(world.o2c_sap(config=config), "orders").notes)
    assert f"{order.order_id}" in notes and "cancel them in SAP" in notes


def test_config_builders_seed_once(world: World) -> None:
    before = len(world.sandbox.amazon.state.orders), len(world.sandbox.ion.state.orders)
    rules.order_to_cash_m3_config(world.sandbox)
    rules.mcf_sap_config(world.sandbox)
    assert (len(world.sandbox.amazon.state.orders), len(world.sandbox.ion.state.orders)) == before
    assert US in world.o2c_m3_config.marketplaces
    assert UK in world.o2c_sap_config.marketplaces


def test_orders_that_cannot_be_listed_are_reported_and_the_cursor_stays(world: World) -> None:
    faults = world.sandbox.amazon.router.faults
    faults.fail, faults.match = 10_000, r"/orders/"
    report = world.o2c_m3()
    (failed,) = step(report, "orders").summary.results  # type: ignore[union-attr]
    assert failed.status is PostStatus.FAILED
    assert "listing failed: ApiError" in (failed.reason or "")
    assert not report.ok
    assert world.ledger.get_cursor(world.o2c_m3_config.cursor) is None
    faults.reset()
    assert PostStatus.CREATED in statuses(world.o2c_m3(), "orders").values()
