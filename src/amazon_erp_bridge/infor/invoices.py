"""Customer invoices read back from M3 (OIS350MI), e.g. to reconcile with Amazon settlements.

``LstInvHeadByCo`` lists the invoices of a customer order (one per delivery, typically);
``GetInvHead`` and ``LstInvLine`` read one invoice by year (``YEA4``) and number (``IVNO``).
Amounts are exact Decimals, dates real dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from attrs import field, frozen

from amazon_erp_bridge.infor.facade import AsyncFacade, SyncFacade
from amazon_erp_bridge.infor.mi import MiContext, MiError, Record
from amazon_erp_bridge.infor.plan import Plan, read_all
from amazon_erp_bridge.infor.values import m3_date, m3_decimal

PROGRAM = "OIS350MI"


def _year(record: Mapping[str, str]) -> int | None:
    value = record.get("YEA4", "").strip()
    return int(value) if value.isdigit() else None


@frozen
class Invoice:
    """An invoice of a customer order (OIS350MI LstInvHeadByCo)."""

    number: str
    year: int | None
    order: str
    delivery: str
    customer: str
    payer: str
    currency: str
    invoice_date: date | None
    due_date: date | None
    gross: Decimal | None
    net: Decimal | None
    record: Mapping[str, str] = field(factory=dict, repr=False)
    #: What is still to be paid, in the invoice currency (RAFC, "Remaining amount to pay -
    #: foreign curr"); None when M3 does not give it.
    remaining: Decimal | None = None

    @classmethod
    def from_record(cls, record: Mapping[str, str]) -> Invoice:
        """Read an invoice head from an MI record; a bad number names the invoice."""
        where = f"{PROGRAM} invoice {record.get('IVNO', '?')}"
        return cls(
            number=record.get("IVNO", ""),
            year=_year(record),
            order=record.get("ORNO", ""),
            delivery=record.get("DLIX", ""),
            customer=record.get("CUNO", ""),
            payer=record.get("PYNO", ""),
            currency=record.get("CUCD", ""),
            invoice_date=m3_date(record.get("IVDT"), field=f"{where} IVDT"),
            due_date=m3_date(record.get("DUDT"), field=f"{where} DUDT"),
            gross=m3_decimal(record.get("AMT1"), field=f"{where} AMT1"),
            net=m3_decimal(record.get("AMT2"), field=f"{where} AMT2"),
            record=dict(record),
            remaining=m3_decimal(record.get("RAFC"), field=f"{where} RAFC"),
        )


@frozen
class InvoiceLine:
    """One line of an invoice (OIS350MI LstInvLine)."""

    order: str
    delivery: str
    reference: str
    amount_local: Decimal | None
    amount_foreign: Decimal | None
    vat: Decimal | None
    record: Mapping[str, str] = field(factory=dict, repr=False)

    @classmethod
    def from_record(cls, record: Mapping[str, str]) -> InvoiceLine:
        """Read an invoice line from an MI record; a bad number names the line."""
        where = f"{PROGRAM} invoice line {record.get('IVRF', '?')}"
        return cls(
            order=record.get("ORNO", ""),
            delivery=record.get("DLIX", ""),
            reference=record.get("IVRF", ""),
            amount_local=m3_decimal(record.get("AMT1"), field=f"{where} AMT1"),
            amount_foreign=m3_decimal(record.get("AMT2"), field=f"{where} AMT2"),
            vat=m3_decimal(record.get("VTAM"), field=f"{where} VTAM"),
            record=dict(record),
        )


def by_order(ctx: MiContext, orno: str, *, open_only: bool = False) -> Plan[list[Invoice]]:
    """The invoices of customer order ``orno`` (none yet if it is not invoiced); ``open_only``
    lists only those not fully paid (OOIN, "Only open invoices")."""
    record: dict[str, str] = {"ORNO": orno}
    if open_only:
        record["OOIN"] = "1"
    records: list[Record] = yield from read_all(ctx, PROGRAM, "LstInvHeadByCo", record)
    return [Invoice.from_record(r) for r in records]


def get_head(ctx: MiContext, year: int, ivno: str) -> Plan[Record]:
    """The raw invoice head (OIS350MI GetInvHead) of invoice ``ivno`` of ``year``."""
    records: list[Record] = yield ctx.call(PROGRAM, "GetInvHead", {"YEA4": year, "IVNO": ivno})
    if not records:
        raise MiError(
            f"no record for invoice {year}/{ivno}", program=PROGRAM, transaction="GetInvHead"
        )
    # GetInvHead does not echo its keys (its published outputs have no YEA4 or IVNO).
    return {"YEA4": str(year), "IVNO": str(ivno), **records[0]}


def lines(ctx: MiContext, year: int, ivno: str) -> Plan[list[InvoiceLine]]:
    """The lines of invoice ``ivno`` of ``year`` (OIS350MI LstInvLine)."""
    records: list[Record] = yield from read_all(
        ctx, PROGRAM, "LstInvLine", {"YEA4": year, "IVNO": ivno}
    )
    return [InvoiceLine.from_record(r) for r in records]


class Invoices(SyncFacade):
    """OIS350MI customer invoices (``m3.invoices``)."""

    def by_order(self, orno: str, *, open_only: bool = False) -> list[Invoice]:
        return self._run(by_order(self._ctx, orno, open_only=open_only))

    def get_head(self, year: int, ivno: str) -> Record:
        return self._run(get_head(self._ctx, year, ivno))

    def lines(self, year: int, ivno: str) -> list[InvoiceLine]:
        return self._run(lines(self._ctx, year, ivno))


class AsyncInvoices(AsyncFacade):
    """OIS350MI customer invoices for :class:`~amazon_erp_bridge.infor.AsyncM3Client`."""

    async def by_order(self, orno: str, *, open_only: bool = False) -> list[Invoice]:
        return await self._run(by_order(self._ctx, orno, open_only=open_only))

    async def get_head(self, year: int, ivno: str) -> Record:
        return await self._run(get_head(self._ctx, year, ivno))

    async def lines(self, year: int, ivno: str) -> list[InvoiceLine]:
        return await self._run(lines(self._ctx, year, ivno))
