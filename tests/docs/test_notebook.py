"""examples/explore_settlement.ipynb runs top to bottom against the sandbox, so it never rots."""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebook test needs the dev extra")
nbclient = pytest.importorskip("nbclient", reason="the notebook test needs the dev extra")
pytest.importorskip("ipykernel", reason="the notebook test needs the dev extra")

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "explore_settlement.ipynb"


def _code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def _html(cell) -> str:
    return "".join(
        output.get("data", {}).get("text/html", "")
        for output in cell.get("outputs", [])
        if output.get("output_type") in ("execute_result", "display_data")
    )


def _text(cell) -> str:
    return "".join(output.get("text", "") for output in cell.get("outputs", []) if "text" in output)


@pytest.fixture(scope="module")
def executed():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # jupyter_client provides the "python3" kernel of the running interpreter whenever
    # ipykernel is importable, so a fresh `pip install -e .[dev]` needs no kernel registration.
    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=60,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    return notebook


def test_notebook_is_saved_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    for cell in _code_cells(notebook):
        assert cell.outputs == [], "clear the notebook's outputs before committing it"
        assert cell.execution_count is None


def test_notebook_runs_against_the_sandbox_without_errors(executed):
    errors = [
        output
        for cell in _code_cells(executed)
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert errors == []


def test_notebook_shows_the_settlement_and_the_journal_as_tables(executed):
    html = [_html(cell) for cell in _code_cells(executed)]
    assert any("<table><caption>Settlement " in h for h in html)
    assert any("<table><caption>Journal " in h for h in html)


def test_notebook_shows_that_the_journal_balances(executed):
    text = "".join(_text(cell) for cell in _code_cells(executed))
    assert "debits" in text and "= credits" in text
    assert "payout" in text
