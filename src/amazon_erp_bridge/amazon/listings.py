"""Listings Items API 2021-08-01: patch one listing (e.g. its quantity) right away.

For a handful of SKUs, ``patchListingsItem`` is quicker than a feed (5 requests/s, answered
synchronously with ACCEPTED or INVALID and the issues); for many SKUs use the
JSON_LISTINGS_FEED (:mod:`amazon_erp_bridge.amazon.feeds`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final
from urllib.parse import quote

import httpx2
from attrs import evolve, frozen

from amazon_erp_bridge.amazon.feeds import DEFAULT_PRODUCT_TYPE, quantity_patch
from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.core.sender import AsyncSender, SyncSender, json_body
from amazon_erp_bridge.errors import ValidationError

BASE: Final = "/listings/2021-08-01/items"
PATCH_OPS: Final = frozenset({"add", "replace", "merge", "delete"})


@frozen
class ListingsIssue:
    """An issue Amazon found with a submission."""

    code: str
    message: str
    severity: str  # ERROR | WARNING | INFO
    attribute_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@frozen
class ListingsSubmission:
    """Amazon's answer to a listings change: ACCEPTED, INVALID (see issues) or VALID (preview)."""

    sku: str
    status: str
    submission_id: str
    issues: tuple[ListingsIssue, ...] = ()

    @property
    def accepted(self) -> bool:
        """True when Amazon accepted the submission (status ACCEPTED)."""
        return self.status == "ACCEPTED"


def _issue(data: Mapping[str, Any]) -> ListingsIssue:
    return ListingsIssue(
        code=str(data["code"]),
        message=str(data["message"]),
        severity=str(data["severity"]),
        attribute_names=tuple(data.get("attributeNames") or ()),
        categories=tuple(data.get("categories") or ()),
    )


def _parse_submission(response: httpx2.Response) -> ListingsSubmission:
    body = json_body(response)
    return ListingsSubmission(
        sku=str(body["sku"]),
        status=str(body["status"]),
        submission_id=str(body["submissionId"]),
        issues=tuple(_issue(i) for i in body.get("issues") or ()),
    )


def _check_patches(patches: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if not patches:
        raise ValidationError("patchListingsItem patches: give at least one JSON Patch operation")
    out = []
    for n, patch in enumerate(patches):
        op, path = patch.get("op"), patch.get("path")
        if op not in PATCH_OPS or not isinstance(path, str) or not path.startswith("/"):
            raise ValidationError(
                f"patchListingsItem patch {n}: expected op in {sorted(PATCH_OPS)} and a JSON "
                f"Pointer path such as '/attributes/fulfillment_availability', got {dict(patch)!r}"
            )
        out.append(dict(patch))
    return out


def patch_listings_item(
    seller_id: str,
    sku: str,
    marketplace_ids: Sequence[str],
    patches: Sequence[Mapping[str, Any]],
    *,
    product_type: str = DEFAULT_PRODUCT_TYPE,
    included_data: Sequence[str] | None = None,
    validation_preview: bool = False,
    issue_locale: str | None = None,
) -> Call[ListingsSubmission]:
    """patchListingsItem: apply JSON Patch operations to one listing.

    The SKU is percent-encoded into the path (SKUs may hold ``/`` or spaces).
    ``validation_preview`` asks Amazon to check the change without applying it.
    """
    if not seller_id or not sku:
        raise ValidationError("patchListingsItem: give the seller_id and the sku")
    markets = [marketplace_ids] if isinstance(marketplace_ids, str) else list(marketplace_ids)
    if not markets:
        raise ValidationError("patchListingsItem marketplace_ids: give at least one")
    params: dict[str, str] = {"marketplaceIds": ",".join(markets)}
    if included_data:
        params["includedData"] = ",".join(included_data)
    if validation_preview:
        params["mode"] = "VALIDATION_PREVIEW"
    if issue_locale:
        params["issueLocale"] = issue_locale
    return Call(
        "PATCH",
        f"{BASE}/{quote(seller_id, safe='')}/{quote(sku, safe='')}",
        parse=_parse_submission,
        params=params,
        json={"productType": product_type, "patches": _check_patches(patches)},
        limit_key="listingsItems.patchListingsItem",
    )


def set_listing_quantity(
    seller_id: str,
    sku: str,
    quantity: int,
    marketplace_ids: Sequence[str],
    *,
    product_type: str = DEFAULT_PRODUCT_TYPE,
) -> Call[ListingsSubmission]:
    """patchListingsItem replacing the merchant-fulfilled (DEFAULT channel) quantity."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
        raise ValidationError(f"SKU {sku}: quantity must be a whole number >= 0, got {quantity!r}")
    call = patch_listings_item(
        seller_id, sku, marketplace_ids, [quantity_patch(quantity)], product_type=product_type
    )
    # Replacing a value is idempotent: sent twice, the listing ends the same.
    return evolve(call, idempotent=True)


class ListingsApi:
    """Listings Items API 2021-08-01 over a synchronous sender (``client.listings``)."""

    def __init__(self, sender: SyncSender) -> None:
        self._sender = sender

    def patch_listings_item(
        self,
        seller_id: str,
        sku: str,
        marketplace_ids: Sequence[str],
        patches: Sequence[Mapping[str, Any]],
        **options: Any,
    ) -> ListingsSubmission:
        return self._sender.send(
            patch_listings_item(seller_id, sku, marketplace_ids, patches, **options)
        )

    def set_quantity(
        self,
        seller_id: str,
        sku: str,
        quantity: int,
        marketplace_ids: Sequence[str],
        *,
        product_type: str = DEFAULT_PRODUCT_TYPE,
    ) -> ListingsSubmission:
        """Set one SKU's merchant-fulfilled quantity."""
        return self._sender.send(
            set_listing_quantity(
                seller_id, sku, quantity, marketplace_ids, product_type=product_type
            )
        )


class AsyncListingsApi:
    """Listings Items API 2021-08-01 over an asynchronous sender (``client.listings``)."""

    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender

    async def patch_listings_item(
        self,
        seller_id: str,
        sku: str,
        marketplace_ids: Sequence[str],
        patches: Sequence[Mapping[str, Any]],
        **options: Any,
    ) -> ListingsSubmission:
        return await self._sender.send(
            patch_listings_item(seller_id, sku, marketplace_ids, patches, **options)
        )

    async def set_quantity(
        self,
        seller_id: str,
        sku: str,
        quantity: int,
        marketplace_ids: Sequence[str],
        *,
        product_type: str = DEFAULT_PRODUCT_TYPE,
    ) -> ListingsSubmission:
        """Set one SKU's merchant-fulfilled quantity."""
        return await self._sender.send(
            set_listing_quantity(
                seller_id, sku, quantity, marketplace_ids, product_type=product_type
            )
        )
