"""Customer return orders through OIS390MI, found again by the Amazon return id.

A return is a head (``AddHead``: warehouse WHLO required; RORN the original customer order,
whose customer M3 takes; YREF "your reference 1", 30 characters, which carries the Amazon
return id) and lines (``AddLine``: REPN, WHLO, REQ0 the advised quantity; RORL the line of the
original order, or ITNO; SAPR the unit price when given). M3 answers the receiving number (REPN).

OIS390MI has no transaction that lists heads, so :func:`find_by_amazon_id` lists the open
return lines of the original order (``SelOpenLine`` WHLO + ORNO), reads each distinct return's
``GetHead`` and compares YREF with the Amazon return id. A return whose lines are all
processed is no longer "open" and is not found this way; the ledger keeps those.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from attrs import field, frozen

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.infor.facade import AsyncFacade, SyncFacade
from amazon_erp_bridge.infor.mi import MiContext, MiError, Record
from amazon_erp_bridge.infor.plan import Plan, read_all
from amazon_erp_bridge.infor.values import FieldValue, to_m3_date, to_m3_decimal

PROGRAM = "OIS390MI"
#: OIS390MI AddHead YREF ("Your reference 1"): where the Amazon return id goes.
REFERENCE_FIELD = "YREF"
REFERENCE_LENGTH = 30


def _text(value: object, what: str, length: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError(f"customer return {what}: expected a value, got {value!r}")
    if len(text) > length:
        raise ValidationError(
            f"customer return {what} {text!r} is {len(text)} characters; M3 holds {length}"
        )
    return text


@frozen
class ReturnLine:
    """One returned item: the original order line (PONR) or the item, and the quantity.

    ``price`` (AddLine SAPR, "Sales price", decimal of up to 19 digits) is the unit price the
    return is valued at, e.g. what Amazon refunded; None lets M3 take the original order's.
    """

    quantity: Decimal
    order_line: int | None = None
    item: str | None = None
    reason: str | None = None
    price: Decimal | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.quantity, Decimal) or not self.quantity.is_finite():
            raise ValidationError(f"return line: quantity must be a Decimal, got {self.quantity!r}")
        if self.quantity <= 0 or self.quantity >= Decimal(10) ** 12:
            raise ValidationError(f"return line: quantity {self.quantity} must be > 0")
        if self.order_line is None and not self.item:
            raise ValidationError("return line: needs the original order line or the item (ITNO)")
        if self.order_line is not None and (
            not isinstance(self.order_line, int) or self.order_line < 1
        ):
            raise ValidationError(f"return line: order line {self.order_line!r} must be >= 1")
        if self.item is not None and not 1 <= len(self.item) <= 15:
            raise ValidationError(f"return line: item (ITNO) {self.item!r} is 1-15 characters")
        if self.reason is not None and not 1 <= len(self.reason) <= 3:
            raise ValidationError(f"return line: reason (RSCD) {self.reason!r} is 1-3 characters")
        if self.price is not None:
            if not isinstance(self.price, Decimal) or not self.price.is_finite():
                raise ValidationError(
                    f"return line: sales price (SAPR) must be a finite Decimal, got {self.price!r}"
                )
            if self.price < 0 or self.price >= Decimal(10) ** 13:
                raise ValidationError(
                    f"return line: sales price (SAPR) {self.price} must be >= 0 and under 10^13"
                )


@frozen
class ReturnRequest:
    """A customer return to create: the Amazon return id, the original M3 order, the lines."""

    amazon_return_id: str
    order: str
    warehouse: str
    lines: tuple[ReturnLine, ...] = field(converter=tuple)
    return_date: date | None = None
    reason: str | None = None
    order_type: str | None = None

    def __attrs_post_init__(self) -> None:
        _text(self.amazon_return_id, "Amazon return id (YREF)", REFERENCE_LENGTH)
        _text(self.order, "original order (RORN)", 10)
        _text(self.warehouse, "warehouse (WHLO)", 3)
        if not self.lines:
            raise ValidationError(f"customer return {self.amazon_return_id}: no lines")
        for line in self.lines:
            if not isinstance(line, ReturnLine):
                raise ValidationError(
                    f"customer return {self.amazon_return_id}: lines must be ReturnLine, "
                    f"got {type(line).__name__}"
                )
        if self.reason is not None and not 1 <= len(self.reason) <= 3:
            raise ValidationError(f"customer return reason (RSCD) {self.reason!r}: 1-3 characters")


@frozen
class CustomerReturn:
    """A customer return in M3 (OIS390MI GetHead)."""

    repn: str
    warehouse: str
    customer: str
    order: str
    amazon_return_id: str
    record: Record = field(factory=dict, repr=False)

    @classmethod
    def from_record(cls, record: Record, warehouse: str) -> CustomerReturn:
        """Read a customer return from an MI record (REPN, WHLO, CUNO, ...)."""
        return cls(
            repn=record.get("REPN", ""),
            warehouse=record.get("WHLO", "") or warehouse,
            customer=record.get("CUNO", ""),
            order=record.get("ORNO", ""),
            amazon_return_id=record.get(REFERENCE_FIELD, ""),
            record=dict(record),
        )


def get(ctx: MiContext, warehouse: str, repn: str) -> Plan[CustomerReturn]:
    """The return ``repn`` of ``warehouse`` (OIS390MI GetHead)."""
    whlo = _text(warehouse, "warehouse (WHLO)", 3)
    number = _text(repn, "receiving number (REPN)", 10)
    records: list[Record] = yield ctx.call(PROGRAM, "GetHead", {"REPN": number, "WHLO": whlo})
    if not records:
        raise MiError(f"no record for return {number}", program=PROGRAM, transaction="GetHead")
    return CustomerReturn.from_record(records[0], whlo)


def find_by_amazon_id(
    ctx: MiContext, amazon_return_id: str, *, order: str, warehouse: str
) -> Plan[CustomerReturn | None]:
    """The open return of original order ``order`` whose YREF is ``amazon_return_id``."""
    reference = _text(amazon_return_id, "Amazon return id (YREF)", REFERENCE_LENGTH)
    orno = _text(order, "original order (ORNO)", 10)
    whlo = _text(warehouse, "warehouse (WHLO)", 3)
    rows: list[Record] = yield from read_all(
        ctx, PROGRAM, "SelOpenLine", {"WHLO": whlo, "ORNO": orno}, return_cols=("REPN", "ORNO")
    )
    for repn in dict.fromkeys(r.get("REPN", "") for r in rows if r.get("REPN")):
        found: CustomerReturn = yield from get(ctx, whlo, repn)
        if found.amazon_return_id.strip() == reference:
            return found
    return None


def create(ctx: MiContext, request: ReturnRequest) -> Plan[CustomerReturn]:
    """AddHead (RORN, YREF = Amazon return id) and AddLine per line; the new return.

    Not idempotent: use :func:`ensure` (find first) unless you know it does not exist.
    """
    if not isinstance(request, ReturnRequest):
        raise ValidationError(f"customer return: expected a ReturnRequest, got {request!r}")
    head: dict[str, FieldValue] = {
        "WHLO": request.warehouse,
        "RORN": request.order,
        REFERENCE_FIELD: request.amazon_return_id,
    }
    if request.return_date is not None:
        head["EPDT"] = to_m3_date(request.return_date)
    if request.reason:
        head["RSCD"] = request.reason
    if request.order_type:
        head["ORTP"] = request.order_type
    records: list[Record] = yield ctx.call(PROGRAM, "AddHead", head)
    repn = records[0].get("REPN", "").strip() if records else ""
    if not repn:
        raise MiError(
            "answered OK without a receiving number (REPN)",
            program=PROGRAM,
            transaction="AddHead",
            records=records,
        )
    for line in request.lines:
        record: dict[str, FieldValue] = {
            "REPN": repn,
            "WHLO": request.warehouse,
            "REQ0": to_m3_decimal(line.quantity),
        }
        if line.order_line is not None:
            record["RORL"] = str(line.order_line)
        if line.item:
            record["ITNO"] = line.item
        if line.reason or request.reason:
            record["RSCD"] = line.reason or request.reason or ""
        if line.price is not None:
            record["SAPR"] = to_m3_decimal(line.price)
        yield ctx.call(PROGRAM, "AddLine", record)
    found: CustomerReturn = yield from get(ctx, request.warehouse, repn)
    return found


def ensure(ctx: MiContext, request: ReturnRequest) -> Plan[tuple[CustomerReturn, bool]]:
    """The return for ``request.amazon_return_id``: found (False) or created now (True)."""
    found = yield from find_by_amazon_id(
        ctx, request.amazon_return_id, order=request.order, warehouse=request.warehouse
    )
    if found is not None:
        return found, False
    created = yield from create(ctx, request)
    return created, True


def lines(ctx: MiContext, warehouse: str, repn: str) -> Plan[list[Record]]:
    """The lines of return ``repn`` (OIS390MI LstLine: RELI, ITNO, ORNO, PONR ...)."""
    records: list[Record] = yield from read_all(
        ctx, PROGRAM, "LstLine", {"REPN": repn, "WHLO": warehouse}
    )
    return records


class CustomerReturns(SyncFacade):
    """OIS390MI customer returns (``m3.customer_returns``)."""

    def get(self, warehouse: str, repn: str) -> CustomerReturn:
        """The return ``repn`` of ``warehouse``."""
        return self._run(get(self._ctx, warehouse, repn))

    def find_by_amazon_id(
        self, amazon_return_id: str, *, order: str, warehouse: str
    ) -> CustomerReturn | None:
        """The open return of ``order`` made for ``amazon_return_id``, or None."""
        return self._run(
            find_by_amazon_id(self._ctx, amazon_return_id, order=order, warehouse=warehouse)
        )

    def create(self, request: ReturnRequest) -> CustomerReturn:
        """Create the return (no find first)."""
        return self._run(create(self._ctx, request))

    def ensure(self, request: ReturnRequest) -> tuple[CustomerReturn, bool]:
        """Find the return, or create it; (return, created)."""
        return self._run(ensure(self._ctx, request))

    def list(self, warehouse: str, repn: str) -> list[Record]:
        """The lines of return ``repn``."""
        return self._run(lines(self._ctx, warehouse, repn))


class AsyncCustomerReturns(AsyncFacade):
    """OIS390MI customer returns for :class:`~amazon_erp_bridge.infor.AsyncM3Client`."""

    async def get(self, warehouse: str, repn: str) -> CustomerReturn:
        """The return ``repn`` of ``warehouse``."""
        return await self._run(get(self._ctx, warehouse, repn))

    async def find_by_amazon_id(
        self, amazon_return_id: str, *, order: str, warehouse: str
    ) -> CustomerReturn | None:
        """The open return of ``order`` made for ``amazon_return_id``, or None."""
        return await self._run(
            find_by_amazon_id(self._ctx, amazon_return_id, order=order, warehouse=warehouse)
        )

    async def create(self, request: ReturnRequest) -> CustomerReturn:
        """Create the return (no find first)."""
        return await self._run(create(self._ctx, request))

    async def ensure(self, request: ReturnRequest) -> tuple[CustomerReturn, bool]:
        """Find the return, or create it; (return, created)."""
        return await self._run(ensure(self._ctx, request))

    async def list(self, warehouse: str, repn: str) -> list[Record]:
        """The lines of return ``repn``."""
        return await self._run(lines(self._ctx, warehouse, repn))


__all__ = [
    "AsyncCustomerReturns",
    "CustomerReturn",
    "CustomerReturns",
    "ReturnLine",
    "ReturnRequest",
]
