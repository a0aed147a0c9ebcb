"""``amazon-erp-bridge events``: over a directory, with the sandbox or your --app, --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amazon_erp_bridge.cli import main

from . import app_for_cli
from .schema_tools import examples


def test_events_with_the_sandbox_publishes_processes_and_reports_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "inbox"
    ledger = str(tmp_path / "events.sqlite")
    code = main(
        ["events", "--dir", str(folder), "--publish", "20", "--once", "--ledger", ledger, "--json"]
    )
    report = json.loads(capsys.readouterr().out)
    assert report["workflow"] == "events"
    messages = report["steps"][0]
    assert messages["received"] == 20
    assert len(list((folder / "done").iterdir())) == 20
    assert code in (0, 1)  # 1 when the misspelt-SKU order is among them (a dead letter)
    created = report["steps"][1]["counts"].get("created", 0)
    assert created > 0

    # the same burst again: everything is older than the ledger, nothing is posted
    for path in (folder / "done").iterdir():
        path.replace(folder / path.name)
    main(["events", "--dir", str(folder), "--once", "--ledger", ledger, "--json"])
    again = json.loads(capsys.readouterr().out)
    assert again["steps"][1]["counts"].get("created", 0) == 0
    assert again["steps"][0]["received"] == 20


def test_events_with_an_app_and_text_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = examples("LISTINGS_ITEM_MFN_QUANTITY_CHANGE")[0]
    (tmp_path / "1.json").write_text(json.dumps(body))
    (tmp_path / "2.json").write_text("{broken")
    app_for_cli.CALLS.clear()
    code = main(
        [
            "events",
            "--dir",
            str(tmp_path),
            "--once",
            "--ledger",
            str(tmp_path / "l.sqlite"),
            "--app",
            "tests.events.app_for_cli:runner",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert app_for_cli.CALLS == ["stock"]
    assert "events (app)" in out and "1 dead-lettered" in out
    assert (tmp_path / "failed" / "2.json.reason.txt").is_file()


def test_events_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events", "--dir", str(tmp_path / "missing"), "--once"]) == 1
    assert "no such directory" in capsys.readouterr().err
    code = main(
        [
            "events",
            "--dir",
            str(tmp_path),
            "--once",
            "--ledger",
            str(tmp_path / "l.sqlite"),
            "--app",
            "tests.events.app_for_cli:not_a_runner",
        ]
    )
    assert code == 1
    assert "must return an EventRunner" in capsys.readouterr().err
