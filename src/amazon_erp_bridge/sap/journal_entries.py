"""Journal entries: posted through SAP's SOAP services, read back through OData.

S/4HANA has no released OData API that posts journal entries. Communication scenario
SAP_COM_0002 offers SOAP services instead:

- ``JournalEntryCreateRequestConfirmation_In`` (synchronous): answers with the
  ``AccountingDocument``, ``CompanyCode`` and ``FiscalYear`` it posted, or a log saying why not;
- ``JournalEntryBulkCreationRequest_In`` (asynchronous): accepts the same message for later
  processing. SAP refuses a second message with the same ``MessageHeader/ID``, so an ID derived
  from the settlement id (:func:`message_id`) makes a repeated post harmless.

Both take ``JournalEntryBulkCreateRequest`` in namespace ``http://sap.com/xi/SAPSCORE/SFIN``;
the element names and lengths here come from SAP's published WSDL. Entries are read back through
``API_OPLACCTGDOCITEMCUBE_SRV`` (journal entry items, read-only OData), by the reference the
entry carried (``DocumentReferenceID``) or by document number.

Endpoint paths differ between SAP S/4HANA Cloud and on-premise (where they come from SOAMANAGER);
the defaults are the Cloud ones. The synchronous path and SOAP action are the ones SAP publishes;
the bulk path and action follow the same pattern but could not be checked against a published
source: take both from your communication arrangement.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from itertools import groupby
from typing import Generic, Protocol, TypeVar

import httpx2
from attrs import frozen

from amazon_erp_bridge.core.call import Call, Page
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import JournalEntry, JournalLine, Money, is_currency
from amazon_erp_bridge.sap import operations as ops
from amazon_erp_bridge.sap.client import (
    AsyncODataSender,
    AsyncSoapSender,
    ODataSender,
    SoapSender,
)
from amazon_erp_bridge.sap.errors import (
    JournalEntryNotFoundError,
    JournalEntryRejectedError,
    SapMessage,
)
from amazon_erp_bridge.sap.operations import Entity
from amazon_erp_bridge.sap.query import Filter, Query, equals
from amazon_erp_bridge.sap.soap import child, children, payload_of, soap_call, text

NAMESPACE = "http://sap.com/xi/SAPSCORE/SFIN"
SYNC_PATH = "/sap/bc/srt/scs_ext/sap/journalentrycreaterequestconfi"
SYNC_ACTION = (
    "http://sap.com/xi/SAPSCORE/SFIN/JournalEntryCreateRequestConfirmation_In/"
    "JournalEntryCreateRequestConfirmation_InRequest"
)
#: Not checked against a published source (see the module docstring): configure it.
BULK_PATH = "/sap/bc/srt/scs_ext/sap/journalentrybulkcreationreques"
#: Not checked against a published source (see the module docstring): configure it.
BULK_ACTION = (
    "http://sap.com/xi/SAPSCORE/SFIN/JournalEntryBulkCreationRequest_In/"
    "JournalEntryBulkCreationRequest_InRequest"
)
ET.register_namespace("sfin", NAMESPACE)

CUBE_SERVICE = "/sap/opu/odata/sap/API_OPLACCTGDOCITEMCUBE_SRV"
CUBE_SET = "A_OperationalAcctgDocItemCube"

#: Lengths from the WSDL's simple types.
MESSAGE_ID_LENGTH = 35
DOCUMENT_REFERENCE_LENGTH = 16
ORIGINAL_REFERENCE_LENGTH = 20
ASSIGNMENT_LENGTH = 18
GL_ACCOUNT_LENGTH = 10
HEADER_TEXT_LENGTH = 25
ITEM_TEXT_LENGTH = 50
#: ProductTaxationCharacteristicsCode (a tax code; SAP's codes have 2 characters).
TAX_CODE_LENGTH = 2
#: BusinessPartnerInternalID (the DebtorItem's Debtor).
DEBTOR_LENGTH = 10
#: ReversalReason (2) and ReversalReferenceDocument (20), header fields of the WSDL.
REVERSAL_REASON_LENGTH = 2
REVERSAL_REFERENCE_LENGTH = 20
#: Children of an item's AccountAssignment in the WSDL; JournalLine.dimensions may use them.
ACCOUNT_ASSIGNMENTS = (
    "ProfitCenter",
    "PartnerProfitCenter",
    "Segment",
    "PartnerSegment",
    "CostCenter",
    "CostCtrActivityType",
    "WBSElement",
    "MasterFixedAsset",
    "FixedAsset",
    "SalesOrder",
    "SalesOrderItem",
    "FunctionalArea",
)
#: SAP's LogItemSeverityCode values.
SEVERITIES = {"1": "information", "2": "warning", "3": "error", "4": "abort"}
CUBE_FIELDS = (
    "CompanyCode",
    "FiscalYear",
    "AccountingDocument",
    "AccountingDocumentItem",
    "GLAccount",
    "DebitCreditCode",
    "AmountInTransactionCurrency",
    "TransactionCurrency",
    "PostingDate",
    "DocumentDate",
    "AccountingDocumentType",
    "DocumentReferenceID",
    "OriginalReferenceDocument",
    "AccountingDocumentHeaderText",
    "DocumentItemText",
    "AssignmentReference",
    "IsReversed",
    "IsReversal",
    "ReverseDocument",
    "ReverseDocumentFiscalYear",
    "ReversalReason",
    "TaxCode",
    "Customer",
)


@frozen
class JournalEntryItem:
    """One line of a posted journal entry as the item cube shows it (amounts signed)."""

    company_code: str
    fiscal_year: str
    accounting_document: str
    accounting_document_item: str
    gl_account: str | None = None
    debit_credit_code: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    posting_date: date | None = None
    document_date: date | None = None
    document_type: str | None = None
    document_reference_id: str | None = None
    original_reference_document: str | None = None
    header_text: str | None = None
    item_text: str | None = None
    assignment_reference: str | None = None
    is_reversed: bool | None = None
    is_reversal: bool | None = None
    reverse_document: str | None = None
    reverse_document_fiscal_year: str | None = None
    reversal_reason: str | None = None
    tax_code: str | None = None
    customer: str | None = None

    @classmethod
    def from_entity(cls, e: Entity) -> JournalEntryItem:
        """Read a posted journal entry item from an OData entity."""
        return cls(
            company_code=e.required("CompanyCode"),
            fiscal_year=e.required("FiscalYear"),
            accounting_document=e.required("AccountingDocument"),
            accounting_document_item=e.required("AccountingDocumentItem"),
            gl_account=e.text("GLAccount"),
            debit_credit_code=e.text("DebitCreditCode"),
            amount=e.as_decimal("AmountInTransactionCurrency"),
            currency=e.text("TransactionCurrency"),
            posting_date=e.as_date("PostingDate"),
            document_date=e.as_date("DocumentDate"),
            document_type=e.text("AccountingDocumentType"),
            document_reference_id=e.text("DocumentReferenceID"),
            original_reference_document=e.text("OriginalReferenceDocument"),
            header_text=e.text("AccountingDocumentHeaderText"),
            item_text=e.text("DocumentItemText"),
            assignment_reference=e.text("AssignmentReference"),
            is_reversed=e.as_bool("IsReversed"),
            is_reversal=e.as_bool("IsReversal"),
            reverse_document=e.text("ReverseDocument"),
            reverse_document_fiscal_year=e.text("ReverseDocumentFiscalYear"),
            reversal_reason=e.text("ReversalReason"),
            tax_code=e.text("TaxCode"),
            customer=e.text("Customer"),
        )

    @property
    def money(self) -> Money | None:
        """The item's amount as Money, or None without a valid currency."""
        if self.amount is None or not self.currency or not is_currency(self.currency):
            return None
        return Money(self.amount, self.currency)


def _line_key(account: str, amount: Decimal, currency: str) -> tuple[str, Decimal, str]:
    # SAP may show G/L accounts with leading zeros (0000004000); amounts compare by value.
    return (account.lstrip("0") or "0", amount, currency)


def _shown(key: tuple[str, Decimal, str]) -> str:
    return f"{key[0]} {key[1]} {key[2]}"


@frozen
class PostedJournalEntry:
    """A journal entry SAP posted: its document key, and its lines when read back."""

    accounting_document: str
    company_code: str
    fiscal_year: str
    items: tuple[JournalEntryItem, ...] = ()
    messages: tuple[SapMessage, ...] = ()

    def differences(self, entry: JournalEntry) -> list[str]:
        """How the items read back differ from ``entry``'s lines; empty when they agree.

        Lines compare by G/L account, signed amount (debit +, credit -) and currency, in
        any order; a reversed document never agrees.
        """
        posted: Counter[tuple[str, Decimal, str]] = Counter()
        for item in self.items:
            amount = item.amount or Decimal(0)
            if item.debit_credit_code == "H" and amount > 0:
                amount = -amount
            posted[_line_key(item.gl_account or "", amount, item.currency or "")] += 1
        wanted = Counter(
            _line_key(line.account, line.amount.amount, line.amount.currency)
            for line in entry.lines
        )
        out = [f"missing line {_shown(k)}" for k in sorted((wanted - posted).elements())]
        out += [f"unexpected line {_shown(k)}" for k in sorted((posted - wanted).elements())]
        if any(item.is_reversed for item in self.items):
            out.append(f"document {self.accounting_document} is reversed")
        return out

    @property
    def is_reversed(self) -> bool:
        """True once SAP reversed this document (its items say IsReversed)."""
        return any(item.is_reversed for item in self.items)

    @property
    def is_reversal(self) -> bool:
        """True for a document that reverses another (IsReversal)."""
        return any(item.is_reversal for item in self.items)

    @property
    def reversed_by(self) -> tuple[str, str] | None:
        """(accounting document, fiscal year) of the document that reversed this one."""
        for item in self.items:
            if item.is_reversed and item.reverse_document:
                return item.reverse_document, item.reverse_document_fiscal_year or self.fiscal_year
        return None


@frozen
class Reversal:
    """The reversal fields of a journal entry request (WSDL JournalEntryCreateRequest:
    ReversalReason, ReversalReferenceDocument, ReversalDate): which original reference
    document it reverses and why."""

    reason: str
    reference_document: str
    date: date | None = None


@frozen
class BulkReceipt:
    """SAP accepted an asynchronous bulk message; it posts later. Check with find_by_reference."""

    message_id: str
    status: int


# ----------------------------------------------------------------------------- building XML


def message_id(reference: str, prefix: str = "AMZ") -> str:
    """A MessageHeader ID of at most 35 characters, always the same for the same reference.

    ``prefix + reference`` when it fits, else ``prefix`` + the start of the reference's SHA-256.
    """
    if not reference or not reference.strip():
        raise ValidationError("message id: the reference (settlement id) is empty")
    candidate = f"{prefix}{reference.strip()}"
    if len(candidate) <= MESSAGE_ID_LENGTH and candidate.isascii() and " " not in candidate:
        return candidate
    digest = hashlib.sha256(reference.strip().encode("utf-8")).hexdigest()
    return (prefix + digest)[:MESSAGE_ID_LENGTH]


def _sub(parent: ET.Element, name: str, value: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, name)
    if value is not None:
        element.text = value
    return element


def _checked(value: str, name: str, length: int, record: str) -> str:
    if not value or len(value) > length:
        raise ValidationError(
            f"journal entry {record}: {name} {value!r} must have 1 to {length} characters"
        )
    return value


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValidationError("journal entry message: CreationDateTime needs an aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _header(parent: ET.Element, ident: str, created_at: datetime) -> None:
    header = _sub(parent, "MessageHeader")
    _sub(header, "ID", ident)
    _sub(header, "CreationDateTime", _timestamp(created_at))


@frozen
class Posting:
    """The header settings of a posting that do not come from the journal entry itself."""

    company_code: str
    created_by_user: str
    document_type: str = "SA"
    business_transaction_type: str = "RFBU"
    reference_document_type: str = "BKPFF"
    logical_system: str | None = None
    header_text: str | None = None


def _amount(parent: ET.Element, name: str, money: Money) -> None:
    element = _sub(parent, name, format(money.amount, "f"))
    element.set("currencyCode", money.currency)


def _debit_credit(money: Money) -> str:
    return "H" if money.amount < 0 else "S"


def _gl_item(je: ET.Element, line: JournalLine, number: int, where: str) -> None:
    """An ``Item`` (G/L line), in the WSDL's element order; ``Tax/TaxCode`` for a tax base."""
    item = _sub(je, "Item")
    _sub(item, "ReferenceDocumentItem", str(number))
    _sub(item, "GLAccount", _checked(line.account, "GLAccount", GL_ACCOUNT_LENGTH, where))
    _amount(item, "AmountInTransactionCurrency", line.amount)
    _sub(item, "DebitCreditCode", _debit_credit(line.amount))
    if line.text:
        _sub(item, "DocumentItemText", line.text[:ITEM_TEXT_LENGTH])
    if line.reference:
        _sub(
            item,
            "AssignmentReference",
            _checked(line.reference, "AssignmentReference", ASSIGNMENT_LENGTH, where),
        )
    if line.tax_code:
        tax = _sub(item, "Tax")
        _sub(tax, "TaxCode", _checked(line.tax_code, "TaxCode", TAX_CODE_LENGTH, where))
    unknown = sorted(set(line.dimensions) - set(ACCOUNT_ASSIGNMENTS))
    if unknown:
        raise ValidationError(
            f"journal entry {where}: dimensions {unknown} have no place in SAP's "
            f"AccountAssignment; use {', '.join(ACCOUNT_ASSIGNMENTS)}"
        )
    if line.dimensions:
        assignment = _sub(item, "AccountAssignment")
        for name in ACCOUNT_ASSIGNMENTS:
            if line.dimensions.get(name):
                _sub(assignment, name, line.dimensions[name])


def _debtor_item(je: ET.Element, line: JournalLine, number: int, where: str) -> None:
    """A ``DebtorItem``: the receivable against the customer account (``line.customer``).

    SAP books it on the customer's reconciliation account from the customer master; the
    line's ``account`` is not sent (AltvRecnclnAccts would override it, a setting most
    company codes do not allow)."""
    item = _sub(je, "DebtorItem")
    _sub(item, "ReferenceDocumentItem", str(number))
    _sub(item, "Debtor", _checked(line.customer or "", "Debtor", DEBTOR_LENGTH, where))
    _amount(item, "AmountInTransactionCurrency", line.amount)
    _sub(item, "DebitCreditCode", _debit_credit(line.amount))
    if line.text:
        _sub(item, "DocumentItemText", line.text[:ITEM_TEXT_LENGTH])
    if line.reference:
        _sub(
            item,
            "AssignmentReference",
            _checked(line.reference, "AssignmentReference", ASSIGNMENT_LENGTH, where),
        )


def _tax_item(je: ET.Element, line: JournalLine, number: int, where: str) -> None:
    """A ``ProductTaxItem``: the tax amount with its tax code and the base it was computed on."""
    assert line.tax_base is not None
    item = _sub(je, "ProductTaxItem")
    _sub(item, "ReferenceDocumentItem", str(number))
    _sub(item, "TaxCode", _checked(line.tax_code or "", "TaxCode", TAX_CODE_LENGTH, where))
    _amount(item, "AmountInTransactionCurrency", line.amount)
    _sub(item, "DebitCreditCode", _debit_credit(line.amount))
    if line.text:
        _sub(item, "ProductiveTaxText", line.text[:ITEM_TEXT_LENGTH])
    _amount(item, "TaxBaseAmountInTransCrcy", line.tax_base)


def _entry_element(
    entry: JournalEntry,
    posting: Posting,
    ident: str,
    created_at: datetime,
    reversal: Reversal | None = None,
) -> ET.Element:
    record = entry.reference
    if len(entry.currencies) != 1:
        raise ValidationError(
            f"journal entry {record}: has lines in {', '.join(entry.currencies)}; an SAP "
            "journal entry has one transaction currency, post one entry per currency"
        )
    request = ET.Element("JournalEntryCreateRequest")
    _header(request, ident, created_at)
    je = _sub(request, "JournalEntry")
    _sub(je, "OriginalReferenceDocumentType", posting.reference_document_type)
    original = record if reversal is None else reversal_reference(record)
    _sub(
        je,
        "OriginalReferenceDocument",
        _checked(original, "OriginalReferenceDocument", ORIGINAL_REFERENCE_LENGTH, record),
    )
    if posting.logical_system:
        _sub(je, "OriginalReferenceDocumentLogicalSystem", posting.logical_system)
    _sub(je, "BusinessTransactionType", posting.business_transaction_type)
    _sub(je, "AccountingDocumentType", posting.document_type)
    _sub(
        je,
        "DocumentReferenceID",
        _checked(record, "DocumentReferenceID", DOCUMENT_REFERENCE_LENGTH, record),
    )
    header_text = posting.header_text or entry.text
    if header_text:
        _sub(je, "DocumentHeaderText", header_text[:HEADER_TEXT_LENGTH])
    if reversal is not None:
        _sub(
            je,
            "ReversalReason",
            _checked(reversal.reason, "ReversalReason", REVERSAL_REASON_LENGTH, record),
        )
        _sub(
            je,
            "ReversalReferenceDocument",
            _checked(
                reversal.reference_document,
                "ReversalReferenceDocument",
                REVERSAL_REFERENCE_LENGTH,
                record,
            ),
        )
        if reversal.date is not None:
            _sub(je, "ReversalDate", reversal.date.isoformat())
    _sub(je, "CreatedByUser", posting.created_by_user)
    _sub(je, "CompanyCode", posting.company_code)
    _sub(je, "DocumentDate", (entry.document_date or entry.posting_date).isoformat())
    _sub(je, "PostingDate", entry.posting_date.isoformat())
    numbered = list(enumerate(entry.lines, start=1))
    # The WSDL's sequence: every Item, then every DebtorItem, then every ProductTaxItem.
    for number, line in numbered:
        if not line.is_tax and not line.is_receivable:
            _gl_item(je, line, number, f"{record} line {number}")
    for number, line in numbered:
        if line.is_receivable:
            _debtor_item(je, line, number, f"{record} line {number}")
    for number, line in numbered:
        if line.is_tax:
            _tax_item(je, line, number, f"{record} line {number}")
    return request


def reversal_reference(reference: str) -> str:
    """The OriginalReferenceDocument of the entry reversing ``reference``'s entry: ``R`` +
    the reference (cut to the 20 characters the field holds)."""
    return f"R{reference}"[:ORIGINAL_REFERENCE_LENGTH]


def bulk_request(
    entries: Sequence[JournalEntry],
    posting: Posting,
    *,
    message: str,
    created_at: datetime,
    reversal: Reversal | None = None,
) -> ET.Element:
    """The ``JournalEntryBulkCreateRequest`` element: one message header, one request per entry.

    The inner requests get IDs derived from ``message`` and their position, so the whole
    message is the same every time it is built from the same entries.
    """
    if not entries:
        raise ValidationError("journal entry message: no entries to post")
    root = ET.Element(f"{{{NAMESPACE}}}JournalEntryBulkCreateRequest")
    _header(root, _checked(message, "MessageHeader ID", MESSAGE_ID_LENGTH, message), created_at)
    for number, entry in enumerate(entries, start=1):
        ident = message if len(entries) == 1 else message_id(f"{message}/{number}", prefix="")
        root.append(_entry_element(entry, posting, ident, created_at, reversal))
    return root


# ----------------------------------------------------------------------------- reading XML


def _log(element: ET.Element | None) -> tuple[SapMessage, ...]:
    items = []
    for item in children(element, "Item"):
        severity = text(item, "SeverityCode") or ""
        items.append(
            SapMessage(
                code=text(item, "TypeID") or "",
                message=text(item, "Note") or "",
                severity=SEVERITIES.get(severity, severity),
            )
        )
    return tuple(items)


def _confirmation(reference: str, service: str) -> Callable[[httpx2.Response], PostedJournalEntry]:
    def parse(response: httpx2.Response) -> PostedJournalEntry:
        root = payload_of(response.content)
        confirmations = children(root, "JournalEntryCreateConfirmation")
        bulk_log = _log(child(root, "Log"))
        if not confirmations:
            raise JournalEntryRejectedError(
                f"SAP confirmed no journal entry for {reference}",
                log_items=bulk_log,
                status=response.status_code,
                service=service,
            )
        confirmation = confirmations[0]
        document = child(confirmation, "JournalEntryCreateConfirmation")
        log = child(confirmation, "Log")
        messages = _log(log) or bulk_log
        number = text(document, "AccountingDocument") or ""
        worst = text(log, "MaximumLogItemSeverityCode") or ""
        if not number.strip("0") or worst in ("3", "4"):
            raise JournalEntryRejectedError(
                f"SAP did not post journal entry {reference}",
                log_items=messages,
                status=response.status_code,
                service=service,
            )
        return PostedJournalEntry(
            accounting_document=number,
            company_code=text(document, "CompanyCode") or "",
            fiscal_year=text(document, "FiscalYear") or "",
            messages=messages,
        )

    return parse


def _accepted(message: str) -> Callable[[httpx2.Response], BulkReceipt]:
    def parse(response: httpx2.Response) -> BulkReceipt:
        return BulkReceipt(message, response.status_code)

    return parse


# ----------------------------------------------------------------------------- operations


def post_journal_entry(
    entry: JournalEntry,
    posting: Posting,
    *,
    message: str,
    created_at: datetime,
    path: str = SYNC_PATH,
    action: str = SYNC_ACTION,
    reversal: Reversal | None = None,
) -> Call[PostedJournalEntry]:
    """Post ``entry`` synchronously; the answer names the accounting document or says why not.

    With ``reversal``, the entry (the original's lines with their signs turned, see
    :func:`mirrored`) is posted as the reversal of the original reference document."""
    element = bulk_request(
        [entry], posting, message=message, created_at=created_at, reversal=reversal
    )
    return soap_call(
        path,
        action,
        element,
        _confirmation(entry.reference, "SAP JournalEntryCreateRequestConfirmation_In"),
        limit_key="sap.journalEntry.post",
    )


def post_bulk(
    entries: Sequence[JournalEntry],
    posting: Posting,
    *,
    message: str,
    created_at: datetime,
    path: str = BULK_PATH,
    action: str = BULK_ACTION,
) -> Call[BulkReceipt]:
    """Hand ``entries`` to the asynchronous bulk service under MessageHeader ID ``message``.

    Marked idempotent: SAP refuses a second message with the same ID, so a retry after a
    timeout cannot post twice.
    """
    element = bulk_request(entries, posting, message=message, created_at=created_at)
    return soap_call(
        path,
        action,
        element,
        _accepted(message),
        idempotent=True,
        limit_key="sap.journalEntry.bulk",
    )


def mirrored(entry: JournalEntry, posting_date: date | None = None) -> JournalEntry:
    """``entry`` with every amount (and tax base) negated: what its reversal posts (pure)."""
    lines = tuple(
        JournalLine(
            line.account,
            -line.amount,
            line.text,
            line.dimensions,
            line.reference,
            line.tax_code,
            -line.tax_base if line.tax_base is not None else None,
            line.customer,
        )
        for line in entry.lines
    )
    return JournalEntry(
        entry.reference,
        posting_date or entry.posting_date,
        lines,
        entry.text,
        posting_date or entry.document_date,
        entry.source,
    )


def items_page(condition: Filter, token: str | None) -> Call[Page[JournalEntryItem]]:
    query = Query(
        filter=condition,
        select=CUBE_FIELDS,
        orderby=("CompanyCode", "FiscalYear", "AccountingDocument", "AccountingDocumentItem"),
    )
    return ops.read_page(
        CUBE_SET, query, token, item=JournalEntryItem.from_entity, limit_key="sap.journalEntry.read"
    )


def by_reference(reference: str, company_code: str | None = None) -> Filter:
    """Items of entries posted with ``reference`` (SAP keeps DocumentReferenceID upper case)."""
    return equals(DocumentReferenceID=reference.strip().upper(), CompanyCode=company_code)


def by_document(company_code: str, fiscal_year: str, accounting_document: str) -> Filter:
    return equals(
        CompanyCode=company_code, FiscalYear=fiscal_year, AccountingDocument=accounting_document
    )


def group_documents(items: Sequence[JournalEntryItem]) -> list[PostedJournalEntry]:
    """Items grouped into their documents, in document order."""

    def key(i: JournalEntryItem) -> tuple[str, str, str]:
        return i.company_code, i.fiscal_year, i.accounting_document

    return [
        PostedJournalEntry(document, company, year, tuple(group))
        for (company, year, document), group in groupby(sorted(items, key=key), key=key)
    ]


# ----------------------------------------------------------------------------- facades


def _now() -> datetime:
    return datetime.now(UTC)


SoapT = TypeVar("SoapT")
CubeT = TypeVar("CubeT")
SoapT_co = TypeVar("SoapT_co", covariant=True)
CubeT_co = TypeVar("CubeT_co", covariant=True)


class _Client(Protocol[SoapT_co, CubeT_co]):
    def soap(self) -> SoapT_co: ...

    def service(self, path: str, *, version: int = 2) -> CubeT_co: ...


class _JournalFacade(Generic[SoapT, CubeT]):
    """What both journal services hold: their senders and the settings of every posting.

    ``created_by_user`` fills the mandatory CreatedByUser (usually the communication user);
    ``clock`` gives the message CreationDateTime (aware).
    """

    def __init__(
        self,
        client: _Client[SoapT, CubeT],
        *,
        created_by_user: str,
        company_code: str | None = None,
        document_type: str = "SA",
        message_prefix: str = "AMZ",
        sync_path: str = SYNC_PATH,
        bulk_path: str = BULK_PATH,
        bulk_action: str = BULK_ACTION,
        cube_path: str = CUBE_SERVICE,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self._soap = client.soap()
        self._cube = client.service(cube_path)
        self.created_by_user = created_by_user
        self.company_code = company_code
        self.document_type = document_type
        self.message_prefix = message_prefix
        self.sync_path = sync_path
        self.bulk_path = bulk_path
        self.bulk_action = bulk_action
        self.clock = clock

    def _posting(
        self, company_code: str | None, document_type: str | None, header_text: str | None
    ) -> Posting:
        code = company_code or self.company_code
        if not code:
            raise ValidationError("journal entry: no company_code given (per call or service)")
        return Posting(
            company_code=code,
            created_by_user=self.created_by_user,
            document_type=document_type or self.document_type,
            header_text=header_text,
        )

    def _sync_call(self, entry: JournalEntry, posting: Posting) -> Call[PostedJournalEntry]:
        return post_journal_entry(
            entry,
            posting,
            message=message_id(entry.reference, self.message_prefix),
            created_at=self.clock(),
            path=self.sync_path,
        )

    def _bulk_call(
        self,
        entries: JournalEntry | Sequence[JournalEntry],
        settlement_id: str,
        posting: Posting,
    ) -> Call[BulkReceipt]:
        batch = [entries] if isinstance(entries, JournalEntry) else list(entries)
        return post_bulk(
            batch,
            posting,
            message=message_id(settlement_id, self.message_prefix),
            created_at=self.clock(),
            path=self.bulk_path,
            action=self.bulk_action,
        )

    def _reversal_call(
        self, entry: JournalEntry, posting: Posting, reason: str, posting_date: date | None
    ) -> Call[PostedJournalEntry]:
        reversal = Reversal(reason, entry.reference, posting_date)
        return post_journal_entry(
            mirrored(entry, posting_date),
            posting,
            message=message_id(reversal_reference(entry.reference), self.message_prefix),
            created_at=self.clock(),
            path=self.sync_path,
            reversal=reversal,
        )

    def _reference(self, reference: str, company_code: str | None) -> Filter:
        return by_reference(reference, company_code or self.company_code)


def _reversal_plan(
    entry: JournalEntry, found: Sequence[PostedJournalEntry], reason: str
) -> tuple[PostedJournalEntry, tuple[str, str] | None]:
    """The original document to reverse and, if SAP already reversed it, the reversal's key."""
    originals = [d for d in found if not d.is_reversal]
    if not originals:
        raise JournalEntryNotFoundError(
            f"journal entry {entry.reference}: SAP has no posted document with this reference "
            "to reverse; post it first or check the company code"
        )
    if not reason or len(reason) > REVERSAL_REASON_LENGTH:
        raise ValidationError(
            f"journal entry {entry.reference}: reversal reason {reason!r} must have 1 to "
            f"{REVERSAL_REASON_LENGTH} characters (ReversalReason)"
        )
    original = originals[0]
    return original, original.reversed_by


class JournalEntryService(_JournalFacade[SoapSender, ODataSender]):
    """Post journal entries to one S/4HANA system and read them back (blocking)."""

    def post(
        self,
        entry: JournalEntry,
        *,
        company_code: str | None = None,
        document_type: str | None = None,
        header_text: str | None = None,
    ) -> PostedJournalEntry:
        """Post synchronously; returns the accounting document or raises why SAP refused."""
        posting = self._posting(company_code, document_type, header_text)
        return self._soap.send(self._sync_call(entry, posting))

    def post_bulk(
        self,
        entries: JournalEntry | Sequence[JournalEntry],
        *,
        settlement_id: str,
        company_code: str | None = None,
        document_type: str | None = None,
    ) -> BulkReceipt:
        """Hand entries to the asynchronous service, MessageHeader ID from ``settlement_id``."""
        posting = self._posting(company_code, document_type, None)
        return self._soap.send(self._bulk_call(entries, settlement_id, posting))

    def find_by_reference(
        self, reference: str, *, company_code: str | None = None
    ) -> list[PostedJournalEntry]:
        """Documents posted with ``reference`` (the settlement id), with their items."""
        condition = self._reference(reference, company_code)
        return group_documents(list(self._cube.pages(partial(items_page, condition))))

    def get_document(
        self, company_code: str, fiscal_year: str, accounting_document: str
    ) -> PostedJournalEntry | None:
        """The posted document with its items, or None when SAP has none."""
        condition = by_document(company_code, fiscal_year, accounting_document)
        found = group_documents(list(self._cube.pages(partial(items_page, condition))))
        return found[0] if found else None

    def create_reversal(
        self,
        entry: JournalEntry,
        *,
        reason: str,
        posting_date: date | None = None,
        company_code: str | None = None,
    ) -> PostedJournalEntry:
        """Reverse the posted entry of ``entry.reference`` once, through SAP's reversal.

        The original is found first; when SAP already reversed it, the existing reversal is
        returned and nothing is posted. Otherwise ``entry``'s lines are posted with their signs
        turned, with ReversalReason ``reason`` and ReversalReferenceDocument the original's
        reference (the WSDL's JournalEntryCreateRequest fields), which tells SAP to mark the
        original reversed.
        """
        found = self.find_by_reference(entry.reference, company_code=company_code)
        original, done = _reversal_plan(entry, found, reason)
        if done is not None:
            existing = self.get_document(original.company_code, done[1], done[0])
            if existing is not None:
                return existing
        posting = self._posting(company_code, None, None)
        return self._soap.send(self._reversal_call(entry, posting, reason, posting_date))


class AsyncJournalEntryService(_JournalFacade[AsyncSoapSender, AsyncODataSender]):
    """Post journal entries to one S/4HANA system and read them back (asyncio)."""

    async def post(
        self,
        entry: JournalEntry,
        *,
        company_code: str | None = None,
        document_type: str | None = None,
        header_text: str | None = None,
    ) -> PostedJournalEntry:
        """The async form of :meth:`JournalEntryService.post`."""
        posting = self._posting(company_code, document_type, header_text)
        return await self._soap.send(self._sync_call(entry, posting))

    async def post_bulk(
        self,
        entries: JournalEntry | Sequence[JournalEntry],
        *,
        settlement_id: str,
        company_code: str | None = None,
        document_type: str | None = None,
    ) -> BulkReceipt:
        """The async form of :meth:`JournalEntryService.post_bulk`."""
        posting = self._posting(company_code, document_type, None)
        return await self._soap.send(self._bulk_call(entries, settlement_id, posting))

    async def find_by_reference(
        self, reference: str, *, company_code: str | None = None
    ) -> list[PostedJournalEntry]:
        """The async form of :meth:`JournalEntryService.find_by_reference`."""
        condition = self._reference(reference, company_code)
        items = [i async for i in self._cube.pages(partial(items_page, condition))]
        return group_documents(items)

    async def get_document(
        self, company_code: str, fiscal_year: str, accounting_document: str
    ) -> PostedJournalEntry | None:
        """The async form of :meth:`JournalEntryService.get_document`."""
        condition = by_document(company_code, fiscal_year, accounting_document)
        items = [i async for i in self._cube.pages(partial(items_page, condition))]
        found = group_documents(items)
        return found[0] if found else None

    async def create_reversal(
        self,
        entry: JournalEntry,
        *,
        reason: str,
        posting_date: date | None = None,
        company_code: str | None = None,
    ) -> PostedJournalEntry:
        """The async form of :meth:`JournalEntryService.create_reversal`."""
        found = await self.find_by_reference(entry.reference, company_code=company_code)
        original, done = _reversal_plan(entry, found, reason)
        if done is not None:
            existing = await self.get_document(original.company_code, done[1], done[0])
            if existing is not None:
                return existing
        posting = self._posting(company_code, None, None)
        return await self._soap.send(self._reversal_call(entry, posting, reason, posting_date))


__all__ = [
    "BULK_PATH",
    "CUBE_SERVICE",
    "SYNC_PATH",
    "AsyncJournalEntryService",
    "BulkReceipt",
    "JournalEntryItem",
    "JournalEntryService",
    "PostedJournalEntry",
    "Posting",
    "Reversal",
    "message_id",
    "mirrored",
    "reversal_reference",
]
