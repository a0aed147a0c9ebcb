"""Typed request model for createFulfillmentOrder (fulfillmentOutbound 2020-07-01).

``FulfillmentOrderRequest`` names every field of the model's CreateFulfillmentOrderRequest in
Python spelling; ``to_dict()`` gives the same mapping a caller would pass by hand (camelCase
keys, Money and datetimes left for the operation to write in wire form), so a typed request and
the equivalent dict send exactly the same body. Required fields must not be blank and the
string fields the model bounds (``maxLength``) are checked when the object is built: each
failure is a ValidationError naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from attrs import field, frozen

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import Address, Money

#: maxLength of CreateFulfillmentOrderRequest's bounded strings.
ORDER_MAX_LENGTHS: Final = {
    "sellerFulfillmentOrderId": 40,
    "displayableOrderId": 40,
    "displayableOrderComment": 750,
}
#: maxLength of CreateFulfillmentOrderItem's bounded strings.
ITEM_MAX_LENGTHS: Final = {
    "sellerSku": 50,
    "sellerFulfillmentOrderItemId": 50,
    "giftMessage": 512,
    "displayableComment": 250,
}


def _check(
    what: str, values: Mapping[str, Any], required: tuple[str, ...], limits: Mapping[str, int]
) -> None:
    for name in required:
        value = values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValidationError(f"{what}: {name} is required")
    for name, limit in limits.items():
        value = values.get(name)
        if isinstance(value, str) and len(value) > limit:
            raise ValidationError(
                f"{what}: {name} has {len(value)} characters; the model allows {limit}"
            )


def _present(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None and v != ()}


def address_dict(address: Address) -> dict[str, str]:
    """The model's Address in createFulfillmentOrder's ``Address`` shape (absent fields left out).

    ``name`` falls back to the company; ``districtOrCounty`` to the county.
    """
    values = {
        "name": address.name or address.company,
        "addressLine1": address.line1,
        "addressLine2": address.line2,
        "addressLine3": address.line3,
        "city": address.city,
        "districtOrCounty": address.district or address.county,
        "stateOrRegion": address.state_or_region,
        "postalCode": address.postal_code,
        "countryCode": address.country_code,
        "phone": address.phone,
    }
    return {k: v for k, v in values.items() if v}


@frozen
class DeliveryWindow:
    """DeliveryWindow: the time range a ScheduledDelivery order must arrive in."""

    start_date: datetime
    end_date: datetime

    def to_dict(self) -> dict[str, Any]:
        """The window as createFulfillmentOrder's ``deliveryWindow`` object."""
        return {"startDate": self.start_date, "endDate": self.end_date}


@frozen
class FulfillmentOrderRequestItem:
    """CreateFulfillmentOrderItem: one SKU to ship, with its quantity and optional values.

    ``per_unit_*`` are Money (sent as ``{"currencyCode", "value"}``).
    """

    seller_sku: str
    seller_fulfillment_order_item_id: str
    quantity: int
    gift_message: str | None = None
    displayable_comment: str | None = None
    fulfillment_network_sku: str | None = None
    per_unit_declared_value: Money | None = None
    per_unit_price: Money | None = None
    per_unit_tax: Money | None = None

    def __attrs_post_init__(self) -> None:
        what = f"createFulfillmentOrder item {self.seller_fulfillment_order_item_id!r}"
        values = self.to_dict()
        _check(what, values, ("sellerSku", "sellerFulfillmentOrderItemId"), ITEM_MAX_LENGTHS)
        quantity = self.quantity
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise ValidationError(f"{what}: quantity must be a whole number >= 1, got {quantity!r}")

    def to_dict(self) -> dict[str, Any]:
        """The item as createFulfillmentOrder's ``items[]`` entry (absent fields left out)."""
        return _present(
            {
                "sellerSku": self.seller_sku,
                "sellerFulfillmentOrderItemId": self.seller_fulfillment_order_item_id,
                "quantity": self.quantity,
                "giftMessage": self.gift_message,
                "displayableComment": self.displayable_comment,
                "fulfillmentNetworkSku": self.fulfillment_network_sku,
                "perUnitDeclaredValue": self.per_unit_declared_value,
                "perUnitPrice": self.per_unit_price,
                "perUnitTax": self.per_unit_tax,
            }
        )


def _items(value: Any) -> tuple[FulfillmentOrderRequestItem, ...]:
    return tuple(value)


@frozen
class FulfillmentOrderRequest:
    """CreateFulfillmentOrderRequest as a typed object; pass it where the dict was passed.

    Required: seller_fulfillment_order_id (max 40), displayable_order_id (max 40),
    displayable_order_date, displayable_order_comment (max 750), shipping_speed_category
    (Standard, Expedited, Priority, ScheduledDelivery), destination_address (the model's
    Address: name, line1, country_code, postal_code) and at least one item. The nested objects
    the bridge does not build itself (``delivery_preferences``, ``cod_settings``,
    ``feature_constraints``, ``payment_information``) are given in the model's own JSON shape.
    """

    seller_fulfillment_order_id: str
    displayable_order_id: str
    displayable_order_date: datetime
    displayable_order_comment: str
    shipping_speed_category: str
    destination_address: Address
    items: tuple[FulfillmentOrderRequestItem, ...] = field(converter=_items)
    marketplace_id: str | None = None
    delivery_window: DeliveryWindow | None = None
    delivery_preferences: Mapping[str, Any] | None = None
    fulfillment_action: str | None = None
    fulfillment_policy: str | None = None
    cod_settings: Mapping[str, Any] | None = None
    ship_from_country_code: str | None = None
    notification_emails: tuple[str, ...] = field(default=(), converter=tuple)
    feature_constraints: tuple[Mapping[str, Any], ...] = field(default=(), converter=tuple)
    payment_information: tuple[Mapping[str, Any], ...] = field(default=(), converter=tuple)

    def __attrs_post_init__(self) -> None:
        what = f"createFulfillmentOrder {self.seller_fulfillment_order_id!r}"
        values = {
            "sellerFulfillmentOrderId": self.seller_fulfillment_order_id,
            "displayableOrderId": self.displayable_order_id,
            "displayableOrderDate": self.displayable_order_date,
            "displayableOrderComment": self.displayable_order_comment,
            "shippingSpeedCategory": self.shipping_speed_category,
            "destinationAddress": self.destination_address,
        }
        _check(what, values, tuple(values), ORDER_MAX_LENGTHS)
        if not isinstance(self.displayable_order_date, datetime):
            raise ValidationError(f"{what}: displayableOrderDate must be a datetime")
        if not isinstance(self.destination_address, Address):
            raise ValidationError(f"{what}: destinationAddress must be an Address")
        address = address_dict(self.destination_address)
        for name in ("name", "addressLine1", "countryCode", "postalCode"):
            if not address.get(name, "").strip():
                raise ValidationError(f"{what}: destinationAddress.{name} is required")
        if not self.items:
            raise ValidationError(f"{what}: items is required (at least one item)")
        for n, item in enumerate(self.items):
            if not isinstance(item, FulfillmentOrderRequestItem):
                raise ValidationError(f"{what}: items[{n}] must be a FulfillmentOrderRequestItem")

    def to_dict(self) -> dict[str, Any]:
        """The request as the createFulfillmentOrder mapping (absent optional fields left out).

        Money and datetimes stay as objects: the operation writes them in wire form exactly as
        it does for a hand-built dict.
        """
        window = self.delivery_window
        return _present(
            {
                "marketplaceId": self.marketplace_id,
                "sellerFulfillmentOrderId": self.seller_fulfillment_order_id,
                "displayableOrderId": self.displayable_order_id,
                "displayableOrderDate": self.displayable_order_date,
                "displayableOrderComment": self.displayable_order_comment,
                "shippingSpeedCategory": self.shipping_speed_category,
                "deliveryWindow": window.to_dict() if window is not None else None,
                "destinationAddress": address_dict(self.destination_address),
                "deliveryPreferences": (
                    dict(self.delivery_preferences) if self.delivery_preferences else None
                ),
                "fulfillmentAction": self.fulfillment_action,
                "fulfillmentPolicy": self.fulfillment_policy,
                "codSettings": dict(self.cod_settings) if self.cod_settings else None,
                "shipFromCountryCode": self.ship_from_country_code,
                "notificationEmails": list(self.notification_emails) or None,
                "featureConstraints": [dict(f) for f in self.feature_constraints] or None,
                "items": [item.to_dict() for item in self.items],
                "paymentInformation": [dict(p) for p in self.payment_information] or None,
            }
        )
