"""MCF after the create, against the sandbox for M3 and SAP: an ERP order cancelled later
cancels its fulfilment order once, a changed quantity updates it once, an order Amazon is
already shipping is reported and not touched, and a crash between Amazon's answer and the
ledger write cancels nothing twice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest

from amazon_erp_bridge.amazon.fulfillment import (
    FulfillmentOrder,
    FulfillmentOrderDetails,
    FulfillmentOrderItem,
)
from amazon_erp_bridge.errors import ApiError, MappingError
from amazon_erp_bridge.mapping import mcf_can_change, mcf_update_request
from amazon_erp_bridge.model import Address
from amazon_erp_bridge.posting import PostStatus, RecordState
from amazon_erp_bridge.sandbox.infor.programs import PROGRAMS
from amazon_erp_bridge.sap import SalesOrderService
from amazon_erp_bridge.sap.sales_orders import SERVICE as SALES_ORDERS
from amazon_erp_bridge.workflows.mcf import return_mcf_items
from amazon_erp_bridge.workflows.report import StepReport, WorkflowReport

from .orders_env import Crash, CrashingLedger, World


def step(report: WorkflowReport, name: str) -> StepReport:
    return next(s for s in report.steps if s.name == name)


def statuses(report: WorkflowReport, name: str) -> dict[str, PostStatus]:
    summary = step(report, name).summary
    assert summary is not None
    return {r.source_id: r.status for r in summary.results}


class Calls:
    """Counts the client's cancel and update calls (what reaches Amazon)."""

    def __init__(self, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
        self.cancels: list[str] = []
        self.updates: list[tuple[str, dict[str, Any]]] = []
        api = world.amazon.fulfillment
        cancel, update = api.cancel_fulfillment_order, api.update_fulfillment_order

        def counted_cancel(order_id: str) -> None:
            self.cancels.append(order_id)
            cancel(order_id)

        def counted_update(order_id: str, request: Any) -> None:
            self.updates.append((order_id, dict(request)))
            update(order_id, request)

        monkeypatch.setattr(api, "cancel_fulfillment_order", counted_cancel)
        monkeypatch.setattr(api, "update_fulfillment_order", counted_update)


@pytest.fixture
def world() -> World:
    w = World()
    # Amazon keeps the orders Received (nothing picked) unless a test moves them on.
    w.sandbox.amazon.fulfillment.polls_per_step = 1000
    w.mcf_m3_config = attrs.evolve(w.mcf_m3_config, tracking_polls=1)
    w.mcf_sap_config = attrs.evolve(w.mcf_sap_config, tracking_polls=1)
    return w


@pytest.fixture
def calls(world: World, monkeypatch: pytest.MonkeyPatch) -> Calls:
    return Calls(world, monkeypatch)


def sent(world: World, erp: str) -> list[str]:
    records = world.ledger.records(kind=f"mcf.{erp}", state=RecordState.POSTED)
    return sorted(r.source_id for r in records)


def amazon_status(world: World, order_id: str) -> str:
    return str(world.mcf_orders()[order_id].status)


def amazon_quantities(world: World, order_id: str) -> dict[str, int]:
    items = world.mcf_orders()[order_id].request["items"]
    return {i["sellerFulfillmentOrderItemId"]: i["quantity"] for i in items}


# -- Infor M3 ---------------------------------------------------------------------------------


def m3_cancel(world: World, orno: str) -> None:
    """Cancel the order in M3 the way the cancellation workflow does (DelLine / CloLine)."""
    world.m3.customer_orders.update_cancellation(orno)


def m3_set_quantity(world: World, orno: str, ponr: str, quantity: str) -> None:
    state = world.sandbox.ion.state
    with state.lock:
        line = next(x for x in state.orders[orno].lines if x["PONR"] == ponr)
        line["ORQT"] = quantity


def test_m3_cancelled_order_cancels_its_fulfilment_order_once(world: World, calls: Calls) -> None:
    world.mcf_m3()
    orno = sent(world, "m3")[0]
    m3_cancel(world, orno)
    report = world.mcf_m3()
    assert statuses(report, "cancellations") == {orno: PostStatus.CREATED}
    assert calls.cancels == [orno]
    assert amazon_status(world, orno) == "Cancelled"
    assert statuses(report, "tracking") == {}  # a cancelled order is not dead-lettered there
    again = world.mcf_m3()
    assert statuses(again, "cancellations") == {}
    assert statuses(again, "updates") == {}
    assert calls.cancels == [orno]


def test_m3_changed_quantity_updates_the_fulfilment_order_once(world: World, calls: Calls) -> None:
    world.mcf_m3()
    orno = sent(world, "m3")[0]
    m3_set_quantity(world, orno, "1", "1")
    report = world.mcf_m3()
    assert list(statuses(report, "updates").values()) == [PostStatus.CREATED]
    assert calls.updates == [
        (orno, {"items": [{"sellerSku": "SKU-MUG-01", "sellerFulfillmentOrderItemId": "1",
                           "quantity": 1}], "marketplaceId": "ATVPDKIKX0DER"})
    ]  # fmt: skip
    assert amazon_quantities(world, orno)["1"] == 1
    assert statuses(report, "cancellations") == {}
    again = world.mcf_m3()
    assert statuses(again, "updates") == {}
    assert len(calls.updates) == 1
    assert "2 orders at Amazon unchanged in M3" in step(again, "updates").notes


def test_m3_closed_line_goes_to_quantity_zero(world: World, calls: Calls) -> None:
    world.mcf_m3()
    orno = sent(world, "m3")[0]
    PROGRAMS["OIS100MI"]["CloLine"].run(world.sandbox.ion.state, {"ORNO": orno, "PONR": "2"})
    world.mcf_m3()
    assert [u["items"] for _, u in calls.updates] == [
        [{"sellerSku": "SKU-TEA-05", "sellerFulfillmentOrderItemId": "2", "quantity": 0}]
    ]
    assert calls.cancels == []


def test_m3_change_back_is_sent_too(world: World, calls: Calls) -> None:
    world.mcf_m3()
    orno = sent(world, "m3")[0]
    before = amazon_quantities(world, orno)["1"]
    m3_set_quantity(world, orno, "1", "1")
    world.mcf_m3()
    m3_set_quantity(world, orno, "1", str(before))
    world.mcf_m3()
    assert [u["items"][0]["quantity"] for _, u in calls.updates] == [1, before]
    assert amazon_quantities(world, orno)["1"] == before
    world.mcf_m3()
    assert len(calls.updates) == 2


def test_m3_order_amazon_is_picking_is_reported_not_cancelled(world: World, calls: Calls) -> None:
    world.mcf_m3()
    orno = sent(world, "m3")[0]
    at_amazon = world.mcf_orders()[orno]
    at_amazon.polls = 2 * world.sandbox.amazon.fulfillment.polls_per_step - 1  # next read: picking
    m3_cancel(world, orno)
    report = world.mcf_m3()
    assert statuses(report, "cancellations") == {orno: PostStatus.DEAD_LETTERED}
    assert calls.cancels == []
    record = world.ledger.get("mcf.cancel.m3", orno)
    assert record is not None
    assert "is Processing" in (record.reason or "")
    assert "no longer lets the seller cancel" in (record.reason or "")
    assert statuses(world.mcf_m3(), "cancellations") == {}  # reported once, not retried
    assert calls.cancels == []


def test_m3_amazon_refusing_the_cancel_is_recorded_with_its_reason(
    world: World, calls: Calls
) -> None:
    """Amazon ships between the status read and the cancel: its 400 is kept, not retried."""
    world.mcf_m3()
    orno = sent(world, "m3")[0]
    world.mcf_orders()[orno].shipment_status = "SHIPPED"  # the read still says Received
    m3_cancel(world, orno)
    report = world.mcf_m3()
    assert statuses(report, "cancellations") == {orno: PostStatus.DEAD_LETTERED}
    assert calls.cancels == [orno]
    record = world.ledger.get("mcf.cancel.m3", orno)
    assert record is not None
    assert "has shipped and cannot be cancelled" in (record.reason or "")
    world.mcf_m3()
    assert calls.cancels == [orno]


def test_m3_update_refused_once_amazon_ships(world: World, calls: Calls) -> None:
    world.mcf_m3()
    orno = sent(world, "m3")[0]
    world.mcf_orders()[orno].status = "Complete"
    m3_set_quantity(world, orno, "1", "1")
    report = world.mcf_m3()
    assert list(statuses(report, "updates").values()) == [PostStatus.DEAD_LETTERED]
    assert calls.updates == []
    (record,) = world.ledger.records(kind="mcf.update.m3")
    assert "is Complete" in (record.reason or "")


def test_m3_crash_after_the_cancel_does_not_cancel_twice(world: World, calls: Calls) -> None:
    world.mcf_m3()
    orno = sent(world, "m3")[0]
    m3_cancel(world, orno)
    with pytest.raises(Crash):
        world.mcf_m3(ledger=CrashingLedger(world.ledger))
    assert calls.cancels == [orno]
    world.clock.advance(120)
    report = world.mcf_m3()
    assert statuses(report, "cancellations") == {orno: PostStatus.FOUND_EXISTING}
    assert calls.cancels == [orno]
    assert world.settled("mcf.cancel.m3")


def test_m3_crash_after_the_update_does_not_update_twice(world: World, calls: Calls) -> None:
    world.mcf_m3()
    orno = sent(world, "m3")[0]
    m3_set_quantity(world, orno, "1", "1")
    with pytest.raises(Crash):
        world.mcf_m3(ledger=CrashingLedger(world.ledger))
    world.clock.advance(120)
    report = world.mcf_m3()
    assert list(statuses(report, "updates").values()) == [PostStatus.FOUND_EXISTING]
    assert len(calls.updates) == 1


def test_m3_new_address_updates_the_destination(world: World, calls: Calls) -> None:
    world.mcf_m3()
    orno = sent(world, "m3")[0]
    state = world.sandbox.ion.state
    with state.lock:
        state.orders[orno].addresses["1"]["TOWN"] = "Dallas"
    world.mcf_m3()
    ((order_id, body),) = calls.updates
    assert order_id == orno and "items" not in body
    assert body["destinationAddress"]["city"] == "Dallas"
    assert world.mcf_orders()[orno].request["destinationAddress"]["city"] == "Dallas"


def test_sandbox_amazon_refuses_to_cancel_an_order_it_is_picking(world: World) -> None:
    world.mcf_m3()
    orno = sent(world, "m3")[0]
    world.mcf_orders()[orno].status = "Processing"
    with pytest.raises(ApiError, match=f"{orno} is Processing and cannot be cancelled"):
        world.amazon.fulfillment.cancel_fulfillment_order(orno)


# -- SAP S/4HANA ------------------------------------------------------------------------------


def sap_set_quantity(world: World, number: str, item: str, quantity: str) -> None:
    rows = world.sandbox.sap.state.stores[SALES_ORDERS]["A_SalesOrderItem"].rows
    row = next(r for r in rows.values() if (r["SalesOrder"], r["SalesOrderItem"]) == (number, item))
    row["RequestedQuantity"] = Decimal(quantity)


def test_sap_rejected_order_cancels_its_fulfilment_order_once(world: World, calls: Calls) -> None:
    world.mcf_sap()
    number = sent(world, "sap")[0]
    SalesOrderService(world.sap).update_rejection(number, "50")
    report = world.mcf_sap()
    assert statuses(report, "cancellations") == {number: PostStatus.CREATED}
    assert amazon_status(world, number) == "Cancelled"
    assert statuses(world.mcf_sap(), "cancellations") == {}
    assert calls.cancels == [number]


def test_sap_changed_quantity_updates_once(world: World, calls: Calls) -> None:
    world.mcf_sap()
    number = sent(world, "sap")[0]
    sap_set_quantity(world, number, "10", "1")
    report = world.mcf_sap()
    assert list(statuses(report, "updates").values()) == [PostStatus.CREATED]
    assert amazon_quantities(world, number)["10"] == 1
    world.mcf_sap()
    assert len(calls.updates) == 1
    assert calls.cancels == []


def test_sap_shipped_order_is_reported_not_cancelled(world: World, calls: Calls) -> None:
    world.mcf_sap()
    number = sent(world, "sap")[0]
    world.mcf_orders()[number].status = "Complete"
    SalesOrderService(world.sap).update_rejection(number, "50")
    report = world.mcf_sap()
    assert statuses(report, "cancellations") == {number: PostStatus.DEAD_LETTERED}
    assert calls.cancels == []


def test_sap_crash_after_the_cancel_does_not_cancel_twice(world: World, calls: Calls) -> None:
    world.mcf_sap()
    number = sent(world, "sap")[0]
    SalesOrderService(world.sap).update_rejection(number, "50")
    with pytest.raises(Crash):
        world.mcf_sap(ledger=CrashingLedger(world.ledger))
    world.clock.advance(120)
    report = world.mcf_sap()
    assert statuses(report, "cancellations") == {number: PostStatus.FOUND_EXISTING}
    assert calls.cancels == [number]


# -- the pure decision ------------------------------------------------------------------------


def held(status: str = "Received", **quantities: int) -> FulfillmentOrderDetails:
    address = Address(
        name="Ana Ruiz", line1="1 Elm St", city="Austin", postal_code="78701", country_code="US"
    )
    order = FulfillmentOrder("O1", "O1", status, "Standard", address)
    items = tuple(FulfillmentOrderItem(f"SKU-{k}", k, q) for k, q in quantities.items())
    return FulfillmentOrderDetails(order, items)


def wanted(**quantities: int) -> dict[str, Any]:
    address = {
        "name": "Ana Ruiz",
        "addressLine1": "1 Elm St",
        "city": "Austin",
        "postalCode": "78701",
        "countryCode": "US",
    }
    items = [
        {"sellerSku": f"SKU-{k}", "sellerFulfillmentOrderItemId": k, "quantity": q}
        for k, q in quantities.items()
    ]
    return {"sellerFulfillmentOrderId": "O1", "destinationAddress": address, "items": items}


def test_same_order_needs_no_update() -> None:
    assert mcf_update_request(wanted(A=2, B=1), held(A=2, B=1)) is None


def test_quantity_and_missing_line_are_updated() -> None:
    body = mcf_update_request(wanted(A=1), held(A=2, B=1))
    assert body == {
        "items": [
            {"sellerSku": "SKU-A", "sellerFulfillmentOrderItemId": "A", "quantity": 1},
            {"sellerSku": "SKU-B", "sellerFulfillmentOrderItemId": "B", "quantity": 0},
        ]
    }


def test_changed_address_is_sent_whole() -> None:
    new = wanted(A=2)
    new["destinationAddress"]["city"] = "Dallas"
    body = mcf_update_request(new, held(A=2))
    assert body == {"destinationAddress": new["destinationAddress"]}


def test_new_line_cannot_be_an_update() -> None:
    with pytest.raises(MappingError, match=r"O1: new lines C.*cancel it and send"):
        mcf_update_request(wanted(A=2, C=1), held(A=2))


def test_only_orders_nothing_was_picked_for_can_change() -> None:
    assert [s for s in ("New", "Received", "Planning", "Processing", "Complete")
            if mcf_can_change(s)] == ["New", "Received", "Planning"]  # fmt: skip


# -- returns of shipped MCF orders ------------------------------------------------------------


def shipped_m3_order(world: World) -> str:
    config = attrs.evolve(world.mcf_m3_config, tracking_polls=4)
    world.sandbox.amazon.fulfillment.polls_per_step = 1
    world.mcf_m3(config=config)
    orno = sent(world, "m3")[0]
    assert amazon_status(world, orno) == "Complete"
    return orno


def test_mcf_return_is_requested_once(world: World) -> None:
    orno = shipped_m3_order(world)
    first = return_mcf_items(
        world.amazon, world.ledger, "m3", orno, {"1": 2}, "CR-DEFECTIVE", return_id="R7"
    )
    assert first.status is PostStatus.CREATED
    assert first.document is not None and first.document.detail["items"] == 2
    assert sorted(world.mcf_orders()[orno].returns) == ["R7-1-1", "R7-1-2"]
    again = return_mcf_items(
        world.amazon, world.ledger, "m3", orno, {"1": 2}, "CR-DEFECTIVE", return_id="R7"
    )
    assert again.status is PostStatus.DUPLICATE
    assert len(world.mcf_orders()[orno].returns) == 2


def test_mcf_return_with_a_reason_amazon_does_not_list_is_dead_lettered(world: World) -> None:
    orno = shipped_m3_order(world)
    result = return_mcf_items(
        world.amazon, world.ledger, "m3", orno, {"1": 1}, "NOT-A-CODE", return_id="R8"
    )
    assert result.status is PostStatus.DEAD_LETTERED
    assert "return reason 'NOT-A-CODE' is not one Amazon lists for SKU SKU-MUG-01" in (
        result.reason or ""
    )
    assert world.mcf_orders()[orno].returns == {}


def test_mcf_return_of_more_units_than_shipped_is_dead_lettered(world: World) -> None:
    orno = shipped_m3_order(world)
    result = return_mcf_items(
        world.amazon, world.ledger, "m3", orno, {"1": 5}, "CR-DEFECTIVE", return_id="R9"
    )
    assert result.status is PostStatus.DEAD_LETTERED
    assert "line 1: 5 units to return, 2 shipped" in (result.reason or "")


def test_mcf_return_of_an_unshipped_order_is_dead_lettered(world: World) -> None:
    world.mcf_m3()
    orno = sent(world, "m3")[0]
    result = return_mcf_items(
        world.amazon, world.ledger, "m3", orno, {"1": 1}, "CR-DEFECTIVE", return_id="R10"
    )
    assert result.status is PostStatus.DEAD_LETTERED
    assert "0 shipped" in (result.reason or "")
