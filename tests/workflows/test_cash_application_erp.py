"""Cash application against the ERPs' own open receivables (issue 14), on the sandbox.

Order to cash invoices the orders; a settlement then pays one invoiced order in full, one at
a different amount and one order the ERP never invoiced. Settlement to GL reads the open
receivables from the ERP by default (SAP: the Amazon customer's uncleared debtor items in
API_OPLACCTGDOCITEMCUBE_SRV; M3: the order's open invoices, OIS350MI LstInvHeadByCo OOIN=1),
clears the receivable of the order it matched and lists the rest with amounts and reasons."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest

from amazon_erp_bridge.mapping.cash_application import OpenReceivable
from amazon_erp_bridge.model import Money, Settlement, SettlementLine
from amazon_erp_bridge.posting import PostStatus
from amazon_erp_bridge.sandbox.amazon.state import MARKETPLACE_NAMES
from amazon_erp_bridge.sandbox.rules import finance
from amazon_erp_bridge.sap.billing import SERVICE as BILLING
from amazon_erp_bridge.sap.open_items import SERVICE as CUBE
from amazon_erp_bridge.workflows.open_receivables import (
    m3_open_receivables,
    sap_assignment,
    sap_open_receivables,
)
from amazon_erp_bridge.workflows.report import WorkflowReport
from amazon_erp_bridge.workflows.settlement_to_gl import (
    reverse_settlement_sap,
    settlement_to_gl_m3,
    settlement_to_gl_sap,
)

from .orders_env import World

SETTLEMENT_ID = "41000000001"
NOT_INVOICED = "999-0000000-0000001"
AFTER_SEED = datetime(2026, 4, 1, tzinfo=UTC)  # the seeded settlements are older


def settlement_paying(
    invoices: list[tuple[str, Money]], marketplace_name: str, currency: str
) -> Settlement:
    """Pays the first order in full, the second 1.00 short, and an order never invoiced."""
    (full, full_total), (short, short_total) = invoices[:2]
    day = datetime(2026, 4, 10, tzinfo=UTC)
    unit = Money.of("1", currency) if currency != "JPY" else Money.of("100", currency)

    def row(order: str, amount: Money, kind: str = "ItemPrice", what: str = "Principal") -> Any:
        return SettlementLine(
            "Order", kind, what, amount, order_id=order, marketplace_name=marketplace_name,
            posted_date=day,
        )  # fmt: skip

    lines = (
        row(full, full_total),
        row(full, -unit, "ItemFees", "Commission"),
        row(short, short_total - unit),
        row(NOT_INVOICED, unit * 10),
    )
    total = Money.total((line.amount for line in lines), currency)
    return Settlement(
        SETTLEMENT_ID,
        datetime(2026, 4, 1, tzinfo=UTC),
        datetime(2026, 4, 12, tzinfo=UTC),
        total,
        deposit_date=datetime(2026, 4, 13, tzinfo=UTC),
        lines=lines,
        marketplace_name=marketplace_name,
    )


def notes_of(report: WorkflowReport) -> str:
    step = next(s for s in report.steps if s.name == "settlements")
    assert step.summary is not None
    statuses = {r.source_id: r.status for r in step.summary.results}
    assert statuses == {SETTLEMENT_ID: PostStatus.CREATED}, str(report)
    (note,) = step.notes
    return note


def two_invoiced(rows: list[tuple[str, str, Money]]) -> tuple[str, list[tuple[str, Money]]]:
    """A marketplace with two invoiced orders, and those orders' invoice totals."""
    by_market: dict[str, list[tuple[str, Money]]] = {}
    for market, order, total in rows:
        by_market.setdefault(market, []).append((order, total))
    market, invoices = next((m, i) for m, i in sorted(by_market.items()) if len(i) >= 2)
    return market, invoices


# -- SAP --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sap_world() -> Any:
    world = World()
    world.o2c_sap()
    orders = {o.order_id: o for o in world.sandbox.amazon.state.orders.values()}
    rows = [
        (orders[b["PurchaseOrderByCustomer"]].marketplace_id, b["PurchaseOrderByCustomer"],
         Money(b["TotalGrossAmount"], b["TransactionCurrency"]))
        for b in world.sandbox.sap.rows(BILLING, "A_BillingDocument")
    ]  # fmt: skip
    market, invoices = two_invoiced(rows)
    settlement = settlement_paying(invoices, MARKETPLACE_NAMES[market], invoices[0][1].currency)
    world.sandbox.amazon.reports.add_settlement(
        settlement, marketplace_id=market, created=datetime(2026, 4, 14, tzinfo=UTC)
    )
    config = attrs.evolve(
        finance.settlement_to_gl_sap_config(world.sandbox),
        start=AFTER_SEED,
        read_open_receivables=True,
    )
    world.settlement = settlement
    world.invoices = invoices
    world.config = config
    world.report = settlement_to_gl_sap(
        world.amazon, world.sap, world.ledger, config, poster_options=world.poster_options
    )
    return world


def debtor_rows(world: Any, order: str) -> list[dict[str, Any]]:
    return [
        r
        for r in world.sandbox.sap.rows(CUBE, "A_OperationalAcctgDocItemCube")
        if r.get("FinancialAccountType") == "D"
        and r.get("AssignmentReference") == sap_assignment(order)
    ]


def test_sap_settlement_clears_the_receivable_of_the_order_it_paid(sap_world: Any) -> None:
    (full, total), (short, _) = sap_world.invoices[:2]
    note = notes_of(sap_world.report)
    assert "receivable cleared for 1 orders" in note and str(total) in note
    rows = debtor_rows(sap_world, full)
    assert len(rows) == 2  # the invoice's receivable and the settlement's credit
    assert all(r["IsCleared"] for r in rows)
    assert {r["ClearingAccountingDocument"] for r in rows} == {
        next(r["AccountingDocument"] for r in rows if r["DocumentReferenceID"] == SETTLEMENT_ID)
    }
    (still_open,) = debtor_rows(sap_world, short)
    assert still_open["IsCleared"] is False


def test_sap_lists_what_it_did_not_match_with_amounts_and_reasons(sap_world: Any) -> None:
    (_, _), (short, short_total) = sap_world.invoices[:2]
    note = notes_of(sap_world.report)
    unit = Decimal("100") if short_total.currency == "JPY" else Decimal("1")
    paid = short_total - Money(unit, short_total.currency)
    assert (
        f"unmatched: order {short}: paid {paid}, invoiced {short_total}: paid {paid} but the "
        f"open receivable is {short_total}"
    ) in note
    assert f"unmatched: order {NOT_INVOICED}: paid " in note
    assert "invoiced -: no open receivable: not invoiced in the ERP" in note


def test_sap_reader_gives_only_the_settlements_orders_still_open(sap_world: Any) -> None:
    read = sap_open_receivables(
        sap_world.sap, sap_world.config.receivables, company_code=sap_world.config.company_code
    )
    _, (short, short_total) = sap_world.invoices[:2]
    found = read(sap_world.settlement)
    assert [(r.order_id, r.amount) for r in found] == [(short, short_total)]
    assert all(r.invoice for r in found)


def test_sap_reversal_rebuilds_the_journal_as_posted(sap_world: Any) -> None:
    report = reverse_settlement_sap(
        sap_world.sap, sap_world.ledger, sap_world.config, sap_world.settlement, reason="01"
    )
    (result,) = report.steps[0].summary.results
    assert result.status is PostStatus.CREATED, str(report)


# -- M3 ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def m3_world() -> Any:
    world = World()
    world.o2c_m3()
    state = world.sandbox.ion.state
    orders = {o.order_id: o for o in world.sandbox.amazon.state.orders.values()}
    rows = [
        (orders[state.orders[i["ORNO"]].head["CUOR"]].marketplace_id,
         state.orders[i["ORNO"]].head["CUOR"], Money(Decimal(i["AMT1"]), i["CUCD"]))
        for i in state.invoices
    ]  # fmt: skip
    market, invoices = two_invoiced(rows)
    settlement = settlement_paying(invoices, MARKETPLACE_NAMES[market], invoices[0][1].currency)
    world.sandbox.amazon.reports.add_settlement(
        settlement, marketplace_id=market, created=datetime(2026, 4, 14, tzinfo=UTC)
    )
    config = attrs.evolve(
        finance.settlement_to_gl_m3_config(world.sandbox),
        start=AFTER_SEED,
        read_open_receivables=True,
    )
    world.settlement, world.invoices, world.config = settlement, invoices, config
    world.report = settlement_to_gl_m3(
        world.amazon, world.m3, world.ledger, config, poster_options=world.poster_options
    )
    return world


def test_m3_settlement_clears_the_receivable_of_the_order_it_paid(m3_world: Any) -> None:
    (_, total), _ = m3_world.invoices[:2]
    note = notes_of(m3_world.report)
    assert "receivable cleared for 1 orders" in note and str(total) in note
    batch = m3_world.sandbox.ion.state.gl_batches[SETTLEMENT_ID]
    layout = m3_world.config.layout
    values = [layout.parse(p) for _, p in sorted(batch.lines.items())]
    receivable = [v for v in values if v["AIT1"] == finance.RECEIVABLE.account]
    assert [Decimal(v["CUAM"]) for v in receivable] == [-total.amount]


def test_m3_lists_what_it_did_not_match_with_amounts_and_reasons(m3_world: Any) -> None:
    _, (short, short_total) = m3_world.invoices[:2]
    note = notes_of(m3_world.report)
    assert f"unmatched: order {short}: paid " in note
    assert f"invoiced {short_total}: paid " in note and "difference" in note
    assert f"unmatched: order {NOT_INVOICED}: paid " in note
    assert "no open receivable: not invoiced in the ERP" in note


def test_m3_reader_gives_each_orders_open_invoices_at_their_remaining_amount(
    m3_world: Any,
) -> None:
    read = m3_open_receivables(m3_world.m3, m3_world.config.receivables)
    found = read(m3_world.settlement)
    (full, total), (short, short_total) = m3_world.invoices[:2]
    assert [(r.order_id, r.amount) for r in found] == [(full, total), (short, short_total)]
    assert all(isinstance(r, OpenReceivable) and "/" in (r.invoice or "") for r in found)
    # a paid invoice (RAFC 0) is not open: OOIN=1 leaves it out
    state = m3_world.sandbox.ion.state
    orno = next(o.orno for o in state.orders.values() if o.head["CUOR"] == full)
    for invoice in state.invoices:
        if invoice["ORNO"] == orno:
            invoice["RAFC"] = "0"
    assert [r.order_id for r in read(m3_world.settlement)] == [short]
