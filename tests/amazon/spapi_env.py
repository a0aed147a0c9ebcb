"""A fake SP-API, a manual clock and clients wired to both: no real sleeping, no network."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from amazon_erp_bridge.amazon import AsyncSpApiClient, SpApiClient
from amazon_erp_bridge.amazon.rates import RATES
from amazon_erp_bridge.core.limiter import RateLimiter
from amazon_erp_bridge.core.retry import RetryPolicy
from amazon_erp_bridge.sandbox.amazon import FakeSpApi, ManualClock
from amazon_erp_bridge.sandbox.clients import async_spapi_client, spapi_client

#: "Now" in the tests: after the seeded month (March 2026) has settled.
NOW = datetime(2026, 4, 15, tzinfo=UTC)
SEEDED_FROM = datetime(2026, 2, 25, tzinfo=UTC)
MARKETS = ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1F83G8C2ARO7P", "A1PA6795UKMFR9", "A1VC38T7YXB528"]


class Env:
    """One fake and the clock that drives it, the client limiter and every wait."""

    def __init__(self, seed: int = 3, **fake_kw: Any) -> None:
        self.clock = ManualClock(NOW)
        self.fake = FakeSpApi(seed=seed, clock=self.clock, **fake_kw)

    def client(self, **kw: Any) -> SpApiClient:
        kw.setdefault("sleep", self.clock.sleep)
        kw.setdefault("limiter", RateLimiter(RATES, clock=self.clock))
        kw.setdefault("retry", RetryPolicy(max_attempts=4))
        return spapi_client(self.fake, **kw)

    def async_client(self, **kw: Any) -> AsyncSpApiClient:
        kw.setdefault("sleep", self.clock.asleep)
        kw.setdefault("limiter", RateLimiter(RATES, clock=self.clock))
        kw.setdefault("retry", RetryPolicy(max_attempts=4))
        return async_spapi_client(self.fake, **kw)

    def paths(self, pattern: str) -> list[str]:
        return [r.path for r in self.fake.requests_to(pattern)]
