"""get_items_many on both clients: the same lines as one call per order, in the order given."""

from __future__ import annotations

import asyncio

import pytest

from amazon_erp_bridge.core.limiter import Rate, RateLimiter
from amazon_erp_bridge.errors import ApiError, ConfigurationError

from .spapi_env import Env


def _ids(env: Env, n: int = 12) -> list[str]:
    return sorted(env.fake.state.orders)[:n]


def test_sync_get_items_many_equals_one_call_per_order() -> None:
    env = Env()
    client = env.client()
    ids = _ids(env)
    many = client.orders.get_items_many([*ids, ids[0]], concurrency=4, version="v0")
    assert list(many) == ids  # duplicates read once, order kept
    for order_id in ids:
        assert many[order_id] == client.orders.get_order_items(order_id, version="v0")
        assert many[order_id]


async def test_async_get_items_many_equals_sync() -> None:
    env = Env()
    ids = _ids(env)
    sync = env.client().orders.get_items_many(ids, concurrency=1, version="v0")
    client = env.async_client()
    got = await client.orders.get_items_many(ids, concurrency=5, version="v0")
    assert got == sync
    assert await client.orders.get_items_many(ids[:2]) == {
        i: await client.orders.get_order_items(i) for i in ids[:2]
    }
    await client.aclose()


def test_get_items_many_raises_the_failed_orders_error() -> None:
    env = Env()
    client = env.client()
    with pytest.raises(ApiError) as caught:
        client.orders.get_items_many([_ids(env)[0], "111-0000000-0000000"], version="v0")
    assert caught.value.status == 404 or "111-0000000-0000000" in str(caught.value)
    with pytest.raises(ConfigurationError, match="concurrency"):
        client.orders.get_items_many(_ids(env), concurrency=0)


async def test_a_learned_rate_shortens_waits_already_taken() -> None:
    """Issue 18: calls queued at the documented rate go at the rate the server reports."""
    limiter = RateLimiter({"ordersV0.getOrderItems": Rate(0.5, 1)})
    waits = [limiter.take("ordersV0.getOrderItems") for _ in range(5)]
    assert limiter.wait_time(waits[-1]) > 7.0  # 4 places behind at 0.5/s
    limiter.set_rate("ordersV0.getOrderItems", 100.0)
    assert limiter.wait_time(waits[-1]) < 0.1
    await asyncio.sleep(0)


def test_async_client_waits_with_asyncio_sleep_by_default() -> None:
    """Only asyncio.sleep itself lets the limiter wake waiting calls when a rate is learned."""
    from amazon_erp_bridge.sandbox.clients import async_spapi_client

    client = async_spapi_client(Env().fake)
    assert client.sender._sleep is asyncio.sleep
    asyncio.run(client.aclose())
