"""Confirm shipments against the sandbox, for M3 and SAP: ERP deliveries of merchant-fulfilled
orders confirmed to Amazon once, crashes, Amazon's "already confirmed", dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs
import pytest

from amazon_erp_bridge.amazon.orders import ConfirmShipmentItem, PackageDetail
from amazon_erp_bridge.amazon.orders import ConfirmShipmentRequest as Request
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.mapping import CarrierRules
from amazon_erp_bridge.model import FulfillmentChannel, OrderStatus
from amazon_erp_bridge.posting import PostStatus, RecordState
from amazon_erp_bridge.sandbox.rules import lifecycle
from amazon_erp_bridge.sandbox.rules.orders import START
from amazon_erp_bridge.workflows import (
    ConfirmShipmentsM3Config,
    confirm_shipments_m3,
    confirm_shipments_sap,
)
from amazon_erp_bridge.workflows.report import StepReport, WorkflowReport

from .orders_env import UK, US, Crash, CrashingLedger, World, extra_order

TRACKING = "1Z999AA10123456784"


def step(report: WorkflowReport, name: str = "confirmations") -> StepReport:
    return next(s for s in report.steps if s.name == name)


def statuses(report: WorkflowReport) -> dict[str, PostStatus]:
    summary = step(report).summary
    assert summary is not None
    return {r.source_id: r.status for r in summary.results}


class Lifecycle(World):
    """The orders world plus the confirm-shipments configs and the sandbox warehouse."""

    def __init__(self) -> None:
        super().__init__()
        self.cs_m3_config = lifecycle.confirm_shipments_m3_config(self.sandbox)
        self.cs_sap_config = lifecycle.confirm_shipments_sap_config(self.sandbox)

    def cs_m3(self, ledger: Any = None, **kw: Any) -> WorkflowReport:
        config = kw.pop("config", None) or self.cs_m3_config
        return confirm_shipments_m3(
            self.amazon, self.m3, ledger or self.ledger, config,
            poster_options=self.poster_options, **kw,
        )  # fmt: skip

    def cs_sap(self, ledger: Any = None, **kw: Any) -> WorkflowReport:
        config = kw.pop("config", None) or self.cs_sap_config
        return confirm_shipments_sap(
            self.amazon, self.sap, ledger or self.ledger, config,
            poster_options=self.poster_options, **kw,
        )  # fmt: skip

    def document(self, erp: str, order_id: str) -> str:
        record = self.ledger.get(f"order.{erp}", order_id)
        assert record is not None and record.document_id
        return record.document_id

    def mfn_order(self, order_id: str, marketplace: str) -> str:
        """A new merchant-fulfilled Unshipped order, posted to the ERP by order to cash."""
        self.sandbox.amazon.add_order(
            extra_order(
                order_id,
                OrderStatus.UNSHIPPED,
                marketplace=marketplace,
                channel=FulfillmentChannel.MERCHANT,
            )
        )
        if marketplace == US:
            self.o2c_m3()
            return self.document("m3", order_id)
        self.o2c_sap()
        return self.document("sap", order_id)

    def confirmations(self, order_id: str) -> list[dict[str, Any]]:
        return [
            body
            for (oid, _), body in self.sandbox.amazon.state.confirmations.items()
            if oid == order_id
        ]


@pytest.fixture
def world() -> Lifecycle:
    return Lifecycle()


# -- once only, both ERPs ---------------------------------------------------------------------


def test_m3_delivery_is_confirmed_once(world: Lifecycle) -> None:
    orno = world.mfn_order("111-1000000-0000001", US)
    waiting = world.cs_m3()
    assert "111-1000000-0000001" not in statuses(waiting)
    assert f"111-1000000-0000001 ({orno})" in " ".join(step(waiting).notes)
    lifecycle.ship_from_m3(world.m3, orno, TRACKING)
    first = world.cs_m3()
    assert statuses(first)["111-1000000-0000001"] is PostStatus.CREATED
    [body] = world.confirmations("111-1000000-0000001")
    detail = body["packageDetail"]
    assert detail["carrierCode"] == "UPS" and detail["trackingNumber"] == TRACKING
    assert detail["orderItems"] == [{"orderItemId": "77000000000001", "quantity": 2}]
    assert world.sandbox.amazon.state.orders["111-1000000-0000001"].status is OrderStatus.SHIPPED
    second = world.cs_m3()
    assert "111-1000000-0000001" not in statuses(second)
    assert len(world.confirmations("111-1000000-0000001")) == 1
    record = world.ledger.get("confirm.m3", "111-1000000-0000001")
    assert record is not None and record.state is RecordState.POSTED


def test_sap_delivery_is_confirmed_once(world: Lifecycle) -> None:
    sales_order = world.mfn_order("202-1000000-0000001", UK)
    lifecycle.ship_from_sap(world.sap, sales_order, TRACKING)
    first = world.cs_sap()
    assert statuses(first)["202-1000000-0000001"] is PostStatus.CREATED
    [body] = world.confirmations("202-1000000-0000001")
    assert body["packageDetail"]["carrierCode"] == "DHL"
    assert body["packageDetail"]["trackingNumber"] == TRACKING
    assert body["marketplaceId"] == UK
    world.cs_sap()
    assert len(world.confirmations("202-1000000-0000001")) == 1


# -- crash between Amazon's answer and the ledger write ----------------------------------------


@pytest.mark.parametrize("erp", ["m3", "sap"])
def test_crash_after_amazon_confirmed_makes_no_second_confirmation(
    world: Lifecycle, erp: str
) -> None:
    order_id, market = ("111-1000000-0000002", US) if erp == "m3" else ("202-1000000-0000002", UK)
    document = world.mfn_order(order_id, market)
    if erp == "m3":
        lifecycle.ship_from_m3(world.m3, document, TRACKING)
    else:
        lifecycle.ship_from_sap(world.sap, document, TRACKING)
    run = world.cs_m3 if erp == "m3" else world.cs_sap
    with pytest.raises(Crash):
        run(ledger=CrashingLedger(world.ledger))
    world.clock.advance(120)  # the dead run's claim lease runs out
    report = run()
    assert statuses(report)[order_id] is PostStatus.FOUND_EXISTING
    assert len(world.confirmations(order_id)) == 1
    assert "Amazon had the confirmation already" in " ".join(step(report).notes)


# -- Amazon's 400 ------------------------------------------------------------------------------


def test_already_confirmed_package_is_recorded_not_retried(world: Lifecycle) -> None:
    order_id = "111-1000000-0000003"
    orno = world.mfn_order(order_id, US)
    [dlix] = lifecycle.ship_from_m3(world.m3, orno, TRACKING)
    [panr] = [p["PANR"] for p in world.m3.execute("MWS423MI", "LstPackDel", {"DLIX": dlix})]
    # Another tool confirmed the same package for one unit; Amazon's getOrder lags behind.
    order = world.sandbox.amazon.state.orders[order_id]
    items = [ConfirmShipmentItem(order.lines[0].line_id, 1)]
    package = PackageDetail(panr, "UPS", TRACKING, order.purchase_date, items)  # type: ignore[arg-type]
    world.amazon.orders.confirm_shipment(order_id, Request(US, package))
    world.sandbox.amazon.add_order(
        attrs.evolve(world.sandbox.amazon.state.orders[order_id], lines=order.lines)
    )  # getOrder lags: still shows nothing shipped
    calls: list[str] = []
    send = world.amazon.orders.confirm_shipment

    def counted(*args: Any, **kw: Any) -> None:
        calls.append(args[0])
        send(*args, **kw)

    world.amazon.orders.confirm_shipment = counted  # type: ignore[method-assign]
    report = world.cs_m3()
    result = step(report).summary.results[0]  # type: ignore[union-attr]
    assert result.source_id == order_id and result.ok
    assert calls == [order_id]  # one try: a 400 is not retried
    assert result.document is not None
    assert "already confirmed" in str(result.document.detail.get("amazon"))


def test_unknown_carrier_is_dead_lettered_and_replayed_after_the_fix(world: Lifecycle) -> None:
    order_id = "111-1000000-0000005"
    orno = world.mfn_order(order_id, US)
    lifecycle.ship_from_m3(world.m3, orno, TRACKING)
    strict = attrs.evolve(
        world.cs_m3_config,
        carriers=CarrierRules({"DHL": "DHL"}, strict=True),
    )
    first = world.cs_m3(config=strict)
    assert statuses(first)[order_id] is PostStatus.DEAD_LETTERED
    (dead,) = world.ledger.dead_letters("confirm.m3")
    assert "carrier 'UPS' has no Amazon carrierCode" in (dead.reason or "")
    assert world.confirmations(order_id) == []
    again = world.cs_m3(config=strict)
    assert order_id not in statuses(again)  # parked until a replay
    fixed = world.cs_m3(replay=True)
    replayed = step(fixed, "replay").summary
    assert replayed is not None and replayed.results[0].status is PostStatus.CREATED
    assert len(world.confirmations(order_id)) == 1


def test_order_not_in_the_erp_is_only_noted(world: Lifecycle) -> None:
    report = world.cs_m3()
    assert "not in M3 (order to cash has not posted them)" in " ".join(step(report).notes)
    assert report.ok


def test_config_refuses_naive_start_and_no_marketplaces() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        ConfirmShipmentsM3Config(marketplaces=[US], start=datetime(2026, 1, 1))
    with pytest.raises(ValidationError, match="at least one"):
        ConfirmShipmentsM3Config(marketplaces=[], start=START)
