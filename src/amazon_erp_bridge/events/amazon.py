"""SP-API notifications as typed events: the seven types the bridge subscribes to.

``ORDER_CHANGE``, ``FBA_OUTBOUND_SHIPMENT_STATUS`` and ``REPORT_PROCESSING_FINISHED`` are read
by :func:`amazon_erp_bridge.amazon.notifications.parse_notification` (its bounded, hardened
number and text parsing); ``FULFILLMENT_ORDER_STATUS``, ``FBA_INVENTORY_AVAILABILITY_CHANGES``,
``LISTINGS_ITEM_MFN_QUANTITY_CHANGE`` and ``FEED_PROCESSING_FINISHED`` are read here, each field
checked for presence and type as the official JSON schema
(``schemas/notifications/*.json`` of amazon-sp-api-models) requires it. :data:`SCHEMA_FIELDS`
lists, per type, the schema paths checked; the tests hold them against the schemas.

Every failure is an :class:`~amazon_erp_bridge.events.errors.EventError` naming the
notification (its id when readable) and the field; an unknown type is an
:class:`~amazon_erp_bridge.events.errors.UnknownEventError`. Nothing here loses a message: the
caller (the runner) parks the message with the error's text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from amazon_erp_bridge.amazon import notifications as wire
from amazon_erp_bridge.amazon.timestamps import from_wire
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.events.errors import EventError, UnknownEventError
from amazon_erp_bridge.events.model import (
    Event,
    EventMeta,
    FulfillmentChanged,
    OrderChanged,
    Origin,
    ProcessingFinished,
    ReturnReceived,
    StockChanged,
)

ORDER_CHANGE: Final = "ORDER_CHANGE"
FBA_OUTBOUND_SHIPMENT_STATUS: Final = "FBA_OUTBOUND_SHIPMENT_STATUS"
FULFILLMENT_ORDER_STATUS: Final = "FULFILLMENT_ORDER_STATUS"
FBA_INVENTORY_AVAILABILITY_CHANGES: Final = "FBA_INVENTORY_AVAILABILITY_CHANGES"
LISTINGS_ITEM_MFN_QUANTITY_CHANGE: Final = "LISTINGS_ITEM_MFN_QUANTITY_CHANGE"
REPORT_PROCESSING_FINISHED: Final = "REPORT_PROCESSING_FINISHED"
FEED_PROCESSING_FINISHED: Final = "FEED_PROCESSING_FINISHED"

#: The notification types the bridge subscribes to and parses.
NOTIFICATION_TYPES: Final = (
    ORDER_CHANGE,
    FBA_OUTBOUND_SHIPMENT_STATUS,
    FULFILLMENT_ORDER_STATUS,
    FBA_INVENTORY_AVAILABILITY_CHANGES,
    LISTINGS_ITEM_MFN_QUANTITY_CHANGE,
    REPORT_PROCESSING_FINISHED,
    FEED_PROCESSING_FINISHED,
)

#: Per type: (schema path, JSON type) of every field the parser requires, as the official
#: schema names and types it (``/`` separates levels; ``[]`` is every item of an array).
SCHEMA_FIELDS: Final[Mapping[str, tuple[tuple[str, str], ...]]] = {
    ORDER_CHANGE: (
        ("NotificationMetadata/NotificationId", "string"),
        ("Payload/OrderChangeNotification/SellerId", "string"),
        ("Payload/OrderChangeNotification/AmazonOrderId", "string"),
        ("Payload/OrderChangeNotification/Summary/MarketplaceId", "string"),
        ("Payload/OrderChangeNotification/Summary/OrderStatus", "string"),
    ),
    FBA_OUTBOUND_SHIPMENT_STATUS: (
        ("NotificationMetadata/NotificationId", "string"),
        ("Payload/FBAOutboundShipmentStatusNotification/AmazonOrderId", "string"),
        ("Payload/FBAOutboundShipmentStatusNotification/AmazonShipmentId", "string"),
        ("Payload/FBAOutboundShipmentStatusNotification/ShipmentStatus", "string"),
    ),
    FULFILLMENT_ORDER_STATUS: (
        ("NotificationMetadata/NotificationId", "string"),
        ("Payload/FulfillmentOrderStatusNotification/SellerId", "string"),
        ("Payload/FulfillmentOrderStatusNotification/EventType", "string"),
        ("Payload/FulfillmentOrderStatusNotification/StatusUpdatedDateTime", "string"),
        ("Payload/FulfillmentOrderStatusNotification/SellerFulfillmentOrderId", "string"),
        ("Payload/FulfillmentOrderStatusNotification/FulfillmentOrderStatus", "string"),
    ),
    FBA_INVENTORY_AVAILABILITY_CHANGES: (
        ("Payload/SellerId", "string"),
        ("Payload/SKU", "string"),
        ("Payload/FulfillmentInventoryByMarketplace", "array"),
        ("Payload/FulfillmentInventoryByMarketplace[]/MarketplaceId", "string"),
        ("Payload/FulfillmentInventoryByMarketplace[]/FulfillmentInventory/Fulfillable", "integer"),
    ),
    LISTINGS_ITEM_MFN_QUANTITY_CHANGE: (
        ("NotificationMetadata/NotificationId", "string"),
        ("Payload/SellerId", "string"),
        ("Payload/FulfillmentChannelCode", "string"),
        ("Payload/Sku", "string"),
        ("Payload/Quantity", "integer"),
    ),
    REPORT_PROCESSING_FINISHED: (
        ("notificationMetadata/notificationId", "string"),
        ("payload/reportProcessingFinishedNotification/accountId", "string"),
        ("payload/reportProcessingFinishedNotification/reportId", "string"),
        ("payload/reportProcessingFinishedNotification/reportType", "string"),
        ("payload/reportProcessingFinishedNotification/processingStatus", "string"),
    ),
    FEED_PROCESSING_FINISHED: (
        ("notificationMetadata/notificationId", "string"),
        ("payload/feedProcessingFinishedNotification/accountId", "string"),
        ("payload/feedProcessingFinishedNotification/feedId", "string"),
        ("payload/feedProcessingFinishedNotification/feedType", "string"),
        ("payload/feedProcessingFinishedNotification/processingStatus", "string"),
    ),
}

_MAX_WHOLE: Final = 2**31 - 1


def _get(data: Mapping[str, Any], key: str) -> Any:
    """A key in either spelling (PascalCase and camelCase types both occur)."""
    if key in data:
        return data[key]
    return data.get(key[:1].lower() + key[1:], data.get(key[:1].upper() + key[1:]))


class _Fields:
    """Reads one object of a notification, naming the notification and the path on error."""

    def __init__(self, data: Any, path: str, label: str) -> None:
        if not isinstance(data, Mapping):
            raise EventError(f"{label} {path}: expected an object, got {type(data).__name__}")
        self.data, self.path, self.label = data, path, label

    def _error(self, key: str, problem: str) -> EventError:
        return EventError(f"{self.label} {self.path}/{key}: {problem}")

    def child(self, key: str) -> _Fields:
        value = _get(self.data, key)
        if value is None:
            raise self._error(key, "missing (the schema requires it)")
        return _Fields(value, f"{self.path}/{key}", self.label)

    def text(self, key: str) -> str:
        value = _get(self.data, key)
        if value is None:
            raise self._error(key, "missing (the schema requires it)")
        if not isinstance(value, str) or not value or len(value) > 1000:
            raise self._error(key, f"expected a non-empty string, got {type(value).__name__}")
        return value

    def optional_text(self, key: str) -> str | None:
        value = _get(self.data, key)
        return None if value is None else self.text(key)

    def whole(self, key: str) -> int:
        value = _get(self.data, key)
        if value is None:
            raise self._error(key, "missing (the schema requires it)")
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._error(key, f"expected a whole number, got {type(value).__name__}")
        if not 0 <= value <= _MAX_WHOLE:
            raise self._error(key, f"expected a whole number from 0 to {_MAX_WHOLE}")
        return value

    def items(self, key: str) -> list[_Fields]:
        value = _get(self.data, key)
        if value is None:
            raise self._error(key, "missing (the schema requires it)")
        if not isinstance(value, list):
            raise self._error(key, f"expected an array, got {type(value).__name__}")
        return [_Fields(v, f"{self.path}/{key}[{n}]", self.label) for n, v in enumerate(value)]

    def when(self, key: str) -> datetime | None:
        text = self.optional_text(key)
        try:
            return from_wire(text, f"{self.label} {self.path}/{key}")
        except ValidationError as exc:
            raise EventError(str(exc)) from None


def _meta(top: _Fields, kind: str, *, fallback_id: str | None = None) -> EventMeta:
    found = _get(top.data, "NotificationMetadata")
    if found is None and fallback_id is not None:
        return EventMeta(fallback_id, Origin.AMAZON, kind, top.when("EventTime"))
    meta = top.child("NotificationMetadata")
    return EventMeta(meta.text("NotificationId"), Origin.AMAZON, kind, top.when("EventTime"))


def _fulfillment_order_status(top: _Fields) -> Event:
    body = top.child("Payload").child("FulfillmentOrderStatusNotification")
    meta = _meta(top, FULFILLMENT_ORDER_STATUS)
    body.text("SellerId")
    body.text("EventType")
    body.text("StatusUpdatedDateTime")
    order_id = body.text("SellerFulfillmentOrderId")
    status = body.text("FulfillmentOrderStatus")
    returned = _get(body.data, "FulfillmentReturnItem")
    if isinstance(returned, Mapping) and _get(returned, "ReturnedQuantity"):
        item = body.child("FulfillmentReturnItem")
        return ReturnReceived(
            meta, order_id, item.text("SellerSKU"), item.whole("ReturnedQuantity")
        )
    shipment = _get(body.data, "FulfillmentShipment")
    shipment_id = None
    if isinstance(shipment, Mapping):
        shipment_id = body.child("FulfillmentShipment").optional_text("AmazonShipmentId")
    return FulfillmentChanged(meta, order_id, status, shipment_id)


def _inventory_availability(top: _Fields) -> Event:
    # The schema does not list NotificationMetadata for this type; use it when it is there.
    body = top.child("Payload")
    sku = body.text("SKU")
    stamp = _get(top.data, "EventTime")
    fallback = (
        f"{FBA_INVENTORY_AVAILABILITY_CHANGES}:{sku}:{stamp if isinstance(stamp, str) else ''}"
    )
    meta = _meta(top, FBA_INVENTORY_AVAILABILITY_CHANGES, fallback_id=fallback)
    body.text("SellerId")
    fulfillable = 0
    markets = body.items("FulfillmentInventoryByMarketplace")
    for market in markets:
        market.text("MarketplaceId")
        fulfillable += market.child("FulfillmentInventory").whole("Fulfillable")
    marketplace = markets[0].text("MarketplaceId") if len(markets) == 1 else None
    return StockChanged(meta, sku, fulfillable, marketplace)


def _mfn_quantity(top: _Fields) -> Event:
    body = top.child("Payload")
    meta = _meta(top, LISTINGS_ITEM_MFN_QUANTITY_CHANGE)
    body.text("SellerId")
    body.text("FulfillmentChannelCode")
    return StockChanged(meta, body.text("Sku"), body.whole("Quantity"))


def _feed_finished(top: _Fields) -> Event:
    body = top.child("Payload").child("FeedProcessingFinishedNotification")
    meta = _meta(top, FEED_PROCESSING_FINISHED)
    body.text("AccountId")
    status = body.text("ProcessingStatus")
    if status not in ("CANCELLED", "DONE", "FATAL"):
        raise body._error("processingStatus", f"{status[:40]!r} is not CANCELLED, DONE or FATAL")
    return ProcessingFinished(
        meta,
        "feed",
        body.text("FeedId"),
        body.text("FeedType"),
        status,
        body.optional_text("ResultFeedDocumentId"),
    )


_OWN: Final[dict[str, Callable[[_Fields], Event]]] = {
    FULFILLMENT_ORDER_STATUS: _fulfillment_order_status,
    FBA_INVENTORY_AVAILABILITY_CHANGES: _inventory_availability,
    LISTINGS_ITEM_MFN_QUANTITY_CHANGE: _mfn_quantity,
    FEED_PROCESSING_FINISHED: _feed_finished,
}


def _from_wire(found: wire.Notification) -> Event:
    meta = EventMeta(
        found.metadata.notification_id, Origin.AMAZON, found.notification_type, found.event_time
    )
    if isinstance(found, wire.OrderChangeEvent):
        return OrderChanged(
            meta, found.amazon_order_id, found.marketplace_id, found.order_status.value
        )
    if isinstance(found, wire.FbaOutboundShipmentStatusEvent):
        return FulfillmentChanged(
            meta, found.amazon_order_id, found.shipment_status, found.amazon_shipment_id
        )
    return ProcessingFinished(
        meta,
        "report",
        found.report_id,
        found.report_type,
        found.processing_status.value,
        found.report_document_id,
    )


def _label(data: Mapping[str, Any]) -> str:
    meta = _get(data, "NotificationMetadata")
    if isinstance(meta, Mapping):
        found = _get(meta, "NotificationId")
        if isinstance(found, str) and 0 < len(found) <= 100:
            return f"notification {found}"
    return "notification"


def parse_amazon_event(message: str | bytes | bytearray | Mapping[str, Any]) -> Event:
    """The typed event of one SP-API notification (an SQS body or message, or an
    EventBridge event); see the module doc for the types and the errors."""
    try:
        data = wire.unwrap(message)
    except ValidationError as exc:
        raise EventError(str(exc)) from None
    kind = _get(data, "NotificationType")
    if not isinstance(kind, str) or kind not in NOTIFICATION_TYPES:
        shown = repr(kind[:60]) if isinstance(kind, str) else "none"
        raise UnknownEventError(
            f"{_label(data)}: notification type {shown} is not handled; handled: "
            + ", ".join(NOTIFICATION_TYPES)
        )
    own = _OWN.get(kind)
    if own is not None:
        return own(_Fields(data, kind, _label(data)))
    try:
        return _from_wire(wire.parse_notification(data))
    except EventError:
        raise
    except ValidationError as exc:
        raise EventError(str(exc)) from None


__all__ = [
    "FBA_INVENTORY_AVAILABILITY_CHANGES",
    "FBA_OUTBOUND_SHIPMENT_STATUS",
    "FEED_PROCESSING_FINISHED",
    "FULFILLMENT_ORDER_STATUS",
    "LISTINGS_ITEM_MFN_QUANTITY_CHANGE",
    "NOTIFICATION_TYPES",
    "ORDER_CHANGE",
    "REPORT_PROCESSING_FINISHED",
    "SCHEMA_FIELDS",
    "parse_amazon_event",
]
