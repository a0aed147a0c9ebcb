"""Returns: Amazon returns (and the refunds Amazon paid for them) -> ERP return documents, once
per Amazon return.

One run of :func:`returns_m3` or :func:`returns_sap`:

1. **returns** - requests Amazon's returns report(s) (FBA customer returns by default; the
   merchant returns report too when configured) for the window from the ledger cursor (less
   ``overlap``) to ``until`` (now), parsed to :class:`~amazon_erp_bridge.model.Return`;
2. for each return not handled before, finds the ERP order its Amazon order became: the order
   to cash ledger record (``order.<erp>``), else (SAP) the sales order carrying the Amazon
   order id. A return for an order that never reached the ERP is **dead-lettered** with that
   reason (post the order, then replay);
3. reads the ERP order's lines and currency and the order's refund events (Finances
   ``RefundEventList`` by order id), maps the return
   (:func:`~amazon_erp_bridge.mapping.return_to_m3` / :func:`~amazon_erp_bridge.mapping.
   return_to_sap`): the returned line, quantity, reason, refunded unit price. A refund in a
   different currency from the ERP order is refused with a
   :class:`~amazon_erp_bridge.mapping.RefundCurrencyError` naming both (dead-lettered);
4. posts it once through the :class:`~amazon_erp_bridge.posting.Poster` (kind
   ``return.<erp>``, source id the Amazon return id): the ERP is searched for the return id
   first (M3 OIS390MI return whose YREF is the id; SAP customer return / credit memo request
   whose PurchaseOrderByCustomer is the id), then created (M3 ``AddHead`` + ``AddLine``; SAP
   deep insert).

The cursor moves to ``until`` unless a return failed for a reason a later run may fix.
``replay=True`` first posts dead-lettered returns again, re-reading Amazon's report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final, Generic, TypeVar

from attrs import field, frozen

from amazon_erp_bridge.amazon import SpApiClient
from amazon_erp_bridge.amazon.finances import REFUND, refund_from_event
from amazon_erp_bridge.amazon.returns import FBA_RETURNS_REPORT_TYPE, RETURNS_REPORT_TYPES
from amazon_erp_bridge.errors import BridgeError, MappingError, ValidationError
from amazon_erp_bridge.infor import M3Client
from amazon_erp_bridge.infor.returns import ReturnLine, ReturnRequest
from amazon_erp_bridge.mapping import (
    ErpOrderLine,
    ErpOrderRef,
    ItemCrosswalk,
    M3ReturnOrder,
    M3ReturnSettings,
    SapReturnRequest,
    SapReturnSettings,
    return_to_m3,
    return_to_sap,
)
from amazon_erp_bridge.model import Refund, Return
from amazon_erp_bridge.posting import (
    ErpDocument,
    ErpTarget,
    Ledger,
    Poster,
    PostResult,
    PostStatus,
    PostSummary,
    RecordState,
    time_position,
)
from amazon_erp_bridge.sap import (
    ODataClient,
    ProductService,
    ReturnDocumentService,
    SalesOrderService,
)
from amazon_erp_bridge.workflows.report import StepReport, WorkflowReport

P = TypeVar("P")

WORKFLOW: Final = "returns"


def _marketplaces(value: Iterable[str]) -> tuple[str, ...]:
    out = tuple(value)
    if not out or any(not m.strip() for m in out):
        raise ValidationError("returns config: marketplaces must name at least one id")
    return out


def _aware(_instance: object, attribute: Any, value: datetime) -> None:
    if value.tzinfo is None:
        raise ValidationError(f"returns config: {attribute.name} must be timezone-aware")


def _aware_or_none(instance: object, attribute: Any, value: datetime | None) -> None:
    if value is not None:
        _aware(instance, attribute, value)


def _report_types(value: Iterable[str]) -> tuple[str, ...]:
    out = tuple(value)
    bad = [t for t in out if t not in RETURNS_REPORT_TYPES]
    if not out or bad:
        raise ValidationError(
            f"returns config: report_types {list(out)!r} must name one or more of "
            + ", ".join(RETURNS_REPORT_TYPES)
        )
    return out


@frozen
class ReturnsM3Config:
    """The rule data of Amazon returns into Infor M3 (OIS390MI return orders).

    ``settings`` hold the receiving warehouse and reason codes; ``items`` maps seller SKUs to
    M3 items (built from the M3 aliases when None); ``until`` ends the report window (None:
    now); ``report_types`` are the returns reports read; ``poll_interval`` and
    ``report_timeout`` pace the report waits.
    """

    marketplaces: tuple[str, ...] = field(converter=_marketplaces)
    start: datetime = field(validator=_aware)
    settings: M3ReturnSettings
    items: ItemCrosswalk | None = None
    alias_kinds: tuple[str, ...] = ("seller_sku", "asin", "fnsku")
    report_types: tuple[str, ...] = field(
        default=(FBA_RETURNS_REPORT_TYPE,), converter=_report_types
    )
    until: datetime | None = field(default=None, validator=_aware_or_none)
    overlap: timedelta = timedelta(days=1)
    poll_interval: float = 30.0
    report_timeout: float = 1800.0
    order_kind: str = "order.m3"
    cursor: str = "amazon.returns.m3"


@frozen
class ReturnsSapConfig:
    """The rule data of Amazon returns into SAP S/4HANA.

    ``settings.document`` chooses a customer return or a credit memo request; a return's
    seller SKU is its Material unless ``items`` maps it. Otherwise as :class:`ReturnsM3Config`.
    """

    marketplaces: tuple[str, ...] = field(converter=_marketplaces)
    start: datetime = field(validator=_aware)
    settings: SapReturnSettings
    items: ItemCrosswalk | None = None
    report_types: tuple[str, ...] = field(
        default=(FBA_RETURNS_REPORT_TYPE,), converter=_report_types
    )
    until: datetime | None = field(default=None, validator=_aware_or_none)
    overlap: timedelta = timedelta(days=1)
    poll_interval: float = 30.0
    report_timeout: float = 1800.0
    order_kind: str = "order.sap"
    cursor: str = "amazon.returns.sap"


class OrderNotInErpError(ValidationError):
    """A return for an Amazon order that never reached the ERP (nothing to return against)."""


# -- ERP targets ------------------------------------------------------------------------------


class _M3ReturnTarget:
    """OIS390MI return orders, found by YREF (the Amazon return id) on the original order."""

    name = "m3"

    def __init__(self, m3: M3Client) -> None:
        self._returns = m3.customer_returns

    @staticmethod
    def _request(payload: M3ReturnOrder) -> ReturnRequest:
        head = payload.head
        lines: Any = [
            ReturnLine(
                Decimal(line["REQ0"]),
                order_line=int(line["RORL"]) if line.get("RORL") else None,
                item=line.get("ITNO") or None,
                reason=line.get("RSCD") or None,
                price=Decimal(line["SAPR"]) if line.get("SAPR") else None,
            )
            for line in payload.lines
        ]
        return ReturnRequest(
            amazon_return_id=head["YREF"],
            order=head["RORN"],
            warehouse=head["WHLO"],
            lines=lines,
            return_date=datetime.strptime(head["EPDT"], "%Y%m%d").date()
            if head.get("EPDT")
            else None,
            reason=head.get("RSCD") or None,
            order_type=head.get("ORTP") or None,
        )

    def find(self, source_id: str, payload: M3ReturnOrder) -> ErpDocument | None:
        head = payload.head
        found = self._returns.find_by_amazon_id(
            head["YREF"], order=head["RORN"], warehouse=head["WHLO"]
        )
        if found is None:
            return None
        return ErpDocument("m3", found.repn, detail={"warehouse": found.warehouse})

    def create(self, payload: M3ReturnOrder) -> ErpDocument:
        created = self._returns.create(self._request(payload))
        return ErpDocument(
            "m3", created.repn, detail={"warehouse": created.warehouse, "order": created.order}
        )


class _SapReturnTarget:
    """Customer returns or credit memo requests, found by PurchaseOrderByCustomer."""

    name = "sap"

    def __init__(self, sap: ODataClient) -> None:
        self._sap = sap

    def _service(self, payload: SapReturnRequest) -> ReturnDocumentService:
        return ReturnDocumentService(self._sap, kind=payload.document)

    def find(self, source_id: str, payload: SapReturnRequest) -> ErpDocument | None:
        found = self._service(payload).find_by_amazon_id(payload.reference)
        if found is None:
            return None
        return ErpDocument("sap", found.document, detail={"kind": found.kind})

    def create(self, payload: SapReturnRequest) -> ErpDocument:
        created = self._service(payload).create(payload.body)
        return ErpDocument(
            "sap",
            created.document,
            detail={"kind": created.kind, "sales_order": payload.sales_order},
        )


# -- the run, shared by both ERPs -------------------------------------------------------------


@frozen
class _Erp(Generic[P]):
    """What differs between the ERPs: the order lookup, the mapping and the target."""

    name: str
    order_kind: str
    cursor: str
    find_order: Callable[[str], str | None]
    order_ref: Callable[[str, str], ErpOrderRef]
    to_payload: Callable[[Return, ErpOrderRef, Sequence[Refund]], P]
    target: ErpTarget[P]
    describe: Callable[[P], str]


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
        until: datetime | None,
        overlap: timedelta,
        report_types: Sequence[str],
        poll_interval: float,
        report_timeout: float,
        poster_options: Mapping[str, Any] | None,
    ) -> None:
        self.amazon = amazon
        self.ledger = ledger
        self.erp = erp
        self.kind = f"return.{erp.name}"
        self.marketplaces = list(marketplaces)
        self.start = start
        self.until = until or datetime.now(UTC)
        self.overlap = overlap
        self.report_types = list(report_types)
        self.poll_interval = poll_interval
        self.report_timeout = report_timeout
        self.poster: Poster[P] = Poster(
            ledger, erp.target, rebuild=self._rebuild, **dict(poster_options or {})
        )
        self._seen: dict[str, Return] = {}
        self._refunds: dict[str, list[Refund]] = {}

    # -- reading Amazon --------------------------------------------------------------------

    def read_returns(self, since: datetime) -> list[Return]:
        found: dict[str, Return] = {}
        for report_type in self.report_types:
            for ret in self.amazon.reports.list_returns(
                self.marketplaces,
                data_start_time=since,
                data_end_time=self.until,
                report_type=report_type,
                timeout=self.report_timeout,
                poll_interval=self.poll_interval,
            ):
                found.setdefault(ret.return_id, ret)
        self._seen.update(found)
        return sorted(found.values(), key=lambda r: (r.returned_at, r.return_id))

    def refunds(self, order_id: str) -> list[Refund]:
        if order_id not in self._refunds:
            events = self.amazon.finances.list_financial_events_by_order_id(order_id)
            self._refunds[order_id] = [
                refund_from_event(e) for e in events if e.event_type == REFUND
            ]
        return self._refunds[order_id]

    # -- one return ------------------------------------------------------------------------

    def _document(self, order_id: str) -> str:
        record = self.ledger.get(self.erp.order_kind, order_id)
        if record is not None and record.state is RecordState.POSTED and record.document_id:
            return record.document_id
        found = self.erp.find_order(order_id)
        if found:
            return found
        state = record.state.value if record is not None else "never read"
        raise OrderNotInErpError(
            f"Amazon order {order_id} never reached {self.erp.name.upper()} (order to cash: "
            f"{state}; no {self.erp.name.upper()} order carries its id): nothing to return "
            "against; post the order first, then replay this return"
        )

    def payload(self, ret: Return) -> P:
        document = self._document(ret.order_id)
        order = self.erp.order_ref(ret.order_id, document)
        return self.erp.to_payload(ret, order, self.refunds(ret.order_id))

    def _rebuild(self, kind: str, return_id: str) -> P:
        if return_id not in self._seen:
            self.read_returns(self.start)
        ret = self._seen.get(return_id)
        if ret is None:
            raise ValidationError(
                f"{kind} {return_id}: Amazon's returns report since {self.start.isoformat()} "
                "no longer lists this return"
            )
        return self.payload(ret)

    def post(self, ret: Return) -> PostResult:
        record = self.ledger.get(self.kind, ret.return_id)
        if record is not None and record.state is RecordState.POSTED:  # no ERP reads
            return PostResult(
                self.kind,
                ret.return_id,
                PostStatus.DUPLICATE,
                document=record.document,
                attempts=record.attempts,
            )
        if record is not None and record.state is RecordState.DEAD_LETTERED:
            return PostResult(
                self.kind,
                ret.return_id,
                PostStatus.DEAD_LETTERED,
                reason=f"dead-lettered earlier: {record.reason}; fix the cause, then replay it",
                attempts=record.attempts,
            )
        try:
            payload = self.payload(ret)
        except (MappingError, ValidationError) as exc:
            return self.poster.reject(self.kind, ret.return_id, exc)
        except BridgeError as exc:  # an ERP or Amazon read failed after the client's retries
            reason = f"reading failed: {type(exc).__name__}: {exc}; the next run tries again"
            return PostResult(self.kind, ret.return_id, PostStatus.FAILED, reason=reason)
        return self.poster.post(
            self.kind,
            ret.return_id,
            payload,
            describe=f"order {ret.order_id}: {self.erp.describe(payload)}",
        )

    # -- the run ---------------------------------------------------------------------------

    def run(self, *, replay: bool) -> WorkflowReport:
        steps: list[StepReport] = []
        if replay:
            replayed = self.poster.replay(self.kind)
            note = (
                f"{len(replayed.posted)} of {len(replayed.results)} dead letters now posted"
                if replayed.results
                else "no dead-lettered returns"
            )
            steps.append(StepReport("replay", replayed, [note]))
        raw = self.ledger.get_cursor(self.erp.cursor)
        cursor = datetime.fromisoformat(raw) if raw else self.start
        since = max(cursor - self.overlap, self.start)
        try:
            returns = self.read_returns(since)
        except BridgeError as exc:  # the report failed after the client's retries
            reason = f"returns report failed: {type(exc).__name__}: {exc}; the next run reads again"
            failed = PostResult(self.kind, "amazon returns", PostStatus.FAILED, reason=reason)
            steps.append(StepReport("returns", PostSummary([failed]), ["cursor unchanged"]))
            return WorkflowReport(WORKFLOW, self.erp.name, steps)
        results = [self.post(ret) for ret in returns]
        summary = PostSummary(results)
        notes = [
            f"read {len(returns)} returns from {since.isoformat()} to {self.until.isoformat()} "
            f"({', '.join(self.report_types)})"
        ]
        refunded = [oid for oid, refunds in self._refunds.items() if refunds]
        if refunded:
            notes.append(f"refund events read for {len(refunded)} orders: {_short(refunded)}")
        missing = [
            r.source_id
            for r in results
            if r.status is PostStatus.DEAD_LETTERED and "never reached" in (r.reason or "")
        ]
        if missing:
            notes.append(
                f"{len(missing)} returns for orders that never reached "
                f"{self.erp.name.upper()}: {_short(missing)}"
            )
        for result in results:
            if result.status is PostStatus.CREATED and result.document is not None:
                ret = self._seen[result.source_id]
                notes.append(
                    f"return {result.source_id}: {ret.quantity} x {ret.seller_sku} of order "
                    f"{ret.order_id} -> {self.erp.name.upper()} {result.document.document_id}"
                )
        if summary.failed:
            notes.append(f"cursor {self.erp.cursor} kept: {len(summary.failed)} returns failed")
        else:
            moved = max(self.until, cursor)
            if self.ledger.advance_cursor(
                self.erp.cursor, moved.isoformat(), position=time_position(moved)
            ):
                notes.append(f"cursor {self.erp.cursor} -> {moved.isoformat()}")
            else:
                notes.append(f"cursor {self.erp.cursor}: a concurrent run moved it further")
        steps.append(StepReport("returns", summary, notes))
        return WorkflowReport(WORKFLOW, self.erp.name, steps)


# -- entry points -----------------------------------------------------------------------------


def _m3_decimal(text: str | None) -> Decimal:
    try:
        return Decimal((text or "0").strip() or "0")
    except ArithmeticError as exc:
        raise ValidationError(f"M3 OIS100MI LstLine: {text!r} is not a number") from exc


def returns_m3(
    amazon: SpApiClient,
    m3: M3Client,
    ledger: Ledger,
    config: ReturnsM3Config,
    *,
    poster_options: Mapping[str, Any] | None = None,
    replay: bool = False,
) -> WorkflowReport:
    """Amazon returns (with their refunds) -> M3 customer return orders (OIS390MI), once each.

    ``poster_options`` go to the :class:`~amazon_erp_bridge.posting.Poster`; ``replay`` first
    posts the dead-lettered returns again. See the module docs for the rules.
    """
    items = config.items or ItemCrosswalk.from_m3_aliases(
        alias.record for kind in config.alias_kinds for alias in m3.items.all_aliases(kind)
    )
    orders = m3.customer_orders

    def order_ref(order_id: str, orno: str) -> ErpOrderRef:
        head = orders.get_head(orno)
        lines = [
            ErpOrderLine(
                str(x.line),
                x.item,
                x.quantity or Decimal(0),
                _m3_decimal(x.record.get("DLQT")),
                x.status,
                suffix=str(x.suffix),
            )
            for x in orders.lines(orno)
        ]
        return ErpOrderRef(order_id, orno, head.customer, head.currency, lines)

    def to_payload(ret: Return, order: ErpOrderRef, refunds: Sequence[Refund]) -> M3ReturnOrder:
        return return_to_m3(ret, order, items=items, settings=config.settings, refunds=refunds)

    def describe(payload: M3ReturnOrder) -> str:
        return f"M3 order {payload.head['RORN']}, {len(payload.lines)} lines"

    erp: _Erp[M3ReturnOrder] = _Erp(
        "m3",
        config.order_kind,
        config.cursor,
        lambda order_id: None,
        order_ref,
        to_payload,
        _M3ReturnTarget(m3),
        describe,
    )
    return _Run(
        amazon,
        ledger,
        erp,
        marketplaces=config.marketplaces,
        start=config.start,
        until=config.until,
        overlap=config.overlap,
        report_types=config.report_types,
        poll_interval=config.poll_interval,
        report_timeout=config.report_timeout,
        poster_options=poster_options,
    ).run(replay=replay)


def returns_sap(
    amazon: SpApiClient,
    sap: ODataClient,
    ledger: Ledger,
    config: ReturnsSapConfig,
    *,
    poster_options: Mapping[str, Any] | None = None,
    replay: bool = False,
) -> WorkflowReport:
    """Amazon returns (with their refunds) -> SAP customer returns or credit memo requests
    (``config.settings.document``), once each. Options as :func:`returns_m3`."""
    sales = SalesOrderService(sap)
    items = config.items or ItemCrosswalk.from_sap_products(
        p.raw for p in ProductService(sap).iter_all()
    )

    def find_order(order_id: str) -> str | None:
        found = sales.find_by_amazon_id(order_id)
        return found.sales_order if found is not None else None

    def order_ref(order_id: str, sales_order: str) -> ErpOrderRef:
        order = sales.get(sales_order)
        lines = [
            ErpOrderLine(
                i.sales_order_item,
                i.material or "",
                i.requested_quantity or Decimal(0),
                status=i.delivery_status or "",
            )
            for i in order.items
        ]
        return ErpOrderRef(
            order_id,
            sales_order,
            order.sold_to_party or "",
            order.transaction_currency or "",
            lines,
        )

    def to_payload(ret: Return, order: ErpOrderRef, refunds: Sequence[Refund]) -> SapReturnRequest:
        return return_to_sap(ret, order, items=items, settings=config.settings, refunds=refunds)

    def describe(payload: SapReturnRequest) -> str:
        return f"{payload.document} for sales order {payload.sales_order}"

    erp: _Erp[SapReturnRequest] = _Erp(
        "sap",
        config.order_kind,
        config.cursor,
        find_order,
        order_ref,
        to_payload,
        _SapReturnTarget(sap),
        describe,
    )
    return _Run(
        amazon,
        ledger,
        erp,
        marketplaces=config.marketplaces,
        start=config.start,
        until=config.until,
        overlap=config.overlap,
        report_types=config.report_types,
        poll_interval=config.poll_interval,
        report_timeout=config.report_timeout,
        poster_options=poster_options,
    ).run(replay=replay)


__all__ = [
    "WORKFLOW",
    "OrderNotInErpError",
    "ReturnsM3Config",
    "ReturnsSapConfig",
    "returns_m3",
    "returns_sap",
]
