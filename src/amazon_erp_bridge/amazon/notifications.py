"""SP-API notifications read from SQS or EventBridge, as typed events.

Amazon delivers notifications only to an SQS queue or an EventBridge bus (no HTTP webhooks).
An SQS message body is the notification JSON itself; an EventBridge event carries it in
``detail``. :func:`parse_notification` accepts either (as text, bytes or a decoded mapping, and
also a whole SQS message with its ``Body``) and returns one of the typed events below.

Supported types: ``ORDER_CHANGE``, ``FBA_OUTBOUND_SHIPMENT_STATUS`` and
``REPORT_PROCESSING_FINISHED``. The first two spell their keys in PascalCase, the last in
camelCase (as Amazon's schemas do); both spellings are read. An unknown type or a malformed
message raises :class:`~amazon_erp_bridge.errors.ValidationError` naming the notification (its
type and id) and the field, in bounded time: the text is read with
:func:`~amazon_erp_bridge.limits.loads_json` (size, depth and number sizes checked first), and
whole numbers must be whole (``1.5`` is refused, never truncated) and in range.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from attrs import frozen

from amazon_erp_bridge.amazon.processing import ProcessingStatus
from amazon_erp_bridge.amazon.timestamps import from_wire
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.limits import loads_json
from amazon_erp_bridge.model import FulfillmentChannel, OrderStatus

ORDER_CHANGE: Final = "ORDER_CHANGE"
FBA_OUTBOUND_SHIPMENT_STATUS: Final = "FBA_OUTBOUND_SHIPMENT_STATUS"
REPORT_PROCESSING_FINISHED: Final = "REPORT_PROCESSING_FINISHED"

#: The largest whole number a notification field may hold (SP-API integers are 32-bit).
MAX_WHOLE: Final = 2**31 - 1
#: The largest notification message read, in bytes (SQS allows 256 KiB; EventBridge 256 KB).
MAX_MESSAGE_BYTES: Final = 1024 * 1024


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


def _show(value: Any) -> str:
    """A short, safe description of a bad value (never a full repr of a huge or deep one)."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return repr(value) if value.bit_length() < 128 else f"a {value.bit_length()}-bit integer"
    if isinstance(value, Decimal | float):
        text = str(value)
        return text if len(text) <= 40 else f"{value:.3E}"
    if isinstance(value, str):
        return repr(value[:60]) + ("..." if len(value) > 60 else "")
    if isinstance(value, Mapping):
        return f"an object of {len(value)} keys"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} items"
    return f"a {type(value).__name__}"


class _Reader:
    """Reads fields of one JSON object, naming the notification and the path of anything
    missing or mistyped."""

    def __init__(self, data: Any, path: str, label: str = "notification") -> None:
        if not isinstance(data, Mapping):
            raise ValidationError(f"{label} {path}: expected an object, got {_show(data)}")
        self.data = data
        self.path = path
        self.label = label

    def _error(self, key: str, problem: str) -> ValidationError:
        return ValidationError(f"{self.label} {self.path}.{key}: {problem}")

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
            raise self._error(key, f"expected a string, got {_show(value)}")
        return value

    def optional_text(self, key: str) -> str | None:
        value = self.raw(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise self._error(key, f"expected a string, got {_show(value)}")
        if isinstance(value, int) and value.bit_length() > 128:
            raise self._error(key, f"expected a string, got {_show(value)}")
        return str(value)

    def integer(self, key: str) -> int:
        value = self.raw(key)
        whole: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            whole = value
        elif isinstance(value, Decimal | float):
            number = Decimal(value) if isinstance(value, float) else value
            # adjusted() first: no huge integral value is ever built from 1E+350000.
            if number.is_finite() and number.adjusted() >= 12:
                raise self._error(
                    key, f"expected a whole number from 0 to {MAX_WHOLE}, got {_show(value)}"
                )
            if number.is_finite() and number == number.to_integral():
                whole = int(number)
        if whole is None:
            raise self._error(key, f"expected a whole number, got {_show(value)}")
        if not 0 <= whole <= MAX_WHOLE:
            raise self._error(
                key, f"expected a whole number from 0 to {MAX_WHOLE}, got {_show(value)}"
            )
        return whole

    def flag(self, key: str) -> bool:
        value = self.raw(key)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise self._error(key, f"expected true or false, got {_show(value)}")

    def optional_integer(self, key: str) -> int | None:
        return self.integer(key) if self.has(key) else None

    def when(self, key: str) -> datetime | None:
        value = self.raw(key)
        if value is not None and not isinstance(value, str):
            raise self._error(key, f"expected an ISO 8601 timestamp, got {_show(value)}")
        if isinstance(value, str) and len(value) > 64:
            raise self._error(key, f"expected an ISO 8601 timestamp, got {_show(value)}")
        return from_wire(value, f"{self.label} {self.path}.{key}")

    def child(self, key: str) -> _Reader:
        return _Reader(self.raw(key), f"{self.path}.{key}", self.label)

    def choice(self, key: str, convert: Callable[[str], Any], allowed: str) -> Any:
        value = self.text(key)
        try:
            return convert(value)
        except ValueError:
            raise self._error(key, f"{_show(value)} is not one of {allowed}") from None


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
        raise summary._error("OrderItems", f"expected a list, got {_show(items)}")
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
            _order_item(_Reader(i, f"{summary.path}.OrderItems[{n}]", summary.label))
            for n, i in enumerate(items)
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
        is_buyer_requested_cancel=item.flag("IsBuyerRequestedCancel"),
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
    text = bytes(message) if isinstance(message, bytearray) else message
    return loads_json(text, what=f"{what}: not JSON", max_bytes=MAX_MESSAGE_BYTES)


def unwrap(message: str | bytes | bytearray | Mapping[str, Any]) -> Mapping[str, Any]:
    """The notification object inside an SQS body, SQS message or EventBridge event."""
    if not isinstance(message, str | bytes | bytearray | Mapping):
        raise ValidationError(
            f"notification message: expected JSON text or a mapping, got {_show(message)}"
        )
    data = _decode(message, "notification message") if not isinstance(message, Mapping) else message
    for _ in range(3):  # an SQS message holding an EventBridge event is as deep as it gets
        if not isinstance(data, Mapping):
            raise ValidationError(
                f"notification message: expected a JSON object, got {_show(data)}"
            )
        if "detail" in data and ("detail-type" in data or "source" in data):
            data = data["detail"]  # EventBridge
        elif isinstance(data.get("Body", data.get("body")), str) and not _type_of(data):
            data = _decode(data.get("Body", data.get("body")), "SQS message Body")
        else:
            break
        if isinstance(data, str):
            data = _decode(data, "notification detail")
    if not isinstance(data, Mapping):
        raise ValidationError(f"notification message: expected a JSON object, got {_show(data)}")
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
            f"(keys found: {', '.join(sorted(str(k)[:40] for k in list(data)[:20])) or 'none'})"
        )
    parser = _PARSERS.get(kind) if isinstance(kind, str) else None
    if parser is None:
        raise ValidationError(
            f"notification type {_show(kind)} is not supported; supported: {', '.join(_PARSERS)}"
        )
    return parser(_Reader(data, kind, _label(data)))


def _label(data: Mapping[str, Any]) -> str:
    """``notification <NotificationId>`` when the id is readable, for every error message."""
    meta = data.get("NotificationMetadata", data.get("notificationMetadata"))
    if isinstance(meta, Mapping):
        found = meta.get("NotificationId", meta.get("notificationId"))
        if isinstance(found, str) and 0 < len(found) <= 100:
            return f"notification {found}"
    return "notification"


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
