"""The end-to-end demo: every workflow, for Infor M3 and for SAP, against the local sandbox.

The three fakes are served over real HTTP on 127.0.0.1, the clients are the ones you would use
against Amazon, ION and S/4HANA, and the ledger is a SQLite file. The first pass posts
everything it can and dead-letters one order per ERP whose listing has a misspelt SKU; the
sandbox's warehouse ships one merchant-fulfilled order from each ERP, which confirm-shipments
confirms to Amazon, and each ERP gets the return Amazon took back (returns). Between passes
the demo fixes the data the way a person would (the misspelt SKU joins each ERP's item
crosswalk, which is configuration) and Amazon cancels one posted order per ERP; the second
pass replays the two dead letters (both orders post), cancels the open lines of the two
cancelled orders in the ERPs, and skips everything posted before as a duplicate. Last in each
pass, a burst of ORDER_CHANGE notifications (in pass 1 with a few new Amazon orders; copies
and shuffling included) goes through the event router, is replayed by a second consumer,
and posts nothing twice (``events``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from attrs import evolve, frozen

from amazon_erp_bridge.events import MemorySource
from amazon_erp_bridge.mapping import ItemCrosswalk
from amazon_erp_bridge.posting import SqliteLedger
from amazon_erp_bridge.sandbox import Sandbox
from amazon_erp_bridge.sandbox.rules import finance, lifecycle, orders
from amazon_erp_bridge.sandbox.rules.events import new_orders, order_burst, sandbox_runner
from amazon_erp_bridge.workflows.confirm_shipments import (
    confirm_shipments_m3,
    confirm_shipments_sap,
)
from amazon_erp_bridge.workflows.inventory_sync import inventory_sync_m3, inventory_sync_sap
from amazon_erp_bridge.workflows.mcf import mcf_m3, mcf_sap
from amazon_erp_bridge.workflows.order_to_cash import (
    m3_crosswalk,
    order_to_cash_m3,
    order_to_cash_sap,
    sap_crosswalk,
)
from amazon_erp_bridge.workflows.report import WorkflowReport
from amazon_erp_bridge.workflows.returns import returns_m3, returns_sap
from amazon_erp_bridge.workflows.settlement_to_gl import settlement_to_gl_m3, settlement_to_gl_sap


class ProgressLike(Protocol):
    def step(self, label: str) -> None: ...

    def finish(self) -> None: ...


class _Quiet:
    def __init__(self, total: int) -> None:
        self.total = total

    def step(self, label: str) -> None:
        return None

    def finish(self) -> None:
        return None


@frozen
class DemoRun:
    """One pass over every workflow: what changed before it, and each workflow's report."""

    number: int
    title: str
    reports: tuple[WorkflowReport, ...]


#: A workflow of the demo: run it, replaying dead letters first when asked.
_Workflow = Callable[[bool], WorkflowReport]

#: The tracking numbers the sandbox warehouses print (UPS for M3, DHL for SAP).
M3_TRACKING = "1Z999AA10123456784"
SAP_TRACKING = "JD014600006281234567"
#: Notifications in the demo's event burst (30% of them redelivered copies).
EVENT_BURST = 40


def _with_typo(crosswalk: ItemCrosswalk, item: str) -> ItemCrosswalk:
    """The crosswalk with the sandbox's misspelt seller SKU pointing at the right item."""
    return evolve(crosswalk, by_seller_sku={**crosswalk.by_seller_sku, orders.TYPO_SKU: item})


def _posted(ledger: SqliteLedger, kind: str, order_ids: list[str]) -> list[tuple[str, str]]:
    """(Amazon order id, ERP document) of the orders order to cash posted, in id order."""
    out = []
    for order_id in order_ids:
        record = ledger.get(kind, order_id)
        if record is not None and record.document_id:
            out.append((order_id, record.document_id))
    return out


def _open_orders(sandbox: Sandbox, marketplaces: tuple[str, ...]) -> list[str]:
    """Unshipped orders of ``marketplaces`` (either channel), Amazon ids in order."""
    return sorted(
        o.order_id
        for o in sandbox.amazon.state.orders.values()
        if o.marketplace_id in marketplaces and o.status.value == "Unshipped"
    )


def run_demo(
    ledger_path: str,
    *,
    runs: int = 2,
    seed: int = 7,
    progress: Callable[[int], ProgressLike] = _Quiet,
) -> list[DemoRun]:
    """Run every workflow ``runs`` times against a fresh sandbox, fixing the SKU after pass 1."""
    done: list[DemoRun] = []
    with Sandbox(seed=seed) as sandbox:
        amazon = sandbox.spapi_client()
        m3 = sandbox.m3_client()
        sap = sandbox.sap_client()
        ledger = SqliteLedger(ledger_path)
        o2c_m3 = orders.order_to_cash_m3_config(sandbox)
        o2c_sap = orders.order_to_cash_sap_config(sandbox)
        mcf_m3_rules = orders.mcf_m3_config(sandbox)
        mcf_sap_rules = orders.mcf_sap_config(sandbox)
        gl_m3 = finance.settlement_to_gl_m3_config(sandbox)
        gl_sap = finance.settlement_to_gl_sap_config(sandbox)
        stock_m3 = finance.inventory_sync_m3_config(sandbox)
        stock_sap = finance.inventory_sync_sap_config(sandbox)
        ship_m3 = lifecycle.confirm_shipments_m3_config(sandbox)
        ship_sap = lifecycle.confirm_shipments_sap_config(sandbox)
        ret_m3 = lifecycle.returns_m3_config(sandbox)
        ret_sap = lifecycle.returns_sap_config(sandbox)
        cancelled: list[str] = []

        def warehouse_ships_m3(first: bool) -> WorkflowReport:
            if first:  # the M3 warehouse ships the first merchant order M3 holds
                mfn = lifecycle.merchant_orders(sandbox, ship_m3.marketplaces)
                for _, orno in _posted(ledger, "order.m3", mfn)[:1]:
                    lifecycle.ship_from_m3(m3, orno, M3_TRACKING)
            return confirm_shipments_m3(amazon, m3, ledger, ship_m3, replay=not first)

        def warehouse_ships_sap(first: bool) -> WorkflowReport:
            if first:
                mfn = lifecycle.merchant_orders(sandbox, ship_sap.marketplaces)
                for _, sales_order in _posted(ledger, "order.sap", mfn)[:1]:
                    lifecycle.ship_from_sap(sap, sales_order, SAP_TRACKING)
            return confirm_shipments_sap(amazon, sap, ledger, ship_sap, replay=not first)

        def amazon_cancels() -> None:
            """Amazon cancels one posted, unshipped order per ERP (not the one shipped)."""
            for kind, markets in (
                ("order.m3", o2c_m3.marketplaces),
                ("order.sap", o2c_sap.marketplaces),
            ):
                for order_id, _ in _posted(ledger, kind, _open_orders(sandbox, markets))[-1:]:
                    lifecycle.cancel_after_posting(sandbox, order_id)
                    cancelled.append(order_id)

        def events(first: bool) -> WorkflowReport:
            """A burst of notifications through the router, then the same burst replayed."""
            if first:  # Amazon takes new orders; the burst brings their notifications
                new_orders(sandbox, 2)
            burst = order_burst(sandbox, EVENT_BURST, seed=5)
            steps = []
            for name in ("burst", "replay"):
                runner = sandbox_runner(sandbox, amazon, m3, sap, ledger)
                report = runner.run(MemorySource(burst), once=True).report("m3+sap")
                steps += [evolve(step, name=f"{name}: {step.name}") for step in report.steps]
            return WorkflowReport("events", "m3+sap", steps)

        workflows: list[tuple[str, _Workflow]] = [
            (
                "order-to-cash (M3)",
                lambda r: order_to_cash_m3(amazon, m3, ledger, o2c_m3, replay=r),
            ),
            (
                "order-to-cash (SAP)",
                lambda r: order_to_cash_sap(amazon, sap, ledger, o2c_sap, replay=r),
            ),
            (
                "settlement-to-GL (M3)",
                lambda r: settlement_to_gl_m3(amazon, m3, ledger, gl_m3, replay=r),
            ),
            (
                "settlement-to-GL (SAP)",
                lambda r: settlement_to_gl_sap(amazon, sap, ledger, gl_sap, replay=r),
            ),
            ("inventory sync (M3)", lambda r: inventory_sync_m3(amazon, m3, ledger, stock_m3)),
            ("inventory sync (SAP)", lambda r: inventory_sync_sap(amazon, sap, ledger, stock_sap)),
            ("MCF (M3)", lambda r: mcf_m3(amazon, m3, ledger, mcf_m3_rules, replay=r)),
            ("MCF (SAP)", lambda r: mcf_sap(amazon, sap, ledger, mcf_sap_rules, replay=r)),
            ("confirm shipments (M3)", lambda r: warehouse_ships_m3(not r)),
            ("confirm shipments (SAP)", lambda r: warehouse_ships_sap(not r)),
            ("returns (M3)", lambda r: returns_m3(amazon, m3, ledger, ret_m3, replay=r)),
            ("returns (SAP)", lambda r: returns_sap(amazon, sap, ledger, ret_sap, replay=r)),
            ("events", lambda r: events(not r)),
        ]
        bar = progress(len(workflows) * runs)
        try:
            for number in range(1, runs + 1):
                if number == 1:
                    title = "first run: everything new is posted once"
                else:
                    if number == 2:
                        # The fix a person makes: the misspelt SKU joins each ERP's item
                        # crosswalk (configuration data), so the parked orders can post.
                        o2c_m3 = evolve(
                            o2c_m3,
                            items=_with_typo(m3_crosswalk(m3), sandbox.m3_item(orders.RIGHT_SKU)),
                        )
                        o2c_sap = evolve(
                            o2c_sap, items=_with_typo(sap_crosswalk(sap), orders.RIGHT_SKU)
                        )
                        amazon_cancels()
                    title = (
                        f"run {number}: {orders.TYPO_SKU} added to the item crosswalks "
                        f"(M3 {sandbox.m3_item(orders.RIGHT_SKU)}, SAP {orders.RIGHT_SKU}), "
                        "dead letters replayed"
                        + (
                            f"; Amazon cancelled {', '.join(cancelled)} after posting"
                            if cancelled and number == 2
                            else ""
                        )
                        + "; the rest is already posted"
                    )
                reports = []
                for label, workflow in workflows:
                    bar.step(f"run {number}: {label}")
                    reports.append(workflow(number > 1))
                done.append(DemoRun(number, title, tuple(reports)))
        finally:
            bar.finish()
            ledger.close()
            amazon.close()
            m3.close()
            sap.close()
    return done
