"""Infor ION event messages (BOD XML) as typed events: Sync.CustomerOrder, Sync.Shipment.

M3 publishes business object documents through ION (OAGIS-based BODs, see Infor's "ION
business object documents" documentation): ``SyncCustomerOrder`` when a customer order
changes, ``SyncShipment`` when a delivery ships. Only the ids the router needs are read:
``ApplicationArea/BODID`` (the message id), ``CreationDateTime``, and from the noun's header
``DocumentID/ID``, ``Status/Code`` and the customer's order reference
(``CustomerPurchaseOrderReference/DocumentID/ID``; for a shipment, a ``DocumentReference`` to
its customer order). Namespaces are ignored (BODs come in several releases).

The XML is read defensively with the standard library only: at most :data:`MAX_BOD_BYTES`, and
any DOCTYPE or ENTITY declaration is refused before parsing, so no entity is ever expanded
(no "billion laughs", no external entity). Every failure is an
:class:`~amazon_erp_bridge.events.errors.EventError` naming the BOD and the element.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Final

from amazon_erp_bridge.events.errors import EventError, UnknownEventError
from amazon_erp_bridge.events.model import (
    ErpDeliveryShipped,
    ErpOrderChanged,
    Event,
    EventMeta,
    Origin,
)

#: The largest BOD read, in bytes.
MAX_BOD_BYTES: Final = 1024 * 1024
#: The BOD nouns handled, by root element name (verb + noun).
ION_TYPES: Final = ("SyncCustomerOrder", "SyncShipment")

_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(element: ET.Element, path: str) -> ET.Element | None:
    """The first descendant along ``a/b/c`` by local names (namespaces ignored)."""
    current: ET.Element | None = element
    for step in path.split("/"):
        if current is None:
            return None
        current = next((c for c in current if _local(c.tag) == step), None)
    return current


def _text(element: ET.Element, path: str) -> str | None:
    found = _find(element, path)
    if found is None or found.text is None or not found.text.strip():
        return None
    return found.text.strip()[:200]


def _required(element: ET.Element, path: str, label: str) -> str:
    value = _text(element, path)
    if value is None:
        raise EventError(f"{label}: {path} is missing or empty")
    return value


def _when(text: str | None, label: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise EventError(f"{label}: CreationDateTime {text[:40]!r} is not ISO 8601") from None
    if moment.tzinfo is None:
        raise EventError(f"{label}: CreationDateTime {text[:40]!r} has no timezone")
    return moment


def _root(message: str | bytes) -> ET.Element:
    data = message.encode("utf-8") if isinstance(message, str) else bytes(message)
    if len(data) > MAX_BOD_BYTES:
        raise EventError(f"ION BOD: {len(data)} bytes is more than the {MAX_BOD_BYTES} allowed")
    if _DECLARATION.search(data):
        raise EventError("ION BOD: DOCTYPE/ENTITY declarations are refused (no entity expansion)")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise EventError(f"ION BOD: not well-formed XML ({exc})") from None


def parse_ion_event(message: str | bytes) -> Event:
    """The typed event of one ION BOD (``SyncCustomerOrder`` or ``SyncShipment``)."""
    root = _root(message)
    kind = _local(root.tag)
    if kind not in ION_TYPES:
        raise UnknownEventError(
            f"ION BOD {kind[:60]!r} is not handled; handled: {', '.join(ION_TYPES)}"
        )
    bod_id = _text(root, "ApplicationArea/BODID")
    label = f"ION {kind} {bod_id or '(no BODID)'}"
    if bod_id is None:
        raise EventError(f"{label}: ApplicationArea/BODID is missing or empty")
    meta = EventMeta(
        bod_id, Origin.M3, kind, _when(_text(root, "ApplicationArea/CreationDateTime"), label)
    )
    if kind == "SyncCustomerOrder":
        header = _find(root, "DataArea/CustomerOrder/CustomerOrderHeader")
        if header is None:
            raise EventError(f"{label}: DataArea/CustomerOrder/CustomerOrderHeader is missing")
        return ErpOrderChanged(
            meta,
            _required(header, "DocumentID/ID", label),
            _text(header, "CustomerPurchaseOrderReference/DocumentID/ID"),
            _text(header, "Status/Code"),
        )
    header = _find(root, "DataArea/Shipment/ShipmentHeader")
    if header is None:
        raise EventError(f"{label}: DataArea/Shipment/ShipmentHeader is missing")
    order = None
    for child in header:
        if _local(child.tag) == "DocumentReference" and child.get("type") in (
            "CustomerOrder",
            "SalesOrder",
        ):
            order = _text(child, "DocumentID/ID")
    return ErpDeliveryShipped(
        meta,
        _required(header, "DocumentID/ID", label),
        order,
        _text(header, "CustomerPurchaseOrderReference/DocumentID/ID"),
    )


__all__ = ["ION_TYPES", "MAX_BOD_BYTES", "parse_ion_event"]
