"""Every Finances v0 financial event list, read by one table: its date, ids and amounts.

The table :data:`EVENT_LISTS` says, for each of the 33 event lists of ``FinancialEvents`` in
``financesV0.json``, which field dates the event (``PostedDate``, but ``TransactionPostedDate``
for Pay with Amazon, ``TransactionCreationDate`` for service provider credits, ``postedDate``
for ads and deals; none for service fees, debt recoveries and loans) and which amounts **move
money** (they become ``FinancialEvent.components``, are summed by ``total`` and posted to
journals) and which are **informational** (they go to ``FinancialEvent.informational``).

The rule for totals: where the model defines a field as the sum of others (ProductAdsPayment
``transactionValue = baseValue + taxValue``, a coupon's ``TotalAmount``, an affordability
expense's ``TotalExpense``...), the parts move and the total is informational, because the
parts carry the type a GL account map needs (fee vs tax). Such a total is marked
:attr:`Role.TOTAL`: it moves only when the event arrives without any of its parts, so no money
is lost either way. Values that never moved (a rental's ``RentalInitialValue``, a debt's
``OriginalAmount``, a tax withholding's ``BaseAmount``) are :attr:`Role.INFO`.

A list Amazon adds later, not yet in the table, is still read: every amount in it moves as an
``Other`` component and the first ``...Date`` field dates it, so no money is silently dropped.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, Final

from attrs import evolve, frozen

from amazon_erp_bridge.amazon.timestamps import from_wire
from amazon_erp_bridge.core.redaction import get_logger
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import ComponentKind, FinancialComponent, FinancialEvent, Money

log = get_logger("amazon_erp_bridge.amazon.financial_events")

CHARGE: Final = ComponentKind.CHARGE
FEE: Final = ComponentKind.FEE
PROMOTION: Final = ComponentKind.PROMOTION
WITHHELD: Final = ComponentKind.TAX_WITHHELD
ADJUSTMENT: Final = ComponentKind.ADJUSTMENT
OTHER: Final = ComponentKind.OTHER


class Shape(enum.Enum):
    """How an amount field is laid out in the model (the model's definition name)."""

    CURRENCY = "Currency"  # {CurrencyCode, CurrencyAmount}; the component type is the field name
    CHARGE = "ChargeComponent"  # {ChargeType, ChargeAmount}
    FEE = "FeeComponent"  # {FeeType, FeeAmount}
    CHARGES = "ChargeComponentList"  # [ChargeComponent] (also ChargeRefundTransactions)
    FEES = "FeeComponentList"  # [FeeComponent]
    PROMOTIONS = "PromotionList"  # [{PromotionType, PromotionId, PromotionAmount}]
    WITHHELD = "TaxWithheldComponentList"  # [{TaxCollectionModel, TaxesWithheld: [Charge]}]
    DIRECT_PAYMENTS = "DirectPaymentList"  # [{DirectPaymentType, DirectPaymentAmount}]
    CHARGE_INSTRUMENTS = "ChargeInstrumentList"  # [{Description, Tail, Amount}]


class Role(enum.Enum):
    """Whether an amount moves money."""

    MOVES = "moves"  # money moved: a component, summed and posted
    TOTAL = "total"  # the sum of the event's parts: informational, unless it comes alone
    INFO = "informational"  # a value that moved no money (an initial value, a base amount)


@frozen
class AmountField:
    """One amount field of an event (or of its items): its layout, kind and role."""

    name: str
    shape: Shape
    kind: ComponentKind
    role: Role = Role.MOVES


@frozen
class ItemList:
    """A list of items inside an event whose amounts are read like the event's own."""

    name: str
    amounts: tuple[AmountField, ...]
    sku: str | None = None
    item_id: tuple[str, ...] = ()
    quantity: str | None = None


@frozen
class EventList:
    """What the table knows about one ``...EventList`` of ``FinancialEvents``."""

    name: str
    definition: str  # the model's definition of one event
    date: str | None
    amounts: tuple[AmountField, ...] = ()
    items: tuple[ItemList, ...] = ()
    order_id: tuple[str, ...] = ()
    seller_order_id: str | None = None
    marketplace: str | None = None
    description: tuple[str, ...] = ()
    sku: str | None = None
    group_id: str | None = None
    #: An id appended to the description (an invoice, a swap), so the event can be traced.
    reference: str | None = None
    #: The event field whose value types its plain amounts (an adjustment's AdjustmentType),
    #: instead of the amount field's own name.
    type_key: str | None = None

    @property
    def event_type(self) -> str:
        return self.name.removesuffix("EventList")

    def fields(self) -> Iterator[tuple[str, AmountField]]:
        """Every amount field with its path (``ShipmentItemList.ItemChargeList``...)."""
        for f in self.amounts:
            yield f.name, f
        for item in self.items:
            for f in item.amounts:
                yield f"{item.name}.{f.name}", f


def _m(name: str, shape: Shape, kind: ComponentKind, role: Role = Role.MOVES) -> AmountField:
    return AmountField(name, shape, kind, role)


def _cur(name: str, kind: ComponentKind, role: Role = Role.MOVES) -> AmountField:
    return AmountField(name, Shape.CURRENCY, kind, role)


_SHIPMENT_ITEM: Final = ItemList(
    "ShipmentItemList",
    (
        _m("ItemChargeList", Shape.CHARGES, CHARGE),
        _m("ItemChargeAdjustmentList", Shape.CHARGES, CHARGE),
        _m("ItemFeeList", Shape.FEES, FEE),
        _m("ItemFeeAdjustmentList", Shape.FEES, FEE),
        _m("ItemTaxWithheldList", Shape.WITHHELD, WITHHELD),
        _m("PromotionList", Shape.PROMOTIONS, PROMOTION),
        _m("PromotionAdjustmentList", Shape.PROMOTIONS, PROMOTION),
        _cur("CostOfPointsGranted", OTHER),
        _cur("CostOfPointsReturned", OTHER),
    ),
    sku="SellerSKU",
    item_id=("OrderItemId", "OrderAdjustmentItemId"),
    quantity="QuantityShipped",
)


def _shipment_shaped(name: str) -> EventList:
    return EventList(
        name,
        "ShipmentEvent",
        "PostedDate",
        amounts=(
            _m("OrderChargeList", Shape.CHARGES, CHARGE),
            _m("OrderChargeAdjustmentList", Shape.CHARGES, CHARGE),
            _m("ShipmentFeeList", Shape.FEES, FEE),
            _m("ShipmentFeeAdjustmentList", Shape.FEES, FEE),
            _m("OrderFeeList", Shape.FEES, FEE),
            _m("OrderFeeAdjustmentList", Shape.FEES, FEE),
            _m("DirectPaymentList", Shape.DIRECT_PAYMENTS, OTHER),
        ),
        items=(_SHIPMENT_ITEM, evolve(_SHIPMENT_ITEM, name="ShipmentItemAdjustmentList")),
        order_id=("AmazonOrderId",),
        seller_order_id="SellerOrderId",
        marketplace="MarketplaceName",
    )


_AFFORDABILITY: Final = (
    _cur("BaseExpense", FEE),
    _cur("TaxTypeCGST", FEE),
    _cur("TaxTypeSGST", FEE),
    _cur("TaxTypeIGST", FEE),
    _cur("TotalExpense", FEE, Role.TOTAL),
)

#: Every event list of Finances v0 ``FinancialEvents``, in the model's order.
EVENT_LISTS: Final[Mapping[str, EventList]] = {
    e.name: e
    for e in (
        _shipment_shaped("ShipmentEventList"),
        _shipment_shaped("ShipmentSettleEventList"),
        _shipment_shaped("RefundEventList"),
        _shipment_shaped("GuaranteeClaimEventList"),
        EventList(
            "EBTRefundReimbursementOnlyEventList",
            "EBTRefundReimbursementOnlyEvent",
            "PostedDate",
            amounts=(_cur("Amount", ADJUSTMENT),),
            order_id=("OrderId",),
        ),
        _shipment_shaped("ChargebackEventList"),
        EventList(
            "PayWithAmazonEventList",
            "PayWithAmazonEvent",
            "TransactionPostedDate",
            amounts=(_m("Charge", Shape.CHARGE, CHARGE), _m("FeeList", Shape.FEES, FEE)),
            seller_order_id="SellerOrderId",
            description=("AmountDescription", "PaymentAmountType", "BusinessObjectType"),
        ),
        EventList(
            "ServiceProviderCreditEventList",
            "SolutionProviderCreditEvent",
            "TransactionCreationDate",
            amounts=(_cur("TransactionAmount", OTHER),),
            seller_order_id="SellerOrderId",
            description=("ProviderTransactionType",),
        ),
        EventList(
            "RetrochargeEventList",
            "RetrochargeEvent",
            "PostedDate",
            amounts=(
                _cur("BaseTax", CHARGE),
                _cur("ShippingTax", CHARGE),
                _m("RetrochargeTaxWithheldList", Shape.WITHHELD, WITHHELD),
            ),
            order_id=("AmazonOrderId",),
            marketplace="MarketplaceName",
            description=("RetrochargeEventType",),
        ),
        EventList(
            "RentalTransactionEventList",
            "RentalTransactionEvent",
            "PostedDate",
            amounts=(
                _m("RentalChargeList", Shape.CHARGES, CHARGE),
                _m("RentalFeeList", Shape.FEES, FEE),
                _m("RentalTaxWithheldList", Shape.WITHHELD, WITHHELD),
                _cur("RentalReimbursement", ADJUSTMENT),
                # What the customer first paid to rent the item: not money that moved now.
                _cur("RentalInitialValue", OTHER, Role.INFO),
            ),
            order_id=("AmazonOrderId",),
            marketplace="MarketplaceName",
            description=("RentalEventType",),
        ),
        EventList(
            "ProductAdsPaymentEventList",
            "ProductAdsPaymentEvent",
            "postedDate",
            amounts=(
                _cur("baseValue", FEE),
                _cur("taxValue", FEE),
                # "Equal to baseValue + taxValue": counting it as well would count twice.
                _cur("transactionValue", FEE, Role.TOTAL),
            ),
            description=("transactionType",),
            reference="invoiceId",
        ),
        EventList(
            "ServiceFeeEventList",
            "ServiceFeeEvent",
            None,  # the model gives a service fee event no date
            amounts=(_m("FeeList", Shape.FEES, FEE),),
            order_id=("AmazonOrderId",),
            description=("FeeDescription", "FeeReason"),
            sku="SellerSKU",
        ),
        EventList(
            "SellerDealPaymentEventList",
            "SellerDealPaymentEvent",
            "postedDate",
            amounts=(
                _cur("feeAmount", FEE),
                _cur("taxAmount", FEE),
                _cur("totalAmount", FEE, Role.TOTAL),
            ),
            description=("dealDescription", "feeType", "eventType"),
        ),
        EventList(
            "DebtRecoveryEventList",
            "DebtRecoveryEvent",
            None,  # no date in the model
            amounts=(
                _cur("RecoveryAmount", ADJUSTMENT),
                _cur("OverPaymentCredit", ADJUSTMENT),
                # Where the recovered money came from (a card): not a second movement.
                _m("ChargeInstrumentList", Shape.CHARGE_INSTRUMENTS, OTHER, Role.INFO),
            ),
            items=(
                ItemList(
                    "DebtRecoveryItemList",
                    (
                        _cur("RecoveryAmount", ADJUSTMENT, Role.INFO),  # the event's, per debt
                        _cur("OriginalAmount", ADJUSTMENT, Role.INFO),
                    ),
                ),
            ),
            description=("DebtRecoveryType",),
        ),
        EventList(
            "LoanServicingEventList",
            "LoanServicingEvent",
            None,  # no date in the model
            amounts=(_cur("LoanAmount", ADJUSTMENT),),
            description=("SourceBusinessEventType",),
        ),
        EventList(
            "AdjustmentEventList",
            "AdjustmentEvent",
            "PostedDate",
            amounts=(_cur("AdjustmentAmount", ADJUSTMENT, Role.TOTAL),),
            items=(
                ItemList(
                    "AdjustmentItemList",
                    (
                        _cur("TotalAmount", ADJUSTMENT),
                        _cur("PerUnitAmount", ADJUSTMENT, Role.INFO),
                    ),
                    sku="SellerSKU",
                    quantity="Quantity",
                ),
            ),
            description=("AdjustmentType",),
            type_key="AdjustmentType",
        ),
        EventList(
            "SAFETReimbursementEventList",
            "SAFETReimbursementEvent",
            "PostedDate",
            amounts=(_cur("ReimbursedAmount", ADJUSTMENT, Role.TOTAL),),
            items=(
                ItemList(
                    "SAFETReimbursementItemList",
                    (_m("itemChargeList", Shape.CHARGES, ADJUSTMENT),),
                    quantity="quantity",
                ),
            ),
            description=("ReasonCode", "SAFETClaimId"),
        ),
        EventList(
            "SellerReviewEnrollmentPaymentEventList",
            "SellerReviewEnrollmentPaymentEvent",
            "PostedDate",
            amounts=(
                _m("FeeComponent", Shape.FEE, FEE),
                _m("ChargeComponent", Shape.CHARGE, CHARGE),
                _cur("TotalAmount", FEE, Role.TOTAL),
            ),
            description=("EnrollmentId", "ParentASIN"),
        ),
        EventList(
            "FBALiquidationEventList",
            "FBALiquidationEvent",
            "PostedDate",
            amounts=(
                _cur("LiquidationProceedsAmount", CHARGE),
                _cur("LiquidationFeeAmount", FEE),
            ),
            description=("OriginalRemovalOrderId",),
        ),
        EventList(
            "CouponPaymentEventList",
            "CouponPaymentEvent",
            "PostedDate",
            amounts=(
                _m("FeeComponent", Shape.FEE, FEE),
                _m("ChargeComponent", Shape.CHARGE, CHARGE),
                _cur("TotalAmount", FEE, Role.TOTAL),
            ),
            description=("SellerCouponDescription", "CouponId"),
        ),
        EventList(
            "ImagingServicesFeeEventList",
            "ImagingServicesFeeEvent",
            "PostedDate",
            amounts=(_m("FeeList", Shape.FEES, FEE),),
            description=("ImagingRequestBillingItemID", "ASIN"),
        ),
        EventList(
            "NetworkComminglingTransactionEventList",
            "NetworkComminglingTransactionEvent",
            "PostedDate",
            amounts=(_cur("TaxExclusiveAmount", OTHER), _cur("TaxAmount", OTHER)),
            description=("TransactionType", "SwapReason"),
            reference="NetCoTransactionID",
        ),
        EventList(
            "AffordabilityExpenseEventList",
            "AffordabilityExpenseEvent",
            "PostedDate",
            amounts=_AFFORDABILITY,
            order_id=("AmazonOrderId",),
            description=("TransactionType",),
        ),
        EventList(
            "AffordabilityExpenseReversalEventList",
            "AffordabilityExpenseEvent",
            "PostedDate",
            amounts=_AFFORDABILITY,
            order_id=("AmazonOrderId",),
            description=("TransactionType",),
        ),
        EventList(
            "RemovalShipmentEventList",
            "RemovalShipmentEvent",
            "PostedDate",
            items=(
                ItemList(
                    "RemovalShipmentItemList",
                    (
                        _cur("Revenue", CHARGE),
                        _cur("FeeAmount", FEE),
                        _cur("TaxAmount", CHARGE),
                        _cur("TaxWithheld", WITHHELD),
                    ),
                    quantity="Quantity",
                ),
            ),
            order_id=("OrderId",),
            seller_order_id="MerchantOrderId",
            description=("TransactionType",),
        ),
        EventList(
            "RemovalShipmentAdjustmentEventList",
            "RemovalShipmentAdjustmentEvent",
            "PostedDate",
            items=(
                ItemList(
                    "RemovalShipmentItemAdjustmentList",
                    (
                        _cur("RevenueAdjustment", CHARGE),
                        _cur("TaxAmountAdjustment", CHARGE),
                        _cur("TaxWithheldAdjustment", WITHHELD),
                    ),
                    quantity="AdjustedQuantity",
                ),
            ),
            order_id=("OrderId",),
            seller_order_id="MerchantOrderId",
            description=("TransactionType", "AdjustmentEventId"),
        ),
        EventList(
            "TrialShipmentEventList",
            "TrialShipmentEvent",
            "PostedDate",
            amounts=(_m("FeeList", Shape.FEES, FEE),),
            order_id=("AmazonOrderId",),
            sku="SKU",
            group_id="FinancialEventGroupId",
        ),
        EventList(
            "TDSReimbursementEventList",
            "TDSReimbursementEvent",
            "PostedDate",
            amounts=(_cur("ReimbursedAmount", ADJUSTMENT),),
            order_id=("TDSOrderId",),
        ),
        EventList(
            "AdhocDisbursementEventList",
            "AdhocDisbursementEvent",
            "PostedDate",
            amounts=(_cur("TransactionAmount", OTHER),),
            description=("TransactionType", "TransactionId"),
        ),
        EventList(
            "TaxWithholdingEventList",
            "TaxWithholdingEvent",
            "PostedDate",
            amounts=(
                _cur("WithheldAmount", WITHHELD),
                _cur("BaseAmount", WITHHELD, Role.INFO),  # what the tax was computed on
            ),
        ),
        EventList(
            "ChargeRefundEventList",
            "ChargeRefundEvent",
            "PostedDate",
            amounts=(_m("ChargeRefundTransactions", Shape.CHARGES, CHARGE),),
            description=("ReasonCodeDescription", "ReasonCode"),
        ),
        EventList(
            "FailedAdhocDisbursementEventList",
            "FailedAdhocDisbursementEvent",
            "PostedDate",
            amounts=(_cur("TransferAmount", OTHER),),
            description=("Status", "FundsTransfersType", "TransferId"),
        ),
        EventList(
            "ValueAddedServiceChargeEventList",
            "ValueAddedServiceChargeEvent",
            "PostedDate",
            amounts=(_cur("TransactionAmount", FEE),),
            description=("Description", "TransactionType"),
        ),
        EventList(
            "CapacityReservationBillingEventList",
            "CapacityReservationBillingEvent",
            "PostedDate",
            amounts=(_cur("TransactionAmount", FEE),),
            description=("Description", "TransactionType"),
        ),
    )
}

#: Finances 2024-06-19 ``Transaction`` (every ``transactionType`` has this one shape): the
#: field that moves money, and the ones that explain it.
TRANSACTION_AMOUNTS: Final[Mapping[str, Role]] = {
    "totalAmount": Role.MOVES,
    "breakdowns[].breakdownAmount": Role.INFO,  # nested parts of totalAmount (leaves sum to it)
    "items[].totalAmount": Role.INFO,  # the total's share per item
    "items[].breakdowns[].breakdownAmount": Role.INFO,
}


# -- reading -------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _int(value: Any, what: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError(f"{what}: expected a whole number, got {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{what}: expected a whole number, got {value!r}") from None


def currency_amount(data: Any, what: str, *, upper: bool = True) -> Money | None:
    """``{CurrencyCode, CurrencyAmount}`` (v0) or ``{currencyCode, currencyAmount}`` -> Money.

    The amount arrives as a Decimal (or int) from the JSON reader; a float is refused.
    """
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise ValidationError(f"{what}: expected a currency amount object, got {data!r:.40}")
    code_key, amount_key = (
        ("CurrencyCode", "CurrencyAmount") if upper else ("currencyCode", "currencyAmount")
    )
    amount, currency = data.get(amount_key), data.get(code_key)
    if amount is None or not currency:
        return None
    try:
        return Money(amount, currency)
    except ValidationError as exc:
        raise ValidationError(f"{what}: {exc.message}") from None


@frozen
class _Ids:
    seller_sku: str | None = None
    order_item_id: str | None = None
    quantity: int | None = None


_LIST_KEYS: Final = {
    Shape.CHARGES: ("ChargeType", "ChargeAmount"),
    Shape.FEES: ("FeeType", "FeeAmount"),
    Shape.PROMOTIONS: ("PromotionType", "PromotionAmount"),
    Shape.DIRECT_PAYMENTS: ("DirectPaymentType", "DirectPaymentAmount"),
    Shape.CHARGE_INSTRUMENTS: ("Description", "Amount"),
    Shape.CHARGE: ("ChargeType", "ChargeAmount"),
    Shape.FEE: ("FeeType", "FeeAmount"),
}


def _listed(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValidationError(f"{what}: expected a list, got {type(value).__name__}")
    return value


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(f"{what}: expected an object, got {type(value).__name__}")
    return value


def _entries(
    f: AmountField, value: Any, plain_type: str | None, what: str
) -> Iterator[tuple[str, Any]]:
    """(component type, Currency object) pairs of one amount field's value."""
    if value is None:
        return
    where = f"{what} {f.name}"
    if f.shape is Shape.CURRENCY:
        yield plain_type or f.name, value
    elif f.shape in (Shape.CHARGE, Shape.FEE):
        type_key, amount_key = _LIST_KEYS[f.shape]
        entry = _object(value, where)
        yield str(entry.get(type_key) or f.name), entry.get(amount_key)
    elif f.shape is Shape.WITHHELD:
        for withheld in _listed(value, where):
            taxes = _object(withheld, where).get("TaxesWithheld")
            for charge in _listed(taxes or [], f"{where} TaxesWithheld"):
                charge = _object(charge, f"{where} TaxesWithheld")
                yield str(charge.get("ChargeType") or ""), charge.get("ChargeAmount")
    else:
        type_key, amount_key = _LIST_KEYS[f.shape]
        for entry in _listed(value, where):
            entry = _object(entry, where)
            yield str(entry.get(type_key) or ""), entry.get(amount_key)


def _read(
    fields: tuple[AmountField, ...],
    data: Mapping[str, Any],
    what: str,
    ids: _Ids,
    plain_type: str | None,
) -> Iterator[tuple[Role, FinancialComponent]]:
    for f in fields:
        for kind_type, raw in _entries(f, data.get(f.name), plain_type, what):
            amount = currency_amount(raw, f"{what} {f.name}")
            if amount is None:
                continue
            yield (
                f.role,
                FinancialComponent(
                    f.kind,
                    kind_type,
                    amount,
                    seller_sku=ids.seller_sku,
                    order_item_id=ids.order_item_id,
                    quantity=ids.quantity,
                ),
            )


def _first(data: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = _text(data.get(key))
        if value is not None:
            return value
    return None


def _description(spec: EventList, data: Mapping[str, Any]) -> str | None:
    text = _first(data, spec.description)
    reference = _text(data.get(spec.reference)) if spec.reference else None
    if reference is None:
        return text
    return f"{text} {spec.reference} {reference}" if text else f"{spec.reference} {reference}"


def read_event(spec: EventList, data: Mapping[str, Any], group_id: str | None) -> FinancialEvent:
    """One event of the list ``spec`` describes, its amounts split by role."""
    if not isinstance(data, Mapping):
        raise ValidationError(f"{spec.name}: expected an event object, got {type(data).__name__}")
    order_id = _first(data, spec.order_id)
    what = f"{spec.name} event" + (f" for order {order_id}" if order_id else "")
    sku = _text(data.get(spec.sku)) if spec.sku else None
    plain_type = _text(data.get(spec.type_key)) if spec.type_key else None
    found: list[tuple[Role, FinancialComponent]] = list(
        _read(spec.amounts, data, what, _Ids(seller_sku=sku), plain_type)
    )
    for item_list in spec.items:
        for item in _listed(data.get(item_list.name) or [], f"{what} {item_list.name}"):
            if not isinstance(item, Mapping):
                raise ValidationError(f"{what} {item_list.name}: expected item objects")
            ids = _Ids(
                _text(item.get(item_list.sku)) if item_list.sku else sku,
                _first(item, item_list.item_id),
                _int(item.get(item_list.quantity), f"{what} {item_list.quantity}")
                if item_list.quantity
                else None,
            )
            found += _read(item_list.amounts, item, f"{what} {item_list.name}", ids, plain_type)
    has_parts = any(role is Role.MOVES for role, _ in found)
    moves = tuple(
        c for role, c in found if role is Role.MOVES or (role is Role.TOTAL and not has_parts)
    )
    info = tuple(c for role, c in found if role is Role.INFO or (role is Role.TOTAL and has_parts))
    posted = None
    if spec.date is not None and data.get(spec.date):
        posted = from_wire(data[spec.date], f"{what} {spec.date}")
    return FinancialEvent(
        event_type=spec.event_type,
        components=moves,
        posted_date=posted,
        order_id=order_id,
        seller_order_id=_text(data.get(spec.seller_order_id)) if spec.seller_order_id else None,
        marketplace_name=_text(data.get(spec.marketplace)) if spec.marketplace else None,
        group_id=(_text(data.get(spec.group_id)) if spec.group_id else None) or group_id,
        description=_description(spec, data),
        informational=info,
    )


def _money_leaves(data: Any, path: str) -> Iterator[tuple[str, Money]]:
    if isinstance(data, Mapping):
        money = currency_amount(data, path) or currency_amount(data, path, upper=False)
        if money is not None:
            yield path, money
            return
        for key, value in data.items():
            yield from _money_leaves(value, key)
    elif isinstance(data, list):
        for value in data:
            yield from _money_leaves(value, path)


def unknown_event(list_name: str, data: Mapping[str, Any], group_id: str | None) -> FinancialEvent:
    """An event of a list the table does not know yet: every amount moves, typed by its key."""
    what = f"{list_name} event"
    date_key = next((k for k in data if k.lower().endswith("date") and data[k]), None)
    posted: datetime | None = None
    if date_key is not None and isinstance(data[date_key], str):
        posted = from_wire(data[date_key], f"{what} {date_key}")
    return FinancialEvent(
        event_type=list_name.removesuffix("EventList"),
        components=tuple(
            FinancialComponent(OTHER, key, money) for key, money in _money_leaves(data, "")
        ),
        posted_date=posted,
        order_id=_text(data.get("AmazonOrderId")),
        seller_order_id=_text(data.get("SellerOrderId")),
        marketplace_name=_text(data.get("MarketplaceName")),
        group_id=group_id,
    )


def financial_events(data: Mapping[str, Any], group_id: str | None = None) -> list[FinancialEvent]:
    """Every event of a v0 ``FinancialEvents`` object, list by list, by :data:`EVENT_LISTS`."""
    if not isinstance(data, Mapping):
        raise ValidationError("FinancialEvents: expected an object of event lists")
    out: list[FinancialEvent] = []
    for list_name, events in data.items():
        if events is None:
            continue
        if not isinstance(events, list):
            raise ValidationError(f"FinancialEvents.{list_name}: expected a list of events")
        spec = EVENT_LISTS.get(list_name)
        if spec is None and events:
            log.warning("financial event list %s is not in the table; every amount kept", list_name)
        for event in events:
            if spec is not None:
                out.append(read_event(spec, event, group_id))
            elif isinstance(event, Mapping):
                out.append(unknown_event(list_name, event, group_id))
            else:
                raise ValidationError(f"{list_name}: expected event objects")
    return out


def table_rows() -> Iterator[tuple[str, str, str, str, str]]:
    """(event list, date field, amount path, component kind, role) rows, for docs and tests."""
    for spec in EVENT_LISTS.values():
        for path, f in spec.fields():
            yield spec.name, spec.date or "(none)", path, f.kind.value, f.role.value


__all__ = [
    "EVENT_LISTS",
    "TRANSACTION_AMOUNTS",
    "AmountField",
    "EventList",
    "ItemList",
    "Role",
    "Shape",
    "currency_amount",
    "financial_events",
    "read_event",
    "table_rows",
    "unknown_event",
]
