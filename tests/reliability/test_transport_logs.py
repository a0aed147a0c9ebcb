"""httpx2's and httpcore2's own DEBUG logs never show SAP's CSRF token or session cookie
(issue 15): a user who turns the root logger to DEBUG sees the headers, masked."""

from __future__ import annotations

import logging

import httpx2
import pytest

from amazon_erp_bridge.core.redaction import TRANSPORT_LOGGERS, redact_headers
from amazon_erp_bridge.sandbox import Sandbox
from amazon_erp_bridge.sandbox.sap.fake import PASSWORD, SESSION_COOKIE, USER
from amazon_erp_bridge.sap.sales_orders import SERVICE


@pytest.fixture
def sandbox():
    with Sandbox() as running:
        yield running


def test_root_debug_log_of_a_csrf_fetch_masks_token_and_session_cookie(sandbox, caplog):
    caplog.set_level(logging.DEBUG)  # the root logger, as a user debugging would
    url = f"{sandbox.url('sap')}{SERVICE}/"
    with httpx2.Client(auth=(USER, PASSWORD)) as http:
        response = http.get(url, headers={"x-csrf-token": "Fetch"})
    token = response.headers["x-csrf-token"]
    session = response.cookies[SESSION_COOKIE]
    assert len(token) > 10 and len(session) > 10
    transport = [r for r in caplog.records if r.name.startswith(("httpcore2", "httpx2"))]
    assert any(r.name == "httpcore2.http11" for r in transport)  # the headers were logged
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "receive_response_headers.complete" in text
    assert "(b'x-csrf-token', b'***')" in text
    assert token not in text
    assert session not in text


def test_the_library_sap_client_debug_log_shows_no_session(sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    sap = sandbox.sap_client()
    from amazon_erp_bridge.sap import SalesOrderService

    SalesOrderService(sap).find_by_purchase_order("NO-SUCH-ORDER", None)
    tokens = list(sandbox.sap.sessions.values())
    sessions = list(sandbox.sap.sessions)
    text = "\n".join(r.getMessage() for r in caplog.records)
    for secret in tokens + sessions:
        assert secret not in text


@pytest.mark.parametrize(
    ("logged", "hidden"),
    [
        ("[(b'x-csrf-token', b'AbC123xyz=='), (b'content-type', b'json')]", "AbC123xyz=="),
        ("[(b'Set-Cookie', b'SAP_SESSIONID_S4H_100=zz99zz; path=/')]", "zz99zz"),
        ("Set-Cookie: SAP_SESSIONID_S4H_100=zz99zz; path=/", "zz99zz"),
        ("Cookie: MYSAPSSO2=ssoValue123", "ssoValue123"),
        ("{'authorization': 'Bearer abc.def.ghi'}", "abc.def.ghi"),
        ("headers {'x-amz-access-token': 'Atza|IwEB123'}", "Atza|IwEB123"),
    ],
)
def test_header_shapes_transports_log_are_masked(logged, hidden):
    assert hidden not in redact_headers(logged)


def test_every_transport_logger_has_the_filter():
    for name in TRANSPORT_LOGGERS:
        assert logging.getLogger(name).filters, name
