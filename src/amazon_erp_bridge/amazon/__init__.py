"""Amazon Selling Partner API: LWA, restricted data tokens, rate limits and typed operations.

``SpApiClient`` (sync) and ``AsyncSpApiClient`` (async) share one set of sans-IO operations.
"""

from amazon_erp_bridge.amazon.client import AsyncSpApiClient, SpApiClient
from amazon_erp_bridge.amazon.endpoints import MARKETPLACES, REGIONS, Marketplace, Region
from amazon_erp_bridge.amazon.lwa import LwaCredentials
from amazon_erp_bridge.amazon.rates import RATES
from amazon_erp_bridge.amazon.tokens import RestrictedDataToken, RestrictedResource

__all__ = [
    "MARKETPLACES",
    "RATES",
    "REGIONS",
    "AsyncSpApiClient",
    "LwaCredentials",
    "Marketplace",
    "Region",
    "RestrictedDataToken",
    "RestrictedResource",
    "SpApiClient",
]
