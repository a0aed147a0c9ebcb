"""Inventory levels: what a warehouse or fulfilment network can sell, hold or expect."""

from __future__ import annotations

from datetime import datetime

from attrs import field, frozen

from amazon_erp_bridge.model._checks import aware, non_negative
from amazon_erp_bridge.model.order import ItemRef


@frozen
class InventoryLevel:
    """Stock of one item at one location (an FBA marketplace, or an ERP warehouse).

    ``fulfillable`` is what can ship now; ``reserved`` is held for orders already taken (or
    in FC transfer/processing) and must not be offered again.
    """

    item: ItemRef
    fulfillable: int = field(validator=non_negative)
    reserved: int = field(default=0, validator=non_negative)
    inbound: int = field(default=0, validator=non_negative)
    unfulfillable: int = field(default=0, validator=non_negative)
    researching: int = field(default=0, validator=non_negative)
    location: str | None = None
    condition: str | None = None
    updated_at: datetime | None = field(default=None, validator=aware)

    @property
    def total(self) -> int:
        """Every unit Amazon holds or expects: fulfillable, reserved, inbound, unfulfillable,
        researching.
        """
        return (
            self.fulfillable + self.reserved + self.inbound + self.unfulfillable + self.researching
        )
