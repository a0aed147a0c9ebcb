"""Customers through CRS610MI: get basic data, add from a template, search, list.

A marketplace usually maps to one M3 customer (e.g. one per Amazon marketplace) created from
a customer template (``CUTM``). ``Add`` is not idempotent, so :func:`ensure` reads first.
"""

from __future__ import annotations

from collections.abc import Mapping

from attrs import field, frozen

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.infor.facade import AsyncFacade, SyncFacade
from amazon_erp_bridge.infor.mi import MiContext, MiError, Record, is_not_found
from amazon_erp_bridge.infor.plan import Plan, read_all
from amazon_erp_bridge.infor.values import FieldValue

PROGRAM = "CRS610MI"
#: Fields CRS610MI Add refuses to work without.
ADD_REQUIRED = ("CUTM", "CUNM", "CUA1")


@frozen
class Customer:
    """An M3 customer (CRS610MI GetBasicData); address fields stay out of repr."""

    number: str
    name: str
    status: str
    country: str
    currency: str
    address: tuple[str, ...] = field(default=(), repr=False)
    postal_code: str = field(default="", repr=False)
    town: str = field(default="", repr=False)
    record: Mapping[str, str] = field(factory=dict, repr=False)

    @classmethod
    def from_record(cls, record: Mapping[str, str]) -> Customer:
        """Read a customer from an MI record (CUNO, CUNM, STAT, ...)."""
        return cls(
            number=record.get("CUNO", ""),
            name=record.get("CUNM", ""),
            status=record.get("STAT", ""),
            country=record.get("CSCD", ""),
            currency=record.get("CUCD", ""),
            address=tuple(record.get(k, "") for k in ("CUA1", "CUA2", "CUA3", "CUA4")),
            postal_code=record.get("PONO", ""),
            town=record.get("TOWN", ""),
            record=dict(record),
        )


@frozen
class CustomerHit:
    """One result of a customer search (CRS610MI SearchCustomer)."""

    number: str
    name: str
    status: str
    record: Mapping[str, str] = field(factory=dict, repr=False)

    @classmethod
    def from_record(cls, record: Mapping[str, str]) -> CustomerHit:
        """Read a search hit from an MI record, keeping the whole record."""
        return cls(record.get("CUNO", ""), record.get("CUNM", ""), record.get("STAT", ""), record)


def _cuno(cuno: object) -> str:
    if not isinstance(cuno, str) or not cuno.strip():
        raise ValidationError(f"customer number (CUNO): expected a value, got {cuno!r}")
    return cuno.strip()


def get(ctx: MiContext, cuno: str) -> Plan[Customer]:
    """Customer ``cuno``; :class:`MiError` if M3 has no such customer."""
    records: list[Record] = yield ctx.call(PROGRAM, "GetBasicData", {"CUNO": _cuno(cuno)})
    if not records:
        raise MiError(f"no record for customer {cuno}", program=PROGRAM, transaction="GetBasicData")
    return Customer.from_record(records[0])


def find(ctx: MiContext, cuno: str) -> Plan[Customer | None]:
    """Customer ``cuno``, or None if M3 says it does not exist."""
    try:
        customer: Customer = yield from get(ctx, cuno)
    except MiError as exc:
        if is_not_found(exc, "CUNO"):
            return None
        raise
    return customer


def add(ctx: MiContext, record: Mapping[str, FieldValue]) -> Plan[str]:
    """Create a customer (CRS610MI Add) from a template; returns the customer number."""
    missing = [k for k in ADD_REQUIRED if not record.get(k)]
    if missing:
        raise ValidationError(
            f"CRS610MI Add needs {', '.join(missing)} (CUTM template, CUNM name, CUA1 address "
            f"line 1); the record has {sorted(record)}"
        )
    records: list[Record] = yield ctx.call(PROGRAM, "Add", record)
    number = records[0].get("CUNO", "") if records else ""
    return number or str(record.get("CUNO") or "")


def ensure(ctx: MiContext, record: Mapping[str, FieldValue]) -> Plan[Customer]:
    """The customer ``record["CUNO"]``, added from ``record`` if M3 does not have it yet."""
    cuno = _cuno(record.get("CUNO"))
    existing = yield from find(ctx, cuno)
    if existing is not None:
        return existing
    yield from add(ctx, record)
    customer: Customer = yield from get(ctx, cuno)
    return customer


def search(ctx: MiContext, query: str, *, max_records: int = 100) -> Plan[list[CustomerHit]]:
    """Customers matching a search query (CRS610MI SearchCustomer, field ``SQRY``)."""
    if not query or not query.strip():
        raise ValidationError("customer search: the query is empty")
    records: list[Record] = yield ctx.call(
        PROGRAM, "SearchCustomer", {"SQRY": query}, max_records=max_records
    )
    return [CustomerHit.from_record(r) for r in records]


def list_customers(
    ctx: MiContext, *, from_cuno: str | None = None, max_records: int = 0
) -> Plan[list[Customer]]:
    """Customers in number order from ``from_cuno`` (CRS610MI LstByNumber); all of them
    (read in pages with ``positionkey``) when ``max_records`` is 0."""
    if max_records == 0:
        records: list[Record] = yield from read_all(
            ctx, PROGRAM, "LstByNumber", {"CUNO": from_cuno}
        )
    else:
        records = yield ctx.call(
            PROGRAM, "LstByNumber", {"CUNO": from_cuno}, max_records=max_records
        )
    return [Customer.from_record(r) for r in records]


class Customers(SyncFacade):
    """CRS610MI customers (``m3.customers``)."""

    def get(self, cuno: str) -> Customer:
        return self._run(get(self._ctx, cuno))

    def find(self, cuno: str) -> Customer | None:
        return self._run(find(self._ctx, cuno))

    def add(self, record: Mapping[str, FieldValue]) -> str:
        return self._run(add(self._ctx, record))

    def ensure(self, record: Mapping[str, FieldValue]) -> Customer:
        return self._run(ensure(self._ctx, record))

    def search(self, query: str, *, max_records: int = 100) -> list[CustomerHit]:
        return self._run(search(self._ctx, query, max_records=max_records))

    def list(self, *, from_cuno: str | None = None, max_records: int = 0) -> list[Customer]:
        return self._run(list_customers(self._ctx, from_cuno=from_cuno, max_records=max_records))


class AsyncCustomers(AsyncFacade):
    """CRS610MI customers for :class:`~amazon_erp_bridge.infor.AsyncM3Client`."""

    async def get(self, cuno: str) -> Customer:
        return await self._run(get(self._ctx, cuno))

    async def find(self, cuno: str) -> Customer | None:
        return await self._run(find(self._ctx, cuno))

    async def add(self, record: Mapping[str, FieldValue]) -> str:
        return await self._run(add(self._ctx, record))

    async def ensure(self, record: Mapping[str, FieldValue]) -> Customer:
        return await self._run(ensure(self._ctx, record))

    async def search(self, query: str, *, max_records: int = 100) -> list[CustomerHit]:
        return await self._run(search(self._ctx, query, max_records=max_records))

    async def list(self, *, from_cuno: str | None = None, max_records: int = 0) -> list[Customer]:
        return await self._run(
            list_customers(self._ctx, from_cuno=from_cuno, max_records=max_records)
        )
