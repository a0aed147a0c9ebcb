"""Names the generator gives things, and the two facts the models do not carry.

- :data:`LIMIT_PREFIXES`: the rate-limit key prefix of the models the hand-written groups used
  before the generator existed (``"orders.searchOrders"``); keeping them keeps one bucket per
  operation whether a call is hand-written or generated, and keeps users' rate overrides
  working. Every other model's prefix is its module name (``"awd_2024_05_09.getInbound"``).
- :data:`RESTRICTED`: the restricted operations (an RDT is needed) that Amazon lists in the
  Tokens API use case guide, "Restricted operations"
  (https://developer-docs.amazon.com/sp-api/docs/tokens-api-use-case-guide); the models do not
  mark them. ``optional``: an RDT only for PII data elements (Orders v0 getOrders, getOrder,
  getOrderItems) or restricted report types (getReportDocument); ``required``: always.
"""

from __future__ import annotations

import keyword
import re
from typing import Final

LIMIT_PREFIXES: Final[dict[str, str]] = {
    "orders-api-model/orders_2026-01-01.json": "orders",
    "orders-api-model/ordersV0.json": "ordersV0",
    "finances-api-model/financesV0.json": "finances",
    "finances-api-model/finances_2024-06-19.json": "finances",
    "fba-inventory-api-model/fbaInventory.json": "fbaInventory",
    "reports-api-model/reports_2021-06-30.json": "reports",
    "feeds-api-model/feeds_2021-06-30.json": "feeds",
    "listings-items-api-model/listingsItems_2021-08-01.json": "listingsItems",
    "fulfillment-outbound-api-model/fulfillmentOutbound_2020-07-01.json": "fulfillmentOutbound",
    "tokens-api-model/tokens_2021-03-01.json": "tokens",
    "notifications-api-model/notifications.json": "notifications",
    "finances-api-model/transfers_2024-06-01.json": "transfers",
    "application-management-api-model/application_2023-11-30.json": "applications",
}

_VDF_SHIPPING_V1: Final = (
    "vendor-direct-fulfillment-shipping-api-model/vendorDirectFulfillmentShippingV1.json"
)
_VDF_SHIPPING_2021: Final = (
    "vendor-direct-fulfillment-shipping-api-model/vendorDirectFulfillmentShipping_2021-12-28.json"
)
_VDF_ORDERS_V1: Final = (
    "vendor-direct-fulfillment-orders-api-model/vendorDirectFulfillmentOrdersV1.json"
)
_VDF_ORDERS_2021: Final = (
    "vendor-direct-fulfillment-orders-api-model/vendorDirectFulfillmentOrders_2021-12-28.json"
)
_MFN: Final = "merchant-fulfillment-api-model/merchantFulfillmentV0.json"
_ORDERS_V0: Final = "orders-api-model/ordersV0.json"

RESTRICTED: Final[dict[tuple[str, str], str]] = {
    (_VDF_ORDERS_V1, "getOrders"): "required",
    (_VDF_ORDERS_V1, "getOrder"): "required",
    (_VDF_ORDERS_2021, "getOrders"): "required",
    (_VDF_ORDERS_2021, "getOrder"): "required",
    **{
        (_VDF_SHIPPING_V1, op): "required"
        for op in (
            "getShippingLabel",
            "getShippingLabels",
            "getPackingSlip",
            "getPackingSlips",
            "getCustomerInvoice",
            "getCustomerInvoices",
        )
    },
    **{
        (_VDF_SHIPPING_2021, op): "required"
        for op in (
            "getShippingLabel",
            "getCustomerInvoices",
            "getCustomerInvoice",
            "getPackingSlips",
            "getPackingSlip",
            # The guide lists createShippingLabels under the v1 API; only 2021-12-28 has it.
            "createShippingLabels",
        )
    },
    ("easy-ship-model/easyShip_2022-03-23.json", "createScheduledPackageBulk"): "required",
    (_MFN, "getShipment"): "required",
    (_MFN, "cancelShipment"): "required",
    (_MFN, "createShipment"): "required",
    (_ORDERS_V0, "getOrders"): "optional",
    (_ORDERS_V0, "getOrder"): "optional",
    (_ORDERS_V0, "getOrderItems"): "optional",
    (_ORDERS_V0, "getOrderRegulatedInfo"): "required",
    (_ORDERS_V0, "getOrderAddress"): "required",
    (_ORDERS_V0, "getOrderBuyerInfo"): "required",
    (_ORDERS_V0, "getOrderItemsBuyerInfo"): "required",
    ("reports-api-model/reports_2021-06-30.json", "getReportDocument"): "optional",
    ("shipment-invoicing-api-model/shipmentInvoicingV0.json", "getShipmentDetails"): "required",
    ("shipping-api-model/shipping.json", "getShipment"): "required",
}

_VERSION_TAIL: Final = re.compile(r"(?:[_-]?V\d+|[_-]?V?\d{4}-\d\d-\d\d)$")


def snake(name: str) -> str:
    """``MarketplaceIds`` -> ``marketplace_ids``; ``x-amzn-IdempotencyKey`` -> ``x_amzn_idempotency_key``."""
    text = re.sub(r"[^0-9A-Za-z]+", "_", name)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    text = re.sub(r"_+", "_", text).strip("_").lower()
    if not text or text[0].isdigit():
        text = "p_" + text
    if keyword.iskeyword(text):
        text += "_"
    return text


def module_name(stem: str, version: str) -> str:
    """``ordersV0`` + ``v0`` -> ``orders_v0``; ``awd_2024-05-09`` -> ``awd_2024_05_09``."""
    base = snake(_VERSION_TAIL.sub("", stem))
    return f"{base}_{snake(version).removeprefix('p_')}"
