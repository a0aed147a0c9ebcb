"""SAP S/4HANA: OData V2/V4 client with CSRF, queries, paging, deep insert, ETags and $batch;
typed services for sales orders, business partners, products, outbound deliveries, billing
documents, journal entries (SOAP posting, OData read-back) and material stock.

    from amazon_erp_bridge.sap import ODataClient, SalesOrderService, basic

    with ODataClient("https://my-s4.example.com", auth=basic("COMM_USER", password)) as client:
        orders = SalesOrderService(client)
        found = orders.find_by_purchase_order("113-1234567-1234567", sold_to_party="1000001")
"""

from amazon_erp_bridge.sap.auth import basic, oauth_client_credentials
from amazon_erp_bridge.sap.batch import BatchResult, ChangeSet, Outcome
from amazon_erp_bridge.sap.billing import (
    AsyncBillingDocumentService,
    BillingDocument,
    BillingDocumentItem,
    BillingDocumentService,
)
from amazon_erp_bridge.sap.business_partners import (
    AsyncBusinessPartnerService,
    BusinessPartner,
    BusinessPartnerService,
    customer_payload,
)
from amazon_erp_bridge.sap.client import AsyncODataClient, ODataClient
from amazon_erp_bridge.sap.deliveries import (
    AsyncOutboundDeliveryService,
    DeliveryAction,
    DeliveryItem,
    DeliveryLine,
    OutboundDelivery,
    OutboundDeliveryService,
)
from amazon_erp_bridge.sap.errors import (
    BatchError,
    CsrfTokenError,
    JournalEntryNotFoundError,
    JournalEntryRejectedError,
    ODataError,
    ODataRateLimitedError,
    PreconditionFailedError,
    SapMessage,
    SoapFaultError,
)
from amazon_erp_bridge.sap.journal_entries import (
    AsyncJournalEntryService,
    BulkReceipt,
    JournalEntryItem,
    JournalEntryService,
    PostedJournalEntry,
    Reversal,
    message_id,
)
from amazon_erp_bridge.sap.operations import Collection, Entity, FunctionResult, Updated
from amazon_erp_bridge.sap.products import AsyncProductService, Product, ProductService
from amazon_erp_bridge.sap.query import Filter, Query, all_of, any_of, equals, prop
from amazon_erp_bridge.sap.returns import (
    AsyncReturnDocumentService,
    ReturnDocument,
    ReturnDocumentItem,
    ReturnDocumentService,
)
from amazon_erp_bridge.sap.sales_order_create import (
    PricingElementCreate,
    SalesOrderCreate,
    SalesOrderItemCreate,
)
from amazon_erp_bridge.sap.sales_orders import (
    AsyncSalesOrderService,
    PricingElement,
    Rejection,
    SalesOrder,
    SalesOrderItem,
    SalesOrderPartner,
    SalesOrderService,
    pricing_element,
)
from amazon_erp_bridge.sap.stock import (
    AsyncMaterialStockService,
    MaterialStock,
    MaterialStockService,
)
from amazon_erp_bridge.sap.values import Typed, literal

__all__ = [
    "AsyncBillingDocumentService",
    "AsyncBusinessPartnerService",
    "AsyncJournalEntryService",
    "AsyncMaterialStockService",
    "AsyncODataClient",
    "AsyncOutboundDeliveryService",
    "AsyncProductService",
    "AsyncReturnDocumentService",
    "AsyncSalesOrderService",
    "BatchError",
    "BatchResult",
    "BillingDocument",
    "BillingDocumentItem",
    "BillingDocumentService",
    "BulkReceipt",
    "BusinessPartner",
    "BusinessPartnerService",
    "ChangeSet",
    "Collection",
    "CsrfTokenError",
    "DeliveryAction",
    "DeliveryItem",
    "DeliveryLine",
    "Entity",
    "Filter",
    "FunctionResult",
    "JournalEntryItem",
    "JournalEntryNotFoundError",
    "JournalEntryRejectedError",
    "JournalEntryService",
    "MaterialStock",
    "MaterialStockService",
    "ODataClient",
    "ODataError",
    "ODataRateLimitedError",
    "OutboundDelivery",
    "OutboundDeliveryService",
    "Outcome",
    "PostedJournalEntry",
    "PreconditionFailedError",
    "PricingElement",
    "PricingElementCreate",
    "Product",
    "ProductService",
    "Query",
    "Rejection",
    "ReturnDocument",
    "ReturnDocumentItem",
    "ReturnDocumentService",
    "Reversal",
    "SalesOrder",
    "SalesOrderCreate",
    "SalesOrderItem",
    "SalesOrderItemCreate",
    "SalesOrderPartner",
    "SalesOrderService",
    "SapMessage",
    "SoapFaultError",
    "Typed",
    "Updated",
    "all_of",
    "any_of",
    "basic",
    "customer_payload",
    "equals",
    "literal",
    "message_id",
    "oauth_client_credentials",
    "pricing_element",
    "prop",
]
