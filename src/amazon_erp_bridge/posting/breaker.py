"""A circuit breaker, so that a poster stops hammering an ERP that is down and resumes alone.

Closed: calls go through and consecutive failures are counted. After ``failure_threshold`` of
them it opens: calls are refused at once. After ``reset_timeout`` seconds (by the injected
clock) it is half-open: one trial call goes through; success closes it, failure opens it again
for another cool-down. One breaker guards one ERP target within one process.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable

from amazon_erp_bridge.core.redaction import get_logger

log = get_logger("amazon_erp_bridge.posting")


class BreakerState(enum.StrEnum):
    """Whether calls may go through."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Opens after ``failure_threshold`` consecutive failures, tries again after a cool-down.

    Callers ask :meth:`allow` before a call and report :meth:`record_success` or
    :meth:`record_failure` after it (or :meth:`release` if they ended up not calling).
    """

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_timeout: float = 30.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        name: str = "",
    ) -> None:
        if failure_threshold < 1:
            raise ValueError(
                f"CircuitBreaker.failure_threshold must be >= 1, got {failure_threshold}"
            )
        if reset_timeout < 0:
            raise ValueError(f"CircuitBreaker.reset_timeout must be >= 0, got {reset_timeout}")
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.name = name
        self._clock = clock
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial = False

    def __repr__(self) -> str:
        return (
            f"CircuitBreaker({self.name or 'unnamed'}, {self.state.value}, "
            f"failures={self._failures}/{self.failure_threshold})"
        )

    def _tick(self) -> None:
        if (
            self._state is BreakerState.OPEN
            and self._clock() - self._opened_at >= self.reset_timeout
        ):
            self._state = BreakerState.HALF_OPEN
            self._trial = False

    @property
    def state(self) -> BreakerState:
        """The current state (an open breaker whose cool-down is over reads half-open)."""
        with self._lock:
            self._tick()
            return self._state

    @property
    def failures(self) -> int:
        """Consecutive failures counted so far."""
        return self._failures

    @property
    def retry_in(self) -> float:
        """Seconds until an open breaker lets a trial call through (0 when not open)."""
        with self._lock:
            self._tick()
            if self._state is not BreakerState.OPEN:
                return 0.0
            return max(0.0, self.reset_timeout - (self._clock() - self._opened_at))

    def allow(self) -> bool:
        """May a call go through now? In half-open state only one trial at a time may."""
        with self._lock:
            self._tick()
            if self._state is BreakerState.CLOSED:
                return True
            if self._state is BreakerState.HALF_OPEN and not self._trial:
                self._trial = True
                return True
            return False

    def record_success(self) -> None:
        """The call reached a working ERP: close the breaker and forget past failures."""
        with self._lock:
            if self._state is not BreakerState.CLOSED:
                log.info("circuit %s closed: the ERP answers again", self.name or "breaker")
            self._state = BreakerState.CLOSED
            self._failures = 0
            self._trial = False

    def record_failure(self) -> None:
        """The call failed because the ERP is unwell: count it, open when over the threshold."""
        with self._lock:
            self._tick()
            self._failures += 1
            reopen = self._state is BreakerState.HALF_OPEN
            if reopen or self._failures >= self.failure_threshold:
                if self._state is not BreakerState.OPEN:
                    log.warning(
                        "circuit %s open after %d consecutive failures; next try in %.0fs",
                        self.name or "breaker",
                        self._failures,
                        self.reset_timeout,
                    )
                self._state = BreakerState.OPEN
                self._opened_at = self._clock()
                self._trial = False

    def release(self) -> None:
        """The caller was allowed through but made no call: free the half-open trial slot."""
        with self._lock:
            self._trial = False
