"""The streaming settlement journal equals the in-memory one; the CLI streams with progress."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from amazon_erp_bridge.amazon.settlement import open_settlement_report, parse_settlement_report
from amazon_erp_bridge.cli import main
from amazon_erp_bridge.mapping import (
    AMAZON_DEFAULT_ACCOUNTS,
    GlAccountMap,
    SettlementCurrencyError,
    SettlementTieOutError,
    UnmappedSettlementLines,
    settlement_journal_from_lines,
    settlement_to_journal,
)
from amazon_erp_bridge.model import Money
from amazon_erp_bridge.sandbox.amazon.settlement_files import generate_settlement, settlement_text


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "settlement.txt"
    path.write_text(settlement_text(generate_settlement(seed=5)), encoding="utf-8")
    return path


def _header(settlement):  # the settlement without its lines
    return attrs.evolve(settlement, lines=())


@pytest.mark.parametrize("detail", [False, True])
def test_streamed_journal_equals_the_in_memory_one(report: Path, detail: bool) -> None:
    settlement = parse_settlement_report(report)
    expected = settlement_to_journal(settlement, AMAZON_DEFAULT_ACCOUNTS, detail=detail)
    with open_settlement_report(report) as reader:
        header = _header(settlement)
        got = settlement_journal_from_lines(header, reader, AMAZON_DEFAULT_ACCOUNTS, detail=detail)
    assert got == expected


def test_streamed_journal_refuses_what_the_in_memory_one_refuses(report: Path) -> None:
    settlement = parse_settlement_report(report)
    header = _header(settlement)
    lines = list(settlement.lines)
    with pytest.raises(SettlementTieOutError, match="lines sum to .* but total-amount is"):
        settlement_journal_from_lines(header, lines[1:], AMAZON_DEFAULT_ACCOUNTS)
    foreign = attrs.evolve(lines[0], amount=Money(lines[0].amount.amount, "EUR"))
    with pytest.raises(SettlementCurrencyError, match="1 line.* not in the settlement currency"):
        settlement_journal_from_lines(header, [foreign, *lines[1:]], AMAZON_DEFAULT_ACCOUNTS)
    bare = GlAccountMap.from_dict({**AMAZON_DEFAULT_ACCOUNTS.to_dict(), "rules": []})
    if bare.lookup(lines[0].key) is None:
        with pytest.raises(UnmappedSettlementLines, match="no GL account"):
            settlement_journal_from_lines(header, lines, bare)


def test_cli_settlement_shows_bytes_read_when_not_a_terminal(report: Path, capsys) -> None:
    assert main(["settlement", str(report)]) == 0
    captured = capsys.readouterr()
    assert "Balanced in " in captured.out
    progress = [ln for ln in captured.err.splitlines() if ln.startswith("progress:")]
    assert progress, captured.err
    size = report.stat().st_size
    assert progress[-1].startswith(f"progress: {size}/{size} bytes of {report.name} read")
