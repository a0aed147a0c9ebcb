"""Fake Orders API, v0 and v2026-01-01, both rendered from the same canonical orders.

v0 gives buyer name/e-mail and the full ship-to address only to a call that carries a
restricted data token granting ``buyerInfo`` / ``shippingAddress`` (the items' gift wrap and
gift message likewise sit in their restricted ``BuyerInfo``); getOrderAddress and
getOrderBuyerInfo refuse anything but such a token. v2026-01-01 gives them through
``includedData`` (BUYER, RECIPIENT).

Every field written is one the models (``ordersV0.json``, ``orders_2026-01-01.json``) define,
with their enums: v2026 order-level ``proceeds.breakdowns`` carry type and subtotal only (the
detailed breakdowns exist at item level); ``fulfillmentServiceLevel`` is the category
(``STANDARD``, ...). getOrders (v0) without CreatedAfter or LastUpdatedAfter answers 400
InvalidInput, as the model's parameter notes say Amazon does, even with AmazonOrderIds.

confirmShipment (v0) records each package of a merchant-fulfilled order; a second
confirmation of the same package, or one for an Amazon-fulfilled, cancelled or unknown order,
gets a 400; once every unit is confirmed the order is Shipped. :meth:`SpApiState.cancel_order`
cancels an order after it was listed; the next read shows it CANCELLED, newer.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import attrs

from amazon_erp_bridge.model import (
    Address,
    FulfillmentChannel,
    Money,
    Order,
    OrderLine,
    OrderStatus,
)
from amazon_erp_bridge.sandbox.amazon import paging
from amazon_erp_bridge.sandbox.amazon.state import PostedEvent, shipment_event
from amazon_erp_bridge.sandbox.amazon.wire import read_time, wire_time
from amazon_erp_bridge.sandbox.server import Reply, SandboxRequest

if TYPE_CHECKING:
    from amazon_erp_bridge.sandbox.amazon.app import Caller, FakeSpApi

V0: Final = "/orders/v0/orders"
V2026: Final = "/orders/2026-01-01/orders"
ORDER_ID: Final = r"(?P<order_id>[0-9A-Za-z-]+)"

#: ``includedData`` values of Orders v2026-01-01 (the model's enum, the fake's own copy).
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
#: v0 ShipmentServiceLevelCategory -> v2026 fulfillmentServiceLevel (both models' enums).
SERVICE_LEVEL_2026: Final = {
    "Expedited": "EXPEDITED",
    "FreeEconomy": "FREE_ECONOMY",
    "NextDay": "NEXT_DAY",
    "Priority": "PRIORITY",
    "SameDay": "SAME_DAY",
    "SecondDay": "SECOND_DAY",
    "Scheduled": "SCHEDULED",
    "Standard": "STANDARD",
}

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


def _category(order: Order) -> str:
    return order.attributes.get("ShipmentServiceLevelCategory") or "Standard"


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
        "ShipmentServiceLevelCategory": _category(order),
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
    """A canonical order line in the Orders v0 ``OrderItem`` shape (every money field)."""
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
        "ShippingDiscount": money_v0(line.shipping_discount),
        "ShippingDiscountTax": money_v0(line.shipping_discount_tax),
        "PromotionDiscount": money_v0(line.promotion_discount),
        "PromotionDiscountTax": money_v0(line.promotion_discount_tax),
        "IsGift": "true" if line.gift_message or line.gift_wrap_price else "false",
        "ConditionId": "New",
        "ConditionSubtypeId": "New",
    }
    if line.facilitator_tax is not None:
        data["TaxCollection"] = {
            "Model": "MarketplaceFacilitator",
            "ResponsibleParty": "Amazon Services, Inc.",
        }
    if "buyerInfo" in pii:
        buyer = _prune(
            {
                "GiftWrapPrice": money_v0(line.gift_wrap_price),
                "GiftWrapTax": money_v0(line.gift_wrap_tax),
                "GiftMessageText": line.gift_message,
            }
        )
        if buyer:
            data["BuyerInfo"] = buyer
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


def _neg(value: Money | None) -> Money | None:
    return -value if value is not None else None


def _details(parts: Iterable[tuple[str, Money | None]]) -> list[dict[str, Any]]:
    return [
        {"subtype": sub, "value": money_2026(amount)} for sub, amount in parts if amount is not None
    ]


def _line_parts(lines: Iterable[OrderLine], currency: str) -> dict[str, Any]:
    """Proceeds of ``lines`` by breakdown type, with each type's detailed parts."""
    lines = list(lines)

    def total(name: str) -> Money | None:
        return _sum((getattr(line, name) for line in lines), currency)

    discount_tax = _sum((total("promotion_discount_tax"), total("shipping_discount_tax")), currency)
    tax_parts = [
        ("ITEM", total("item_tax")),
        ("SHIPPING", total("shipping_tax")),
        ("GIFT_WRAP", total("gift_wrap_tax")),
        ("DISCOUNT", _neg(discount_tax)),
    ]
    discount_parts = [
        ("ITEM", _neg(total("promotion_discount"))),
        ("SHIPPING", _neg(total("shipping_discount"))),
    ]
    return {
        "ITEM": (total("item_price"), []),
        "SHIPPING": (total("shipping_price"), []),
        "GIFT_WRAP": (total("gift_wrap_price"), []),
        "TAX": (_sum((m for _, m in tax_parts), currency), tax_parts),
        "DISCOUNT": (_sum((m for _, m in discount_parts), currency), discount_parts),
    }


def _item_breakdowns(line: OrderLine, currency: str) -> list[dict[str, Any]]:
    """An item's ``ItemProceedsBreakdown`` list: type, subtotal and detailed breakdowns."""
    out = []
    for kind, (subtotal, parts) in _line_parts([line], currency).items():
        if subtotal is None:
            continue
        entry: dict[str, Any] = {"type": kind, "subtotal": money_2026(subtotal)}
        details = _details(parts)
        if details:
            entry["detailedBreakdowns"] = details
        out.append(entry)
    return out


def _order_breakdowns(lines: Iterable[OrderLine], currency: str) -> list[dict[str, Any]]:
    """The order's ``OrderProceedsBreakdown`` list: type and subtotal only, as the model has."""
    return [
        {"type": kind, "subtotal": money_2026(subtotal)}
        for kind, (subtotal, _) in _line_parts(lines, currency).items()
        if subtotal is not None
    ]


def _line_total(line: OrderLine, currency: str) -> Money | None:
    if line.item_price is None:
        return None
    return line.buyer_total(currency)


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
                "breakdowns": _item_breakdowns(line, currency),
            }
        )
    if "PROMOTION" in data and line.promotion_discount is not None:
        item["promotion"] = {"breakdowns": [{"promotionId": f"SANDBOX-PROMO-{currency}"}]}
    if "TAX" in data and line.facilitator_tax is not None:
        item["tax"] = {
            "taxCollections": [
                {"model": "MARKETPLACE_FACILITATOR", "responsibleParty": "Amazon Services, Inc."}
            ]
        }
    if "CANCELLATION" in data and line.cancelled:
        item["cancellation"] = {
            "cancellationExecution": {"cancelledBy": "MERCHANT", "cancelReason": "NoInventory"}
        }
    if "FULFILLMENT" in data:
        fulfillment: dict[str, Any] = {
            "quantityFulfilled": line.quantity_shipped,
            "quantityUnfulfilled": line.quantity - line.quantity_shipped,
        }
        if line.gift_message or line.gift_wrap_price is not None:
            fulfillment["packing"] = {
                "giftOption": _prune(
                    {"giftMessage": line.gift_message, "giftWrapLevel": "STANDARD"}
                )
            }
        item["fulfillment"] = fulfillment
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
                "breakdowns": _order_breakdowns(order.lines, currency),
            }
        )
    if "FULFILLMENT" in data:
        out["fulfillment"] = _prune(
            {
                "fulfillmentStatus": STATUS_2026[order.status],
                "fulfilledBy": (
                    FULFILLED_BY[order.fulfillment_channel] if order.fulfillment_channel else None
                ),
                "fulfillmentServiceLevel": SERVICE_LEVEL_2026.get(_category(order), "STANDARD"),
                "shipByWindow": (
                    {"latestDateTime": wire_time(order.latest_ship_date)}
                    if order.latest_ship_date
                    else None
                ),
            }
        )
    out["orderItems"] = [item_2026(line, currency, data) for line in order.lines]
    return out


# -- confirmShipment ---------------------------------------------------------------------

#: What Amazon answers a confirmation of a package it already has (the public report
#: amzn/selling-partner-api-models#5037 quotes this message).
ALREADY_CONFIRMED: Final = (
    "Failed to create package due to not finding a matching package or order already fulfilled."
)
_PACKAGE_REQUIRED: Final = (
    "packageReferenceId",
    "carrierCode",
    "trackingNumber",
    "shipDate",
    "orderItems",
)


def _invalid_fields(body: Any, order: Order) -> list[str]:
    """The fields of a ConfirmShipmentRequest that are missing or of the wrong type."""
    if not isinstance(body, dict):
        return ["body"]
    bad = [] if isinstance(body.get("marketplaceId"), str) else ["marketplaceId"]
    package = body.get("packageDetail")
    if not isinstance(package, dict):
        return [*bad, "packageDetail"]
    for name in _PACKAGE_REQUIRED:
        if package.get(name) in (None, "", []):
            bad.append(f"packageDetail.{name}")
    ref = package.get("packageReferenceId")
    if ref is not None and (not isinstance(ref, str) or not ref.isdigit() or int(ref) < 1):
        bad.append("packageDetail.packageReferenceId")
    if package.get("carrierCode") == "Other" and not package.get("carrierName"):
        bad.append("packageDetail.carrierName")
    try:
        read_time(package.get("shipDate"))
    except (TypeError, ValueError):
        bad.append("packageDetail.shipDate")
    known = {line.line_id: line for line in order.lines}
    for n, item in enumerate(package.get("orderItems") or ()):
        where = f"packageDetail.orderItems[{n}]"
        if not isinstance(item, dict) or item.get("orderItemId") not in known:
            bad.append(f"{where}.orderItemId")
            continue
        quantity = item.get("quantity")
        line = known[item["orderItemId"]]
        if (
            isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or not 1 <= quantity <= line.quantity - line.quantity_shipped
        ):
            bad.append(f"{where}.quantity")
    method = body.get("codCollectionMethod")
    if method is not None and method != "DirectPayment":
        bad.append("codCollectionMethod")
    return list(dict.fromkeys(bad))


def _shipped(order: Order, items: Iterable[dict[str, Any]], now: datetime) -> Order:
    """``order`` after a confirmed package: quantities shipped, status, last update."""
    quantities: dict[str, int] = {}
    for item in items:
        quantities[item["orderItemId"]] = quantities.get(item["orderItemId"], 0) + item["quantity"]
    lines = tuple(
        attrs.evolve(line, quantity_shipped=line.quantity_shipped + quantities.get(line.line_id, 0))
        for line in order.lines
    )
    done = all(line.quantity_shipped >= line.quantity for line in lines)
    status = OrderStatus.SHIPPED if done else OrderStatus.PARTIALLY_SHIPPED
    return attrs.evolve(
        order, lines=lines, status=status, last_updated=max(now, order.last_updated)
    )


# -- filtering -----------------------------------------------------------------------------


class _BadInput(Exception):
    pass


def _time_arg(req: SandboxRequest, name: str) -> datetime | None:
    try:
        return read_time(req.arg(name))
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
    lock = threading.Lock()

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
            # The model: "Either the CreatedAfter parameter or the LastUpdatedAfter parameter
            # is required. Both cannot be empty." (AmazonOrderIds does not lift it.)
            if not (created[0] or updated[0] or req.arg("NextToken")):
                raise _BadInput("Either CreatedAfter or LastUpdatedAfter must be specified")
            if created[0] and updated[0]:
                raise _BadInput("CreatedAfter and LastUpdatedAfter cannot both be specified")
            clash = [
                name
                for name in (
                    "FulfillmentChannels",
                    "OrderStatuses",
                    "PaymentMethods",
                    "LastUpdatedAfter",
                    "LastUpdatedBefore",
                    "BuyerEmail",
                )
                if req.arg(name)
            ]
            if req.arg("SellerOrderId") and clash:
                raise _BadInput(f"SellerOrderId cannot be specified with {', '.join(clash)}")
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

    @fake.operation("POST", rf"{V0}/{ORDER_ID}/shipmentConfirmation", "ordersV0.confirmShipment")
    def confirm_shipment(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        order = find(m["order_id"])
        if isinstance(order, Reply):
            return order
        try:
            body = req.json()
        except ValueError:
            return fake.error(400, "InvalidInput", "The request body is not valid JSON.")
        package = body.get("packageDetail") if isinstance(body, dict) else None
        ref = package.get("packageReferenceId") if isinstance(package, dict) else None
        if (order.order_id, ref) in state.confirmations or order.status is OrderStatus.SHIPPED:
            return fake.error(400, "InvalidInput", ALREADY_CONFIRMED)
        bad = _invalid_fields(body, order)
        if bad:
            return fake.error(
                400,
                "InvalidInput",
                "The input you have submitted is not valid. Please check the fields with "
                f"invalid type [{', '.join(bad)}].",
            )
        package = body["packageDetail"]
        key = (order.order_id, package["packageReferenceId"])
        if (
            key in state.confirmations
            or order.fulfillment_channel is not FulfillmentChannel.MERCHANT
            or order.status in (OrderStatus.CANCELED, OrderStatus.SHIPPED)
            or body["marketplaceId"] != order.marketplace_id
        ):
            return fake.error(400, "InvalidInput", ALREADY_CONFIRMED)
        with lock:
            state.confirmations[key] = dict(body)
            updated = _shipped(order, package["orderItems"], fake.now())
            state.orders[order.order_id] = updated
            event = shipment_event(updated) if updated.status is OrderStatus.SHIPPED else None
            if event is not None:
                posted = PostedEvent(max(event.posted_at, fake.now()), event.event, event.list_name)
                state.events.append(posted)
                state.events.sort(key=lambda e: e.posted_at)
        return Reply(204, b"")

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
