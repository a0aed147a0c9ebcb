"""The runner's delivery rules with stand-in handlers: repeats, stale events, unknown orders,
passing failures given back (and a --once pass that ends), coalesced work run once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from amazon_erp_bridge.errors import ApiError, TransportError
from amazon_erp_bridge.events.router import RoutingRules
from amazon_erp_bridge.events.runner import EventHandlers, EventRunner
from amazon_erp_bridge.events.sources import MemorySource
from amazon_erp_bridge.posting import ErpDocument, Poster, SqliteLedger
from amazon_erp_bridge.workflows.report import StepReport, WorkflowReport

from .schema_tools import examples

US = "ATVPDKIKX0DER"
POSTED_AT = datetime(2026, 3, 10, tzinfo=UTC)


def order_event(order_id: str, event_id: str, at: datetime) -> str:
    body: dict[str, Any] = examples("ORDER_CHANGE")[0]
    change = body["Payload"]["OrderChangeNotification"]
    change["AmazonOrderId"] = order_id
    change["Summary"]["MarketplaceId"] = US
    body["NotificationMetadata"]["NotificationId"] = event_id
    body["EventTime"] = at.isoformat().replace("+00:00", "Z")
    return json.dumps(body)


def stock_event(event_id: str) -> str:
    body: dict[str, Any] = examples("LISTINGS_ITEM_MFN_QUANTITY_CHANGE")[0]
    body["NotificationMetadata"]["NotificationId"] = event_id
    return json.dumps(body)


class Target:
    name = "m3"

    def find(self, source_id: str, payload: str) -> ErpDocument | None:
        return None

    def create(self, payload: str) -> ErpDocument:
        return ErpDocument("m3", f"ORD-{payload}")


class Calls:
    def __init__(self, fail: BaseException | None = None) -> None:
        self.seen: list[str] = []
        self.fail = fail

    def order(self, order_id: str) -> WorkflowReport:
        self.seen.append(order_id)
        if self.fail is not None:
            raise self.fail
        return WorkflowReport("order-to-cash", "m3", [StepReport("orders")])

    def run(self) -> WorkflowReport:
        self.seen.append("run")
        if self.fail is not None:
            raise self.fail
        return WorkflowReport("inventory-sync", "m3", [StepReport("stock")])


def make(calls: Calls, ledger: SqliteLedger | None = None) -> EventRunner:
    handlers = EventHandlers(orders={"m3": calls.order}, stock={"m3": calls.run})
    return EventRunner(ledger or SqliteLedger(), RoutingRules({US: "m3"}), handlers, batch_size=3)


def test_a_repeated_event_is_acknowledged_without_work() -> None:
    calls = Calls()
    source = MemorySource([order_event("114-1", "e1", POSTED_AT)] * 3)
    tally = make(calls).run(source, once=True)
    assert calls.seen == ["114-1"]
    assert (tally.handled, tally.repeats, len(source.acknowledged)) == (1, 2, 3)


def test_an_event_older_than_the_ledgers_posting_changes_nothing() -> None:
    ledger = SqliteLedger(now=lambda: POSTED_AT)
    Poster(ledger, Target()).post("order.m3", "114-1", "114-1")
    calls = Calls()
    source = MemorySource(
        [
            order_event("114-1", "old", POSTED_AT - timedelta(hours=1)),
            order_event("114-1", "new", POSTED_AT + timedelta(hours=1)),
        ]
    )
    tally = make(calls, ledger).run(source, once=True)
    assert calls.seen == ["114-1"]  # only the newer event does work
    assert tally.stale == 1


def test_an_unknown_order_is_dead_lettered_with_its_reason() -> None:
    calls = Calls(ApiError("order not found", status=404, code="NotFound"))
    source = MemorySource([order_event("999-1", "e1", POSTED_AT)])
    tally = make(calls).run(source, once=True)
    ((_, reason),) = source.dead
    assert "999-1" in reason and "unknown" in reason
    assert tally.parked == [reason]


def test_a_passing_failure_gives_the_message_back_and_once_ends() -> None:
    calls = Calls(TransportError("M3 down"))
    source = MemorySource([order_event("114-1", "e1", POSTED_AT)])
    tally = make(calls).run(source, once=True)
    assert len(source) == 1  # still queued for the next pass
    assert tally.given_back and "M3 down" in tally.given_back[0]
    calls.fail = None
    make(calls).run(source, once=True)
    assert len(source) == 0


def test_stock_events_are_coalesced_into_one_run_per_batch() -> None:
    calls = Calls()
    source = MemorySource([stock_event(f"s{n}") for n in range(3)])
    tally = make(calls).run(source, once=True)
    assert calls.seen == ["run"]
    assert tally.handled == 3
    assert len(source.acknowledged) == 3


def test_a_failed_coalesced_run_gives_every_message_back() -> None:
    calls = Calls(TransportError("ERP down"))
    source = MemorySource([stock_event("s1"), stock_event("s2")])
    tally = make(calls).run(source, once=True)
    assert len(tally.given_back) == 2
    assert len(source) == 2


def test_work_without_a_handler_is_parked() -> None:
    body: dict[str, Any] = examples("FULFILLMENT_ORDER_STATUS")[0]
    source = MemorySource([json.dumps(body)])
    make(Calls()).run(source, once=True)
    ((_, reason),) = source.dead
    assert "no take-up-return handler" in reason


def test_the_report_counts_everything() -> None:
    source = MemorySource(["{bad", stock_event("s1"), stock_event("s1")])
    runner = make(Calls())
    tally = runner.run(source, once=True)
    report = tally.report("m3").to_dict()
    assert report["workflow"] == "events"
    messages = report["steps"][0]
    assert (messages["received"], messages["dead_lettered"], messages["repeats"]) == (3, 1, 1)
    assert "not JSON" in " ".join(messages["notes"])


def test_run_stops_when_idle_says_so() -> None:
    source = MemorySource([stock_event("s1")])
    waits: list[int] = []

    def idle() -> bool:
        waits.append(1)
        if len(waits) == 1:
            source.put(stock_event("s2"))
            return True
        return False

    tally = make(Calls()).run(source, idle=idle)
    assert tally.handled == 2
    assert len(waits) == 2
