"""Orders API, v2026-01-01 (the default) and v0 (deprecated), mapped to the canonical model.

Both versions become the same ``Order`` / ``OrderLine`` / ``Address``, so a caller switches
with ``version=``. Buyer name, e-mail and the ship-to address are personal data: they are only
asked for when ``include_pii=True``. v2026-01-01 gets them through ``includedData`` (BUYER,
RECIPIENT) with the ordinary token; v0 needs a Restricted Data Token for exactly the resources
read, which the group fetches and caches. Without ``include_pii`` no PII request is ever made.

Each operation is a pure call builder plus parse; :class:`OrdersApi` and
:class:`AsyncOrdersApi` only send them.
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

import attrs
import httpx2
from attrs import frozen

from amazon_erp_bridge.amazon.lwa import ACCESS_TOKEN_HEADER
from amazon_erp_bridge.amazon.timestamps import from_wire, from_wire_required, to_wire
from amazon_erp_bridge.amazon.tokens import AsyncTokensApi, RestrictedResource, TokensApi
from amazon_erp_bridge.core.call import Call, Page
from amazon_erp_bridge.core.redaction import Secret
from amazon_erp_bridge.core.sender import AsyncSender, SyncSender, json_body
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import (
    Address,
    FulfillmentChannel,
    ItemRef,
    Money,
    Order,
    OrderLine,
    OrderStatus,
)


class OrdersVersion(enum.StrEnum):
    """Which Orders API a call goes to."""

    V2026 = "2026-01-01"
    V0 = "v0"


DEFAULT_VERSION: Final = OrdersVersion.V2026
V2026_BASE: Final = "/orders/2026-01-01/orders"
V0_BASE: Final = "/orders/v0/orders"

#: Every ``includedData`` value of Orders v2026-01-01.
INCLUDED_DATA: Final = (
    "BUYER",
    "RECIPIENT",
    "PROCEEDS",
    "EXPENSE",
    "PROMOTION",
    "CANCELLATION",
    "FULFILLMENT",
    "PACKAGES",
    "TAX",
    "PAYMENT",
    "FULFILLMENT_ORDERS",
)
#: What the mapping to ``Order`` needs: status (FULFILLMENT) and money (PROCEEDS).
BASE_INCLUDED_DATA: Final = ("FULFILLMENT", "PROCEEDS")
PII_INCLUDED_DATA: Final = ("BUYER", "RECIPIENT")

#: v2026-01-01 fulfillmentStatus -> the canonical (v0-spelt) status, and back.
STATUS_FROM_2026: Final[dict[str, OrderStatus]] = {
    "PENDING_AVAILABILITY": OrderStatus.PENDING_AVAILABILITY,
    "PENDING": OrderStatus.PENDING,
    "UNSHIPPED": OrderStatus.UNSHIPPED,
    "PARTIALLY_SHIPPED": OrderStatus.PARTIALLY_SHIPPED,
    "SHIPPED": OrderStatus.SHIPPED,
    "CANCELLED": OrderStatus.CANCELED,
    "UNFULFILLABLE": OrderStatus.UNFULFILLABLE,
}
STATUS_TO_2026: Final = {v: k for k, v in STATUS_FROM_2026.items()}
FULFILLED_BY: Final = {FulfillmentChannel.AMAZON: "AMAZON", FulfillmentChannel.MERCHANT: "MERCHANT"}
_CHANNEL_FROM_2026: Final = {v: k for k, v in FULFILLED_BY.items()}

V0_PII_ELEMENTS: Final = ("buyerInfo", "shippingAddress")
MAX_MARKETPLACES: Final = 50
MAX_ORDER_IDS: Final = 50


@frozen
class BuyerInfo:
    """Orders v0 getOrderBuyerInfo: who bought an order (personal data; needs an RDT)."""

    order_id: str
    buyer_name: str | None = None
    buyer_email: str | None = None
    buyer_county: str | None = None
    purchase_order_number: str | None = None


# -- arguments -----------------------------------------------------------------------------


def version_of(value: str | OrdersVersion | None) -> OrdersVersion:
    """``"2026-01-01"`` (default) or ``"v0"``; anything else is a ValidationError."""
    if value is None:
        return DEFAULT_VERSION
    try:
        return OrdersVersion(value)
    except ValueError:
        raise ValidationError(f"version: expected '2026-01-01' or 'v0', got {value!r}") from None


def _ids(values: Iterable[str] | str | None, what: str, limit: int) -> list[str]:
    if values is None:
        return []
    items = [values] if isinstance(values, str) else list(values)
    if any(not isinstance(v, str) or not v.strip() for v in items):
        raise ValidationError(f"{what}: expected non-empty strings, got {items!r}")
    if len(items) > limit:
        raise ValidationError(f"{what}: at most {limit} values, got {len(items)}")
    return items


def _order_id(order_id: str) -> str:
    if not isinstance(order_id, str) or not order_id.strip():
        raise ValidationError(f"order_id: expected an Amazon order id (3-7-7), got {order_id!r}")
    return order_id.strip()


def _page_size(value: int | None, limit: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
        raise ValidationError(f"max_results_per_page: expected 1 to {limit}, got {value!r}")
    return str(value)


def _statuses(values: Iterable[OrderStatus | str] | None) -> list[OrderStatus]:
    out = []
    for v in values or ():
        try:
            out.append(OrderStatus(v))
        except ValueError:
            allowed = ", ".join(s.value for s in OrderStatus)
            raise ValidationError(f"statuses: {v!r} is not an order status ({allowed})") from None
    return out


def _channels(values: Iterable[FulfillmentChannel | str] | None) -> list[FulfillmentChannel]:
    out = []
    for v in values or ():
        try:
            out.append(FulfillmentChannel(v))
        except ValueError:
            raise ValidationError(
                f"fulfillment_channels: {v!r} is not AFN (Amazon) or MFN (merchant)"
            ) from None
    return out


def _put(params: dict[str, str | list[str]], name: str, value: str | list[str] | None) -> None:
    if value:
        params[name] = value


def _time(params: dict[str, str | list[str]], name: str, value: datetime | None) -> None:
    if value is not None:
        params[name] = to_wire(value, name)


def included_data_for(included_data: Iterable[str] | None, include_pii: bool) -> list[str]:
    """The ``includedData`` to ask for: what the mapping needs, PII only if asked for."""
    wanted = list(BASE_INCLUDED_DATA)
    for value in included_data or ():
        if value not in INCLUDED_DATA:
            raise ValidationError(
                f"included_data: {value!r} is not one of {', '.join(INCLUDED_DATA)}"
            )
        if value in PII_INCLUDED_DATA and not include_pii:
            raise ValidationError(
                f"included_data: {value} is buyer personal data; pass include_pii=True to ask "
                "for it"
            )
        wanted.append(value)
    if include_pii:
        wanted.extend(PII_INCLUDED_DATA)
    return list(dict.fromkeys(wanted))


# -- shared parsing ------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _int(value: Any, what: str, default: int = 0) -> int:
    if value is None:
        return default
    if isinstance(value, bool):
        raise ValueError(f"{what}: expected an integer, got {value!r}")
    return int(value)


def _money_v0(data: Any, what: str) -> Money | None:
    """v0 Money ``{CurrencyCode, Amount}``, Amount a decimal string."""
    if not data:
        return None
    if data.get("Amount") is None or not data.get("CurrencyCode"):
        return None
    return _money(data["Amount"], data["CurrencyCode"], what)


def _money_2026(data: Any, what: str) -> Money | None:
    """v2026 Money ``{amount, currencyCode}``, amount a decimal string."""
    if not data:
        return None
    if data.get("amount") is None or not data.get("currencyCode"):
        return None
    return _money(data["amount"], data["currencyCode"], what)


def _money(amount: Any, currency: Any, what: str) -> Money:
    try:
        return Money(amount, currency)
    except ValidationError as exc:
        raise ValidationError(f"{what}: {exc.message}") from None


def _country(value: Any) -> str | None:
    code = _text(value)
    if code is None:
        return None
    code = code.strip().upper()
    return "GB" if code == "UK" else code


# -- Orders v0 -----------------------------------------------------------------------------


def address_from_v0(data: Mapping[str, Any] | None) -> Address | None:
    """A v0 ``Address`` (ShippingAddress) as the canonical Address."""
    if not data:
        return None
    return Address(
        name=_text(data.get("Name")),
        line1=_text(data.get("AddressLine1")),
        line2=_text(data.get("AddressLine2")),
        line3=_text(data.get("AddressLine3")),
        city=_text(data.get("City")),
        district=_text(data.get("District")),
        county=_text(data.get("County")),
        state_or_region=_text(data.get("StateOrRegion")),
        postal_code=_text(data.get("PostalCode")),
        country_code=_country(data.get("CountryCode")),
        phone=_text(data.get("Phone")),
        company=_text(data.get("CompanyName")),
        address_type=_text(data.get("AddressType")),
    )


_V0_ATTRIBUTES: Final = (
    "ShipmentServiceLevelCategory",
    "PaymentMethod",
    "OrderChannel",
    "ReplacedOrderId",
    "EarliestShipDate",
    "EarliestDeliveryDate",
    "LatestDeliveryDate",
)


def order_from_v0(data: Mapping[str, Any], lines: Sequence[OrderLine] = ()) -> Order:
    """A v0 ``Order`` as the canonical Order (lines come from getOrderItems)."""
    order_id = data["AmazonOrderId"]
    where = f"order {order_id}"
    buyer = data.get("BuyerInfo") or {}
    return Order(
        order_id=order_id,
        purchase_date=from_wire_required(data.get("PurchaseDate"), f"{where} PurchaseDate"),
        last_updated=from_wire_required(data.get("LastUpdateDate"), f"{where} LastUpdateDate"),
        status=OrderStatus(data["OrderStatus"]),
        marketplace_id=_text(data.get("MarketplaceId")),
        fulfillment_channel=_text(data.get("FulfillmentChannel")),
        sales_channel=_text(data.get("SalesChannel")),
        order_total=_money_v0(data.get("OrderTotal"), f"{where} OrderTotal"),
        lines=tuple(lines),
        ship_address=address_from_v0(data.get("ShippingAddress")),
        buyer_name=_text(buyer.get("BuyerName")),
        buyer_email=_text(buyer.get("BuyerEmail")),
        seller_order_id=_text(data.get("SellerOrderId")),
        order_type=_text(data.get("OrderType")),
        is_business_order=bool(data.get("IsBusinessOrder", False)),
        is_replacement_order=bool(data.get("IsReplacementOrder", False)),
        is_prime=bool(data.get("IsPrime", False)),
        ship_service_level=_text(data.get("ShipServiceLevel")),
        latest_ship_date=from_wire(data.get("LatestShipDate"), f"{where} LatestShipDate"),
        attributes={k: str(data[k]) for k in _V0_ATTRIBUTES if data.get(k) not in (None, "")},
    )


def line_from_v0(data: Mapping[str, Any]) -> OrderLine:
    """A v0 ``OrderItem`` as the canonical OrderLine (prices are line totals)."""
    item_id = data["OrderItemId"]
    where = f"order item {item_id}"
    buyer = data.get("BuyerInfo") or {}
    return OrderLine(
        line_id=item_id,
        item=ItemRef(seller_sku=_text(data.get("SellerSKU")), asin=_text(data.get("ASIN"))),
        quantity=_int(data["QuantityOrdered"], f"{where} QuantityOrdered"),
        quantity_shipped=_int(data.get("QuantityShipped"), f"{where} QuantityShipped"),
        title=_text(data.get("Title")),
        item_price=_money_v0(data.get("ItemPrice"), f"{where} ItemPrice"),
        item_tax=_money_v0(data.get("ItemTax"), f"{where} ItemTax"),
        shipping_price=_money_v0(data.get("ShippingPrice"), f"{where} ShippingPrice"),
        shipping_tax=_money_v0(data.get("ShippingTax"), f"{where} ShippingTax"),
        promotion_discount=_money_v0(data.get("PromotionDiscount"), f"{where} PromotionDiscount"),
        gift_wrap_price=_money_v0(buyer.get("GiftWrapPrice"), f"{where} GiftWrapPrice"),
    )


def _rdt_headers(rdt: Secret | None) -> dict[str, str]:
    return {ACCESS_TOKEN_HEADER: rdt.reveal()} if rdt is not None else {}


def _parse_orders_v0(response: httpx2.Response) -> Page[Order]:
    payload = json_body(response)["payload"]
    orders = tuple(order_from_v0(o) for o in payload.get("Orders") or ())
    return Page(orders, _text(payload.get("NextToken")))


def get_orders_v0(
    marketplace_ids: Sequence[str],
    *,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    last_updated_after: datetime | None = None,
    last_updated_before: datetime | None = None,
    statuses: Iterable[OrderStatus | str] | None = None,
    fulfillment_channels: Iterable[FulfillmentChannel | str] | None = None,
    payment_methods: Sequence[str] | None = None,
    buyer_email: str | None = None,
    seller_order_id: str | None = None,
    max_results_per_page: int | None = None,
    easy_ship_shipment_statuses: Sequence[str] | None = None,
    electronic_invoice_statuses: Sequence[str] | None = None,
    amazon_order_ids: Sequence[str] | None = None,
    actual_fulfillment_supply_source_id: str | None = None,
    is_ispu: bool | None = None,
    store_chain_store_id: str | None = None,
    earliest_delivery_date_before: datetime | None = None,
    earliest_delivery_date_after: datetime | None = None,
    latest_delivery_date_before: datetime | None = None,
    latest_delivery_date_after: datetime | None = None,
    next_token: str | None = None,
    rdt: Secret | None = None,
) -> Call[Page[Order]]:
    """Orders v0 getOrders, one page. ``rdt`` (a restricted data token) unlocks buyer PII."""
    markets = _ids(marketplace_ids, "marketplace_ids", MAX_MARKETPLACES)
    if not markets:
        raise ValidationError("marketplace_ids: Orders v0 getOrders needs at least one")
    order_ids = _ids(amazon_order_ids, "amazon_order_ids", MAX_ORDER_IDS)
    if not (created_after or last_updated_after or order_ids or next_token):
        raise ValidationError(
            "get_orders: give created_after or last_updated_after (or amazon_order_ids)"
        )
    if created_after and last_updated_after:
        raise ValidationError("get_orders: give created_after or last_updated_after, not both")
    params: dict[str, str | list[str]] = {"MarketplaceIds": ",".join(markets)}
    _time(params, "CreatedAfter", created_after)
    _time(params, "CreatedBefore", created_before)
    _time(params, "LastUpdatedAfter", last_updated_after)
    _time(params, "LastUpdatedBefore", last_updated_before)
    _put(params, "OrderStatuses", ",".join(s.value for s in _statuses(statuses)))
    _put(params, "FulfillmentChannels", ",".join(c.value for c in _channels(fulfillment_channels)))
    _put(params, "PaymentMethods", ",".join(payment_methods or ()))
    _put(params, "BuyerEmail", buyer_email)
    _put(params, "SellerOrderId", seller_order_id)
    _put(params, "MaxResultsPerPage", _page_size(max_results_per_page, 100))
    _put(params, "EasyShipShipmentStatuses", ",".join(easy_ship_shipment_statuses or ()))
    _put(params, "ElectronicInvoiceStatuses", ",".join(electronic_invoice_statuses or ()))
    _put(params, "AmazonOrderIds", ",".join(order_ids))
    _put(params, "ActualFulfillmentSupplySourceId", actual_fulfillment_supply_source_id)
    if is_ispu is not None:
        params["IsISPU"] = "true" if is_ispu else "false"
    _put(params, "StoreChainStoreId", store_chain_store_id)
    _time(params, "EarliestDeliveryDateBefore", earliest_delivery_date_before)
    _time(params, "EarliestDeliveryDateAfter", earliest_delivery_date_after)
    _time(params, "LatestDeliveryDateBefore", latest_delivery_date_before)
    _time(params, "LatestDeliveryDateAfter", latest_delivery_date_after)
    _put(params, "NextToken", next_token)
    return Call(
        "GET",
        V0_BASE,
        parse=_parse_orders_v0,
        params=params,
        headers=_rdt_headers(rdt),
        limit_key="ordersV0.getOrders",
    )


def _parse_order_v0(response: httpx2.Response) -> Order:
    return order_from_v0(json_body(response)["payload"])


def get_order_v0(order_id: str, rdt: Secret | None = None) -> Call[Order]:
    """Orders v0 getOrder (without lines; see :func:`get_order_items_v0`)."""
    return Call(
        "GET",
        f"{V0_BASE}/{_order_id(order_id)}",
        parse=_parse_order_v0,
        headers=_rdt_headers(rdt),
        limit_key="ordersV0.getOrder",
    )


def _parse_items_v0(response: httpx2.Response) -> Page[OrderLine]:
    payload = json_body(response)["payload"]
    lines = tuple(line_from_v0(i) for i in payload.get("OrderItems") or ())
    return Page(lines, _text(payload.get("NextToken")))


def get_order_items_v0(
    order_id: str, next_token: str | None = None, rdt: Secret | None = None
) -> Call[Page[OrderLine]]:
    """Orders v0 getOrderItems, one page. ``rdt`` with buyerInfo adds gift-wrap prices."""
    params: dict[str, str | list[str]] = {}
    _put(params, "NextToken", next_token)
    return Call(
        "GET",
        f"{V0_BASE}/{_order_id(order_id)}/orderItems",
        parse=_parse_items_v0,
        params=params,
        headers=_rdt_headers(rdt),
        limit_key="ordersV0.getOrderItems",
    )


def _parse_address_v0(response: httpx2.Response) -> Address | None:
    return address_from_v0(json_body(response)["payload"].get("ShippingAddress"))


def get_order_address_v0(order_id: str, rdt: Secret) -> Call[Address | None]:
    """Orders v0 getOrderAddress: the ship-to address (restricted: needs an RDT)."""
    return Call(
        "GET",
        f"{V0_BASE}/{_order_id(order_id)}/address",
        parse=_parse_address_v0,
        headers=_rdt_headers(rdt),
        limit_key="ordersV0.getOrderAddress",
    )


def _parse_buyer_info_v0(response: httpx2.Response) -> BuyerInfo:
    payload = json_body(response)["payload"]
    return BuyerInfo(
        order_id=payload["AmazonOrderId"],
        buyer_name=_text(payload.get("BuyerName")),
        buyer_email=_text(payload.get("BuyerEmail")),
        buyer_county=_text(payload.get("BuyerCounty")),
        purchase_order_number=_text(payload.get("PurchaseOrderNumber")),
    )


def get_order_buyer_info_v0(order_id: str, rdt: Secret) -> Call[BuyerInfo]:
    """Orders v0 getOrderBuyerInfo (restricted: needs an RDT)."""
    return Call(
        "GET",
        f"{V0_BASE}/{_order_id(order_id)}/buyerInfo",
        parse=_parse_buyer_info_v0,
        headers=_rdt_headers(rdt),
        limit_key="ordersV0.getOrderBuyerInfo",
    )


def v0_orders_resource() -> RestrictedResource:
    return RestrictedResource("GET", V0_BASE, V0_PII_ELEMENTS)


def v0_order_resource(order_id: str) -> RestrictedResource:
    return RestrictedResource("GET", f"{V0_BASE}/{_order_id(order_id)}", V0_PII_ELEMENTS)


def v0_items_resource(order_id: str) -> RestrictedResource:
    return RestrictedResource("GET", f"{V0_BASE}/{_order_id(order_id)}/orderItems", ("buyerInfo",))


def v0_address_resource(order_id: str) -> RestrictedResource:
    return RestrictedResource("GET", f"{V0_BASE}/{_order_id(order_id)}/address")


def v0_buyer_info_resource(order_id: str) -> RestrictedResource:
    return RestrictedResource("GET", f"{V0_BASE}/{_order_id(order_id)}/buyerInfo")


# -- Orders v2026-01-01 --------------------------------------------------------------------


def address_from_2026(data: Mapping[str, Any] | None) -> Address | None:
    """A v2026 ``CustomerAddress`` (recipient.deliveryAddress) as the canonical Address."""
    if not data:
        return None
    return Address(
        name=_text(data.get("name")),
        line1=_text(data.get("addressLine1")),
        line2=_text(data.get("addressLine2")),
        line3=_text(data.get("addressLine3")),
        city=_text(data.get("city")),
        district=_text(data.get("districtOrCounty")),
        state_or_region=_text(data.get("stateOrRegion")),
        postal_code=_text(data.get("postalCode")),
        country_code=_country(data.get("countryCode")),
        phone=_text(data.get("phone")),
        company=_text(data.get("companyName")),
        address_type=_text(data.get("addressType")),
    )


def _breakdowns(proceeds: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    return {b["type"]: b for b in (proceeds or {}).get("breakdowns") or ()}


def line_from_2026(data: Mapping[str, Any]) -> OrderLine:
    """A v2026 ``OrderItem`` as the canonical OrderLine.

    Line totals come from the item's proceeds breakdowns (ITEM, SHIPPING, GIFT_WRAP, TAX split
    by its ITEM / SHIPPING detailed breakdowns, DISCOUNT as a positive promotion discount); with
    no PROCEEDS the item price is unit price x quantity.
    """
    item_id = data["orderItemId"]
    where = f"order item {item_id}"
    product = data.get("product") or {}
    quantity = _int(data["quantityOrdered"], f"{where} quantityOrdered")
    parts = _breakdowns(data.get("proceeds"))

    def part(kind: str) -> Money | None:
        entry = parts.get(kind)
        return _money_2026(entry.get("subtotal"), f"{where} {kind}") if entry else None

    item_price = part("ITEM")
    if item_price is None:
        unit = _money_2026((product.get("price") or {}).get("unitPrice"), f"{where} unitPrice")
        item_price = unit * quantity if unit is not None else None
    item_tax = shipping_tax = None
    tax = parts.get("TAX")
    if tax is not None:
        details = {d.get("subtype"): d for d in tax.get("detailedBreakdowns") or ()}
        if details:
            item_tax = _money_2026((details.get("ITEM") or {}).get("value"), f"{where} tax")
            shipping_tax = _money_2026(
                (details.get("SHIPPING") or {}).get("value"), f"{where} shipping tax"
            )
        else:
            item_tax = part("TAX")
    discount = part("DISCOUNT")
    fulfillment = data.get("fulfillment") or {}
    return OrderLine(
        line_id=item_id,
        item=ItemRef(seller_sku=_text(product.get("sellerSku")), asin=_text(product.get("asin"))),
        quantity=quantity,
        quantity_shipped=_int(fulfillment.get("quantityFulfilled"), f"{where} quantityFulfilled"),
        title=_text(product.get("title")),
        item_price=item_price,
        item_tax=item_tax,
        shipping_price=part("SHIPPING"),
        shipping_tax=shipping_tax,
        promotion_discount=abs(discount) if discount is not None else None,
        gift_wrap_price=part("GIFT_WRAP"),
    )


def order_from_2026(data: Mapping[str, Any]) -> Order:
    """A v2026 ``Order`` as the canonical Order (its items become the lines)."""
    order_id = data["orderId"]
    where = f"order {order_id}"
    fulfillment = data.get("fulfillment")
    if not fulfillment or "fulfillmentStatus" not in fulfillment:
        raise ValueError(f"{where}: no fulfillment.fulfillmentStatus (includedData FULFILLMENT)")
    status = STATUS_FROM_2026[fulfillment["fulfillmentStatus"]]
    channel = _CHANNEL_FROM_2026.get(fulfillment.get("fulfilledBy") or "")
    sales = data.get("salesChannel") or {}
    buyer = data.get("buyer") or {}
    recipient = data.get("recipient") or {}
    programs = [str(p) for p in data.get("programs") or ()]
    aliases = {a.get("aliasType"): a.get("aliasId") for a in data.get("orderAliases") or ()}
    associated = {a.get("associationType") for a in data.get("associatedOrders") or ()}
    ship_by = fulfillment.get("shipByWindow") or {}
    return Order(
        order_id=order_id,
        purchase_date=from_wire_required(data.get("createdTime"), f"{where} createdTime"),
        last_updated=from_wire_required(data.get("lastUpdatedTime"), f"{where} lastUpdatedTime"),
        status=status,
        marketplace_id=_text(sales.get("marketplaceId")),
        fulfillment_channel=channel,
        sales_channel=_text(sales.get("marketplaceName")),
        order_total=_money_2026(
            (data.get("proceeds") or {}).get("grandTotal"), f"{where} grandTotal"
        ),
        lines=tuple(line_from_2026(i) for i in data.get("orderItems") or ()),
        ship_address=address_from_2026(recipient.get("deliveryAddress")),
        buyer_name=_text(buyer.get("buyerName")),
        buyer_email=_text(buyer.get("buyerEmail")),
        seller_order_id=_text(aliases.get("SELLER_ORDER_ID")),
        is_business_order="AMAZON_BUSINESS" in programs,
        is_replacement_order="REPLACEMENT_ORIGINAL_ID" in associated,
        is_prime="PRIME" in programs,
        ship_service_level=_text(fulfillment.get("fulfillmentServiceLevel")),
        latest_ship_date=from_wire(ship_by.get("latestDateTime"), f"{where} shipByWindow"),
        attributes={"programs": ",".join(programs)} if programs else {},
    )


def _parse_search(response: httpx2.Response) -> Page[Order]:
    body = json_body(response)
    orders = tuple(order_from_2026(o) for o in body.get("orders") or ())
    return Page(orders, _text((body.get("pagination") or {}).get("nextToken")))


def search_orders(
    *,
    marketplace_ids: Sequence[str] | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    last_updated_after: datetime | None = None,
    last_updated_before: datetime | None = None,
    statuses: Iterable[OrderStatus | str] | None = None,
    fulfillment_channels: Iterable[FulfillmentChannel | str] | None = None,
    max_results_per_page: int | None = None,
    included_data: Iterable[str] | None = None,
    include_pii: bool = False,
    pagination_token: str | None = None,
) -> Call[Page[Order]]:
    """Orders v2026-01-01 searchOrders, one page; every filter and ``includedData``."""
    if not (created_after or last_updated_after or pagination_token):
        raise ValidationError("get_orders: give created_after or last_updated_after")
    if created_after and last_updated_after:
        raise ValidationError("get_orders: give created_after or last_updated_after, not both")
    statuses_2026 = []
    for s in _statuses(statuses):
        if s not in STATUS_TO_2026:
            raise ValidationError(
                f"statuses: {s.value} has no Orders v2026-01-01 fulfillment status; "
                "use version='v0' or drop it"
            )
        statuses_2026.append(STATUS_TO_2026[s])
    params: dict[str, str | list[str]] = {}
    _time(params, "createdAfter", created_after)
    _time(params, "createdBefore", created_before)
    _time(params, "lastUpdatedAfter", last_updated_after)
    _time(params, "lastUpdatedBefore", last_updated_before)
    _put(params, "fulfillmentStatuses", ",".join(statuses_2026))
    _put(params, "marketplaceIds", ",".join(_ids(marketplace_ids, "marketplace_ids", 50)))
    _put(params, "fulfilledBy", ",".join(FULFILLED_BY[c] for c in _channels(fulfillment_channels)))
    _put(params, "maxResultsPerPage", _page_size(max_results_per_page, 100))
    _put(params, "includedData", ",".join(included_data_for(included_data, include_pii)))
    _put(params, "paginationToken", pagination_token)
    return Call(
        "GET", V2026_BASE, parse=_parse_search, params=params, limit_key="orders.searchOrders"
    )


def _parse_get_order_2026(response: httpx2.Response) -> Order:
    return order_from_2026(json_body(response)["order"])


def get_order_2026(
    order_id: str, *, included_data: Iterable[str] | None = None, include_pii: bool = False
) -> Call[Order]:
    """Orders v2026-01-01 getOrder, with its items."""
    params: dict[str, str | list[str]] = {
        "includedData": ",".join(included_data_for(included_data, include_pii))
    }
    return Call(
        "GET",
        f"{V2026_BASE}/{_order_id(order_id)}",
        parse=_parse_get_order_2026,
        params=params,
        limit_key="orders.getOrder",
    )


# -- planning shared by both groups --------------------------------------------------------


_SHARED_FILTERS: Final = frozenset(
    {
        "marketplace_ids",
        "created_after",
        "created_before",
        "last_updated_after",
        "last_updated_before",
        "statuses",
        "fulfillment_channels",
        "max_results_per_page",
    }
)


@frozen
class OrdersPlan:
    """How to read a run of orders: the page call, the RDT it needs, whether to fetch lines."""

    page: Callable[[str | None, Secret | None], Call[Page[Order]]]
    resources: tuple[RestrictedResource, ...] = ()
    needs_lines: bool = False


def plan_get_orders(
    version: str | OrdersVersion | None,
    include_pii: bool,
    with_lines: bool,
    included_data: Iterable[str] | None,
    filters: Mapping[str, Any],
) -> OrdersPlan:
    """Pure: the calls ``get_orders`` makes for these arguments (validated now, not mid-run)."""
    v = version_of(version)
    if v is OrdersVersion.V2026:
        extra = set(filters) - _SHARED_FILTERS
        if extra:
            raise ValidationError(
                f"get_orders: {', '.join(sorted(extra))} only exist in Orders v0; "
                "pass version='v0' to use them"
            )
        data = tuple(included_data or ())

        def page_2026(token: str | None, rdt: Secret | None) -> Call[Page[Order]]:
            return search_orders(
                **filters, included_data=data, include_pii=include_pii, pagination_token=token
            )

        page_2026(None, None)  # validates the arguments before any request
        return OrdersPlan(page_2026)
    if included_data:
        raise ValidationError("included_data: only Orders v2026-01-01 has includedData")

    def page_v0(token: str | None, rdt: Secret | None) -> Call[Page[Order]]:
        return get_orders_v0(**filters, next_token=token, rdt=rdt)

    page_v0(None, None)
    resources = (v0_orders_resource(),) if include_pii else ()
    return OrdersPlan(page_v0, resources, needs_lines=with_lines)


def with_lines(order: Order, lines: Iterable[OrderLine]) -> Order:
    """``order`` with its lines (v0 reads them with a separate call)."""
    return attrs.evolve(order, lines=tuple(lines))


class OrdersApi:
    """Orders for the sync client: v2026-01-01 by default, ``version="v0"`` for the old API."""

    def __init__(
        self,
        sender: SyncSender,
        tokens: TokensApi,
        version: str | OrdersVersion = DEFAULT_VERSION,
    ) -> None:
        self._sender = sender
        self._tokens = tokens
        self.version = version_of(version)

    def _rdt(self, resources: Sequence[RestrictedResource]) -> Secret | None:
        return self._tokens.cached_token(resources) if resources else None

    def get_orders(
        self,
        marketplace_ids: Sequence[str] | None = None,
        *,
        version: str | OrdersVersion | None = None,
        include_pii: bool = False,
        with_lines: bool = True,
        included_data: Iterable[str] | None = None,
        **filters: Any,
    ) -> Iterator[Order]:
        """Every order matching the filters, over all pages, as canonical Orders.

        Filters: ``created_after``/``created_before``, ``last_updated_after``/``_before``
        (aware datetimes), ``statuses``, ``fulfillment_channels``, ``max_results_per_page``;
        v0 adds its own (``amazon_order_ids``, ``buyer_email``, ...). On v0, ``with_lines``
        reads each order's items with one getOrderItems call (v2026 includes them); those
        calls carry no RDT, so v0 gift-wrap prices need ``get_order_items(include_pii=True)``.
        """
        plan = plan_get_orders(
            version or self.version,
            include_pii,
            with_lines,
            included_data,
            {"marketplace_ids": marketplace_ids, **filters},
        )
        return self._run(plan)

    def _run(self, plan: OrdersPlan) -> Iterator[Order]:
        rdt = self._rdt(plan.resources)
        for order in self._sender.pages(lambda t: plan.page(t, rdt)):
            if plan.needs_lines:
                order = _with_lines(order, self._sender.pages(_items_page(order.order_id)))
            yield order

    def get_order(
        self,
        order_id: str,
        *,
        version: str | OrdersVersion | None = None,
        include_pii: bool = False,
        with_lines: bool = True,
        included_data: Iterable[str] | None = None,
    ) -> Order:
        """One order with its lines (v0: getOrder then getOrderItems)."""
        if version_of(version or self.version) is OrdersVersion.V2026:
            call = get_order_2026(order_id, included_data=included_data, include_pii=include_pii)
            return self._sender.send(call)
        rdt = self._rdt((v0_order_resource(order_id),) if include_pii else ())
        order = self._sender.send(get_order_v0(order_id, rdt))
        if not with_lines:
            return order
        return _with_lines(order, self.get_order_items(order_id, version=OrdersVersion.V0))

    def get_order_items(
        self,
        order_id: str,
        *,
        version: str | OrdersVersion | None = None,
        include_pii: bool = False,
    ) -> list[OrderLine]:
        """The order's lines (v2026: from getOrder; v0: getOrderItems over all pages)."""
        if version_of(version or self.version) is OrdersVersion.V2026:
            return list(self.get_order(order_id, include_pii=include_pii).lines)
        resources = (v0_items_resource(order_id),) if include_pii else ()
        return list(
            self._sender.pages(lambda t: get_order_items_v0(order_id, t, self._rdt(resources)))
        )

    def get_order_address(self, order_id: str) -> Address | None:
        """Orders v0 getOrderAddress, with an RDT fetched (and cached) for it."""
        rdt = self._tokens.cached_token((v0_address_resource(order_id),))
        return self._sender.send(get_order_address_v0(order_id, rdt))

    def get_order_buyer_info(self, order_id: str) -> BuyerInfo:
        """Orders v0 getOrderBuyerInfo, with an RDT fetched (and cached) for it."""
        rdt = self._tokens.cached_token((v0_buyer_info_resource(order_id),))
        return self._sender.send(get_order_buyer_info_v0(order_id, rdt))


def _items_page(order_id: str) -> Callable[[str | None], Call[Page[OrderLine]]]:
    return lambda token: get_order_items_v0(order_id, token)


def _with_lines(order: Order, lines: Iterable[OrderLine]) -> Order:
    return with_lines(order, lines)


class AsyncOrdersApi:
    """Orders for the async client; the same methods as :class:`OrdersApi`, awaited."""

    def __init__(
        self,
        sender: AsyncSender,
        tokens: AsyncTokensApi,
        version: str | OrdersVersion = DEFAULT_VERSION,
    ) -> None:
        self._sender = sender
        self._tokens = tokens
        self.version = version_of(version)

    async def _rdt(self, resources: Sequence[RestrictedResource]) -> Secret | None:
        return await self._tokens.cached_token(resources) if resources else None

    def get_orders(
        self,
        marketplace_ids: Sequence[str] | None = None,
        *,
        version: str | OrdersVersion | None = None,
        include_pii: bool = False,
        with_lines: bool = True,
        included_data: Iterable[str] | None = None,
        **filters: Any,
    ) -> AsyncIterator[Order]:
        """Every order matching the filters, over all pages (see ``OrdersApi.get_orders``)."""
        plan = plan_get_orders(
            version or self.version,
            include_pii,
            with_lines,
            included_data,
            {"marketplace_ids": marketplace_ids, **filters},
        )
        return self._run(plan)

    async def _run(self, plan: OrdersPlan) -> AsyncIterator[Order]:
        rdt = await self._rdt(plan.resources)
        async for order in self._sender.pages(lambda t: plan.page(t, rdt)):
            if plan.needs_lines:
                lines = [line async for line in self._sender.pages(_items_page(order.order_id))]
                order = _with_lines(order, lines)
            yield order

    async def get_order(
        self,
        order_id: str,
        *,
        version: str | OrdersVersion | None = None,
        include_pii: bool = False,
        with_lines: bool = True,
        included_data: Iterable[str] | None = None,
    ) -> Order:
        """One order with its lines (v0: getOrder then getOrderItems)."""
        if version_of(version or self.version) is OrdersVersion.V2026:
            call = get_order_2026(order_id, included_data=included_data, include_pii=include_pii)
            return await self._sender.send(call)
        rdt = await self._rdt((v0_order_resource(order_id),) if include_pii else ())
        order = await self._sender.send(get_order_v0(order_id, rdt))
        if not with_lines:
            return order
        lines = await self.get_order_items(order_id, version=OrdersVersion.V0)
        return _with_lines(order, lines)

    async def get_order_items(
        self,
        order_id: str,
        *,
        version: str | OrdersVersion | None = None,
        include_pii: bool = False,
    ) -> list[OrderLine]:
        """The order's lines (v2026: from getOrder; v0: getOrderItems over all pages)."""
        if version_of(version or self.version) is OrdersVersion.V2026:
            return list((await self.get_order(order_id, include_pii=include_pii)).lines)
        rdt = await self._rdt((v0_items_resource(order_id),) if include_pii else ())
        return [
            line
            async for line in self._sender.pages(lambda t: get_order_items_v0(order_id, t, rdt))
        ]

    async def get_order_address(self, order_id: str) -> Address | None:
        """Orders v0 getOrderAddress, with an RDT fetched (and cached) for it."""
        rdt = await self._tokens.cached_token((v0_address_resource(order_id),))
        return await self._sender.send(get_order_address_v0(order_id, rdt))

    async def get_order_buyer_info(self, order_id: str) -> BuyerInfo:
        """Orders v0 getOrderBuyerInfo, with an RDT fetched (and cached) for it."""
        rdt = await self._tokens.cached_token((v0_buyer_info_resource(order_id),))
        return await self._sender.send(get_order_buyer_info_v0(order_id, rdt))
