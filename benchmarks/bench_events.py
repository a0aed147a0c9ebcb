"""Events per second through the router and through the posting path with the SQLite ledger.

A sandbox (in-process fakes, a manual clock so Amazon's rate limits cost simulated time, not
real time) holds ``--orders`` orders; a burst of ``--events`` ORDER_CHANGE notifications (30%
redelivered copies, shuffled) is measured three ways:

1. **router**: parse each message into a typed event and route it (pure work, no I/O);
2. **first pass**: the runner posts each order once through ``post_order_m3`` /
   ``post_order_sap`` (Amazon read, mapping, ERP find-then-create, SQLite ledger), absorbing
   the copies and the older events;
3. **replay**: the same burst again, everything already in the ledger.

It prints events per second for each and the postings made; figures are for comparing runs on
one machine, nothing is asserted.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from amazon_erp_bridge.core.retry import RetryPolicy
from amazon_erp_bridge.events import MemorySource, RoutingRules, parse_event, route
from amazon_erp_bridge.posting import SqliteLedger
from amazon_erp_bridge.sandbox import Sandbox
from amazon_erp_bridge.sandbox.amazon.app import ManualClock
from amazon_erp_bridge.sandbox.rules.events import order_burst, sandbox_runner

#: Simulated "now": after the sandbox's month of orders, as when notifications arrive late.
NOW = datetime(2026, 4, 15, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200, help="orders the sandbox holds")
    parser.add_argument("--events", type=int, default=2000, help="notifications in the burst")
    parser.add_argument("--batch", type=int, default=100, help="messages per runner batch")
    args = parser.parse_args()

    clock = ManualClock(NOW)
    sandbox = Sandbox(orders=args.orders, clock=clock)
    retry = RetryPolicy(max_attempts=6)
    amazon = sandbox.spapi_client(sleep=clock.sleep, retry=retry)
    m3 = sandbox.m3_client(sleep=clock.sleep, retry=retry)
    sap = sandbox.sap_client(sleep=clock.sleep, retry=retry)
    with tempfile.TemporaryDirectory() as folder:
        ledger = SqliteLedger(
            str(Path(folder) / "events.sqlite"),
            now=lambda: datetime.fromtimestamp(clock(), UTC),
        )
        options = {"sleep": clock.sleep, "clock": clock}
        runner = sandbox_runner(
            sandbox, amazon, m3, sap, ledger, poster_options=options, batch_size=args.batch
        )
        burst = order_burst(sandbox, args.events)
        rules: RoutingRules = runner.rules

        started = time.perf_counter()
        for message in burst:
            route(parse_event(message.body), rules)
        routed = time.perf_counter() - started
        print(f"router:     {len(burst) / routed:10,.0f} events/s (parse + route, {len(burst)})")

        for name in ("first pass", "replay"):
            runner = sandbox_runner(
                sandbox, amazon, m3, sap, ledger, poster_options=options, batch_size=args.batch
            )
            started = time.perf_counter()
            tally = runner.run(MemorySource(burst), once=True)
            took = time.perf_counter() - started
            created = sum(1 for r in tally.results if r.status.value == "created")
            print(
                f"{name + ':':11} {len(burst) / took:10,.0f} events/s "
                f"({tally.received} events in {took:.2f} s: {tally.handled} read and posted, "
                f"{tally.repeats} copies, {tally.stale} older than the ledger, "
                f"{tally.coalesced} read once per batch; {created} documents created)"
            )
        ledger.close()
    amazon.close()
    m3.close()
    sap.close()


if __name__ == "__main__":
    main()
