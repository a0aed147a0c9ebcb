from datetime import date
from decimal import Decimal

import pytest

from amazon_erp_bridge.errors import ConfigurationError, MappingError
from amazon_erp_bridge.mapping import (
    AMAZON_DEFAULT_ACCOUNTS,
    DEFAULT_EVENT_KEYS,
    EventKeyRules,
    GlAccount,
    GlAccountMap,
    UnmappedFinancialEvents,
    financial_event_account,
    financial_event_key,
    financial_events_to_journal,
    reverse_daily_postings,
    reverse_entry,
    settlement_to_journal,
)
from amazon_erp_bridge.model import (
    ComponentKind,
    FinancialComponent,
    FinancialEvent,
    JournalEntry,
    JournalLine,
    Money,
)

from .samples import gbp, line, shipment_event, uk_settlement, usd

DAY = date(2026, 3, 3)


def test_event_amounts_use_the_settlement_keys():
    event = shipment_event("111-1", "29.99", "-4.50")
    keys = [financial_event_key(event, c) for c in event.components]
    assert keys == [
        ("Order", "ItemPrice", "Principal"),
        ("Order", "ItemPrice", "Shipping"),
        ("Order", "ItemFees", "Commission"),
        ("Order", "ItemFees", "FBAPerUnitFulfillmentFee"),
    ]


def test_unknown_event_names_pass_through_unchanged():
    event = FinancialEvent(
        "Retrocharge", (FinancialComponent(ComponentKind.OTHER, "Something", usd("1.00")),)
    )
    assert financial_event_key(event, event.components[0]) == (
        "Retrocharge",
        "other-transaction",
        "Something",
    )


def test_daily_events_book_against_the_unsettled_receivable():
    events = [
        shipment_event("111-1", "29.99", "-4.50"),
        shipment_event("111-2", "10.00", "-1.50"),
    ]
    (entry,) = financial_events_to_journal(
        events, AMAZON_DEFAULT_ACCOUNTS, reference="AMZ-2026-03-03", posting_date=DAY
    )
    assert entry.reference == "AMZ-2026-03-03-USD"
    assert entry.posting_date == DAY
    assert entry.source == "amazon-financial-events"
    receivable = entry.lines[0]
    assert receivable.account == "1291"
    assert receivable.amount == usd("35.55")  # 39.99 + 7.98 - 6.00 - 6.42
    amounts = {ln.account: ln.amount for ln in entry.lines[1:]}
    assert amounts == {
        "4000": usd("-39.99"),
        "4010": usd("-7.98"),
        "5100": usd("6.00"),
        "5200": usd("6.42"),
    }


def test_one_entry_per_currency_sorted():
    events = [
        shipment_event("111-1", "29.99", "-4.50", "USD"),
        shipment_event("302-1", "19.99", "-3.00", "EUR"),
    ]
    entries = financial_events_to_journal(
        events, AMAZON_DEFAULT_ACCOUNTS, reference="D1", posting_date=DAY
    )
    assert [e.reference for e in entries] == ["D1-EUR", "D1-USD"]
    assert all(e.currencies == (e.reference[-3:],) for e in entries)


def test_detail_keeps_order_references():
    events = [shipment_event("111-1", "29.99", "-4.50"), shipment_event("111-2", "10.00", "-1")]
    (entry,) = financial_events_to_journal(
        events, AMAZON_DEFAULT_ACCOUNTS, reference="D", posting_date=DAY, detail=True
    )
    assert {ln.reference for ln in entry.lines if ln.account == "4000"} == {"111-1", "111-2"}


def test_unmapped_event_amounts_are_listed_at_once():
    event = FinancialEvent(
        "Retrocharge",
        (
            FinancialComponent(ComponentKind.CHARGE, "BaseTax", usd("-1.00")),
            FinancialComponent(ComponentKind.CHARGE, "BaseTax", usd("-2.00")),
        ),
    )
    with pytest.raises(UnmappedFinancialEvents) as caught:
        financial_events_to_journal(
            [event], AMAZON_DEFAULT_ACCOUNTS, reference="D", posting_date=DAY
        )
    assert isinstance(caught.value, MappingError)
    assert "financial events D have 1 amount kind with no GL account" in caught.value.message
    assert "(Retrocharge, ItemPrice, BaseTax) x 2 lines, total -3.00 USD" in caught.value.message


def test_a_map_without_unsettled_account_is_a_configuration_error():
    m = GlAccountMap(clearing=GlAccount("1290"))
    with pytest.raises(ConfigurationError, match="no 'unsettled' account"):
        financial_events_to_journal([], m, reference="D", posting_date=DAY)


def test_custom_event_keys_and_account_rule_plug_in():
    keys = EventKeyRules(
        transaction_types={**DEFAULT_EVENT_KEYS.transaction_types, "Retrocharge": "Order"},
        amount_types=DEFAULT_EVENT_KEYS.amount_types,
    )
    event = FinancialEvent(
        "Retrocharge", (FinancialComponent(ComponentKind.CHARGE, "Principal", usd("-1.00")),)
    )
    (entry,) = financial_events_to_journal(
        [event], AMAZON_DEFAULT_ACCOUNTS, reference="D", posting_date=DAY, keys=keys
    )
    assert entry.lines[1].account == "4000"

    def everything_to_suspense(event, component, accounts):
        return GlAccount("1999")

    (entry,) = financial_events_to_journal(
        [event],
        AMAZON_DEFAULT_ACCOUNTS,
        reference="D",
        posting_date=DAY,
        account_for=everything_to_suspense,
    )
    assert entry.lines[1].account == "1999"
    event2 = shipment_event("1", "1.00", "-0.10")
    assert financial_event_account(event2, event2.components[0], AMAZON_DEFAULT_ACCOUNTS) == (
        AMAZON_DEFAULT_ACCOUNTS.lookup(("Order", "ItemPrice", "Principal"))
    )


def test_events_that_net_to_nothing_produce_no_entry():
    event = FinancialEvent(
        "Shipment",
        (
            FinancialComponent(ComponentKind.CHARGE, "Principal", usd("5.00")),
            FinancialComponent(ComponentKind.CHARGE, "Principal", usd("-5.00")),
        ),
    )
    assert (
        financial_events_to_journal(
            [event], AMAZON_DEFAULT_ACCOUNTS, reference="D", posting_date=DAY
        )
        == ()
    )


def test_reverse_entry_mirrors_every_line():
    (entry,) = financial_events_to_journal(
        [shipment_event("111-1", "29.99", "-4.50")],
        AMAZON_DEFAULT_ACCOUNTS,
        reference="D",
        posting_date=DAY,
    )
    rev = reverse_entry(entry, posting_date=date(2026, 3, 17))
    assert rev.reference == "D-USD-REV"
    assert [ln.amount for ln in rev.lines] == [-ln.amount for ln in entry.lines]
    assert rev.posting_date == date(2026, 3, 17)


def test_reversal_rule_clears_the_receivable_when_the_settlement_posts():
    events = [
        FinancialEvent(
            "Shipment",
            (
                FinancialComponent(ComponentKind.CHARGE, "Principal", gbp("29.99")),
                FinancialComponent(ComponentKind.FEE, "Commission", gbp("-4.50")),
            ),
            order_id="206-1234567-8901234",
        )
    ]
    daily = financial_events_to_journal(
        events, AMAZON_DEFAULT_ACCOUNTS, reference="D-0302", posting_date=date(2026, 3, 2)
    )
    settlement = uk_settlement(
        lines=(
            line("Order", "ItemPrice", "Principal", "29.99"),
            line("Order", "ItemFees", "Commission", "-4.50"),
        )
    )
    reversals = reverse_daily_postings(daily, settlement)
    final = settlement_to_journal(settlement, AMAZON_DEFAULT_ACCOUNTS)
    assert [r.posting_date for r in reversals] == [final.posting_date]
    assert "replaced by Amazon settlement 18906543210" in reversals[0].text
    net: dict[str, Decimal] = {}
    for entry in (*daily, *reversals, final):
        for ln in entry.lines:
            net[ln.account] = net.get(ln.account, Decimal(0)) + ln.amount.amount
    assert net["1291"] == 0  # receivable cleared
    assert net["4000"] == Decimal("-29.99")  # revenue once, as settled
    assert net["1290"] == Decimal("25.49")  # the deposit


def test_reversal_refuses_an_entry_of_another_currency():
    other = JournalEntry(
        "D-EUR",
        DAY,
        (
            JournalLine("1291", Money.of("1.00", "EUR")),
            JournalLine("4000", Money.of("-1.00", "EUR")),
        ),
    )
    with pytest.raises(MappingError, match=r"journal entry D-EUR: currency EUR does not match"):
        reverse_daily_postings([other], uk_settlement())
