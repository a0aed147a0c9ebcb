"""Open receivables of a customer in SAP: its uncleared debtor items (for cash application).

Read from the journal entry item cube ``API_OPLACCTGDOCITEMCUBE_SRV``
(``A_OperationalAcctgDocItemCube``), whose published metadata
(``../shared/specs/sap-metadata/API_OPLACCTGDOCITEMCUBE_SRV.edmx``) has, per item, the
``Customer``, the account type (``FinancialAccountType`` ``D`` = debtor), the clearing status
(``IsCleared``, ``ClearingAccountingDocument``, ``ClearingDate``), the ``AssignmentReference``
(18 characters), the ``BillingDocument`` and ``SalesDocument`` the item came from, and the
signed ``AmountInTransactionCurrency``. The billing document service
(``API_BILLING_DOCUMENT_SRV``) has the invoice totals but no clearing status, so it cannot
say what is still open; the cube can, which is why open receivables are read here and the
billing document only names the Amazon order of an item whose assignment does not.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from functools import partial

from attrs import frozen

from amazon_erp_bridge.core.call import Call, Page
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import Money, is_currency
from amazon_erp_bridge.sap import operations as ops
from amazon_erp_bridge.sap.client import ODataClient
from amazon_erp_bridge.sap.operations import Entity
from amazon_erp_bridge.sap.query import Filter, Query, equals

SERVICE = "/sap/opu/odata/sap/API_OPLACCTGDOCITEMCUBE_SRV"
ENTITY_SET = "A_OperationalAcctgDocItemCube"

#: ``FinancialAccountType`` of a customer (debtor) item.
DEBTOR = "D"
#: ``Customer`` holds 10 characters in the cube.
CUSTOMER_LENGTH = 10

#: The cube properties read, each in the published metadata.
OPEN_ITEM_FIELDS = (
    "CompanyCode",
    "FiscalYear",
    "AccountingDocument",
    "AccountingDocumentItem",
    "Customer",
    "FinancialAccountType",
    "AssignmentReference",
    "BillingDocument",
    "SalesDocument",
    "DebitCreditCode",
    "AmountInTransactionCurrency",
    "TransactionCurrency",
    "IsCleared",
    "ClearingAccountingDocument",
)


@frozen
class OpenDebtorItem:
    """One uncleared debtor item of a customer (an invoice's receivable, signed: a debit is
    positive, a credit negative)."""

    company_code: str
    fiscal_year: str
    accounting_document: str
    item: str
    customer: str
    assignment: str
    billing_document: str
    sales_document: str
    amount: Decimal
    currency: str

    @classmethod
    def from_entity(cls, e: Entity) -> OpenDebtorItem:
        """The item as the cube gives it; an amount without a currency is refused."""
        where = (
            f"open item {e.text('AccountingDocument') or '?'}/"
            f"{e.text('AccountingDocumentItem') or '?'}"
        )
        amount = e.as_decimal("AmountInTransactionCurrency")
        currency = e.text("TransactionCurrency") or ""
        if amount is None or not is_currency(currency):
            raise ValidationError(
                f"{where}: AmountInTransactionCurrency {amount} TransactionCurrency "
                f"{currency!r} is not an amount in a currency"
            )
        if e.text("DebitCreditCode") == "H" and amount > 0:
            amount = -amount
        return cls(
            company_code=e.required("CompanyCode"),
            fiscal_year=e.required("FiscalYear"),
            accounting_document=e.required("AccountingDocument"),
            item=e.required("AccountingDocumentItem"),
            customer=e.text("Customer") or "",
            assignment=e.text("AssignmentReference") or "",
            billing_document=e.text("BillingDocument") or "",
            sales_document=e.text("SalesDocument") or "",
            amount=amount,
            currency=currency,
        )

    @property
    def money(self) -> Money:
        """The signed amount in the transaction currency."""
        return Money(self.amount, self.currency)

    @property
    def document(self) -> str:
        """``company/year/document`` of the journal entry the item belongs to."""
        return f"{self.company_code}/{self.fiscal_year}/{self.accounting_document}"


def open_items_filter(customer: str, company_code: str | None = None) -> Filter:
    """Uncleared debtor items of ``customer`` (optionally in one company code)."""
    code = (customer or "").strip()
    if not code or len(code) > CUSTOMER_LENGTH:
        raise ValidationError(
            f"open items: customer {customer!r} must have 1 to {CUSTOMER_LENGTH} characters "
            "(cube property Customer)"
        )
    return equals(
        Customer=code,
        FinancialAccountType=DEBTOR,
        IsCleared=False,
        CompanyCode=company_code,
    )


def open_items_page(condition: Filter, token: str | None) -> Call[Page[OpenDebtorItem]]:
    """One page of open debtor items matching ``condition``."""
    query = Query(
        filter=condition,
        select=OPEN_ITEM_FIELDS,
        orderby=("CompanyCode", "FiscalYear", "AccountingDocument", "AccountingDocumentItem"),
    )
    return ops.read_page(
        ENTITY_SET,
        query,
        token,
        item=OpenDebtorItem.from_entity,
        limit_key="sap.journalEntry.read",
    )


class OpenItemService:
    """Open debtor items of customers in one S/4HANA system (blocking)."""

    PATH = SERVICE

    def __init__(
        self, client: ODataClient, *, company_code: str | None = None, path: str = SERVICE
    ) -> None:
        self._sender = client.service(path)
        self.company_code = company_code

    def open_items(self, customer: str) -> Iterator[OpenDebtorItem]:
        """Every uncleared debtor item of ``customer``, page by page."""
        condition = open_items_filter(customer, self.company_code)
        yield from self._sender.pages(partial(open_items_page, condition))

    def cleared_items(self, customer: str, clearing_document: str) -> Iterator[OpenDebtorItem]:
        """The debtor items of ``customer`` that journal entry ``clearing_document`` cleared
        (``ClearingAccountingDocument``), e.g. to rebuild what was open when it was posted."""
        open_items_filter(customer, self.company_code)  # checks the customer
        condition = equals(
            Customer=customer.strip(),
            FinancialAccountType=DEBTOR,
            ClearingAccountingDocument=clearing_document,
            CompanyCode=self.company_code,
        )
        yield from self._sender.pages(partial(open_items_page, condition))


__all__ = [
    "OPEN_ITEM_FIELDS",
    "OpenDebtorItem",
    "OpenItemService",
    "open_items_filter",
    "open_items_page",
]
