"""MCF against the sandbox, for M3 and SAP: flagged ERP orders become fulfilment orders once,
their tracking goes back to the ERP once; refusals, cancellations and crashes."""

from __future__ import annotations

import attrs
import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.mapping import McfRules
from amazon_erp_bridge.posting import PostStatus, RecordState
from amazon_erp_bridge.sandbox.infor.programs import PROGRAMS
from amazon_erp_bridge.sandbox.rules import orders as rules
from amazon_erp_bridge.sap.sales_orders import SERVICE as SALES_ORDERS
from amazon_erp_bridge.workflows.mcf import McfM3Config
from amazon_erp_bridge.workflows.report import StepReport, WorkflowReport

from .orders_env import Crash, CrashingLedger, World


def step(report: WorkflowReport, name: str) -> StepReport:
    return next(s for s in report.steps if s.name == name)


def statuses(report: WorkflowReport, name: str) -> dict[str, PostStatus]:
    summary = step(report, name).summary
    assert summary is not None
    return {r.source_id: r.status for r in summary.results}


def webshop_orders(world: World) -> dict[str, str]:
    """M3 web-shop orders: ORNO -> order type."""
    return {
        o.orno: o.head["ORTP"]
        for o in world.sandbox.ion.state.orders.values()
        if o.head["CUNO"] == rules.M3_WEBSHOP
    }


def m3_order(world: World, cuor: str, lines: list[dict[str, str]], address: bool = True) -> str:
    """Enter an MCF order in the fake M3 the way its users would."""
    state = world.sandbox.ion.state
    run = PROGRAMS["OIS100MI"]
    head = {"CUNO": rules.M3_WEBSHOP, "CUOR": cuor, "ORTP": "MCF", "ORDT": "20260312"}
    orno = run["AddBatchHead"].run(state, head)[0]["ORNO"]
    for line in lines:
        run["AddBatchLine"].run(state, {**line, "ORNO": orno})
    if address:
        fields = {"CUNM": "Ana Ruiz", "CUA1": "1 Elm St", "TOWN": "Austin", "PONO": "78701"}
        run["AddBatchAddress"].run(state, {"ORNO": orno, "ADRT": "1", "CSCD": "US", **fields})
    run["Confirm"].run(state, {"ORNO": orno})
    return run["GetOrderNo"].run(state, {"ORNO": orno})[0]["ORNR"]


@pytest.fixture
def world() -> World:
    return World()


# -- Infor M3 ---------------------------------------------------------------------------------


def test_m3_flagged_orders_become_fulfilment_orders_and_ship_back(world: World) -> None:
    report = world.mcf_m3()
    flagged = {orno for orno, ortp in webshop_orders(world).items() if ortp == "MCF"}
    assert statuses(report, "fulfillment orders") == dict.fromkeys(flagged, PostStatus.CREATED)
    at_amazon = world.mcf_orders()
    assert set(at_amazon) == flagged  # the STD order stays in M3
    request = at_amazon[min(flagged)].request
    assert request["displayableOrderId"] == "WEB-10001"
    assert request["shippingSpeedCategory"] == "Expedited"
    assert request["destinationAddress"]["city"] == "Seattle"
    assert [i["sellerSku"] for i in request["items"]] == ["SKU-MUG-01", "SKU-TEA-05"]
    assert statuses(report, "tracking") == dict.fromkeys(flagged, PostStatus.CREATED)
    delivered = {o.orno for o in world.sandbox.ion.state.orders.values() if o.orst == "77"}
    assert flagged <= delivered
    notes = " ".join(step(report, "tracking").notes)
    assert "shipped UPS 1ZSANDBOX" in notes


def test_m3_second_run_creates_nothing_at_amazon_or_in_m3(world: World) -> None:
    world.mcf_m3()
    before = (set(world.mcf_orders()), dict(world.sandbox.ion.state.deliveries))
    second = world.mcf_m3()
    assert statuses(second, "fulfillment orders") == {}
    assert statuses(second, "tracking") == {}
    assert (set(world.mcf_orders()), dict(world.sandbox.ion.state.deliveries)) == before


def test_m3_tracking_waits_for_amazon_and_reports_once(world: World) -> None:
    config = attrs.evolve(world.mcf_m3_config, tracking_polls=1)
    first = world.mcf_m3(config=config)
    assert "still with Amazon: 2 Planning" in step(first, "tracking").notes
    again = world.mcf_m3(config=config)
    assert set(statuses(again, "fulfillment orders").values()) == {PostStatus.DUPLICATE}
    assert "still with Amazon: 2 Processing" in step(again, "tracking").notes
    done = world.mcf_m3(config=config)
    assert set(statuses(done, "tracking").values()) == {PostStatus.CREATED}
    assert statuses(world.mcf_m3(config=config), "tracking") == {}


def test_m3_crash_after_creating_at_amazon_makes_no_duplicate(world: World) -> None:
    with pytest.raises(Crash):
        world.mcf_m3(ledger=CrashingLedger(world.ledger))
    world.clock.advance(120)
    report = world.mcf_m3()
    assert PostStatus.FOUND_EXISTING in statuses(report, "fulfillment orders").values()
    assert len(world.mcf_orders()) == 2
    assert world.settled("mcf.m3")
    assert world.settled("mcf_shipment.m3")


def test_m3_order_amazon_refuses_is_dead_lettered_with_its_reason(world: World) -> None:
    world.sandbox.ion.add_item("GIFT01", "Gift card", aliases={"seller_sku": "SKU-GIFT-99"})
    orno = m3_order(world, "WEB-20001", [{"ITNO": "GIFT01", "ORQT": "1"}])
    report = world.mcf_m3()
    assert statuses(report, "fulfillment orders")[orno] is PostStatus.DEAD_LETTERED
    record = world.ledger.get("mcf.m3", orno)
    assert record is not None
    assert "Unknown sellerSku: SKU-GIFT-99" in (record.reason or "")
    assert orno not in world.mcf_orders()


def test_m3_order_without_address_is_dead_lettered_before_amazon_sees_it(world: World) -> None:
    orno = m3_order(world, "WEB-20002", [{"ITNO": "MUG01", "ORQT": "1"}], address=False)
    report = world.mcf_m3()
    assert statuses(report, "fulfillment orders")[orno] is PostStatus.DEAD_LETTERED
    record = world.ledger.get("mcf.m3", orno)
    assert record is not None
    assert "destinationAddress is required" in (record.reason or "")


def test_m3_item_without_seller_sku_is_dead_lettered(world: World) -> None:
    world.sandbox.ion.add_item("LOOSE01", "Loose item")
    orno = m3_order(world, "WEB-20003", [{"ITNO": "LOOSE01", "ORQT": "1"}])
    world.mcf_m3()
    record = world.ledger.get("mcf.m3", orno)
    assert record is not None and record.state is RecordState.DEAD_LETTERED
    assert "M3 item LOOSE01 has no seller SKU" in (record.reason or "")


def test_m3_fulfilment_order_cancelled_at_amazon_is_dead_lettered(world: World) -> None:
    config = attrs.evolve(world.mcf_m3_config, tracking_polls=1)
    world.mcf_m3(config=config)
    cancelled = min(world.mcf_orders())
    world.amazon.fulfillment.cancel_fulfillment_order(cancelled)
    report = world.mcf_m3(config=config)
    assert statuses(report, "tracking")[cancelled] is PostStatus.DEAD_LETTERED
    record = world.ledger.get("mcf_shipment.m3", cancelled)
    assert record is not None
    assert f"fulfilment order {cancelled} is Cancelled" in (record.reason or "")


def test_m3_replay_creates_a_dead_letter_after_the_fix(world: World) -> None:
    orno = m3_order(world, "WEB-20004", [{"ITNO": "BOOK06", "ORQT": "1"}], address=False)
    world.mcf_m3()
    fix = {"CUNM": "Mia Wong", "CUA1": "9 Oak Ave", "TOWN": "Portland", "PONO": "97201"}
    world.sandbox.ion.state.orders[orno].addresses["1"] = {**fix, "CSCD": "US"}  # M3 user fix
    report = world.mcf_m3(replay=True)
    assert statuses(report, "replay") == {orno: PostStatus.CREATED}
    assert world.mcf_orders()[orno].request["destinationAddress"]["city"] == "Portland"


def test_m3_config_is_checked() -> None:
    with pytest.raises(ValidationError, match="customers must name at least one"):
        McfM3Config(customers=(), rules=McfRules())
    with pytest.raises(ValidationError, match="tracking_polls must be at least 1"):
        McfM3Config(customers=("C1",), rules=McfRules(), tracking_polls=0)


# -- SAP S/4HANA ------------------------------------------------------------------------------


def sap_types(world: World) -> dict[str, str]:
    return {
        r["SalesOrder"]: r["SalesOrderType"]
        for r in world.sandbox.sap.rows(SALES_ORDERS, "A_SalesOrder")
        if r["SoldToParty"] == rules.SAP_WEBSHOP
    }


def test_sap_flagged_orders_become_fulfilment_orders_and_deliveries(world: World) -> None:
    report = world.mcf_sap()
    flagged = {so for so, t in sap_types(world).items() if t == "ZMCF"}
    assert statuses(report, "fulfillment orders") == dict.fromkeys(flagged, PostStatus.CREATED)
    assert set(world.mcf_orders()) == flagged
    assert statuses(report, "tracking") == dict.fromkeys(flagged, PostStatus.CREATED)
    deliveries = world.sap_deliveries()
    assert len(deliveries) == len(flagged)
    assert all(d["BillOfLading"].startswith("1ZSANDBOX") for d in deliveries)
    assert all(d["OverallGoodsMovementStatus"] == "C" for d in deliveries)
    rows = world.sandbox.sap.rows(SALES_ORDERS, "A_SalesOrder")
    assert {r["SalesOrder"] for r in rows if r["OverallDeliveryStatus"] == "C"} == flagged


def test_sap_second_run_creates_nothing(world: World) -> None:
    world.mcf_sap()
    before = (set(world.mcf_orders()), len(world.sap_deliveries()))
    second = world.mcf_sap()
    assert statuses(second, "fulfillment orders") == {}
    assert (set(world.mcf_orders()), len(world.sap_deliveries())) == before


def test_sap_crash_after_creating_at_amazon_makes_no_duplicate(world: World) -> None:
    with pytest.raises(Crash):
        world.mcf_sap(ledger=CrashingLedger(world.ledger))
    world.clock.advance(120)
    report = world.mcf_sap()
    assert PostStatus.FOUND_EXISTING in statuses(report, "fulfillment orders").values()
    assert len(world.mcf_orders()) == 2
    assert len(world.sap_deliveries()) == 2


def test_sap_delivery_without_goods_issue_is_resumed_not_made_twice(world: World) -> None:
    faults = world.sandbox.sap.router.faults
    faults.fail, faults.match = 10_000, "PostGoodsIssue"
    first = world.mcf_sap()
    assert set(statuses(first, "tracking").values()) <= {PostStatus.FAILED, PostStatus.DEFERRED}
    faults.reset()
    world.clock.advance(3600)
    second = world.mcf_sap()
    assert PostStatus.RESUMED in statuses(second, "tracking").values()
    assert len(world.sap_deliveries()) == 2
    assert all(d["OverallGoodsMovementStatus"] == "C" for d in world.sap_deliveries())


def test_sap_which_order_types_are_flagged_is_data(world: World) -> None:
    config = attrs.evolve(
        world.mcf_sap_config, rules=attrs.evolve(rules.MCF_RULES_SAP, flag_order_types={"OR"})
    )
    report = world.mcf_sap(config=config)
    ordinary = {so for so, t in sap_types(world).items() if t == "OR"}
    assert set(statuses(report, "fulfillment orders")) == ordinary


def test_erp_orders_that_cannot_be_listed_are_reported_not_raised(world: World) -> None:
    for fake, pattern in ((world.sandbox.ion, "LstHead"), (world.sandbox.sap, "A_SalesOrder")):
        fake.router.faults.fail, fake.router.faults.match = 10_000, pattern
    for report in (world.mcf_m3(), world.mcf_sap()):
        (failed,) = step(report, "fulfillment orders").summary.results  # type: ignore[union-attr]
        assert failed.status is PostStatus.FAILED
        assert "listing failed" in (failed.reason or "")
    assert world.mcf_orders() == {}


def test_fulfilment_order_that_cannot_be_read_is_tracked_next_run(world: World) -> None:
    config = attrs.evolve(world.mcf_m3_config, tracking_polls=1)
    world.mcf_m3(config=config)
    faults = world.sandbox.amazon.router.faults
    faults.fail, faults.match = 10_000, r"/fulfillmentOrders/\d"
    report = world.mcf_m3(config=config)
    assert set(statuses(report, "tracking").values()) == {PostStatus.FAILED}
    faults.reset()
    for _ in range(3):
        world.mcf_m3(config=config)
    assert world.settled("mcf_shipment.m3")


def test_sap_delivery_left_without_its_tracking_number_is_adopted_not_made_twice(
    world: World,
) -> None:
    # The run dies between creating the delivery and writing its BillOfLading (here: SAP
    # refuses every change of an existing delivery header for the whole first run).
    faults = world.sandbox.sap.router.faults
    faults.fail, faults.match = 10_000, r"A_OutbDeliveryHeader\('"
    first = world.mcf_sap()
    assert set(statuses(first, "tracking").values()) <= {PostStatus.FAILED, PostStatus.DEFERRED}
    assert len(world.sap_deliveries()) == 2
    assert not any(d["BillOfLading"] for d in world.sap_deliveries())
    faults.reset()
    world.clock.advance(3600)
    world.mcf_sap()
    deliveries = world.sap_deliveries()
    assert len(deliveries) == 2
    assert all(d["BillOfLading"].startswith("1ZSANDBOX") for d in deliveries)
    assert all(d["OverallGoodsMovementStatus"] == "C" for d in deliveries)
