"""Multi-Channel Fulfillment: ERP orders -> createFulfillmentOrder, shipments -> ERP updates.

Outbound: an ERP order flagged for MCF becomes the request body of Fulfillment Outbound
2020-07-01 ``createFulfillmentOrder`` with Amazon's field names. The ERP order number is the
``sellerFulfillmentOrderId`` and each ERP line number the ``sellerFulfillmentOrderItemId``,
so the shipments Amazon reports later point straight back at the ERP order lines.

Inbound: an FBA/MCF :class:`~amazon_erp_bridge.model.Shipment` becomes the ERP's delivery
confirmation: M3 ``MHS850MI AddCOPick`` records, or an SAP outbound delivery
(``A_OutbDeliveryHeader`` deep insert referencing the sales order, the tracking number in
``BillOfLading``, then ``PostGoodsIssue``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from datetime import tzinfo
from types import MappingProxyType
from typing import Any, Final

from attrs import field, frozen

from amazon_erp_bridge.errors import ConfigurationError, MappingError
from amazon_erp_bridge.mapping.accounts import frozen_mapping
from amazon_erp_bridge.mapping.addresses import postal_code
from amazon_erp_bridge.mapping.errors import UnknownStatusError
from amazon_erp_bridge.mapping.formats import decimal_text, iso_utc, m3_date
from amazon_erp_bridge.mapping.items import ItemCrosswalk
from amazon_erp_bridge.model import ItemRef, Order, OrderLine, Shipment, ShipmentItem

SHIPPING_SPEEDS: Final = ("Standard", "Expedited", "Priority", "ScheduledDelivery")
FULFILLMENT_ACTIONS: Final = ("Ship", "Hold")
FULFILLMENT_POLICIES: Final = ("FillOrKill", "FillAll", "FillAllAvailable")
MAX_ID_LENGTH: Final = 40  # sellerFulfillmentOrderId, displayableOrderId
MAX_COMMENT_LENGTH: Final = 750  # displayableOrderComment
MAX_ITEM_FIELD_LENGTH: Final = 50  # sellerSku, sellerFulfillmentOrderItemId
MAX_LINES: Final = 100
MAX_UNITS: Final = 250
SAP_BILL_OF_LADING_LENGTH: Final = 35
_TRUE: Final = frozenset({"1", "true", "yes", "y", "x"})


def _one_of(allowed: tuple[str, ...], optional: bool = False) -> Callable[[object, Any, Any], None]:
    def check(_instance: object, attribute: Any, value: Any) -> None:
        if optional and value is None:
            return
        if value not in allowed:
            raise ConfigurationError(
                f"McfRules.{attribute.name}: {value!r} is not one of {', '.join(allowed)}"
            )

    return check


def _speeds(value: Mapping[str, str]) -> Mapping[str, str]:
    table = frozen_mapping(value)
    for level, speed in table.items():
        if speed not in SHIPPING_SPEEDS:
            raise ConfigurationError(
                f"McfRules.shipping_speeds[{level!r}]: {speed!r} is not one of "
                + ", ".join(SHIPPING_SPEEDS)
            )
    return table


@frozen
class McfRules:
    """How ERP orders become MCF orders, as data.

    An order is flagged for MCF when its ``order_type`` is in ``flag_order_types`` or its
    attribute ``flag_attribute`` is true-ish (1/true/yes/x). ``shipping_speeds`` maps the
    order's ship service level to Amazon's shippingSpeedCategory (else ``default_speed``).
    ``declared_value`` adds perUnitDeclaredValue from the line prices (required in India).
    """

    shipping_speeds: Mapping[str, str] = field(factory=dict, converter=_speeds)
    default_speed: str = field(default="Standard", validator=_one_of(SHIPPING_SPEEDS))
    fulfillment_action: str | None = field(
        default="Ship", validator=_one_of(FULFILLMENT_ACTIONS, optional=True)
    )
    fulfillment_policy: str | None = field(
        default="FillOrKill", validator=_one_of(FULFILLMENT_POLICIES, optional=True)
    )
    comment: str = "Thank you for your order."
    marketplace_id: str | None = None
    notification_emails: tuple[str, ...] = ()
    flag_order_types: frozenset[str] = frozenset()
    flag_attribute: str = "mcf"
    declared_value: bool = False

    def __attrs_post_init__(self) -> None:
        if not self.comment.strip() or len(self.comment) > MAX_COMMENT_LENGTH:
            raise ConfigurationError(
                "McfRules.comment: displayableOrderComment is required and holds at most "
                f"{MAX_COMMENT_LENGTH} characters"
            )


def is_flagged_for_mcf(order: Order, rules: McfRules) -> bool:
    """True when the ERP order asks to be fulfilled by Amazon (order type or attribute)."""
    flag = order.attributes.get(rules.flag_attribute, "").strip().casefold()
    return (order.order_type or "") in rules.flag_order_types or flag in _TRUE


#: A rule giving the seller SKU of an ERP order line.
SkuResolver = Callable[[OrderLine, Order], str]


def line_seller_sku(line: OrderLine, order: Order) -> str:
    """The line's seller SKU as the ERP order carries it; none is an error naming the line."""
    if not line.item.seller_sku:
        raise MappingError(
            f"order {order.order_id} line {line.line_id}: no seller SKU for MCF; map the ERP "
            "item to its seller SKU (ItemCrosswalk.seller_skus_for) or pass sku_for="
        )
    return line.item.seller_sku


def _limit(order: Order, name: str, value: str, limit: int) -> str:
    if not value or len(value) > limit:
        raise MappingError(
            f"order {order.order_id}: {name} {value!r} must be 1 to {limit} characters"
        )
    return value


def _destination(order: Order) -> dict[str, str]:
    address = order.ship_address
    if address is None:
        raise MappingError(f"order {order.order_id}: destinationAddress is required (no ship-to)")
    fields = {
        "name": address.name or address.company,
        "addressLine1": address.line1,
        "addressLine2": address.line2,
        "addressLine3": address.line3,
        "city": address.city,
        "districtOrCounty": address.district or address.county,
        "stateOrRegion": address.state_or_region,
        "postalCode": postal_code(
            address.postal_code, address.country_code or "", record=f"order {order.order_id}"
        ),
        "countryCode": address.country_code,
        "phone": address.phone,
    }
    required = ["name", "addressLine1", "postalCode", "countryCode"]
    if address.country_code != "JP":
        required.append("city")
    missing = [name for name in required if not (fields[name] or "").strip()]
    if missing:
        raise MappingError(
            f"order {order.order_id}: destinationAddress."
            + ", destinationAddress.".join(missing)
            + " required by createFulfillmentOrder but missing from the ship-to address"
        )
    return {name: " ".join(value.split()) for name, value in fields.items() if value}


def mcf_order_request(
    order: Order,
    rules: McfRules = McfRules(),
    *,
    sku_for: SkuResolver = line_seller_sku,
    require_flag: bool = True,
) -> dict[str, Any]:
    """The createFulfillmentOrder request body for an ERP order flagged for MCF."""
    if require_flag and not is_flagged_for_mcf(order, rules):
        raise MappingError(
            f"order {order.order_id}: not flagged for MCF (order type {order.order_type!r}, "
            f"attribute {rules.flag_attribute!r} not set)"
        )
    lines = [line for line in order.lines if line.quantity > 0]
    units = sum(line.quantity for line in lines)
    if not lines or len(lines) > MAX_LINES or units > MAX_UNITS:
        raise MappingError(
            f"order {order.order_id}: an MCF order holds 1 to {MAX_LINES} lines and at most "
            f"{MAX_UNITS} units; this one has {len(lines)} lines, {units} units"
        )
    speed = rules.shipping_speeds.get(order.ship_service_level or "", rules.default_speed)
    if speed == "ScheduledDelivery" and rules.fulfillment_action == "Hold":
        raise MappingError(
            f"order {order.order_id}: ScheduledDelivery orders must ship (fulfillmentAction "
            "Hold is not allowed)"
        )
    body: dict[str, Any] = {
        "sellerFulfillmentOrderId": _limit(
            order, "sellerFulfillmentOrderId", order.order_id, MAX_ID_LENGTH
        ),
        "displayableOrderId": _limit(
            order,
            "displayableOrderId",
            " ".join((order.seller_order_id or order.order_id).split()),
            MAX_ID_LENGTH,
        ),
        "displayableOrderDate": iso_utc(order.purchase_date),
        "displayableOrderComment": rules.comment,
        "shippingSpeedCategory": speed,
        "destinationAddress": _destination(order),
        "items": [_mcf_item(order, line, rules, sku_for) for line in lines],
    }
    if rules.marketplace_id:
        body["marketplaceId"] = rules.marketplace_id
    if rules.fulfillment_action:
        body["fulfillmentAction"] = rules.fulfillment_action
    if rules.fulfillment_policy:
        body["fulfillmentPolicy"] = rules.fulfillment_policy
    if rules.notification_emails:
        body["notificationEmails"] = list(rules.notification_emails)
    return body


def _mcf_item(
    order: Order, line: OrderLine, rules: McfRules, sku_for: SkuResolver
) -> dict[str, Any]:
    sku = sku_for(line, order)
    item: dict[str, Any] = {
        "sellerSku": _limit(order, f"line {line.line_id} sellerSku", sku, MAX_ITEM_FIELD_LENGTH),
        "sellerFulfillmentOrderItemId": _limit(
            order, "sellerFulfillmentOrderItemId", line.line_id, MAX_ITEM_FIELD_LENGTH
        ),
        "quantity": line.quantity,
    }
    if rules.declared_value:
        unit = line.unit_price
        if unit is None:
            raise MappingError(
                f"order {order.order_id} line {line.line_id}: perUnitDeclaredValue needs an "
                "item price"
            )
        unit = unit.rounded()
        item["perUnitDeclaredValue"] = {
            "currencyCode": unit.currency,
            "value": decimal_text(unit.amount),
        }
    return item


# --- shipments back to the ERP ---------------------------------------------------------


class ShipmentAction(enum.StrEnum):
    """What an ERP does with a shipment status: wait for more, confirm delivery, cancel."""

    WAIT = "wait"
    CONFIRM = "confirm"
    CANCEL = "cancel"


#: fulfillmentShipmentStatus -> ERP action. A shipment cancelled by the fulfiller is replaced
#: by a new one (Amazon tries again), so the ERP waits; one cancelled by the seller ends.
SHIPMENT_ACTIONS: Final[Mapping[str, ShipmentAction]] = MappingProxyType(
    {
        "PENDING": ShipmentAction.WAIT,
        "SHIPPED": ShipmentAction.CONFIRM,
        "CANCELLED_BY_FULFILLER": ShipmentAction.WAIT,
        "CANCELLED_BY_SELLER": ShipmentAction.CANCEL,
    }
)


def shipment_action(
    shipment: Shipment, table: Mapping[str, ShipmentAction | str] = SHIPMENT_ACTIONS
) -> ShipmentAction:
    """The ERP action for a shipment's status; an unknown status is an error naming it."""
    status = shipment.status.strip().upper()
    if status not in table:
        raise UnknownStatusError(
            f"shipment {shipment.shipment_id} of order {shipment.order_id}: status "
            f"{shipment.status!r} is not in the shipment status table; known: "
            + ", ".join(sorted(table)),
            system="Amazon MCF",
            status=shipment.status,
        )
    return ShipmentAction(table[status])


def _confirmable(shipment: Shipment) -> list[ShipmentItem]:
    action = shipment_action(shipment)
    if action is not ShipmentAction.CONFIRM:
        raise MappingError(
            f"shipment {shipment.shipment_id} of order {shipment.order_id} has status "
            f"{shipment.status}; only SHIPPED shipments confirm a delivery ({action.value})"
        )
    items = [item for item in shipment.items if item.quantity > 0]
    for item in items:
        if not item.line_id:
            raise MappingError(
                f"shipment {shipment.shipment_id} of order {shipment.order_id}: item "
                f"{item.seller_sku} has no line_id (sellerFulfillmentOrderItemId), so it "
                "cannot be matched to an ERP order line"
            )
    return items


def _tracking(shipment: Shipment) -> tuple[str, ...]:
    return tuple(p.tracking_number for p in shipment.packages if p.tracking_number)


@frozen
class M3PickReportSettings:
    """The MHS850MI partner set-up that lets M3 accept pick reports from Amazon as a 3PL."""

    warehouse: str
    partner: str
    message_type: str
    process_flag: str | None = None
    timezone: tzinfo | None = None


@frozen
class M3DeliveryConfirmation:
    """``MHS850MI AddCOPick`` records, one per shipped line, and the parcels' tracking."""

    records: tuple[Mapping[str, str], ...]
    tracking_numbers: tuple[str, ...] = ()


def m3_delivery_confirmation(
    shipment: Shipment,
    settings: M3PickReportSettings,
    *,
    customer: str,
    items: ItemCrosswalk,
    pick_list_suffix: str,
    delivery_index: str | None = None,
) -> M3DeliveryConfirmation:
    """A shipped MCF shipment as M3 pick reports (MHS850MI AddCOPick) for its order lines.

    RIDN is the M3 order number (the sellerFulfillmentOrderId), RIDL the order line (the
    sellerFulfillmentOrderItemId), QTYP the shipped quantity, RPDT the ship date. The picking
    list suffix (and delivery index) come from the released picking list in M3.
    """
    records = []
    for item in _confirmable(shipment):
        record = {
            "WHLO": settings.warehouse,
            "E0PA": settings.partner,
            "E065": settings.message_type,
            "CUNO": customer,
            "RIDN": shipment.order_id,
            "RIDL": str(item.line_id),
            "PLSX": pick_list_suffix,
            "ITNO": items.resolve(
                ItemRef(seller_sku=item.seller_sku),
                record=f"shipment {shipment.shipment_id} item {item.seller_sku}",
            ),
            "QTYP": str(item.quantity),
        }
        if shipment.shipped_at is not None:
            record["RPDT"] = m3_date(shipment.shipped_at, settings.timezone)
        if settings.process_flag:
            record["PRFL"] = settings.process_flag
        if delivery_index:
            record["DLIX"] = delivery_index
        records.append(record)
    return M3DeliveryConfirmation(tuple(records), _tracking(shipment))


@frozen
class SapDeliveryUpdate:
    """What SAP needs to record an MCF shipment, in three calls.

    1. POST ``A_OutbDeliveryHeader`` with ``delivery`` (items referencing the sales order);
    2. PATCH the new delivery with ``header_patch`` (``BillOfLading`` = tracking number);
    3. when ``post_goods_issue``, POST ``PostGoodsIssue?DeliveryDocument='...'``.
    """

    delivery: Mapping[str, Any]
    header_patch: Mapping[str, str]
    post_goods_issue: bool = True
    tracking_numbers: tuple[str, ...] = ()


def sap_delivery_update(
    shipment: Shipment, *, sales_order: str | None = None, quantity_unit: str = "EA"
) -> SapDeliveryUpdate:
    """A shipped MCF shipment as an SAP outbound delivery for the sales order it fulfils.

    ReferenceSDDocument is the sales order (default: the shipment's order id, the
    sellerFulfillmentOrderId), ReferenceSDDocumentItem the item (the
    sellerFulfillmentOrderItemId). BillOfLading holds the first parcel's tracking number;
    all of them are in ``tracking_numbers``.
    """
    order = sales_order or shipment.order_id
    items = [
        {
            "ReferenceSDDocument": order,
            "ReferenceSDDocumentItem": str(item.line_id),
            "ActualDeliveryQuantity": str(item.quantity),
            "DeliveryQuantityUnit": quantity_unit,
        }
        for item in _confirmable(shipment)
    ]
    tracking = _tracking(shipment)
    patch: dict[str, str] = {}
    if tracking:
        if len(tracking[0]) > SAP_BILL_OF_LADING_LENGTH:
            raise MappingError(
                f"shipment {shipment.shipment_id}: tracking number {tracking[0]!r} is longer "
                f"than BillOfLading ({SAP_BILL_OF_LADING_LENGTH} characters)"
            )
        patch["BillOfLading"] = tracking[0]
    return SapDeliveryUpdate(
        delivery={"to_DeliveryDocumentItem": {"results": items}},
        header_patch=patch,
        post_goods_issue=True,
        tracking_numbers=tracking,
    )


def shipments_by_action(
    shipments: Iterable[Shipment],
) -> dict[ShipmentAction, list[Shipment]]:
    """Group shipments by what the ERP should do with them (every action present, maybe [])."""
    grouped: dict[ShipmentAction, list[Shipment]] = {action: [] for action in ShipmentAction}
    for shipment in shipments:
        grouped[shipment_action(shipment)].append(shipment)
    return grouped


__all__ = [
    "FULFILLMENT_ACTIONS",
    "FULFILLMENT_POLICIES",
    "SHIPMENT_ACTIONS",
    "SHIPPING_SPEEDS",
    "M3DeliveryConfirmation",
    "M3PickReportSettings",
    "McfRules",
    "SapDeliveryUpdate",
    "ShipmentAction",
    "SkuResolver",
    "is_flagged_for_mcf",
    "line_seller_sku",
    "m3_delivery_confirmation",
    "mcf_order_request",
    "sap_delivery_update",
    "shipment_action",
    "shipments_by_action",
]
