"""The router as a pure function: a table of events -> actions."""

from __future__ import annotations

import pytest

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

RULES = RoutingRules({"ATVPDKIKX0DER": "m3", "A1F83G8C2ARO7P": "sap"})
AMAZON = EventMeta("e1", Origin.AMAZON, "T")
M3 = EventMeta("e2", Origin.M3, "SyncShipment")
SAP = EventMeta("e3", Origin.SAP, "sap.s4...")

TABLE: list[tuple[Event, Action]] = [
    (
        OrderChanged(AMAZON, "114-1", "ATVPDKIKX0DER", "Unshipped"),
        Action(Work.POST_ORDER, "114-1", "m3", "order Unshipped"),
    ),
    (
        OrderChanged(AMAZON, "206-1", "A1F83G8C2ARO7P", "Canceled"),
        Action(Work.POST_ORDER, "206-1", "sap", "order Canceled"),
    ),
    (
        OrderChanged(AMAZON, "503-1", "A1VC38T7YXB528", "Shipped"),
        Action(Work.NOTHING, "503-1", None, "marketplace A1VC38T7YXB528 is not bridged"),
    ),
    (
        StockChanged(AMAZON, "SKU-1", 5),
        Action(Work.SYNC_STOCK, "SKU-1", None, "stock changed on Amazon"),
    ),
    (
        FulfillmentChanged(AMAZON, "MCF-1", "Shipped", "S1"),
        Action(Work.READ_TRACKING, "MCF-1", None, "fulfilment Shipped"),
    ),
    (
        ReturnReceived(AMAZON, "MCF-1", "SKU-1", 2),
        Action(Work.TAKE_UP_RETURN, "MCF-1", None, "2 x SKU-1 returned"),
    ),
    (
        ProcessingFinished(
            AMAZON, "report", "R1", "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA", "DONE"
        ),
        Action(Work.TAKE_UP_RETURN, "R1", None, "returns report"),
    ),
    (
        ProcessingFinished(
            AMAZON, "report", "R2", "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA", "FATAL"
        ),
        Action(
            Work.NOTHING,
            "R2",
            None,
            "report GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA FATAL: read by the run that asked",
        ),
    ),
    (
        ProcessingFinished(AMAZON, "feed", "F1", "JSON_LISTINGS_FEED", "DONE"),
        Action(
            Work.NOTHING, "F1", None, "feed JSON_LISTINGS_FEED DONE: read by the run that asked"
        ),
    ),
    (
        ErpOrderChanged(M3, "1000123", "114-1"),
        Action(Work.START_MCF, "1000123", "m3", "m3 order changed"),
    ),
    (
        ErpOrderChanged(SAP, "10"),
        Action(Work.START_MCF, "10", "sap", "sap order changed"),
    ),
    (
        ErpDeliveryShipped(M3, "2000456", "1000123"),
        Action(Work.CONFIRM_SHIPMENT, "1000123", "m3", "m3 delivery 2000456 shipped"),
    ),
    (
        ErpDeliveryShipped(SAP, "80000001"),
        Action(Work.CONFIRM_SHIPMENT, "80000001", "sap", "sap delivery 80000001 shipped"),
    ),
]


@pytest.mark.parametrize(("event", "action"), TABLE)
def test_route(event: Event, action: Action) -> None:
    assert route(event, RULES) == action


def test_route_is_pure() -> None:
    event = TABLE[0][0]
    assert route(event, RULES) == route(event, RULES)
    assert RULES.marketplaces == {"ATVPDKIKX0DER": "m3", "A1F83G8C2ARO7P": "sap"}
