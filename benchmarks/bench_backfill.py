"""Backfill: a year of orders by report vs through the API, in simulated time.

The fake SP-API holds ``--orders`` orders over 12 months, all in the US marketplace, and
enforces Amazon's published rates; the client's limiter and the fake share one manual clock,
so every throttled wait passes in simulated time, not for real. The script plans the backfill
(reports for the history, the API for the recent tail), runs it into a counting ERP target
through a real Poster and SQLite ledger, and prints the plan's estimate beside the simulated
duration of the run, and the API-only estimate. ``--api-run`` also runs the API-only plan
(slow in real time at 50,000 orders: every order is serialised and parsed as JSON).

Aim: each order posted exactly once with its items; the run within 10% of its estimate; the
plan at least 20x faster than the API alone.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from amazon_erp_bridge.amazon.backfill import PlannerSettings, plan_backfill
from amazon_erp_bridge.workflows.backfill import run_backfill
from amazon_erp_bridge.workflows.order_to_cash import CLOSED, WAITING
from tests.backfill.env import US, MemorySink, World


def _hours(seconds: float) -> str:
    return f"{seconds:,.0f} s ({seconds / 3600:.2f} h)"


def _world(orders: int) -> World:
    began = time.perf_counter()
    world = World(orders, 365)
    state = world.fake.state
    # one marketplace: the seller's whole volume goes through one searchOrders bucket
    state.orders = {k: attrs.evolve(o, marketplace_id=US) for k, o in state.orders.items()}
    print(f"seeded {orders:,} orders over 365 days in {time.perf_counter() - began:.1f} s real")
    return world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--api-run", action="store_true", help="also run the API-only plan")
    args, _ = parser.parse_known_args()

    settings = PlannerSettings(report_seconds=10, poll_interval=10)  # the fake's report time
    world = _world(args.orders)
    days = (world.end - world.start).days
    plan = plan_backfill(
        ["orders"], world.start, world.end, [US], orders_per_day=args.orders / days,
        settings=settings,
    )  # fmt: skip
    print(plan)
    began, real = world.clock(), time.perf_counter()
    report = run_backfill(world.amazon, world.ledger, plan, world.sink, name="bench",
                          clock=world.clock)  # fmt: skip
    simulated = world.clock() - began
    postable = {
        oid for oid, o in world.fake.state.orders.items()
        if o.status not in WAITING and o.status not in CLOSED
    }  # fmt: skip
    created: Counter[str] = world.target.created
    items_ok = all(
        world.target.lines[oid] == sum(line.quantity for line in world.fake.state.orders[oid].lines)
        for oid in created
    )
    print(
        f"\nreport plan run: {report.read:,} orders read, {len(created):,} posted "
        f"(postable {len(postable):,}), most posts of one order: {max(created.values())}, "
        f"items match: {items_ok}, 429s: {world.fake.throttled}"
    )
    print(f"  simulated {_hours(simulated)}; estimate {_hours(plan.estimated_seconds)} "
          f"({(simulated / plan.estimated_seconds - 1) * 100:+.1f}%); "
          f"{time.perf_counter() - real:.1f} s real")  # fmt: skip
    print(f"API-only estimate: {_hours(plan.api_only_seconds)}; "
          f"speedup {plan.speedup:.0f}x")  # fmt: skip
    if args.api_run:
        fresh = _world(args.orders)
        api_plan = plan_backfill(
            ["orders"], fresh.start, fresh.end, [US], orders_per_day=args.orders / days,
            settings=settings, api_only=True,
        )  # fmt: skip
        began, real = fresh.clock(), time.perf_counter()
        sink = MemorySink(fresh.ledger, fresh.target, fresh.clock)
        run_backfill(fresh.amazon, fresh.ledger, api_plan, sink, name="api", clock=fresh.clock)
        simulated = fresh.clock() - began
        print(f"API-only run: simulated {_hours(simulated)}; estimate "
              f"{_hours(api_plan.estimated_seconds)} "
              f"({(simulated / api_plan.estimated_seconds - 1) * 100:+.1f}%); "
              f"{len(fresh.target.created):,} posted; {time.perf_counter() - real:.1f} s real")  # fmt: skip


if __name__ == "__main__":
    main()
