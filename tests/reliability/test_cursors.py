"""Cursors move forward only, after what their window holds is in the ledger; every run takes up
what earlier runs left pending (issue 15: lost AFN deliveries, stranded POSTING records)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.posting import (
    PENDING_STATES,
    RecordState,
    SqliteLedger,
    pending_records,
    time_position,
)
from amazon_erp_bridge.posting.claims import new_owner
from amazon_erp_bridge.workflows import order_to_cash as o2c
from tests.workflows.orders_env import World

T0 = datetime(2026, 3, 17, 9, 30, tzinfo=UTC)


def test_time_position_sorts_as_text_and_ignores_the_offset():
    plus_two = T0.astimezone(timezone(timedelta(hours=2)))
    assert time_position(T0) == time_position(plus_two) == "2026-03-17T09:30:00.000000Z"
    later = [time_position(T0 + timedelta(microseconds=n)) for n in (0, 1, 10, 10**6)]
    assert later == sorted(later)
    with pytest.raises(ValidationError, match="no timezone"):
        time_position(datetime(2026, 3, 17))


def test_advance_cursor_refuses_to_go_back_and_says_so():
    ledger = SqliteLedger()
    assert ledger.advance_cursor("c", '{"v": 2}', position=time_position(T0))
    assert not ledger.advance_cursor("c", '{"v": 1}', position=time_position(T0 - timedelta(1)))
    assert ledger.get_cursor("c") == '{"v": 2}'
    assert ledger.advance_cursor("c", '{"v": 3}', position=time_position(T0))  # same: stored
    assert ledger.get_cursor("c") == '{"v": 3}'


def test_a_cursor_from_before_positions_is_advanced():
    ledger = SqliteLedger()
    ledger.set_cursor("c", "2026-03-18T00:00:00+00:00")  # a plain cursor: no position
    assert ledger.advance_cursor("c", "x", position=time_position(T0))
    assert ledger.get_cursor("c") == "x"


def test_pending_records_are_every_unsettled_state_oldest_first():
    ledger = SqliteLedger()
    ledger.receive("k", "received")
    ledger.mark_mapped("k", "mapped", payload_digest="d")
    ledger.mark_failed("k", "failed", "ERP down")
    ledger.claim("k", "posting", owner=new_owner(), lease=60)
    ledger.claim("k", "posted", owner="o", lease=60)
    ledger.mark_posted("k", "posted", _document(), owner="o", outcome="created")
    ledger.mark_dead_lettered("k", "dead", "unknown SKU")
    ledger.receive("other", "x")
    found = pending_records(ledger, "k")
    assert [r.source_id for r in found] == ["received", "mapped", "failed", "posting"]
    assert {r.state for r in found} == set(PENDING_STATES)


def _document():
    from amazon_erp_bridge.posting import ErpDocument

    return ErpDocument("m3", "1000001")


# -- order to cash: a run that dies between its steps loses nothing --------------------------


def _killed_between_steps(world: World, run: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run ``run`` so that it dies right after its orders step (the cursor has moved)."""

    class Killed(BaseException):
        pass

    def die(self: object, orders: object) -> None:
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(o2c._Run, "shipments_step", die)
        with pytest.raises(Killed):
            getattr(world, run)()


@pytest.mark.parametrize(("run", "erp"), [("o2c_m3", "m3"), ("o2c_sap", "sap")])
def test_deliveries_of_a_run_killed_between_steps_are_posted_by_the_next(run, erp, monkeypatch):
    clean = World()
    getattr(clean, run)()
    expected = {r.source_id for r in clean.ledger.records(kind=f"shipment.{erp}")}
    assert expected  # the seed has orders Amazon shipped

    world = World()
    _killed_between_steps(world, run, monkeypatch)
    pending = {r.source_id for r in world.ledger.records(kind=f"shipment.{erp}")}
    assert pending == expected  # recorded before the cursor moved
    assert all(
        r.state is RecordState.RECEIVED for r in world.ledger.records(kind=f"shipment.{erp}")
    )

    report = getattr(world, run)()
    shipments = world.ledger.records(kind=f"shipment.{erp}")
    assert {r.source_id for r in shipments} == expected
    assert all(r.state is RecordState.POSTED for r in shipments), report
    if erp == "m3":
        assert world.m3_orders_by_cuor() == clean.m3_orders_by_cuor()
    else:
        assert len(world.sap_deliveries()) == len(clean.sap_deliveries())


def test_a_shipment_stranded_in_posting_is_taken_over_by_the_next_run():
    world = World()
    world.o2c_m3()
    shipped = world.ledger.records(kind="shipment.m3")
    victim = shipped[0].source_id
    # As a run killed while posting it would leave it: POSTING under a dead owner.
    raw = world.ledger._connection()
    raw.execute(
        "UPDATE records SET state = 'posting', owner = ?, lease_expires = 0 "
        "WHERE kind = 'shipment.m3' AND source_id = ?",
        ("otherhost:1:dead", victim),
    )
    assert world.ledger.get("shipment.m3", victim).state is RecordState.POSTING
    world.o2c_m3()
    assert world.ledger.get("shipment.m3", victim).state is RecordState.POSTED
    assert all(n == 1 for n in world.m3_orders_by_cuor().values())  # no order twice


def test_a_failed_order_behind_a_cursor_moved_by_another_run_is_taken_up():
    world = World()
    world.o2c_m3()
    posted = world.ledger.records(kind="order.m3", state=RecordState.POSTED)
    # Another run moved the cursor past an order this ledger still has as FAILED (a sweep
    # must find it: the listing will not bring it back).
    victim = posted[0].source_id
    raw = world.ledger._connection()
    raw.execute(
        "UPDATE records SET state = 'failed', erp = NULL, document_id = NULL "
        "WHERE kind = 'order.m3' AND source_id = ?",
        (victim,),
    )
    far = world.now() + timedelta(days=365)
    assert world.ledger.advance_cursor(
        "amazon.orders.m3", far.isoformat(), position=time_position(far)
    )
    report = world.o2c_m3()
    assert world.ledger.get("order.m3", victim).state is RecordState.POSTED
    notes = " ".join(n for step in report.steps for n in step.notes)
    assert "took up 1 orders left pending" in notes
    assert world.m3_orders_by_cuor()[victim] == 1  # found existing in M3, not created twice
