"""A posted journal entry read back through the item cube is compared with what was sent."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from amazon_erp_bridge.model import JournalEntry, JournalLine, Money
from amazon_erp_bridge.sap import (
    JournalEntryItem,
    JournalEntryService,
    ODataClient,
    PostedJournalEntry,
)

SETTLEMENT = "12345678901"


def entry(**amounts: str) -> JournalEntry:
    lines = amounts or {"1290": "100.00", "4000": "-80.00", "5100": "-20.00"}
    return JournalEntry(
        SETTLEMENT,
        date(2026, 3, 17),
        tuple(JournalLine(a, Money.of(v, "USD")) for a, v in lines.items()),
    )


def item(number: int, account: str, amount: str, code: str, **kw: object) -> JournalEntryItem:
    return JournalEntryItem(
        "1010",
        "2026",
        "5100000000",
        f"{number:03d}",
        gl_account=account,
        debit_credit_code=code,
        amount=Decimal(amount),
        currency="USD",
        **kw,  # type: ignore[arg-type]
    )


def test_what_sap_posted_agrees_with_the_entry(client: ODataClient) -> None:
    service = JournalEntryService(
        client,
        created_by_user="BRIDGE_COMM",
        company_code="1010",
        clock=lambda: datetime(2026, 3, 17, tzinfo=UTC),
    )
    service.post(entry())
    [posted] = service.find_by_reference(SETTLEMENT)
    assert posted.differences(entry()) == []


def test_leading_zeros_order_and_unsigned_credits_do_not_matter() -> None:
    posted = PostedJournalEntry(
        "5100000000",
        "1010",
        "2026",
        (
            item(1, "0000005100", "20.00", "H"),  # unsigned credit, zero-padded account
            item(2, "0000001290", "100", "S"),
            item(3, "4000", "-80.00", "H"),
        ),
    )
    assert posted.differences(entry()) == []


def test_missing_and_unexpected_lines_are_named() -> None:
    posted = PostedJournalEntry(
        "5100000000",
        "1010",
        "2026",
        (item(1, "1290", "100.00", "S"), item(2, "4000", "-100.00", "H")),
    )
    assert posted.differences(entry()) == [
        "missing line 4000 -80.00 USD",
        "missing line 5100 -20.00 USD",
        "unexpected line 4000 -100.00 USD",
    ]


def test_a_reversed_document_never_agrees() -> None:
    posted = PostedJournalEntry(
        "5100000000",
        "1010",
        "2026",
        (
            item(1, "1290", "100.00", "S", is_reversed=True),
            item(2, "4000", "-80.00", "H"),
            item(3, "5100", "-20.00", "H"),
        ),
    )
    assert posted.differences(entry()) == ["document 5100000000 is reversed"]
