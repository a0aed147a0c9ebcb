"""The canonical data model: frozen attrs classes, exact money, lossless JSON round trips."""

from amazon_erp_bridge.model._checks import require_aware
from amazon_erp_bridge.model.convert import converter, from_dict, from_json, to_dict, to_json
from amazon_erp_bridge.model.currency import MINOR_UNITS, is_currency, minor_units
from amazon_erp_bridge.model.finance import ComponentKind, FinancialComponent, FinancialEvent
from amazon_erp_bridge.model.inventory import InventoryLevel
from amazon_erp_bridge.model.journal import JournalEntry, JournalLine
from amazon_erp_bridge.model.lifecycle import Payout, Refund, Return
from amazon_erp_bridge.model.money import Money, to_decimal
from amazon_erp_bridge.model.order import (
    Address,
    FulfillmentChannel,
    ItemRef,
    Order,
    OrderLine,
    OrderStatus,
    Shipment,
    ShipmentItem,
    ShipmentPackage,
)
from amazon_erp_bridge.model.settlement import Settlement, SettlementLine

__all__ = [
    "MINOR_UNITS",
    "Address",
    "ComponentKind",
    "FinancialComponent",
    "FinancialEvent",
    "FulfillmentChannel",
    "InventoryLevel",
    "ItemRef",
    "JournalEntry",
    "JournalLine",
    "Money",
    "Order",
    "OrderLine",
    "OrderStatus",
    "Payout",
    "Refund",
    "Return",
    "Settlement",
    "SettlementLine",
    "Shipment",
    "ShipmentItem",
    "ShipmentPackage",
    "converter",
    "from_dict",
    "from_json",
    "is_currency",
    "minor_units",
    "require_aware",
    "to_decimal",
    "to_dict",
    "to_json",
]
