"""Generic operations: call building and reading V2/V4 answers, no server needed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx2
import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.sap import operations as ops
from amazon_erp_bridge.sap.query import Query, prop
from amazon_erp_bridge.sap.sales_orders import SalesOrder, read_sales_order
from tests.sap.conftest import fixture_bytes


def answer(body: object, status: int = 200, **headers: str) -> httpx2.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx2.Response(status, content=content, headers=headers)


def test_recorded_sales_order_is_read_exactly() -> None:
    call = read_sales_order("4711")
    assert call.method == "GET"
    assert call.path == "A_SalesOrder('4711')"
    assert call.params["$expand"] == "to_Item"
    order = call.parse(answer(fixture_bytes("sales_order_v2.json")))
    assert isinstance(order, SalesOrder)
    assert order.sales_order == "4711"
    assert order.total_net_amount == Decimal("64.90")
    assert order.net_value is not None and str(order.net_value.amount) == "64.90"
    assert order.requested_delivery_date == date(2026, 1, 8)
    assert order.last_change_date_time == datetime(2026, 1, 5, 10, 15, 12, 123000, tzinfo=UTC)
    assert order.etag == "W/\"datetimeoffset'2026-01-05T10%3A15%3A12.1234560Z'\""
    assert order.overall_delivery_status == "B"
    assert order.total_credit_check_status == "A"
    assert order.overall_ord_reltd_billg_status is None
    assert [i.requested_quantity for i in order.items] == [Decimal("2.000"), Decimal("1.000")]
    assert order.items[0].delivery_status == "C"
    assert not order.is_fully_delivered


def test_entity_data_drops_bookkeeping_and_unwraps_results() -> None:
    entity = ops.Entity.of(json.loads(fixture_bytes("sales_order_v2.json"))["d"])
    assert "__metadata" not in entity.data
    assert entity.data["to_Partner"] is None
    assert isinstance(entity.data["to_Item"], list)
    assert "to_ScheduleLine" in entity.data["to_Item"][0]
    assert entity["SalesOrder"] == "4711"
    with pytest.raises(KeyError, match="the entity has"):
        entity["Nope"]
    assert entity.get("Missing", "none") == "none"
    assert entity.get("SalesGroup") == ""
    assert entity.text("SalesGroup") is None


def test_v2_page_with_next_link_follows_the_query_only() -> None:
    body = {
        "d": {
            "results": [{"SalesOrder": "1"}],
            "__next": "https://internal-host:44300/sap/opu/odata/sap/X/A_SalesOrder"
            "?$filter=SoldToParty%20eq%20'1'&$skiptoken=20",
        }
    }
    first = ops.read_page(
        "A_SalesOrder", Query(filter=prop("SoldToParty").eq("1")), None, item=ops.identity
    )
    page = first.parse(answer(body))
    assert [e["SalesOrder"] for e in page.items] == ["1"]
    follow = ops.read_page("A_SalesOrder", None, page.next_token, item=ops.identity)
    assert follow.path == "A_SalesOrder"
    assert follow.params == {"$filter": "SoldToParty eq '1'", "$skiptoken": "20"}


def test_v4_page_with_next_link() -> None:
    body = {"value": [{"A": 1}], "@odata.nextLink": "A_X?$skiptoken=5", "@odata.count": 9}
    page = ops.read_page("A_X", None, None, version=4, item=ops.identity).parse(answer(body))
    assert page.next_token == "A_X?$skiptoken=5"
    assert page.items[0]["A"] == 1


def test_v1_style_list_answer_is_read() -> None:
    page = ops.read_page("A_X", None, None, item=ops.identity).parse(answer({"d": [{"A": 1}]}))
    assert page.next_token is None and len(page.items) == 1


def test_answer_without_a_collection_is_refused() -> None:
    with pytest.raises(ValidationError, match="collection"):
        ops.read_page("A_X", None, None, item=ops.identity).parse(answer({"oops": []}))


def test_next_link_without_query_is_refused() -> None:
    with pytest.raises(ValidationError, match="no query"):
        ops.read_page("A_X", None, "https://host/A_X", item=ops.identity)


def test_create_sends_v2_json_body() -> None:
    call = ops.create_entity(
        "A_X", {"Qty": Decimal("1.50"), "When": date(2026, 1, 1)}, item=ops.identity
    )
    assert call.method == "POST"
    assert json.loads(call.content or b"") == {"Qty": "1.50", "When": "/Date(1767225600000)/"}
    assert call.headers["Content-Type"] == "application/json"
    assert call.is_idempotent is False
    v4 = ops.create_entity("A_X", {"Qty": Decimal("1")}, version=4, item=ops.identity)
    assert v4.headers["Content-Type"] == "application/json;IEEE754Compatible=true"


def test_etag_comes_from_the_header_when_the_body_has_none() -> None:
    call = ops.read_entity("A_X('1')", item=ops.identity)
    entity = call.parse(answer({"d": {"A": 1}}, etag='W/"7"'))
    assert entity.etag == 'W/"7"'


def test_update_methods() -> None:
    patch = ops.update_entity("A_X('1')", {"A": 1}, etag='W/"1"')
    assert (patch.method, patch.headers["If-Match"]) == ("PATCH", 'W/"1"')
    merge = ops.update_entity("A_X('1')", {"A": 1}, etag=None, method="merge")
    assert merge.method == "POST" and merge.headers["X-HTTP-Method"] == "MERGE"
    assert "If-Match" not in merge.headers
    put = ops.update_entity("A_X('1')", {"A": 1}, etag="*", method="PUT")
    assert put.is_idempotent
    with pytest.raises(ValidationError, match="method must be one of"):
        ops.update_entity("A_X('1')", {}, etag=None, method="POST")
    updated = patch.parse(answer(b"", 204, etag='W/"2"'))
    assert updated.etag == 'W/"2"'


def test_function_import_params_and_results() -> None:
    call = ops.invoke_function("PostGoodsIssue", {"DeliveryDocument": "80000000"}, etag='W/"1"')
    assert call.params == {"DeliveryDocument": "'80000000'"}
    assert call.headers["If-Match"] == 'W/"1"'
    assert call.parse(answer({"d": {"results": [{"A": 1}]}})).value == [{"A": 1}]
    assert call.parse(answer({"d": {"PostGoodsIssue": {"A": 2}}})).value == {"A": 2}
    assert call.parse(answer(b"", 204)).value is None


def test_count_and_metadata_calls() -> None:
    count = ops.read_count("A_X", Query(filter=prop("A").eq(1), top=3))
    assert count.path == "A_X/$count" and count.params == {"$filter": "A eq 1"}
    assert count.parse(httpx2.Response(200, text="42")) == 42
    assert ops.read_metadata().parse(httpx2.Response(200, content=b"<edmx/>")) == b"<edmx/>"


def test_collection_carries_the_inline_count() -> None:
    call = ops.read_collection("A_X", Query(top=1))
    assert call.params["$inlinecount"] == "allpages"
    v2 = call.parse(
        answer({"d": {"results": [{"A": 1}], "__count": "12", "__next": "A_X?$skiptoken=1"}})
    )
    assert (v2.count, v2.next_link, len(v2.entities)) == (12, "A_X?$skiptoken=1", 1)
    v4 = ops.read_collection("A_X", version=4).parse(answer({"value": [], "@odata.count": 0}))
    assert (v4.count, v4.entities) == (0, ())
