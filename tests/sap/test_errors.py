"""SAP error bodies, sap-message warnings and SOAP faults become errors people can act on."""

from __future__ import annotations

import json
import logging

import httpx2
import pytest

from amazon_erp_bridge.errors import ApiError, RateLimitedError
from amazon_erp_bridge.sap.errors import (
    CsrfTokenError,
    ODataError,
    PreconditionFailedError,
    SoapFaultError,
    log_sap_messages,
    odata_error,
    read_error,
    sap_messages,
)
from amazon_erp_bridge.sap.soap import payload_of, read_fault, soap_error
from tests.sap.conftest import fixture_bytes


def response(status: int, content: bytes, **headers: str) -> httpx2.Response:
    return httpx2.Response(status, content=content, headers=headers)


def test_v2_error_body_gives_code_message_details_and_transaction_id() -> None:
    error = odata_error(response(400, fixture_bytes("error_v2.json")), service="SAP SO")
    assert isinstance(error, ODataError)
    assert error.status == 400
    assert error.code == "V1/302"
    assert error.transaction_id == "6A1C2F09D6E60040E00644AB0E2E5F3B"
    assert [d.code for d in error.error_details] == [
        "V1/302",
        "V1/380",
        "/IWBEP/CX_MGW_BUSI_EXCEPTION",
    ]
    assert error.error_details[1].target == "to_Item('10')/Material"
    text = str(error)
    assert "Sold-to party 9999999 not maintained" in text
    assert "material MUG-SAGE is blocked" in text
    assert "6A1C2F09D6E60040E00644AB0E2E5F3B" in text
    assert error.inner_error is not None and "application" in error.inner_error


def test_v4_error_body_is_read_too() -> None:
    error = odata_error(response(404, fixture_bytes("error_v4.json")))
    assert error.code == "SALES_ORDER/014"
    assert "Sales order 4711 does not exist" in str(error)
    assert error.error_details[0].severity == "3"


def test_xml_error_body_is_read() -> None:
    error = odata_error(response(404, fixture_bytes("error_v2.xml")))
    assert error.code == "/IWBEP/CM_MGW_RT/020"
    assert error.transaction_id == "0F9D3C3A1B2C0050E00644AB0E2E5F3B"
    assert "Resource not found for segment" in str(error)
    assert error.error_details[0].severity == "error"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"<html><body><h1>500 Internal Server Error</h1></body></html>", "<html>"),
        (b'{"error": "not an object"}', "not an object"),
        (b'{"error": {"message": {"value": "half"}', "half"),
        (b"", "Service Unavailable"),
        (b"\xff\xfe garbage", "garbage"),
    ],
)
def test_malformed_error_bodies_still_give_status_and_text(body: bytes, expected: str) -> None:
    error = odata_error(response(503, body))
    assert isinstance(error, ODataError)
    assert error.status == 503
    assert expected in str(error)


def test_error_body_of_unknown_json_shape_keeps_the_text() -> None:
    assert read_error(response(500, b'{"fault": {"faultstring": "x"}}')).message.startswith("{")


def test_status_specific_errors() -> None:
    assert isinstance(odata_error(response(429, b"slow down")), RateLimitedError)
    stale = odata_error(response(412, fixture_bytes("error_v2.json")))
    assert isinstance(stale, PreconditionFailedError)
    assert "changed since it was read" in str(stale)
    missing = odata_error(response(428, b"Precondition required"))
    assert isinstance(missing, PreconditionFailedError)
    assert "If-Match" in str(missing)
    csrf = odata_error(
        response(403, b"CSRF token validation failed", **{"x-csrf-token": "Required"})
    )
    assert isinstance(csrf, CsrfTokenError)
    assert "fetched anew once" in str(csrf)
    assert "refused the credentials" in str(odata_error(response(401, b"Logon failed")))


def test_sap_message_header_gives_the_message_and_its_details() -> None:
    header = json.dumps(
        {
            "code": "V1/555",
            "message": "The sales document is not yet complete",
            "severity": "warning",
            "target": "",
            "details": [{"code": "V1/556", "message": "Edit incomplete data", "severity": "info"}],
        }
    )
    messages = sap_messages(response(201, b"{}", **{"sap-message": header}))
    assert [m.code for m in messages] == ["V1/555", "V1/556"]
    assert messages[0].severity == "warning"
    assert "not yet complete" in str(messages[0])


def test_malformed_sap_message_header_is_kept_as_text() -> None:
    messages = sap_messages(response(200, b"{}", **{"sap-message": "not json {"}))
    assert messages[0].message == "not json {"
    assert messages[0].severity == "unknown"
    assert sap_messages(response(200, b"{}")) == ()


def test_warnings_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    header = json.dumps({"code": "X/1", "message": "check me", "severity": "warning"})
    resp = response(200, b"{}", **{"sap-message": header})

    class _Call:
        method, path = "POST", "A_SalesOrder"

    with caplog.at_level(logging.INFO, logger="amazon_erp_bridge.sap"):
        log_sap_messages(_Call(), resp)
    assert any(
        r.levelno == logging.WARNING and "check me" in r.getMessage() for r in caplog.records
    )


# ----------------------------------------------------------------------------- SOAP


def test_soap11_fault_becomes_soap_fault_error() -> None:
    error = soap_error(response(500, fixture_bytes("soap11_fault.xml")), service="SAP SOAP")
    assert isinstance(error, SoapFaultError)
    assert error.fault_code == "soap-env:Client"
    assert error.status == 500
    assert "CompanyCode has an invalid format" in str(error)
    assert "exceeds 4 characters" in str(error)


def test_soap12_fault_is_read() -> None:
    code, message, _ = read_fault(fixture_bytes("soap12_fault.xml")) or ("", "", "")
    assert code == "env:Sender"
    assert "Authority check failed" in message


def test_non_fault_soap_error_keeps_the_text() -> None:
    error = soap_error(response(502, b"Bad gateway from proxy"), service="SAP SOAP")
    assert type(error) is ApiError
    assert "Bad gateway from proxy" in str(error)


def test_fault_inside_a_200_is_raised() -> None:
    with pytest.raises(SoapFaultError, match="Authority check failed"):
        payload_of(fixture_bytes("soap12_fault.xml"))


def test_non_xml_soap_answer_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not XML"):
        payload_of(b"<html")
