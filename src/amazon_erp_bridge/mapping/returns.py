"""Amazon returns -> ERP return documents: an M3 return order or an SAP customer return /
credit memo request, each referencing the ERP order the Amazon order became.

The business rules:

- A return is posted once, under Amazon's return id (:attr:`~amazon_erp_bridge.model.Return.
  return_id`), which the document carries as its reference: M3 ``YREF`` on the OIS390MI
  return head, SAP ``PurchaseOrderByCustomer``. The ERP is searched for it before a create.
- The return references the original ERP order and its line: M3 ``RORN`` (order number) and
  ``RORL``/``RORX`` (line, suffix); SAP ``ReferenceSDDocument`` / ``ReferenceSDDocumentItem``.
  The line is the one whose ERP item is the returned SKU's item (through the crosswalk);
  a SKU the order does not hold is an error naming both.
- Quantities: the returned quantity may not exceed what the order line holds.
- Money: what Amazon refunded for the SKU (the ``Principal`` charges of the order's refund
  events, or the report's refund amount) becomes the return line's unit price when it divides
  exactly; otherwise the ERP prices the return from the order. A refund in another currency
  than the ERP order is refused (:class:`RefundCurrencyError`): no silent conversion.
- Reasons: Amazon's return reason maps to the ERP's reason code through a table you pass
  (M3 ``RSCD`` transaction reason, SAP ``SDDocumentReason``), with a default.

SAP: which document a return becomes is configuration (:attr:`SapReturnSettings.document`):
``customer_return`` (API_CUSTOMER_RETURN_SRV ``A_CustomerReturn``: goods come back and are
inspected) or ``credit_memo_request`` (API_CREDIT_MEMO_REQUEST_SRV ``A_CreditMemoRequest``:
credit only, e.g. for FBA returns Amazon keeps). Field names follow SAP's published entity
types of those services (API Business Hub, ``A_CustomerReturnType`` /
``A_CreditMemoRequestType`` and their items).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import tzinfo
from decimal import Decimal
from typing import Any, Final, Literal

from attrs import field, frozen

from amazon_erp_bridge.errors import ConfigurationError, CurrencyMismatchError, MappingError
from amazon_erp_bridge.mapping.accounts import frozen_mapping
from amazon_erp_bridge.mapping.cancellations import ErpOrderLine
from amazon_erp_bridge.mapping.formats import decimal_text, local_date, m3_date, odata_date
from amazon_erp_bridge.mapping.items import ItemCrosswalk
from amazon_erp_bridge.model import ComponentKind, ItemRef, Money, Refund, Return

#: M3 OIS390MI YREF ("Your reference 1") and SAP PurchaseOrderByCustomer lengths.
M3_YREF_LENGTH: Final = 30
SAP_REFERENCE_LENGTH: Final = 35
#: The refund charge that is the item's price (the rest is tax, shipping, fees).
PRINCIPAL: Final = "Principal"

SapReturnDocument = Literal["customer_return", "credit_memo_request"]
SAP_RETURN_DOCUMENTS: Final = ("customer_return", "credit_memo_request")


class RefundCurrencyError(CurrencyMismatchError):
    """A refund (or a return's refund amount) in another currency than the ERP order."""


def _lines(value: Iterable[ErpOrderLine]) -> tuple[ErpOrderLine, ...]:
    return tuple(value)


@frozen
class ErpOrderRef:
    """The ERP order an Amazon order became, as a return needs it.

    ``document_id`` is the M3 order number (ORNO) or SAP sales order; ``customer`` its M3
    customer (CUNO) or SAP sold-to party; ``currency`` the order's currency (M3 CUCD, SAP
    TransactionCurrency); ``lines`` its lines with their ERP items.
    """

    order_id: str
    document_id: str
    customer: str
    currency: str
    lines: tuple[ErpOrderLine, ...] = field(converter=_lines)


# -- money ------------------------------------------------------------------------------------


def refunded_principal(ret: Return, refunds: Iterable[Refund], currency: str) -> Money | None:
    """What Amazon refunded the buyer for the returned SKU, as a positive amount, or None.

    Sums the ``Principal`` charges of the order's refunds for the SKU (Amazon books them
    negative); without refund events, the returns report's own refund amount is used. Any
    amount in another currency than ``currency`` (the ERP order's) raises
    :class:`RefundCurrencyError` naming the refund.
    """
    found: list[Money] = []
    for refund in refunds:
        if refund.order_id != ret.order_id:
            continue
        for component in refund.components:
            if component.amount.currency != currency:
                raise RefundCurrencyError(
                    f"return {ret.return_id}: refund {refund.refund_id} of order {ret.order_id} "
                    f"is in {component.amount.currency} ({component.type} "
                    f"{component.amount}), the ERP order is in {currency}; refunds are never "
                    "converted: correct the order's currency or post this return by hand"
                )
            if (
                component.kind is ComponentKind.CHARGE
                and component.type == PRINCIPAL
                and (component.seller_sku in (None, ret.seller_sku))
            ):
                found.append(component.amount)
    if found:
        return abs(Money.total(found, currency))
    amount = ret.refund_amount
    if amount is None:
        return None
    if amount.currency != currency:
        raise RefundCurrencyError(
            f"return {ret.return_id}: the returns report's refund amount is {amount}, the ERP "
            f"order of {ret.order_id} is in {currency}; refunds are never converted"
        )
    return abs(amount)


def return_unit_price(
    ret: Return, refunds: Iterable[Refund], currency: str, max_decimals: int = 6
) -> Decimal | None:
    """The refunded unit price of the returned SKU when it divides exactly, else None."""
    total = refunded_principal(ret, refunds, currency)
    if total is None or ret.quantity <= 0 or total.is_zero():
        return None
    unit = total.amount / ret.quantity
    exact = unit.quantize(Decimal(1).scaleb(-max_decimals))
    return exact.normalize() if exact * ret.quantity == total.amount else None


# -- the returned line ------------------------------------------------------------------------


def returned_line(ret: Return, order: ErpOrderRef, items: ItemCrosswalk) -> ErpOrderLine:
    """The ERP order line the return refers to: the line holding the returned SKU's item."""
    ref = ItemRef(seller_sku=ret.seller_sku, asin=ret.asin, fnsku=ret.fnsku)
    item = items.resolve(ref, record=f"return {ret.return_id}")
    lines = [line for line in order.lines if line.item == item]
    if not lines:
        held = ", ".join(sorted({line.item for line in order.lines})) or "no lines"
        raise MappingError(
            f"return {ret.return_id}: item {item} (SKU {ret.seller_sku}) is not on "
            f"{order.document_id}, the ERP order of Amazon order {ret.order_id} ({held})"
        )
    if ret.quantity <= 0:
        raise MappingError(f"return {ret.return_id}: quantity must be at least 1, got 0")
    for line in lines:
        if Decimal(ret.quantity) <= line.ordered:
            return line
    raise MappingError(
        f"return {ret.return_id}: quantity {ret.quantity} of SKU {ret.seller_sku} is more than "
        f"order {order.document_id} line {lines[0].line} holds ({decimal_text(lines[0].ordered)})"
    )


def _reason(ret: Return, reasons: Mapping[str, str], default: str | None) -> str | None:
    if ret.reason and ret.reason in reasons:
        return reasons[ret.reason]
    return default


def _reference(ret: Return, name: str, limit: int) -> str:
    if len(ret.return_id) > limit:
        raise MappingError(
            f"return {ret.return_id}: {name} (Amazon return id) holds at most {limit} "
            f"characters, the id has {len(ret.return_id)}"
        )
    return ret.return_id


# -- Infor M3 ---------------------------------------------------------------------------------


@frozen
class M3ReturnSettings:
    """Installation settings of M3 return orders (OIS390MI).

    ``warehouse`` (WHLO, required by AddHead and AddLine) receives the goods; ``reasons``
    map Amazon's return reason (``DEFECTIVE``, ``UNWANTED_ITEM``...) to an M3 transaction
    reason (RSCD), else ``default_reason``; ``order_type`` (ORTP) and ``facility`` (FACI)
    are sent when given; return dates are read in ``timezone``.
    """

    warehouse: str
    reasons: Mapping[str, str] = field(factory=dict, converter=frozen_mapping)
    default_reason: str | None = None
    order_type: str | None = None
    facility: str | None = None
    timezone: tzinfo | None = None
    price_decimals: int = 6

    def __attrs_post_init__(self) -> None:
        if not self.warehouse.strip():
            raise ConfigurationError("M3ReturnSettings.warehouse: WHLO is required by OIS390MI")


@frozen
class M3ReturnOrder:
    """The OIS390MI records of one return: ``AddHead`` fields and ``AddLine`` fields (the
    client adds the receiving number REPN that AddHead answers)."""

    head: Mapping[str, str]
    lines: tuple[Mapping[str, str], ...]


def return_to_m3(
    ret: Return,
    order: ErpOrderRef,
    *,
    items: ItemCrosswalk,
    settings: M3ReturnSettings,
    refunds: Sequence[Refund] = (),
) -> M3ReturnOrder:
    """An Amazon return as an M3 customer return (OIS390MI AddHead + AddLine).

    YREF carries the Amazon return id (the dedup key); RORN the M3 order; RORL/RORX the line.
    """
    line = returned_line(ret, order, items)
    price = return_unit_price(ret, refunds, order.currency, settings.price_decimals)
    day = m3_date(ret.returned_at, settings.timezone)
    reason = _reason(ret, settings.reasons, settings.default_reason)
    head = {
        "WHLO": settings.warehouse,
        "CUNO": order.customer,
        "RORN": order.document_id,
        "YREF": _reference(ret, "YREF", M3_YREF_LENGTH),
        "EPDT": day,
    }
    record = {
        "WHLO": settings.warehouse,
        "ITNO": line.item,
        "REQ0": str(ret.quantity),
        "RORL": line.line,
        "RORX": line.suffix,
        "EPDT": day,
    }
    if reason:
        head["RSCD"] = reason
        record["RSCD"] = reason
    if settings.order_type:
        head["ORTP"] = settings.order_type
    if settings.facility:
        head["FACI"] = settings.facility
    if price is not None:
        record["SAPR"] = decimal_text(price)
    return M3ReturnOrder(head=head, lines=(record,))


# -- SAP S/4HANA ------------------------------------------------------------------------------


def _document(_instance: object, _attribute: object, value: str) -> None:
    if value not in SAP_RETURN_DOCUMENTS:
        raise ConfigurationError(
            f"SapReturnSettings.document: {value!r} is not one of {', '.join(SAP_RETURN_DOCUMENTS)}"
        )


@frozen
class SapReturnSettings:
    """Installation settings of SAP return documents.

    ``document`` chooses ``customer_return`` (A_CustomerReturn, type ``document_type``,
    default ``CBAR`` advanced returns) or ``credit_memo_request`` (A_CreditMemoRequest,
    default type ``G2``). ``reasons`` map Amazon's return reason to SDDocumentReason (order
    reason), else ``default_reason``; ``item_return_reason`` is the customer return item's
    ReturnReason when your returns management requires one. The refunded unit price goes as
    a ``price_condition_type`` pricing element (None lets SAP price from the order).
    """

    sales_organization: str
    distribution_channel: str
    division: str
    document: SapReturnDocument = field(default="customer_return", validator=_document)
    document_type: str | None = None
    quantity_unit: str = "EA"
    reasons: Mapping[str, str] = field(factory=dict, converter=frozen_mapping)
    default_reason: str | None = None
    item_return_reason: str | None = None
    price_condition_type: str | None = "PR00"
    price_decimals: int = 6
    item_step: int = 10
    timezone: tzinfo | None = None

    @property
    def type_code(self) -> str:
        """The document type: ``document_type`` or the standard one of ``document``."""
        if self.document_type:
            return self.document_type
        return "CBAR" if self.document == "customer_return" else "G2"


@frozen
class SapReturnRequest:
    """One SAP return document to create: which service (``document``) and the deep-insert
    body; ``reference`` is the Amazon return id it is found by (PurchaseOrderByCustomer)."""

    document: SapReturnDocument
    reference: str
    sales_order: str
    body: Mapping[str, Any]


def return_to_sap(
    ret: Return,
    order: ErpOrderRef,
    *,
    items: ItemCrosswalk,
    settings: SapReturnSettings,
    refunds: Sequence[Refund] = (),
) -> SapReturnRequest:
    """An Amazon return as an SAP customer return or credit memo request (by settings).

    PurchaseOrderByCustomer carries the Amazon return id (the dedup key); ReferenceSDDocument
    and ReferenceSDDocumentItem the sales order and item it returns.
    """
    line = returned_line(ret, order, items)
    price = return_unit_price(ret, refunds, order.currency, settings.price_decimals)
    reference = _reference(ret, "PurchaseOrderByCustomer", SAP_REFERENCE_LENGTH)
    reason = _reason(ret, settings.reasons, settings.default_reason)
    credit = settings.document == "credit_memo_request"
    prefix = "CreditMemoRequest" if credit else "CustomerReturn"
    body: dict[str, Any] = {
        f"{prefix}Type": settings.type_code,
        "SalesOrganization": settings.sales_organization,
        "DistributionChannel": settings.distribution_channel,
        "OrganizationDivision": settings.division,
        "SoldToParty": order.customer,
        "PurchaseOrderByCustomer": reference,
        "TransactionCurrency": order.currency,
        "ReferenceSDDocument": order.document_id,
    }
    day = odata_date(local_date(ret.returned_at, settings.timezone))
    body["CreditMemoRequestDate" if credit else "CustomerReturnDate"] = day
    if reason:
        body["SDDocumentReason"] = reason
    item: dict[str, Any] = {
        f"{prefix}Item": str(settings.item_step),
        "Material": line.item,
        "RequestedQuantity": str(ret.quantity),
        "RequestedQuantityUnit": settings.quantity_unit,
        "ReferenceSDDocument": order.document_id,
        "ReferenceSDDocumentItem": line.line,
    }
    if not credit and settings.item_return_reason:
        item["ReturnReason"] = settings.item_return_reason
    if price is not None and settings.price_condition_type:
        item["to_PricingElement"] = {
            "results": [
                {
                    "ConditionType": settings.price_condition_type,
                    "ConditionRateValue": decimal_text(price),
                    "ConditionCurrency": order.currency,
                }
            ]
        }
    body["to_Item"] = {"results": [item]}
    return SapReturnRequest(settings.document, reference, order.document_id, body)


__all__ = [
    "M3_YREF_LENGTH",
    "PRINCIPAL",
    "SAP_REFERENCE_LENGTH",
    "SAP_RETURN_DOCUMENTS",
    "ErpOrderRef",
    "M3ReturnOrder",
    "M3ReturnSettings",
    "RefundCurrencyError",
    "SapReturnDocument",
    "SapReturnRequest",
    "SapReturnSettings",
    "refunded_principal",
    "return_to_m3",
    "return_to_sap",
    "return_unit_price",
    "returned_line",
]
