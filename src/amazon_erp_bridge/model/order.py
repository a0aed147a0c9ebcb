"""Orders, their lines, addresses, items and shipments in the canonical model."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from attrs import field, frozen

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model._checks import aware, non_negative, not_blank
from amazon_erp_bridge.model.display import html_table
from amazon_erp_bridge.model.money import Money


class OrderStatus(enum.StrEnum):
    """Amazon's order status, with the Orders v0 spelling as the canonical value."""

    PENDING = "Pending"
    PENDING_AVAILABILITY = "PendingAvailability"
    UNSHIPPED = "Unshipped"
    PARTIALLY_SHIPPED = "PartiallyShipped"
    SHIPPED = "Shipped"
    CANCELED = "Canceled"
    UNFULFILLABLE = "Unfulfillable"
    INVOICE_UNCONFIRMED = "InvoiceUnconfirmed"


class FulfillmentChannel(enum.StrEnum):
    """Who ships the order: Amazon (AFN, i.e. FBA) or the merchant (MFN)."""

    AMAZON = "AFN"
    MERCHANT = "MFN"


def _country(value: str | None) -> str | None:
    if value is None:
        return None
    code = value.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise ValidationError(
            f"Address.country_code: expected an ISO 3166 alpha-2 code such as 'US', got {value!r}"
        )
    return code


def _channel(value: str | None) -> FulfillmentChannel | None:
    return None if value is None else FulfillmentChannel(value)


@frozen
class Address:
    """A postal address as Amazon gives it; every field may be absent (PII needs a token)."""

    name: str | None = None
    line1: str | None = None
    line2: str | None = None
    line3: str | None = None
    city: str | None = None
    district: str | None = None
    county: str | None = None
    state_or_region: str | None = None
    postal_code: str | None = None
    country_code: str | None = field(default=None, converter=_country)
    phone: str | None = None
    company: str | None = None
    address_type: str | None = None


@frozen
class ItemRef:
    """Amazon's identifiers for a product: seller SKU, ASIN and FBA network SKU (FNSKU)."""

    seller_sku: str | None = None
    asin: str | None = None
    fnsku: str | None = None

    def __attrs_post_init__(self) -> None:
        if not (self.seller_sku or self.asin or self.fnsku):
            raise ValidationError("ItemRef: give at least one of seller_sku, asin or fnsku")

    @property
    def key(self) -> str:
        """The most specific identifier: the seller SKU, else the FNSKU, else the ASIN."""
        return self.seller_sku or self.fnsku or self.asin or ""


_ADDED_CHARGES = (
    "item_price",
    "item_tax",
    "shipping_price",
    "shipping_tax",
    "gift_wrap_price",
    "gift_wrap_tax",
    "cod_fee",
)
_DISCOUNTS = (
    "promotion_discount",
    "promotion_discount_tax",
    "shipping_discount",
    "shipping_discount_tax",
    "cod_fee_discount",
)


@frozen
class OrderLine:
    """One order item. Prices are line totals as Amazon gives them (unit price x quantity).

    ``cod_fee`` is what the buyer pays for cash on delivery (Orders v0 ``CODFee``, "the fee
    charged for COD service") and ``cod_fee_discount`` the discount on it (``CODFeeDiscount``);
    both only on COD orders (Amazon.co.jp).
    """

    line_id: str = field(validator=not_blank)
    item: ItemRef
    quantity: int = field(validator=non_negative)
    quantity_shipped: int = field(default=0, validator=non_negative)
    title: str | None = None
    item_price: Money | None = None
    item_tax: Money | None = None
    shipping_price: Money | None = None
    shipping_tax: Money | None = None
    promotion_discount: Money | None = None
    gift_wrap_price: Money | None = None
    gift_wrap_tax: Money | None = None
    promotion_discount_tax: Money | None = None
    shipping_discount: Money | None = None
    shipping_discount_tax: Money | None = None
    facilitator_tax: Money | None = None
    cancelled: bool = False
    gift_message: str | None = None
    cod_fee: Money | None = None
    cod_fee_discount: Money | None = None

    @property
    def charges(self) -> dict[str, Money]:
        """Every amount of the line that Amazon gave, keyed by its charge kind.

        Discounts are positive amounts here, as Amazon reports them; :meth:`buyer_total`
        subtracts them. ``facilitator_tax`` is the part of the tax that Amazon collects and
        remits as marketplace facilitator (it is included in ``item_tax`` and the other taxes).
        """
        named = {
            "item_price": self.item_price,
            "item_tax": self.item_tax,
            "shipping_price": self.shipping_price,
            "shipping_tax": self.shipping_tax,
            "gift_wrap_price": self.gift_wrap_price,
            "gift_wrap_tax": self.gift_wrap_tax,
            "promotion_discount": self.promotion_discount,
            "promotion_discount_tax": self.promotion_discount_tax,
            "shipping_discount": self.shipping_discount,
            "shipping_discount_tax": self.shipping_discount_tax,
            "facilitator_tax": self.facilitator_tax,
            "cod_fee": self.cod_fee,
            "cod_fee_discount": self.cod_fee_discount,
        }
        return {kind: money for kind, money in named.items() if money is not None}

    def buyer_total(self, currency: str) -> Money:
        """What the buyer paid for this line: prices, their taxes and the COD fee, less the
        discounts (the COD fee discount among them)."""
        added = _ADDED_CHARGES
        taken = _DISCOUNTS
        charges = self.charges
        plus = Money.total((charges[k] for k in added if k in charges), currency)
        minus = Money.total((charges[k] for k in taken if k in charges), currency)
        return plus - minus

    @property
    def unit_price(self) -> Money | None:
        """Item price per unit, unrounded (None when Amazon gave no price or quantity is 0)."""
        if self.item_price is None or self.quantity == 0:
            return None
        return Money(self.item_price.amount / self.quantity, self.item_price.currency)


@frozen
class Order:
    """An Amazon order in the canonical model, the same whichever Orders API version read it."""

    order_id: str = field(validator=not_blank)
    purchase_date: datetime = field(validator=aware)
    last_updated: datetime = field(validator=aware)
    status: OrderStatus = field(converter=OrderStatus)
    marketplace_id: str | None = None
    fulfillment_channel: FulfillmentChannel | None = field(default=None, converter=_channel)
    sales_channel: str | None = None
    order_total: Money | None = None
    lines: tuple[OrderLine, ...] = ()
    ship_address: Address | None = None
    buyer_name: str | None = None
    buyer_email: str | None = None
    seller_order_id: str | None = None
    order_type: str | None = None
    is_business_order: bool = False
    is_replacement_order: bool = False
    is_prime: bool = False
    ship_service_level: str | None = None
    latest_ship_date: datetime | None = field(default=None, validator=aware)
    attributes: Mapping[str, str] = field(factory=dict)
    #: The window the seller must ship in and Amazon promised delivery in (v0
    #: Earliest/LatestShipDate and Earliest/LatestDeliveryDate, v2026 ``shipByWindow`` and
    #: ``deliverByWindow``); ``latest_ship_date`` above is the ship window's end.
    earliest_ship_date: datetime | None = field(default=None, validator=aware)
    earliest_delivery_date: datetime | None = field(default=None, validator=aware)
    latest_delivery_date: datetime | None = field(default=None, validator=aware)

    @property
    def currency(self) -> str | None:
        """The order's currency, from its total or else its first priced line."""
        if self.order_total is not None:
            return self.order_total.currency
        for line in self.lines:
            if line.item_price is not None:
                return line.item_price.currency
        return None

    def _repr_html_(self) -> str:
        title = (
            f"Order {self.order_id} ({self.status.value}, "
            f"{self.fulfillment_channel.value if self.fulfillment_channel else '?'}) "
            f"{self.purchase_date:%Y-%m-%d %H:%M}, total {self.order_total or '-'}"
        )
        rows = (
            (ln.line_id, ln.item.seller_sku, ln.item.asin, ln.quantity, ln.item_price)
            for ln in self.lines
        )
        headers = ("line", "seller_sku", "asin", "quantity", "item_price")
        return html_table(title, headers, rows, total=len(self.lines))

    def to_dataframe(self) -> Any:
        """The order's lines as a pandas DataFrame (see :func:`~.frames.orders_dataframe`)."""
        from amazon_erp_bridge.model.frames import orders_dataframe

        return orders_dataframe([self])


@frozen
class ShipmentPackage:
    """A parcel of a shipment with its carrier and tracking number."""

    package_number: str
    carrier: str | None = None
    tracking_number: str | None = None


@frozen
class ShipmentItem:
    """A quantity of one SKU in a shipment."""

    seller_sku: str = field(validator=not_blank)
    quantity: int = field(validator=non_negative)
    line_id: str | None = None


@frozen
class Shipment:
    """Goods that left a warehouse for an order (FBA, MCF or the merchant's own).

    ``fulfillment_center_id`` is the Amazon fulfilment centre the goods left from (MCF
    ``fulfillmentCenterId``), when Amazon says.
    """

    shipment_id: str = field(validator=not_blank)
    order_id: str = field(validator=not_blank)
    status: str
    shipped_at: datetime | None = field(default=None, validator=aware)
    estimated_arrival: datetime | None = field(default=None, validator=aware)
    items: tuple[ShipmentItem, ...] = ()
    packages: tuple[ShipmentPackage, ...] = ()
    fulfillment_center_id: str | None = None
