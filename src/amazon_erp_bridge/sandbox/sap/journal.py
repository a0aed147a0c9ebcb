"""The fake's journal entry SOAP service: read the request, check it, answer like SAP.

Checks what SAP's posting would refuse and a test can provoke: an unknown company code,
a G/L account not in the chart (when accounts were seeded), a debit/credit code that
contradicts the amount's sign, more than one currency, and a balance that is not zero. A
refused entry is confirmed with AccountingDocument ``0000000000`` and error log items, as the
synchronous service does; a malformed message or a repeated MessageHeader ID gets a SOAP fault.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from attrs import define, field

NAMESPACE = "http://sap.com/xi/SAPSCORE/SFIN"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"


class SoapFault(Exception):
    """A request the fake answers with a SOAP fault (HTTP 500)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: ET.Element | None, name: str) -> ET.Element | None:
    if element is None:
        return None
    return next((c for c in element if _local(c.tag) == name), None)


def _text(element: ET.Element | None, name: str) -> str:
    found = _child(element, name)
    return (found.text or "").strip() if found is not None else ""


@define
class Line:
    gl_account: str
    amount: Decimal
    currency: str
    debit_credit: str
    text: str = ""
    assignment: str = ""
    profit_center: str = ""
    cost_center: str = ""
    kind: str = "gl"  # "gl" (Item), "debtor" (DebtorItem) or "tax" (ProductTaxItem)
    tax_code: str = ""
    customer: str = ""
    tax_base: Decimal | None = None


@define
class Entry:
    """One JournalEntryCreateRequest as the fake understood it, and what it found wrong."""

    message_id: str
    company_code: str
    document_type: str
    reference: str
    original_reference: str
    header_text: str
    posting_date: date | None
    document_date: date | None
    lines: list[Line] = field(factory=list)
    errors: list[str] = field(factory=list)
    reversal_reason: str = ""
    reversal_reference: str = ""


def _date(value: str, name: str, errors: list[str]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(f"Field {name}: '{value}' is not a valid date")
        return None


def _line(item: ET.Element, number: int, errors: list[str]) -> Line | None:
    kind = {"DebtorItem": "debtor", "ProductTaxItem": "tax"}.get(_local(item.tag), "gl")
    amount_el = _child(item, "AmountInTransactionCurrency")
    if amount_el is None or not (amount_el.text or "").strip():
        errors.append(f"Item {number}: AmountInTransactionCurrency is missing")
        return None
    try:
        amount = Decimal(amount_el.text.strip())  # type: ignore[union-attr]
    except InvalidOperation:
        errors.append(f"Item {number}: amount '{amount_el.text}' is not a number")
        return None
    assignment = _child(item, "AccountAssignment")
    base: Decimal | None = None
    if kind == "tax":
        base_text = _text(item, "TaxBaseAmountInTransCrcy")
        try:
            base = Decimal(base_text) if base_text else None
        except InvalidOperation:
            errors.append(f"Item {number}: tax base '{base_text}' is not a number")
    tax_code = _text(item, "TaxCode") or _text(_child(item, "Tax"), "TaxCode")
    return Line(
        kind=kind,
        tax_code=tax_code,
        customer=_text(item, "Debtor"),
        tax_base=base,
        gl_account=_text(item, "GLAccount"),
        amount=amount,
        currency=amount_el.get("currencyCode", ""),
        debit_credit=_text(item, "DebitCreditCode"),
        text=_text(item, "DocumentItemText"),
        assignment=_text(item, "AssignmentReference"),
        profit_center=_text(assignment, "ProfitCenter"),
        cost_center=_text(assignment, "CostCenter"),
    )


def read_request(content: bytes) -> tuple[str, list[Entry]]:
    """The bulk MessageHeader ID and the entries of a JournalEntryBulkCreateRequest envelope."""
    try:
        root = ET.fromstring(content)
    except ET.ParseError as exc:
        raise SoapFault("soap-env:Client", f"Malformed SOAP message: {exc}") from None
    body = _child(root, "Body")
    request = body[0] if body is not None and len(body) else None
    if request is None or _local(request.tag) != "JournalEntryBulkCreateRequest":
        raise SoapFault("soap-env:Client", "Body must hold a JournalEntryBulkCreateRequest")
    if not request.tag.startswith(f"{{{NAMESPACE}}}"):
        raise SoapFault("soap-env:Client", f"JournalEntryBulkCreateRequest must be in {NAMESPACE}")
    message_id = _text(_child(request, "MessageHeader"), "ID")
    if not message_id:
        raise SoapFault("soap-env:Client", "MessageHeader/ID is missing")
    if len(message_id) > 35:
        raise SoapFault("soap-env:Client", f"MessageHeader/ID '{message_id}' exceeds 35 characters")
    entries: list[Entry] = []
    for part in request:
        if _local(part.tag) != "JournalEntryCreateRequest":
            continue
        je = _child(part, "JournalEntry")
        if je is None:
            raise SoapFault("soap-env:Client", "JournalEntryCreateRequest without JournalEntry")
        errors: list[str] = []
        for required in ("CompanyCode", "CreatedByUser", "AccountingDocumentType", "PostingDate"):
            if not _text(je, required):
                errors.append(f"Field {required} is required")
        entry = Entry(
            message_id=_text(_child(part, "MessageHeader"), "ID"),
            company_code=_text(je, "CompanyCode"),
            document_type=_text(je, "AccountingDocumentType"),
            reference=_text(je, "DocumentReferenceID").upper(),
            original_reference=_text(je, "OriginalReferenceDocument"),
            header_text=_text(je, "DocumentHeaderText"),
            posting_date=_date(_text(je, "PostingDate"), "PostingDate", errors),
            document_date=_date(
                _text(je, "DocumentDate") or _text(je, "PostingDate"), "DocumentDate", errors
            ),
            errors=errors,
        )
        entry.reversal_reason = _text(je, "ReversalReason")
        entry.reversal_reference = _text(je, "ReversalReferenceDocument")
        kinds = ("Item", "DebtorItem", "ProductTaxItem")
        for number, item in enumerate((c for c in je if _local(c.tag) in kinds), start=1):
            line = _line(item, number, errors)
            if line is not None:
                entry.lines.append(line)
        entries.append(entry)
    if not entries:
        raise SoapFault("soap-env:Client", "The message holds no JournalEntryCreateRequest")
    return message_id, entries


def check(entry: Entry, company_codes: Collection[str], gl_accounts: Collection[str]) -> None:
    """Add to ``entry.errors`` whatever SAP's posting would refuse."""
    if entry.company_code and entry.company_code not in company_codes:
        entry.errors.append(f"Company code {entry.company_code} is not defined")
    if len(entry.lines) < 2:
        entry.errors.append("A journal entry needs at least two items")
    for number, line in enumerate(entry.lines, start=1):
        if line.kind == "debtor":
            if not line.customer:
                entry.errors.append(f"Item {number}: enter a customer (Debtor)")
        elif line.kind == "tax":
            if not line.tax_code:
                entry.errors.append(f"Item {number}: enter a tax code")
            if line.tax_base is None:
                entry.errors.append(f"Item {number}: enter the tax base amount")
        elif not line.gl_account:
            entry.errors.append(f"Item {number}: enter a G/L account")
        elif gl_accounts and line.gl_account not in gl_accounts:
            entry.errors.append(
                f"Item {number}: G/L account {line.gl_account} is not defined in company code "
                f"{entry.company_code}"
            )
        if line.debit_credit not in ("S", "H"):
            entry.errors.append(f"Item {number}: DebitCreditCode must be S or H")
        elif (line.debit_credit == "S") != (line.amount >= 0):
            entry.errors.append(
                f"Item {number}: debit/credit code {line.debit_credit} does not match the "
                f"amount {line.amount}"
            )
    currencies = {line.currency for line in entry.lines}
    if len(currencies) > 1:
        entry.errors.append(f"Items are in several currencies: {', '.join(sorted(currencies))}")
    balance = sum((line.amount for line in entry.lines), Decimal(0))
    if balance != 0:
        entry.errors.append(f"Balance in transaction currency is not zero: {balance}")


def _sub(parent: ET.Element, name: str, value: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, name)
    if value is not None:
        element.text = value
    return element


def _header(parent: ET.Element, ident: str, reference: str, now: datetime) -> None:
    header = _sub(parent, "MessageHeader")
    _sub(header, "ID", ident)
    _sub(header, "ReferenceID", reference)
    _sub(header, "CreationDateTime", now.strftime("%Y-%m-%dT%H:%M:%SZ"))


def _log(parent: ET.Element, errors: list[str], success: str) -> None:
    log = _sub(parent, "Log")
    _sub(log, "BusinessDocumentProcessingResultCode", "5" if errors else "3")
    _sub(log, "MaximumLogItemSeverityCode", "3" if errors else "1")
    for note in errors or [success]:
        item = _sub(log, "Item")
        _sub(item, "TypeID", "SANDBOX/JE")
        _sub(item, "SeverityCode", "3" if errors else "1")
        _sub(item, "Note", note[:200])


def confirmation(
    message_id: str, results: list[tuple[Entry, str | None, str]], now: datetime
) -> bytes:
    """The synchronous answer: one confirmation per entry (document number or error log)."""
    root = ET.Element(f"{{{SOAP11}}}Envelope")
    ET.SubElement(root, f"{{{SOAP11}}}Header")
    body = ET.SubElement(root, f"{{{SOAP11}}}Body")
    answer = ET.SubElement(body, f"{{{NAMESPACE}}}JournalEntryBulkCreateConfirmation")
    _header(answer, f"C{message_id}"[:35], message_id, now)
    # Spelled as SAP's WSDL spells it (JournalEntryCreateConfirmationBulkMessage).
    _sub(answer, "ConfirmationInterfaceOrignName", "JournalEntryCreateRequestConfirmation_In")
    for entry, document, year in results:
        part = _sub(answer, "JournalEntryCreateConfirmation")
        _header(part, f"C{entry.message_id}"[:35], entry.message_id, now)
        doc = _sub(part, "JournalEntryCreateConfirmation")
        _sub(doc, "AccountingDocument", document or "0000000000")
        _sub(doc, "CompanyCode", entry.company_code)
        _sub(doc, "FiscalYear", year if document else "0000")
        success = f"Document posted successfully: BKPFF {document} {entry.company_code} {year}"
        _log(part, entry.errors, success)
    failed = [e for e, d, _ in results if d is None]
    _log(answer, [f"{len(failed)} of {len(results)} entries not posted"] if failed else [], "OK")
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data


def fault(code: str, message: str) -> bytes:
    """A SOAP 1.1 fault envelope."""
    root = ET.Element(f"{{{SOAP11}}}Envelope")
    body = ET.SubElement(root, f"{{{SOAP11}}}Body")
    node = ET.SubElement(body, f"{{{SOAP11}}}Fault")
    _sub(node, "faultcode", code)
    _sub(node, "faultstring", message).set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    detail = _sub(node, "detail")
    _sub(detail, "Text", message)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data


def cube_rows(
    entry: Entry, document: str, year: str, accounts: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The journal entry items the posted entry shows in API_OPLACCTGDOCITEMCUBE_SRV.

    ``accounts`` gives the G/L account of receivable lines (``"debtor"``) and tax lines
    (``"tax"``), which SAP takes from the customer master and the tax code."""
    accounts = accounts or {}
    return [
        {
            "CompanyCode": entry.company_code,
            "FiscalYear": year,
            "AccountingDocument": document,
            "AccountingDocumentItem": f"{number:03d}",
            "GLAccount": line.gl_account or accounts.get(line.kind, ""),
            "TaxCode": line.tax_code,
            "Customer": line.customer,
            "FinancialAccountType": "D" if line.kind == "debtor" else "S",
            "IsCleared": False,
            "IsReversal": bool(entry.reversal_reference),
            "ReversalReason": entry.reversal_reason,
            "DebitCreditCode": line.debit_credit,
            "AmountInTransactionCurrency": line.amount,
            "TransactionCurrency": line.currency,
            "PostingDate": entry.posting_date,
            "DocumentDate": entry.document_date,
            "AccountingDocumentType": entry.document_type,
            "DocumentReferenceID": entry.reference,
            "OriginalReferenceDocument": entry.original_reference,
            "AccountingDocumentHeaderText": entry.header_text,
            "DocumentItemText": line.text,
            "AssignmentReference": line.assignment,
            "ProfitCenter": line.profit_center,
            "CostCenter": line.cost_center,
            "IsReversed": False,
        }
        for number, line in enumerate(entry.lines, start=1)
    ]
