"""An ``--app`` factory for the events command test: stand-in handlers, no ERP."""

from __future__ import annotations

from typing import Any

from amazon_erp_bridge.events import EventHandlers, EventRunner, RoutingRules
from amazon_erp_bridge.workflows.report import StepReport, WorkflowReport

CALLS: list[str] = []


def runner(ledger: Any) -> EventRunner:
    def sync() -> WorkflowReport:
        CALLS.append("stock")
        return WorkflowReport("inventory-sync", "m3", [StepReport("stock")])

    return EventRunner(ledger, RoutingRules({}), EventHandlers(stock={"m3": sync}))


def not_a_runner(ledger: Any) -> dict[str, Any]:
    return {}
