"""Per-call client CPU on getOrderItems: this library against bare httpx2 and the peers.

One local HTTP/1.1 server, in its own process so that its CPU is not counted, answers every
``GET .../orderItems`` with the same recorded Orders v0 body (two items, every money field)
and the LWA token endpoint with a fixed token. Each contender sends the same call over a
kept-alive connection; the client process's CPU time (``time.process_time``) per call is
measured in rounds that alternate the contenders, and the median round is kept.

Contenders:

- ``bare httpx2``: one ``x-amz-access-token`` header, the JSON decoded, nothing else;
- ``amazon-erp-bridge``: ``client.orders.get_order_items(order_id, version="v0")`` (limiter,
  retries, LWA, error reading, typed ``OrderLine`` objects with Decimal money);
- ``amzn-selling-partner`` and ``python-amazon-sp-api`` if installed (the ``bench`` extra),
  skipped otherwise.

Aim: this library at most 1.10x bare httpx2 and at most 0.9x each peer.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ORDER_ID = "902-3159896-1390916"
TOKEN = "Atza|benchmark-access-token"

#: A getOrderItems answer as the Orders v0 model defines it (two items, every money field).
BODY = json.dumps(
    {
        "payload": {
            "AmazonOrderId": ORDER_ID,
            "OrderItems": [
                {
                    "ASIN": "B00551Q3CS",
                    "SellerSKU": f"SKU-{n}",
                    "OrderItemId": f"6857010592051{n}",
                    "Title": f"Benchmark item {n}",
                    "QuantityOrdered": n,
                    "QuantityShipped": 0,
                    "ItemPrice": {"CurrencyCode": "USD", "Amount": "25.99"},
                    "ItemTax": {"CurrencyCode": "USD", "Amount": "2.08"},
                    "ShippingPrice": {"CurrencyCode": "USD", "Amount": "4.99"},
                    "ShippingTax": {"CurrencyCode": "USD", "Amount": "0.40"},
                    "PromotionDiscount": {"CurrencyCode": "USD", "Amount": "1.00"},
                    "PromotionDiscountTax": {"CurrencyCode": "USD", "Amount": "0.08"},
                    "ShippingDiscount": {"CurrencyCode": "USD", "Amount": "0.00"},
                    "ShippingDiscountTax": {"CurrencyCode": "USD", "Amount": "0.00"},
                    "ConditionId": "New",
                    "IsGift": "false",
                    "ProductInfo": {"NumberOfItems": "1"},
                }
                for n in (1, 2)
            ],
        }
    }
).encode()

TOKEN_BODY = json.dumps(
    {"access_token": TOKEN, "token_type": "bearer", "expires_in": 3600, "refresh_token": "r"}
).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # One write per answer and no Nagle: no delayed-ACK stalls between header and body.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def _answer(self, body: bytes, extra: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer(
            BODY,
            {
                "x-amzn-RequestId": "b3a1c0de-0000-4000-8000-000000000000",
                "x-amzn-RateLimit-Limit": "1000000",
            },
        )

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer(TOKEN_BODY, {})

    def log_message(self, *args: Any) -> None:
        pass


def serve() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


Contender = Callable[[], Any]


def bare_httpx2(url: str) -> tuple[Contender, Callable[[], None]]:
    import httpx2

    http = httpx2.Client()
    token = http.post(f"{url}/auth/o2/token", data={"grant_type": "refresh_token"}).json()
    headers = {"x-amz-access-token": token["access_token"]}
    items = f"{url}/orders/v0/orders/{ORDER_ID}/orderItems"

    def call() -> Any:
        return http.get(items, headers=headers).json()

    return call, http.close


def this_library(url: str) -> tuple[Contender, Callable[[], None]]:
    from amazon_erp_bridge.amazon.client import SpApiClient
    from amazon_erp_bridge.amazon.lwa import LwaCredentials
    from amazon_erp_bridge.core.limiter import Rate, RateLimiter

    client = SpApiClient(
        LwaCredentials(
            client_id="amzn1.application-oa2-client.bench", client_secret="s", refresh_token="r"
        ),
        endpoint=url,
        lwa_endpoint=f"{url}/auth/o2/token",
        # The limiter stays on the path, at a rate this run never reaches.
        limiter=RateLimiter(default=Rate(1_000_000.0, 1_000_000)),
    )

    def call() -> Any:
        return client.orders.get_order_items(ORDER_ID, version="v0")

    return call, client.close


def amzn_selling_partner(url: str) -> tuple[Contender, Callable[[], None]]:
    from amzn_selling_partner.plugins._amazon.auth import LWAAuth, LWACredentials
    from amzn_selling_partner.sdk.client import Client

    auth = LWAAuth(
        LWACredentials(client_id="bench", client_secret="s", refresh_token="r"),
        token_url=f"{url}/auth/o2/token",
        base_url=url,
    )
    client = Client(base_url=url, auth=auth, throttle=False)

    def call() -> Any:
        return client.orders_v0.list_order_order_items(ORDER_ID)

    return call, client.close


def python_amazon_sp_api(url: str) -> tuple[Contender, Callable[[], None]]:
    from sp_api.api import Orders
    from sp_api.auth import AccessTokenClient

    host = url.removeprefix("http://")

    class LocalToken(AccessTokenClient):  # type: ignore[misc]
        scheme = "http://"

    LocalToken.host = host
    credentials = {"lwa_app_id": "bench", "lwa_client_secret": "s", "refresh_token": "r"}
    client = Orders(credentials=credentials, auth_token_client_class=LocalToken)
    client.endpoint = url

    def call() -> Any:
        return client.get_order_items(ORDER_ID)

    def close() -> None:
        client._transport.close()

    return call, close


CONTENDERS: dict[str, Callable[[str], tuple[Contender, Callable[[], None]]]] = {
    "bare httpx2": bare_httpx2,
    "amazon-erp-bridge": this_library,
    "amzn-selling-partner": amzn_selling_partner,
    "python-amazon-sp-api": python_amazon_sp_api,
}


def cpu_per_call(call: Contender, n: int) -> float:
    start = time.process_time()
    for _ in range(n):
        call()
    return (time.process_time() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=400, help="calls per contender per round")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help="cProfile this library's calls")
    args, _ = parser.parse_known_args()
    if args.serve:
        serve()
        return

    server = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--serve"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        run(url, args)
    finally:
        server.terminate()
        server.wait()


def run(url: str, args: argparse.Namespace) -> None:
    ready: dict[str, Contender] = {}
    closers = []
    for name, make in CONTENDERS.items():
        try:
            call, close = make(url)
        except ImportError as exc:
            print(f"{name}: skipped ({exc.name or exc} not installed; `pip install -e .[bench]`)")
            continue
        for _ in range(50):  # warm up: token, connection, imports, caches
            call()
        ready[name] = call
        closers.append(close)

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(cpu_per_call, ready["amazon-erp-bridge"], args.calls)
        pstats.Stats(profiler).sort_stats("cumtime").print_stats(
            r"amazon_erp_bridge|tenacity|logging|attr", 40
        )
        return

    samples: dict[str, list[float]] = {name: [] for name in ready}
    names = list(ready)
    for r in range(args.rounds):
        order = names if r % 2 == 0 else names[::-1]  # alternate, so drift hits everyone alike
        for name in order:
            samples[name].append(cpu_per_call(ready[name], args.calls))
    for close in closers:
        close()

    median = {name: statistics.median(values) for name, values in samples.items()}
    base = median["bare httpx2"]
    ours = median["amazon-erp-bridge"]
    print(
        f"getOrderItems, client CPU per call (median of {args.rounds} alternated rounds of "
        f"{args.calls} calls, one local HTTP/1.1 server in another process):"
    )
    for name, value in median.items():
        print(f"  {name:22s} {value * 1000:.3f} ms  ({value / base:.2f}x bare httpx2)")
    print(f"  this library / bare httpx2      {ours / base:.2f}x  (aim <= 1.10x)")
    for name in ("amzn-selling-partner", "python-amazon-sp-api"):
        if name in median:
            print(f"  this library / {name:16s} {ours / median[name]:.2f}x  (aim <= 0.90x)")


if __name__ == "__main__":
    main()
