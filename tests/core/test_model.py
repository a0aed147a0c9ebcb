from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amazon_erp_bridge.errors import UnbalancedJournalError, ValidationError
from amazon_erp_bridge.model import (
    Address,
    FinancialComponent,
    FinancialEvent,
    InventoryLevel,
    ItemRef,
    JournalEntry,
    JournalLine,
    Money,
    Order,
    OrderLine,
    OrderStatus,
    Settlement,
    SettlementLine,
    Shipment,
    ShipmentItem,
    ShipmentPackage,
    from_dict,
    from_json,
    to_dict,
    to_json,
)

NOW = datetime(2026, 3, 2, 14, 23, tzinfo=UTC)


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def test_journal_entry_refuses_to_exist_unbalanced():
    with pytest.raises(
        UnbalancedJournalError, match=r"settlement-1: debits and credits differ by 0.01 USD"
    ):
        JournalEntry(
            reference="settlement-1",
            posting_date=date(2026, 3, 17),
            lines=(JournalLine("1100", usd("10.00")), JournalLine("4000", usd("-9.99"))),
        )


def test_journal_entry_balances_per_currency():
    lines = (
        JournalLine("1100", usd("10.00")),
        JournalLine("4000", usd("-10.00")),
        JournalLine("1100", Money.of("5", "EUR")),
        JournalLine("4000", Money.of("-4", "EUR")),
    )
    with pytest.raises(UnbalancedJournalError, match="1 EUR"):
        JournalEntry(reference="x", posting_date=date(2026, 3, 17), lines=lines)


def test_journal_entry_needs_lines():
    with pytest.raises(ValidationError, match="has no lines"):
        JournalEntry(reference="x", posting_date=date(2026, 3, 17), lines=())


def test_journal_line_debit_and_credit():
    line = JournalLine("4000", usd("-12.50"))
    assert line.credit == usd("12.50")
    assert line.debit == usd("0")


def test_naive_datetime_is_refused_with_the_field_name():
    with pytest.raises(ValidationError, match=r"Order.purchase_date: .* has no time zone"):
        Order(
            order_id="1",
            purchase_date=datetime(2026, 3, 1),
            last_updated=NOW,
            status=OrderStatus.SHIPPED,
        )


def test_unknown_order_status_is_refused():
    with pytest.raises(ValueError, match="Teleported"):
        Order(order_id="1", purchase_date=NOW, last_updated=NOW, status="Teleported")


def test_item_ref_needs_an_identifier():
    with pytest.raises(ValidationError, match="at least one of seller_sku, asin or fnsku"):
        ItemRef()


def test_negative_quantity_is_refused():
    with pytest.raises(ValidationError, match=r"OrderLine.quantity: expected >= 0, got -1"):
        OrderLine(line_id="1", item=ItemRef(seller_sku="S"), quantity=-1)


def test_country_code_must_be_alpha_2():
    with pytest.raises(ValidationError, match="ISO 3166 alpha-2"):
        Address(country_code="USA")
    assert Address(country_code="gb").country_code == "GB"


def test_unit_price_is_the_line_total_per_unit():
    line = OrderLine(line_id="1", item=ItemRef(asin="B0"), quantity=4, item_price=usd("10.00"))
    assert line.unit_price == usd("2.50")
    free = OrderLine(line_id="2", item=ItemRef(asin="B0"), quantity=0, item_price=usd("1"))
    assert free.unit_price is None


def test_settlement_lines_total():
    s = Settlement(
        settlement_id="1",
        start=NOW,
        end=NOW,
        total=usd("5"),
        lines=(
            SettlementLine("Order", "ItemPrice", "Principal", usd("7")),
            SettlementLine("Order", "ItemFees", "Commission", usd("-2")),
        ),
    )
    assert s.lines_total() == usd("5")
    assert s.lines[0].key == ("Order", "ItemPrice", "Principal")


def test_malformed_json_names_the_position():
    with pytest.raises(
        ValidationError, match=r"cannot read Money: malformed JSON at line 1 column 2"
    ):
        from_json("{oops", Money)


def test_structurally_wrong_data_lists_every_bad_field():
    with pytest.raises(ValidationError) as info:
        from_dict({"order_id": "1", "purchase_date": "yesterday", "status": "Shipped"}, Order)
    text = str(info.value)
    assert "Order.purchase_date" in text
    assert "Order.last_updated" in text
    assert "required field missing" in text


def test_unknown_currency_in_json_is_a_validation_error():
    with pytest.raises(ValidationError, match="XYZ"):
        from_json('{"amount": "1.00", "currency": "XYZ"}', Money)


def test_unexpected_keys_are_refused():
    with pytest.raises(ValidationError, match="unexpected field.* fx"):
        from_dict({"amount": "1", "currency": "USD", "fx": 1}, Money)


def test_decimal_scale_survives_json():
    money = from_json(to_json(usd("10.50")), Money)
    assert str(money.amount) == "10.50"
    assert to_dict(usd("10.50")) == {"amount": "10.50", "currency": "USD"}


def test_datetimes_keep_their_offset():
    tz = timezone(timedelta(hours=9))
    order = Order(
        order_id="1", purchase_date=NOW.astimezone(tz), last_updated=NOW, status="Pending"
    )
    data = to_dict(order)
    assert data["purchase_date"].endswith("+09:00")
    assert from_dict(data, Order).purchase_date.utcoffset() == timedelta(hours=9)


# Round trips of every model class, generated by hypothesis.

texts = st.text(min_size=1, max_size=12).filter(str.strip)
opt_texts = st.none() | texts
aware = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
currencies = st.sampled_from(["USD", "EUR", "GBP", "JPY", "KWD"])


@st.composite
def money(draw, currency=None):
    cur = currency or draw(currencies)
    return Money(draw(st.decimals(-(10**7), 10**7, places=2, allow_nan=False)), cur)


items = st.builds(ItemRef, seller_sku=texts, asin=opt_texts, fnsku=opt_texts)
lines = st.builds(
    OrderLine,
    line_id=texts,
    item=items,
    quantity=st.integers(0, 1000),
    quantity_shipped=st.integers(0, 1000),
    item_price=st.none() | money(),
)
addresses = st.builds(
    Address,
    name=opt_texts,
    line1=opt_texts,
    city=opt_texts,
    postal_code=opt_texts,
    country_code=st.none() | st.sampled_from(["US", "GB", "DE", "JP"]),
)
orders = st.builds(
    Order,
    order_id=texts,
    purchase_date=aware,
    last_updated=aware,
    status=st.sampled_from(list(OrderStatus)),
    fulfillment_channel=st.none() | st.sampled_from(["AFN", "MFN"]),
    order_total=st.none() | money(),
    lines=st.lists(lines, max_size=3).map(tuple),
    ship_address=st.none() | addresses,
    is_business_order=st.booleans(),
    attributes=st.dictionaries(texts, texts, max_size=2),
)
settlement_lines = st.builds(
    SettlementLine,
    transaction_type=texts,
    amount_type=st.text(max_size=8),
    amount_description=st.text(max_size=8),
    amount=money("EUR"),
    posted_date=st.none() | aware,
    quantity_purchased=st.none() | st.integers(0, 99),
    extra=st.dictionaries(texts, st.text(max_size=5), max_size=2),
)
settlements = st.builds(
    Settlement,
    settlement_id=texts,
    start=aware,
    end=aware,
    total=money("EUR"),
    lines=st.lists(settlement_lines, max_size=4).map(tuple),
)
events = st.builds(
    FinancialEvent,
    event_type=texts,
    posted_date=st.none() | aware,
    components=st.lists(
        st.builds(
            FinancialComponent,
            kind=st.sampled_from(["Charge", "Fee", "Promotion"]),
            type=texts,
            amount=money(),
        ),
        max_size=3,
    ).map(tuple),
)
shipments = st.builds(
    Shipment,
    shipment_id=texts,
    order_id=texts,
    status=texts,
    shipped_at=st.none() | aware,
    items=st.lists(st.builds(ShipmentItem, seller_sku=texts, quantity=st.integers(0, 9))).map(
        tuple
    ),
    packages=st.lists(st.builds(ShipmentPackage, package_number=texts)).map(tuple),
)
inventory = st.builds(
    InventoryLevel,
    item=items,
    fulfillable=st.integers(0, 10**6),
    reserved=st.integers(0, 10**6),
    updated_at=st.none() | aware,
)


@st.composite
def journals(draw):
    amounts = draw(st.lists(money("USD"), min_size=1, max_size=5))
    balancing = -Money.total(amounts, "USD")
    entry_lines = [JournalLine(draw(texts), a) for a in amounts]
    entry_lines.append(JournalLine("1100", balancing, dimensions={"channel": "amazon"}))
    return JournalEntry(
        reference=draw(texts),
        posting_date=draw(st.dates()),
        lines=tuple(entry_lines),
    )


@pytest.mark.parametrize(
    ("strategy", "cls"),
    [
        (orders, Order),
        (settlements, Settlement),
        (events, FinancialEvent),
        (shipments, Shipment),
        (inventory, InventoryLevel),
        (journals(), JournalEntry),
        (addresses, Address),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_every_model_round_trips_through_json(strategy, cls):
    @given(strategy)
    def check(obj):
        assert from_json(to_json(obj), cls) == obj
        assert from_dict(to_dict(obj), cls) == obj

    check()


@given(journals())
def test_generated_journals_balance(entry):
    assert all(total == 0 for total in entry.totals_by_currency().values())
    assert entry.debit_total("USD") == entry.credit_total("USD")
