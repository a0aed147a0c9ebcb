from datetime import UTC, date, datetime

import pytest

from amazon_erp_bridge.core.call import Page
from amazon_erp_bridge.model import (
    ItemRef,
    JournalEntry,
    JournalLine,
    Money,
    Order,
    OrderLine,
    Settlement,
    SettlementLine,
)

T = datetime(2026, 3, 1, tzinfo=UTC)


def settlement(n: int) -> Settlement:
    lines = tuple(
        SettlementLine("Order", "ItemPrice", "Principal", Money.of("1.00", "GBP"), order_id=f"o{i}")
        for i in range(n)
    )
    return Settlement("S1", T, T, total=Money.of(n, "GBP"), lines=lines)


def test_settlement_html_table_is_capped_and_says_so():
    html = settlement(120)._repr_html_()
    assert html.count("<tr>") == 51  # header + 50 rows
    assert "first 50 of 120 rows" in html
    assert "Settlement S1" in html


def test_journal_html_shows_debits_and_credits():
    entry = JournalEntry(
        "S1",
        date(2026, 3, 17),
        (
            JournalLine("1100", Money.of("5", "GBP"), dimensions={"mp": "UK"}),
            JournalLine("4000", Money.of("-5", "GBP"), text="<rev>"),
        ),
    )
    html = entry._repr_html_()
    assert "mp=UK" in html and "&lt;rev&gt;" in html


def test_order_and_page_render():
    order = Order(
        "206-1",
        T,
        T,
        "Shipped",
        lines=(OrderLine("1", ItemRef(seller_sku="SKU-1"), 2),),
    )
    assert "SKU-1" in order._repr_html_()
    assert "last page" in Page((order,))._repr_html_()


def test_to_dataframe_keeps_decimal_amounts():
    pd = pytest.importorskip("pandas")
    frame = settlement(3).to_dataframe()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == 3
    assert str(frame["amount"].sum()) == "3.00"
