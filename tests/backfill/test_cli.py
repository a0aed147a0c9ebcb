"""``amazon-erp-bridge backfill --plan`` prints the plan as a table or JSON."""

from __future__ import annotations

import json

import pytest

from amazon_erp_bridge.cli import main


def test_plan_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["backfill", "--plan", "--from", "2025-01-01", "--to", "2026-01-01",
         "--wants", "orders,shipments", "--orders-per-day", "137"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL" in out
    assert "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL" in out
    assert "switch to the API at" in out


def test_plan_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["backfill", "--plan", "--from", "2025-01-01", "--to", "2026-01-01",
         "--orders-per-day", "137", "--call-seconds", "0", "--json"]
    )  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["speedup"] >= 20
    assert data["windows"][0]["source"] == "api"


def test_bad_wants_is_one_line_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["backfill", "--plan", "--from", "2025-01-01", "--to", "2025-02-01",
                 "--wants", "invoices"])  # fmt: skip
    assert code == 1
    assert "'invoices' is not one of" in capsys.readouterr().err


def test_without_plan_says_how_to_run_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backfill", "--from", "2025-01-01", "--to", "2025-02-01"]) == 2
    assert "backfill_m3" in capsys.readouterr().err


def test_bad_date_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["backfill", "--plan", "--from", "January", "--to", "2025-02-01"])
    assert exit_.value.code == 2
    assert "is not a date" in capsys.readouterr().err
