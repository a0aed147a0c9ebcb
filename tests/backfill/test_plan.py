"""The planner as a pure function: wants x ranges x rates -> plans, and its bad inputs."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from amazon_erp_bridge.amazon.backfill import (
    REPORT_DELAY,
    PlannerSettings,
    Source,
    Want,
    api_tail,
    plan_backfill,
)
from amazon_erp_bridge.amazon.order_reports import FBA_SHIPMENTS, ORDERS_BY_ORDER_DATE
from amazon_erp_bridge.amazon.rates import RATES
from amazon_erp_bridge.core.limiter import Rate
from amazon_erp_bridge.errors import ValidationError

US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"
JAN = datetime(2025, 1, 1, tzinfo=UTC)
YEAR = datetime(2026, 1, 1, tzinfo=UTC)


def _kinds(plan: object) -> list[tuple[str, str]]:
    return [(w.want.value, w.source.value) for w in plan.windows]  # type: ignore[attr-defined]


# wants, days, marketplaces, orders/day -> report windows, API windows, least speedup
CASES = [
    # a year at 137/day: 12 monthly reports, the last 16 days by API (its burst is enough)
    (["orders"], 365, [US], 137, 12, 1, 100),
    (["orders"], 365, [US, CA], 137, 24, 1, 40),
    (["orders"], 30, [US], 137, 1, 1, 5),
    (["orders", "shipments"], 365, [US], 137, 25, 1, 40),
    (["returns"], 365, [US], 137, 7, 0, 1),
    # ten times the orders: the API tail shrinks to under two days, 13 reports
    (["orders"], 365, [US], 1370, 13, 1, 1000),
]


@pytest.mark.parametrize(
    ("wants", "days", "markets", "per_day", "reports", "apis", "speedup"), CASES
)
def test_plan_windows_and_speedup(
    wants: list[str],
    days: int,
    markets: list[str],
    per_day: float,
    reports: int,
    apis: int,
    speedup: float,
) -> None:
    plan = plan_backfill(wants, JAN, JAN + timedelta(days=days), markets, orders_per_day=per_day)
    assert sum(w.source is Source.REPORT for w in plan.windows) == reports
    assert sum(w.source is Source.API for w in plan.windows) == apis
    assert plan.speedup >= speedup
    # the windows of each want and marketplace tile the range without gaps or overlaps
    for want in plan.wants:
        for market in markets:
            spans = sorted(
                (w.start, w.end)
                for w in plan.windows
                if w.want is want and market in w.marketplace_id.split(",")
            )
            assert spans[0][0] == JAN and spans[-1][1] == JAN + timedelta(days=days)
            assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))


def test_fifty_thousand_orders_a_year_plan_is_at_least_20x_faster_than_the_api() -> None:
    plan = plan_backfill(["orders"], JAN, YEAR, [US], orders_per_day=50_000 / 365)
    assert plan.speedup >= 20
    # the API alone: 500 pages of searchOrders, 19 from the burst, then one per 1/0.0056 s
    assert plan.api_only_seconds == pytest.approx((500 - 19) / 0.0056, rel=0.01)
    assert sum(w.records for w in plan.windows) == pytest.approx(50_000, abs=5)


def test_v0_api_is_slower_than_search_orders() -> None:
    v0 = PlannerSettings(orders_api="v0")
    fast = plan_backfill(["orders"], JAN, YEAR, [US], orders_per_day=137)
    slow = plan_backfill(["orders"], JAN, YEAR, [US], orders_per_day=137, settings=v0)
    assert slow.api_only_seconds > fast.api_only_seconds
    api = next(w for w in slow.windows if w.source is Source.API)
    assert api.calls["ordersV0.getOrderItems"] == api.records


def test_learned_slower_rates_lengthen_the_estimate() -> None:
    slow = dict(RATES) | {"reports.createReport": Rate(0.001, 1)}
    fast = plan_backfill(["orders"], JAN, YEAR, [US], orders_per_day=137)
    plan = plan_backfill(
        ["orders"], JAN, YEAR, [US], orders_per_day=137, settings=PlannerSettings(rates=slow)
    )
    assert plan.estimated_seconds > fast.estimated_seconds + 10 * 1000


def test_report_days_set_the_window_length() -> None:
    settings = PlannerSettings(report_days={ORDERS_BY_ORDER_DATE: 7, FBA_SHIPMENTS: 7})
    plan = plan_backfill(
        ["orders"], JAN, JAN + timedelta(days=28), [US], orders_per_day=10_000, settings=settings
    )
    reports = [w for w in plan.windows if w.source is Source.REPORT]
    assert all(w.end - w.start <= timedelta(days=7) for w in reports)
    assert reports[0].report_type == ORDERS_BY_ORDER_DATE


def test_switch_point_is_never_inside_the_report_delay() -> None:
    assert api_tail(0, PlannerSettings()) >= REPORT_DELAY
    plan = plan_backfill(["orders"], JAN, YEAR, [US], orders_per_day=1_000_000)
    assert plan.api_tail == REPORT_DELAY  # a big seller: the API only for the last 30 minutes
    assert plan.switch_at == YEAR - REPORT_DELAY


def test_switch_point_moves_back_for_a_small_seller() -> None:
    small = plan_backfill(["orders"], JAN, YEAR, [US], orders_per_day=20)
    big = plan_backfill(["orders"], JAN, YEAR, [US], orders_per_day=2000)
    assert small.api_tail > big.api_tail


def test_api_only_plan_reads_every_order_by_api() -> None:
    plan = plan_backfill(
        ["orders", "shipments"], JAN, YEAR, [US], orders_per_day=137, api_only=True
    )
    assert _kinds(plan) == [("orders", "api")]
    assert plan.estimated_seconds == pytest.approx(plan.api_only_seconds)


def test_finances_read_settlement_reports() -> None:
    plan = plan_backfill(["finances"], JAN, JAN + timedelta(days=28), [US], orders_per_day=100)
    assert [w.report_type for w in plan.windows].count(
        "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
    ) == 2
    assert plan.api_only_seconds > 0


def test_plan_table_and_json() -> None:
    plan = plan_backfill(["orders", "shipments"], JAN, YEAR, [US], orders_per_day=137)
    text = str(plan)
    assert "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL" in text
    assert "switch to the API at" in text and "API only" in text
    data = plan.to_json()
    assert data["windows"][0]["key"] == plan.windows[0].key
    assert data["speedup"] >= 20


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"wants": ["orders", "invoices"]}, "'invoices' is not one of"),
        ({"wants": []}, "at least one"),
        ({"start": datetime(2025, 1, 1)}, "no timezone"),
        ({"end": JAN}, "end must be after start"),
        ({"marketplaces": []}, "at least one marketplace"),
        ({"orders_per_day": -1}, "negative"),
    ],
)
def test_bad_plan_inputs(kwargs: dict[str, object], words: str) -> None:
    args: dict[str, object] = {
        "wants": ["orders"],
        "start": JAN,
        "end": YEAR,
        "marketplaces": [US],
        "orders_per_day": 10,
    } | kwargs
    with pytest.raises(ValidationError, match=words):
        plan_backfill(
            args["wants"],
            args["start"],
            args["end"],
            args["marketplaces"],  # type: ignore[arg-type]
            orders_per_day=args["orders_per_day"],  # type: ignore[arg-type]
        )


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"orders_api": "v1"}, "orders_api"),
        ({"page_size": 500}, "page_size"),
        ({"report_days": {ORDERS_BY_ORDER_DATE: 0}}, "report_days"),
        ({"poll_interval": 0}, "poll_interval"),
    ],
)
def test_bad_settings(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        PlannerSettings(**kwargs)  # type: ignore[arg-type]


def test_missing_rate_is_named() -> None:
    settings = PlannerSettings(rates={})
    with pytest.raises(ValidationError, match="no rate for reports.createReport"):
        plan_backfill(["orders"], JAN, YEAR, [US], orders_per_day=10, settings=settings)


def test_plan_is_pure() -> None:
    a = plan_backfill([Want.ORDERS], JAN, YEAR, [US], orders_per_day=137)
    b = plan_backfill(["orders"], JAN, YEAR, [US], orders_per_day=137)
    assert a == b
