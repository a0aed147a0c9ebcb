import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amazon_erp_bridge.errors import CurrencyMismatchError, IntegrityError, MappingError
from amazon_erp_bridge.mapping import (
    AMAZON_DEFAULT_ACCOUNTS,
    GlAccount,
    GlAccountMap,
    GlRule,
    SettlementCurrencyError,
    SettlementTieOutError,
    UnmappedSettlementLines,
    settlement_line_account,
    settlement_to_journal,
)
from amazon_erp_bridge.model import Money, Settlement

from .samples import DEPOSIT, END, ORDER_ID, START, gbp, line, uk_settlement, uk_settlement_lines


def by_account(entry):
    totals: dict[str, Decimal] = {}
    for ln in entry.lines[1:]:
        totals[ln.account] = totals.get(ln.account, Decimal(0)) + ln.amount.amount
    return totals


def test_settlement_becomes_one_balanced_entry_referencing_the_settlement():
    settlement = uk_settlement()
    entry = settlement_to_journal(settlement, AMAZON_DEFAULT_ACCOUNTS)
    assert entry.reference == "18906543210"
    assert entry.totals_by_currency() == {"GBP": Decimal(0)}
    assert entry.source == "amazon-settlement"
    assert entry.document_date == date(2026, 3, 15)


def test_deposit_debits_the_clearing_account_with_the_settlement_total():
    settlement = uk_settlement()
    bank = settlement_to_journal(settlement, AMAZON_DEFAULT_ACCOUNTS).lines[0]
    assert bank.account == "1290"
    assert bank.amount == settlement.total == gbp("5.32")
    assert bank.debit == gbp("5.32")
    assert bank.reference == "18906543210"


def test_principal_credits_revenue_and_fees_debit_expense():
    totals = by_account(settlement_to_journal(uk_settlement(), AMAZON_DEFAULT_ACCOUNTS))
    assert totals["4000"] == Decimal("-49.98")  # two principals credited
    assert totals["4010"] == Decimal("-3.99")
    assert totals["5100"] == Decimal("5.70")  # 4.50 + 3.00 - 2.40 + 0.60 debited
    assert totals["5200"] == Decimal("5.96")
    assert totals["4060"] == Decimal("19.99")  # refund debits refunds
    assert totals["4050"] == Decimal("2.00")
    assert totals["5300"] == Decimal("25.00")


def test_collected_and_withheld_tax_net_to_zero_and_leave_no_line():
    entry = settlement_to_journal(uk_settlement(), AMAZON_DEFAULT_ACCOUNTS)
    assert "2200" not in {ln.account for ln in entry.lines}


def test_reserve_rows_move_the_reserve_balance_sheet_account():
    totals = by_account(settlement_to_journal(uk_settlement(), AMAZON_DEFAULT_ACCOUNTS))
    # 40.00 released (credit) and 30.00 held back again (debit): net credit 10.00
    assert totals["1292"] == Decimal("-10.00")


def test_lines_aggregate_per_account_and_dimensions():
    dims = {"channel": "uk"}
    m = GlAccountMap(
        clearing=GlAccount("1290"),
        rules=[
            GlRule("Order", "ItemPrice", "*", GlAccount("4000", dims)),
            GlRule("*", "ItemFees", "*", GlAccount("4000")),
        ],
    )
    lines = (
        line("Order", "ItemPrice", "Principal", "10.00"),
        line("Order", "ItemPrice", "Shipping", "2.00"),
        line("Order", "ItemFees", "Commission", "-1.50"),
    )
    entry = settlement_to_journal(uk_settlement(lines=lines), m)
    assert [(ln.account, dict(ln.dimensions), ln.amount) for ln in entry.lines[1:]] == [
        ("4000", dims, gbp("-12.00")),
        ("4000", {}, gbp("1.50")),
    ]


def test_detail_keeps_one_line_per_order_with_the_order_id_as_reference():
    entry = settlement_to_journal(uk_settlement(), AMAZON_DEFAULT_ACCOUNTS, detail=True)
    revenue = [ln for ln in entry.lines if ln.account == "4000"]
    assert {ln.reference: ln.amount for ln in revenue} == {
        ORDER_ID: gbp("-29.99"),
        "206-5555555-1234567": gbp("-19.99"),
    }
    assert entry.totals_by_currency() == {"GBP": Decimal(0)}


def test_posting_date_is_the_deposit_date_else_the_end_date_else_given():
    assert settlement_to_journal(uk_settlement(), AMAZON_DEFAULT_ACCOUNTS).posting_date == (
        DEPOSIT.date()
    )
    no_deposit = uk_settlement(deposit_date=None)
    assert settlement_to_journal(no_deposit, AMAZON_DEFAULT_ACCOUNTS).posting_date == END.date()
    chosen = date(2026, 3, 31)
    assert (
        settlement_to_journal(
            uk_settlement(), AMAZON_DEFAULT_ACCOUNTS, posting_date=chosen
        ).posting_date
        == chosen
    )


def test_settlement_charging_the_seller_credits_the_clearing_account():
    lines = (line("ServiceFee", "", "Subscription", "-39.00"),)
    entry = settlement_to_journal(uk_settlement(lines=lines), AMAZON_DEFAULT_ACCOUNTS)
    assert entry.lines[0].credit == gbp("39.00")
    assert entry.lines[1].debit == gbp("39.00")


def test_unmapped_combinations_raise_one_error_listing_all_with_counts_and_totals():
    lines = (
        *uk_settlement_lines(),
        line("Order", "ItemFees", "BrandNewFee", "-0.10"),
        line("Order", "ItemFees", "BrandNewFee", "-0.20"),
        line("Mystery", "", "Storage Fee", "-8.15"),
    )
    m = GlAccountMap(clearing=GlAccount("1290"), rules=[GlRule("Order", "*", "*", GlAccount("4"))])
    with pytest.raises(UnmappedSettlementLines) as caught:
        settlement_to_journal(uk_settlement(lines=lines), m)
    message = caught.value.message
    assert message.startswith("settlement 18906543210 has 7 amount kinds with no GL account:")
    assert "(Refund, ItemPrice, Principal)" in message
    assert "(Mystery, , Storage Fee)" in message
    assert re.search(r"\(Mystery, , Storage Fee\) +x 1 line, total -8\.15 GBP\n", message)
    assert message.endswith("Add them to the account map, or set a default account.")
    assert isinstance(caught.value, MappingError)
    keys = {u.key: u for u in caught.value.unmapped}
    assert keys[("Refund", "ItemFees", "Commission")].totals == (gbp("2.40"),)


def test_unmapped_message_counts_lines_and_sums_them():
    lines = (
        line("Order", "ItemFees", "DigitalServicesFee", "-0.30"),
        line("Order", "ItemFees", "DigitalServicesFee", "-0.20"),
    )
    m = GlAccountMap(clearing=GlAccount("1290"))
    with pytest.raises(
        UnmappedSettlementLines,
        match=r"\(Order, ItemFees, DigitalServicesFee\) "
        r"x 2 lines, total -0.50 GBP",
    ):
        settlement_to_journal(uk_settlement(lines=lines), m)


def test_a_default_account_takes_what_no_rule_matches():
    suspense = GlAccount("1999", {}, "Amazon suspense")
    m = GlAccountMap(clearing=GlAccount("1290"), default=suspense)
    entry = settlement_to_journal(uk_settlement(), m)
    assert {ln.account for ln in entry.lines} == {"1290", "1999"}


def test_mixed_currencies_in_a_settlement_name_the_line_and_field():
    lines = (
        line("Order", "ItemPrice", "Principal", "10.00"),
        line("Order", "ItemPrice", "Principal", "12.00", currency="EUR", order_id="302-1"),
    )
    settlement = Settlement("S-1", START, END, gbp("22.00"), deposit_date=DEPOSIT, lines=lines)
    with pytest.raises(SettlementCurrencyError) as caught:
        settlement_to_journal(settlement, AMAZON_DEFAULT_ACCOUNTS)
    assert isinstance(caught.value, MappingError)
    assert isinstance(caught.value, CurrencyMismatchError)
    assert "settlement S-1: 1 line(s) not in the settlement currency GBP" in caught.value.message
    assert "line 2 (Order, ItemPrice, Principal, order 302-1) amount 12.00 EUR" in (
        caught.value.message
    )


def test_settlement_that_does_not_tie_out_names_both_figures():
    # the published documentation sample: total 1847.32 GBP, rows summing to -1863.64
    lines = (
        line("Order", "ItemPrice", "Principal", "29.99"),
        line("Order", "ItemPrice", "Shipping", "3.99"),
        line("Order", "ItemFees", "Commission", "-4.50"),
        line("Order", "ItemFees", "FBAPerUnitFulfillmentFee", "-3.21"),
        line("Refund", "ItemPrice", "Principal", "-19.99"),
        line("Refund", "ItemFees", "Commission", "2.40"),
        line("Service Fee", "other", "Subscription", "-25.00"),
        line("Transfer", "", "", "-1847.32"),
    )
    settlement = uk_settlement(lines=lines, total=gbp("1847.32"))
    with pytest.raises(SettlementTieOutError) as caught:
        settlement_to_journal(settlement, AMAZON_DEFAULT_ACCOUNTS)
    assert isinstance(caught.value, IntegrityError)
    assert "lines sum to -1863.64 GBP but total-amount is 1847.32 GBP" in caught.value.message


def test_a_user_rule_can_replace_the_account_decision():
    def by_sku(ln, accounts):
        if ln.sku == "WIDGET-001" and ln.amount_type == "ItemPrice":
            return GlAccount("4200", {"product_line": "widgets"})
        return settlement_line_account(ln, accounts)

    entry = settlement_to_journal(uk_settlement(), AMAZON_DEFAULT_ACCOUNTS, account_for=by_sku)
    widgets = [ln for ln in entry.lines if ln.account == "4200"]
    assert [(ln.amount, dict(ln.dimensions)) for ln in widgets] == [
        (gbp("-39.98"), {"product_line": "widgets"})
    ]
    assert entry.totals_by_currency() == {"GBP": Decimal(0)}


# --- properties ------------------------------------------------------------------------

KEYS = [
    ("Order", "ItemPrice", "Principal"),
    ("Order", "ItemPrice", "Shipping"),
    ("Order", "ItemPrice", "Tax"),
    ("Order", "ItemFees", "Commission"),
    ("Order", "ItemFees", "FBAPerUnitFulfillmentFee"),
    ("Refund", "ItemPrice", "Principal"),
    ("Order", "Promotion", "Principal"),
    ("other-transaction", "other-transaction", "Current Reserve Amount"),
    ("ServiceFee", "", "Subscription"),
    ("Transfer", "", ""),
]


@st.composite
def settlements(draw):
    currency = draw(st.sampled_from(["GBP", "USD", "JPY", "KWD", "EUR"]))
    places = Money.zero(currency).minor_units
    raw = draw(
        st.lists(
            st.tuples(
                st.sampled_from(KEYS),
                st.integers(min_value=-(10**7), max_value=10**7),
                st.sampled_from(["111-0000001-0000001", "111-0000002-0000002", None]),
            ),
            max_size=30,
        )
    )
    lines = tuple(
        line(*key, str(Decimal(units).scaleb(-places)), currency=currency, order_id=order)
        for key, units, order in raw
    )
    total = Money.total((ln.amount for ln in lines), currency)
    return Settlement("P-1", START, END, total, deposit_date=DEPOSIT, lines=lines)


@settings(max_examples=80, deadline=None)
@given(settlements(), st.booleans())
def test_every_journal_balances_and_its_bank_line_is_the_settlement_total(settlement, detail):
    entry = settlement_to_journal(settlement, AMAZON_DEFAULT_ACCOUNTS, detail=detail)
    assert all(total == 0 for total in entry.totals_by_currency().values())
    assert entry.lines[0].account == "1290"
    assert entry.lines[0].amount == settlement.total
    assert entry.debit_total(settlement.currency) == entry.credit_total(settlement.currency)


@settings(max_examples=50, deadline=None)
@given(settlements(), st.randoms(use_true_random=False))
def test_mapping_is_deterministic_and_independent_of_line_order(settlement, rnd):
    first = settlement_to_journal(settlement, AMAZON_DEFAULT_ACCOUNTS)
    assert settlement_to_journal(settlement, AMAZON_DEFAULT_ACCOUNTS) == first
    shuffled = list(settlement.lines)
    rnd.shuffle(shuffled)
    again = settlement_to_journal(
        Settlement(
            settlement.settlement_id,
            settlement.start,
            settlement.end,
            settlement.total,
            deposit_date=settlement.deposit_date,
            lines=tuple(shuffled),
        ),
        AMAZON_DEFAULT_ACCOUNTS,
    )
    assert by_account(again) == by_account(first)
