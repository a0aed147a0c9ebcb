"""Cancellations inside order to cash: an order Amazon cancelled after it reached the ERP.

When the orders step of :func:`~amazon_erp_bridge.workflows.order_to_cash_m3` /
:func:`~amazon_erp_bridge.workflows.order_to_cash_sap` reads an order that Amazon reports
cancelled (``Canceled``; v2026 ``CANCELLED``) and the ledger says it was posted, it records a
pending cancellation (kind ``cancel.<erp>``, source id the Amazon order id) before its cursor
moves. The **cancellations** step then posts each pending one once through the
:class:`~amazon_erp_bridge.posting.Poster`:

- ``find`` reads the ERP order's lines and asks the pure rule
  (:func:`~amazon_erp_bridge.mapping.m3_cancellation` /
  :func:`~amazon_erp_bridge.mapping.sap_cancellation`) what to do; when nothing is left to
  change (a crash after the ERP cancelled, or every line delivered) the cancellation is
  recorded as found existing, never sent twice;
- ``create`` deletes or closes the open M3 lines (OIS100MI ``DelLine`` / ``CloLine``) or
  rejects the open SAP items (``SalesDocumentRjcnReason`` with the item's ETag).

Lines already delivered are never touched: each is named in the step's notes ("decide in the
ERP: return or refund").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final

from attrs import frozen

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.infor import M3Client
from amazon_erp_bridge.mapping import (
    CancellationPlan,
    ErpOrderLine,
    LineAction,
    M3CancellationRules,
    SapCancellationRules,
    m3_cancellation,
    sap_cancellation,
)
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
)
from amazon_erp_bridge.sap import ODataClient, SalesOrderItem, SalesOrderService
from amazon_erp_bridge.sap.sales_orders import SERVICE as SALES_ORDERS
from amazon_erp_bridge.sap.sales_orders import reject_item
from amazon_erp_bridge.workflows.report import StepReport

#: The ledger kind of cancellations, per ERP: ``cancel.m3``, ``cancel.sap``.
KIND_PREFIX: Final = "cancel"


def _detail(plan: CancellationPlan) -> dict[str, Any]:
    detail: dict[str, Any] = {}
    for action in (LineAction.DELETE, LineAction.CLOSE, LineAction.REJECT):
        lines = [d.line.line for d in plan.decisions if d.action is action]
        if lines:
            detail[action.value] = lines
    if plan.delivered:
        detail["delivered"] = [d.line.line for d in plan.delivered]
    return detail


@frozen
class CancelOrder:
    """The payload of one cancellation: the Amazon order and the ERP document it became."""

    order_id: str
    document_id: str


class CancelTarget:
    """What both ERPs share: read the plan, apply its changes; ``plans`` keeps the last one
    read per order, for the step's notes."""

    name = ""

    def __init__(self) -> None:
        self.plans: dict[str, CancellationPlan] = {}

    def plan(self, order_id: str, document_id: str) -> CancellationPlan:
        """The ERP order's lines and their actions, read now."""
        raise NotImplementedError

    def apply(self, plan: CancellationPlan) -> None:
        """Perform the plan's changes in the ERP."""
        raise NotImplementedError

    def find(self, source_id: str, payload: CancelOrder) -> ErpDocument | None:
        plan = self.plan(payload.order_id, payload.document_id)
        self.plans[payload.order_id] = plan
        if not plan.done:
            return None
        return ErpDocument(self.name, payload.document_id, detail=_detail(plan))

    def create(self, payload: CancelOrder) -> ErpDocument:
        plan = self.plans.get(payload.order_id) or self.plan(payload.order_id, payload.document_id)
        self.apply(plan)
        self.plans[payload.order_id] = plan
        return ErpDocument(self.name, payload.document_id, detail=_detail(plan))


class M3CancelTarget(CancelTarget):
    """M3 customer order lines deleted (DelLine) or closed (CloLine) per the rule table."""

    name = "m3"

    def __init__(self, m3: M3Client, rules: M3CancellationRules, reason: str | None) -> None:
        super().__init__()
        self._m3 = m3
        self._rules = rules
        self._reason = reason

    def plan(self, order_id: str, document_id: str) -> CancellationPlan:
        lines = [
            ErpOrderLine(
                str(x.line),
                x.item,
                x.quantity or Decimal(0),
                _m3_decimal(x.record.get("DLQT")),
                x.status,
                suffix=str(x.suffix),
            )
            for x in self._m3.customer_orders.lines(document_id)
        ]
        return m3_cancellation(order_id, document_id, lines, self._rules)

    def apply(self, plan: CancellationPlan) -> None:
        for decision in plan.changes:
            key = {
                "ORNO": plan.document_id,
                "PONR": decision.line.line,
                "POSX": decision.line.suffix or "0",
            }
            if decision.action is LineAction.DELETE:
                reason = {"RSCD": self._reason} if self._reason else {}
                self._m3.execute("OIS100MI", "DelLine", {**key, **reason})
            else:
                self._m3.execute("OIS100MI", "CloLine", key)


def _m3_decimal(text: str | None) -> Decimal:
    try:
        return Decimal((text or "0").strip() or "0")
    except ArithmeticError as exc:
        raise ValidationError(f"M3 OIS100MI LstLine DLQT: {text!r} is not a number") from exc


class SapCancelTarget(CancelTarget):
    """SAP sales order items rejected (SalesDocumentRjcnReason, with each item's ETag)."""

    name = "sap"

    def __init__(self, sap: ODataClient, rules: SapCancellationRules) -> None:
        super().__init__()
        self._orders = SalesOrderService(sap)
        self._sender = sap.service(SALES_ORDERS)
        self._rules = rules
        self._items: dict[tuple[str, str], SalesOrderItem] = {}

    def plan(self, order_id: str, document_id: str) -> CancellationPlan:
        order = self._orders.get(document_id)
        items = []
        for item in order.items:
            self._items[(document_id, item.sales_order_item)] = item
            delivered = Decimal(0) if item.delivery_status in (None, "", "A") else Decimal(1)
            items.append(
                ErpOrderLine(
                    item.sales_order_item,
                    item.material or "",
                    item.requested_quantity or Decimal(0),
                    delivered,
                    item.delivery_status or "",
                    rejection=item.rejection_reason or None,
                )
            )
        return sap_cancellation(order_id, document_id, items)

    def apply(self, plan: CancellationPlan) -> None:
        for decision in plan.changes:
            item = self._items[(plan.document_id, decision.line.line)]
            call = reject_item(plan.document_id, item, self._rules.rejection_reason)
            self._sender.send(call)


def note_cancellation(ledger: Ledger, erp: str, order_id: str, document_id: str | None) -> None:
    """Record that the posted order ``order_id`` must be cancelled in the ERP (before the
    orders cursor moves), for the cancellations step to take up."""
    ledger.receive(
        f"{KIND_PREFIX}.{erp}", order_id, describe=f"Amazon cancelled it; ERP {document_id}"
    )


def cancellations_step(
    ledger: Ledger,
    erp: str,
    target: CancelTarget,
    document_of: Callable[[str], str],
    poster_options: Mapping[str, Any] | None = None,
    *,
    replay: bool = False,
) -> StepReport:
    """Post every pending cancellation of ``erp`` once (dead-lettered ones again first when
    ``replay``); notes name the delivered lines."""
    kind = f"{KIND_PREFIX}.{erp}"
    options = dict(poster_options or {})

    def rebuild(_kind: str, source_id: str) -> CancelOrder:
        return CancelOrder(source_id, document_of(source_id))

    poster: Poster[CancelOrder] = Poster(ledger, _as_target(target), rebuild=rebuild, **options)
    results: list[PostResult] = list(poster.replay(kind).results) if replay else []
    for record in pending_records(ledger, kind):
        try:
            document = document_of(record.source_id)
        except ValidationError as exc:
            results.append(poster.reject(kind, record.source_id, exc))
            continue
        payload = CancelOrder(record.source_id, document)
        results.append(poster.post(kind, record.source_id, payload, describe=f"cancel {document}"))
    notes: list[str] = []
    changed = [r for r in results if r.status is PostStatus.CREATED]
    for result in results:
        plan = target.plans.get(result.source_id)
        if plan is None or not result.ok:
            continue
        if result.status is PostStatus.CREATED:
            notes.append(
                f"order {result.source_id}: {erp.upper()} {plan.document_id}: {plan.describe()}"
            )
        notes += plan.report()
    if not results:
        notes.append("no orders cancelled on Amazon after posting")
    elif changed:
        notes.insert(0, f"{len(changed)} orders cancelled in {erp.upper()}")
    return StepReport("cancellations", PostSummary(results), notes)


def _as_target(target: CancelTarget) -> ErpTarget[CancelOrder]:
    return target


def posted_document(ledger: Ledger, kind: str, erp: str) -> Callable[[str], str]:
    """The ERP document of a posted order, from the ledger (an error names the order)."""

    def document_of(order_id: str) -> str:
        record = ledger.get(kind, order_id)
        if record is None or record.state is not RecordState.POSTED or not record.document_id:
            raise ValidationError(
                f"cancellation of {order_id}: the order is not posted to {erp} in the ledger"
            )
        return record.document_id

    return document_of


__all__ = [
    "KIND_PREFIX",
    "CancelOrder",
    "CancelTarget",
    "M3CancelTarget",
    "SapCancelTarget",
    "cancellations_step",
    "note_cancellation",
    "posted_document",
]
