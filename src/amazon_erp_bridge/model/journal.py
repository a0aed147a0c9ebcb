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


def _optional_code(instance: object, attribute: Any, value: str | None) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: expected a code or None, got {value!r}"
        )


@frozen
class JournalLine:
    """One GL line; a positive amount is a debit, a negative amount a credit.

    Three optional fields say what kind of line it is, for ERPs that book taxes and
    receivables apart from plain G/L lines:

    - ``tax_code`` alone: a G/L line that is the *base* of that tax code (SAP item
      ``Tax/TaxCode``, M3 VAT code of the line), e.g. a fee net of the VAT on it.
    - ``tax_code`` with ``tax_base``: the *tax* line itself (SAP ``ProductTaxItem`` with
      ``TaxBaseAmountInTransCrcy``), the amount being the tax and ``tax_base`` what it was
      computed on, signed like the base lines.
    - ``customer``: a receivable (debtor) line against that customer account (SAP
      ``DebtorItem``/``Debtor``); ``account`` is then the receivable's reconciliation account
      and ``reference`` the document it clears (an Amazon order id).
    """

    account: str = field(validator=not_blank)
    amount: Money
    text: str = ""
    dimensions: Mapping[str, str] = field(factory=dict)
    reference: str | None = None
    tax_code: str | None = field(default=None, validator=_optional_code)
    tax_base: Money | None = None
    customer: str | None = field(default=None, validator=_optional_code)

    def __attrs_post_init__(self) -> None:
        where = f"JournalLine {self.account}"
        if self.tax_base is not None:
            if self.tax_code is None:
                raise ValidationError(
                    f"{where}: tax_base {self.tax_base} without a tax_code; a tax line needs "
                    "the code it was computed under"
                )
            if self.tax_base.currency != self.amount.currency:
                raise ValidationError(
                    f"{where}: tax_base {self.tax_base} is not in the line currency "
                    f"{self.amount.currency}"
                )
        if self.customer is not None and self.tax_base is not None:
            raise ValidationError(
                f"{where}: a line is either a tax line or a receivable line, not both "
                f"(customer {self.customer}, tax_code {self.tax_code})"
            )

    @property
    def is_tax(self) -> bool:
        """True for a tax line (a tax code and the base it was computed on)."""
        return self.tax_base is not None

    @property
    def is_receivable(self) -> bool:
        """True for a receivable (debtor) line against ``customer``."""
        return self.customer is not None

    @property
    def debit(self) -> Money:
        """The debit amount for a positive line, else zero."""
        return self.amount if self.amount.amount > 0 else Money.zero(self.amount.currency)

    @property
    def credit(self) -> Money:
        """The credit amount (positive) for a negative line, else zero."""
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
        """The currencies of the lines, sorted; the entry balances in each one."""
        return tuple(sorted({line.amount.currency for line in self.lines}))

    def debit_total(self, currency: str) -> Money:
        """The sum of the debit lines in ``currency``."""
        return Money.total(
            (ln.debit for ln in self.lines if ln.amount.currency == currency), currency
        )

    def credit_total(self, currency: str) -> Money:
        """The sum of the credit lines in ``currency`` (a positive amount)."""
        return Money.total(
            (ln.credit for ln in self.lines if ln.amount.currency == currency), currency
        )

    def tax_lines(self) -> tuple[JournalLine, ...]:
        """The tax lines (tax code and tax base), in entry order."""
        return tuple(line for line in self.lines if line.is_tax)

    def receivable_lines(self) -> tuple[JournalLine, ...]:
        """The receivable (debtor) lines, in entry order."""
        return tuple(line for line in self.lines if line.is_receivable)

    def tax_totals(self) -> dict[tuple[str, str], Money]:
        """Net tax per (tax code, currency): what a tax report of this entry shows."""
        totals: dict[tuple[str, str], Money] = {}
        for line in self.tax_lines():
            key = (line.tax_code or "", line.amount.currency)
            totals[key] = totals.get(key, Money.zero(line.amount.currency)) + line.amount
        return totals

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
        """The lines as a pandas DataFrame with debit and credit columns; needs pandas.

        Amounts stay Decimal (exact); ``currency`` is categorical and ``posting_date`` (the
        entry's, on every line) a ``datetime64`` column.
        """
        rows = ((*row, self.posting_date) for row in self._rows())
        return dataframe(
            (*self._COLUMNS, "posting_date"),
            rows,
            dates=("posting_date",),
            categories=("currency",),
        )
