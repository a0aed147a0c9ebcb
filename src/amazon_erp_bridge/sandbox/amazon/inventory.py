"""Fake FBA Inventory API v1: getInventorySummaries (token in top-level ``pagination``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from amazon_erp_bridge.model import InventoryLevel
from amazon_erp_bridge.sandbox.amazon import paging
from amazon_erp_bridge.sandbox.amazon.wire import wire_time
from amazon_erp_bridge.sandbox.server import Reply, SandboxRequest

if TYPE_CHECKING:
    from amazon_erp_bridge.sandbox.amazon.app import Caller, FakeSpApi


def render_summary(level: InventoryLevel, details: bool) -> dict[str, Any]:
    """An ``InventorySummary``; the inbound total is reported as shipped quantity."""
    out: dict[str, Any] = {
        "asin": level.item.asin,
        "fnSku": level.item.fnsku,
        "sellerSku": level.item.seller_sku,
        "condition": level.condition,
        # The real service answers "" for SKUs it has no update time for, although the model
        # says date-time (amzn/selling-partner-api-models issue #2275); the fake does the same.
        "lastUpdatedTime": wire_time(level.updated_at) if level.updated_at else "",
        "productName": level.item.seller_sku,
        "totalQuantity": level.total,
    }
    if details:
        out["inventoryDetails"] = {
            "fulfillableQuantity": level.fulfillable,
            "inboundWorkingQuantity": 0,
            "inboundShippedQuantity": level.inbound,
            "inboundReceivingQuantity": 0,
            "reservedQuantity": {
                "totalReservedQuantity": level.reserved,
                "pendingCustomerOrderQuantity": level.reserved,
                "pendingTransshipmentQuantity": 0,
                "fcProcessingQuantity": 0,
            },
            "researchingQuantity": {
                "totalResearchingQuantity": level.researching,
                "researchingQuantityBreakdown": [],
            },
            "unfulfillableQuantity": {
                "totalUnfulfillableQuantity": level.unfulfillable,
                "customerDamagedQuantity": level.unfulfillable,
                "warehouseDamagedQuantity": 0,
                "distributorDamagedQuantity": 0,
                "carrierDamagedQuantity": 0,
                "defectiveQuantity": 0,
                "expiredQuantity": 0,
            },
        }
    return out


def register(fake: FakeSpApi) -> None:
    """GET /fba/inventory/v1/summaries."""

    @fake.operation("GET", r"/fba/inventory/v1/summaries", "fbaInventory.getInventorySummaries")
    def summaries(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        if req.arg("granularityType") != "Marketplace":
            return fake.error(400, "InvalidInput", "granularityType must be Marketplace", "")
        granularity_id = req.arg("granularityId")
        markets = req.args("marketplaceIds")
        if not granularity_id or len(markets) != 1:
            return fake.error(
                400, "InvalidInput", "granularityId and one marketplaceIds value are required", ""
            )
        skus = req.args("sellerSkus")
        if len(skus) > 50:
            return fake.error(400, "InvalidInput", "At most 50 sellerSkus", "")
        wanted = set(skus) | ({req.arg("sellerSku")} if req.arg("sellerSku") else set())
        levels = [
            level
            for (market, sku), level in sorted(fake.state.inventory.items())
            if market == markets[0] and (not wanted or sku in wanted)
        ]
        try:
            chunk, token, _ = paging.page(req, levels, token_param="nextToken", size=fake.page_size)
        except paging.BadToken:
            return fake.error(400, "InvalidInput", "Invalid nextToken", "")
        details = req.arg("details") == "true"
        body: dict[str, Any] = {
            "payload": {
                "granularity": {"granularityType": "Marketplace", "granularityId": granularity_id},
                "inventorySummaries": [render_summary(level, details) for level in chunk],
            }
        }
        if token:
            body["pagination"] = {"nextToken": token}
        return Reply.json(body)
