"""Amazon settlements: the payout document that every GL posting ties out to."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar

from attrs import field, frozen

from amazon_erp_bridge.model._checks import aware, non_negative, not_blank
from amazon_erp_bridge.model.display import dataframe, html_table
from amazon_erp_bridge.model.money import Money


@frozen
class SettlementLine:
    """One amount of a settlement: what kind of transaction, which amount kind, how much.

    ``(transaction_type, amount_type, amount_description)`` is the key that account maps use,
    e.g. ``("Order", "ItemPrice", "Principal")``.
    """

    transaction_type: str
    amount_type: str
    amount_description: str
    amount: Money
    order_id: str | None = None
    merchant_order_id: str | None = None
    adjustment_id: str | None = None
    shipment_id: str | None = None
    marketplace_name: str | None = None
    fulfillment_id: str | None = None
    posted_date: datetime | None = field(default=None, validator=aware)
    order_item_code: str | None = None
    merchant_order_item_id: str | None = None
    merchant_adjustment_item_id: str | None = None
    sku: str | None = None
    quantity_purchased: int | None = field(default=None, validator=non_negative)
    promotion_id: str | None = None
    extra: Mapping[str, str] = field(factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        """The account-map key: (transaction-type, amount-type, amount-description)."""
        return (self.transaction_type, self.amount_type, self.amount_description)


@frozen
class Settlement:
    """A settlement period and its lines; ``total`` is the deposit (may be negative: a debit)."""

    settlement_id: str = field(validator=not_blank)
    start: datetime = field(validator=aware)
    end: datetime = field(validator=aware)
    total: Money
    deposit_date: datetime | None = field(default=None, validator=aware)
    lines: tuple[SettlementLine, ...] = ()
    marketplace_name: str | None = None

    @property
    def currency(self) -> str:
        """The settlement's currency (that of its total)."""
        return self.total.currency

    def lines_total(self) -> Money:
        """Exact sum of the line amounts (equals ``total`` for a settlement that reconciles)."""
        return Money.total((line.amount for line in self.lines), self.currency)

    def _rows(self) -> Iterator[tuple[object, ...]]:
        for ln in self.lines:
            yield (
                ln.posted_date.isoformat() if ln.posted_date else None,
                ln.transaction_type,
                ln.amount_type,
                ln.amount_description,
                ln.order_id,
                ln.sku,
                ln.amount.amount,
            )

    _COLUMNS: ClassVar[tuple[str, ...]] = (
        "posted",
        "transaction_type",
        "amount_type",
        "amount_description",
        "order_id",
        "sku",
        "amount",
    )

    def _repr_html_(self) -> str:
        title = (
            f"Settlement {self.settlement_id}: {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}, "
            f"total {self.total}"
        )
        return html_table(title, self._COLUMNS, self._rows(), total=len(self.lines))

    def to_dataframe(self) -> Any:
        """The lines as a pandas DataFrame; needs the pandas extra.

        ``posted`` is a UTC ``datetime64`` column, ``amount`` stays Decimal (exact) and
        ``currency`` is a categorical column.
        """
        rows = ((*row, self.currency) for row in self._rows())
        return dataframe(
            (*self._COLUMNS, "currency"), rows, dates=("posted",), categories=("currency",)
        )
