"""The fake SP-API itself: seeding, headers, 429 bodies, tokens and RDT enforcement."""

from __future__ import annotations

import json

import httpx2

from amazon_erp_bridge.amazon import MARKETPLACES
from amazon_erp_bridge.model import FulfillmentChannel, OrderStatus
from amazon_erp_bridge.sandbox.amazon import FakeSpApi
from amazon_erp_bridge.sandbox.amazon.state import SEED_MARKETPLACES

from .spapi_env import NOW, Env


def _http(env: Env) -> httpx2.Client:
    return httpx2.Client(transport=env.fake.router.transport(), base_url=env.fake.BASE_URL)


def _token(env: Env) -> str:
    form = {
        "grant_type": "refresh_token",
        "refresh_token": env.fake.REFRESH_TOKEN,
        "client_id": env.fake.CLIENT_ID,
        "client_secret": env.fake.CLIENT_SECRET,
    }
    answer = _http(env).post("/auth/o2/token", data=form)
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    return str(body["access_token"])


def test_seeding_is_deterministic_and_varied() -> None:
    one, two, other = FakeSpApi(seed=5), FakeSpApi(seed=5), FakeSpApi(seed=6)
    assert list(one.state.orders.values()) == list(two.state.orders.values())
    assert list(one.state.orders) != list(other.state.orders)
    orders = list(one.state.orders.values())
    assert len(orders) == 60
    assert {o.fulfillment_channel for o in orders} == set(FulfillmentChannel)
    assert {o.currency for o in orders} == {MARKETPLACES[m].currency for m in SEED_MARKETPLACES}
    assert OrderStatus.SHIPPED in {o.status for o in orders}
    assert all(o.lines and o.buyer_email for o in orders)


def test_success_carries_request_id_and_rate_limit_headers() -> None:
    env = Env()
    answer = _http(env).get(
        "/fba/inventory/v1/summaries",
        params={
            "granularityType": "Marketplace",
            "granularityId": "ATVPDKIKX0DER",
            "marketplaceIds": "ATVPDKIKX0DER",
        },
        headers={"x-amz-access-token": _token(env)},
    )
    assert answer.status_code == 200
    assert answer.headers["x-amzn-RateLimit-Limit"] == "2"
    assert len(answer.headers["x-amzn-RequestId"]) == 36


def test_empty_bucket_answers_429_quota_exceeded() -> None:
    env = Env()
    http, token = _http(env), _token(env)
    params = {"granularityType": "Marketplace", "granularityId": "M", "marketplaceIds": "M"}
    answers = [
        http.get(
            "/fba/inventory/v1/summaries", params=params, headers={"x-amz-access-token": token}
        )
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json() == {
        "errors": [
            {
                "code": "QuotaExceeded",
                "message": "You exceeded your quota for the requested resource.",
                "details": "",
            }
        ]
    }
    assert "x-amzn-RequestId" in answers[2].headers
    env.clock.advance(0.5)  # rate 2/s: one token back
    again = http.get(
        "/fba/inventory/v1/summaries", params=params, headers={"x-amz-access-token": token}
    )
    assert again.status_code == 200


def test_missing_and_unknown_tokens_are_refused() -> None:
    env = Env()
    http = _http(env)
    missing = http.get("/orders/2026-01-01/orders/1")
    assert missing.status_code == 403
    assert missing.json()["errors"][0]["code"] == "Unauthorized"
    unknown = http.get("/orders/2026-01-01/orders/1", headers={"x-amz-access-token": "Atza|nope"})
    assert "revoked, malformed or invalid" in unknown.json()["errors"][0]["details"]


def test_tokens_expire_on_the_fake_clock() -> None:
    env = Env()
    http, token = _http(env), _token(env)
    order_id = next(iter(env.fake.state.orders))
    headers = {"x-amz-access-token": token}
    assert http.get(f"/orders/2026-01-01/orders/{order_id}", headers=headers).status_code == 200
    env.clock.advance(3600)
    expired = http.get(f"/orders/2026-01-01/orders/{order_id}", headers=headers)
    assert expired.status_code == 403
    assert "has expired" in expired.json()["errors"][0]["details"]


def test_lwa_errors_look_like_amazons() -> None:
    env = Env()
    http = _http(env)
    bad = http.post(
        "/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": "Atzr|unknown",
            "client_id": env.fake.CLIENT_ID,
            "client_secret": env.fake.CLIENT_SECRET,
        },
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
    scope = http.post(
        "/auth/o2/token",
        data={
            "grant_type": "client_credentials",
            "scope": "sellingpartnerapi::everything",
            "client_id": env.fake.CLIENT_ID,
            "client_secret": env.fake.CLIENT_SECRET,
        },
    )
    assert scope.json()["error"] == "invalid_scope"


def test_pii_needs_an_rdt_covering_the_path() -> None:
    env = Env()
    http, token = _http(env), _token(env)
    order_id = next(iter(env.fake.state.orders))
    refused = http.get(
        f"/orders/v0/orders/{order_id}/address", headers={"x-amz-access-token": token}
    )
    assert refused.status_code == 403
    rdt_answer = http.post(
        "/tokens/2021-03-01/restrictedDataToken",
        json={
            "restrictedResources": [
                {"method": "GET", "path": "/orders/v0/orders/{orderId}/address"}
            ]
        },
        headers={"x-amz-access-token": token},
    )
    rdt = rdt_answer.json()["restrictedDataToken"]
    ok = http.get(f"/orders/v0/orders/{order_id}/address", headers={"x-amz-access-token": rdt})
    assert ok.status_code == 200
    assert ok.json()["payload"]["ShippingAddress"]["AddressLine1"]
    other = http.get(f"/orders/v0/orders/{order_id}/buyerInfo", headers={"x-amz-access-token": rdt})
    assert other.status_code == 403
    not_restricted = http.get(
        f"/orders/2026-01-01/orders/{order_id}", headers={"x-amz-access-token": rdt}
    )
    assert not_restricted.status_code == 403


def test_v0_order_without_rdt_has_only_a_partial_address() -> None:
    env = Env()
    order_id = next(iter(env.fake.state.orders))
    answer = _http(env).get(
        f"/orders/v0/orders/{order_id}", headers={"x-amz-access-token": _token(env)}
    )
    payload = answer.json()["payload"]
    assert set(payload["ShippingAddress"]) <= {"City", "StateOrRegion", "PostalCode", "CountryCode"}
    assert payload["BuyerInfo"] == {}


def test_finance_amounts_are_json_numbers() -> None:
    env = Env()
    answer = _http(env).get(
        "/finances/v0/financialEvents",
        params={"PostedAfter": "2026-03-01T00:00:00Z"},
        headers={"x-amz-access-token": _token(env)},
    )
    raw = answer.content.decode()
    assert '"CurrencyAmount": -8.15' in raw
    events = json.loads(raw)["payload"]["FinancialEvents"]
    assert "PostedDate" not in events["ServiceFeeEventList"][0]
    assert NOW.year == 2026
