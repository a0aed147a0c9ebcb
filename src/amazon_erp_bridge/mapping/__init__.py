"""The mapping layer: pure, data-driven transformations between Amazon, the canonical model,
Infor M3 and SAP S/4HANA.

Everything here is a pure function (no I/O, no clock, no module state) or an immutable
rule object that callers build from their own data (dicts, JSON or CSV they keep beside
their code).

Extension: every single decision is a function that a mapping builder calls through a
keyword argument, and the built-in one is public. Replace one by passing your own function
with the same signature, and unit-test it without any client::

    def my_account(line, accounts):            # same signature as settlement_line_account
        if line.sku and line.sku.startswith("B2B-"):
            return GlAccount("4100", {"channel": "b2b"})
        return settlement_line_account(line, accounts)

    entry = settlement_to_journal(settlement, accounts, account_for=my_account)

Hooks: ``account_for`` (settlements, events), ``customer_for``, ``order_type_for``,
``item_for``, ``unit_price_for`` (orders; :func:`unit_price_or_erp_price` is a built-in
alternative), ``sku_for`` (MCF). ERP orders that start in the ERP become canonical Orders
through :func:`m3_order` and :func:`sap_order`. Tables (status, address
layouts, postal formats, region codes, shipment actions, event keys) are arguments too.
"""

from amazon_erp_bridge.mapping.accounts import (
    AMAZON_DEFAULT_ACCOUNTS,
    WILDCARD,
    AccountResolver,
    GlAccount,
    GlAccountMap,
    GlRule,
    settlement_line_account,
)
from amazon_erp_bridge.mapping.addresses import (
    M3_ADDRESS,
    POSTAL_FORMATS,
    REGION_CODES,
    SAP_BUSINESS_PARTNER_ADDRESS,
    SAP_SALES_ORDER_ADDRESS,
    AddressLayout,
    FieldSpec,
    PostalFormat,
    erp_address,
    fit_lines,
)
from amazon_erp_bridge.mapping.erp_orders import (
    SAP_SHIP_TO,
    m3_address,
    m3_order,
    sap_address,
    sap_order,
)
from amazon_erp_bridge.mapping.errors import (
    AddressTooLongError,
    ItemNotFoundError,
    SettlementCurrencyError,
    SettlementTieOutError,
    UnknownStatusError,
    UnmappedAmounts,
    UnmappedFinancialEvents,
    UnmappedKey,
    UnmappedSettlementLines,
)
from amazon_erp_bridge.mapping.fulfillment import (
    SHIPMENT_ACTIONS,
    M3DeliveryConfirmation,
    M3PickReportSettings,
    McfRules,
    SapDeliveryUpdate,
    ShipmentAction,
    SkuResolver,
    is_flagged_for_mcf,
    line_seller_sku,
    m3_delivery_confirmation,
    mcf_order_request,
    sap_delivery_update,
    shipment_action,
    shipments_by_action,
)
from amazon_erp_bridge.mapping.inventory import (
    InventoryRules,
    allocate_quantities,
    amazon_quantities,
    changed_quantities,
    sellable_quantities,
)
from amazon_erp_bridge.mapping.items import (
    DEFAULT_M3_ALIAS_KINDS,
    IdKind,
    ItemCrosswalk,
    ItemResolver,
    order_line_item,
)
from amazon_erp_bridge.mapping.journal import (
    DEFAULT_EVENT_KEYS,
    EventAccountResolver,
    EventKeyRules,
    financial_event_account,
    financial_event_key,
    financial_events_to_journal,
    reverse_daily_postings,
    reverse_entry,
    settlement_posting_date,
    settlement_to_journal,
)
from amazon_erp_bridge.mapping.orders import (
    CustomerResolver,
    CustomerRules,
    M3CustomerOrder,
    M3OrderSettings,
    OrderTypeResolver,
    OrderTypeRule,
    OrderTypeRules,
    SapOrderSettings,
    UnitPriceRule,
    is_mcf_order,
    line_unit_price,
    order_to_m3,
    order_to_sap,
    resolve_customer,
    resolve_order_type,
    unit_price_or_erp_price,
)
from amazon_erp_bridge.mapping.status import (
    AMAZON_TO_M3,
    AMAZON_TO_SAP,
    M3_TO_AMAZON,
    SAP_DELIVERY_TO_AMAZON,
    SAP_REJECTION_TO_AMAZON,
    SapOrderStatus,
    amazon_status,
    amazon_status_from_m3,
    amazon_status_from_sap,
    m3_status_for,
    sap_status_for,
)

__all__ = [
    "AMAZON_DEFAULT_ACCOUNTS",
    "AMAZON_TO_M3",
    "AMAZON_TO_SAP",
    "DEFAULT_EVENT_KEYS",
    "DEFAULT_M3_ALIAS_KINDS",
    "M3_ADDRESS",
    "M3_TO_AMAZON",
    "POSTAL_FORMATS",
    "REGION_CODES",
    "SAP_BUSINESS_PARTNER_ADDRESS",
    "SAP_DELIVERY_TO_AMAZON",
    "SAP_REJECTION_TO_AMAZON",
    "SAP_SALES_ORDER_ADDRESS",
    "SAP_SHIP_TO",
    "SHIPMENT_ACTIONS",
    "WILDCARD",
    "AccountResolver",
    "AddressLayout",
    "AddressTooLongError",
    "CustomerResolver",
    "CustomerRules",
    "EventAccountResolver",
    "EventKeyRules",
    "FieldSpec",
    "GlAccount",
    "GlAccountMap",
    "GlRule",
    "IdKind",
    "InventoryRules",
    "ItemCrosswalk",
    "ItemNotFoundError",
    "ItemResolver",
    "M3CustomerOrder",
    "M3DeliveryConfirmation",
    "M3OrderSettings",
    "M3PickReportSettings",
    "McfRules",
    "OrderTypeResolver",
    "OrderTypeRule",
    "OrderTypeRules",
    "PostalFormat",
    "SapDeliveryUpdate",
    "SapOrderSettings",
    "SapOrderStatus",
    "SettlementCurrencyError",
    "SettlementTieOutError",
    "ShipmentAction",
    "SkuResolver",
    "UnitPriceRule",
    "UnknownStatusError",
    "UnmappedAmounts",
    "UnmappedFinancialEvents",
    "UnmappedKey",
    "UnmappedSettlementLines",
    "allocate_quantities",
    "amazon_quantities",
    "amazon_status",
    "amazon_status_from_m3",
    "amazon_status_from_sap",
    "changed_quantities",
    "erp_address",
    "financial_event_account",
    "financial_event_key",
    "financial_events_to_journal",
    "fit_lines",
    "is_flagged_for_mcf",
    "is_mcf_order",
    "line_seller_sku",
    "line_unit_price",
    "m3_address",
    "m3_delivery_confirmation",
    "m3_order",
    "m3_status_for",
    "mcf_order_request",
    "order_line_item",
    "order_to_m3",
    "order_to_sap",
    "resolve_customer",
    "resolve_order_type",
    "reverse_daily_postings",
    "reverse_entry",
    "sap_address",
    "sap_delivery_update",
    "sap_order",
    "sap_status_for",
    "sellable_quantities",
    "settlement_line_account",
    "settlement_posting_date",
    "settlement_to_journal",
    "shipment_action",
    "shipments_by_action",
    "unit_price_or_erp_price",
]
