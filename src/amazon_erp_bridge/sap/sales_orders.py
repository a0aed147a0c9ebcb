"""Sales orders through API_SALES_ORDER_SRV (OData V2, communication scenario SAP_COM_0109).

Create an order with its items in one deep insert, find orders by the customer reference
(``PurchaseOrderByCustomer``: where the Amazon order id travels, which is what makes posting
idempotent), read an order's statuses as it moves through delivery and billing, and search
orders (e.g. of one order type) with their items and ship-to addresses.

Status fields follow SAP's single-letter codes: blank or ``A`` not yet processed, ``B``
partially, ``C`` completely. ``OverallDeliveryStatus`` and ``OverallOrdReltdBillgStatus`` are in
the A_SalesOrder entity of recent releases but not of older ones; they read as None there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from attrs import field, frozen

from amazon_erp_bridge.core.call import Call, Page
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import Money, is_currency
from amazon_erp_bridge.sap import operations as ops
from amazon_erp_bridge.sap.client import AsyncODataClient, ODataClient
from amazon_erp_bridge.sap.errors import SapMessage
from amazon_erp_bridge.sap.operations import Entity, Updated
from amazon_erp_bridge.sap.query import Filter, Query, entity_path, equals
from amazon_erp_bridge.sap.sales_order_create import SalesOrderCreate

SERVICE = "/sap/opu/odata/sap/API_SALES_ORDER_SRV"
ENTITY_SET = "A_SalesOrder"
ITEM_SET = "A_SalesOrderItem"
ITEMS = "to_Item"
PRICING = "to_PricingElement"
#: The expansion that reads items with their pricing elements.
ITEM_PRICING = "to_Item/to_PricingElement"
#: A_SalesOrderItem.SalesDocumentRjcnReason: Edm.String, MaxLength 2 (published metadata).
REJECTION_REASON_LENGTH = 2
#: A_SalesOrderItemPrElement.ConditionType: Edm.String, MaxLength 4.
CONDITION_TYPE_LENGTH = 4
PARTNERS = "to_Partner"
#: The expansion that reads header partners with their (one-time) addresses.
PARTNER_ADDRESSES = "to_Partner/to_Address"
#: SAP's length of PurchaseOrderByCustomer (the customer reference, BSTKD).
CUSTOMER_REFERENCE_LENGTH = 35


@frozen
class PricingElement:
    """One pricing element (A_SalesOrderItemPrElement) of an item: a condition as SAP priced it.

    ``rate`` is ConditionRateValue (a unit price, a fixed amount or a percentage, as the
    condition type says); ``amount`` is ConditionAmount, its value in the item.
    """

    condition_type: str
    rate: Decimal | None = None
    currency: str | None = None
    amount: Decimal | None = None
    calculation_type: str | None = None
    step: str | None = None
    counter: str | None = None

    @classmethod
    def from_entity(cls, e: Entity) -> PricingElement:
        """Read a pricing element (condition) from an OData entity."""
        return cls(
            condition_type=e.text("ConditionType") or "",
            rate=e.as_decimal("ConditionRateValue"),
            currency=e.text("ConditionCurrency"),
            amount=e.as_decimal("ConditionAmount"),
            calculation_type=e.text("ConditionCalculationType"),
            step=e.text("PricingProcedureStep"),
            counter=e.text("PricingProcedureCounter"),
        )


def pricing_element(
    condition_type: str, rate: Money | Decimal, currency: str | None = None
) -> dict[str, Any]:
    """A ``to_PricingElement`` entry for a deep insert, with only creatable fields.

    In the published metadata of A_SalesOrderItemPrElement, ConditionType, ConditionRateValue
    and ConditionCurrency are creatable; ConditionCalculationType, ConditionAmount and TaxCode
    are not (SAP takes them from the condition type's configuration). ``rate`` is a Money (its
    currency is the condition currency) or a Decimal with ``currency``.
    """
    if not isinstance(condition_type, str) or not 1 <= len(condition_type) <= CONDITION_TYPE_LENGTH:
        raise ValidationError(
            f"pricing element: condition type {condition_type!r} must have 1 to "
            f"{CONDITION_TYPE_LENGTH} characters"
        )
    if isinstance(rate, Money):
        amount, currency = rate.amount, rate.currency
    else:
        amount = rate
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValidationError(
            f"pricing element {condition_type}: rate {rate!r} must be a finite Decimal or Money"
        )
    element: dict[str, Any] = {"ConditionType": condition_type, "ConditionRateValue": amount}
    if currency:
        element["ConditionCurrency"] = currency
    return element


@frozen
class SalesOrderItem:
    """One item of a sales order as SAP holds it."""

    sales_order_item: str
    material: str | None = None
    requested_quantity: Decimal | None = None
    requested_quantity_unit: str | None = None
    net_amount: Decimal | None = None
    purchase_order_by_customer: str | None = None
    sd_process_status: str | None = None
    delivery_status: str | None = None
    etag: str | None = None
    rejection_reason: str | None = None
    tax_amount: Decimal | None = None
    transaction_currency: str | None = None
    pricing_elements: tuple[PricingElement, ...] = ()

    @property
    def is_rejected(self) -> bool:
        """True once the item carries a rejection reason (SalesDocumentRjcnReason)."""
        return bool(self.rejection_reason)

    @property
    def is_open(self) -> bool:
        """True for an item nothing has happened to yet: not rejected, not delivered at all."""
        return not self.is_rejected and (self.delivery_status or "A") == "A"

    @classmethod
    def from_entity(cls, e: Entity) -> SalesOrderItem:
        """Read a sales order item from an OData entity."""
        return cls(
            sales_order_item=e.required("SalesOrderItem"),
            material=e.text("Material"),
            requested_quantity=e.as_decimal("RequestedQuantity"),
            requested_quantity_unit=e.text("RequestedQuantityUnit"),
            net_amount=e.as_decimal("NetAmount"),
            purchase_order_by_customer=e.text("PurchaseOrderByCustomer"),
            sd_process_status=e.text("SDProcessStatus"),
            delivery_status=e.text("DeliveryStatus"),
            etag=e.etag,
            rejection_reason=e.text("SalesDocumentRjcnReason"),
            tax_amount=e.as_decimal("TaxAmount"),
            transaction_currency=e.text("TransactionCurrency"),
            pricing_elements=tuple(PricingElement.from_entity(p) for p in e.children(PRICING)),
        )


@frozen
class SalesOrderPartner:
    """A header partner (A_SalesOrderHeaderPartner): its function (``AG`` sold-to, ``WE``
    ship-to, ...), the customer, and its own address properties when it has one."""

    partner_function: str
    customer: str | None = None
    address: Mapping[str, str] = field(factory=dict)

    @classmethod
    def from_entity(cls, e: Entity) -> SalesOrderPartner:
        """Read a sales order partner (and its address) from an OData entity."""
        addresses = e.children("to_Address")
        address = {
            k: str(v)
            for k, v in (addresses[0].data.items() if addresses else ())
            if isinstance(v, str) and v
        }
        return cls(e.required("PartnerFunction"), e.text("Customer"), address)


@frozen
class SalesOrder:
    """A sales order header, its items and partners when they were read, its ETag and SAP's
    messages. ``raw`` is the entity as SAP sent it (what the mapping layer reads)."""

    sales_order: str
    sales_order_type: str | None = None
    sales_organization: str | None = None
    distribution_channel: str | None = None
    organization_division: str | None = None
    sold_to_party: str | None = None
    purchase_order_by_customer: str | None = None
    transaction_currency: str | None = None
    total_net_amount: Decimal | None = None
    requested_delivery_date: date | None = None
    overall_sd_process_status: str | None = None
    overall_delivery_status: str | None = None
    overall_total_delivery_status: str | None = None
    overall_ord_reltd_billg_status: str | None = None
    total_credit_check_status: str | None = None
    last_change_date_time: datetime | None = None
    creation_date: date | None = None
    shipping_condition: str | None = None
    overall_sd_document_rejection_sts: str | None = None
    items: tuple[SalesOrderItem, ...] = ()
    partners: tuple[SalesOrderPartner, ...] = ()
    etag: str | None = None
    messages: tuple[SapMessage, ...] = ()
    raw: Mapping[str, Any] = field(factory=dict, repr=False, eq=False)

    @classmethod
    def from_entity(cls, e: Entity) -> SalesOrder:
        """Read a sales order (items, partners, ETag) from an OData entity."""
        return cls(
            sales_order=e.required("SalesOrder"),
            sales_order_type=e.text("SalesOrderType"),
            sales_organization=e.text("SalesOrganization"),
            distribution_channel=e.text("DistributionChannel"),
            organization_division=e.text("OrganizationDivision"),
            sold_to_party=e.text("SoldToParty"),
            purchase_order_by_customer=e.text("PurchaseOrderByCustomer"),
            transaction_currency=e.text("TransactionCurrency"),
            total_net_amount=e.as_decimal("TotalNetAmount"),
            requested_delivery_date=e.as_date("RequestedDeliveryDate"),
            overall_sd_process_status=e.text("OverallSDProcessStatus"),
            overall_delivery_status=e.text("OverallDeliveryStatus"),
            overall_total_delivery_status=e.text("OverallTotalDeliveryStatus"),
            overall_ord_reltd_billg_status=e.text("OverallOrdReltdBillgStatus"),
            total_credit_check_status=e.text("TotalCreditCheckStatus"),
            last_change_date_time=e.as_datetime("LastChangeDateTime"),
            creation_date=e.as_date("CreationDate"),
            shipping_condition=e.text("ShippingCondition"),
            overall_sd_document_rejection_sts=e.text("OverallSDDocumentRejectionSts"),
            items=tuple(SalesOrderItem.from_entity(i) for i in e.children(ITEMS)),
            partners=tuple(SalesOrderPartner.from_entity(p) for p in e.children(PARTNERS)),
            etag=e.etag,
            messages=e.messages,
            raw=e.raw,
        )

    @property
    def net_value(self) -> Money | None:
        """TotalNetAmount in TransactionCurrency, when both are there and the code is ISO."""
        currency = self.transaction_currency
        if self.total_net_amount is None or not currency or not is_currency(currency):
            return None
        return Money(self.total_net_amount, currency)

    @property
    def is_fully_delivered(self) -> bool:
        """True once every item is delivered (``C`` in the overall delivery status)."""
        status = self.overall_delivery_status or self.overall_total_delivery_status
        return status == "C"

    def partner(self, partner_function: str) -> SalesOrderPartner | None:
        """The header partner with this function (``WE`` ship-to), if it was read."""
        return next((p for p in self.partners if p.partner_function == partner_function), None)

    @property
    def is_completed(self) -> bool:
        """True when SAP says the order is completely processed (OverallSDProcessStatus C)."""
        return self.overall_sd_process_status == "C"


@frozen
class Rejection:
    """What rejecting the open items of a cancelled order did.

    ``rejected``: items rejected now; ``already_rejected``: items that carried a reason
    before; ``delivered``: items partly or fully delivered, reported and left untouched (they
    need a return, not a rejection). ``complete`` is True when nothing was left delivered.
    """

    sales_order: str
    reason: str
    rejected: tuple[str, ...] = ()
    already_rejected: tuple[str, ...] = ()
    delivered: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when no item was delivered, so every item could be rejected."""
        return not self.delivered


def _reference(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("PurchaseOrderByCustomer: expected the customer reference, got none")
    if len(value) > CUSTOMER_REFERENCE_LENGTH:
        raise ValidationError(
            f"PurchaseOrderByCustomer {value!r}: {len(value)} characters, SAP holds at most "
            f"{CUSTOMER_REFERENCE_LENGTH}"
        )
    return value


# ----------------------------------------------------------------------------- operations


def create_sales_order(payload: SalesOrderCreate | Mapping[str, Any]) -> Call[SalesOrder]:
    """Deep insert of an A_SalesOrder payload with its ``to_Item`` (SAP assigns the number).

    The payload is built by the mapping layer (or given as a typed SalesOrderCreate, whose
    ``to_payload()`` is the same mapping); it is sent as it is, values converted to OData
    JSON (Decimal -> string, date -> ``/Date(ms)/``).
    """
    if isinstance(payload, SalesOrderCreate):
        payload = payload.to_payload()
    if not isinstance(payload, Mapping):
        raise ValidationError("sales order payload: expected a mapping of A_SalesOrder fields")
    if not payload.get(ITEMS):
        raise ValidationError(
            f"sales order {payload.get('PurchaseOrderByCustomer', '')!r}: payload has no "
            f"{ITEMS}; a sales order needs at least one item"
        )
    return ops.create_entity(
        ENTITY_SET, payload, item=SalesOrder.from_entity, limit_key="sap.salesOrder.create"
    )


def find_by_purchase_order_page(
    purchase_order_by_customer: str,
    sold_to_party: str | None,
    token: str | None,
    *,
    with_items: bool = False,
) -> Call[Page[SalesOrder]]:
    """One page of the orders whose customer reference (and sold-to party) match exactly."""
    condition = equals(
        PurchaseOrderByCustomer=_reference(purchase_order_by_customer), SoldToParty=sold_to_party
    )
    query = Query(filter=condition, expand=(ITEMS,) if with_items else ())
    return ops.read_page(
        ENTITY_SET, query, token, item=SalesOrder.from_entity, limit_key="sap.salesOrder.find"
    )


def _expansion(with_items: bool, with_partners: bool) -> tuple[str, ...]:
    names = [ITEMS] if with_items else []
    if with_partners:
        names.append(PARTNER_ADDRESSES)
    return tuple(names)


def search_page(
    condition: Filter | None,
    token: str | None,
    *,
    with_items: bool = False,
    with_partners: bool = False,
) -> Call[Page[SalesOrder]]:
    """One page of the orders matching ``condition`` (all orders when None), with their items
    and their partners' addresses (``to_Partner/to_Address``) when asked."""
    query = Query(filter=condition, expand=_expansion(with_items, with_partners))
    return ops.read_page(
        ENTITY_SET, query, token, item=SalesOrder.from_entity, limit_key="sap.salesOrder.find"
    )


def read_sales_order(
    sales_order: str, *, with_items: bool = True, with_pricing: bool = False
) -> Call[SalesOrder]:
    """One order by number, with its items by default (and their pricing elements if asked)."""
    expand = (ITEMS, ITEM_PRICING) if with_pricing else (ITEMS,) if with_items else ()
    query = Query(expand=expand)
    return ops.read_entity(
        entity_path(ENTITY_SET, sales_order),
        query,
        item=SalesOrder.from_entity,
        limit_key="sap.salesOrder.read",
    )


def item_path(sales_order: str, item: str) -> str:
    """``A_SalesOrderItem(SalesOrder='4711',SalesOrderItem='10')``."""
    return entity_path(ITEM_SET, {"SalesOrder": sales_order, "SalesOrderItem": item})


def _reason(reason: str, sales_order: str) -> str:
    if not isinstance(reason, str) or not 1 <= len(reason) <= REJECTION_REASON_LENGTH:
        raise ValidationError(
            f"sales order {sales_order}: rejection reason {reason!r} must have 1 to "
            f"{REJECTION_REASON_LENGTH} characters (SalesDocumentRjcnReason)"
        )
    return reason


def reject_item(sales_order: str, item: SalesOrderItem, reason: str) -> Call[Updated]:
    """PATCH one item's SalesDocumentRjcnReason, with If-Match when the item has an ETag.

    (A_SalesOrderItemType has no ETag property in the published metadata of this release;
    releases that add one send it with the item, and it is then sent back here.)
    """
    return ops.update_entity(
        item_path(sales_order, item.sales_order_item),
        {"SalesDocumentRjcnReason": _reason(reason, sales_order)},
        etag=item.etag,
        limit_key="sap.salesOrder.rejectItem",
    )


def plan_rejection(order: SalesOrder, reason: str) -> tuple[list[SalesOrderItem], Rejection]:
    """Which items of ``order`` to reject (the open ones) and what is reported (pure)."""
    _reason(reason, order.sales_order)
    to_reject = [i for i in order.items if i.is_open]
    already = tuple(i.sales_order_item for i in order.items if i.is_rejected)
    delivered = tuple(
        i.sales_order_item for i in order.items if not i.is_rejected and not i.is_open
    )
    result = Rejection(
        order.sales_order,
        reason,
        rejected=tuple(i.sales_order_item for i in to_reject),
        already_rejected=already,
        delivered=delivered,
    )
    return to_reject, result


def update_sales_order(
    sales_order: str, changes: Mapping[str, Any], *, etag: str | None, method: str = "PATCH"
) -> Call[Updated]:
    """Change header fields; ``etag`` is the order's (``SalesOrder.etag``) for ``If-Match``."""
    return ops.update_entity(
        entity_path(ENTITY_SET, sales_order),
        changes,
        etag=etag,
        method=method,
        limit_key="sap.salesOrder.update",
    )


# ----------------------------------------------------------------------------- facades


class SalesOrderService:
    """Sales orders of one S/4HANA system (blocking)."""

    PATH = SERVICE

    def __init__(self, client: ODataClient, *, path: str = SERVICE) -> None:
        self._sender = client.service(path)

    def create(self, payload: SalesOrderCreate | Mapping[str, Any]) -> SalesOrder:
        """Create the order (deep insert); the result has SAP's number and statuses."""
        return self._sender.send(create_sales_order(payload))

    def find_by_purchase_order(
        self, purchase_order_by_customer: str, sold_to_party: str | None = None
    ) -> list[SalesOrder]:
        """Every order carrying this customer reference (for one sold-to party if given)."""
        make = partial(find_by_purchase_order_page, purchase_order_by_customer, sold_to_party)
        return list(self._sender.pages(make))

    def get(
        self, sales_order: str, *, with_items: bool = True, with_pricing: bool = False
    ) -> SalesOrder:
        """The order with its statuses (and items, with their pricing elements if asked)."""
        return self._sender.send(
            read_sales_order(sales_order, with_items=with_items, with_pricing=with_pricing)
        )

    def find_by_amazon_id(
        self, amazon_order_id: str, sold_to_party: str | None = None
    ) -> SalesOrder | None:
        """The order carrying this Amazon order id as customer reference, with its items."""
        make = partial(find_by_purchase_order_page, amazon_order_id, sold_to_party, with_items=True)
        return next(iter(self._sender.pages(make)), None)

    def update_rejection(self, sales_order: str, reason: str) -> Rejection:
        """Reject every open item of a cancelled order with ``reason`` (SalesDocumentRjcnReason).

        The order is read first; delivered items (partly or fully) are reported in the result
        and not touched; items already rejected are left as they are. Running it twice rejects
        nothing the second time.
        """
        order = self.get(sales_order)
        items, result = plan_rejection(order, reason)
        for item in items:
            self._sender.send(reject_item(sales_order, item, reason))
        return result

    def search(
        self,
        condition: Filter | None = None,
        *,
        with_items: bool = False,
        with_partners: bool = False,
    ) -> Iterator[SalesOrder]:
        """Orders matching ``condition``, page by page as they are consumed; items and the
        partners with their addresses are read along when asked (e.g. to ship the order)."""
        make = partial(search_page, condition, with_items=with_items, with_partners=with_partners)
        return self._sender.pages(make)

    def update(self, sales_order: str, changes: Mapping[str, Any], *, etag: str | None) -> Updated:
        """PATCH header fields with ``If-Match: etag``."""
        return self._sender.send(update_sales_order(sales_order, changes, etag=etag))


class AsyncSalesOrderService:
    """Sales orders of one S/4HANA system (asyncio)."""

    PATH = SERVICE

    def __init__(self, client: AsyncODataClient, *, path: str = SERVICE) -> None:
        self._sender = client.service(path)

    async def create(self, payload: SalesOrderCreate | Mapping[str, Any]) -> SalesOrder:
        """The async form of :meth:`SalesOrderService.create`."""
        return await self._sender.send(create_sales_order(payload))

    async def find_by_purchase_order(
        self, purchase_order_by_customer: str, sold_to_party: str | None = None
    ) -> list[SalesOrder]:
        """The async form of :meth:`SalesOrderService.find_by_purchase_order`."""
        make = partial(find_by_purchase_order_page, purchase_order_by_customer, sold_to_party)
        return [order async for order in self._sender.pages(make)]

    async def get(
        self, sales_order: str, *, with_items: bool = True, with_pricing: bool = False
    ) -> SalesOrder:
        """The async form of :meth:`SalesOrderService.get`."""
        return await self._sender.send(
            read_sales_order(sales_order, with_items=with_items, with_pricing=with_pricing)
        )

    async def find_by_amazon_id(
        self, amazon_order_id: str, sold_to_party: str | None = None
    ) -> SalesOrder | None:
        """The async form of :meth:`SalesOrderService.find_by_amazon_id`."""
        make = partial(find_by_purchase_order_page, amazon_order_id, sold_to_party, with_items=True)
        async for order in self._sender.pages(make):
            return order
        return None

    async def update_rejection(self, sales_order: str, reason: str) -> Rejection:
        """The async form of :meth:`SalesOrderService.update_rejection`."""
        order = await self.get(sales_order)
        items, result = plan_rejection(order, reason)
        for item in items:
            await self._sender.send(reject_item(sales_order, item, reason))
        return result

    def search(
        self,
        condition: Filter | None = None,
        *,
        with_items: bool = False,
        with_partners: bool = False,
    ) -> AsyncIterator[SalesOrder]:
        """The async form of :meth:`SalesOrderService.search`."""
        make = partial(search_page, condition, with_items=with_items, with_partners=with_partners)
        return self._sender.pages(make)

    async def update(
        self, sales_order: str, changes: Mapping[str, Any], *, etag: str | None
    ) -> Updated:
        """The async form of :meth:`SalesOrderService.update`."""
        return await self._sender.send(update_sales_order(sales_order, changes, etag=etag))
