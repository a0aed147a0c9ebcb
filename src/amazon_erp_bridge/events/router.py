"""The router: a pure function from a typed event to the targeted work it asks for.

No I/O and no clock: :func:`route` looks only at the event and the :class:`RoutingRules`
(data), so it is tested as a table of events -> actions. The
:class:`~amazon_erp_bridge.events.runner.EventRunner` performs the actions through the
workflows' posting paths.

============================  ======================================================
event                         work
============================  ======================================================
ORDER_CHANGE                  post this one order (to the ERP of its marketplace)
FBA inventory / MFN quantity  sync this SKU's stock
FBA outbound / fulfilment     read this MCF order's tracking back to the ERP
fulfilment return item        take up the return
returns report finished       take up the returns
ERP order changed             start MCF for ERP orders (the MCF workflow decides)
ERP delivery shipped          confirm this delivery's shipment to Amazon (M3: by its order)
anything else                 nothing (with the reason)
============================  ======================================================
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Final

from attrs import field, frozen

from amazon_erp_bridge.events.model import (
    ErpDeliveryShipped,
    ErpOrderChanged,
    Event,
    FulfillmentChanged,
    OrderChanged,
    Origin,
    ProcessingFinished,
    ReturnReceived,
    StockChanged,
)

#: The report types whose completion means returns to take up.
RETURN_REPORTS: Final = (
    "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA",
    "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE",
    "GET_XML_RETURNS_DATA_BY_RETURN_DATE",
)


class Work(enum.StrEnum):
    """The kinds of targeted work an event can ask for."""

    POST_ORDER = "post-order"
    SYNC_STOCK = "sync-stock"
    READ_TRACKING = "read-mcf-tracking"
    CONFIRM_SHIPMENT = "confirm-shipment"
    TAKE_UP_RETURN = "take-up-return"
    START_MCF = "start-mcf"
    NOTHING = "nothing"


@frozen
class Action:
    """One piece of work: what, on which record, in which ERP (``None``: every ERP), why."""

    work: Work
    subject: str
    erp: str | None
    reason: str


def _markets(value: Mapping[str, str]) -> Mapping[str, str]:
    return dict(value)


def _types(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@frozen
class RoutingRules:
    """Which ERP takes each marketplace's orders (as the order-to-cash configs say), and
    which report types are returns."""

    marketplaces: Mapping[str, str] = field(converter=_markets)
    return_reports: tuple[str, ...] = field(default=RETURN_REPORTS, converter=_types)


def route(event: Event, rules: RoutingRules) -> Action:
    """The targeted work ``event`` asks for (see the module table)."""
    if isinstance(event, OrderChanged):
        erp = rules.marketplaces.get(event.marketplace_id or "")
        if erp is None:
            return Action(
                Work.NOTHING,
                event.order_id,
                None,
                f"marketplace {event.marketplace_id or '(none)'} is not bridged",
            )
        return Action(Work.POST_ORDER, event.order_id, erp, f"order {event.status or 'changed'}")
    if isinstance(event, StockChanged):
        return Action(Work.SYNC_STOCK, event.seller_sku, None, "stock changed on Amazon")
    if isinstance(event, ReturnReceived):
        return Action(
            Work.TAKE_UP_RETURN,
            event.fulfillment_order_id,
            None,
            f"{event.quantity} x {event.seller_sku} returned",
        )
    if isinstance(event, FulfillmentChanged):
        return Action(
            Work.READ_TRACKING, event.fulfillment_order_id, None, f"fulfilment {event.status}"
        )
    if isinstance(event, ProcessingFinished):
        returns = event.what == "report" and event.processing_type in rules.return_reports
        if returns and event.status == "DONE":
            return Action(Work.TAKE_UP_RETURN, event.processing_id, None, "returns report")
        return Action(
            Work.NOTHING,
            event.processing_id,
            None,
            f"{event.what} {event.processing_type} {event.status}: read by the run that asked",
        )
    erp = "m3" if event.meta.origin is Origin.M3 else "sap"
    if isinstance(event, ErpOrderChanged):
        return Action(Work.START_MCF, event.document_id, erp, f"{erp} order changed")
    if isinstance(event, ErpDeliveryShipped):
        # M3's confirmation reads the customer order (its CUOR is the Amazon order id); SAP's
        # reads the delivery's sales order (PurchaseOrderByCustomer)
        subject = (event.order_document or event.delivery_id) if erp == "m3" else event.delivery_id
        return Action(
            Work.CONFIRM_SHIPMENT, subject, erp, f"{erp} delivery {event.delivery_id} shipped"
        )
    return Action(Work.NOTHING, "", None, f"no work for {type(event).__name__}")


__all__ = ["RETURN_REPORTS", "Action", "RoutingRules", "Work", "route"]
