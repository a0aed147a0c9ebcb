"""The SP-API contract checker finds what it is meant to find (and forgives only known deviations)."""

from __future__ import annotations

import json

from tests.contracts import spapi

ORDERS = "https://sellingpartnerapi-na.amazon.com/orders/v0/orders"


def _problems(
    method: str, url: str, body: object = None, status: int = 200, answer: object = None
) -> list[str]:
    sent = json.dumps(body).encode() if body is not None else b""
    got = json.dumps(answer).encode() if answer is not None else None
    return spapi.check_exchange(method, url, {}, sent, status, got)[1]


def test_a_missing_required_query_parameter_is_found() -> None:
    assert _problems("GET", f"{ORDERS}?CreatedAfter=2026-01-01T00:00:00Z", answer={}) == [
        "query MarketplaceIds: is required by the model and missing"
    ]


def test_a_parameter_in_the_wrong_case_is_named_with_the_models_spelling() -> None:
    problems = _problems("GET", f"{ORDERS}?MarketplaceIds=X&createdAfter=2026", answer={})
    assert problems == [
        "query createdAfter: is not a parameter of the operation (the model spells it 'CreatedAfter')"
    ]


def test_an_invented_answer_field_and_a_missing_required_one_are_found() -> None:
    answer = {"payload": {"Orders": [{"AmazonOrderId": "1", "Invented": 1}]}}
    problems = _problems("GET", f"{ORDERS}?MarketplaceIds=X", answer=answer)
    assert "answer 200 payload.Orders[*].Invented: is not a property of the model" in problems
    assert "answer 200 payload.Orders[*]: misses required property 'PurchaseDate'" in problems


def test_a_body_against_its_schema() -> None:
    url = "https://sellingpartnerapi-na.amazon.com/tokens/2021-03-01/restrictedDataToken"
    body = {"restrictedResources": [{"method": "FETCH", "path": "/x"}]}
    problems = _problems("POST", url, body, answer={"restrictedDataToken": "t", "expiresIn": 1})
    assert problems == [
        "body restrictedResources[*].method: 'FETCH' is not one of the model's values "
        "['GET', 'PUT', 'POST', 'DELETE']"
    ]


def test_the_fba_inventory_empty_date_is_a_known_deviation_of_the_real_service() -> None:
    url = "https://sellingpartnerapi-na.amazon.com/fba/inventory/v1/summaries"
    query = "?granularityType=Marketplace&granularityId=X&marketplaceIds=X"
    summary = {"lastUpdatedTime": "", "sellerSku": "S"}
    answer = {"payload": {"granularity": {}, "inventorySummaries": [summary]}}
    assert _problems("GET", url + query, answer=answer) == []
    summary["lastUpdatedTime"] = "yesterday"  # only the documented deviation is forgiven
    assert _problems("GET", url + query, answer=answer) == [
        "answer 200 payload.inventorySummaries[*].lastUpdatedTime: 'yesterday' is not a date-time"
    ]


def test_lwa_and_pre_signed_documents_are_not_operations() -> None:
    assert spapi.check_exchange("POST", "http://sandbox/auth/o2/token", {}, b"", 200, b"{}") == (
        "",
        [],
    )
    assert spapi.check_exchange(
        "GET", "http://sandbox/_sandbox/documents/1", {}, b"", 200, b"x"
    ) == ("", [])
