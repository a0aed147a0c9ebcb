"""Listings Items 2021-08-01 patchListingsItem: one SKU at a time."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from amazon_erp_bridge.amazon.listings import patch_listings_item, set_listing_quantity
from amazon_erp_bridge.errors import ApiError, ValidationError

from .spapi_env import Env

RECORDED = Path(__file__).parent / "recorded"
US = "ATVPDKIKX0DER"
SELLER = "A3SANDBOXSELLER1"


def test_set_quantity_builds_the_documented_patch_and_encodes_the_sku() -> None:
    call = set_listing_quantity(SELLER, "SKU/1 A", 4, [US])
    assert call.method == "PATCH"
    assert call.path == f"/listings/2021-08-01/items/{SELLER}/SKU%2F1%20A"
    assert call.params == {"marketplaceIds": US}
    assert call.limit_key == "listingsItems.patchListingsItem"
    assert call.json == {
        "productType": "PRODUCT",
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 4}],
            }
        ],
    }
    assert call.is_idempotent


def test_generic_patch_is_not_retried_blindly_and_may_preview() -> None:
    call = patch_listings_item(
        SELLER,
        "A",
        [US],
        [{"op": "merge", "path": "/attributes/fulfillment_availability", "value": []}],
        validation_preview=True,
        included_data=["issues", "identifiers"],
    )
    assert not call.is_idempotent
    assert call.params == {
        "marketplaceIds": US,
        "includedData": "issues,identifiers",
        "mode": "VALIDATION_PREVIEW",
    }


@pytest.mark.parametrize(
    "patches",
    [[], [{"op": "move", "path": "/attributes/x"}], [{"op": "replace", "path": "attributes"}]],
)
def test_malformed_patches_are_refused(patches: list[dict[str, str]]) -> None:
    with pytest.raises(ValidationError, match="patch"):
        patch_listings_item(SELLER, "A", [US], patches)


def test_negative_quantity_is_refused() -> None:
    with pytest.raises(ValidationError, match="SKU A: quantity must be a whole number >= 0"):
        set_listing_quantity(SELLER, "A", -2, [US])


def test_invalid_submission_parses_recorded_shape() -> None:
    response = httpx2.Response(200, content=(RECORDED / "listings_patch_invalid.json").read_bytes())
    result = set_listing_quantity(SELLER, "SKU-GONE", 1, [US]).parse(response)
    assert not result.accepted and result.status == "INVALID"
    assert result.issues[0].attribute_names == ("fulfillment_availability",)
    assert result.issues[0].categories == ("INVALID_ATTRIBUTE",)


def test_sandbox_accepts_a_known_sku_and_rejects_an_unknown_one() -> None:
    env = Env()
    with env.client() as client:
        accepted = client.listings.set_quantity(SELLER, "SKU-PEN-04", 9, [US])
        rejected = client.listings.set_quantity(SELLER, "NO-SUCH", 9, [US])
    assert accepted.accepted and accepted.submission_id
    assert rejected.status == "INVALID" and rejected.issues[0].severity == "ERROR"
    assert env.fake.feeds.quantities == {"SKU-PEN-04": 9}


def test_sandbox_validation_preview_changes_nothing() -> None:
    env = Env()
    with env.client() as client:
        result = client.listings.patch_listings_item(
            SELLER,
            "SKU-PEN-04",
            [US],
            [
                {
                    "op": "replace",
                    "path": "/attributes/fulfillment_availability",
                    "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 1}],
                }
            ],
            validation_preview=True,
        )
    assert result.status == "VALID"
    assert env.fake.feeds.quantities == {}


def test_sandbox_refuses_another_sellers_listing() -> None:
    env = Env()
    with env.client() as client, pytest.raises(ApiError) as info:
        client.listings.set_quantity("OTHER", "SKU-PEN-04", 1, [US])
    assert info.value.status == 403


async def test_async_set_quantity() -> None:
    env = Env()
    async with env.async_client() as client:
        result = await client.listings.set_quantity(SELLER, "SKU-BAG-03", 0, [US])
    assert result.accepted and env.fake.feeds.quantities == {"SKU-BAG-03": 0}
