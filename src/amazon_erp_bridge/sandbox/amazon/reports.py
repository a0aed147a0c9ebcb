"""Fake Reports API 2021-06-30: report lifecycle, gzip documents and settlement reports.

A requested report moves IN_QUEUE -> IN_PROGRESS -> DONE one step every ``polls_per_step``
getReport calls (deterministic, no waiting); ``fail_next`` makes the next report end FATAL or
CANCELLED instead. Documents are served gzip through pre-signed URLs
(:mod:`~amazon_erp_bridge.sandbox.amazon.documents`); ``plain_but_marked_gzip`` serves them
plain while still saying GZIP, and ``truncate_documents`` cuts them short, as Amazon has done.

Settlement reports (``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2``) are already there, DONE:
one per closed 14-day event group and currency, generated from the seeded orders of that
period, so they reconcile and tie back to the orders the fake serves.

Returns reports (``GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA``,
``GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE``) are generated from the returns the fake knows
(``state.returns``) within the report's data window, with the columns of Amazon's published
layouts ("FBA Customer Concessions reports attributes", "Returns reports attributes" on
developer-docs.amazon.com). Other requested reports are a small stock flat file.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from attrs import define, field

from amazon_erp_bridge.model import (
    FulfillmentChannel,
    Money,
    Order,
    OrderStatus,
    Return,
    Settlement,
)
from amazon_erp_bridge.sandbox.amazon.jobs import StoredPages, advance
from amazon_erp_bridge.sandbox.amazon.marketplaces import MARKETPLACES
from amazon_erp_bridge.sandbox.amazon.settlement_files import (
    DateStyle,
    generate_settlement,
    settlement_from_orders,
    settlement_text,
)
from amazon_erp_bridge.sandbox.amazon.state import MARKETPLACE_NAMES, SEED_MARKETPLACES
from amazon_erp_bridge.sandbox.amazon.wire import wire_time
from amazon_erp_bridge.sandbox.server import Reply, SandboxRequest

if TYPE_CHECKING:
    import re

    from amazon_erp_bridge.sandbox.amazon.app import Caller, FakeSpApi

BASE: Final = "/reports/2021-06-30"
SETTLEMENT_REPORT_TYPE: Final = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
FBA_RETURNS: Final = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
MERCHANT_RETURNS: Final = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
FBA_RETURN_COLUMNS: Final = (
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
MERCHANT_RETURN_COLUMNS: Final = (
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
#: All-orders reports (one row per order item) and FBA shipments (one row per shipped item),
#: with the columns of Amazon's published layouts ("Order Tracking reports attributes" and
#: "FBA reports attributes" on developer-docs.amazon.com); PII columns are left empty, as
#: Amazon does for a report requested without a restricted data token.
ORDERS_BY_ORDER_DATE: Final = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
ORDERS_BY_LAST_UPDATE: Final = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"
FBA_SHIPMENTS: Final = "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL"
ORDER_COLUMNS: Final = (
    "amazon-order-id",
    "merchant-order-id",
    "purchase-date",
    "last-updated-date",
    "order-status",
    "fulfillment-channel",
    "sales-channel",
    "order-channel",
    "ship-service-level",
    "product-name",
    "sku",
    "asin",
    "item-status",
    "quantity",
    "currency",
    "item-price",
    "item-tax",
    "shipping-price",
    "shipping-tax",
    "gift-wrap-price",
    "gift-wrap-tax",
    "item-promotion-discount",
    "ship-promotion-discount",
    "ship-city",
    "ship-state",
    "ship-postal-code",
    "ship-country",
    "promotion-ids",
    "is-business-order",
    "purchase-order-number",
    "price-designation",
)
SHIPMENT_COLUMNS: Final = (
    "amazon-order-id",
    "merchant-order-id",
    "shipment-id",
    "shipment-item-id",
    "amazon-order-item-id",
    "merchant-order-item-id",
    "purchase-date",
    "payments-date",
    "shipment-date",
    "reporting-date",
    "buyer-email",
    "buyer-name",
    "buyer-phone-number",
    "sku",
    "product-name",
    "quantity-shipped",
    "currency",
    "item-price",
    "item-tax",
    "shipping-price",
    "shipping-tax",
    "gift-wrap-price",
    "gift-wrap-tax",
    "ship-service-level",
    "recipient-name",
    "ship-address-1",
    "ship-address-2",
    "ship-address-3",
    "ship-city",
    "ship-state",
    "ship-postal-code",
    "ship-country",
    "ship-phone-number",
    "item-promotion-discount",
    "ship-promotion-discount",
    "carrier",
    "tracking-number",
    "estimated-arrival-date",
    "fulfillment-center-id",
    "fulfillment-channel",
    "sales-channel",
)
JAPAN: Final = "A1VC38T7YXB528"
#: Report types Amazon generates itself; createReport refuses them.
UNREQUESTABLE: Final = frozenset(
    {
        SETTLEMENT_REPORT_TYPE,
        "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE",
        "GET_V2_SETTLEMENT_REPORT_DATA_XML",
    }
)


@define
class FakeReport:
    """A report the fake knows: its request, where it is in its lifecycle, its document."""

    report_id: str
    report_type: str
    marketplace_ids: list[str]
    created: datetime
    outcome: str = "DONE"  # what it ends as: DONE | FATAL | CANCELLED
    status: str = "IN_QUEUE"
    polls: int = 0
    data_start: datetime | None = None
    data_end: datetime | None = None
    processing_start: datetime | None = None
    processing_end: datetime | None = None
    document_id: str | None = None
    options: dict[str, str] = field(factory=dict)

    def wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "reportId": self.report_id,
            "reportType": self.report_type,
            "marketplaceIds": list(self.marketplace_ids),
            "createdTime": _wire(self.created, "createdTime"),
            "processingStatus": self.status,
        }
        for key, value in (
            ("dataStartTime", self.data_start),
            ("dataEndTime", self.data_end),
            ("processingStartTime", self.processing_start),
            ("processingEndTime", self.processing_end),
        ):
            if value is not None:
                out[key] = _wire(value, key)
        if self.document_id:
            out["reportDocumentId"] = self.document_id
        return out


def _wire(value: datetime, _what: str) -> str:
    return wire_time(value)


def _cell(value: object) -> str:
    return "" if value is None else str(value).replace("\t", " ").replace("\n", " ")


def _fba_return_row(r: Return, title: str) -> list[object]:
    return [
        wire_time(r.returned_at),
        r.order_id,
        r.seller_sku,
        r.asin,
        r.fnsku,
        title,
        r.quantity,
        r.fulfillment_center_id,
        r.disposition,
        r.reason,
        r.status,
        r.license_plate_number,
        r.customer_comments,
    ]


def _merchant_return_row(r: Return, title: str, order_total: str, order_date: str) -> list[object]:
    rma = r.return_id.split("/", 1)[0]
    refund = r.refund_amount
    cells: dict[str, object] = {
        "Order ID": r.order_id,
        "Order date": order_date,
        "Return request date": wire_time(r.returned_at),
        "Return request status": r.status,
        "Amazon RMA ID": rma,
        "Label type": "AmazonUnPaidLabel",
        "Currency code": refund.currency if refund is not None else "",
        "Label to be paid by": "Customer",
        "A-to-Z Claim": "N",
        "Is prime": "N",
        "ASIN": r.asin,
        "Merchant SKU": r.seller_sku,
        "Item Name": title,
        "Return quantity": r.quantity,
        "Return Reason": r.reason,
        "In policy": "Y",
        "Return type": "C-Returns",
        "Resolution": r.disposition,
        "Order Amount": order_total,
        "Order quantity": r.quantity,
        "Refunded Amount": refund.amount if refund is not None else "",
    }
    return [cells.get(c) for c in MERCHANT_RETURN_COLUMNS]


def _amount(money: Money | None, sign: int = 1) -> object:
    return None if money is None else sign * money.amount


def _in_window(moment: datetime, report: FakeReport) -> bool:
    if report.data_start and moment < report.data_start:
        return False
    return not (report.data_end and moment >= report.data_end)


def _order_rows(order: Order) -> list[list[object]]:
    """The all-orders report rows of ``order``: one per line, adjacent."""
    rows: list[list[object]] = []
    channel = "Amazon" if order.fulfillment_channel is FulfillmentChannel.AMAZON else "Merchant"
    address = order.ship_address
    for line in order.lines:
        currency = line.item_price.currency if line.item_price is not None else order.currency
        if line.cancelled or order.status is OrderStatus.CANCELED:
            item_status = "Cancelled"
        elif line.quantity_shipped >= line.quantity > 0:
            item_status = "Shipped"
        else:
            item_status = "Unshipped"
        cells: dict[str, object] = {
            "amazon-order-id": order.order_id,
            "merchant-order-id": order.seller_order_id,
            "purchase-date": wire_time(order.purchase_date),
            "last-updated-date": wire_time(order.last_updated),
            "order-status": order.status.value,
            "fulfillment-channel": channel,
            "sales-channel": order.sales_channel,
            "ship-service-level": order.ship_service_level,
            "product-name": line.title,
            "sku": line.item.seller_sku,
            "asin": line.item.asin,
            "item-status": item_status,
            "quantity": line.quantity,
            "currency": currency,
            "item-price": _amount(line.item_price),
            "item-tax": _amount(line.item_tax),
            "shipping-price": _amount(line.shipping_price),
            "shipping-tax": _amount(line.shipping_tax),
            "gift-wrap-price": _amount(line.gift_wrap_price),
            "gift-wrap-tax": _amount(line.gift_wrap_tax),
            "item-promotion-discount": _amount(line.promotion_discount, -1),
            "ship-promotion-discount": _amount(line.shipping_discount, -1),
            "ship-city": address.city if address else None,
            "ship-state": address.state_or_region if address else None,
            "ship-postal-code": address.postal_code if address else None,
            "ship-country": address.country_code if address else None,
            "is-business-order": "true" if order.is_business_order else "false",
        }
        rows.append([cells.get(c) for c in ORDER_COLUMNS])
    return rows


def _shipment_rows(order: Order) -> list[list[object]]:
    """FBA shipments report rows of an order Amazon shipped: one shipment, a row per line."""
    shipment_id = "D" + order.order_id.replace("-", "")[-9:]
    rows: list[list[object]] = []
    for n, line in enumerate(order.lines, start=1):
        if line.quantity_shipped <= 0:
            continue
        cells: dict[str, object] = {
            "amazon-order-id": order.order_id,
            "merchant-order-id": order.seller_order_id,
            "shipment-id": shipment_id,
            "shipment-item-id": f"{shipment_id}{n:02d}",
            "amazon-order-item-id": line.line_id,
            "purchase-date": wire_time(order.purchase_date),
            "shipment-date": wire_time(order.last_updated),
            "reporting-date": wire_time(order.last_updated),
            "sku": line.item.seller_sku,
            "product-name": line.title,
            "quantity-shipped": line.quantity_shipped,
            "currency": line.item_price.currency if line.item_price else None,
            "item-price": _amount(line.item_price),
            "item-tax": _amount(line.item_tax),
            "ship-service-level": order.ship_service_level,
            "carrier": "AMZN_US",
            "tracking-number": f"TBA{shipment_id[1:]}",
            "fulfillment-channel": "Amazon",
            "sales-channel": order.sales_channel,
        }
        rows.append([cells.get(c) for c in SHIPMENT_COLUMNS])
    return rows


def _encoding_for(marketplace_ids: Sequence[str]) -> tuple[str, str]:
    """(Python codec, charset label) Amazon uses for a marketplace's flat files."""
    if JAPAN in marketplace_ids:
        return "cp932", "Windows-31J"
    return "iso-8859-1", "ISO-8859-1"


class ReportsFake:
    """The state and switches of the fake Reports API (``fake.reports``)."""

    def __init__(self, fake: FakeSpApi) -> None:
        self.fake = fake
        self.reports: dict[str, FakeReport] = {}
        #: getReport calls per lifecycle step (IN_QUEUE -> IN_PROGRESS -> final).
        self.polls_per_step = 1
        #: "FATAL" or "CANCELLED": the next created report ends so (then back to None).
        self.fail_next: str | None = None
        self.compress = True
        #: Serve documents plain but still say ``compressionAlgorithm: GZIP``.
        self.plain_but_marked_gzip = False
        #: Serve gzip documents cut short (a truncated download).
        self.truncate_documents = False
        #: Leave the charset out of document Content-Types (clients must fall back).
        self.omit_charset = False
        self._settlements_made = False
        self._pages: StoredPages[FakeReport] = StoredPages(lambda: fake.token_value("reports-"))
        self._lock = threading.RLock()

    # -- test helpers ----------------------------------------------------------------------

    def add_settlement(
        self,
        settlement: Settlement,
        *,
        marketplace_id: str = "ATVPDKIKX0DER",
        date_style: DateStyle = "iso",
        decimal_comma: bool = False,
        created: datetime | None = None,
    ) -> FakeReport:
        """Publish ``settlement`` as a DONE settlement report (as Amazon does each period)."""
        text = settlement_text(settlement, date_style=date_style, decimal_comma=decimal_comma)
        report = FakeReport(
            report_id=self._report_id(f"settlement:{settlement.settlement_id}"),
            report_type=SETTLEMENT_REPORT_TYPE,
            marketplace_ids=[marketplace_id],
            created=created or (settlement.deposit_date or settlement.end),
            status="DONE",
            data_start=settlement.start,
            data_end=settlement.end,
            processing_start=created or settlement.end,
            processing_end=created or settlement.end,
        )
        report.document_id = self._store(text, report.marketplace_ids)
        with self._lock:
            self.reports[report.report_id] = report
        return report

    def settlements(self) -> list[FakeReport]:
        """The settlement reports the fake offers (generated on first use)."""
        self._make_settlements()
        return [r for r in self.reports.values() if r.report_type == SETTLEMENT_REPORT_TYPE]

    # -- internals -------------------------------------------------------------------------

    def _report_id(self, seed: str) -> str:
        digest = hashlib.sha256(f"{seed}:{len(self.reports)}".encode()).hexdigest()
        return str(int(digest[:12], 16) % 10**11).rjust(11, "5")

    def _store(self, text: str, marketplace_ids: Sequence[str]) -> str:
        codec, label = _encoding_for(marketplace_ids)
        content_type = "text/plain" if self.omit_charset else f"text/plain;charset={label}"
        doc = self.fake.documents.put(
            text.encode(codec, errors="replace"),
            content_type=content_type,
            compress=self.compress,
            plain_but_marked_gzip=self.plain_but_marked_gzip,
            truncate=self.truncate_documents,
        )
        return doc.document_id

    def _make_settlements(self) -> None:
        with self._lock:
            if self._settlements_made:
                return
            self._settlements_made = True
            state = self.fake.state
            groups = [g for g in state.groups if g.end is not None]
            for group in groups:
                assert group.end is not None
                marketplace_id = next(
                    (m for m in SEED_MARKETPLACES if MARKETPLACES[m].currency == group.currency),
                    "ATVPDKIKX0DER",
                )
                orders = [
                    o
                    for o in state.orders.values()
                    if group.start <= o.purchase_date < group.end
                    and o.status.value in ("Shipped", "PartiallyShipped")
                ]
                settlement_id = str(
                    int(hashlib.sha256(group.group_id.encode()).hexdigest()[:10], 16) % 10**11
                ).rjust(11, "1")
                settlement = settlement_from_orders(
                    orders,
                    settlement_id=settlement_id,
                    start=group.start,
                    end=group.end,
                    currency=group.currency,
                    marketplace_name=MARKETPLACE_NAMES.get(marketplace_id, "Amazon.com"),
                    seed=self.fake.seed,
                )
                self.add_settlement(settlement, marketplace_id=marketplace_id)
            if not groups:
                self.add_settlement(generate_settlement(seed=self.fake.seed))

    def _advance(self, report: FakeReport) -> None:
        if not advance(report, self.polls_per_step, self.fake.now()):
            return
        if report.outcome == "DONE":
            report.document_id = self._store(self._content(report), report.marketplace_ids)
        elif report.outcome == "FATAL":
            error = {"errorDetails": f"Report {report.report_id} failed: sandbox fault"}
            report.document_id = self._store(str(error), report.marketplace_ids)

    def _returns_content(self, report: FakeReport) -> str:
        """A returns report of the returns the fake knows within the report's window."""
        state = self.fake.state
        fba = report.report_type == FBA_RETURNS
        titles = {p.sku: p.title for p in state.products}
        rows: list[list[object]] = []
        for r in state.returns:
            order = state.orders.get(r.order_id)
            if r.fulfilled_by_amazon != fba or (
                order is not None and order.marketplace_id not in report.marketplace_ids
            ):
                continue
            if report.data_start and r.returned_at < report.data_start:
                continue
            if report.data_end and r.returned_at > report.data_end:
                continue
            title = titles.get(r.seller_sku, "")
            if fba:
                rows.append(_fba_return_row(r, title))
            else:
                total = order.order_total if order is not None else None
                date = wire_time(order.purchase_date) if order is not None else ""
                rows.append(_merchant_return_row(r, title, _cell(total and total.amount), date))
        header = FBA_RETURN_COLUMNS if fba else MERCHANT_RETURN_COLUMNS
        lines = ["\t".join(header), *("\t".join(_cell(c) for c in row) for row in rows)]
        return "\n".join(lines) + "\n"

    def _orders_content(self, report: FakeReport) -> str:
        """An all-orders or FBA shipments report of the orders the fake knows in the window
        (by purchase date, last update, or shipment date), oldest first."""
        by_update = report.report_type == ORDERS_BY_LAST_UPDATE
        shipments = report.report_type == FBA_SHIPMENTS
        markets = set(report.marketplace_ids)
        chosen = [
            o
            for o in self.fake.state.orders.values()
            if o.marketplace_id in markets
            and _in_window(o.last_updated if by_update or shipments else o.purchase_date, report)
            and (
                not shipments
                or (
                    o.fulfillment_channel is FulfillmentChannel.AMAZON
                    and o.status in (OrderStatus.SHIPPED, OrderStatus.PARTIALLY_SHIPPED)
                )
            )
        ]
        chosen.sort(key=lambda o: (o.purchase_date, o.order_id))
        header = SHIPMENT_COLUMNS if shipments else ORDER_COLUMNS
        rows = (r for o in chosen for r in (_shipment_rows(o) if shipments else _order_rows(o)))
        lines = ["\t".join(header), *("\t".join(_cell(c) for c in row) for row in rows)]
        return "\n".join(lines) + "\n"

    def _content(self, report: FakeReport) -> str:
        """The report's flat file: returns reports from the fake's returns, order and FBA
        shipment reports from its orders, any other type a small flat file of the seeded
        catalogue and its stock in the first marketplace."""
        if report.report_type in (FBA_RETURNS, MERCHANT_RETURNS):
            return self._returns_content(report)
        if report.report_type in (ORDERS_BY_ORDER_DATE, ORDERS_BY_LAST_UPDATE, FBA_SHIPMENTS):
            return self._orders_content(report)
        marketplace_id = report.marketplace_ids[0]
        rows = ["sku\tasin\titem-name\tquantity"]
        for product in self.fake.state.products:
            level = self.fake.state.inventory.get((marketplace_id, product.sku))
            title = (
                f"{product.title} (サンドボックス)" if marketplace_id == JAPAN else product.title
            )
            quantity = level.fulfillable if level is not None else 0
            rows.append(f"{product.sku}\t{product.asin}\t{title}\t{quantity}")
        return "\n".join(rows) + "\n"

    def _matches(self, report: FakeReport, req: SandboxRequest) -> bool:
        types = req.args("reportTypes")
        statuses = req.args("processingStatuses")
        markets = req.args("marketplaceIds")
        if types and report.report_type not in types:
            return False
        if statuses and report.status not in statuses:
            return False
        if markets and not set(markets) & set(report.marketplace_ids):
            return False
        since, until = req.arg("createdSince"), req.arg("createdUntil")
        if since and report.created < datetime.fromisoformat(since):
            return False
        return not (until and report.created > datetime.fromisoformat(until))

    # -- operations ----------------------------------------------------------------------

    def create_report(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        body = req.json() or {}
        report_type = body.get("reportType")
        marketplaces = body.get("marketplaceIds")
        if not report_type or not marketplaces:
            return self.fake.error(
                400, "InvalidInput", "reportType and marketplaceIds are required."
            )
        if report_type in UNREQUESTABLE:
            return self.fake.error(
                400,
                "InvalidInput",
                f"Report type {report_type} cannot be requested. Please refer to the "
                "documentation for the report type.",
            )
        unknown = [mp for mp in marketplaces if mp not in MARKETPLACES]
        if unknown:
            return self.fake.error(400, "InvalidInput", f"Invalid marketplaceIds: {unknown}")
        outcome, self.fail_next = self.fail_next or "DONE", None
        with self._lock:
            report = FakeReport(
                report_id=self._report_id(report_type),
                report_type=report_type,
                marketplace_ids=list(marketplaces),
                created=self.fake.now(),
                outcome=outcome,
                data_start=_optional_time(body.get("dataStartTime")),
                data_end=_optional_time(body.get("dataEndTime")),
                options=dict(body.get("reportOptions") or {}),
            )
            self.reports[report.report_id] = report
        return Reply.json({"reportId": report.report_id}, 202)

    def get_report(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        self._make_settlements()
        with self._lock:
            report = self.reports.get(m["id"])
            if report is None:
                return self.fake.error(404, "NotFound", f"Report {m['id']} not found.")
            self._advance(report)
            return Reply.json(report.wire())

    def get_reports(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        self._make_settlements()
        token = req.arg("nextToken")
        if token:
            if len(req.query) > 1:
                return self.fake.error(
                    400,
                    "InvalidInput",
                    "Specifying nextToken with any other parameters will cause the request "
                    "to fail.",
                )
            found = self._pages.next(token)
            if found is None:
                return self.fake.error(400, "InvalidInput", "Invalid nextToken.")
        else:
            if not req.args("reportTypes"):
                return self.fake.error(
                    400, "InvalidInput", "Either reportTypes or nextToken is required."
                )
            size = int(req.arg("pageSize") or 10)
            if not 1 <= size <= 100:
                return self.fake.error(400, "InvalidInput", "pageSize must be 1 to 100.")
            with self._lock:
                matches = sorted(
                    (r for r in self.reports.values() if self._matches(r, req)),
                    key=lambda r: r.created,
                    reverse=True,
                )
            found = self._pages.first(matches, min(size, self.fake.page_size))
        page, next_token = found
        out: dict[str, Any] = {"reports": [r.wire() for r in page]}
        if next_token:
            out["nextToken"] = next_token
        return Reply.json(out)

    def cancel_report(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        with self._lock:
            report = self.reports.get(m["id"])
            if report is None:
                return self.fake.error(404, "NotFound", f"Report {m['id']} not found.")
            if report.status != "IN_QUEUE":
                return self.fake.error(
                    400,
                    "InvalidInput",
                    f"Report {report.report_id} is {report.status}; only IN_QUEUE reports "
                    "can be cancelled.",
                )
            report.status = report.outcome = "CANCELLED"
            report.processing_end = self.fake.now()
        return Reply(200, b"")

    def get_report_document(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        doc = self.fake.documents.get(m["id"])
        if doc is None or not any(r.document_id == doc.document_id for r in self.reports.values()):
            return self.fake.error(404, "NotFound", f"Report document {m['id']} not found.")
        return Reply.json(self.fake.documents.wire(req, doc, "reportDocumentId"))


def _optional_time(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def register(fake: FakeSpApi) -> None:
    """Register the Reports API operations (needs the document store registered first)."""
    reports = ReportsFake(fake)
    fake.reports = reports
    fake.operation("POST", rf"{BASE}/reports", "reports.createReport")(reports.create_report)
    fake.operation("GET", rf"{BASE}/reports", "reports.getReports")(reports.get_reports)
    fake.operation("GET", rf"{BASE}/reports/(?P<id>[^/]+)", "reports.getReport")(reports.get_report)
    fake.operation("DELETE", rf"{BASE}/reports/(?P<id>[^/]+)", "reports.cancelReport")(
        reports.cancel_report
    )
    fake.operation("GET", rf"{BASE}/documents/(?P<id>[^/]+)", "reports.getReportDocument")(
        reports.get_report_document
    )


__all__ = ["FakeReport", "ReportsFake", "register"]
