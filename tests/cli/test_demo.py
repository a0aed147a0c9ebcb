"""The demo is the README's first command: it must run end to end and show every workflow."""

import json
import subprocess
import sys

from amazon_erp_bridge.demo import run_demo
from amazon_erp_bridge.posting import RecordState, SqliteLedger
from amazon_erp_bridge.sandbox.rules import orders


def test_demo_runs_every_workflow_twice_and_the_second_pass_posts_nothing(tmp_path):
    ledger_path = str(tmp_path / "demo.sqlite")
    runs = run_demo(ledger_path, runs=2)
    first, second = runs[0].reports, runs[1].reports
    assert {(r.workflow, r.erp) for r in first} == {(r.workflow, r.erp) for r in second}
    replayed = []
    cancelled = []
    for report in second:
        for step in report.steps:
            if step.summary is not None:
                replayed += [r.source_id for r in step.summary.posted if r.kind[:7] != "cancel."]
                cancelled += [r.kind for r in step.summary.posted if r.kind[:7] == "cancel."]
    # Only the M3 order whose SKU got an alias between the runs is posted in the second run,
    # besides the cancellation of the one order per ERP Amazon cancelled between the runs.
    assert replayed == [orders.DEAD_LETTER_M3]
    assert sorted(cancelled) == ["cancel.m3", "cancel.sap"]
    workflows = {r.workflow for r in first}
    assert {"returns", "confirm-shipments"} <= workflows
    ledger = SqliteLedger(ledger_path)
    try:
        assert ledger.get("order.m3", orders.DEAD_LETTER_M3).state is RecordState.POSTED
        parked = ledger.get("order.sap", orders.DEAD_LETTER_SAP)
        assert parked.state is RecordState.DEAD_LETTERED
        assert orders.TYPO_SKU in parked.reason
        assert ledger.counts().get(RecordState.POSTING, 0) == 0
    finally:
        ledger.close()


def test_demo_command_prints_json_for_scripts(tmp_path):
    ledger = tmp_path / "demo.sqlite"
    done = subprocess.run(
        [sys.executable, "-m", "amazon_erp_bridge", "demo", "--ledger", str(ledger), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {entry["run"] for entry in data} == {1, 2}
    problems = [p for entry in data for step in entry["steps"] for p in step.get("problems", [])]
    assert problems, "the demo shows at least one dead letter"
    # Every record that did not post says why: the misspelt SKU's order is dead-lettered, and
    # once M3 knows the misspelt SKU as an alias, Amazon refuses stock for that unlisted SKU.
    assert all(p["status"] in {"dead_lettered", "failed"} and p["reason"] for p in problems)
    # stderr is not a terminal: no progress bar, plain progress lines only
    assert all(line.startswith("progress: ") for line in done.stderr.splitlines())
