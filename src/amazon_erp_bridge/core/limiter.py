"""Token-bucket rate limiting, keyed per (scope, operation), safe for threads and asyncio.

A caller takes a place in the bucket's queue and waits just long enough for it instead of
being refused: N calls at rate r with burst b take (N - b) / r seconds. A place is a target on
the bucket's refill counter, not a fixed time, so when the server reports a higher rate
(``x-amzn-RateLimit-Limit``) the calls already waiting go sooner, at once.

**Burst learning.** The burst Amazon really allows can be smaller than the documented one and
no header says so. When a call is refused with 429, the bucket empties and its burst drops to
what the server accepted since the bucket was last full; it then grows back by one token per
``burst_recovery`` seconds without a refusal. A client whose real burst is 2 instead of 20
sees one 429, not a dozen. :class:`~amazon_erp_bridge.core.redis_limiter.RedisRateLimiter`
keeps the same rules in Redis for many workers.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Mapping

from attrs import frozen

from amazon_erp_bridge.core.redaction import get_logger
from amazon_erp_bridge.errors import ConfigurationError

log = get_logger("amazon_erp_bridge.limiter")

_ASYNCIO_SLEEP = asyncio.sleep

#: Seconds without a 429 after which a learned burst grows back by one token.
DEFAULT_BURST_RECOVERY = 60.0


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
    """One bucket's state; every method is called under the limiter's lock."""

    __slots__ = (
        "burst",
        "max_burst",
        "rate",
        "refilled",
        "run",
        "throttled_at",
        "tokens",
        "updated",
    )

    def __init__(self, rate: Rate, now: float, headroom: int) -> None:
        self.rate = rate.per_second
        self.max_burst = float(max(1, rate.burst - headroom))
        self.burst = self.max_burst
        self.tokens = self.burst
        self.updated = now
        self.refilled = 0.0  # tokens added since creation: the clock that places count on
        self.run = 0  # places taken since the bucket was last full
        self.throttled_at: float | None = None

    def advance(self, now: float, recovery: float) -> None:
        if now > self.updated:
            added = (now - self.updated) * self.rate
            self.refilled += added
            self.tokens = min(self.burst, self.tokens + added)
            self.updated = now
        if self.throttled_at is not None and self.burst < self.max_burst:
            grown = int((now - self.throttled_at) / recovery)
            if grown > 0:
                self.burst = min(self.max_burst, self.burst + grown)
                self.throttled_at += grown * recovery

    def take(self, now: float, recovery: float) -> float:
        """Take a place; returns its target on the refill counter."""
        self.advance(now, recovery)
        if self.tokens >= self.burst:
            self.run = 0
        self.run += 1
        self.tokens -= 1.0
        return self.refilled + max(0.0, -self.tokens)

    def wait(self, target: float, now: float, recovery: float) -> float:
        self.advance(now, recovery)
        return max(0.0, (target - self.refilled) / self.rate)

    def throttled(self, now: float, recovery: float) -> float:
        """A 429: empty the bucket and lower the burst to what the server accepted."""
        self.advance(now, recovery)
        accepted = max(1.0, float(self.run - 1))
        if accepted < self.burst:
            self.burst = accepted
        # The server is out of tokens; the refused call's own token was never spent there,
        # while the places queued behind it still are.
        self.tokens = min(self.tokens + 1.0, 0.0)
        self.throttled_at = now
        self.run = 0
        return self.burst


class Ticket:
    """A place taken in a bucket's queue: ready when the bucket's refill counter reaches it.

    ``key`` and ``scope`` name the bucket; ``target`` is the place on its refill counter;
    ``wait`` is the wait computed when the place was taken (None: not limited).
    """

    __slots__ = ("_bucket", "key", "scope", "target", "wait")

    def __init__(
        self,
        bucket: _Bucket | None,
        target: float,
        *,
        key: str = "",
        scope: str = "",
        wait: float | None = None,
    ) -> None:
        self._bucket = bucket
        self.target = target
        self.key = key
        self.scope = scope
        self.wait = wait


class RateLimiter:
    """Token buckets per (scope, operation), seeded from a rate table.

    ``rates`` maps an operation key (``"orders.searchOrders"``) to its documented :class:`Rate`;
    ``default`` applies to keys not in the table (None: such calls are not limited). ``scope``
    separates buckets that the server counts separately, e.g. per selling partner and app.
    ``headroom`` keeps that many tokens of the burst unused, so that network jitter (two
    requests arriving closer together than they were sent) never empties the server's bucket;
    it costs nothing in sustained rate. ``burst_recovery`` is how many seconds without a 429
    grow a learned burst back by one token.
    """

    def __init__(
        self,
        rates: Mapping[str, Rate] | None = None,
        *,
        default: Rate | None = None,
        clock: Callable[[], float] = time.monotonic,
        headroom: int = 0,
        burst_recovery: float = DEFAULT_BURST_RECOVERY,
    ) -> None:
        if headroom < 0:
            raise ConfigurationError(f"RateLimiter.headroom must be >= 0, got {headroom}")
        if not burst_recovery > 0:
            raise ConfigurationError(
                f"RateLimiter.burst_recovery must be > 0 seconds, got {burst_recovery}"
            )
        self._headroom = headroom
        self._rates = dict(rates or {})
        self._default = default
        self._clock = clock
        self._recovery = burst_recovery
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._async_waiters: set[asyncio.Future[None]] = set()

    def rate_for(self, key: str) -> Rate | None:
        """The documented rate of ``key`` (or the default), None when it is not limited."""
        return self._rates.get(key, self._default)

    def _bucket(self, key: str, scope: str) -> _Bucket | None:
        bucket = self._buckets.get((scope, key))
        if bucket is None:
            rate = self.rate_for(key)
            if rate is None:
                return None
            bucket = self._buckets[(scope, key)] = _Bucket(rate, self._clock(), self._headroom)
        return bucket

    def take(self, key: str, scope: str = "") -> Ticket:
        """Take a place in ``key``'s queue without waiting (see :meth:`wait_time`)."""
        with self._lock:
            bucket = self._bucket(key, scope)
            if bucket is None:
                return Ticket(None, 0.0, key=key, scope=scope)
            target = bucket.take(self._clock(), self._recovery)
            return Ticket(bucket, target, key=key, scope=scope)

    def wait_time(self, ticket: Ticket) -> float:
        """Seconds until ``ticket`` may be used, at the bucket's current rate."""
        bucket = ticket._bucket
        if bucket is None:
            return 0.0
        with self._lock:
            return bucket.wait(ticket.target, self._clock(), self._recovery)

    def reserve(self, key: str, scope: str = "") -> float:
        """Take a place for ``key`` and return how many seconds to wait at today's rate."""
        return self.wait_time(self.take(key, scope))

    def acquire(
        self, key: str, scope: str = "", sleep: Callable[[float], None] | None = None
    ) -> float:
        """Block until a token for ``key`` is available; return the seconds waited.

        With the default ``sleep`` the wait ends early when the bucket speeds up (a higher
        rate learned from the server); an injected ``sleep`` (a test's clock) is called once
        with the wait computed when the place was taken.
        """
        ticket = self.take(key, scope)
        if sleep is not None and sleep is not time.sleep:
            # The caller keeps time (a test's clock): sleep the wait once, as computed.
            delay = self.wait_time(ticket)
            if delay > 0:
                log.debug("rate limit %s: waiting %.3fs", key, delay)
                sleep(delay)
            return delay
        waited = 0.0
        while (delay := self.wait_time(ticket)) > 0:
            log.debug("rate limit %s: waiting %.3fs", key, delay)
            start = time.monotonic()
            with self._changed:
                self._changed.wait(delay)
            waited += time.monotonic() - start
        return waited

    async def acquire_async(
        self,
        key: str,
        scope: str = "",
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> float:
        """Await a token for ``key``; return the seconds waited (see :meth:`acquire`)."""
        ticket = self.take(key, scope)
        if sleep is not None and sleep is not _ASYNCIO_SLEEP:
            # The caller keeps time (a test's clock): sleep the wait once, as computed.
            delay = self.wait_time(ticket)
            if delay > 0:
                log.debug("rate limit %s: waiting %.3fs", key, delay)
                await sleep(delay)
            return delay
        loop = asyncio.get_running_loop()
        waited = 0.0
        while (delay := self.wait_time(ticket)) > 0:
            log.debug("rate limit %s: waiting %.3fs", key, delay)
            start = loop.time()
            woken: asyncio.Future[None] = loop.create_future()
            with self._lock:
                self._async_waiters.add(woken)
            try:
                await asyncio.wait({woken}, timeout=delay)
            finally:
                with self._lock:
                    self._async_waiters.discard(woken)
            waited += loop.time() - start
        return waited

    def _wake(self) -> None:
        """Tell every waiter to look again (called under the lock)."""
        self._changed.notify_all()
        for future in self._async_waiters:
            loop = future.get_loop()
            if not loop.is_closed():
                loop.call_soon_threadsafe(_resolve, future)

    def set_rate(self, key: str, per_second: float, scope: str = "") -> None:
        """Follow the rate the server reports (e.g. ``x-amzn-RateLimit-Limit``) for one bucket.

        Calls already waiting in the bucket are re-timed at once at the new rate.
        """
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
                bucket.advance(self._clock(), self._recovery)
                bucket.rate = per_second
                self._wake()

    def throttled(self, key: str, scope: str = "") -> None:
        """The server refused a call of ``key`` with 429: learn its real burst (see module)."""
        with self._lock:
            bucket = self._bucket(key, scope)
            if bucket is None:
                return
            before = bucket.burst
            after = bucket.throttled(self._clock(), self._recovery)
            if after < before:
                log.info(
                    "rate limit %s: the server accepted a burst of %d, not %d; using %d",
                    key,
                    after,
                    before,
                    after,
                )

    def burst_of(self, key: str, scope: str = "") -> float | None:
        """The burst the bucket of ``key`` allows now (learned or documented), if it exists."""
        with self._lock:
            bucket = self._buckets.get((scope, key))
            if bucket is None:
                return None
            bucket.advance(self._clock(), self._recovery)
            return bucket.burst


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
