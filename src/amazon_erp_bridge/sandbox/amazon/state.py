"""What the fake SP-API remembers: credentials, tokens, orders, money events and stock.

Orders and financial events are kept in the canonical model (``model.Order``,
``model.FinancialEvent``); each fake API renders them in its own version's wire shape, so the
Orders v0 and v2026-01-01 fakes always agree. Seeding is deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

import attrs
from attrs import define, field, frozen

from amazon_erp_bridge.model import (
    Address,
    ComponentKind,
    FinancialComponent,
    FinancialEvent,
    FulfillmentChannel,
    InventoryLevel,
    ItemRef,
    Money,
    Order,
    OrderLine,
    OrderStatus,
    Return,
)
from amazon_erp_bridge.sandbox.amazon.marketplaces import MARKETPLACES

#: Where the seeded orders begin (2026-03-01T00:00:00Z) unless told otherwise.
DEFAULT_START: Final = datetime(2026, 3, 1, tzinfo=UTC)

#: Marketplaces the seeded orders are spread over (several currencies, including JPY).
SEED_MARKETPLACES: Final = (
    "ATVPDKIKX0DER",  # US, USD
    "ATVPDKIKX0DER",
    "A2EUQ1WTGCTBG2",  # CA, CAD
    "A1F83G8C2ARO7P",  # UK, GBP
    "A1PA6795UKMFR9",  # DE, EUR
    "A1VC38T7YXB528",  # JP, JPY
)

MARKETPLACE_NAMES: Final[dict[str, str]] = {
    "ATVPDKIKX0DER": "Amazon.com",
    "A2EUQ1WTGCTBG2": "Amazon.ca",
    "A1AM78C64UM0Y8": "Amazon.com.mx",
    "A2Q3Y263D00KWC": "Amazon.com.br",
    "A1F83G8C2ARO7P": "Amazon.co.uk",
    "A1PA6795UKMFR9": "Amazon.de",
    "A13V1IB3VIYZZH": "Amazon.fr",
    "APJ6JRA9NG5V4": "Amazon.it",
    "A1RKKUPIHCS9HS": "Amazon.es",
    "A1VC38T7YXB528": "Amazon.co.jp",
    "A39IBJ37TRP1C6": "Amazon.com.au",
}

_ORDER_PREFIX: Final = {"na": "11", "eu": "20", "fe": "25"}
_TAX_RATE: Final = {"USD": "0.08", "CAD": "0.13", "GBP": "0.20", "EUR": "0.19", "JPY": "0.10"}
_FX: Final = {"USD": "1", "CAD": "1.35", "GBP": "0.8", "EUR": "0.92", "JPY": "150"}
_NAMES: Final = ("Jane Doe", "Ali Khan", "Mia Wong", "Tom Berg", "Ana Ruiz", "Kenji Sato")
_CITIES: Final = {
    "US": ("Seattle", "WA", "98101"),
    "CA": ("Toronto", "ON", "M5H 2N2"),
    "GB": ("London", "England", "SW1A 1AA"),
    "DE": ("Berlin", "Berlin", "10115"),
    "JP": ("Tokyo", "Tokyo", "150-0002"),
}


@frozen
class Product:
    """A seeded catalogue item: SKU, ASIN, FNSKU, title and its USD list price."""

    sku: str
    asin: str
    fnsku: str
    title: str
    price_usd: Decimal


CATALOG: Final = (
    Product("SKU-MUG-01", "B0SANDBX01", "X00SANDB01", "Enamel camping mug", Decimal("12.99")),
    Product("SKU-LAMP-02", "B0SANDBX02", "X00SANDB02", "LED desk lamp", Decimal("34.50")),
    Product("SKU-BAG-03", "B0SANDBX03", "X00SANDB03", "Canvas tote bag", Decimal("19.95")),
    Product("SKU-PEN-04", "B0SANDBX04", "X00SANDB04", "Fountain pen set", Decimal("48.00")),
    Product("SKU-TEA-05", "B0SANDBX05", "X00SANDB05", "Green tea, 100 bags", Decimal("9.49")),
    Product("SKU-BOOK-06", "B0SANDBX06", "X00SANDB06", "Hardcover notebook", Decimal("15.25")),
)


@frozen
class IssuedToken:
    """An LWA access token the fake handed out: whose it is and when it stops working."""

    client_id: str
    seller_id: str | None
    scope: str | None
    expires_at: float


@frozen
class IssuedRdt:
    """A restricted data token: the (method, path, data elements) it covers, and its expiry."""

    resources: frozenset[tuple[str, str, tuple[str, ...]]]
    client_id: str
    seller_id: str | None
    expires_at: float


@frozen
class PostedEvent:
    """A financial event with the time Amazon posted it (kept even where the wire omits it)."""

    posted_at: datetime
    event: FinancialEvent
    list_name: str  # ShipmentEventList, RefundEventList, ServiceFeeEventList, AdjustmentEventList


@frozen
class EventGroup:
    """A financial event group (a settlement period) of one currency."""

    group_id: str
    currency: str
    start: datetime
    end: datetime | None
    processing_status: str  # Open | Closed
    fund_transfer_status: str  # Initiated | Succeeded | ...


@define
class SpApiState:
    """Everything the fake SP-API holds. Handlers and generators read and change it.

    Fields:
      * ``seller_id``: the selling partner the seeded refresh token belongs to.
      * ``clients``: LWA client id -> client secret of applications allowed to log in.
      * ``refresh_tokens``: refresh token -> selling partner id (remove one to revoke it).
      * ``access_tokens``: issued LWA access token -> :class:`IssuedToken`.
      * ``rdts``: issued restricted data token -> :class:`IssuedRdt`.
      * ``orders``: Amazon order id -> canonical ``model.Order`` (with its lines, buyer and
        ship-to address), in creation order. Both Orders API versions render these.
      * ``events``: :class:`PostedEvent` list, Finances v0 events derived from the orders
        (shipments, refunds) plus service fees and adjustments, sorted by posting time.
      * ``groups``: :class:`EventGroup` list, the financial event groups over ``events``.
      * ``inventory``: (marketplace id, seller SKU) -> ``model.InventoryLevel``.
      * ``products``: the seeded catalogue (:class:`Product`).
      * ``confirmations``: (order id, package reference id) -> the confirmShipment body.
      * ``returns``: canonical ``model.Return`` records the returns reports are made from
        (FBA returns of refunded Amazon-fulfilled orders, merchant returns of refunded
        merchant-fulfilled ones).
    """

    seller_id: str = "A3SANDBOXSELLER1"
    clients: dict[str, str] = field(factory=dict)
    refresh_tokens: dict[str, str] = field(factory=dict)
    access_tokens: dict[str, IssuedToken] = field(factory=dict)
    rdts: dict[str, IssuedRdt] = field(factory=dict)
    orders: dict[str, Order] = field(factory=dict)
    events: list[PostedEvent] = field(factory=list)
    groups: list[EventGroup] = field(factory=list)
    inventory: dict[tuple[str, str], InventoryLevel] = field(factory=dict)
    products: tuple[Product, ...] = CATALOG
    confirmations: dict[tuple[str, str], dict[str, Any]] = field(factory=dict)
    returns: list[Return] = field(factory=list)

    def cancel_order(self, order_id: str, at: datetime, *, reason: str = "NoInventory") -> Order:
        """Cancel an order after it was listed, as a seller or Amazon does before it ships.

        Its status becomes Canceled, every line is cancelled and its last-update time moves
        to ``at`` (at least a second after the previous one), so a reader polling by
        LastUpdatedAfter sees it again. A shipped order cannot be cancelled (ValueError).
        """
        order = self.orders.get(order_id)
        if order is None:
            raise KeyError(order_id)
        if order.status in _SHIPPED_STATUSES:
            raise ValueError(f"order {order_id} is {order.status.value}; it cannot be cancelled")
        updated = attrs.evolve(
            order,
            status=OrderStatus.CANCELED,
            lines=tuple(attrs.evolve(line, cancelled=True) for line in order.lines),
            last_updated=max(at, order.last_updated + timedelta(seconds=1)),
            attributes={**order.attributes, "cancel_reason": reason},
        )
        self.orders[order_id] = updated
        return updated

    def add_order(self, order: Order) -> Order:
        """Add (or replace) an order; its shipment event is added if it has shipped."""
        self.orders[order.order_id] = order
        event = shipment_event(order)
        if event is not None:
            self.events.append(event)
            self.events.sort(key=lambda e: e.posted_at)
        return order

    def order_events(self, order_id: str) -> list[PostedEvent]:
        return [e for e in self.events if e.event.order_id == order_id]


def _money(amount: Decimal, currency: str) -> Money:
    return Money(amount, currency).rounded()


def _price(product: Product, currency: str) -> Decimal:
    return product.price_usd * Decimal(_FX[currency])


def _order_id(rng: random.Random, marketplace_id: str) -> str:
    prefix = _ORDER_PREFIX[MARKETPLACES[marketplace_id].region]
    return (
        f"{prefix}{rng.randint(1, 9)}-{rng.randint(0, 9999999):07d}-{rng.randint(0, 9999999):07d}"
    )


def _address(rng: random.Random, name: str, country: str) -> Address:
    city, region, postal = _CITIES[country]
    return Address(
        name=name,
        line1=f"{rng.randint(1, 999)} Sandbox Street",
        city=city,
        state_or_region=region,
        postal_code=postal,
        country_code=country,
        phone=f"+1 555 01{rng.randint(0, 99):02d}",
        address_type="Residential",
    )


_STATUSES: Final = (
    [OrderStatus.SHIPPED] * 12
    + [OrderStatus.UNSHIPPED] * 3
    + [OrderStatus.PENDING, OrderStatus.CANCELED, OrderStatus.PARTIALLY_SHIPPED]
)


#: Marketplaces where Amazon collects sales tax as marketplace facilitator in the seed (US).
FACILITATOR_MARKETPLACES: Final = frozenset({"ATVPDKIKX0DER"})


def _extra_charges(
    line: OrderLine, index: int, n: int, tax_rate: Decimal, marketplace_id: str
) -> OrderLine:
    """The seed's other charges, chosen by position (no random draws, so the seeded ids and
    amounts of the rest stay as they were): discount taxes on promotions, a free-shipping
    discount on every fourth merchant order, gift wrap and a gift message on the first line of
    every fifth merchant order, and marketplace-facilitator tax in the US."""
    currency = line.item_price.currency if line.item_price is not None else "USD"
    changes: dict[str, Any] = {}
    if line.promotion_discount is not None:
        changes["promotion_discount_tax"] = _money(
            line.promotion_discount.amount * tax_rate, currency
        )
    if line.shipping_price is not None and index % 4 == 0:
        changes["shipping_discount"] = line.shipping_price
        changes["shipping_discount_tax"] = line.shipping_tax
    if line.shipping_price is not None and index % 5 == 2 and n == 0:
        wrap = _money(Decimal("3.99") * Decimal(_FX[currency]), currency)
        changes["gift_wrap_price"] = wrap
        changes["gift_wrap_tax"] = _money(wrap.amount * tax_rate, currency)
        changes["gift_message"] = "Happy birthday! From the sandbox."
    line = attrs.evolve(line, **changes)
    if marketplace_id in FACILITATOR_MARKETPLACES:
        taxes = [m for m in (line.item_tax, line.shipping_tax, line.gift_wrap_tax) if m]
        discounts = [m for m in (line.promotion_discount_tax, line.shipping_discount_tax) if m]
        withheld = Money.total(taxes, currency) - Money.total(discounts, currency)
        line = attrs.evolve(line, facilitator_tax=withheld)
    return line


def make_order(rng: random.Random, index: int, purchased: datetime) -> Order:
    """One deterministic order (lines, totals, buyer and address) for the seed."""
    marketplace_id = SEED_MARKETPLACES[index % len(SEED_MARKETPLACES)]
    market = MARKETPLACES[marketplace_id]
    currency = market.currency
    country = "GB" if market.country_code == "UK" else market.country_code
    channel = FulfillmentChannel.AMAZON if index % 3 else FulfillmentChannel.MERCHANT
    status = rng.choice(_STATUSES)
    order_id = _order_id(rng, marketplace_id)
    tax_rate = Decimal(_TAX_RATE[currency])
    lines: list[OrderLine] = []
    for n, product in enumerate(rng.sample(CATALOG, rng.randint(1, 3))):
        qty = rng.randint(1, 3)
        price = _money(_price(product, currency) * qty, currency)
        shipping = (
            _money(Decimal("4.99") * Decimal(_FX[currency]), currency)
            if channel is FulfillmentChannel.MERCHANT
            else None
        )
        promo = _money(price.amount / 10, currency) if rng.random() < 0.2 else None
        shipped = {
            OrderStatus.SHIPPED: qty,
            OrderStatus.PARTIALLY_SHIPPED: qty - 1 if n == 0 and qty > 1 else 0,
        }.get(status, 0)
        if status is OrderStatus.PARTIALLY_SHIPPED and n > 0:
            shipped = qty
        line = OrderLine(
            line_id=f"{rng.randint(10**13, 10**14 - 1)}",
            item=ItemRef(product.sku, product.asin),
            quantity=qty,
            quantity_shipped=shipped,
            title=product.title,
            item_price=price,
            item_tax=_money(price.amount * tax_rate, currency),
            shipping_price=shipping,
            shipping_tax=_money(shipping.amount * tax_rate, currency) if shipping else None,
            promotion_discount=promo,
        )
        lines.append(_extra_charges(line, index, n, tax_rate, marketplace_id))
    total = Money.total((line.buyer_total(currency) for line in lines), currency)
    name = rng.choice(_NAMES)
    return Order(
        order_id=order_id,
        purchase_date=purchased,
        last_updated=purchased + timedelta(hours=rng.randint(1, 30)),
        status=status,
        marketplace_id=marketplace_id,
        fulfillment_channel=channel,
        sales_channel=MARKETPLACE_NAMES.get(marketplace_id, "Amazon"),
        order_total=None if status is OrderStatus.PENDING else total,
        lines=tuple(lines),
        ship_address=_address(rng, name, country),
        buyer_name=name,
        buyer_email=f"{name.split()[0].lower()}{index}@marketplace.amazon.example",
        seller_order_id=f"SO-{index:05d}",
        order_type="StandardOrder",
        is_business_order=index % 7 == 0,
        is_prime=channel is FulfillmentChannel.AMAZON,
        ship_service_level="Std Dom",
        latest_ship_date=purchased + timedelta(days=2),
    )


_SHIPPED_STATUSES: Final = frozenset(
    {OrderStatus.SHIPPED, OrderStatus.PARTIALLY_SHIPPED, OrderStatus.INVOICE_UNCONFIRMED}
)


def _line_components(order: Order, sign: int, refund: bool) -> list[FinancialComponent]:
    """Charges, fees and promotions of each shipped line; ``sign`` -1 turns them into a refund."""
    comps: list[FinancialComponent] = []
    for line in order.lines:
        qty = line.quantity_shipped or line.quantity
        amounts: list[tuple[ComponentKind, str, Money | None]] = [
            (ComponentKind.CHARGE, "Principal", line.item_price),
            (ComponentKind.CHARGE, "Tax", line.item_tax),
            (ComponentKind.CHARGE, "ShippingCharge", line.shipping_price),
            (ComponentKind.CHARGE, "ShippingTax", line.shipping_tax),
        ]
        if line.item_price is not None:
            cur = line.item_price.currency
            commission = _money(line.item_price.amount * Decimal("0.15"), cur)
            fee = "RefundCommission" if refund else "Commission"
            amounts.append((ComponentKind.FEE, fee, -commission))
            if order.fulfillment_channel is FulfillmentChannel.AMAZON and not refund:
                per_unit = _money(Decimal("3.22") * Decimal(_FX[cur]), cur)
                amounts.append((ComponentKind.FEE, "FBAPerUnitFulfillmentFee", -(per_unit * qty)))
        if line.promotion_discount is not None:
            promo = -line.promotion_discount
            amounts.append((ComponentKind.PROMOTION, "PromotionMetaDataDefinitionValue", promo))
        for kind, type_, amount in amounts:
            if amount is None or amount.is_zero():
                continue
            signed = amount * sign if not (refund and kind is ComponentKind.FEE) else -amount
            comps.append(
                FinancialComponent(kind, type_, signed, line.item.seller_sku, line.line_id, qty)
            )
    return comps


def shipment_event(order: Order) -> PostedEvent | None:
    """The Finances v0 ShipmentEvent Amazon posts a day after an order ships, if it has."""
    if order.status not in _SHIPPED_STATUSES:
        return None
    posted = order.purchase_date + timedelta(days=1)
    event = FinancialEvent(
        event_type="Shipment",
        components=tuple(_line_components(order, 1, refund=False)),
        posted_date=posted,
        order_id=order.order_id,
        seller_order_id=order.seller_order_id,
        marketplace_name=order.sales_channel,
    )
    return PostedEvent(posted, event, "ShipmentEventList")


def refund_event(order: Order) -> PostedEvent:
    """A full refund of ``order``, posted five days after purchase."""
    posted = order.purchase_date + timedelta(days=5)
    event = FinancialEvent(
        event_type="Refund",
        components=tuple(_line_components(order, -1, refund=True)),
        posted_date=posted,
        order_id=order.order_id,
        seller_order_id=order.seller_order_id,
        marketplace_name=order.sales_channel,
    )
    return PostedEvent(posted, event, "RefundEventList")


_PRODUCTS_BY_SKU: Final = {p.sku: p for p in CATALOG}


def seed_return(order: Order, index: int) -> Return:
    """The return behind a seeded refund: the order's first line, back five days after it was
    bought. Amazon-fulfilled orders come back to an FBA centre (license plate number, FNSKU,
    disposition); merchant-fulfilled ones through a return request (RMA, refunded amount)."""
    line = order.lines[0]
    sku = line.item.seller_sku or ""
    returned = order.purchase_date + timedelta(days=5)
    currency = order.currency or "USD"
    if order.fulfillment_channel is FulfillmentChannel.AMAZON:
        product = _PRODUCTS_BY_SKU.get(sku)
        lpn = f"LPNSBX{index:07d}"
        return Return(
            return_id=lpn,
            order_id=order.order_id,
            seller_sku=sku,
            quantity=line.quantity,
            returned_at=returned,
            reason="NOT_AS_DESCRIBED",
            disposition="SELLABLE",
            fulfillment_center_id="SDX1",
            asin=line.item.asin,
            fnsku=product.fnsku if product is not None else None,
            status="Unit returned to inventory",
            license_plate_number=lpn,
            customer_comments="Colour differs from the picture.",
        )
    return Return(
        return_id=f"DSBX{index:07d}/{sku}",
        order_id=order.order_id,
        seller_sku=sku,
        quantity=line.quantity,
        returned_at=returned,
        reason="CR-DEFECTIVE",
        disposition="StandardRefund",
        asin=line.item.asin,
        status="Approved",
        refund_amount=line.buyer_total(currency),
        fulfilled_by_amazon=False,
    )


def _service_fees(start: datetime, days: int) -> list[PostedEvent]:
    out = []
    for week in range(0, days, 7):
        posted = start + timedelta(days=week, hours=3)
        event = FinancialEvent(
            event_type="ServiceFee",
            components=(
                FinancialComponent(ComponentKind.FEE, "FBAStorageFee", Money.of("-8.15", "USD")),
            ),
            description="FBA storage",
        )
        out.append(PostedEvent(posted, event, "ServiceFeeEventList"))
    return out


def _adjustments(rng: random.Random, start: datetime, days: int) -> list[PostedEvent]:
    out = []
    for n in range(max(1, days // 10)):
        posted = start + timedelta(days=rng.randint(0, max(days - 1, 0)), minutes=n)
        product = rng.choice(CATALOG)
        event = FinancialEvent(
            event_type="Adjustment",
            components=(
                FinancialComponent(
                    ComponentKind.ADJUSTMENT,
                    "REVERSAL_REIMBURSEMENT",
                    Money(product.price_usd, "USD"),
                    product.sku,
                    None,
                    1,
                ),
            ),
            posted_date=posted,
            description="REVERSAL_REIMBURSEMENT",
        )
        out.append(PostedEvent(posted, event, "AdjustmentEventList"))
    return out


def _groups(events: list[PostedEvent], start: datetime, now: datetime) -> list[EventGroup]:
    currencies = sorted({c.amount.currency for e in events for c in e.event.components})
    groups: list[EventGroup] = []
    for currency in currencies:
        begin = start
        n = 0
        while begin < now:
            end = begin + timedelta(days=14)
            closed = end <= now
            groups.append(
                EventGroup(
                    group_id=f"GRP-{currency}-{begin:%Y%m%d}",
                    currency=currency,
                    start=begin,
                    end=end if closed else None,
                    processing_status="Closed" if closed else "Open",
                    fund_transfer_status="Succeeded" if closed else "Unknown",
                )
            )
            begin = end
            n += 1
    return groups


def seed_inventory(rng: random.Random) -> dict[tuple[str, str], InventoryLevel]:
    """FBA stock for every catalogue SKU in each seeded marketplace."""
    out: dict[tuple[str, str], InventoryLevel] = {}
    for marketplace_id in sorted(set(SEED_MARKETPLACES)):
        for product in CATALOG:
            out[(marketplace_id, product.sku)] = InventoryLevel(
                item=ItemRef(product.sku, product.asin, product.fnsku),
                fulfillable=rng.randint(0, 400),
                reserved=rng.randint(0, 20),
                inbound=rng.randint(0, 100),
                unfulfillable=rng.randint(0, 5),
                researching=rng.randint(0, 2),
                location=marketplace_id,
                condition="NewItem",
            )
    return out


def seeded(
    seed: int = 0,
    *,
    orders: int = 60,
    start: datetime = DEFAULT_START,
    days: int = 30,
    now: Callable[[], datetime] | None = None,
) -> SpApiState:
    """A deterministic state: ``orders`` orders over ``days`` days from ``start``, with events,
    event groups and FBA stock derived from them."""
    rng = random.Random(seed)
    state = SpApiState()
    step = timedelta(days=days) / max(orders, 1)
    for i in range(orders):
        purchased = (start + step * i + timedelta(minutes=rng.randint(0, 50))).replace(
            microsecond=0
        )
        order = make_order(rng, i, purchased)
        state.orders[order.order_id] = order
        event = shipment_event(order)
        if event is not None:
            state.events.append(event)
            if i % 7 == 3:
                state.events.append(refund_event(order))
                state.returns.append(seed_return(order, i))
    state.events.extend(_service_fees(start, days))
    state.events.extend(_adjustments(rng, start, days))
    state.events.sort(key=lambda e: e.posted_at)
    end = now() if now is not None else start + timedelta(days=days + 7)
    state.groups = _groups(state.events, start, end)
    state.inventory = seed_inventory(rng)
    return state
