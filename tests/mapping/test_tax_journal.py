"""Settlement and financial-event journals with tax lines (code, base) and receivable lines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from attrs import evolve
from hypothesis import given, settings
from hypothesis import strategies as st

from amazon_erp_bridge.amazon.settlement import parse_settlement_report
from amazon_erp_bridge.errors import ConfigurationError, ValidationError
from amazon_erp_bridge.mapping import (
    AMAZON_DEFAULT_ACCOUNTS,
    GlAccount,
    financial_events_to_journal,
    reverse_entry,
    settlement_tie_out,
    settlement_to_journal,
)
from amazon_erp_bridge.mapping.cash_application import ReceivableRules
from amazon_erp_bridge.mapping.journal import settlement_taxes
from amazon_erp_bridge.mapping.tax import TaxRule, TaxRules, sales_tax_rules, split_gross
from amazon_erp_bridge.model import (
    ComponentKind,
    FinancialComponent,
    FinancialEvent,
    JournalLine,
    Money,
    Settlement,
    SettlementLine,
)
from amazon_erp_bridge.sandbox.amazon.settlement_files import generate_settlement

from .samples import ORDER_ID, gbp, uk_settlement

SAMPLES = Path(__file__).parents[2] / ".." / "shared" / "specs" / "settlement-samples"
INPUT_VAT = GlAccount("1570", text="Input VAT on Amazon fees")
TAXES = TaxRules(
    [
        *sales_tax_rules("O1", withheld_code="MF"),
        TaxRule("*", "ItemFees", "*", "I1", rate=Decimal("0.20"), account=INPUT_VAT),
        TaxRule("*", "Shipment-Fees", "*", "I1", rate=Decimal("0.20"), account=INPUT_VAT),
    ]
)
#: Every account an amount of any kind can land on: unknown kinds go to suspense.
ACCOUNTS = evolve(AMAZON_DEFAULT_ACCOUNTS, default=GlAccount("1999", text="Suspense"))
RECEIVABLE = ReceivableRules("AMZUK", GlAccount("1200", text="Amazon customer receivable"))

#: The V2 flat file's amount kinds: (transaction-type, amount-type, amount-description).
V2_KINDS = (
    ("Order", "ItemPrice", "Principal"),
    ("Order", "ItemPrice", "Tax"),
    ("Order", "ItemPrice", "Shipping"),
    ("Order", "ItemPrice", "ShippingTax"),
    ("Order", "ItemPrice", "GiftWrap"),
    ("Order", "ItemPrice", "GiftWrapTax"),
    ("Order", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal"),
    ("Order", "ItemWithheldTax", "MarketplaceFacilitatorTax-Shipping"),
    ("Order", "ItemWithheldTax", "MarketplaceFacilitatorTax-Giftwrap"),
    ("Order", "ItemWithheldTax", "MarketplaceFacilitatorVAT-Principal"),
    ("Order", "ItemWithheldTax", "LowValueGoodsTax-Principal"),
    ("Order", "Promotion", "Principal"),
    ("Order", "Promotion", "Shipping"),
    ("Order", "ItemFees", "Commission"),
    ("Order", "ItemFees", "FBAPerUnitFulfillmentFee"),
    ("Order", "ItemFees", "ShippingChargeback"),
    ("Order", "ItemFees", "GiftwrapChargeback"),
    ("Order", "ItemFees", "VariableClosingFee"),
    ("Order", "ItemFees", "DigitalServicesFee"),
    ("Order", "ItemFees", "MarketplaceFacilitatorVAT-Principal"),
    ("Refund", "ItemPrice", "Principal"),
    ("Refund", "ItemPrice", "Tax"),
    ("Refund", "ItemPrice", "RestockingFee"),
    ("Refund", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal"),
    ("Refund", "Promotion", "Principal"),
    ("Refund", "ItemFees", "Commission"),
    ("Refund", "ItemFees", "RefundCommission"),
    ("Shipment", "Shipment-Fees", "FBAPerOrderFulfillmentFee"),
    ("A-to-z Guarantee Refund", "ItemPrice", "Principal"),
    ("Chargeback Refund", "ItemPrice", "Principal"),
    ("ServiceFee", "other-transaction", "Subscription Fee"),
    ("ServiceFee", "other-transaction", "Storage Fee"),
    ("ServiceFee", "Cost of Advertising", "TransactionTotalAmount"),
    ("other-transaction", "other-transaction", "Storage Fee"),
    ("other-transaction", "FBA Inventory Reimbursement", "WAREHOUSE_DAMAGE"),
    ("other-transaction", "other-transaction", "Previous Reserve Amount Balance"),
    ("other-transaction", "other-transaction", "Current Reserve Amount"),
    ("Adjustment", "other-transaction", "Refund Reimbursal"),
    ("Transfer", "other-transaction", "Current Reserve Amount"),
    ("Transfer", "other-transaction", "Previous Reserve Amount Balance"),
)
START = datetime(2026, 3, 1, tzinfo=UTC)


def journal_taxes(entry) -> dict[str, Money]:
    return {code: total for (code, _), total in entry.tax_totals().items()}


def assert_ties_out(settlement: Settlement, entry, taxes: TaxRules = TAXES, **kwargs) -> None:
    """Balanced per currency, bank line = deposit, tax lines = the settlement's taxes."""
    assert all(total == 0 for total in entry.totals_by_currency().values())
    tie = settlement_tie_out(settlement, entry, ACCOUNTS)
    assert tie.deposit == settlement.total
    expected = {c: -m for c, m in settlement_taxes(settlement, taxes, **kwargs).items()}
    got = journal_taxes(entry)
    for code in expected.keys() | got.keys():
        zero = Money.zero(settlement.currency)
        assert got.get(code, zero) == expected.get(code, zero), code


def raw_reported_tax(settlement: Settlement) -> Money:
    """Independently of the mapping: every reported tax row of the settlement."""
    taxes = {"tax", "shippingtax", "giftwraptax"}
    return Money.total(
        (
            ln.amount
            for ln in settlement.lines
            if (ln.amount_type == "ItemPrice" and ln.amount_description.lower() in taxes)
            or ln.amount_type == "ItemWithheldTax"
        ),
        settlement.currency,
    )


def raw_fee_vat(settlement: Settlement) -> Money:
    """Independently: VAT in each gross fee row at 20 %, rounded half up to the cent."""
    total = Decimal(0)
    for ln in settlement.lines:
        if ln.amount_type in ("ItemFees", "Shipment-Fees"):
            total += (ln.amount.amount / 6).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    return Money(total, settlement.currency)


# --- tables -----------------------------------------------------------------------------


def test_sales_tax_lines_carry_tax_code_and_the_principal_as_base():
    entry = settlement_to_journal(uk_settlement(), ACCOUNTS, taxes=TAXES)
    taxes = [
        (ln.tax_code, ln.amount, ln.tax_base) for ln in entry.tax_lines() if ln.tax_code != "I1"
    ]
    assert taxes == [
        ("O1", gbp("-6.00"), gbp("-29.99")),  # collected: a credit on the Principal
        ("MF", gbp("6.00"), gbp("29.99")),  # withheld by Amazon again: a debit
    ]
    assert {ln.account for ln in entry.tax_lines() if ln.tax_code != "I1"} == {"2200"}


@pytest.mark.parametrize(
    ("gross", "net", "vat"),
    [
        ("-4.50", "-3.75", "-0.75"),
        ("-3.21", "-2.67", "-0.54"),
        ("2.40", "2.00", "0.40"),
        ("-0.01", "-0.01", "0.00"),
    ],
)
def test_vat_inside_a_gross_fee_is_split_out_half_up(gross, net, vat):
    assert split_gross(gbp(gross), Decimal("0.20")) == (gbp(net), gbp(vat))


def test_fee_vat_posts_to_input_vat_with_the_net_fee_as_base():
    one = uk_settlement(
        lines=(SettlementLine("Order", "ItemFees", "Commission", gbp("-4.50"), order_id=ORDER_ID),)
    )
    entry = settlement_to_journal(one, ACCOUNTS, taxes=TAXES)
    rows = [(ln.account, ln.amount, ln.tax_code, ln.tax_base) for ln in entry.lines]
    assert rows == [
        ("1290", gbp("-4.50"), None, None),
        ("5100", gbp("3.75"), "I1", None),
        ("1570", gbp("0.75"), "I1", gbp("3.75")),
    ]


def test_without_tax_rules_the_journal_has_no_tax_lines():
    assert settlement_to_journal(uk_settlement(), ACCOUNTS).tax_lines() == ()


def test_receivable_rows_credit_the_amazon_customer_per_order_instead_of_revenue():
    entry = settlement_to_journal(uk_settlement(), ACCOUNTS, taxes=TAXES, receivables=RECEIVABLE)
    debtor = {ln.reference: ln.amount for ln in entry.receivable_lines()}
    # 29.99 + 3.99 + 6.00 - 6.00 - 2.00 for the first order, 19.99 for the second
    assert debtor == {ORDER_ID: gbp("-31.98"), "206-5555555-1234567": gbp("-19.99")}
    assert all(ln.customer == "AMZUK" and ln.account == "1200" for ln in entry.receivable_lines())
    assert "4000" not in {ln.account for ln in entry.lines}  # no revenue twice
    assert_ties_out(uk_settlement(), entry, receivables=RECEIVABLE)


def test_financial_events_split_taxes_within_each_event():
    event = FinancialEvent(
        "Shipment",
        (
            FinancialComponent(ComponentKind.CHARGE, "Principal", gbp("20.00")),
            FinancialComponent(ComponentKind.CHARGE, "Tax", gbp("4.00")),
            FinancialComponent(ComponentKind.FEE, "Commission", gbp("-3.00")),
        ),
        order_id=ORDER_ID,
    )
    (entry,) = financial_events_to_journal(
        [event], ACCOUNTS, reference="2026-03-02", posting_date=date(2026, 3, 2), taxes=TAXES
    )
    rows = {(ln.account, ln.tax_code): (ln.amount, ln.tax_base) for ln in entry.lines}
    assert rows[("2200", "O1")] == (gbp("-4.00"), gbp("-20.00"))
    assert rows[("1570", "I1")] == (gbp("0.50"), gbp("2.50"))
    assert rows[("5100", "I1")] == (gbp("2.50"), None)
    assert rows[("1291", None)] == (gbp("21.00"), None)


def test_reversal_mirrors_tax_and_receivable_lines():
    entry = settlement_to_journal(uk_settlement(), ACCOUNTS, taxes=TAXES, receivables=RECEIVABLE)
    back = reverse_entry(entry, posting_date=date(2026, 3, 31))
    for a, b in zip(entry.lines, back.lines, strict=True):
        assert (b.amount, b.tax_code, b.customer) == (-a.amount, a.tax_code, a.customer)
        assert b.tax_base == (None if a.tax_base is None else -a.tax_base)


# --- the sandbox's settlements, the public V2 sample, generated ones ------------------


@pytest.mark.parametrize("seed", range(4))
def test_sandbox_settlements_tie_out_with_taxes_and_receivables(seed):
    settlement = generate_settlement(seed=seed, orders=25)
    for kwargs in ({}, {"receivables": RECEIVABLE}):
        entry = settlement_to_journal(settlement, ACCOUNTS, taxes=TAXES, **kwargs)
        assert_ties_out(settlement, entry, **kwargs)
    entry = settlement_to_journal(settlement, ACCOUNTS, taxes=TAXES)
    sales = [ln for ln in entry.tax_lines() if ln.tax_code in ("O1", "MF")]
    assert Money.total((ln.amount for ln in sales), "USD") == -raw_reported_tax(settlement)
    vat = [ln for ln in entry.tax_lines() if ln.tax_code == "I1"]
    assert Money.total((ln.amount for ln in vat), "USD") == -raw_fee_vat(settlement)


def test_public_v2_sample_ties_out_with_taxes():
    settlement = parse_settlement_report(SAMPLES / "xieyi138-settlement-sample.txt", check=False)
    entry = settlement_to_journal(settlement, ACCOUNTS, taxes=TAXES)
    assert_ties_out(settlement, entry)
    assert journal_taxes(entry)["I1"] == -raw_fee_vat(settlement)


def _settlement(rows: list[tuple[int, int, int]], currency: str) -> Settlement:
    lines = tuple(
        SettlementLine(
            *V2_KINDS[kind],
            Money(Decimal(cents).scaleb(-2), currency),
            order_id=f"206-0000000-{order:07d}"
            if V2_KINDS[kind][0] not in ("ServiceFee", "other-transaction", "Transfer")
            else None,
            posted_date=START + timedelta(hours=order),
        )
        for kind, order, cents in rows
    )
    return Settlement(
        "S-GEN",
        START,
        START + timedelta(days=14),
        Money.total((ln.amount for ln in lines), currency),
        deposit_date=START + timedelta(days=16),
        lines=lines,
    )


ROWS = st.lists(
    st.tuples(st.integers(0, len(V2_KINDS) - 1), st.integers(0, 5), st.integers(-50_000, 50_000)),
    min_size=1,
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(rows=ROWS, currency=st.sampled_from(["USD", "GBP", "EUR"]), receivable=st.booleans())
def test_generated_settlements_of_every_v2_amount_kind_tie_out(rows, currency, receivable):
    settlement = _settlement(rows, currency)
    kwargs = {"receivables": RECEIVABLE} if receivable else {}
    entry = settlement_to_journal(settlement, ACCOUNTS, taxes=TAXES, detail=True, **kwargs)
    assert_ties_out(settlement, entry, **kwargs)
    if not receivable:
        reported = Money.total(
            (ln.amount for ln in entry.tax_lines() if ln.tax_code in ("O1", "MF")), currency
        )
        assert reported == -raw_reported_tax(settlement)
    vat = Money.total((ln.amount for ln in entry.tax_lines() if ln.tax_code == "I1"), currency)
    assert vat == -raw_fee_vat(settlement)


def test_every_v2_kind_is_covered_by_the_generated_settlements():
    kinds = {k[1] for k in V2_KINDS}
    assert {
        "ItemPrice",
        "ItemWithheldTax",
        "Promotion",
        "ItemFees",
        "Shipment-Fees",
        "other-transaction",
        "Cost of Advertising",
        "FBA Inventory Reimbursement",
    } <= kinds


# --- bad configuration and lines --------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"rate": Decimal("0.20")}, "needs the account the VAT posts to"),
        ({"rate": Decimal("20"), "account": INPUT_VAT}, "expected a fraction between 0 and 1"),
        ({"rate": Decimal("0.2"), "account": INPUT_VAT, "base": ("Principal",)}, "drop 'base'"),
        ({"tax_code": " "}, "tax_code: required"),
    ],
)
def test_tax_rules_refuse_bad_configuration(kwargs, words):
    values = {"tax_code": "I1", **kwargs}
    with pytest.raises(ConfigurationError) as err:
        TaxRule("*", "ItemFees", "*", **values)
    assert words in str(err.value)


def test_tax_rules_refuse_two_rules_for_one_key_and_read_json():
    with pytest.raises(ConfigurationError, match="tax rules 1 and 2 both match"):
        TaxRules(
            [
                TaxRule("*", "ItemFees", "*", "I1", rate="0.2", account=INPUT_VAT),
                TaxRule("*", "item fees", "*", "I2", rate="0.2", account=INPUT_VAT),
            ]
        )
    assert TaxRules.from_json(__import__("json").dumps(TAXES.to_dict())) == TAXES
    with pytest.raises(ConfigurationError, match="tax rule 1.base: expected a list"):
        TaxRules.from_dict(
            {
                "rules": [
                    {
                        "transaction_type": "*",
                        "amount_type": "ItemPrice",
                        "amount_description": "Tax",
                        "tax_code": "O1",
                        "base": "Principal",
                    }
                ]
            }
        )


def test_the_most_specific_tax_rule_wins():
    rules = TaxRules(
        [
            TaxRule("*", "ItemFees", "*", "I1", rate="0.20", account=INPUT_VAT),
            TaxRule("*", "ItemFees", "DigitalServicesFee", "I0", rate="0.05", account=INPUT_VAT),
        ]
    )
    assert rules.rule_for(("Order", "ItemFees", "Digital Services Fee")).tax_code == "I0"
    assert rules.rule_for(("Order", "ItemFees", "Commission")).tax_code == "I1"
    assert rules.rule_for(("Order", "ItemPrice", "Principal")) is None


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"tax_base": gbp("1.00")}, "tax_base 1.00 GBP without a tax_code"),
        ({"tax_code": "O1", "tax_base": Money.of("1", "USD")}, "not in the line currency GBP"),
        (
            {"tax_code": "O1", "tax_base": gbp("1"), "customer": "C1"},
            "either a tax line or a receivable line",
        ),
        ({"tax_code": " "}, "expected a code or None"),
    ],
)
def test_journal_lines_refuse_contradictory_tax_and_receivable_fields(kwargs, words):
    with pytest.raises(ValidationError) as err:
        JournalLine("2200", gbp("1.00"), **kwargs)
    assert words in str(err.value)
