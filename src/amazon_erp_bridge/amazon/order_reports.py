"""Order and FBA shipment reports, read into the canonical ``Order`` and ``Shipment``.

A month of orders is one report document, where the Orders API needs hundreds of throttled
pages; the backfill planner (:mod:`amazon_erp_bridge.amazon.backfill`) chooses between them.
Both report families are tab-separated flat files with a header row, read by column name and
streamed, so memory stays flat whatever the size of the file.

``GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL`` / ``..._BY_LAST_UPDATE_GENERAL``
    One row per order item. Columns used (Amazon, "Order Tracking reports attributes",
    https://developer-docs.amazon.com/sp-api/docs/order-tracking-reports-attributes):
    amazon-order-id, merchant-order-id, purchase-date, last-updated-date, order-status,
    fulfillment-channel, sales-channel, order-channel, ship-service-level, product-name, sku,
    asin, item-status, quantity, currency, item-price, item-tax, shipping-price, shipping-tax,
    gift-wrap-price, gift-wrap-tax, item-promotion-discount, ship-promotion-discount,
    ship-city, ship-state, ship-postal-code, ship-country, promotion-ids, is-business-order,
    purchase-order-number, price-designation. The report holds no buyer name, e-mail or
    street address, so it needs no restricted data token. Rows of one order are adjacent; they
    become one ``Order`` with one ``OrderLine`` per row.
``GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL``
    One row per shipped item (Amazon, "FBA reports attributes", Amazon Fulfilled Shipments,
    https://developer-docs.amazon.com/sp-api/docs/report-type-values-fba). Columns used:
    amazon-order-id, merchant-order-id, shipment-id, shipment-item-id, amazon-order-item-id,
    purchase-date, shipment-date, sku, quantity-shipped, currency, item-price, carrier,
    tracking-number, estimated-arrival-date, fulfillment-center-id, fulfillment-channel,
    sales-channel. Its buyer and address columns are PII that Amazon fills only for a
    report requested with an RDT; they are never read. Adjacent rows of one shipment id become
    one ``Shipment``.

What differs from the API path, because the report does not carry it: a line's ``line_id``
is its SKU (the report has no order item id; a repeated SKU in one order gets ``#2``, ``#3``),
``quantity_shipped`` is the quantity when the item status is Shipped, discount taxes and the
order total are absent (``order_total`` is None), and the marketplace id is the one the report
was requested for (``marketplace_id=``). Discounts are stored positive, as the API gives
them, whatever sign the report writes. Ids, lines, quantities, prices, taxes and discounts
are the same as the API's (tested against the sandbox).

A bad row raises :class:`OrderReportError` naming its line and column; pass ``errors=[]`` to
collect :class:`ReportRowError` records instead and skip the order (or shipment) of that row.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import IO, Final, TypeVar

from attrs import frozen

from amazon_erp_bridge.amazon.returns import _key, _text_source, parse_return_time
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.limits import parse_decimal
from amazon_erp_bridge.model import (
    Address,
    FulfillmentChannel,
    ItemRef,
    Money,
    Order,
    OrderLine,
    OrderStatus,
    Shipment,
    ShipmentItem,
    ShipmentPackage,
)

T = TypeVar("T")

ORDERS_BY_ORDER_DATE: Final = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
ORDERS_BY_LAST_UPDATE: Final = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"
ORDER_REPORT_TYPES: Final = (ORDERS_BY_ORDER_DATE, ORDERS_BY_LAST_UPDATE)
FBA_SHIPMENTS: Final = "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL"

_ORDER_REQUIRED: Final = (
    "amazon-order-id",
    "purchase-date",
    "last-updated-date",
    "order-status",
    "sku",
    "quantity",
)
_SHIPMENT_REQUIRED: Final = (
    "amazon-order-id",
    "shipment-id",
    "sku",
    "quantity-shipped",
)
#: Report spellings of order statuses that differ from the canonical (v0) spelling.
_STATUS_ALIASES: Final = {"cancelled": OrderStatus.CANCELED, "shipping": OrderStatus.UNSHIPPED}
_STATUSES: Final = {s.value.lower(): s for s in OrderStatus} | _STATUS_ALIASES
_CHANNELS: Final = {
    "amazon": FulfillmentChannel.AMAZON,
    "afn": FulfillmentChannel.AMAZON,
    "merchant": FulfillmentChannel.MERCHANT,
    "mfn": FulfillmentChannel.MERCHANT,
}
#: (report column, OrderLine field, stored positive) for every amount of an order row.
_AMOUNTS: Final = (
    ("item-price", "item_price", False),
    ("item-tax", "item_tax", False),
    ("shipping-price", "shipping_price", False),
    ("shipping-tax", "shipping_tax", False),
    ("gift-wrap-price", "gift_wrap_price", False),
    ("gift-wrap-tax", "gift_wrap_tax", False),
    ("item-promotion-discount", "promotion_discount", True),
    ("ship-promotion-discount", "shipping_discount", True),
)
_ATTRIBUTES: Final = (
    "order-channel",
    "purchase-order-number",
    "price-designation",
    "promotion-ids",
)


class OrderReportError(ValidationError):
    """An order or shipment report row (or its header) that cannot be read: names line and
    column."""

    def __init__(self, message: str, *, line: int, column: str | None = None) -> None:
        where = f"report line {line}" + (f", column {column}" if column else "")
        super().__init__(f"{where}: {message}")
        self.line = line
        self.column = column
        #: What is wrong, without the line and column.
        self.reason = message


@frozen
class ReportRowError:
    """A row that could not be read (collected when ``errors=`` is given)."""

    line: int
    column: str | None
    message: str


class _Row:
    __slots__ = ("line", "values")

    def __init__(self, values: Mapping[str, str], line: int) -> None:
        self.values = values
        self.line = line

    def get(self, column: str) -> str | None:
        value = self.values.get(column, "").strip()
        return value or None

    def need(self, column: str) -> str:
        value = self.get(column)
        if value is None:
            raise OrderReportError("is empty", line=self.line, column=column)
        return value

    def count(self, column: str) -> int:
        text = self.need(column)
        if not text.isdigit():
            raise OrderReportError(f"{text!r} is not a whole number", line=self.line, column=column)
        return int(text)

    def when(self, column: str, *, required: bool = True) -> datetime | None:
        text = self.need(column) if required else self.get(column)
        if text is None:
            return None
        try:
            return parse_return_time(text, column)
        except ValidationError as exc:
            raise OrderReportError(exc.message, line=self.line, column=column) from None

    def money(self, column: str, currency: str | None, *, positive: bool = False) -> Money | None:
        text = self.get(column)
        if text is None:
            return None
        if currency is None:
            raise OrderReportError(
                "has an amount but currency is empty", line=self.line, column="currency"
            )
        try:
            amount = parse_decimal(text, what=column)
        except ValidationError as exc:
            raise OrderReportError(exc.message, line=self.line, column=column) from None
        return Money(abs(amount) if positive else amount, currency)


def _rows(
    source: str | os.PathLike[str] | IO[str] | Iterable[str],
    required: Iterable[str],
    what: str,
    errors: list[ReportRowError] | None,
) -> Iterator[_Row]:
    lines = _text_source(source)
    header_line = next(lines, None)
    if header_line is None or not header_line.strip():
        raise OrderReportError(f"the {what} report is empty (no header row)", line=1)
    header = [_key(h) for h in header_line.lstrip("\ufeff").split("\t")]
    missing = [c for c in required if c not in header]
    if missing:
        raise OrderReportError(
            f"the header lacks the {what} report column(s) {', '.join(missing)}",
            line=1,
            column=missing[0],
        )
    for number, text in enumerate(lines, start=2):
        if not text.strip():
            continue
        cells = text.split("\t")
        if len(cells) > len(header):
            bad = OrderReportError(f"{len(cells)} cells for {len(header)} columns", line=number)
            if errors is None:
                raise bad
            _note(errors, bad)
            continue
        yield _Row(dict(zip(header, cells, strict=False)), number)


def _status(row: _Row) -> OrderStatus:
    text = row.need("order-status")
    status = _STATUSES.get(text.lower())
    if status is None:
        raise OrderReportError(
            f"{text!r} is not an order status", line=row.line, column="order-status"
        )
    return status


def _line(row: _Row, line_id: str, order_cancelled: bool) -> OrderLine:
    currency = row.get("currency")
    amounts: dict[str, Money | None] = {
        name: row.money(column, currency, positive=positive) for column, name, positive in _AMOUNTS
    }
    quantity = row.count("quantity")
    item_status = (row.get("item-status") or "").lower()
    return OrderLine(
        line_id=line_id,
        item=ItemRef(seller_sku=row.need("sku"), asin=row.get("asin")),
        quantity=quantity,
        quantity_shipped=quantity if item_status == "shipped" else 0,
        title=row.get("product-name"),
        cancelled=order_cancelled or item_status in ("cancelled", "canceled"),
        item_price=amounts["item_price"],
        item_tax=amounts["item_tax"],
        shipping_price=amounts["shipping_price"],
        shipping_tax=amounts["shipping_tax"],
        gift_wrap_price=amounts["gift_wrap_price"],
        gift_wrap_tax=amounts["gift_wrap_tax"],
        promotion_discount=amounts["promotion_discount"],
        shipping_discount=amounts["shipping_discount"],
    )


def _order(rows: list[_Row], marketplace_id: str | None) -> Order:
    first = rows[0]
    status = _status(first)
    cancelled = status is OrderStatus.CANCELED
    lines: list[OrderLine] = []
    seen: dict[str, int] = {}
    for row in rows:
        sku = row.need("sku")
        seen[sku] = seen.get(sku, 0) + 1
        line_id = sku if seen[sku] == 1 else f"{sku}#{seen[sku]}"
        lines.append(_line(row, line_id, cancelled))
    channel_text = first.get("fulfillment-channel")
    channel = _CHANNELS.get(channel_text.lower()) if channel_text else None
    if channel_text and channel is None:
        raise OrderReportError(
            f"{channel_text!r} is neither Amazon nor Merchant",
            line=first.line,
            column="fulfillment-channel",
        )
    country = first.get("ship-country")
    address = None
    if country or first.get("ship-city"):
        try:
            address = Address(
                city=first.get("ship-city"),
                state_or_region=first.get("ship-state"),
                postal_code=first.get("ship-postal-code"),
                country_code=country,
            )
        except ValidationError as exc:
            raise OrderReportError(exc.message, line=first.line, column="ship-country") from None
    purchased = first.when("purchase-date")
    updated = first.when("last-updated-date")
    assert purchased is not None and updated is not None
    return Order(
        order_id=first.need("amazon-order-id"),
        purchase_date=purchased,
        last_updated=updated,
        status=status,
        marketplace_id=marketplace_id,
        fulfillment_channel=channel,
        sales_channel=first.get("sales-channel"),
        lines=tuple(lines),
        ship_address=address,
        seller_order_id=first.get("merchant-order-id"),
        is_business_order=(first.get("is-business-order") or "").lower() == "true",
        ship_service_level=first.get("ship-service-level"),
        attributes={c: v for c in _ATTRIBUTES if (v := first.get(c)) is not None},
    )


def _grouped(
    rows: Iterator[_Row], key: str, errors: list[ReportRowError] | None
) -> Iterator[list[_Row]]:
    """Adjacent rows with the same ``key`` value; a key seen again later is an error."""
    done: set[str] = set()
    group: list[_Row] = []
    current: str | None = None
    for row in rows:
        value = row.get(key)
        if value is None or value in done:
            bad = OrderReportError(
                "is empty"
                if value is None
                else f"{value} appears again after other rows (its rows must be adjacent)",
                line=row.line,
                column=key,
            )
            if errors is None:
                raise bad
            _note(errors, bad)
            continue
        if value != current:
            if group:
                yield group
            if current is not None:
                done.add(current)
            group, current = [], value
        group.append(row)
    if group:
        yield group


def _collect(
    groups: Iterator[list[_Row]],
    build: Callable[[list[_Row]], T],
    errors: list[ReportRowError] | None,
) -> Iterator[T]:
    for group in groups:
        try:
            yield build(group)
        except ValidationError as exc:
            if errors is None:
                if isinstance(exc, OrderReportError):
                    raise
                raise OrderReportError(exc.message, line=group[0].line) from None
            _note(errors, exc, group[0].line)


def _note(errors: list[ReportRowError], exc: ValidationError, line: int = 0) -> None:
    if isinstance(exc, OrderReportError):
        errors.append(ReportRowError(exc.line, exc.column, exc.reason))
    else:
        errors.append(ReportRowError(line, None, exc.message))


def iter_report_orders(
    source: str | os.PathLike[str] | IO[str] | Iterable[str],
    *,
    marketplace_id: str | None = None,
    errors: list[ReportRowError] | None = None,
) -> Iterator[Order]:
    """Each order of an all-orders report (by order date or by last update), streamed.

    ``source``: a path, an open text file, the report text, or text chunks (what
    ``client.reports.download_text`` yields). ``marketplace_id``: the marketplace the report
    was requested for (the file does not say). See the module doc for what differs from the
    API path.
    """
    rows = _rows(source, _ORDER_REQUIRED, "order", errors)
    groups = _grouped(rows, "amazon-order-id", errors)
    return _collect(groups, lambda g: _order(g, marketplace_id), errors)


def _shipment(rows: list[_Row]) -> Shipment:
    first = rows[0]
    items = tuple(
        ShipmentItem(
            seller_sku=row.need("sku"),
            quantity=row.count("quantity-shipped"),
            line_id=row.get("amazon-order-item-id"),
        )
        for row in rows
    )
    packages: dict[tuple[str | None, str | None], ShipmentPackage] = {}
    for row in rows:
        carrier, tracking = row.get("carrier"), row.get("tracking-number")
        if (carrier or tracking) and (carrier, tracking) not in packages:
            packages[(carrier, tracking)] = ShipmentPackage(
                str(len(packages) + 1), carrier=carrier, tracking_number=tracking
            )
    return Shipment(
        shipment_id=first.need("shipment-id"),
        order_id=first.need("amazon-order-id"),
        status="Shipped",
        shipped_at=first.when("shipment-date", required=False),
        estimated_arrival=first.when("estimated-arrival-date", required=False),
        items=items,
        packages=tuple(packages.values()),
    )


def iter_report_shipments(
    source: str | os.PathLike[str] | IO[str] | Iterable[str],
    *,
    errors: list[ReportRowError] | None = None,
) -> Iterator[Shipment]:
    """Each shipment of an Amazon Fulfilled Shipments report, streamed (PII columns unread)."""
    rows = _rows(source, _SHIPMENT_REQUIRED, "shipments", errors)
    return _collect(_grouped(rows, "shipment-id", errors), _shipment, errors)


__all__ = [
    "FBA_SHIPMENTS",
    "ORDERS_BY_LAST_UPDATE",
    "ORDERS_BY_ORDER_DATE",
    "ORDER_REPORT_TYPES",
    "OrderReportError",
    "ReportRowError",
    "iter_report_orders",
    "iter_report_shipments",
]
