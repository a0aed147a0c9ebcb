"""Open receivables of a settlement's orders, read from the ERP, for cash application.

Settlement to GL clears an order's receivable only when the ERP holds an open invoice for it
(:func:`~amazon_erp_bridge.mapping.cash_application.apply_cash`). These readers give, for a
settlement, the open receivables of the orders it pays (never the customer's other invoices,
which would be listed as "still open" in every settlement's notes):

- **SAP**: the uncleared debtor items of the Amazon customer(s) in the journal entry item cube
  (:class:`~amazon_erp_bridge.sap.open_items.OpenItemService`: ``Customer``,
  ``FinancialAccountType`` D, ``IsCleared`` false). An item belongs to an order by its
  ``AssignmentReference`` (the Amazon order id, without hyphens when longer than 18, as
  :func:`~amazon_erp_bridge.workflows.settlement_to_gl.sap_assignments` writes the settlement's
  own debtor items, so SAP's automatic clearing pairs them), else by the
  ``PurchaseOrderByCustomer`` of its ``BillingDocument``. The billing document service alone
  cannot say whether an invoice is still open (it has no clearing status); the cube can.
- **M3**: per order, the final M3 order with that customer reference (CUOR) and its open
  invoices, OIS350MI ``LstInvHeadByCo`` with ``OOIN`` = 1 ("Only open invoices"), at their
  remaining amount ``RAFC``. ARS200MI lists a customer's invoices (``LstInvoices``,
  ``LstInvByDivi``) but with neither the customer order nor, in ``LstInvoices``, an amount
  (m3h5-mi-all.json), so the order's own invoice list is the one that links an Amazon order to
  its open receivable. A GLS840 journal does not settle an M3 invoice (that is an AR payment,
  ARS040MI), so the invoice stays open in M3 after the settlement is booked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final

from amazon_erp_bridge.errors import BridgeError
from amazon_erp_bridge.infor import M3Client
from amazon_erp_bridge.mapping.cash_application import OpenReceivable, ReceivableRules
from amazon_erp_bridge.model import Money, Settlement
from amazon_erp_bridge.sap import ODataClient
from amazon_erp_bridge.sap.billing import BillingDocumentService
from amazon_erp_bridge.sap.open_items import OpenDebtorItem, OpenItemService

#: SAP's AssignmentReference holds 18 characters.
ASSIGNMENT_LENGTH: Final = 18

OpenReceivables = Callable[[Settlement], list[OpenReceivable]]


def paid_orders(settlement: Settlement, rules: ReceivableRules) -> dict[str, str]:
    """The orders whose rows pay a receivable, each with the customer its invoice is booked to
    (by the marketplace of its rows), in first-seen order."""
    orders: dict[str, str] = {}
    for line in settlement.lines:
        if rules.pays_order(line) and line.order_id and line.order_id not in orders:
            market = line.marketplace_name or settlement.marketplace_name
            orders[line.order_id] = rules.customer_for(market)
    return orders


def sap_assignment(order_id: str) -> str:
    """The AssignmentReference an order id is written as (hyphens dropped when too long)."""
    if len(order_id) <= ASSIGNMENT_LENGTH:
        return order_id
    compact = order_id.replace("-", "")
    return compact if len(compact) <= ASSIGNMENT_LENGTH else order_id


def sap_open_receivables(
    sap: ODataClient,
    rules: ReceivableRules,
    *,
    company_code: str | None = None,
    cleared_by: Callable[[Settlement], str | None] | None = None,
) -> OpenReceivables:
    """A reader of the open SAP debtor items of a settlement's orders (see the module).

    ``cleared_by(settlement)`` may name a journal entry (its AccountingDocument): items it
    cleared count as open too (they were open when it was posted), its own items do not; the
    reversal uses this to rebuild the journal as it was posted.
    """
    items = OpenItemService(sap, company_code=company_code)
    billing = BillingDocumentService(sap)
    purchase_orders: dict[str, str] = {}

    def order_of_billing(number: str) -> str:
        if number not in purchase_orders:
            try:
                purchase_orders[number] = billing.get(number).purchase_order_by_customer or ""
            except BridgeError:
                purchase_orders[number] = ""
        return purchase_orders[number]

    def read(settlement: Settlement) -> list[OpenReceivable]:
        orders = paid_orders(settlement, rules)
        by_assignment = {sap_assignment(o).upper(): o for o in orders}
        own = cleared_by(settlement) if cleared_by is not None else None
        found: list[OpenReceivable] = []
        for customer in dict.fromkeys(orders.values()):
            rows: list[OpenDebtorItem] = list(items.open_items(customer))
            if own:
                rows += [
                    r for r in items.cleared_items(customer, own) if r.accounting_document != own
                ]
            for row in rows:
                order = by_assignment.get(row.assignment.upper())
                if order is None and row.billing_document:
                    order = order_of_billing(row.billing_document)
                if not order or orders.get(order) != customer:
                    continue
                invoice = row.billing_document or row.document
                found.append(OpenReceivable(order, row.money, invoice))
        return found

    return read


def m3_open_receivables(m3: M3Client, rules: ReceivableRules) -> OpenReceivables:
    """A reader of the open M3 invoices of a settlement's orders (see the module)."""

    def read(settlement: Settlement) -> list[OpenReceivable]:
        found: list[OpenReceivable] = []
        for order, customer in paid_orders(settlement, rules).items():
            match = m3.customer_orders.find_by_reference(customer, order)
            if match is None or not match.final:
                continue
            for invoice in m3.invoices.by_order(match.orno, open_only=True):
                amount = invoice.remaining if invoice.remaining is not None else invoice.gross
                if amount is None or amount == 0 or not invoice.currency:
                    continue
                number = f"{invoice.year}/{invoice.number}" if invoice.year else invoice.number
                found.append(OpenReceivable(order, Money(amount, invoice.currency), number))
        return found

    return read


def describe(receivables: Iterable[OpenReceivable], erp: str) -> str:
    """One note: how many open receivables were read from the ERP, for how many orders."""
    listed = list(receivables)
    orders = {r.order_id for r in listed}
    return f"open receivables read from {erp}: {len(listed)} for {len(orders)} orders"


__all__ = [
    "ASSIGNMENT_LENGTH",
    "OpenReceivables",
    "describe",
    "m3_open_receivables",
    "paid_orders",
    "sap_assignment",
    "sap_open_receivables",
]
