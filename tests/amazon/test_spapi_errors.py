"""SP-API error bodies, request ids, retries on 429 and 5xx, and their exhaustion."""

from __future__ import annotations

import httpx2
import pytest

from amazon_erp_bridge.amazon.errors import error_list, read_error
from amazon_erp_bridge.core.retry import RetryPolicy
from amazon_erp_bridge.errors import ApiError, RateLimitedError, TransportError

from .spapi_env import MARKETS, SEEDED_FROM, Env


def test_read_error_takes_code_message_and_details() -> None:
    body = (
        b'{"errors":[{"code":"InvalidInput","message":"Invalid Input","details":"createdAfter"},'
        b'{"code":"Other","message":"second"}]}'
    )
    info = read_error(httpx2.Response(400, content=body))
    assert info.code == "InvalidInput"
    assert info.message == "Invalid Input (createdAfter)"
    assert isinstance(info.details, list) and len(info.details) == 2
    assert [e["code"] for e in error_list(httpx2.Response(400, content=body))] == [
        "InvalidInput",
        "Other",
    ]


def test_read_error_falls_back_to_the_text() -> None:
    info = read_error(httpx2.Response(502, content=b"<html>Bad Gateway</html>"))
    assert info.code is None and "Bad Gateway" in info.message
    assert read_error(httpx2.Response(400, content=b'{"code":"X","message":"flat"}')).code == "X"
    assert error_list(httpx2.Response(400, content=b"nope")) == []


def test_api_error_carries_code_message_status_and_request_id() -> None:
    env = Env()
    with pytest.raises(ApiError) as info:
        env.client().orders.get_order("404-0000000-0000000")
    err = info.value
    assert (err.status, err.code) == (404, "NotFound")
    assert "Order 404-0000000-0000000 not found" in err.message
    assert err.request_id and err.request_id in err.message
    assert err.operation == "orders.getOrder" and err.service == "SP-API"


def test_429_is_retried_with_backoff_and_succeeds() -> None:
    env = Env()
    env.fake.router.faults.throttle = 2
    env.fake.router.faults.match = "/orders/"
    client = env.client()
    order_id = next(iter(env.fake.state.orders))
    assert client.orders.get_order(order_id).order_id == order_id
    assert len(env.paths("/orders/")) == 3
    assert env.clock.slept > 0  # it backed off (on the manual clock)


def test_429_exhausted_raises_rate_limited_error() -> None:
    env = Env()
    env.fake.router.faults.throttle = 10
    env.fake.router.faults.match = "/orders/"
    client = env.client(retry=RetryPolicy(max_attempts=3))
    with pytest.raises(RateLimitedError, match="QuotaExceeded") as info:
        client.orders.get_order(next(iter(env.fake.state.orders)))
    assert info.value.status == 429
    assert "exceeded your quota" in info.value.message
    assert info.value.request_id
    assert len(env.paths("/orders/")) == 3


def test_retry_after_is_honoured() -> None:
    env = Env()
    env.fake.router.faults.throttle = 1
    env.fake.router.faults.retry_after = "7"
    env.fake.router.faults.match = "/fba/"
    client = env.client()
    list(client.inventory.get_inventory_summaries("ATVPDKIKX0DER"))
    assert env.clock.slept >= 7


def test_5xx_is_retried_then_raised_when_it_persists() -> None:
    env = Env()
    env.fake.router.faults.fail = 1
    env.fake.router.faults.match = "/orders/"
    client = env.client()
    order_id = next(iter(env.fake.state.orders))
    assert client.orders.get_order(order_id).order_id == order_id
    env.fake.router.faults.fail = 10
    env.fake.router.faults.fail_status = 500
    with pytest.raises(ApiError, match="injected failure") as info:
        client.orders.get_order(order_id)
    assert info.value.status == 500 and info.value.code == "InternalFailure"
    assert not isinstance(info.value, RateLimitedError)


def test_dropped_connection_is_retried_then_a_transport_error() -> None:
    env = Env()
    env.fake.router.faults.drop = 10
    env.fake.router.faults.match = "/orders/"
    client = env.client(retry=RetryPolicy(max_attempts=2))
    with pytest.raises(TransportError, match="timed out"):
        client.orders.get_order(next(iter(env.fake.state.orders)))


def test_bad_input_is_not_retried() -> None:
    env = Env()
    client = env.client()
    from amazon_erp_bridge.core.call import Call
    from amazon_erp_bridge.core.sender import json_body

    with pytest.raises(ApiError, match="InvalidInput"):
        client.sender.send(Call("GET", "/orders/2026-01-01/orders", parse=json_body))
    assert len(env.paths("/orders/")) == 1


async def test_async_429_exhausted_and_5xx() -> None:
    env = Env()
    env.fake.router.faults.throttle = 10
    env.fake.router.faults.match = "/orders/"
    client = env.async_client(retry=RetryPolicy(max_attempts=2))
    with pytest.raises(RateLimitedError):
        await client.orders.get_order(next(iter(env.fake.state.orders)))
    env.fake.router.faults.reset()
    env.fake.router.faults.fail = 1
    orders = [o async for o in client.orders.get_orders(MARKETS, created_after=SEEDED_FROM)]
    assert len(orders) == 60
    await client.aclose()
