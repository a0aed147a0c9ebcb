"""The end-to-end demo: every workflow, for Infor M3 and for SAP, against the local sandbox.

The three fakes are served over real HTTP on 127.0.0.1, the clients are the ones you would use
against Amazon, ION and S/4HANA, and the ledger is a SQLite file. The first pass posts
everything it can and dead-letters one order per ERP whose listing has a misspelt SKU. Between
passes the demo fixes the M3 side the way a person would (an MMS025 alias for the misspelt SKU)
and the second pass replays the dead letters: the M3 order posts, the SAP one stays parked with
its reason, and everything posted before is skipped as a duplicate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from attrs import frozen

from amazon_erp_bridge.posting import SqliteLedger
from amazon_erp_bridge.sandbox import Sandbox
from amazon_erp_bridge.sandbox.rules import finance, orders
from amazon_erp_bridge.workflows.inventory_sync import inventory_sync_m3, inventory_sync_sap
from amazon_erp_bridge.workflows.mcf import mcf_m3, mcf_sap
from amazon_erp_bridge.workflows.order_to_cash import order_to_cash_m3, order_to_cash_sap
from amazon_erp_bridge.workflows.report import WorkflowReport
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
        ]
        bar = progress(len(workflows) * runs)
        try:
            for number in range(1, runs + 1):
                if number == 1:
                    title = "first run: everything new is posted once"
                else:
                    if number == 2:
                        right_item = sandbox.m3_item(orders.RIGHT_SKU)
                        m3.items.add_alias(right_item, "seller_sku", orders.TYPO_SKU)
                    title = (
                        f"run {number}: M3 alias {orders.TYPO_SKU} -> "
                        f"{sandbox.m3_item(orders.RIGHT_SKU)} added (MMS025MI AddAlias), "
                        "dead letters replayed; the rest is already posted"
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
