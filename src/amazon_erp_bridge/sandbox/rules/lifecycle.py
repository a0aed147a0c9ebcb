"""The sandbox world's order lifecycle: shipment confirmations, returns and cancellations.

Confirm shipments
    The merchant-fulfilled (MFN) orders of the marketplaces each ERP takes (M3: Amazon.com
    and Amazon.ca; SAP: the others) wait in Amazon as Unshipped. The sandbox's warehouse ships
    them from the ERP: :func:`ship_from_m3` confirms the M3 delivery and stores the carrier's
    tracking number on a package (MWS423MI), :func:`ship_from_sap` makes the outbound
    delivery with the tracking number in ``BillOfLading``, picked and goods-issued. Carriers:
    M3 delivery method ``UPS`` and SAP's default carrier ``DHL`` (Amazon codes UPS, DHL).

Returns
    The Amazon fake refunds and takes back one German order; :func:`seed_returns` adds an
    FBA return with its refund for an Amazon.com order, so each ERP has one. Returns are read
    from Amazon's FBA customer returns report over the sandbox's two months; M3
    receives them in warehouse ``AMZ`` as return orders, SAP as customer returns (type
    ``CBAR``) of sales organisation 1010. Amazon's reasons map to M3 transaction reasons /
    SAP order reasons (``DEFECTIVE`` -> ``RDF`` / ``R01``, else ``RUW`` / ``R02``).

Cancellations
    :func:`cancel_after_posting` cancels an Amazon order that order to cash has posted (as a
    buyer or Amazon does before it ships); the next order-to-cash run cancels its ERP lines.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from amazon_erp_bridge.amazon.endpoints import MARKETPLACES
from amazon_erp_bridge.infor import M3Client
from amazon_erp_bridge.mapping import (
    CARRIER_CODES,
    CarrierRules,
    M3ReturnSettings,
    SapReturnSettings,
)
from amazon_erp_bridge.model import FulfillmentChannel, OrderStatus
from amazon_erp_bridge.sandbox.amazon.finances import take_up_returns
from amazon_erp_bridge.sandbox.amazon.state import DEFAULT_START, seed_return
from amazon_erp_bridge.sandbox.environment import WAREHOUSE, Sandbox
from amazon_erp_bridge.sandbox.rules.orders import SAP_SETTINGS, START, seed_orders
from amazon_erp_bridge.sap import (
    DeliveryLine,
    ODataClient,
    OutboundDeliveryService,
    SalesOrderService,
)
from amazon_erp_bridge.workflows.confirm_shipments import (
    ConfirmShipmentsM3Config,
    ConfirmShipmentsSapConfig,
)
from amazon_erp_bridge.workflows.returns import ReturnsM3Config, ReturnsSapConfig

#: The carriers of the sandbox's warehouses (an M3 delivery method and SAP's default).
M3_CARRIER: Final = "UPS"
SAP_CARRIER: Final = "DHL"
CARRIERS: Final = CarrierRules(CARRIER_CODES)
#: Amazon return reasons -> M3 transaction reasons (RSCD) / SAP order reasons.
M3_RETURN_REASONS: Final = {"DEFECTIVE": "RDF", "DAMAGED_BY_CARRIER": "RDF"}
SAP_RETURN_REASONS: Final = {"DEFECTIVE": "R01", "DAMAGED_BY_CARRIER": "R01"}
M3_RETURN_SETTINGS: Final = M3ReturnSettings(
    WAREHOUSE, reasons=M3_RETURN_REASONS, default_reason="RUW"
)
SAP_RETURN_SETTINGS: Final = SapReturnSettings(
    SAP_SETTINGS.sales_organization,
    SAP_SETTINGS.distribution_channel,
    SAP_SETTINGS.division,
    document="customer_return",
    reasons=SAP_RETURN_REASONS,
    default_reason="R02",
    price_condition_type=None,  # the fake's return services keep no pricing elements
)
#: The end of the sandbox's returns window: its orders, returns and refunds all lie before.
RETURNS_UNTIL: Final = DEFAULT_START + timedelta(days=60)
#: Report polls in the sandbox: its reports are done at once.
REPORT_POLL: Final = 0.05


def _north_america(sandbox: Sandbox) -> tuple[str, ...]:
    return tuple(m for m in sandbox.marketplaces if MARKETPLACES[m].region == "na")


def _others(sandbox: Sandbox) -> tuple[str, ...]:
    return tuple(m for m in sandbox.marketplaces if m not in _north_america(sandbox))


def merchant_orders(sandbox: Sandbox, marketplaces: tuple[str, ...]) -> list[str]:
    """The Amazon ids of the Unshipped merchant-fulfilled orders of ``marketplaces``."""
    return sorted(
        o.order_id
        for o in sandbox.amazon.state.orders.values()
        if o.marketplace_id in marketplaces
        and o.fulfillment_channel is FulfillmentChannel.MERCHANT
        and o.status is OrderStatus.UNSHIPPED
    )


def confirm_shipments_m3_config(sandbox: Sandbox) -> ConfirmShipmentsM3Config:
    """MFN orders of Amazon.com and Amazon.ca shipped from M3 (see the module docs)."""
    seed_orders(sandbox)
    return ConfirmShipmentsM3Config(
        marketplaces=_north_america(sandbox),
        start=START,
        carriers=CARRIERS,
        default_carrier=M3_CARRIER,
    )


def confirm_shipments_sap_config(sandbox: Sandbox) -> ConfirmShipmentsSapConfig:
    """MFN orders of the other marketplaces shipped from SAP (see the module docs)."""
    seed_orders(sandbox)
    return ConfirmShipmentsSapConfig(
        marketplaces=_others(sandbox),
        start=START,
        carriers=CARRIERS,
        default_carrier=SAP_CARRIER,
    )


#: The index of the FBA return the lifecycle rules add (license plate LPNSBX0000901).
M3_RETURN_INDEX: Final = 901


def seed_returns(sandbox: Sandbox) -> None:
    """Add an FBA return (and Amazon's refund of it) for the first Amazon-fulfilled, shipped
    Amazon.com order, so M3 has a return too; once per sandbox."""
    state = sandbox.amazon.state
    if any(r.return_id == f"LPNSBX{M3_RETURN_INDEX:07d}" for r in state.returns):
        return
    shipped = sorted(
        (
            o
            for o in state.orders.values()
            if o.marketplace_id in _north_america(sandbox)
            and o.fulfillment_channel is FulfillmentChannel.AMAZON
            and o.status is OrderStatus.SHIPPED
        ),
        key=lambda o: o.order_id,
    )
    if shipped:
        state.returns.append(seed_return(shipped[0], M3_RETURN_INDEX))
        take_up_returns(state)


def returns_m3_config(sandbox: Sandbox) -> ReturnsM3Config:
    """Returns of Amazon.com and Amazon.ca orders into M3 warehouse AMZ."""
    seed_orders(sandbox)
    seed_returns(sandbox)
    return ReturnsM3Config(
        marketplaces=_north_america(sandbox),
        start=START,
        settings=M3_RETURN_SETTINGS,
        until=RETURNS_UNTIL,
        poll_interval=REPORT_POLL,
    )


def returns_sap_config(sandbox: Sandbox) -> ReturnsSapConfig:
    """Returns of the other marketplaces' orders into SAP as customer returns."""
    seed_orders(sandbox)
    seed_returns(sandbox)
    return ReturnsSapConfig(
        marketplaces=_others(sandbox),
        start=START,
        settings=SAP_RETURN_SETTINGS,
        until=RETURNS_UNTIL,
        poll_interval=REPORT_POLL,
    )


def ship_from_m3(m3: M3Client, orno: str, tracking: str) -> list[str]:
    """The sandbox warehouse ships M3 order ``orno``: delivery confirmed (MWS420MI), the
    tracking number on a package of each delivery (MWS423MI AddPackage); the deliveries."""
    outcome = m3.deliveries.confirm_shipped(orno)
    for delivery in outcome.deliveries:
        m3.deliveries.add_tracking(delivery, tracking)
    return list(outcome.deliveries)


def ship_from_sap(sap: ODataClient, sales_order: str, tracking: str) -> str:
    """The sandbox warehouse ships SAP sales order ``sales_order``: an outbound delivery of
    every item with the tracking number in BillOfLading, picked and goods-issued."""
    items = SalesOrderService(sap).get(sales_order).items
    deliveries = OutboundDeliveryService(sap)
    delivery = deliveries.create_for_sales_order(
        sales_order, [DeliveryLine(i.sales_order_item) for i in items]
    )
    number = delivery.delivery_document
    deliveries.set_tracking(number, tracking)
    deliveries.pick_all_items(number)
    deliveries.post_goods_issue(number)
    return number


def cancel_after_posting(sandbox: Sandbox, order_id: str, at: datetime | None = None) -> None:
    """Amazon cancels ``order_id`` (already read by order to cash) a month into the sandbox."""
    sandbox.amazon.state.cancel_order(order_id, at or DEFAULT_START + timedelta(days=40))


__all__ = [
    "CARRIERS",
    "M3_CARRIER",
    "M3_RETURN_INDEX",
    "M3_RETURN_SETTINGS",
    "RETURNS_UNTIL",
    "SAP_CARRIER",
    "SAP_RETURN_SETTINGS",
    "cancel_after_posting",
    "confirm_shipments_m3_config",
    "confirm_shipments_sap_config",
    "merchant_orders",
    "returns_m3_config",
    "returns_sap_config",
    "seed_returns",
    "ship_from_m3",
    "ship_from_sap",
]
