"""MCF tracking and shipment confirmation events do only their record's work: the event's MCF
order gets its ERP delivery, the event's delivery its Amazon confirmation, no other record's
documents change, the requests are bounded by one record's work; duplicates do nothing and an
unknown MCF order or delivery is dead-lettered with its reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import httpx2
import pytest

from amazon_erp_bridge.events.model import (
    ErpDeliveryShipped,
    Event,
    EventMeta,
    FulfillmentChanged,
    Origin,
)
from amazon_erp_bridge.events.router import RoutingRules
from amazon_erp_bridge.events.runner import EventHandlers, EventRunner, EventTally
from amazon_erp_bridge.events.sources import MemorySource, Message
from amazon_erp_bridge.model import FulfillmentChannel, OrderStatus
from amazon_erp_bridge.posting import PostStatus, RecordState
from amazon_erp_bridge.sandbox import server
from amazon_erp_bridge.sandbox.rules import lifecycle
from amazon_erp_bridge.workflows.confirm_shipments import (
    confirm_shipment_m3,
    confirm_shipment_sap,
)
from amazon_erp_bridge.workflows.mcf import track_mcf_order_m3, track_mcf_order_sap

from ..workflows.orders_env import UK, US, extra_order
from ..workflows.test_confirm_shipments import TRACKING, Lifecycle

A_US, B_US = "111-2000000-0000001", "111-2000000-0000002"
A_UK, B_UK = "202-2000000-0000001", "202-2000000-0000002"


@pytest.fixture
def world() -> Lifecycle:
    return Lifecycle()


@pytest.fixture
def requests(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every request the clients send to the sandbox (in process), as "METHOD path"."""
    seen: list[str] = []
    original = server._RouterTransport.handle_request

    def counting(self: Any, request: httpx2.Request) -> httpx2.Response:
        seen.append(f"{request.method} {request.url.path}")
        return original(self, request)

    monkeypatch.setattr(server._RouterTransport, "handle_request", counting)
    yield seen


def runner(world: Lifecycle, events: dict[str, Event]) -> EventRunner:
    """The runner with only the per-record handlers; messages are event ids in ``events``."""
    o = world.poster_options
    handlers = EventHandlers(
        track={
            "m3": lambda sfo: track_mcf_order_m3(
                world.amazon, world.m3, world.ledger, world.mcf_m3_config, sfo, poster_options=o
            ),
            "sap": lambda sfo: track_mcf_order_sap(
                world.amazon, world.sap, world.ledger, world.mcf_sap_config, sfo,
                poster_options=o,
            ),
        },
        confirm={
            "m3": lambda ref: confirm_shipment_m3(
                world.amazon, world.m3, world.ledger, world.cs_m3_config, ref, poster_options=o
            ),
            "sap": lambda ref: confirm_shipment_sap(
                world.amazon, world.sap, world.ledger, world.cs_sap_config, ref,
                poster_options=o,
            ),
        },
    )  # fmt: skip
    return EventRunner(
        world.ledger, RoutingRules({}), handlers, parse=lambda body: events[body.decode()]
    )


def run(world: Lifecycle, *events: Event) -> tuple[EventTally, MemorySource]:
    by_id = {e.meta.event_id: e for e in events}
    source = MemorySource([Message(f"m-{i}", e.encode()) for i, e in enumerate(by_id)])
    return runner(world, by_id).run(source, once=True), source


def meta(event_id: str, origin: Origin) -> EventMeta:
    return EventMeta(event_id, origin, "test")


def mfn_orders(world: Lifecycle, erp: str, *order_ids: str) -> list[str]:
    """New merchant-fulfilled orders posted to ``erp`` by one order-to-cash run: documents."""
    market = US if erp == "m3" else UK
    for order_id in order_ids:
        world.sandbox.amazon.add_order(
            extra_order(
                order_id, OrderStatus.UNSHIPPED, marketplace=market,
                channel=FulfillmentChannel.MERCHANT,
            )
        )  # fmt: skip
    world.o2c_m3() if erp == "m3" else world.o2c_sap()
    return [world.document(erp, order_id) for order_id in order_ids]


def settled(world: Lifecycle, kind: str) -> dict[str, RecordState]:
    return {r.source_id: r.state for r in world.ledger.records(kind=kind)}


# -- shipment confirmation --------------------------------------------------------------------


def test_m3_sync_shipment_confirms_only_its_order_once(
    world: Lifecycle, requests: list[str]
) -> None:
    orno_a, orno_b = mfn_orders(world, "m3", A_US, B_US)
    lifecycle.ship_from_m3(world.m3, orno_a, TRACKING)
    lifecycle.ship_from_m3(world.m3, orno_b, TRACKING)
    requests.clear()
    event = ErpDeliveryShipped(meta("ion-1", Origin.M3), "DLIX-1", orno_a)
    tally, source = run(world, event, attrs.evolve(event, meta=meta("ion-2", Origin.M3)))
    assert len(world.confirmations(A_US)) == 1 and world.confirmations(B_US) == []
    assert settled(world, "confirm.m3") == {A_US: RecordState.POSTED}
    assert [r.status for r in tally.results] == [PostStatus.CREATED]
    assert tally.coalesced == 1 and not source.dead
    assert 0 < len(requests) <= 20, requests  # one order's reads and one confirmation
    # the redelivered event, in another runner: the ledger absorbs it, nothing is sent
    requests.clear()
    again, _ = run(world, event)
    assert [r.status for r in again.results] == [PostStatus.DUPLICATE]
    assert len(world.confirmations(A_US)) == 1
    assert not any(r.startswith("POST") for r in requests)


def test_sap_goods_issued_confirms_only_its_delivery_once(
    world: Lifecycle, requests: list[str]
) -> None:
    so_a, so_b = mfn_orders(world, "sap", A_UK, B_UK)
    delivery = lifecycle.ship_from_sap(world.sap, so_a, TRACKING)
    lifecycle.ship_from_sap(world.sap, so_b, TRACKING)
    requests.clear()
    tally, source = run(world, ErpDeliveryShipped(meta("sap-1", Origin.SAP), delivery))
    assert len(world.confirmations(A_UK)) == 1 and world.confirmations(B_UK) == []
    assert settled(world, "confirm.sap") == {A_UK: RecordState.POSTED}
    assert [r.status for r in tally.results] == [PostStatus.CREATED]
    assert not source.dead
    assert 0 < len(requests) <= 20, requests
    again, _ = run(world, ErpDeliveryShipped(meta("sap-1", Origin.SAP), delivery))
    assert [r.status for r in again.results] == [PostStatus.DUPLICATE]
    assert len(world.confirmations(A_UK)) == 1


def test_unknown_order_or_delivery_is_dead_lettered_with_its_reason(world: Lifecycle) -> None:
    tally, source = run(
        world,
        ErpDeliveryShipped(meta("ion-x", Origin.M3), "DLIX-9", "9999999"),
        ErpDeliveryShipped(meta("sap-x", Origin.SAP), "89999999"),
    )
    reasons = [reason for _, reason in source.dead]
    assert len(reasons) == 2, reasons
    assert "M3 order 9999999: unknown" in reasons[0]
    assert "SAP delivery 89999999: unknown" in reasons[1]
    assert tally.handled == 0 and world.ledger.records(kind="confirm.m3") == []


# -- MCF tracking -----------------------------------------------------------------------------


def test_mcf_status_event_posts_only_its_orders_delivery(
    world: Lifecycle, requests: list[str]
) -> None:
    waiting = attrs.evolve(world.mcf_m3_config, tracking_polls=1)
    world.mcf_m3(config=waiting)  # at Amazon, not shipped yet
    posted = {r.source_id: r.document_id for r in world.ledger.records(kind="mcf.m3")}
    assert len(posted) >= 2 and settled(world, "mcf_shipment.m3") == {}
    orno, sfo = min(posted.items())
    requests.clear()
    event = FulfillmentChanged(meta("fo-1", Origin.AMAZON), str(sfo), "COMPLETE")
    tally, source = run(world, event)
    assert settled(world, "mcf_shipment.m3") == {orno: RecordState.POSTED}
    assert [r.status for r in tally.results] == [PostStatus.CREATED]
    assert not source.dead, source.dead
    assert len(requests) <= 20, requests  # one order's polls and one delivery
    assert not any(sfo not in r for r in requests if "fulfillmentOrders" in r)
    delivered = {o.orno for o in world.sandbox.ion.state.orders.values() if o.orst == "77"}
    assert delivered & set(posted) == {orno}  # every other MCF order still waits
    # again: the ledger holds it, nothing is read or posted
    requests.clear()
    again, _ = run(world, event)
    assert [r.status for r in again.results] == []
    assert not any(r.startswith("POST") for r in requests)
    assert settled(world, "mcf_shipment.m3") == {orno: RecordState.POSTED}


def test_unknown_mcf_order_is_dead_lettered_with_its_reason(world: Lifecycle) -> None:
    _, source = run(world, FulfillmentChanged(meta("fo-x", Origin.AMAZON), "NOPE-1", "COMPLETE"))
    [(_, reason)] = source.dead
    assert "MCF order NOPE-1: unknown to M3" in reason and "unknown to SAP" in reason


def test_sap_mcf_status_event_makes_only_its_orders_delivery(world: Lifecycle) -> None:
    waiting = attrs.evolve(world.mcf_sap_config, tracking_polls=1)
    world.mcf_sap(config=waiting)
    posted = {r.source_id: r.document_id for r in world.ledger.records(kind="mcf.sap")}
    assert len(posted) >= 2 and world.sap_deliveries() == []
    number, sfo = min(posted.items())
    event = FulfillmentChanged(meta("fo-s", Origin.AMAZON), str(sfo), "COMPLETE")
    tally, source = run(world, event)
    assert [r.status for r in tally.results] == [PostStatus.CREATED]
    assert settled(world, "mcf_shipment.sap") == {number: RecordState.POSTED}
    assert not source.dead, source.dead
    [delivery] = world.sap_deliveries()  # this order's delivery, with its tracking number
    assert delivery["BillOfLading"].startswith("1ZSANDBOX")
    run(world, attrs.evolve(event, meta=meta("fo-s2", Origin.AMAZON)))
    assert len(world.sap_deliveries()) == 1
