"""The payout report: expected (settlement), deposited (bank or Amazon's word), difference."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.mapping.payouts import (
    MATCHED_BY_AMOUNT,
    MATCHED_BY_REFERENCE,
    NOT_ARRIVED,
    REPORTED_PAID,
    BankDeposit,
    payout_report,
)
from amazon_erp_bridge.model import Money, Payout, Settlement

MARCH = (date(2026, 3, 1), date(2026, 4, 1))


def usd(value: str) -> Money:
    return Money.of(value, "USD")


def payout(pid: str, amount: str, day: int, *, sid: str | None = None, paid: bool = True) -> Payout:
    started = datetime(2026, 3, day, tzinfo=UTC)
    return Payout(
        payout_id=pid,
        expected=usd(amount),
        settlement_id=sid,
        initiated_at=started,
        deposited=usd(amount) if paid else None,
        deposited_at=datetime(2026, 3, day + 2, tzinfo=UTC) if paid else None,
        status="PAID" if paid else "IN_TRANSIT",
    )


def settlement(sid: str, total: str) -> Settlement:
    return Settlement(
        settlement_id=sid,
        start=datetime(2026, 3, 1, tzinfo=UTC),
        end=datetime(2026, 3, 14, tzinfo=UTC),
        total=usd(total),
    )


def test_without_a_bank_statement_amazons_paid_status_is_the_deposit() -> None:
    report = payout_report(
        [payout("P1", "100.00", 3), payout("P2", "50.00", 17, paid=False)],
        start=MARCH[0],
        end=MARCH[1],
    )
    assert [r.matched_by for r in report.rows] == [REPORTED_PAID, NOT_ARRIVED]
    assert report.expected("USD") == usd("150.00")
    assert report.deposited("USD") == usd("100.00")
    assert report.difference("USD") == usd("-50.00")


def test_expected_is_the_settlement_total_and_bank_credits_match_by_reference_or_amount() -> None:
    payouts = [
        payout("P1", "100.00", 3, sid="S1"),
        payout("P2", "50.00", 17, sid="S2"),
        payout("P3", "20.00", 20),
    ]
    deposits = [
        BankDeposit(usd("99.50"), date(2026, 3, 5), "AMAZON PAYMENTS S1"),
        BankDeposit(usd("50.00"), date(2026, 3, 19), "AMZN MKTP"),
        BankDeposit(usd("7.00"), date(2026, 3, 30), "unrelated"),
    ]
    report = payout_report(
        payouts,
        start=MARCH[0],
        end=MARCH[1],
        settlements=[settlement("S1", "100.00"), settlement("S2", "50.00")],
        deposits=deposits,
    )
    by_id = {r.payout_id: r for r in report.rows}
    assert by_id["P1"].matched_by == MATCHED_BY_REFERENCE
    assert by_id["P1"].difference == usd("-0.50")
    assert by_id["P2"].matched_by == MATCHED_BY_AMOUNT
    assert by_id["P2"].deposited_on == date(2026, 3, 19)
    assert by_id["P3"].matched_by == NOT_ARRIVED and by_id["P3"].difference == usd("-20.00")
    assert report.unmatched_deposits == (deposits[2],)
    assert report.difference("USD") == usd("-20.50")


def test_period_holds_payouts_initiated_in_it() -> None:
    report = payout_report(
        [payout("P1", "1.00", 3), payout("P2", "1.00", 28)],
        start=date(2026, 3, 1),
        end=date(2026, 3, 28),
    )
    assert [r.payout_id for r in report.rows] == ["P1"]


def test_table_and_dataframe() -> None:
    report = payout_report([payout("P1", "100.00", 3, sid="S1")], start=MARCH[0], end=MARCH[1])
    html = report._repr_html_()
    assert "<table>" in html and "P1" in html and "difference 0.00" in html
    frame = report.to_dataframe()
    assert list(frame["payout_id"]) == ["P1"]
    assert str(frame["expected"][0]) == "100.00"


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"start": date(2026, 4, 1), "end": date(2026, 3, 1)}, "must be after start"),
        ({"start": MARCH[0], "end": MARCH[1], "match_days": -1}, "match_days"),
        (
            {
                "start": MARCH[0],
                "end": MARCH[1],
                "deposits": [BankDeposit(Money.of("1", "EUR"), date(2026, 3, 4), "P1")],
            },
            "deposited in EUR",
        ),
    ],
)
def test_bad_report_arguments_are_named(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        payout_report([payout("P1", "1.00", 3)], **kwargs)  # type: ignore[arg-type]


def test_a_negative_settlement_expects_no_deposit() -> None:
    owed = Payout(
        payout_id="P9",
        expected=usd("0"),
        settlement_id="S9",
        initiated_at=datetime(2026, 3, 3, tzinfo=UTC),
        status="NO_PAYOUT",
    )
    report = payout_report(
        [owed], start=MARCH[0], end=MARCH[1], settlements=[settlement("S9", "-12.00")]
    )
    (row,) = report.rows
    assert row.expected == usd("0") and row.difference == usd("0")
