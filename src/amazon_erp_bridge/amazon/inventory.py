"""FBA Inventory API v1: getInventorySummaries -> ``model.InventoryLevel``.

Summaries are always asked for with ``details=true`` so the levels can be split into
fulfillable, reserved, inbound (working + shipped + receiving), unfulfillable and researching.
The next-page token sits in ``pagination.nextToken`` at the top level, outside ``payload``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import httpx2

from amazon_erp_bridge.amazon.timestamps import from_wire, to_wire
from amazon_erp_bridge.core.call import Call, Page
from amazon_erp_bridge.core.sender import AsyncSender, SyncSender, json_body
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import InventoryLevel, ItemRef

PATH: Final = "/fba/inventory/v1/summaries"
MAX_SKUS: Final = 50


def _count(data: Mapping[str, Any] | None, key: str) -> int:
    value = (data or {}).get(key)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key}: expected an integer, got {value!r}")
    return value


def inventory_level(data: Mapping[str, Any], location: str | None) -> InventoryLevel:
    """An ``InventorySummary`` (with details) as an InventoryLevel at ``location``."""
    details = data.get("inventoryDetails") or {}
    sku = data.get("sellerSku") or data.get("fnSku") or data.get("asin")
    what = f"inventory summary {sku}"
    return InventoryLevel(
        item=ItemRef(
            seller_sku=data.get("sellerSku") or None,
            asin=data.get("asin") or None,
            fnsku=data.get("fnSku") or None,
        ),
        fulfillable=_count(details, "fulfillableQuantity"),
        reserved=_count(details.get("reservedQuantity"), "totalReservedQuantity"),
        inbound=sum(
            _count(details, k)
            for k in (
                "inboundWorkingQuantity",
                "inboundShippedQuantity",
                "inboundReceivingQuantity",
            )
        ),
        unfulfillable=_count(details.get("unfulfillableQuantity"), "totalUnfulfillableQuantity"),
        researching=_count(details.get("researchingQuantity"), "totalResearchingQuantity"),
        location=location,
        condition=data.get("condition") or None,
        updated_at=from_wire(data.get("lastUpdatedTime"), f"{what} lastUpdatedTime"),
    )


def _parse(response: httpx2.Response) -> Page[InventoryLevel]:
    body = json_body(response)
    payload = body["payload"]
    location = (payload.get("granularity") or {}).get("granularityId")
    levels = tuple(inventory_level(s, location) for s in payload.get("inventorySummaries") or ())
    token = (body.get("pagination") or {}).get("nextToken") or None
    return Page(levels, token)


def get_inventory_summaries(
    marketplace_id: str,
    *,
    seller_skus: Sequence[str] | None = None,
    start_date_time: datetime | None = None,
    next_token: str | None = None,
) -> Call[Page[InventoryLevel]]:
    """FBA Inventory getInventorySummaries for one marketplace, one page, with details."""
    if not isinstance(marketplace_id, str) or not marketplace_id.strip():
        raise ValidationError(f"marketplace_id: expected a marketplace id, got {marketplace_id!r}")
    skus = [seller_skus] if isinstance(seller_skus, str) else list(seller_skus or ())
    if len(skus) > MAX_SKUS:
        raise ValidationError(f"seller_skus: at most {MAX_SKUS} per call, got {len(skus)}")
    params: dict[str, str | list[str]] = {
        "details": "true",
        "granularityType": "Marketplace",
        "granularityId": marketplace_id,
        "marketplaceIds": marketplace_id,
    }
    if skus:
        params["sellerSkus"] = ",".join(skus)
    if start_date_time is not None:
        params["startDateTime"] = to_wire(start_date_time, "start_date_time")
    if next_token:
        params["nextToken"] = next_token
    return Call(
        "GET", PATH, parse=_parse, params=params, limit_key="fbaInventory.getInventorySummaries"
    )


class InventoryApi:
    """FBA inventory for the sync client."""

    def __init__(self, sender: SyncSender) -> None:
        self._sender = sender

    def get_inventory_summaries(
        self,
        marketplace_id: str,
        *,
        seller_skus: Sequence[str] | None = None,
        start_date_time: datetime | None = None,
    ) -> Iterator[InventoryLevel]:
        """Every FBA inventory level in the marketplace (or for ``seller_skus``), all pages."""
        get_inventory_summaries(
            marketplace_id, seller_skus=seller_skus, start_date_time=start_date_time
        )
        return self._sender.pages(
            lambda t: get_inventory_summaries(
                marketplace_id,
                seller_skus=seller_skus,
                start_date_time=start_date_time,
                next_token=t,
            )
        )


class AsyncInventoryApi:
    """FBA inventory for the async client."""

    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender

    def get_inventory_summaries(
        self,
        marketplace_id: str,
        *,
        seller_skus: Sequence[str] | None = None,
        start_date_time: datetime | None = None,
    ) -> AsyncIterator[InventoryLevel]:
        """Every FBA inventory level in the marketplace (or for ``seller_skus``), all pages."""
        get_inventory_summaries(
            marketplace_id, seller_skus=seller_skus, start_date_time=start_date_time
        )
        return self._sender.pages(
            lambda t: get_inventory_summaries(
                marketplace_id,
                seller_skus=seller_skus,
                start_date_time=start_date_time,
                next_token=t,
            )
        )
