"""Rate limits shared by every worker: the token buckets of :mod:`.limiter` kept in Redis.

SP-API counts its limits per selling partner and application across every process that calls
it, so workers on several machines must draw from one bucket. :class:`RedisRateLimiter` keeps
each bucket as a Redis hash and changes it only inside one Lua script, which Redis runs
atomically, on the Redis server's clock (``TIME``), so workers whose clocks disagree still
agree on the bucket. A rate learned from ``x-amzn-RateLimit-Limit`` and a burst learned from a
429 are written to the hash, so every worker follows them. Needs the ``redis`` extra.

A waiting call sleeps at most ``poll`` seconds at a time before asking the bucket again, so a
rate another worker learned shortens its wait within that time (in this process, at once).
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from amazon_erp_bridge.core.limiter import (
    _ASYNCIO_SLEEP,
    DEFAULT_BURST_RECOVERY,
    Rate,
    RateLimiter,
    Ticket,
)
from amazon_erp_bridge.core.redaction import get_logger, redact
from amazon_erp_bridge.errors import ConfigurationError, TransportError

log = get_logger("amazon_erp_bridge.limiter")

#: One bucket operation, atomic in Redis. KEYS[1]: the bucket's hash. ARGV: op, documented
#: rate, documented burst, headroom, recovery seconds, argument (a target or a rate).
#: The arithmetic is that of ``limiter._Bucket``; numbers travel as strings (Lua doubles).
_SCRIPT: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local op = ARGV[1]
local recovery = tonumber(ARGV[5])
local h = redis.call('HMGET', KEYS[1], 'rate', 'max_burst', 'burst', 'tokens', 'updated',
                     'refilled', 'run', 'throttled_at')
local rate, max_burst, burst, tokens, updated, refilled, run, throttled_at
if h[1] then
  rate = tonumber(h[1]); max_burst = tonumber(h[2]); burst = tonumber(h[3])
  tokens = tonumber(h[4]); updated = tonumber(h[5]); refilled = tonumber(h[6])
  run = tonumber(h[7]); throttled_at = tonumber(h[8])
else
  rate = tonumber(ARGV[2])
  max_burst = math.max(1, tonumber(ARGV[3]) - tonumber(ARGV[4]))
  burst = max_burst; tokens = burst; updated = now; refilled = 0; run = 0; throttled_at = nil
end
if now > updated then
  local added = (now - updated) * rate
  refilled = refilled + added
  tokens = math.min(burst, tokens + added)
  updated = now
end
if throttled_at and burst < max_burst then
  local grown = math.floor((now - throttled_at) / recovery)
  if grown > 0 then
    burst = math.min(max_burst, burst + grown)
    throttled_at = throttled_at + grown * recovery
  end
end
local first, second = 0, 0
if op == 'take' then
  if tokens >= burst then run = 0 end
  run = run + 1
  tokens = tokens - 1
  first = refilled + math.max(0, -tokens)
  second = (first - refilled) / rate
elseif op == 'wait' then
  first = math.max(0, (tonumber(ARGV[6]) - refilled) / rate)
elseif op == 'rate' then
  local wanted = tonumber(ARGV[6])
  if wanted and wanted > 0 then rate = wanted end
  first = rate
elseif op == 'throttled' then
  local accepted = math.max(1, run - 1)
  second = burst
  if accepted < burst then burst = accepted end
  tokens = math.min(tokens + 1, 0)
  throttled_at = now
  run = 0
  first = burst
elseif op == 'burst' then
  first = burst
end
local function num(x) return string.format('%.17g', x) end
local fields = {'rate', num(rate), 'max_burst', num(max_burst), 'burst', num(burst),
  'tokens', num(tokens), 'updated', num(updated), 'refilled', num(refilled), 'run', tostring(run)}
redis.call('HSET', KEYS[1], unpack(fields))
if throttled_at then
  redis.call('HSET', KEYS[1], 'throttled_at', num(throttled_at))
end
local idle = math.max(max_burst / rate, (max_burst - burst + 1) * recovery) + 60
redis.call('PEXPIRE', KEYS[1], math.ceil(idle * 1000))
return {num(first), num(second)}
"""


def _import_redis() -> Any:
    try:
        import redis
    except ImportError:
        raise ConfigurationError(
            "RedisRateLimiter needs redis-py: pip install 'amazon-erp-bridge[redis]'"
        ) from None
    return redis


class RedisRateLimiter(RateLimiter):
    """A :class:`~amazon_erp_bridge.core.limiter.RateLimiter` whose buckets live in Redis.

    ``url`` is a Redis URL (``redis://host:6379/0``; its password never appears in ``repr``
    or errors); ``prefix`` starts every bucket's key, so several applications can share a
    server. Buckets are keyed per scope (selling partner + application) and operation, like
    the local limiter's, and expire when idle long enough to be full again.
    """

    def __init__(
        self,
        url: str,
        rates: Mapping[str, Rate] | None = None,
        *,
        default: Rate | None = None,
        headroom: int = 0,
        burst_recovery: float = DEFAULT_BURST_RECOVERY,
        prefix: str = "aeb:rl",
        poll: float = 1.0,
        client: Any = None,
        async_client: Any = None,
    ) -> None:
        super().__init__(rates, default=default, headroom=headroom, burst_recovery=burst_recovery)
        if not poll > 0:
            raise ConfigurationError(f"RedisRateLimiter.poll must be > 0 seconds, got {poll}")
        self._url = url
        self._prefix = prefix
        self._poll = poll
        self._redis = _import_redis()
        self._client = client
        self._async_client = async_client
        self._script: Any = None
        self._async_script: Any = None

    def __repr__(self) -> str:
        return f"RedisRateLimiter(prefix={self._prefix!r})"

    def _key(self, key: str, scope: str) -> str:
        return f"{self._prefix}:{scope}:{key}"

    def _args(self, op: str, rate: Rate, arg: float = 0.0) -> list[str]:
        return [
            op,
            repr(rate.per_second),
            str(rate.burst),
            str(self._headroom),
            repr(self._recovery),
            repr(arg),
        ]

    def _fail(self, exc: Exception) -> TransportError:
        return TransportError(f"rate limiter redis: {_redis_text(exc)}", sent=False)

    def _run(self, op: str, key: str, scope: str, rate: Rate, arg: float = 0.0) -> list[float]:
        if self._script is None:
            if self._client is None:
                self._client = self._redis.Redis.from_url(self._url)
            self._script = self._client.register_script(_SCRIPT)
        try:
            found = self._script(keys=[self._key(key, scope)], args=self._args(op, rate, arg))
        except self._redis.RedisError as exc:
            raise self._fail(exc) from None
        return [float(v) for v in found]

    async def _run_async(
        self, op: str, key: str, scope: str, rate: Rate, arg: float = 0.0
    ) -> list[float]:
        if self._async_script is None:
            if self._async_client is None:
                self._async_client = self._redis.asyncio.Redis.from_url(self._url)
            self._async_script = self._async_client.register_script(_SCRIPT)
        try:
            found = await self._async_script(
                keys=[self._key(key, scope)], args=self._args(op, rate, arg)
            )
        except self._redis.RedisError as exc:
            raise self._fail(exc) from None
        return [float(v) for v in found]

    # -- the RateLimiter interface --------------------------------------------------------------

    def take(self, key: str, scope: str = "") -> Ticket:
        """Take a place in the shared bucket of ``key``; the ticket carries its first wait."""
        rate = self.rate_for(key)
        if rate is None:
            return Ticket(None, 0.0, key=key, scope=scope, wait=0.0)
        target, wait = self._run("take", key, scope, rate)
        return Ticket(None, target, key=key, scope=scope, wait=wait)

    def wait_time(self, ticket: Ticket) -> float:
        """Seconds until ``ticket`` may be used, at the shared bucket's current rate."""
        rate = self.rate_for(ticket.key)
        if rate is None or ticket.wait == 0.0:
            return 0.0
        return self._run("wait", ticket.key, ticket.scope, rate, ticket.target)[0]

    def acquire(
        self, key: str, scope: str = "", sleep: Callable[[float], None] | None = None
    ) -> float:
        """Block until a token of the shared bucket is ours; return the seconds waited."""
        ticket = self.take(key, scope)
        delay = ticket.wait or 0.0
        waited = 0.0
        while delay > 0:
            chunk = min(delay, self._poll)
            log.debug("rate limit %s: waiting %.3fs (shared)", key, chunk)
            if sleep is None or sleep is time.sleep:
                with self._changed:
                    self._changed.wait(chunk)
            else:
                sleep(chunk)
            waited += chunk
            delay = self.wait_time(ticket)
        return waited

    async def acquire_async(
        self,
        key: str,
        scope: str = "",
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> float:
        """Await a token of the shared bucket; return the seconds waited."""
        rate = self.rate_for(key)
        if rate is None:
            return 0.0
        target, delay = await self._run_async("take", key, scope, rate)
        waited = 0.0
        while delay > 0:
            chunk = min(delay, self._poll)
            await (sleep or _ASYNCIO_SLEEP)(chunk)
            waited += chunk
            delay = (await self._run_async("wait", key, scope, rate, target))[0]
        return waited

    def set_rate(self, key: str, per_second: float, scope: str = "") -> None:
        """Share the rate the server reports for ``key`` with every worker."""
        if not per_second > 0 or not math.isfinite(per_second):
            return
        rate = self.rate_for(key) or Rate(per_second, 1)
        self._run("rate", key, scope, rate, per_second)
        with self._changed:
            self._wake()

    def throttled(self, key: str, scope: str = "") -> None:
        """A 429 for ``key``: empty the shared bucket and learn the server's burst."""
        rate = self.rate_for(key)
        if rate is None:
            return
        after, before = self._run("throttled", key, scope, rate)
        if after < before:
            log.info(
                "rate limit %s: the server accepted a burst of %d, not %d; every worker uses %d",
                key,
                after,
                before,
                after,
            )

    def burst_of(self, key: str, scope: str = "") -> float | None:
        """The burst the shared bucket of ``key`` allows now."""
        rate = self.rate_for(key)
        if rate is None:
            return None
        return self._run("burst", key, scope, rate)[0]

    def close(self) -> None:
        """Release the Redis connections (the async one must be closed by ``aclose``)."""
        if self._client is not None:
            self._client.close()

    async def aclose(self) -> None:
        """Release both Redis connections."""
        self.close()
        if self._async_client is not None:
            await self._async_client.aclose()


def _redis_text(exc: Exception) -> str:
    """A Redis error's text with any URL password removed."""
    return redact(str(exc)) or type(exc).__name__


__all__ = ["RedisRateLimiter"]
