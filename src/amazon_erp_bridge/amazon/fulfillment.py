"""Fulfillment Outbound API 2020-07-01: Multi-Channel Fulfillment (MCF) orders from FBA stock.

An integrator ships an order from another sales channel out of Amazon's warehouses: preview it
(getFulfillmentPreview), create it (createFulfillmentOrder, with the seller's own order id),
follow it (getFulfillmentOrder: shipments, packages and tracking numbers, mapped to the
canonical :class:`~amazon_erp_bridge.model.Shipment`), list recent ones, cancel one, and track
a package; update or cancel an order Amazon has not shipped (updateFulfillmentOrder,
cancelFulfillmentOrder); return items of a shipped one (listReturnReasonCodes,
createFulfillmentReturn).

Request bodies are mappings with Amazon's field names (the mapping layer builds them);
:func:`check_fulfillment_order` refuses one that lacks a required field, naming every missing
one, before anything is sent (:func:`check_update_request` and :func:`check_return_items` do
the same for updates and returns). Datetimes and :class:`~amazon_erp_bridge.model.Money` values in
a body are written in Amazon's wire form.

Parsers read what Amazon's answers really carry: a field the model marks required but an
official example leaves out gets a documented default (``isCODCapable`` False,
``sellerReturnReasonCode`` None); any other missing required field is a ValidationError naming
the record and the field, never a KeyError.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Final
from urllib.parse import quote

import httpx2
from attrs import frozen

from amazon_erp_bridge.amazon.fulfillment_request import FulfillmentOrderRequest
from amazon_erp_bridge.amazon.timestamps import from_wire, to_wire
from amazon_erp_bridge.core.call import Call, Page
from amazon_erp_bridge.core.sender import AsyncSender, SyncSender, json_body
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import Address, Money, Shipment, ShipmentItem, ShipmentPackage

BASE: Final = "/fba/outbound/2020-07-01"

ORDER_REQUIRED: Final = (
    "sellerFulfillmentOrderId",
    "displayableOrderId",
    "displayableOrderDate",
    "displayableOrderComment",
    "shippingSpeedCategory",
    "destinationAddress",
    "items",
)
ADDRESS_REQUIRED: Final = ("name", "addressLine1", "countryCode", "postalCode")
ITEM_REQUIRED: Final = ("sellerSku", "sellerFulfillmentOrderItemId", "quantity")
SHIPPING_SPEEDS: Final = frozenset({"Standard", "Expedited", "Priority", "ScheduledDelivery"})
FULFILLMENT_ACTIONS: Final = frozenset({"Ship", "Hold"})
FULFILLMENT_POLICIES: Final = frozenset({"FillOrKill", "FillAll", "FillAllAvailable"})
#: UpdateFulfillmentOrderRequest: every field the model defines (all optional).
UPDATE_FIELDS: Final = frozenset(
    {
        "marketplaceId",
        "displayableOrderId",
        "displayableOrderDate",
        "displayableOrderComment",
        "shippingSpeedCategory",
        "destinationAddress",
        "fulfillmentAction",
        "fulfillmentPolicy",
        "shipFromCountryCode",
        "notificationEmails",
        "featureConstraints",
        "items",
    }
)
UPDATE_ITEM_REQUIRED: Final = ("sellerFulfillmentOrderItemId", "quantity")
UPDATE_ITEM_FIELDS: Final = frozenset(
    {
        "sellerSku",
        "sellerFulfillmentOrderItemId",
        "quantity",
        "giftMessage",
        "displayableComment",
        "fulfillmentNetworkSku",
        "orderItemDisposition",
        "perUnitDeclaredValue",
        "perUnitPrice",
        "perUnitTax",
    }
)
#: CreateReturnItem: required and optional fields.
RETURN_ITEM_REQUIRED: Final = (
    "sellerReturnItemId",
    "sellerFulfillmentOrderItemId",
    "amazonShipmentId",
    "returnReasonCode",
)
RETURN_ITEM_FIELDS: Final = frozenset({*RETURN_ITEM_REQUIRED, "returnComment"})
#: maxLength of the string fields the model bounds.
MAX_LENGTHS: Final = {
    "displayableOrderId": 40,
    "displayableOrderComment": 750,
    "sellerFulfillmentOrderItemId": 50,
    "giftMessage": 512,
    "displayableComment": 250,
    "sellerReturnItemId": 80,
    "returnComment": 1000,
}


# -- request bodies ---------------------------------------------------------------------------


def _wire_value(value: Any, where: str) -> Any:
    """Datetimes and Money in a request body, written as Amazon expects them."""
    if isinstance(value, datetime):
        return to_wire(value, where)
    if isinstance(value, Money):
        return {"currencyCode": value.currency, "value": format(value.amount, "f")}
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Mapping):
        return {k: _wire_value(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_wire_value(v, f"{where}[{n}]") for n, v in enumerate(value)]
    return value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _missing_in(data: Mapping[str, Any], fields: Sequence[str], prefix: str) -> list[str]:
    return [f"{prefix}{f}" for f in fields if _blank(data.get(f))]


def _check_items(items: Any, problems: list[str], missing: list[str]) -> None:
    if not isinstance(items, list | tuple) or not items:
        missing.append("items")
        return
    for n, item in enumerate(items):
        if not isinstance(item, Mapping):
            problems.append(f"items[{n}] is not an object")
            continue
        missing += _missing_in(item, ITEM_REQUIRED, f"items[{n}].")
        quantity = item.get("quantity")
        if quantity is not None and (
            isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1
        ):
            problems.append(f"items[{n}].quantity must be a whole number >= 1, got {quantity!r}")


def _check_address(address: Any, key: str, problems: list[str], missing: list[str]) -> None:
    if isinstance(address, Mapping):
        missing += _missing_in(address, ADDRESS_REQUIRED, f"{key}.")
    elif address is not None:
        problems.append(f"{key} must be an object with {', '.join(ADDRESS_REQUIRED)}")


def _raise(what: str, ident: str, missing: list[str], problems: list[str]) -> None:
    parts = []
    if missing:
        parts.append(f"missing required field(s) {', '.join(missing)}")
    parts += problems
    if parts:
        raise ValidationError(f"{what}{ident}: {'; '.join(parts)}")


def check_fulfillment_order(request: Mapping[str, Any]) -> dict[str, Any]:
    """The createFulfillmentOrder body in wire form, or ValidationError naming what is wrong.

    Required (Amazon's model): sellerFulfillmentOrderId, displayableOrderId,
    displayableOrderDate, displayableOrderComment, shippingSpeedCategory, destinationAddress
    (name, addressLine1, countryCode, postalCode) and items (sellerSku,
    sellerFulfillmentOrderItemId, quantity).
    """
    if not isinstance(request, Mapping):
        raise ValidationError("createFulfillmentOrder: the request must be a mapping")
    missing = _missing_in(request, ORDER_REQUIRED, "")
    problems: list[str] = []
    _check_address(request.get("destinationAddress"), "destinationAddress", problems, missing)
    _check_items(request.get("items"), problems, missing)
    speed = request.get("shippingSpeedCategory")
    if not _blank(speed) and speed not in SHIPPING_SPEEDS:
        problems.append(f"shippingSpeedCategory must be one of {sorted(SHIPPING_SPEEDS)}")
    action = request.get("fulfillmentAction")
    if action is not None and action not in FULFILLMENT_ACTIONS:
        problems.append(f"fulfillmentAction must be one of {sorted(FULFILLMENT_ACTIONS)}")
    policy = request.get("fulfillmentPolicy")
    if policy is not None and policy not in FULFILLMENT_POLICIES:
        problems.append(f"fulfillmentPolicy must be one of {sorted(FULFILLMENT_POLICIES)}")
    ident = request.get("sellerFulfillmentOrderId")
    _raise("createFulfillmentOrder", f" {ident}" if ident else "", missing, problems)
    body: dict[str, Any] = _wire_value(dict(request), "createFulfillmentOrder")
    return body


def check_fulfillment_preview(request: Mapping[str, Any]) -> dict[str, Any]:
    """The getFulfillmentPreview body in wire form (address and items are required)."""
    if not isinstance(request, Mapping):
        raise ValidationError("getFulfillmentPreview: the request must be a mapping")
    missing = _missing_in(request, ("address", "items"), "")
    problems: list[str] = []
    _check_address(request.get("address"), "address", problems, missing)
    _check_items(request.get("items"), problems, missing)
    speeds = request.get("shippingSpeedCategories") or ()
    unknown = [s for s in speeds if s not in SHIPPING_SPEEDS]
    if unknown:
        problems.append(f"shippingSpeedCategories: unknown {unknown}")
    _raise("getFulfillmentPreview", "", missing, problems)
    body: dict[str, Any] = _wire_value(dict(request), "getFulfillmentPreview")
    return body


def _too_long(data: Mapping[str, Any], prefix: str, problems: list[str]) -> None:
    for name, most in MAX_LENGTHS.items():
        value = data.get(name)
        if isinstance(value, str) and len(value) > most:
            problems.append(f"{prefix}{name} is {len(value)} characters; Amazon allows {most}")


def _unknown(data: Mapping[str, Any], allowed: frozenset[str], prefix: str) -> list[str]:
    return [f"{prefix}{k} is not a field of the request" for k in data if k not in allowed]


def check_update_request(
    seller_fulfillment_order_id: str, request: Mapping[str, Any]
) -> dict[str, Any]:
    """The updateFulfillmentOrder body in wire form, or ValidationError naming what is wrong.

    Every field of UpdateFulfillmentOrderRequest is optional; fields the model does not define
    are refused, as are enum values it does not list and strings over its maxLength. Each item
    needs sellerFulfillmentOrderItemId (of the original order) and quantity.
    """
    what = f"updateFulfillmentOrder {seller_fulfillment_order_id}"
    if not isinstance(request, Mapping) or not request:
        raise ValidationError(f"{what}: the request must be a mapping with what to change")
    problems = _unknown(request, UPDATE_FIELDS, "")
    missing: list[str] = []
    _too_long(request, "", problems)
    _check_address(request.get("destinationAddress"), "destinationAddress", problems, missing)
    for name, allowed in (
        ("shippingSpeedCategory", SHIPPING_SPEEDS),
        ("fulfillmentAction", FULFILLMENT_ACTIONS),
        ("fulfillmentPolicy", FULFILLMENT_POLICIES),
    ):
        value = request.get(name)
        if value is not None and value not in allowed:
            problems.append(f"{name} must be one of {sorted(allowed)}, got {value!r}")
    items = request.get("items")
    if items is not None:
        if not isinstance(items, list | tuple) or not items:
            problems.append("items must be a non-empty list")
        else:
            for n, item in enumerate(items):
                if not isinstance(item, Mapping):
                    problems.append(f"items[{n}] is not an object")
                    continue
                missing += _missing_in(item, UPDATE_ITEM_REQUIRED, f"items[{n}].")
                problems += _unknown(item, UPDATE_ITEM_FIELDS, f"items[{n}].")
                _too_long(item, f"items[{n}].", problems)
                quantity = item.get("quantity")
                if quantity is not None and (
                    isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0
                ):
                    problems.append(f"items[{n}].quantity must be a whole number >= 0")
    _raise("updateFulfillmentOrder", f" {seller_fulfillment_order_id}", missing, problems)
    body: dict[str, Any] = _wire_value(dict(request), "updateFulfillmentOrder")
    return body


def check_return_items(
    seller_fulfillment_order_id: str, items: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The createFulfillmentReturn body ``{"items": [...]}``, or ValidationError naming what is
    wrong: each CreateReturnItem needs sellerReturnItemId (at most 80 characters),
    sellerFulfillmentOrderItemId, amazonShipmentId and returnReasonCode (one that
    listReturnReasonCodes gives for the SKU); returnComment is optional (1000 characters)."""
    problems: list[str] = []
    missing: list[str] = []
    if isinstance(items, Mapping | str) or not isinstance(items, Sequence) or not items:
        raise ValidationError(
            f"createFulfillmentReturn {seller_fulfillment_order_id}: give at least one item"
        )
    for n, item in enumerate(items):
        if not isinstance(item, Mapping):
            problems.append(f"items[{n}] is not an object")
            continue
        missing += _missing_in(item, RETURN_ITEM_REQUIRED, f"items[{n}].")
        problems += _unknown(item, RETURN_ITEM_FIELDS, f"items[{n}].")
        _too_long(item, f"items[{n}].", problems)
    _raise("createFulfillmentReturn", f" {seller_fulfillment_order_id}", missing, problems)
    return {"items": [dict(i) for i in items]}


# -- typed results ----------------------------------------------------------------------------


@frozen
class FulfillmentOrder:
    """An MCF order as Amazon reports it (``status``: New, Received, Planning, Processing,
    Cancelled, Complete, CompletePartialled, Unfulfillable, Invalid)."""

    seller_fulfillment_order_id: str
    displayable_order_id: str
    status: str
    shipping_speed_category: str
    destination_address: Address
    marketplace_id: str | None = None
    displayable_order_date: datetime | None = None
    displayable_order_comment: str | None = None
    received_date: datetime | None = None
    status_updated_date: datetime | None = None
    fulfillment_action: str | None = None
    fulfillment_policy: str | None = None


@frozen
class FulfillmentOrderItem:
    """A line of an MCF order with what was cancelled or could not be fulfilled."""

    seller_sku: str
    seller_fulfillment_order_item_id: str
    quantity: int
    cancelled_quantity: int = 0
    unfulfillable_quantity: int = 0
    estimated_ship_date: datetime | None = None
    estimated_arrival_date: datetime | None = None


@frozen
class FulfillmentOrderDetails:
    """getFulfillmentOrder: the order, its items, and its shipments in the canonical model."""

    order: FulfillmentOrder
    items: tuple[FulfillmentOrderItem, ...] = ()
    shipments: tuple[Shipment, ...] = ()

    @property
    def tracking_numbers(self) -> tuple[str, ...]:
        """Every carrier tracking number over all shipments and packages, in order."""
        return tuple(
            p.tracking_number for s in self.shipments for p in s.packages if p.tracking_number
        )


@frozen
class PreviewItem:
    """An item of a previewed shipment: the SKU, the quantity and the seller's own item id
    (``sellerFulfillmentOrderItemId``, the id the preview request gave the line; required by
    the model, None if an answer leaves it out)."""

    seller_sku: str
    quantity: int
    seller_fulfillment_order_item_id: str | None = None


@frozen
class PreviewShipment:
    """A shipment Amazon would make, with its ship and arrival windows and items (sku, qty).

    ``preview_items`` are the same items with the seller's item id of each.
    """

    items: tuple[tuple[str, int], ...]
    earliest_ship_date: datetime | None = None
    latest_ship_date: datetime | None = None
    earliest_arrival_date: datetime | None = None
    latest_arrival_date: datetime | None = None
    preview_items: tuple[PreviewItem, ...] = ()


@frozen
class FulfillmentPreview:
    """What one shipping speed would cost and whether Amazon can fulfil the order."""

    shipping_speed_category: str
    is_fulfillable: bool
    is_cod_capable: bool
    marketplace_id: str
    estimated_fees: tuple[tuple[str, Money], ...] = ()
    shipments: tuple[PreviewShipment, ...] = ()
    unfulfillable_items: tuple[tuple[str, int], ...] = ()
    order_unfulfillable_reasons: tuple[str, ...] = ()

    def total_fees(self) -> Money | None:
        """The sum of the estimated fees (None if Amazon gave none)."""
        if not self.estimated_fees:
            return None
        return Money.total((m for _, m in self.estimated_fees), self.estimated_fees[0][1].currency)


@frozen
class TrackingEvent:
    """A carrier scan of a package."""

    event_date: datetime | None
    event_code: str
    event_description: str
    city: str | None = None
    state: str | None = None
    country: str | None = None


@frozen
class PackageTracking:
    """getPackageTrackingDetails: where a package is (``current_status``: IN_TRANSIT, ...)."""

    package_number: int
    tracking_number: str | None = None
    carrier_code: str | None = None
    current_status: str | None = None
    current_status_description: str | None = None
    ship_date: datetime | None = None
    estimated_arrival_date: datetime | None = None
    signed_for_by: str | None = None
    events: tuple[TrackingEvent, ...] = ()


@frozen
class ReturnReasonCode:
    """A reason a buyer may give for returning a SKU (listReturnReasonCodes)."""

    code: str
    description: str
    translated_description: str | None = None


@frozen
class FulfillmentReturnItem:
    """An item Amazon accepted for return (``status`` New until a fulfilment centre processes
    it, then Processed with the condition it arrived in)."""

    seller_return_item_id: str
    seller_fulfillment_order_item_id: str
    amazon_shipment_id: str
    status: str
    status_changed_date: datetime | None = None
    seller_return_reason_code: str | None = None
    amazon_return_reason_code: str | None = None
    return_comment: str | None = None
    return_authorization_id: str | None = None
    return_received_condition: str | None = None
    fulfillment_center_id: str | None = None


@frozen
class InvalidReturnItem:
    """An item Amazon refused to return, with its reason code (e.g. NoReturnableQuantity)."""

    seller_return_item_id: str
    seller_fulfillment_order_item_id: str
    reason_code: str
    description: str


@frozen
class ReturnAuthorization:
    """Where the buyer sends the items: the fulfilment centre, its address and the RMA."""

    return_authorization_id: str
    fulfillment_center_id: str
    amazon_rma_id: str
    rma_page_url: str
    return_to_address: Address | None = None


@frozen
class FulfillmentReturn:
    """createFulfillmentReturn: accepted items, refused items and the return authorizations."""

    return_items: tuple[FulfillmentReturnItem, ...] = ()
    invalid_return_items: tuple[InvalidReturnItem, ...] = ()
    return_authorizations: tuple[ReturnAuthorization, ...] = ()


def _payload(
    response: httpx2.Response, operation: str = "Fulfillment Outbound"
) -> Mapping[str, Any]:
    body = json_body(response)
    payload = body.get("payload") if isinstance(body, Mapping) else None
    if not isinstance(payload, Mapping):
        raise ValidationError(f"{operation}: the answer has no 'payload' object")
    return payload


def _req(data: Mapping[str, Any], name: str, what: str) -> Any:
    """A field the model marks required: missing is a ValidationError naming record and field."""
    value = data.get(name) if isinstance(data, Mapping) else None
    if value is None or value == "":
        raise ValidationError(f"{what}: required field {name} is missing")
    return value


def _req_text(data: Mapping[str, Any], name: str, what: str) -> str:
    return str(_req(data, name, what))


def _req_int(data: Mapping[str, Any], name: str, what: str) -> int:
    return _as_int(_req(data, name, what), f"{what} {name}")


def _as_int(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise ValidationError(f"{what}: expected a whole number, got {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{what}: expected a whole number, got {value!r}") from None


def _flag(value: Any, what: str, default: bool | None = None) -> bool:
    """A JSON boolean; ``default`` when absent (None: the field is required)."""
    if value is None:
        if default is None:
            raise ValidationError(f"{what}: required flag is missing")
        return default
    if not isinstance(value, bool):
        raise ValidationError(f"{what}: expected true or false, got {value!r}")
    return value


def _address(data: Mapping[str, Any]) -> Address:
    return Address(
        name=data.get("name"),
        line1=data.get("addressLine1"),
        line2=data.get("addressLine2"),
        line3=data.get("addressLine3"),
        city=data.get("city"),
        district=data.get("districtOrCounty"),
        state_or_region=data.get("stateOrRegion"),
        postal_code=data.get("postalCode"),
        country_code=data.get("countryCode"),
        phone=data.get("phone"),
    )


def _money(data: Any, what: str) -> Money:
    if not isinstance(data, Mapping):
        raise ValidationError(f"{what}: expected a Money object, got {data!r}")
    return Money(_req(data, "value", what), _req(data, "currencyCode", what))


def _order(data: Mapping[str, Any]) -> FulfillmentOrder:
    oid = _req_text(data, "sellerFulfillmentOrderId", "fulfillment order")
    what = f"fulfillment order {oid}"
    return FulfillmentOrder(
        seller_fulfillment_order_id=oid,
        displayable_order_id=_req_text(data, "displayableOrderId", what),
        status=_req_text(data, "fulfillmentOrderStatus", what),
        shipping_speed_category=_req_text(data, "shippingSpeedCategory", what),
        destination_address=_address(_req(data, "destinationAddress", what)),
        marketplace_id=data.get("marketplaceId"),
        displayable_order_date=from_wire(data.get("displayableOrderDate"), f"{what} date"),
        displayable_order_comment=data.get("displayableOrderComment"),
        received_date=from_wire(data.get("receivedDate"), f"{what} receivedDate"),
        status_updated_date=from_wire(data.get("statusUpdatedDate"), f"{what} statusUpdatedDate"),
        fulfillment_action=data.get("fulfillmentAction"),
        fulfillment_policy=data.get("fulfillmentPolicy"),
    )


def _item(data: Mapping[str, Any]) -> FulfillmentOrderItem:
    sku = _req_text(data, "sellerSku", "fulfillment order item")
    what = f"fulfillment order item {sku}"
    return FulfillmentOrderItem(
        seller_sku=sku,
        seller_fulfillment_order_item_id=_req_text(data, "sellerFulfillmentOrderItemId", what),
        quantity=_req_int(data, "quantity", what),
        cancelled_quantity=_as_int(data.get("cancelledQuantity") or 0, f"{what} cancelled"),
        unfulfillable_quantity=_as_int(
            data.get("unfulfillableQuantity") or 0, f"{what} unfulfillable"
        ),
        estimated_ship_date=from_wire(data.get("estimatedShipDate"), f"item {sku} ship date"),
        estimated_arrival_date=from_wire(
            data.get("estimatedArrivalDate"), f"item {sku} arrival date"
        ),
    )


def shipment_of(order_id: str, data: Mapping[str, Any]) -> Shipment:
    """An MCF FulfillmentShipment as the canonical :class:`Shipment` of ``order_id``."""
    sid = _req_text(data, "amazonShipmentId", f"fulfillment order {order_id} shipment")
    what = f"shipment {sid}"
    return Shipment(
        shipment_id=sid,
        order_id=order_id,
        status=_req_text(data, "fulfillmentShipmentStatus", what),
        fulfillment_center_id=_text_or_none(data.get("fulfillmentCenterId")),
        shipped_at=from_wire(data.get("shippingDate"), f"shipment {sid} shippingDate"),
        estimated_arrival=from_wire(
            data.get("estimatedArrivalDate"), f"shipment {sid} estimatedArrivalDate"
        ),
        items=tuple(
            ShipmentItem(
                seller_sku=_req_text(i, "sellerSku", f"{what} item"),
                quantity=_req_int(i, "quantity", f"{what} item"),
                line_id=i.get("sellerFulfillmentOrderItemId"),
            )
            for i in data.get("fulfillmentShipmentItem") or ()
        ),
        packages=tuple(
            ShipmentPackage(
                package_number=_req_text(p, "packageNumber", f"{what} package"),
                carrier=p.get("carrierCode"),
                tracking_number=p.get("trackingNumber"),
            )
            for p in data.get("fulfillmentShipmentPackage") or ()
        ),
    )


def _parse_details(response: httpx2.Response) -> FulfillmentOrderDetails:
    payload = _payload(response, "getFulfillmentOrder")
    order = _order(_req(payload, "fulfillmentOrder", "getFulfillmentOrder"))
    oid = order.seller_fulfillment_order_id
    return FulfillmentOrderDetails(
        order=order,
        items=tuple(_item(i) for i in payload.get("fulfillmentOrderItems") or ()),
        shipments=tuple(shipment_of(oid, s) for s in payload.get("fulfillmentShipments") or ()),
    )


def _parse_orders_page(response: httpx2.Response) -> Page[FulfillmentOrder]:
    payload = _payload(response, "listAllFulfillmentOrders")
    orders = tuple(_order(o) for o in payload.get("fulfillmentOrders") or ())
    return Page(orders, payload.get("nextToken") or None)


def _sku_quantities(items: Any, what: str) -> tuple[tuple[str, int], ...]:
    return tuple(
        (_req_text(i, "sellerSku", what), _req_int(i, "quantity", what)) for i in items or ()
    )


def _text_or_none(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _preview_items(items: Any, what: str) -> tuple[PreviewItem, ...]:
    return tuple(
        PreviewItem(
            seller_sku=_req_text(i, "sellerSku", what),
            quantity=_req_int(i, "quantity", what),
            seller_fulfillment_order_item_id=_text_or_none(i.get("sellerFulfillmentOrderItemId")),
        )
        for i in items or ()
    )


def _preview(data: Mapping[str, Any]) -> FulfillmentPreview:
    """One FulfillmentPreview. ``isCODCapable`` is required by the model, yet Amazon's own
    example answer leaves it out: absent means False (no cash on delivery, which Amazon only
    offers in a few marketplaces and always states when it does)."""
    speed = _req_text(data, "shippingSpeedCategory", "fulfillment preview")
    what = f"fulfillment preview {speed}"
    return FulfillmentPreview(
        shipping_speed_category=speed,
        is_fulfillable=_flag(data.get("isFulfillable"), f"{what} isFulfillable"),
        is_cod_capable=_flag(data.get("isCODCapable"), f"{what} isCODCapable", default=False),
        marketplace_id=_req_text(data, "marketplaceId", what),
        estimated_fees=tuple(
            (_req_text(f, "name", f"{what} fee"), _money(f.get("amount"), f"{what} fee amount"))
            for f in data.get("estimatedFees") or ()
        ),
        shipments=tuple(
            PreviewShipment(
                items=_sku_quantities(s.get("fulfillmentPreviewItems"), f"{what} item"),
                earliest_ship_date=from_wire(s.get("earliestShipDate"), f"{speed} ship date"),
                latest_ship_date=from_wire(s.get("latestShipDate"), f"{speed} ship date"),
                earliest_arrival_date=from_wire(s.get("earliestArrivalDate"), f"{speed} arrival"),
                latest_arrival_date=from_wire(s.get("latestArrivalDate"), f"{speed} arrival"),
                preview_items=_preview_items(s.get("fulfillmentPreviewItems"), f"{what} item"),
            )
            for s in data.get("fulfillmentPreviewShipments") or ()
        ),
        unfulfillable_items=_sku_quantities(
            data.get("unfulfillablePreviewItems"), f"{what} unfulfillable item"
        ),
        order_unfulfillable_reasons=tuple(data.get("orderUnfulfillableReasons") or ()),
    )


def _parse_previews(response: httpx2.Response) -> tuple[FulfillmentPreview, ...]:
    payload = _payload(response, "getFulfillmentPreview")
    return tuple(_preview(p) for p in payload.get("fulfillmentPreviews") or ())


def _parse_tracking(response: httpx2.Response) -> PackageTracking:
    data = _payload(response, "getPackageTrackingDetails")
    number = _req_int(data, "packageNumber", "package tracking")
    what = f"package {number}"
    return PackageTracking(
        package_number=number,
        tracking_number=data.get("trackingNumber"),
        carrier_code=data.get("carrierCode"),
        current_status=data.get("currentStatus"),
        current_status_description=data.get("currentStatusDescription"),
        ship_date=from_wire(data.get("shipDate"), f"{what} shipDate"),
        estimated_arrival_date=from_wire(data.get("estimatedArrivalDate"), f"{what} arrival"),
        signed_for_by=data.get("signedForBy"),
        events=tuple(
            TrackingEvent(
                event_date=from_wire(e.get("eventDate"), f"{what} event date"),
                event_code=_req_text(e, "eventCode", f"{what} event"),
                event_description=str(e.get("eventDescription") or ""),
                city=(e.get("eventAddress") or {}).get("city"),
                state=(e.get("eventAddress") or {}).get("state"),
                country=(e.get("eventAddress") or {}).get("country"),
            )
            for e in data.get("trackingEvents") or ()
        ),
    )


def _return_item(data: Mapping[str, Any]) -> FulfillmentReturnItem:
    """A ReturnItem. ``sellerReturnReasonCode`` is required by the model, yet Amazon's own
    example leaves it out: absent is None (the seller's reason is the one it sent)."""
    rid = _req_text(data, "sellerReturnItemId", "return item")
    what = f"return item {rid}"
    return FulfillmentReturnItem(
        seller_return_item_id=rid,
        seller_fulfillment_order_item_id=_req_text(data, "sellerFulfillmentOrderItemId", what),
        amazon_shipment_id=_req_text(data, "amazonShipmentId", what),
        status=_req_text(data, "status", what),
        status_changed_date=from_wire(data.get("statusChangedDate"), f"{what} statusChangedDate"),
        seller_return_reason_code=data.get("sellerReturnReasonCode"),
        amazon_return_reason_code=data.get("amazonReturnReasonCode"),
        return_comment=data.get("returnComment"),
        return_authorization_id=data.get("returnAuthorizationId"),
        return_received_condition=data.get("returnReceivedCondition"),
        fulfillment_center_id=data.get("fulfillmentCenterId"),
    )


def _invalid_return_item(data: Mapping[str, Any]) -> InvalidReturnItem:
    rid = _req_text(data, "sellerReturnItemId", "invalid return item")
    what = f"invalid return item {rid}"
    reason = _req(data, "invalidItemReason", what)
    return InvalidReturnItem(
        seller_return_item_id=rid,
        seller_fulfillment_order_item_id=_req_text(data, "sellerFulfillmentOrderItemId", what),
        reason_code=_req_text(reason, "invalidItemReasonCode", f"{what} invalidItemReason"),
        description=str(reason.get("description") or ""),
    )


def _authorization(data: Mapping[str, Any]) -> ReturnAuthorization:
    rid = _req_text(data, "returnAuthorizationId", "return authorization")
    what = f"return authorization {rid}"
    address = data.get("returnToAddress")
    return ReturnAuthorization(
        return_authorization_id=rid,
        fulfillment_center_id=_req_text(data, "fulfillmentCenterId", what),
        amazon_rma_id=_req_text(data, "amazonRmaId", what),
        rma_page_url=_req_text(data, "rmaPageURL", what),
        return_to_address=_address(address) if isinstance(address, Mapping) else None,
    )


def _parse_return(response: httpx2.Response) -> FulfillmentReturn:
    payload = _payload(response, "createFulfillmentReturn")
    return FulfillmentReturn(
        return_items=tuple(_return_item(i) for i in payload.get("returnItems") or ()),
        invalid_return_items=tuple(
            _invalid_return_item(i) for i in payload.get("invalidReturnItems") or ()
        ),
        return_authorizations=tuple(
            _authorization(a) for a in payload.get("returnAuthorizations") or ()
        ),
    )


def _parse_reason_codes(response: httpx2.Response) -> tuple[ReturnReasonCode, ...]:
    payload = _payload(response, "listReturnReasonCodes")
    return tuple(
        ReturnReasonCode(
            code=_req_text(r, "returnReasonCode", "return reason"),
            description=str(r.get("description") or ""),
            translated_description=r.get("translatedDescription"),
        )
        for r in payload.get("reasonCodeDetails") or ()
    )


def _nothing(response: httpx2.Response) -> None:
    return None


def _order_path(seller_fulfillment_order_id: str) -> str:
    if not isinstance(seller_fulfillment_order_id, str) or not seller_fulfillment_order_id.strip():
        raise ValidationError(
            f"sellerFulfillmentOrderId: expected the seller's order id, "
            f"got {seller_fulfillment_order_id!r}"
        )
    return f"{BASE}/fulfillmentOrders/{quote(seller_fulfillment_order_id.strip(), safe='')}"


# -- operations -------------------------------------------------------------------------------


def get_fulfillment_preview(request: Mapping[str, Any]) -> Call[tuple[FulfillmentPreview, ...]]:
    """getFulfillmentPreview: fees, dates and fulfillability per shipping speed."""
    return Call(
        "POST",
        f"{BASE}/fulfillmentOrders/preview",
        parse=_parse_previews,
        json=check_fulfillment_preview(request),
        limit_key="fulfillmentOutbound.getFulfillmentPreview",
        idempotent=True,  # a preview changes nothing
    )


def create_fulfillment_order(request: FulfillmentOrderRequest | Mapping[str, Any]) -> Call[None]:
    """createFulfillmentOrder: ask Amazon to ship the items (checked first; see module doc).

    ``request`` is a FulfillmentOrderRequest or the equivalent mapping: both send one body.
    """
    if isinstance(request, FulfillmentOrderRequest):
        request = request.to_dict()
    return Call(
        "POST",
        f"{BASE}/fulfillmentOrders",
        parse=_nothing,
        json=check_fulfillment_order(request),
        limit_key="fulfillmentOutbound.createFulfillmentOrder",
    )


def get_fulfillment_order(seller_fulfillment_order_id: str) -> Call[FulfillmentOrderDetails]:
    """getFulfillmentOrder: the order, its items, shipments, packages and tracking numbers."""
    return Call(
        "GET",
        _order_path(seller_fulfillment_order_id),
        parse=_parse_details,
        limit_key="fulfillmentOutbound.getFulfillmentOrder",
    )


def list_all_fulfillment_orders(
    next_token: str | None = None, *, query_start_date: datetime | None = None
) -> Call[Page[FulfillmentOrder]]:
    """listAllFulfillmentOrders: one page of orders updated since ``query_start_date``."""
    params: dict[str, str] = {}
    if next_token:
        params["nextToken"] = next_token
    elif query_start_date is not None:
        params["queryStartDate"] = to_wire(query_start_date, "query_start_date")
    return Call(
        "GET",
        f"{BASE}/fulfillmentOrders",
        parse=_parse_orders_page,
        params=params,
        limit_key="fulfillmentOutbound.listAllFulfillmentOrders",
    )


def cancel_fulfillment_order(seller_fulfillment_order_id: str) -> Call[None]:
    """cancelFulfillmentOrder: cancel an order Amazon has not shipped yet (safe to repeat)."""
    return Call(
        "PUT",
        f"{_order_path(seller_fulfillment_order_id)}/cancel",
        parse=_nothing,
        limit_key="fulfillmentOutbound.cancelFulfillmentOrder",
    )


def update_fulfillment_order(
    seller_fulfillment_order_id: str, request: Mapping[str, Any]
) -> Call[None]:
    """updateFulfillmentOrder: change an order Amazon has not shipped (address, speed, items,
    or ``fulfillmentAction`` Hold -> Ship). Checked first (:func:`check_update_request`)."""
    path = _order_path(seller_fulfillment_order_id)
    return Call(
        "PUT",
        path,
        parse=_nothing,
        json=check_update_request(seller_fulfillment_order_id.strip(), request),
        limit_key="fulfillmentOutbound.updateFulfillmentOrder",
    )


def create_fulfillment_return(
    seller_fulfillment_order_id: str, items: Sequence[Mapping[str, Any]]
) -> Call[FulfillmentReturn]:
    """createFulfillmentReturn: return shipped items of an MCF order (PUT .../return).

    Sending the same ``sellerReturnItemId`` twice is harmless (Amazon answers it as an invalid
    item with DuplicateRequest), so the call is retried like any PUT."""
    path = f"{_order_path(seller_fulfillment_order_id)}/return"
    return Call(
        "PUT",
        path,
        parse=_parse_return,
        json=check_return_items(seller_fulfillment_order_id.strip(), items),
        limit_key="fulfillmentOutbound.createFulfillmentReturn",
    )


def list_return_reason_codes(
    seller_sku: str,
    *,
    marketplace_id: str | None = None,
    seller_fulfillment_order_id: str | None = None,
    language: str | None = None,
) -> Call[tuple[ReturnReasonCode, ...]]:
    """listReturnReasonCodes: the reasons a SKU may be returned for (``language``: e.g.
    ``en_US``, for translated descriptions)."""
    if not isinstance(seller_sku, str) or not seller_sku.strip():
        raise ValidationError(
            f"listReturnReasonCodes sellerSku: expected a SKU, got {seller_sku!r}"
        )
    params = {"sellerSku": seller_sku.strip()}
    for name, value in (
        ("marketplaceId", marketplace_id),
        ("sellerFulfillmentOrderId", seller_fulfillment_order_id),
        ("language", language),
    ):
        if value:
            params[name] = value
    return Call(
        "GET",
        f"{BASE}/returnReasonCodes",
        parse=_parse_reason_codes,
        params=params,
        limit_key="fulfillmentOutbound.listReturnReasonCodes",
    )


def get_package_tracking_details(package_number: int) -> Call[PackageTracking]:
    """getPackageTrackingDetails: a package's carrier, status and scans."""
    if isinstance(package_number, bool) or not isinstance(package_number, int):
        try:
            package_number = int(str(package_number))
        except ValueError:
            raise ValidationError(
                f"packageNumber: expected the whole number from getFulfillmentOrder, "
                f"got {package_number!r}"
            ) from None
    return Call(
        "GET",
        f"{BASE}/tracking",
        parse=_parse_tracking,
        params={"packageNumber": str(package_number)},
        limit_key="fulfillmentOutbound.getPackageTrackingDetails",
    )


# -- clients ----------------------------------------------------------------------------------


class FulfillmentApi:
    """Fulfillment Outbound 2020-07-01 over a synchronous sender (``client.fulfillment``)."""

    def __init__(self, sender: SyncSender) -> None:
        self._sender = sender

    def get_fulfillment_preview(self, request: Mapping[str, Any]) -> tuple[FulfillmentPreview, ...]:
        """Fees, dates and fulfillability per shipping speed (:func:`get_fulfillment_preview`)."""
        return self._sender.send(get_fulfillment_preview(request))

    def create_fulfillment_order(
        self, request: FulfillmentOrderRequest | Mapping[str, Any]
    ) -> None:
        """Ask Amazon to ship an order (checked first: :func:`check_fulfillment_order`)."""
        self._sender.send(create_fulfillment_order(request))

    def get_fulfillment_order(self, seller_fulfillment_order_id: str) -> FulfillmentOrderDetails:
        """The order, its items, shipments and tracking numbers."""
        return self._sender.send(get_fulfillment_order(seller_fulfillment_order_id))

    def list_all_fulfillment_orders(
        self, *, query_start_date: datetime | None = None
    ) -> Iterator[FulfillmentOrder]:
        """Every fulfillment order updated since ``query_start_date``, page after page."""
        return self._sender.pages(
            lambda token: list_all_fulfillment_orders(token, query_start_date=query_start_date)
        )

    def cancel_fulfillment_order(self, seller_fulfillment_order_id: str) -> None:
        """Cancel an MCF order Amazon has not shipped (safe to repeat)."""
        self._sender.send(cancel_fulfillment_order(seller_fulfillment_order_id))

    def get_package_tracking_details(self, package_number: int) -> PackageTracking:
        """Where a package is: carrier, status and scans."""
        return self._sender.send(get_package_tracking_details(package_number))

    def update_fulfillment_order(
        self, seller_fulfillment_order_id: str, request: Mapping[str, Any]
    ) -> None:
        """Change an MCF order Amazon has not shipped (see :func:`update_fulfillment_order`)."""
        self._sender.send(update_fulfillment_order(seller_fulfillment_order_id, request))

    def create_fulfillment_return(
        self, seller_fulfillment_order_id: str, items: Sequence[Mapping[str, Any]]
    ) -> FulfillmentReturn:
        """Return shipped items of an MCF order (see :func:`create_fulfillment_return`)."""
        return self._sender.send(create_fulfillment_return(seller_fulfillment_order_id, items))

    def list_return_reason_codes(
        self,
        seller_sku: str,
        *,
        marketplace_id: str | None = None,
        seller_fulfillment_order_id: str | None = None,
        language: str | None = None,
    ) -> tuple[ReturnReasonCode, ...]:
        """The return reasons Amazon accepts for ``seller_sku``."""
        return self._sender.send(
            list_return_reason_codes(
                seller_sku,
                marketplace_id=marketplace_id,
                seller_fulfillment_order_id=seller_fulfillment_order_id,
                language=language,
            )
        )


class AsyncFulfillmentApi:
    """Fulfillment Outbound 2020-07-01 over an asynchronous sender (``client.fulfillment``)."""

    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender

    async def get_fulfillment_preview(
        self, request: Mapping[str, Any]
    ) -> tuple[FulfillmentPreview, ...]:
        """Fees, dates and fulfillability per shipping speed (:func:`get_fulfillment_preview`)."""
        return await self._sender.send(get_fulfillment_preview(request))

    async def create_fulfillment_order(
        self, request: FulfillmentOrderRequest | Mapping[str, Any]
    ) -> None:
        """Ask Amazon to ship an order (checked first: :func:`check_fulfillment_order`)."""
        await self._sender.send(create_fulfillment_order(request))

    async def get_fulfillment_order(
        self, seller_fulfillment_order_id: str
    ) -> FulfillmentOrderDetails:
        """The order, its items, shipments and tracking numbers."""
        return await self._sender.send(get_fulfillment_order(seller_fulfillment_order_id))

    def list_all_fulfillment_orders(
        self, *, query_start_date: datetime | None = None
    ) -> AsyncIterator[FulfillmentOrder]:
        """Every fulfillment order updated since ``query_start_date``, page after page."""
        return self._sender.pages(
            lambda token: list_all_fulfillment_orders(token, query_start_date=query_start_date)
        )

    async def cancel_fulfillment_order(self, seller_fulfillment_order_id: str) -> None:
        """Cancel an MCF order Amazon has not shipped (safe to repeat)."""
        await self._sender.send(cancel_fulfillment_order(seller_fulfillment_order_id))

    async def get_package_tracking_details(self, package_number: int) -> PackageTracking:
        """Where a package is: carrier, status and scans."""
        return await self._sender.send(get_package_tracking_details(package_number))

    async def update_fulfillment_order(
        self, seller_fulfillment_order_id: str, request: Mapping[str, Any]
    ) -> None:
        """Change an MCF order Amazon has not shipped (see :func:`update_fulfillment_order`)."""
        await self._sender.send(update_fulfillment_order(seller_fulfillment_order_id, request))

    async def create_fulfillment_return(
        self, seller_fulfillment_order_id: str, items: Sequence[Mapping[str, Any]]
    ) -> FulfillmentReturn:
        """Return shipped items of an MCF order (see :func:`create_fulfillment_return`)."""
        return await self._sender.send(
            create_fulfillment_return(seller_fulfillment_order_id, items)
        )

    async def list_return_reason_codes(
        self,
        seller_sku: str,
        *,
        marketplace_id: str | None = None,
        seller_fulfillment_order_id: str | None = None,
        language: str | None = None,
    ) -> tuple[ReturnReasonCode, ...]:
        """The return reasons Amazon accepts for ``seller_sku``."""
        return await self._sender.send(
            list_return_reason_codes(
                seller_sku,
                marketplace_id=marketplace_id,
                seller_fulfillment_order_id=seller_fulfillment_order_id,
                language=language,
            )
        )
