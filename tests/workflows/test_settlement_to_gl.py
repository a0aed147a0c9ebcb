"""Settlement to GL against the sandbox: every settlement posts once and ties out to its deposit."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import attrs
import pytest

from amazon_erp_bridge.errors import ConfigurationError
from amazon_erp_bridge.infor import DEFAULT_PARM_LAYOUT
from amazon_erp_bridge.mapping import AMAZON_DEFAULT_ACCOUNTS
from amazon_erp_bridge.model import Money
from amazon_erp_bridge.posting import PostStatus, RecordState
from amazon_erp_bridge.sandbox.amazon.settlement_files import generate_settlement
from amazon_erp_bridge.sandbox.rules import finance

from .finance_env import US, Crash, CrashingLedger, World, is_na, ties_out


def statuses(report):
    return {
        r.source_id: r.status for step in report.steps if step.summary for r in step.summary.results
    }


def downloads(world: World) -> int:
    return len(world.sandbox.amazon.requests_to(r"/reports/2021-06-30/documents/"))


def without_fba_fees(accounts):
    """The account map with no rule for FBA fees (and no ItemFees catch-all)."""
    return attrs.evolve(
        accounts,
        rules=[
            r
            for r in accounts.rules
            if r.pattern[1:] not in (("ItemFees", "FBA*"), ("ItemFees", "*"))
        ],
    )


# -- M3 ---------------------------------------------------------------------------------------


def test_m3_posts_each_north_american_settlement_as_one_batch_that_ties_out() -> None:
    world = World()
    report = world.settlement_m3()
    expected = world.settlements(is_na)
    assert report.ok and report.erp == "m3"
    assert statuses(report) == dict.fromkeys(expected, PostStatus.CREATED)
    journals = world.m3_journals()
    assert set(journals) == set(expected)
    for settlement_id, settlement in expected.items():
        assert ties_out(journals[settlement_id], settlement), settlement_id
        assert world.ledger.get("settlement.m3", settlement_id).state is RecordState.POSTED
    text = str(report)
    assert text.startswith("settlement to GL (m3)\n  settlements\n    4 created")
    assert "ties out; M3 batch" in text and "status 90" in text


def test_m3_batches_carry_the_map_dimension_and_pass_the_chart_of_accounts() -> None:
    world = World()
    world.settlement_m3()
    batch = next(iter(world.sandbox.ion.state.gl_batches.values()))
    parsed = [DEFAULT_PARM_LAYOUT.parse(p) for p in batch.lines.values()]
    assert {p["AIT2"] for p in parsed if p["AIT1"].startswith(("4", "5"))} == {"AMAZON"}
    assert world.sandbox.ion.state.gl_accounts >= {p["AIT1"] for p in parsed}


def test_a_second_run_posts_nothing_new_and_downloads_nothing() -> None:
    world = World()
    world.settlement_m3()
    batches, fetched = len(world.sandbox.ion.state.gl_batches), downloads(world)
    again = world.settlement_m3()
    assert set(statuses(again).values()) == {PostStatus.DUPLICATE}
    assert len(world.sandbox.ion.state.gl_batches) == batches
    assert downloads(world) == fetched
    assert "duplicate" in str(again)


def test_a_settlement_published_later_is_the_only_one_posted_next() -> None:
    world = World()
    world.settlement_m3()
    later = generate_settlement(
        settlement_id="31000000001", start=datetime(2026, 3, 29, 8, tzinfo=UTC), orders=3
    )
    world.sandbox.amazon.reports.add_settlement(
        later, marketplace_id=US, created=datetime(2026, 4, 14, tzinfo=UTC)
    )
    report = world.settlement_m3()
    created = [sid for sid, s in statuses(report).items() if s is PostStatus.CREATED]
    assert created == ["31000000001"]
    assert ties_out(world.m3_journals()["31000000001"], later)


def test_cursor_keeps_the_newest_report_time_and_the_reports_it_knows() -> None:
    world = World()
    world.settlement_m3()
    cursor = json.loads(world.ledger.get_cursor("amazon.settlements.m3"))
    assert cursor["created_since"] == "2026-03-31T00:00:00+00:00"
    assert len(cursor["reports"]) == 2  # the reports created at that time


def test_an_unreadable_cursor_is_a_configuration_error() -> None:
    world = World()
    world.ledger.set_cursor("amazon.settlements.m3", "not json")
    with pytest.raises(ConfigurationError, match="delete the cursor"):
        world.settlement_m3()


def test_crash_after_the_m3_post_before_the_ledger_write_makes_no_duplicate() -> None:
    world = World()
    crashing = CrashingLedger(world.ledger)
    with pytest.raises(Crash):
        world.settlement_m3(ledger=crashing)
    assert len(world.sandbox.ion.state.gl_batches) == 1
    world.clock.advance(61)  # the dead run's claim lease runs out
    report = world.settlement_m3()
    found = [sid for sid, s in statuses(report).items() if s is PostStatus.FOUND_EXISTING]
    assert len(found) == 1
    assert len(world.sandbox.ion.state.gl_batches) == len(world.settlements(is_na))
    assert report.ok


def test_a_batch_a_lost_reply_left_controlled_is_finished_not_added_again() -> None:
    world = World()
    world.sandbox.ion.lose_reply("GLS840MI", "CtrlBatch")
    report = world.settlement_m3()
    assert PostStatus.RESUMED in statuses(report).values()
    assert all(b.status == "posted" for b in world.sandbox.ion.state.gl_batches.values())
    assert len(world.sandbox.ion.state.gl_batches) == len(world.settlements(is_na))


# -- SAP --------------------------------------------------------------------------------------


def test_sap_posts_each_other_settlement_once_and_reads_it_back() -> None:
    world = World()
    report = world.settlement_sap()
    expected = world.settlements(lambda m: not is_na(m))
    assert report.ok and report.erp == "sap"
    assert statuses(report) == dict.fromkeys(expected, PostStatus.CREATED)
    journals = world.sap_journals()
    assert set(journals) == set(expected)
    for settlement_id, settlement in expected.items():
        [journal] = journals[settlement_id]
        assert ties_out(journal, settlement), settlement_id
    assert str(report).count("items read back agree") == len(expected)
    profit_centers = {r["ProfitCenter"] for r in world.sandbox.sap.journal_documents()}
    assert profit_centers == {"", "YB600"}


def test_sap_second_run_posts_nothing_new() -> None:
    world = World()
    world.settlement_sap()
    documents = len(world.sandbox.sap.journal_documents())
    again = world.settlement_sap()
    assert set(statuses(again).values()) == {PostStatus.DUPLICATE}
    assert len(world.sandbox.sap.journal_documents()) == documents


def test_crash_after_the_sap_post_before_the_ledger_write_makes_no_duplicate() -> None:
    world = World()
    with pytest.raises(Crash):
        world.settlement_sap(ledger=CrashingLedger(world.ledger))
    world.clock.advance(61)
    report = world.settlement_sap()
    assert list(statuses(report).values()).count(PostStatus.FOUND_EXISTING) == 1
    assert all(len(docs) == 1 for docs in world.sap_journals().values())
    assert len(world.sap_journals()) == len(world.settlements(lambda m: not is_na(m)))


def test_sap_bulk_posting_derives_the_message_id_from_the_settlement() -> None:
    world = World()
    config = attrs.evolve(finance.settlement_to_gl_sap_config(world.sandbox), bulk=True)
    report = world.settlement_sap(config=config)
    documents = {r.source_id: r.document.document_id for r in report.steps[-1].summary.results}
    assert documents and all(doc == f"AMZ{sid}" for sid, doc in documents.items())
    assert world.sandbox.sap.state.message_ids >= set(documents.values())
    assert all(len(docs) == 1 for docs in world.sap_journals().values())


# -- dead letters and replay ------------------------------------------------------------------


def test_unmapped_amounts_are_dead_lettered_with_every_kind_listed_then_replayed() -> None:
    world = World()
    good = finance.settlement_to_gl_m3_config(world.sandbox)
    broken = attrs.evolve(good, accounts=without_fba_fees(good.accounts))
    first = world.settlement_m3(config=broken)
    assert set(statuses(first).values()) == {PostStatus.DEAD_LETTERED}
    assert not first.ok
    reason = world.ledger.dead_letters("settlement.m3")[0].reason
    assert "UnmappedSettlementLines" in reason and "with no GL account:" in reason
    assert "(Order, ItemFees, FBAPerUnitFulfillmentFee)" in reason
    assert "(Order, ItemFees, Commission)" in reason
    assert "Add them to the account map, or set a default account." in reason
    assert world.sandbox.ion.state.gl_batches == {}

    fetched = downloads(world)
    still = world.settlement_m3(config=broken)
    assert set(statuses(still).values()) == {PostStatus.DEAD_LETTERED}
    assert downloads(world) == fetched  # known reports are not fetched again

    fixed = world.settlement_m3(config=good, replay=True)
    replay = fixed.steps[0]
    assert replay.name == "replay dead letters"
    assert {r.status for r in replay.summary.results} == {PostStatus.CREATED}
    assert len(replay.summary.results) == len(world.settlements(is_na))
    assert fixed.ok and len(replay.notes) == len(replay.summary.results)
    for settlement_id, settlement in world.settlements(is_na).items():
        assert ties_out(world.m3_journals()[settlement_id], settlement)


def test_a_settlement_that_does_not_reconcile_is_dead_lettered() -> None:
    world = World()
    settlement = generate_settlement(settlement_id="31000000002", orders=2)
    broken = attrs.evolve(settlement, total=settlement.total + Money.of("0.01", "USD"))
    world.sandbox.amazon.reports.add_settlement(
        broken, marketplace_id=US, created=datetime(2026, 4, 1, tzinfo=UTC)
    )
    report = world.settlement_m3()
    assert statuses(report)["31000000002"] is PostStatus.DEAD_LETTERED
    [dead] = world.ledger.dead_letters("settlement.m3")
    assert "SettlementTieOutError" in dead.reason and "would not tie out" in dead.reason
    assert "31000000002" not in world.sandbox.ion.state.gl_batches


def test_replay_of_a_settlement_whose_report_is_unknown_stays_dead_lettered() -> None:
    world = World()
    world.ledger.mark_dead_lettered("settlement.m3", "99999999999", "imported by hand")
    report = world.settlement_m3(replay=True)
    [result] = report.steps[0].summary.results
    assert result.status is PostStatus.DEAD_LETTERED
    assert "no settlement report is known" in result.reason


def test_a_download_that_keeps_failing_is_reported_and_retried_next_run() -> None:
    world = World()
    world.sandbox.amazon.router.faults.fail = 40
    world.sandbox.amazon.router.faults.match = r"/documents/"
    report = world.settlement_m3()
    failed = [r for r in report.steps[-1].summary.results if r.status is PostStatus.FAILED]
    assert failed and all(r.source_id.startswith("report ") for r in failed)
    assert "download failed" in failed[0].reason and not report.ok
    world.sandbox.amazon.router.faults.reset()
    world.clock.advance(3600)  # SP-API's document quota refills
    again = world.settlement_m3()
    assert again.ok
    assert set(world.m3_journals()) == set(world.settlements(is_na))


def test_without_a_marketplace_filter_the_default_map_books_every_settlement() -> None:
    world = World()
    config = finance.SettlementToGlM3Config(accounts=AMAZON_DEFAULT_ACCOUNTS)
    report = world.settlement_m3(config=config)
    assert len(statuses(report)) == len(world.settlements())
