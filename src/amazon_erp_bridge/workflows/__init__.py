"""The use cases, each a short composition of an Amazon client, the mapping layer and the poster.

One entry point per ERP, each returning a :class:`WorkflowReport`:

- order-to-cash: :func:`order_to_cash_m3`, :func:`order_to_cash_sap` (new Amazon orders ->
  ERP sales orders once; Amazon-shipped orders -> ERP deliveries; invoices read back);
- settlement-to-GL: :func:`settlement_to_gl_m3`, :func:`settlement_to_gl_sap` (each settlement
  report -> one balanced journal posted once and tied out to the deposit, with tax and
  receivable lines as configured); :func:`reverse_settlement_m3`,
  :func:`reverse_settlement_sap` reverse a posted journal once;
- inventory sync: :func:`inventory_sync_m3`, :func:`inventory_sync_sap` (ERP available-to-sell
  -> an Amazon listings feed with the changes only);
- MCF: :func:`mcf_m3`, :func:`mcf_sap` (ERP orders flagged for MCF -> fulfilment orders once;
  tracking back to the ERP);
- confirm shipments: :func:`confirm_shipments_m3`, :func:`confirm_shipments_sap` (ERP
  deliveries of merchant-fulfilled orders -> Amazon confirmShipment once each);
- returns: :func:`returns_m3`, :func:`returns_sap` (Amazon returns and their refunds -> M3
  return orders / SAP customer returns or credit memo requests, once per Amazon return).

Order to cash also cancels, in the ERP, the open lines of orders Amazon cancelled after they
were posted (its cancellations step, :mod:`amazon_erp_bridge.workflows.cancellations`).

Configs are frozen attrs classes holding rule data; ``amazon_erp_bridge.sandbox.rules`` builds
them for the sandbox, which is the quickest way to see one filled in.
"""

from amazon_erp_bridge.workflows.confirm_shipments import (
    ConfirmShipmentsM3Config,
    ConfirmShipmentsSapConfig,
    confirm_shipments_m3,
    confirm_shipments_sap,
)
from amazon_erp_bridge.workflows.inventory_sync import (
    InventorySyncM3Config,
    InventorySyncSapConfig,
    inventory_sync_m3,
    inventory_sync_sap,
)
from amazon_erp_bridge.workflows.mcf import McfM3Config, McfSapConfig, mcf_m3, mcf_sap
from amazon_erp_bridge.workflows.order_to_cash import (
    OrderToCashM3Config,
    OrderToCashSapConfig,
    m3_crosswalk,
    order_to_cash_m3,
    order_to_cash_sap,
    sap_crosswalk,
)
from amazon_erp_bridge.workflows.report import StepReport, WorkflowReport
from amazon_erp_bridge.workflows.returns import (
    ReturnsM3Config,
    ReturnsSapConfig,
    returns_m3,
    returns_sap,
)
from amazon_erp_bridge.workflows.settlement_to_gl import (
    SettlementToGlM3Config,
    SettlementToGlSapConfig,
    load_account_map,
    preview_settlement,
    reverse_settlement_m3,
    reverse_settlement_sap,
    settlement_to_gl_m3,
    settlement_to_gl_sap,
)

__all__ = [
    "ConfirmShipmentsM3Config",
    "ConfirmShipmentsSapConfig",
    "InventorySyncM3Config",
    "InventorySyncSapConfig",
    "McfM3Config",
    "McfSapConfig",
    "OrderToCashM3Config",
    "OrderToCashSapConfig",
    "ReturnsM3Config",
    "ReturnsSapConfig",
    "SettlementToGlM3Config",
    "SettlementToGlSapConfig",
    "StepReport",
    "WorkflowReport",
    "confirm_shipments_m3",
    "confirm_shipments_sap",
    "inventory_sync_m3",
    "inventory_sync_sap",
    "load_account_map",
    "m3_crosswalk",
    "mcf_m3",
    "mcf_sap",
    "order_to_cash_m3",
    "order_to_cash_sap",
    "preview_settlement",
    "returns_m3",
    "returns_sap",
    "reverse_settlement_m3",
    "reverse_settlement_sap",
    "sap_crosswalk",
    "settlement_to_gl_m3",
    "settlement_to_gl_sap",
]
