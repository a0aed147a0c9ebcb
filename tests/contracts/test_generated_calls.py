"""Every generated SP-API operation, sent through the client, matches its model on the wire.

One test per API group (model file), built by walking the models: each operation of the group
is called with every parameter the model defines (the smallest valid values), sent by
``SpApiClient.send`` through a mock transport, and the request is checked against the model:
method, path (parameters percent-encoded), every query parameter by the model's name and
casing, arrays joined as its collectionFormat says, required headers, the body against its
schema. The mock answers the smallest valid body of the operation's 2xx schema, which the call
must hand back as JSON. Each group also sends one operation from the async client.
"""

from __future__ import annotations

import importlib
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx2
import pytest

from amazon_erp_bridge.amazon import AsyncSpApiClient, LwaCredentials, SpApiClient
from amazon_erp_bridge.amazon.operation import dump_body, path_value, query_value
from amazon_erp_bridge.errors import ValidationError
from tests.contracts import samples, spapi
from tools.codegen.spec import Api, Op, Param, read_all

ROOT = Path(__file__).resolve().parents[2]
APIS = read_all(ROOT)
RDT = "Atz.sprdt|h8-generated-calls-rdt"


def _scalar_arg(p: Param, schema: dict[str, Any]) -> tuple[Any, str]:
    """(Python argument, the text the wire must carry) for one scalar."""
    kind = schema.get("type", "string")
    if kind == "string" and schema.get("format") == "date-time":
        return samples.MOMENT, "2026-01-02T03:04:05Z"
    if kind == "integer":
        n = samples.number(schema, integer=True)
        return n, str(n)
    if kind == "number":
        d = samples.number(schema, integer=False)
        return d, str(d)
    if kind == "boolean":
        return True, "true"
    if p.location == "path" and not schema.get("pattern") and not schema.get("enum"):
        return "A/B 1", "A/B 1"  # a slash and a space: the path must percent-encode both
    s = samples.text(schema)
    return s, s


def _arguments(api: Api, op: Op) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keyword arguments for the builder and what the request must carry for each param."""
    kwargs: dict[str, Any] = {}
    wire: dict[str, Any] = {}
    for p in op.params:
        if p.location == "body":
            kwargs[p.py] = samples.value(p.schema, api.definitions)
            wire[p.wire] = kwargs[p.py]
        elif p.schema.get("type") == "array":
            items = p.schema.get("items", {})
            count = min(2, int(p.schema.get("maxItems", 2)))
            pairs = [_scalar_arg(p, items) for _ in range(count)]
            kwargs[p.py] = [a for a, _ in pairs]
            texts = [t for _, t in pairs]
            wire[p.wire] = texts if p.collection_format == "multi" else [",".join(texts)]
        else:
            arg, text = _scalar_arg(p, p.schema)
            kwargs[p.py] = arg
            wire[p.wire] = text
    return kwargs, wire


def _answer(api: Api, op: Op) -> tuple[int, Any]:
    code, schema = op.responses[0]
    if schema is None:
        return int(code), None
    return int(code), samples.value(schema, api.definitions)


class Wire:
    """A mock SP-API: LWA and RDT answered, every other request recorded and answered."""

    def __init__(self, status: int, answer: Any, *, intercept_rdt: bool = True) -> None:
        self.intercept_rdt = intercept_rdt
        self.status = status
        self.answer = answer
        self.requests: list[httpx2.Request] = []
        self.rdt_requests: list[Any] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/auth/o2/token":
            token = {"access_token": "Atza|h8-generated-calls-access-token", "expires_in": 3600}
            return httpx2.Response(200, json={**token, "token_type": "bearer"})
        if request.url.path == "/tokens/2021-03-01/restrictedDataToken" and self.intercept_rdt:
            self.rdt_requests.append(json.loads(request.content))
            return httpx2.Response(200, json={"restrictedDataToken": RDT, "expiresIn": 3600})
        self.requests.append(request)
        if self.answer is None:
            return httpx2.Response(self.status)
        content = dump_body(self.answer)
        headers = {"Content-Type": "application/json"}
        return httpx2.Response(self.status, content=content, headers=headers)


def _credentials() -> LwaCredentials:
    # Registered secrets are scrubbed from every later message: use values no message contains.
    return LwaCredentials(
        client_id="amzn1.application-oa2-client.h8generated",
        client_secret="h8-generated-calls-client-secret",
        refresh_token="Atzr|h8-generated-calls-refresh-token",
    )


def _client(wire: Wire) -> SpApiClient:
    return SpApiClient(_credentials(), transport=httpx2.MockTransport(wire), sleep=lambda s: None)


def _check_request(api: Api, op: Op, request: httpx2.Request, wire: dict[str, Any]) -> None:
    assert request.method == op.method
    expected_path = op.path
    for p in op.params:
        if p.location == "path":
            expected_path = expected_path.replace("{" + p.wire + "}", quote(wire[p.wire], safe=""))
    assert request.url.raw_path.decode().split("?")[0] == expected_path
    sent: dict[str, list[str]] = {}
    for key, value in parse_qsl(urlsplit(str(request.url)).query, keep_blank_values=True):
        sent.setdefault(key, []).append(value)
    expected_query = {
        p.wire: wire[p.wire] if isinstance(wire[p.wire], list) else [wire[p.wire]]
        for p in op.params
        if p.location == "query"
    }
    assert sent == expected_query
    for p in op.params:
        if p.location == "header":
            assert request.headers[p.wire] == wire[p.wire]
    body = [p for p in op.params if p.location == "body"]
    if body:
        assert json.loads(request.content, parse_float=Decimal) == wire[body[0].wire]
    else:
        assert request.content == b""
    model_op = spapi.find_operation(request.method, urlsplit(str(request.url)).path)
    assert model_op is not None and model_op.operation_id == op.operation_id
    problems = spapi.check_request(
        model_op, str(request.url), dict(request.headers), request.content
    )
    assert problems == [], f"{op.operation_id}: {problems}"


def _module(api: Api) -> Any:
    return importlib.import_module(f"amazon_erp_bridge.amazon._generated.{api.module}")


@pytest.mark.parametrize("api", APIS, ids=[a.module for a in APIS])
def test_every_operation_of_the_group_matches_its_model_on_the_wire(api: Api) -> None:
    module = _module(api)
    for op in api.operations:
        status, answer = _answer(api, op)
        wire = Wire(status, answer, intercept_rdt=op.operation_id != "createRestrictedDataToken")
        kwargs, expected = _arguments(api, op)
        with _client(wire) as client:
            result = client.send(getattr(module, op.py)(**kwargs))
        assert len(wire.requests) == 1, op.operation_id
        _check_request(api, op, wire.requests[0], expected)
        assert result == (
            json.loads(dump_body(answer), parse_float=Decimal) if answer is not None else None
        )
        if op.restricted == "required":
            assert wire.requests[0].headers["x-amz-access-token"] == RDT
            assert wire.rdt_requests[0]["restrictedResources"][0]["method"] == op.method
        else:
            assert (
                wire.requests[0].headers["x-amz-access-token"]
                == "Atza|h8-generated-calls-access-token"
            )


@pytest.mark.parametrize("api", APIS, ids=[a.module for a in APIS])
async def test_the_group_is_callable_from_the_async_client(api: Api) -> None:
    op = api.operations[0]
    status, answer = _answer(api, op)
    wire = Wire(status, answer, intercept_rdt=op.operation_id != "createRestrictedDataToken")
    kwargs, expected = _arguments(api, op)

    async def no_sleep(seconds: float) -> None:
        return None

    transport = httpx2.MockTransport(wire)
    async with AsyncSpApiClient(_credentials(), transport=transport, sleep=no_sleep) as client:
        group = getattr(client.api, api.module)
        result = await getattr(group, op.py)(**kwargs)
    _check_request(api, op, wire.requests[0], expected)
    assert result == (
        json.loads(dump_body(answer), parse_float=Decimal) if answer is not None else None
    )


def _sample_answer(module: str, operation_id: str) -> tuple[int, Any]:
    api = next(a for a in APIS if a.module == module)
    return _answer(api, next(o for o in api.operations if o.operation_id == operation_id))


def test_namespace_sends_and_the_class_attribute_is_the_builder() -> None:
    from amazon_erp_bridge.amazon._generated import orders_v0

    status, sample = _sample_answer("orders_v0", "getOrder")
    wire = Wire(status, sample)
    with _client(wire) as client:
        answer = client.api.orders_v0.get_order("123-1234567-1234567")
    assert answer == sample
    call = orders_v0.Sync.get_order("123-1234567-1234567")
    assert call.path == "/orders/v0/orders/123-1234567-1234567"
    assert call.limit_key == "ordersV0.getOrder"
    assert client.api.orders_v0 is client.api.orders_v0


def test_orders_v0_pii_asks_for_an_rdt_with_the_data_elements() -> None:
    from amazon_erp_bridge.amazon._generated import orders_v0

    wire = Wire(*_sample_answer("orders_v0", "getOrder"))
    with _client(wire) as client:
        client.send(orders_v0.get_order("123-1234567-1234567"))
        assert wire.rdt_requests == []
        client.send(orders_v0.get_order("123-1234567-1234567"), data_elements=["buyerInfo"])
        client.send(orders_v0.get_order("123-1234567-1234567"), data_elements=["buyerInfo"])
    assert wire.rdt_requests == [
        {
            "restrictedResources": [
                {
                    "method": "GET",
                    "path": "/orders/v0/orders/123-1234567-1234567",
                    "dataElements": ["buyerInfo"],
                }
            ]
        }
    ]  # once: the second call reuses the cached token
    assert [r.headers["x-amz-access-token"] for r in wire.requests] == [
        "Atza|h8-generated-calls-access-token",
        RDT,
        RDT,
    ]


def test_generated_operations_share_the_hand_written_rate_buckets() -> None:
    from amazon_erp_bridge.amazon._generated import orders_2026_01_01

    assert orders_2026_01_01.search_orders(marketplace_ids=["X"]).limit_key == (
        "orders.searchOrders"
    )


def test_an_array_given_as_text_is_refused_with_its_name() -> None:
    with pytest.raises(ValidationError, match=r"getOrders.MarketplaceIds: expected a list"):
        query_value("ATVPDKIKX0DER", what="getOrders.MarketplaceIds", collection_format="csv")


def test_a_naive_datetime_is_refused_with_its_name() -> None:
    with pytest.raises(ValidationError, match=r"searchOrders.createdAfter: expected an aware"):
        query_value(datetime(2026, 1, 1), what="searchOrders.createdAfter")


def test_an_empty_path_parameter_is_refused_with_its_name() -> None:
    with pytest.raises(ValidationError, match=r"orders_v0.orderId: a path parameter cannot be"):
        path_value("", what="orders_v0.orderId")


def test_an_object_where_text_belongs_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"getOrder.orderId: expected text, a number"):
        path_value(object(), what="getOrder.orderId")


def test_multi_arrays_repeat_the_parameter() -> None:
    assert query_value(["a", "b"], what="x", collection_format="multi") == ["a", "b"]
    assert query_value(["a", "b"], what="x", collection_format="csv") == "a,b"
