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
    # Only the two orders whose SKU joined the crosswalks between the runs are posted in the
    # second run, besides the cancellation of the one order per ERP Amazon cancelled.
    assert sorted(replayed) == sorted([orders.DEAD_LETTER_M3, orders.DEAD_LETTER_SAP])
    assert sorted(cancelled) == ["cancel.m3", "cancel.sap"]
    assert all(report.ok for report in second), [str(r) for r in second if not r.ok]
    workflows = {r.workflow for r in first}
    assert {"returns", "confirm-shipments"} <= workflows
    ledger = SqliteLedger(ledger_path)
    try:
        assert ledger.get("order.m3", orders.DEAD_LETTER_M3).state is RecordState.POSTED
        assert ledger.get("order.sap", orders.DEAD_LETTER_SAP).state is RecordState.POSTED
        first_reason = ledger.audit("order.sap", orders.DEAD_LETTER_SAP)[0]
        assert orders.TYPO_SKU in str(first_reason.detail.get("reason", first_reason.outcome))
        counts = ledger.counts()
        assert counts[RecordState.POSTING] == counts[RecordState.DEAD_LETTERED] == 0
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
    # Every record that did not post says why: the misspelt SKU's orders are dead-lettered in
    # the first run; the second run, after the crosswalk fix, has no problem left.
    assert all(p["status"] == "dead_lettered" and p["reason"] for p in problems)
    assert all(entry["ok"] for entry in data if entry["run"] == 2)
    # stderr is not a terminal: no progress bar, plain progress lines only
    assert all(line.startswith("progress: ") for line in done.stderr.splitlines())
