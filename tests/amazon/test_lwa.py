"""Login with Amazon: token calls, caching, refresh on expiry, grantless tokens, secrets."""

from __future__ import annotations

import asyncio
import logging
import re
import threading

import httpx2
import pytest

from amazon_erp_bridge.amazon import LwaCredentials
from amazon_erp_bridge.amazon.lwa import (
    ACCESS_TOKEN_HEADER,
    SCOPE_NOTIFICATIONS,
    client_credentials_call,
    refresh_token_call,
    token_refused,
)
from amazon_erp_bridge.errors import ApiError, AuthError, ConfigurationError
from amazon_erp_bridge.sandbox.amazon import Caller
from amazon_erp_bridge.sandbox.clients import spapi_credentials
from amazon_erp_bridge.sandbox.server import Reply, SandboxRequest

from .spapi_env import MARKETS, SEEDED_FROM, Env

URL = "https://api.amazon.com/auth/o2/token"


def creds(**kw: object) -> LwaCredentials:
    values: dict[str, object] = {
        "client_id": "amzn1.application-oa2-client.abc",
        "client_secret": "very-secret-value",
        "refresh_token": "Atzr|refresh-token-value",
    }
    values.update(kw)
    return LwaCredentials(**values)  # type: ignore[arg-type]


def response(status: int, body: bytes, headers: dict[str, str] | None = None) -> httpx2.Response:
    request = httpx2.Request("GET", "https://sellingpartnerapi-na.amazon.com/x", headers=headers)
    return httpx2.Response(status, content=body, request=request)


def test_credentials_never_show_their_secrets() -> None:
    c = creds()
    text = repr(c) + str(c)
    assert "very-secret-value" not in text
    assert "refresh-token-value" not in text
    assert "amzn1.application-oa2-client.abc" in text


def test_credentials_need_client_id_and_secret() -> None:
    with pytest.raises(ConfigurationError, match="client_id"):
        creds(client_id=" ")
    with pytest.raises(ConfigurationError, match="client_secret"):
        creds(client_secret="")


def test_refresh_token_call_posts_the_grant_as_a_form() -> None:
    call = refresh_token_call(creds(), URL, now=1000.0)
    assert call.method == "POST" and call.path == URL
    assert call.form == {
        "grant_type": "refresh_token",
        "refresh_token": "Atzr|refresh-token-value",
        "client_id": "amzn1.application-oa2-client.abc",
        "client_secret": "very-secret-value",
    }
    assert call.authenticated is False
    token = call.parse(
        response(200, b'{"access_token":"Atza|abc","token_type":"bearer","expires_in":3600}')
    )
    assert token.value.reveal() == "Atza|abc"
    assert token.expires_at == 4600.0


def test_grantless_call_asks_for_the_scope() -> None:
    call = client_credentials_call(creds(refresh_token=None), SCOPE_NOTIFICATIONS, URL, 0.0)
    assert call.form is not None
    assert call.form["grant_type"] == "client_credentials"
    assert call.form["scope"] == "sellingpartnerapi::notifications"
    assert "refresh_token" not in call.form


def test_invalid_grant_explains_the_refresh_token_was_revoked() -> None:
    call = refresh_token_call(creds(), URL, 0.0)
    body = b'{"error":"invalid_grant","error_description":"The request has an invalid grant"}'
    with pytest.raises(AuthError, match="revoked or has expired") as info:
        call.parse(response(400, body))
    assert info.value.code == "invalid_grant"
    assert info.value.status == 400


def test_invalid_client_points_at_the_client_credentials() -> None:
    call = refresh_token_call(creds(), URL, 0.0)
    body = b'{"error":"invalid_client","error_description":"Client authentication failed"}'
    with pytest.raises(AuthError, match="client id and client secret"):
        call.parse(response(401, body))


def test_unreadable_token_answer_is_an_auth_error() -> None:
    call = refresh_token_call(creds(), URL, 0.0)
    with pytest.raises(AuthError, match="unreadable"):
        call.parse(response(200, b"<html>oops</html>"))


def test_seller_operation_without_refresh_token_is_a_configuration_error() -> None:
    env = Env()
    client = env.client(credentials=spapi_credentials(env.fake, refresh_token=None))
    with pytest.raises(ConfigurationError, match="refresh_token"):
        client.orders.get_order("111-0000000-0000000")


@pytest.mark.parametrize(
    ("status", "body", "token", "refused"),
    [
        (401, b"", "Atza|x", True),
        (
            403,
            b'{"errors":[{"code":"Unauthorized","details":"The access token you provided has expired."}]}',
            "Atza|x",
            True,
        ),
        (
            403,
            b'{"errors":[{"code":"Unauthorized","details":"The access token you provided is revoked, malformed or invalid."}]}',
            "Atza|x",
            True,
        ),
        (
            403,
            b'{"errors":[{"code":"Unauthorized","message":"Access to requested resource is denied.","details":""}]}',
            "Atza|x",
            False,
        ),
        (
            403,
            b'{"errors":[{"code":"Unauthorized","details":"The restricted data token has expired."}]}',
            "Atz.sprdt|x",
            False,
        ),
        (429, b"", "Atza|x", False),
    ],
)
def test_only_a_refused_lwa_token_counts_as_rejected(
    status: int, body: bytes, token: str, refused: bool
) -> None:
    assert token_refused(response(status, body, {ACCESS_TOKEN_HEADER: token})) is refused


def test_access_token_is_sent_in_x_amz_access_token_and_cached() -> None:
    env = Env()
    client = env.client()
    client.orders.get_order(next(iter(env.fake.state.orders)))
    client.inventory.get_inventory_summaries("ATVPDKIKX0DER")
    assert len(env.paths("/auth/o2/token")) == 1
    sent = env.fake.requests_to("/orders/")[0].headers["x-amz-access-token"]
    assert sent in env.fake.state.access_tokens


def test_token_is_refreshed_before_it_expires() -> None:
    env = Env()
    client = env.client()
    order_id = next(iter(env.fake.state.orders))
    client.orders.get_order(order_id)
    env.clock.advance(3600 - 30)  # inside the refresh margin, still valid at the server
    client.orders.get_order(order_id)
    assert len(env.paths("/auth/o2/token")) == 2
    assert env.fake.router.requests[-1].path.startswith("/orders/")


def test_expired_token_is_refreshed_once_and_the_call_retried() -> None:
    env = Env()
    client = env.client()
    order_id = next(iter(env.fake.state.orders))
    client.orders.get_order(order_id)
    env.fake.expire_tokens()
    order = client.orders.get_order(order_id)
    assert order.order_id == order_id
    assert len(env.paths("/auth/o2/token")) == 2
    assert [r.path for r in env.fake.router.requests].count(
        f"/orders/2026-01-01/orders/{order_id}"
    ) == 3


def test_token_refused_again_after_refresh_is_an_api_error() -> None:
    env = Env(token_ttl=0)  # every token is born expired
    client = env.client()
    with pytest.raises(ApiError, match="expired") as info:
        client.orders.get_order(next(iter(env.fake.state.orders)))
    assert info.value.status == 403
    assert info.value.code == "Unauthorized"
    assert len(env.paths("/auth/o2/token")) == 2  # refreshed exactly once


def test_revoked_refresh_token_raises_auth_error() -> None:
    env = Env()
    env.fake.revoke_refresh_token()
    client = env.client()
    with pytest.raises(AuthError, match="refresh token was revoked"):
        list(client.orders.get_orders(MARKETS, created_after=SEEDED_FROM))


def test_wrong_client_secret_raises_auth_error() -> None:
    env = Env()
    client = env.client(credentials=spapi_credentials(env.fake, client_secret="wrong-secret"))
    with pytest.raises(AuthError, match="invalid_client"):
        client.inventory.get_inventory_summaries("ATVPDKIKX0DER").__next__()


def test_one_refresh_at_a_time_across_threads() -> None:
    env = Env()
    env.fake.enforce_rates = False
    client = env.client()
    order_id = next(iter(env.fake.state.orders))
    errors: list[BaseException] = []

    def work() -> None:
        try:
            client.orders.get_order(order_id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(env.paths("/auth/o2/token")) == 1


async def test_one_refresh_at_a_time_across_coroutines() -> None:
    env = Env()
    env.fake.enforce_rates = False
    client = env.async_client()
    order_id = next(iter(env.fake.state.orders))
    orders = await asyncio.gather(*(client.orders.get_order(order_id) for _ in range(8)))
    assert {o.order_id for o in orders} == {order_id}
    assert len(env.paths("/auth/o2/token")) == 1
    await client.aclose()


async def test_async_expired_token_is_refreshed_once() -> None:
    env = Env()
    client = env.async_client()
    order_id = next(iter(env.fake.state.orders))
    await client.orders.get_order(order_id)
    env.fake.expire_tokens()
    assert (await client.orders.get_order(order_id)).order_id == order_id
    assert len(env.paths("/auth/o2/token")) == 2
    await client.aclose()


def test_grantless_operation_uses_a_client_credentials_token() -> None:
    env = Env()

    @env.fake.operation(
        "GET",
        r"/notifications/v1/destinations",
        "notifications.getDestinations",
        grantless_scope=SCOPE_NOTIFICATIONS,
    )
    def destinations(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        return Reply.json({"payload": []})

    from amazon_erp_bridge.core.call import Call
    from amazon_erp_bridge.core.sender import json_body

    client = env.client(credentials=spapi_credentials(env.fake, refresh_token=None))
    call = Call(
        "GET",
        "/notifications/v1/destinations",
        parse=json_body,
        limit_key="notifications.getDestinations",
    )
    assert client.sender.send(call) == {"payload": []}
    token_form = env.fake.requests_to("/auth/o2/token")[0].form()
    assert token_form["grant_type"] == "client_credentials"
    assert token_form["scope"] == SCOPE_NOTIFICATIONS


def test_secrets_never_reach_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    env = Env()
    client = env.client()
    with caplog.at_level(logging.DEBUG, logger="amazon_erp_bridge"):
        client.orders.get_order(next(iter(env.fake.state.orders)))
        env.fake.expire_tokens()
        client.orders.get_order(next(iter(env.fake.state.orders)))
    text = caplog.text + repr(client)
    assert env.fake.CLIENT_SECRET not in text
    assert env.fake.REFRESH_TOKEN not in text
    for token in env.fake.state.access_tokens:
        assert token not in text
