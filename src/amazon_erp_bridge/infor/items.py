"""Items (MMS200MI basic data) and item aliases (MMS025MI): how SKUs, ASINs and EANs map to ITNO.

M3 keeps alternative item identities as *alias numbers* (``POPN``) in MMS025, each with an
alias category (``ALWT``) and, for some categories, a qualifier (``ALWQ``). Infor documents
category 02 as EAN/UPC with qualifiers ``EA08``, ``EA13``, ``DU14``, ``UPC`` and category 03
as "external database" with a free qualifier. Which category and qualifier hold Amazon's
identifiers is a site decision: :class:`AliasScheme` is that decision as data, and
:data:`DEFAULT_ALIAS_SCHEME` is our documented default (SellerSKU and ASIN as category 03 with
qualifiers ``SKU`` and ``ASIN``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from attrs import field, frozen

from amazon_erp_bridge.core.sender import AsyncSender, SyncSender
from amazon_erp_bridge.errors import ConfigurationError, ValidationError
from amazon_erp_bridge.infor.facade import AsyncFacade, SyncFacade
from amazon_erp_bridge.infor.mi import MiContext, MiError, Record, is_not_found
from amazon_erp_bridge.infor.plan import Plan, read_all
from amazon_erp_bridge.model import ItemRef

ITEMS = "MMS200MI"
ALIASES = "MMS025MI"
#: Length of an alias qualifier (ALWQ) in MMS025MI.
ALWQ_LENGTH = 4


@frozen
class AliasType:
    """Where one kind of identifier lives in MMS025: category, qualifier, optional partner."""

    category: str  # ALWT
    qualifier: str = ""  # ALWQ
    partner: str = ""  # E0PA

    def __attrs_post_init__(self) -> None:
        if not (self.category.isdigit() and len(self.category) <= 2):
            raise ConfigurationError(
                f"alias category (ALWT) must be 1-2 digits such as '02', got {self.category!r}"
            )
        if len(self.qualifier) > ALWQ_LENGTH:
            raise ConfigurationError(
                f"alias qualifier (ALWQ) {self.qualifier!r} is longer than {ALWQ_LENGTH} characters"
            )

    def record(self) -> dict[str, str]:
        """The MI fields naming this alias type (ALWT, ALWQ, E0PA)."""
        out = {"ALWT": self.category}
        if self.qualifier:
            out["ALWQ"] = self.qualifier
        if self.partner:
            out["E0PA"] = self.partner
        return out


def _types(value: Mapping[str, AliasType]) -> Mapping[str, AliasType]:
    return dict(value)


@frozen
class AliasScheme:
    """Which alias type holds each kind of identifier (``seller_sku``, ``asin``, ``ean``...)."""

    types: Mapping[str, AliasType] = field(converter=_types)

    def type_for(self, kind: str) -> AliasType:
        """The M3 alias type for an alias kind; an unknown kind names the known ones."""
        try:
            return self.types[kind]
        except KeyError:
            raise ConfigurationError(
                f"alias kind {kind!r} is not in the alias scheme; known kinds: "
                f"{', '.join(sorted(self.types))}"
            ) from None

    def kind_of(self, record: Mapping[str, str]) -> str | None:
        """The kind whose type matches an MMS025 record (category, qualifier), if any."""
        category = record.get("ALWT", "").strip().zfill(2)
        qualifier = record.get("ALWQ", "").strip()
        for kind, spec in self.types.items():
            if spec.category.zfill(2) == category and spec.qualifier == qualifier:
                return kind
        return None

    def with_type(self, kind: str, alias_type: AliasType) -> AliasScheme:
        """A copy of the scheme with ``kind`` mapped to ``alias_type``."""
        return AliasScheme({**self.types, kind: alias_type})


#: Our default: Amazon identifiers under category 03 (external database; qualifier is ours),
#: barcodes under category 02 with Infor's documented qualifiers.
DEFAULT_ALIAS_SCHEME = AliasScheme(
    {
        "seller_sku": AliasType("03", "SKU"),
        "asin": AliasType("03", "ASIN"),
        "fnsku": AliasType("03", "FNSK"),
        "ean": AliasType("02", "EA13"),
        "upc": AliasType("02", "UPC"),
    }
)


@frozen
class Item:
    """An item's basic data (MMS200MI GetItmBasic)."""

    number: str
    name: str
    description: str
    status: str
    unit: str
    item_type: str
    item_group: str
    record: Mapping[str, str] = field(factory=dict, repr=False)

    @classmethod
    def from_record(cls, record: Mapping[str, str]) -> Item:
        """Read an item from an MMS200MI record (ITNO, ITDS, FUDS, ...)."""
        return cls(
            number=record.get("ITNO", ""),
            name=record.get("ITDS", ""),
            description=record.get("FUDS", ""),
            status=record.get("STAT", ""),
            unit=record.get("UNMS", ""),
            item_type=record.get("ITTY", ""),
            item_group=record.get("ITGR", ""),
            record=dict(record),
        )


@frozen
class ItemAlias:
    """One alias number of an item (MMS025MI), with its kind under the scheme if known."""

    item: str
    value: str
    category: str
    qualifier: str
    kind: str | None
    partner: str = ""
    record: Mapping[str, str] = field(factory=dict, repr=False)

    @classmethod
    def from_record(cls, record: Mapping[str, str], scheme: AliasScheme) -> ItemAlias:
        """Read an alias from an MMS025MI record, its kind found by ``scheme``."""
        return cls(
            item=record.get("ITNO", ""),
            value=record.get("POPN", ""),
            category=record.get("ALWT", ""),
            qualifier=record.get("ALWQ", ""),
            kind=scheme.kind_of(record),
            partner=record.get("E0PA", ""),
            record=dict(record),
        )


@frozen
class AliasTable:
    """Every alias of some kinds, for building a SKU crosswalk: ``(kind, alias) -> ITNO``."""

    entries: Mapping[str, Mapping[str, str]]
    #: Aliases that point at more than one item: (kind, alias, items).
    duplicates: tuple[tuple[str, str, tuple[str, ...]], ...] = ()

    def lookup(self, kind: str, value: str) -> str | None:
        """The M3 item number for ``value`` of alias ``kind``, or None."""
        return self.entries.get(kind, {}).get(value)

    def __len__(self) -> int:
        return sum(len(v) for v in self.entries.values())


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{what}: expected a value, got {value!r}")
    return value.strip()


def get(ctx: MiContext, itno: str) -> Plan[Item]:
    """Item ``itno``'s basic data; :class:`MiError` if M3 has no such item."""
    records: list[Record] = yield ctx.call(ITEMS, "GetItmBasic", {"ITNO": _text(itno, "ITNO")})
    if not records:
        raise MiError(f"no record for item {itno}", program=ITEMS, transaction="GetItmBasic")
    return Item.from_record(records[0])


def find(ctx: MiContext, itno: str) -> Plan[Item | None]:
    """Item ``itno``, or None if M3 says it does not exist."""
    try:
        item: Item = yield from get(ctx, itno)
    except MiError as exc:
        if is_not_found(exc, "ITNO"):
            return None
        raise
    return item


def find_by_alias(
    ctx: MiContext, kind: str, value: str, *, scheme: AliasScheme = DEFAULT_ALIAS_SCHEME
) -> Plan[str | None]:
    """The item number whose ``kind`` alias is ``value`` (MMS025MI GetItem), or None."""
    spec = scheme.type_for(kind)
    record = {**spec.record(), "POPN": _text(value, f"{kind} alias (POPN)")}
    try:
        records: list[Record] = yield ctx.call(ALIASES, "GetItem", record)
    except MiError as exc:
        if is_not_found(exc, "POPN"):
            return None
        raise
    return (records[0].get("ITNO") or None) if records else None


def resolve(
    ctx: MiContext,
    ref: ItemRef,
    *,
    kinds: Sequence[str] = ("seller_sku", "asin", "fnsku"),
    scheme: AliasScheme = DEFAULT_ALIAS_SCHEME,
) -> Plan[str | None]:
    """The item number for an Amazon item, trying its identifiers in the order of ``kinds``."""
    for kind in kinds:
        value = getattr(ref, kind, None)
        if not value:
            continue
        itno = yield from find_by_alias(ctx, kind, value, scheme=scheme)
        if itno:
            return itno
    return None


def aliases(
    ctx: MiContext,
    itno: str,
    *,
    kind: str | None = None,
    scheme: AliasScheme = DEFAULT_ALIAS_SCHEME,
) -> Plan[list[ItemAlias]]:
    """The aliases of item ``itno`` (MMS025MI LstAlias), optionally of one kind only."""
    record: dict[str, str] = {"ITNO": _text(itno, "ITNO")}
    spec = scheme.type_for(kind) if kind else None
    if spec is not None:
        record["ALWT"] = spec.category
    records: list[Record] = yield from read_all(ctx, ALIASES, "LstAlias", record)
    found = [ItemAlias.from_record(r, scheme) for r in records]
    return [a for a in found if kind is None or a.kind == kind]


def all_aliases(
    ctx: MiContext, kind: str, *, scheme: AliasScheme = DEFAULT_ALIAS_SCHEME
) -> Plan[list[ItemAlias]]:
    """Every alias of one kind across all items (MMS025MI LstAliasViaCat)."""
    spec = scheme.type_for(kind)
    record = {"ALWT": spec.category}
    if spec.qualifier:
        record["ALWQ"] = spec.qualifier
    records: list[Record] = yield from read_all(ctx, ALIASES, "LstAliasViaCat", record)
    return [a for a in (ItemAlias.from_record(r, scheme) for r in records) if a.kind == kind]


def alias_table(
    ctx: MiContext,
    kinds: Iterable[str] = ("seller_sku", "asin"),
    *,
    scheme: AliasScheme = DEFAULT_ALIAS_SCHEME,
) -> Plan[AliasTable]:
    """Every alias of ``kinds``, as a lookup table (for an item crosswalk)."""
    entries: dict[str, dict[str, str]] = {}
    seen: dict[tuple[str, str], list[str]] = {}
    for kind in kinds:
        table = entries.setdefault(kind, {})
        found = yield from all_aliases(ctx, kind, scheme=scheme)
        for alias in found:
            items = seen.setdefault((kind, alias.value), [])
            if alias.item not in items:
                items.append(alias.item)
            table.setdefault(alias.value, alias.item)
    duplicates = tuple(
        (kind, value, tuple(items)) for (kind, value), items in seen.items() if len(items) > 1
    )
    return AliasTable(entries, duplicates)


def add_alias(
    ctx: MiContext,
    itno: str,
    kind: str,
    value: str,
    *,
    scheme: AliasScheme = DEFAULT_ALIAS_SCHEME,
) -> Plan[None]:
    """Connect alias ``value`` of ``kind`` to item ``itno`` (MMS025MI AddAlias)."""
    spec = scheme.type_for(kind)
    record = {
        "ALWT": spec.category,
        "ALWQ": spec.qualifier,
        "ITNO": _text(itno, "ITNO"),
        "POPN": _text(value, f"{kind} alias (POPN)"),
    }
    if spec.partner:
        record["E0PA"] = spec.partner
    yield ctx.call(ALIASES, "AddAlias", record)


class Items(SyncFacade):
    """MMS200MI items and MMS025MI aliases (``m3.items``)."""

    def __init__(
        self, sender: SyncSender, context: MiContext, *, scheme: AliasScheme = DEFAULT_ALIAS_SCHEME
    ) -> None:
        super().__init__(sender, context)
        self.scheme = scheme

    def get(self, itno: str) -> Item:
        return self._run(get(self._ctx, itno))

    def find(self, itno: str) -> Item | None:
        return self._run(find(self._ctx, itno))

    def find_by_alias(self, kind: str, value: str) -> str | None:
        return self._run(find_by_alias(self._ctx, kind, value, scheme=self.scheme))

    def resolve(
        self, ref: ItemRef, *, kinds: Sequence[str] = ("seller_sku", "asin", "fnsku")
    ) -> str | None:
        return self._run(resolve(self._ctx, ref, kinds=kinds, scheme=self.scheme))

    def aliases(self, itno: str, *, kind: str | None = None) -> list[ItemAlias]:
        return self._run(aliases(self._ctx, itno, kind=kind, scheme=self.scheme))

    def all_aliases(self, kind: str) -> list[ItemAlias]:
        return self._run(all_aliases(self._ctx, kind, scheme=self.scheme))

    def alias_table(self, kinds: Iterable[str] = ("seller_sku", "asin")) -> AliasTable:
        return self._run(alias_table(self._ctx, kinds, scheme=self.scheme))

    def add_alias(self, itno: str, kind: str, value: str) -> None:
        return self._run(add_alias(self._ctx, itno, kind, value, scheme=self.scheme))


class AsyncItems(AsyncFacade):
    """MMS200MI items and MMS025MI aliases for :class:`~amazon_erp_bridge.infor.AsyncM3Client`."""

    def __init__(
        self,
        sender: AsyncSender,
        context: MiContext,
        *,
        scheme: AliasScheme = DEFAULT_ALIAS_SCHEME,
    ) -> None:
        super().__init__(sender, context)
        self.scheme = scheme

    async def get(self, itno: str) -> Item:
        return await self._run(get(self._ctx, itno))

    async def find(self, itno: str) -> Item | None:
        return await self._run(find(self._ctx, itno))

    async def find_by_alias(self, kind: str, value: str) -> str | None:
        return await self._run(find_by_alias(self._ctx, kind, value, scheme=self.scheme))

    async def resolve(
        self, ref: ItemRef, *, kinds: Sequence[str] = ("seller_sku", "asin", "fnsku")
    ) -> str | None:
        return await self._run(resolve(self._ctx, ref, kinds=kinds, scheme=self.scheme))

    async def aliases(self, itno: str, *, kind: str | None = None) -> list[ItemAlias]:
        return await self._run(aliases(self._ctx, itno, kind=kind, scheme=self.scheme))

    async def all_aliases(self, kind: str) -> list[ItemAlias]:
        return await self._run(all_aliases(self._ctx, kind, scheme=self.scheme))

    async def alias_table(self, kinds: Iterable[str] = ("seller_sku", "asin")) -> AliasTable:
        return await self._run(alias_table(self._ctx, kinds, scheme=self.scheme))

    async def add_alias(self, itno: str, kind: str, value: str) -> None:
        return await self._run(add_alias(self._ctx, itno, kind, value, scheme=self.scheme))
