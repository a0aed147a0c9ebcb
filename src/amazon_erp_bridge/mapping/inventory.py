"""ERP available-to-sell -> the quantity Amazon may offer, per seller SKU and marketplace.

ERP stock first becomes :class:`~amazon_erp_bridge.model.InventoryLevel` per seller SKU
(:func:`erp_inventory_levels`: any ERP's stock rows, through the item crosswalk). Then the
rules, in order, for each seller SKU:

1. start from the ERP's available-to-sell (several warehouses add up; an
   :class:`~amazon_erp_bridge.model.InventoryLevel` counts ``fulfillable - reserved``);
2. hold back the units reserved for other channels (``InventoryRules.reserved``) and the
   safety buffer (``safety_buffer``, or the SKU's own in ``buffers``);
3. split what is left across marketplaces by ``shares`` (largest remainder: whole units,
   the sum never exceeds the stock, and a last unit is still offered somewhere);
4. cap at ``max_quantity``; never below zero.

:func:`changed_quantities` keeps only what differs from what was last sent, which is what
an inventory feed should carry.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Final, Protocol

from attrs import evolve, field, frozen

from amazon_erp_bridge.errors import ConfigurationError, MappingError
from amazon_erp_bridge.mapping.items import ItemCrosswalk
from amazon_erp_bridge.model import InventoryLevel, ItemRef

_ONE: Final = Decimal(1)


def _int_table(value: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(value))


def _share_table(value: Mapping[str, Decimal | int | str]) -> Mapping[str, Decimal]:
    shares: dict[str, Decimal] = {}
    for marketplace, share in value.items():
        if isinstance(share, float):
            raise ConfigurationError(
                f"InventoryRules.shares[{marketplace!r}]: give a Decimal or string, not a float"
            )
        amount = Decimal(share)
        if not Decimal(0) <= amount <= _ONE:
            raise ConfigurationError(
                f"InventoryRules.shares[{marketplace!r}]: {amount} is not between 0 and 1"
            )
        shares[marketplace] = amount
    if sum(shares.values(), Decimal(0)) > _ONE:
        raise ConfigurationError(
            "InventoryRules.shares: the shares add up to more than 1, which would offer the "
            "same units twice"
        )
    return MappingProxyType(shares)


def _non_negative(_instance: object, attribute: object, value: int) -> None:
    if value < 0:
        raise ConfigurationError(f"InventoryRules: expected a count >= 0, got {value}")


@frozen
class InventoryRules:
    """Reservations, safety buffers, marketplace shares and a cap, as data."""

    safety_buffer: int = field(default=0, validator=_non_negative)
    buffers: Mapping[str, int] = field(factory=dict, converter=_int_table)
    reserved: Mapping[str, int] = field(factory=dict, converter=_int_table)
    shares: Mapping[str, Decimal] = field(factory=dict, converter=_share_table)
    max_quantity: int | None = None
    locations: frozenset[str] | None = None

    def buffer_for(self, sku: str) -> int:
        """The safety buffer for ``sku``: its own if set, else the default."""
        return self.buffers.get(sku, self.safety_buffer)


class StockRecord(Protocol):
    """Stock of one ERP item at one location, as any ERP client reports it.

    :class:`~amazon_erp_bridge.infor.WarehouseBalance` (M3) and
    :class:`~amazon_erp_bridge.sap.MaterialStock` (SAP) both are.
    """

    @property
    def item(self) -> str:
        """The ERP item number."""

    @property
    def location(self) -> str:
        """The ERP warehouse or storage location."""

    @property
    def on_hand(self) -> Decimal:
        """The physical quantity in the location, in stock units."""

    @property
    def allocated(self) -> Decimal:
        """The quantity already promised to orders, in stock units."""


def _units(value: Decimal, rounding: str, what: str) -> int:
    if not isinstance(value, Decimal | int) or isinstance(value, bool):
        raise MappingError(f"{what}: expected a Decimal quantity, got {value!r}")
    return int(Decimal(value).to_integral_value(rounding=rounding))


def erp_inventory_levels(
    stock: Iterable[StockRecord], items: ItemCrosswalk
) -> list[InventoryLevel]:
    """ERP stock rows -> one :class:`InventoryLevel` per row and seller SKU.

    - The ERP item becomes its seller SKU through the crosswalk; items no seller SKU maps to
      are not sold on Amazon and are left out.
    - Whole units only: on-hand rounds down and allocated rounds up (a fraction of a unit
      cannot ship); negative on-hand (M3 allows it) counts as zero.
    - An ERP item that several seller SKUs map to offers its stock on the first of them
      (sorted) and zero on the others, so no unit is offered twice.
    """
    skus_of: dict[str, list[str]] = {}
    for sku, item in items.by_seller_sku.items():
        skus_of.setdefault(item, []).append(sku)
    levels: list[InventoryLevel] = []
    for row in stock:
        skus = sorted(skus_of.get(row.item, ()))
        if not skus:
            continue
        where = f"stock of {items.system} {row.item} at {row.location or 'an unnamed location'}"
        on_hand = max(_units(row.on_hand, ROUND_FLOOR, f"{where} on-hand"), 0)
        allocated = max(_units(row.allocated, ROUND_CEILING, f"{where} allocated"), 0)
        for number, sku in enumerate(skus):
            levels.append(
                InventoryLevel(
                    item=ItemRef(seller_sku=sku),
                    fulfillable=on_hand if number == 0 else 0,
                    reserved=allocated if number == 0 else 0,
                    location=row.location or None,
                )
            )
    return levels


def available_by_sku(
    available: Mapping[str, int] | Iterable[InventoryLevel], rules: InventoryRules
) -> dict[str, int]:
    """ERP stock per seller SKU: a mapping as given, or InventoryLevels summed per SKU."""
    if isinstance(available, Mapping):
        totals = {}
        for sku, quantity in available.items():
            if isinstance(quantity, bool) or not isinstance(quantity, int):
                raise MappingError(
                    f"available stock of SKU {sku!r}: expected an integer, got {quantity!r}"
                )
            totals[sku] = quantity
        return totals
    summed: dict[str, int] = {}
    for level in available:
        if rules.locations is not None and level.location not in rules.locations:
            continue
        sku = level.item.seller_sku
        if not sku:
            raise MappingError(
                f"inventory level at {level.location or 'an unnamed location'} for "
                f"{level.item.key!r}: no seller SKU; map ERP items to seller SKUs first "
                "(ItemCrosswalk.seller_skus_for)"
            )
        summed[sku] = summed.get(sku, 0) + level.fulfillable - level.reserved
    return summed


def sellable_quantities(
    available: Mapping[str, int] | Iterable[InventoryLevel], rules: InventoryRules
) -> dict[str, int]:
    """What may be offered at all, per SKU: stock less reservations and buffer, never < 0."""
    return {
        sku: max(0, quantity - rules.reserved.get(sku, 0) - rules.buffer_for(sku))
        for sku, quantity in sorted(available_by_sku(available, rules).items())
    }


def _split(quantity: int, shares: Sequence[tuple[str, Decimal]]) -> dict[str, int]:
    """Largest-remainder split: whole units, total = floor(quantity x sum of shares).

    Exact rational arithmetic, so no rounding can hand out a unit that is not there.
    """
    ideal = [(name, Fraction(quantity) * Fraction(share)) for name, share in shares]
    total = math.floor(sum((value for _, value in ideal), Fraction(0)))
    base = {name: math.floor(value) for name, value in ideal}
    left = total - sum(base.values())
    by_remainder = sorted(range(len(ideal)), key=lambda i: (base[ideal[i][0]] - ideal[i][1], i))
    for index in by_remainder[:left]:
        base[ideal[index][0]] += 1
    return base


def allocate_quantities(
    available: Mapping[str, int] | Iterable[InventoryLevel], rules: InventoryRules
) -> dict[str, dict[str, int]]:
    """Quantity per marketplace and SKU: ``{marketplace_id: {seller_sku: quantity}}``.

    Marketplaces and their shares come from ``rules.shares``; ties in the split go to the
    marketplace listed first.
    """
    if not rules.shares:
        raise ConfigurationError(
            "InventoryRules.shares: name the marketplaces and their share of the stock"
        )
    shares = list(rules.shares.items())
    result: dict[str, dict[str, int]] = {name: {} for name, _ in shares}
    for sku, quantity in sellable_quantities(available, rules).items():
        for name, units in _split(quantity, shares).items():
            capped = units if rules.max_quantity is None else min(units, rules.max_quantity)
            result[name][sku] = max(0, capped)
    return result


def amazon_quantities(
    available: Mapping[str, int] | Iterable[InventoryLevel],
    rules: InventoryRules,
    *,
    marketplace_id: str,
) -> dict[str, int]:
    """Seller SKU -> quantity for one marketplace (the dict the inventory feed takes).

    With no shares configured, the one marketplace gets everything sellable.
    """
    if not rules.shares:
        rules = evolve(rules, shares={marketplace_id: _ONE})
    if marketplace_id not in rules.shares:
        raise MappingError(
            f"marketplace {marketplace_id!r} has no share in the inventory rules; known: "
            + ", ".join(sorted(rules.shares))
        )
    return allocate_quantities(available, rules)[marketplace_id]


def changed_quantities(
    current: Mapping[str, int], last_sent: Mapping[str, int], *, zero_missing: bool = True
) -> dict[str, int]:
    """Only the SKUs whose quantity differs from what Amazon was last sent.

    A SKU sent before but absent now is sent as 0 when ``zero_missing`` (the safe choice: an
    item the ERP no longer reports should not stay on sale).
    """
    changes = {sku: qty for sku, qty in sorted(current.items()) if last_sent.get(sku) != qty}
    if zero_missing:
        for sku in sorted(set(last_sent) - set(current)):
            if last_sent[sku] != 0:
                changes[sku] = 0
    return changes


__all__ = [
    "InventoryRules",
    "StockRecord",
    "allocate_quantities",
    "amazon_quantities",
    "available_by_sku",
    "changed_quantities",
    "erp_inventory_levels",
    "sellable_quantities",
]
