"""Hypothesis strategies for the canonical model and hostile text, shared by the property tests.

Model strategies build valid-looking objects with hostile contents: amounts at the edges of
Money's range, every currency kind (0, 2, 3 decimals), unicode and control characters in every
text, unknown statuses and SKUs. A draw the model itself refuses is rejected (the model's own
validation is tested elsewhere).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from hypothesis import reject
from hypothesis import strategies as st

from amazon_erp_bridge.errors import BridgeError
from amazon_erp_bridge.model import (
    Address,
    ComponentKind,
    FinancialComponent,
    FinancialEvent,
    FulfillmentChannel,
    ItemRef,
    Money,
    Order,
    OrderLine,
    OrderStatus,
    Settlement,
    SettlementLine,
    Shipment,
)
from amazon_erp_bridge.model.order import ShipmentItem, ShipmentPackage

T = TypeVar("T")

US, UK, DE, JP = "ATVPDKIKX0DER", "A1F83G8C2ARO7P", "A1PN6ANT9M3L7Q", "A1VC38T7YXB528"
KNOWN_SKUS = ("SKU-MUG-01", "SKU-TEA-05", "SKU-PEN-02", "WIDGET-001", "GADGET-002")

#: Hostile text: any unicode (controls, surrogates excluded by Python strings, RTL marks).
text = st.text(max_size=24)
short_text = st.text(min_size=1, max_size=12)
ids = st.from_regex(r"[0-9]{3}-[0-9]{7}-[0-9]{7}", fullmatch=True) | short_text
skus = st.sampled_from(KNOWN_SKUS) | short_text
currencies = st.sampled_from(["USD", "GBP", "EUR", "JPY", "KWD", "CAD"])
marketplaces = st.sampled_from([US, UK, DE, JP]) | short_text
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))
amounts = (
    st.decimals(min_value=-(10**6), max_value=10**6, places=2)
    | st.decimals(min_value=-(10**17), max_value=10**17, places=3)
    | st.sampled_from(
        [
            Decimal(0),
            Decimal("-0.00"),
            Decimal("0.005"),
            Decimal("999999999999999999.99"),
            Decimal("-999999999999999999.99"),
            Decimal("1E-40"),
            Decimal("123456789012345678"),
        ]
    )
)
quantities = st.integers(min_value=0, max_value=5) | st.integers(min_value=-3, max_value=10**9)


def built(factory: Callable[..., T], **kwargs: Any) -> T:
    """``factory(**kwargs)``, or a rejected example when the model refuses it."""
    try:
        return factory(**kwargs)
    except BridgeError:
        reject()
        raise AssertionError("unreachable") from None


@st.composite
def money(draw: st.DrawFn, currency: str | None = None) -> Money:
    return built(Money, amount=draw(amounts), currency=currency or draw(currencies))


@st.composite
def addresses(draw: st.DrawFn) -> Address:
    optional = st.none() | text
    return built(
        Address,
        name=draw(optional),
        line1=draw(optional),
        line2=draw(optional),
        city=draw(optional),
        state_or_region=draw(optional | st.sampled_from(["California", "CA", "Québec"])),
        postal_code=draw(optional | st.sampled_from(["94105", "SW1A 1AA", "123"])),
        country_code=draw(st.none() | st.sampled_from(["US", "GB", "DE", "CA", "JP", "ZZ"])),
        phone=draw(optional),
        company=draw(optional),
    )


@st.composite
def order_lines(draw: st.DrawFn, currency: str | None = None) -> OrderLine:
    cur = currency or draw(currencies)
    maybe = st.none() | money(cur)
    return built(
        OrderLine,
        line_id=draw(short_text),
        item=built(
            ItemRef,
            seller_sku=draw(skus),
            asin=draw(st.none() | short_text),
            fnsku=draw(st.none() | short_text),
        ),
        quantity=draw(quantities),
        item_price=draw(maybe),
        item_tax=draw(maybe),
        shipping_price=draw(maybe),
        promotion_discount=draw(maybe),
        quantity_shipped=draw(quantities),
        cancelled=draw(st.booleans()),
    )


@st.composite
def orders(draw: st.DrawFn) -> Order:
    cur = draw(currencies)
    purchased = draw(moments)
    return built(
        Order,
        order_id=draw(ids),
        purchase_date=purchased,
        last_updated=purchased + draw(st.timedeltas(timedelta(0), timedelta(days=90))),
        status=draw(st.sampled_from(OrderStatus)),
        marketplace_id=draw(marketplaces),
        fulfillment_channel=draw(st.none() | st.sampled_from(FulfillmentChannel)),
        sales_channel=draw(st.none() | st.sampled_from(["Amazon.com", "Non-Amazon"]) | text),
        order_total=draw(st.none() | money(cur)),
        lines=tuple(draw(st.lists(order_lines(cur), max_size=4))),
        ship_address=draw(st.none() | addresses()),
        order_type=draw(st.none() | st.sampled_from(["StandardOrder", "MCF"]) | text),
        ship_service_level=draw(st.none() | st.sampled_from(["Std US D2D Dom", "Expedited"])),
        attributes=draw(st.dictionaries(st.sampled_from(["mcf", "UCA1"]) | text, text, max_size=2)),
    )


@st.composite
def settlement_lines(draw: st.DrawFn, currency: str | None = None) -> SettlementLine:
    kinds = st.sampled_from(["Order", "Refund", "other-transaction", "ServiceFee"]) | text
    amount_types = st.sampled_from(["ItemPrice", "ItemFees", "Promotion"]) | text
    descriptions = st.sampled_from(["Principal", "Tax", "Commission", "Storage Fee"]) | text
    return built(
        SettlementLine,
        transaction_type=draw(kinds),
        amount_type=draw(amount_types),
        amount_description=draw(descriptions),
        amount=draw(money(currency)),
        order_id=draw(st.none() | ids),
        sku=draw(st.none() | skus),
        posted_date=draw(st.none() | moments),
        quantity_purchased=draw(st.none() | st.integers(0, 10)),
    )


@st.composite
def settlements(draw: st.DrawFn) -> Settlement:
    cur = draw(currencies)
    lines = tuple(draw(st.lists(settlement_lines(cur), max_size=6)))
    start = draw(moments)
    balanced = draw(st.booleans())
    try:
        total = Money.total((ln.amount for ln in lines), cur) if balanced else draw(money(cur))
    except BridgeError:  # the lines' sum leaves Money's range: such a settlement cannot exist
        reject()
    return built(
        Settlement,
        settlement_id=draw(short_text),
        start=start,
        end=start + timedelta(days=14),
        deposit_date=draw(st.none() | moments),
        total=total,
        lines=lines,
    )


@st.composite
def shipments(draw: st.DrawFn) -> Shipment:
    items = draw(
        st.lists(
            st.builds(
                lambda sku, q: built(ShipmentItem, seller_sku=sku, quantity=q),
                skus,
                quantities,
            ),
            max_size=3,
        )
    )
    packages = draw(
        st.lists(
            st.builds(
                lambda n, c, t: built(
                    ShipmentPackage, package_number=n, carrier=c, tracking_number=t
                ),
                short_text,
                st.none() | text,
                st.none() | text,
            ),
            max_size=2,
        )
    )
    return built(
        Shipment,
        shipment_id=draw(short_text),
        order_id=draw(ids),
        status=draw(st.sampled_from(["SHIPPED", "PENDING", "CANCELLED_BY_SELLER"]) | text),
        shipped_at=draw(st.none() | moments),
        items=tuple(items),
        packages=tuple(packages),
    )


@st.composite
def financial_events(draw: st.DrawFn) -> FinancialEvent:
    cur = draw(currencies)
    components = draw(
        st.lists(
            st.builds(
                lambda kind, kind_type, amount, sku: built(
                    FinancialComponent, kind=kind, type=kind_type, amount=amount, seller_sku=sku
                ),
                st.sampled_from(ComponentKind),
                st.sampled_from(["Principal", "Tax", "Commission", "ShippingCharge"]) | text,
                money(cur),
                st.none() | skus,
            ),
            max_size=4,
        )
    )
    return built(
        FinancialEvent,
        event_type=draw(st.sampled_from(["Shipment", "Refund", "ServiceFee", "Adjustment"]) | text),
        components=tuple(components),
        posted_date=draw(st.none() | moments),
        order_id=draw(st.none() | ids),
    )


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.decimals(allow_nan=False, allow_infinity=False, places=4)
    | text
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=20,
)
string_records = st.dictionaries(st.text(max_size=8), text, max_size=8)


@st.composite
def hostile_json(draw: st.DrawFn) -> str:
    """JSON text a hostile server could send: huge numbers, deep nesting, broken syntax."""
    pieces = st.sampled_from(
        [
            "1e350000",
            "1e10000000",
            "-1e5000",
            "9" * 5000,
            "1.5",
            "[" * 2000,
            '{"a":' * 100,
            "NaN",
            "Infinity",
            '"\\ud800"',
            "\x00",
            "١٢٣",
            "{}",
            "[]",
            "null",
            '""',
        ]
    )
    if draw(st.booleans()):
        return draw(pieces)
    import json

    value = draw(json_values)
    return json.dumps(value, default=str)
