"""Cancellations inside order to cash, against the sandbox: an order Amazon cancels after it
was posted has its open ERP lines cancelled once; delivered lines are reported, not touched."""

from __future__ import annotations

import pytest

from amazon_erp_bridge.model import FulfillmentChannel, OrderStatus
from amazon_erp_bridge.posting import PostStatus, RecordState
from amazon_erp_bridge.sandbox.rules import lifecycle
from amazon_erp_bridge.sap import SalesOrderService
from amazon_erp_bridge.workflows.report import StepReport, WorkflowReport

from .orders_env import UK, US, Crash, CrashingLedger, World, extra_order

M3_ORDER = "111-2000000-0000001"
SAP_ORDER = "202-2000000-0000001"


def step(report: WorkflowReport, name: str = "cancellations") -> StepReport:
    return next(s for s in report.steps if s.name == name)


def statuses(report: WorkflowReport) -> dict[str, PostStatus]:
    summary = step(report).summary
    assert summary is not None
    return {r.source_id: r.status for r in summary.results}


@pytest.fixture
def world() -> World:
    return World()


def _posted(world: World, order_id: str, marketplace: str) -> str:
    """A merchant-fulfilled order posted by order to cash; its ERP document."""
    world.sandbox.amazon.add_order(
        extra_order(
            order_id,
            OrderStatus.UNSHIPPED,
            marketplace=marketplace,
            channel=FulfillmentChannel.MERCHANT,
        )
    )
    erp = "m3" if marketplace == US else "sap"
    (world.o2c_m3 if erp == "m3" else world.o2c_sap)()
    record = world.ledger.get(f"order.{erp}", order_id)
    assert record is not None and record.document_id
    return record.document_id


def _m3_statuses(world: World, orno: str) -> list[str]:
    return [line.status for line in world.m3.customer_orders.lines(orno)]


# -- Infor M3 ---------------------------------------------------------------------------------


def test_m3_open_lines_of_an_order_cancelled_after_posting_are_cancelled_once(
    world: World,
) -> None:
    orno = _posted(world, M3_ORDER, US)
    assert all(s < "66" for s in _m3_statuses(world, orno))
    lifecycle.cancel_after_posting(world.sandbox, M3_ORDER)
    report = world.o2c_m3()
    assert statuses(report)[M3_ORDER] is PostStatus.CREATED
    assert set(_m3_statuses(world, orno)) == {"99"}
    notes = " ".join(step(report).notes)
    assert f"order {M3_ORDER}: M3 {orno}: 1 close" in notes
    assert "see the cancellations step" in " ".join(step(report, "orders").notes)
    record = world.ledger.get("cancel.m3", M3_ORDER)
    assert record is not None and record.state is RecordState.POSTED
    again = world.o2c_m3()
    assert M3_ORDER not in statuses(again)
    assert world.m3_orders_by_cuor()[M3_ORDER] == 1


def test_m3_delivered_lines_are_reported_not_touched(world: World) -> None:
    orno = _posted(world, M3_ORDER, US)
    lifecycle.ship_from_m3(world.m3, orno, "1Z999AA10123456784")  # the warehouse shipped it
    before = _m3_statuses(world, orno)
    lifecycle.cancel_after_posting(world.sandbox, M3_ORDER)  # ... and then Amazon cancels
    report = world.o2c_m3()
    assert statuses(report)[M3_ORDER] is PostStatus.FOUND_EXISTING  # nothing left to change
    assert _m3_statuses(world, orno) == before
    notes = " ".join(step(report).notes)
    assert f"order {M3_ORDER} ({orno}) line 1 item TEA05" in notes
    assert "already delivered; not cancelled, decide in the ERP (return or refund)" in notes


def test_m3_crash_after_the_erp_cancelled_makes_no_second_change(world: World) -> None:
    orno = _posted(world, M3_ORDER, US)
    lifecycle.cancel_after_posting(world.sandbox, M3_ORDER)
    with pytest.raises(Crash):
        world.o2c_m3(ledger=CrashingLedger(world.ledger))
    assert set(_m3_statuses(world, orno)) == {"99"}  # M3 did it; the ledger never heard
    world.clock.advance(120)  # the dead run's claim lease runs out
    report = world.o2c_m3()
    assert statuses(report)[M3_ORDER] is PostStatus.FOUND_EXISTING
    audit = [e.action for e in world.ledger.audit("cancel.m3", M3_ORDER)]
    assert "received" in audit


def test_order_cancelled_before_posting_is_not_a_cancellation(world: World) -> None:
    world.sandbox.amazon.add_order(extra_order("111-2000000-0000009", OrderStatus.CANCELED))
    report = world.o2c_m3()
    assert "111-2000000-0000009" not in statuses(report)
    assert world.ledger.get("cancel.m3", "111-2000000-0000009") is None


# -- SAP S/4HANA ------------------------------------------------------------------------------


def test_sap_open_items_of_an_order_cancelled_after_posting_are_rejected_once(
    world: World,
) -> None:
    sales_order = _posted(world, SAP_ORDER, UK)
    lifecycle.cancel_after_posting(world.sandbox, SAP_ORDER)
    report = world.o2c_sap()
    assert statuses(report)[SAP_ORDER] is PostStatus.CREATED
    items = SalesOrderService(world.sap).get(sales_order).items
    assert all(i.rejection_reason == "10" for i in items)
    again = world.o2c_sap()
    assert SAP_ORDER not in statuses(again)


def test_sap_delivered_items_are_reported_not_touched(world: World) -> None:
    sales_order = _posted(world, SAP_ORDER, UK)
    lifecycle.ship_from_sap(world.sap, sales_order, "JD014600006281234567")
    lifecycle.cancel_after_posting(world.sandbox, SAP_ORDER)
    report = world.o2c_sap()
    assert statuses(report)[SAP_ORDER] is PostStatus.FOUND_EXISTING
    notes = " ".join(step(report).notes)
    assert f"order {SAP_ORDER} ({sales_order}) line 10" in notes
    assert "fully delivered, SAP keeps the item" in notes
