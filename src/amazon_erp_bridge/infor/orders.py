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
from amazon_erp_bridge.infor.plan import Plan, read_all
from amazon_erp_bridge.infor.status import OrderProgress
from amazon_erp_bridge.infor.values import FieldValue, m3_date, m3_decimal, to_m3_decimal

log = get_logger("amazon_erp_bridge.infor.orders")

PROGRAM = "OIS100MI"
#: Length of the customer's order number field (CUOR) in OIS100MI.
CUOR_LENGTH = 20
_HEAD_COLUMNS = ("ORNO", "CUOR", "ORST", "ORSL", "ORTP")
_BATCH_COLUMNS = ("ORNO", "CUOR", "ORST", "ORSL", "ORNR", "STAT")
#: OIS100MI AddBatchText PARM: one text line (the metadata gives no length; the M3 text
#: line is 60 characters). Longer gift messages are split over several lines.
TEXT_LINE_LENGTH = 60

Head = Mapping[str, FieldValue]
Line = Mapping[str, FieldValue]


class BatchOrderNotReleasedError(PostingError):
    """Confirm was sent but M3 gave no final order number: the batch order has errors."""

    def __init__(
        self, message: str, *, temporary_orno: str, errors: Sequence[BatchError] = ()
    ) -> None:
        super().__init__(message)
        self.temporary_orno = temporary_orno
        #: What OIS100MI LstErrMsgOrder says is wrong with the batch order.
        self.errors: tuple[BatchError, ...] = tuple(errors)


@frozen
class BatchError:
    """One error of a batch order that Confirm could not release (OIS100MI LstErrMsgOrder)."""

    message_id: str
    text: str
    level: str = ""

    @classmethod
    def from_record(cls, record: Mapping[str, str]) -> BatchError:
        """Read a batch order error (MSID, MDTA/TX60, LEVL) from an MI record."""
        text = (record.get("MDTA") or record.get("TX60") or "").strip()
        return cls(record.get("MSID", "").strip(), text, record.get("LEVL", "").strip())

    def __str__(self) -> str:
        return f"{self.message_id}: {self.text}" if self.message_id else self.text


@frozen
class OrderText:
    """A text for the order head (``line`` None) or one of its lines (``line`` = PONR).

    Sent with OIS100MI AddBatchText (TYPE 1 head / 2 line; TYTR 1 pre-text, 2 post-text,
    3 F6 text). Gift messages go as post-texts of their line.
    """

    text: str
    line: int | None = None
    kind: int = 2
    description: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValidationError(f"order text: expected a non-empty text, got {self.text!r}")
        if self.kind not in (1, 2, 3):
            raise ValidationError(
                f"order text kind (TYTR) {self.kind!r}: 1 pre-text, 2 post-text or 3 F6 text"
            )
        if self.line is not None and (not isinstance(self.line, int) or self.line < 1):
            raise ValidationError(f"order text line (PONR) {self.line!r}: expected >= 1")
        if len(self.description) > 40:
            raise ValidationError(
                f"order text description (TX40) {self.description!r} is over 40 characters"
            )


@frozen
class OrderCharge:
    """An order charge (OIS100MI AddBatchHeadChg, or AddBatchLineChg when ``line`` is set).

    ``code`` is the M3 charge (CRID, from the caller's configuration, e.g. shipping or gift
    wrap); ``amount`` the charge amount (CRAM) in the order currency; ``tax_code`` (TAXC)
    only on head charges, as the metadata offers it only there.
    """

    code: str
    amount: Decimal
    line: int | None = None
    currency: str | None = None
    tax_code: str | None = None

    def __attrs_post_init__(self) -> None:
        where = f"order charge {self.code!r}"
        if not isinstance(self.code, str) or not self.code.strip() or len(self.code) > 6:
            raise ValidationError(f"{where}: the charge code (CRID) must be 1-6 characters")
        if not isinstance(self.amount, Decimal) or not self.amount.is_finite():
            raise ValidationError(f"{where}: amount must be a finite Decimal, got {self.amount!r}")
        if abs(self.amount) >= Decimal(10) ** 13:
            raise ValidationError(f"{where}: amount {self.amount} is too large for CRAM")
        if self.line is not None and (not isinstance(self.line, int) or self.line < 1):
            raise ValidationError(f"{where}: line (PONR) must be >= 1, got {self.line!r}")
        if self.line is not None and (self.currency or self.tax_code):
            raise ValidationError(
                f"{where}: AddBatchLineChg takes no currency or tax code (CUCD/TAXC)"
            )
        if self.currency is not None and len(self.currency) != 3:
            raise ValidationError(f"{where}: currency {self.currency!r} is not an ISO code")
        if self.tax_code is not None and not 1 <= len(self.tax_code) <= 3:
            raise ValidationError(f"{where}: tax code (TAXC) {self.tax_code!r} is 1-3 characters")

    def record(self) -> dict[str, FieldValue]:
        """The AddBatchHeadChg / AddBatchLineChg input record (without ORNO)."""
        out: dict[str, FieldValue] = {"CRID": self.code, "CRAM": to_m3_decimal(self.amount)}
        if self.line is not None:
            out.update(PONR=str(self.line), POSX="0")
        if self.currency:
            out["CUCD"] = self.currency
        if self.tax_code:
            out["TAXC"] = self.tax_code
        return out


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
        """True for a final customer order (not a temporary batch order)."""
        return not self.temporary

    @property
    def progress(self) -> OrderProgress | None:
        """The order's lowest/highest status, or None when M3 gave none."""
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
    """The head of a final customer order (OIS100MI GetHead), typed where it matters.

    Built from GetHead; LstHead publishes no CUNO, CUCD or WHLO, so :func:`list_heads` reads
    each listed order's GetHead for them.
    """

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
        """Read a customer order head from an MI record (ORNO, CUNO, CUOR, ...)."""
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
        """Read a customer order line from an MI record (PONR, POSX, ITNO, ...)."""
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
        if not line.get("ITNO") and not (line.get("POPN") and line.get("ALWT")):
            raise ValidationError(
                f"order line {n}: needs ITNO (item number), or POPN (alias number) with ALWT "
                f"(alias category) to look the item up; has {sorted(line)}"
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
    heads: list[Record] = yield from read_all(
        ctx, PROGRAM, "LstHead", {"CUNO": customer}, return_cols=_HEAD_COLUMNS
    )
    batches: list[Record] = yield from read_all(
        ctx, PROGRAM, "LstBatchHead", {"CUNO": customer}, return_cols=_BATCH_COLUMNS
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


_ALIAS_FIELDS = ("POPN", "ALWT", "ALWQ", "E0PA")


def _resolve_item(ctx: MiContext, line: Line, n: int) -> Plan[dict[str, FieldValue]]:
    """The line with ITNO: AddBatchLine requires it, so an alias number is looked up first
    (MMS025MI GetItem with ALWT/ALWQ/POPN) and sent as ITNO, without the alias fields."""
    if line.get("ITNO"):
        return dict(line)
    lookup = {k: line[k] for k in _ALIAS_FIELDS if line.get(k)}
    try:
        records: list[Record] = yield ctx.call("MMS025MI", "GetItem", lookup)
    except MiError as exc:
        if is_not_found(exc):
            raise ValidationError(
                f"order line {n}: alias number {line.get('POPN')!r} (ALWT {line.get('ALWT')}) "
                "is not an item alias in M3 (MMS025)"
            ) from exc
        raise
    itno = records[0].get("ITNO", "").strip() if records else ""
    if not itno:
        raise ValidationError(f"order line {n}: alias {line.get('POPN')!r} gave no item number")
    return {**{k: v for k, v in line.items() if k not in _ALIAS_FIELDS}, "ITNO": itno}


def _add_lines(ctx: MiContext, temporary: str, lines: Sequence[Line], first: int = 1) -> Plan[int]:
    for n, line in enumerate(lines, first):
        resolved = yield from _resolve_item(ctx, line, n)
        yield ctx.call(PROGRAM, "AddBatchLine", {**resolved, "ORNO": temporary})
    return len(lines)


def list_batch_errors(ctx: MiContext, temporary_orno: str) -> Plan[list[BatchError]]:
    """Why a batch order was not released: OIS100MI LstErrMsgOrder of the temporary order."""
    records: list[Record] = yield ctx.call(PROGRAM, "LstErrMsgOrder", {"ORNO": temporary_orno})
    return [BatchError.from_record(r) for r in records]


def _release(ctx: MiContext, temporary: str, ctyp: str | None) -> Plan[str]:
    confirm: dict[str, FieldValue] = {"ORNO": temporary}
    if ctyp is not None:
        confirm["CTYP"] = ctyp
    yield ctx.call(PROGRAM, "Confirm", confirm)
    records: list[Record] = yield ctx.call(PROGRAM, "GetOrderNo", {"ORNO": temporary})
    final = records[0].get("ORNR", "").strip() if records else ""
    if not final:
        errors: list[BatchError] = []
        try:
            errors = yield from list_batch_errors(ctx, temporary)
        except MiError as exc:
            log.warning("could not list the errors of batch order %s: %s", temporary, exc)
        listed = "; ".join(str(e) for e in errors) or "LstErrMsgOrder lists no error"
        raise BatchOrderNotReleasedError(
            f"OIS100MI Confirm of temporary order {temporary} gave no final order number; "
            f"M3 says: {listed}",
            temporary_orno=temporary,
            errors=errors,
        )
    return final


def _text_records(text: OrderText) -> list[dict[str, FieldValue]]:
    chunks = [
        text.text[i : i + TEXT_LINE_LENGTH] for i in range(0, len(text.text), TEXT_LINE_LENGTH)
    ]
    out: list[dict[str, FieldValue]] = []
    for chunk in chunks:
        record: dict[str, FieldValue] = {
            "TYPE": "2" if text.line is not None else "1",
            "TYTR": str(text.kind),
            "PARM": chunk,
        }
        if text.line is not None:
            record.update(PONR=str(text.line), POSX="0")
        if text.description:
            record["TX40"] = text.description
        out.append(record)
    return out


def _already_exists(error: MiError) -> bool:
    return error.status in (200, 400) and "already exist" in error.mi_message.lower()


def _add_extras(
    ctx: MiContext,
    temporary: str,
    address: Mapping[str, FieldValue] | None,
    texts: Sequence[OrderText],
    charges: Sequence[OrderCharge],
    *,
    again: bool = False,
) -> Plan[None]:
    """AddBatchAddress, AddBatchText per text line, AddBatchHeadChg/AddBatchLineChg per charge.

    ``again`` (resuming after a crash that came after the last line): a charge M3 says
    already exists was sent before, and texts are not sent a second time.
    """
    if address is not None:
        yield ctx.call(PROGRAM, "AddBatchAddress", {**address, "ORNO": temporary})
    if not again:
        for text in texts:
            for record in _text_records(text):
                yield ctx.call(PROGRAM, "AddBatchText", {**record, "ORNO": temporary})
    for charge in charges:
        transaction = "AddBatchLineChg" if charge.line is not None else "AddBatchHeadChg"
        try:
            yield ctx.call(PROGRAM, transaction, {**charge.record(), "ORNO": temporary})
        except MiError as exc:
            if not (again and _already_exists(exc)):
                raise


def _check_extras(
    lines: Sequence[Line],
    address: Mapping[str, FieldValue] | None,
    texts: Sequence[OrderText],
    charges: Sequence[OrderCharge],
) -> None:
    if address is not None:
        if not isinstance(address, Mapping) or not str(address.get("ADRT") or "").strip():
            raise ValidationError(
                "order address: expected an AddBatchAddress record with ADRT (address type)"
            )
        if "ORNO" in address:
            raise ValidationError("order address: must not carry ORNO; it is set here")
    for item in (*texts, *charges):
        if not isinstance(item, OrderText | OrderCharge):
            raise ValidationError(
                f"order texts/charges: expected OrderText/OrderCharge, got {type(item).__name__}"
            )
        if item.line is not None and item.line > len(lines):
            raise ValidationError(
                f"{type(item).__name__} for line {item.line}: the order has {len(lines)} lines"
            )


def create(
    ctx: MiContext,
    head: Head,
    lines: Sequence[Line],
    *,
    ctyp: str | None = None,
    cleanup_on_error: bool = True,
    address: Mapping[str, FieldValue] | None = None,
    texts: Sequence[OrderText] = (),
    charges: Sequence[OrderCharge] = (),
) -> Plan[str]:
    """AddBatchHead, AddBatchLine per line, AddBatchAddress, AddBatchText, AddBatchHeadChg /
    AddBatchLineChg, Confirm, GetOrderNo: the final order number.

    ``address`` is the order's own delivery address (the mapped ship-to: an AddBatchAddress
    record with ADRT, CUNM, CUA1-4, TOWN, PONO, ECAR, CSCD, PHNO ...); ``texts`` e.g. gift
    messages; ``charges`` shipping, gift wrap and similar charges. Lines are numbered 1, 2,
    ... in the order given, which is what line texts and charges refer to. A line given by
    alias number (POPN + ALWT) is looked up to its ITNO first. If M3 refuses anything before
    Confirm, the temporary order is deleted (``DelBatchHead``) so a retry starts clean, and
    the refusal is raised. A timeout is raised as is (:func:`find_by_reference` tells).
    """
    _check_head(head)
    _check_lines(lines)
    _check_extras(lines, address, texts, charges)
    records: list[Record] = yield ctx.call(PROGRAM, "AddBatchHead", head)
    temporary = _orno(records, "AddBatchHead")
    try:
        yield from _add_lines(ctx, temporary, lines)
        yield from _add_extras(ctx, temporary, address, texts, charges)
    except (MiError, ValidationError):
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
    address: Mapping[str, FieldValue] | None = None,
    texts: Sequence[OrderText] = (),
    charges: Sequence[OrderCharge] = (),
) -> Plan[str]:
    """Finish a temporary order left by a crash: add missing lines, Confirm, GetOrderNo.

    With ``lines`` (the full list, in the order :func:`create` sends them), the lines already
    on the temporary order are counted (``LstBatchLine``) and only the rest are added. The
    address, texts and charges :func:`create` sends after the lines are sent too: all of them
    when lines were missing (the crash came before them); when every line was there, the
    address is sent again (it replaces itself), a charge M3 says already exists is skipped,
    and texts are not sent again (M3 cannot tell which were added; check them in OIS275).
    OIS100MI lists a batch order's lines (LstBatchLine) but not its charges (LstOrderCharge and
    LstLineCharge read a final order's), so "already exists" is how M3 says a charge was added.
    """
    temporary = (temporary_orno or "").strip()
    if not temporary:
        raise ValidationError(f"temporary order number: expected a value, got {temporary_orno!r}")
    again = True
    if lines is not None:
        _check_lines(lines, allow_empty=True)
        _check_extras(lines, address, texts, charges)
        present: list[Record] = yield from read_all(
            ctx, PROGRAM, "LstBatchLine", {"ORNO": temporary}, return_cols=("PONR", "ITNO")
        )
        if len(present) > len(lines):
            raise ValidationError(
                f"temporary order {temporary} already has {len(present)} lines, more than the "
                f"{len(lines)} given; check it in OIS275 before confirming"
            )
        again = len(present) == len(lines)
        yield from _add_lines(ctx, temporary, lines[len(present) :], len(present) + 1)
    if address is not None or texts or charges:
        yield from _add_extras(ctx, temporary, address, texts, charges, again=again)
    final: str = yield from _release(ctx, temporary, ctyp)
    return final


def ensure(
    ctx: MiContext,
    head: Head,
    lines: Sequence[Line],
    *,
    ctyp: str | None = None,
    address: Mapping[str, FieldValue] | None = None,
    texts: Sequence[OrderText] = (),
    charges: Sequence[OrderCharge] = (),
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
        final = yield from resume(
            ctx, match.orno, lines, ctyp=ctyp, address=address, texts=texts, charges=charges
        )
        return OrderOutcome(final, OrderAction.RESUMED, temporary_orno=match.orno)
    created = yield from create(
        ctx, head, lines, ctyp=ctyp, address=address, texts=texts, charges=charges
    )
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
    records: list[Record] = yield from read_all(ctx, PROGRAM, "LstLine", {"ORNO": orno})
    return [OrderLineRecord.from_record(r) for r in records]


def list_heads(
    ctx: MiContext, customer: str, *, order_types: Collection[str] | None = None
) -> Plan[list[OrderHead]]:
    """The final orders of ``customer`` (OIS100MI LstHead), only of ``order_types`` if given.

    Used to pick up orders that start in M3, e.g. orders of an MCF order type to hand to
    Amazon for fulfilment.
    """
    customer = _check_customer(customer)
    records: list[Record] = yield from read_all(
        ctx, PROGRAM, "LstHead", {"CUNO": customer}, return_cols=_HEAD_COLUMNS
    )
    wanted = None if order_types is None else {t.strip() for t in order_types}
    heads: list[OrderHead] = []
    for record in records:
        if not record.get("ORNO") or (wanted is not None and record.get("ORTP") not in wanted):
            continue
        # LstHead publishes no CUNO, CUCD or WHLO: GetHead does.
        head: OrderHead = yield from get_head(ctx, record["ORNO"])
        heads.append(head)
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


class LineAction(enum.Enum):
    """What :func:`update_cancellation` did with one order line."""

    DELETED = "deleted"
    CLOSED = "closed"
    DELIVERED = "delivered"  # already delivered or invoiced: reported, not touched
    ALREADY_CLOSED = "already_closed"


@frozen
class CancelRule:
    """Which lines are deleted, which closed (data: set your site's statuses).

    A line whose status (ORST) is below ``close_from`` is deleted (OIS100MI DelLine: nothing
    allocated yet); from ``close_from`` up to below ``delivered_from`` it is closed
    (CloLine: allocated or on a picking list); from ``delivered_from`` it is delivered and
    only reported; ``closed`` statuses (99 completed) are left as they are.
    """

    close_from: str = "33"
    delivered_from: str = "66"
    closed: tuple[str, ...] = ("99",)

    def action(self, status: str) -> LineAction:
        """What to do with a line in M3 status ``status`` when Amazon cancels it."""
        code = status.strip().zfill(2)
        if code in self.closed:
            return LineAction.ALREADY_CLOSED
        if code >= self.delivered_from:
            return LineAction.DELIVERED
        if code >= self.close_from:
            return LineAction.CLOSED
        return LineAction.DELETED


DEFAULT_CANCEL_RULE = CancelRule()


@frozen
class LineCancellation:
    """One line of a cancelled order and what was done with it."""

    line: int
    suffix: int
    item: str
    status: str
    action: LineAction


@frozen
class CancelOutcome:
    """What :func:`update_cancellation` did with every line of order ``orno``."""

    orno: str
    lines: tuple[LineCancellation, ...]

    @property
    def delivered(self) -> tuple[LineCancellation, ...]:
        """Lines already delivered: left alone, to be handled as a return."""
        return tuple(c for c in self.lines if c.action is LineAction.DELIVERED)

    @property
    def changed(self) -> tuple[LineCancellation, ...]:
        """Lines deleted or closed now."""
        return tuple(c for c in self.lines if c.action in (LineAction.DELETED, LineAction.CLOSED))

    @property
    def complete(self) -> bool:
        """True when no line is left open or delivered (the whole order is cancelled)."""
        return not self.delivered


def update_cancellation(
    ctx: MiContext,
    orno: str,
    *,
    reason: str | None = None,
    rule: CancelRule = DEFAULT_CANCEL_RULE,
) -> Plan[CancelOutcome]:
    """Delete or close the open lines of final order ``orno`` (a cancelled Amazon order).

    Each line's status decides (``rule``): DelLine below 33, CloLine from 33, a delivered
    line (66 and up) is reported and not touched. Safe to run again: a deleted line is gone
    and a closed one (99) is skipped. ``reason`` goes in DelLine's RSCD (reason code, 3).
    """
    number = (orno or "").strip() if isinstance(orno, str) else ""
    if not number:
        raise ValidationError(f"cancel order lines: expected an order number, got {orno!r}")
    if reason is not None and not 1 <= len(reason) <= 3:
        raise ValidationError(f"cancel reason (RSCD) {reason!r}: expected 1-3 characters")
    current: list[OrderLineRecord] = yield from lines(ctx, number)
    done: list[LineCancellation] = []
    for line in current:
        action = rule.action(line.status)
        key: dict[str, FieldValue] = {
            "ORNO": number,
            "PONR": str(line.line),
            "POSX": str(line.suffix),
        }
        if action is LineAction.DELETED:
            yield ctx.call(PROGRAM, "DelLine", {**key, **({"RSCD": reason} if reason else {})})
        elif action is LineAction.CLOSED:
            yield ctx.call(PROGRAM, "CloLine", key)
        done.append(LineCancellation(line.line, line.suffix, line.item, line.status, action))
    return CancelOutcome(number, tuple(done))


# ----------------------------------------------------------------------------- facades
class CustomerOrders(SyncFacade):
    """OIS100MI customer orders (``m3.customer_orders``)."""

    def find_by_reference(self, customer: str, cuor: str) -> OrderMatch | None:
        return self._run(find_by_reference(self._ctx, customer, cuor))

    def find_all_by_reference(self, customer: str, cuor: str) -> list[OrderMatch]:
        return self._run(find_all_by_reference(self._ctx, customer, cuor))

    def create(
        self,
        head: Head,
        lines: Sequence[Line],
        *,
        ctyp: str | None = None,
        address: Mapping[str, FieldValue] | None = None,
        texts: Sequence[OrderText] = (),
        charges: Sequence[OrderCharge] = (),
    ) -> str:
        """Create the order (see :func:`create`); the final order number."""
        return self._run(
            create(self._ctx, head, lines, ctyp=ctyp, address=address, texts=texts, charges=charges)
        )

    def list_batch_errors(self, temporary_orno: str) -> list[BatchError]:
        """Why a batch order was not released (OIS100MI LstErrMsgOrder)."""
        return self._run(list_batch_errors(self._ctx, temporary_orno))

    def update_cancellation(
        self, orno: str, *, reason: str | None = None, rule: CancelRule = DEFAULT_CANCEL_RULE
    ) -> CancelOutcome:
        """Delete or close the open lines of a cancelled order (see :func:`update_cancellation`)."""
        return self._run(update_cancellation(self._ctx, orno, reason=reason, rule=rule))

    def resume(
        self,
        temporary_orno: str,
        lines: Sequence[Line] | None = None,
        *,
        ctyp: str | None = None,
        address: Mapping[str, FieldValue] | None = None,
        texts: Sequence[OrderText] = (),
        charges: Sequence[OrderCharge] = (),
    ) -> str:
        """Finish a temporary order left by a crash (see :func:`resume`)."""
        return self._run(
            resume(
                self._ctx,
                temporary_orno,
                lines,
                ctyp=ctyp,
                address=address,
                texts=texts,
                charges=charges,
            )
        )

    def ensure(
        self,
        head: Head,
        lines: Sequence[Line],
        *,
        ctyp: str | None = None,
        address: Mapping[str, FieldValue] | None = None,
        texts: Sequence[OrderText] = (),
        charges: Sequence[OrderCharge] = (),
    ) -> OrderOutcome:
        """Find, resume or create the order (see :func:`ensure`)."""
        return self._run(
            ensure(self._ctx, head, lines, ctyp=ctyp, address=address, texts=texts, charges=charges)
        )

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

    async def create(
        self,
        head: Head,
        lines: Sequence[Line],
        *,
        ctyp: str | None = None,
        address: Mapping[str, FieldValue] | None = None,
        texts: Sequence[OrderText] = (),
        charges: Sequence[OrderCharge] = (),
    ) -> str:
        """Create the order (see :func:`create`); the final order number."""
        return await self._run(
            create(self._ctx, head, lines, ctyp=ctyp, address=address, texts=texts, charges=charges)
        )

    async def list_batch_errors(self, temporary_orno: str) -> list[BatchError]:
        """Why a batch order was not released (OIS100MI LstErrMsgOrder)."""
        return await self._run(list_batch_errors(self._ctx, temporary_orno))

    async def update_cancellation(
        self, orno: str, *, reason: str | None = None, rule: CancelRule = DEFAULT_CANCEL_RULE
    ) -> CancelOutcome:
        """Delete or close the open lines of a cancelled order (see :func:`update_cancellation`)."""
        return await self._run(update_cancellation(self._ctx, orno, reason=reason, rule=rule))

    async def resume(
        self,
        temporary_orno: str,
        lines: Sequence[Line] | None = None,
        *,
        ctyp: str | None = None,
        address: Mapping[str, FieldValue] | None = None,
        texts: Sequence[OrderText] = (),
        charges: Sequence[OrderCharge] = (),
    ) -> str:
        """Finish a temporary order left by a crash (see :func:`resume`)."""
        return await self._run(
            resume(
                self._ctx,
                temporary_orno,
                lines,
                ctyp=ctyp,
                address=address,
                texts=texts,
                charges=charges,
            )
        )

    async def ensure(
        self,
        head: Head,
        lines: Sequence[Line],
        *,
        ctyp: str | None = None,
        address: Mapping[str, FieldValue] | None = None,
        texts: Sequence[OrderText] = (),
        charges: Sequence[OrderCharge] = (),
    ) -> OrderOutcome:
        """Find, resume or create the order (see :func:`ensure`)."""
        return await self._run(
            ensure(self._ctx, head, lines, ctyp=ctyp, address=address, texts=texts, charges=charges)
        )

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
