"""map_bounded / amap_bounded: input order kept, at most N in flight, the first failure raised."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from amazon_erp_bridge.core.bulk import amap_bounded, map_bounded
from amazon_erp_bridge.errors import ApiError, ConfigurationError


def test_map_bounded_keeps_order_and_bound() -> None:
    running = 0
    most = 0
    lock = threading.Lock()
    release = threading.Event()

    def work(n: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            if running == 3:
                release.set()
        release.wait(1.0)
        with lock:
            running -= 1
        return n * n

    assert map_bounded(work, range(10), concurrency=3) == [n * n for n in range(10)]
    assert most == 3
    assert map_bounded(work, [], concurrency=3) == []


def test_map_bounded_raises_first_failure_and_starts_no_more() -> None:
    started: list[int] = []

    def work(n: int) -> int:
        started.append(n)
        if n == 1:
            raise ApiError("order 1 refused", status=400)
        time.sleep(0.001)
        return n

    with pytest.raises(ApiError, match="order 1 refused"):
        map_bounded(work, range(50), concurrency=2)
    assert len(started) < 50


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "4"])
def test_bad_concurrency_is_refused(bad: object) -> None:
    with pytest.raises(ConfigurationError, match="concurrency"):
        map_bounded(str, [1], concurrency=bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="concurrency"):
        asyncio.run(amap_bounded(asyncio.sleep, [0], concurrency=bad))  # type: ignore[arg-type]


async def test_amap_bounded_keeps_order_and_bound() -> None:
    running = 0
    most = 0

    async def work(n: int) -> int:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        running -= 1
        return -n

    assert await amap_bounded(work, range(20), concurrency=4) == [-n for n in range(20)]
    assert most == 4
    assert await amap_bounded(work, [], concurrency=4) == []


async def test_amap_bounded_raises_first_failure() -> None:
    started: list[int] = []

    async def work(n: int) -> int:
        started.append(n)
        await asyncio.sleep(0)
        if n == 2:
            raise ApiError("order 2 refused", status=400)
        return n

    with pytest.raises(ApiError, match="order 2 refused"):
        await amap_bounded(work, range(100), concurrency=3)
    assert len(started) < 100
