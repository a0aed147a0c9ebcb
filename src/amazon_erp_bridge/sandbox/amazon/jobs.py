"""What the fake's asynchronous jobs share: lifecycle steps and result lists paged by token.

Reports and feeds move IN_QUEUE -> IN_PROGRESS -> their outcome one step every few polls, so a
test decides how long a job takes by how often it asks, with no clock involved. Their list
operations (getReports, getFeeds, listAllFulfillmentOrders) send the next-page token alone,
without the filters, so a token stands for the stored result list it continues.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")

QUEUED: tuple[str, ...] = ("IN_QUEUE", "IN_PROGRESS")
FINISHED = frozenset({"DONE", "FATAL", "CANCELLED"})


class Job(Protocol):
    """A report or feed as the fake keeps it."""

    status: str
    outcome: str
    polls: int
    processing_start: datetime | None
    processing_end: datetime | None


def advance(job: Job, polls_per_step: int, now: datetime) -> bool:
    """Count one poll of ``job`` and move it along; True when it has just finished."""
    if job.status in FINISHED:
        return False
    job.polls += 1
    step = job.polls // max(polls_per_step, 1)
    if step < len(QUEUED):
        job.status = QUEUED[step]
        if job.status == "IN_PROGRESS" and job.processing_start is None:
            job.processing_start = now
        return False
    job.status = job.outcome
    job.processing_start = job.processing_start or now
    job.processing_end = now
    return True


class StoredPages(Generic[T]):
    """Next-page tokens that stand for the rest of a stored result list."""

    def __init__(self, new_token: Callable[[], str]) -> None:
        self._new_token = new_token
        self._pages: dict[str, tuple[Sequence[T], int, int]] = {}
        self._lock = threading.Lock()

    def first(self, items: Sequence[T], size: int) -> tuple[Sequence[T], str | None]:
        """The first ``size`` items and the token for the rest (None if there is no rest)."""
        return self._slice(items, 0, size)

    def next(self, token: str) -> tuple[Sequence[T], str | None] | None:
        """The page a token stands for (each token works once), or None if it is unknown."""
        with self._lock:
            found = self._pages.pop(token, None)
        if found is None:
            return None
        return self._slice(*found)

    def _slice(self, items: Sequence[T], offset: int, size: int) -> tuple[Sequence[T], str | None]:
        end = offset + size
        if end >= len(items):
            return items[offset:], None
        token = self._new_token()
        with self._lock:
            self._pages[token] = (items, end, size)
        return items[offset:end], token
