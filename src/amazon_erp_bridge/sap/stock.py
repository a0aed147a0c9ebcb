"""Material stock through API_MATERIAL_STOCK_SRV (OData V2): what each plant holds, by type.

``A_MatlStkInAcctMod`` has one row per stock identity (keys ``Material``, ``Plant``,
``StorageLocation``, ``Batch``, ``Supplier``, ``Customer``, ``WBSElementInternalID``,
``SDDocument``, ``SDDocumentItem``, ``InventorySpecialStockType``, ``InventoryStockType``) with
its quantity in ``MatlWrhsStkQtyInMatlBaseUnit`` (unit ``MaterialBaseUnit``). Only
unrestricted-use stock (``InventoryStockType`` ``01``) can ship; quality-inspection and blocked
stock cannot. Rows with an ``InventorySpecialStockType`` (consignment, sales-order or project
stock, ...) belong to someone else or are tied to a document, so :func:`available_filter` keeps
the seller's own unrestricted stock only (an empty special stock type).

The API has no allocation figures: stock promised to open orders is not deducted here. Hold
it back with the inventory rules (``InventoryRules.reserved`` or a safety buffer).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from decimal import Decimal
from functools import partial
from typing import Any, Final

from attrs import field, frozen

from amazon_erp_bridge.core.call import Call, Page
from amazon_erp_bridge.sap import operations as ops
from amazon_erp_bridge.sap.client import AsyncODataClient, ODataClient
from amazon_erp_bridge.sap.operations import Entity
from amazon_erp_bridge.sap.query import Filter, Query, all_of, prop

SERVICE: Final = "/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV"
ENTITY_SET: Final = "A_MatlStkInAcctMod"
#: InventoryStockType of unrestricted-use stock.
UNRESTRICTED: Final = "01"
FIELDS: Final = (
    "Material",
    "Plant",
    "StorageLocation",
    "Batch",
    "InventoryStockType",
    "InventorySpecialStockType",
    "MaterialBaseUnit",
    "MatlWrhsStkQtyInMatlBaseUnit",
)
_ZERO: Final = Decimal(0)


@frozen
class MaterialStock:
    """One stock row: material, plant, storage location, batch, stock type and quantity.

    ``item``, ``location`` (the plant), ``on_hand`` and ``allocated`` (always zero: the API
    has no allocations) let the mapping layer read any ERP's stock the same way.
    """

    material: str
    plant: str
    quantity: Decimal
    storage_location: str = ""
    batch: str = ""
    stock_type: str = ""
    special_stock_type: str = ""
    unit: str | None = None
    raw: Mapping[str, Any] = field(factory=dict, repr=False, eq=False)

    @property
    def item(self) -> str:
        """The material number (the item inventory sync compares)."""
        return self.material

    @property
    def location(self) -> str:
        """The plant (the location inventory sync reports)."""
        return self.plant

    @property
    def on_hand(self) -> Decimal:
        """The stock quantity of the row."""
        return self.quantity

    @property
    def allocated(self) -> Decimal:
        """Always zero: the stock API has no allocations."""
        return _ZERO

    @classmethod
    def from_entity(cls, e: Entity) -> MaterialStock:
        """Read a stock row from an OData entity."""
        return cls(
            material=e.required("Material"),
            plant=e.required("Plant"),
            quantity=e.as_decimal("MatlWrhsStkQtyInMatlBaseUnit") or _ZERO,
            storage_location=e.text("StorageLocation") or "",
            batch=e.text("Batch") or "",
            stock_type=e.text("InventoryStockType") or "",
            special_stock_type=e.text("InventorySpecialStockType") or "",
            unit=e.text("MaterialBaseUnit"),
            raw=e.raw,
        )


def _one_of(name: str, values: Iterable[str] | None) -> Filter | None:
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    return prop(name).one_of(dict.fromkeys(values))


def available_filter(
    plants: Iterable[str],
    *,
    storage_locations: Iterable[str] | None = None,
    materials: Iterable[str] | None = None,
) -> Filter:
    """Own unrestricted-use stock of ``plants`` (and storage locations, materials if given)."""
    parts = [
        _one_of("Plant", plants),
        _one_of("StorageLocation", storage_locations),
        _one_of("Material", materials),
        prop("InventoryStockType").eq(UNRESTRICTED),
        prop("InventorySpecialStockType").eq(""),
    ]
    return all_of(*(p for p in parts if p is not None))


def stock_page(condition: Filter | None, token: str | None) -> Call[Page[MaterialStock]]:
    """One page of stock rows matching ``condition`` (all rows when None)."""
    query = Query(filter=condition, select=FIELDS, orderby=("Material", "Plant"))
    return ops.read_page(
        ENTITY_SET, query, token, item=MaterialStock.from_entity, limit_key="sap.stock.read"
    )


class MaterialStockService:
    """Material stock of one S/4HANA system (blocking)."""

    PATH = SERVICE

    def __init__(self, client: ODataClient, *, path: str = SERVICE) -> None:
        self._sender = client.service(path)

    def rows(self, condition: Filter | None = None) -> Iterator[MaterialStock]:
        """Every stock row matching ``condition``, page after page."""
        return self._sender.pages(partial(stock_page, condition))

    def available(
        self,
        plants: Iterable[str],
        *,
        storage_locations: Iterable[str] | None = None,
        materials: Iterable[str] | None = None,
    ) -> Iterator[MaterialStock]:
        """Own unrestricted-use stock rows of ``plants`` (see :func:`available_filter`)."""
        condition = available_filter(
            plants, storage_locations=storage_locations, materials=materials
        )
        return self.rows(condition)


class AsyncMaterialStockService:
    """Material stock of one S/4HANA system (asyncio)."""

    PATH = SERVICE

    def __init__(self, client: AsyncODataClient, *, path: str = SERVICE) -> None:
        self._sender = client.service(path)

    def rows(self, condition: Filter | None = None) -> AsyncIterator[MaterialStock]:
        """The async form of :meth:`MaterialStockService.rows`."""
        return self._sender.pages(partial(stock_page, condition))

    def available(
        self,
        plants: Iterable[str],
        *,
        storage_locations: Iterable[str] | None = None,
        materials: Iterable[str] | None = None,
    ) -> AsyncIterator[MaterialStock]:
        """The async form of :meth:`MaterialStockService.available`."""
        condition = available_filter(
            plants, storage_locations=storage_locations, materials=materials
        )
        return self.rows(condition)
