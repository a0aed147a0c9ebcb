"""Bad SAP answers become typed errors, fast: error bodies, sap-message headers, $batch answers
with non-ASCII boundaries or header bytes, deep JSON and huge numbers."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import httpx2
import pytest
from attrs import evolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amazon_erp_bridge.errors import BridgeError, ValidationError
from amazon_erp_bridge.sap import ChangeSet, ODataError
from amazon_erp_bridge.sap import operations as ops
from amazon_erp_bridge.sap.batch import batch, boundary_of, parse_batch
from amazon_erp_bridge.sap.errors import odata_error, sap_messages
from amazon_erp_bridge.sap.operations import identity

SECONDS = 2.0


def _reads() -> list[Any]:
    return [ops.read_entity("A_Product('A')", item=identity)]


def _answer(body: bytes, boundary: str | bytes = "b") -> httpx2.Response:
    if isinstance(boundary, str):
        boundary = boundary.encode("latin-1")
    return httpx2.Response(
        202, headers=[(b"content-type", b"multipart/mixed; boundary=" + boundary)], content=body
    )


def _part(inner: bytes) -> bytes:
    return (
        b"--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
        + inner
        + b"\r\n--b--\r\n"
    )


def test_a_non_ascii_boundary_in_the_answer_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="boundary"):
        parse_batch(_answer(b"--b\xc3\xa9--\r\n", "b\xe9"), _reads())


def test_a_non_ascii_boundary_is_refused_when_building() -> None:
    with pytest.raises(ValidationError, match="boundary"):
        batch(_reads(), boundary="b\u00e9")
    with pytest.raises(ValidationError, match="boundary"):
        boundary_of("multipart/mixed; boundary=b\u00e9")


def test_a_non_ascii_header_byte_in_a_part_is_kept_not_a_crash() -> None:
    inner = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Note: caf\xe9\r\n\r\n{"d":{}}'
    result = parse_batch(_answer(_part(inner)), _reads())
    assert result.outcomes[0].ok


def test_a_non_latin1_header_value_in_a_request_is_a_validation_error() -> None:
    call = ops.read_entity("A_Product('A')", item=identity)
    bad = evolve(call, headers={**call.headers, "X-Note": "\u20ac"})
    with pytest.raises(ValidationError, match="X-Note"):
        batch([bad])


def test_deep_json_in_an_error_body_is_read_as_text_fast() -> None:
    started = time.perf_counter()
    error = odata_error(httpx2.Response(400, content=b"[" * 100_000))
    assert isinstance(error, ODataError) and error.status == 400
    assert time.perf_counter() - started < SECONDS


def test_huge_numbers_in_an_error_body_are_read_as_text_fast() -> None:
    body = b'{"error": {"code": "X", "message": {"value": "m"}, "n": 1e350000}}'
    started = time.perf_counter()
    error = odata_error(httpx2.Response(400, content=body))
    assert isinstance(error, ODataError)
    assert time.perf_counter() - started < SECONDS


def test_deep_json_in_a_batch_part_is_a_bridge_error_fast() -> None:
    inner = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + b"[" * 100_000
    started = time.perf_counter()
    try:
        result = parse_batch(_answer(_part(inner)), _reads())
    except BridgeError:
        pass
    else:
        assert not result.outcomes[0].ok
    assert time.perf_counter() - started < SECONDS


def test_deep_json_in_a_failed_change_set_is_a_batch_error() -> None:
    inner = b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n\r\n" + b"{" * 50_000
    changes = [ChangeSet([ops.delete_entity("A_Product('A')", etag=None)])]
    with pytest.raises(ODataError, match="change set rolled back"):
        parse_batch(_answer(_part(inner)), changes)


def test_a_malformed_sap_message_header_is_kept_as_text() -> None:
    response = httpx2.Response(200, headers={"sap-message": "[" * 10_000})
    (message,) = sap_messages(response)
    assert message.severity == "unknown"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), st.sampled_from([200, 400, 403, 404, 412, 428, 429, 500]))
def test_any_bytes_as_an_error_body_give_an_odata_error(body: bytes, status: int) -> None:
    started = time.perf_counter()
    error = odata_error(httpx2.Response(status, content=body))
    assert isinstance(error, ODataError)
    assert time.perf_counter() - started < SECONDS


_PIECES = st.sampled_from(
    [
        b"--b\r\n",
        b"--b--\r\n",
        b"Content-Type: application/http\r\n",
        b"Content-Type: multipart/mixed; boundary=c\r\n",
        b"--c\r\n",
        b"--c--\r\n",
        b"\r\n",
        b"HTTP/1.1 200 OK\r\n",
        b"HTTP/1.1 400 Bad Request\r\n",
        b"Content-Type: application/json\r\n",
        b'{"d": {"Product": "A"}}',
        b'{"error": {"message": {"value": "x"}}}',
        b"[[[[[[[[[[",
        b"1e999999",
        b"\xff\xfe\xe9",
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=2000), st.lists(_PIECES, max_size=30).map(b"".join)))
def test_any_bytes_as_a_batch_answer_give_a_result_or_a_bridge_error(body: bytes) -> None:
    items: list[Any] = [
        *_reads(),
        ChangeSet([ops.delete_entity("A_Product('A')", etag=None)]),
    ]
    started = time.perf_counter()
    try:
        result = parse_batch(_answer(body), items)
    except BridgeError:
        pass
    else:
        assert len(result) == 2
    assert time.perf_counter() - started < SECONDS


@pytest.mark.parametrize("text", ["1e999999", "١٢٣", "1,234,5", "NaN", "9" * 60])
def test_sap_decimals_outside_what_an_amount_holds_are_refused(text: str) -> None:
    from amazon_erp_bridge.sap.values import parse_decimal

    started = time.perf_counter()
    with pytest.raises(ValidationError, match="NetAmount"):
        parse_decimal(text, what="A_SalesOrderItem.NetAmount")
    assert time.perf_counter() - started < SECONDS


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes_as_a_journal_answer_give_a_result_or_a_bridge_error(body: bytes) -> None:
    from datetime import UTC, datetime

    from amazon_erp_bridge.sap.journal_entries import Posting, post_journal_entry
    from tests.sap.test_contracts import entry

    call = post_journal_entry(
        entry(),
        Posting(company_code="1010", created_by_user="U"),
        message="M1",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    started = time.perf_counter()
    # ValueError: the sender turns it into an ApiError
    with contextlib.suppress(BridgeError, ValueError):
        call.parse(httpx2.Response(200, content=body))
    assert time.perf_counter() - started < SECONDS
