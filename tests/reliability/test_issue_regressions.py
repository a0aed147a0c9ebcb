"""The remaining bad inputs of issue 15, one regression test each: a BridgeError naming what and
where, fast. These parsers belong to other owners (settlement: H4; .ionapi and MI: H1; SAP
$batch and errors: H2); any still failing is a strict xfail naming its owner."""

from __future__ import annotations

import contextlib
import json
import time
from typing import Any

import httpx2
import pytest

from amazon_erp_bridge.errors import BridgeError

FAST = 1.0


def refused(call: Any, *words: str) -> BridgeError:
    """``call()`` raises a BridgeError within :data:`FAST` seconds whose message has ``words``."""
    start = time.perf_counter()
    with pytest.raises(BridgeError) as caught:
        call()
    assert time.perf_counter() - start < FAST
    for word in words:
        assert word in str(caught.value), str(caught.value)
    return caught.value


def tolerated(call: Any) -> None:
    """``call()`` returns or raises a BridgeError (nothing else) within :data:`FAST` seconds."""
    start = time.perf_counter()
    with contextlib.suppress(BridgeError):
        call()
    assert time.perf_counter() - start < FAST


# -- settlement amounts (H4) -----------------------------------------------------------------

HEADER = (
    "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\ttotal-amount\t"
    "currency\ttransaction-type\torder-id\tamount-type\tamount-description\tamount\tposted-date"
)


def settlement(total: str, amount: str) -> bytes:
    summary = (
        f"1\t2026-03-01T00:00:00+00:00\t2026-03-15T00:00:00+00:00\t"
        f"2026-03-17T00:00:00+00:00\t{total}\tUSD\t\t\t\t\t\t"
    )
    line = f"1\t\t\t\t\t\tOrder\t111-1\tItemPrice\tPrincipal\t{amount}\t2026-03-02"
    return "\n".join([HEADER, summary, line, ""]).encode()


@pytest.mark.parametrize("amount", ["1e999999999", "1,234,5", "١٢٣"])
def test_a_bad_settlement_amount_names_line_and_column(amount):
    from amazon_erp_bridge.amazon.settlement import parse_settlement_report

    error = refused(lambda: parse_settlement_report(settlement("1.00", amount)))
    message = str(error)
    assert "line 3" in message and "amount" in message


def test_a_huge_settlement_total_is_refused_by_name():
    from amazon_erp_bridge.amazon.settlement import parse_settlement_report

    refused(lambda: parse_settlement_report(settlement("1e999999999", "1.00")), "total")


def test_a_settlement_that_does_not_reconcile_at_the_top_of_the_range_says_so():
    from amazon_erp_bridge.amazon.settlement import parse_settlement_report

    text = settlement("999999999999999999.99", "-999999999999999999.99")
    refused(lambda: parse_settlement_report(text), "settlement 1", "does not reconcile")


# -- .ionapi (H1) --------------------------------------------------------------------------------


def ionapi(**changes: Any) -> dict[str, Any]:
    from amazon_erp_bridge.sandbox.infor import FakeIonApi

    data: dict[str, Any] = dict(FakeIonApi().ionapi())
    data.update(changes)
    return data


BAD_IONAPI = {
    "bracket": json.dumps(ionapi(pu="http://[::1")),
    "5000 digits": json.dumps(ionapi()).replace('"ti": ', '"ti": ' + "9" * 5000 + ', "x": ', 1),
    "deep": "[" * 100_000,
}


@pytest.mark.parametrize("name", sorted(BAD_IONAPI))
def test_a_bad_ionapi_file_is_a_bridge_error(name):
    from amazon_erp_bridge.infor import IonApiConfig

    refused(lambda: IonApiConfig.from_json(BAD_IONAPI[name]))


@pytest.mark.parametrize("name", sorted(BAD_IONAPI))
def test_check_ionapi_never_raises(name, tmp_path):
    from amazon_erp_bridge.infor.ionapi import check_ionapi

    path = tmp_path / "bad.ionapi"
    path.write_text(BAD_IONAPI[name], encoding="utf-8")
    start = time.perf_counter()
    check = check_ionapi(path)
    assert time.perf_counter() - start < FAST
    assert not check.ok and check.problems


# -- M3 MI answers (H1) ------------------------------------------------------------------------

MI_SHAPES: list[Any] = [
    {},
    [],
    None,
    "text",
    1,
    {"results": None},
    {"results": {}},
    {"results": [None]},
    {"results": [{"records": None}]},
    {"results": [{"records": [None]}]},
    {"results": [{"records": [[1, 2]]}]},
    {"results": [{"records": [{"A": {"b": 1}}]}]},
    {"results": [], "nrOfFailedTransactions": "x"},
    {"results": [{"errorMessage": 5}], "nrOfFailedTransactions": 1},
    {"results": [{"transaction": None, "records": []}]},
    {"MIRecord": None},
    {"MIRecord": [{"NameValue": None}]},
]


@pytest.mark.parametrize("body", MI_SHAPES, ids=[json.dumps(b)[:40] for b in MI_SHAPES])
def test_a_malformed_mi_answer_is_a_bridge_error_or_a_result(body):
    from amazon_erp_bridge.infor.mi import read_mi_body

    tolerated(lambda: read_mi_body(body, program="CRS610MI", transaction="GetBasicData"))


def test_a_huge_failure_count_in_an_mi_answer_is_refused_fast():
    from amazon_erp_bridge.infor.mi import read_mi_bytes

    body = b'{"results": [], "nrOfFailedTransactions": 1e350000}'
    refused(lambda: read_mi_bytes(body, program="CRS610MI", transaction="GetBasicData"))


# -- SAP $batch and error bodies (H2) ------------------------------------------------------------


def _response(body: bytes, content_type: str, status: int = 200) -> httpx2.Response:
    return httpx2.Response(
        status,
        content=body,
        headers={"content-type": content_type.encode("utf-8")},  # type: ignore[dict-item]
        request=httpx2.Request("POST", "https://sap.test/$batch"),
    )


def _one_read() -> list[Any]:
    from amazon_erp_bridge.sap.operations import read_entity

    return [read_entity("/A_X('1')", item=dict)]


def test_a_non_ascii_batch_boundary_is_a_bridge_error():
    from amazon_erp_bridge.sap.batch import parse_batch

    body = "--bätch\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n\r\n{}\r\n--bätch--"
    response = _response(body.encode(), "multipart/mixed; boundary=bätch")
    refused(lambda: parse_batch(response, _one_read()))


def test_a_non_ascii_byte_in_a_batch_part_header_is_a_bridge_error():
    from amazon_erp_bridge.sap.batch import parse_batch

    body = (
        b"--b1\r\nContent-Type: application/http\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nX-N\xe4me: v\xff\r\n\r\n{}\r\n--b1--"
    )
    tolerated(lambda: parse_batch(_response(body, "multipart/mixed; boundary=b1"), _one_read()))


@pytest.mark.parametrize("where", ["error", "batch"])
def test_deeply_nested_sap_json_is_a_bridge_error(where):
    from amazon_erp_bridge.sap.batch import parse_batch
    from amazon_erp_bridge.sap.errors import read_error

    deep = b"[" * 100_000
    if where == "error":
        start = time.perf_counter()
        read_error(_response(deep, "application/json", 400))  # reads what it can, never raises
        assert time.perf_counter() - start < FAST
        return
    body = (
        b"--b1\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n"
        b"Content-Type: application/json\r\n\r\n" + deep + b"\r\n--b1--"
    )
    tolerated(lambda: parse_batch(_response(body, "multipart/mixed; boundary=b1"), _one_read()))
