"""The async client shares the operations of the sync one and reads the same data."""

from __future__ import annotations

import pytest

from amazon_erp_bridge.amazon import RATES, AsyncSpApiClient, SpApiClient
from amazon_erp_bridge.core.limiter import RateLimiter
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.sandbox.clients import spapi_credentials

from .spapi_env import MARKETS, SEEDED_FROM, Env


async def test_async_orders_match_sync_in_both_versions() -> None:
    env = Env()
    shared = RateLimiter(RATES, clock=env.clock)  # one limiter: the fake counts them together
    sync = env.client(limiter=shared)
    client = env.async_client(limiter=shared)
    for version in ("2026-01-01", "v0"):
        got = [
            o
            async for o in client.orders.get_orders(
                MARKETS, created_after=SEEDED_FROM, version=version
            )
        ]
        assert got == list(
            sync.orders.get_orders(MARKETS, created_after=SEEDED_FROM, version=version)
        )
    order_id = next(iter(env.fake.state.orders))
    assert await client.orders.get_order(order_id) == sync.orders.get_order(order_id)
    assert await client.orders.get_order_items(
        order_id, version="v0"
    ) == sync.orders.get_order_items(order_id, version="v0")
    assert await client.orders.get_order_items(order_id) == sync.orders.get_order_items(order_id)
    await client.aclose()


async def test_async_include_pii_v0_uses_one_rdt() -> None:
    env = Env()
    client = env.async_client()
    orders = [
        o
        async for o in client.orders.get_orders(
            MARKETS, created_after=SEEDED_FROM, version="v0", include_pii=True, with_lines=False
        )
    ]
    assert all(o.buyer_email for o in orders)
    assert len(env.paths("restrictedDataToken")) == 1
    await client.aclose()


async def test_async_validation_happens_before_iteration() -> None:
    env = Env()
    client = env.async_client()
    with pytest.raises(ValidationError, match="created_after or last_updated_after"):
        client.orders.get_orders(MARKETS)
    with pytest.raises(ValidationError, match="no time zone"):
        client.finances.list_financial_events(SEEDED_FROM.replace(tzinfo=None))
    assert env.fake.router.requests == []
    await client.aclose()


def test_clients_have_the_same_api_groups() -> None:
    creds = spapi_credentials(Env().fake)
    sync, a = SpApiClient(creds), AsyncSpApiClient(creds)
    for group in ("orders", "finances", "inventory", "tokens"):
        sync_methods = {m for m in dir(getattr(sync, group)) if not m.startswith("_")}
        async_methods = {m for m in dir(getattr(a, group)) if not m.startswith("_")}
        assert sync_methods == async_methods, group
    assert "***" in repr(sync) and creds.client_secret.reveal() not in repr(a)
