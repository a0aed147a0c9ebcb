"""Bulk reads at a real latency: many getOrderItems in flight against the fake SP-API.

The fake serves over real loopback HTTP, enforces a token bucket per operation as Amazon does
(429 when empty), reports its live rate in ``x-amzn-RateLimit-Limit`` and answers every
getOrderItems after ``--latency`` seconds (150 ms by default). The client starts from the
documented usage plan (0.5 requests/s, burst 30) and learns the live rate from the first
answer; the calls already waiting are re-timed at once.

Runs:

1. the case of issue 18: 150 getOrderItems launched at once (async, all in flight) against a
   live rate of 10/s: (150 - burst) / 10 s is what the rate allows; at the documented rate it
   would take about 242 s;
2. the items of ``--orders`` orders (500) through ``AsyncSpApiClient.orders.get_items_many``
   and through the sync ``SpApiClient.orders.get_items_many`` (a bounded thread pool), at a
   live rate of ``--rate`` (50/s, so that the run stays short).

Each run prints the elapsed time, the share of what the bucket allows that it used, and the
429 answers. Aim: at least 95% of the live rate, 0 429s.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable

from amazon_erp_bridge.amazon.rates import RATES
from amazon_erp_bridge.core.limiter import Rate
from amazon_erp_bridge.sandbox.amazon import FakeSpApi
from amazon_erp_bridge.sandbox.clients import async_spapi_client, spapi_client
from amazon_erp_bridge.sandbox.server import LocalServer

KEY = "ordersV0.getOrderItems"


def _fake(orders: int, live: float, latency: float) -> FakeSpApi:
    documented = RATES[KEY]
    fake = FakeSpApi(seed=18, orders=orders)
    fake.set_rate(KEY, Rate(live, documented.burst))
    fake.router.faults.match = r"/orderItems"
    fake.router.faults.slow_seconds = latency
    fake.router.faults.slow = 10**9
    return fake


def _report(
    name: str, calls: int, elapsed: float, live: float, burst: int, fake: FakeSpApi
) -> None:
    allowed = min(calls, burst) + live * elapsed
    ideal = max(0.0, calls - burst) / live
    print(
        f"  {name:44s} {calls} calls in {elapsed:6.2f} s (the rate allows {ideal:.1f} s): "
        f"{min(1.0, calls / allowed):.1%} of the live rate, {fake.throttled} x 429"
    )


def run_async(fake: FakeSpApi, url: str, concurrency: int) -> tuple[int, float]:
    ids = sorted(fake.state.orders)

    async def main() -> tuple[int, float]:
        async with async_spapi_client(fake, endpoint=url) as client:
            start = time.monotonic()
            lines = await client.orders.get_items_many(ids, concurrency=concurrency, version="v0")
            elapsed = time.monotonic() - start
        assert len(lines) == len(ids)
        return len(ids), elapsed

    return asyncio.run(main())


def run_sync(fake: FakeSpApi, url: str, concurrency: int) -> tuple[int, float]:
    ids = sorted(fake.state.orders)
    with spapi_client(fake, endpoint=url) as client:
        start = time.monotonic()
        lines = client.orders.get_items_many(ids, concurrency=concurrency, version="v0")
        elapsed = time.monotonic() - start
    assert len(lines) == len(ids)
    return len(ids), elapsed


def one_run(
    name: str,
    orders: int,
    live: float,
    latency: float,
    runner: Callable[[FakeSpApi, str, int], tuple[int, float]],
    concurrency: int,
) -> None:
    fake = _fake(orders, live, latency)
    with LocalServer(fake.router) as server:
        calls, elapsed = runner(fake, server.url, concurrency)
    _report(name, calls, elapsed, live, RATES[KEY].burst, fake)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--rate", type=float, default=50.0, help="live rate of the bulk runs")
    parser.add_argument("--latency", type=float, default=0.15)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--skip-issue-case", action="store_true")
    args, _ = parser.parse_known_args()

    documented = RATES[KEY]
    print(
        f"{KEY}: documented {documented.per_second:g}/s burst {documented.burst}; every answer "
        f"after {args.latency * 1000:.0f} ms over loopback HTTP"
    )
    if not args.skip_issue_case:
        at_documented = (150 - documented.burst) / documented.per_second
        print(
            f"issue 18 case: 150 calls at once, live rate 10/s (at the documented rate: {at_documented:.0f} s)"
        )
        one_run("async, all 150 in flight", 150, 10.0, args.latency, run_async, 150)
    print(
        f"items of {args.orders} orders, live rate {args.rate:g}/s, concurrency {args.concurrency}:"
    )
    one_run(
        "AsyncSpApiClient.orders.get_items_many",
        args.orders,
        args.rate,
        args.latency,
        run_async,
        args.concurrency,
    )
    one_run(
        "SpApiClient.orders.get_items_many (threads)",
        args.orders,
        args.rate,
        args.latency,
        run_sync,
        args.concurrency,
    )
    one_run(
        "one call at a time (concurrency=1)",
        min(args.orders, 100),
        args.rate,
        args.latency,
        run_sync,
        1,
    )


if __name__ == "__main__":
    main()
