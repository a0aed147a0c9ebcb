"""Four worker processes through one Redis limiter: how much of a documented rate they use.

The fake SP-API enforces a token bucket per (seller, app, operation), as Amazon does, and
answers 429 when it is empty. Four processes, each with its own client and its own
``RedisRateLimiter`` on one Redis server, call one operation as fast as the shared bucket
allows for a fixed time, at the documented rate and burst sped up by ``--speedup`` on both
sides. Without a shared limiter each process would take the whole rate for itself: the
``--local`` run shows what that costs in 429s.

Aim: at least 95% of the documented rate with 0 answers of 429.
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
import uuid

from amazon_erp_bridge.amazon.rates import RATES
from amazon_erp_bridge.core import Rate, RateLimiter, RedisRateLimiter
from amazon_erp_bridge.core.retry import RetryPolicy
from amazon_erp_bridge.errors import RateLimitedError
from amazon_erp_bridge.sandbox.amazon import FakeSpApi
from amazon_erp_bridge.sandbox.clients import spapi_client
from amazon_erp_bridge.sandbox.server import LocalServer

OPERATION = "reports.getReport"


def worker(
    url: str,
    redis_url: str,
    prefix: str,
    rate: Rate,
    local: bool,
    report_id: str,
    start: float,
    until: float,
    out: multiprocessing.Queue,  # type: ignore[type-arg]
) -> None:
    """One worker process: call the operation until ``until``, then report the counts."""
    table = {**RATES, OPERATION: rate}
    limiter = (
        RateLimiter(table, headroom=1)
        if local
        else RedisRateLimiter(redis_url, table, headroom=1, prefix=prefix)
    )
    fake = FakeSpApi(seed=1)  # only for its credentials: the server runs in the parent
    client = spapi_client(fake, endpoint=url, limiter=limiter, retry=RetryPolicy(max_attempts=1))
    client.reports.get_report(report_id)  # token and connection, before the clock starts
    time.sleep(max(0.0, start - time.time()))
    calls = refused = 0
    while time.time() < until:
        try:
            client.reports.get_report(report_id)
            calls += 1
        except RateLimitedError:
            refused += 1
    client.close()
    out.put((calls, refused))


def run(args: argparse.Namespace, local: bool) -> None:
    documented = RATES[OPERATION]
    rate = Rate(documented.per_second * args.speedup, documented.burst)
    fake = FakeSpApi(seed=1)
    fake.set_rate(OPERATION, rate)
    with LocalServer(fake.router) as server:
        warm = spapi_client(fake, endpoint=server.url)
        report = next(iter(warm.reports.settlement_reports()))
        warm.close()
        prefix = f"aeb-bench:{uuid.uuid4().hex[:8]}"
        ctx = multiprocessing.get_context("fork")
        results_queue = ctx.Queue()
        start = time.time() + 2.0
        until = start + args.seconds
        work = (server.url, args.redis, prefix, rate, local, report.report_id, start, until)
        procs = [
            ctx.Process(target=worker, args=(*work, results_queue)) for _ in range(args.workers)
        ]
        for proc in procs:
            proc.start()
        results = [results_queue.get(timeout=args.seconds + 60) for _ in procs]
        for proc in procs:
            proc.join()
        throttled = fake.throttled
    calls = sum(c for c, _ in results)
    refused = sum(r for _, r in results)
    elapsed = args.seconds
    allowed = rate.burst + rate.per_second * elapsed
    kind = "local limiter per process" if local else "one RedisRateLimiter"
    print(
        f"{args.workers} processes, {kind}: {OPERATION} documented "
        f"{documented.per_second:g}/s burst {documented.burst}, sped up x{args.speedup:g} to "
        f"{rate.per_second:g}/s, {elapsed:.0f}s"
    )
    print(f"  successful calls  {calls} of at most {allowed:.0f} the bucket allows")
    print(f"  utilisation       {calls / allowed:.1%} of the documented rate and burst")
    print(f"  429 answers       {throttled} (clients saw {refused})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--speedup", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--local", action="store_true", help="also run with per-process limiters")
    args, _ = parser.parse_known_args()
    run(args, local=False)
    if args.local:
        run(args, local=True)


if __name__ == "__main__":
    main()
