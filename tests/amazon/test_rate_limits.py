"""Documented rates, buckets per (seller, app, operation), the rate header, zero 429s."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from amazon_erp_bridge.amazon import RATES, orders, tokens
from amazon_erp_bridge.amazon import finances as fin
from amazon_erp_bridge.amazon import inventory as inv
from amazon_erp_bridge.amazon.rates import rate_for
from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.core.limiter import Rate, RateLimiter
from amazon_erp_bridge.core.redaction import Secret
from amazon_erp_bridge.core.retry import NO_RETRY
from amazon_erp_bridge.errors import RateLimitedError
from amazon_erp_bridge.sandbox.clients import spapi_credentials

from .spapi_env import MARKETS, SEEDED_FROM, Env

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_every_operation_has_its_documented_rate() -> None:
    calls: list[Call[Any]] = [
        orders.search_orders(created_after=T0),
        orders.get_order_2026("1"),
        orders.get_orders_v0(["M"], created_after=T0),
        orders.get_order_v0("1"),
        orders.get_order_items_v0("1"),
        orders.get_order_address_v0("1", Secret("r")),
        orders.get_order_buyer_info_v0("1", Secret("r")),
        tokens.create_restricted_data_token([tokens.RestrictedResource("GET", "/x")]),
        fin.list_financial_events(T0),
        fin.list_financial_events_by_group_id("g"),
        fin.list_financial_events_by_order_id("o"),
        fin.list_financial_event_groups(),
        fin.list_transactions(T0),
        inv.get_inventory_summaries("M"),
    ]
    for call in calls:
        assert call.limit_key in RATES, call.limit_key
    assert rate_for("orders.searchOrders") == Rate(0.0056, 20)
    assert rate_for("ordersV0.getOrders") == Rate(0.0167, 20)
    assert rate_for("finances.listTransactions") == Rate(0.5, 10)
    assert rate_for("fbaInventory.getInventorySummaries") == Rate(2, 2)
    assert rate_for("tokens.createRestrictedDataToken") == Rate(1, 10)


def _run_get_order(env: Env, n: int) -> float:
    client = env.client()
    order_id = next(iter(env.fake.state.orders))
    start = env.clock()
    for _ in range(n):
        client.orders.get_order(order_id)
    return env.clock() - start


def test_sustained_run_at_the_documented_limit_draws_no_429() -> None:
    env = Env()
    n = 130
    elapsed = _run_get_order(env, n)
    assert env.fake.throttled == 0
    rate = RATES["orders.getOrder"]
    ideal = (n - rate.burst) / rate.per_second
    assert ideal <= elapsed <= ideal / 0.95  # at least 95% of the documented rate


def test_sustained_paging_at_a_slow_rate_draws_no_429() -> None:
    env = Env(page_size=1, orders=30)
    client = env.client()
    found = list(
        client.orders.get_orders(MARKETS, created_after=SEEDED_FROM, max_results_per_page=1)
    )
    assert len(found) == 30
    assert env.fake.throttled == 0
    assert env.clock.slept == pytest.approx((30 - 20) / 0.0056, rel=0.01)


async def test_async_sustained_run_draws_no_429() -> None:
    env = Env()
    client = env.async_client()
    order_id = next(iter(env.fake.state.orders))
    for _ in range(60):
        await client.orders.get_order(order_id)
    assert env.fake.throttled == 0
    assert env.clock.slept == pytest.approx((60 - 30) / 0.5, rel=0.01)
    await client.aclose()


def test_without_a_limiter_the_fake_answers_429() -> None:
    env = Env()
    client = env.client(limiter=RateLimiter({}), retry=NO_RETRY)
    client.sender.hooks.clear()  # do not even follow the rate header
    order_id = next(iter(env.fake.state.orders))
    for _ in range(30):
        client.orders.get_order(order_id)
    with pytest.raises(RateLimitedError, match="QuotaExceeded") as info:
        client.orders.get_order(order_id)
    assert info.value.request_id
    assert env.fake.throttled == 1


def test_rate_follows_the_rate_limit_header() -> None:
    env = Env()
    env.fake.set_rate("orders.getOrder", Rate(5, 30))
    elapsed = _run_get_order(env, 100)
    assert env.fake.throttled == 0
    assert elapsed == pytest.approx((100 - 30) / 5, rel=0.02)


def test_lower_live_rate_is_followed_without_429s() -> None:
    env = Env()
    env.fake.set_rate("orders.getOrder", Rate(0.1, 30))
    elapsed = _run_get_order(env, 40)
    assert env.fake.throttled == 0
    assert elapsed == pytest.approx((40 - 30) / 0.1, rel=0.02)


def test_buckets_are_per_selling_partner_and_application() -> None:
    env = Env()
    env.fake.enforce_rates = False
    limiter = RateLimiter(RATES, clock=env.clock)
    seller_a = env.client(limiter=limiter, selling_partner_id="A1")
    seller_b = env.client(limiter=limiter, selling_partner_id="B2")
    order_id = next(iter(env.fake.state.orders))
    for _ in range(30):
        seller_a.orders.get_order(order_id)
    assert env.clock.slept == 0
    seller_b.orders.get_order(order_id)  # its own bucket: no wait
    assert env.clock.slept == 0
    seller_a.orders.get_order(order_id)  # A's bucket is empty: waits
    assert env.clock.slept == pytest.approx(2.0)
    assert limiter.reserve("orders.getOrder", "B2|" + seller_b.credentials.client_id) == 0


def test_fake_buckets_are_per_application_and_seller() -> None:
    env = Env()
    env.fake.state.clients["amzn1.application-oa2-client.other"] = "other-secret-0000"
    env.fake.state.refresh_tokens["Atzr|other-seller"] = "A2OTHERSELLER"
    one = env.client(limiter=RateLimiter({}), retry=NO_RETRY)
    other = env.client(
        credentials=spapi_credentials(
            env.fake,
            client_id="amzn1.application-oa2-client.other",
            client_secret="other-secret-0000",
            refresh_token="Atzr|other-seller",
        ),
        limiter=RateLimiter({}),
        retry=NO_RETRY,
    )
    one.sender.hooks.clear()
    other.sender.hooks.clear()
    order_id = next(iter(env.fake.state.orders))
    for _ in range(30):
        one.orders.get_order(order_id)
    other.orders.get_order(order_id)
    with pytest.raises(RateLimitedError):
        one.orders.get_order(order_id)
