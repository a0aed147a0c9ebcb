"""Amazon Selling Partner API: LWA, restricted data tokens, rate limits and typed operations.

``SpApiClient`` (sync) and ``AsyncSpApiClient`` (async) share one set of sans-IO operations.
"""

from amazon_erp_bridge.amazon.client import AsyncSpApiClient, SpApiClient
from amazon_erp_bridge.amazon.documents import DocumentError
from amazon_erp_bridge.amazon.endpoints import MARKETPLACES, REGIONS, Marketplace, Region
from amazon_erp_bridge.amazon.feeds import (
    Feed,
    FeedFailedError,
    FeedTimeoutError,
    ProcessingReport,
    listings_quantity_feed,
)
from amazon_erp_bridge.amazon.fulfillment import FulfillmentOrder, FulfillmentOrderDetails
from amazon_erp_bridge.amazon.fulfillment_request import (
    DeliveryWindow,
    FulfillmentOrderRequest,
    FulfillmentOrderRequestItem,
)
from amazon_erp_bridge.amazon.listings import ListingsSubmission
from amazon_erp_bridge.amazon.lwa import LwaCredentials
from amazon_erp_bridge.amazon.notifications import Notification, parse_notification
from amazon_erp_bridge.amazon.orders import (
    ConfirmShipmentItem,
    ConfirmShipmentRequest,
    PackageDetail,
    ShipmentConfirmationError,
)
from amazon_erp_bridge.amazon.processing import ProcessingStatus
from amazon_erp_bridge.amazon.rates import RATES
from amazon_erp_bridge.amazon.reports import (
    SETTLEMENT_REPORT_TYPE,
    Report,
    ReportDocument,
    ReportFailedError,
    ReportTimeoutError,
)
from amazon_erp_bridge.amazon.returns import (
    FBA_RETURNS_REPORT_TYPE,
    MERCHANT_RETURNS_REPORT_TYPE,
    ReturnsReportError,
    parse_returns_report,
)
from amazon_erp_bridge.amazon.settlement import (
    parse_settlement_report,
    summarize_settlement_report,
)
from amazon_erp_bridge.amazon.tables import FeedList, ReportList
from amazon_erp_bridge.amazon.tokens import RestrictedDataToken, RestrictedResource

__all__ = [
    "FBA_RETURNS_REPORT_TYPE",
    "MARKETPLACES",
    "MERCHANT_RETURNS_REPORT_TYPE",
    "RATES",
    "REGIONS",
    "SETTLEMENT_REPORT_TYPE",
    "AsyncSpApiClient",
    "ConfirmShipmentItem",
    "ConfirmShipmentRequest",
    "DeliveryWindow",
    "DocumentError",
    "Feed",
    "FeedFailedError",
    "FeedList",
    "FeedTimeoutError",
    "FulfillmentOrder",
    "FulfillmentOrderDetails",
    "FulfillmentOrderRequest",
    "FulfillmentOrderRequestItem",
    "ListingsSubmission",
    "LwaCredentials",
    "Marketplace",
    "Notification",
    "PackageDetail",
    "ProcessingReport",
    "ProcessingStatus",
    "Region",
    "Report",
    "ReportDocument",
    "ReportFailedError",
    "ReportList",
    "ReportTimeoutError",
    "RestrictedDataToken",
    "RestrictedResource",
    "ReturnsReportError",
    "ShipmentConfirmationError",
    "SpApiClient",
    "listings_quantity_feed",
    "parse_notification",
    "parse_returns_report",
    "parse_settlement_report",
    "summarize_settlement_report",
]
