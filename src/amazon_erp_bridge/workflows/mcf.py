"""Multi-Channel Fulfillment: ERP orders flagged for MCF -> Amazon fulfilment orders, and
Amazon's shipments back to the ERP.

One run of :func:`mcf_m3` or :func:`mcf_sap`:

1. **fulfillment orders** - the ERP's open orders flagged for MCF (an order type in
   ``McfRules.flag_order_types``, or a true-ish head field ``McfRules.flag_attribute``; M3
   orders of the configured customers, SAP sales orders) become canonical orders
   (:func:`~amazon_erp_bridge.mapping.m3_order` / :func:`~amazon_erp_bridge.mapping.sap_order`),
   then ``createFulfillmentOrder`` bodies (:func:`~amazon_erp_bridge.mapping.mcf_order_request`),
   each created exactly once: the ledger first (kind ``mcf.<erp>``, source id the ERP order
   number), then Amazon is asked by ``getFulfillmentOrder`` (the ERP order number is the
   ``sellerFulfillmentOrderId``; 404 means absent) before anything is created. An order that
   cannot be mapped or that Amazon refuses (unknown SKU, bad address) is dead-lettered.
2. **cancellations** and **updates** - each ERP order already at Amazon (and not yet
   shipped back) is read again. Cancelled in the ERP (M3: no open line left, deleted or
   closed with status 99; SAP: every item rejected, or the order gone) -> ``cancelFulfillmentOrder``
   once (kind ``mcf.cancel.<erp>``): Amazon's status is read first, Cancelled counts as done,
   and an order Amazon is picking or has shipped (anything but New, Received, Planning) is
   dead-lettered with its status, as is a 400 from Amazon. Changed (quantities, lines closed
   or rejected -> quantity 0, the delivery address) -> ``updateFulfillmentOrder`` once per
   change (kind ``mcf.update.<erp>``, source ``<order>@<digest held>><digest wanted>``) with
   only what differs (:func:`~amazon_erp_bridge.mapping.mcf_changes.mcf_update_request`); an
   ERP order whose body has the digest of what Amazon holds costs no call to Amazon.
3. **tracking** - each fulfilment order created earlier and not yet reported back is read
   (``tracking_polls`` times at most, ``poll_interval`` seconds apart, until Amazon is done).
   Once it is Complete, its SHIPPED shipments go to the ERP once (kind ``mcf_shipment.<erp>``):
   M3 confirms the order's delivery (the tracking numbers stay in the ledger and the report:
   M3 has no MI field for them on this route); SAP gets one outbound delivery per shipment
   with the tracking number in ``BillOfLading``, picked and goods-issued. A fulfilment order
   Amazon cancelled or could not fulfil is dead-lettered with that reason, for a person to
   decide what the ERP order becomes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, tzinfo
from decimal import Decimal
from functools import partial
from typing import Any, Final

from attrs import field, frozen

from amazon_erp_bridge.amazon import FulfillmentOrderDetails, SpApiClient
from amazon_erp_bridge.core.redaction import get_logger
from amazon_erp_bridge.errors import (
    ApiError,
    BridgeError,
    MappingError,
    PostingError,
    ValidationError,
)
from amazon_erp_bridge.infor import DEFAULT_ROUTE, DeliveryRoute, M3Client
from amazon_erp_bridge.mapping import (
    SAP_SHIP_TO,
    ItemCrosswalk,
    McfRules,
    SapDeliveryUpdate,
    ShipmentAction,
    is_flagged_for_mcf,
    m3_order,
    mcf_order_request,
    sap_delivery_update,
    sap_order,
    shipment_action,
)
from amazon_erp_bridge.mapping.mcf_changes import (
    mcf_can_change,
    mcf_return_items,
    mcf_update_request,
)
from amazon_erp_bridge.model import Order, OrderStatus, Shipment
from amazon_erp_bridge.posting import (
    ErpDocument,
    ErpTarget,
    Ledger,
    Poster,
    PostResult,
    PostStatus,
    PostSummary,
    RecordState,
    digest,
)
from amazon_erp_bridge.sap import (
    DeliveryLine,
    ODataClient,
    OutboundDeliveryService,
    SalesOrderService,
    prop,
)
from amazon_erp_bridge.workflows.order_to_cash import M3_ALIAS_KINDS, m3_crosswalk
from amazon_erp_bridge.workflows.report import StepReport, WorkflowReport

log = get_logger("amazon_erp_bridge.workflows.mcf")

WORKFLOW: Final = "mcf"
#: Fulfilment order statuses after which Amazon does nothing more with the order.
DONE: Final = frozenset({"Complete", "CompletePartialled", "Cancelled", "Unfulfillable", "Invalid"})
SHIPPED: Final = frozenset({"Complete", "CompletePartialled"})
#: ERP orders in these (Amazon-spelt) statuses are still to be fulfilled.
OPEN: Final = frozenset({OrderStatus.UNSHIPPED, OrderStatus.PENDING})


def _polls(_instance: object, attribute: Any, value: int) -> None:
    if value < 1:
        raise ValidationError(f"MCF config: {attribute.name} must be at least 1, got {value}")


def _customers(value: Iterable[str]) -> tuple[str, ...]:
    out = tuple(value)
    if not out or any(not c.strip() for c in out):
        raise ValidationError("MCF M3 config: customers must name at least one M3 customer")
    return out


def _values(value: Mapping[str, str]) -> Mapping[str, str]:
    return dict(value)


@frozen
class McfM3Config:
    """The rule data of MCF from Infor M3.

    ``customers`` are the M3 customers (CUNO) whose orders may be flagged (M3 lists orders
    per customer); ``rules`` say which are flagged and how they ship; ``items`` maps M3 item
    numbers back to seller SKUs (built from the M3 aliases when None); ``address_type`` is
    the ADRT of the order's delivery address; order dates are read in ``timezone``.
    """

    customers: tuple[str, ...] = field(converter=_customers)
    rules: McfRules
    items: ItemCrosswalk | None = None
    alias_kinds: tuple[str, ...] = M3_ALIAS_KINDS
    address_type: str = "1"
    timezone: tzinfo = UTC
    tracking_polls: int = field(default=1, validator=_polls)
    poll_interval: float = 60.0
    delivery_route: DeliveryRoute = DEFAULT_ROUTE
    delivery_values: Mapping[str, str] = field(factory=dict, converter=_values)


@frozen
class McfSapConfig:
    """The rule data of MCF from SAP S/4HANA.

    ``rules.flag_order_types`` are SalesOrderTypes (the search asks SAP for those only; with
    none, every open order is read and the flag attribute decides). A line's seller SKU is
    its Material unless ``items`` maps it; the ship-to is the partner ``ship_to_function``.
    """

    rules: McfRules
    items: ItemCrosswalk | None = None
    ship_to_function: str = SAP_SHIP_TO
    quantity_unit: str = "EA"
    shipping_point: str | None = None
    tracking_polls: int = field(default=1, validator=_polls)
    poll_interval: float = 60.0


# -- Amazon as the target of the ERP's orders -------------------------------------------------


class _FulfillmentTarget:
    """Fulfilment orders at Amazon: getFulfillmentOrder (404 -> None) before creating one."""

    name = "amazon"

    def __init__(self, amazon: SpApiClient) -> None:
        self._amazon = amazon

    def find(self, source_id: str, payload: Mapping[str, Any]) -> ErpDocument | None:
        order_id = str(payload["sellerFulfillmentOrderId"])
        try:
            details = self._amazon.fulfillment.get_fulfillment_order(order_id)
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise
        return ErpDocument("amazon", order_id, detail={"status": details.order.status})

    def create(self, payload: Mapping[str, Any]) -> ErpDocument:
        self._amazon.fulfillment.create_fulfillment_order(payload)
        return ErpDocument("amazon", str(payload["sellerFulfillmentOrderId"]))


# -- changes of ERP orders already at Amazon --------------------------------------------------


@frozen
class Cancelled:
    """An ERP order that no longer wants shipping (``reason`` says what the ERP shows)."""

    reason: str


def _too_late(order_id: str, status: str, what: str) -> PostingError:
    return PostingError(
        f"Amazon fulfilment order {order_id} is {status}: Amazon no longer lets the seller "
        f"{what} it (only New, Received or Planning orders); settle it with Amazon and the ERP"
    )


class _CancelTarget:
    """cancelFulfillmentOrder, found done when Amazon says Cancelled; an order Amazon is
    picking or has shipped is refused without asking (its status is the reason)."""

    name = "amazon"

    def __init__(self, amazon: SpApiClient) -> None:
        self._amazon = amazon

    def find(self, source_id: str, payload: Mapping[str, Any]) -> ErpDocument | None:
        order_id = str(payload["sellerFulfillmentOrderId"])
        status = self._amazon.fulfillment.get_fulfillment_order(order_id).order.status
        if status == "Cancelled":
            return ErpDocument("amazon", order_id, detail={"status": status})
        if not mcf_can_change(status):
            raise _too_late(order_id, status, "cancel")
        return None

    def create(self, payload: Mapping[str, Any]) -> ErpDocument:
        order_id = str(payload["sellerFulfillmentOrderId"])
        self._amazon.fulfillment.cancel_fulfillment_order(order_id)
        return ErpDocument("amazon", order_id, detail={"status": "Cancelled"})


class _UpdateTarget:
    """updateFulfillmentOrder with what differs between the ERP order and Amazon's copy
    (:func:`~amazon_erp_bridge.mapping.mcf_changes.mcf_update_request`); found when they
    already agree."""

    name = "amazon"

    def __init__(self, amazon: SpApiClient) -> None:
        self._amazon = amazon
        self._bodies: dict[str, dict[str, Any]] = {}

    def find(self, source_id: str, payload: Mapping[str, Any]) -> ErpDocument | None:
        order_id = str(payload["sellerFulfillmentOrderId"])
        held = self._amazon.fulfillment.get_fulfillment_order(order_id)
        try:
            body = mcf_update_request(payload["wanted"], held)
        except MappingError as exc:
            raise PostingError(exc.message) from exc
        if body is None:
            return ErpDocument("amazon", order_id, detail={"status": held.order.status})
        if not mcf_can_change(held.order.status):
            raise _too_late(order_id, held.order.status, "update")
        self._bodies[order_id] = body
        return None

    def create(self, payload: Mapping[str, Any]) -> ErpDocument:
        order_id = str(payload["sellerFulfillmentOrderId"])
        body = self._bodies[order_id]
        self._amazon.fulfillment.update_fulfillment_order(order_id, body)
        changed = sorted(k for k in body if k != "marketplaceId")
        return ErpDocument("amazon", order_id, detail={"changed": changed})


# -- shipments back to the ERP ----------------------------------------------------------------


@frozen
class _M3Shipped:
    orno: str
    shipments: tuple[str, ...]
    tracking: tuple[str, ...]


class _M3TrackingTarget:
    """The M3 order confirmed delivered; found when M3 says it is delivered."""

    name = "m3"

    def __init__(self, m3: M3Client, route: DeliveryRoute, values: Mapping[str, str]) -> None:
        self._m3 = m3
        self._route = route
        self._values = values

    def find(self, source_id: str, payload: _M3Shipped) -> ErpDocument | None:
        progress = self._m3.customer_orders.status(payload.orno)
        if not progress.is_delivered:
            return None
        return ErpDocument("m3", payload.orno, detail={"tracking": list(payload.tracking)})

    def create(self, payload: _M3Shipped) -> ErpDocument:
        outcome = self._m3.deliveries.confirm_shipped(
            payload.orno, values=self._values, route=self._route
        )
        detail = {"deliveries": list(outcome.deliveries), "tracking": list(payload.tracking)}
        return ErpDocument("m3", payload.orno, detail=detail)


@frozen
class _SapShipped:
    sales_order: str
    updates: tuple[SapDeliveryUpdate, ...]


class _SapTrackingTarget:
    """One outbound delivery per Amazon shipment, found by its tracking number
    (BillOfLading); deliveries found without goods issue are finished (resumed)."""

    name = "sap"

    def __init__(self, sap: ODataClient, shipping_point: str | None) -> None:
        self._deliveries = OutboundDeliveryService(sap)
        self._shipping_point = shipping_point
        self._pending: dict[str, _SapShipped] = {}

    def _state(self, payload: _SapShipped) -> tuple[list[str], bool]:
        """The deliveries already made for the shipments, and whether they are all done."""
        existing = {
            d.bill_of_lading: d for d in self._deliveries.find_by_sales_order(payload.sales_order)
        }
        found, done = [], True
        for update in payload.updates:
            delivery = existing.get(update.header_patch.get("BillOfLading"))
            if delivery is None or not delivery.goods_issued:
                done = False
            if delivery is not None:
                found.append(delivery.delivery_document)
        return found, done

    def find(self, source_id: str, payload: _SapShipped) -> ErpDocument | None:
        found, done = self._state(payload)
        if not found:
            return None
        if not done:
            self._pending[payload.sales_order] = payload
        return ErpDocument(
            "sap", ",".join(found), complete=done, detail={"sales_order": payload.sales_order}
        )

    def create(self, payload: _SapShipped) -> ErpDocument:
        deliveries = self._deliveries.find_by_sales_order(payload.sales_order)
        existing = {d.bill_of_lading: d for d in deliveries if d.bill_of_lading}
        # A run that died between creating a delivery and writing its tracking number left a
        # delivery with no BillOfLading and no goods issue: adopt it instead of making another.
        orphans = [d for d in deliveries if not d.bill_of_lading and not d.goods_issued]
        numbers = []
        for update in payload.updates:
            tracking = update.header_patch.get("BillOfLading")
            delivery = existing.get(tracking) if tracking else None
            if delivery is None and tracking and orphans:
                delivery = orphans.pop(0)
                self._deliveries.set_tracking(delivery.delivery_document, tracking)
                delivery = self._deliveries.get(delivery.delivery_document)
            if delivery is None:
                lines = [
                    DeliveryLine(
                        str(item["ReferenceSDDocumentItem"]),
                        Decimal(str(item["ActualDeliveryQuantity"])),
                        str(item.get("DeliveryQuantityUnit") or "") or None,
                    )
                    for item in update.delivery["to_DeliveryDocumentItem"]["results"]
                ]
                delivery = self._deliveries.create_for_sales_order(
                    payload.sales_order, lines, shipping_point=self._shipping_point
                )
                if tracking:
                    self._deliveries.set_tracking(delivery.delivery_document, tracking)
                delivery = self._deliveries.get(delivery.delivery_document)
            if not delivery.goods_issued:
                if delivery.overall_picking_status != "C":
                    self._deliveries.pick_all_items(delivery.delivery_document)
                self._deliveries.post_goods_issue(delivery.delivery_document)
            numbers.append(delivery.delivery_document)
        tracking_numbers = [t for u in payload.updates for t in u.tracking_numbers]
        return ErpDocument("sap", ",".join(numbers), detail={"tracking": tracking_numbers})

    def resume(self, document: ErpDocument) -> ErpDocument:
        payload = self._pending.pop(str(document.detail.get("sales_order")), None)
        if payload is None:
            raise ValidationError(f"SAP deliveries {document.document_id}: nothing to resume")
        return self.create(payload)


# -- the run ----------------------------------------------------------------------------------


def _short(ids: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


class _Run:
    """What both ERPs share: posting requests to Amazon once, polling, tracking back."""

    def __init__(
        self,
        amazon: SpApiClient,
        ledger: Ledger,
        erp: str,
        *,
        rebuild: Callable[[str, str], Mapping[str, Any]],
        tracking: ErpTarget[Any],
        to_tracking: Callable[[str, list[Shipment]], Any],
        polls: int,
        interval: float,
        poster_options: Mapping[str, Any] | None,
    ) -> None:
        self.amazon = amazon
        self.ledger = ledger
        self.erp = erp
        self.kind = f"mcf.{erp}"
        self.tracking_kind = f"mcf_shipment.{erp}"
        self.options = dict(poster_options or {})
        self.sleep: Callable[[float], None] = self.options.get("sleep", time.sleep)
        self.orders = Poster(ledger, _FulfillmentTarget(amazon), rebuild=rebuild, **self.options)
        self.tracking = Poster(ledger, tracking, **self.options)
        self.cancel_kind = f"mcf.cancel.{erp}"
        self.update_kind = f"mcf.update.{erp}"
        self.cancels = Poster(ledger, _CancelTarget(amazon), **self.options)
        self.updates = Poster(ledger, _UpdateTarget(amazon), **self.options)
        self.to_tracking = to_tracking
        self.polls = polls
        self.interval = interval

    def posted(self, source_id: str) -> PostResult | None:
        """A duplicate result for an order the ledger says is at Amazon already (no reads)."""
        record = self.ledger.get(self.kind, source_id)
        if record is None or record.state is not RecordState.POSTED:
            return None
        return PostResult(
            self.kind,
            source_id,
            PostStatus.DUPLICATE,
            document=record.document,
            attempts=record.attempts,
        )

    def post(self, source_id: str, build: Callable[[], Order], rules: McfRules) -> PostResult:
        try:
            request = mcf_order_request(build(), rules)
        except (MappingError, ValidationError) as exc:
            return self.orders.reject(self.kind, source_id, exc)
        except BridgeError as exc:  # reading the ERP order failed after the client's retries
            return self.failed(self.kind, source_id, "reading the order", exc)
        lines = len(request["items"])
        return self.orders.post(
            self.kind,
            source_id,
            request,
            describe=f"{lines} lines, {request['shippingSpeedCategory']}",
        )

    @staticmethod
    def failed(kind: str, source_id: str, what: str, exc: BaseException) -> PostResult:
        """A read that failed after retries: left for the next run (the ledger is unchanged)."""
        reason = f"{what} failed: {type(exc).__name__}: {exc}; the next run tries again"
        return PostResult(kind, source_id, PostStatus.FAILED, reason=reason)

    def orders_step(self, results: Iterable[PostResult], notes: list[str]) -> StepReport:
        return StepReport("fulfillment orders", PostSummary(results), notes)

    def _at_amazon(self) -> dict[str, str]:
        """Order -> digest of the order Amazon holds: the last update sent, else the create."""
        held = {
            r.source_id: r.payload_digest or ""
            for r in self.ledger.records(kind=self.kind, state=RecordState.POSTED)
        }
        updates = sorted(
            self.ledger.records(kind=self.update_kind, state=RecordState.POSTED),
            key=lambda r: r.updated_at,
        )
        for record in updates:
            order, _, change = record.source_id.rpartition("@")
            held[order] = change.partition(">")[2]
        return held

    def changes_steps(
        self,
        current: Callable[[str], Cancelled | Mapping[str, Any]],
        fresh: Iterable[PostResult] = (),
    ) -> list[StepReport]:
        """Cancel or update, once each, the fulfilment orders whose ERP order changed.

        ``current`` reads an ERP order as it is now: :class:`Cancelled`, or the
        createFulfillmentOrder body it gives today. An order is left alone once Amazon's
        shipments went back to the ERP or its cancellation is settled. An update is keyed by
        the order and the digests of the order Amazon holds and of the wanted one, so the same
        change is sent once; an unchanged order costs no call to Amazon. Orders posted in this
        run (``fresh``) are not read again.
        """
        settled = (RecordState.POSTED, RecordState.DEAD_LETTERED)
        done = {
            r.source_id
            for kind in (self.tracking_kind, self.cancel_kind)
            for r in self.ledger.records(kind=kind)
            if r.state in settled
        }
        done |= {r.source_id for r in fresh if r.ok and r.status is not PostStatus.DUPLICATE}
        held = self._at_amazon()
        cancels: list[PostResult] = []
        updates: list[PostResult] = []
        unchanged = 0
        for record in self.ledger.records(kind=self.kind, state=RecordState.POSTED):
            source_id, order_id = record.source_id, record.document_id
            if source_id in done or not order_id:
                continue
            try:
                now = current(source_id)
            except (MappingError, ValidationError) as exc:
                updates.append(self.failed(self.update_kind, source_id, "mapping the order", exc))
                continue
            except BridgeError as exc:
                updates.append(self.failed(self.update_kind, source_id, "reading the order", exc))
                continue
            if isinstance(now, Cancelled):
                cancels.append(
                    self.cancels.post(
                        self.cancel_kind,
                        source_id,
                        {"sellerFulfillmentOrderId": order_id},
                        describe=now.reason,
                    )
                )
                continue
            wanted = digest(now)
            before = held.get(source_id, "")
            if wanted[:16] == before[:16]:
                unchanged += 1
                continue
            key = f"{source_id}@{before[:16]}>{wanted[:16]}"
            existing = self.ledger.get(self.update_kind, key)
            if existing is not None and existing.state in settled:
                continue
            updates.append(
                self.updates.post(
                    self.update_kind,
                    key,
                    {"sellerFulfillmentOrderId": order_id, "wanted": dict(now)},
                    describe=f"{len(now.get('items') or ())} lines",
                )
            )
        notes = (
            [f"{unchanged} orders at Amazon unchanged in {self.erp.upper()}"] if unchanged else []
        )
        return [
            StepReport("cancellations", PostSummary(cancels), []),
            StepReport("updates", PostSummary(updates), notes),
        ]

    def _details(self, order_id: str) -> FulfillmentOrderDetails:
        details = self.amazon.fulfillment.get_fulfillment_order(order_id)
        for _ in range(self.polls - 1):
            if details.order.status in DONE:
                break
            self.sleep(self.interval)
            details = self.amazon.fulfillment.get_fulfillment_order(order_id)
        return details

    def tracking_step(self, only: str | None = None) -> StepReport:
        """Read Amazon's shipments of posted orders back into the ERP, once each (with
        ``only``, just the order whose fulfilment order id it is)."""
        reported = {
            r.source_id
            for r in self.ledger.records(kind=self.tracking_kind)
            if r.state in (RecordState.POSTED, RecordState.DEAD_LETTERED)
        }
        # Cancelled by the ERP through this workflow: nothing will ship.
        reported |= {
            r.source_id
            for r in self.ledger.records(kind=self.cancel_kind, state=RecordState.POSTED)
        }
        results: list[PostResult] = []
        waiting: dict[str, int] = {}
        notes: list[str] = []
        for record in self.ledger.records(kind=self.kind, state=RecordState.POSTED):
            source_id = record.source_id
            if source_id in reported or not record.document_id:
                continue
            if only is not None and record.document_id != only:
                continue
            try:
                details = self._details(record.document_id)
            except BridgeError as exc:
                results.append(self.failed(self.tracking_kind, source_id, "reading Amazon", exc))
                continue
            status = details.order.status
            if status not in DONE:
                waiting[status] = waiting.get(status, 0) + 1
                continue
            shipped = [s for s in details.shipments if _confirms(s)]
            if status not in SHIPPED or not shipped:
                results.append(
                    self.tracking.reject(
                        self.tracking_kind,
                        source_id,
                        f"Amazon fulfilment order {record.document_id} is {status} with "
                        f"{len(shipped)} shipped shipments; cancel or fulfil {self.erp.upper()} "
                        f"order {source_id} another way",
                    )
                )
                continue
            tracking = [p.tracking_number for s in shipped for p in s.packages if p.tracking_number]
            carriers = sorted({p.carrier for s in shipped for p in s.packages if p.carrier})
            try:
                payload = self.to_tracking(source_id, shipped)
            except (MappingError, ValidationError) as exc:
                results.append(self.tracking.reject(self.tracking_kind, source_id, exc))
                continue
            result = self.tracking.post(
                self.tracking_kind, source_id, payload, describe=f"{len(shipped)} shipments"
            )
            results.append(result)
            if result.ok and result.document is not None:
                notes.append(
                    f"order {source_id}: shipped {' '.join(carriers)} {', '.join(tracking)}"
                    f" -> {self.erp.upper()} {result.document.document_id}"
                )
        if waiting:
            shown = ", ".join(f"{n} {status}" for status, n in sorted(waiting.items()))
            notes.append(f"still with Amazon: {shown}")
        return StepReport("tracking", PostSummary(results), notes)


def _same(order: Order) -> Order:
    return order


def _confirms(shipment: Shipment) -> bool:
    try:
        return shipment_action(shipment) is ShipmentAction.CONFIRM
    except MappingError:
        return False


def _m3_to_tracking(orno: str, shipped: list[Shipment]) -> _M3Shipped:
    tracking = tuple(p.tracking_number for s in shipped for p in s.packages if p.tracking_number)
    return _M3Shipped(orno, tuple(s.shipment_id for s in shipped), tracking)


def _sap_to_tracking(config: McfSapConfig, number: str, shipped: list[Shipment]) -> _SapShipped:
    updates = tuple(
        sap_delivery_update(s, sales_order=number, quantity_unit=config.quantity_unit)
        for s in shipped
    )
    return _SapShipped(number, updates)


def _no_rebuild(kind: str, source_id: str) -> Mapping[str, Any]:
    raise ValidationError(f"{kind} {source_id}: reading one order's tracking creates no order")


def _track_one(run: _Run, seller_fulfillment_order_id: str) -> WorkflowReport:
    """Read one MCF order's tracking back through ``run``'s tracking step (the scheduled
    run's ledger kinds and poster): raises when this ERP's ledger never posted that order."""
    if not any(
        r.document_id == seller_fulfillment_order_id
        for r in run.ledger.records(kind=run.kind, state=RecordState.POSTED)
    ):
        raise ValidationError(
            f"MCF order {seller_fulfillment_order_id}: unknown to {run.erp.upper()} "
            f"(no posted {run.kind} record has it)"
        )
    return WorkflowReport(WORKFLOW, run.erp, [run.tracking_step(seller_fulfillment_order_id)])


# -- Infor M3 ---------------------------------------------------------------------------------


def mcf_m3(
    amazon: SpApiClient,
    m3: M3Client,
    ledger: Ledger,
    config: McfM3Config,
    *,
    poster_options: Mapping[str, Any] | None = None,
    replay: bool = False,
) -> WorkflowReport:
    """M3 orders flagged for MCF -> Amazon fulfilment orders; shipments -> M3 deliveries.

    ``poster_options`` go to each Poster (``retry``, ``sleep``, ``breaker``, ``clock``; the
    tracking polls sleep with the same ``sleep``); ``replay`` first creates dead-lettered
    orders again, re-read from M3. See the module docs for the rules.
    """
    items = config.items or m3_crosswalk(m3, config.alias_kinds)
    orders = m3.customer_orders

    def build(head: Mapping[str, str]) -> Order:
        orno = head["ORNO"]
        return m3_order(
            head,
            [line.record for line in orders.lines(orno)],
            orders.get_address(orno, config.address_type),
            items=items,
            timezone=config.timezone,
        )

    def rebuild(kind: str, orno: str) -> Mapping[str, Any]:
        return mcf_order_request(build(orders.get_head(orno).record), config.rules)

    def current(orno: str) -> Cancelled | Mapping[str, Any]:
        # Deleted lines are gone from LstLine; closed ones (CloLine) have status 99.
        live = [
            line
            for line in orders.lines(orno)
            if line.status < "99" and (line.quantity or Decimal(0)) > 0
        ]
        if not live:
            return Cancelled(f"M3 order {orno}: no open lines left (deleted or closed)")
        order = m3_order(
            orders.get_head(orno).record,
            [line.record for line in live],
            orders.get_address(orno, config.address_type),
            items=items,
            timezone=config.timezone,
        )
        return mcf_order_request(order, config.rules)

    run = _Run(
        amazon,
        ledger,
        "m3",
        rebuild=rebuild,
        tracking=_M3TrackingTarget(m3, config.delivery_route, config.delivery_values),
        to_tracking=_m3_to_tracking,
        polls=config.tracking_polls,
        interval=config.poll_interval,
        poster_options=poster_options,
    )
    steps = [StepReport("replay", run.orders.replay(run.kind))] if replay else []
    types = config.rules.flag_order_types or None
    results: list[PostResult] = []
    skipped = 0
    try:
        for customer in config.customers:
            for head in orders.list_heads(customer, order_types=types):
                progress = head.progress
                if progress is not None and (
                    progress.is_delivered or progress.is_partly_delivered or progress.is_closed
                ):
                    continue
                try:
                    flagged = is_flagged_for_mcf(
                        m3_order(head.record, [], timezone=config.timezone), config.rules
                    )
                except MappingError as exc:
                    results.append(run.orders.reject(run.kind, head.orno, exc))
                    continue
                if not flagged:
                    skipped += 1
                    continue
                results.append(
                    run.posted(head.orno)
                    or run.post(head.orno, partial(build, head.record), config.rules)
                )
    except BridgeError as exc:  # the listing failed after the client's retries
        results.append(run.failed(run.kind, "M3 orders", "listing", exc))
    notes = [
        f"{len(results)} open M3 orders flagged for MCF (customers {_short(config.customers)})"
    ]
    if skipped:
        notes.append(f"{skipped} open orders of these customers are not flagged for MCF")
    steps.append(run.orders_step(results, notes))
    steps += run.changes_steps(current, results)
    steps.append(run.tracking_step())
    return WorkflowReport(WORKFLOW, "m3", steps)


# -- SAP S/4HANA ------------------------------------------------------------------------------


def mcf_sap(
    amazon: SpApiClient,
    sap: ODataClient,
    ledger: Ledger,
    config: McfSapConfig,
    *,
    poster_options: Mapping[str, Any] | None = None,
    replay: bool = False,
) -> WorkflowReport:
    """SAP sales orders flagged for MCF -> Amazon fulfilment orders; shipments -> outbound
    deliveries with the tracking number and goods issue. Options as :func:`mcf_m3`."""
    sales = SalesOrderService(sap)
    types = sorted(config.rules.flag_order_types)
    condition = prop("SalesOrderType").one_of(types) if types else None

    def read(condition: Any) -> Iterator[Order]:
        for found in sales.search(condition, with_items=True, with_partners=True):
            yield sap_order(found.raw, items=config.items, ship_to_function=config.ship_to_function)

    def rebuild(kind: str, number: str) -> Mapping[str, Any]:
        for order in read(prop("SalesOrder").eq(number)):
            return mcf_order_request(order, config.rules)
        raise ValidationError(f"SAP sales order {number} no longer exists")

    def current(number: str) -> Cancelled | Mapping[str, Any]:
        for found in sales.search(
            prop("SalesOrder").eq(number), with_items=True, with_partners=True
        ):
            rejected = {i.sales_order_item for i in found.items if i.is_rejected}
            raw = dict(found.raw)
            listed = raw.get("to_Item")
            rows = listed.get("results", []) if isinstance(listed, Mapping) else listed or []
            active = [r for r in rows if str(r.get("SalesOrderItem")) not in rejected]
            if found.overall_sd_document_rejection_sts == "C" or not active:
                return Cancelled(f"SAP sales order {number}: every item rejected")
            raw["to_Item"] = {"results": active}
            order = sap_order(raw, items=config.items, ship_to_function=config.ship_to_function)
            return mcf_order_request(order, config.rules)
        return Cancelled(f"SAP sales order {number} no longer exists")

    run = _Run(
        amazon,
        ledger,
        "sap",
        rebuild=rebuild,
        tracking=_SapTrackingTarget(sap, config.shipping_point),
        to_tracking=partial(_sap_to_tracking, config),
        polls=config.tracking_polls,
        interval=config.poll_interval,
        poster_options=poster_options,
    )
    steps = [StepReport("replay", run.orders.replay(run.kind))] if replay else []
    results: list[PostResult] = []
    unreadable: list[PostResult] = []
    try:
        for found in sales.search(condition, with_items=True, with_partners=True):
            number = found.sales_order
            duplicate = run.posted(number)
            if duplicate is not None:
                if found.overall_delivery_status != "C":
                    results.append(duplicate)
                continue
            try:
                order = sap_order(
                    found.raw, items=config.items, ship_to_function=config.ship_to_function
                )
            except (MappingError, ValidationError) as exc:
                unreadable.append(run.orders.reject(run.kind, number, exc))
                continue
            if order.status not in OPEN or not is_flagged_for_mcf(order, config.rules):
                continue
            results.append(run.post(number, partial(_same, order), config.rules))
    except BridgeError as exc:  # the listing failed after the client's retries
        unreadable.append(run.failed(run.kind, "SAP sales orders", "listing", exc))
    results += unreadable
    shown = ", ".join(types) or f"flag {config.rules.flag_attribute}"
    notes = [f"{len(results)} open SAP sales orders flagged for MCF ({shown})"]
    steps.append(run.orders_step(results, notes))
    steps += run.changes_steps(current, results)
    steps.append(run.tracking_step())
    return WorkflowReport(WORKFLOW, "sap", steps)


def track_mcf_order_m3(
    amazon: SpApiClient,
    m3: M3Client,
    ledger: Ledger,
    config: McfM3Config,
    seller_fulfillment_order_id: str,
    *,
    poster_options: Mapping[str, Any] | None = None,
) -> WorkflowReport:
    """Read one MCF order's tracking from Amazon and post its M3 delivery once (the tracking
    step of :func:`mcf_m3` for that order only: same ledger kind, same poster). Raises
    :class:`~amazon_erp_bridge.errors.ValidationError` for an order this ledger never sent
    to Amazon from M3."""
    run = _Run(
        amazon,
        ledger,
        "m3",
        rebuild=_no_rebuild,
        tracking=_M3TrackingTarget(m3, config.delivery_route, config.delivery_values),
        to_tracking=_m3_to_tracking,
        polls=config.tracking_polls,
        interval=config.poll_interval,
        poster_options=poster_options,
    )
    return _track_one(run, seller_fulfillment_order_id)


def track_mcf_order_sap(
    amazon: SpApiClient,
    sap: ODataClient,
    ledger: Ledger,
    config: McfSapConfig,
    seller_fulfillment_order_id: str,
    *,
    poster_options: Mapping[str, Any] | None = None,
) -> WorkflowReport:
    """Read one MCF order's tracking and update its SAP outbound delivery once; as
    :func:`track_mcf_order_m3`."""
    run = _Run(
        amazon,
        ledger,
        "sap",
        rebuild=_no_rebuild,
        tracking=_SapTrackingTarget(sap, config.shipping_point),
        to_tracking=partial(_sap_to_tracking, config),
        polls=config.tracking_polls,
        interval=config.poll_interval,
        poster_options=poster_options,
    )
    return _track_one(run, seller_fulfillment_order_id)


# -- returns of shipped MCF orders -------------------------------------------------------------


class _ReturnTarget:
    """createFulfillmentReturn; repeating it is harmless (each item already requested comes
    back as DuplicateRequest), so a crash before the ledger write is settled by asking again."""

    name = "amazon"

    def __init__(self, amazon: SpApiClient) -> None:
        self._amazon = amazon

    def find(self, source_id: str, payload: Mapping[str, Any]) -> ErpDocument | None:
        return None

    def create(self, payload: Mapping[str, Any]) -> ErpDocument:
        order_id = str(payload["sellerFulfillmentOrderId"])
        answer = self._amazon.fulfillment.create_fulfillment_return(order_id, payload["items"])
        refused = [
            f"{i.seller_return_item_id}: {i.reason_code} {i.description}".strip()
            for i in answer.invalid_return_items
            if i.reason_code != "DuplicateRequest"
        ]
        if refused:
            raise PostingError(
                f"createFulfillmentReturn {order_id}: Amazon refused {len(refused)} items: "
                + "; ".join(refused)
            )
        rmas = sorted({a.amazon_rma_id for a in answer.return_authorizations})
        return ErpDocument("amazon", order_id, detail={"rma": rmas, "items": len(payload["items"])})


def return_mcf_items(
    amazon: SpApiClient,
    ledger: Ledger,
    erp: str,
    order_id: str,
    units: Mapping[str, int],
    reason_code: str,
    *,
    return_id: str,
    comment: str | None = None,
    poster_options: Mapping[str, Any] | None = None,
) -> PostResult:
    """Ask Amazon once to take back shipped units of a fulfilment order (kind
    ``mcf.return.<erp>``, source ``return_id``, e.g. the ERP return order's number).

    ``units`` maps the ERP line (``sellerFulfillmentOrderItemId``) to the units returned;
    ``reason_code`` must be one ``listReturnReasonCodes`` gives for each line's SKU (checked
    first). A reason Amazon does not list, more units than shipped, or items Amazon refuses
    dead-letter the return with the reason.
    """
    kind = f"mcf.return.{erp}"
    poster = Poster(ledger, _ReturnTarget(amazon), **dict(poster_options or {}))
    record = ledger.get(kind, return_id)
    if record is not None and record.state in (RecordState.POSTED, RecordState.DEAD_LETTERED):
        return poster.post(kind, return_id, {})  # the ledger answers: nothing is sent
    try:
        held = amazon.fulfillment.get_fulfillment_order(order_id)
        items = mcf_return_items(held, units, reason_code, return_id=return_id, comment=comment)
        skus = {i.seller_fulfillment_order_item_id: i.seller_sku for i in held.items}
        for line in sorted(units):
            codes = {c.code for c in amazon.fulfillment.list_return_reason_codes(skus[line])}
            if reason_code not in codes:
                raise MappingError(
                    f"fulfilment order {order_id} line {line}: return reason {reason_code!r} "
                    f"is not one Amazon lists for SKU {skus[line]} ({', '.join(sorted(codes))})"
                )
    except (MappingError, ValidationError) as exc:
        return poster.reject(kind, return_id, exc)
    except BridgeError as exc:
        return _Run.failed(kind, return_id, "reading Amazon", exc)
    payload = {"sellerFulfillmentOrderId": order_id, "items": items}
    return poster.post(kind, return_id, payload, describe=f"{len(items)} units, {reason_code}")


__all__ = [
    "DONE",
    "Cancelled",
    "McfM3Config",
    "McfSapConfig",
    "mcf_m3",
    "mcf_sap",
    "return_mcf_items",
    "track_mcf_order_m3",
    "track_mcf_order_sap",
]
