"""GL journals into M3 through the generic GL interface GLS840MI, with KEY1 as the settlement id.

GLS840MI works in batches: ``AddBatchHead`` (``CONO``, ``DIVI``, ``KEY1`` a unique key of up
to 15 characters, ``INTN`` the interface defined in GLS850, ``DESC``), ``AddBatchLine`` per
line (``LINE``, ``PARM``: one fixed-position string of up to 900 characters), ``CtrlBatch``
(validate, option 6 of GLS840) and ``UpdBatch`` (post, option 9). Where each value sits in
PARM is defined per interface in GLS850 and is not published, so :class:`ParmLayout` is data
the user supplies; :data:`DEFAULT_PARM_LAYOUT` documents our default, which the GLS850
interface must mirror.

GLS840MI has no read transaction. :func:`find_batch` reads the interface header table FGLINH
through a user-defined MDBREADMI transaction (:class:`GlBatchLookup`, default
``MDBREADMI/GetFGLINH00``), so a poster can ask whether a settlement's batch exists before
adding it again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from attrs import field, frozen

from amazon_erp_bridge.errors import ConfigurationError, ValidationError
from amazon_erp_bridge.infor.facade import AsyncFacade, SyncFacade
from amazon_erp_bridge.infor.mi import MiContext, MiError, MiResponse, Record, is_not_found
from amazon_erp_bridge.infor.plan import Plan
from amazon_erp_bridge.infor.values import to_m3_date, to_m3_decimal
from amazon_erp_bridge.model import JournalEntry, JournalLine

PROGRAM = "GLS840MI"
KEY1_LENGTH = 15
DESC_LENGTH = 40
PARM_LENGTH = 900

_SOURCES = frozenset(
    {
        "account",
        "amount",
        "currency",
        "posting_date",
        "document_date",
        "text",
        "line_text",
        "entry_text",
        "reference",
        "line_reference",
        "line_number",
        "key1",
    }
)


def _check_source(_: object, __: object, value: str) -> None:
    if value in _SOURCES or value.startswith(("dimension:", "const:")):
        return
    raise ConfigurationError(
        f"PARM field source {value!r} is unknown; use one of {', '.join(sorted(_SOURCES))}, "
        "'dimension:<key>' or 'const:<text>'"
    )


@frozen
class ParmField:
    """One value in the PARM string: its name, 1-based start, length and where it comes from.

    ``source`` is ``account``, ``amount``, ``currency``, ``posting_date``, ``document_date``,
    ``text`` (line text, else entry text, else reference), ``line_text``, ``entry_text``,
    ``reference`` (entry reference), ``line_reference``, ``line_number``, ``key1``,
    ``dimension:<key>`` (a key of the line's dimensions) or ``const:<text>``.
    """

    name: str
    start: int
    length: int
    source: str = field(validator=_check_source)
    #: Right-align (numbers) or left-align (text) within the field.
    right: bool = False
    #: Cut text that is too long instead of refusing the line (never used for amounts).
    truncate: bool = False

    @property
    def end(self) -> int:
        """Last position (1-based, inclusive)."""
        return self.start + self.length - 1


def _fields(value: Sequence[ParmField]) -> tuple[ParmField, ...]:
    return tuple(sorted(value, key=lambda f: f.start))


@frozen
class ParmLayout:
    """Where each value sits in the PARM string of the GLS850 interface ``interface``.

    ``amount_decimals`` fixes the decimals written (None: as exact as the amount is).
    """

    fields: tuple[ParmField, ...] = field(converter=_fields)
    interface: str = "AMZSETTLE"
    amount_decimals: int | None = 2
    max_length: int = PARM_LENGTH

    def __attrs_post_init__(self) -> None:
        if not self.fields:
            raise ConfigurationError("PARM layout has no fields")
        previous: ParmField | None = None
        for f in self.fields:
            if f.start < 1 or f.length < 1:
                raise ConfigurationError(
                    f"PARM field {f.name}: start and length must be >= 1 "
                    f"(got {f.start}, {f.length})"
                )
            if f.end > self.max_length:
                raise ConfigurationError(
                    f"PARM field {f.name} ends at {f.end}, past the {self.max_length} "
                    "positions of PARM"
                )
            if previous is not None and f.start <= previous.end:
                raise ConfigurationError(
                    f"PARM fields {previous.name} ({previous.start}-{previous.end}) and "
                    f"{f.name} ({f.start}-{f.end}) overlap"
                )
            previous = f
        if not any(f.source == "amount" for f in self.fields):
            raise ConfigurationError("PARM layout has no 'amount' field")
        if not any(f.source == "account" for f in self.fields):
            raise ConfigurationError("PARM layout has no 'account' field")

    @property
    def length(self) -> int:
        """The width of the PARM string: the end of the last field."""
        return max(f.end for f in self.fields)

    def dimension_keys(self) -> set[str]:
        """The journal line dimensions the layout places (its ``dimension:`` fields)."""
        return {f.source.split(":", 1)[1] for f in self.fields if f.source.startswith("dimension:")}

    def _amount(self, line: JournalLine, where: str) -> str:
        amount: Decimal = line.amount.amount
        if self.amount_decimals is not None:
            exact = amount.quantize(Decimal(1).scaleb(-self.amount_decimals))
            if exact != amount:
                raise ValidationError(
                    f"{where}: amount {amount} has more than {self.amount_decimals} decimals; "
                    "round it before posting (the PARM layout would cut it)"
                )
            amount = exact
        return to_m3_decimal(amount)

    def _value(
        self,
        f: ParmField,
        entry: JournalEntry,
        line: JournalLine,
        number: int,
        key1: str,
        where: str,
    ) -> str:
        source = f.source
        if source == "account":
            return line.account
        if source == "amount":
            return self._amount(line, where)
        if source == "currency":
            return line.amount.currency
        if source == "posting_date":
            return to_m3_date(entry.posting_date)
        if source == "document_date":
            return to_m3_date(entry.document_date or entry.posting_date)
        if source == "text":
            return line.text or entry.text or entry.reference
        if source == "line_text":
            return line.text
        if source == "entry_text":
            return entry.text
        if source == "reference":
            return entry.reference
        if source == "line_reference":
            return line.reference or ""
        if source == "line_number":
            return str(number)
        if source == "key1":
            return key1
        if source == "dimension:VTCD" and "VTCD" not in line.dimensions:
            return line.tax_code or ""  # the VAT code of a tax or tax-base line
        if source.startswith("dimension:"):
            return line.dimensions.get(source.split(":", 1)[1], "")
        return source.split(":", 1)[1]  # const:

    def render(self, entry: JournalEntry, line: JournalLine, number: int, key1: str = "") -> str:
        """The PARM string for line ``number`` (1-based) of ``entry``."""
        where = f"journal {entry.reference} line {number}"
        unplaced = set(line.dimensions) - self.dimension_keys()
        if unplaced:
            raise ValidationError(
                f"{where}: dimensions {sorted(unplaced)} have no place in the PARM layout of "
                f"interface {self.interface} (placed: {sorted(self.dimension_keys()) or 'none'})"
            )
        chars = [" "] * self.length
        for f in self.fields:
            value = self._value(f, entry, line, number, key1, where)
            if len(value) > f.length:
                if not f.truncate or f.source == "amount":
                    raise ValidationError(
                        f"{where}: {f.name} ({f.source}) {value!r} is {len(value)} characters; "
                        f"the PARM layout holds {f.length} at positions {f.start}-{f.end}"
                    )
                value = value[: f.length]
            text = value.rjust(f.length) if f.right else value.ljust(f.length)
            chars[f.start - 1 : f.end] = text
        return "".join(chars).rstrip()

    def parse(self, parm: str) -> dict[str, str]:
        """The values in a PARM string, by field name (for checks, tests and the sandbox)."""
        padded = parm.ljust(self.length)
        return {f.name: padded[f.start - 1 : f.end].strip() for f in self.fields}


#: Our default layout (mirror it in the GLS850 interface ``AMZSETTLE``): accounting dimensions
#: AIT1 (the account) to AIT7 at 10 characters each, currency, signed amount with a decimal
#: point right-aligned in 17, accounting date YYYYMMDD, and a 40-character voucher text.
DEFAULT_PARM_LAYOUT = ParmLayout(
    (
        ParmField("AIT1", 1, 10, "account"),
        *(ParmField(f"AIT{n}", 1 + 10 * (n - 1), 10, f"dimension:AIT{n}") for n in range(2, 8)),
        ParmField("CUCD", 71, 3, "currency"),
        ParmField("CUAM", 74, 17, "amount", right=True),
        ParmField("ACDT", 91, 8, "posting_date"),
        ParmField("VTXT", 99, 40, "text", truncate=True),
    )
)


#: The default layout plus the VAT code (VTCD, 2 digits, from the line's ``dimensions["VTCD"]``,
#: else its ``tax_code``) at 139-140: mirror it in a GLS850 interface whose lines carry VAT
#: (fees with input VAT, sales with output VAT). A line without a VAT code leaves it blank.
VAT_PARM_LAYOUT = ParmLayout(
    (*DEFAULT_PARM_LAYOUT.fields, ParmField("VTCD", 139, 2, "dimension:VTCD", right=True)),
    interface=DEFAULT_PARM_LAYOUT.interface,
)


@frozen
class GlBatchLookup:
    """How to read a GLS840 batch header: an MI transaction over table FGLINH (data).

    GLS840MI cannot read batches; M3 lets a site define read transactions over any table with
    MDBREADMI (MRS010). The default expects ``MDBREADMI/GetFGLINH00`` keyed by company and
    KEY1; ``fields`` are templates filled with ``{CONO}``, ``{DIVI}`` and ``{KEY1}`` (a field
    whose value comes out empty is left out). ``status_field`` names the column holding the
    batch status, if the transaction returns one, and ``posted_statuses`` the values that mean
    "updated (posted)"; the default ``90`` is the sandbox's convention: set your site's.
    """

    program: str = "MDBREADMI"
    transaction: str = "GetFGLINH00"
    fields: Mapping[str, str] = field(
        factory=lambda: {"CONO": "{CONO}", "DIVI": "{DIVI}", "KEY1": "{KEY1}"}
    )
    status_field: str = "STAT"
    posted_statuses: tuple[str, ...] = field(default=("90",), converter=tuple)


DEFAULT_BATCH_LOOKUP = GlBatchLookup()


@frozen
class GlBatch:
    """A GLS840 interface batch found by KEY1.

    ``posted`` is True once the batch is updated (its status is one of the lookup's
    ``posted_statuses``), False while it is open or controlled, None when the lookup
    returns no status (then only the batch's existence is known).
    """

    key1: str
    interface: str
    description: str
    status: str | None
    record: Mapping[str, str] = field(factory=dict, repr=False)
    posted: bool | None = None


@frozen
class GlPosting:
    """What :func:`post_journal` did."""

    key1: str
    lines: int
    controlled: bool
    updated: bool
    resumed: bool = False


def _check_key1(key1: str) -> str:
    value = (key1 or "").strip() if isinstance(key1, str) else ""
    if not value:
        raise ValidationError(
            f"GLS840MI KEY1: expected the batch key (settlement id), got {key1!r}"
        )
    if len(value) > KEY1_LENGTH:
        raise ValidationError(
            f"GLS840MI KEY1 {value!r} is {len(value)} characters; M3 holds {KEY1_LENGTH}. "
            "Pass a shorter key1= (it must stay unique per batch)"
        )
    return value


def _company(ctx: MiContext) -> dict[str, str]:
    if not ctx.cono:
        raise ConfigurationError(
            "GLS840MI needs the company (CONO) as a field: create the M3 client with cono="
        )
    out = {"CONO": ctx.cono}
    if ctx.divi:
        out["DIVI"] = ctx.divi
    return out


def _already_exists(error: MiError) -> bool:
    return error.status in (200, 400) and "already exist" in error.mi_message.lower()


def find_batch(
    ctx: MiContext, key1: str, *, lookup: GlBatchLookup = DEFAULT_BATCH_LOOKUP
) -> Plan[GlBatch | None]:
    """The GLS840 batch with ``key1``, or None if M3 has none."""
    key = _check_key1(key1)
    known = {"CONO": ctx.cono or "", "DIVI": ctx.divi or "", "KEY1": key}
    record: dict[str, str] = {}
    for name, template in lookup.fields.items():
        try:
            value = template.format_map(known)
        except KeyError as exc:
            raise ConfigurationError(
                f"GL batch lookup field {name}: unknown placeholder {{{exc.args[0]}}} "
                "(known: CONO, DIVI, KEY1)"
            ) from None
        if value:
            record[name] = value
    try:
        records: list[Record] = yield ctx.call(lookup.program, lookup.transaction, record)
    except MiError as exc:
        if is_not_found(exc, "KEY1"):
            return None
        raise
    if not records:
        return None
    rec = records[0]
    status = rec.get(lookup.status_field) or None
    return GlBatch(
        key1=rec.get("KEY1", key) or key,
        interface=rec.get("INTN", ""),
        description=rec.get("DESC", ""),
        status=status,
        record=rec,
        posted=None if status is None else status in lookup.posted_statuses,
    )


def post_journal(
    ctx: MiContext,
    entry: JournalEntry,
    *,
    key1: str | None = None,
    layout: ParmLayout = DEFAULT_PARM_LAYOUT,
    description: str | None = None,
    control: bool = True,
    update: bool = True,
    resume: bool = False,
    lines_per_request: int = 100,
) -> Plan[GlPosting]:
    """Post ``entry`` as one GLS840 batch keyed ``key1`` (default: the entry's reference).

    Every PARM string is built (and checked) before anything is sent. Lines go in bulk
    requests of ``lines_per_request``. With ``resume=True`` a head or line that M3 says
    already exists is taken as sent before (to finish a batch a crash left open); without
    it, an existing batch is an error. ``control``/``update`` run CtrlBatch/UpdBatch.
    """
    key = _check_key1(key1 if key1 is not None else entry.reference)
    if lines_per_request < 1:
        raise ValidationError(f"lines_per_request must be >= 1, got {lines_per_request}")
    company = _company(ctx)
    parms = [layout.render(entry, line, n, key) for n, line in enumerate(entry.lines, 1)]
    desc = (description or entry.text or f"Amazon settlement {entry.reference}")[:DESC_LENGTH]
    resumed = False
    try:
        yield ctx.call(
            PROGRAM,
            "AddBatchHead",
            {**company, "KEY1": key, "INTN": layout.interface, "DESC": desc},
        )
    except MiError as exc:
        if not (resume and _already_exists(exc)):
            raise
        resumed = True
    for first in range(0, len(parms), lines_per_request):
        chunk = parms[first : first + lines_per_request]
        response: MiResponse = yield ctx.bulk(
            PROGRAM,
            [
                ("AddBatchLine", {**company, "KEY1": key, "LINE": first + i + 1, "PARM": parm})
                for i, parm in enumerate(chunk)
            ],
        )
        for error in response.errors():
            if resume and _already_exists(error):
                resumed = True
                continue
            raise error
    if control:
        yield ctx.call(PROGRAM, "CtrlBatch", {**company, "KEY1": key})
    if update:
        yield ctx.call(PROGRAM, "UpdBatch", {**company, "KEY1": key})
    return GlPosting(key, len(parms), control, update, resumed)


@frozen
class GlReversal:
    """What :func:`reverse_journal` did: the reversing batch's KEY1, and whether it was
    posted now (False: it was already posted by an earlier run)."""

    original_key1: str
    key1: str
    posted_now: bool
    posting: GlPosting | None = None


def reversal_key(key1: str, prefix: str = "R") -> str:
    """The KEY1 of the batch reversing ``key1``: ``prefix`` + key1 (its last characters when
    both do not fit the 15 of KEY1)."""
    key = _check_key1(key1)
    if not prefix or len(prefix) >= KEY1_LENGTH:
        raise ValidationError(f"GL reversal prefix {prefix!r}: expected 1-14 characters")
    return _check_key1(prefix + key[-(KEY1_LENGTH - len(prefix)) :])


def reverse_journal(
    ctx: MiContext,
    entry: JournalEntry,
    *,
    posting_date: date,
    key1: str | None = None,
    reversal_key1: str | None = None,
    layout: ParmLayout = DEFAULT_PARM_LAYOUT,
    lookup: GlBatchLookup = DEFAULT_BATCH_LOOKUP,
) -> Plan[GlReversal]:
    """Reverse posted journal ``entry`` once: a GLS840 batch of the same lines, signs turned.

    GLS840MI (the only MI way into the GL interface; the M3H5 metadata lists AddBatchHead,
    AddBatchLine, CtrlBatch, UpdBatch and nothing that reverses) cannot reverse a batch, and
    GLS200MI only reads vouchers; so the reversal is a counter-batch keyed
    ``reversal_key1`` (default ``R`` + the original KEY1) on ``posting_date``. The original
    must exist (:func:`find_batch`); a reversal batch already posted is not posted again, and
    one a crash left open is finished (``resume``).
    """
    original = _check_key1(key1 if key1 is not None else entry.reference)
    target = _check_key1(reversal_key1) if reversal_key1 is not None else reversal_key(original)
    if target == original:
        raise ValidationError(f"GL reversal of {original}: the reversal KEY1 must differ")
    if not isinstance(posting_date, date):
        raise ValidationError(f"GL reversal of {original}: posting_date must be a date")
    found = yield from find_batch(ctx, original, lookup=lookup)
    if found is None:
        raise ValidationError(
            f"GL reversal: no GLS840 batch {original} in M3, so there is nothing to reverse"
        )
    existing = yield from find_batch(ctx, target, lookup=lookup)
    if existing is not None and existing.posted:
        return GlReversal(original, target, False)
    reversed_entry = JournalEntry(
        reference=entry.reference,
        posting_date=posting_date,
        lines=tuple(
            JournalLine(
                account=line.account,
                amount=-line.amount,
                text=line.text,
                dimensions=line.dimensions,
                reference=line.reference,
                # what the line is stays as posted: a tax line (its VAT code, which a VAT PARM
                # layout writes at VTCD, and its base, signs turned) or a receivable line
                tax_code=line.tax_code,
                tax_base=None if line.tax_base is None else -line.tax_base,
                customer=line.customer,
            )
            for line in entry.lines
        ),
        text=f"Reversal of {original}",
        document_date=posting_date,
    )
    posting = yield from post_journal(
        ctx,
        reversed_entry,
        key1=target,
        layout=layout,
        description=f"Reversal of {original}"[:DESC_LENGTH],
        resume=existing is not None,
    )
    return GlReversal(original, target, True, posting)


class GeneralLedger(SyncFacade):
    """GLS840MI journal posting (``m3.gl``)."""

    def find_batch(
        self, key1: str, *, lookup: GlBatchLookup = DEFAULT_BATCH_LOOKUP
    ) -> GlBatch | None:
        return self._run(find_batch(self._ctx, key1, lookup=lookup))

    def post_journal(
        self,
        entry: JournalEntry,
        *,
        key1: str | None = None,
        layout: ParmLayout = DEFAULT_PARM_LAYOUT,
        description: str | None = None,
        control: bool = True,
        update: bool = True,
        resume: bool = False,
    ) -> GlPosting:
        return self._run(
            post_journal(
                self._ctx,
                entry,
                key1=key1,
                layout=layout,
                description=description,
                control=control,
                update=update,
                resume=resume,
            )
        )

    def reverse_journal(
        self,
        entry: JournalEntry,
        *,
        posting_date: date,
        key1: str | None = None,
        reversal_key1: str | None = None,
        layout: ParmLayout = DEFAULT_PARM_LAYOUT,
        lookup: GlBatchLookup = DEFAULT_BATCH_LOOKUP,
    ) -> GlReversal:
        """Reverse a posted journal once (see :func:`reverse_journal`)."""
        return self._run(
            reverse_journal(
                self._ctx,
                entry,
                posting_date=posting_date,
                key1=key1,
                reversal_key1=reversal_key1,
                layout=layout,
                lookup=lookup,
            )
        )


class AsyncGeneralLedger(AsyncFacade):
    """GLS840MI journal posting for :class:`~amazon_erp_bridge.infor.AsyncM3Client`."""

    async def find_batch(
        self, key1: str, *, lookup: GlBatchLookup = DEFAULT_BATCH_LOOKUP
    ) -> GlBatch | None:
        return await self._run(find_batch(self._ctx, key1, lookup=lookup))

    async def post_journal(
        self,
        entry: JournalEntry,
        *,
        key1: str | None = None,
        layout: ParmLayout = DEFAULT_PARM_LAYOUT,
        description: str | None = None,
        control: bool = True,
        update: bool = True,
        resume: bool = False,
    ) -> GlPosting:
        return await self._run(
            post_journal(
                self._ctx,
                entry,
                key1=key1,
                layout=layout,
                description=description,
                control=control,
                update=update,
                resume=resume,
            )
        )

    async def reverse_journal(
        self,
        entry: JournalEntry,
        *,
        posting_date: date,
        key1: str | None = None,
        reversal_key1: str | None = None,
        layout: ParmLayout = DEFAULT_PARM_LAYOUT,
        lookup: GlBatchLookup = DEFAULT_BATCH_LOOKUP,
    ) -> GlReversal:
        """Reverse a posted journal once (see :func:`reverse_journal`)."""
        return await self._run(
            reverse_journal(
                self._ctx,
                entry,
                posting_date=posting_date,
                key1=key1,
                reversal_key1=reversal_key1,
                layout=layout,
                lookup=lookup,
            )
        )
