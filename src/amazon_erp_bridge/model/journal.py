"""Journal entries: balanced GL postings, refused at construction if they do not balance."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from attrs import field, frozen

from amazon_erp_bridge.errors import UnbalancedJournalError, ValidationError
from amazon_erp_bridge.model._checks import not_blank
from amazon_erp_bridge.model.display import dataframe, html_table
from amazon_erp_bridge.model.money import Money


@frozen
class JournalLine:
    """One GL line; a positive amount is a debit, a negative amount a credit."""

    account: str = field(validator=not_blank)
    amount: Money
    text: str = ""
    dimensions: Mapping[str, str] = field(factory=dict)
    reference: str | None = None

    @property
    def debit(self) -> Money:
        return self.amount if self.amount.amount > 0 else Money.zero(self.amount.currency)

    @property
    def credit(self) -> Money:
        return -self.amount if self.amount.amount < 0 else Money.zero(self.amount.currency)


@frozen
class JournalEntry:
    """A GL journal entry; exists only if debits equal credits to the cent in every currency.

    ``reference`` carries the source document id (a settlement id) so the ERP can be queried
    for it before posting, which is what makes posting idempotent.
    """

    reference: str = field(validator=not_blank)
    posting_date: date
    lines: tuple[JournalLine, ...]
    text: str = ""
    document_date: date | None = None
    source: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.lines:
            raise ValidationError(f"JournalEntry {self.reference}: has no lines")
        off = {c: t for c, t in self.totals_by_currency().items() if t != 0}
        if off:
            parts = ", ".join(f"{t} {c}" for c, t in sorted(off.items()))
            raise UnbalancedJournalError(
                f"JournalEntry {self.reference}: debits and credits differ by {parts}; "
                "every currency must balance to the cent"
            )

    def totals_by_currency(self) -> dict[str, Decimal]:
        """Net of every currency's lines: zero in each for a balanced entry."""
        totals: dict[str, Decimal] = {}
        for line in self.lines:
            totals[line.amount.currency] = (
                totals.get(line.amount.currency, Decimal(0)) + line.amount.amount
            )
        return totals

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(sorted({line.amount.currency for line in self.lines}))

    def debit_total(self, currency: str) -> Money:
        return Money.total(
            (ln.debit for ln in self.lines if ln.amount.currency == currency), currency
        )

    def credit_total(self, currency: str) -> Money:
        return Money.total(
            (ln.credit for ln in self.lines if ln.amount.currency == currency), currency
        )

    _COLUMNS: ClassVar[tuple[str, ...]] = (
        "account",
        "debit",
        "credit",
        "currency",
        "text",
        "dimensions",
    )

    def _rows(self) -> Iterator[tuple[object, ...]]:
        for ln in self.lines:
            dims = ", ".join(f"{k}={v}" for k, v in sorted(ln.dimensions.items()))
            yield (
                ln.account,
                ln.debit.amount or None,
                ln.credit.amount or None,
                ln.amount.currency,
                ln.text,
                dims,
            )

    def _repr_html_(self) -> str:
        title = f"Journal {self.reference} posting {self.posting_date.isoformat()}"
        return html_table(title, self._COLUMNS, self._rows(), total=len(self.lines))

    def to_dataframe(self) -> Any:
        """The lines as a pandas DataFrame with debit and credit columns; needs pandas."""
        return dataframe(self._COLUMNS, self._rows())
