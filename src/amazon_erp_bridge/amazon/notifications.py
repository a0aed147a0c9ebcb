"""SP-API notifications read from SQS or EventBridge, as typed events.

Amazon delivers notifications only to an SQS queue or an EventBridge bus (no HTTP webhooks).
An SQS message body is the notification JSON itself; an EventBridge event carries it in
``detail``. :func:`parse_notification` accepts either (as text, bytes or a decoded mapping, and
also a whole SQS message with its ``Body``) and returns one of the typed events below.

Supported types: ``ORDER_CHANGE``, ``FBA_OUTBOUND_SHIPMENT_STATUS`` and
``REPORT_PROCESSING_FINISHED``. The first two spell their keys in PascalCase, the last in
camelCase (as Amazon's schemas do); both spellings are read. An unknown type or a malformed
message raises :class:`~amazon_erp_bridge.errors.ValidationError` saying what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from attrs import frozen

from amazon_erp_bridge.amazon.processing import ProcessingStatus
from amazon_erp_bridge.amazon.timestamps import from_wire
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import FulfillmentChannel, OrderStatus

ORDER_CHANGE: Final = "ORDER_CHANGE"
FBA_OUTBOUND_SHIPMENT_STATUS: Final = "FBA_OUTBOUND_SHIPMENT_STATUS"
REPORT_PROCESSING_FINISHED: Final = "REPORT_PROCESSING_FINISHED"


@frozen
class NotificationMetadata:
    """Who the notification is for and its id (use ``notification_id`` to drop duplicates)."""

    application_id: str
    subscription_id: str
    publish_time: datetime | None
    notification_id: str


@frozen
class OrderChangeItem:
    """An order item as ORDER_CHANGE summarises it."""

    order_item_id: str
    seller_sku: str
    quantity: int
    supply_source_id: str | None = None
    order_item_status: str | None = None
    quantity_shipped: int | None = None
    is_buyer_requested_cancel: bool = False


@frozen
class OrderChangeEvent:
    """ORDER_CHANGE: an order's status changed, or the buyer asked for a change.

    Fetch the order (``client.orders.get_order``) for the details the notification leaves out.
    """

    metadata: NotificationMetadata
    event_time: datetime | None
    seller_id: str
    amazon_order_id: str
    order_change_type: str  # BuyerRequestedChange | DeliveryTipChange | OrderStatusChange
    notification_level: str  # OrderLevel | OrderItemLevel
    change_reason: str | None
    time_of_order_change: datetime | None
    marketplace_id: str
    order_status: OrderStatus
    fulfillment_type: FulfillmentChannel
    order_type: str
    purchase_date: datetime | None = None
    destination_postal_code: str | None = None
    items: tuple[OrderChangeItem, ...] = ()
    notification_type: str = ORDER_CHANGE


@frozen
class FbaOutboundShipmentStatusEvent:
    """FBA_OUTBOUND_SHIPMENT_STATUS: an MCF shipment was created or cancelled."""

    metadata: NotificationMetadata
    event_time: datetime | None
    seller_id: str
    amazon_order_id: str
    amazon_shipment_id: str
    shipment_status: str
    notification_type: str = FBA_OUTBOUND_SHIPMENT_STATUS


@frozen
class ReportProcessingFinishedEvent:
    """REPORT_PROCESSING_FINISHED: a report is DONE (download it), CANCELLED or FATAL."""

    metadata: NotificationMetadata
    event_time: datetime | None
    account_id: str
    report_id: str
    report_type: str
    processing_status: ProcessingStatus
    report_document_id: str | None = None
    seller_id: str | None = None
    notification_type: str = REPORT_PROCESSING_FINISHED


Notification = OrderChangeEvent | FbaOutboundShipmentStatusEvent | ReportProcessingFinishedEvent


class _Reader:
    """Reads fields of one JSON object, naming the path of anything missing or mistyped."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, Mapping):
            raise ValidationError(f"notification {path}: expected an object, got {data!r:.80}")
        self.data = data
        self.path = path

    def raw(self, key: str) -> Any:
        # PascalCase (ORDER_CHANGE) and camelCase (REPORT_PROCESSING_FINISHED) both occur.
        if key in self.data:
            return self.data[key]
        return self.data.get(key[:1].lower() + key[1:], self.data.get(key[:1].upper() + key[1:]))

    def has(self, key: str) -> bool:
        return self.raw(key) is not None

    def text(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or not value:
            raise ValidationError(
                f"notification {self.path}.{key}: expected a string, got {value!r:.80}"
            )
        return value

    def optional_text(self, key: str) -> str | None:
        value = self.raw(key)
        return None if value is None or value == "" else str(value)

    def integer(self, key: str) -> int:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise ValidationError(
                f"notification {self.path}.{key}: expected a whole number, got {value!r:.80}"
            )
        return int(value)

    def optional_integer(self, key: str) -> int | None:
        return self.integer(key) if self.has(key) else None

    def when(self, key: str) -> datetime | None:
        return from_wire(self.raw(key), f"notification {self.path}.{key}")

    def child(self, key: str) -> _Reader:
        return _Reader(self.raw(key), f"{self.path}.{key}")

    def choice(self, key: str, convert: Callable[[str], Any], allowed: str) -> Any:
        value = self.text(key)
        try:
            return convert(value)
        except ValueError:
            raise ValidationError(
                f"notification {self.path}.{key}: {value!r} is not one of {allowed}"
            ) from None


def _metadata(top: _Reader) -> NotificationMetadata:
    meta = top.child("NotificationMetadata")
    return NotificationMetadata(
        application_id=meta.text("ApplicationId"),
        subscription_id=meta.text("SubscriptionId"),
        publish_time=meta.when("PublishTime"),
        notification_id=meta.text("NotificationId"),
    )


def _order_change(top: _Reader) -> OrderChangeEvent:
    change = top.child("Payload").child("OrderChangeNotification")
    trigger = change.child("OrderChangeTrigger")
    summary = change.child("Summary")
    items = summary.raw("OrderItems") or []
    if not isinstance(items, list):
        raise ValidationError(f"notification {summary.path}.OrderItems: expected a list")
    return OrderChangeEvent(
        metadata=_metadata(top),
        event_time=top.when("EventTime"),
        seller_id=change.text("SellerId"),
        amazon_order_id=change.text("AmazonOrderId"),
        order_change_type=change.text("OrderChangeType"),
        notification_level=change.text("NotificationLevel"),
        change_reason=trigger.optional_text("ChangeReason"),
        time_of_order_change=trigger.when("TimeOfOrderChange"),
        marketplace_id=summary.text("MarketplaceId"),
        order_status=summary.choice(
            "OrderStatus", OrderStatus, ", ".join(s.value for s in OrderStatus)
        ),
        fulfillment_type=summary.choice("FulfillmentType", FulfillmentChannel, "AFN, MFN"),
        order_type=summary.text("OrderType"),
        purchase_date=summary.when("PurchaseDate"),
        destination_postal_code=summary.optional_text("DestinationPostalCode"),
        items=tuple(
            _order_item(_Reader(i, f"{summary.path}.OrderItems[{n}]")) for n, i in enumerate(items)
        ),
    )


def _order_item(item: _Reader) -> OrderChangeItem:
    return OrderChangeItem(
        order_item_id=item.text("OrderItemId"),
        seller_sku=item.text("SellerSKU"),
        quantity=item.integer("Quantity"),
        supply_source_id=item.optional_text("SupplySourceId"),
        order_item_status=item.optional_text("OrderItemStatus"),
        quantity_shipped=item.optional_integer("QuantityShipped"),
        is_buyer_requested_cancel=bool(item.raw("IsBuyerRequestedCancel")),
    )


def _shipment_status(top: _Reader) -> FbaOutboundShipmentStatusEvent:
    body = top.child("Payload").child("FBAOutboundShipmentStatusNotification")
    return FbaOutboundShipmentStatusEvent(
        metadata=_metadata(top),
        event_time=top.when("EventTime"),
        seller_id=body.text("SellerId"),
        amazon_order_id=body.text("AmazonOrderId"),
        amazon_shipment_id=body.text("AmazonShipmentId"),
        shipment_status=body.text("ShipmentStatus"),
    )


def _report_finished(top: _Reader) -> ReportProcessingFinishedEvent:
    body = top.child("Payload").child("ReportProcessingFinishedNotification")
    return ReportProcessingFinishedEvent(
        metadata=_metadata(top),
        event_time=top.when("EventTime"),
        account_id=body.text("AccountId"),
        report_id=body.text("ReportId"),
        report_type=body.text("ReportType"),
        processing_status=body.choice(
            "ProcessingStatus", ProcessingStatus, "CANCELLED, DONE, FATAL"
        ),
        report_document_id=body.optional_text("ReportDocumentId"),
        seller_id=body.optional_text("SellerId"),
    )


_PARSERS: Final[dict[str, Callable[[_Reader], Notification]]] = {
    ORDER_CHANGE: _order_change,
    FBA_OUTBOUND_SHIPMENT_STATUS: _shipment_status,
    REPORT_PROCESSING_FINISHED: _report_finished,
}


def _decode(message: str | bytes | bytearray, what: str) -> Any:
    try:
        return json.loads(message, parse_float=Decimal)
    except ValueError as exc:
        raise ValidationError(f"{what}: not JSON ({exc})") from None


def unwrap(message: str | bytes | bytearray | Mapping[str, Any]) -> Mapping[str, Any]:
    """The notification object inside an SQS body, SQS message or EventBridge event."""
    data = _decode(message, "notification message") if not isinstance(message, Mapping) else message
    for _ in range(3):  # an SQS message holding an EventBridge event is as deep as it gets
        if not isinstance(data, Mapping):
            raise ValidationError(f"notification message: expected a JSON object, got {data!r:.80}")
        if "detail" in data and ("detail-type" in data or "source" in data):
            data = data["detail"]  # EventBridge
        elif isinstance(data.get("Body", data.get("body")), str) and not _type_of(data):
            data = _decode(data.get("Body", data.get("body")), "SQS message Body")
        else:
            break
        if isinstance(data, str):
            data = _decode(data, "notification detail")
    if not isinstance(data, Mapping):
        raise ValidationError(f"notification message: expected a JSON object, got {data!r:.80}")
    return data


def _type_of(data: Mapping[str, Any]) -> Any:
    return data.get("NotificationType", data.get("notificationType"))


def parse_notification(message: str | bytes | bytearray | Mapping[str, Any]) -> Notification:
    """A typed event from an SQS body, an SQS message or an EventBridge event (see module doc)."""
    data = unwrap(message)
    kind = _type_of(data)
    if kind is None:
        raise ValidationError(
            "notification: no NotificationType; expected an SP-API notification "
            f"(keys found: {', '.join(sorted(map(str, data))) or 'none'})"
        )
    parser = _PARSERS.get(str(kind))
    if parser is None:
        raise ValidationError(
            f"notification type {kind!r} is not supported; supported: {', '.join(_PARSERS)}"
        )
    return parser(_Reader(data, str(kind)))


__all__ = [
    "FBA_OUTBOUND_SHIPMENT_STATUS",
    "ORDER_CHANGE",
    "REPORT_PROCESSING_FINISHED",
    "FbaOutboundShipmentStatusEvent",
    "Notification",
    "NotificationMetadata",
    "OrderChangeEvent",
    "OrderChangeItem",
    "ReportProcessingFinishedEvent",
    "parse_notification",
    "unwrap",
]
