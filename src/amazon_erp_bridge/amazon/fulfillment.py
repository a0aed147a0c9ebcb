"""Fulfillment Outbound API 2020-07-01: Multi-Channel Fulfillment (MCF) orders from FBA stock.

An integrator ships an order from another sales channel out of Amazon's warehouses: preview it
(getFulfillmentPreview), create it (createFulfillmentOrder, with the seller's own order id),
follow it (getFulfillmentOrder: shipments, packages and tracking numbers, mapped to the
canonical :class:`~amazon_erp_bridge.model.Shipment`), list recent ones, cancel one, and track
a package.

Request bodies are mappings with Amazon's field names (the mapping layer builds them);
:func:`check_fulfillment_order` refuses one that lacks a required field, naming every missing
one, before anything is sent. Datetimes and :class:`~amazon_erp_bridge.model.Money` values in
a body are written in Amazon's wire form.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Final
from urllib.parse import quote

import httpx2
from attrs import frozen

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
        return tuple(
            p.tracking_number for s in self.shipments for p in s.packages if p.tracking_number
        )


@frozen
class PreviewShipment:
    """A shipment Amazon would make, with its ship and arrival windows and items (sku, qty)."""

    items: tuple[tuple[str, int], ...]
    earliest_ship_date: datetime | None = None
    latest_ship_date: datetime | None = None
    earliest_arrival_date: datetime | None = None
    latest_arrival_date: datetime | None = None


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


def _payload(response: httpx2.Response) -> Mapping[str, Any]:
    body = json_body(response)
    payload = body.get("payload") if isinstance(body, Mapping) else None
    if not isinstance(payload, Mapping):
        raise KeyError("payload")
    return payload


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


def _money(data: Mapping[str, Any]) -> Money:
    return Money(data["value"], data["currencyCode"])


def _order(data: Mapping[str, Any]) -> FulfillmentOrder:
    oid = str(data["sellerFulfillmentOrderId"])
    what = f"fulfillment order {oid}"
    return FulfillmentOrder(
        seller_fulfillment_order_id=oid,
        displayable_order_id=str(data["displayableOrderId"]),
        status=str(data["fulfillmentOrderStatus"]),
        shipping_speed_category=str(data["shippingSpeedCategory"]),
        destination_address=_address(data["destinationAddress"]),
        marketplace_id=data.get("marketplaceId"),
        displayable_order_date=from_wire(data.get("displayableOrderDate"), f"{what} date"),
        displayable_order_comment=data.get("displayableOrderComment"),
        received_date=from_wire(data.get("receivedDate"), f"{what} receivedDate"),
        status_updated_date=from_wire(data.get("statusUpdatedDate"), f"{what} statusUpdatedDate"),
        fulfillment_action=data.get("fulfillmentAction"),
        fulfillment_policy=data.get("fulfillmentPolicy"),
    )


def _item(data: Mapping[str, Any]) -> FulfillmentOrderItem:
    sku = str(data["sellerSku"])
    return FulfillmentOrderItem(
        seller_sku=sku,
        seller_fulfillment_order_item_id=str(data["sellerFulfillmentOrderItemId"]),
        quantity=int(data["quantity"]),
        cancelled_quantity=int(data.get("cancelledQuantity") or 0),
        unfulfillable_quantity=int(data.get("unfulfillableQuantity") or 0),
        estimated_ship_date=from_wire(data.get("estimatedShipDate"), f"item {sku} ship date"),
        estimated_arrival_date=from_wire(
            data.get("estimatedArrivalDate"), f"item {sku} arrival date"
        ),
    )


def shipment_of(order_id: str, data: Mapping[str, Any]) -> Shipment:
    """An MCF FulfillmentShipment as the canonical :class:`Shipment` of ``order_id``."""
    sid = str(data["amazonShipmentId"])
    return Shipment(
        shipment_id=sid,
        order_id=order_id,
        status=str(data["fulfillmentShipmentStatus"]),
        shipped_at=from_wire(data.get("shippingDate"), f"shipment {sid} shippingDate"),
        estimated_arrival=from_wire(
            data.get("estimatedArrivalDate"), f"shipment {sid} estimatedArrivalDate"
        ),
        items=tuple(
            ShipmentItem(
                seller_sku=str(i["sellerSku"]),
                quantity=int(i["quantity"]),
                line_id=i.get("sellerFulfillmentOrderItemId"),
            )
            for i in data.get("fulfillmentShipmentItem") or ()
        ),
        packages=tuple(
            ShipmentPackage(
                package_number=str(p["packageNumber"]),
                carrier=p.get("carrierCode"),
                tracking_number=p.get("trackingNumber"),
            )
            for p in data.get("fulfillmentShipmentPackage") or ()
        ),
    )


def _parse_details(response: httpx2.Response) -> FulfillmentOrderDetails:
    payload = _payload(response)
    order = _order(payload["fulfillmentOrder"])
    oid = order.seller_fulfillment_order_id
    return FulfillmentOrderDetails(
        order=order,
        items=tuple(_item(i) for i in payload.get("fulfillmentOrderItems") or ()),
        shipments=tuple(shipment_of(oid, s) for s in payload.get("fulfillmentShipments") or ()),
    )


def _parse_orders_page(response: httpx2.Response) -> Page[FulfillmentOrder]:
    payload = _payload(response)
    orders = tuple(_order(o) for o in payload.get("fulfillmentOrders") or ())
    return Page(orders, payload.get("nextToken") or None)


def _sku_quantities(items: Any) -> tuple[tuple[str, int], ...]:
    return tuple((str(i["sellerSku"]), int(i["quantity"])) for i in items or ())


def _preview(data: Mapping[str, Any]) -> FulfillmentPreview:
    speed = str(data["shippingSpeedCategory"])
    return FulfillmentPreview(
        shipping_speed_category=speed,
        is_fulfillable=bool(data["isFulfillable"]),
        is_cod_capable=bool(data["isCODCapable"]),
        marketplace_id=str(data["marketplaceId"]),
        estimated_fees=tuple(
            (str(f["name"]), _money(f["amount"])) for f in data.get("estimatedFees") or ()
        ),
        shipments=tuple(
            PreviewShipment(
                items=_sku_quantities(s.get("fulfillmentPreviewItems")),
                earliest_ship_date=from_wire(s.get("earliestShipDate"), f"{speed} ship date"),
                latest_ship_date=from_wire(s.get("latestShipDate"), f"{speed} ship date"),
                earliest_arrival_date=from_wire(s.get("earliestArrivalDate"), f"{speed} arrival"),
                latest_arrival_date=from_wire(s.get("latestArrivalDate"), f"{speed} arrival"),
            )
            for s in data.get("fulfillmentPreviewShipments") or ()
        ),
        unfulfillable_items=_sku_quantities(data.get("unfulfillablePreviewItems")),
        order_unfulfillable_reasons=tuple(data.get("orderUnfulfillableReasons") or ()),
    )


def _parse_previews(response: httpx2.Response) -> tuple[FulfillmentPreview, ...]:
    return tuple(_preview(p) for p in _payload(response).get("fulfillmentPreviews") or ())


def _parse_tracking(response: httpx2.Response) -> PackageTracking:
    data = _payload(response)
    number = int(data["packageNumber"])
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
                event_code=str(e["eventCode"]),
                event_description=str(e.get("eventDescription") or ""),
                city=(e.get("eventAddress") or {}).get("city"),
                state=(e.get("eventAddress") or {}).get("state"),
                country=(e.get("eventAddress") or {}).get("country"),
            )
            for e in data.get("trackingEvents") or ()
        ),
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


def create_fulfillment_order(request: Mapping[str, Any]) -> Call[None]:
    """createFulfillmentOrder: ask Amazon to ship the items (checked first; see module doc)."""
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
        return self._sender.send(get_fulfillment_preview(request))

    def create_fulfillment_order(self, request: Mapping[str, Any]) -> None:
        self._sender.send(create_fulfillment_order(request))

    def get_fulfillment_order(self, seller_fulfillment_order_id: str) -> FulfillmentOrderDetails:
        return self._sender.send(get_fulfillment_order(seller_fulfillment_order_id))

    def list_all_fulfillment_orders(
        self, *, query_start_date: datetime | None = None
    ) -> Iterator[FulfillmentOrder]:
        """Every fulfillment order updated since ``query_start_date``, page after page."""
        return self._sender.pages(
            lambda token: list_all_fulfillment_orders(token, query_start_date=query_start_date)
        )

    def cancel_fulfillment_order(self, seller_fulfillment_order_id: str) -> None:
        self._sender.send(cancel_fulfillment_order(seller_fulfillment_order_id))

    def get_package_tracking_details(self, package_number: int) -> PackageTracking:
        return self._sender.send(get_package_tracking_details(package_number))


class AsyncFulfillmentApi:
    """Fulfillment Outbound 2020-07-01 over an asynchronous sender (``client.fulfillment``)."""

    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender

    async def get_fulfillment_preview(
        self, request: Mapping[str, Any]
    ) -> tuple[FulfillmentPreview, ...]:
        return await self._sender.send(get_fulfillment_preview(request))

    async def create_fulfillment_order(self, request: Mapping[str, Any]) -> None:
        await self._sender.send(create_fulfillment_order(request))

    async def get_fulfillment_order(
        self, seller_fulfillment_order_id: str
    ) -> FulfillmentOrderDetails:
        return await self._sender.send(get_fulfillment_order(seller_fulfillment_order_id))

    def list_all_fulfillment_orders(
        self, *, query_start_date: datetime | None = None
    ) -> AsyncIterator[FulfillmentOrder]:
        """Every fulfillment order updated since ``query_start_date``, page after page."""
        return self._sender.pages(
            lambda token: list_all_fulfillment_orders(token, query_start_date=query_start_date)
        )

    async def cancel_fulfillment_order(self, seller_fulfillment_order_id: str) -> None:
        await self._sender.send(cancel_fulfillment_order(seller_fulfillment_order_id))

    async def get_package_tracking_details(self, package_number: int) -> PackageTracking:
        return await self._sender.send(get_package_tracking_details(package_number))
