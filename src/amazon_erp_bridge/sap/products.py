"""Products (materials) through API_PRODUCT_SRV (OData V2): by number, by GTIN, or all of them.

The GTIN lives in ``ProductStandardID`` (with its category in
``InternationalArticleNumberCat``). SAP stores it as it was entered: a 13-digit EAN may be held
as 13 digits or as the 14-digit GTIN with a leading zero, so :func:`gtin_forms` asks for both.
Reading all products (``iter_all``) pages through the whole catalogue for building an
Amazon SKU / ASIN to SAP product crosswalk.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from functools import partial
from typing import Any

from attrs import field, frozen

from amazon_erp_bridge.core.call import Call, Page
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.sap import operations as ops
from amazon_erp_bridge.sap.client import AsyncODataClient, ODataClient
from amazon_erp_bridge.sap.operations import Entity
from amazon_erp_bridge.sap.query import Filter, Query, entity_path, prop

SERVICE = "/sap/opu/odata/sap/API_PRODUCT_SRV"
ENTITY_SET = "A_Product"
DESCRIPTIONS = "to_Description"
#: The header fields read when listing the whole catalogue.
LIST_FIELDS = (
    "Product",
    "ProductType",
    "BaseUnit",
    "ProductGroup",
    "ProductStandardID",
    "InternationalArticleNumberCat",
    "IsMarkedForDeletion",
)


@frozen
class Product:
    """A product master record: number, type, base unit, GTIN and descriptions by language."""

    product: str
    product_type: str | None = None
    base_unit: str | None = None
    product_group: str | None = None
    gtin: str | None = None
    gtin_category: str | None = None
    is_marked_for_deletion: bool | None = None
    descriptions: Mapping[str, str] = field(factory=dict)
    raw: Mapping[str, Any] = field(factory=dict, repr=False, eq=False)

    @classmethod
    def from_entity(cls, e: Entity) -> Product:
        """Read a product (with its descriptions) from an OData entity."""
        descriptions = {
            d.required("Language"): d.text("ProductDescription") or ""
            for d in e.children(DESCRIPTIONS)
        }
        return cls(
            product=e.required("Product"),
            product_type=e.text("ProductType"),
            base_unit=e.text("BaseUnit"),
            product_group=e.text("ProductGroup"),
            gtin=e.text("ProductStandardID"),
            gtin_category=e.text("InternationalArticleNumberCat"),
            is_marked_for_deletion=e.as_bool("IsMarkedForDeletion"),
            descriptions=descriptions,
            raw=e.raw,
        )

    def description(self, language: str = "EN") -> str | None:
        """The product description in ``language`` (EN by default), if any."""
        return self.descriptions.get(language)


def gtin_forms(gtin: str) -> tuple[str, ...]:
    """The spellings of one GTIN that SAP may hold: as given, and 13 <-> 14 digits."""
    code = (gtin or "").strip()
    if not code.isdigit() or not 8 <= len(code) <= 14:
        raise ValidationError(f"GTIN {gtin!r}: expected 8 to 14 digits")
    forms = [code]
    if len(code) == 14 and code.startswith("0"):
        forms.append(code[1:])
    elif len(code) == 13:
        forms.append("0" + code)
    return tuple(forms)


def read_product(product: str, *, with_descriptions: bool = True) -> Call[Product]:
    query = Query(expand=(DESCRIPTIONS,) if with_descriptions else ())
    return ops.read_entity(
        entity_path(ENTITY_SET, product),
        query,
        item=Product.from_entity,
        limit_key="sap.product.read",
    )


def find_page(
    condition: Filter | None, token: str | None, *, with_descriptions: bool = False
) -> Call[Page[Product]]:
    """One page of products matching ``condition`` (all when None)."""
    query = Query(
        filter=condition,
        expand=(DESCRIPTIONS,) if with_descriptions else (),
        select=() if with_descriptions else LIST_FIELDS,
    )
    return ops.read_page(
        ENTITY_SET, query, token, item=Product.from_entity, limit_key="sap.product.find"
    )


def by_gtin(gtin: str) -> Filter:
    return prop("ProductStandardID").one_of(gtin_forms(gtin))


class ProductService:
    """Products of one S/4HANA system (blocking)."""

    PATH = SERVICE

    def __init__(self, client: ODataClient, *, path: str = SERVICE) -> None:
        self._sender = client.service(path)

    def get(self, product: str) -> Product:
        """One product by number."""
        return self._sender.send(read_product(product))

    def find_by_gtin(self, gtin: str) -> list[Product]:
        """Products whose GTIN (EAN/UPC) is ``gtin``."""
        return list(self._sender.pages(partial(find_page, by_gtin(gtin))))

    def iter_all(self, *, with_descriptions: bool = False) -> Iterator[Product]:
        """Every product, a page at a time, for building a crosswalk."""
        make = partial(find_page, None, with_descriptions=with_descriptions)
        return self._sender.pages(make)


class AsyncProductService:
    """Products of one S/4HANA system (asyncio)."""

    PATH = SERVICE

    def __init__(self, client: AsyncODataClient, *, path: str = SERVICE) -> None:
        self._sender = client.service(path)

    async def get(self, product: str) -> Product:
        """The async form of :meth:`ProductService.get`."""
        return await self._sender.send(read_product(product))

    async def find_by_gtin(self, gtin: str) -> list[Product]:
        """The async form of :meth:`ProductService.find_by_gtin`."""
        return [p async for p in self._sender.pages(partial(find_page, by_gtin(gtin)))]

    def iter_all(self, *, with_descriptions: bool = False) -> AsyncIterator[Product]:
        """The async form of :meth:`ProductService.iter_all`."""
        make = partial(find_page, None, with_descriptions=with_descriptions)
        return self._sender.pages(make)
