"""Warehouse stock of items in M3 (MMS200MI GetItmWhsBal): on-hand, allocated, allocatable.

``GetItmWhsBal`` (inputs ``WHLO``, ``ITNO``) answers the balance of one item in one warehouse:
``STQT`` on-hand balance approved, ``QUQT`` on-hand for inspection, ``RJQT`` rejected,
``ALQT`` allocated, ``AV01`` allocatable net, ``AVAL`` allocatable on-hand, ``REQT`` reserved.
What can be offered to Amazon is the approved on-hand less what is allocated to orders
already taken; inspection and rejected stock are never offered.

Balances of many items are read in bulk requests, one ``GetItmWhsBal`` per item and warehouse.
An item with no balance record in a warehouse (M3 answers "does not exist") simply has no
stock there; any other refusal raises :class:`~amazon_erp_bridge.infor.MiError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Final

from attrs import field, frozen

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.infor.facade import AsyncFacade, SyncFacade
from amazon_erp_bridge.infor.mi import (
    MiContext,
    MiError,
    MiResponse,
    MiTransaction,
    Record,
    is_not_found,
)
from amazon_erp_bridge.infor.plan import Plan
from amazon_erp_bridge.infor.values import m3_decimal

PROGRAM: Final = "MMS200MI"
TRANSACTION: Final = "GetItmWhsBal"
#: Output columns read; asking only for them keeps answers small.
COLUMNS: Final = ("WHLO", "ITNO", "STQT", "QUQT", "RJQT", "ALQT", "AV01", "AVAL", "REQT")
#: Balances asked for per bulk request.
DEFAULT_PER_REQUEST: Final = 100
_ZERO: Final = Decimal(0)


def _quantity(record: Mapping[str, str], name: str, where: str) -> Decimal | None:
    return m3_decimal(record.get(name), field=f"{where} {name}")


@frozen
class WarehouseBalance:
    """One item's balance in one warehouse (MMS200MI GetItmWhsBal), in the basic unit.

    ``location`` and ``item`` let the mapping layer read any ERP's stock the same way.
    """

    item: str
    warehouse: str
    on_hand: Decimal
    allocated: Decimal = _ZERO
    inspection: Decimal = _ZERO
    rejected: Decimal = _ZERO
    allocatable: Decimal | None = None
    reserved: Decimal | None = None
    record: Mapping[str, str] = field(factory=dict, repr=False)

    @property
    def location(self) -> str:
        """The warehouse (the location inventory sync reports)."""
        return self.warehouse

    @property
    def available(self) -> Decimal:
        """Approved on-hand less allocated, never below zero."""
        return max(self.on_hand - self.allocated, _ZERO)

    @classmethod
    def from_record(
        cls, record: Mapping[str, str], *, item: str = "", warehouse: str = ""
    ) -> WarehouseBalance:
        """Read a GetItmWhsBal record; ``item``/``warehouse`` fill keys the record leaves out."""
        itno = record.get("ITNO", "").strip() or item
        whlo = record.get("WHLO", "").strip() or warehouse
        where = f"{PROGRAM} {TRANSACTION} item {itno or '?'} warehouse {whlo or '?'}"
        return cls(
            item=itno,
            warehouse=whlo,
            on_hand=_quantity(record, "STQT", where) or _ZERO,
            allocated=_quantity(record, "ALQT", where) or _ZERO,
            inspection=_quantity(record, "QUQT", where) or _ZERO,
            rejected=_quantity(record, "RJQT", where) or _ZERO,
            allocatable=_quantity(record, "AV01", where),
            reserved=_quantity(record, "REQT", where),
            record=dict(record),
        )


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{PROGRAM} {TRANSACTION} {what}: expected a value, got {value!r}")
    return value.strip()


def _input(itno: str, whlo: str) -> dict[str, str]:
    return {"WHLO": _text(whlo, "warehouse (WHLO)"), "ITNO": _text(itno, "item (ITNO)")}


def balance(ctx: MiContext, itno: str, whlo: str) -> Plan[WarehouseBalance | None]:
    """The balance of item ``itno`` in warehouse ``whlo``, or None if it has none there."""
    record = _input(itno, whlo)
    try:
        records: list[Record] = yield ctx.call(PROGRAM, TRANSACTION, record, return_cols=COLUMNS)
    except MiError as exc:
        if is_not_found(exc):
            return None
        raise
    if not records:
        return None
    return WarehouseBalance.from_record(records[0], item=record["ITNO"], warehouse=record["WHLO"])


def balances(
    ctx: MiContext,
    items: Iterable[str],
    warehouses: Iterable[str],
    *,
    per_request: int = DEFAULT_PER_REQUEST,
) -> Plan[list[WarehouseBalance]]:
    """The balances of every item in every warehouse, in bulk requests of ``per_request``.

    Pairs with no balance record are left out; the order is items x warehouses as given.
    """
    if per_request < 1:
        raise ValidationError(f"per_request must be >= 1, got {per_request}")
    wanted = list(warehouses)
    pairs = [_input(itno, whlo) for itno in dict.fromkeys(items) for whlo in wanted]
    found: list[WarehouseBalance] = []
    for first in range(0, len(pairs), per_request):
        chunk = pairs[first : first + per_request]
        response: MiResponse = yield ctx.bulk(
            PROGRAM, [MiTransaction(TRANSACTION, pair, COLUMNS) for pair in chunk]
        )
        if response.was_terminated:
            raise response.errors()[-1]
        if len(response.results) != len(chunk):
            raise MiError(
                f"{len(response.results)} results for the {len(chunk)} balances asked for",
                program=PROGRAM,
                transaction=TRANSACTION,
            )
        for pair, result in zip(chunk, response.results, strict=True):
            if not result.ok:
                error = result.error(PROGRAM, response.status)
                if is_not_found(error):
                    continue
                raise error
            if result.records:
                found.append(
                    WarehouseBalance.from_record(
                        result.records[0], item=pair["ITNO"], warehouse=pair["WHLO"]
                    )
                )
    return found


class Stock(SyncFacade):
    """Item warehouse balances (``m3.stock``)."""

    def balance(self, itno: str, whlo: str) -> WarehouseBalance | None:
        return self._run(balance(self._ctx, itno, whlo))

    def balances(
        self,
        items: Iterable[str],
        warehouses: Iterable[str],
        *,
        per_request: int = DEFAULT_PER_REQUEST,
    ) -> list[WarehouseBalance]:
        return self._run(balances(self._ctx, items, warehouses, per_request=per_request))


class AsyncStock(AsyncFacade):
    """Item warehouse balances for :class:`~amazon_erp_bridge.infor.AsyncM3Client`."""

    async def balance(self, itno: str, whlo: str) -> WarehouseBalance | None:
        return await self._run(balance(self._ctx, itno, whlo))

    async def balances(
        self,
        items: Iterable[str],
        warehouses: Iterable[str],
        *,
        per_request: int = DEFAULT_PER_REQUEST,
    ) -> list[WarehouseBalance]:
        return await self._run(balances(self._ctx, items, warehouses, per_request=per_request))
