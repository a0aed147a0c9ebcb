"""Tokens API: restricted data tokens, their validation and their cache."""

from __future__ import annotations

import httpx2
import pytest

from amazon_erp_bridge.amazon import RestrictedResource
from amazon_erp_bridge.amazon import tokens as ops
from amazon_erp_bridge.errors import ApiError, ValidationError

from .spapi_env import Env


def test_create_rdt_call() -> None:
    call = ops.create_restricted_data_token(
        [
            RestrictedResource("get", "/orders/v0/orders", ["shippingAddress", "buyerInfo"]),
            {"method": "GET", "path": "/orders/v0/orders/1/address"},
        ],
        target_application="amzn1.sp.solution.x",
    )
    assert call.method == "POST" and call.path == "/tokens/2021-03-01/restrictedDataToken"
    assert call.limit_key == "tokens.createRestrictedDataToken"
    assert call.json == {
        "restrictedResources": [
            {
                "method": "GET",
                "path": "/orders/v0/orders",
                "dataElements": ["buyerInfo", "shippingAddress"],
            },
            {"method": "GET", "path": "/orders/v0/orders/1/address"},
        ],
        "targetApplication": "amzn1.sp.solution.x",
    }


def test_parse_rdt_hides_the_token() -> None:
    call = ops.create_restricted_data_token([RestrictedResource("GET", "/orders/v0/orders")])
    rdt = call.parse(
        httpx2.Response(
            200, content=b'{"restrictedDataToken":"Atz.sprdt|secret-xyz","expiresIn":3600}'
        )
    )
    assert rdt.token.reveal() == "Atz.sprdt|secret-xyz"
    assert rdt.expires_in == 3600
    assert "secret-xyz" not in repr(rdt)


@pytest.mark.parametrize(
    ("resources", "words"),
    [
        ([], "at least one"),
        ([RestrictedResource("GET", "/x")] * 51, "at most 50"),
        ([{"path": "/x"}], "missing 'method'"),
    ],
)
def test_bad_resource_lists(resources: list[object], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        ops.create_restricted_data_token(resources)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("PATCH", "/x"), "method"),
        (("GET", "orders"), "path"),
        (("GET", "/x", ["everything"]), "data_elements"),
    ],
)
def test_bad_resources(args: tuple[object, ...], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        RestrictedResource(*args)  # type: ignore[arg-type]


def test_restricted_data_token_from_the_sandbox() -> None:
    env = Env()
    client = env.client()
    rdt = client.tokens.restricted_data_token(
        [{"method": "GET", "path": "/orders/v0/orders", "dataElements": ["buyerInfo"]}]
    )
    assert rdt.token.reveal().startswith("Atz.sprdt|") and rdt.expires_in == 3600
    assert rdt.token.reveal() in env.fake.state.rdts


def test_cache_is_keyed_by_the_resource_set_in_any_order() -> None:
    env = Env()
    client = env.client()
    a = RestrictedResource("GET", "/orders/v0/orders/1")
    b = RestrictedResource("GET", "/orders/v0/orders/2")
    first = client.tokens.cached_token([a, b])
    assert client.tokens.cached_token([b, a]) == first
    assert client.tokens.cache.fetch_count == 1
    client.tokens.cache.clear()
    assert client.tokens.cached_token([a, b]) != first


def test_sandbox_refuses_an_empty_resource_list() -> None:
    env = Env()
    client = env.client()
    from amazon_erp_bridge.core.call import Call
    from amazon_erp_bridge.core.sender import json_body

    call = Call(
        "POST",
        "/tokens/2021-03-01/restrictedDataToken",
        parse=json_body,
        json={"restrictedResources": []},
    )
    with pytest.raises(ApiError, match="Between 1 and 50") as info:
        client.sender.send(call)
    assert info.value.status == 400 and info.value.code == "InvalidInput"


async def test_async_rdt_and_pii_orders() -> None:
    env = Env()
    client = env.async_client()
    rdt = await client.tokens.restricted_data_token(
        [RestrictedResource("GET", "/orders/v0/orders")]
    )
    assert rdt.token.reveal() in env.fake.state.rdts
    order_id = next(iter(env.fake.state.orders))
    order = await client.orders.get_order(order_id, version="v0", include_pii=True)
    assert order.buyer_name and order.lines
    assert (await client.orders.get_order_address(order_id)) is not None
    assert (await client.orders.get_order_buyer_info(order_id)).order_id == order_id
    await client.aclose()
