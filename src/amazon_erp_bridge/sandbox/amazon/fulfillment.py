"""Fake Fulfillment Outbound API 2020-07-01 (Multi-Channel Fulfillment).

Orders are checked the way Amazon's model says (required fields, known SKUs), then move one
step every ``polls_per_step`` getFulfillmentOrder calls: Received -> Planning -> Processing
(a PENDING shipment) -> Complete (the shipment SHIPPED, with a package, carrier and tracking
number that getPackageTrackingDetails knows). Orders created with ``fulfillmentAction: Hold``
stay Received. Previews price the per-unit fee by shipping speed and say whether the seeded FBA
stock covers the items.

updateFulfillmentOrder changes an order not yet shipped (address, speed, quantities, Hold ->
Ship); listReturnReasonCodes answers the reasons of Amazon's example for a known SKU;
createFulfillmentReturn accepts shipped items once each (a repeated sellerReturnItemId comes
back as an invalid item with DuplicateRequest) under one return authorization per order.
Required fields and enums are the fake's own reading of ``fulfillmentOutbound_2020-07-01.json``,
not the client's tables.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote

from attrs import define, field

from amazon_erp_bridge.sandbox.amazon.jobs import StoredPages
from amazon_erp_bridge.sandbox.amazon.marketplaces import MARKETPLACES
from amazon_erp_bridge.sandbox.amazon.wire import wire_time
from amazon_erp_bridge.sandbox.server import Reply, SandboxRequest

if TYPE_CHECKING:
    import re

    from amazon_erp_bridge.sandbox.amazon.app import Caller, FakeSpApi

BASE: Final = "/fba/outbound/2020-07-01"
DEFAULT_MARKETPLACE: Final = "ATVPDKIKX0DER"
_STEPS: Final = ("Received", "Planning", "Processing", "Complete")
_SPEED_FACTOR: Final = {
    "Standard": Decimal("1"),
    "Expedited": Decimal("1.5"),
    "Priority": Decimal("2.2"),
    "ScheduledDelivery": Decimal("2.5"),
}
_TRANSIT_DAYS: Final = {"Standard": 5, "Expedited": 3, "Priority": 1, "ScheduledDelivery": 2}
_PER_UNIT_FEE_USD: Final = Decimal("3.22")
_FX: Final = {"USD": "1", "CAD": "1.35", "GBP": "0.8", "EUR": "0.92", "JPY": "150"}

# From the model's definitions (CreateFulfillmentOrderRequest, Address, CreateFulfillmentOrderItem,
# UpdateFulfillmentOrderItem, CreateReturnItem and their enums).
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
UPDATE_ITEM_REQUIRED: Final = ("sellerFulfillmentOrderItemId", "quantity")
RETURN_ITEM_REQUIRED: Final = (
    "sellerReturnItemId",
    "sellerFulfillmentOrderItemId",
    "amazonShipmentId",
    "returnReasonCode",
)
SHIPPING_SPEEDS: Final = frozenset({"Standard", "Expedited", "Priority", "ScheduledDelivery"})
FULFILLMENT_ACTIONS: Final = frozenset({"Ship", "Hold"})
FULFILLMENT_POLICIES: Final = frozenset({"FillOrKill", "FillAll", "FillAllAvailable"})
#: The reason codes of the model's listReturnReasonCodes example.
RETURN_REASONS: Final = (
    ("CR-UNWANTED_ITEM", "No longer needed/wanted"),
    ("CR-DEFECTIVE", "Defective/Does not work properly"),
    ("CR-ORDERED_WRONG_ITEM", "Accidental order"),
    ("CR-DAMAGED_BY_CARRIER", "Damaged during shipping"),
    ("CR-SWITCHEROO", "Different from what was ordered"),
)


def _wire(value: datetime, _what: str) -> str:
    return wire_time(value)


@define
class FakeMcfOrder:
    """A fulfillment order as the fake keeps it: the request and what happened since."""

    request: dict[str, Any]
    marketplace_id: str
    received: datetime
    status: str = "Received"
    updated: datetime | None = None
    polls: int = 0
    shipment_id: str = ""
    package_number: int | None = None
    tracking_number: str | None = None
    shipped: datetime | None = None
    shipment_status: str | None = None
    returns: dict[str, dict[str, Any]] = field(factory=dict)

    @property
    def order_id(self) -> str:
        return str(self.request["sellerFulfillmentOrderId"])

    @property
    def speed(self) -> str:
        return str(self.request["shippingSpeedCategory"])

    def wire_order(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            k: self.request[k]
            for k in (
                "sellerFulfillmentOrderId",
                "displayableOrderId",
                "displayableOrderDate",
                "displayableOrderComment",
                "shippingSpeedCategory",
                "destinationAddress",
                "fulfillmentAction",
                "fulfillmentPolicy",
                "notificationEmails",
            )
            if k in self.request
        }
        out["marketplaceId"] = self.marketplace_id
        out["receivedDate"] = _wire(self.received, "receivedDate")
        out["fulfillmentOrderStatus"] = self.status
        out["statusUpdatedDate"] = _wire(self.updated or self.received, "statusUpdatedDate")
        return out

    def arrival(self) -> datetime:
        return (self.shipped or self.received) + timedelta(days=_TRANSIT_DAYS[self.speed])

    def wire_items(self) -> list[dict[str, Any]]:
        cancelled = self.status == "Cancelled"
        return [
            {
                "sellerSku": i["sellerSku"],
                "sellerFulfillmentOrderItemId": i["sellerFulfillmentOrderItemId"],
                "quantity": i["quantity"],
                "cancelledQuantity": i["quantity"] if cancelled else 0,
                "unfulfillableQuantity": 0,
                "estimatedArrivalDate": _wire(self.arrival(), "estimatedArrivalDate"),
            }
            for i in self.request["items"]
        ]

    def wire_shipments(self) -> list[dict[str, Any]]:
        if self.shipment_status is None:
            return []
        shipment: dict[str, Any] = {
            "amazonShipmentId": self.shipment_id,
            "fulfillmentCenterId": "SDX1",
            "fulfillmentShipmentStatus": self.shipment_status,
            "estimatedArrivalDate": _wire(self.arrival(), "estimatedArrivalDate"),
            "fulfillmentShipmentItem": [
                {
                    "sellerSku": i["sellerSku"],
                    "sellerFulfillmentOrderItemId": i["sellerFulfillmentOrderItemId"],
                    "quantity": i["quantity"],
                    **({"packageNumber": self.package_number} if self.package_number else {}),
                }
                for i in self.request["items"]
            ],
        }
        if self.shipped is not None:
            shipment["shippingDate"] = _wire(self.shipped, "shippingDate")
        if self.package_number is not None:
            shipment["fulfillmentShipmentPackage"] = [
                {
                    "packageNumber": self.package_number,
                    "carrierCode": "UPS",
                    "trackingNumber": self.tracking_number,
                    "estimatedArrivalDate": _wire(self.arrival(), "estimatedArrivalDate"),
                }
            ]
        return [shipment]


def _missing(request: Mapping[str, Any]) -> list[str]:
    out = [k for k in ORDER_REQUIRED if request.get(k) in (None, "", [])]
    address = request.get("destinationAddress")
    if isinstance(address, Mapping):
        out += [f"destinationAddress.{k}" for k in ADDRESS_REQUIRED if not address.get(k)]
    for n, item in enumerate(request.get("items") or ()):
        if isinstance(item, Mapping):
            out += [f"items[{n}].{k}" for k in ITEM_REQUIRED if item.get(k) in (None, "")]
    return out


class FulfillmentFake:
    """The state and switches of the fake Fulfillment Outbound API (``fake.fulfillment``)."""

    def __init__(self, fake: FakeSpApi) -> None:
        self.fake = fake
        self.orders: dict[str, FakeMcfOrder] = {}
        self.polls_per_step = 1
        self._packages: dict[int, FakeMcfOrder] = {}
        self._pages: StoredPages[FakeMcfOrder] = StoredPages(lambda: fake.token_value("mcf-"))
        self._lock = threading.RLock()

    def _known_skus(self) -> set[str]:
        return {p.sku for p in self.fake.state.products}

    def _stock(self, marketplace_id: str, sku: str) -> int:
        level = self.fake.state.inventory.get((marketplace_id, sku))
        return level.fulfillable if level is not None else 0

    def _advance(self, order: FakeMcfOrder) -> None:
        if order.status not in _STEPS[:-1] or order.request.get("fulfillmentAction") == "Hold":
            return
        order.polls += 1
        step = min(order.polls // max(self.polls_per_step, 1), len(_STEPS) - 1)
        if _STEPS[step] == order.status:
            return
        now = self.fake.now()
        order.status, order.updated = _STEPS[step], now
        if order.status == "Processing":
            order.shipment_status = "PENDING"
        elif order.status == "Complete":
            with self._lock:
                number = 1000 + len(self._packages) + 1
                self._packages[number] = order
            order.shipment_status = "SHIPPED"
            order.shipped = now
            order.package_number = number
            order.tracking_number = f"1ZSANDBOX{number:08d}"

    # -- operations ------------------------------------------------------------------------

    def preview(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        body = req.json() or {}
        if not isinstance(body.get("address"), Mapping) or not body.get("items"):
            return self.fake.error(400, "InvalidInput", "address and items are required.")
        marketplace_id = body.get("marketplaceId") or DEFAULT_MARKETPLACE
        currency = (
            MARKETPLACES[marketplace_id].currency if marketplace_id in MARKETPLACES else "USD"
        )
        speeds = body.get("shippingSpeedCategories") or sorted(
            SHIPPING_SPEEDS - {"ScheduledDelivery"}
        )
        now = self.fake.now()
        items = body["items"]
        short = [
            i
            for i in items
            if self._stock(marketplace_id, i.get("sellerSku", "")) < int(i.get("quantity") or 0)
        ]
        units = sum(int(i.get("quantity") or 0) for i in items)
        previews = []
        for speed in speeds:
            fee = (
                _PER_UNIT_FEE_USD * Decimal(_FX.get(currency, "1")) * _SPEED_FACTOR[speed] * units
            ).quantize(Decimal("0.01") if currency != "JPY" else Decimal("1"))
            days = _TRANSIT_DAYS[speed]
            previews.append(
                {
                    "shippingSpeedCategory": speed,
                    "isFulfillable": not short,
                    "isCODCapable": False,
                    "marketplaceId": marketplace_id,
                    "estimatedShippingWeight": {"unit": "POUNDS", "value": str(units)},
                    "estimatedFees": [
                        {
                            "name": "FBAPerUnitFulfillmentFee",
                            "amount": {"currencyCode": currency, "value": str(fee)},
                        }
                    ],
                    "fulfillmentPreviewShipments": [
                        {
                            "earliestShipDate": _wire(now, "ship"),
                            "latestShipDate": _wire(now + timedelta(days=1), "ship"),
                            "earliestArrivalDate": _wire(now + timedelta(days=days), "arrive"),
                            "latestArrivalDate": _wire(now + timedelta(days=days + 2), "arrive"),
                            "fulfillmentPreviewItems": [
                                {
                                    "sellerSku": i["sellerSku"],
                                    "quantity": i["quantity"],
                                    "sellerFulfillmentOrderItemId": i[
                                        "sellerFulfillmentOrderItemId"
                                    ],
                                }
                                for i in items
                                if i not in short
                            ],
                        }
                    ],
                    "unfulfillablePreviewItems": [
                        {
                            "sellerSku": i["sellerSku"],
                            "quantity": i["quantity"],
                            "sellerFulfillmentOrderItemId": i["sellerFulfillmentOrderItemId"],
                            "itemUnfulfillableReasons": ["InventoryUnavailable"],
                        }
                        for i in short
                    ],
                    "orderUnfulfillableReasons": ["InventoryUnavailable"] if short else [],
                }
            )
        return Reply.json({"payload": {"fulfillmentPreviews": previews}})

    def create(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        body = req.json() or {}
        missing = _missing(body)
        if missing:
            return self.fake.error(
                400, "InvalidInput", f"Missing required field(s): {', '.join(missing)}."
            )
        if body["shippingSpeedCategory"] not in SHIPPING_SPEEDS:
            return self.fake.error(400, "InvalidInput", "Invalid shippingSpeedCategory.")
        if body.get("fulfillmentAction", "Ship") not in FULFILLMENT_ACTIONS:
            return self.fake.error(400, "InvalidInput", "Invalid fulfillmentAction.")
        if body.get("fulfillmentPolicy", "FillOrKill") not in FULFILLMENT_POLICIES:
            return self.fake.error(400, "InvalidInput", "Invalid fulfillmentPolicy.")
        unknown = sorted({i["sellerSku"] for i in body["items"]} - self._known_skus())
        if unknown:
            return self.fake.error(400, "InvalidInput", f"Unknown sellerSku: {', '.join(unknown)}.")
        order_id = str(body["sellerFulfillmentOrderId"])
        with self._lock:
            if order_id in self.orders:
                return self.fake.error(
                    400,
                    "InvalidInput",
                    f"A fulfillment order with sellerFulfillmentOrderId {order_id} already exists.",
                )
            self.orders[order_id] = FakeMcfOrder(
                request=dict(body),
                marketplace_id=body.get("marketplaceId") or DEFAULT_MARKETPLACE,
                received=self.fake.now(),
                shipment_id=f"T{len(self.orders) + 1:07d}SDX",
            )
        return Reply.json({})

    def get(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        with self._lock:
            order = self.orders.get(unquote(m["id"]))
            if order is None:
                return self.fake.error(404, "NotFound", f"Fulfillment order {m['id']} not found.")
            self._advance(order)
            payload = {
                "fulfillmentOrder": order.wire_order(),
                "fulfillmentOrderItems": order.wire_items(),
                "fulfillmentShipments": order.wire_shipments(),
                "returnItems": list(order.returns.values()),
                "returnAuthorizations": [],
            }
        return Reply.json({"payload": payload})

    def list_all(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        token = req.arg("nextToken")
        if token:
            found = self._pages.next(token)
            if found is None:
                return self.fake.error(400, "InvalidInput", "Invalid nextToken.")
        else:
            since_text = req.arg("queryStartDate")
            since = datetime.fromisoformat(since_text) if since_text else None
            with self._lock:
                matches = [
                    o
                    for o in self.orders.values()
                    if since is None or (o.updated or o.received) >= since
                ]
            found = self._pages.first(matches, self.fake.page_size)
        page, next_token = found
        payload: dict[str, Any] = {"fulfillmentOrders": [o.wire_order() for o in page]}
        if next_token:
            payload["nextToken"] = next_token
        return Reply.json({"payload": payload})

    def cancel(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        with self._lock:
            order = self.orders.get(unquote(m["id"]))
            if order is None:
                return self.fake.error(404, "NotFound", f"Fulfillment order {m['id']} not found.")
            if order.shipment_status == "SHIPPED" or order.status == "Complete":
                return self.fake.error(
                    400,
                    "InvalidInput",
                    f"Fulfillment order {order.order_id} has shipped and cannot be cancelled.",
                )
            if order.status not in ("New", "Received", "Planning", "Cancelled"):
                # FulfillmentOrderStatus (2020-07-01): "The seller cannot cancel a fulfillment
                # order that has a status of Processing" (picking has begun), nor a finished one.
                return self.fake.error(
                    400,
                    "InvalidInput",
                    f"Fulfillment order {order.order_id} is {order.status} and cannot be "
                    "cancelled.",
                )
            order.status, order.updated = "Cancelled", self.fake.now()
            if order.shipment_status is not None:
                order.shipment_status = "CANCELLED_BY_SELLER"
        return Reply.json({})

    def update(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        body = req.json() or {}
        if not isinstance(body, dict):
            return self.fake.error(400, "InvalidInput", "The request body must be an object.")
        for n, item in enumerate(body.get("items") or ()):
            missing = [k for k in UPDATE_ITEM_REQUIRED if item.get(k) in (None, "")]
            if missing:
                return self.fake.error(
                    400, "InvalidInput", f"Missing required field(s): items[{n}].{missing[0]}."
                )
        for name, allowed in (
            ("shippingSpeedCategory", SHIPPING_SPEEDS),
            ("fulfillmentAction", FULFILLMENT_ACTIONS),
            ("fulfillmentPolicy", FULFILLMENT_POLICIES),
        ):
            if name in body and body[name] not in allowed:
                return self.fake.error(400, "InvalidInput", f"Invalid {name}.")
        with self._lock:
            order = self.orders.get(unquote(m["id"]))
            if order is None:
                return self.fake.error(404, "NotFound", f"Fulfillment order {m['id']} not found.")
            if order.status not in ("Received", "Planning"):
                return self.fake.error(
                    400,
                    "InvalidInput",
                    f"Fulfillment order {order.order_id} is {order.status} and cannot be updated.",
                )
            known = {i["sellerFulfillmentOrderItemId"]: i for i in order.request["items"]}
            for item in body.get("items") or ():
                line = known.get(item["sellerFulfillmentOrderItemId"])
                if line is None:
                    return self.fake.error(
                        400,
                        "InvalidInput",
                        f"Unknown sellerFulfillmentOrderItemId "
                        f"{item['sellerFulfillmentOrderItemId']}.",
                    )
                line["quantity"] = item["quantity"]
            for key, value in body.items():
                if key not in ("items", "marketplaceId"):
                    order.request[key] = value
            order.updated = self.fake.now()
        return Reply.json({})

    def reason_codes(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        sku = req.arg("sellerSku")
        if not sku:
            return self.fake.error(400, "InvalidInput", "sellerSku is required.")
        if sku not in self._known_skus():
            return self.fake.error(404, "NotFound", f"Unknown sellerSku: {sku}.")
        details = [{"returnReasonCode": c, "description": d} for c, d in RETURN_REASONS]
        return Reply.json({"payload": {"reasonCodeDetails": details}})

    def create_return(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        body = req.json() or {}
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            return self.fake.error(400, "InvalidInput", "items is required.")
        for n, item in enumerate(items):
            missing = [k for k in RETURN_ITEM_REQUIRED if not item.get(k)]
            if missing:
                return self.fake.error(
                    400, "InvalidInput", f"Missing required field(s): items[{n}].{missing[0]}."
                )
        codes = {c for c, _ in RETURN_REASONS}
        with self._lock:
            order = self.orders.get(unquote(m["id"]))
            if order is None:
                return self.fake.error(404, "NotFound", f"Fulfillment order {m['id']} not found.")
            now = self.fake.now()
            rma = f"RMASBX{order.shipment_id}"
            accepted, invalid = [], []
            known = {i["sellerFulfillmentOrderItemId"] for i in order.request["items"]}
            for item in items:
                reason = None
                if item["sellerReturnItemId"] in order.returns:
                    reason = ("DuplicateRequest", "The return item was already requested.")
                elif order.shipment_status != "SHIPPED" or (
                    item["amazonShipmentId"] != order.shipment_id
                ):
                    reason = ("NoCompletedShipItems", "The item has not shipped.")
                elif item["sellerFulfillmentOrderItemId"] not in known:
                    reason = ("InvalidValues", "Unknown sellerFulfillmentOrderItemId.")
                elif item["returnReasonCode"] not in codes:
                    reason = ("InvalidValues", "Unknown returnReasonCode.")
                if reason is not None:
                    invalid.append(
                        {
                            "sellerReturnItemId": item["sellerReturnItemId"],
                            "sellerFulfillmentOrderItemId": item["sellerFulfillmentOrderItemId"],
                            "invalidItemReason": {
                                "invalidItemReasonCode": reason[0],
                                "description": reason[1],
                            },
                        }
                    )
                    continue
                entry = {
                    "sellerReturnItemId": item["sellerReturnItemId"],
                    "sellerFulfillmentOrderItemId": item["sellerFulfillmentOrderItemId"],
                    "amazonShipmentId": item["amazonShipmentId"],
                    "sellerReturnReasonCode": item["returnReasonCode"],
                    "status": "New",
                    "statusChangedDate": wire_time(now),
                    "returnAuthorizationId": rma,
                }
                if item.get("returnComment"):
                    entry["returnComment"] = item["returnComment"]
                order.returns[item["sellerReturnItemId"]] = entry
                accepted.append(entry)
            authorizations = []
            if accepted:
                authorizations.append(
                    {
                        "returnAuthorizationId": rma,
                        "fulfillmentCenterId": "SDX1",
                        "returnToAddress": {
                            "name": "Returns Department",
                            "addressLine1": "1 Sandbox Way",
                            "city": "Seattle",
                            "stateOrRegion": "WA",
                            "countryCode": "US",
                            "postalCode": "98101",
                        },
                        "amazonRmaId": f"D{order.shipment_id}RMA",
                        "rmaPageURL": f"https://sandbox.test/rma/{rma}",
                    }
                )
        payload = {
            "returnItems": accepted,
            "invalidReturnItems": invalid,
            "returnAuthorizations": authorizations,
        }
        return Reply.json({"payload": payload})

    def tracking(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        text = req.arg("packageNumber") or ""
        if not text.isdigit():
            return self.fake.error(400, "InvalidInput", "packageNumber must be an integer.")
        order = self._packages.get(int(text))
        if order is None or order.shipped is None:
            return self.fake.error(404, "NotFound", f"Package {text} not found.")
        delivered = self.fake.now() >= order.arrival()
        address = order.request["destinationAddress"]
        place = {
            "city": address.get("city") or "",
            "state": address.get("stateOrRegion") or "",
            "country": address.get("countryCode") or "",
        }
        events = [
            {
                "eventDate": _wire(order.shipped, "eventDate"),
                "eventAddress": {"city": "Sandbox", "state": "WA", "country": "US"},
                "eventCode": "EVENT_101",
                "eventDescription": "Carrier picked up the package.",
            }
        ]
        if delivered:
            events.append(
                {
                    "eventDate": _wire(order.arrival(), "eventDate"),
                    "eventAddress": place,
                    "eventCode": "EVENT_301",
                    "eventDescription": "Package delivered.",
                }
            )
        payload = {
            "packageNumber": int(text),
            "trackingNumber": order.tracking_number,
            "carrierCode": "UPS",
            "shipDate": _wire(order.shipped, "shipDate"),
            "estimatedArrivalDate": _wire(order.arrival(), "estimatedArrivalDate"),
            "shipToAddress": place,
            "currentStatus": "DELIVERED" if delivered else "IN_TRANSIT",
            "trackingEvents": events,
        }
        return Reply.json({"payload": payload})


def register(fake: FakeSpApi) -> None:
    """Register the Fulfillment Outbound operations."""
    mcf = FulfillmentFake(fake)
    fake.fulfillment = mcf
    op = fake.operation
    key = "fulfillmentOutbound."
    order = rf"{BASE}/fulfillmentOrders/(?P<id>[^/]+)"
    op("POST", rf"{BASE}/fulfillmentOrders/preview", f"{key}getFulfillmentPreview")(mcf.preview)
    op("POST", rf"{BASE}/fulfillmentOrders", f"{key}createFulfillmentOrder")(mcf.create)
    op("GET", rf"{BASE}/fulfillmentOrders", f"{key}listAllFulfillmentOrders")(mcf.list_all)
    op("GET", order, f"{key}getFulfillmentOrder")(mcf.get)
    op("PUT", rf"{order}/cancel", f"{key}cancelFulfillmentOrder")(mcf.cancel)
    op("PUT", rf"{order}/return", f"{key}createFulfillmentReturn")(mcf.create_return)
    op("PUT", order, f"{key}updateFulfillmentOrder")(mcf.update)
    op("GET", rf"{BASE}/returnReasonCodes", f"{key}listReturnReasonCodes")(mcf.reason_codes)
    op("GET", rf"{BASE}/tracking", f"{key}getPackageTrackingDetails")(mcf.tracking)


__all__ = ["FakeMcfOrder", "FulfillmentFake", "register"]
