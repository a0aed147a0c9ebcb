"""Customer orders through OIS100MI batch entry, found again by the customer's order number.

M3 creates an order in steps: ``AddBatchHead`` returns a *temporary* order number,
``AddBatchLine`` adds each line to it, ``Confirm`` releases it and ``GetOrderNo`` gives the
final number (field ``ORNR``). None of these is idempotent. A crash between ``AddBatchHead``
and ``Confirm`` leaves a temporary order behind (seen in OIS275), so before creating, look the
order up by its customer order number (``CUOR``, e.g. the Amazon order id): M3 has no
transaction for that, so :func:`find_all_by_reference` lists ``LstHead`` (final orders) and
``LstBatchHead`` (temporary ones) for the customer and filters on CUOR. :func:`ensure` does
the whole find-then-resume-or-create dance. For orders that start in M3 (e.g. to be fulfilled
by Amazon), :func:`list_heads`, :func:`lines` and :func:`get_address` read them back.

Heads and lines are MI records (``CUNO``, ``ORTP``, ``FACI``, ``CUOR``, ``CUDT``, ``WHLO`` ...;
``ITNO``, ``ORQT``, ``SAPR`` ...) made by the mapping layer; this module only sends them.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from decimal import Decimal

from attrs import field, frozen

from amazon_erp_bridge.core.redaction import get_logger
from amazon_erp_bridge.errors import BridgeError, PostingError, ValidationError
from amazon_erp_bridge.infor.facade import AsyncFacade, SyncFacade
from amazon_erp_bridge.infor.mi import MiContext, MiError, Record, is_not_found
from amazon_erp_bridge.infor.plan import Plan
from amazon_erp_bridge.infor.status import OrderProgress
from amazon_erp_bridge.infor.values import FieldValue, m3_date, m3_decimal

log = get_logger("amazon_erp_bridge.infor.orders")

PROGRAM = "OIS100MI"
#: Length of the customer's order number field (CUOR) in OIS100MI.
CUOR_LENGTH = 20
_HEAD_COLUMNS = ("ORNO", "CUOR", "ORST", "ORSL", "ORTP")
_BATCH_COLUMNS = ("ORNO", "CUOR", "ORST", "ORSL", "ORNR", "STAT")

Head = Mapping[str, FieldValue]
Line = Mapping[str, FieldValue]


class BatchOrderNotReleasedError(PostingError):
    """Confirm was sent but M3 gave no final order number: the batch order has errors."""

    def __init__(self, message: str, *, temporary_orno: str) -> None:
        super().__init__(message)
        self.temporary_orno = temporary_orno


@frozen
class OrderMatch:
    """An order found by its customer order number: final, or temporary (not yet confirmed)."""

    #: The final order number, or the temporary number while ``temporary``.
    orno: str
    temporary: bool
    cuor: str
    customer: str
    status: str | None = None
    record: Mapping[str, str] = field(factory=dict, repr=False)

    @property
    def final(self) -> bool:
        return not self.temporary

    @property
    def progress(self) -> OrderProgress | None:
        return OrderProgress.parse(self.status, self.record.get("ORSL")) if self.status else None


class OrderAction(enum.Enum):
    """What :func:`ensure` did."""

    CREATED = "created"
    RESUMED = "resumed"
    EXISTING = "existing"


@frozen
class OrderOutcome:
    """The final order number and whether it was created now, resumed or already there."""

    orno: str
    action: OrderAction
    temporary_orno: str | None = None


@frozen
class OrderHead:
    """The head of a final customer order (OIS100MI GetHead), typed where it matters."""

    orno: str
    customer: str
    cuor: str
    order_type: str
    warehouse: str
    currency: str
    order_date: date | None
    progress: OrderProgress | None
    record: Mapping[str, str] = field(factory=dict, repr=False)

    @classmethod
    def from_record(cls, record: Mapping[str, str]) -> OrderHead:
        return cls(
            orno=record.get("ORNO", ""),
            customer=record.get("CUNO", ""),
            cuor=record.get("CUOR", ""),
            order_type=record.get("ORTP", ""),
            warehouse=record.get("WHLO", ""),
            currency=record.get("CUCD", ""),
            order_date=m3_date(record.get("ORDT"), field="OIS100MI.GetHead ORDT"),
            progress=OrderProgress.from_record(record) if record.get("ORST") else None,
            record=dict(record),
        )


@frozen
class OrderLineRecord:
    """One line of a final order (OIS100MI LstLine)."""

    line: int
    suffix: int
    item: str
    quantity: Decimal | None
    price: Decimal | None
    status: str
    record: Mapping[str, str] = field(factory=dict, repr=False)

    @classmethod
    def from_record(cls, record: Mapping[str, str]) -> OrderLineRecord:
        return cls(
            line=int(record.get("PONR") or 0),
            suffix=int(record.get("POSX") or 0),
            item=record.get("ITNO", ""),
            quantity=m3_decimal(record.get("ORQT"), field="OIS100MI.LstLine ORQT"),
            price=m3_decimal(record.get("SAPR"), field="OIS100MI.LstLine SAPR"),
            status=record.get("ORST", ""),
            record=dict(record),
        )


# ------------------------------------------------------------------------------ checks
def _check_cuor(cuor: str) -> str:
    value = (cuor or "").strip() if isinstance(cuor, str) else cuor
    if not isinstance(value, str) or not value:
        raise ValidationError(
            f"customer order number (CUOR): expected a non-empty text, got {cuor!r}"
        )
    if len(value) > CUOR_LENGTH:
        raise ValidationError(
            f"customer order number (CUOR) {value!r} is {len(value)} characters; "
            f"M3 holds {CUOR_LENGTH}"
        )
    return value


def _check_customer(customer: object, what: str = "customer (CUNO)") -> str:
    if not isinstance(customer, str) or not customer.strip():
        raise ValidationError(f"{what}: expected a customer number, got {customer!r}")
    return customer.strip()


def _check_head(head: Head) -> None:
    _check_customer(head.get("CUNO"), "order head CUNO (customer number)")
    cuor = head.get("CUOR")
    if cuor is not None:
        _check_cuor(str(cuor))


def _check_lines(lines: Sequence[Line], *, allow_empty: bool = False) -> None:
    if isinstance(lines, Mapping):
        raise ValidationError("lines: expected a sequence of MI line records, got one record")
    if not lines and not allow_empty:
        raise ValidationError("an order needs at least one line (ITNO, ORQT, ...)")
    for n, line in enumerate(lines, 1):
        if not line.get("ITNO") and not line.get("POPN"):
            raise ValidationError(
                f"order line {n}: needs ITNO (item number) or POPN (alias number); "
                f"has {sorted(line)}"
            )
        if "ORNO" in line:
            raise ValidationError(
                f"order line {n}: must not carry ORNO; the temporary order number is set here"
            )


def _orno(records: list[Record], transaction: str, key: str = "ORNO") -> str:
    value = records[0].get(key, "").strip() if records else ""
    if not value:
        raise MiError(
            f"answered OK without an order number ({key})",
            program=PROGRAM,
            transaction=transaction,
            records=records,
        )
    return value


# ------------------------------------------------------------------------------- plans
def find_all_by_reference(ctx: MiContext, customer: str, cuor: str) -> Plan[list[OrderMatch]]:
    """Every order of ``customer`` whose CUOR is ``cuor``: final ones first, then temporary."""
    customer = _check_customer(customer)
    cuor = _check_cuor(cuor)
    heads: list[Record] = yield ctx.call(
        PROGRAM, "LstHead", {"CUNO": customer}, return_cols=_HEAD_COLUMNS
    )
    batches: list[Record] = yield ctx.call(
        PROGRAM, "LstBatchHead", {"CUNO": customer}, return_cols=_BATCH_COLUMNS
    )
    finals: dict[str, OrderMatch] = {}
    for rec in heads:
        if rec.get("CUOR", "").strip() == cuor and rec.get("ORNO"):
            finals[rec["ORNO"]] = OrderMatch(
                rec["ORNO"], False, cuor, customer, rec.get("ORST") or None, rec
            )
    temporaries: list[OrderMatch] = []
    for rec in batches:
        if rec.get("CUOR", "").strip() != cuor or not rec.get("ORNO"):
            continue
        final = rec.get("ORNR", "").strip()
        if final:  # confirmed: the final order exists (perhaps not listed by LstHead yet)
            finals.setdefault(
                final, OrderMatch(final, False, cuor, customer, rec.get("ORST") or None, rec)
            )
        else:
            temporaries.append(
                OrderMatch(rec["ORNO"], True, cuor, customer, rec.get("ORST") or None, rec)
            )
    return [*sorted(finals.values(), key=lambda m: m.orno), *temporaries]


def find_by_reference(ctx: MiContext, customer: str, cuor: str) -> Plan[OrderMatch | None]:
    """The order for ``cuor``: the final one if any, else a temporary one, else None."""
    matches = yield from find_all_by_reference(ctx, customer, cuor)
    if len([m for m in matches if m.final]) > 1:
        log.warning(
            "customer %s has %d final orders with CUOR %s; using the first",
            customer,
            len([m for m in matches if m.final]),
            cuor,
        )
    return matches[0] if matches else None


def _add_lines(ctx: MiContext, temporary: str, lines: Sequence[Line]) -> Plan[int]:
    for line in lines:
        yield ctx.call(PROGRAM, "AddBatchLine", {**line, "ORNO": temporary})
    return len(lines)


def _release(ctx: MiContext, temporary: str, ctyp: str | None) -> Plan[str]:
    confirm: dict[str, FieldValue] = {"ORNO": temporary}
    if ctyp is not None:
        confirm["CTYP"] = ctyp
    yield ctx.call(PROGRAM, "Confirm", confirm)
    records: list[Record] = yield ctx.call(PROGRAM, "GetOrderNo", {"ORNO": temporary})
    final = records[0].get("ORNR", "").strip() if records else ""
    if not final:
        raise BatchOrderNotReleasedError(
            f"OIS100MI Confirm of temporary order {temporary} gave no final order number; "
            "the batch order has errors: see OIS275 (batch order errors) in M3",
            temporary_orno=temporary,
        )
    return final


def create(
    ctx: MiContext,
    head: Head,
    lines: Sequence[Line],
    *,
    ctyp: str | None = None,
    cleanup_on_error: bool = True,
) -> Plan[str]:
    """AddBatchHead, AddBatchLine per line, Confirm, GetOrderNo: the final order number.

    If M3 refuses a line, the temporary order is deleted (``DelBatchHead``) so a later retry
    starts clean, and the refusal is raised. A timeout is raised as is: the order's state is
    then unknown, and :func:`find_by_reference` tells.
    """
    _check_head(head)
    _check_lines(lines)
    records: list[Record] = yield ctx.call(PROGRAM, "AddBatchHead", head)
    temporary = _orno(records, "AddBatchHead")
    try:
        yield from _add_lines(ctx, temporary, lines)
    except MiError:
        if cleanup_on_error:
            try:
                yield ctx.call(PROGRAM, "DelBatchHead", {"ORNO": temporary})
            except BridgeError as exc:
                log.warning("could not delete temporary order %s: %s", temporary, exc)
        raise
    final: str = yield from _release(ctx, temporary, ctyp)
    return final


def resume(
    ctx: MiContext,
    temporary_orno: str,
    lines: Sequence[Line] | None = None,
    *,
    ctyp: str | None = None,
) -> Plan[str]:
    """Finish a temporary order left by a crash: add missing lines, Confirm, GetOrderNo.

    With ``lines`` (the full list, in the order :func:`create` sends them), the lines already
    on the temporary order are counted (``LstBatchLine``) and only the rest are added.
    """
    temporary = (temporary_orno or "").strip()
    if not temporary:
        raise ValidationError(f"temporary order number: expected a value, got {temporary_orno!r}")
    if lines is not None:
        _check_lines(lines, allow_empty=True)
        present: list[Record] = yield ctx.call(
            PROGRAM, "LstBatchLine", {"ORNO": temporary}, return_cols=("PONR", "ITNO")
        )
        if len(present) > len(lines):
            raise ValidationError(
                f"temporary order {temporary} already has {len(present)} lines, more than the "
                f"{len(lines)} given; check it in OIS275 before confirming"
            )
        yield from _add_lines(ctx, temporary, lines[len(present) :])
    final: str = yield from _release(ctx, temporary, ctyp)
    return final


def ensure(
    ctx: MiContext, head: Head, lines: Sequence[Line], *, ctyp: str | None = None
) -> Plan[OrderOutcome]:
    """The order for ``head["CUOR"]``, found, resumed from a temporary order, or created.

    Safe to call again after any failure: this is the query-first create the poster needs.
    """
    _check_head(head)
    if head.get("CUOR") is None:
        raise ValidationError("order head: CUOR (customer order number) is needed to find it again")
    match = yield from find_by_reference(ctx, str(head["CUNO"]), str(head["CUOR"]))
    if match is not None and match.final:
        return OrderOutcome(match.orno, OrderAction.EXISTING)
    if match is not None:
        final = yield from resume(ctx, match.orno, lines, ctyp=ctyp)
        return OrderOutcome(final, OrderAction.RESUMED, temporary_orno=match.orno)
    created = yield from create(ctx, head, lines, ctyp=ctyp)
    return OrderOutcome(created, OrderAction.CREATED)


def get_head(ctx: MiContext, orno: str) -> Plan[OrderHead]:
    """The head of final order ``orno`` (OIS100MI GetHead)."""
    records: list[Record] = yield ctx.call(PROGRAM, "GetHead", {"ORNO": orno})
    if not records:
        raise MiError(f"no record for order {orno}", program=PROGRAM, transaction="GetHead")
    return OrderHead.from_record(records[0])


def status(ctx: MiContext, orno: str) -> Plan[OrderProgress]:
    """The status (ORSL/ORST) of final order ``orno``."""
    records: list[Record] = yield ctx.call(
        PROGRAM, "GetHead", {"ORNO": orno}, return_cols=("ORNO", "ORSL", "ORST")
    )
    if not records:
        raise MiError(f"no record for order {orno}", program=PROGRAM, transaction="GetHead")
    return OrderProgress.from_record(records[0])


def lines(ctx: MiContext, orno: str) -> Plan[list[OrderLineRecord]]:
    """The lines of final order ``orno`` (OIS100MI LstLine)."""
    records: list[Record] = yield ctx.call(PROGRAM, "LstLine", {"ORNO": orno})
    return [OrderLineRecord.from_record(r) for r in records]


def list_heads(
    ctx: MiContext, customer: str, *, order_types: Collection[str] | None = None
) -> Plan[list[OrderHead]]:
    """The final orders of ``customer`` (OIS100MI LstHead), only of ``order_types`` if given.

    Used to pick up orders that start in M3, e.g. orders of an MCF order type to hand to
    Amazon for fulfilment.
    """
    customer = _check_customer(customer)
    records: list[Record] = yield ctx.call(PROGRAM, "LstHead", {"CUNO": customer})
    heads = [OrderHead.from_record(r) for r in records if r.get("ORNO")]
    if order_types is not None:
        wanted = {t.strip() for t in order_types}
        heads = [h for h in heads if h.order_type in wanted]
    return heads


def get_address(ctx: MiContext, orno: str, address_type: str = "1") -> Plan[Record | None]:
    """The order's own address of type ``address_type`` (OIS100MI GetAddress: CUNM, CUA1-4,
    TOWN, PONO, ECAR, CSCD, PHNO ...), or None if the order has none of that type (it then
    ships to the customer's address)."""
    try:
        records: list[Record] = yield ctx.call(
            PROGRAM, "GetAddress", {"ORNO": orno, "ADRT": address_type}
        )
    except MiError as exc:
        if is_not_found(exc) and exc.field in (None, "", "ADRT"):  # not when ORNO is unknown
            return None
        raise
    return records[0] if records else None


def delete_temporary(ctx: MiContext, temporary_orno: str) -> Plan[None]:
    """Delete a temporary (batch) order that should not be confirmed (DelBatchHead)."""
    yield ctx.call(PROGRAM, "DelBatchHead", {"ORNO": temporary_orno})


# ----------------------------------------------------------------------------- facades
class CustomerOrders(SyncFacade):
    """OIS100MI customer orders (``m3.customer_orders``)."""

    def find_by_reference(self, customer: str, cuor: str) -> OrderMatch | None:
        return self._run(find_by_reference(self._ctx, customer, cuor))

    def find_all_by_reference(self, customer: str, cuor: str) -> list[OrderMatch]:
        return self._run(find_all_by_reference(self._ctx, customer, cuor))

    def create(self, head: Head, lines: Sequence[Line], *, ctyp: str | None = None) -> str:
        return self._run(create(self._ctx, head, lines, ctyp=ctyp))

    def resume(
        self, temporary_orno: str, lines: Sequence[Line] | None = None, *, ctyp: str | None = None
    ) -> str:
        return self._run(resume(self._ctx, temporary_orno, lines, ctyp=ctyp))

    def ensure(self, head: Head, lines: Sequence[Line], *, ctyp: str | None = None) -> OrderOutcome:
        return self._run(ensure(self._ctx, head, lines, ctyp=ctyp))

    def get_head(self, orno: str) -> OrderHead:
        return self._run(get_head(self._ctx, orno))

    def status(self, orno: str) -> OrderProgress:
        return self._run(status(self._ctx, orno))

    def lines(self, orno: str) -> list[OrderLineRecord]:
        return self._run(lines(self._ctx, orno))

    def list_heads(
        self, customer: str, *, order_types: Collection[str] | None = None
    ) -> list[OrderHead]:
        return self._run(list_heads(self._ctx, customer, order_types=order_types))

    def get_address(self, orno: str, address_type: str = "1") -> Record | None:
        return self._run(get_address(self._ctx, orno, address_type))

    def delete_temporary(self, temporary_orno: str) -> None:
        return self._run(delete_temporary(self._ctx, temporary_orno))


class AsyncCustomerOrders(AsyncFacade):
    """OIS100MI customer orders for :class:`~amazon_erp_bridge.infor.AsyncM3Client`."""

    async def find_by_reference(self, customer: str, cuor: str) -> OrderMatch | None:
        return await self._run(find_by_reference(self._ctx, customer, cuor))

    async def find_all_by_reference(self, customer: str, cuor: str) -> list[OrderMatch]:
        return await self._run(find_all_by_reference(self._ctx, customer, cuor))

    async def create(self, head: Head, lines: Sequence[Line], *, ctyp: str | None = None) -> str:
        return await self._run(create(self._ctx, head, lines, ctyp=ctyp))

    async def resume(
        self, temporary_orno: str, lines: Sequence[Line] | None = None, *, ctyp: str | None = None
    ) -> str:
        return await self._run(resume(self._ctx, temporary_orno, lines, ctyp=ctyp))

    async def ensure(
        self, head: Head, lines: Sequence[Line], *, ctyp: str | None = None
    ) -> OrderOutcome:
        return await self._run(ensure(self._ctx, head, lines, ctyp=ctyp))

    async def get_head(self, orno: str) -> OrderHead:
        return await self._run(get_head(self._ctx, orno))

    async def status(self, orno: str) -> OrderProgress:
        return await self._run(status(self._ctx, orno))

    async def lines(self, orno: str) -> list[OrderLineRecord]:
        return await self._run(lines(self._ctx, orno))

    async def list_heads(
        self, customer: str, *, order_types: Collection[str] | None = None
    ) -> list[OrderHead]:
        return await self._run(list_heads(self._ctx, customer, order_types=order_types))

    async def get_address(self, orno: str, address_type: str = "1") -> Record | None:
        return await self._run(get_address(self._ctx, orno, address_type))

    async def delete_temporary(self, temporary_orno: str) -> None:
        return await self._run(delete_temporary(self._ctx, temporary_orno))
