"""Settlements and financial events become balanced GL journal entries.

Sign convention (the one Amazon uses): a positive amount is money credited to the seller.
A positive ItemPrice/Principal therefore CREDITS revenue, a negative fee DEBITS an expense,
and the deposit (the settlement total) DEBITS the clearing/bank account. Journal lines carry
signed amounts: ``+`` debit, ``-`` credit, so a settlement amount ``a`` posts as ``-a``.

Daily booking from financial events, and what happens when the settlement arrives:

- :func:`financial_events_to_journal` books each day's events against the map's
  ``unsettled`` account ("Amazon receivable (unsettled)") instead of the bank.
- When the settlement covering those days posts, the daily entries are provisional: each is
  reversed on the settlement's posting date (:func:`reverse_daily_postings`) and the
  settlement posts in full (:func:`settlement_to_journal`). The receivable returns to zero and
  the P&L carries exactly the settlement's figures, which tie out to the deposit.

Taxes and receivables (both optional, both data):

- ``taxes=`` (:class:`~amazon_erp_bridge.mapping.tax.TaxRules`) marks tax amounts with their
  tax code and tax base (sales tax, VAT, facilitator tax withheld) and splits the VAT out of
  gross fees; the journal's tax lines then carry ``tax_code``/``tax_base`` for the ERP's tax
  items (SAP ``ProductTaxItem``, M3 VAT codes).
- ``receivables=`` (:class:`~amazon_erp_bridge.mapping.cash_application.ReceivableRules`)
  posts what the buyer paid for each order against the Amazon customer's receivable (a
  debtor line per order) instead of revenue and tax, because the ERP invoice already booked
  those; with ``applied=`` (:func:`~amazon_erp_bridge.mapping.cash_application.apply_cash`)
  only the orders matched to an open invoice do, the rest post as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Final

from attrs import field, frozen

from amazon_erp_bridge.errors import ConfigurationError, MappingError
from amazon_erp_bridge.mapping.accounts import (
    AccountResolver,
    GlAccount,
    GlAccountMap,
    frozen_mapping,
    normalise_key_part,
    settlement_line_account,
)
from amazon_erp_bridge.mapping.cash_application import CashApplication, ReceivableRules
from amazon_erp_bridge.mapping.errors import (
    SettlementCurrencyError,
    SettlementTieOutError,
    UnmappedFinancialEvents,
    UnmappedKey,
    UnmappedSettlementLines,
)
from amazon_erp_bridge.mapping.tax import TaxRule, TaxRules, split_gross
from amazon_erp_bridge.model import (
    FinancialComponent,
    FinancialEvent,
    JournalEntry,
    JournalLine,
    Money,
    Settlement,
    SettlementLine,
)

SETTLEMENT_SOURCE: Final = "amazon-settlement"
EVENTS_SOURCE: Final = "amazon-financial-events"
_Key = tuple[str, str, str]


def settlement_posting_date(settlement: Settlement) -> date:
    """The day a settlement posts: its deposit date, or its end date when no deposit is known."""
    return (settlement.deposit_date or settlement.end).date()


# --- shared building blocks ------------------------------------------------------------


class _Unmapped:
    """Counts and totals of the keys that found no account, in order of first appearance."""

    def __init__(self) -> None:
        self._seen: dict[_Key, tuple[int, dict[str, Decimal]]] = {}

    def add(self, key: _Key, amount: Money) -> None:
        count, totals = self._seen.get(key, (0, {}))
        totals[amount.currency] = totals.get(amount.currency, Decimal(0)) + amount.amount
        self._seen[key] = (count + 1, totals)

    def keys(self) -> list[UnmappedKey]:
        return [
            UnmappedKey(key, count, tuple(Money(v, c) for c, v in sorted(totals.items())))
            for key, (count, totals) in self._seen.items()
        ]


@frozen
class _Post:
    """One seller-signed amount on its way to a journal line (before aggregation)."""

    account: GlAccount
    amount: Money
    reference: str | None
    tax_code: str | None = None
    tax_base: Money | None = None
    customer: str | None = None
    text: str = ""


def _aggregate(postings: Iterable[_Post], fallback_text: str) -> list[JournalLine]:
    """Sum seller-signed amounts per (account, dimensions, reference, tax code, tax or base,
    customer); credit the positives. Tax lines keep debits and credits apart (tax collected
    and tax Amazon withheld stay visible) and their bases sum along with them."""
    sums: dict[tuple[object, ...], tuple[_Post, Money, Money | None]] = {}
    for post in postings:
        group = (
            post.account.account,
            post.account.dimension_key,
            post.reference,
            post.amount.currency,
            post.tax_code,
            post.tax_base is not None,
            post.tax_base is not None and post.amount.is_negative(),  # tax: gross per side
            post.customer,
        )
        if group in sums:
            first, total, base = sums[group]
            if base is not None and post.tax_base is not None:
                base = base + post.tax_base
            sums[group] = (first, total + post.amount, base)
        else:
            sums[group] = (post, post.amount, post.tax_base)
    return [
        JournalLine(
            account=post.account.account,
            amount=-total,
            text=post.text or post.account.text or fallback_text,
            dimensions=dict(post.account.dimensions),
            reference=post.reference,
            tax_code=post.tax_code,
            tax_base=None if base is None else -base,
            customer=post.customer,
        )
        for post, total, base in sums.values()
        if not total.is_zero()
    ]


# --- taxes -----------------------------------------------------------------------------

_BaseKey = tuple[object, str, str]


def _base_key(group: object, transaction_type: str, description: str) -> _BaseKey:
    return (group, normalise_key_part(transaction_type), normalise_key_part(description))


def _tax_base(
    rule: TaxRule, tax: Money, bases: Mapping[_BaseKey, Money], group: object, tx: str
) -> Money:
    """The tax's base: the group's ItemPrice amounts named by the rule, signed like the tax."""
    base = Money.total(
        (bases[k] for d in rule.base if (k := _base_key(group, tx, d)) in bases), tax.currency
    )
    if base.is_negative() != tax.is_negative() and not tax.is_zero():
        base = -base
    return base


def _taxed(
    post: _Post,
    key: _Key,
    taxes: TaxRules | None,
    bases: Mapping[_BaseKey, Money],
    group: object,
) -> list[_Post]:
    """``post`` with its tax treatment: marked as tax (code, base), split into net and VAT,
    or unchanged when no tax rule matches."""
    rule = taxes.rule_for(key) if taxes is not None else None
    if rule is None:
        return [post]
    if rule.rate is not None and rule.account is not None:
        net, vat = split_gross(post.amount, rule.rate)
        return [
            _Post(post.account, net, post.reference, tax_code=rule.tax_code, text=post.text),
            _Post(rule.account, vat, post.reference, tax_code=rule.tax_code, tax_base=net),
        ]
    base = _tax_base(rule, post.amount, bases, group, key[0])
    return [_Post(post.account, post.amount, post.reference, rule.tax_code, base, text=post.text)]


def _settlement_bases(settlement: Settlement) -> dict[_BaseKey, Money]:
    """ItemPrice amounts per (order, transaction type, description): what taxes are on."""
    bases: dict[_BaseKey, Money] = {}
    for line in settlement.lines:
        if normalise_key_part(line.amount_type) != "itemprice":
            continue
        key = _base_key(line.order_id, line.transaction_type, line.amount_description)
        bases[key] = bases[key] + line.amount if key in bases else line.amount
    return bases


def _to_receivable(
    line: SettlementLine, receivables: ReceivableRules | None, applied: CashApplication | None
) -> bool:
    if receivables is None or not receivables.pays_order(line):
        return False
    return applied is None or (line.order_id or "") in applied.cleared_orders


def settlement_taxes(
    settlement: Settlement,
    taxes: TaxRules,
    *,
    receivables: ReceivableRules | None = None,
    applied: CashApplication | None = None,
) -> dict[str, Money]:
    """The settlement's tax per tax code, in the settlement's sign (+ credited to the seller).

    Reported taxes count as they are; VAT inside gross fees as :func:`split_gross` computes
    it; rows cleared against the receivable carry no tax (the invoice booked it). The tax
    lines of :func:`settlement_to_journal` with the same arguments sum to exactly these
    amounts, negated (journal sign).
    """
    totals: dict[str, Money] = {}
    for line in settlement.lines:
        if _to_receivable(line, receivables, applied):
            continue
        rule = taxes.rule_for(line.key)
        if rule is None:
            continue
        amount = line.amount if rule.rate is None else split_gross(line.amount, rule.rate)[1]
        code = rule.tax_code
        totals[code] = totals[code] + amount if code in totals else amount
    return totals


# --- settlements -----------------------------------------------------------------------


def _line_label(index: int, line: SettlementLine) -> str:
    order = f", order {line.order_id}" if line.order_id else ""
    return f"line {index} ({', '.join(line.key)}{order})"


def _check_settlement(settlement: Settlement) -> None:
    """One currency, and lines that sum to the total: otherwise no journal can tie out."""
    sid, currency = settlement.settlement_id, settlement.currency
    foreign = [
        f"{_line_label(i, ln)} amount {ln.amount}"
        for i, ln in enumerate(settlement.lines, start=1)
        if ln.amount.currency != currency
    ]
    if foreign:
        shown = "; ".join(foreign[:5]) + (
            f"; and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        )
        raise SettlementCurrencyError(
            f"settlement {sid}: {len(foreign)} line(s) not in the settlement currency "
            f"{currency}: {shown}. A settlement has one currency; check the report's currency "
            "column"
        )
    lines_total = settlement.lines_total()
    if lines_total != settlement.total:
        raise SettlementTieOutError(
            f"settlement {sid}: lines sum to {lines_total} but total-amount is "
            f"{settlement.total} (difference {settlement.total - lines_total}); a journal "
            "would not tie out to the deposit"
        )


def settlement_to_journal(
    settlement: Settlement,
    accounts: GlAccountMap,
    *,
    posting_date: date | None = None,
    detail: bool = False,
    account_for: AccountResolver = settlement_line_account,
    taxes: TaxRules | None = None,
    receivables: ReceivableRules | None = None,
    applied: CashApplication | None = None,
) -> JournalEntry:
    """One balanced journal entry for a settlement, which ties out to its deposit.

    A settlement has exactly one currency, so this returns one :class:`JournalEntry` (not one
    per currency); lines in another currency raise :class:`SettlementCurrencyError`.

    - Each line's account comes from ``account_for(line, accounts)`` (default: the account
      map's most specific rule); lines aggregate per account and dimensions, or with
      ``detail=True`` per account, dimensions and order (line reference = Amazon order id).
      Amounts that net to zero leave no line.
    - The first line is the deposit: the settlement total DEBITED to ``accounts.clearing``
      (a negative total, a settlement Amazon charges, credits it). The entry balances to the
      cent because the lines sum to the total; a settlement that does not tie out raises
      :class:`SettlementTieOutError`.
    - Every combination with no account raises ONE :class:`UnmappedSettlementLines` listing
      all of them with counts and totals.
    - ``reference`` is the settlement id; ``posting_date`` defaults to the deposit date, else
      the settlement end date (never today's date).
    - ``taxes``: tax amounts carry their tax code and base, VAT is split out of gross fees
      (see :mod:`~amazon_erp_bridge.mapping.tax`); the tax lines sum to
      :func:`settlement_taxes`.
    - ``receivables``: each order's receivable rows (what the buyer paid) credit the Amazon
      customer in one debtor line per order (reference = order id) instead of revenue; with
      ``applied`` only the orders cash application matched (the rest post to their accounts).
    """
    _check_settlement(settlement)
    sid = settlement.settlement_id
    unmapped = _Unmapped()
    bases = _settlement_bases(settlement) if taxes is not None else {}
    postings: list[_Post] = []
    for line in settlement.lines:
        if receivables is not None and _to_receivable(line, receivables, applied):
            text = receivables.account.text or f"Amazon order {line.order_id}"
            postings.append(
                _Post(
                    receivables.account,
                    line.amount,
                    line.order_id,
                    customer=receivables.customer_for(
                        line.marketplace_name or settlement.marketplace_name
                    ),
                    text=text,
                )
            )
            continue
        account = account_for(line, accounts)
        if account is None:
            unmapped.add(line.key, line.amount)
            continue
        post = _Post(account, line.amount, line.order_id if detail else None)
        postings += _taxed(post, line.key, taxes, bases, line.order_id)
    if missing := unmapped.keys():
        raise UnmappedSettlementLines(f"settlement {sid} has", missing)
    clearing = accounts.clearing
    deposit = JournalLine(
        account=clearing.account,
        amount=settlement.total,
        text=clearing.text or f"Amazon settlement {sid} deposit",
        dimensions=dict(clearing.dimensions),
        reference=sid,
    )
    period = f"{settlement.start.date().isoformat()}..{settlement.end.date().isoformat()}"
    return JournalEntry(
        reference=sid,
        posting_date=posting_date or settlement_posting_date(settlement),
        lines=(deposit, *_aggregate(postings, f"Amazon settlement {sid}")),
        text=f"Amazon settlement {sid} {period}",
        document_date=settlement.end.date(),
        source=SETTLEMENT_SOURCE,
    )


def settlement_journal_from_lines(
    header: Settlement,
    lines: Iterable[SettlementLine],
    accounts: GlAccountMap,
    *,
    posting_date: date | None = None,
    detail: bool = False,
    account_for: AccountResolver = settlement_line_account,
) -> JournalEntry:
    """:func:`settlement_to_journal` over a stream of lines: memory flat whatever the file size.

    ``header`` is the settlement without its lines (id, period, total, deposit date: the
    summary row, e.g. from :class:`~amazon_erp_bridge.amazon.settlement.SettlementReader`);
    ``lines`` are read once and never held: each becomes a posting summed into its journal
    line at once, so memory grows with the journal's lines (accounts, or accounts x orders
    with ``detail``), not with the report. The entry equals what :func:`settlement_to_journal`
    builds from the same lines without ``taxes``/``receivables`` (which need each order's
    lines together, so they stay on the in-memory path), with the same checks: one currency,
    lines that sum to the total, every unmapped key listed in one error.
    """
    sid, currency = header.settlement_id, header.currency
    unmapped = _Unmapped()
    foreign: list[str] = []
    foreign_count = 0
    running = Decimal(0)

    # Sums per (account, reference) in plain Decimals, in order of first appearance; they
    # become postings once, at the end (the same journal lines, summed the same way).
    sums: dict[tuple[object, object, str | None], tuple[GlAccount, Decimal]] = {}
    by_key: dict[_Key, GlAccount | None] = {}  # the default resolver looks at the key only
    cache = account_for is settlement_line_account
    for index, line in enumerate(lines, start=1):
        amount = line.amount
        if amount.currency != currency:
            foreign_count += 1
            if len(foreign) < 5:
                foreign.append(f"{_line_label(index, line)} amount {amount}")
            continue
        value = amount.amount
        running += value
        if cache:
            key = line.key
            if key in by_key:
                account = by_key[key]
            else:
                account = by_key[key] = account_for(line, accounts)
        else:
            account = account_for(line, accounts)
        if account is None:
            unmapped.add(line.key, amount)
            continue
        group = (account.account, account.dimension_key, line.order_id if detail else None)
        found = sums.get(group)
        sums[group] = (account, value if found is None else found[1] + value)
    postings = (
        _Post(account, Money(total, currency), reference)
        for (_, _, reference), (account, total) in sums.items()
    )
    aggregated = _aggregate(postings, f"Amazon settlement {sid}")
    if foreign_count:
        more = f"; and {foreign_count - 5} more" if foreign_count > 5 else ""
        raise SettlementCurrencyError(
            f"settlement {sid}: {foreign_count} line(s) not in the settlement currency "
            f"{currency}: {'; '.join(foreign)}{more}. A settlement has one currency; check the "
            "report's currency column"
        )
    lines_total = Money(running, currency)
    if lines_total != header.total:
        raise SettlementTieOutError(
            f"settlement {sid}: lines sum to {lines_total} but total-amount is "
            f"{header.total} (difference {header.total - lines_total}); a journal "
            "would not tie out to the deposit"
        )
    if missing := unmapped.keys():
        raise UnmappedSettlementLines(f"settlement {sid} has", missing)
    clearing = accounts.clearing
    deposit = JournalLine(
        account=clearing.account,
        amount=header.total,
        text=clearing.text or f"Amazon settlement {sid} deposit",
        dimensions=dict(clearing.dimensions),
        reference=sid,
    )
    period = f"{header.start.date().isoformat()}..{header.end.date().isoformat()}"
    return JournalEntry(
        reference=sid,
        posting_date=posting_date or settlement_posting_date(header),
        lines=(deposit, *aggregated),
        text=f"Amazon settlement {sid} {period}",
        document_date=header.end.date(),
        source=SETTLEMENT_SOURCE,
    )


@frozen
class SettlementTieOut:
    """Proof that a journal ties out to its settlement: deposit line, debits and credits."""

    settlement_id: str
    deposit: Money
    debits: Money
    credits: Money
    lines: int

    def __str__(self) -> str:
        return (
            f"journal {self.settlement_id}: {self.lines} lines balance at {self.debits}, "
            f"deposit {self.deposit} ties out"
        )


def settlement_tie_out(
    settlement: Settlement, entry: JournalEntry, accounts: GlAccountMap
) -> SettlementTieOut:
    """Check that ``entry`` is ``settlement``'s journal and ties out to its deposit.

    The entry must carry the settlement id, be in the settlement's currency and balance; its
    deposit line (``accounts.clearing``, referenced by the settlement id) must equal the
    settlement total, which the settlement's lines must sum to. Anything else raises
    :class:`SettlementTieOutError` naming the figures that differ.
    """
    sid, currency = settlement.settlement_id, settlement.currency

    def off(problem: str) -> SettlementTieOutError:
        return SettlementTieOutError(
            f"settlement {sid}: {problem}; the journal does not tie out to the deposit"
        )

    if entry.reference != sid:
        raise off(f"journal reference is {entry.reference!r}, expected the settlement id")
    if entry.currencies != (currency,):
        raise off(f"journal currencies {', '.join(entry.currencies)}, expected {currency}")
    lines_total = settlement.lines_total()
    if lines_total != settlement.total:
        raise off(f"lines sum to {lines_total} but total-amount is {settlement.total}")
    deposits = [
        line
        for line in entry.lines
        if line.account == accounts.clearing.account and line.reference == sid
    ]
    if len(deposits) != 1:
        raise off(
            f"expected one deposit line on clearing account {accounts.clearing.account}, "
            f"found {len(deposits)}"
        )
    if deposits[0].amount != settlement.total:
        raise off(
            f"deposit line is {deposits[0].amount} but the settlement total is {settlement.total}"
        )
    debits, credits = entry.debit_total(currency), entry.credit_total(currency)
    if debits != credits:
        raise off(f"debits {debits} and credits {credits} differ")
    return SettlementTieOut(sid, deposits[0].amount, debits, credits, len(entry.lines))


# --- financial events ------------------------------------------------------------------


@frozen
class EventKeyRules:
    """How a financial event amount becomes the same key a settlement line has.

    ``(event_type, component kind, component type)`` translates to ``(transaction-type,
    amount-type, amount-description)`` through three tables; a value not in a table passes
    through unchanged, so one account map serves settlements and events alike.
    """

    transaction_types: Mapping[str, str] = field(converter=frozen_mapping)
    amount_types: Mapping[str, str] = field(converter=frozen_mapping)
    descriptions: Mapping[str, str] = field(factory=dict, converter=frozen_mapping)


#: Finances API names -> settlement report names. Shipment events are "Order" rows, a
#: Charge is "ItemPrice", a Fee "ItemFees", TaxWithheld "ItemWithheldTax"; ChargeType
#: ``ShippingCharge`` is the settlement's ``Shipping``.
DEFAULT_EVENT_KEYS: Final = EventKeyRules(
    transaction_types={
        "Shipment": "Order",
        "Refund": "Refund",
        "GuaranteeClaim": "A-to-z Guarantee Refund",
        "Chargeback": "Chargeback Refund",
        "ServiceFee": "ServiceFee",
        "Adjustment": "other-transaction",
    },
    amount_types={
        "Charge": "ItemPrice",
        "Fee": "ItemFees",
        "Promotion": "Promotion",
        "TaxWithheld": "ItemWithheldTax",
        "Adjustment": "other-transaction",
        "Other": "other-transaction",
    },
    descriptions={
        "ShippingCharge": "Shipping",
        "Giftwrap": "GiftWrap",
        "GiftwrapTax": "GiftWrapTax",
    },
)


def financial_event_key(
    event: FinancialEvent, component: FinancialComponent, keys: EventKeyRules = DEFAULT_EVENT_KEYS
) -> _Key:
    """The account-map key of one event amount, e.g. Shipment/Charge/Principal ->
    (Order, ItemPrice, Principal)."""
    return (
        keys.transaction_types.get(event.event_type, event.event_type),
        keys.amount_types.get(component.kind.value, component.kind.value),
        keys.descriptions.get(component.type, component.type),
    )


#: A rule deciding the account of one event amount; return None for "unmapped".
EventAccountResolver = Callable[
    [FinancialEvent, FinancialComponent, GlAccountMap], GlAccount | None
]


def financial_event_account(
    event: FinancialEvent,
    component: FinancialComponent,
    accounts: GlAccountMap,
    keys: EventKeyRules = DEFAULT_EVENT_KEYS,
) -> GlAccount | None:
    """The account map's account for an event amount, through the same keys as settlements.

    A Shipment's Charge/Principal is (Order, ItemPrice, Principal) and credits sales revenue,
    exactly as the settlement line it will become.
    """
    return accounts.lookup(financial_event_key(event, component, keys))


def financial_events_to_journal(
    events: Iterable[FinancialEvent],
    accounts: GlAccountMap,
    *,
    reference: str,
    posting_date: date,
    keys: EventKeyRules = DEFAULT_EVENT_KEYS,
    account_for: EventAccountResolver | None = None,
    detail: bool = False,
    taxes: TaxRules | None = None,
) -> tuple[JournalEntry, ...]:
    """Book financial events (before their settlement exists) against the unsettled receivable.

    Returns one balanced entry per currency, sorted by currency, each with reference
    ``f"{reference}-{currency}"`` (events of a day can span marketplaces and currencies; an
    ERP journal has one). Every amount posts with the settlement sign convention; the
    balancing line DEBITS ``accounts.unsettled`` with the net owed by Amazon. Amounts with no
    account raise one :class:`UnmappedFinancialEvents` listing all of them. Reverse these
    entries when the settlement posts: see :func:`reverse_daily_postings`. ``taxes`` marks
    and splits taxes as in :func:`settlement_to_journal`, each tax's base taken within its
    event (a Shipment's Tax is on its Principal).
    """
    if accounts.unsettled is None:
        raise ConfigurationError(
            "account map has no 'unsettled' account (Amazon receivable, unsettled), which "
            "daily financial-event postings book against; add one"
        )
    resolve = account_for or partial(financial_event_account, keys=keys)
    unmapped = _Unmapped()
    by_currency: dict[str, list[_Post]] = {}
    for number, event in enumerate(events):
        bases = _event_bases(number, event, keys) if taxes is not None else {}
        for component in event.components:
            key = financial_event_key(event, component, keys)
            account = resolve(event, component, accounts)
            if account is None:
                unmapped.add(key, component.amount)
                continue
            post = _Post(account, component.amount, event.order_id if detail else None)
            by_currency.setdefault(component.amount.currency, []).extend(
                _taxed(post, key, taxes, bases, number)
            )
    if missing := unmapped.keys():
        raise UnmappedFinancialEvents(f"financial events {reference} have", missing)
    unsettled = accounts.unsettled
    entries = (
        _events_entry(by_currency[currency], unsettled, reference, currency, posting_date)
        for currency in sorted(by_currency)
    )
    return tuple(entry for entry in entries if entry is not None)


def _event_bases(number: int, event: FinancialEvent, keys: EventKeyRules) -> dict[_BaseKey, Money]:
    """An event's ItemPrice amounts (Charges) per description: what its taxes are on."""
    bases: dict[_BaseKey, Money] = {}
    for component in event.components:
        tx, amount_type, description = financial_event_key(event, component, keys)
        if normalise_key_part(amount_type) != "itemprice":
            continue
        key = _base_key(number, tx, description)
        bases[key] = bases[key] + component.amount if key in bases else component.amount
    return bases


def _events_entry(
    postings: Sequence[_Post],
    unsettled: GlAccount,
    reference: str,
    currency: str,
    posting_date: date,
) -> JournalEntry | None:
    lines = _aggregate(postings, f"Amazon financial events {reference}")
    if not lines:
        return None
    ref = f"{reference}-{currency}"
    owed = Money.total((post.amount for post in postings), currency)
    receivable = JournalLine(
        account=unsettled.account,
        amount=owed,
        text=unsettled.text or "Amazon receivable (unsettled)",
        dimensions=dict(unsettled.dimensions),
        reference=ref,
    )
    return JournalEntry(
        reference=ref,
        posting_date=posting_date,
        lines=(receivable, *lines),
        text=f"Amazon financial events {reference} ({currency})",
        source=EVENTS_SOURCE,
    )


# --- reversal --------------------------------------------------------------------------


def reverse_entry(
    entry: JournalEntry, *, posting_date: date, reference: str | None = None, text: str = ""
) -> JournalEntry:
    """The mirror image of ``entry``: every debit becomes a credit of the same amount.

    The reference defaults to ``f"{entry.reference}-REV"`` so the ERP can be asked for it
    before posting (idempotent, like every posting).
    """
    return JournalEntry(
        reference=reference or f"{entry.reference}-REV",
        posting_date=posting_date,
        lines=tuple(
            JournalLine(
                account=line.account,
                amount=-line.amount,
                text=line.text,
                dimensions=dict(line.dimensions),
                reference=line.reference,
                tax_code=line.tax_code,
                tax_base=None if line.tax_base is None else -line.tax_base,
                customer=line.customer,
            )
            for line in entry.lines
        ),
        text=text or f"Reversal of {entry.reference}",
        document_date=entry.document_date,
        source=entry.source,
    )


def reverse_daily_postings(
    entries: Iterable[JournalEntry], settlement: Settlement, *, posting_date: date | None = None
) -> tuple[JournalEntry, ...]:
    """Reverse the daily financial-event entries that a settlement now replaces.

    Business rule: daily postings are provisional. When the settlement covering them posts,
    each daily entry is reversed on the settlement's posting date (deposit date, else end
    date) and the settlement posts in full with :func:`settlement_to_journal`; afterwards the
    unsettled receivable nets to zero and the P&L shows the settlement's figures. The caller
    chooses which entries the settlement covers (by period or event group); an entry in
    another currency than the settlement belongs to another settlement and is refused.
    """
    day = posting_date or settlement_posting_date(settlement)
    sid = settlement.settlement_id
    reversed_entries = []
    for entry in entries:
        other = [c for c in entry.currencies if c != settlement.currency]
        if other:
            raise MappingError(
                f"journal entry {entry.reference}: currency {', '.join(other)} does not match "
                f"settlement {sid} ({settlement.currency}); it belongs to another settlement"
            )
        reversed_entries.append(
            reverse_entry(
                entry,
                posting_date=day,
                text=f"Reversal of {entry.reference}: replaced by Amazon settlement {sid}",
            )
        )
    return tuple(reversed_entries)


__all__ = [
    "DEFAULT_EVENT_KEYS",
    "EVENTS_SOURCE",
    "SETTLEMENT_SOURCE",
    "EventAccountResolver",
    "EventKeyRules",
    "SettlementTieOut",
    "financial_event_account",
    "financial_event_key",
    "financial_events_to_journal",
    "reverse_daily_postings",
    "reverse_entry",
    "settlement_posting_date",
    "settlement_taxes",
    "settlement_tie_out",
    "settlement_to_journal",
]
