"""The fake SP-API over real HTTP on 127.0.0.1 (LocalServer), sync and async."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from amazon_erp_bridge.sandbox.server import LocalServer

from .spapi_env import MARKETS, SEEDED_FROM, Env


@pytest.fixture
def served() -> Iterator[tuple[Env, str]]:
    env = Env()
    with LocalServer(env.fake.router) as server:
        yield env, server.url


def test_orders_and_finances_over_http(served: tuple[Env, str]) -> None:
    env, url = served
    with env.client(endpoint=url) as client:
        orders = list(client.orders.get_orders(MARKETS, created_after=SEEDED_FROM))
        assert [o.order_id for o in orders] == list(env.fake.state.orders)
        pii = client.orders.get_order(orders[0].order_id, version="v0", include_pii=True)
        assert pii.buyer_name == env.fake.state.orders[pii.order_id].buyer_name
        events = list(client.finances.list_financial_events(SEEDED_FROM))
        assert Counter(events) == Counter(p.event for p in env.fake.state.events)
    assert env.fake.router.requests[0].path == "/auth/o2/token"
    assert env.fake.throttled == 0


def test_throttle_storm_over_http_is_ridden_out(served: tuple[Env, str]) -> None:
    env, url = served
    env.fake.router.faults.throttle = 3
    env.fake.router.faults.match = "/fba/"
    with env.client(endpoint=url) as client:
        levels = list(client.inventory.get_inventory_summaries("ATVPDKIKX0DER"))
    assert len(levels) == 6


async def test_async_client_over_http(served: tuple[Env, str]) -> None:
    env, url = served
    client = env.async_client(endpoint=url)
    japan = ["A1VC38T7YXB528"]
    orders = [
        o async for o in client.orders.get_orders(japan, created_after=SEEDED_FROM, version="v0")
    ]
    assert len(orders) == 10 and all(o.lines for o in orders)
    assert {o.currency for o in orders} == {"JPY"}
    await client.aclose()
