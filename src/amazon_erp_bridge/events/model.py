"""Typed events: what happened, in whichever system, as the router needs it.

Amazon notifications, Infor ION BODs and SAP business events all become one of these frozen
classes. Each carries :class:`EventMeta` (the message id used to absorb duplicates, the origin,
the source type and when it happened) and the ids the router needs to pick the targeted work.
Events are triggers, not state: the work always reads the current record again, so an event
that arrives late or twice acts on what is true now.
"""

from __future__ import annotations

import enum
from datetime import datetime

from attrs import frozen


class Origin(enum.StrEnum):
    """The system that published an event."""

    AMAZON = "amazon"
    M3 = "m3"
    SAP = "sap"


@frozen
class EventMeta:
    """Who sent an event, its id (duplicates share it), its source type and time."""

    event_id: str
    origin: Origin
    source_type: str
    occurred_at: datetime | None = None


@frozen
class OrderChanged:
    """An Amazon order changed (ORDER_CHANGE): post it, or follow up its cancellation."""

    meta: EventMeta
    order_id: str
    marketplace_id: str | None = None
    status: str | None = None


@frozen
class StockChanged:
    """A SKU's stock changed on Amazon (FBA availability, MFN quantity): sync that SKU."""

    meta: EventMeta
    seller_sku: str
    quantity: int | None = None
    marketplace_id: str | None = None


@frozen
class FulfillmentChanged:
    """An MCF fulfilment order or its shipment changed: read its tracking back."""

    meta: EventMeta
    fulfillment_order_id: str
    status: str
    shipment_id: str | None = None


@frozen
class ReturnReceived:
    """Amazon received a return of an MCF order's item: take the return up."""

    meta: EventMeta
    fulfillment_order_id: str
    seller_sku: str
    quantity: int


@frozen
class ProcessingFinished:
    """A report or feed finished (REPORT/FEED_PROCESSING_FINISHED)."""

    meta: EventMeta
    what: str  # "report" | "feed"
    processing_id: str
    processing_type: str
    status: str
    document_id: str | None = None


@frozen
class ErpOrderChanged:
    """An ERP order changed (ION Sync.CustomerOrder, SAP SalesOrder.Changed)."""

    meta: EventMeta
    document_id: str
    reference: str | None = None  # the customer's order reference: an Amazon order id or none
    status: str | None = None


@frozen
class ErpDeliveryShipped:
    """The ERP shipped a delivery (ION Sync.Shipment, SAP OutboundDelivery.GoodsIssued):
    confirm the shipment of its order to Amazon."""

    meta: EventMeta
    delivery_id: str
    order_document: str | None = None
    reference: str | None = None


#: Every typed event.
Event = (
    OrderChanged
    | StockChanged
    | FulfillmentChanged
    | ReturnReceived
    | ProcessingFinished
    | ErpOrderChanged
    | ErpDeliveryShipped
)

__all__ = [
    "ErpDeliveryShipped",
    "ErpOrderChanged",
    "Event",
    "EventMeta",
    "FulfillmentChanged",
    "OrderChanged",
    "Origin",
    "ProcessingFinished",
    "ReturnReceived",
    "StockChanged",
]
