"""A settlement's journal ties out to its deposit, or the tie-out says which figure differs."""

from datetime import date

import pytest
from attrs import evolve

from amazon_erp_bridge.errors import IntegrityError
from amazon_erp_bridge.mapping import (
    AMAZON_DEFAULT_ACCOUNTS,
    SettlementTieOutError,
    settlement_tie_out,
    settlement_to_journal,
)
from amazon_erp_bridge.model import JournalEntry, JournalLine, Money

from .samples import gbp, uk_settlement


def test_a_settlement_journal_ties_out_to_its_deposit():
    settlement = uk_settlement()
    entry = settlement_to_journal(settlement, AMAZON_DEFAULT_ACCOUNTS)
    tie = settlement_tie_out(settlement, entry, AMAZON_DEFAULT_ACCOUNTS)
    assert tie.deposit == settlement.total
    assert tie.debits == tie.credits
    assert tie.lines == len(entry.lines)
    assert str(tie) == (
        f"journal {settlement.settlement_id}: {len(entry.lines)} lines balance at "
        f"{tie.debits}, deposit {settlement.total} ties out"
    )


def _entry(reference, deposit, other="4000"):
    return JournalEntry(
        reference,
        date(2026, 3, 17),
        (
            JournalLine("1290", deposit, reference=reference),
            JournalLine(other, -deposit),
        ),
    )


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda s: _entry("OTHER", s.total), "journal reference is 'OTHER'"),
        (lambda s: _entry(s.settlement_id, gbp("9.99")), "deposit line is 9.99 GBP"),
        (
            lambda s: _entry(s.settlement_id, Money.of("5.32", "USD")),
            "journal currencies USD, expected GBP",
        ),
        (
            lambda s: JournalEntry(
                s.settlement_id,
                date(2026, 3, 17),
                (JournalLine("1290", s.total), JournalLine("4000", -s.total)),
            ),
            "expected one deposit line on clearing account 1290, found 0",
        ),
    ],
)
def test_a_journal_that_does_not_tie_out_is_refused_with_the_figures(change, words):
    settlement = uk_settlement()
    with pytest.raises(SettlementTieOutError, match=words) as err:
        settlement_tie_out(settlement, change(settlement), AMAZON_DEFAULT_ACCOUNTS)
    assert isinstance(err.value, IntegrityError)
    assert "does not tie out to the deposit" in str(err.value)


def test_a_settlement_whose_lines_miss_the_total_is_refused():
    settlement = uk_settlement()
    entry = settlement_to_journal(settlement, AMAZON_DEFAULT_ACCOUNTS)
    short = evolve(settlement, lines=settlement.lines[1:])
    with pytest.raises(SettlementTieOutError, match="lines sum to .* but total-amount is 5.32"):
        settlement_tie_out(short, entry, AMAZON_DEFAULT_ACCOUNTS)
