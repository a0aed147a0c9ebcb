"""SAP S/4HANA business events (CloudEvents JSON) as typed events.

S/4HANA publishes business events through SAP Event Mesh / Advanced Event Mesh in the
CloudEvents 1.0 structured JSON format (``specversion``, ``type``, ``source``, ``id``,
``time``, ``data``; see cloudevents.io and SAP Business Accelerator Hub, "Sales Order Events"
and "Outbound Delivery Events"). Handled types:

- ``sap.s4.beh.salesorder.v1.SalesOrder.Changed.v1`` (also ``.Created.v1``): ``data.SalesOrder``
  -> :class:`~amazon_erp_bridge.events.model.ErpOrderChanged`;
- ``sap.s4.beh.outbounddelivery.v1.OutboundDelivery.GoodsIssued.v1``:
  ``data.OutboundDelivery`` -> :class:`~amazon_erp_bridge.events.model.ErpDeliveryShipped`.

The event data carries only keys (SAP's notification-style events): the work reads the
document again. Every failure is an :class:`~amazon_erp_bridge.events.errors.EventError`
naming the event id and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.events.errors import EventError, UnknownEventError
from amazon_erp_bridge.events.model import (
    ErpDeliveryShipped,
    ErpOrderChanged,
    Event,
    EventMeta,
    Origin,
)
from amazon_erp_bridge.limits import loads_json

SALES_ORDER_CHANGED: Final = "sap.s4.beh.salesorder.v1.SalesOrder.Changed.v1"
SALES_ORDER_CREATED: Final = "sap.s4.beh.salesorder.v1.SalesOrder.Created.v1"
DELIVERY_GOODS_ISSUED: Final = "sap.s4.beh.outbounddelivery.v1.OutboundDelivery.GoodsIssued.v1"
#: The SAP event types handled.
SAP_TYPES: Final = (SALES_ORDER_CHANGED, SALES_ORDER_CREATED, DELIVERY_GOODS_ISSUED)
#: The largest event read, in bytes.
MAX_EVENT_BYTES: Final = 256 * 1024


def _text(data: Mapping[str, Any], key: str, label: str, *, limit: int = 200) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise EventError(f"{label}: {key} must be a non-empty string of at most {limit} characters")
    return value.strip()


def _when(value: Any, label: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise EventError(f"{label}: time must be an RFC 3339 timestamp")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise EventError(f"{label}: time {value[:40]!r} is not an RFC 3339 timestamp") from None
    if moment.tzinfo is None:
        raise EventError(f"{label}: time {value[:40]!r} has no timezone")
    return moment


def parse_sap_event(message: str | bytes | Mapping[str, Any]) -> Event:
    """The typed event of one SAP business event (CloudEvents structured JSON)."""
    if isinstance(message, Mapping):
        data: Any = message
    else:
        try:
            data = loads_json(message, what="SAP event: not JSON", max_bytes=MAX_EVENT_BYTES)
        except ValidationError as exc:
            raise EventError(str(exc)) from None
    if not isinstance(data, Mapping):
        raise EventError("SAP event: expected a CloudEvents JSON object")
    event_id = data.get("id")
    label = f"SAP event {event_id[:80] if isinstance(event_id, str) else '(no id)'}"
    if data.get("specversion") != "1.0":
        raise EventError(f"{label}: specversion must be '1.0' (CloudEvents)")
    kind = _text(data, "type", label)
    event_id = _text(data, "id", label)
    if kind not in SAP_TYPES:
        raise UnknownEventError(
            f"{label}: type {kind[:100]!r} is not handled; handled: {', '.join(SAP_TYPES)}"
        )
    _text(data, "source", label, limit=1000)
    body = data.get("data")
    if not isinstance(body, Mapping):
        raise EventError(f"{label}: data must be an object")
    meta = EventMeta(event_id, Origin.SAP, kind, _when(data.get("time"), label))
    if kind == DELIVERY_GOODS_ISSUED:
        return ErpDeliveryShipped(meta, _text(body, "OutboundDelivery", f"{label} data", limit=10))
    return ErpOrderChanged(meta, _text(body, "SalesOrder", f"{label} data", limit=10))


__all__ = [
    "DELIVERY_GOODS_ISSUED",
    "MAX_EVENT_BYTES",
    "SALES_ORDER_CHANGED",
    "SALES_ORDER_CREATED",
    "SAP_TYPES",
    "parse_sap_event",
]
