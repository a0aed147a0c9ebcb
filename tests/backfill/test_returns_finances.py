"""Backfill runs returns and finances windows through the returns and settlement-to-GL
workflows: each return and settlement posted once, window by window, resumable, and the
scheduled runs afterwards post nothing again (they share the ledger kinds)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from amazon_erp_bridge.amazon.backfill import PlannerSettings, Want, plan_backfill
from amazon_erp_bridge.posting import PostStatus, RecordState
from amazon_erp_bridge.sandbox.rules import finance
from amazon_erp_bridge.workflows.backfill import DONE, BackfillReport, backfill_m3, backfill_sap
from amazon_erp_bridge.workflows.settlement_to_gl import settlement_to_gl_m3, settlement_to_gl_sap
from tests.workflows.finance_env import Crash, CrashingLedger
from tests.workflows.test_returns import M3_RETURN, Returns

SANDBOX = PlannerSettings(report_seconds=10, poll_interval=10)
END = datetime(2026, 4, 30, tzinfo=UTC)


class _World(Returns):
    def __init__(self) -> None:
        super().__init__()
        self.settlement_config = finance.settlement_to_gl_m3_config(self.sandbox)
        config = self.o2c_m3_config
        self.plan = plan_backfill(
            ["orders", "returns", "finances"],
            config.start,
            END,
            list(config.marketplaces),
            orders_per_day=2,
            settings=SANDBOX,
        )

    def backfill(self, ledger: Any = None) -> BackfillReport:
        return backfill_m3(
            self.amazon,
            self.m3,
            ledger or self.ledger,
            self.o2c_m3_config,
            self.plan,
            poster_options=self.poster_options,
            clock=self.clock,
            returns=self.ret_m3_config,
            settlement=self.settlement_config,
        )

    def journals(self) -> dict[str, dict[int, str]]:
        """The M3 GL batches: KEY1 -> their PARM lines by line number."""
        return {k: dict(b.lines) for k, b in self.sandbox.ion.state.gl_batches.items()}

    def settlements_posted(self) -> set[str]:
        return {
            r.source_id
            for r in self.ledger.records(state=RecordState.POSTED)
            if r.kind == "settlement.m3"
        }


def _created(report: Any) -> list[str]:
    return [
        r.source_id
        for step in report.steps
        if step.summary is not None
        for r in step.summary.results
        if r.status in (PostStatus.CREATED, PostStatus.RESUMED)
    ]


def test_backfill_posts_each_return_and_settlement_once_and_scheduled_runs_add_nothing() -> None:
    world = _World()
    assert {Want.RETURNS, Want.FINANCES} <= {w.want for w in world.plan.windows}
    report = world.backfill()
    assert report.returns >= 1
    assert report.settlements >= 1
    m3_returns = world.m3_returns()
    assert m3_returns[M3_RETURN] == 1 and max(m3_returns.values()) == 1
    batches = set(world.sandbox.ion.state.gl_batches)
    assert batches and world.settlements_posted()
    for window in world.plan.windows:
        assert world.ledger.get_cursor(f"backfill.m3.{window.key}") == DONE
    # the scheduled runs afterwards find everything posted
    assert _created(world.ret_m3()) == []
    scheduled = settlement_to_gl_m3(
        world.amazon, world.m3, world.ledger, world.settlement_config,
        poster_options=world.poster_options,
    )  # fmt: skip
    assert _created(scheduled) == []
    assert world.m3_returns() == m3_returns
    assert set(world.sandbox.ion.state.gl_batches) == batches
    # a second backfill skips every window
    again = world.backfill()
    assert all(w.resumed for w in again.windows) and again.posted == 0


class _CrashAt(CrashingLedger):
    """Dies between the ERP create and the ledger write of the first ``kind`` record."""

    def __init__(self, ledger: Any, prefix: str) -> None:
        super().__init__(ledger)
        self.prefix = prefix

    def mark_posted(self, *args: Any, **kw: Any) -> Any:
        kind = args[0] if args else kw.get("kind", "")
        if not str(kind).startswith(self.prefix):
            return self._ledger.mark_posted(*args, **kw)
        return super().mark_posted(*args, **kw)


def test_crash_mid_returns_or_settlement_window_then_resume_posts_nothing_twice() -> None:
    clean = _World()
    clean.backfill()
    for prefix in ("return.", "settlement."):
        world = _World()
        try:
            world.backfill(_CrashAt(world.ledger, prefix))
        except Crash:
            pass
        else:  # pragma: no cover - the crash must happen
            raise AssertionError(f"no {prefix} record was posted")
        world.clock.sleep(3600)  # the dead process's lease runs out
        report = world.backfill()
        assert any(w.resumed for w in report.windows)  # windows done before the crash
        m3_returns = world.m3_returns()
        assert m3_returns and max(m3_returns.values()) == 1
        assert world.settlements_posted() == clean.settlements_posted()
        # the GL holds what a run that never crashed posts: no batch or line twice
        assert world.journals() == clean.journals()
        assert m3_returns == clean.m3_returns()
        assert _created(world.ret_m3()) == []


def test_sap_backfill_posts_each_return_and_settlement_once() -> None:
    world = Returns()
    config = world.o2c_sap_config
    settlement = finance.settlement_to_gl_sap_config(world.sandbox)
    plan = plan_backfill(
        ["orders", "returns", "finances"],
        config.start,
        END,
        list(config.marketplaces),
        orders_per_day=2,
        settings=SANDBOX,
    )

    def backfill() -> BackfillReport:
        return backfill_sap(
            world.amazon, world.sap, world.ledger, config, plan,
            poster_options=world.poster_options, clock=world.clock,
            returns=world.ret_sap_config, settlement=settlement,
        )  # fmt: skip

    report = backfill()
    assert report.returns >= 1 and report.settlements >= 1
    sap_returns = world.sap_returns()
    assert sap_returns[world.sap_return_id()] == 1 and max(sap_returns.values()) == 1
    references = Counter(
        row["DocumentReferenceID"] for row in world.sandbox.sap.journal_documents()
    )
    assert references
    assert _created(world.ret_sap()) == []
    scheduled = settlement_to_gl_sap(
        world.amazon, world.sap, world.ledger, settlement, poster_options=world.poster_options
    )
    assert _created(scheduled) == []
    assert world.sap_returns() == sap_returns
    assert (
        Counter(row["DocumentReferenceID"] for row in world.sandbox.sap.journal_documents())
        == references
    )
