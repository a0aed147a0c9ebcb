"""The documented rate (requests/s) and burst of every SP-API operation the library calls.

Values are the default usage plans in Amazon's API models. The live rate for a seller and
application may differ; the client follows ``x-amzn-RateLimit-Limit`` when the server sends it.
Keys are the operations' ``limit_key`` (``"<api>.<operationId>"``); the sandbox enforces the same
table, so a client that keeps to it never sees a 429 from the fake.
"""

from __future__ import annotations

from typing import Final

from amazon_erp_bridge.core.limiter import Rate

RATES: Final[dict[str, Rate]] = {
    # Orders v2026-01-01
    "orders.searchOrders": Rate(0.0056, 20),
    "orders.getOrder": Rate(0.5, 30),
    # Orders v0 (deprecated; sellers must move by 2027-03-27)
    "ordersV0.getOrders": Rate(0.0167, 20),
    "ordersV0.getOrder": Rate(0.5, 30),
    "ordersV0.getOrderItems": Rate(0.5, 30),
    "ordersV0.getOrderAddress": Rate(0.5, 30),
    "ordersV0.getOrderBuyerInfo": Rate(0.5, 30),
    # Tokens 2021-03-01
    "tokens.createRestrictedDataToken": Rate(1, 10),
    # Finances v0
    "finances.listFinancialEventGroups": Rate(0.5, 30),
    "finances.listFinancialEvents": Rate(0.5, 30),
    "finances.listFinancialEventsByGroupId": Rate(0.5, 30),
    "finances.listFinancialEventsByOrderId": Rate(0.5, 30),
    # Finances 2024-06-19
    "finances.listTransactions": Rate(0.5, 10),
    # FBA Inventory v1
    "fbaInventory.getInventorySummaries": Rate(2, 2),
    # Reports 2021-06-30
    "reports.createReport": Rate(0.0167, 15),
    "reports.getReport": Rate(2, 15),
    "reports.getReports": Rate(0.0222, 10),
    "reports.getReportDocument": Rate(0.0167, 15),
    "reports.cancelReport": Rate(0.0222, 10),
    # Feeds 2021-06-30
    "feeds.createFeedDocument": Rate(0.5, 15),
    "feeds.createFeed": Rate(0.0083, 15),
    "feeds.getFeed": Rate(2, 15),
    "feeds.getFeeds": Rate(0.0222, 10),
    "feeds.cancelFeed": Rate(2, 15),
    "feeds.getFeedDocument": Rate(0.0222, 10),
    # Listings Items 2021-08-01
    "listingsItems.patchListingsItem": Rate(5, 5),
    # Fulfillment Outbound 2020-07-01 (Multi-Channel Fulfillment)
    "fulfillmentOutbound.getFulfillmentPreview": Rate(2, 30),
    "fulfillmentOutbound.createFulfillmentOrder": Rate(2, 30),
    "fulfillmentOutbound.getFulfillmentOrder": Rate(2, 30),
    "fulfillmentOutbound.listAllFulfillmentOrders": Rate(2, 30),
    "fulfillmentOutbound.cancelFulfillmentOrder": Rate(2, 30),
    "fulfillmentOutbound.getPackageTrackingDetails": Rate(2, 30),
}


def rate_for(limit_key: str) -> Rate | None:
    """The documented rate of an operation, or None if the table does not know it."""
    return RATES.get(limit_key)
