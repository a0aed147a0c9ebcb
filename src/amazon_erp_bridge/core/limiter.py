"""Token-bucket rate limiting, keyed per (scope, operation), safe for threads and asyncio.

A caller reserves a token and is told how long to wait for it, so it blocks (or awaits) just
long enough instead of being refused: N calls at rate r with burst b take (N - b) / r seconds.
The reservation itself never blocks, which makes one limiter safe to share between threads and
between coroutines.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Mapping

from attrs import frozen

from amazon_erp_bridge.core.redaction import get_logger
from amazon_erp_bridge.errors import ConfigurationError

log = get_logger("amazon_erp_bridge.limiter")


@frozen
class Rate:
    """A documented rate: ``per_second`` tokens refill each second, up to ``burst`` tokens."""

    per_second: float
    burst: int

    def __attrs_post_init__(self) -> None:
        if not self.per_second > 0:
            raise ConfigurationError(f"Rate.per_second must be > 0, got {self.per_second}")
        if self.burst < 1:
            raise ConfigurationError(f"Rate.burst must be >= 1, got {self.burst}")


class _Bucket:
    __slots__ = ("burst", "rate", "tokens", "updated")

    def __init__(self, rate: Rate, now: float, headroom: int) -> None:
        self.rate = rate.per_second
        self.burst = float(max(1, rate.burst - headroom))
        self.tokens = self.burst
        self.updated = now

    def reserve(self, now: float) -> float:
        if now > self.updated:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
        self.tokens -= 1.0
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class RateLimiter:
    """Token buckets per (scope, operation), seeded from a rate table.

    ``rates`` maps an operation key (``"orders.searchOrders"``) to its documented :class:`Rate`;
    ``default`` applies to keys not in the table (None: such calls are not limited). ``scope``
    separates buckets that the server counts separately, e.g. per selling partner and app.
    ``headroom`` keeps that many tokens of the burst unused, so that network jitter (two
    requests arriving closer together than they were sent) never empties the server's bucket;
    it costs nothing in sustained rate.
    """

    def __init__(
        self,
        rates: Mapping[str, Rate] | None = None,
        *,
        default: Rate | None = None,
        clock: Callable[[], float] = time.monotonic,
        headroom: int = 0,
    ) -> None:
        if headroom < 0:
            raise ConfigurationError(f"RateLimiter.headroom must be >= 0, got {headroom}")
        self._headroom = headroom
        self._rates = dict(rates or {})
        self._default = default
        self._clock = clock
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()

    def rate_for(self, key: str) -> Rate | None:
        return self._rates.get(key, self._default)

    def reserve(self, key: str, scope: str = "") -> float:
        """Take a token for ``key`` and return how many seconds to wait before using it."""
        with self._lock:
            bucket = self._buckets.get((scope, key))
            if bucket is None:
                rate = self.rate_for(key)
                if rate is None:
                    return 0.0
                bucket = self._buckets[(scope, key)] = _Bucket(rate, self._clock(), self._headroom)
            return bucket.reserve(self._clock())

    def acquire(
        self, key: str, scope: str = "", sleep: Callable[[float], None] = time.sleep
    ) -> float:
        """Block until a token for ``key`` is available; return the seconds waited."""
        delay = self.reserve(key, scope)
        if delay > 0:
            log.debug("rate limit %s: waiting %.3fs", key, delay)
            sleep(delay)
        return delay

    async def acquire_async(self, key: str, scope: str = "") -> float:
        """Await a token for ``key``; return the seconds waited."""
        delay = self.reserve(key, scope)
        if delay > 0:
            log.debug("rate limit %s: waiting %.3fs", key, delay)
            await asyncio.sleep(delay)
        return delay

    def set_rate(self, key: str, per_second: float, scope: str = "") -> None:
        """Follow the rate the server reports (e.g. ``x-amzn-RateLimit-Limit``) for one bucket."""
        if not per_second > 0:
            return
        with self._lock:
            bucket = self._buckets.get((scope, key))
            if bucket is None:
                base = self.rate_for(key)
                burst = base.burst if base else 1
                bucket = self._buckets[(scope, key)] = _Bucket(
                    Rate(per_second, burst), self._clock(), self._headroom
                )
            if bucket.rate != per_second:
                log.debug(
                    "rate limit %s: server says %s/s (was %s/s)", key, per_second, bucket.rate
                )
                bucket.rate = per_second
