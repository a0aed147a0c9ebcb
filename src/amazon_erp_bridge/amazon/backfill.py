"""The backfill planner: which windows of a seller's history to read by report, which by API.

Onboarding a seller means reading months of orders. Through the Orders API the ceiling is
Amazon's documented rate: ``searchOrders`` refills 0.0056 requests/s after a burst of 20
pages of 100 orders, about 2,000 orders an hour once the burst is spent. A report
(:mod:`amazon_erp_bridge.amazon.order_reports`) holds a month of one marketplace's orders in
one document, for three rate-limited calls (createReport, getReportDocument at 0.0167/s with
a burst of 15; getReport polls at 2/s) and Amazon's processing time.

:func:`plan_backfill` is a pure function of what is wanted, the date range, the marketplaces,
the expected order volume and :class:`PlannerSettings` (documented or learned rates, report
date-range limits, page size, report processing time). It returns a :class:`BackfillPlan`:
the windows in the order to run them, each with its source and estimated calls and seconds,
the estimate of the whole plan and of the API-only alternative, and the switch point.

Estimates come from running the plan's calls, in plan order, against token buckets with the
given rates (the same buckets the client's limiter keeps, with its ``headroom``), in
simulated time; so they hold within the measurement error of a real run at those rates.

The switch point: order reports lag by up to 30 minutes (Amazon, "Order Reports",
https://developer-docs.amazon.com/sp-api/docs/report-type-values-order), and a report costs
its processing time whatever its size; the most recent ``api_tail`` of the range (at least
those 30 minutes, longer when the API reads that many orders faster than a report would) is
read by API. Scheduled incremental runs, which read only minutes of orders, stay on the API.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from attrs import field, frozen

from amazon_erp_bridge.amazon.order_reports import FBA_SHIPMENTS, ORDERS_BY_ORDER_DATE
from amazon_erp_bridge.amazon.rates import RATES
from amazon_erp_bridge.amazon.returns import FBA_RETURNS_REPORT_TYPE
from amazon_erp_bridge.core.limiter import Rate
from amazon_erp_bridge.errors import ValidationError

SETTLEMENT_REPORT_TYPE: Final = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
#: Order reports can lag the orders by up to 30 minutes (Amazon, "Order Reports").
REPORT_DELAY: Final = timedelta(minutes=30)
#: Longest dataStartTime..dataEndTime span one request covers, by report type. A setting, not
#: a documented constant: 30 days keeps each order report to about a month of one
#: marketplace's orders (override with what Amazon answers for a seller).
DEFAULT_REPORT_DAYS: Final[Mapping[str, int]] = {
    ORDERS_BY_ORDER_DATE: 30,
    FBA_SHIPMENTS: 30,
    FBA_RETURNS_REPORT_TYPE: 60,
}
#: Settlement periods are 14 days: one settlement report per period and marketplace.
SETTLEMENT_PERIOD: Final = timedelta(days=14)


class Want(enum.StrEnum):
    """What a backfill brings into the ERP."""

    ORDERS = "orders"
    SHIPMENTS = "shipments"
    RETURNS = "returns"
    FINANCES = "finances"


class Source(enum.StrEnum):
    """How a window is read: one report document, or pages of the API."""

    REPORT = "report"
    API = "api"


def _wants(values: Iterable[Want | str]) -> tuple[Want, ...]:
    out: list[Want] = []
    for value in values:
        try:
            want = Want(str(value).strip().lower())
        except ValueError:
            allowed = ", ".join(w.value for w in Want)
            raise ValidationError(f"backfill wants: {value!r} is not one of {allowed}") from None
        if want not in out:
            out.append(want)
    if not out:
        raise ValidationError("backfill wants: give at least one of orders, shipments, ...")
    return tuple(sorted(out, key=list(Want).index))


@frozen
class PlannerSettings:
    """The rates and limits a plan is computed from (documented by default, or learned).

    ``report_seconds``: Amazon's processing time of one report, from createReport to DONE
    (learn it from ``processingEndTime - createdTime`` of earlier reports);
    ``poll_interval``: seconds between getReport polls; ``call_seconds``: round trip of one
    call; ``headroom``: burst tokens the client's limiter keeps unused; ``page_size``: orders
    per searchOrders / getOrders page (Amazon's maximum is 100); ``orders_api``: ``"v2026"``
    (searchOrders includes items) or ``"v0"`` (getOrders + one getOrderItems per order);
    ``items_per_order``: lines per order (sizes v0 item pages); ``events_per_order``:
    financial events per order, for the listFinancialEvents alternative.
    """

    rates: Mapping[str, Rate] = field(factory=lambda: dict(RATES))
    report_days: Mapping[str, int] = field(factory=lambda: dict(DEFAULT_REPORT_DAYS))
    report_seconds: float = 600.0
    poll_interval: float = 10.0
    call_seconds: float = 0.0
    headroom: int = 1
    page_size: int = 100
    orders_api: str = "v2026"
    events_per_order: float = 2.0

    def __attrs_post_init__(self) -> None:
        if self.orders_api not in ("v2026", "v0"):
            raise ValidationError(
                f"PlannerSettings.orders_api: {self.orders_api!r} is not v2026 or v0"
            )
        if not 1 <= self.page_size <= 100:
            raise ValidationError(
                f"PlannerSettings.page_size: expected 1 to 100, got {self.page_size}"
            )
        for key, days in self.report_days.items():
            if days < 1:
                raise ValidationError(f"PlannerSettings.report_days[{key}]: {days} < 1 day")
        if self.poll_interval <= 0 or self.report_seconds < 0 or self.call_seconds < 0:
            raise ValidationError(
                "PlannerSettings: poll_interval must be > 0, report_seconds and call_seconds >= 0"
            )

    def rate(self, key: str) -> Rate:
        """The rate of ``key`` (a ValidationError naming it when the settings have none)."""
        rate = self.rates.get(key)
        if rate is None:
            raise ValidationError(f"PlannerSettings.rates: no rate for {key}")
        return rate

    def report_polls(self) -> int:
        """getReport sleeps before a report is DONE (each one ``poll_interval``)."""
        return max(1, math.ceil(self.report_seconds / self.poll_interval))


@frozen
class PlanWindow:
    """One step of a plan: a want, a marketplace and a time window, read by report or API.

    ``calls`` counts rate-limited calls by limit key; ``starts_at`` / ``seconds`` place it on
    the plan's simulated timeline.
    """

    want: Want
    source: Source
    marketplace_id: str
    start: datetime
    end: datetime
    report_type: str | None
    records: int
    calls: Mapping[str, int]
    starts_at: float
    seconds: float

    @property
    def key(self) -> str:
        """A stable name for the window (its ledger cursor is ``backfill.<key>``)."""
        return (
            f"{self.want.value}.{self.marketplace_id}."
            f"{self.start:%Y%m%dT%H%M%S}-{self.end:%Y%m%dT%H%M%S}.{self.source.value}"
        )


def _hours(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


@frozen
class BackfillPlan:
    """What :func:`plan_backfill` answers: windows in run order and the estimates."""

    wants: tuple[Want, ...]
    start: datetime
    end: datetime
    marketplaces: tuple[str, ...]
    orders_per_day: float
    windows: tuple[PlanWindow, ...]
    estimated_seconds: float
    api_only_seconds: float
    #: Orders purchased from here on are read by API (the last window of each marketplace).
    switch_at: datetime
    api_tail: timedelta

    @property
    def speedup(self) -> float:
        """How many times faster than reading everything through the API."""
        return self.api_only_seconds / self.estimated_seconds if self.estimated_seconds else 0.0

    def __str__(self) -> str:
        head = (
            f"backfill plan {self.start:%Y-%m-%d} .. {self.end:%Y-%m-%d}, "
            f"{len(self.marketplaces)} marketplace(s), {', '.join(w.value for w in self.wants)}, "
            f"~{self.orders_per_day:g} orders/day\n"
        )
        rows = [("#", "want", "source", "marketplace", "from", "to", "records", "calls", "time")]
        for n, w in enumerate(self.windows, start=1):
            rows.append(
                (
                    str(n),
                    w.want.value,
                    w.source.value if w.report_type is None else w.report_type,
                    w.marketplace_id,
                    f"{w.start:%Y-%m-%d %H:%M}",
                    f"{w.end:%Y-%m-%d %H:%M}",
                    str(w.records),
                    str(sum(w.calls.values())),
                    _hours(w.seconds),
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        table = "\n".join("  ".join(c.ljust(widths[i]) for i, c in enumerate(r)) for r in rows)
        foot = (
            f"\nestimated: {_hours(self.estimated_seconds)}; API only: "
            f"{_hours(self.api_only_seconds)} ({self.speedup:.0f}x slower)\n"
            f"switch to the API at {self.switch_at:%Y-%m-%d %H:%M} "
            f"(the last {self.api_tail}); incremental runs stay on the API"
        )
        return head + table + foot

    def to_json(self) -> dict[str, Any]:
        """The plan as JSON-ready data (what ``backfill --plan --json`` prints)."""
        return {
            "wants": [w.value for w in self.wants],
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "marketplaces": list(self.marketplaces),
            "ordersPerDay": self.orders_per_day,
            "estimatedSeconds": round(self.estimated_seconds, 1),
            "apiOnlySeconds": round(self.api_only_seconds, 1),
            "speedup": round(self.speedup, 1),
            "switchAt": self.switch_at.isoformat(),
            "apiTailSeconds": self.api_tail.total_seconds(),
            "windows": [
                {
                    "key": w.key,
                    "want": w.want.value,
                    "source": w.source.value,
                    "reportType": w.report_type,
                    "marketplaceId": w.marketplace_id,
                    "start": w.start.isoformat(),
                    "end": w.end.isoformat(),
                    "records": w.records,
                    "calls": dict(w.calls),
                    "startsAt": round(w.starts_at, 1),
                    "seconds": round(w.seconds, 1),
                }
                for w in self.windows
            ],
        }


class _Timeline:
    """Token buckets in simulated time: what the client's limiter would make each call wait."""

    def __init__(self, settings: PlannerSettings) -> None:
        self.settings = settings
        self.now = 0.0
        self._tokens: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def call(self, key: str, times: int = 1) -> None:
        rate = self.settings.rate(key)
        capacity = max(1.0, rate.burst - self.settings.headroom)
        tokens, at = self._tokens.get(key, (capacity, self.now))
        for _ in range(times):
            tokens = min(capacity, tokens + (self.now - at) * rate.per_second)
            at = self.now
            if tokens < 1:
                self.now += (1 - tokens) / rate.per_second
                tokens, at = 1.0, self.now
            tokens -= 1
            self.now += self.settings.call_seconds
        self._tokens[key] = (tokens, at)

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _report_calls(t: _Timeline) -> dict[str, int]:
    polls = t.settings.report_polls()
    t.call("reports.createReport")
    for _ in range(polls):
        t.call("reports.getReport")
        t.sleep(t.settings.poll_interval)
    t.call("reports.getReport")
    t.call("reports.getReportDocument")
    return {
        "reports.createReport": 1,
        "reports.getReport": polls + 1,
        "reports.getReportDocument": 1,
    }


def _orders_api_calls(t: _Timeline, orders: int) -> dict[str, int]:
    pages = max(1, math.ceil(orders / t.settings.page_size))
    if t.settings.orders_api == "v2026":
        t.call("orders.searchOrders", pages)
        return {"orders.searchOrders": pages}
    t.call("ordersV0.getOrders", pages)
    t.call("ordersV0.getOrderItems", orders)
    return {"ordersV0.getOrders": pages, "ordersV0.getOrderItems": orders}


def _finance_api_calls(t: _Timeline, events: int) -> dict[str, int]:
    pages = max(1, math.ceil(events / 100))
    t.call("finances.listFinancialEvents", pages)
    return {"finances.listFinancialEvents": pages}


def _settlement_calls(t: _Timeline) -> dict[str, int]:
    t.call("reports.getReportDocument")
    return {"reports.getReportDocument": 1}


def _slices(start: datetime, end: datetime, step: timedelta) -> list[tuple[datetime, datetime]]:
    out = []
    at = start
    while at < end:
        out.append((at, min(at + step, end)))
        at += step
    return out


def _count(per_day: float, start: datetime, end: datetime) -> int:
    return round(per_day * (end - start).total_seconds() / 86400)


def api_tail(per_day: float, settings: PlannerSettings) -> timedelta:
    """How much of the most recent history the API reads at least as fast as one report.

    Never less than Amazon's 30-minute report delay. Pure: the longest span whose orders
    (at ``per_day``) the API reads within one report's time, found by doubling and bisection.
    """
    t = _Timeline(settings)
    _report_calls(t)
    report = t.now

    def api_seconds(span: timedelta) -> float:
        timeline = _Timeline(settings)
        _orders_api_calls(timeline, _count(per_day, datetime.min, datetime.min + span))
        return timeline.now

    low, high = REPORT_DELAY, REPORT_DELAY
    while api_seconds(high) <= report and high < timedelta(days=30):
        low, high = high, high * 2
    if high == REPORT_DELAY:
        return REPORT_DELAY
    for _ in range(20):
        mid = (low + high) / 2
        low, high = (mid, high) if api_seconds(mid) <= report else (low, mid)
    return max(REPORT_DELAY, timedelta(minutes=math.floor(low.total_seconds() / 60)))


def plan_backfill(
    wants: Iterable[Want | str],
    start: datetime,
    end: datetime,
    marketplaces: Sequence[str],
    *,
    orders_per_day: float,
    settings: PlannerSettings | None = None,
    api_only: bool = False,
) -> BackfillPlan:
    """The plan to bring ``wants`` of ``start``..``end`` in, with its estimates (pure).

    ``orders_per_day``: the seller's orders per day over all ``marketplaces`` (spread evenly
    across them for the report windows).

    Orders: one order report (by order date) per marketplace and ``report_days`` window up to
    the switch point, then one API window (the last ``api_tail``, every marketplace in one
    searchOrders run). Shipments: FBA shipments reports over the same windows (the API path
    gets them from the orders' status). Returns: returns reports (no API lists them).
    Finances: the settlement reports Amazon has generated (one per 14 days and marketplace),
    listed with getReports and downloaded; the API-only alternative pages listFinancialEvents.
    ``api_only=True`` plans the alternative itself: all orders (and their shipments) by API.

    The run (see :func:`amazon_erp_bridge.workflows.backfill.run_backfill`) requests every
    report first, in window order (oldest first; orders, then shipments, then returns), so
    Amazon processes them while the API window is read; then it collects the reports in the
    same order. The estimate counts at least one poll interval per report (the client polls
    once before it sleeps), so it errs long by at most that much per report.
    """
    chosen = _wants(wants)
    settings = settings or PlannerSettings()
    for name, moment in (("start", start), ("end", end)):
        if moment.tzinfo is None:
            raise ValidationError(f"plan_backfill {name}: {moment.isoformat()} has no timezone")
    if end <= start:
        raise ValidationError("plan_backfill: end must be after start")
    if orders_per_day < 0:
        raise ValidationError(f"plan_backfill orders_per_day: {orders_per_day} is negative")
    markets = tuple(dict.fromkeys(m for m in marketplaces if m))
    if not markets:
        raise ValidationError("plan_backfill marketplaces: give at least one marketplace id")
    if api_only:
        tail = end - start
    else:
        tail = api_tail(orders_per_day, settings) if Want.ORDERS in chosen else timedelta(0)
    switch_at = max(start, end - tail)
    per_market = orders_per_day / len(markets)

    # (want, marketplace, from, to, report type, records), in run order
    reports: list[tuple[Want, str, datetime, datetime, str, int]] = []
    for want, report_type in (
        (Want.ORDERS, ORDERS_BY_ORDER_DATE),
        (Want.SHIPMENTS, FBA_SHIPMENTS),
        (Want.RETURNS, FBA_RETURNS_REPORT_TYPE),
    ):
        if want not in chosen or (api_only and want is Want.SHIPMENTS):
            continue
        step = timedelta(days=settings.report_days.get(report_type, 30))
        limit = switch_at if want is Want.ORDERS else end
        for market in markets:
            for a, b in _slices(start, limit, step):
                reports.append((want, market, a, b, report_type, _count(per_market, a, b)))

    t = _Timeline(settings)
    created: list[float] = []
    for _report in reports:
        t.call("reports.createReport")
        created.append(t.now)
    windows: list[PlanWindow] = []
    if Want.ORDERS in chosen and switch_at < end:
        began = t.now
        records = _count(orders_per_day, switch_at, end)
        calls = _orders_api_calls(t, records)
        windows.append(
            PlanWindow(
                Want.ORDERS,
                Source.API,
                ",".join(markets),
                switch_at,
                end,
                None,
                records,
                calls,
                began,
                t.now - began,
            )
        )
    for (want, market, a, b, report_type, records), began in zip(reports, created, strict=True):
        ready = began + settings.report_seconds
        sleeps = max(1, math.ceil((ready - t.now) / settings.poll_interval))
        for _ in range(sleeps):
            t.call("reports.getReport")
            t.sleep(settings.poll_interval)
        t.call("reports.getReport")
        t.call("reports.getReportDocument")
        calls = {
            "reports.createReport": 1,
            "reports.getReport": sleeps + 1,
            "reports.getReportDocument": 1,
        }
        windows.append(
            PlanWindow(
                want, Source.REPORT, market, a, b, report_type, records, calls, began, t.now - began
            )
        )
    if Want.FINANCES in chosen:
        periods = _slices(start, end, SETTLEMENT_PERIOD)
        for market in markets:
            began = t.now
            pages = max(1, math.ceil(len(periods) / 100))
            t.call("reports.getReports", pages)
            for n, (a, b) in enumerate(periods):
                t.call("reports.getReportDocument")
                windows.append(
                    PlanWindow(
                        Want.FINANCES,
                        Source.REPORT,
                        market,
                        a,
                        b,
                        SETTLEMENT_REPORT_TYPE,
                        round(_count(per_market, a, b) * settings.events_per_order),
                        {"reports.getReportDocument": 1}
                        | ({"reports.getReports": pages} if n == 0 else {}),
                        began,
                        t.now - began,
                    )
                )
                began = t.now
    return BackfillPlan(
        wants=chosen,
        start=start,
        end=end,
        marketplaces=markets,
        orders_per_day=orders_per_day,
        windows=tuple(windows),
        estimated_seconds=t.now,
        api_only_seconds=api_only_seconds(chosen, start, end, markets, orders_per_day, settings),
        switch_at=switch_at,
        api_tail=tail,
    )


def api_only_seconds(
    wants: Iterable[Want | str],
    start: datetime,
    end: datetime,
    marketplaces: Sequence[str],
    orders_per_day: float,
    settings: PlannerSettings | None = None,
) -> float:
    """Estimated seconds to read the same through the API alone (returns still by report,
    since no API lists them; shipments come with the orders' status)."""
    settings = settings or PlannerSettings()
    chosen = _wants(wants)
    t = _Timeline(settings)
    # searchOrders and listFinancialEvents read every marketplace of a region at once
    records = _count(orders_per_day, start, end)
    if Want.ORDERS in chosen:
        _orders_api_calls(t, records)
    if Want.FINANCES in chosen:
        _finance_api_calls(t, round(records * settings.events_per_order))
    if Want.RETURNS in chosen:
        days = timedelta(days=settings.report_days.get(FBA_RETURNS_REPORT_TYPE, 60))
        for _ in dict.fromkeys(marketplaces):
            for _slice in _slices(start, end, days):
                _report_calls(t)
    return t.now


__all__ = [
    "DEFAULT_REPORT_DAYS",
    "REPORT_DELAY",
    "BackfillPlan",
    "PlanWindow",
    "PlannerSettings",
    "Source",
    "Want",
    "api_only_seconds",
    "api_tail",
    "plan_backfill",
]
