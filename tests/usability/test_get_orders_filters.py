"""``get_orders`` lists its filters as keywords; a misspelt one names the valid ones (#19)."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime

import pytest

from amazon_erp_bridge.amazon import Marketplace
from amazon_erp_bridge.amazon.orders import AsyncOrdersApi, OrdersApi
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.sandbox import Sandbox

SINCE = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("api", [OrdersApi, AsyncOrdersApi])
def test_filters_are_explicit_keywords(api):
    params = inspect.signature(api.get_orders).parameters
    for name in ("created_after", "last_updated_before", "statuses", "amazon_order_ids"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY
        assert params[name].default is None


def test_a_misspelt_filter_names_itself_a_suggestion_and_the_valid_filters():
    with Sandbox(seed=7) as box, box.spapi_client() as client:
        with pytest.raises(ValidationError) as caught:
            client.orders.get_orders([Marketplace.US], created_afer=SINCE)  # type: ignore[arg-type]
        message = str(caught.value)
        assert "unknown filter 'created_afer' (did you mean 'created_after'?)" in message
        assert "created_before" in message and "last_updated_after" in message
        assert not box.amazon.router.requests  # refused before any request


async def test_a_misspelt_filter_on_the_async_client():
    with Sandbox(seed=7) as box:
        client = box.async_spapi_client()
        with pytest.raises(ValidationError, match="unknown filter 'status'"):
            client.orders.get_orders([Marketplace.US], created_after=SINCE, status=["Shipped"])  # type: ignore[arg-type]


def test_v0_only_filters_still_say_so_on_v2026_and_work_on_v0():
    with Sandbox(seed=7) as box, box.spapi_client() as client:
        order_id = next(iter(box.amazon.state.orders))
        with pytest.raises(ValidationError, match="amazon_order_ids only exist in Orders v0"):
            client.orders.get_orders(
                [Marketplace.US], created_after=SINCE, amazon_order_ids=[order_id]
            )
        found = list(
            client.orders.get_orders(
                [box.amazon.state.orders[order_id].marketplace_id],
                version="v0",
                created_after=SINCE,
                amazon_order_ids=[order_id],
                with_lines=False,
            )
        )
        assert [o.order_id for o in found] == [order_id]
