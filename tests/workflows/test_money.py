"""Money end to end on the sandbox: ERP invoices equal Amazon's totals to the cent, settlement
journals carry tax and receivable lines, and a posted journal is reversed once only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.infor import DEFAULT_PARM_LAYOUT
from amazon_erp_bridge.infor.gl import VAT_PARM_LAYOUT
from amazon_erp_bridge.mapping.charges import ChargeRules
from amazon_erp_bridge.model import JournalEntry, JournalLine, Money
from amazon_erp_bridge.posting import PostStatus
from amazon_erp_bridge.sandbox.rules import finance
from amazon_erp_bridge.workflows.order_to_cash import (
    _Invoice,
    invoice_comparison,
    m3_order_charges,
)
from amazon_erp_bridge.workflows.report import StepReport, WorkflowReport
from amazon_erp_bridge.workflows.settlement_to_gl import (
    reverse_settlement_m3,
    reverse_settlement_sap,
    with_vat_codes,
)

from .finance_env import World as FinanceWorld
from .orders_env import World as OrdersWorld


def step(report: WorkflowReport, name: str) -> StepReport:
    return next(s for s in report.steps if s.name == name)


def buyer_paid(order, rules: ChargeRules) -> Money:
    """Independently of the mapping: what the ERP invoice must come to."""
    currency = order.currency
    total = Money.zero(currency)
    for line in order.lines:
        if line.quantity <= 0:
            continue
        for kind, money in line.charges.items():
            if kind in (
                "promotion_discount",
                "promotion_discount_tax",
                "shipping_discount",
                "shipping_discount_tax",
            ):
                total -= money
            elif kind == "facilitator_tax":
                if rules.facilitator_tax == "exclude":
                    total -= money
            else:
                total += money
    return total


@pytest.fixture(scope="module")
def orders_world() -> OrdersWorld:
    return OrdersWorld()


@pytest.mark.parametrize("erp", ["m3", "sap"])
def test_every_invoice_read_back_equals_the_amazon_order_total(orders_world, erp):
    world = orders_world
    report = world.o2c_m3() if erp == "m3" else world.o2c_sap()
    config = world.o2c_m3_config if erp == "m3" else world.o2c_sap_config
    invoices = step(report, "invoices").to_dict()["invoices"]
    assert invoices, "the sandbox invoices the orders Amazon shipped"
    orders = world.amazon_orders(config.marketplaces)
    for row in invoices:
        assert set(row) >= {"amazon_order_id", "amazon_total", "erp_total", "currency"}
        order = orders[row["amazon_order_id"]]
        expected = buyer_paid(order, config.settings.charges)
        assert (row["erp_total"], row["currency"]) == (str(expected.amount), expected.currency)
        assert row["amazon_total"] == row["erp_total"] and row["matches"]
    assert any(
        "equal the Amazon order total to the cent" in n for n in step(report, "invoices").notes
    )


def test_m3_orders_carry_their_charges(orders_world):
    world = orders_world
    world.o2c_m3()
    charged = [o for o in world.sandbox.ion.state.orders.values() if o.charges]
    assert charged
    crids = {c["CRID"] for o in charged for c in o.charges}
    assert "TAX" in crids and crids <= set(world.o2c_m3_config.settings.charges.codes.values())
    taxes = [c for o in charged for c in o.charges if c["CRID"] == "TAX"]
    assert all(c["TAXC"] == "ST" and not c["PONR"] for c in taxes)  # head charges with TAXC


def test_invoices_that_do_not_match_are_named_with_both_totals():
    found = [
        ("111-1", _Invoice("1", "A", Decimal("10.00"), "USD")),
        ("111-2", _Invoice("2", "B", Decimal("5"), "USD")),
    ]
    totals = {"111-1": Money.of("10.00", "USD"), "111-2": Money.of("5.01", "USD")}
    rows, off = invoice_comparison(found, totals)
    assert [r["matches"] for r in rows] == [True, False]
    assert rows[1] == {
        "amazon_order_id": "111-2",
        "invoice": "2",
        "amazon_total": "5.01",
        "erp_total": "5.00",
        "currency": "USD",
        "matches": False,
    }
    assert off == ["! order 111-2: ERP invoices 5.00 USD, Amazon total 5.01 USD"]


def test_m3_charge_records_become_client_charges_on_their_lines():
    from amazon_erp_bridge.mapping import M3CustomerOrder

    payload = M3CustomerOrder(
        head={"CUNO": "C"},
        lines=({"ITNO": "A"}, {"ITNO": "B"}),
        head_charges=({"CRID": "TAX", "CRAM": "1.60", "CUCD": "USD", "TAXC": "ST"},),
        line_charges=((), ({"CRID": "FRT", "CRAM": "4.99"},)),
    )
    charges = m3_order_charges(payload)
    assert [(c.code, c.amount, c.line, c.currency, c.tax_code) for c in charges] == [
        ("TAX", Decimal("1.60"), None, "USD", "ST"),
        ("FRT", Decimal("4.99"), 2, None, None),
    ]


# --- settlements --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def finance_world() -> FinanceWorld:
    world = FinanceWorld()
    world.m3_report = world.settlement_m3()
    world.sap_report = world.settlement_sap()
    return world


def test_m3_settlement_journals_post_tax_and_receivable_lines(finance_world):
    notes = step(finance_world.m3_report, "settlements").notes
    assert all("; tax lines equal the settlement's taxes" in n for n in notes)
    assert any("; receivable cleared for" in n for n in notes)
    assert not any("!" in n for n in notes)
    state = finance_world.sandbox.ion.state
    fields = {f.name: f for f in VAT_PARM_LAYOUT.fields}
    vtcd, account = fields["VTCD"], fields["AIT1"]
    parms = [parm for batch in state.gl_batches.values() for parm in batch.lines.values()]
    accounts = {parm[account.start - 1 : account.end].strip() for parm in parms}
    assert "1200" in accounts  # the receivable
    codes = {parm[vtcd.start - 1 : vtcd.end].strip() for parm in parms} - {""}
    assert codes <= {"01", "02"} and codes


def test_sap_settlement_journals_post_debtor_and_tax_items_that_read_back(finance_world):
    notes = step(finance_world.sap_report, "settlements").notes
    assert all("; tax lines equal the settlement's taxes" in n for n in notes)
    assert any("; receivable cleared for" in n for n in notes)
    assert all("items read back agree" in n for n in notes)
    assert not any("!" in n for n in notes)
    assert finance_world.sap_report.ok


def test_every_sandbox_settlement_journal_ties_out_with_its_taxes(finance_world):
    from amazon_erp_bridge.mapping.journal import settlement_taxes
    from amazon_erp_bridge.workflows.settlement_to_gl import settlement_journal

    config = finance.settlement_to_gl_m3_config(finance_world.sandbox)
    for settlement in finance_world.settlements().values():
        entry, tie, _ = settlement_journal(settlement, config)
        assert tie.deposit == settlement.total
        assert all(t == 0 for t in entry.totals_by_currency().values())
        taxes = settlement_taxes(settlement, config.taxes, receivables=config.receivables)
        got = {code: m for (code, _), m in entry.tax_totals().items()}
        assert got == {c: -m for c, m in taxes.items() if c in got or not m.is_zero()}


def test_m3_settlement_is_reversed_once_only(finance_world):
    world = finance_world
    config = finance.settlement_to_gl_m3_config(world.sandbox)
    posted = [r.source_id for r in world.ledger.records(kind="settlement.m3")]
    settlements = world.settlements()
    settlement = settlements[posted[0]]
    first = reverse_settlement_m3(
        world.m3, world.ledger, config, settlement, posting_date=date(2026, 3, 31)
    )
    again = reverse_settlement_m3(
        world.m3, world.ledger, config, settlement, posting_date=date(2026, 3, 31)
    )
    assert first.steps[0].summary.results[0].status is PostStatus.CREATED
    assert again.steps[0].summary.results[0].status is PostStatus.DUPLICATE
    assert "reversed once only" in " ".join(again.steps[0].notes)
    key = first.steps[0].summary.results[0].document.document_id
    assert key == f"R{settlement.settlement_id}"[-15:]
    batch = world.sandbox.ion.state.gl_batches[key]
    assert batch.status == "posted"
    assert world.m3_journals()[key] == {
        a: -v for a, v in world.m3_journals()[settlement.settlement_id].items()
    }


def test_a_settlement_not_posted_cannot_be_reversed(finance_world):
    world = finance_world
    config = finance.settlement_to_gl_m3_config(world.sandbox)
    sap_only = next(
        s
        for sid, s in world.settlements().items()
        if world.ledger.get("settlement.m3", sid) is None
    )
    with pytest.raises(ValidationError, match="not posted to M3 according to the ledger"):
        reverse_settlement_m3(
            world.m3, world.ledger, config, sap_only, posting_date=date(2026, 3, 31)
        )


def test_sap_settlement_is_reversed_through_sap_once_only(finance_world):
    world = finance_world
    config = finance.settlement_to_gl_sap_config(world.sandbox)
    posted = [r.source_id for r in world.ledger.records(kind="settlement.sap")]
    settlement = world.settlements()[posted[0]]
    first = reverse_settlement_sap(world.sap, world.ledger, config, settlement, reason="01")
    again = reverse_settlement_sap(world.sap, world.ledger, config, settlement, reason="01")
    assert first.steps[0].summary.results[0].status in (
        PostStatus.CREATED,
        PostStatus.FOUND_EXISTING,
    )
    assert again.steps[0].summary.results[0].status is PostStatus.DUPLICATE


def test_vat_codes_go_to_the_m3_parm_only_where_the_layout_has_vtcd():
    usd = Money.of
    entry = JournalEntry(
        "S1",
        date(2026, 3, 1),
        (
            JournalLine("1290", usd("1.00", "USD")),
            JournalLine("2200", usd("-1.00", "USD"), tax_code="01", tax_base=usd("-5", "USD")),
        ),
    )
    with_codes = with_vat_codes(entry, VAT_PARM_LAYOUT)
    assert [dict(line.dimensions) for line in with_codes.lines] == [{}, {"VTCD": "01"}]
    assert with_codes.lines[1].tax_base == usd("-5", "USD")
    assert with_vat_codes(entry, DEFAULT_PARM_LAYOUT) is entry


def test_order_ids_fit_sap_assignment_references_without_hyphens():
    from amazon_erp_bridge.workflows.settlement_to_gl import sap_assignments

    usd = Money.of
    entry = JournalEntry(
        "S1",
        date(2026, 3, 1),
        (
            JournalLine("1290", usd("1.00", "USD"), reference="S1"),
            JournalLine("1200", usd("-1.00", "USD"), reference="205-7954050-1090518", customer="C"),
        ),
    )
    fitted = sap_assignments(entry)
    assert [line.reference for line in fitted.lines] == ["S1", "20579540501090518"]
    assert sap_assignments(fitted) is fitted
