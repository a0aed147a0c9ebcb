"""Fake Orders API, v0 and v2026-01-01, both rendered from the same canonical orders.

v0 gives buyer name/e-mail and the full ship-to address only to a call that carries a
restricted data token granting ``buyerInfo`` / ``shippingAddress``; getOrderAddress and
getOrderBuyerInfo refuse anything but such a token. v2026-01-01 gives them through
``includedData`` (BUYER, RECIPIENT).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from amazon_erp_bridge.amazon.orders import INCLUDED_DATA
from amazon_erp_bridge.model import (
    Address,
    FulfillmentChannel,
    Money,
    Order,
    OrderLine,
    OrderStatus,
)
from amazon_erp_bridge.sandbox.amazon import paging
from amazon_erp_bridge.sandbox.server import Reply, SandboxRequest

if TYPE_CHECKING:
    from amazon_erp_bridge.sandbox.amazon.app import Caller, FakeSpApi

V0: Final = "/orders/v0/orders"
V2026: Final = "/orders/2026-01-01/orders"
ORDER_ID: Final = r"(?P<order_id>[0-9A-Za-z-]+)"

STATUS_2026: Final = {
    OrderStatus.PENDING_AVAILABILITY: "PENDING_AVAILABILITY",
    OrderStatus.PENDING: "PENDING",
    OrderStatus.UNSHIPPED: "UNSHIPPED",
    OrderStatus.PARTIALLY_SHIPPED: "PARTIALLY_SHIPPED",
    OrderStatus.SHIPPED: "SHIPPED",
    OrderStatus.INVOICE_UNCONFIRMED: "SHIPPED",
    OrderStatus.CANCELED: "CANCELLED",
    OrderStatus.UNFULFILLABLE: "UNFULFILLABLE",
}
FULFILLED_BY: Final = {FulfillmentChannel.AMAZON: "AMAZON", FulfillmentChannel.MERCHANT: "MERCHANT"}


def wire_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(value)
    return parsed


def _prune(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


# -- v0 shapes -----------------------------------------------------------------------------


def money_v0(m: Money | None) -> dict[str, str] | None:
    return None if m is None else {"CurrencyCode": m.currency, "Amount": str(m.amount)}


def address_v0(a: Address | None, full: bool) -> dict[str, Any] | None:
    if a is None:
        return None
    partial = {
        "City": a.city,
        "StateOrRegion": a.state_or_region,
        "PostalCode": a.postal_code,
        "CountryCode": a.country_code,
    }
    if not full:
        return _prune(partial)
    return _prune(
        {
            "Name": a.name,
            "CompanyName": a.company,
            "AddressLine1": a.line1,
            "AddressLine2": a.line2,
            "AddressLine3": a.line3,
            "County": a.county,
            "District": a.district,
            **partial,
            "Phone": a.phone,
            "AddressType": a.address_type,
        }
    )


def order_v0(order: Order, pii: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A canonical order in the Orders v0 ``Order`` shape."""
    shipped = sum(line.quantity_shipped for line in order.lines)
    ordered = sum(line.quantity for line in order.lines)
    data: dict[str, Any] = {
        "AmazonOrderId": order.order_id,
        "SellerOrderId": order.seller_order_id,
        "PurchaseDate": wire_time(order.purchase_date),
        "LastUpdateDate": wire_time(order.last_updated),
        "OrderStatus": order.status.value,
        "FulfillmentChannel": order.fulfillment_channel.value
        if order.fulfillment_channel
        else None,
        "SalesChannel": order.sales_channel,
        "ShipServiceLevel": order.ship_service_level,
        "OrderTotal": money_v0(order.order_total),
        "NumberOfItemsShipped": shipped,
        "NumberOfItemsUnshipped": ordered - shipped,
        "PaymentMethod": "Other",
        "MarketplaceId": order.marketplace_id,
        "ShipmentServiceLevelCategory": "Standard",
        "OrderType": order.order_type,
        "LatestShipDate": wire_time(order.latest_ship_date) if order.latest_ship_date else None,
        "IsBusinessOrder": order.is_business_order,
        "IsPrime": order.is_prime,
        "IsReplacementOrder": order.is_replacement_order,
        "ShippingAddress": address_v0(order.ship_address, "shippingAddress" in pii),
    }
    if "buyerInfo" in pii:
        data["BuyerInfo"] = _prune({"BuyerEmail": order.buyer_email, "BuyerName": order.buyer_name})
    else:
        data["BuyerInfo"] = {}
    return _prune(data)


def item_v0(line: OrderLine, pii: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A canonical order line in the Orders v0 ``OrderItem`` shape."""
    data: dict[str, Any] = {
        "ASIN": line.item.asin,
        "SellerSKU": line.item.seller_sku,
        "OrderItemId": line.line_id,
        "Title": line.title,
        "QuantityOrdered": line.quantity,
        "QuantityShipped": line.quantity_shipped,
        "ItemPrice": money_v0(line.item_price),
        "ItemTax": money_v0(line.item_tax),
        "ShippingPrice": money_v0(line.shipping_price),
        "ShippingTax": money_v0(line.shipping_tax),
        "PromotionDiscount": money_v0(line.promotion_discount),
        "IsGift": "false",
        "ConditionId": "New",
        "ConditionSubtypeId": "New",
    }
    if "buyerInfo" in pii and line.gift_wrap_price is not None:
        data["BuyerInfo"] = {"GiftWrapPrice": money_v0(line.gift_wrap_price)}
    return _prune(data)


# -- v2026-01-01 shapes --------------------------------------------------------------------


def money_2026(m: Money | None) -> dict[str, str] | None:
    return None if m is None else {"amount": str(m.amount), "currencyCode": m.currency}


def address_2026(a: Address | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return _prune(
        {
            "name": a.name,
            "companyName": a.company,
            "addressLine1": a.line1,
            "addressLine2": a.line2,
            "addressLine3": a.line3,
            "city": a.city,
            "districtOrCounty": a.district or a.county,
            "stateOrRegion": a.state_or_region,
            "postalCode": a.postal_code,
            "countryCode": a.country_code,
            "phone": a.phone,
            "addressType": a.address_type.upper() if a.address_type else None,
        }
    )


def _sum(values: Iterable[Money | None], currency: str) -> Money | None:
    present = [v for v in values if v is not None]
    return Money.total(present, currency) if present else None


def _breakdown(kind: str, amount: Money | None, **extra: Any) -> dict[str, Any] | None:
    if amount is None:
        return None
    return {"type": kind, "subtotal": money_2026(amount), **extra}


def _line_breakdowns(lines: Iterable[OrderLine], currency: str) -> list[dict[str, Any]]:
    lines = list(lines)
    item_tax = _sum((line.item_tax for line in lines), currency)
    ship_tax = _sum((line.shipping_tax for line in lines), currency)
    tax = _sum((item_tax, ship_tax), currency)
    details = [
        {"subtype": sub, "value": money_2026(amount)}
        for sub, amount in (("ITEM", item_tax), ("SHIPPING", ship_tax))
        if amount is not None
    ]
    discount = _sum((line.promotion_discount for line in lines), currency)
    parts = [
        _breakdown("ITEM", _sum((line.item_price for line in lines), currency)),
        _breakdown("SHIPPING", _sum((line.shipping_price for line in lines), currency)),
        _breakdown("GIFT_WRAP", _sum((line.gift_wrap_price for line in lines), currency)),
        _breakdown("TAX", tax, detailedBreakdowns=details),
        _breakdown("DISCOUNT", -discount if discount is not None else None),
    ]
    return [p for p in parts if p is not None]


def _line_total(line: OrderLine, currency: str) -> Money | None:
    plus = _sum(
        (
            line.item_price,
            line.item_tax,
            line.shipping_price,
            line.shipping_tax,
            line.gift_wrap_price,
        ),
        currency,
    )
    if plus is None or line.promotion_discount is None:
        return plus
    return plus - line.promotion_discount


def item_2026(line: OrderLine, currency: str, data: frozenset[str]) -> dict[str, Any]:
    """A canonical order line in the Orders v2026-01-01 ``OrderItem`` shape."""
    unit = None
    if line.item_price is not None and line.quantity:
        unit = Money(line.item_price.amount / line.quantity, currency).rounded()
    item: dict[str, Any] = {
        "orderItemId": line.line_id,
        "quantityOrdered": line.quantity,
        "product": _prune(
            {
                "asin": line.item.asin,
                "title": line.title,
                "sellerSku": line.item.seller_sku,
                "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
                "price": {"unitPrice": money_2026(unit)} if unit is not None else None,
            }
        ),
    }
    if "PROCEEDS" in data:
        item["proceeds"] = _prune(
            {
                "proceedsTotal": money_2026(_line_total(line, currency)),
                "breakdowns": _line_breakdowns([line], currency),
            }
        )
    if "FULFILLMENT" in data:
        item["fulfillment"] = {
            "quantityFulfilled": line.quantity_shipped,
            "quantityUnfulfilled": line.quantity - line.quantity_shipped,
        }
    return item


def order_2026(order: Order, data: frozenset[str]) -> dict[str, Any]:
    """A canonical order in the Orders v2026-01-01 ``Order`` shape, per ``includedData``."""
    currency = order.currency or "USD"
    programs = [
        p
        for p, on in (("PRIME", order.is_prime), ("AMAZON_BUSINESS", order.is_business_order))
        if on
    ]
    out: dict[str, Any] = {
        "orderId": order.order_id,
        "orderAliases": (
            [{"aliasId": order.seller_order_id, "aliasType": "SELLER_ORDER_ID"}]
            if order.seller_order_id
            else []
        ),
        "createdTime": wire_time(order.purchase_date),
        "lastUpdatedTime": wire_time(order.last_updated),
        "programs": programs,
        "associatedOrders": [],
        "salesChannel": _prune(
            {
                "channelName": "AMAZON",
                "marketplaceId": order.marketplace_id,
                "marketplaceName": order.sales_channel,
            }
        ),
    }
    if "BUYER" in data:
        out["buyer"] = _prune({"buyerName": order.buyer_name, "buyerEmail": order.buyer_email})
    if "RECIPIENT" in data and order.ship_address is not None:
        out["recipient"] = {"deliveryAddress": address_2026(order.ship_address)}
    if "PROCEEDS" in data:
        out["proceeds"] = _prune(
            {
                "grandTotal": money_2026(order.order_total),
                "breakdowns": _line_breakdowns(order.lines, currency),
            }
        )
    if "FULFILLMENT" in data:
        out["fulfillment"] = _prune(
            {
                "fulfillmentStatus": STATUS_2026[order.status],
                "fulfilledBy": (
                    FULFILLED_BY[order.fulfillment_channel] if order.fulfillment_channel else None
                ),
                "fulfillmentServiceLevel": order.ship_service_level,
                "shipByWindow": (
                    {"latestDateTime": wire_time(order.latest_ship_date)}
                    if order.latest_ship_date
                    else None
                ),
            }
        )
    out["orderItems"] = [item_2026(line, currency, data) for line in order.lines]
    return out


# -- filtering -----------------------------------------------------------------------------


class _BadInput(Exception):
    pass


def _time_arg(req: SandboxRequest, name: str) -> datetime | None:
    try:
        return _parse_time(req.arg(name))
    except ValueError:
        raise _BadInput(f"{name} is not an ISO 8601 date-time with a time zone") from None


def _select(
    orders: Iterable[Order],
    *,
    created: tuple[datetime | None, datetime | None],
    updated: tuple[datetime | None, datetime | None],
    keep: Callable[[Order], bool],
) -> list[Order]:
    out = []
    for o in orders:
        if created[0] and o.purchase_date < created[0]:
            continue
        if created[1] and o.purchase_date > created[1]:
            continue
        if updated[0] and o.last_updated < updated[0]:
            continue
        if updated[1] and o.last_updated > updated[1]:
            continue
        if keep(o):
            out.append(o)
    return out


def _page_size(req: SandboxRequest, name: str, fake: FakeSpApi) -> int:
    raw = req.arg(name)
    if raw is None:
        return min(100, fake.page_size)
    try:
        size = int(raw)
    except ValueError:
        raise _BadInput(f"{name} must be an integer from 1 to 100") from None
    if not 1 <= size <= 100:
        raise _BadInput(f"{name} must be from 1 to 100")
    return min(size, fake.page_size)


def _window(req: SandboxRequest, prefix: tuple[str, str, str, str]) -> tuple[Any, Any]:
    ca, cb, ua, ub = (_time_arg(req, n) for n in prefix)
    return (ca, cb), (ua, ub)


def register(fake: FakeSpApi) -> None:
    """The Orders v0 and v2026-01-01 operations."""
    state = fake.state

    def find(order_id: str) -> Order | Reply:
        order = state.orders.get(order_id)
        if order is None:
            return fake.error(404, "NotFound", f"Order {order_id} not found", "")
        return order

    @fake.operation("GET", V0, "ordersV0.getOrders", pii="optional")
    def get_orders(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        markets = set(req.args("MarketplaceIds"))
        if not markets:
            return fake.error(400, "InvalidInput", "MarketplaceIds is required", "")
        try:
            created, updated = _window(
                req, ("CreatedAfter", "CreatedBefore", "LastUpdatedAfter", "LastUpdatedBefore")
            )
            ids = set(req.args("AmazonOrderIds"))
            if not (created[0] or updated[0] or ids or req.arg("NextToken")):
                raise _BadInput("Either CreatedAfter or LastUpdatedAfter must be specified")
            if created[0] and updated[0]:
                raise _BadInput("CreatedAfter and LastUpdatedAfter cannot both be specified")
            size = _page_size(req, "MaxResultsPerPage", fake)
        except _BadInput as exc:
            return fake.error(400, "InvalidInput", str(exc), "")
        statuses = set(req.args("OrderStatuses"))
        channels = set(req.args("FulfillmentChannels"))
        email = req.arg("BuyerEmail")
        seller_order_id = req.arg("SellerOrderId")

        def keep(o: Order) -> bool:
            return (
                (o.marketplace_id in markets)
                and (not statuses or o.status.value in statuses)
                and (
                    not channels
                    or (
                        o.fulfillment_channel is not None
                        and o.fulfillment_channel.value in channels
                    )
                )
                and (not ids or o.order_id in ids)
                and (not email or o.buyer_email == email)
                and (not seller_order_id or o.seller_order_id == seller_order_id)
            )

        selected = _select(state.orders.values(), created=created, updated=updated, keep=keep)
        try:
            chunk, token, _ = paging.page(req, selected, token_param="NextToken", size=size)
        except paging.BadToken:
            return fake.error(400, "InvalidInput", "Invalid NextToken", "")
        payload: dict[str, Any] = {"Orders": [order_v0(o, caller.pii) for o in chunk]}
        if token:
            payload["NextToken"] = token
        payload["CreatedBefore" if created[0] else "LastUpdatedBefore"] = wire_time(fake.now())
        return Reply.json({"payload": payload})

    @fake.operation("GET", rf"{V0}/{ORDER_ID}", "ordersV0.getOrder", pii="optional")
    def get_order(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        order = find(m["order_id"])
        if isinstance(order, Reply):
            return order
        return Reply.json({"payload": order_v0(order, caller.pii)})

    @fake.operation("GET", rf"{V0}/{ORDER_ID}/orderItems", "ordersV0.getOrderItems", pii="optional")
    def get_order_items(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        order = find(m["order_id"])
        if isinstance(order, Reply):
            return order
        try:
            chunk, token, _ = paging.page(
                req, order.lines, token_param="NextToken", size=fake.page_size
            )
        except paging.BadToken:
            return fake.error(400, "InvalidInput", "Invalid NextToken", "")
        payload: dict[str, Any] = {
            "AmazonOrderId": order.order_id,
            "OrderItems": [item_v0(line, caller.pii) for line in chunk],
        }
        if token:
            payload["NextToken"] = token
        return Reply.json({"payload": payload})

    @fake.operation("GET", rf"{V0}/{ORDER_ID}/address", "ordersV0.getOrderAddress", pii="required")
    def get_order_address(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        order = find(m["order_id"])
        if isinstance(order, Reply):
            return order
        payload = {"AmazonOrderId": order.order_id}
        address = address_v0(order.ship_address, full=True)
        if address:
            payload["ShippingAddress"] = address  # type: ignore[assignment]
        return Reply.json({"payload": payload})

    @fake.operation(
        "GET", rf"{V0}/{ORDER_ID}/buyerInfo", "ordersV0.getOrderBuyerInfo", pii="required"
    )
    def get_order_buyer_info(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        order = find(m["order_id"])
        if isinstance(order, Reply):
            return order
        payload = {
            "AmazonOrderId": order.order_id,
            "BuyerEmail": order.buyer_email,
            "BuyerName": order.buyer_name,
        }
        return Reply.json({"payload": _prune(payload)})

    def included(req: SandboxRequest) -> frozenset[str]:
        values = frozenset(req.args("includedData"))
        unknown = values - set(INCLUDED_DATA)
        if unknown:
            raise _BadInput(f"Invalid includedData value(s): {', '.join(sorted(unknown))}")
        return values

    @fake.operation("GET", V2026, "orders.searchOrders")
    def search_orders(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        try:
            created, updated = _window(
                req, ("createdAfter", "createdBefore", "lastUpdatedAfter", "lastUpdatedBefore")
            )
            if not (created[0] or updated[0]):
                raise _BadInput("Either createdAfter or lastUpdatedAfter must be specified")
            if created[0] and updated[0]:
                raise _BadInput("createdAfter and lastUpdatedAfter cannot both be specified")
            size = _page_size(req, "maxResultsPerPage", fake)
            data = included(req)
        except _BadInput as exc:
            return fake.error(400, "InvalidInput", "Invalid Input", str(exc))
        markets = set(req.args("marketplaceIds"))
        statuses = set(req.args("fulfillmentStatuses"))
        by = set(req.args("fulfilledBy"))

        def keep(o: Order) -> bool:
            return (
                (not markets or o.marketplace_id in markets)
                and (not statuses or STATUS_2026[o.status] in statuses)
                and (
                    not by
                    or (
                        o.fulfillment_channel is not None
                        and FULFILLED_BY[o.fulfillment_channel] in by
                    )
                )
            )

        selected = _select(state.orders.values(), created=created, updated=updated, keep=keep)
        try:
            chunk, token, _ = paging.page(req, selected, token_param="paginationToken", size=size)
        except paging.BadToken:
            return fake.error(400, "InvalidInput", "Invalid Input", "Invalid paginationToken")
        body: dict[str, Any] = {"orders": [order_2026(o, data) for o in chunk]}
        if token:
            body["pagination"] = {"nextToken": token}
        body["createdBefore" if created[0] else "lastUpdatedBefore"] = wire_time(fake.now())
        return Reply.json(body)

    @fake.operation("GET", rf"{V2026}/{ORDER_ID}", "orders.getOrder")
    def get_order_2026(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        order = find(m["order_id"])
        if isinstance(order, Reply):
            return order
        try:
            data = included(req)
        except _BadInput as exc:
            return fake.error(400, "InvalidInput", "Invalid Input", str(exc))
        return Reply.json({"order": order_2026(order, data)})
