"""Notebook output (issue #19): workflow reports, ledger status and dead letters render as HTML
tables in a real kernel (nbclient); orders, settlements, journals and ledger records become
DataFrames with typed date and currency columns."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from amazon_erp_bridge.errors import ConfigurationError

nbformat = pytest.importorskip("nbformat", reason="the notebook test needs the dev extra")
nbclient = pytest.importorskip("nbclient", reason="the notebook test needs the dev extra")
pytest.importorskip("ipykernel", reason="the notebook test needs the dev extra")

CELLS = [
    """
from amazon_erp_bridge.demo import run_demo
runs = run_demo("notebook.sqlite", runs=1)
report = next(r for r in runs[0].reports if not r.ok)
report
""",
    """
from amazon_erp_bridge.posting import SqliteLedger, ledger_status
ledger = SqliteLedger("notebook.sqlite")
ledger_status(ledger)
""",
    """
runs[0].reports[0]
""",
    """
from datetime import UTC, datetime
from amazon_erp_bridge.amazon import Marketplace, ReportList, FeedList
from amazon_erp_bridge.sandbox import Sandbox
KIND = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
with Sandbox(seed=7) as box, box.spapi_client() as client:
    client.reports.create_report(KIND, [Marketplace.US], data_start_time=datetime(2020, 1, 1, tzinfo=UTC))
    reports = ReportList(client.reports.get_reports(report_types=[KIND]))
reports
""",
]


def _html(cell) -> str:
    return "".join(
        output.get("data", {}).get("text/html", "")
        for output in cell.get("outputs", [])
        if output.get("output_type") in ("execute_result", "display_data")
    )


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebook")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source.strip()) for source in CELLS]
    client = nbclient.NotebookClient(
        notebook, kernel_name="python3", timeout=240, resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    return notebook


def test_a_workflow_report_is_a_table_of_steps_and_problems_in_a_notebook(executed):
    html = _html(executed.cells[0])
    assert html.startswith("<table><caption>") and "NOT ok" in html
    for column in ("step", "outcome", "problems", "notes", "source_id", "reason"):
        assert f"<th>{column}</th>" in html
    assert "Records that did not post" in html
    assert len(html) < 5000  # a table, not a raw dump


def test_ledger_status_shows_counts_and_dead_letters_in_a_notebook(executed):
    html = _html(executed.cells[1])
    assert "Ledger: records per kind and state" in html
    assert "<th>posted</th>" in html and "order.m3" in html
    assert "Dead letters (" in html and "<th>reason</th>" in html


def test_a_report_names_its_workflow_and_erp(executed):
    html = _html(executed.cells[2])
    assert "<caption>order-to-cash (m3): " in html


def test_a_report_list_is_a_table_in_a_notebook(executed):
    html = _html(executed.cells[3])
    assert "<caption>Reports (" in html
    for column in ("report_id", "report_type", "processing_status", "created_time"):
        assert f"<th>{column}</th>" in html
    assert "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL" in html


# -- DataFrames ------------------------------------------------------------------------------

pd = pytest.importorskip("pandas", reason="to_dataframe needs pandas")


def _utc_dates(column) -> bool:
    return pd.api.types.is_datetime64_any_dtype(column) and str(column.dt.tz) == "UTC"


def test_orders_frame_has_typed_dates_and_currency():
    from amazon_erp_bridge.amazon import Marketplace
    from amazon_erp_bridge.model.frames import orders_dataframe
    from amazon_erp_bridge.sandbox import Sandbox

    with Sandbox(seed=7) as box, box.spapi_client() as client:
        orders = list(
            client.orders.get_orders(
                [Marketplace.US], created_after=datetime(2020, 1, 1, tzinfo=UTC)
            )
        )
    frame = orders_dataframe(orders)
    assert len(frame) == sum(max(len(o.lines), 1) for o in orders)
    assert _utc_dates(frame["purchase_date"])
    assert isinstance(frame["currency"].dtype, pd.CategoricalDtype)
    assert set(frame["currency"].dropna()) == {"USD"}
    one = orders[0].to_dataframe()
    assert list(one["order_id"].unique()) == [orders[0].order_id]


def test_settlement_and_journal_frames_are_typed(tmp_path: Path):
    from amazon_erp_bridge.amazon.settlement import parse_settlement_report
    from amazon_erp_bridge.mapping import AMAZON_DEFAULT_ACCOUNTS, settlement_to_journal
    from amazon_erp_bridge.sandbox.amazon.settlement_files import (
        generate_settlement,
        settlement_text,
    )

    path = tmp_path / "settlement.txt"
    path.write_text(settlement_text(generate_settlement(seed=3)), encoding="utf-8")
    settlement = parse_settlement_report(path)
    frame = settlement.to_dataframe()
    assert _utc_dates(frame["posted"])
    assert isinstance(frame["currency"].dtype, pd.CategoricalDtype)
    assert sum(frame["amount"]) == settlement.lines_total().amount  # Decimal, exact
    journal = settlement_to_journal(settlement, AMAZON_DEFAULT_ACCOUNTS).to_dataframe()
    assert _utc_dates(journal["posting_date"])
    assert isinstance(journal["currency"].dtype, pd.CategoricalDtype)


def test_ledger_records_and_status_frames(tmp_path: Path):
    from amazon_erp_bridge.posting import SqliteLedger, ledger_status
    from amazon_erp_bridge.posting.status import records_dataframe

    ledger = SqliteLedger(str(tmp_path / "l.sqlite"))
    try:
        ledger.receive("order.m3", "111-1")
        records = ledger.records()
        frame = records_dataframe(records)
        assert _utc_dates(frame["updated_at"])
        status = ledger_status(ledger)
        assert status.to_dataframe().loc[0, "kind"] == "order.m3"
        assert "order.m3" in str(status) and status.to_dict()["dead_letters"] == []
        assert "No dead-lettered records" in status._repr_html_()
    finally:
        ledger.close()


def test_report_and_feed_lists_frame_with_typed_dates():
    from amazon_erp_bridge.amazon import FeedList, Marketplace, ReportList
    from amazon_erp_bridge.sandbox import Sandbox

    kind = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
    with Sandbox(seed=7) as box, box.spapi_client() as client:
        report_id = client.reports.create_report(
            kind, [Marketplace.US], data_start_time=datetime(2020, 1, 1, tzinfo=UTC)
        )
        reports = ReportList(client.reports.get_reports(report_types=[kind]))
    assert [r.report_id for r in reports] == [report_id] and len(reports) == 1
    frame = reports.to_dataframe()
    assert _utc_dates(frame["created_time"]) and frame.loc[0, "report_id"] == report_id
    empty = FeedList([])
    assert "<caption>Feeds (0)</caption>" in empty._repr_html_()
    assert list(empty.to_dataframe().columns) == list(FeedList.COLUMNS)


def test_to_dataframe_without_pandas_is_a_clear_error(monkeypatch):
    import sys

    from amazon_erp_bridge.workflows.report import WorkflowReport

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ConfigurationError, match=r"needs pandas.*\[pandas\]"):
        WorkflowReport("order-to-cash", "M3").to_dataframe()
