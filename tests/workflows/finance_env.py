"""A sandbox world for the finance workflow tests: manual clock, in-process clients, a ledger."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from amazon_erp_bridge.core.retry import RetryPolicy
from amazon_erp_bridge.infor import DEFAULT_PARM_LAYOUT
from amazon_erp_bridge.model import Settlement
from amazon_erp_bridge.posting import SqliteLedger
from amazon_erp_bridge.sandbox import Sandbox
from amazon_erp_bridge.sandbox.amazon.app import ManualClock
from amazon_erp_bridge.sandbox.rules import finance
from amazon_erp_bridge.workflows.inventory_sync import inventory_sync_m3, inventory_sync_sap
from amazon_erp_bridge.workflows.report import WorkflowReport
from amazon_erp_bridge.workflows.settlement_to_gl import settlement_to_gl_m3, settlement_to_gl_sap

US = "ATVPDKIKX0DER"


class Crash(BaseException):
    """The process dies: nothing after this point runs (not even cleanup that catches Exception)."""


class CrashingLedger:
    """A ledger whose process dies right after the ERP create, before the ledger write.

    While crashing, the poster's attempt to release its claim dies too, so the record stays
    POSTING under an owner whose lease must run out, as after a real kill.
    """

    def __init__(self, ledger: SqliteLedger, times: int = 1) -> None:
        self._ledger = ledger
        self.times = times
        self.crashing = False

    def mark_posted(self, *args: Any, **kw: Any) -> Any:
        if self.times > 0:
            self.times -= 1
            self.crashing = True
            raise Crash("killed between the ERP create and the ledger write")
        return self._ledger.mark_posted(*args, **kw)

    def mark_failed(self, *args: Any, **kw: Any) -> Any:
        if self.crashing:
            raise Crash("still dead")
        return self._ledger.mark_failed(*args, **kw)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ledger, name)


class World:
    """Sandbox, clients and ledger sharing one manual clock (sleeps advance it)."""

    def __init__(self, **sandbox: Any) -> None:
        self.clock = ManualClock()
        self.sandbox = Sandbox(clock=self.clock, **sandbox)
        retry = RetryPolicy(max_attempts=6, rng=random.Random(3))
        self.amazon = self.sandbox.spapi_client(sleep=self.clock.sleep, retry=retry)
        self.m3 = self.sandbox.m3_client(sleep=self.clock.sleep, retry=retry)
        self.sap = self.sandbox.sap_client(sleep=self.clock.sleep, retry=retry)
        self.ledger = SqliteLedger(now=self.now)
        self.poster_options: dict[str, Any] = {
            "sleep": self.clock.sleep,
            "clock": self.clock,
            "lease": 60.0,
        }

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def settlement_m3(self, ledger: Any = None, **kw: Any) -> WorkflowReport:
        config = kw.pop("config", None) or finance.settlement_to_gl_m3_config(self.sandbox)
        return settlement_to_gl_m3(
            self.amazon,
            self.m3,
            ledger or self.ledger,
            config,
            poster_options=self.poster_options,
            **kw,
        )

    def settlement_sap(self, ledger: Any = None, **kw: Any) -> WorkflowReport:
        config = kw.pop("config", None) or finance.settlement_to_gl_sap_config(self.sandbox)
        return settlement_to_gl_sap(
            self.amazon,
            self.sap,
            ledger or self.ledger,
            config,
            poster_options=self.poster_options,
            **kw,
        )

    def inventory_m3(self, **kw: Any) -> WorkflowReport:
        config = kw.pop("config", None) or finance.inventory_sync_m3_config(self.sandbox)
        return inventory_sync_m3(self.amazon, self.m3, self.ledger, config, **kw)

    def inventory_sap(self, **kw: Any) -> WorkflowReport:
        config = kw.pop("config", None) or finance.inventory_sync_sap_config(self.sandbox)
        return inventory_sync_sap(self.amazon, self.sap, self.ledger, config, **kw)

    # -- what the fakes hold -----------------------------------------------------------------

    def settlements(
        self, marketplaces: Callable[[str], bool] = lambda m: True
    ) -> dict[str, Settlement]:
        """The settlements the Amazon fake publishes, by id (read from its own store)."""
        from amazon_erp_bridge.amazon.settlement import parse_settlement_report

        out: dict[str, Settlement] = {}
        for report in self.sandbox.amazon.reports.settlements():
            if not marketplaces(report.marketplace_ids[0]):
                continue
            assert report.document_id
            text = self.sandbox.amazon.documents.text(report.document_id)
            settlement = parse_settlement_report(text, check=False)
            out[settlement.settlement_id] = settlement
        return out

    def m3_journals(self) -> dict[str, dict[str, Decimal]]:
        """Posted GLS840 batches: KEY1 -> {account: net amount} (from the PARM strings)."""
        out: dict[str, dict[str, Decimal]] = {}
        for key1, batch in self.sandbox.ion.state.gl_batches.items():
            totals: dict[str, Decimal] = {}
            for number in sorted(batch.lines):
                values = DEFAULT_PARM_LAYOUT.parse(batch.lines[number])
                totals[values["AIT1"]] = totals.get(values["AIT1"], Decimal(0)) + Decimal(
                    values["CUAM"]
                )
            out[key1] = totals if batch.status == "posted" else {"open": Decimal(1)}
        return out

    def sap_journals(self) -> dict[str, list[dict[str, Decimal]]]:
        """SAP documents by reference: one {account: net amount} per document."""
        docs: dict[tuple[str, str], dict[str, Decimal]] = {}
        refs: dict[tuple[str, str], str] = {}
        for row in self.sandbox.sap.journal_documents():
            key = (row["FiscalYear"], row["AccountingDocument"])
            refs[key] = row["DocumentReferenceID"]
            totals = docs.setdefault(key, {})
            totals[row["GLAccount"]] = (
                totals.get(row["GLAccount"], Decimal(0)) + row["AmountInTransactionCurrency"]
            )
        out: dict[str, list[dict[str, Decimal]]] = {}
        for key, totals in docs.items():
            out.setdefault(refs[key], []).append(totals)
        return out


def is_na(marketplace_id: str) -> bool:
    return marketplace_id in ("ATVPDKIKX0DER", "A2EUQ1WTGCTBG2")


def ties_out(journal: dict[str, Decimal], settlement: Settlement) -> bool:
    """A journal (account -> net) balances and debits the clearing account with the deposit."""
    return sum(journal.values(), Decimal(0)) == 0 and journal.get("1290") == settlement.total.amount
