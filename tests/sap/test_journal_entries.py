"""Journal entries: SOAP posting (sync and bulk), its faults and logs, read back via the cube."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx2
import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import JournalEntry, JournalLine, Money
from amazon_erp_bridge.sandbox.sap import FakeSap
from amazon_erp_bridge.sap import (
    AsyncJournalEntryService,
    AsyncODataClient,
    JournalEntryRejectedError,
    JournalEntryService,
    ODataClient,
    SoapFaultError,
    message_id,
)
from amazon_erp_bridge.sap.journal_entries import (
    NAMESPACE,
    SYNC_ACTION,
    Posting,
    bulk_request,
    post_journal_entry,
)
from tests.sap.conftest import fixture_bytes

SETTLEMENT = "12345678901"
NOW = datetime(2026, 1, 6, 8, 0, tzinfo=UTC)


def entry(reference: str = SETTLEMENT, **lines: str) -> JournalEntry:
    amounts = lines or {"1000": "100.00", "4000": "-80.00", "6000": "-20.00"}
    return JournalEntry(
        reference,
        date(2026, 1, 5),
        tuple(
            JournalLine(
                account,
                Money.of(amount, "USD"),
                text=f"settlement {reference}",
                dimensions={"ProfitCenter": "YB600"} if account == "4000" else {},
                reference=reference[:18],
            )
            for account, amount in amounts.items()
        ),
        text="Amazon settlement",
    )


@pytest.fixture
def journal(client: ODataClient) -> JournalEntryService:
    return JournalEntryService(
        client, created_by_user="BRIDGE_COMM", company_code="1010", clock=lambda: NOW
    )


def test_post_returns_the_accounting_document(journal: JournalEntryService, fake: FakeSap) -> None:
    posted = journal.post(entry())
    assert (posted.accounting_document, posted.company_code, posted.fiscal_year) == (
        "5100000000",
        "1010",
        "2026",
    )
    assert "posted successfully" in posted.messages[0].message
    request = next(r for r in fake.router.requests if r.path.endswith("confi"))
    assert request.headers["soapaction"] == f'"{SYNC_ACTION}"'
    assert request.headers["content-type"] == "text/xml; charset=utf-8"
    assert "x-csrf-token" not in request.headers


def test_posted_entry_is_found_by_reference(journal: JournalEntryService) -> None:
    posted = journal.post(entry())
    [found] = journal.find_by_reference(SETTLEMENT)
    assert found.accounting_document == posted.accounting_document
    assert [i.gl_account for i in found.items] == ["1000", "4000", "6000"]
    assert [i.debit_credit_code for i in found.items] == ["S", "H", "H"]
    assert sum(i.amount or 0 for i in found.items) == 0
    assert found.items[1].money == Money.of("-80.00", "USD")
    assert found.items[0].document_reference_id == SETTLEMENT
    assert found.items[0].posting_date == date(2026, 1, 5)
    assert journal.find_by_reference("99999999999") == []
    again = journal.get_document("1010", "2026", posted.accounting_document)
    assert again is not None and len(again.items) == 3
    assert journal.get_document("1010", "2026", "1") is None


def test_request_xml_has_the_wsdl_shape() -> None:
    element = bulk_request([entry()], Posting("1010", "BRIDGE"), message="AMZ1", created_at=NOW)
    assert element.tag == f"{{{NAMESPACE}}}JournalEntryBulkCreateRequest"
    assert [c.tag for c in element] == ["MessageHeader", "JournalEntryCreateRequest"]
    je = element.find("JournalEntryCreateRequest/JournalEntry")
    assert je is not None
    assert je.findtext("OriginalReferenceDocumentType") == "BKPFF"
    assert je.findtext("BusinessTransactionType") == "RFBU"
    assert je.findtext("AccountingDocumentType") == "SA"
    assert je.findtext("DocumentReferenceID") == SETTLEMENT
    items = je.findall("Item")
    amount = items[1].find("AmountInTransactionCurrency")
    assert amount is not None and amount.text == "-80.00" and amount.get("currencyCode") == "USD"
    assert items[1].findtext("DebitCreditCode") == "H"
    assert items[1].findtext("AccountAssignment/ProfitCenter") == "YB600"
    assert element.findtext("MessageHeader/CreationDateTime") == "2026-01-06T08:00:00Z"


def test_refused_posting_raises_with_the_log(journal: JournalEntryService, fake: FakeSap) -> None:
    fake.add_gl_accounts("1000", "4000")
    with pytest.raises(JournalEntryRejectedError) as info:
        journal.post(entry())
    error = info.value
    assert f"did not post journal entry {SETTLEMENT}" in str(error)
    assert "G/L account 6000 is not defined" in str(error)
    assert error.log_items[0].severity == "error"
    assert fake.journal_documents() == []


def test_refused_posting_can_be_posted_again_once_fixed(
    journal: JournalEntryService, fake: FakeSap
) -> None:
    fake.add_gl_accounts("1000", "4000")
    with pytest.raises(JournalEntryRejectedError):
        journal.post(entry())
    fake.add_gl_accounts("6000")
    assert journal.post(entry()).accounting_document


def test_reposting_the_same_settlement_is_a_soap_fault(journal: JournalEntryService) -> None:
    journal.post(entry())
    with pytest.raises(SoapFaultError, match="duplicate message") as info:
        journal.post(entry())
    assert info.value.status == 500
    assert info.value.fault_code == "soap-env:Client"


def test_recorded_confirmation_is_read() -> None:
    call = post_journal_entry(entry(), Posting("1010", "U"), message="AMZ1", created_at=NOW)
    posted = call.parse(httpx2.Response(200, content=fixture_bytes("journal_confirmation.xml")))
    assert posted.accounting_document == "0100000437"
    assert posted.fiscal_year == "2026"
    assert posted.messages[0].code == "605(RW)"


def test_recorded_rejection_is_read() -> None:
    call = post_journal_entry(entry(), Posting("1010", "U"), message="AMZ1", created_at=NOW)
    with pytest.raises(JournalEntryRejectedError, match="chart of accounts YCOA") as info:
        call.parse(httpx2.Response(200, content=fixture_bytes("journal_rejected.xml")))
    assert len(info.value.log_items) == 2


def test_confirmation_without_entries_is_rejected() -> None:
    call = post_journal_entry(entry(), Posting("1010", "U"), message="AMZ1", created_at=NOW)
    empty = (
        b'<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body>'
        b'<n:JournalEntryBulkCreateConfirmation xmlns:n="http://sap.com/xi/SAPSCORE/SFIN">'
        b"<Log><Item><SeverityCode>3</SeverityCode><Note>Message could not be processed</Note>"
        b"</Item></Log></n:JournalEntryBulkCreateConfirmation></e:Body></e:Envelope>"
    )
    with pytest.raises(JournalEntryRejectedError, match="could not be processed"):
        call.parse(httpx2.Response(200, content=empty))


def test_bulk_post_uses_the_settlement_id_and_refuses_duplicates(
    journal: JournalEntryService, fake: FakeSap
) -> None:
    receipt = journal.post_bulk([entry("S1-A"), entry("S1-B")], settlement_id="S1")
    assert (receipt.message_id, receipt.status) == ("AMZS1", 202)
    assert {d.accounting_document for d in journal.find_by_reference("S1-A")} == {"5100000000"}
    with pytest.raises(SoapFaultError, match="already been received"):
        journal.post_bulk([entry("S1-A")], settlement_id="S1")
    assert len(fake.journal_documents()) == 6


def test_bulk_post_is_retried_after_a_503(journal: JournalEntryService, fake: FakeSap) -> None:
    fake.router.faults.fail = 1
    fake.router.faults.match = "journalentrybulk"
    receipt = journal.post_bulk(entry(), settlement_id=SETTLEMENT)
    assert receipt.status == 202


def test_message_id_is_stable_and_fits() -> None:
    assert message_id("12345678901") == "AMZ12345678901"
    long_id = message_id("S" * 60)
    assert len(long_id) == 35 and long_id == message_id("S" * 60)
    assert message_id("S" * 60) != message_id("S" * 59 + "T")
    assert message_id("with space") != "AMZwith space"
    with pytest.raises(ValidationError, match="empty"):
        message_id(" ")


def test_entries_sap_cannot_hold_are_refused_before_sending() -> None:
    posting = Posting("1010", "U")
    mixed = JournalEntry(
        "S1",
        date(2026, 1, 5),
        (
            JournalLine("1000", Money.of("1", "USD")),
            JournalLine("2000", Money.of("-1", "USD")),
            JournalLine("1000", Money.of("1", "EUR")),
            JournalLine("2000", Money.of("-1", "EUR")),
        ),
    )
    with pytest.raises(ValidationError, match="one entry per currency"):
        bulk_request([mixed], posting, message="M", created_at=NOW)
    with pytest.raises(ValidationError, match="DocumentReferenceID .* 1 to 16"):
        bulk_request([entry("R" * 17)], posting, message="M", created_at=NOW)
    with pytest.raises(ValidationError, match="GLAccount"):
        bulk_request(
            [entry(**{"12345678901": "1", "2": "-1"})], posting, message="M", created_at=NOW
        )
    odd = JournalEntry(
        "S1",
        date(2026, 1, 5),
        (
            JournalLine("1000", Money.of("1", "USD"), dimensions={"Channel": "AFN"}),
            JournalLine("2000", Money.of("-1", "USD")),
        ),
    )
    with pytest.raises(ValidationError, match="Channel"):
        bulk_request([odd], posting, message="M", created_at=NOW)
    with pytest.raises(ValidationError, match="MessageHeader ID"):
        bulk_request([entry()], posting, message="M" * 36, created_at=NOW)
    with pytest.raises(ValidationError, match="aware"):
        bulk_request([entry()], posting, message="M", created_at=datetime(2026, 1, 1))
    with pytest.raises(ValidationError, match="no entries"):
        bulk_request([], posting, message="M", created_at=NOW)


def test_company_code_is_required(client: ODataClient) -> None:
    service = JournalEntryService(client, created_by_user="U")
    with pytest.raises(ValidationError, match="company_code"):
        service.post(entry())


def test_long_texts_are_cut_to_sap_lengths() -> None:
    long = JournalEntry(
        "S1",
        date(2026, 1, 5),
        (
            JournalLine("1000", Money.of("1", "USD"), text="x" * 80),
            JournalLine("2000", Money.of("-1", "USD")),
        ),
        text="h" * 40,
    )
    element = bulk_request([long], Posting("1010", "U"), message="M", created_at=NOW)
    je = element.find("JournalEntryCreateRequest/JournalEntry")
    assert je is not None
    assert len(je.findtext("DocumentHeaderText") or "") == 25
    assert len(je.findtext("Item/DocumentItemText") or "") == 50
    assert ET.tostring(element)


async def test_async_post_find_and_bulk(aclient: AsyncODataClient, fake: FakeSap) -> None:
    journal = AsyncJournalEntryService(aclient, created_by_user="U", company_code="1010")
    posted = await journal.post(entry())
    [found] = await journal.find_by_reference(SETTLEMENT)
    assert found.accounting_document == posted.accounting_document
    doc = await journal.get_document("1010", posted.fiscal_year, posted.accounting_document)
    assert doc is not None and doc.items[0].amount == Decimal("100.00")
    receipt = await journal.post_bulk(entry("S9"), settlement_id="S9")
    assert receipt.message_id == "AMZS9"
    with pytest.raises(SoapFaultError):
        await journal.post_bulk(entry("S9"), settlement_id="S9")
