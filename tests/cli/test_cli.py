"""The command line: what people and scripts see, and the exit status they can rely on."""

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from amazon_erp_bridge.cli import Progress, main
from amazon_erp_bridge.mapping import AMAZON_DEFAULT_ACCOUNTS
from amazon_erp_bridge.model import Money, Settlement, SettlementLine
from amazon_erp_bridge.posting import ErpDocument, Poster, SqliteLedger
from amazon_erp_bridge.sandbox.amazon.settlement_files import generate_settlement, settlement_text

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "samples" / "settlement_doc_sample.txt"


@pytest.fixture
def settlement_file(tmp_path: Path) -> Path:
    path = tmp_path / "settlement.txt"
    path.write_text(settlement_text(generate_settlement(seed=3)), encoding="utf-8")
    return path


def test_settlement_preview_prints_a_balanced_journal(settlement_file, capsys):
    assert main(["settlement", str(settlement_file)]) == 0
    out = capsys.readouterr().out
    assert "Journal " in out
    assert "Balanced in " in out
    assert " Dr " in out and " Cr " in out


def test_settlement_preview_as_json_round_trips(settlement_file, capsys):
    assert main(["settlement", str(settlement_file), "--json", "--detail"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["journal"]["reference"] == data["settlement"]
    total = sum(float(line["amount"]["amount"]) for line in data["journal"]["lines"])
    assert total == pytest.approx(0)


def test_settlement_that_does_not_reconcile_exits_1_naming_both_figures(capsys):
    if not SAMPLE.is_file():
        pytest.skip("shared sample not present")
    assert main(["settlement", str(SAMPLE)]) == 1
    err = capsys.readouterr().err
    assert "IntegrityError" in err
    assert "-1863.64 GBP" in err and "1847.32 GBP" in err


def test_unmapped_amounts_are_listed_with_the_map_given(tmp_path, settlement_file, capsys):
    accounts = tmp_path / "map.json"
    data = AMAZON_DEFAULT_ACCOUNTS.to_dict()
    data["rules"] = data["rules"][:2]
    accounts.write_text(json.dumps(data), encoding="utf-8")
    assert main(["settlement", str(settlement_file), "--accounts", str(accounts)]) == 1
    err = capsys.readouterr().err
    assert "UnmappedSettlementLines" in err
    assert "no GL account" in err


def test_missing_files_are_configuration_errors(tmp_path, capsys):
    assert main(["settlement", str(tmp_path / "nope.txt")]) == 1
    assert "no such file" in capsys.readouterr().err
    report = tmp_path / "r.txt"
    report.write_text("x")
    assert main(["settlement", str(report), "--accounts", str(tmp_path / "none.json")]) == 1
    assert "cannot read it" in capsys.readouterr().err


def test_ionapi_check_good_and_bad(tmp_path, capsys):
    sample = Path(__file__).resolve().parents[2] / "examples" / "sample.ionapi"
    assert main(["ionapi", "check", str(sample)]) == 0
    assert "OK" in capsys.readouterr().out
    bad = tmp_path / "bad.ionapi"
    bad.write_text('{"ti": "T"}')
    assert main(["ionapi", "check", str(bad), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is False
    assert any("ci" in problem for problem in result["problems"])


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["ledger"])
    assert info.value.code == 2


class _Erp:
    """A tiny ERP that knows one item: orders for other SKUs are refused as invalid."""

    name = "fake"

    def __init__(self) -> None:
        self.docs: dict[str, str] = {}
        self.known = {"SKU-1"}

    def find(self, source_id, payload):
        doc = self.docs.get(source_id)
        return ErpDocument("fake", doc) if doc else None

    def create(self, payload):
        from amazon_erp_bridge.errors import ValidationError

        if payload["sku"] not in self.known:
            raise ValidationError(f"item {payload['sku']} does not exist")
        self.docs[payload["id"]] = f"D{len(self.docs) + 1}"
        return ErpDocument("fake", self.docs[payload["id"]])


ERP = _Erp()


def posters(ledger):
    """The --app factory the replay test names: {kind: Poster} with a rebuild."""
    return {
        "order.fake": Poster(
            ledger, ERP, rebuild=lambda kind, sid: {"id": sid, "sku": "SKU-2"}, sleep=lambda s: None
        )
    }


@pytest.fixture
def ledger_file(tmp_path: Path) -> str:
    path = str(tmp_path / "ledger.sqlite")
    ledger = SqliteLedger(path)
    poster = posters(ledger)["order.fake"]
    poster.post("order.fake", "A-1", {"id": "A-1", "sku": "SKU-1"})
    poster.post("order.fake", "A-2", {"id": "A-2", "sku": "SKU-2"})
    ledger.close()
    return path


def test_ledger_status_and_dlq(ledger_file, capsys):
    assert main(["ledger", "status", "--ledger", ledger_file]) == 0
    out = capsys.readouterr().out
    assert "order.fake" in out and "1 posted" in out and "1 dead lettered" in out
    assert main(["ledger", "dlq", "--ledger", ledger_file, "--json"]) == 0
    parked = json.loads(capsys.readouterr().out)
    assert [(r["source_id"], "SKU-2" in r["reason"]) for r in parked] == [("A-2", True)]


def test_ledger_replay_posts_after_the_fix(ledger_file, capsys):
    ERP.known.add("SKU-2")
    try:
        app = f"{__name__}:posters"
        assert main(["ledger", "replay", "--ledger", ledger_file, "--app", app]) == 0
        assert "1 records: 1 created" in capsys.readouterr().out
        assert main(["ledger", "dlq", "--ledger", ledger_file]) == 0
        assert "no dead-lettered records" in capsys.readouterr().out
    finally:
        ERP.known.discard("SKU-2")


@pytest.mark.parametrize(
    ("app", "words"),
    [
        ("nocolon", "expected MODULE:FUNCTION"),
        ("no_such_module_xyz:f", "cannot import"),
        ("json:no_such_function", "has no function"),
    ],
)
def test_ledger_replay_bad_app(ledger_file, capsys, app, words):
    assert main(["ledger", "replay", "--ledger", ledger_file, "--app", app]) == 1
    assert words in capsys.readouterr().err


def test_ledger_commands_need_an_existing_file(tmp_path, capsys):
    assert main(["ledger", "status", "--ledger", str(tmp_path / "none.sqlite")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_progress_is_plain_lines_when_not_a_terminal(capsys):
    import io

    stream = io.StringIO()
    progress = Progress(3, stream)
    progress.step("one")
    progress.finish()
    assert stream.getvalue() == "progress: 1/3 one\n"  # no bar, no carriage return


def test_progress_draws_on_a_terminal():
    import io

    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    progress = Progress(2, stream)
    try:
        progress.step("settlement-to-GL (M3)")
        assert "1/2 settlement-to-GL (M3)" in stream.getvalue()
        logging.getLogger("amazon_erp_bridge.amazon.reports").debug("report 51 is IN_PROGRESS")
        logging.getLogger("amazon_erp_bridge.http").debug("GET /x -> 200")  # not a progress event
        assert "| report 51 is IN_PROGRESS" in stream.getvalue()
        assert "GET /x" not in stream.getvalue()
    finally:
        progress.finish()
    assert not any(
        type(h).__name__ == "_LatestEvent" for h in logging.getLogger("amazon_erp_bridge").handlers
    )


def test_settlement_model_sanity_for_the_fixture():
    s = Settlement(
        "1",
        datetime(2026, 3, 1, tzinfo=UTC),
        datetime(2026, 3, 15, tzinfo=UTC),
        Money.of("5", "USD"),
        lines=(SettlementLine("Order", "ItemPrice", "Principal", Money.of("5", "USD")),),
    )
    assert "Principal" in settlement_text(s)
