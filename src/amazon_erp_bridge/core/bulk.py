"""Many independent calls in flight at once, a bounded number at a time, results in input order.

One call at a time cannot use an operation's rate when the server answers slowly: at a rate
of 10 requests/s and 150 ms per answer, a caller that waits for each answer sends at most
6.7 requests/s. With ``concurrency`` calls in flight the rate limiter, not the latency, sets
the pace (``concurrency`` should be at least rate x latency; the limiter keeps the calls
within the rate, so a larger value costs no 429).

:func:`map_bounded` runs a blocking function over a bounded thread pool (the sync clients are
thread-safe); :func:`amap_bounded` runs a coroutine function with a semaphore on the caller's
event loop. Both return the results in the order of the inputs; the first error is raised
once the calls already running have finished, and no new call starts after one failed.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import TypeVar

from amazon_erp_bridge.errors import ConfigurationError

T = TypeVar("T")
R = TypeVar("R")

#: Calls in flight when the caller does not say (rate x latency of most SP-API reads).
DEFAULT_CONCURRENCY = 8


def _check(concurrency: int) -> None:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ConfigurationError(
            f"concurrency: expected a whole number of calls in flight >= 1, got {concurrency!r}"
        )


def map_bounded(
    fn: Callable[[T], R], items: Iterable[T], *, concurrency: int = DEFAULT_CONCURRENCY
) -> list[R]:
    """``[fn(item) for item in items]`` with at most ``concurrency`` calls running at once.

    The calls run on a thread pool of ``concurrency`` threads; the results come back in the
    order of ``items``. If a call raises, no further call starts, the calls already running
    finish, and the error of the first failed item (in input order) is raised.
    """
    _check(concurrency)
    inputs = list(items)
    if not inputs:
        return []
    if concurrency == 1 or len(inputs) == 1:
        return [fn(item) for item in inputs]
    stop = threading.Event()

    def guarded(item: T) -> R:
        if stop.is_set():
            raise _Skipped
        try:
            return fn(item)
        except BaseException:
            stop.set()
            raise

    with ThreadPoolExecutor(max_workers=min(concurrency, len(inputs))) as pool:
        futures: list[Future[R]] = [pool.submit(guarded, item) for item in inputs]
        wait(futures, return_when=FIRST_EXCEPTION)
        if stop.is_set():
            for future in futures:
                future.cancel()
    for future in futures:
        if future.done() and not future.cancelled():
            exc = future.exception()
            if exc is not None and not isinstance(exc, _Skipped):
                raise exc
    return [future.result() for future in futures]


async def amap_bounded(
    fn: Callable[[T], Awaitable[R]],
    items: Iterable[T],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> list[R]:
    """``[await fn(item) for item in items]`` with at most ``concurrency`` awaiting at once.

    Runs on the caller's event loop (the async clients share one connection pool); results in
    the order of ``items``. If a call raises, the calls not yet started are cancelled, the
    running ones finish, and the error of the first failed item (in input order) is raised.
    """
    _check(concurrency)
    inputs = list(items)
    semaphore = asyncio.Semaphore(concurrency)
    failed = asyncio.Event()

    async def one(item: T) -> R:
        async with semaphore:
            if failed.is_set():
                raise _Skipped
            try:
                return await fn(item)
            except BaseException:
                failed.set()
                raise

    tasks = [asyncio.ensure_future(one(item)) for item in inputs]
    try:
        if tasks:
            await asyncio.wait(tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        raise
    for task in tasks:
        exc = None if task.cancelled() else task.exception()
        if exc is not None and not isinstance(exc, _Skipped):
            raise exc
    return [task.result() for task in tasks]


class _Skipped(Exception):
    """A call not started because an earlier one failed (never leaves this module)."""
