"""Sandbox worlds served for the scale-out tests, and what their ERPs hold afterwards."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from amazon_erp_bridge.sandbox import Sandbox
from amazon_erp_bridge.sap.sales_orders import SERVICE as SALES_ORDERS

RECIPE = Path(__file__).resolve().parents[2] / "examples" / "scale_out"
if str(RECIPE) not in sys.path:
    sys.path.insert(0, str(RECIPE))

import accounts as recipe  # noqa: E402
import serve_worlds  # noqa: E402


def documents(world: Sandbox, erp: str) -> Counter[str]:
    """Every ERP document the workflows create, keyed by the Amazon id it carries.

    Orders by their Amazon order id, GL postings by settlement; a count above 1 is a duplicate.
    """
    found: Counter[str] = Counter()
    if erp == "m3":
        customers = set(world.m3_customers.values())
        for order in world.ion.state.orders.values():
            if order.head.get("CUNO") in customers:
                found[f"order:{order.head.get('CUOR', '')}"] += 1
        for key1, batch in world.ion.state.gl_batches.items():
            if batch.status == "posted":
                found[f"journal:{key1}"] += 1
    else:
        customers = set(world.sap_customers.values())
        for row in world.sap.rows(SALES_ORDERS, "A_SalesOrder"):
            if row["SoldToParty"] in customers:
                found[f"order:{row['PurchaseOrderByCustomer']}"] += 1
        seen: set[tuple[str, str, str]] = set()
        for row in world.sap.journal_documents():
            key = (row["FiscalYear"], row["AccountingDocument"], row["DocumentReferenceID"])
            if key not in seen:
                seen.add(key)
                found[f"journal:{row['DocumentReferenceID']}"] += 1
    return found


def unbalanced_journals(world: Sandbox, erp: str) -> list[str]:
    """Journals whose amounts do not sum to zero (per document)."""
    from decimal import Decimal

    from amazon_erp_bridge.infor.gl import DEFAULT_PARM_LAYOUT

    bad: list[str] = []
    if erp == "m3":
        for key1, batch in world.ion.state.gl_batches.items():
            total = sum(
                (Decimal(DEFAULT_PARM_LAYOUT.parse(line)["CUAM"]) for line in batch.lines.values()),
                Decimal(0),
            )
            if total != 0:
                bad.append(f"{key1}: {total}")
    else:
        sums: dict[tuple[str, str], Decimal] = {}
        for row in world.sap.journal_documents():
            key = (row["FiscalYear"], row["AccountingDocument"])
            sums[key] = sums.get(key, Decimal(0)) + row["AmountInTransactionCurrency"]
        bad += [f"{k}: {v}" for k, v in sums.items() if v != 0]
    return bad


def clean_run(seed: int, erp: str) -> Counter[str]:
    """The documents one clean, sequential run of both workflows makes in a fresh world."""
    from amazon_erp_bridge.posting import SqliteLedger
    from amazon_erp_bridge.sandbox.rules import finance, orders
    from amazon_erp_bridge.workflows import (
        order_to_cash_m3,
        order_to_cash_sap,
        settlement_to_gl_m3,
        settlement_to_gl_sap,
    )

    with Sandbox(seed) as world, SqliteLedger() as ledger:
        amazon = world.spapi_client()
        if erp == "m3":
            m3 = world.m3_client()
            order_to_cash_m3(amazon, m3, ledger, orders.order_to_cash_m3_config(world))
            settlement_to_gl_m3(amazon, m3, ledger, finance.settlement_to_gl_m3_config(world))
            m3.close()
        else:
            sap = world.sap_client()
            order_to_cash_sap(amazon, sap, ledger, orders.order_to_cash_sap_config(world))
            settlement_to_gl_sap(amazon, sap, ledger, finance.settlement_to_gl_sap_config(world))
            sap.close()
        amazon.close()
        return documents(world, erp)


def drop_schemas(dsn: str, names: list[str]) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP SCHEMA IF EXISTS "seller_{name}" CASCADE')


class Workers:
    """Real Celery worker processes (solo pool: the worker process itself runs the task)."""

    def __init__(self, accounts_file: Path, queue: str, results: str) -> None:
        self.env = {
            **os.environ,
            "AEB_ACCOUNTS": str(accounts_file),
            "AEB_QUEUE": queue,
            "AEB_RESULTS": results,
            "PYTHONPATH": os.pathsep.join([str(RECIPE), os.environ.get("PYTHONPATH", "")]),
        }
        self.queue = queue
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, count: int, log_dir: Path) -> None:
        for _ in range(count):
            number = len(self.procs)
            log = open(log_dir / f"worker{number}.log", "wb")  # noqa: SIM115
            self.procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "tasks",
                        "worker",
                        "--pool",
                        "solo",
                        "-Q",
                        self.queue,
                        "-n",
                        f"w{number}-{self.queue}@%h",
                        "--without-heartbeat",
                        "--without-gossip",
                        "--without-mingle",
                        "-l",
                        "INFO",
                    ],
                    cwd=RECIPE,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )

    def alive(self) -> list[int]:
        return [p.pid for p in self.procs if p.poll() is None]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def write_accounts(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data), encoding="utf-8")


__all__ = [
    "Workers",
    "clean_run",
    "documents",
    "drop_schemas",
    "recipe",
    "serve_worlds",
    "unbalanced_journals",
    "write_accounts",
]
