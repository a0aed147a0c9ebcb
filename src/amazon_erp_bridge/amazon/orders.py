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
import functools
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final, Never

import attrs
import httpx2
from attrs import frozen

from amazon_erp_bridge.amazon.errors import REQUEST_ID_HEADER, error_list
from amazon_erp_bridge.amazon.lwa import ACCESS_TOKEN_HEADER
from amazon_erp_bridge.amazon.timestamps import from_wire, from_wire_required, to_wire
from amazon_erp_bridge.amazon.tokens import AsyncTokensApi, RestrictedResource, TokensApi
from amazon_erp_bridge.core.bulk import DEFAULT_CONCURRENCY, amap_bounded, map_bounded
from amazon_erp_bridge.core.call import Call, Page
from amazon_erp_bridge.core.redaction import Secret
from amazon_erp_bridge.core.sender import AsyncSender, SyncSender, json_body
from amazon_erp_bridge.errors import ApiError, ValidationError
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
#: What the mapping to ``Order`` needs: status (FULFILLMENT), every charge (PROCEEDS, TAX for
#: the marketplace-facilitator flag, PROMOTION for promotion ids, EXPENSE for points) and
#: which lines Amazon cancelled (CANCELLATION).
BASE_INCLUDED_DATA: Final = (
    "FULFILLMENT",
    "PROCEEDS",
    "TAX",
    "PROMOTION",
    "EXPENSE",
    "CANCELLATION",
)
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
#: getOrders (v0) needs CreatedAfter or LastUpdatedAfter even when it names the orders by id
#: (``AmazonOrderIds`` or ``SellerOrderId``). The model's own note says what the API can return
#: at all: orders from 2016 onward in JP, AU and SG, the last two years elsewhere. So a lookup
#: by id alone is sent with CreatedAfter at the start of 2016, which excludes no order the API
#: could return.
ORDER_IDS_CREATED_AFTER: Final = datetime(2016, 1, 1, tzinfo=UTC)
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


def _required_text(data: Mapping[str, Any], name: str, what: str) -> str:
    """A field the model marks required: missing or blank is a ValidationError naming it."""
    value = _text(data.get(name)) if isinstance(data, Mapping) else None
    if value is None:
        raise ValidationError(f"{what}: required field {name} is missing")
    return value


def _int(value: Any, what: str, default: int = 0) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationError(f"{what}: expected an integer, got {value!r}")
    try:
        return int(value)
    except ValueError:
        raise ValidationError(f"{what}: expected an integer, got {value!r}") from None


def _payload(response: httpx2.Response, operation: str) -> Mapping[str, Any]:
    """The ``payload`` object of an Orders v0 answer, or a ValidationError saying it is not."""
    body = json_body(response)
    payload = body.get("payload") if isinstance(body, Mapping) else None
    if not isinstance(payload, Mapping):
        raise ValidationError(f"{operation} (Orders v0): the answer has no 'payload' object")
    return payload


def _status_v0(value: Any, where: str) -> OrderStatus:
    try:
        return OrderStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in OrderStatus)
        raise ValidationError(f"{where} OrderStatus: {value!r} is not one of {allowed}") from None


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


@functools.lru_cache(maxsize=4096)
def _known_money(amount: str, currency: str) -> Money:
    return Money(amount, currency)


def _money(amount: Any, currency: Any, what: str) -> Money:
    # Money is immutable and an order's amounts repeat (prices, "0.00" discounts): a valid
    # (text, currency) pair is checked and converted once. Refusals are not cached and are
    # raised below with the field named.
    if type(amount) is str and type(currency) is str:
        try:
            return _known_money(amount, currency)
        except ValidationError:
            pass
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
)


def order_from_v0(data: Mapping[str, Any], lines: Sequence[OrderLine] = ()) -> Order:
    """A v0 ``Order`` as the canonical Order (lines come from getOrderItems)."""
    order_id = _required_text(data, "AmazonOrderId", "order")
    where = f"order {order_id}"
    buyer = data.get("BuyerInfo") or {}
    status = _status_v0(data.get("OrderStatus"), where)
    if status is OrderStatus.CANCELED:
        lines = [attrs.evolve(line, cancelled=True) for line in lines]
    return Order(
        order_id=order_id,
        purchase_date=from_wire_required(data.get("PurchaseDate"), f"{where} PurchaseDate"),
        last_updated=from_wire_required(data.get("LastUpdateDate"), f"{where} LastUpdateDate"),
        status=status,
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
        earliest_ship_date=from_wire(data.get("EarliestShipDate"), f"{where} EarliestShipDate"),
        earliest_delivery_date=from_wire(
            data.get("EarliestDeliveryDate"), f"{where} EarliestDeliveryDate"
        ),
        latest_delivery_date=from_wire(
            data.get("LatestDeliveryDate"), f"{where} LatestDeliveryDate"
        ),
    )


#: v0 ``TaxCollection.Model`` / v2026 ``taxCollections[].model`` of a line whose tax Amazon
#: collects and remits itself as marketplace facilitator.
FACILITATOR_MODELS: Final = frozenset({"MarketplaceFacilitator", "MARKETPLACE_FACILITATOR"})


def facilitator_tax(line: OrderLine) -> Money | None:
    """The tax of ``line`` that Amazon withholds as marketplace facilitator.

    Neither Orders version gives the withheld amount itself, only that the line's tax is
    collected under the marketplace-facilitator model (v0 ``TaxCollection``, v2026
    ``tax.taxCollections``); then all of the line's tax is withheld: its item, shipping and
    gift-wrap taxes less the taxes on its discounts. None when the line has no tax.
    """
    added = [m for m in (line.item_tax, line.shipping_tax, line.gift_wrap_tax) if m is not None]
    if not added:
        return None
    currency = added[0].currency
    taken = [m for m in (line.promotion_discount_tax, line.shipping_discount_tax) if m is not None]
    return Money.total(added, currency) - Money.total(taken, currency)


def _with_facilitator(line: OrderLine, facilitated: bool) -> OrderLine:
    if not facilitated:
        return line
    return attrs.evolve(line, facilitator_tax=facilitator_tax(line))


def line_from_v0(data: Mapping[str, Any]) -> OrderLine:
    """A v0 ``OrderItem`` as the canonical OrderLine (prices are line totals).

    Every money field of the item is read: ItemPrice/ItemTax, ShippingPrice/ShippingTax,
    PromotionDiscount/PromotionDiscountTax, ShippingDiscount/ShippingDiscountTax,
    CODFee/CODFeeDiscount (cash on delivery); the gift wrap price and tax and the gift
    message sit in the item's ``BuyerInfo``, which Amazon only
    returns to a call carrying a restricted data token (``include_pii``). ``TaxCollection``
    with the MarketplaceFacilitator model sets ``facilitator_tax`` (see
    :func:`facilitator_tax`).
    """
    item_id = _required_text(data, "OrderItemId", "order item")
    where = f"order item {item_id}"
    buyer = data.get("BuyerInfo") or {}

    def money(source: Mapping[str, Any], name: str) -> Money | None:
        return _money_v0(source.get(name), f"{where} {name}")

    line = OrderLine(
        line_id=item_id,
        item=ItemRef(seller_sku=_text(data.get("SellerSKU")), asin=_text(data.get("ASIN"))),
        quantity=_int(data.get("QuantityOrdered"), f"{where} QuantityOrdered"),
        quantity_shipped=_int(data.get("QuantityShipped"), f"{where} QuantityShipped"),
        title=_text(data.get("Title")),
        item_price=money(data, "ItemPrice"),
        item_tax=money(data, "ItemTax"),
        shipping_price=money(data, "ShippingPrice"),
        shipping_tax=money(data, "ShippingTax"),
        promotion_discount=money(data, "PromotionDiscount"),
        promotion_discount_tax=money(data, "PromotionDiscountTax"),
        shipping_discount=money(data, "ShippingDiscount"),
        shipping_discount_tax=money(data, "ShippingDiscountTax"),
        cod_fee=money(data, "CODFee"),
        cod_fee_discount=money(data, "CODFeeDiscount"),
        gift_wrap_price=money(buyer, "GiftWrapPrice"),
        gift_wrap_tax=money(buyer, "GiftWrapTax"),
        gift_message=_text(buyer.get("GiftMessageText")),
    )
    model = (data.get("TaxCollection") or {}).get("Model")
    return _with_facilitator(line, model in FACILITATOR_MODELS)


def _rdt_headers(rdt: Secret | None) -> dict[str, str]:
    return {ACCESS_TOKEN_HEADER: rdt.reveal()} if rdt is not None else {}


def _parse_orders_v0(response: httpx2.Response) -> Page[Order]:
    payload = _payload(response, "getOrders")
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
    by_id = bool(order_ids or seller_order_id)
    if not (created_after or last_updated_after or by_id or next_token):
        raise ValidationError(
            "get_orders: give created_after or last_updated_after "
            "(or amazon_order_ids / seller_order_id)"
        )
    if created_after and last_updated_after:
        raise ValidationError("get_orders: give created_after or last_updated_after, not both")
    if seller_order_id:
        # The model: with SellerOrderId, these filters cannot be specified.
        clash = [
            name
            for name, value in (
                ("fulfillment_channels", fulfillment_channels),
                ("statuses", statuses),
                ("payment_methods", payment_methods),
                ("last_updated_after", last_updated_after),
                ("last_updated_before", last_updated_before),
                ("buyer_email", buyer_email),
            )
            if value
        ]
        if clash:
            raise ValidationError(
                f"get_orders: seller_order_id cannot be combined with {', '.join(clash)} "
                "(Orders v0 model)"
            )
    if by_id and not (created_after or last_updated_after):
        # The model requires one of the two; see ORDER_IDS_CREATED_AFTER.
        created_after = ORDER_IDS_CREATED_AFTER
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
    return order_from_v0(_payload(response, "getOrder"))


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
    payload = _payload(response, "getOrderItems")
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
    return address_from_v0(_payload(response, "getOrderAddress").get("ShippingAddress"))


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
    payload = _payload(response, "getOrderBuyerInfo")
    return BuyerInfo(
        order_id=_required_text(payload, "AmazonOrderId", "getOrderBuyerInfo"),
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


def _breakdowns(proceeds: Mapping[str, Any] | None, where: str) -> dict[str, Mapping[str, Any]]:
    out: dict[str, Mapping[str, Any]] = {}
    for entry in (proceeds or {}).get("breakdowns") or ():
        if not isinstance(entry, Mapping) or not entry.get("type"):
            raise ValidationError(f"{where} proceeds.breakdowns: an entry has no type")
        out[str(entry["type"])] = entry
    return out


class _Proceeds:
    """An item's ``proceeds.breakdowns``: subtotals by type, split by their detailed parts."""

    def __init__(self, data: Mapping[str, Any] | None, where: str) -> None:
        self.where = where
        self.parts = _breakdowns(data, where)

    def subtotal(self, kind: str) -> Money | None:
        entry = self.parts.get(kind)
        if entry is None:
            return None
        return _money_2026(entry.get("subtotal"), f"{self.where} {kind} subtotal")

    def split(self, kind: str, main: str) -> dict[str, Money]:
        """The detailed breakdowns of ``kind`` by subtype; what they leave of the subtotal goes
        to ``main``, so the parts always add up to the subtotal."""
        total = self.subtotal(kind)
        if total is None:
            return {}
        out: dict[str, Money] = {}
        for detail in self.parts[kind].get("detailedBreakdowns") or ():
            subtype = str(detail.get("subtype") or "OTHER")
            value = _money_2026(detail.get("value"), f"{self.where} {kind}/{subtype}")
            if value is not None:
                out[subtype] = out[subtype] + value if subtype in out else value
        rest = total - Money.total(out.values(), total.currency)
        if not rest.is_zero() or not out:
            out[main] = out[main] + rest if main in out else rest
        return out


def _positive(value: Money | None) -> Money | None:
    return abs(value) if value is not None else None


def _gift_message(data: Mapping[str, Any]) -> str | None:
    packing = ((data.get("fulfillment") or {}).get("packing")) or {}
    return _text((packing.get("giftOption") or {}).get("giftMessage"))


def line_from_2026(data: Mapping[str, Any], *, include_pii: bool = False) -> OrderLine:
    """A v2026 ``OrderItem`` as the canonical OrderLine.

    Line totals come from the item's ``proceeds.breakdowns`` (includedData PROCEEDS): ITEM,
    SHIPPING and GIFT_WRAP are the prices; TAX is split by its detailed breakdowns into item
    (ITEM), shipping (SHIPPING), gift-wrap (GIFT_WRAP) tax and the tax on discounts (DISCOUNT,
    which the model does not split further: it becomes ``shipping_discount_tax`` when the
    shipping discount is the line's only discount, else ``promotion_discount_tax``); DISCOUNT is
    split into the item promotion (ITEM), the shipping discount (SHIPPING) and the discount on
    the cash-on-delivery fee (COD_FEE, whose subtotal is ``cod_fee``). Discounts are
    negative on the wire and positive in the model. What detailed breakdowns leave of a
    subtotal goes to its main part, so the line's :meth:`~OrderLine.buyer_total` equals the
    item's ``proceedsTotal`` (OTHER aside, which the model has no field for).
    With no PROCEEDS the item price is unit price x quantity. ``tax.taxCollections`` (TAX)
    with MARKETPLACE_FACILITATOR sets ``facilitator_tax``; ``cancellation.cancellationExecution``
    (CANCELLATION) marks the line cancelled; the gift message (FULFILLMENT packing) is the
    buyer's words and read only with ``include_pii``.
    """
    item_id = _required_text(data, "orderItemId", "order item")
    where = f"order item {item_id}"
    product = data.get("product") or {}
    quantity = _int(data.get("quantityOrdered"), f"{where} quantityOrdered")
    proceeds = _Proceeds(data.get("proceeds"), where)

    item_price = proceeds.subtotal("ITEM")
    if item_price is None:
        unit = _money_2026((product.get("price") or {}).get("unitPrice"), f"{where} unitPrice")
        item_price = unit * quantity if unit is not None else None
    tax = proceeds.split("TAX", "ITEM")
    discount = proceeds.split("DISCOUNT", "ITEM")
    fulfillment = data.get("fulfillment") or {}
    collections = (data.get("tax") or {}).get("taxCollections") or ()
    facilitated = any(
        isinstance(c, Mapping) and c.get("model") in FACILITATOR_MODELS for c in collections
    )
    cancellation = data.get("cancellation") or {}
    # The tax on discounts is one figure; it is the shipping discount's when that is the only
    # discount of the line, else the promotion's.
    shipping_only = "SHIPPING" in discount and "ITEM" not in discount
    line = OrderLine(
        line_id=item_id,
        item=ItemRef(seller_sku=_text(product.get("sellerSku")), asin=_text(product.get("asin"))),
        quantity=quantity,
        quantity_shipped=_int(fulfillment.get("quantityFulfilled"), f"{where} quantityFulfilled"),
        title=_text(product.get("title")),
        item_price=item_price,
        item_tax=tax.get("ITEM"),
        shipping_price=proceeds.subtotal("SHIPPING"),
        shipping_tax=tax.get("SHIPPING"),
        gift_wrap_price=proceeds.subtotal("GIFT_WRAP"),
        gift_wrap_tax=tax.get("GIFT_WRAP"),
        promotion_discount=_positive(discount.get("ITEM")),
        promotion_discount_tax=None if shipping_only else _positive(tax.get("DISCOUNT")),
        shipping_discount=_positive(discount.get("SHIPPING")),
        shipping_discount_tax=_positive(tax.get("DISCOUNT")) if shipping_only else None,
        cod_fee=proceeds.subtotal("COD_FEE"),
        cod_fee_discount=_positive(discount.get("COD_FEE")),
        cancelled=bool(cancellation.get("cancellationExecution")),
        gift_message=_gift_message(data) if include_pii else None,
    )
    return _with_facilitator(line, facilitated)


def _order_attributes_2026(data: Mapping[str, Any], programs: Sequence[str]) -> dict[str, str]:
    """Order facts with no canonical field: programs, promotion ids, points, cancel reason."""
    out: dict[str, str] = {}
    if programs:
        out["programs"] = ",".join(programs)
    promotions: list[str] = []
    points: list[Money] = []
    reasons: list[str] = []
    for item in data.get("orderItems") or ():
        for promo in (item.get("promotion") or {}).get("breakdowns") or ():
            if promo.get("promotionId"):
                promotions.append(str(promo["promotionId"]))
        granted = ((item.get("expense") or {}).get("pointsCost") or {}).get("pointsGranted") or {}
        value = _money_2026(granted.get("pointsMonetaryValue"), "pointsMonetaryValue")
        if value is not None:
            points.append(value)
        execution = (item.get("cancellation") or {}).get("cancellationExecution") or {}
        if execution.get("cancelReason"):
            reasons.append(str(execution["cancelReason"]))
    if promotions:
        out["promotion_ids"] = ",".join(dict.fromkeys(promotions))
    if points:
        out["points_granted"] = str(Money.total(points, points[0].currency).amount)
    if reasons:
        out["cancel_reason"] = "; ".join(dict.fromkeys(reasons))
    return out


def order_from_2026(data: Mapping[str, Any], *, include_pii: bool = False) -> Order:
    """A v2026 ``Order`` as the canonical Order (its items become the lines).

    A CANCELLED order becomes :attr:`OrderStatus.CANCELED` with every line cancelled.
    """
    order_id = _required_text(data, "orderId", "order")
    where = f"order {order_id}"
    fulfillment = data.get("fulfillment")
    if not fulfillment or "fulfillmentStatus" not in fulfillment:
        raise ValidationError(
            f"{where}: no fulfillment.fulfillmentStatus (includedData FULFILLMENT)"
        )
    raw_status = fulfillment["fulfillmentStatus"]
    if raw_status not in STATUS_FROM_2026:
        raise ValidationError(
            f"{where} fulfillment.fulfillmentStatus: {raw_status!r} is not one of "
            f"{', '.join(STATUS_FROM_2026)}"
        )
    status = STATUS_FROM_2026[raw_status]
    channel = _CHANNEL_FROM_2026.get(fulfillment.get("fulfilledBy") or "")
    sales = data.get("salesChannel") or {}
    buyer = data.get("buyer") or {}
    recipient = data.get("recipient") or {}
    programs = [str(p) for p in data.get("programs") or ()]
    aliases = {a.get("aliasType"): a.get("aliasId") for a in data.get("orderAliases") or ()}
    associated = {a.get("associationType") for a in data.get("associatedOrders") or ()}
    ship_by = fulfillment.get("shipByWindow") or {}
    deliver_by = fulfillment.get("deliverByWindow") or {}
    lines = tuple(line_from_2026(i, include_pii=include_pii) for i in data.get("orderItems") or ())
    if status is OrderStatus.CANCELED:
        lines = tuple(attrs.evolve(line, cancelled=True) for line in lines)
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
        lines=lines,
        ship_address=address_from_2026(recipient.get("deliveryAddress")),
        buyer_name=_text(buyer.get("buyerName")),
        buyer_email=_text(buyer.get("buyerEmail")),
        seller_order_id=_text(aliases.get("SELLER_ORDER_ID")),
        is_business_order="AMAZON_BUSINESS" in programs,
        is_replacement_order="REPLACEMENT_ORIGINAL_ID" in associated,
        is_prime="PRIME" in programs,
        ship_service_level=_text(fulfillment.get("fulfillmentServiceLevel")),
        latest_ship_date=from_wire(ship_by.get("latestDateTime"), f"{where} shipByWindow"),
        attributes=_order_attributes_2026(data, programs),
        earliest_ship_date=from_wire(ship_by.get("earliestDateTime"), f"{where} shipByWindow"),
        earliest_delivery_date=from_wire(
            deliver_by.get("earliestDateTime"), f"{where} deliverByWindow"
        ),
        latest_delivery_date=from_wire(
            deliver_by.get("latestDateTime"), f"{where} deliverByWindow"
        ),
    )


def _search_parser(include_pii: bool) -> Callable[[httpx2.Response], Page[Order]]:
    def parse(response: httpx2.Response) -> Page[Order]:
        body = json_body(response)
        orders = tuple(
            order_from_2026(o, include_pii=include_pii) for o in body.get("orders") or ()
        )
        return Page(orders, _text((body.get("pagination") or {}).get("nextToken")))

    return parse


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
        "GET",
        V2026_BASE,
        parse=_search_parser(include_pii),
        params=params,
        limit_key="orders.searchOrders",
    )


def _get_order_parser(include_pii: bool) -> Callable[[httpx2.Response], Order]:
    def parse(response: httpx2.Response) -> Order:
        body = json_body(response)
        order = body.get("order") if isinstance(body, Mapping) else None
        if not isinstance(order, Mapping):
            raise ValidationError("getOrder (2026-01-01): the answer has no 'order' object")
        return order_from_2026(order, include_pii=include_pii)

    return parse


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
        parse=_get_order_parser(include_pii),
        params=params,
        limit_key="orders.getOrder",
    )


# -- confirmShipment (Orders v0, not deprecated) -------------------------------------------

#: ``codCollectionMethod`` values the model allows (JP marketplace only).
COD_COLLECTION_METHODS: Final = frozenset({"DirectPayment"})
CONFIRM_SHIPMENT_LIMIT_KEY: Final = "ordersV0.confirmShipment"


def _non_blank(what: str) -> Callable[[Any, Any, Any], None]:
    def check(_instance: Any, _attribute: Any, value: Any) -> None:
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(f"{what}: expected a non-empty string, got {value!r}")

    return check


def _positive_quantity(_instance: Any, _attribute: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(
            f"confirmShipment orderItems quantity: expected a whole number >= 1, got {value!r}"
        )


@frozen
class ConfirmShipmentItem:
    """``ConfirmShipmentOrderItem``: an order item and how many of it the package holds."""

    order_item_id: str = attrs.field(validator=_non_blank("confirmShipment orderItemId"))
    quantity: int = attrs.field(validator=_positive_quantity)
    transparency_codes: tuple[str, ...] = attrs.field(default=(), converter=tuple)

    def to_wire(self) -> dict[str, Any]:
        """The item in the model's field names."""
        out: dict[str, Any] = {"orderItemId": self.order_item_id, "quantity": self.quantity}
        if self.transparency_codes:
            out["transparencyCodes"] = list(self.transparency_codes)
        return out


@frozen
class PackageDetail:
    """``PackageDetail`` of confirmShipment: one package of a merchant-fulfilled order.

    ``package_reference_id`` is the seller's id of the package within the order (the model
    allows positive numbers only); ``carrier_code`` is required in every marketplace and
    ``carrier_name`` when the code is ``Other``; ``ship_date`` is an aware datetime.
    """

    package_reference_id: str = attrs.field(validator=_non_blank("packageReferenceId"))
    carrier_code: str = attrs.field(validator=_non_blank("carrierCode"))
    tracking_number: str = attrs.field(validator=_non_blank("trackingNumber"))
    ship_date: datetime
    items: tuple[ConfirmShipmentItem, ...] = attrs.field(converter=tuple)
    carrier_name: str | None = None
    shipping_method: str | None = None
    ship_from_supply_source_id: str | None = None

    def __attrs_post_init__(self) -> None:
        ref = self.package_reference_id.strip()
        if not ref.isdigit() or int(ref) < 1:
            raise ValidationError(
                f"packageReferenceId: Amazon accepts positive numbers only, got {ref!r}"
            )
        if self.carrier_code == "Other" and not (self.carrier_name or "").strip():
            raise ValidationError(
                f"package {ref}: carrierName is required when carrierCode is 'Other'"
            )
        if not self.items:
            raise ValidationError(f"package {ref}: orderItems needs at least one item")
        if not all(isinstance(i, ConfirmShipmentItem) for i in self.items):
            raise ValidationError(f"package {ref}: orderItems must be ConfirmShipmentItem values")
        to_wire(self.ship_date, f"package {ref} shipDate")  # aware, or a ValidationError now

    def to_wire(self) -> dict[str, Any]:
        """The package in the model's field names."""
        ref = self.package_reference_id.strip()
        out: dict[str, Any] = {
            "packageReferenceId": ref,
            "carrierCode": self.carrier_code,
            "trackingNumber": self.tracking_number,
            "shipDate": to_wire(self.ship_date, f"package {ref} shipDate"),
            "orderItems": [i.to_wire() for i in self.items],
        }
        for name, value in (
            ("carrierName", self.carrier_name),
            ("shippingMethod", self.shipping_method),
            ("shipFromSupplySourceId", self.ship_from_supply_source_id),
        ):
            if value:
                out[name] = value
        return out


@frozen
class ConfirmShipmentRequest:
    """The body of confirmShipment: the marketplace and the package shipped."""

    marketplace_id: str = attrs.field(validator=_non_blank("marketplaceId"))
    package: PackageDetail
    cod_collection_method: str | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.package, PackageDetail):
            raise ValidationError("confirmShipment packageDetail: expected a PackageDetail")
        method = self.cod_collection_method
        if method is not None and method not in COD_COLLECTION_METHODS:
            raise ValidationError(
                f"codCollectionMethod: expected one of {sorted(COD_COLLECTION_METHODS)}, "
                f"got {method!r}"
            )

    def to_wire(self) -> dict[str, Any]:
        """The request body in the model's field names."""
        out: dict[str, Any] = {
            "marketplaceId": self.marketplace_id,
            "packageDetail": self.package.to_wire(),
        }
        if self.cod_collection_method:
            out["codCollectionMethod"] = self.cod_collection_method
        return out


class ShipmentConfirmationError(ApiError):
    """Amazon refused a shipment confirmation (HTTP 400, e.g. the package is already confirmed).

    Carries Amazon's ``code`` and message and the order and package it was about; it is never
    retried, because sending the same confirmation again cannot succeed.
    """

    def __init__(
        self,
        message: str,
        *,
        order_id: str,
        package_reference_id: str,
        status: int,
        code: str | None,
        request_id: str | None,
        details: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        super().__init__(
            f"order {order_id} package {package_reference_id}: {message}",
            status=status,
            code=code,
            request_id=request_id,
            service="SP-API",
            details=details,
            operation=CONFIRM_SHIPMENT_LIMIT_KEY,
        )
        self.order_id = order_id
        self.package_reference_id = package_reference_id
        #: Amazon's own message, without the order and package prefix.
        self.amazon_message = message


def _confirmation_parser(
    order_id: str, package_reference_id: str
) -> Callable[[httpx2.Response], None]:
    def parse(response: httpx2.Response) -> None:
        if response.status_code < 300:
            return
        errors = error_list(response)
        first = errors[0] if errors else {}
        message = _text(first.get("message")) or response.reason_phrase or "refused"
        detail = _text(first.get("details"))
        raise ShipmentConfirmationError(
            f"{message} ({detail})" if detail else message,
            order_id=order_id,
            package_reference_id=package_reference_id,
            status=response.status_code,
            code=_text(first.get("code")),
            request_id=response.headers.get(REQUEST_ID_HEADER),
            details=errors,
        )

    return parse


def confirm_shipment(order_id: str, request: ConfirmShipmentRequest) -> Call[None]:
    """Orders v0 confirmShipment: tell Amazon a merchant-fulfilled package has shipped.

    ``POST /orders/v0/orders/{orderId}/shipmentConfirmation`` answers 204. A 400 (an invalid
    or already confirmed package) is read into :class:`ShipmentConfirmationError`; as a POST the
    call is never retried after a timeout or 5xx either (the confirmation may have landed).
    """
    if not isinstance(request, ConfirmShipmentRequest):
        raise ValidationError(
            "confirm_shipment: request must be a ConfirmShipmentRequest, got "
            f"{type(request).__name__}"
        )
    oid = _order_id(order_id)
    return Call(
        "POST",
        f"{V0_BASE}/{oid}/shipmentConfirmation",
        parse=_confirmation_parser(oid, request.package.package_reference_id.strip()),
        json=request.to_wire(),
        limit_key=CONFIRM_SHIPMENT_LIMIT_KEY,
        idempotent=False,
        ok_statuses=frozenset({200, 204, 400}),
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


def _given_filters(unknown: Mapping[str, Any], **filters: Any) -> dict[str, Any]:
    """The ``get_orders`` filters that were given; a misspelt one is named with the valid ones.

    ``get_orders`` lists its filters as keywords (editors and type checkers see them); its
    ``**unknown: Never`` catches a misspelling at run time too, with this message.
    """
    if unknown:
        import difflib

        hints = []
        for name in sorted(unknown):
            close = difflib.get_close_matches(name, list(filters), n=1)
            hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ValidationError(
            f"get_orders: unknown filter {', '.join(hints)}; the filters are "
            f"{', '.join(sorted(filters))}"
        )
    return {name: value for name, value in filters.items() if value is not None}


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
    """``order`` with its lines (v0 reads them with a separate call); a cancelled order's lines
    are all cancelled (v0 items carry no cancellation of their own)."""
    cancelled = order.status is OrderStatus.CANCELED
    return attrs.evolve(
        order,
        lines=tuple(attrs.evolve(line, cancelled=True) if cancelled else line for line in lines),
    )


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
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        last_updated_after: datetime | None = None,
        last_updated_before: datetime | None = None,
        statuses: Iterable[OrderStatus | str] | None = None,
        fulfillment_channels: Iterable[FulfillmentChannel | str] | None = None,
        max_results_per_page: int | None = None,
        amazon_order_ids: Sequence[str] | None = None,
        seller_order_id: str | None = None,
        buyer_email: str | None = None,
        payment_methods: Sequence[str] | None = None,
        easy_ship_shipment_statuses: Sequence[str] | None = None,
        electronic_invoice_statuses: Sequence[str] | None = None,
        actual_fulfillment_supply_source_id: str | None = None,
        is_ispu: bool | None = None,
        store_chain_store_id: str | None = None,
        earliest_delivery_date_before: datetime | None = None,
        earliest_delivery_date_after: datetime | None = None,
        latest_delivery_date_before: datetime | None = None,
        latest_delivery_date_after: datetime | None = None,
        **unknown: Never,
    ) -> Iterator[Order]:
        """Every order matching the filters, over all pages, as canonical Orders.

        Filters: ``created_after``/``created_before``, ``last_updated_after``/``_before``
        (aware datetimes), ``statuses``, ``fulfillment_channels``, ``max_results_per_page``;
        the others (``amazon_order_ids`` to ``latest_delivery_date_after``) exist only in
        Orders v0 (``version="v0"``). A misspelt filter is a ValidationError naming the valid
        ones. On v0, ``with_lines`` reads each order's items with one getOrderItems call
        (v2026 includes them); those calls carry no RDT, so v0 gift-wrap prices need
        ``get_order_items(include_pii=True)``.
        """
        plan = plan_get_orders(
            version or self.version,
            include_pii,
            with_lines,
            included_data,
            _given_filters(
                unknown,
                marketplace_ids=marketplace_ids,
                created_after=created_after,
                created_before=created_before,
                last_updated_after=last_updated_after,
                last_updated_before=last_updated_before,
                statuses=statuses,
                fulfillment_channels=fulfillment_channels,
                max_results_per_page=max_results_per_page,
                amazon_order_ids=amazon_order_ids,
                seller_order_id=seller_order_id,
                buyer_email=buyer_email,
                payment_methods=payment_methods,
                easy_ship_shipment_statuses=easy_ship_shipment_statuses,
                electronic_invoice_statuses=electronic_invoice_statuses,
                actual_fulfillment_supply_source_id=actual_fulfillment_supply_source_id,
                is_ispu=is_ispu,
                store_chain_store_id=store_chain_store_id,
                earliest_delivery_date_before=earliest_delivery_date_before,
                earliest_delivery_date_after=earliest_delivery_date_after,
                latest_delivery_date_before=latest_delivery_date_before,
                latest_delivery_date_after=latest_delivery_date_after,
            ),
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
        lines = self.get_order_items(order_id, version=OrdersVersion.V0, include_pii=include_pii)
        return _with_lines(order, lines)

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

    def get_items_many(
        self,
        order_ids: Iterable[str],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        version: str | OrdersVersion | None = None,
        include_pii: bool = False,
    ) -> dict[str, list[OrderLine]]:
        """The lines of many orders, ``concurrency`` orders in flight at once (a thread pool).

        Each order is read as :meth:`get_order_items` reads it; the shared rate limiter keeps
        all threads within the operation's rate (and follows the rate the server reports), so
        at a real latency the rate, not the round trip, sets the pace. Returns order id ->
        lines in the order given; the first failed order's error is raised.
        """
        ids = list(dict.fromkeys(order_ids))
        lines = map_bounded(
            lambda order_id: self.get_order_items(
                order_id, version=version, include_pii=include_pii
            ),
            ids,
            concurrency=concurrency,
        )
        return dict(zip(ids, lines, strict=True))

    def get_order_address(self, order_id: str) -> Address | None:
        """Orders v0 getOrderAddress, with an RDT fetched (and cached) for it."""
        rdt = self._tokens.cached_token((v0_address_resource(order_id),))
        return self._sender.send(get_order_address_v0(order_id, rdt))

    def get_order_buyer_info(self, order_id: str) -> BuyerInfo:
        """Orders v0 getOrderBuyerInfo, with an RDT fetched (and cached) for it."""
        rdt = self._tokens.cached_token((v0_buyer_info_resource(order_id),))
        return self._sender.send(get_order_buyer_info_v0(order_id, rdt))

    def confirm_shipment(self, order_id: str, request: ConfirmShipmentRequest) -> None:
        """Confirm a merchant-fulfilled package to Amazon (see :func:`confirm_shipment`).

        Raises :class:`ShipmentConfirmationError` (with Amazon's code and message) on a 400.
        """
        self._sender.send(confirm_shipment(order_id, request))


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
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        last_updated_after: datetime | None = None,
        last_updated_before: datetime | None = None,
        statuses: Iterable[OrderStatus | str] | None = None,
        fulfillment_channels: Iterable[FulfillmentChannel | str] | None = None,
        max_results_per_page: int | None = None,
        amazon_order_ids: Sequence[str] | None = None,
        seller_order_id: str | None = None,
        buyer_email: str | None = None,
        payment_methods: Sequence[str] | None = None,
        easy_ship_shipment_statuses: Sequence[str] | None = None,
        electronic_invoice_statuses: Sequence[str] | None = None,
        actual_fulfillment_supply_source_id: str | None = None,
        is_ispu: bool | None = None,
        store_chain_store_id: str | None = None,
        earliest_delivery_date_before: datetime | None = None,
        earliest_delivery_date_after: datetime | None = None,
        latest_delivery_date_before: datetime | None = None,
        latest_delivery_date_after: datetime | None = None,
        **unknown: Never,
    ) -> AsyncIterator[Order]:
        """Every order matching the filters, over all pages (see ``OrdersApi.get_orders``)."""
        plan = plan_get_orders(
            version or self.version,
            include_pii,
            with_lines,
            included_data,
            _given_filters(
                unknown,
                marketplace_ids=marketplace_ids,
                created_after=created_after,
                created_before=created_before,
                last_updated_after=last_updated_after,
                last_updated_before=last_updated_before,
                statuses=statuses,
                fulfillment_channels=fulfillment_channels,
                max_results_per_page=max_results_per_page,
                amazon_order_ids=amazon_order_ids,
                seller_order_id=seller_order_id,
                buyer_email=buyer_email,
                payment_methods=payment_methods,
                easy_ship_shipment_statuses=easy_ship_shipment_statuses,
                electronic_invoice_statuses=electronic_invoice_statuses,
                actual_fulfillment_supply_source_id=actual_fulfillment_supply_source_id,
                is_ispu=is_ispu,
                store_chain_store_id=store_chain_store_id,
                earliest_delivery_date_before=earliest_delivery_date_before,
                earliest_delivery_date_after=earliest_delivery_date_after,
                latest_delivery_date_before=latest_delivery_date_before,
                latest_delivery_date_after=latest_delivery_date_after,
            ),
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
        lines = await self.get_order_items(
            order_id, version=OrdersVersion.V0, include_pii=include_pii
        )
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

    async def get_items_many(
        self,
        order_ids: Iterable[str],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        version: str | OrdersVersion | None = None,
        include_pii: bool = False,
    ) -> dict[str, list[OrderLine]]:
        """The lines of many orders, ``concurrency`` requests in flight at once.

        See :meth:`OrdersApi.get_items_many`; here the calls share the event loop and the
        client's connection pool. ``concurrency`` of about rate x latency (e.g. 16 for 50
        requests/s at 150 ms) lets the limiter, not the round trip, set the pace.
        """
        ids = list(dict.fromkeys(order_ids))

        async def one(order_id: str) -> list[OrderLine]:
            return await self.get_order_items(order_id, version=version, include_pii=include_pii)

        lines = await amap_bounded(one, ids, concurrency=concurrency)
        return dict(zip(ids, lines, strict=True))

    async def get_order_address(self, order_id: str) -> Address | None:
        """Orders v0 getOrderAddress, with an RDT fetched (and cached) for it."""
        rdt = await self._tokens.cached_token((v0_address_resource(order_id),))
        return await self._sender.send(get_order_address_v0(order_id, rdt))

    async def get_order_buyer_info(self, order_id: str) -> BuyerInfo:
        """Orders v0 getOrderBuyerInfo, with an RDT fetched (and cached) for it."""
        rdt = await self._tokens.cached_token((v0_buyer_info_resource(order_id),))
        return await self._sender.send(get_order_buyer_info_v0(order_id, rdt))

    async def confirm_shipment(self, order_id: str, request: ConfirmShipmentRequest) -> None:
        """Confirm a merchant-fulfilled package to Amazon (see :func:`confirm_shipment`).

        Raises :class:`ShipmentConfirmationError` (with Amazon's code and message) on a 400.
        """
        await self._sender.send(confirm_shipment(order_id, request))
