"""Fault injection: settlements and inventory against a sandbox that throttles, fails, drops
replies, expires tokens and crashes mid-post. No duplicate reaches an ERP, every settlement
ends posted or dead-lettered with a reason, and every journal balances and ties to its deposit.
"""

from __future__ import annotations

import attrs
import pytest

from amazon_erp_bridge.posting import RecordState
from amazon_erp_bridge.sandbox.amazon.settlement_files import generate_settlement
from amazon_erp_bridge.sandbox.rules import finance

from .finance_env import US, Crash, CrashingLedger, World, is_na, ties_out
from .test_inventory_sync import EXPECTED

SAP_JOURNAL = r"/sap/bc/srt/"


def storm(world: World) -> None:
    """429 storms, 5xx answers, dropped connections and expired tokens on all three sides."""
    amazon, ion, sap = world.sandbox.amazon, world.sandbox.ion, world.sandbox.sap
    amazon.router.faults.throttle = 3
    amazon.router.faults.fail = 1
    amazon.router.faults.drop = 1
    amazon.router.faults.match = r"/reports/|/feeds/"
    amazon.expire_tokens()
    ion.rate_limit(per_second=5, burst=2)
    ion.router.faults.fail = 2
    ion.router.faults.match = r"/execute"
    ion.lose_reply("GLS840MI", "UpdBatch")  # M3 posts the batch; the answer never arrives
    ion.lose_reply("GLS840MI", "CtrlBatch")  # the next batch is left controlled, not posted
    ion.expire_tokens()
    sap.router.faults.throttle = 2
    sap.router.faults.fail = 2
    sap.router.faults.drop = 1
    sap.router.faults.match = SAP_JOURNAL
    sap.expire_csrf_tokens()


def run_until_settled(world: World, run, kind: str, expected: set[str]) -> None:
    """Run as a scheduler would (a crashed run first), until nothing is left pending."""
    with pytest.raises(Crash):
        run(ledger=CrashingLedger(world.ledger))
    for _ in range(4):
        world.clock.advance(3600)  # dead claims expire, quotas refill
        report = run()
        records = world.ledger.records(kind=kind)
        if {r.source_id for r in records} == expected and all(
            r.state in (RecordState.POSTED, RecordState.DEAD_LETTERED) for r in records
        ):
            assert report.steps
            return
    pytest.fail(f"{kind}: records still pending: {world.ledger.counts(kind)}")


def test_m3_settlements_survive_every_fault_without_a_duplicate() -> None:
    world = World()
    storm(world)
    expected = world.settlements(is_na)
    run_until_settled(world, world.settlement_m3, "settlement.m3", set(expected))
    assert world.ledger.counts("settlement.m3")[RecordState.POSTED] == len(expected)
    batches = world.sandbox.ion.state.gl_batches
    assert sorted(batches) == sorted(expected)  # one batch per settlement, none twice
    journals = world.m3_journals()
    for settlement_id, settlement in expected.items():
        assert ties_out(journals[settlement_id], settlement), settlement_id


def test_sap_settlements_survive_every_fault_without_a_duplicate() -> None:
    world = World()
    storm(world)
    expected = world.settlements(lambda m: not is_na(m))
    run_until_settled(world, world.settlement_sap, "settlement.sap", set(expected))
    journals = world.sap_journals()
    assert sorted(journals) == sorted(expected)
    for settlement_id, settlement in expected.items():
        [journal] = journals[settlement_id]  # exactly one document per settlement
        assert ties_out(journal, settlement), settlement_id


def test_under_faults_a_bad_settlement_is_dead_lettered_with_its_reason_and_the_rest_post() -> None:
    world = World()
    unmappable = generate_settlement(settlement_id="31000000003", orders=2)
    unmappable = attrs.evolve(
        unmappable,
        lines=(
            *unmappable.lines,
            attrs.evolve(
                unmappable.lines[0], transaction_type="Liquidations", amount_type="Liquidations"
            ),
        ),
        total=unmappable.total + unmappable.lines[0].amount,
    )
    world.sandbox.amazon.reports.add_settlement(unmappable, marketplace_id=US)
    storm(world)
    expected = world.settlements(is_na)
    run_until_settled(world, world.settlement_m3, "settlement.m3", set(expected))
    [dead] = world.ledger.dead_letters("settlement.m3")
    assert dead.source_id == "31000000003"
    assert "(Liquidations, Liquidations, Principal) x 1 line" in dead.reason
    assert "31000000003" not in world.sandbox.ion.state.gl_batches
    posted = {
        r.source_id for r in world.ledger.records(kind="settlement.m3", state=RecordState.POSTED)
    }
    assert posted == set(expected) - {"31000000003"}
    for settlement_id in posted:
        assert ties_out(world.m3_journals()[settlement_id], expected[settlement_id])


@pytest.mark.parametrize("erp", ["m3", "sap"])
def test_inventory_reaches_amazon_through_throttling_errors_and_expired_tokens(erp: str) -> None:
    world = World()
    storm(world)
    world.sandbox.amazon.feeds.polls_per_step = 3
    run = world.inventory_m3 if erp == "m3" else world.inventory_sap
    for _ in range(3):
        report = run()
        world.clock.advance(3600)
        if report.ok:
            break
    assert world.sandbox.amazon.feeds.quantities == EXPECTED
    assert "no feed sent" in str(run())
    config = finance.inventory_sync_m3_config(world.sandbox)
    assert config.marketplace_ids == (US,)
