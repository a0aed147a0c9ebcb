"""What happens to an order after it was placed: returns, refunds and the payouts that settle it."""

from __future__ import annotations

from datetime import datetime

from attrs import field, frozen

from amazon_erp_bridge.model._checks import aware, non_negative, not_blank
from amazon_erp_bridge.model.finance import FinancialComponent
from amazon_erp_bridge.model.money import Money


@frozen
class Return:
    """Goods a buyer sent back, as Amazon's FBA or merchant returns reports list them.

    ``return_id`` is the key a return is posted under once: Amazon's return request id where
    the report has one (merchant returns), else the license plate number (FBA), else
    ``order_id/sku/date``.
    """

    return_id: str = field(validator=not_blank)
    order_id: str = field(validator=not_blank)
    seller_sku: str = field(validator=not_blank)
    quantity: int = field(validator=non_negative)
    returned_at: datetime = field(validator=aware)
    reason: str | None = None
    disposition: str | None = None
    fulfillment_center_id: str | None = None
    asin: str | None = None
    fnsku: str | None = None
    status: str | None = None
    license_plate_number: str | None = None
    order_item_id: str | None = None
    customer_comments: str | None = None
    refund_amount: Money | None = None
    fulfilled_by_amazon: bool = True


@frozen
class Refund:
    """Money Amazon gave back to a buyer for an order, with the fees it returned or charged.

    Read from a ``RefundEventList`` entry (Finances v0) or a refund transaction (Finances
    2024-06-19). Amounts keep Amazon's signs: refunded charges are negative for the seller.
    """

    refund_id: str = field(validator=not_blank)
    order_id: str = field(validator=not_blank)
    posted_date: datetime | None = field(default=None, validator=aware)
    components: tuple[FinancialComponent, ...] = ()
    marketplace_name: str | None = None
    adjustment_id: str | None = None

    @property
    def currency(self) -> str | None:
        """The refund's currency, from its first amount (None when it has no amounts)."""
        return self.components[0].amount.currency if self.components else None

    def total(self, currency: str) -> Money:
        """Sum of the refund's amounts in ``currency``."""
        return Money.total(
            (c.amount for c in self.components if c.amount.currency == currency), currency
        )


@frozen
class Payout:
    """A transfer of a settlement's balance to the seller's bank account (Transfers API).

    ``expected`` is what the settlement says should be paid; ``deposited`` what the bank
    received, once known. A difference is what finance teams chase.
    """

    payout_id: str = field(validator=not_blank)
    expected: Money
    settlement_id: str | None = None
    initiated_at: datetime | None = field(default=None, validator=aware)
    deposited_at: datetime | None = field(default=None, validator=aware)
    deposited: Money | None = None
    status: str | None = None
    account_tail: str | None = None

    @property
    def difference(self) -> Money | None:
        """Deposited less expected, or None until the deposit is known."""
        return None if self.deposited is None else self.deposited - self.expected
