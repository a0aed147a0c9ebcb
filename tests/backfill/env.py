"""A sandbox world for backfill tests: the Amazon fake and the client share one manual clock
(sleeps advance it; nothing waits for real), the fake enforces the published rates, and a
sink posts through a real Poster and ledger into a target that counts what it creates."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from amazon_erp_bridge.amazon.rates import RATES
from amazon_erp_bridge.core.limiter import RateLimiter
from amazon_erp_bridge.model import Order
from amazon_erp_bridge.posting import ErpDocument, Poster, PostResult, SqliteLedger
from amazon_erp_bridge.sandbox.amazon.app import FakeSpApi, ManualClock
from amazon_erp_bridge.sandbox.amazon.state import DEFAULT_START
from amazon_erp_bridge.sandbox.clients import spapi_client

US = "ATVPDKIKX0DER"


class CountingTarget:
    """An ERP that records each order it is asked to create (a second create is a bug)."""

    name = "test"

    def __init__(self) -> None:
        self.created: Counter[str] = Counter()
        self.lines: dict[str, int] = {}

    def find(self, source_id: str, payload: Order) -> ErpDocument | None:
        return None

    def create(self, payload: Order) -> ErpDocument:
        self.created[payload.order_id] += 1
        self.lines[payload.order_id] = sum(line.quantity for line in payload.lines)
        return ErpDocument("test", f"DOC-{payload.order_id}")


class Crash(Exception):
    """Raised by the sink to stand for a process killed mid-backfill."""


class MemorySink:
    """An OrderSink posting through a Poster into :class:`CountingTarget`."""

    kind = "order.test"

    def __init__(self, ledger: SqliteLedger, target: CountingTarget, clock: Any) -> None:
        self.poster = Poster(ledger, target, clock=clock, sleep=clock.sleep)
        self.crash_after: int | None = None
        self.posts = 0
        self.shipments: list[str] = []

    def post(self, order: Order) -> PostResult:
        if self.crash_after is not None and self.posts >= self.crash_after:
            raise Crash(f"killed after {self.posts} posts")
        self.posts += 1
        return self.poster.post(self.kind, order.order_id, order)

    def shipped(self, order: Order) -> None:
        return None

    def shipment(self, order_id: str) -> None:
        self.shipments.append(order_id)

    def finish(self) -> list[str]:
        return []


class World:
    """Fake SP-API with ``orders`` orders over ``days`` days from DEFAULT_START, its client,
    a ledger and a counting sink, all on one manual clock that starts after the orders."""

    def __init__(self, orders: int, days: int, *, page_size: int = 100, seed: int = 5) -> None:
        self.start = DEFAULT_START
        self.end = DEFAULT_START + timedelta(days=days + 1)
        self.clock = ManualClock(self.end + timedelta(days=2))
        self.fake = FakeSpApi(seed, clock=self.clock, orders=orders, days=days, page_size=page_size)
        self.limiter = RateLimiter(RATES, clock=self.clock, headroom=1)
        self.amazon = spapi_client(self.fake, sleep=self.clock.sleep, limiter=self.limiter)
        self.ledger = SqliteLedger(now=self.now)
        self.target = CountingTarget()
        self.sink = MemorySink(self.ledger, self.target, self.clock)

    def now(self) -> datetime:
        return self.fake.now()

    def orders(self, market: str = US) -> dict[str, Order]:
        return {
            o.order_id: o for o in self.fake.state.orders.values() if o.marketplace_id == market
        }
