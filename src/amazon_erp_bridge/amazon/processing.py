"""Waiting for Amazon to process something: reports and feeds share one lifecycle.

Both go IN_QUEUE -> IN_PROGRESS -> DONE, or end CANCELLED or FATAL. :class:`ProcessingWait`
holds the rules of a bounded wait (how long to sleep, when to give up, what a failure says)
apart from the sleeping itself, so the sync and async clients loop over the same rules and a
test drives them with a fake clock.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence
from typing import Final

from amazon_erp_bridge.errors import BridgeError, ValidationError

DEFAULT_POLL_INTERVAL: Final = 10.0
DEFAULT_WAIT_TIMEOUT: Final = 1800.0


class ProcessingStatus(enum.StrEnum):
    """Where a report or feed is in its lifecycle."""

    IN_QUEUE = "IN_QUEUE"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    CANCELLED = "CANCELLED"
    FATAL = "FATAL"

    @property
    def finished(self) -> bool:
        """True for a final status (DONE, CANCELLED or FATAL): stop polling."""
        return self in (ProcessingStatus.DONE, ProcessingStatus.CANCELLED, ProcessingStatus.FATAL)


def checked_id(value: str, what: str) -> str:
    """A report, feed or document id fit for a URL path: not blank, no slash."""
    if not isinstance(value, str) or not value.strip() or "/" in value:
        raise ValidationError(f"{what}: expected an identifier, got {value!r}")
    return value.strip()


def string_tuple(values: Sequence[str] | None) -> tuple[str, ...]:
    """attrs converter: a list of ids from JSON as a tuple."""
    return tuple(values or ())


class ProcessingError(BridgeError):
    """A report or feed did not finish well: it failed, was cancelled, or took too long."""

    def __init__(
        self,
        message: str,
        *,
        resource_id: str,
        processing_status: str | None = None,
        document_id: str | None = None,
    ) -> None:
        super().__init__(message)
        #: The report id or feed id.
        self.resource_id = resource_id
        self.processing_status = processing_status
        #: Amazon's document about the failure (report error document, feed processing report).
        self.document_id = document_id


class ProcessingFailedError(ProcessingError):
    """Amazon ended the report or feed FATAL or CANCELLED."""


class ProcessingTimeoutError(ProcessingError):
    """The report or feed was still not DONE when the wait ran out."""


class ProcessingWait:
    """The rules of a bounded wait for one report or feed (pure; clock injected).

    Feed it each polled status: it answers how many seconds to sleep before the next poll, or
    None once the status is DONE. It raises ``failed`` for FATAL or CANCELLED and ``timed_out``
    once ``timeout`` seconds have gone by, both naming the id and the last status.
    """

    def __init__(
        self,
        subject: str,
        resource_id: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        interval: float = DEFAULT_POLL_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        failed: type[ProcessingFailedError] = ProcessingFailedError,
        timed_out: type[ProcessingTimeoutError] = ProcessingTimeoutError,
    ) -> None:
        if timeout < 0 or interval <= 0:
            raise ValidationError(
                f"{subject} wait: timeout must be >= 0 and poll interval > 0, "
                f"got {timeout} and {interval}"
            )
        self.subject = subject
        self.resource_id = resource_id
        self.timeout = timeout
        self.interval = interval
        self._clock = clock
        self._deadline = clock() + timeout
        self._failed = failed
        self._timed_out = timed_out
        self.polls = 0

    def next_delay(
        self, status: ProcessingStatus, kind: str = "", document_id: str | None = None
    ) -> float | None:
        """Seconds to sleep before polling again, or None if it is DONE."""
        self.polls += 1
        what = f"{self.subject} {self.resource_id}" + (f" ({kind})" if kind else "")
        if status is ProcessingStatus.DONE:
            return None
        if status in (ProcessingStatus.FATAL, ProcessingStatus.CANCELLED):
            why = (
                "was cancelled (by request, or because there was nothing to process)"
                if status is ProcessingStatus.CANCELLED
                else "failed"
            )
            detail = f"; Amazon's document about it is {document_id}" if document_id else ""
            raise self._failed(
                f"{what} {why}: status {status.value}{detail}",
                resource_id=self.resource_id,
                processing_status=status.value,
                document_id=document_id,
            )
        remaining = self._deadline - self._clock()
        if remaining <= 0:
            raise self._timed_out(
                f"{what} is still {status.value} after {self.timeout:g}s and {self.polls} "
                f"polls; wait longer, or poll it again later",
                resource_id=self.resource_id,
                processing_status=status.value,
            )
        return min(self.interval, remaining)
