"""Backfill: run a :class:`~amazon_erp_bridge.amazon.backfill.BackfillPlan` into the ERP.

:func:`backfill_m3` / :func:`backfill_sap` post a seller's history through the same posting
path as order to cash (:mod:`amazon_erp_bridge.workflows.order_to_cash`): the same ledger
kinds (``order.<erp>``, ``shipment.<erp>``), the same poster, mapping and rules per status
(Pending: not yet; Canceled: not created; MCF orders: left to the MCF workflow). So a
backfill and the scheduled runs never post the same order twice: whichever comes second
finds it POSTED in the ledger (a duplicate) or in the ERP.

:func:`run_backfill` is the engine, for any :class:`OrderSink`:

1. every report window of the plan is requested first (createReport), oldest first, so
   Amazon processes them while the API window is read; its report id is kept in the
   window's ledger cursor (``backfill.<name>.<window key>`` = ``1:report:<id>``), so a run
   restarted after a crash collects the same report instead of requesting it again;
2. the API window (the most recent orders) is read with searchOrders and posted;
3. each report is collected in plan order (polled, downloaded, parsed while streaming) and
   its orders posted; FBA shipments record the delivery of posted orders
   (``shipment.<erp>``), posted at the end with the shipments step;
4. a window's cursor becomes ``2:done`` once all it held is in the ledger. A restarted run skips
   done windows and reads the others again; the ledger turns what was already posted into
   duplicates. ``on_window`` sees the progress of each window as it ends.

An order report Amazon CANCELLED is a window with no orders (Amazon cancels order reports
that find no data).

5. returns and finances windows run last (a return needs its order in the ERP), oldest first,
   through the returns and settlement-to-GL workflows (:func:`returns_m3`,
   :func:`settlement_to_gl_m3`, ...) restricted to the window (``start``/``until``) with the
   window's own cursor (``backfill.<name>.<window key>.run``): the same ledger kinds
   (``return.<erp>``, ``settlement.<erp>``) as the scheduled runs, so neither posts a return
   or a settlement the other posted. A window with a result a later run may fix (failed,
   deferred, busy) is not done: the next run reads it again. Without a returns (settlement)
   config those windows are left out, with a note.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Protocol

import attrs
from attrs import frozen

from amazon_erp_bridge.amazon import SpApiClient
from amazon_erp_bridge.amazon.backfill import BackfillPlan, PlanWindow, Source, Want
from amazon_erp_bridge.amazon.order_reports import (
    FBA_SHIPMENTS,
    ORDER_REPORT_TYPES,
    ReportRowError,
    iter_report_orders,
    iter_report_shipments,
)
from amazon_erp_bridge.amazon.processing import ProcessingFailedError
from amazon_erp_bridge.core.redaction import get_logger
from amazon_erp_bridge.infor import M3Client
from amazon_erp_bridge.mapping import is_mcf_order, order_to_m3, order_to_sap
from amazon_erp_bridge.model import Order
from amazon_erp_bridge.posting import Ledger, PostResult, PostStatus, RecordState
from amazon_erp_bridge.sap import ODataClient
from amazon_erp_bridge.workflows.order_to_cash import (
    CLOSED,
    WAITING,
    OrderToCashM3Config,
    OrderToCashSapConfig,
    _Erp,
    _expected_total,
    _m3_invoices,
    _M3OrderTarget,
    _M3ShipmentTarget,
    _Run,
    _sap_invoices,
    _SapOrderTarget,
    _SapShipmentTarget,
    m3_crosswalk,
    sap_crosswalk,
)
from amazon_erp_bridge.workflows.report import StepReport, WorkflowReport
from amazon_erp_bridge.workflows.returns import (
    ReturnsM3Config,
    ReturnsSapConfig,
    returns_m3,
    returns_sap,
)
from amazon_erp_bridge.workflows.settlement_to_gl import (
    SettlementToGlM3Config,
    SettlementToGlSapConfig,
    settlement_to_gl_m3,
    settlement_to_gl_sap,
)

log = get_logger("amazon_erp_bridge.workflows.backfill")

#: Window cursor values; they sort in the order they are set (ledger cursors only go forward).
DONE: Final = "2:done"
_POSTED: Final = frozenset({PostStatus.CREATED, PostStatus.RESUMED, PostStatus.FOUND_EXISTING})
_REPORT_PREFIX: Final = "1:report:"
_LATER: Final = frozenset({PostStatus.FAILED, PostStatus.DEFERRED, PostStatus.BUSY})

#: Runs one returns or finances window: (window, its workflow cursor) -> the workflow's report.
WindowRun = Callable[[PlanWindow, str], WorkflowReport]


class OrderSink(Protocol):
    """Where a backfill posts: the order to cash posting path of one ERP (or a test's)."""

    @property
    def kind(self) -> str:
        """The ledger kind orders are posted under (``order.<erp>``)."""

    def post(self, order: Order) -> PostResult:
        """Post one order once (a duplicate when the ledger has it posted)."""

    def shipped(self, order: Order) -> None:
        """Record that Amazon shipped ``order`` (its delivery is posted by :meth:`finish`)."""

    def shipment(self, order_id: str) -> None:
        """Record a shipment the FBA shipments report lists for a posted order."""

    def finish(self) -> list[str]:
        """Post what the windows left pending (deliveries); notes for the report."""


@frozen
class WindowProgress:
    """What one plan window did: orders read and what became of them."""

    key: str
    want: Want
    source: Source
    read: int
    posted: int
    duplicates: int
    not_posted: int
    failed: int
    skipped_rows: int
    seconds: float
    resumed: bool = False

    def __str__(self) -> str:
        if self.resumed:
            return f"{self.key}: done in an earlier run"
        return (
            f"{self.key}: read {self.read}, posted {self.posted}, duplicates {self.duplicates}, "
            f"not posted by rule {self.not_posted}, failed {self.failed}, "
            f"bad rows {self.skipped_rows}, {self.seconds:.0f} s"
        )


@frozen
class BackfillReport:
    """The outcome of a backfill run: progress per window, in plan order."""

    plan: BackfillPlan
    windows: tuple[WindowProgress, ...]
    seconds: float
    notes: tuple[str, ...] = ()

    @property
    def read(self) -> int:
        """Orders read over all windows."""
        return sum(w.read for w in self.windows if w.want is Want.ORDERS)

    @property
    def posted(self) -> int:
        """Orders posted by this run."""
        return sum(w.posted for w in self.windows)

    @property
    def returns(self) -> int:
        """Returns read over the returns windows this run read."""
        return sum(w.read for w in self.windows if w.want is Want.RETURNS)

    @property
    def settlements(self) -> int:
        """Settlements read over the finances windows this run read."""
        return sum(w.read for w in self.windows if w.want is Want.FINANCES)

    def __str__(self) -> str:
        lines = [str(w) for w in self.windows]
        lines.append(
            f"backfill: {self.read} orders read, {self.posted} posted in {self.seconds:.0f} s "
            f"(plan estimate {self.plan.estimated_seconds:.0f} s)"
        )
        return "\n".join([*lines, *self.notes])


def _cursor(name: str, window: PlanWindow) -> str:
    return f"backfill.{name}.{window.key}"


def _report_type(window: PlanWindow) -> str:
    assert window.report_type is not None
    return window.report_type


def _markets(window: PlanWindow) -> list[str]:
    return window.marketplace_id.split(",")


class _Window:
    def __init__(self, window: PlanWindow, clock: Callable[[], float]) -> None:
        self.window = window
        self.began = clock()
        self.counts: dict[str, int] = dict.fromkeys(
            ("read", "posted", "duplicates", "not_posted", "failed"), 0
        )
        self.errors: list[ReportRowError] = []

    def count(self, result: PostResult | None) -> None:
        self.counts["read"] += 1
        if result is None:
            self.counts["not_posted"] += 1
        elif result.status in _POSTED:
            self.counts["posted"] += 1
        elif result.status is PostStatus.DUPLICATE:
            self.counts["duplicates"] += 1
        else:
            self.counts["failed"] += 1

    def progress(self, clock: Callable[[], float]) -> WindowProgress:
        w, c = self.window, self.counts
        return WindowProgress(
            w.key,
            w.want,
            w.source,
            read=c["read"],
            posted=c["posted"],
            duplicates=c["duplicates"],
            not_posted=c["not_posted"],
            failed=c["failed"],
            skipped_rows=len(self.errors),
            seconds=clock() - self.began,
        )


def _handle(sink: OrderSink, order: Order) -> PostResult | None:
    """The order to cash rules per status: None when the order is not posted by rule."""
    if is_mcf_order(order) or order.status in WAITING or order.status in CLOSED:
        return None
    result = sink.post(order)
    sink.shipped(order)
    return result


def run_backfill(
    amazon: SpApiClient,
    ledger: Ledger,
    plan: BackfillPlan,
    sink: OrderSink,
    *,
    name: str,
    clock: Callable[[], float] = time.monotonic,
    poll_interval: float = 10.0,
    on_window: Callable[[WindowProgress], None] | None = None,
    returns: WindowRun | None = None,
    settlements: WindowRun | None = None,
) -> BackfillReport:
    """Run ``plan`` into ``sink`` (see the module doc); resumable by ``name``.

    ``returns`` / ``settlements`` run one returns / finances window (see :data:`WindowRun`);
    None leaves those windows out.
    """
    began = clock()
    progress: dict[str, WindowProgress] = {}
    runnable = [w for w in plan.windows if w.want in (Want.ORDERS, Want.SHIPMENTS)]
    report_ids: dict[str, str] = {}
    for window in runnable:
        state = ledger.get_cursor(_cursor(name, window))
        if state == DONE:
            progress[window.key] = WindowProgress(
                window.key, window.want, window.source, 0, 0, 0, 0, 0, 0, 0.0, resumed=True
            )
        elif window.source is Source.REPORT:
            if state and state.startswith(_REPORT_PREFIX):
                report_ids[window.key] = state[len(_REPORT_PREFIX) :]
            else:
                rid = amazon.reports.create_report(
                    _report_type(window),
                    _markets(window),
                    data_start_time=window.start,
                    data_end_time=window.end,
                )
                ledger.set_cursor(_cursor(name, window), _REPORT_PREFIX + rid)
                report_ids[window.key] = rid

    def finish(run: _Window) -> None:
        ledger.set_cursor(_cursor(name, run.window), DONE)
        done = run.progress(clock)
        progress[run.window.key] = done
        log.info("backfill %s: %s", name, done)
        if on_window is not None:
            on_window(done)

    for window in runnable:
        if window.key in progress or window.source is not Source.API:
            continue
        run = _Window(window, clock)
        for order in amazon.orders.get_orders(
            _markets(window), created_after=window.start, created_before=window.end
        ):
            if window.start <= order.purchase_date < window.end:
                run.count(_handle(sink, order))
        finish(run)

    for window in runnable:
        if window.key in progress:
            continue
        run = _Window(window, clock)
        for item in _report_records(amazon, window, report_ids[window.key], poll_interval, run):
            if isinstance(item, Order):
                run.count(_handle(sink, item))
            else:
                run.counts["read"] += 1
                sink.shipment(item)
        finish(run)
    notes = sink.finish()
    runs = {Want.RETURNS: returns, Want.FINANCES: settlements}
    for want, runner in runs.items():
        if runner is None and any(w.want is want for w in plan.windows):
            notes.append(f"{want.value} windows not run: no {want.value} workflow config")
    later = [w for w in plan.windows if runs.get(w.want) is not None]
    for window in sorted(later, key=lambda w: (w.start, w.want is Want.FINANCES)):
        runner = runs[window.want]
        assert runner is not None
        cursor = _cursor(name, window)
        if ledger.get_cursor(cursor) == DONE:
            progress[window.key] = WindowProgress(
                window.key, window.want, window.source, 0, 0, 0, 0, 0, 0, 0.0, resumed=True
            )
            continue
        run = _Window(window, clock)
        report = runner(window, cursor + ".run")
        for step in report.steps:
            for result in step.summary.results if step.summary is not None else ():
                run.count(result)
        done = run.progress(clock)
        progress[window.key] = done
        if any(r.status in _LATER for s in report.steps if s.summary for r in s.summary.results):
            notes.append(f"{window.key}: results a later run may fix; the window runs again")
        else:
            ledger.set_cursor(cursor, DONE)
        log.info("backfill %s: %s", name, done)
        if on_window is not None:
            on_window(done)
    return BackfillReport(
        plan,
        tuple(progress[w.key] for w in [*runnable, *later]),
        clock() - began,
        tuple(notes),
    )


def _window_config(config: Any, window: PlanWindow, cursor: str) -> Any:
    """A returns config restricted to one plan window, with the window's own cursor; None
    when the window's marketplaces are none the config posts returns for."""
    markets = [m for m in _markets(window) if m in config.marketplaces]
    if not markets:
        return None
    return attrs.evolve(
        config, start=window.start, until=window.end, cursor=cursor, marketplaces=markets
    )


def _no_returns(erp: str, window: PlanWindow) -> WorkflowReport:
    note = f"{window.marketplace_id}: not a marketplace of the returns config"
    return WorkflowReport("returns", erp, [StepReport("returns", None, [note])])


def _settlement_config(config: Any, window: PlanWindow, cursor: str) -> Any:
    """A settlement config restricted to reports created in one plan window."""
    return attrs.evolve(config, start=window.start, until=window.end, cursor=cursor)


def _report_records(
    amazon: SpApiClient, window: PlanWindow, report_id: str, poll_interval: float, run: _Window
) -> Iterable[Order | str]:
    try:
        report = amazon.reports.wait(report_id, poll_interval=poll_interval)
    except ProcessingFailedError as exc:
        if exc.processing_status == "CANCELLED" and _report_type(window) in (
            *ORDER_REPORT_TYPES,
            FBA_SHIPMENTS,
        ):
            return  # Amazon cancels an order report that finds nothing
        raise
    document = report.report_document_id or ""
    market = _markets(window)[0]
    text = amazon.reports.download_text(document, marketplace_id=market)
    if _report_type(window) == FBA_SHIPMENTS:
        for shipment in iter_report_shipments(text, errors=run.errors):
            yield shipment.order_id
    else:
        yield from iter_report_orders(text, marketplace_id=market, errors=run.errors)


class RunSink:
    """An :class:`OrderSink` over order to cash's run of one ERP: its poster, kinds, rules."""

    def __init__(self, run: _Run[Any]) -> None:
        self._run = run

    @property
    def kind(self) -> str:
        return self._run.kind

    def post(self, order: Order) -> PostResult:
        return self._run._post(order)

    def shipped(self, order: Order) -> None:
        self._run._note_shipment(order)

    def shipment(self, order_id: str) -> None:
        ledger = self._run.ledger
        record = ledger.get(self._run.kind, order_id)
        if record is None or record.state is not RecordState.POSTED:
            return
        if ledger.get(self._run.shipment_kind, order_id) is None:
            ledger.receive(self._run.shipment_kind, order_id, describe="FBA shipments report")

    def finish(self) -> list[str]:
        step = self._run.shipments_step([])
        return [f"shipments: {n}" for n in step.notes]


def _m3_run(
    amazon: SpApiClient,
    m3: M3Client,
    ledger: Ledger,
    config: OrderToCashM3Config,
    poster_options: Mapping[str, Any] | None,
) -> _Run[Any]:
    items = config.items or m3_crosswalk(m3, config.alias_kinds)

    def to_payload(order: Order) -> Any:
        return order_to_m3(
            order,
            customers=config.customers,
            order_types=config.order_types,
            items=items,
            settings=config.settings,
            unit_price_for=config.unit_price,
        )

    erp: _Erp[Any] = _Erp(
        "m3",
        config.cursor,
        to_payload,
        _M3OrderTarget(m3),
        _M3ShipmentTarget(m3, config.delivery_route, config.delivery_values),
        _m3_invoices(m3),
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


def _sap_run(
    amazon: SpApiClient,
    sap: ODataClient,
    ledger: Ledger,
    config: OrderToCashSapConfig,
    poster_options: Mapping[str, Any] | None,
) -> _Run[Any]:
    items = config.items or sap_crosswalk(sap)

    def to_payload(order: Order) -> Any:
        return order_to_sap(
            order,
            customers=config.customers,
            order_types=config.order_types,
            items=items,
            settings=config.settings,
            unit_price_for=config.unit_price,
        )

    erp: _Erp[Any] = _Erp(
        "sap",
        config.cursor,
        to_payload,
        _SapOrderTarget(sap),
        _SapShipmentTarget(sap, config.shipping_point),
        _sap_invoices(sap),
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


def backfill_m3(
    amazon: SpApiClient,
    m3: M3Client,
    ledger: Ledger,
    config: OrderToCashM3Config,
    plan: BackfillPlan,
    *,
    name: str = "m3",
    poster_options: Mapping[str, Any] | None = None,
    clock: Callable[[], float] = time.monotonic,
    poll_interval: float = 10.0,
    on_window: Callable[[WindowProgress], None] | None = None,
    returns: ReturnsM3Config | None = None,
    settlement: SettlementToGlM3Config | None = None,
) -> BackfillReport:
    """Run ``plan`` into M3 through order to cash's posting path (config and kinds); its
    returns and finances windows through :func:`returns_m3` / :func:`settlement_to_gl_m3`
    with ``returns`` / ``settlement`` (None: those windows are left out)."""
    sink = RunSink(_m3_run(amazon, m3, ledger, config, poster_options))

    def run_returns(window: PlanWindow, cursor: str) -> WorkflowReport:
        assert returns is not None
        cfg = _window_config(returns, window, cursor)
        if cfg is None:
            return _no_returns("m3", window)
        return returns_m3(amazon, m3, ledger, cfg, poster_options=poster_options)

    def run_settlements(window: PlanWindow, cursor: str) -> WorkflowReport:
        assert settlement is not None
        cfg = _settlement_config(settlement, window, cursor)
        return settlement_to_gl_m3(amazon, m3, ledger, cfg, poster_options=poster_options)

    return run_backfill(
        amazon,
        ledger,
        plan,
        sink,
        name=name,
        clock=clock,
        poll_interval=poll_interval,
        on_window=on_window,
        returns=run_returns if returns is not None else None,
        settlements=run_settlements if settlement is not None else None,
    )


def backfill_sap(
    amazon: SpApiClient,
    sap: ODataClient,
    ledger: Ledger,
    config: OrderToCashSapConfig,
    plan: BackfillPlan,
    *,
    name: str = "sap",
    poster_options: Mapping[str, Any] | None = None,
    clock: Callable[[], float] = time.monotonic,
    poll_interval: float = 10.0,
    on_window: Callable[[WindowProgress], None] | None = None,
    returns: ReturnsSapConfig | None = None,
    settlement: SettlementToGlSapConfig | None = None,
) -> BackfillReport:
    """Run ``plan`` into SAP through order to cash's posting path (config and kinds); its
    returns and finances windows through :func:`returns_sap` / :func:`settlement_to_gl_sap`
    with ``returns`` / ``settlement`` (None: those windows are left out)."""
    sink = RunSink(_sap_run(amazon, sap, ledger, config, poster_options))

    def run_returns(window: PlanWindow, cursor: str) -> WorkflowReport:
        assert returns is not None
        cfg = _window_config(returns, window, cursor)
        if cfg is None:
            return _no_returns("sap", window)
        return returns_sap(amazon, sap, ledger, cfg, poster_options=poster_options)

    def run_settlements(window: PlanWindow, cursor: str) -> WorkflowReport:
        assert settlement is not None
        cfg = _settlement_config(settlement, window, cursor)
        return settlement_to_gl_sap(amazon, sap, ledger, cfg, poster_options=poster_options)

    return run_backfill(
        amazon,
        ledger,
        plan,
        sink,
        name=name,
        clock=clock,
        poll_interval=poll_interval,
        on_window=on_window,
        returns=run_returns if returns is not None else None,
        settlements=run_settlements if settlement is not None else None,
    )


__all__ = [
    "DONE",
    "BackfillReport",
    "OrderSink",
    "RunSink",
    "WindowProgress",
    "WindowRun",
    "backfill_m3",
    "backfill_sap",
    "run_backfill",
]
