"""Returns reports: FBA customer returns and merchant (MFN) returns, read into ``model.Return``.

Two report types, both tab-separated flat files with a header row, read by column name (the
order of columns is not relied on) and streamed row by row, so memory stays flat:

``GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA`` (FBA)
    return-date, order-id, sku, asin, fnsku, product-name, quantity, fulfillment-center-id,
    detailed-disposition, reason, status, license-plate-number, customer-comments
    (Amazon, "FBA Customer Concessions reports attributes",
    https://developer-docs.amazon.com/sp-api/docs/fba-customer-concessions-reports-attributes).
``GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE`` (merchant returns)
    Order ID, Order date, Return request date, Return request status, Amazon RMA ID, Merchant
    RMA ID, Label type, Label cost, Currency code, Return carrier, Tracking ID, Label to be paid
    by, A-to-Z Claim, Is prime, ASIN, Merchant SKU, Item Name, Return quantity, Return Reason,
    In policy, Return type, Resolution, Invoice number, Return delivery date, Order Amount,
    Order quantity, SafeT columns, Refunded Amount (Amazon, "Returns reports attributes",
    https://developer-docs.amazon.com/sp-api/docs/returns-reports-attributes).

Column names are compared case-insensitively with spaces, underscores and hyphens alike
("Order ID" == "order-id"). The layout is detected from the header when not given.

``Return.return_id``, the key a return is posted under once: the license plate number for FBA
rows (``order-id/sku/return-date`` when it is blank); ``<Amazon RMA ID>/<Merchant SKU>`` for
merchant rows (one RMA can cover several SKUs, each its own row). Merchant rows carry Amazon's
``Resolution`` as the disposition and ``Refunded Amount`` in ``Currency code`` as the refund.

A bad row raises :class:`ReturnsReportError` naming its line and column; pass ``errors=[]`` to
collect :class:`ReturnRowError` records instead and skip those rows.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import IO, Final

from attrs import frozen

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.limits import check_row, parse_decimal
from amazon_erp_bridge.model import Money, Return

FBA_RETURNS_REPORT_TYPE: Final = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
MERCHANT_RETURNS_REPORT_TYPE: Final = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
RETURNS_REPORT_TYPES: Final = (FBA_RETURNS_REPORT_TYPE, MERCHANT_RETURNS_REPORT_TYPE)

#: Published columns of each layout, in Amazon's spelling.
FBA_COLUMNS: Final = (
    "return-date",
    "order-id",
    "sku",
    "asin",
    "fnsku",
    "product-name",
    "quantity",
    "fulfillment-center-id",
    "detailed-disposition",
    "reason",
    "status",
    "license-plate-number",
    "customer-comments",
)
MERCHANT_COLUMNS: Final = (
    "Order ID",
    "Order date",
    "Return request date",
    "Return request status",
    "Amazon RMA ID",
    "Merchant RMA ID",
    "Label type",
    "Label cost",
    "Currency code",
    "Return carrier",
    "Tracking ID",
    "Label to be paid by",
    "A-to-Z Claim",
    "Is prime",
    "ASIN",
    "Merchant SKU",
    "Item Name",
    "Return quantity",
    "Return Reason",
    "In policy",
    "Return type",
    "Resolution",
    "Invoice number",
    "Return delivery date",
    "Order Amount",
    "Order quantity",
    "SafeT Action reason",
    "SafeT claim id",
    "SafeT claim state",
    "SafeT claim creation time",
    "SafeT claim reimbursement amount",
    "Refunded Amount",
)
_REQUIRED: Final = {
    FBA_RETURNS_REPORT_TYPE: ("return-date", "order-id", "sku", "quantity"),
    MERCHANT_RETURNS_REPORT_TYPE: (
        "Order ID",
        "Return request date",
        "Amazon RMA ID",
        "Merchant SKU",
        "Return quantity",
    ),
}


class ReturnsReportError(ValidationError):
    """A returns report row (or its header) that cannot be read: names line and column."""

    def __init__(self, message: str, *, line: int, column: str | None = None) -> None:
        where = f"returns report line {line}" + (f", column {column}" if column else "")
        super().__init__(f"{where}: {message}")
        self.line = line
        self.column = column
        #: What is wrong, without the line and column.
        self.reason = message


@frozen
class ReturnRowError:
    """A row skipped because it could not be read (collected when ``errors=`` is given)."""

    line: int
    column: str | None
    message: str


@functools.lru_cache(maxsize=512)
def _key(name: str) -> str:
    return "-".join(name.strip().lower().replace("_", " ").replace("-", " ").split())


def _lines(chunks: Iterable[str]) -> Iterator[str]:
    rest = ""
    number = 0
    for chunk in chunks:
        rest += chunk
        *complete, rest = rest.split("\n")
        for line in complete:
            number += 1
            yield check_row(line, what="report", line=number).rstrip("\r")
        check_row(rest, what="report", line=number + 1)
    if rest:
        yield rest.rstrip("\r")


def _text_source(source: str | os.PathLike[str] | IO[str] | Iterable[str]) -> Iterator[str]:
    if isinstance(source, str) and (not source or "\n" in source or "\t" in source):
        return _lines([source])
    if isinstance(source, str | os.PathLike):
        return _file_lines(os.fspath(source))
    read = getattr(source, "read", None)
    if callable(read):
        return _lines(iter(lambda: str(read(1 << 16)), ""))
    return _lines(source)


def _file_lines(path: str) -> Iterator[str]:
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        yield from _lines(iter(lambda: handle.read(1 << 16), ""))


def detect_layout(header: Iterable[str]) -> str:
    """Which returns report a header row belongs to (ValidationError if neither)."""
    keys = {_key(h) for h in header}
    if "license-plate-number" in keys or "detailed-disposition" in keys:
        return FBA_RETURNS_REPORT_TYPE
    if "amazon-rma-id" in keys or "return-request-date" in keys:
        return MERCHANT_RETURNS_REPORT_TYPE
    raise ReturnsReportError(
        "the header is neither the FBA customer returns layout (license-plate-number, "
        "detailed-disposition) nor the merchant returns layout (Amazon RMA ID, Return request "
        "date)",
        line=1,
    )


def parse_return_time(text: str, what: str = "date") -> datetime:
    """An ISO 8601 date or date-time (``Z``, an offset or ``UTC``; naive means UTC)."""
    value = text.strip()
    if value.upper().endswith(" UTC"):
        value = value[:-4]
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{what}: {text!r} is not an ISO 8601 date or date-time") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


class _Row:
    def __init__(self, values: Mapping[str, str], line: int) -> None:
        self.values = values
        self.line = line

    def get(self, column: str) -> str | None:
        value = self.values.get(_key(column), "").strip()
        return value or None

    def need(self, column: str) -> str:
        value = self.get(column)
        if value is None:
            raise ReturnsReportError("is empty", line=self.line, column=column)
        return value

    def quantity(self, column: str) -> int:
        text = self.need(column)
        if not text.isdigit():
            raise ReturnsReportError(
                f"{text!r} is not a whole number", line=self.line, column=column
            )
        return int(text)

    def when(self, column: str) -> datetime:
        text = self.need(column)
        try:
            return parse_return_time(text)
        except ValidationError as exc:
            raise ReturnsReportError(exc.message, line=self.line, column=column) from None


def _fba(row: _Row) -> Return:
    order_id = row.need("order-id")
    sku = row.need("sku")
    returned = row.when("return-date")
    lpn = row.get("license-plate-number")
    return Return(
        return_id=lpn or f"{order_id}/{sku}/{returned.isoformat()}",
        order_id=order_id,
        seller_sku=sku,
        quantity=row.quantity("quantity"),
        returned_at=returned,
        reason=row.get("reason"),
        disposition=row.get("detailed-disposition"),
        fulfillment_center_id=row.get("fulfillment-center-id"),
        asin=row.get("asin"),
        fnsku=row.get("fnsku"),
        status=row.get("status"),
        license_plate_number=lpn,
        customer_comments=row.get("customer-comments"),
        fulfilled_by_amazon=True,
    )


def _merchant(row: _Row) -> Return:
    sku = row.need("Merchant SKU")
    rma = row.need("Amazon RMA ID")
    refund = None
    amount = row.get("Refunded Amount")
    if amount is not None:
        currency = row.need("Currency code")
        try:
            refund = Money(parse_decimal(amount, what="Refunded Amount"), currency)
        except ValidationError as exc:
            raise ReturnsReportError(exc.message, line=row.line, column="Refunded Amount") from None
    return Return(
        return_id=f"{rma}/{sku}",
        order_id=row.need("Order ID"),
        seller_sku=sku,
        quantity=row.quantity("Return quantity"),
        returned_at=row.when("Return request date"),
        reason=row.get("Return Reason"),
        disposition=row.get("Resolution"),
        asin=row.get("ASIN"),
        status=row.get("Return request status"),
        refund_amount=refund,
        fulfilled_by_amazon=False,
    )


def iter_returns(
    source: str | os.PathLike[str] | IO[str] | Iterable[str],
    *,
    report_type: str | None = None,
    errors: list[ReturnRowError] | None = None,
) -> Iterator[Return]:
    """Each return of a returns report, streamed (see the module doc for the layouts).

    ``source``: a path, an open text file, the report text, or an iterable of text chunks (what
    ``client.reports.download_text`` yields). ``report_type`` checks the header against that
    layout; None detects it. ``errors``: a list to collect bad rows in instead of raising.
    """
    if report_type is not None and report_type not in RETURNS_REPORT_TYPES:
        raise ValidationError(
            f"report_type: {report_type!r} is not one of {', '.join(RETURNS_REPORT_TYPES)}"
        )
    lines = _text_source(source)
    header_line = next(lines, None)
    if header_line is None or not header_line.strip():
        raise ReturnsReportError("the report is empty (no header row)", line=1)
    header = [_key(h) for h in header_line.lstrip("\ufeff").split("\t")]
    layout = detect_layout(header)
    if report_type is not None and layout != report_type:
        raise ReturnsReportError(f"the header is the {layout} layout, not {report_type}", line=1)
    missing = [c for c in _REQUIRED[layout] if _key(c) not in header]
    if missing:
        raise ReturnsReportError(
            f"the header lacks the column(s) {', '.join(missing)}", line=1, column=missing[0]
        )
    read = _fba if layout == FBA_RETURNS_REPORT_TYPE else _merchant
    for number, text in enumerate(lines, start=2):
        if not text.strip():
            continue
        cells = text.split("\t")
        row = _Row(dict(zip(header, cells, strict=False)), number)
        try:
            if len(cells) > len(header):
                raise ReturnsReportError(
                    f"{len(cells)} cells for {len(header)} columns", line=number
                )
            yield read(row)
        except ValidationError as exc:
            if errors is None:
                if isinstance(exc, ReturnsReportError):
                    raise
                raise ReturnsReportError(exc.message, line=number) from None
            if isinstance(exc, ReturnsReportError):
                errors.append(ReturnRowError(number, exc.column, exc.reason))
            else:
                errors.append(ReturnRowError(number, None, exc.message))


def parse_returns_report(
    source: str | os.PathLike[str] | IO[str] | Iterable[str],
    *,
    report_type: str | None = None,
    errors: list[ReturnRowError] | None = None,
) -> list[Return]:
    """Every return of a returns report, as a list (see :func:`iter_returns`)."""
    return list(iter_returns(source, report_type=report_type, errors=errors))


__all__ = [
    "FBA_COLUMNS",
    "FBA_RETURNS_REPORT_TYPE",
    "MERCHANT_COLUMNS",
    "MERCHANT_RETURNS_REPORT_TYPE",
    "RETURNS_REPORT_TYPES",
    "ReturnRowError",
    "ReturnsReportError",
    "detect_layout",
    "iter_returns",
    "parse_return_time",
    "parse_returns_report",
]
