"""FakeSap itself: its $filter reader, keys, CSRF binding to the session, logon, batches."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amazon_erp_bridge.sandbox.sap import PASSWORD, USER, FakeSap, FilterError, parse_filter
from amazon_erp_bridge.sap import BusinessPartnerService, ODataClient, SalesOrderService
from amazon_erp_bridge.sap.values import dump_json
from tests.sap.conftest import BASE_URL, order_payload

SO = SalesOrderService.PATH
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}


def raw(fake: FakeSap) -> httpx2.Client:
    return httpx2.Client(base_url=BASE_URL, transport=fake.transport(), headers=AUTH)


ROW = {
    "Name": "O'Brien & Sons",
    "Qty": Decimal("2.50"),
    "Day": date(2026, 1, 5),
    "Stamp": datetime(2026, 1, 5, 10, tzinfo=UTC),
    "Flag": True,
    "Empty": "",
    "Nothing": None,
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Name eq 'O''Brien & Sons'", True),
        ("Name eq 'O'Brien'", None),
        ("Qty eq 2.5M and Flag eq true", True),
        ("Qty gt 2.5M or Qty lt 1", False),
        ("Day ge datetime'2026-01-05T00:00:00'", True),
        ("Stamp lt datetimeoffset'2026-01-05T11:00:00Z'", True),
        ("not (Flag eq true)", False),
        ("(Name eq 'x' or Name ne 'x') and Empty eq ''", True),
        ("Nothing eq null and Nothing ne 'a'", True),
        ("substringof('Brien',Name)", True),
        ("substringof('Brien',Name) eq true", True),
        ("startswith(Name,'O''B') and endswith(Name,'Sons')", True),
        ("Qty gt Nothing", False),
    ],
)
def test_fake_filter_reader(text: str, expected: bool | None) -> None:
    if expected is None:
        with pytest.raises(FilterError):
            parse_filter(text)(ROW)
    else:
        assert parse_filter(text)(ROW) is expected


@pytest.mark.parametrize(
    "text",
    [
        "Name eq",
        "Name like 'x'",
        "Name eq 'x' extra",
        "(Name eq 'x'",
        "Name eq datetime'nope'",
        "#",
    ],
)
def test_fake_filter_reader_refuses_what_sap_would(text: str) -> None:
    with pytest.raises(FilterError):
        parse_filter(text)


def test_bad_filter_is_a_400_with_an_sap_body(fake: FakeSap) -> None:
    with raw(fake) as http:
        answer = http.get(f"{SO}/A_SalesOrder", params={"$filter": "SoldToParty eq 1000001'"})
    assert answer.status_code == 400
    assert answer.json()["error"]["message"]["value"].startswith("Invalid filter expression")
    assert answer.json()["error"]["innererror"]["transactionid"]


def test_token_without_its_session_cookie_is_refused(fake: FakeSap) -> None:
    with raw(fake) as http:
        token = http.get(SO + "/", headers={"X-CSRF-Token": "Fetch"}).headers["x-csrf-token"]
    with raw(fake) as fresh:  # no cookie jar shared: the token alone is not enough
        answer = fresh.post(
            f"{SO}/A_SalesOrder",
            content=dump_json(order_payload()),
            headers={"X-CSRF-Token": token},
        )
    assert answer.status_code == 403
    assert answer.headers["x-csrf-token"] == "Required"
    assert answer.text == "CSRF token validation failed"


def test_session_keeps_its_token(fake: FakeSap) -> None:
    with raw(fake) as http:
        first = http.get(SO + "/", headers={"X-CSRF-Token": "Fetch"}).headers["x-csrf-token"]
        second = http.head(SO + "/", headers={"X-CSRF-Token": "Fetch"}).headers["x-csrf-token"]
        created = http.post(
            f"{SO}/A_SalesOrder",
            content=b'{"SalesOrderType":"OR"}',
            headers={"X-CSRF-Token": first, "Content-Type": "application/json"},
        )
    assert first == second
    assert created.status_code == 400  # past CSRF, refused for its content


def test_logon_is_required_everywhere(fake: FakeSap) -> None:
    with httpx2.Client(base_url=BASE_URL, transport=fake.transport()) as http:
        assert http.get(SO + "/$metadata").status_code == 401
        soap = http.post("/sap/bc/srt/scs_ext/sap/journalentrycreaterequestconfi", content=b"<x/>")
        assert soap.status_code == 401
        assert http.post("/oauth/token", data={"grant_type": "password"}).status_code == 400


def test_malformed_soap_is_a_fault(fake: FakeSap) -> None:
    with raw(fake) as http:
        answer = http.post(
            "/sap/bc/srt/scs_ext/sap/journalentrycreaterequestconfi", content=b"<oops"
        )
    assert answer.status_code == 500
    assert b"faultstring" in answer.content and b"Malformed SOAP message" in answer.content


def test_keys_with_quotes_and_slashes_round_trip(client: ODataClient, fake: FakeSap) -> None:
    fake.add_product("A/B 'C'", description="odd key")
    product = client.get("/sap/opu/odata/sap/API_PRODUCT_SRV", "A_Product", "A/B 'C'")
    assert product["Product"] == "A/B 'C'"


def test_service_document_and_unknown_service(fake: FakeSap) -> None:
    with raw(fake) as http:
        assert "A_SalesOrder" in http.get(SO + "/").json()["d"]["EntitySets"]
        assert http.get("/sap/opu/odata/sap/API_NOPE_SRV/").status_code == 404
        assert http.delete(f"{SO}/$metadata").status_code == 403  # no CSRF token: refused first


def test_malformed_batch_is_400(fake: FakeSap) -> None:
    with raw(fake) as http:
        token = http.get(SO + "/", headers={"X-CSRF-Token": "Fetch"}).headers["x-csrf-token"]
        answer = http.post(
            f"{SO}/$batch",
            content=b"--b\r\nnot closed",
            headers={"X-CSRF-Token": token, "Content-Type": "multipart/mixed; boundary=b"},
        )
    assert answer.status_code == 400
    assert "Malformed $batch" in answer.json()["error"]["message"]["value"]


_external_ids = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_external_ids)
def test_any_string_survives_the_trip_through_a_filter(
    client: ODataClient, fake: FakeSap, value: str
) -> None:
    """Client formatting, URL encoding and the fake's reading agree for any text."""
    fake.add_customer("Round Trip", business_partner="2000000", external_id=value)
    found = BusinessPartnerService(client).find_customers(external_id=value)
    assert [p.business_partner for p in found] == ["2000000"]
