"""Cash application: the settlement that paid an order clears the receivable of its invoice.

When order to cash invoices an Amazon order in the ERP, the invoice debits the Amazon
customer (the receivable) and credits revenue and tax. The settlement later pays what Amazon
collected for it. Posting the settlement's order amounts to revenue again would count the
sale twice; instead they *clear the receivable*: a credit on the Amazon customer account
referencing the order, the same amount the invoice debited.

:func:`apply_cash` matches them, purely: per order, the settlement's receivable amounts
(``ReceivableRules.keys``: by default the order's ItemPrice, Promotion and ItemWithheldTax
rows, i.e. what the buyer paid less the facilitator tax Amazon keeps) against the open
receivables of that order. An order whose amounts equal its open receivables is applied; the
rest is listed with amounts and a reason: paid but not invoiced, paid a different amount,
invoiced in another currency, and invoices the settlement did not pay (still open).
:func:`~amazon_erp_bridge.mapping.settlement_to_journal` with ``receivables=`` and
``applied=`` then posts the applied orders against the receivable and the rest as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from fnmatch import fnmatchcase
from typing import Any, ClassVar, Final

from attrs import field, frozen

from amazon_erp_bridge.errors import ConfigurationError
from amazon_erp_bridge.mapping.accounts import GlAccount, frozen_mapping, normalise_key_part
from amazon_erp_bridge.model import Money, Settlement, SettlementLine
from amazon_erp_bridge.model.display import dataframe, html_table

_Key = tuple[str, str, str]

#: What the buyer paid for an order, as settlement rows: its prices, promotions and the
#: facilitator tax Amazon withholds again.
DEFAULT_RECEIVABLE_KEYS: Final[tuple[_Key, ...]] = (
    ("Order", "ItemPrice", "*"),
    ("Order", "Promotion", "*"),
    ("Order", "ItemWithheldTax", "*"),
)


def _keys(value: Iterable[Iterable[str]]) -> tuple[_Key, ...]:
    out = []
    for key in value:
        parts = tuple(str(p) for p in key)
        if len(parts) != 3:
            raise ConfigurationError(
                f"receivable rules.keys: {parts!r} is not (transaction-type, amount-type, "
                "amount-description)"
            )
        out.append((parts[0], parts[1], parts[2]))
    return tuple(out)


def _customer(_instance: object, _attribute: object, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError("ReceivableRules.customer: expected the Amazon customer account")


@frozen
class ReceivableRules:
    """The Amazon customer account whose receivable settlements clear, and which rows do.

    ``customer`` is the ERP customer the invoices are booked to (M3 CUNO, SAP debtor);
    ``account`` the receivable's reconciliation account (what M3 posts and reports show);
    ``keys`` the settlement rows that pay an order (patterns with ``*`` and globs, as in the
    account map). ``marketplaces`` books a marketplace's orders to its own customer
    (marketplace name as the settlement gives it, e.g. ``Amazon.co.uk`` -> customer), as
    order to cash does per marketplace id; ``customer`` takes the rest.
    """

    customer: str = field(validator=_customer)
    account: GlAccount
    keys: tuple[_Key, ...] = field(default=DEFAULT_RECEIVABLE_KEYS, converter=_keys)
    marketplaces: Mapping[str, str] = field(factory=dict, converter=frozen_mapping)

    def customer_for(self, marketplace_name: str | None) -> str:
        """The customer of a marketplace (names compare ignoring case), else ``customer``."""
        wanted = (marketplace_name or "").strip().casefold()
        for name, customer in self.marketplaces.items():
            if name.strip().casefold() == wanted:
                return customer
        return self.customer

    def pays_order(self, line: SettlementLine) -> bool:
        """True for a row with an order id whose key is one of ``keys``."""
        if not line.order_id:
            return False
        value = tuple(normalise_key_part(p) for p in line.key)
        return any(
            all(
                fnmatchcase(v, normalise_key_part(p) or "*")
                for v, p in zip(value, key, strict=True)
            )
            for key in self.keys
        )


@frozen
class OpenReceivable:
    """An invoice of an Amazon order, open on the Amazon customer in the ERP."""

    order_id: str
    amount: Money
    invoice: str | None = None


@frozen
class AppliedPayment:
    """An order the settlement paid in full: its receivable is cleared by ``amount``."""

    order_id: str
    amount: Money
    invoices: tuple[str, ...] = ()


@frozen
class UnmatchedAmount:
    """An amount cash application could not match, with why.

    ``paid`` is what the settlement paid for the order (None: nothing), ``invoiced`` the open
    receivable (None: no invoice).
    """

    order_id: str
    paid: Money | None
    invoiced: Money | None
    reason: str

    @property
    def difference(self) -> Money | None:
        """Paid less invoiced, where both exist in one currency."""
        if self.paid is None or self.invoiced is None:
            return None
        if self.paid.currency != self.invoiced.currency:
            return None
        return self.paid - self.invoiced


def _applied(value: Iterable[AppliedPayment]) -> tuple[AppliedPayment, ...]:
    return tuple(value)


def _unmatched(value: Iterable[UnmatchedAmount]) -> tuple[UnmatchedAmount, ...]:
    return tuple(value)


@frozen
class CashApplication:
    """What a settlement cleared, and what it could not match (with amounts and reasons)."""

    settlement_id: str
    applied: tuple[AppliedPayment, ...] = field(default=(), converter=_applied)
    unmatched: tuple[UnmatchedAmount, ...] = field(default=(), converter=_unmatched)

    @property
    def cleared_orders(self) -> frozenset[str]:
        """The orders whose receivable this settlement clears."""
        return frozenset(a.order_id for a in self.applied)

    def cleared(self, currency: str) -> Money:
        """The total applied (cleared) in ``currency``."""
        return Money.total(
            (a.amount for a in self.applied if a.amount.currency == currency), currency
        )

    _COLUMNS: ClassVar[tuple[str, ...]] = ("order_id", "status", "paid", "invoiced", "reason")

    def _rows(self) -> Iterator[tuple[object, ...]]:
        for a in self.applied:
            yield (a.order_id, "applied", a.amount, a.amount, ", ".join(a.invoices))
        for u in self.unmatched:
            yield (u.order_id, "unmatched", u.paid, u.invoiced, u.reason)

    def _repr_html_(self) -> str:
        title = (
            f"Cash application of settlement {self.settlement_id}: {len(self.applied)} "
            f"applied, {len(self.unmatched)} unmatched"
        )
        return html_table(
            title, self._COLUMNS, self._rows(), total=len(self.applied) + len(self.unmatched)
        )

    def to_dataframe(self) -> Any:
        """Applied and unmatched orders as a pandas DataFrame; needs pandas."""
        return dataframe(self._COLUMNS, self._rows())

    def __str__(self) -> str:
        lines = [
            f"settlement {self.settlement_id}: {len(self.applied)} orders applied, "
            f"{len(self.unmatched)} unmatched"
        ]
        lines += [
            f"  {u.order_id}: paid {u.paid or '-'}, invoiced {u.invoiced or '-'}: {u.reason}"
            for u in self.unmatched
        ]
        return "\n".join(lines)


def order_payments(settlement: Settlement, rules: ReceivableRules) -> dict[str, Money]:
    """What the settlement paid per order: the sum of its receivable rows, in first-seen order."""
    paid: dict[str, Money] = {}
    for line in settlement.lines:
        if rules.pays_order(line):
            order = line.order_id or ""
            paid[order] = paid[order] + line.amount if order in paid else line.amount
    return paid


def apply_cash(
    settlement: Settlement, receivables: Iterable[OpenReceivable], rules: ReceivableRules
) -> CashApplication:
    """Match each order the settlement paid with the open receivables of its invoices.

    An order is applied when its open receivables (all of its invoices, summed) equal what
    the settlement paid for it, in the same currency. Unmatched, with the reason:

    - paid, no open receivable: "not invoiced in the ERP (or already cleared)";
    - paid and invoiced in different currencies;
    - paid and invoiced amounts differ (the difference is in the reason);
    - invoiced but not in this settlement: "still open: not paid by this settlement"
      (a later settlement may pay it).
    """
    open_by_order: dict[str, list[OpenReceivable]] = {}
    for receivable in receivables:
        open_by_order.setdefault(receivable.order_id, []).append(receivable)
    applied: list[AppliedPayment] = []
    unmatched: list[UnmatchedAmount] = []
    paid_orders = order_payments(settlement, rules)
    for order_id, paid in paid_orders.items():
        invoices = open_by_order.get(order_id, [])
        if not invoices:
            unmatched.append(
                UnmatchedAmount(
                    order_id,
                    paid,
                    None,
                    "no open receivable: not invoiced in the ERP (or already cleared)",
                )
            )
            continue
        currencies = {r.amount.currency for r in invoices}
        if currencies != {paid.currency}:
            invoiced = invoices[0].amount if len(invoices) == 1 else None
            unmatched.append(
                UnmatchedAmount(
                    order_id,
                    paid,
                    invoiced,
                    f"invoiced in {', '.join(sorted(currencies))}, paid in {paid.currency}",
                )
            )
            continue
        invoiced = Money.total((r.amount for r in invoices), paid.currency)
        numbers = tuple(r.invoice for r in invoices if r.invoice)
        if invoiced != paid:
            unmatched.append(
                UnmatchedAmount(
                    order_id,
                    paid,
                    invoiced,
                    f"paid {paid} but the open receivable is {invoiced} (difference "
                    f"{paid - invoiced})",
                )
            )
            continue
        applied.append(AppliedPayment(order_id, paid, numbers))
    for order_id, invoices in open_by_order.items():
        if order_id in paid_orders:
            continue
        currency = invoices[0].amount.currency
        same = all(r.amount.currency == currency for r in invoices)
        invoiced = Money.total((r.amount for r in invoices), currency) if same else None
        unmatched.append(
            UnmatchedAmount(order_id, None, invoiced, "still open: not paid by this settlement")
        )
    return CashApplication(settlement.settlement_id, applied, unmatched)


__all__ = [
    "DEFAULT_RECEIVABLE_KEYS",
    "AppliedPayment",
    "CashApplication",
    "OpenReceivable",
    "ReceivableRules",
    "UnmatchedAmount",
    "apply_cash",
    "order_payments",
]
