"""When and how long to retry: 429, 5xx, timeouts and connection errors, with full jitter.

The senders run :meth:`RetryPolicy.run` (a plain loop: the first attempt costs one ``try``, no
per-call setup); :meth:`RetryPolicy.retrying` gives the same policy as a tenacity loop. A
request that the server may have processed (POST after a timeout or a 5xx) is retried only if
the call says it is idempotent; a 429 or a refused connection means the request was not
processed, so those are always safe to send again.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import tenacity
from attrs import field, frozen

from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.errors import ApiError, RateLimitedError, TransportError

T = TypeVar("T")


def _positive(_: object, attribute: Any, value: float) -> None:
    if value < 0:
        raise ValueError(f"RetryPolicy.{attribute.name} must be >= 0")


@frozen
class RetryPolicy:
    """Bounded retries with exponential backoff and full jitter, honouring ``Retry-After``.

    The n-th wait is uniform in [0, min(cap, base * 2**(n-1))] (full jitter), or the server's
    ``Retry-After`` if that is longer; the whole affair stops after ``max_attempts`` sends or
    ``max_elapsed`` seconds.
    """

    max_attempts: int = 5
    max_elapsed: float = field(default=120.0, validator=_positive)
    base: float = field(default=0.5, validator=_positive)
    cap: float = field(default=20.0, validator=_positive)
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})
    rng: random.Random = field(factory=random.Random, eq=False, repr=False)

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``attempt``-th failed send (1-based)."""
        ceiling = min(self.cap, self.base * (2 ** max(attempt - 1, 0)))
        wait = self.rng.uniform(0, ceiling)
        if retry_after is not None:
            wait = max(wait, retry_after)
        return wait

    def should_retry(self, exc: BaseException, call: Call[Any]) -> bool:
        """True if ``exc`` is worth another send of ``call``."""
        if isinstance(exc, RateLimitedError):
            return True
        if isinstance(exc, TransportError):
            return call.is_idempotent or not exc.sent
        if isinstance(exc, ApiError):
            return exc.status in self.retry_statuses and (call.is_idempotent or exc.status == 429)
        return False

    def _delay(self, exc: BaseException, call: Call[Any], attempt: int, started: float) -> float:
        """Seconds to wait before send ``attempt + 1``; re-raises ``exc`` when it is final."""
        if not self.should_retry(exc, call):
            raise exc
        elapsed = time.monotonic() - started
        if attempt >= self.max_attempts or elapsed >= self.max_elapsed:
            raise exc
        delay = self.backoff(attempt, getattr(exc, "retry_after", None))
        return max(0.0, min(delay, self.max_elapsed - elapsed))

    def run(self, call: Call[Any], send: Callable[[], T], sleep: Callable[[float], None]) -> T:
        """``send()`` until it returns, retrying what :meth:`should_retry` allows.

        The same stops and waits as :meth:`retrying` (``max_attempts`` sends, ``max_elapsed``
        seconds, full-jitter backoff or ``Retry-After``), as a plain loop: a call answered at
        the first attempt pays for one ``try`` and nothing else.
        """
        started = time.monotonic()
        try:
            return send()
        except Exception as exc:
            sleep(self._delay(exc, call, 1, started))
        attempt = 2
        while True:
            try:
                return send()
            except Exception as exc:
                sleep(self._delay(exc, call, attempt, started))
            attempt += 1

    async def run_async(
        self,
        call: Call[Any],
        send: Callable[[], Awaitable[T]],
        sleep: Callable[[float], Awaitable[None]],
    ) -> T:
        """The awaitable twin of :meth:`run`."""
        started = time.monotonic()
        try:
            return await send()
        except Exception as exc:
            await sleep(self._delay(exc, call, 1, started))
        attempt = 2
        while True:
            try:
                return await send()
            except Exception as exc:
                await sleep(self._delay(exc, call, attempt, started))
            attempt += 1

    def _kwargs(self, call: Call[Any]) -> dict[str, Any]:
        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            retry_after = getattr(exc, "retry_after", None)
            delay = self.backoff(state.attempt_number, retry_after)
            remaining = self.max_elapsed - (state.seconds_since_start or 0.0)
            return max(0.0, min(delay, remaining))

        return {
            "stop": tenacity.stop_after_attempt(self.max_attempts)
            | tenacity.stop_after_delay(self.max_elapsed),
            "wait": wait,
            "retry": tenacity.retry_if_exception(lambda e: self.should_retry(e, call)),
            "reraise": True,
        }

    def retrying(self, call: Call[Any], sleep: Callable[[float], None]) -> tenacity.Retrying:
        """A tenacity loop for sending ``call`` synchronously."""
        return tenacity.Retrying(sleep=sleep, **self._kwargs(call))

    def retrying_async(
        self, call: Call[Any], sleep: Callable[[float], Awaitable[None]]
    ) -> tenacity.AsyncRetrying:
        """A tenacity loop for sending ``call`` from a coroutine."""
        return tenacity.AsyncRetrying(sleep=sleep, **self._kwargs(call))


NO_RETRY = RetryPolicy(max_attempts=1)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
