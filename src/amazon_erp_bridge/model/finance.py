"""Financial events: what Amazon books as it happens, before the settlement closes."""

from __future__ import annotations

import enum
from datetime import datetime

from attrs import field, frozen

from amazon_erp_bridge.model._checks import aware
from amazon_erp_bridge.model.money import Money


class ComponentKind(enum.StrEnum):
    """Which list of a financial event an amount came from."""

    CHARGE = "Charge"  # ItemChargeList: what the buyer paid (Principal, Tax, Shipping...)
    FEE = "Fee"  # ItemFeeList / FeeList: what Amazon charged the seller
    PROMOTION = "Promotion"  # PromotionList
    TAX_WITHHELD = "TaxWithheld"  # ItemTaxWithheldList: marketplace facilitator tax
    ADJUSTMENT = "Adjustment"  # AdjustmentEvent amounts
    OTHER = "Other"


@frozen
class FinancialComponent:
    """One amount of a financial event: e.g. (Charge, Principal, 29.99 USD) for a SKU."""

    kind: ComponentKind = field(converter=ComponentKind)
    type: str
    amount: Money
    seller_sku: str | None = None
    order_item_id: str | None = None
    quantity: int | None = None


@frozen
class FinancialEvent:
    """A shipment, refund, service fee, adjustment... event from the Finances API.

    ``event_type`` is the event list's name without ``EventList`` (``Shipment``, ``Refund``,
    ``ServiceFee``, ``Adjustment``, ...). Service fee events carry no posted date.
    """

    event_type: str
    components: tuple[FinancialComponent, ...] = ()
    posted_date: datetime | None = field(default=None, validator=aware)
    order_id: str | None = None
    seller_order_id: str | None = None
    marketplace_name: str | None = None
    group_id: str | None = None
    description: str | None = None
    #: Amounts the event states but that move no money of their own: a total that is the sum
    #: of the parts already in ``components``, a rental's initial value, an original debt...
    #: Kept for reference; never summed by :meth:`total` or posted to a journal, and not part
    #: of equality (two readings of one event with more or less detail are the same event).
    informational: tuple[FinancialComponent, ...] = field(default=(), eq=False)

    def total(self, currency: str) -> Money:
        """Sum of this event's components in ``currency``."""
        return Money.total(
            (c.amount for c in self.components if c.amount.currency == currency), currency
        )
