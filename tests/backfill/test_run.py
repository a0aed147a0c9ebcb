"""Backfills against the sandbox, which enforces Amazon's published rates in simulated time
(one manual clock for the client's limiter and the fake; nothing sleeps for real)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from amazon_erp_bridge.amazon.backfill import PlannerSettings, Source, plan_backfill
from amazon_erp_bridge.model import OrderStatus
from amazon_erp_bridge.workflows.backfill import DONE, WindowProgress, backfill_m3, run_backfill
from amazon_erp_bridge.workflows.order_to_cash import CLOSED, WAITING

from .env import US, Crash, MemorySink, World

#: The sandbox finishes a report on its second getReport: one poll interval of processing.
SANDBOX = PlannerSettings(report_seconds=10, poll_interval=10)
ORDERS = 3000  # over the six seeded marketplace slots: about 1,000 in the US


def _postable(world: World) -> set[str]:
    return {
        oid
        for oid, o in world.orders().items()
        if o.status not in WAITING and o.status not in CLOSED
    }


@pytest.fixture(scope="module")
def year() -> World:
    return World(ORDERS, 365)


def _plan(world: World, settings: PlannerSettings = SANDBOX, **kw: object):  # type: ignore[no-untyped-def]
    per_day = len(world.orders()) / (world.end - world.start).days
    return plan_backfill(
        ["orders"],
        world.start,
        world.end,
        [US],
        orders_per_day=per_day,
        settings=settings,
        **kw,  # type: ignore[arg-type]
    )


def test_a_year_of_orders_is_posted_once_each_with_its_items() -> None:
    world = World(ORDERS, 365)
    plan = _plan(world)
    seen: list[WindowProgress] = []
    began = world.clock()
    report = run_backfill(
        world.amazon,
        world.ledger,
        plan,
        world.sink,
        name="year",
        clock=world.clock,
        on_window=seen.append,
    )
    elapsed = world.clock() - began
    assert world.fake.throttled == 0
    assert set(world.target.created) == _postable(world)
    assert max(world.target.created.values()) == 1
    for order_id in world.target.created:
        order = world.orders()[order_id]
        assert world.target.lines[order_id] == sum(line.quantity for line in order.lines)
    assert report.read == len(world.orders())  # every order read exactly once
    assert [p.key for p in seen] == [p.key for p in report.windows]
    assert {w.source for w in plan.windows} == {Source.REPORT, Source.API}
    # the estimate holds within 10% of the simulated run
    assert elapsed == pytest.approx(plan.estimated_seconds, rel=0.10)
    assert all(world.ledger.get_cursor(f"backfill.year.{w.key}") == DONE for w in plan.windows)


def test_api_only_estimate_holds_within_ten_percent_of_a_simulated_run() -> None:
    world = World(ORDERS, 365, page_size=20)  # 20 orders a page: about 50 throttled pages
    settings = PlannerSettings(report_seconds=10, poll_interval=10, page_size=20)
    plan = _plan(world, settings, api_only=True)
    began = world.clock()
    run_backfill(world.amazon, world.ledger, plan, world.sink, name="api", clock=world.clock)
    elapsed = world.clock() - began
    assert elapsed > 3000  # the searchOrders bucket ran dry: the rate decides
    assert elapsed == pytest.approx(plan.estimated_seconds, rel=0.10)
    assert set(world.target.created) == _postable(world)
    # the report plan of the same orders is estimated (and runs) far faster
    fast = _plan(world, settings)
    assert fast.api_only_seconds == pytest.approx(plan.estimated_seconds, rel=0.01)
    assert fast.speedup > 20


def test_fifty_thousand_orders_plan_estimates_20x_less_than_the_api() -> None:
    world = World(60, 30)
    plan = plan_backfill(
        ["orders"],
        world.start,
        world.start + timedelta(days=365),
        [US],
        orders_per_day=50_000 / 365,
        settings=SANDBOX,
    )
    assert plan.speedup >= 20


def test_crash_mid_backfill_then_resume_posts_no_order_twice() -> None:
    world = World(ORDERS, 365)
    plan = _plan(world)
    world.sink.crash_after = 300
    with pytest.raises(Crash):
        run_backfill(world.amazon, world.ledger, plan, world.sink, name="b", clock=world.clock)
    first = Counter(world.target.created)
    assert 0 < sum(first.values()) == 300
    created_reports = len(world.fake.requests_to(r"/reports/2021-06-30/reports$"))
    sink = MemorySink(world.ledger, world.target, world.clock)  # a new process
    report = run_backfill(world.amazon, world.ledger, plan, sink, name="b", clock=world.clock)
    assert set(world.target.created) == _postable(world)
    assert max(world.target.created.values()) == 1
    assert any(w.resumed for w in report.windows)  # done windows were skipped
    assert sum(w.duplicates for w in report.windows) > 0  # the half-done window re-read
    # the reports requested before the crash were collected, not requested again
    assert len(world.fake.requests_to(r"/reports/2021-06-30/reports$")) == created_reports


def test_backfill_then_scheduled_run_posts_nothing_twice_in_m3() -> None:
    from tests.workflows.orders_env import World as O2cWorld

    world = O2cWorld()
    config = world.o2c_m3_config
    end = max(o.purchase_date for o in world.amazon_orders(config.marketplaces).values())
    plan = plan_backfill(
        ["orders", "shipments"],
        config.start,
        end + timedelta(seconds=1),
        list(config.marketplaces),
        orders_per_day=2,
        settings=SANDBOX,
    )
    assert any(w.source is Source.REPORT for w in plan.windows)
    report = backfill_m3(
        world.amazon,
        world.m3,
        world.ledger,
        config,
        plan,
        poster_options=world.poster_options,
        clock=world.clock,
    )
    assert report.posted > 0
    again = world.o2c_m3()
    orders_step = again.steps[0] if again.steps[0].name == "orders" else again.steps[1]
    assert not orders_step.summary.posted  # the scheduled run found them all posted
    assert max(world.m3_orders_by_cuor().values()) == 1
    shipped = [
        o
        for o in world.amazon_orders(config.marketplaces).values()
        if o.status is OrderStatus.SHIPPED
    ]
    assert shipped
