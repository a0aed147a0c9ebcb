"""The demo is the README's first command: it must run end to end and show every workflow."""

import json
import subprocess
import sys

from amazon_erp_bridge.demo import run_demo
from amazon_erp_bridge.posting import RecordState, SqliteLedger


def test_demo_runs_every_workflow_twice_and_the_second_pass_posts_nothing(tmp_path):
    ledger_path = str(tmp_path / "demo.sqlite")
    reports = run_demo(ledger_path, runs=2)
    first = [r for run, r in reports if run == 1]
    second = [r for run, r in reports if run == 2]
    assert {(r.workflow, r.erp) for r in first} == {(r.workflow, r.erp) for r in second}
    for report in second:
        for step in report.steps:
            if step.summary is not None:
                assert not step.summary.posted, f"{report.workflow} posted again: {step}"
    ledger = SqliteLedger(ledger_path)
    try:
        assert ledger.counts().get(RecordState.POSTED, 0) > 0
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
    assert all(p["status"] == "dead_lettered" and p["reason"] for p in problems)
    assert done.stderr == ""  # no progress bar when stderr is not a terminal
