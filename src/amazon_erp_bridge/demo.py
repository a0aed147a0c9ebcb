"""The end-to-end demo: every workflow, for Infor M3 and for SAP, against the local sandbox.

The three fakes are served over real HTTP on 127.0.0.1, the clients are the ones you would use
against Amazon, ION and S/4HANA, and the ledger is a SQLite file. A second pass over the same
data shows the idempotency: everything already posted is skipped as a duplicate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

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


def run_demo(
    ledger_path: str,
    *,
    runs: int = 2,
    seed: int = 7,
    progress: Callable[[int], ProgressLike] = _Quiet,
) -> list[tuple[int, WorkflowReport]]:
    """Run every workflow ``runs`` times against a fresh sandbox; return (run, report) pairs."""
    reports: list[tuple[int, WorkflowReport]] = []
    with Sandbox(seed=seed) as sandbox:
        amazon = sandbox.spapi_client()
        m3 = sandbox.m3_client()
        sap = sandbox.sap_client()
        ledger = SqliteLedger(ledger_path)
        o2c_m3 = orders.order_to_cash_m3_config(sandbox)
        o2c_sap = orders.order_to_cash_sap_config(sandbox)
        mcf_m3_rules = orders.mcf_m3_config(sandbox)
        mcf_sap_rules = orders.mcf_sap_config(sandbox)
        settle_m3 = finance.settlement_to_gl_m3_config(sandbox)
        settle_sap = finance.settlement_to_gl_sap_config(sandbox)
        stock_m3 = finance.inventory_sync_m3_config(sandbox)
        stock_sap = finance.inventory_sync_sap_config(sandbox)
        workflows: list[tuple[str, Callable[[], WorkflowReport]]] = [
            ("order-to-cash (M3)", lambda: order_to_cash_m3(amazon, m3, ledger, o2c_m3)),
            ("order-to-cash (SAP)", lambda: order_to_cash_sap(amazon, sap, ledger, o2c_sap)),
            ("settlement-to-GL (M3)", lambda: settlement_to_gl_m3(amazon, m3, ledger, settle_m3)),
            (
                "settlement-to-GL (SAP)",
                lambda: settlement_to_gl_sap(amazon, sap, ledger, settle_sap),
            ),
            ("inventory sync (M3)", lambda: inventory_sync_m3(amazon, m3, ledger, stock_m3)),
            ("inventory sync (SAP)", lambda: inventory_sync_sap(amazon, sap, ledger, stock_sap)),
            ("MCF (M3)", lambda: mcf_m3(amazon, m3, ledger, mcf_m3_rules)),
            ("MCF (SAP)", lambda: mcf_sap(amazon, sap, ledger, mcf_sap_rules)),
        ]
        bar = progress(len(workflows) * runs)
        try:
            for run in range(1, runs + 1):
                for label, workflow in workflows:
                    bar.step(f"run {run}: {label}")
                    reports.append((run, workflow()))
        finally:
            bar.finish()
            ledger.close()
            amazon.close()
            m3.close()
            sap.close()
    return reports
