"""Cash application as a pure function: settlements clear the receivables of their invoices."""

from __future__ import annotations

import pytest
from attrs import evolve

from amazon_erp_bridge.errors import ConfigurationError
from amazon_erp_bridge.mapping import (
    AMAZON_DEFAULT_ACCOUNTS,
    GlAccount,
    settlement_tie_out,
    settlement_to_journal,
)
from amazon_erp_bridge.mapping.cash_application import (
    OpenReceivable,
    ReceivableRules,
    apply_cash,
    order_payments,
)
from amazon_erp_bridge.model import Money

from .samples import ORDER_ID, REFUND_ID, gbp, uk_settlement

SECOND = "206-5555555-1234567"
RULES = ReceivableRules("AMZUK", GlAccount("1200", text="Amazon customer receivable"))
ACCOUNTS = evolve(AMAZON_DEFAULT_ACCOUNTS, default=GlAccount("1999"))


def table(application):
    applied = [(a.order_id, str(a.amount), a.invoices) for a in application.applied]
    unmatched = [
        (u.order_id, u.paid and str(u.paid), u.invoiced and str(u.invoiced), u.reason)
        for u in application.unmatched
    ]
    return applied, unmatched


def test_what_the_settlement_paid_per_order_is_its_receivable_rows():
    paid = order_payments(uk_settlement(), RULES)
    # the refund is not a payment of an order's invoice; fees are not either
    assert paid == {ORDER_ID: gbp("31.98"), SECOND: gbp("19.99")}


@pytest.mark.parametrize(
    ("receivables", "applied", "unmatched"),
    [
        (  # both invoices paid exactly
            [
                OpenReceivable(ORDER_ID, gbp("31.98"), "I-1"),
                OpenReceivable(SECOND, gbp("19.99"), "I-2"),
            ],
            [(ORDER_ID, "31.98 GBP", ("I-1",)), (SECOND, "19.99 GBP", ("I-2",))],
            [],
        ),
        (  # one order split over two invoices (two shipments)
            [
                OpenReceivable(ORDER_ID, gbp("20.00"), "I-1"),
                OpenReceivable(ORDER_ID, gbp("11.98"), "I-3"),
                OpenReceivable(SECOND, gbp("19.99"), "I-2"),
            ],
            [(ORDER_ID, "31.98 GBP", ("I-1", "I-3")), (SECOND, "19.99 GBP", ("I-2",))],
            [],
        ),
        (  # paid but never invoiced; invoiced a different amount; an invoice still open
            [
                OpenReceivable(ORDER_ID, gbp("32.00"), "I-1"),
                OpenReceivable(REFUND_ID, gbp("19.99"), "I-9"),
            ],
            [],
            [
                (
                    ORDER_ID,
                    "31.98 GBP",
                    "32.00 GBP",
                    "paid 31.98 GBP but the open receivable is 32.00 GBP (difference -0.02 GBP)",
                ),
                (
                    SECOND,
                    "19.99 GBP",
                    None,
                    "no open receivable: not invoiced in the ERP (or already cleared)",
                ),
                (REFUND_ID, None, "19.99 GBP", "still open: not paid by this settlement"),
            ],
        ),
        (  # invoiced in another currency
            [
                OpenReceivable(ORDER_ID, Money.of("31.98", "EUR")),
                OpenReceivable(SECOND, gbp("19.99")),
            ],
            [(SECOND, "19.99 GBP", ())],
            [(ORDER_ID, "31.98 GBP", "31.98 EUR", "invoiced in EUR, paid in GBP")],
        ),
    ],
)
def test_cash_application_table(receivables, applied, unmatched):
    assert table(apply_cash(uk_settlement(), receivables, RULES)) == (applied, unmatched)


def test_unmatched_amounts_show_their_difference_and_print_with_reasons():
    application = apply_cash(uk_settlement(), [OpenReceivable(ORDER_ID, gbp("32.00"))], RULES)
    off = application.unmatched[0]
    assert off.difference == gbp("-0.02")
    text = str(application)
    assert "0 orders applied, 2 unmatched" in text
    assert f"{SECOND}: paid 19.99 GBP, invoiced -: no open receivable" in text


def test_the_journal_clears_applied_orders_and_books_the_rest_as_revenue():
    settlement = uk_settlement()
    application = apply_cash(settlement, [OpenReceivable(ORDER_ID, gbp("31.98"), "I-1")], RULES)
    entry = settlement_to_journal(settlement, ACCOUNTS, receivables=RULES, applied=application)
    debtor = [(ln.reference, ln.amount, ln.customer) for ln in entry.receivable_lines()]
    assert debtor == [(ORDER_ID, gbp("-31.98"), "AMZUK")]
    revenue = {ln.account: ln.amount for ln in entry.lines if ln.account == "4000"}
    assert revenue == {"4000": gbp("-19.99")}  # the unmatched second order, as revenue
    tie = settlement_tie_out(settlement, entry, ACCOUNTS)
    assert tie.deposit == settlement.total
    assert application.cleared("GBP") == gbp("31.98")


def test_receivable_rules_refuse_a_blank_customer_and_malformed_keys():
    with pytest.raises(ConfigurationError, match="Amazon customer account"):
        ReceivableRules(" ", GlAccount("1200"))
    with pytest.raises(ConfigurationError, match="is not \\(transaction-type, amount-type"):
        ReceivableRules("AMZUK", GlAccount("1200"), keys=[("Order", "ItemPrice")])


def test_receivable_keys_are_data():
    principal_only = ReceivableRules(
        "AMZUK", GlAccount("1200"), keys=[("Order", "Item Price", "principal")]
    )
    assert order_payments(uk_settlement(), principal_only) == {
        ORDER_ID: gbp("29.99"),
        SECOND: gbp("19.99"),
    }


def test_each_marketplace_books_to_its_own_customer():
    rules = ReceivableRules("AMZ-OTHER", GlAccount("1200"), marketplaces={"Amazon.co.uk": "AMZUK"})
    entry = settlement_to_journal(uk_settlement(), ACCOUNTS, receivables=rules)
    assert {ln.customer for ln in entry.receivable_lines()} == {"AMZUK"}
    assert rules.customer_for("amazon.de") == "AMZ-OTHER"
