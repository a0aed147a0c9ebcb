"""Item crosswalk: Amazon's SellerSKU / ASIN / FNSKU -> the ERP item (M3 ITNO, SAP Material).

A miss is an error that lists the closest known identifiers ranked by similarity, so a person
can see the typo or the missing alias in one look. The crosswalk is built from the ERP's own
master data: M3 item aliases (MMS025MI records) or SAP products (A_Product records).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from difflib import SequenceMatcher
from types import MappingProxyType
from typing import Any, Final

from attrs import field, frozen

from amazon_erp_bridge.errors import MappingError
from amazon_erp_bridge.mapping.errors import ItemNotFoundError
from amazon_erp_bridge.model import ItemRef, Order, OrderLine


class IdKind(enum.StrEnum):
    """Which Amazon (or trade) identifier a crosswalk key is."""

    SELLER_SKU = "seller_sku"
    FNSKU = "fnsku"
    ASIN = "asin"
    GTIN = "gtin"


_LABELS: Final = MappingProxyType(
    {
        IdKind.SELLER_SKU: "seller SKU",
        IdKind.FNSKU: "FNSKU",
        IdKind.ASIN: "ASIN",
        IdKind.GTIN: "GTIN",
    }
)

#: M3 alias qualifiers (ALWQ, 4 characters, defined per installation) -> identifier kind.
#: Adjust to your MMS025 set-up; EA13 is the usual qualifier for EAN-13 codes.
DEFAULT_M3_ALIAS_KINDS: Final[Mapping[str, IdKind]] = MappingProxyType(
    {"SKU": IdKind.SELLER_SKU, "ASIN": IdKind.ASIN, "FNSK": IdKind.FNSKU, "EA13": IdKind.GTIN}
)


def _table(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


@frozen
class ItemCrosswalk:
    """Amazon identifiers -> ERP item number, one table per identifier kind.

    :meth:`resolve` tries the seller SKU, then the FNSKU, then the ASIN, and finally the
    seller SKU as a GTIN (many sellers use the EAN as SKU). ``system`` names the ERP item in
    messages (``"M3 item"``, ``"SAP material"``).
    """

    by_seller_sku: Mapping[str, str] = field(factory=dict, converter=_table)
    by_fnsku: Mapping[str, str] = field(factory=dict, converter=_table)
    by_asin: Mapping[str, str] = field(factory=dict, converter=_table)
    by_gtin: Mapping[str, str] = field(factory=dict, converter=_table)
    system: str = "ERP item"

    def table(self, kind: IdKind) -> Mapping[str, str]:
        """The lookup table (Amazon id -> ERP item) for one kind of Amazon id."""
        return {
            IdKind.SELLER_SKU: self.by_seller_sku,
            IdKind.FNSKU: self.by_fnsku,
            IdKind.ASIN: self.by_asin,
            IdKind.GTIN: self.by_gtin,
        }[kind]

    def find(self, ref: ItemRef) -> str | None:
        """The ERP item for ``ref``, or None (see the class docs for the order tried)."""
        attempts = (
            (self.by_seller_sku, ref.seller_sku),
            (self.by_fnsku, ref.fnsku),
            (self.by_asin, ref.asin),
            (self.by_gtin, ref.seller_sku),
        )
        for table, value in attempts:
            if value and (found := table.get(value.strip())) is not None:
                return found
        return None

    def resolve(self, ref: ItemRef, *, record: str = "") -> str:
        """The ERP item for ``ref``; a miss raises :class:`ItemNotFoundError` with candidates."""
        found = self.find(ref)
        if found is not None:
            return found
        candidates = self.candidates(ref)
        given = ", ".join(
            f"{_LABELS[kind]} {value!r}"
            for kind, value in (
                (IdKind.SELLER_SKU, ref.seller_sku),
                (IdKind.ASIN, ref.asin),
                (IdKind.FNSKU, ref.fnsku),
            )
            if value
        )
        closest = (
            "closest: "
            + "; ".join(f"{key} -> {item} ({score:.2f})" for key, item, score in candidates)
            if candidates
            else "no similar identifier is known"
        )
        where = f"{record}: " if record else ""
        raise ItemNotFoundError(
            f"{where}no {self.system} for {given}; {closest}. Add it to the item crosswalk "
            "(an M3 alias in MMS025 or the SAP product), or correct the listing's SKU",
            candidates=candidates,
        )

    def candidates(
        self, ref: ItemRef, *, limit: int = 5, cutoff: float = 0.5
    ) -> list[tuple[str, str, float]]:
        """Known identifiers most similar to ``ref``'s, best first: (label, ERP item, score)."""
        scored: list[tuple[float, str, str]] = []
        for kind, value in (
            (IdKind.SELLER_SKU, ref.seller_sku),
            (IdKind.FNSKU, ref.fnsku),
            (IdKind.ASIN, ref.asin),
        ):
            if not value:
                continue
            wanted = value.strip().casefold()
            for key, item in self.table(kind).items():
                matcher = SequenceMatcher(None, wanted, key.casefold())
                if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
                    continue
                score = matcher.ratio()
                if score >= cutoff:
                    scored.append((score, f"{_LABELS[kind]} {key!r}", item))
        scored.sort(key=lambda s: (-s[0], s[1]))
        return [(label, item, round(score, 4)) for score, label, item in scored[:limit]]

    def seller_skus_for(self, item: str) -> tuple[str, ...]:
        """Every seller SKU that maps to the ERP ``item`` (for stock and MCF, ERP -> Amazon)."""
        return tuple(sorted(sku for sku, found in self.by_seller_sku.items() if found == item))

    def merged(self, other: ItemCrosswalk) -> ItemCrosswalk:
        """Both crosswalks in one; an identifier mapped to two different items is an error."""
        tables = {}
        for kind in IdKind:
            merged = dict(self.table(kind))
            for key, item in other.table(kind).items():
                if merged.get(key, item) != item:
                    raise MappingError(
                        f"item crosswalk: {_LABELS[kind]} {key!r} maps to both "
                        f"{merged[key]!r} and {item!r}"
                    )
                merged[key] = item
            tables[kind] = merged
        return ItemCrosswalk(
            tables[IdKind.SELLER_SKU],
            tables[IdKind.FNSKU],
            tables[IdKind.ASIN],
            tables[IdKind.GTIN],
            system=self.system,
        )

    @classmethod
    def from_entries(
        cls, entries: Iterable[tuple[IdKind | str, str, str]], *, system: str = "ERP item"
    ) -> ItemCrosswalk:
        """Build from ``(kind, identifier, ERP item)`` triples; conflicting duplicates fail."""
        tables: dict[IdKind, dict[str, str]] = {kind: {} for kind in IdKind}
        for number, (kind, key, item) in enumerate(entries, start=1):
            try:
                id_kind = IdKind(kind)
            except ValueError:
                raise MappingError(
                    f"item crosswalk entry {number}: unknown identifier kind {kind!r}; expected "
                    + ", ".join(k.value for k in IdKind)
                ) from None
            key, item = key.strip(), item.strip()
            if not key or not item:
                raise MappingError(
                    f"item crosswalk entry {number}: identifier and item must not be blank"
                )
            table = tables[id_kind]
            if table.get(key, item) != item:
                raise MappingError(
                    f"item crosswalk entry {number}: {_LABELS[id_kind]} {key!r} maps to both "
                    f"{table[key]!r} and {item!r}"
                )
            table[key] = item
        return cls(
            tables[IdKind.SELLER_SKU],
            tables[IdKind.FNSKU],
            tables[IdKind.ASIN],
            tables[IdKind.GTIN],
            system=system,
        )

    @classmethod
    def from_m3_aliases(
        cls,
        records: Iterable[Mapping[str, Any]],
        *,
        alias_kinds: Mapping[str, IdKind | str] = DEFAULT_M3_ALIAS_KINDS,
        alias_category: str | None = None,
    ) -> ItemCrosswalk:
        """Build from M3 MMS025MI alias records (``ALWT``, ``ALWQ``, ``POPN``, ``ITNO``).

        ``alias_kinds`` says which alias qualifier (ALWQ) holds which Amazon identifier;
        records with other qualifiers are skipped. ``alias_category`` keeps only records of
        that ALWT (compared without leading zeros).
        """
        category = alias_category.strip().lstrip("0") if alias_category is not None else None
        entries: list[tuple[IdKind | str, str, str]] = []
        for number, record in enumerate(records, start=1):
            qualifier = str(record.get("ALWQ") or "").strip()
            if qualifier not in alias_kinds:
                continue
            if (
                category is not None
                and str(record.get("ALWT") or "").strip().lstrip("0") != category
            ):
                continue
            values = {}
            for name in ("POPN", "ITNO"):
                value = str(record.get(name) or "").strip()
                if not value:
                    raise MappingError(
                        f"MMS025MI alias record {number} (ALWQ {qualifier}): field {name} is "
                        "missing or blank"
                    )
                values[name] = value
            entries.append((alias_kinds[qualifier], values["POPN"], values["ITNO"]))
        return cls.from_entries(entries, system="M3 item")

    @classmethod
    def from_sap_products(
        cls,
        records: Iterable[Mapping[str, Any]],
        *,
        seller_sku_field: str | None = "Product",
        gtin_field: str | None = "ProductStandardID",
        asin_field: str | None = None,
        fnsku_field: str | None = None,
    ) -> ItemCrosswalk:
        """Build from SAP A_Product records: the material is ``Product``.

        By default the material number is the seller SKU and ``ProductStandardID`` (the GTIN)
        is indexed too; point ``*_field`` at other properties (or None) to match your data.
        """
        kinds = (
            (IdKind.SELLER_SKU, seller_sku_field),
            (IdKind.GTIN, gtin_field),
            (IdKind.ASIN, asin_field),
            (IdKind.FNSKU, fnsku_field),
        )
        entries: list[tuple[IdKind | str, str, str]] = []
        for number, record in enumerate(records, start=1):
            material = str(record.get("Product") or "").strip()
            if not material:
                raise MappingError(f"A_Product record {number}: field Product is missing or blank")
            for kind, name in kinds:
                value = str(record.get(name) or "").strip() if name else ""
                if value:
                    entries.append((kind, value, material))
        return cls.from_entries(entries, system="SAP material")


#: A rule choosing the ERP item of an order line.
ItemResolver = Callable[[OrderLine, Order, ItemCrosswalk], str]


def order_line_item(line: OrderLine, order: Order, items: ItemCrosswalk) -> str:
    """The ERP item of an order line, through the crosswalk; a miss names order and line."""
    return items.resolve(line.item, record=f"order {order.order_id} line {line.line_id}")


__all__ = [
    "DEFAULT_M3_ALIAS_KINDS",
    "IdKind",
    "ItemCrosswalk",
    "ItemResolver",
    "order_line_item",
]
