"""Rate-limit utilisation: a sustained run against the sandbox over real loopback HTTP.

The fake SP-API enforces a token bucket per operation, as Amazon does, and answers 429 when it
is empty. Here one client (several threads sharing its limiter) calls one operation as fast as
its limiter allows for a fixed time, at the documented rate and burst sped up by ``--speedup``
on both sides. It prints the achieved rate against the documented one and the number of 429s.

Aim: at least 95% of the documented rate sustained, and no 429 at all.
"""

from __future__ import annotations

import argparse
import threading
import time

from amazon_erp_bridge.amazon.rates import RATES
from amazon_erp_bridge.core.limiter import Rate, RateLimiter
from amazon_erp_bridge.core.retry import RetryPolicy
from amazon_erp_bridge.errors import RateLimitedError
from amazon_erp_bridge.sandbox.amazon import FakeSpApi
from amazon_erp_bridge.sandbox.clients import spapi_client
from amazon_erp_bridge.sandbox.server import LocalServer

US = "ATVPDKIKX0DER"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operation", default="reports.getReport")
    parser.add_argument("--speedup", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--headroom",
        type=int,
        default=1,
        help="tokens the client keeps in reserve below the burst (the SP-API client's default)",
    )
    args, _ = parser.parse_known_args()

    documented = RATES[args.operation]
    rate = Rate(documented.per_second * args.speedup, documented.burst)
    fake = FakeSpApi(seed=1)
    fake.set_rate(args.operation, rate)
    with LocalServer(fake.router) as server:
        limiter = RateLimiter({**RATES, args.operation: rate}, headroom=args.headroom)
        client = spapi_client(
            fake, endpoint=server.url, limiter=limiter, retry=RetryPolicy(max_attempts=1)
        )
        # Warm up (access token, connection) on another operation: both buckets stay full.
        report = next(iter(client.reports.settlement_reports()))
        fake.throttled = 0

        calls = 0
        refused = 0
        lock = threading.Lock()
        start = time.monotonic()
        deadline = start + args.seconds

        def work() -> None:
            nonlocal calls, refused
            while time.monotonic() < deadline:
                try:
                    client.reports.get_report(report.report_id)
                except RateLimitedError:
                    with lock:
                        refused += 1
                    continue
                with lock:
                    calls += 1

        threads = [threading.Thread(target=work) for _ in range(args.threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - start
        client.close()

    allowed = rate.burst + rate.per_second * elapsed
    sustained = (calls - rate.burst) / elapsed
    print(
        f"{args.operation}: documented {documented.per_second:g}/s burst {documented.burst}, "
        f"sped up x{args.speedup:g} to {rate.per_second:g}/s; {args.threads} threads, "
        f"{elapsed:.1f}s over {server.url}, client headroom {args.headroom} token(s)"
    )
    print(f"  successful calls       {calls} of at most {allowed:.0f} the bucket allows")
    print(f"  utilisation            {calls / allowed:.1%}")
    print(
        f"  sustained after burst  {sustained:.2f}/s = {sustained / rate.per_second:.1%} "
        "of the documented rate"
    )
    print(f"  429 answers            {fake.throttled} (client saw {refused})")


if __name__ == "__main__":
    main()
