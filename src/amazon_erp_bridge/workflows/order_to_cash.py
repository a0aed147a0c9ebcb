"""Order to cash: Amazon orders into the ERP exactly once, their shipments, their invoices.

One run of :func:`order_to_cash_m3` or :func:`order_to_cash_sap`:

1. **orders** - reads the orders updated since the ledger cursor (less ``overlap``, since
   Amazon's last-update times settle late), maps each one (``order_to_m3`` /
   ``order_to_sap``) and posts it once: the ERP is asked for the Amazon order id first (M3
   customer order number CUOR, including a temporary batch order left by a crash, which is
   resumed; SAP PurchaseOrderByCustomer). The rules per Amazon status:

   - Pending / PendingAvailability: not posted yet. Amazon has not confirmed payment and may
     still cancel; its last-update time moves when it changes, so a later run reads it again.
   - Canceled / Unfulfillable: not created. One that was posted earlier is recorded as a
     pending cancellation (kind ``cancel.<erp>``) for the **cancellations** step, which
     deletes/closes its open M3 lines or rejects its open SAP items once and reports the
     lines already delivered (see :mod:`amazon_erp_bridge.workflows.cancellations`;
     ``cancel_orders=False`` only reports them).
   - Multi-Channel Fulfillment orders (sales channel ``Non-Amazon``) started in the ERP: left
     to the MCF workflow, never created again.
   - everything else (Unshipped, PartiallyShipped, Shipped, ...) is posted; a mapping failure
     (unknown SKU, no customer for the marketplace) is dead-lettered with its reason.

   The cursor moves past what was handled (posted, skipped by rule, dead-lettered); an order
   that failed for a reason a later run may fix holds it back. It moves only forward (a
   compare-and-set in the ledger, so concurrent runs never move it back), and only after
   everything the window holds is in the ledger, the deliveries still to post included; orders
   earlier runs left pending (failed, or POSTING when a run was killed) are read again by id
   and posted (see :mod:`amazon_erp_bridge.posting.cursors`).
2. **shipments** - for orders Amazon shipped itself (AFN, status Shipped) the ERP order must
   still reach "delivered" to be invoiced: M3 confirms its delivery
   (``m3.deliveries.confirm_shipped``), SAP gets an outbound delivery, picked and goods-issued.
   Each is recorded pending in the ledger (kind ``shipment.<erp>``) by the orders step and
   posted once here, in this run or a later one; merchant-fulfilled (MFN)
   orders ship from the ERP's own warehouse, which records it.
3. **invoices** - the ERP invoices (M3 OIS350MI by order, SAP billing documents) of the
   orders handled in the run are read back and summed up in the notes.

``replay=True`` first posts dead-lettered orders again (after a fix such as a new crosswalk
entry), rebuilding each from Amazon by its id.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final, Generic, TypeVar

from attrs import field, frozen

from amazon_erp_bridge.amazon import SpApiClient
from amazon_erp_bridge.core.redaction import get_logger
from amazon_erp_bridge.errors import BridgeError, MappingError, ValidationError
from amazon_erp_bridge.infor import DEFAULT_ROUTE, DeliveryRoute, M3Client
from amazon_erp_bridge.infor.orders import OrderCharge, OrderText
from amazon_erp_bridge.mapping import (
    CustomerRules,
    ItemCrosswalk,
    M3CustomerOrder,
    M3OrderSettings,
    OrderTypeRules,
    SapOrderSettings,
    UnitPriceRule,
    is_mcf_order,
    line_unit_price,
    order_to_m3,
    order_to_sap,
)
from amazon_erp_bridge.mapping.cancellations import M3CancellationRules, SapCancellationRules
from amazon_erp_bridge.mapping.charges import ChargeRules, expected_invoice_total
from amazon_erp_bridge.model import FulfillmentChannel, Money, Order, OrderStatus, is_currency
from amazon_erp_bridge.posting import (
    ErpDocument,
    ErpTarget,
    Ledger,
    Poster,
    PostResult,
    PostStatus,
    PostSummary,
    RecordState,
    pending_records,
    time_position,
)
from amazon_erp_bridge.sap import (
    BillingDocumentService,
    DeliveryLine,
    ODataClient,
    OutboundDeliveryService,
    ProductService,
    SalesOrderService,
)
from amazon_erp_bridge.workflows.cancellations import (
    CancelTarget,
    M3CancelTarget,
    SapCancelTarget,
    cancellations_step,
    note_cancellation,
    posted_document,
)
from amazon_erp_bridge.workflows.report import StepReport, WorkflowReport

log = get_logger("amazon_erp_bridge.workflows.order_to_cash")

P = TypeVar("P")

WORKFLOW: Final = "order-to-cash"
#: Amazon statuses whose orders are not posted yet (payment not confirmed).
WAITING: Final = frozenset({OrderStatus.PENDING, OrderStatus.PENDING_AVAILABILITY})
#: Amazon statuses whose orders are never created in the ERP.
CLOSED: Final = frozenset({OrderStatus.CANCELED, OrderStatus.UNFULFILLABLE})
#: The M3 alias kinds (MMS025) the crosswalk is built from when the config gives none.
M3_ALIAS_KINDS: Final = ("seller_sku", "asin", "fnsku")
#: Examples of invoices shown in the notes (the rest are counted and summed).
INVOICE_EXAMPLES: Final = 3


def _marketplaces(value: Iterable[str]) -> tuple[str, ...]:
    out = tuple(value)
    if not out or any(not m.strip() for m in out):
        raise ValidationError("order-to-cash config: marketplaces must name at least one id")
    return out


def _aware(_instance: object, attribute: Any, value: datetime) -> None:
    if value.tzinfo is None:
        raise ValidationError(f"order-to-cash config: {attribute.name} must be timezone-aware")


def _values(value: Mapping[str, str]) -> Mapping[str, str]:
    return dict(value)


@frozen
class OrderToCashM3Config:
    """The rule data of order to cash into Infor M3.

    ``start`` is where the first run begins (no cursor yet); ``items`` is built from the M3
    item aliases (``alias_kinds``) when not given; ``unit_price`` decides each line's SAPR
    (:func:`~amazon_erp_bridge.mapping.unit_price_or_erp_price` lets M3 price lines whose
    Amazon total has no exact unit price). ``delivery_route`` / ``delivery_values`` are how
    this site confirms a delivery M3 did not ship (see :mod:`amazon_erp_bridge.infor.deliveries`).
    With ``include_pii`` (buyer data, a Restricted Data Token) each order carries its
    delivery address (AddBatchAddress, ``settings.address_type``) and its lines' gift
    messages (AddBatchText); without it neither is read, and M3 orders ship to the
    marketplace customer's own address (the run's notes say so).
    """

    marketplaces: tuple[str, ...] = field(converter=_marketplaces)
    customers: CustomerRules
    order_types: OrderTypeRules
    start: datetime = field(validator=_aware)
    settings: M3OrderSettings = field(factory=M3OrderSettings)
    items: ItemCrosswalk | None = None
    alias_kinds: tuple[str, ...] = M3_ALIAS_KINDS
    unit_price: UnitPriceRule = line_unit_price
    include_pii: bool = False
    overlap: timedelta = timedelta(minutes=2)
    confirm_shipments: bool = True
    delivery_route: DeliveryRoute = DEFAULT_ROUTE
    delivery_values: Mapping[str, str] = field(factory=dict, converter=_values)
    read_invoices: bool = True
    cursor: str = "amazon.orders.m3"
    cancel_orders: bool = True
    cancellation_rules: M3CancellationRules = field(factory=M3CancellationRules)
    cancel_reason: str | None = None


@frozen
class OrderToCashSapConfig:
    """The rule data of order to cash into SAP S/4HANA.

    As :class:`OrderToCashM3Config`; ``items`` is built from the SAP products when not given
    (material number = seller SKU, GTIN indexed too). ``include_pii`` reads the buyer's
    address, which then travels as a one-time ship-to (``settings.ship_to_partner_function``).
    ``shipping_point`` is where SAP books the deliveries of orders Amazon shipped.
    """

    marketplaces: tuple[str, ...] = field(converter=_marketplaces)
    customers: CustomerRules
    order_types: OrderTypeRules
    start: datetime = field(validator=_aware)
    settings: SapOrderSettings
    items: ItemCrosswalk | None = None
    unit_price: UnitPriceRule = line_unit_price
    include_pii: bool = False
    overlap: timedelta = timedelta(minutes=2)
    confirm_shipments: bool = True
    shipping_point: str | None = None
    read_invoices: bool = True
    cursor: str = "amazon.orders.sap"
    cancel_orders: bool = True
    cancellation_rules: SapCancellationRules = field(factory=SapCancellationRules)


# -- ERP adapters -----------------------------------------------------------------------------


class _M3OrderTarget:
    """M3 customer orders, found by CUOR (final or temporary) before any batch entry."""

    name = "m3"

    def __init__(self, m3: M3Client) -> None:
        self._m3 = m3
        self._payloads: dict[str, M3CustomerOrder] = {}

    def find(self, source_id: str, payload: M3CustomerOrder) -> ErpDocument | None:
        match = self._m3.customer_orders.find_by_reference(payload.head["CUNO"], source_id)
        if match is None:
            return None
        if match.temporary:
            self._payloads[match.orno] = payload
        return ErpDocument("m3", match.orno, match.final, {"temporary": match.temporary})

    def create(self, payload: M3CustomerOrder) -> ErpDocument:
        orno = self._m3.customer_orders.create(
            payload.head,
            payload.lines,
            address=payload.address,
            texts=m3_order_texts(payload),
            charges=m3_order_charges(payload),
        )
        return ErpDocument("m3", orno)

    def resume(self, document: ErpDocument) -> ErpDocument:
        payload = self._payloads.pop(document.document_id, None)
        if payload is None:
            orno = self._m3.customer_orders.resume(document.document_id)
        else:
            orno = self._m3.customer_orders.resume(
                document.document_id,
                payload.lines,
                address=payload.address,
                texts=m3_order_texts(payload),
                charges=m3_order_charges(payload),
            )
        return ErpDocument("m3", orno, detail={"temporary_orno": document.document_id})


class _M3ShipmentTarget:
    """An M3 order confirmed delivered (Amazon shipped it); found when M3 says delivered."""

    name = "m3"

    def __init__(self, m3: M3Client, route: DeliveryRoute, values: Mapping[str, str]) -> None:
        self._m3 = m3
        self._route = route
        self._values = values

    def find(self, source_id: str, orno: str) -> ErpDocument | None:
        progress = self._m3.customer_orders.status(orno)
        if not progress.is_delivered:
            return None
        return ErpDocument("m3", orno, detail={"status": progress.code})

    def create(self, orno: str) -> ErpDocument:
        outcome = self._m3.deliveries.confirm_shipped(orno, values=self._values, route=self._route)
        return ErpDocument("m3", orno, detail={"deliveries": list(outcome.deliveries)})


class _SapOrderTarget:
    """SAP sales orders, found by PurchaseOrderByCustomer and sold-to party before a POST."""

    name = "sap"

    def __init__(self, sap: ODataClient) -> None:
        self._orders = SalesOrderService(sap)

    def find(self, source_id: str, payload: Mapping[str, Any]) -> ErpDocument | None:
        found = self._orders.find_by_purchase_order(source_id, payload.get("SoldToParty"))
        return ErpDocument("sap", found[0].sales_order) if found else None

    def create(self, payload: Mapping[str, Any]) -> ErpDocument:
        return ErpDocument("sap", self._orders.create(payload).sales_order)


class _SapShipmentTarget:
    """An outbound delivery for a sales order Amazon shipped: created, picked, goods-issued.

    A delivery found without goods issue (a crash between the steps) is resumed.
    """

    name = "sap"

    def __init__(self, sap: ODataClient, shipping_point: str | None) -> None:
        self._orders = SalesOrderService(sap)
        self._deliveries = OutboundDeliveryService(sap)
        self._shipping_point = shipping_point

    def find(self, source_id: str, sales_order: str) -> ErpDocument | None:
        deliveries = self._deliveries.find_by_sales_order(sales_order)
        for delivery in deliveries:
            if not delivery.goods_issued:
                return ErpDocument("sap", delivery.delivery_document, complete=False)
        if deliveries and self._orders.get(sales_order, with_items=False).is_fully_delivered:
            return ErpDocument("sap", deliveries[-1].delivery_document)
        return None

    def create(self, sales_order: str) -> ErpDocument:
        order = self._orders.get(sales_order)
        lines = [DeliveryLine(i.sales_order_item) for i in order.items if i.delivery_status != "C"]
        delivery = self._deliveries.create_for_sales_order(
            sales_order, lines, shipping_point=self._shipping_point
        )
        return self.resume(ErpDocument("sap", delivery.delivery_document, complete=False))

    def resume(self, document: ErpDocument) -> ErpDocument:
        delivery = self._deliveries.get(document.document_id)
        if delivery.overall_picking_status != "C":
            self._deliveries.pick_all_items(delivery.delivery_document, etag=delivery.etag)
        self._deliveries.post_goods_issue(delivery.delivery_document)
        return ErpDocument("sap", delivery.delivery_document, detail={"goods_issued": True})


# -- the run, shared by both ERPs -------------------------------------------------------------


@frozen
class _Invoice:
    number: str
    order: str
    gross: Decimal | None
    currency: str


@frozen
class _Erp(Generic[P]):
    """What differs between the ERPs: names, the order mapping, targets and invoice reads."""

    name: str
    cursor: str
    to_payload: Callable[[Order], P]
    order_target: ErpTarget[P]
    shipment_target: ErpTarget[str] | None
    invoices: Callable[[str], list[_Invoice]] | None
    cancel_target: CancelTarget | None = None
    #: What the ERP invoice of an order must come to (charges, taxes, facilitator tax).
    expected_total: Callable[[Order], Money] | None = None


def _time(value: str | None, default: datetime) -> datetime:
    return datetime.fromisoformat(value) if value else default


def _describe(order: Order) -> str:
    lines = sum(1 for line in order.lines if line.quantity > 0)
    total = f", {order.order_total}" if order.order_total is not None else ""
    return f"{order.status.value} {order.fulfillment_channel or ''} order, {lines} lines{total}"


def _amount(amount: Decimal | None, currency: str) -> str:
    """An ERP amount for people: rounded to the currency's minor unit when it is ISO."""
    if amount is None:
        return f"? {currency}"
    if is_currency(currency):
        return str(Money(amount, currency).rounded())
    return f"{amount} {currency}"


def _short(ids: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


class _Run(Generic[P]):
    def __init__(
        self,
        amazon: SpApiClient,
        ledger: Ledger,
        erp: _Erp[P],
        *,
        marketplaces: Sequence[str],
        start: datetime,
        overlap: timedelta,
        include_pii: bool,
        poster_options: Mapping[str, Any] | None,
    ) -> None:
        self.amazon = amazon
        self.ledger = ledger
        self.erp = erp
        self.marketplaces = marketplaces
        self.start = start
        self.overlap = overlap
        self.include_pii = include_pii
        self.options = dict(poster_options or {})
        self.kind = f"order.{erp.name}"
        self.shipment_kind = f"shipment.{erp.name}"
        self.orders = Poster(ledger, erp.order_target, rebuild=self._rebuild, **self.options)
        self.amazon_totals: dict[str, Money] = {}

    def _remember_total(self, order: Order) -> None:
        """Keep what the ERP invoice of ``order`` must come to, for the invoices step."""
        if self.erp.expected_total is None:
            return
        try:
            self.amazon_totals[order.order_id] = self.erp.expected_total(order)
        except BridgeError as exc:  # a total that cannot be computed is no reason to stop
            log.warning("order %s: no expected invoice total: %s", order.order_id, exc)

    def _rebuild(self, kind: str, source_id: str) -> P:
        order = self.amazon.orders.get_order(source_id, include_pii=self.include_pii)
        self._remember_total(order)
        return self.erp.to_payload(order)

    def _post(self, order: Order) -> PostResult:
        self._remember_total(order)
        try:
            payload = self.erp.to_payload(order)
        except (MappingError, ValidationError) as exc:
            return self.orders.reject(self.kind, order.order_id, exc)
        return self.orders.post(self.kind, order.order_id, payload, describe=_describe(order))

    def replay(self) -> StepReport:
        summary = self.orders.replay(self.kind)
        if not summary.results:
            note = "no dead-lettered orders"
        else:
            note = f"{len(summary.posted)} of {len(summary.results)} dead letters now posted"
        return StepReport("replay", summary, [note])

    def orders_step(self) -> tuple[StepReport, list[Order], PostSummary]:
        cursor = _time(self.ledger.get_cursor(self.erp.cursor), self.start)
        since = max(cursor - self.overlap, self.start)
        orders = sorted(
            self.amazon.orders.get_orders(
                list(self.marketplaces),
                last_updated_after=since,
                include_pii=self.include_pii,
            ),
            key=lambda o: (o.last_updated, o.order_id),
        )
        results: list[PostResult] = []
        waiting: list[str] = []
        closed: list[str] = []
        cancel_in_erp: list[str] = []
        mcf: list[str] = []
        for order in orders:
            if is_mcf_order(order):
                mcf.append(order.order_id)
            elif order.status in WAITING:
                waiting.append(order.order_id)
            elif order.status in CLOSED:
                record = self.ledger.get(self.kind, order.order_id)
                if record is not None and record.state is RecordState.POSTED:
                    cancel_in_erp.append(f"{order.order_id} ({record.document_id})")
                    if self.erp.cancel_target is not None:
                        note_cancellation(
                            self.ledger, self.erp.name, order.order_id, record.document_id
                        )
                else:
                    closed.append(order.order_id)
            else:
                results.append(self._post(order))
                self._note_shipment(order)
        taken_up = self._take_up({o.order_id for o in orders}, results)
        summary = PostSummary(results)
        notes = [
            f"read {len(orders)} orders updated since {since.isoformat()} "
            f"in {len(self.marketplaces)} marketplaces"
        ]
        if taken_up:
            notes.append(
                f"took up {len(taken_up)} orders left pending by earlier runs: {_short(taken_up)}"
            )
        if waiting:
            notes.append(
                f"not posted yet: {len(waiting)} pending (Amazon has not confirmed payment): "
                + _short(waiting)
            )
        if closed:
            notes.append(f"not created: {len(closed)} cancelled before posting: {_short(closed)}")
        if cancel_in_erp:
            notes.append(
                f"cancelled on Amazon after posting ({len(cancel_in_erp)}): "
                + _short(cancel_in_erp)
                + (
                    "; see the cancellations step"
                    if self.erp.cancel_target is not None
                    else f"; cancel them in {self.erp.name.upper()}"
                )
            )
        if mcf:
            notes.append(f"left to the MCF workflow: {len(mcf)} MCF orders: {_short(mcf)}")
        if results and not self.include_pii:
            notes.append(
                "buyer data not read (include_pii off): orders sent without the buyer's "
                "delivery address or gift messages; they ship to the customer's own address"
            )
        notes.append(self._move_cursor(cursor, orders, summary))
        return StepReport("orders", summary, notes), orders, summary

    def _note_shipment(self, order: Order) -> None:
        """Record the delivery an AFN order Amazon shipped still needs, before the cursor moves.

        The shipments step posts every pending ``shipment.<erp>`` record once its order is
        posted, so a run killed after the cursor moved loses no delivery.
        """
        if (
            order.fulfillment_channel is FulfillmentChannel.AMAZON
            and order.status is OrderStatus.SHIPPED
        ):
            self.ledger.receive(self.shipment_kind, order.order_id, describe="Amazon shipped it")

    def _take_up(self, listed: set[str], results: list[PostResult]) -> list[str]:
        """Post the orders earlier runs left pending (failed, or stranded POSTING by a crash)
        that this run's listing did not bring back; read again from Amazon by id."""
        taken: list[str] = []
        for record in pending_records(self.ledger, self.kind):
            if record.source_id in listed:
                continue
            taken.append(record.source_id)
            try:
                order = self.amazon.orders.get_order(record.source_id, include_pii=self.include_pii)
            except BridgeError as exc:
                reason = f"reading it again failed: {type(exc).__name__}: {exc}"
                results.append(
                    PostResult(self.kind, record.source_id, PostStatus.FAILED, reason=reason)
                )
                continue
            if is_mcf_order(order) or order.status in WAITING or order.status in CLOSED:
                continue
            results.append(self._post(order))
            self._note_shipment(order)
        return taken

    def _move_cursor(self, cursor: datetime, orders: list[Order], summary: PostSummary) -> str:
        pending = {r.source_id for r in summary.failed}
        held = [o.last_updated for o in orders if o.order_id in pending]
        if held:
            target = min(held)
        elif orders:
            target = orders[-1].last_updated
        else:
            target = cursor
        moved = max(target, cursor)
        if not self.ledger.advance_cursor(
            self.erp.cursor, moved.isoformat(), position=time_position(moved)
        ):
            return f"cursor {self.erp.cursor} already moved further by another run"
        if held:
            return (
                f"cursor {self.erp.cursor} kept at {moved.isoformat()}: {len(held)} orders "
                "failed and are read again next run"
            )
        return f"cursor {self.erp.cursor} -> {moved.isoformat()}"

    def shipments_step(self, orders: list[Order]) -> StepReport:
        target = self.erp.shipment_target
        if target is None:
            return StepReport("shipments", notes=["delivery confirmation is switched off"])
        poster = Poster(self.ledger, target, rebuild=self._document_of, **self.options)
        todo: dict[str, str] = {}
        merchant: list[str] = []
        partly: list[str] = []
        for order in orders:
            record = self.ledger.get(self.kind, order.order_id)
            if record is None or record.state is not RecordState.POSTED:
                continue
            if order.fulfillment_channel is not FulfillmentChannel.AMAZON:
                if order.status is OrderStatus.SHIPPED:
                    merchant.append(order.order_id)
            elif order.status is OrderStatus.SHIPPED and record.document_id:
                todo[order.order_id] = record.document_id
            elif order.status is OrderStatus.PARTIALLY_SHIPPED:
                partly.append(order.order_id)
        waiting: list[str] = []
        for pending in pending_records(self.ledger, self.shipment_kind):
            if pending.source_id in todo:
                continue
            order_record = self.ledger.get(self.kind, pending.source_id)
            if (
                order_record is None
                or order_record.state is not RecordState.POSTED
                or not order_record.document_id
            ):
                waiting.append(pending.source_id)  # posted once its order is
                continue
            todo[pending.source_id] = order_record.document_id
        summary = PostSummary(
            poster.post(self.shipment_kind, order_id, document, describe=f"deliver {document}")
            for order_id, document in todo.items()
        )
        notes = []
        if merchant:
            notes.append(
                f"{len(merchant)} merchant-fulfilled orders shipped: the ERP records their "
                "delivery itself"
            )
        if partly:
            notes.append(f"waiting for the rest of {len(partly)} partially shipped orders")
        if waiting:
            notes.append(
                f"{len(waiting)} shipped orders wait for their order to be posted: "
                + _short(waiting)
            )
        return StepReport("shipments", summary, notes)

    def _document_of(self, kind: str, source_id: str) -> str:
        record = self.ledger.get(self.kind, source_id)
        if record is None or record.state is not RecordState.POSTED or not record.document_id:
            raise ValidationError(
                f"{kind} {source_id}: the order is not posted to {self.erp.name} in the ledger"
            )
        return record.document_id

    def invoices_step(self, summaries: Iterable[PostSummary]) -> StepReport:
        read = self.erp.invoices
        if read is None:
            return StepReport("invoices", notes=["invoice read-back is switched off"])
        documents = {
            r.source_id: r.document.document_id
            for r in itertools.chain.from_iterable(s.results for s in summaries)
            if r.ok and r.document is not None and r.kind == self.kind
        }
        found: list[tuple[str, _Invoice]] = []
        missing = 0
        for amazon_id, document in documents.items():
            invoices = read(document)
            missing += not invoices
            found += [(amazon_id, invoice) for invoice in invoices]
        totals: dict[str, Decimal] = {}
        for _, invoice in found:
            totals[invoice.currency] = totals.get(invoice.currency, Decimal(0)) + (
                invoice.gross or Decimal(0)
            )
        shown = ", ".join(_amount(amount, currency) for currency, amount in sorted(totals.items()))
        notes = [
            f"{len(found)} invoices read back for {len(documents) - missing} of "
            f"{len(documents)} orders" + (f": {shown}" if shown else "")
        ]
        notes += [
            f"invoice {i.number}: order {i.order} (Amazon {amazon_id}), "
            + _amount(i.gross, i.currency)
            for amazon_id, i in found[:INVOICE_EXAMPLES]
        ]
        if missing:
            notes.append(f"{missing} orders not invoiced yet (not delivered, or billing pending)")
        compared, off = invoice_comparison(found, self.amazon_totals)
        if self.amazon_totals and found:
            matching = len({r["amazon_order_id"] for r in compared}) - len(off)
            notes.append(
                f"{matching} of {matching + len(off)} invoiced orders equal the Amazon order "
                "total to the cent"
            )
            notes += off
        return StepReport("invoices", notes=notes, data={"invoices": compared})

    def one(self, order_id: str, *, confirm_shipments: bool) -> WorkflowReport:
        """One order by its Amazon id under the rules of the orders step, then its delivery
        and cancellation follow-ups: the targeted work of an event. The order is read again
        from Amazon, so an old or repeated event acts on the current state, and the ledger
        kinds are the scheduled run's, so neither ever posts what the other did."""
        order = self.amazon.orders.get_order(order_id, include_pii=self.include_pii)
        results: list[PostResult] = []
        closed_after_posting = False
        if is_mcf_order(order):
            note = f"order {order_id}: left to the MCF workflow"
        elif order.status in WAITING:
            note = f"order {order_id}: not posted yet ({order.status.value})"
        elif order.status in CLOSED:
            record = self.ledger.get(self.kind, order.order_id)
            if record is not None and record.state is RecordState.POSTED:
                closed_after_posting = True
                note = f"order {order_id}: cancelled on Amazon after posting ({record.document_id})"
                if self.erp.cancel_target is not None:
                    note_cancellation(self.ledger, self.erp.name, order_id, record.document_id)
            else:
                note = f"order {order_id}: not created: cancelled before posting"
        else:
            results.append(self._post(order))
            self._note_shipment(order)
            note = f"order {order_id}: {_describe(order)}"
        steps = [StepReport("orders", PostSummary(results), [note])]
        if closed_after_posting and self.erp.cancel_target is not None:
            steps.append(
                cancellations_step(
                    self.ledger,
                    self.erp.name,
                    self.erp.cancel_target,
                    posted_document(self.ledger, self.kind, self.erp.name),
                    self.options,
                    replay=False,
                )
            )
        if confirm_shipments and results:
            steps.append(self.shipments_step([order]))
        return WorkflowReport(WORKFLOW, self.erp.name, steps)

    def run(self, *, replay: bool, confirm_shipments: bool, read_invoices: bool) -> WorkflowReport:
        steps: list[StepReport] = []
        replayed = self.replay() if replay else None
        if replayed is not None:
            steps.append(replayed)
        try:
            step, orders, summary = self.orders_step()
        except BridgeError as exc:  # the listing failed after the client's retries
            reason = f"listing failed: {type(exc).__name__}: {exc}; the next run reads again"
            failed = PostResult(self.kind, "amazon orders", PostStatus.FAILED, reason=reason)
            steps.append(StepReport("orders", PostSummary([failed]), ["cursor unchanged"]))
            return WorkflowReport(WORKFLOW, self.erp.name, steps)
        steps.append(step)
        if self.erp.cancel_target is not None:
            steps.append(
                cancellations_step(
                    self.ledger,
                    self.erp.name,
                    self.erp.cancel_target,
                    posted_document(self.ledger, self.kind, self.erp.name),
                    self.options,
                    replay=replay,
                )
            )
        if confirm_shipments:
            steps.append(self.shipments_step(orders))
        if read_invoices:
            handled = [summary] + ([replayed.summary] if replayed and replayed.summary else [])
            steps.append(self.invoices_step(handled))
        return WorkflowReport(WORKFLOW, self.erp.name, steps)


def invoice_comparison(
    found: Sequence[tuple[str, _Invoice]], amazon_totals: Mapping[str, Money]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Per invoice read back, the Amazon order total beside the ERP total (JSON-ready), and a
    note per order whose invoices do not add up to its Amazon total to the cent.

    ``amazon_total`` is what the ERP invoice must come to (items + shipping + gift wrap +
    their taxes - promotions, facilitator tax as configured); an order with several invoices
    (partial deliveries) is compared on their sum.
    """
    rows: list[dict[str, Any]] = []
    sums: dict[str, tuple[str, Decimal]] = {}
    for amazon_id, invoice in found:
        expected = amazon_totals.get(amazon_id)
        gross = invoice.gross
        rows.append(
            {
                "amazon_order_id": amazon_id,
                "invoice": invoice.number,
                "amazon_total": None if expected is None else _cents(expected),
                "erp_total": None if gross is None else _cents_of(gross, invoice.currency),
                "currency": invoice.currency,
            }
        )
        currency, total = sums.get(amazon_id, (invoice.currency, Decimal(0)))
        sums[amazon_id] = (currency, total + (gross or Decimal(0)))
    off: list[str] = []
    for amazon_id, (currency, total) in sums.items():
        expected = amazon_totals.get(amazon_id)
        if expected is None:
            continue
        if expected.currency != currency or expected.amount != total:
            off.append(
                f"! order {amazon_id}: ERP invoices {_amount(total, currency)}, Amazon total "
                f"{expected}"
            )
    for row in rows:
        expected = amazon_totals.get(row["amazon_order_id"])
        currency, total = sums[row["amazon_order_id"]]
        row["matches"] = (
            expected is not None and expected.currency == currency and expected.amount == total
        )
    return rows, off


def _cents(money: Money) -> str:
    return format(money.rounded().amount, "f")


def _cents_of(amount: Decimal, currency: str) -> str:
    return _cents(Money(amount, currency)) if is_currency(currency) else format(amount, "f")


def m3_order_texts(payload: M3CustomerOrder) -> list[OrderText]:
    """The mapped gift messages of an M3 order as the client sends them: a post-text
    (AddBatchText TYPE 2, TYTR 2) of each gifted line, on its line number."""
    return [OrderText(message, line=number) for number, message in payload.gift_messages]


def m3_order_charges(payload: M3CustomerOrder) -> list[OrderCharge]:
    """The mapped charges of an M3 order as the client sends them: head charges (taxes, with
    CUCD/TAXC) and each line's charges on its line number (lines are numbered 1, 2, ...)."""
    charges = [
        OrderCharge(r["CRID"], Decimal(r["CRAM"]), currency=r.get("CUCD"), tax_code=r.get("TAXC"))
        for r in payload.head_charges
    ]
    charges += [
        OrderCharge(r["CRID"], Decimal(r["CRAM"]), line=number)
        for number, records in enumerate(payload.line_charges, start=1)
        for r in records
    ]
    return charges


def _expected_total(rules: ChargeRules | None) -> Callable[[Order], Money]:
    def total(order: Order) -> Money:
        return expected_invoice_total(order, rules or ChargeRules())

    return total


# -- entry points -----------------------------------------------------------------------------


def m3_crosswalk(m3: M3Client, alias_kinds: Iterable[str] = M3_ALIAS_KINDS) -> ItemCrosswalk:
    """The item crosswalk from M3's item aliases (MMS025MI) of these kinds."""
    return ItemCrosswalk.from_m3_aliases(
        alias.record for kind in alias_kinds for alias in m3.items.all_aliases(kind)
    )


def sap_crosswalk(sap: ODataClient) -> ItemCrosswalk:
    """The item crosswalk from SAP's products: material number = seller SKU, GTIN too."""
    return ItemCrosswalk.from_sap_products(p.raw for p in ProductService(sap).iter_all())


def _m3_invoices(m3: M3Client) -> Callable[[str], list[_Invoice]]:
    def read(orno: str) -> list[_Invoice]:
        return [
            _Invoice(f"{i.year}/{i.number}", orno, i.gross, i.currency)
            for i in m3.invoices.by_order(orno)
        ]

    return read


def _sap_invoices(sap: ODataClient) -> Callable[[str], list[_Invoice]]:
    billing = BillingDocumentService(sap)

    def read(sales_order: str) -> list[_Invoice]:
        return [
            _Invoice(
                b.billing_document, sales_order, b.total_gross_amount, b.transaction_currency or ""
            )
            for b in billing.find_by_sales_order(sales_order)
            if not b.is_cancelled
        ]

    return read


def order_to_cash_m3(
    amazon: SpApiClient,
    m3: M3Client,
    ledger: Ledger,
    config: OrderToCashM3Config,
    *,
    poster_options: Mapping[str, Any] | None = None,
    replay: bool = False,
) -> WorkflowReport:
    """Amazon orders -> M3 customer orders, AFN shipments -> M3 deliveries, invoices read back.

    ``poster_options`` go to each :class:`~amazon_erp_bridge.posting.Poster` (``retry``,
    ``sleep``, ``breaker``, ``clock``, ``max_attempts``); ``replay`` first posts the
    dead-lettered orders again. See the module docs for the rules.
    """
    return _m3_run(amazon, m3, ledger, config, poster_options).run(
        replay=replay,
        confirm_shipments=config.confirm_shipments,
        read_invoices=config.read_invoices,
    )


def post_order_m3(
    amazon: SpApiClient,
    m3: M3Client,
    ledger: Ledger,
    config: OrderToCashM3Config,
    order_id: str,
    *,
    poster_options: Mapping[str, Any] | None = None,
) -> WorkflowReport:
    """Post ONE Amazon order to M3 by its id, with the rules and ledger kinds of
    :func:`order_to_cash_m3` (orders step, then its delivery or cancellation): what an event
    asks for. The cursor is left alone; a duplicate is a duplicate, never a second order."""
    return _m3_run(amazon, m3, ledger, config, poster_options).one(
        order_id, confirm_shipments=config.confirm_shipments
    )


def _m3_run(
    amazon: SpApiClient,
    m3: M3Client,
    ledger: Ledger,
    config: OrderToCashM3Config,
    poster_options: Mapping[str, Any] | None,
) -> _Run[M3CustomerOrder]:
    items = config.items or m3_crosswalk(m3, config.alias_kinds)

    def to_payload(order: Order) -> M3CustomerOrder:
        return order_to_m3(
            order,
            customers=config.customers,
            order_types=config.order_types,
            items=items,
            settings=config.settings,
            unit_price_for=config.unit_price,
        )

    erp = _Erp(
        "m3",
        config.cursor,
        to_payload,
        _M3OrderTarget(m3),
        _M3ShipmentTarget(m3, config.delivery_route, config.delivery_values),
        _m3_invoices(m3),
        (
            M3CancelTarget(m3, config.cancellation_rules, config.cancel_reason)
            if config.cancel_orders
            else None
        ),
        expected_total=_expected_total(config.settings.charges),
    )
    return _Run(
        amazon,
        ledger,
        erp,
        marketplaces=config.marketplaces,
        start=config.start,
        overlap=config.overlap,
        include_pii=config.include_pii,
        poster_options=poster_options,
    )


def order_to_cash_sap(
    amazon: SpApiClient,
    sap: ODataClient,
    ledger: Ledger,
    config: OrderToCashSapConfig,
    *,
    poster_options: Mapping[str, Any] | None = None,
    replay: bool = False,
) -> WorkflowReport:
    """Amazon orders -> SAP sales orders, AFN shipments -> outbound deliveries with goods
    issue, billing documents read back. Options as :func:`order_to_cash_m3`."""
    return _sap_run(amazon, sap, ledger, config, poster_options).run(
        replay=replay,
        confirm_shipments=config.confirm_shipments,
        read_invoices=config.read_invoices,
    )


def post_order_sap(
    amazon: SpApiClient,
    sap: ODataClient,
    ledger: Ledger,
    config: OrderToCashSapConfig,
    order_id: str,
    *,
    poster_options: Mapping[str, Any] | None = None,
) -> WorkflowReport:
    """Post ONE Amazon order to SAP by its id, as :func:`post_order_m3` does for M3."""
    return _sap_run(amazon, sap, ledger, config, poster_options).one(
        order_id, confirm_shipments=config.confirm_shipments
    )


def _sap_run(
    amazon: SpApiClient,
    sap: ODataClient,
    ledger: Ledger,
    config: OrderToCashSapConfig,
    poster_options: Mapping[str, Any] | None,
) -> _Run[Mapping[str, Any]]:
    items = config.items or sap_crosswalk(sap)

    def to_payload(order: Order) -> dict[str, Any]:
        return order_to_sap(
            order,
            customers=config.customers,
            order_types=config.order_types,
            items=items,
            settings=config.settings,
            unit_price_for=config.unit_price,
        )

    erp = _Erp(
        "sap",
        config.cursor,
        to_payload,
        _SapOrderTarget(sap),
        _SapShipmentTarget(sap, config.shipping_point),
        _sap_invoices(sap),
        SapCancelTarget(sap, config.cancellation_rules) if config.cancel_orders else None,
        expected_total=_expected_total(config.settings.charges),
    )
    return _Run(
        amazon,
        ledger,
        erp,
        marketplaces=config.marketplaces,
        start=config.start,
        overlap=config.overlap,
        include_pii=config.include_pii,
        poster_options=poster_options,
    )


__all__ = [
    "CLOSED",
    "WAITING",
    "OrderToCashM3Config",
    "OrderToCashSapConfig",
    "m3_crosswalk",
    "order_to_cash_m3",
    "order_to_cash_sap",
    "post_order_m3",
    "post_order_sap",
    "sap_crosswalk",
]
