"""Returns against the sandbox, for M3 and SAP: each Amazon return posted once as an ERP return
document, crashes, returns for orders the ERP never got, refunds in another currency."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import ComponentKind, FinancialComponent, FinancialEvent, Money
from amazon_erp_bridge.posting import PostStatus
from amazon_erp_bridge.sandbox.amazon.state import PostedEvent
from amazon_erp_bridge.sandbox.rules import lifecycle
from amazon_erp_bridge.sandbox.sap.returns import CREDIT_MEMO_REQUEST_ROOT, CUSTOMER_RETURN_ROOT
from amazon_erp_bridge.workflows import ReturnsM3Config, returns_m3, returns_sap
from amazon_erp_bridge.workflows.report import StepReport, WorkflowReport

from .orders_env import US, Crash, CrashingLedger, World

M3_RETURN = f"LPNSBX{lifecycle.M3_RETURN_INDEX:07d}"


def step(report: WorkflowReport, name: str = "returns") -> StepReport:
    return next(s for s in report.steps if s.name == name)


def statuses(report: WorkflowReport, name: str = "returns") -> dict[str, PostStatus]:
    summary = step(report, name).summary
    assert summary is not None
    return {r.source_id: r.status for r in summary.results}


class Returns(World):
    """The orders world plus the returns configs and views of the ERPs' return documents."""

    def __init__(self) -> None:
        super().__init__()
        self.ret_m3_config = lifecycle.returns_m3_config(self.sandbox)
        self.ret_sap_config = lifecycle.returns_sap_config(self.sandbox)
        self.poster_options["sleep"] = self.clock.sleep

    def ret_m3(self, ledger: Any = None, **kw: Any) -> WorkflowReport:
        config = kw.pop("config", None) or self.ret_m3_config
        return returns_m3(
            self.amazon, self.m3, ledger or self.ledger, config,
            poster_options=self.poster_options, **kw,
        )  # fmt: skip

    def ret_sap(self, ledger: Any = None, **kw: Any) -> WorkflowReport:
        config = kw.pop("config", None) or self.ret_sap_config
        return returns_sap(
            self.amazon, self.sap, ledger or self.ledger, config,
            poster_options=self.poster_options, **kw,
        )  # fmt: skip

    def m3_returns(self) -> Counter[str]:
        """How many M3 return orders carry each Amazon return id (YREF)."""
        return Counter(r.head.get("YREF", "") for r in self.sandbox.ion.state.returns.values())

    def sap_returns(self, root: str = CUSTOMER_RETURN_ROOT) -> Counter[str]:
        entity = "A_CustomerReturn" if root == CUSTOMER_RETURN_ROOT else "A_CreditMemoRequest"
        return Counter(r["PurchaseOrderByCustomer"] for r in self.sandbox.sap.rows(root, entity))

    def sap_return_id(self) -> str:
        [ret] = [
            r
            for r in self.sandbox.amazon.state.returns
            if self.sandbox.amazon.state.orders[r.order_id].marketplace_id
            in self.ret_sap_config.marketplaces
        ]
        return ret.return_id

    def order_of(self, return_id: str) -> str:
        return next(
            r.order_id for r in self.sandbox.amazon.state.returns if r.return_id == return_id
        )


@pytest.fixture
def world() -> Returns:
    return Returns()


# -- once only --------------------------------------------------------------------------------


def test_m3_return_is_posted_once_against_the_original_order(world: Returns) -> None:
    world.o2c_m3()
    report = world.ret_m3()
    assert statuses(report) == {M3_RETURN: PostStatus.CREATED}
    assert world.m3_returns()[M3_RETURN] == 1
    [m3_return] = world.sandbox.ion.state.returns.values()
    order = world.ledger.get("order.m3", world.order_of(M3_RETURN))
    assert order is not None and m3_return.head["ORNO"] == order.document_id
    assert m3_return.lines[0]["PONR"] == "1"  # the returned line of the original order
    assert "refund events read for 1 orders" in " ".join(step(report).notes)
    # a run that reads the same window again posts nothing twice
    again = world.ret_m3(config=attrs.evolve(world.ret_m3_config, overlap=timedelta(days=90)))
    assert statuses(again) == {M3_RETURN: PostStatus.DUPLICATE}
    assert world.m3_returns()[M3_RETURN] == 1


@pytest.mark.parametrize(
    ("document", "root"),
    [("customer_return", CUSTOMER_RETURN_ROOT), ("credit_memo_request", CREDIT_MEMO_REQUEST_ROOT)],
)
def test_sap_return_document_is_configuration_and_posted_once(
    world: Returns, document: str, root: str
) -> None:
    settings = attrs.evolve(world.ret_sap_config.settings, document=document)
    config = attrs.evolve(world.ret_sap_config, settings=settings, overlap=timedelta(days=90))
    world.o2c_sap()
    return_id = world.sap_return_id()
    first = world.ret_sap(config=config)
    assert statuses(first) == {return_id: PostStatus.CREATED}
    second = world.ret_sap(config=config)
    assert statuses(second) == {return_id: PostStatus.DUPLICATE}
    assert world.sap_returns(root)[return_id] == 1


# -- a crash between the ERP's answer and the ledger write ------------------------------------


@pytest.mark.parametrize("erp", ["m3", "sap"])
def test_crash_after_the_erp_created_the_return_makes_no_duplicate(
    world: Returns, erp: str
) -> None:
    (world.o2c_m3 if erp == "m3" else world.o2c_sap)()
    run = world.ret_m3 if erp == "m3" else world.ret_sap
    return_id = M3_RETURN if erp == "m3" else world.sap_return_id()
    with pytest.raises(Crash):
        run(ledger=CrashingLedger(world.ledger))
    world.clock.advance(120)  # the dead run's claim lease runs out
    report = run()
    assert statuses(report)[return_id] is PostStatus.FOUND_EXISTING
    found = world.m3_returns() if erp == "m3" else world.sap_returns()
    assert found[return_id] == 1


# -- a return for an order that never reached the ERP -----------------------------------------


@pytest.mark.parametrize("erp", ["m3", "sap"])
def test_return_for_an_order_never_posted_is_dead_lettered_then_replayed(
    world: Returns, erp: str
) -> None:
    run = world.ret_m3 if erp == "m3" else world.ret_sap
    return_id = M3_RETURN if erp == "m3" else world.sap_return_id()
    first = run()
    assert statuses(first)[return_id] is PostStatus.DEAD_LETTERED
    (dead,) = world.ledger.dead_letters(f"return.{erp}")
    order_id = world.order_of(return_id)
    assert f"Amazon order {order_id} never reached {erp.upper()}" in (dead.reason or "")
    assert "post the order first, then replay this return" in (dead.reason or "")
    assert "returns for orders that never reached" in " ".join(step(first).notes)
    (world.o2c_m3 if erp == "m3" else world.o2c_sap)()  # the fix: order to cash posts it
    fixed = run(replay=True)
    assert statuses(fixed, "replay") == {return_id: PostStatus.CREATED}
    found = world.m3_returns() if erp == "m3" else world.sap_returns()
    assert found[return_id] == 1


# -- a refund in another currency -------------------------------------------------------------


def test_refund_in_another_currency_than_the_order_is_a_clear_error(world: Returns) -> None:
    world.o2c_m3()
    order_id = world.order_of(M3_RETURN)
    order = world.sandbox.amazon.state.orders[order_id]
    sku = order.lines[0].item.seller_sku
    euros = FinancialEvent(
        event_type="Refund",
        components=(
            FinancialComponent(
                ComponentKind.CHARGE, "Principal", Money(Decimal("-9.99"), "EUR"), seller_sku=sku
            ),
        ),
        posted_date=order.purchase_date + timedelta(days=6),
        order_id=order_id,
        seller_order_id=order.seller_order_id or order_id,
        marketplace_name=order.sales_channel,
    )
    world.sandbox.amazon.state.events.append(
        PostedEvent(order.purchase_date + timedelta(days=6), euros, "RefundEventList")
    )
    report = world.ret_m3()
    assert statuses(report)[M3_RETURN] is PostStatus.DEAD_LETTERED
    (dead,) = world.ledger.dead_letters("return.m3")
    reason = dead.reason or ""
    assert "RefundCurrencyError" in reason and "is in EUR" in reason
    assert f"the ERP order is in {order.currency}" in reason and "never converted" in reason
    assert world.m3_returns()[M3_RETURN] == 0


def test_config_refuses_unknown_report_types() -> None:
    with pytest.raises(ValidationError, match="report_types"):
        ReturnsM3Config(
            marketplaces=[US],
            start=lifecycle.RETURNS_UNTIL,
            settings=lifecycle.M3_RETURN_SETTINGS,
            report_types=["GET_MERCHANT_LISTINGS_DATA"],
        )
