"""Confirm shipments: ERP deliveries of merchant-fulfilled (MFN) orders -> Amazon
``confirmShipment``, once each.

A merchant-fulfilled order reaches the ERP through order to cash; the seller's warehouse ships
it and the ERP records the delivery. One run of :func:`confirm_shipments_m3` or
:func:`confirm_shipments_sap`:

1. lists the MFN orders Amazon still waits for (Unshipped, PartiallyShipped) created since
   ``start`` in the configured marketplaces, and takes up confirmations left pending by
   earlier runs (kind ``confirm.<erp>``);
2. for each one that order to cash posted (the ledger's ``order.<erp>`` record), reads the ERP:
   **M3** - the order is delivered (status 66 or more), its delivery numbers (MWS411MI
   ``LstDelLnByOrd``), packages and tracking numbers (MWS423MI ``LstPackDel`` ``ETRN``, the
   departure or registration date ``DSDT``/``RGDT`` as ship date), the package's final
   delivery method (``MODF``) or the head's (``MODL``) as carrier, the delivered quantities
   of the lines (OIS100MI ``LstLine`` ``DLQT``); **SAP** - the goods-issued outbound
   deliveries of the sales order, their tracking number (``BillOfLading``), goods movement
   date and delivered items;
   an order the ERP has not shipped yet is left for a later run (counted in the notes);
3. maps the delivery to a ``ConfirmShipmentRequest``
   (:func:`~amazon_erp_bridge.mapping.confirm_shipment_request`: carrier codes as data,
   tracking, ship date, Amazon order items with quantities) and posts it once through the
   :class:`~amazon_erp_bridge.posting.Poster`: Amazon is asked first (``getOrder``: an order
   already Shipped is recorded as found existing), and a 400 that says the package is already
   confirmed is recorded the same way, never retried. Any other 400 (a bad carrier, a
   quantity Amazon does not expect) is dead-lettered with Amazon's message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal
from typing import Any, Final

from attrs import field, frozen

from amazon_erp_bridge.amazon import SpApiClient
from amazon_erp_bridge.amazon.orders import ConfirmShipmentRequest, ShipmentConfirmationError
from amazon_erp_bridge.errors import ApiError, BridgeError, MappingError, ValidationError
from amazon_erp_bridge.infor import M3Client, MiError
from amazon_erp_bridge.mapping import CarrierRules, ItemCrosswalk, confirm_shipment_request
from amazon_erp_bridge.model import (
    FulfillmentChannel,
    Order,
    OrderStatus,
    Shipment,
    ShipmentItem,
    ShipmentPackage,
)
from amazon_erp_bridge.posting import (
    ErpDocument,
    Ledger,
    Poster,
    PostResult,
    PostStatus,
    PostSummary,
    RecordState,
    pending_records,
)
from amazon_erp_bridge.sap import ODataClient, OutboundDeliveryService, SalesOrderService
from amazon_erp_bridge.workflows.report import StepReport, WorkflowReport

WORKFLOW: Final = "confirm-shipments"
#: Amazon statuses of MFN orders that still wait for a shipment confirmation.
AWAITING: Final = (OrderStatus.UNSHIPPED, OrderStatus.PARTIALLY_SHIPPED)
#: Words of Amazon's 400 for a package it already has.
ALREADY_CONFIRMED_WORDS: Final = ("already",)


def _marketplaces(value: Iterable[str]) -> tuple[str, ...]:
    out = tuple(value)
    if not out or any(not m.strip() for m in out):
        raise ValidationError("confirm-shipments config: marketplaces must name at least one id")
    return out


def _aware(_instance: object, attribute: Any, value: datetime) -> None:
    if value.tzinfo is None:
        raise ValidationError(f"confirm-shipments config: {attribute.name} must be timezone-aware")


@frozen
class ConfirmShipmentsM3Config:
    """The rule data of confirming M3 deliveries of MFN orders to Amazon.

    ``carriers`` map the order's M3 delivery method (MODL) to Amazon's carrierCode;
    ``default_carrier`` is used when the order has none. ``items`` maps M3 item numbers back
    to seller SKUs (built from the M3 aliases when None); M3 dates are read in ``timezone``.
    ``start`` bounds the Amazon listing (orders created since); ``order_kind`` is the ledger
    kind order to cash posted the orders under.
    """

    marketplaces: tuple[str, ...] = field(converter=_marketplaces)
    start: datetime = field(validator=_aware)
    carriers: CarrierRules = field(factory=CarrierRules)
    default_carrier: str | None = None
    items: ItemCrosswalk | None = None
    alias_kinds: tuple[str, ...] = ("seller_sku", "asin", "fnsku")
    timezone: tzinfo = UTC
    order_kind: str = "order.m3"


@frozen
class ConfirmShipmentsSapConfig:
    """The rule data of confirming SAP outbound deliveries of MFN orders to Amazon.

    The tracking number is the delivery's ``tracking_field`` (``BillOfLading``); the carrier
    the delivery's ``carrier_field`` when set (e.g. ``MeansOfTransport``), else
    ``default_carrier``; a delivery item's Material is its seller SKU unless ``items`` maps it.
    """

    marketplaces: tuple[str, ...] = field(converter=_marketplaces)
    start: datetime = field(validator=_aware)
    carriers: CarrierRules = field(factory=CarrierRules)
    default_carrier: str | None = None
    carrier_field: str | None = None
    tracking_field: str = "BillOfLading"
    items: ItemCrosswalk | None = None
    order_kind: str = "order.sap"


# -- Amazon as the target ---------------------------------------------------------------------


@frozen
class _Confirmation:
    """One confirmation to post; ``request`` is None when Amazon already shows the order
    shipped (a run that died after Amazon's answer): ``find`` records it, nothing is sent."""

    order_id: str
    request: ConfirmShipmentRequest | None


class _ConfirmTarget:
    """confirmShipment at Amazon: getOrder first (Shipped -> found), 400 "already" -> found."""

    name = "amazon"

    def __init__(self, amazon: SpApiClient) -> None:
        self._amazon = amazon

    def find(self, source_id: str, payload: _Confirmation) -> ErpDocument | None:
        order = self._amazon.orders.get_order(payload.order_id)
        if order.status is OrderStatus.SHIPPED:
            return ErpDocument("amazon", payload.order_id, detail={"status": order.status.value})
        return None

    def create(self, payload: _Confirmation) -> ErpDocument:
        if payload.request is None:
            raise ValidationError(
                f"order {payload.order_id}: Amazon no longer shows it shipped; nothing to confirm"
            )
        package = payload.request.package
        detail = {
            "package": package.package_reference_id,
            "carrier": package.carrier_code,
            "tracking": package.tracking_number,
        }
        try:
            self._amazon.orders.confirm_shipment(payload.order_id, payload.request)
        except ShipmentConfirmationError as exc:
            message = exc.amazon_message.casefold()
            if exc.status == 400 and any(w in message for w in ALREADY_CONFIRMED_WORDS):
                return ErpDocument(
                    "amazon",
                    payload.order_id,
                    detail={**detail, "amazon": f"already confirmed: {exc.amazon_message}"},
                )
            raise
        return ErpDocument("amazon", payload.order_id, detail=detail)


# -- reading the ERP's deliveries -------------------------------------------------------------

#: Reads the ERP shipment of (Amazon order, ERP document), or None while it is not shipped.
_ShipmentReader = Callable[[Order, str], Shipment | None]


def _m3_number(text: str | None, what: str) -> Decimal:
    try:
        return Decimal((text or "0").strip() or "0")
    except ArithmeticError as exc:
        raise ValidationError(f"M3 {what}: {text!r} is not a number") from exc


def _m3_day(text: str | None, tz: tzinfo) -> datetime | None:
    value = (text or "").strip()
    if len(value) != 8 or not value.isdigit():
        return None
    day = date(int(value[:4]), int(value[4:6]), int(value[6:]))
    return datetime.combine(day, time(12), tzinfo=tz)


def _skus_of(order: Order) -> set[str]:
    return {line.item.seller_sku for line in order.lines if line.item.seller_sku}


def _sku(item: str, order: Order, items: ItemCrosswalk | None, what: str) -> str:
    skus = _skus_of(order)
    if items is not None:
        for sku in items.seller_skus_for(item):
            if sku in skus:
                return sku
    if item in skus:
        return item
    raise MappingError(
        f"order {order.order_id}: {what} item {item} is none of the Amazon order's SKUs "
        f"({', '.join(sorted(skus))}); add it to the item crosswalk"
    )


def _m3_reader(
    m3: M3Client, config: ConfirmShipmentsM3Config, items: ItemCrosswalk
) -> _ShipmentReader:
    def read(order: Order, orno: str) -> Shipment | None:
        orders = m3.customer_orders
        if not orders.status(orno).is_delivered:
            return None
        head = orders.get_head(orno)
        carrier = (head.record.get("MODL") or "").strip() or (config.default_carrier or "")
        shipped = [
            ShipmentItem(
                _sku(line.item, order, items, "M3"),
                int(_m3_number(line.record.get("DLQT"), "OIS100MI LstLine DLQT")),
            )
            for line in orders.lines(orno)
        ]
        deliveries = sorted(
            {
                r.get("DLIX", "")
                for r in m3.execute("MWS411MI", "LstDelLnByOrd", {"RORC": "3", "RIDN": orno})
                if r.get("DLIX")
            }
        )
        packages: list[ShipmentPackage] = []
        shipped_at: datetime | None = None
        for dlix in deliveries:
            for record in m3.execute("MWS423MI", "LstPackDel", {"DLIX": dlix}):
                method = (record.get("MODF") or "").strip() or carrier
                packages.append(
                    ShipmentPackage(record.get("PANR", ""), method, record.get("ETRN") or None)
                )
                shipped_at = (
                    shipped_at
                    or _m3_day(record.get("DSDT"), config.timezone)
                    or _m3_day(record.get("RGDT"), config.timezone)
                )
        return Shipment(
            shipment_id=",".join(deliveries) or orno,
            order_id=order.order_id,
            status="SHIPPED",
            shipped_at=shipped_at or datetime.now(UTC),
            items=tuple(s for s in shipped if s.quantity > 0),
            packages=tuple(packages),
        )

    return read


def _sap_reader(sap: ODataClient, config: ConfirmShipmentsSapConfig) -> _ShipmentReader:
    deliveries = OutboundDeliveryService(sap)
    sales = SalesOrderService(sap)

    def read(order: Order, sales_order: str) -> Shipment | None:
        issued = [d for d in deliveries.find_by_sales_order(sales_order) if d.goods_issued]
        if not issued:
            return None
        materials = {i.sales_order_item: i.material or "" for i in sales.get(sales_order).items}
        shipped: list[ShipmentItem] = []
        packages: list[ShipmentPackage] = []
        day: date | None = None
        for found in issued:
            delivery = deliveries.get(found.delivery_document)
            field_name = config.carrier_field
            carrier = str(delivery.raw.get(field_name) or "") if field_name else ""
            tracking = str(delivery.raw.get(config.tracking_field) or "") or None
            packages.append(
                ShipmentPackage(
                    delivery.delivery_document, carrier or config.default_carrier, tracking
                )
            )
            day = day or delivery.actual_goods_movement_date
            for item in delivery.items:
                material = item.material or materials.get(item.reference_sd_document_item or "", "")
                quantity = int(item.actual_delivery_quantity or 0)
                if quantity > 0:
                    shipped.append(
                        ShipmentItem(_sku(material, order, config.items, "SAP"), quantity)
                    )
        return Shipment(
            shipment_id=",".join(d.delivery_document for d in issued),
            order_id=order.order_id,
            status="SHIPPED",
            shipped_at=datetime.combine(day, time(12), tzinfo=UTC) if day else datetime.now(UTC),
            items=tuple(shipped),
            packages=tuple(packages),
        )

    return read


# -- the run ----------------------------------------------------------------------------------


def _short(ids: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


class _Run:
    """What both ERPs share: the Amazon listing, the ledger, mapping and posting."""

    def __init__(
        self,
        amazon: SpApiClient,
        ledger: Ledger,
        erp: str,
        *,
        marketplaces: Sequence[str],
        start: datetime,
        order_kind: str,
        carriers: CarrierRules,
        read: _ShipmentReader,
        poster_options: Mapping[str, Any] | None,
    ) -> None:
        self.amazon = amazon
        self.ledger = ledger
        self.erp = erp
        self.kind = f"confirm.{erp}"
        self.order_kind = order_kind
        self.marketplaces = list(marketplaces)
        self.start = start
        self.carriers = carriers
        self.read = read
        self.poster: Poster[_Confirmation] = Poster(
            ledger, _ConfirmTarget(amazon), rebuild=self._rebuild, **dict(poster_options or {})
        )

    def _document(self, order_id: str) -> str | None:
        record = self.ledger.get(self.order_kind, order_id)
        if record is None or record.state is not RecordState.POSTED:
            return None
        return record.document_id

    def _payload(self, order: Order, document: str) -> _Confirmation | None:
        shipment = self.read(order, document)
        if shipment is None:
            return None
        return _Confirmation(
            order.order_id, confirm_shipment_request(order, shipment, self.carriers)
        )

    def _rebuild(self, kind: str, order_id: str) -> _Confirmation:
        document = self._document(order_id)
        if document is None:
            raise ValidationError(f"{kind} {order_id}: the order is not posted to {self.erp}")
        payload = self._payload(self.amazon.orders.get_order(order_id), document)
        if payload is None:
            raise ValidationError(f"{kind} {order_id}: {self.erp.upper()} has not shipped it")
        return _Confirmation(order_id, payload.request)

    def post(self, order: Order, document: str) -> PostResult | None:
        """Confirm one order's ERP shipment once; None while the ERP has not shipped it."""
        if order.status is OrderStatus.SHIPPED:  # confirmed before a crash: find records it
            return self.poster.post(
                self.kind,
                order.order_id,
                _Confirmation(order.order_id, None),
                describe=f"Amazon shows it shipped, {document}",
            )
        try:
            payload = self._payload(order, document)
        except (MappingError, ValidationError) as exc:
            return self.poster.reject(self.kind, order.order_id, exc)
        except BridgeError as exc:  # the ERP read failed after the client's retries
            reason = f"reading {self.erp.upper()} failed: {type(exc).__name__}: {exc}"
            self.ledger.receive(self.kind, order.order_id, describe=f"ERP {document}")
            return PostResult(self.kind, order.order_id, PostStatus.FAILED, reason=reason)
        if payload is None or payload.request is None:
            return None
        package = payload.request.package
        return self.poster.post(
            self.kind,
            order.order_id,
            payload,
            describe=f"{package.carrier_code} {package.tracking_number}, {document}",
        )

    def run(self, *, replay: bool) -> WorkflowReport:
        steps: list[StepReport] = []
        if replay:
            steps.append(StepReport("replay", self.poster.replay(self.kind)))
        try:
            orders = {
                o.order_id: o
                for o in self.amazon.orders.get_orders(
                    self.marketplaces,
                    created_after=self.start,
                    statuses=list(AWAITING),
                    fulfillment_channels=[FulfillmentChannel.MERCHANT],
                )
            }
        except BridgeError as exc:  # the listing failed after the client's retries
            reason = f"listing failed: {type(exc).__name__}: {exc}; the next run reads again"
            failed = PostResult(self.kind, "amazon orders", PostStatus.FAILED, reason=reason)
            steps.append(StepReport("confirmations", PostSummary([failed])))
            return WorkflowReport(WORKFLOW, self.erp, steps)
        for record in pending_records(self.ledger, self.kind):
            if record.source_id not in orders:
                try:
                    orders[record.source_id] = self.amazon.orders.get_order(record.source_id)
                except BridgeError:
                    continue
        results: list[PostResult] = []
        not_posted: list[str] = []
        not_shipped: list[str] = []
        for order_id, order in sorted(orders.items()):
            settled = self.ledger.get(self.kind, order_id)
            if settled is not None and settled.state in (
                RecordState.POSTED,
                RecordState.DEAD_LETTERED,
            ):
                continue
            document = self._document(order_id)
            if document is None:
                not_posted.append(order_id)
                continue
            result = self.post(order, document)
            if result is None:
                not_shipped.append(f"{order_id} ({document})")
            else:
                results.append(result)
        notes = [
            f"{len(orders)} merchant-fulfilled orders wait for a shipment confirmation "
            f"in {len(self.marketplaces)} marketplaces"
        ]
        for result in results:
            if result.status is PostStatus.CREATED and result.document is not None:
                detail = result.document.detail
                notes.append(
                    f"order {result.source_id}: {detail.get('carrier')} "
                    f"{detail.get('tracking')} confirmed"
                )
            elif result.status is PostStatus.FOUND_EXISTING:
                notes.append(f"order {result.source_id}: Amazon had the confirmation already")
        if not_shipped:
            notes.append(
                f"not shipped by {self.erp.upper()} yet: {len(not_shipped)}: {_short(not_shipped)}"
            )
        if not_posted:
            notes.append(
                f"not in {self.erp.upper()} (order to cash has not posted them): "
                f"{len(not_posted)}: {_short(not_posted)}"
            )
        steps.append(StepReport("confirmations", PostSummary(results), notes))
        return WorkflowReport(WORKFLOW, self.erp, steps)


# -- entry points -----------------------------------------------------------------------------


def confirm_shipments_m3(
    amazon: SpApiClient,
    m3: M3Client,
    ledger: Ledger,
    config: ConfirmShipmentsM3Config,
    *,
    poster_options: Mapping[str, Any] | None = None,
    replay: bool = False,
) -> WorkflowReport:
    """M3 deliveries of MFN orders -> Amazon confirmShipment, once each.

    ``poster_options`` go to the :class:`~amazon_erp_bridge.posting.Poster`; ``replay`` first
    confirms dead-lettered ones again (re-read from M3 and Amazon). See the module docs.
    """
    items = config.items or ItemCrosswalk.from_m3_aliases(
        alias.record for kind in config.alias_kinds for alias in m3.items.all_aliases(kind)
    )
    return _Run(
        amazon,
        ledger,
        "m3",
        marketplaces=config.marketplaces,
        start=config.start,
        order_kind=config.order_kind,
        carriers=config.carriers,
        read=_m3_reader(m3, config, items),
        poster_options=poster_options,
    ).run(replay=replay)


def confirm_shipments_sap(
    amazon: SpApiClient,
    sap: ODataClient,
    ledger: Ledger,
    config: ConfirmShipmentsSapConfig,
    *,
    poster_options: Mapping[str, Any] | None = None,
    replay: bool = False,
) -> WorkflowReport:
    """SAP goods-issued outbound deliveries of MFN orders -> Amazon confirmShipment, once
    each. Options as :func:`confirm_shipments_m3`."""
    return _Run(
        amazon,
        ledger,
        "sap",
        marketplaces=config.marketplaces,
        start=config.start,
        order_kind=config.order_kind,
        carriers=config.carriers,
        read=_sap_reader(sap, config),
        poster_options=poster_options,
    ).run(replay=replay)


# -- one record (events) ----------------------------------------------------------------------


def _confirm_one(run: _Run, order_id: str, via: str) -> WorkflowReport:
    """Confirm the shipment of one Amazon order through ``run``'s own posting path (the
    scheduled run's ledger kind, poster and ERP reader): a duplicate when the ledger holds it
    settled, no write while the ERP has not shipped it."""
    settled = run.ledger.get(run.kind, order_id)
    notes = [f"order {order_id} (from {via})"]
    if settled is not None and settled.state in (RecordState.POSTED, RecordState.DEAD_LETTERED):
        status = (
            PostStatus.DUPLICATE
            if settled.state is RecordState.POSTED
            else PostStatus.DEAD_LETTERED
        )
        result = PostResult(
            run.kind,
            order_id,
            status,
            document=settled.document,
            reason=settled.reason,
            attempts=settled.attempts,
        )
        return WorkflowReport(
            WORKFLOW, run.erp, [StepReport("confirmations", PostSummary([result]), notes)]
        )
    document = run._document(order_id)
    if document is None:
        raise ValidationError(
            f"order {order_id} (from {via}): unknown to {run.erp.upper()}: "
            f"order to cash has not posted it ({run.order_kind})"
        )
    posted = run.post(run.amazon.orders.get_order(order_id), document)
    if posted is None:
        notes.append(f"not shipped by {run.erp.upper()} yet: {document}")
    return WorkflowReport(
        WORKFLOW,
        run.erp,
        [StepReport("confirmations", PostSummary([posted] if posted else []), notes)],
    )


def confirm_shipment_m3(
    amazon: SpApiClient,
    m3: M3Client,
    ledger: Ledger,
    config: ConfirmShipmentsM3Config,
    record_id: str,
    *,
    poster_options: Mapping[str, Any] | None = None,
) -> WorkflowReport:
    """Confirm one M3 delivery's shipment to Amazon, once: ``record_id`` is the Amazon order
    id, or the M3 customer order (ORNO) whose CUOR carries it (what an ION ``Sync.Shipment``
    names). The same ledger kind, poster and M3 reads as :func:`confirm_shipments_m3`, so an
    event and a scheduled run never confirm twice. An order M3 or the ledger does not know
    raises :class:`~amazon_erp_bridge.errors.ValidationError` naming it."""
    order_id, via = record_id, "Amazon order id"
    if ledger.get(config.order_kind, record_id) is None:
        try:
            head = m3.customer_orders.get_head(record_id)
        except MiError as exc:  # M3 answered: no such order
            raise ValidationError(f"M3 order {record_id}: unknown ({exc})") from exc
        except ApiError as exc:
            if exc.status != 404:
                raise
            raise ValidationError(f"M3 order {record_id}: unknown ({exc})") from exc
        order_id, via = (head.cuor or "").strip(), f"M3 order {record_id} CUOR"
        if not order_id:
            raise ValidationError(f"M3 order {record_id}: unknown Amazon order (CUOR is empty)")
    items = config.items or ItemCrosswalk.from_m3_aliases(
        alias.record for kind in config.alias_kinds for alias in m3.items.all_aliases(kind)
    )
    run = _Run(
        amazon,
        ledger,
        "m3",
        marketplaces=config.marketplaces,
        start=config.start,
        order_kind=config.order_kind,
        carriers=config.carriers,
        read=_m3_reader(m3, config, items),
        poster_options=poster_options,
    )
    return _confirm_one(run, order_id, via)


def confirm_shipment_sap(
    amazon: SpApiClient,
    sap: ODataClient,
    ledger: Ledger,
    config: ConfirmShipmentsSapConfig,
    record_id: str,
    *,
    poster_options: Mapping[str, Any] | None = None,
) -> WorkflowReport:
    """Confirm one SAP outbound delivery's shipment to Amazon, once: ``record_id`` is the
    Amazon order id, or the delivery (what ``OutboundDelivery.GoodsIssued`` names) whose
    sales order's ``PurchaseOrderByCustomer`` carries it. Otherwise as
    :func:`confirm_shipment_m3`."""
    order_id, via = record_id, "Amazon order id"
    if ledger.get(config.order_kind, record_id) is None:
        try:
            delivery = OutboundDeliveryService(sap).get(record_id)
            orders = sorted(
                {i.reference_sd_document for i in delivery.items if i.reference_sd_document}
            )
            if not orders:
                raise ValidationError(f"SAP delivery {record_id}: no sales order on its items")
            reference = SalesOrderService(sap).get(orders[0], with_items=False)
        except ApiError as exc:
            if exc.status != 404:
                raise
            raise ValidationError(f"SAP delivery {record_id}: unknown ({exc})") from exc
        order_id = (reference.purchase_order_by_customer or "").strip()
        via = f"SAP delivery {record_id}, sales order {orders[0]}"
        if not order_id:
            raise ValidationError(f"{via}: unknown Amazon order (PurchaseOrderByCustomer is empty)")
    run = _Run(
        amazon,
        ledger,
        "sap",
        marketplaces=config.marketplaces,
        start=config.start,
        order_kind=config.order_kind,
        carriers=config.carriers,
        read=_sap_reader(sap, config),
        poster_options=poster_options,
    )
    return _confirm_one(run, order_id, via)


__all__ = [
    "AWAITING",
    "WORKFLOW",
    "ConfirmShipmentsM3Config",
    "ConfirmShipmentsSapConfig",
    "confirm_shipment_m3",
    "confirm_shipment_sap",
    "confirm_shipments_m3",
    "confirm_shipments_sap",
]
