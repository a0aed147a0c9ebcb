"""The SAP contract checker (tests/contracts/sap.py) over the SAP clients' traffic, and on
requests that break the published EDMX or WSDL."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx2
import pytest

from amazon_erp_bridge.model import JournalEntry, JournalLine, Money
from amazon_erp_bridge.sandbox.sap import PASSWORD, USER, FakeSap
from amazon_erp_bridge.sap import (
    BillingDocumentService,
    DeliveryLine,
    JournalEntryService,
    ODataClient,
    OutboundDeliveryService,
    SalesOrderService,
    basic,
    pricing_element,
)
from tests.contracts.sap import SPECS, check_all, check_sap
from tests.sap.conftest import BASE_URL, order_payload

pytestmark = pytest.mark.skipif(not SPECS.exists(), reason="../shared/specs is not here")
SO = SalesOrderService.PATH
UA = {"user-agent": "amazon-erp-bridge/test"}
Exchange = tuple[str, str, dict[str, str], bytes, int, bytes]


class Recording(httpx2.BaseTransport):
    """The fake's transport, keeping every exchange for the checker."""

    def __init__(self, fake: FakeSap) -> None:
        self.inner = fake.transport()
        self.exchanges: list[Exchange] = []

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        response = self.inner.handle_request(request)
        self.exchanges.append(
            (
                request.method,
                str(request.url),
                dict(request.headers),
                request.content,
                response.status_code,
                response.read(),
            )
        )
        return response


def entry(reference: str = "SETTLE-42") -> JournalEntry:
    usd = "USD"
    return JournalEntry(
        reference,
        date(2026, 1, 31),
        (
            JournalLine("11010000", Money("110.00", usd), "bank"),
            JournalLine("41000000", Money("-100.00", usd), "sales", tax_code="O1"),
            JournalLine(
                "22000000",
                Money("-10.00", usd),
                "output tax",
                tax_code="O1",
                tax_base=Money("-100.00", usd),
            ),
            JournalLine("12100000", Money("5.00", usd), "receivable", customer="1000001"),
            JournalLine("12100000", Money("-5.00", usd), "cleared", customer="1000001"),
        ),
        "Amazon settlement",
    )


def test_the_clients_traffic_conforms_to_the_published_documents(fake: FakeSap) -> None:
    recording = Recording(fake)
    with ODataClient(
        BASE_URL, auth=basic(USER, PASSWORD), transport=recording, sap_client="100"
    ) as client:
        orders = SalesOrderService(client)
        payload = order_payload()
        payload["to_Item"]["results"][0]["to_PricingElement"] = {
            "results": [
                pricing_element("PR00", Money("12.50", "USD")),
                pricing_element("KF00", Money("4.99", "USD")),
                pricing_element("MWST", Money("2.40", "USD")),
            ]
        }
        order = orders.create(payload)
        assert orders.find_by_amazon_id(order.purchase_order_by_customer or "") is not None
        deliveries = OutboundDeliveryService(client)
        delivery = deliveries.create_for_sales_order(order.sales_order, [DeliveryLine("10")])
        deliveries.set_tracking(delivery.delivery_document, "1Z999")
        deliveries.pick_all_items(delivery.delivery_document)
        deliveries.post_goods_issue(delivery.delivery_document)
        fake.bill(order.sales_order)
        assert BillingDocumentService(client).find_by_amazon_id(
            order.purchase_order_by_customer or ""
        )
        orders.update_rejection(order.sales_order, "50")
        orders.get(order.sales_order, with_pricing=True)
        journals = JournalEntryService(client, created_by_user=USER, company_code="1010")
        journals.post(entry())
        journals.find_by_reference("SETTLE-42")
        journals.create_reversal(entry(), reason="01")
    assert len(recording.exchanges) > 15
    assert check_all(recording.exchanges) == []


def test_an_answer_without_its_etag_is_found() -> None:
    body = json.dumps({"d": {"__metadata": {"uri": "x"}, "SalesOrder": "1"}}).encode()
    problems = check_sap("GET", f"http://h{SO}/A_SalesOrder('1')", UA, b"", 200, body)
    assert any("__metadata.etag" in p for p in problems)


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "words"),
    [
        ("POST", "/A_SalesOrder", {}, {"TotalNetAmount": "1"}, "not creatable"),
        ("POST", "/A_SalesOrder", {}, {"PurchaseOrderByCustomer": "X" * 36}, "MaxLength 35"),
        ("POST", "/A_SalesOrder", {}, {"Nope": "1"}, "not a property"),
        (
            "POST",
            "/A_SalesOrder",
            {},
            {"to_Item": {"results": [{"NetAmount": "1"}]}},
            "to_Item[1]: NetAmount is not creatable",
        ),
        ("PATCH", "/A_SalesOrder('1')", {}, {"ShippingCondition": "01"}, "needs If-Match"),
        (
            "PATCH",
            "/A_SalesOrder('1')",
            {"if-match": "*"},
            {"OverallSDProcessStatus": "C"},
            "not updatable",
        ),
        ("GET", "/A_SalesOrderX", {}, None, "neither an entity set"),
        ("GET", "/A_SalesOrderItem('1')", {}, None, "name each part"),
        ("GET", "/A_SalesOrder?$select=Nope", {}, None, "$select names Nope"),
        ("GET", "/A_SalesOrder?$expand=to_Nope", {}, None, "$expand to_Nope"),
        ("GET", "/A_SalesOrder?$filter=Nope eq '1'", {}, None, "$filter names Nope"),
        ("DELETE", "/A_SalesOrderBillingPlan('1')", {}, None, "not deletable"),
    ],
)
def test_requests_that_break_the_edmx_are_found(
    method: str, path: str, headers: dict[str, str], body: Any, words: str
) -> None:
    content = json.dumps(body).encode() if body is not None else b""
    problems = check_sap(method, f"http://h{SO}{path}", {**UA, **headers}, content, 400, b"")
    assert any(words in p for p in problems), problems


def test_requests_the_fake_refused_and_the_library_did_not_send_are_not_findings() -> None:
    problems = check_sap("GET", f"http://h{SO}/A_SalesOrderX", {}, b"", 404, b"")
    assert problems == []


def _journal(body: str) -> bytes:
    return (
        '<?xml version="1.0"?><e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/">'
        '<e:Body><s:JournalEntryBulkCreateRequest xmlns:s="http://sap.com/xi/SAPSCORE/SFIN">'
        f"{body}</s:JournalEntryBulkCreateRequest></e:Body></e:Envelope>"
    ).encode()


HEADER = "<MessageHeader><ID>M1</ID><CreationDateTime>2026-01-01T00:00:00Z</CreationDateTime></MessageHeader>"
JE_OK = (
    "<JournalEntryCreateRequest>" + HEADER + "<JournalEntry>"
    "<OriginalReferenceDocumentType>BKPFF</OriginalReferenceDocumentType>"
    "<BusinessTransactionType>RFBU</BusinessTransactionType>"
    "<AccountingDocumentType>SA</AccountingDocumentType>"
    "<CreatedByUser>U</CreatedByUser><CompanyCode>1010</CompanyCode>"
    "<DocumentDate>2026-01-01</DocumentDate><PostingDate>2026-01-01</PostingDate>"
    "{items}</JournalEntry></JournalEntryCreateRequest>"
)
ITEM = (
    "<Item><GLAccount>1</GLAccount>"
    '<AmountInTransactionCurrency currencyCode="USD">1</AmountInTransactionCurrency></Item>'
)
PATH = "http://h/sap/bc/srt/scs_ext/sap/journalentrycreaterequestconfi"


@pytest.mark.parametrize(
    ("items", "words"),
    [
        (ITEM, None),
        (ITEM.replace(' currencyCode="USD"', ""), "required attribute currencyCode"),
        (ITEM.replace("<GLAccount>1</GLAccount>", ""), "required element GLAccount"),
        ("<DebtorItem><Debtor>1</Debtor></DebtorItem>" + ITEM, "out of the WSDL's order"),
        (ITEM.replace("<GLAccount>1</", "<GLAccount>12345678901</"), "maxLength 10"),
        (ITEM.replace("<Item>", "<Item><Bogus>1</Bogus>"), "Bogus is not an element"),
    ],
)
def test_journal_requests_are_checked_against_the_wsdl(items: str, words: str | None) -> None:
    problems = check_sap("POST", PATH, UA, _journal(HEADER + JE_OK.format(items=items)), 500, b"")
    if words is None:
        assert problems == []
    else:
        assert any(words in p for p in problems), problems


def test_journal_entries_post_tax_and_debtor_items_and_reverse_once(
    fake: FakeSap, client: ODataClient
) -> None:
    journals = JournalEntryService(client, created_by_user=USER, company_code="1010")
    posted = journals.post(entry())
    rows = fake.journal_documents()
    assert {r["TaxCode"] for r in rows} >= {"O1"}
    assert {r["Customer"] for r in rows} >= {"1000001"}
    reversal = journals.create_reversal(entry(), reason="01", posting_date=date(2026, 2, 1))
    again = journals.create_reversal(entry(), reason="01")
    assert reversal.accounting_document == again.accounting_document
    assert reversal.accounting_document != posted.accounting_document
    original = journals.get_document("1010", posted.fiscal_year, posted.accounting_document)
    assert original is not None and original.is_reversed
    assert original.reversed_by == (reversal.accounting_document, "2026")
    assert len({r["AccountingDocument"] for r in fake.journal_documents()}) == 2


def test_reversing_an_entry_sap_never_posted_names_it(client: ODataClient) -> None:
    from amazon_erp_bridge.sap import JournalEntryNotFoundError

    journals = JournalEntryService(client, created_by_user=USER, company_code="1010")
    with pytest.raises(JournalEntryNotFoundError, match="SETTLE-42.*no posted document"):
        journals.create_reversal(entry(), reason="01")


def test_reversal_reason_longer_than_the_wsdl_allows_is_refused(client: ODataClient) -> None:
    from amazon_erp_bridge.errors import ValidationError

    journals = JournalEntryService(client, created_by_user=USER, company_code="1010")
    journals.post(entry())
    with pytest.raises(ValidationError, match="reversal reason '123'"):
        journals.create_reversal(entry(), reason="123")
