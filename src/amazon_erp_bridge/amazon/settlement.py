"""Settlement report flat files, streamed: the V2 layout and the older flat-file layout.

Both are tab-separated with a header row of kebab-case column names; the header tells which:

- **V2** (``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2``): one amount per row, in
  ``amount-type`` / ``amount-description`` / ``amount``.
- **flat file** (``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE``, what Seller Central still offers
  as "Flat File"): several amount columns per row (``price-type``/``price-amount``,
  ``item-related-fee-type``/``-amount``, ``shipment-fee-*``, ``order-fee-*``,
  ``misc-fee-amount``, ``other-fee-amount`` with ``other-fee-reason-description``,
  ``promotion-*``, ``direct-payment-*``, ``other-amount``). Each non-empty amount column
  becomes one :class:`SettlementLine` with the amount type and description of
  :data:`FLAT_AMOUNTS`, so both layouts give the same canonical ``Settlement`` and map to the
  same journals. A row with no amount (an order item's quantity row) gives no line; its
  quantity goes to the item's following lines.

Columns are found by name, never by position: files differ (some add ``promotion-id``, the
flat file drops the promotion columns when a period has none), unknown columns are kept in
:attr:`SettlementLine.extra`, and missing required columns are an error naming them.

**The reconciliation rule.** The first data row is the summary: settlement-id, the period,
deposit-date, total-amount and currency. Every later row is an amount of the settlement, and
``total-amount`` (what Amazon deposits, or debits when negative) equals the exact sum of all of
them. A real V2 file has no row for the transfer itself: reserve movements appear as ordinary
``other-transaction`` rows (e.g. "Previous Reserve Amount Balance", "Current Reserve Amount").
So no row is special here; a file that adds a payout row such as ``Transfer`` counts it like any
other, does not reconcile, and raises :class:`~amazon_erp_bridge.errors.IntegrityError` naming
both figures. Pass ``check=False`` to read such a file anyway.

Accepted spellings: ISO 8601 date-times (``2026-03-01T08:00:00+00:00``, ``...Z``, naive ones are
UTC), plain dates (``2026-03-17``), the EU style ``01.03.2026 08:00:00 UTC``, a trailing ``UTC``
or ``GMT``; decimal points and decimal commas (``-4,50``, ``1.234,56``), amounts padded with
spaces. Everything else is refused with the line and column (``1,234,5``, Arabic-Indic digits,
``1e999999999``), before any arithmetic. Rows shorter than the header (ragged rows) are padded
with empty fields.

Three ways in, all streaming: :func:`parse_settlement_report` returns a whole
:class:`~amazon_erp_bridge.model.Settlement`; :func:`open_settlement_report` gives a reader that
yields one :class:`~amazon_erp_bridge.model.SettlementLine` at a time; and
:func:`summarize_settlement_report` totals amounts by account-map key without building a line
object per row, for very large files.
"""

from __future__ import annotations

import codecs
import io
import operator
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import IO, Any, Final

from attrs import field, frozen

from amazon_erp_bridge.errors import IntegrityError, ValidationError
from amazon_erp_bridge.limits import check_row, parse_decimal
from amazon_erp_bridge.model import Money, Settlement, SettlementLine

#: Codec error handler: bytes that are not UTF-8 are read as ISO-8859-1, Amazon's flat-file
#: charset outside Japan. Valid UTF-8 stays UTF-8, so both kinds of file read correctly.
LATIN1_FALLBACK: Final = "amazon_erp_bridge.latin1-fallback"


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    if isinstance(exc, UnicodeDecodeError):
        return exc.object[exc.start : exc.end].decode("latin-1"), exc.end
    raise exc


codecs.register_error(LATIN1_FALLBACK, _latin1_fallback)

SUMMARY_COLUMNS: Final = (
    "settlement-id",
    "settlement-start-date",
    "settlement-end-date",
    "deposit-date",
    "total-amount",
    "currency",
)
REQUIRED_COLUMNS: Final = (
    "settlement-id",
    "settlement-start-date",
    "settlement-end-date",
    "total-amount",
    "currency",
    "transaction-type",
    "amount-type",
    "amount-description",
    "amount",
)
#: Columns that become :class:`SettlementLine` fields (the rest go to ``extra``).
_LINE_TEXT_COLUMNS: Final = {
    "order-id": "order_id",
    "merchant-order-id": "merchant_order_id",
    "adjustment-id": "adjustment_id",
    "shipment-id": "shipment_id",
    "marketplace-name": "marketplace_name",
    "fulfillment-id": "fulfillment_id",
    "order-item-code": "order_item_code",
    "merchant-order-item-id": "merchant_order_item_id",
    "merchant-adjustment-item-id": "merchant_adjustment_item_id",
    "sku": "sku",
    "promotion-id": "promotion_id",
}
KNOWN_COLUMNS: Final = frozenset(
    (
        *SUMMARY_COLUMNS,
        *REQUIRED_COLUMNS,
        *_LINE_TEXT_COLUMNS,
        "posted-date",
        "posted-date-time",
        "quantity-purchased",
    )
)

Key = tuple[str, str, str]
SettlementSource = str | bytes | os.PathLike[str] | IO[str] | IO[bytes] | Iterable[str | bytes]


# ---------------------------------------------------------------------------------------------
# Values


_PLAIN_AMOUNT: Final = re.compile(r"-?[0-9]{1,28}(?:\.[0-9]{1,12})?")
_GROUPED: Final = {
    ",": re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?"),
    ".": re.compile(r"[+-]?[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?"),
}


def parse_amount(text: str, where: str = "amount") -> Decimal:
    """An exact Decimal from a settlement amount: decimal point or decimal comma.

    Accepted: ``-4.50``, ``-4,50`` (decimal comma), ``1.234,56`` and ``1,234.56`` (grouping in
    threes), amounts padded with spaces. Refused with a ValidationError naming ``where`` (line
    and column): ``1,234,5`` (a group that is not three digits), digits of other scripts
    (Arabic-Indic ``١٢٣``), NaN and infinities, more than 40 digits, and magnitudes beyond
    10**40 such as ``1e999999999`` (checked before any arithmetic, so it costs nothing).
    """
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if not t:
        raise ValidationError(f"{where}: the amount is empty")
    if "," in t:
        if "." in t and t.rfind(".") > t.rfind(","):
            grouping, decimal = ",", "."
        elif "." in t or t.count(",") > 1:
            grouping, decimal = (".", ",") if "." in t else (",", ".")
        else:
            grouping, decimal = "", ","  # -4,50: one decimal comma
        if grouping and not _GROUPED[grouping].fullmatch(t):
            raise ValidationError(
                f"{where}: {text!r} is not an amount (thousands must be grouped in threes, "
                "e.g. 1,234.56 or 1.234,56)"
            )
        t = t.replace(grouping, "") if grouping else t
        t = t.replace(",", ".") if decimal == "," else t
    elif t.count(".") > 1:
        if not _GROUPED["."].fullmatch(t):
            raise ValidationError(f"{where}: {text!r} is not an amount")
        t = t.replace(".", "")
    return parse_decimal(t, what=where)


_ZONE_SUFFIXES: Final = (" UTC", " GMT", " Z")


def parse_when(text: str, where: str = "date") -> datetime:
    """An aware datetime from any date style settlement files use (see the module doc)."""
    t = text.strip()
    upper = t.upper()
    for suffix in _ZONE_SUFFIXES:
        if upper.endswith(suffix):
            t = t[: -len(suffix)].rstrip()
            break
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(t)
    except ValueError:
        for style in ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y"):
            try:
                parsed = datetime.strptime(t, style)
                break
            except ValueError:
                continue
    if parsed is None:
        raise ValidationError(
            f"{where}: {text!r} is not a date; expected ISO 8601 (2026-03-01T08:00:00+00:00) "
            "or dd.mm.yyyy HH:MM:SS UTC"
        )
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# Sources: anything that holds the file becomes an iterator of text lines.


def _is_text(source: str) -> bool:
    return "\t" in source or "\n" in source


class _Lines:
    """Text lines of a source, and whatever must be closed (or let go) afterwards."""

    def __init__(self, source: SettlementSource, encoding: str | None) -> None:
        self._close: list[Callable[[], Any]] = []
        self.lines: Iterator[str] = _bounded(self._open(source, encoding))

    def _wrap(self, binary: IO[bytes], encoding: str | None, *, owned: bool) -> Iterator[str]:
        if encoding:
            text = io.TextIOWrapper(binary, encoding=encoding, newline=None)
        else:
            text = io.TextIOWrapper(
                binary,
                encoding="utf-8-sig",
                errors=LATIN1_FALLBACK,
                newline=None,
            )
        # Closing the wrapper closes what it wraps; a caller's own file is only let go.
        self._close.append(text.close if owned else text.detach)
        return iter(text)

    def _open(self, source: SettlementSource, encoding: str | None) -> Iterator[str]:
        if isinstance(source, str) and _is_text(source):
            return iter(io.StringIO(source, newline=None))
        if isinstance(source, str | os.PathLike):
            try:
                binary = open(source, "rb")  # noqa: SIM115 -- closed by close()
            except OSError as exc:
                raise ValidationError(
                    f"settlement report: cannot open {os.fspath(source)!r} ({exc.strerror})"
                ) from None
            return self._wrap(binary, encoding, owned=True)
        if isinstance(source, bytes | bytearray | memoryview):
            return self._wrap(io.BytesIO(bytes(source)), encoding, owned=True)
        read = getattr(source, "read", None)
        if read is not None:
            if isinstance(read(0), bytes):
                return self._wrap(source, encoding, owned=False)  # type: ignore[arg-type]
            return iter(source)  # type: ignore[arg-type]
        return _split_chunks(source, encoding)

    def close(self) -> None:
        for close in reversed(self._close):
            close()
        self._close.clear()


def _bounded(lines: Iterator[str]) -> Iterator[str]:
    """The lines, each checked against the row-length bound before it is parsed."""
    for number, line in enumerate(lines, start=1):
        yield check_row(line, what="settlement report", line=number)


def _split_chunks(chunks: Iterable[str | bytes], encoding: str | None) -> Iterator[str]:
    """Lines from chunks cut anywhere (a download stream); bytes are decoded on the way."""
    decoder = codecs.getincrementaldecoder(encoding or "utf-8-sig")(
        errors="strict" if encoding else LATIN1_FALLBACK
    )
    rest = ""
    done = 0
    for chunk in chunks:
        text = decoder.decode(chunk) if isinstance(chunk, bytes | bytearray) else chunk
        if not text:
            continue
        rest += text
        if "\n" not in text and "\r" not in text:
            # a row without an end would fill memory
            check_row(rest, what="settlement report", line=done + 1)
            continue
        parts = rest.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        rest = parts.pop()
        done += len(parts)
        yield from parts
    rest += decoder.decode(b"", final=True)
    if rest:
        yield rest


# ---------------------------------------------------------------------------------------------
# The layout of one file: where each column is, and how a row becomes values.


@frozen
class SettlementSummary:
    """The summary row of a settlement report, and the columns the file has."""

    settlement_id: str
    start: datetime
    end: datetime
    total: Money
    deposit_date: datetime | None = None
    columns: tuple[str, ...] = ()
    layout: str = "V2"  # "V2" (amount-type/amount) or "flat" (price-amount, ...)

    @property
    def currency(self) -> str:
        """The settlement's currency (the summary row's)."""
        return self.total.currency


_DATE_CACHE_SIZE: Final = 4096


def _column_name(raw: str) -> str:
    return raw.strip().lstrip("\ufeff").strip().lower()


@frozen
class FlatAmount:
    """One amount column of the older flat-file layout and how it becomes a settlement line.

    ``type_column`` names the column holding its kind (``price-type``: Principal, Shipping...),
    which becomes the line's amount-description; without one, the description is
    ``description`` or, when that is empty, the row's transaction-type.
    """

    column: str
    type_column: str | None
    amount_type: str
    description: str = ""


#: The amount columns of ``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE`` (the layout Seller Central
#: still offers as "Flat File"), in the order a row's lines are made. Each non-empty one
#: becomes one line, so a row holding a fee and its tax (``ServiceFee``: Cost of Advertising
#: and TaxAmount) gives two lines, and a row with none (the quantity row of an order item)
#: gives none.
FLAT_AMOUNTS: Final = (
    FlatAmount("price-amount", "price-type", "ItemPrice"),
    FlatAmount("item-related-fee-amount", "item-related-fee-type", "ItemFees"),
    FlatAmount("shipment-fee-amount", "shipment-fee-type", "ShipmentFees"),
    FlatAmount("order-fee-amount", "order-fee-type", "OrderFees"),
    FlatAmount("misc-fee-amount", None, "MiscFees", "Misc Fee"),
    FlatAmount("other-fee-amount", "other-fee-reason-description", "OtherFees"),
    FlatAmount("promotion-amount", "promotion-type", "Promotion"),
    FlatAmount("direct-payment-amount", "direct-payment-type", "DirectPayment"),
    FlatAmount("other-amount", None, "other-transaction"),
)
FLAT_REQUIRED_COLUMNS: Final = (
    "settlement-id",
    "settlement-start-date",
    "settlement-end-date",
    "total-amount",
    "currency",
    "transaction-type",
)
FLAT_COLUMNS: Final = frozenset(
    c for f in FLAT_AMOUNTS for c in (f.column, f.type_column) if c is not None
)
V2_LAYOUT: Final = "V2"
FLAT_LAYOUT: Final = "flat"


class _Layout:
    """Column positions from the header row; reads rows into values, naming line and column.

    The layout is told by the header: ``amount-type``/``amount``/... columns are the V2 file
    (one amount per row); ``price-amount``, ``item-related-fee-amount``, ... are the older flat
    file (several amount columns per row, each non-empty one a line).
    """

    def __init__(self, header: str) -> None:
        names = [_column_name(c) for c in header.rstrip("\r\n").split("\t")]
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise ValidationError(f"settlement report: column {name!r} appears twice")
            seen.add(name)
        flat = not {"amount-type", "amount"} & seen and bool(
            {f.column for f in FLAT_AMOUNTS} & seen
        )
        self.kind = FLAT_LAYOUT if flat else V2_LAYOUT
        required = FLAT_REQUIRED_COLUMNS if flat else REQUIRED_COLUMNS
        missing = [c for c in required if c not in seen]
        if missing:
            found = ", ".join(n for n in names if n) or "none"
            raise ValidationError(
                f"settlement report: missing required column(s) {', '.join(missing)} "
                f"in the header row (found: {found}); expected the V2 layout (amount-type, "
                "amount-description, amount) or the flat-file layout (price-amount, "
                "item-related-fee-amount, ..., other-amount)"
            )
        self.names = tuple(names)
        self.width = len(names)
        self.index = {name: i for i, name in enumerate(names)}
        known = KNOWN_COLUMNS | FLAT_COLUMNS
        self.extra = tuple((n, i) for i, n in enumerate(names) if n not in known and n)
        # Positions for building line objects, looked up once per file rather than per row.
        index = self.index
        self._type = index["transaction-type"]
        self._kind = index.get("amount-type", -1)
        self._description = index.get("amount-description", -1)
        self._amount = index.get("amount", -1)
        self._flat = tuple(
            (f, index[f.column], index.get(f.type_column or "", -1))
            for f in FLAT_AMOUNTS
            if f.column in index
        )
        self._quantity = index.get("quantity-purchased")
        self._posted = [index[c] for c in ("posted-date-time", "posted-date") if c in index]
        self._text = [(a, index[c]) for c, a in _LINE_TEXT_COLUMNS.items() if c in index]
        self._item = [index[c] for c in ("order-id", "order-item-code") if c in index]
        self._dates: dict[str, datetime] = {}
        self._last_quantity: tuple[tuple[str, ...], int] | None = None

    def fields(self, line: str, lineno: int) -> list[str]:
        values = line.rstrip("\r\n").split("\t")
        if len(values) < self.width:
            values.extend([""] * (self.width - len(values)))
        elif len(values) > self.width:
            if any(v.strip() for v in values[self.width :]):
                raise ValidationError(
                    f"settlement report line {lineno}: {len(values)} fields but the header "
                    f"names {self.width} columns"
                )
            del values[self.width :]
        return values

    def get(self, values: list[str], column: str) -> str:
        i = self.index.get(column)
        return values[i].strip() if i is not None else ""

    def when(self, text: str, lineno: int, column: str) -> datetime:
        cached = self._dates.get(text)
        if cached is None:
            if len(self._dates) >= _DATE_CACHE_SIZE:
                self._dates.clear()  # keep memory flat on files with many distinct times
            cached = self._dates[text] = parse_when(
                text, f"settlement report line {lineno} {column}"
            )
        return cached

    def _date(self, values: list[str], lineno: int, column: str) -> datetime:
        return self.when(self.get(values, column), lineno, column)

    def optional_when(self, values: list[str], lineno: int, column: str) -> datetime | None:
        text = self.get(values, column)
        return self.when(text, lineno, column) if text else None

    def summary(self, values: list[str], lineno: int) -> SettlementSummary:
        where = f"settlement report line {lineno} (the summary row)"
        settlement_id = self.get(values, "settlement-id")
        total = self.get(values, "total-amount")
        if not settlement_id or not total:
            raise ValidationError(
                f"{where}: expected settlement-id and total-amount in the first data row, "
                f"got settlement-id={settlement_id!r}, total-amount={total!r}"
            )
        for column in ("settlement-start-date", "settlement-end-date", "currency"):
            if not self.get(values, column):
                raise ValidationError(f"{where}: {column} is empty")
        return SettlementSummary(
            settlement_id=settlement_id,
            start=self._date(values, lineno, "settlement-start-date"),
            end=self._date(values, lineno, "settlement-end-date"),
            total=Money(parse_amount(total, f"{where} total-amount"), self.get(values, "currency")),
            deposit_date=self.optional_when(values, lineno, "deposit-date"),
            columns=self.names,
            layout=self.kind,
        )

    def consistent(self, values: list[str], lineno: int, summary: SettlementSummary) -> None:
        """A data row that repeats the settlement id or currency must repeat them right."""
        sid = values[self.index["settlement-id"]].strip()
        if sid and sid != summary.settlement_id:
            raise ValidationError(
                f"settlement report line {lineno}: settlement-id {sid} differs from the "
                f"summary's {summary.settlement_id} (two settlements in one file?)"
            )
        currency = values[self.index["currency"]].strip()
        if currency and currency.upper() != summary.currency:
            raise ValidationError(
                f"settlement report line {lineno}: currency {currency} differs from the "
                f"summary's {summary.currency}"
            )

    def _quantity_of(self, values: list[str], lineno: int) -> int | None:
        quantity_text = values[self._quantity].strip() if self._quantity is not None else ""
        if not quantity_text:
            return None
        if not quantity_text.isascii() or not quantity_text.isdigit() or len(quantity_text) > 9:
            raise ValidationError(
                f"settlement report line {lineno} quantity-purchased: expected a whole "
                f"number, got {quantity_text!r}"
            )
        return int(quantity_text)

    def _common(self, values: list[str], lineno: int) -> dict[str, Any]:
        posted = ""
        for i in self._posted:
            posted = values[i].strip()
            if posted:
                break
        return {
            "posted_date": self.when(posted, lineno, "posted-date") if posted else None,
            "extra": {name: values[i] for name, i in self.extra},
            **{attr: values[i].strip() or None for attr, i in self._text},
        }

    def lines(self, values: list[str], lineno: int, currency: str) -> list[SettlementLine]:
        """The settlement lines of one data row: one (V2), or one per amount column (flat)."""
        if self.kind == V2_LAYOUT:
            return [self.line(values, lineno, currency)]
        quantity = self._quantity_of(values, lineno)
        item = tuple(values[i].strip() for i in self._item)
        if quantity is not None:
            self._last_quantity = (item, quantity)
        elif self._last_quantity is not None and self._last_quantity[0] == item and any(item):
            quantity = self._last_quantity[1]  # the item's quantity row came first
        out: list[SettlementLine] = []
        common: dict[str, Any] | None = None
        transaction_type = values[self._type].strip()
        for spec, i_amount, i_type in self._flat:
            text = values[i_amount]
            if not text.strip():
                continue
            amount = parse_amount(text, f"settlement report line {lineno} {spec.column}")
            if common is None:
                common = self._common(values, lineno)
            kind = values[i_type].strip() if i_type >= 0 else ""
            out.append(
                SettlementLine(
                    transaction_type=transaction_type,
                    amount_type=spec.amount_type,
                    amount_description=kind or spec.description or transaction_type,
                    amount=Money(amount, currency),
                    quantity_purchased=quantity,
                    **common,
                )
            )
        return out

    def line(self, values: list[str], lineno: int, currency: str) -> SettlementLine:
        amount = parse_amount(values[self._amount], f"settlement report line {lineno} amount")
        return SettlementLine(
            transaction_type=values[self._type].strip(),
            amount_type=values[self._kind].strip(),
            amount_description=values[self._description].strip(),
            amount=Money(amount, currency),
            quantity_purchased=self._quantity_of(values, lineno),
            **self._common(values, lineno),
        )


def _blank(line: str) -> bool:
    return not line.strip()


def _not_reconciled(summary: SettlementSummary, count: int, lines_sum: Decimal) -> IntegrityError:
    currency = summary.currency
    difference = lines_sum - summary.total.amount  # a Decimal: may lie outside Money's range
    return IntegrityError(
        f"settlement {summary.settlement_id} does not reconcile: its {count} lines sum to "
        f"{lines_sum} {currency} but total-amount is {summary.total} (difference {difference} "
        f"{currency}); total-amount must equal the sum of every row after the summary row"
    )


# ---------------------------------------------------------------------------------------------
# Readers

#: Columns the fast path groups by (the first two only to check them, per group not per line).
_FAST_KEY: Final = (
    "settlement-id",
    "currency",
    "transaction-type",
    "amount-type",
    "amount-description",
)
_BATCH: Final = 8192


def _fast_batch(
    batch: list[str], grab: Callable[[list[str]], tuple[str, ...]], i_amount: int, cut: int
) -> dict[tuple[str, ...], tuple[Decimal, int]] | None:
    """Sums of a batch of well-formed lines by key, or None if any line is not well-formed."""
    groups: dict[tuple[str, ...], list[str]] = {}
    try:
        for line in batch:
            values = line.split("\t", cut)
            key = grab(values)
            amounts = groups.get(key)
            if amounts is None:
                groups[key] = amounts = []
            amounts.append(values[i_amount])
        for v in groups.values():
            # Plain ASCII amounts of bounded size only; anything else is read line by line.
            if not all(map(_PLAIN_AMOUNT.fullmatch, v)):
                return None
        return {k: (sum(map(Decimal, v), Decimal(0)), len(v)) for k, v in groups.items()}
    except (IndexError, InvalidOperation):
        return None


class SettlementReader:
    """Reads a settlement report one line at a time; memory stays flat however long it is.

    The header and summary row are read when the reader opens (:attr:`summary`). Iterate it
    once for :class:`SettlementLine` objects, or call :meth:`totals` for sums by key. At the
    end, a settlement whose lines do not sum to total-amount raises IntegrityError (unless
    ``check=False``). Use it as a context manager to close files it opened.
    """

    def __init__(
        self, source: SettlementSource, *, encoding: str | None = None, check: bool = True
    ) -> None:
        self.check = check
        self._source = _Lines(source, encoding)
        try:
            self._lineno, self._layout, self.summary = self._start(self._source.lines)
        except BaseException:
            self._source.close()
            raise
        self.lines_read = 0
        self.lines_sum = Decimal(0)
        self._used = False

    def _start(self, lines: Iterator[str]) -> tuple[int, _Layout, SettlementSummary]:
        lineno = 0
        for line in lines:
            lineno += 1
            if _blank(line):
                continue
            layout = _Layout(line)
            break
        else:
            raise ValidationError("settlement report: the file is empty (no header row)")
        for line in lines:
            lineno += 1
            if _blank(line):
                continue
            return lineno, layout, layout.summary(layout.fields(line, lineno), lineno)
        raise ValidationError("settlement report: no summary row after the header")

    def _take(self) -> Iterator[str]:
        if self._used:
            raise ValidationError("settlement reader: the lines were already read (one pass)")
        self._used = True
        return self._source.lines

    def _finish(self) -> None:
        self._source.close()
        if self.check and self.lines_sum != self.summary.total.amount:
            raise _not_reconciled(self.summary, self.lines_read, self.lines_sum)

    def __iter__(self) -> Iterator[SettlementLine]:
        layout, summary, currency = self._layout, self.summary, self.summary.currency
        lineno = self._lineno
        try:
            for line in self._take():
                lineno += 1
                if _blank(line):
                    continue
                values = layout.fields(line, lineno)
                layout.consistent(values, lineno, summary)
                for item in layout.lines(values, lineno, currency):
                    self.lines_read += 1
                    self.lines_sum += item.amount.amount
                    yield item
        except BaseException:
            self._source.close()
            raise
        self._finish()

    def totals(self) -> SettlementTotals:
        """Sum the remaining lines by (transaction-type, amount-type, amount-description).

        The fast path for very large files: no line objects, one dict entry per key. Lines are
        taken in batches; a batch is summed in C (``map(Decimal, ...)``) and read again line by
        line only if something in it is odd (a ragged or blank row, a decimal comma, a foreign
        settlement id), so that errors still name their line.
        """
        layout, summary = self._layout, self.summary
        idx = layout.index
        fast = layout.kind == V2_LAYOUT
        grab = operator.itemgetter(*(idx.get(c, 0) for c in _FAST_KEY))
        i_amount = idx.get("amount", 0)
        cut = max(idx.get(c, 0) for c in (*_FAST_KEY, "amount")) + 1
        sums: dict[Key, Decimal] = {}
        counts: dict[Key, int] = {}
        lineno = self._lineno
        lines = self._take()
        try:
            while batch := list(islice(lines, _BATCH)):
                part = _fast_batch(batch, grab, i_amount, cut) if fast else None
                if part is None or not self._plain(part):
                    part = self._careful_batch(batch, lineno)
                for raw, (amount, count) in part.items():
                    key = (raw[-3], raw[-2], raw[-1])
                    if key in sums:
                        sums[key] += amount
                        counts[key] += count
                    else:
                        sums[key] = amount
                        counts[key] = count
                lineno += len(batch)
        except BaseException:
            self._source.close()
            raise
        clean_sums, clean_counts = _strip_keys(sums, counts)
        self.lines_read += sum(clean_counts.values())
        self.lines_sum += sum(clean_sums.values(), Decimal(0))
        self._finish()
        return SettlementTotals(
            summary=summary,
            amounts={k: Money(v, summary.currency) for k, v in clean_sums.items()},
            counts=clean_counts,
        )

    def _plain(self, part: Mapping[tuple[str, ...], tuple[Decimal, int]]) -> bool:
        """True if a fast batch needs no second look: same settlement, currency, finite sums."""
        sid, currency = self.summary.settlement_id, self.summary.currency
        for (row_sid, row_currency, *_), (amount, _count) in part.items():
            if row_sid and row_sid.strip() != sid:
                return False
            if row_currency and row_currency.strip().upper() != currency:
                return False
            if not amount.is_finite():
                return False
        return True

    def _careful_batch(
        self, batch: list[str], lineno: int
    ) -> dict[tuple[str, ...], tuple[Decimal, int]]:
        layout, summary = self._layout, self.summary
        out: dict[tuple[str, ...], tuple[Decimal, int]] = {}
        for line in batch:
            lineno += 1
            if _blank(line):
                continue
            values = layout.fields(line, lineno)
            layout.consistent(values, lineno, summary)
            for item in layout.lines(values, lineno, summary.currency):
                key = item.key
                total, count = out.get(key, (Decimal(0), 0))
                out[key] = (total + item.amount.amount, count + 1)
        return out

    def close(self) -> None:
        self._source.close()

    def __enter__(self) -> SettlementReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _strip_keys(
    sums: Mapping[Key, Decimal], counts: Mapping[Key, int]
) -> tuple[dict[Key, Decimal], dict[Key, int]]:
    # The hot loop keys by raw field text; fields padded with spaces fold into the clean key.
    out_sums: dict[Key, Decimal] = {}
    out_counts: dict[Key, int] = {}
    for raw, value in sums.items():
        key = (raw[0].strip(), raw[1].strip(), raw[2].strip())
        out_sums[key] = out_sums.get(key, Decimal(0)) + value
        out_counts[key] = out_counts.get(key, 0) + counts[raw]
    return out_sums, out_counts


@frozen
class SettlementTotals:
    """A settlement summed by account-map key, with how many lines each key had."""

    summary: SettlementSummary
    amounts: Mapping[Key, Money] = field(factory=dict)
    counts: Mapping[Key, int] = field(factory=dict)

    @property
    def lines(self) -> int:
        return sum(self.counts.values())

    def lines_total(self) -> Money:
        return Money.total(self.amounts.values(), self.summary.currency)


def open_settlement_report(
    source: SettlementSource, *, encoding: str | None = None, check: bool = True
) -> SettlementReader:
    """A :class:`SettlementReader` over ``source`` (see :func:`parse_settlement_report`)."""
    return SettlementReader(source, encoding=encoding, check=check)


def iter_settlement_lines(
    source: SettlementSource, *, encoding: str | None = None, check: bool = True
) -> Iterator[SettlementLine]:
    """The lines of a settlement report one at a time (the summary is not a line)."""
    with open_settlement_report(source, encoding=encoding, check=check) as reader:
        yield from reader


def summarize_settlement_report(
    source: SettlementSource, *, encoding: str | None = None, check: bool = True
) -> SettlementTotals:
    """Sums by (transaction-type, amount-type, amount-description), streaming, for big files."""
    with open_settlement_report(source, encoding=encoding, check=check) as reader:
        return reader.totals()


def parse_settlement_report(
    source: SettlementSource, *, encoding: str | None = None, check: bool = True
) -> Settlement:
    """Read a settlement report V2 flat file into a :class:`~amazon_erp_bridge.model.Settlement`.

    ``source`` is a path (``str`` or ``PathLike``), the file's content (``bytes``, or a ``str``
    holding tabs or newlines), an open text or binary file, or an iterable of text or byte
    chunks (e.g. ``client.reports.download_text(document_id)``). Bytes are read as UTF-8
    falling back to ISO-8859-1 byte by byte, unless ``encoding`` says otherwise.

    Raises ValidationError for missing columns or unreadable values (naming line and column)
    and IntegrityError when the lines do not sum to total-amount (unless ``check=False``).
    """
    with open_settlement_report(source, encoding=encoding, check=check) as reader:
        lines = tuple(reader)
        summary = reader.summary
    names = {line.marketplace_name for line in lines if line.marketplace_name}
    return Settlement(
        settlement_id=summary.settlement_id,
        start=summary.start,
        end=summary.end,
        total=summary.total,
        deposit_date=summary.deposit_date,
        lines=lines,
        marketplace_name=names.pop() if len(names) == 1 else None,
    )


__all__ = [
    "FLAT_AMOUNTS",
    "FLAT_LAYOUT",
    "FLAT_REQUIRED_COLUMNS",
    "KNOWN_COLUMNS",
    "REQUIRED_COLUMNS",
    "V2_LAYOUT",
    "FlatAmount",
    "SettlementReader",
    "SettlementSource",
    "SettlementSummary",
    "SettlementTotals",
    "iter_settlement_lines",
    "open_settlement_report",
    "parse_amount",
    "parse_settlement_report",
    "parse_when",
    "summarize_settlement_report",
]
