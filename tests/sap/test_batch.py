"""$batch: multipart built and read correctly, change sets atomic, failures named."""

from __future__ import annotations

import httpx2
import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.sandbox.sap import FakeSap
from amazon_erp_bridge.sap import (
    AsyncODataClient,
    BatchError,
    ChangeSet,
    ODataClient,
    ODataError,
    SalesOrderService,
)
from amazon_erp_bridge.sap import sales_orders as so
from amazon_erp_bridge.sap.batch import (
    batch,
    build_batch,
    parse_batch,
    split_headers,
    split_multipart,
)
from tests.sap.conftest import PO, fixture_bytes, order_payload

SO = SalesOrderService.PATH


def answer(name: str, boundary: str) -> httpx2.Response:
    return httpx2.Response(
        202,
        content=fixture_bytes(name),
        headers={"Content-Type": f"multipart/mixed; boundary={boundary}"},
    )


def test_request_body_is_multipart_with_crlf_and_content_ids() -> None:
    items = [
        so.read_sales_order("4711"),
        ChangeSet([so.update_sales_order("4711", {"ShippingCondition": "01"}, etag='W/"1"')]),
    ]
    body = build_batch(items, "batch_X")
    assert body.startswith(b"--batch_X\r\nContent-Type: application/http\r\n")
    assert body.endswith(b"--batch_X--\r\n")
    assert b"\nGET A_SalesOrder('4711')?$expand=to_Item&$format=json HTTP/1.1\r\n" in body
    assert b"Content-ID: 1\r\n" in body
    assert b'If-Match: W/"1"\r\n' in body
    assert b'\r\n\r\n{"ShippingCondition":"01"}\r\n--changeset_' in body
    parts = split_multipart(body, "batch_X")
    assert len(parts) == 2
    _, mime, _ = split_headers(parts[1])
    assert mime["content-type"].startswith("multipart/mixed; boundary=changeset_")


def test_query_values_with_spaces_and_quotes_are_encoded_in_the_request_line() -> None:
    call = so.find_by_purchase_order_page("A 'B'", None, None)
    body = build_batch([call], "b")
    assert b"$filter=PurchaseOrderByCustomer%20eq%20'A%20''B'''" in body


def test_recorded_answer_is_read_per_part() -> None:
    items = [
        so.read_sales_order("4711"),
        ChangeSet(
            [
                so.update_sales_order("4711", {"ShippingCondition": "01"}, etag='W/"x"'),
                so.update_sales_order("4712", {"ShippingCondition": "01"}, etag='W/"z"'),
            ]
        ),
    ]
    result = parse_batch(answer("batch_response.txt", "batch_A1"), items)
    assert len(result) == 3
    order, first, second = result.values()
    assert order.sales_order == "4711" and order.etag == 'W/"x"'
    assert first.etag == 'W/"y"'
    assert second.etag is None
    assert [o.status for o in result] == [200, 204, 204]
    assert all(o.ok for o in result)


def test_recorded_answer_with_bare_lf_is_read() -> None:
    content = fixture_bytes("batch_response.txt").replace(b"\r\n", b"\n")
    response = httpx2.Response(
        202, content=content, headers={"Content-Type": 'multipart/mixed; boundary="batch_A1"'}
    )
    items = [
        so.read_sales_order("4711"),
        ChangeSet(
            [so.update_sales_order("1", {}, etag=None), so.update_sales_order("2", {}, etag=None)]
        ),
    ]
    assert parse_batch(response, items).values()[0].sales_order == "4711"


def test_recorded_failed_change_set_names_the_failing_request() -> None:
    items = [
        ChangeSet(
            [
                so.create_sales_order(order_payload("PO-1")),
                so.create_sales_order(order_payload("PO-2")),
            ]
        )
    ]
    with pytest.raises(BatchError) as info:
        parse_batch(answer("batch_changeset_failed.txt", "batch_F9"), items)
    error = info.value
    assert error.status == 400
    assert error.code == "V1/011"
    assert error.transaction_id == "AB12"
    assert "PO-2 already exists" in str(error)
    assert "one of the change set's requests" in str(error)
    assert error.failed_request == "POST A_SalesOrder, POST A_SalesOrder"


def test_answer_with_wrong_part_count_is_refused() -> None:
    with pytest.raises(ValidationError, match="2 parts for 1"):
        parse_batch(answer("batch_response.txt", "batch_A1"), [so.read_sales_order("1")])


def test_unterminated_multipart_is_refused() -> None:
    with pytest.raises(ValidationError, match="closing"):
        split_multipart(b"--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n", "b")


def test_answer_without_boundary_is_refused() -> None:
    bad = httpx2.Response(202, content=b"", headers={"Content-Type": "multipart/mixed"})
    with pytest.raises(ValidationError, match="boundary"):
        parse_batch(bad, [so.read_sales_order("1")])


def test_change_sets_refuse_reads_and_emptiness() -> None:
    with pytest.raises(ValidationError, match="may not hold reads"):
        ChangeSet([so.read_sales_order("1")])
    with pytest.raises(ValidationError, match="at least one"):
        ChangeSet([])
    with pytest.raises(ValidationError, match="nothing to send"):
        batch([])


# ----------------------------------------------------------------------------- against the fake


def test_batch_against_the_sandbox_creates_and_reads(client: ODataClient, fake: FakeSap) -> None:
    result = client.batch(
        SO,
        [
            ChangeSet(
                [
                    so.create_sales_order(order_payload("PO-A")),
                    so.create_sales_order(order_payload("PO-B")),
                ]
            ),
            so.find_by_purchase_order_page("PO-A", "1000001", None),
        ],
    )
    first, second, page = result.values()
    assert {first.purchase_order_by_customer, second.purchase_order_by_customer} == {"PO-A", "PO-B"}
    assert first.sales_order != second.sales_order
    assert [o.sales_order for o in page.items] == [first.sales_order]
    assert fake.csrf_fetches == 1


def test_failed_change_set_rolls_back_and_names_request(client: ODataClient, fake: FakeSap) -> None:
    good = so.create_sales_order(order_payload("PO-OK"))
    bad = so.create_sales_order(order_payload("PO-BAD", sold_to="9999999"))
    with pytest.raises(BatchError) as info:
        client.batch(SO, [ChangeSet([good, bad])])
    error = info.value
    assert error.failed_request == "POST A_SalesOrder"
    assert "request 2 of the change set" in str(error)
    assert "Sold-to party 9999999 does not exist" in str(error)
    assert error.transaction_id
    assert fake.rows(SO, "A_SalesOrder") == []


def test_failed_read_in_a_batch_is_an_outcome_not_an_exception(client: ODataClient) -> None:
    created = SalesOrderService(client).create(order_payload())
    result = client.batch(
        SO, [so.read_sales_order("404404"), so.read_sales_order(created.sales_order)]
    )
    missing, found = result.outcomes
    assert not missing.ok and isinstance(missing.error, ODataError)
    assert missing.status == 404
    assert found.value.purchase_order_by_customer == PO
    with pytest.raises(ODataError, match="Resource not found"):
        result.values()


def test_batch_needs_a_csrf_token_like_any_change(client: ODataClient, fake: FakeSap) -> None:
    client.batch(SO, [ChangeSet([so.create_sales_order(order_payload("PO-1"))])])
    fake.expire_csrf_tokens()
    client.batch(SO, [ChangeSet([so.create_sales_order(order_payload("PO-2"))])])
    assert fake.csrf_fetches == 2
    assert fake.csrf_refusals == 1
    assert len(fake.rows(SO, "A_SalesOrder")) == 2


async def test_async_batch_and_rollback(aclient: AsyncODataClient, fake: FakeSap) -> None:
    result = await aclient.batch(SO, [ChangeSet([so.create_sales_order(order_payload("PO-Z"))])])
    assert result.values()[0].purchase_order_by_customer == "PO-Z"
    bad = so.create_sales_order(order_payload("PO-Y", sold_to="42"))
    with pytest.raises(BatchError, match="request 2 of the change set"):
        await aclient.batch(SO, [ChangeSet([so.create_sales_order(order_payload("PO-X")), bad])])
    assert [r["PurchaseOrderByCustomer"] for r in fake.rows(SO, "A_SalesOrder")] == ["PO-Z"]
