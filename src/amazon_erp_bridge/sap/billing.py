"""Billing documents through API_BILLING_DOCUMENT_SRV (OData V2), read back after billing.

A billing document carries the order's customer reference (``PurchaseOrderByCustomer``) and
the accounting document it posted (``AccountingDocument``, ``CompanyCode``, ``FiscalYear``),
which ties an Amazon order through the SAP invoice to the general ledger.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from attrs import field, frozen

from amazon_erp_bridge.core.call import Call, Page
from amazon_erp_bridge.model import Money, is_currency
from amazon_erp_bridge.sap import operations as ops
from amazon_erp_bridge.sap.client import AsyncODataClient, ODataClient
from amazon_erp_bridge.sap.operations import Entity
from amazon_erp_bridge.sap.query import Filter, Query, entity_path, prop

SERVICE = "/sap/opu/odata/sap/API_BILLING_DOCUMENT_SRV"
ENTITY_SET = "A_BillingDocument"
ITEM_SET = "A_BillingDocumentItem"
ITEMS = "to_Item"


@frozen
class BillingDocumentItem:
    """One item of a billing document: material, quantity, net, tax and gross amounts."""

    billing_document_item: str
    material: str | None = None
    billing_quantity: Decimal | None = None
    billing_quantity_unit: str | None = None
    net_amount: Decimal | None = None
    tax_amount: Decimal | None = None
    gross_amount: Decimal | None = None
    sales_document: str | None = None
    sales_document_item: str | None = None
    reference_sd_document: str | None = None

    @classmethod
    def from_entity(cls, e: Entity) -> BillingDocumentItem:
        """Read a billing document item from an OData entity."""
        return cls(
            billing_document_item=e.required("BillingDocumentItem"),
            material=e.text("Material"),
            billing_quantity=e.as_decimal("BillingQuantity"),
            billing_quantity_unit=e.text("BillingQuantityUnit"),
            net_amount=e.as_decimal("NetAmount"),
            tax_amount=e.as_decimal("TaxAmount"),
            gross_amount=e.as_decimal("GrossAmount"),
            sales_document=e.text("SalesDocument"),
            sales_document_item=e.text("SalesDocumentItem"),
            reference_sd_document=e.text("ReferenceSDDocument"),
        )


@frozen
class BillingDocument:
    """An SAP invoice (or credit memo) with the accounting document it posted."""

    billing_document: str
    billing_document_type: str | None = None
    billing_document_date: date | None = None
    sold_to_party: str | None = None
    purchase_order_by_customer: str | None = None
    transaction_currency: str | None = None
    total_net_amount: Decimal | None = None
    tax_amount: Decimal | None = None
    total_gross_amount: Decimal | None = None
    company_code: str | None = None
    fiscal_year: str | None = None
    accounting_document: str | None = None
    is_cancelled: bool | None = None
    overall_billing_status: str | None = None
    accounting_posting_status: str | None = None
    items: tuple[BillingDocumentItem, ...] = ()
    etag: str | None = None
    raw: Mapping[str, Any] = field(factory=dict, repr=False, eq=False)

    @classmethod
    def from_entity(cls, e: Entity) -> BillingDocument:
        """Read a billing document (with its items) from an OData entity."""
        return cls(
            billing_document=e.required("BillingDocument"),
            billing_document_type=e.text("BillingDocumentType"),
            billing_document_date=e.as_date("BillingDocumentDate"),
            sold_to_party=e.text("SoldToParty"),
            purchase_order_by_customer=e.text("PurchaseOrderByCustomer"),
            transaction_currency=e.text("TransactionCurrency"),
            total_net_amount=e.as_decimal("TotalNetAmount"),
            tax_amount=e.as_decimal("TaxAmount"),
            total_gross_amount=e.as_decimal("TotalGrossAmount"),
            company_code=e.text("CompanyCode"),
            fiscal_year=e.text("FiscalYear"),
            accounting_document=e.text("AccountingDocument"),
            is_cancelled=e.as_bool("BillingDocumentIsCancelled"),
            overall_billing_status=e.text("OverallBillingStatus"),
            accounting_posting_status=e.text("AccountingPostingStatus"),
            items=tuple(BillingDocumentItem.from_entity(i) for i in e.children(ITEMS)),
            etag=e.etag,
            raw=e.raw,
        )

    def _money(self, amount: Decimal | None) -> Money | None:
        currency = self.transaction_currency
        if amount is None or not currency or not is_currency(currency):
            return None
        return Money(amount, currency)

    @property
    def net_value(self) -> Money | None:
        """TotalNetAmount in TransactionCurrency."""
        return self._money(self.total_net_amount)

    @property
    def tax_value(self) -> Money | None:
        """TaxAmount in TransactionCurrency."""
        return self._money(self.tax_amount)

    @property
    def total(self) -> Money | None:
        """What the buyer is invoiced: net plus tax (compare with the Amazon order total).

        Computed from TotalNetAmount and TaxAmount; when SAP sent TotalGrossAmount and it
        differs from that sum, the sum is still what is returned (``gross_value`` has SAP's).
        """
        if self.total_net_amount is None:
            return None
        return self._money(self.total_net_amount + (self.tax_amount or Decimal(0)))

    @property
    def gross_value(self) -> Money | None:
        """TotalGrossAmount in TransactionCurrency, when both are there and the code is ISO."""
        currency = self.transaction_currency
        if self.total_gross_amount is None or not currency or not is_currency(currency):
            return None
        return Money(self.total_gross_amount, currency)


def read_billing_document(billing_document: str) -> Call[BillingDocument]:
    return ops.read_entity(
        entity_path(ENTITY_SET, billing_document),
        Query(expand=(ITEMS,)),
        item=BillingDocument.from_entity,
        limit_key="sap.billing.read",
    )


def find_page(condition: Filter, token: str | None) -> Call[Page[BillingDocument]]:
    return ops.read_page(
        ENTITY_SET,
        Query(filter=condition, expand=(ITEMS,)),
        token,
        item=BillingDocument.from_entity,
        limit_key="sap.billing.find",
    )


def _billing_number(e: Entity) -> str:
    return e.required("BillingDocument")


def billing_of_order_page(sales_order: str, token: str | None) -> Call[Page[str]]:
    """One page of billing document numbers whose items come from ``sales_order``."""
    query = Query(
        filter=prop("SalesDocument").eq(sales_order),
        select=("BillingDocument", "BillingDocumentItem"),
    )
    return ops.read_page(ITEM_SET, query, token, item=_billing_number, limit_key="sap.billing.find")


class BillingDocumentService:
    """Billing documents of one S/4HANA system (blocking)."""

    PATH = SERVICE

    def __init__(self, client: ODataClient, *, path: str = SERVICE) -> None:
        self._sender = client.service(path)

    def get(self, billing_document: str) -> BillingDocument:
        """One billing document with its items."""
        return self._sender.send(read_billing_document(billing_document))

    def find_by_purchase_order(self, purchase_order_by_customer: str) -> list[BillingDocument]:
        """Billing documents whose PurchaseOrderByCustomer is the given value."""
        condition = prop("PurchaseOrderByCustomer").eq(purchase_order_by_customer)
        return list(self._sender.pages(partial(find_page, condition)))

    def find_by_sales_order(self, sales_order: str) -> list[BillingDocument]:
        """The billing documents made from ``sales_order``, each read once."""
        numbers = self._sender.pages(partial(billing_of_order_page, sales_order))
        return [self.get(n) for n in dict.fromkeys(numbers)]

    def find_by_amazon_id(self, amazon_order_id: str) -> list[BillingDocument]:
        """The billing documents of the order that carries this Amazon order id (its customer
        reference), each with its items and totals (net, tax, net + tax)."""
        return self.find_by_purchase_order(amazon_order_id)


class AsyncBillingDocumentService:
    """Billing documents of one S/4HANA system (asyncio)."""

    PATH = SERVICE

    def __init__(self, client: AsyncODataClient, *, path: str = SERVICE) -> None:
        self._sender = client.service(path)

    async def get(self, billing_document: str) -> BillingDocument:
        """The async form of :meth:`BillingDocumentService.get`."""
        return await self._sender.send(read_billing_document(billing_document))

    async def find_by_purchase_order(
        self, purchase_order_by_customer: str
    ) -> list[BillingDocument]:
        """The async form of :meth:`BillingDocumentService.find_by_purchase_order`."""
        condition = prop("PurchaseOrderByCustomer").eq(purchase_order_by_customer)
        return [b async for b in self._sender.pages(partial(find_page, condition))]

    async def find_by_sales_order(self, sales_order: str) -> list[BillingDocument]:
        """The async form of :meth:`BillingDocumentService.find_by_sales_order`."""
        numbers = self._sender.pages(partial(billing_of_order_page, sales_order))
        unique = dict.fromkeys([n async for n in numbers])
        return [await self.get(n) for n in unique]

    async def find_by_amazon_id(self, amazon_order_id: str) -> list[BillingDocument]:
        """The async form of :meth:`BillingDocumentService.find_by_amazon_id`."""
        return await self.find_by_purchase_order(amazon_order_id)
