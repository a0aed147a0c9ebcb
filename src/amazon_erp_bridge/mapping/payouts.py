"""Payouts matched to settlements and to the bank: what was expected, what arrived, the gap.

A pure function: :func:`payout_report` takes the payouts Amazon reports (Transfers
``listPayouts``, as :class:`~amazon_erp_bridge.model.Payout`), optionally the settlements they
pay and the credits on the seller's bank statement, and returns one row per payout of the
period with

- **expected**: the settlement's total when the settlement is given (what Amazon owes for the
  period, the figure the settlement journal books to the clearing account), else the payout's
  own amount; a settlement that is not positive expects no deposit (zero): Amazon carries the
  balance into the next settlement ("Payable to Amazon") or charges the seller's card;
- **deposited**: the bank credit matched to the payout when bank deposits are given, else the
  amount Amazon says it paid (a ``PAID`` payout);
- **difference**: deposited less expected; a payout nothing arrived for counts in full.

Matching a bank credit, in order: its reference names the payout id or the settlement id (bank
statements usually carry one); else the same amount and currency booked within ``match_days``
after the payout started. Each credit matches one payout; credits left over are listed in
:attr:`PayoutReport.unmatched_deposits`. The period holds the payouts initiated from
``start`` (inclusive) to ``end`` (exclusive).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final

from attrs import field, frozen

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import Money, Payout, Settlement
from amazon_erp_bridge.model.display import dataframe, html_table

MATCHED_BY_REFERENCE: Final = "bank reference"
MATCHED_BY_AMOUNT: Final = "bank amount and date"
REPORTED_PAID: Final = "Amazon says paid"
NOT_ARRIVED: Final = "not arrived"


@frozen
class BankDeposit:
    """A credit on the seller's bank statement: what the bank says arrived, and when."""

    amount: Money
    booked_on: date
    reference: str = ""


@frozen
class PayoutRow:
    """One payout of the period: its settlement, what was expected and what arrived."""

    payout_id: str
    settlement_id: str | None
    status: str | None
    initiated_on: date | None
    expected: Money
    deposited: Money | None
    deposited_on: date | None
    matched_by: str

    @property
    def difference(self) -> Money:
        """Deposited less expected; nothing deposited counts as zero."""
        arrived = (
            self.deposited if self.deposited is not None else Money.zero(self.expected.currency)
        )
        return arrived - self.expected


_COLUMNS: Final = (
    "payout_id",
    "settlement_id",
    "status",
    "initiated_on",
    "currency",
    "expected",
    "deposited",
    "difference",
    "deposited_on",
    "matched_by",
)


def _rows(rows: Iterable[PayoutRow]) -> tuple[PayoutRow, ...]:
    return tuple(rows)


def _deposits(deposits: Iterable[BankDeposit]) -> tuple[BankDeposit, ...]:
    return tuple(deposits)


@frozen
class PayoutReport:
    """The payouts of a period, per currency: expected, deposited and their difference."""

    start: date
    end: date
    rows: tuple[PayoutRow, ...] = field(converter=_rows)
    unmatched_deposits: tuple[BankDeposit, ...] = field(default=(), converter=_deposits)

    @property
    def currencies(self) -> tuple[str, ...]:
        """The currencies of the period's payouts, sorted."""
        return tuple(sorted({r.expected.currency for r in self.rows}))

    def expected(self, currency: str) -> Money:
        """What the period's payouts in ``currency`` should have brought."""
        return Money.total(
            (r.expected for r in self.rows if r.expected.currency == currency), currency
        )

    def deposited(self, currency: str) -> Money:
        """What arrived for the period's payouts in ``currency``."""
        return Money.total(
            (r.deposited for r in self.rows if r.deposited and r.deposited.currency == currency),
            currency,
        )

    def difference(self, currency: str) -> Money:
        """Deposited less expected in ``currency``: zero when every payout arrived in full."""
        return self.deposited(currency) - self.expected(currency)

    def _cells(self) -> Iterator[tuple[object, ...]]:
        for r in self.rows:
            yield (
                r.payout_id,
                r.settlement_id,
                r.status,
                r.initiated_on,
                r.expected.currency,
                r.expected.amount,
                r.deposited.amount if r.deposited is not None else None,
                r.difference.amount,
                r.deposited_on,
                r.matched_by,
            )

    def _repr_html_(self) -> str:
        totals = "; ".join(
            f"{c}: expected {self.expected(c).amount}, deposited {self.deposited(c).amount}, "
            f"difference {self.difference(c).amount}"
            for c in self.currencies
        )
        title = f"Payouts {self.start} to {self.end}: {totals or 'none'}"
        return html_table(title, _COLUMNS, self._cells(), total=len(self.rows))

    def to_dataframe(self) -> Any:
        """One row per payout (amounts stay Decimal); needs the optional pandas extra."""
        return dataframe(_COLUMNS, self._cells())


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _match(
    payout: Payout,
    expected: Money,
    deposits: list[BankDeposit],
    used: set[int],
    match_days: int,
) -> tuple[BankDeposit | None, str]:
    keys = [k for k in (payout.payout_id, payout.settlement_id) if k]
    for i, d in enumerate(deposits):
        if i not in used and any(k in d.reference for k in keys):
            used.add(i)
            return d, MATCHED_BY_REFERENCE
    started = _day(payout.initiated_at)
    for i, d in enumerate(deposits):
        if i in used or d.amount != expected:
            continue
        if started is None or started <= d.booked_on <= started + timedelta(days=match_days):
            used.add(i)
            return d, MATCHED_BY_AMOUNT
    return None, NOT_ARRIVED


def payout_report(
    payouts: Iterable[Payout],
    *,
    start: date,
    end: date,
    settlements: Iterable[Settlement] = (),
    deposits: Iterable[BankDeposit] | None = None,
    match_days: int = 5,
) -> PayoutReport:
    """The payouts initiated in ``[start, end)`` with what was expected and what arrived.

    Pure: everything comes in as arguments. ``deposits=None`` means "no bank statement":
    deposited is then what Amazon says it paid. See the module docs for the matching rules.
    """
    if end <= start:
        raise ValidationError(f"payout report: end {end} must be after start {start}")
    if match_days < 0:
        raise ValidationError(f"payout report: match_days must not be negative, got {match_days}")
    totals = {s.settlement_id: s.total for s in settlements}
    bank: list[BankDeposit] | None = list(deposits) if deposits is not None else None
    used: set[int] = set()
    rows: list[PayoutRow] = []
    chosen: Sequence[Payout] = sorted(
        (p for p in payouts if p.initiated_at is None or start <= p.initiated_at.date() < end),
        key=lambda p: (p.initiated_at is None, p.initiated_at or datetime.min, p.payout_id),
    )
    for payout in chosen:
        expected = totals.get(payout.settlement_id or "", payout.expected)
        if expected.amount < 0:
            expected = Money.zero(expected.currency)  # nothing to deposit; see the module docs
        if bank is None:
            deposit_money = payout.deposited
            deposited_on = _day(payout.deposited_at)
            how = REPORTED_PAID if deposit_money is not None else NOT_ARRIVED
        else:
            deposit, how = _match(payout, expected, bank, used, match_days)
            deposit_money = deposit.amount if deposit else None
            deposited_on = deposit.booked_on if deposit else None
        if deposit_money is not None and deposit_money.currency != expected.currency:
            raise ValidationError(
                f"payout {payout.payout_id}: deposited in {deposit_money.currency} but the "
                f"settlement {payout.settlement_id} is in {expected.currency}"
            )
        rows.append(
            PayoutRow(
                payout_id=payout.payout_id,
                settlement_id=payout.settlement_id,
                status=payout.status,
                initiated_on=_day(payout.initiated_at),
                expected=expected,
                deposited=deposit_money,
                deposited_on=deposited_on,
                matched_by=how,
            )
        )
    left = tuple(d for i, d in enumerate(bank or ()) if i not in used)
    return PayoutReport(start=start, end=end, rows=rows, unmatched_deposits=left)


__all__ = [
    "BankDeposit",
    "PayoutReport",
    "PayoutRow",
    "payout_report",
]
