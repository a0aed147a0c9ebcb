"""Event-driven sync: notifications and ERP business events, each driving targeted,
idempotent work through the workflows' own posting paths.

Messages come from a :class:`~amazon_erp_bridge.events.sources.MessageSource` (your SQS or
EventBridge consumer, or the shipped :class:`MemorySource` / :class:`DirectorySource`), are
parsed into typed events (:func:`parse_event`: SP-API notifications, ION BODs, SAP
CloudEvents), routed (:func:`route`, a pure function) and run by :class:`EventRunner`.
Scheduled runs still catch what events missed; the ledger keeps both from posting twice.
"""

from amazon_erp_bridge.events.amazon import NOTIFICATION_TYPES, parse_amazon_event
from amazon_erp_bridge.events.decode import parse_event
from amazon_erp_bridge.events.errors import EventError, UnknownEventError
from amazon_erp_bridge.events.ion import parse_ion_event
from amazon_erp_bridge.events.model import (
    ErpDeliveryShipped,
    ErpOrderChanged,
    Event,
    EventMeta,
    FulfillmentChanged,
    OrderChanged,
    Origin,
    ProcessingFinished,
    ReturnReceived,
    StockChanged,
)
from amazon_erp_bridge.events.router import Action, RoutingRules, Work, route
from amazon_erp_bridge.events.runner import EventHandlers, EventRunner, EventTally
from amazon_erp_bridge.events.sap import parse_sap_event
from amazon_erp_bridge.events.sources import (
    DirectorySource,
    MemorySource,
    Message,
    MessageSource,
)

__all__ = [
    "NOTIFICATION_TYPES",
    "Action",
    "DirectorySource",
    "ErpDeliveryShipped",
    "ErpOrderChanged",
    "Event",
    "EventError",
    "EventHandlers",
    "EventMeta",
    "EventRunner",
    "EventTally",
    "FulfillmentChanged",
    "MemorySource",
    "Message",
    "MessageSource",
    "OrderChanged",
    "Origin",
    "ProcessingFinished",
    "ReturnReceived",
    "RoutingRules",
    "StockChanged",
    "UnknownEventError",
    "Work",
    "parse_amazon_event",
    "parse_event",
    "parse_ion_event",
    "parse_sap_event",
    "route",
]
