"""preview_settlement: the journal a downloaded settlement report would post, no ERP, no ledger."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from amazon_erp_bridge.errors import ConfigurationError
from amazon_erp_bridge.mapping import (
    AMAZON_DEFAULT_ACCOUNTS,
    GlAccountMap,
    SettlementTieOutError,
    UnmappedSettlementLines,
)
from amazon_erp_bridge.model import Money
from amazon_erp_bridge.sandbox.amazon.settlement_files import generate_settlement, settlement_text
from amazon_erp_bridge.workflows.settlement_to_gl import load_account_map, preview_settlement

SETTLEMENT = generate_settlement(settlement_id="42000000001", orders=4)
CSV_MAP = """transaction-type,amount-type,amount-description,account,text
@clearing,,,1290,Amazon clearing
*,*,*,9999,Suspense
"""


@pytest.fixture
def report_file(tmp_path: Path) -> Path:
    path = tmp_path / "settlement.txt"
    path.write_text(settlement_text(SETTLEMENT), encoding="utf-8")
    return path


def test_a_report_file_previews_as_a_journal_that_ties_out(report_file: Path) -> None:
    entry = preview_settlement(report_file)
    assert entry.reference == "42000000001"
    assert entry.lines[0].account == "1290"
    assert entry.lines[0].amount == SETTLEMENT.total
    assert entry.totals_by_currency() == {"USD": 0}


def test_bytes_and_a_path_string_work_too(report_file: Path) -> None:
    by_bytes = preview_settlement(report_file.read_bytes(), AMAZON_DEFAULT_ACCOUNTS)
    by_name = preview_settlement(str(report_file), AMAZON_DEFAULT_ACCOUNTS)
    assert by_bytes == by_name


def test_account_maps_load_from_json_and_csv_files(report_file: Path, tmp_path: Path) -> None:
    json_map = tmp_path / "accounts.json"
    json_map.write_text(AMAZON_DEFAULT_ACCOUNTS.to_json(), encoding="utf-8")
    assert load_account_map(json_map) == AMAZON_DEFAULT_ACCOUNTS
    csv_map = tmp_path / "accounts.csv"
    csv_map.write_text(CSV_MAP, encoding="utf-8")
    entry = preview_settlement(report_file, csv_map)
    assert {line.account for line in entry.lines} == {"1290", "9999"}
    assert entry == preview_settlement(report_file, str(csv_map))


def test_unmapped_amounts_raise_the_mapping_error_listing_every_kind(report_file: Path) -> None:
    accounts = GlAccountMap(clearing=AMAZON_DEFAULT_ACCOUNTS.clearing)
    with pytest.raises(UnmappedSettlementLines) as err:
        preview_settlement(report_file, accounts)
    text = str(err.value)
    assert text.startswith("settlement 42000000001 has ")
    assert "(Order, ItemPrice, Principal)" in text
    assert text.endswith("Add them to the account map, or set a default account.")


def test_a_report_that_does_not_reconcile_raises_the_tie_out_error(tmp_path: Path) -> None:
    broken = attrs.evolve(SETTLEMENT, total=SETTLEMENT.total + Money.of("0.01", "USD"))
    path = tmp_path / "broken.txt"
    path.write_text(settlement_text(broken), encoding="utf-8")
    with pytest.raises(SettlementTieOutError, match="42000000001: lines sum to"):
        preview_settlement(path)


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("missing.json", None, "cannot read it"),
        ("accounts.yaml", "clearing: 1290", "expected a .json or .csv file"),
        ("accounts.json", "{not json", "malformed at line 1"),
        ("accounts.csv", "account\n1290\n", "missing column"),
    ],
)
def test_bad_account_map_files_are_configuration_errors(
    tmp_path: Path, name: str, content: str | None, words: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=words):
        load_account_map(path)
