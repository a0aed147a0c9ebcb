"""The settlement report V2 flat-file parser: columns by name, both date styles, integrity."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amazon_erp_bridge.amazon.settlement import (
    REQUIRED_COLUMNS,
    iter_settlement_lines,
    open_settlement_report,
    parse_amount,
    parse_settlement_report,
    parse_when,
    summarize_settlement_report,
)
from amazon_erp_bridge.errors import IntegrityError, ValidationError
from amazon_erp_bridge.model import Money, Settlement, SettlementLine
from amazon_erp_bridge.sandbox.amazon.settlement_files import (
    V2_COLUMNS,
    V2_COLUMNS_WITH_PROMOTION,
    generate_settlement,
    settlement_text,
)

SAMPLES = Path(__file__).resolve().parents[2] / "../shared/samples"
SAMPLE = SAMPLES / "settlement_doc_sample.txt"

HEADER = "\t".join(V2_COLUMNS)
SUMMARY = (
    "123\t2026-03-01T08:00:00+00:00\t2026-03-15T08:00:00+00:00\t2026-03-17T08:00:00+00:00"
    "\t10.50\tUSD" + "\t" * 17
)


def row(tx: str, kind: str, desc: str, amount: str, **extra: str) -> str:
    values = dict.fromkeys(V2_COLUMNS, "")
    values.update(
        {
            "settlement-id": "123",
            "transaction-type": tx,
            "amount-type": kind,
            "amount-description": desc,
            "amount": amount,
        }
    )
    values.update({k.replace("_", "-"): v for k, v in extra.items()})
    return "\t".join(values[c] for c in V2_COLUMNS)


def small_file(*rows: str, header: str = HEADER, summary: str = SUMMARY) -> str:
    return "\n".join([header, summary, *rows]) + "\n"


BALANCED = small_file(
    row(
        "Order",
        "ItemPrice",
        "Principal",
        "12.00",
        order_id="111-1",
        sku="MUG",
        quantity_purchased="2",
    ),
    row("Order", "ItemFees", "Commission", "-1.80", order_id="111-1", sku="MUG"),
    row("other-transaction", "other-transaction", "Storage Fee", "0.30"),
)


# -- the shared documentation sample --------------------------------------------------------


def test_shared_sample_does_not_reconcile_and_names_both_figures() -> None:
    if not SAMPLE.exists():
        pytest.skip("shared sample not available")
    with pytest.raises(IntegrityError) as info:
        parse_settlement_report(SAMPLE)
    message = str(info.value)
    assert "18906543210" in message
    assert "-1863.64 GBP" in message and "1847.32 GBP" in message


def test_shared_sample_reads_with_check_off_ragged_rows_and_transfer_row_included() -> None:
    if not SAMPLE.exists():
        pytest.skip("shared sample not available")
    settlement = parse_settlement_report(SAMPLE, check=False)
    assert settlement.total == Money.of("1847.32", "GBP")
    assert len(settlement.lines) == 8
    assert settlement.lines_total() == Money.of("-1863.64", "GBP")
    assert settlement.lines[-1].transaction_type == "Transfer"
    assert settlement.deposit_date == datetime(2026, 3, 17, tzinfo=UTC)


def test_shared_sample_fast_summary_raises_the_same_integrity_error() -> None:
    if not SAMPLE.exists():
        pytest.skip("shared sample not available")
    with pytest.raises(IntegrityError, match=r"-1863\.64 GBP.*1847\.32 GBP"):
        summarize_settlement_report(str(SAMPLE))


# -- reading --------------------------------------------------------------------------------


def test_balanced_file_becomes_a_settlement_with_exact_amounts() -> None:
    settlement = parse_settlement_report(BALANCED)
    assert settlement.settlement_id == "123"
    assert settlement.start == datetime(2026, 3, 1, 8, tzinfo=UTC)
    assert settlement.end == datetime(2026, 3, 15, 8, tzinfo=UTC)
    assert settlement.total == Money.of("10.50", "USD")
    assert [line.amount.amount for line in settlement.lines] == [
        Decimal("12.00"),
        Decimal("-1.80"),
        Decimal("0.30"),
    ]
    first = settlement.lines[0]
    assert first.key == ("Order", "ItemPrice", "Principal")
    assert first.order_id == "111-1" and first.sku == "MUG" and first.quantity_purchased == 2
    assert settlement.lines[2].order_id is None


def test_columns_are_found_by_name_in_any_order_and_unknown_ones_are_kept() -> None:
    original = generate_settlement(orders=3)
    text = settlement_text(original, columns=list(reversed(V2_COLUMNS_WITH_PROMOTION)))
    lines = [f"{line}\tkept-{n}" for n, line in enumerate(text.splitlines())]
    lines[0] = lines[0].replace("kept-0", "seller-note")
    parsed = parse_settlement_report("\n".join(lines))
    assert parsed.total == original.total
    assert [line.amount for line in parsed.lines] == [line.amount for line in original.lines]
    assert parsed.lines[0].extra == {"seller-note": "kept-2"}
    assert parsed.lines[0].promotion_id is None


def test_promotion_id_column_fills_the_field() -> None:
    text = small_file(
        row("Order", "Promotion", "Shipping", "10.50") + "\tPROMO-7",
        header=HEADER + "\tpromotion-id",
    )
    assert parse_settlement_report(text).lines[0].promotion_id == "PROMO-7"


def test_missing_required_columns_are_named() -> None:
    header = "\t".join(c for c in V2_COLUMNS if c not in ("amount-type", "amount"))
    with pytest.raises(ValidationError) as info:
        parse_settlement_report(small_file(header=header))
    assert "missing required column(s) amount-type, amount" in str(info.value)


def test_duplicate_column_is_refused() -> None:
    with pytest.raises(ValidationError, match="'amount' appears twice"):
        parse_settlement_report(small_file(header=HEADER + "\tamount"))


def test_eu_dates_and_decimal_commas_are_accepted() -> None:
    original = generate_settlement(orders=4, currency="EUR", marketplace_name="Amazon.de")
    text = settlement_text(original, date_style="eu", decimal_comma=True)
    assert "UTC" in text and "," in text.splitlines()[2]
    parsed = parse_settlement_report(text)
    assert parsed.total == original.total
    assert parsed.start == original.start and parsed.deposit_date == original.deposit_date
    assert [line.amount for line in parsed.lines] == [line.amount for line in original.lines]
    assert parsed.marketplace_name == "Amazon.de"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01T08:00:00+00:00", datetime(2026, 3, 1, 8, tzinfo=UTC)),
        ("2026-03-01T08:00:00Z", datetime(2026, 3, 1, 8, tzinfo=UTC)),
        ("2026-03-01T09:00:00+01:00", datetime(2026, 3, 1, 8, tzinfo=UTC)),
        ("01.03.2026 08:00:00 UTC", datetime(2026, 3, 1, 8, tzinfo=UTC)),
        ("2026-03-01 08:00:00 UTC", datetime(2026, 3, 1, 8, tzinfo=UTC)),
        ("2026-03-17", datetime(2026, 3, 17, tzinfo=UTC)),
        ("17.03.2026", datetime(2026, 3, 17, tzinfo=UTC)),
    ],
)
def test_every_date_style_becomes_an_aware_utc_datetime(text: str, expected: datetime) -> None:
    assert parse_when(text) == expected


def test_unreadable_date_names_line_and_column() -> None:
    summary = SUMMARY.replace("2026-03-01T08:00:00+00:00", "March 1st", 1)
    with pytest.raises(ValidationError, match=r"line 2 settlement-start-date: 'March 1st'"):
        parse_settlement_report(small_file(summary=summary))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-4.50", "-4.50"),
        ("-4,50", "-4.50"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1,234,567", "1234567"),
        (" 12 ", "12"),
    ],
)
def test_amounts_with_points_or_commas_are_exact(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "NaN", "Infinity", "1.2.3,4,5"])
def test_bad_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_amount(text, "line 9 amount")


def test_bad_amount_names_its_line() -> None:
    text = small_file(row("Order", "ItemPrice", "Principal", "ten"))
    with pytest.raises(ValidationError, match="line 3 amount"):
        parse_settlement_report(text)
    with pytest.raises(ValidationError, match="line 3 amount"):
        summarize_settlement_report(text)


def test_ragged_rows_and_blank_lines_are_tolerated() -> None:
    short = "\t".join(row("Order", "ItemPrice", "Principal", "10.50").split("\t")[:15])
    text = small_file("", short, "   ")
    assert parse_settlement_report(text).lines[0].amount == Money.of("10.50", "USD")
    assert summarize_settlement_report(text).lines == 1


def test_row_longer_than_header_with_values_is_refused() -> None:
    text = small_file(row("Order", "ItemPrice", "Principal", "10.50") + "\tsurprise")
    with pytest.raises(ValidationError, match="line 3: 24 fields but the header names 23"):
        parse_settlement_report(text)


def test_trailing_empty_fields_beyond_the_header_are_ignored() -> None:
    text = small_file(row("Order", "ItemPrice", "Principal", "10.50") + "\t\t")
    assert len(parse_settlement_report(text).lines) == 1


def test_a_line_of_another_settlement_is_refused() -> None:
    other = row("Order", "ItemPrice", "Principal", "10.50").replace("123", "999", 1)
    with pytest.raises(ValidationError, match="line 3: settlement-id 999 differs"):
        parse_settlement_report(small_file(other))
    with pytest.raises(ValidationError, match="line 3: settlement-id 999 differs"):
        summarize_settlement_report(small_file(other))


def test_a_line_in_another_currency_is_refused() -> None:
    values = row("Order", "ItemPrice", "Principal", "10.50").split("\t")
    values[V2_COLUMNS.index("currency")] = "EUR"
    with pytest.raises(ValidationError, match="currency EUR differs from the summary's USD"):
        summarize_settlement_report(small_file("\t".join(values)))


def test_first_data_row_must_be_the_summary() -> None:
    text = small_file(summary=row("Order", "ItemPrice", "Principal", "10.50"))
    with pytest.raises(ValidationError, match="settlement-id and total-amount in the first data"):
        parse_settlement_report(text)


def test_empty_file_and_header_only_file_are_refused() -> None:
    with pytest.raises(ValidationError, match="empty"):
        parse_settlement_report(b"")
    with pytest.raises(ValidationError, match="no summary row"):
        parse_settlement_report(HEADER + "\n")


def test_unreconciled_file_names_both_figures() -> None:
    text = BALANCED.replace("0.30", "0.31")
    with pytest.raises(IntegrityError) as info:
        parse_settlement_report(text)
    assert "10.51 USD" in str(info.value) and "10.50 USD" in str(info.value)
    with pytest.raises(IntegrityError, match=r"10\.51 USD but total-amount is 10\.50 USD"):
        summarize_settlement_report(text)


def test_bad_quantity_names_line_and_column() -> None:
    text = small_file(row("Order", "ItemPrice", "Principal", "10.50", quantity_purchased="two"))
    with pytest.raises(ValidationError, match="line 3 quantity-purchased"):
        parse_settlement_report(text)


# -- every kind of source --------------------------------------------------------------------


def test_sources_path_bytes_text_files_and_chunks_all_read_alike(tmp_path: Path) -> None:
    path = tmp_path / "settlement.txt"
    path.write_text(BALANCED)
    data = BALANCED.encode()
    chunks = [data[i : i + 7] for i in range(0, len(data), 7)]
    sources: list[object] = [
        path,
        str(path),
        data,
        BALANCED,
        io.StringIO(BALANCED),
        io.BytesIO(data),
        iter(chunks),
        [BALANCED[i : i + 5] for i in range(0, len(BALANCED), 5)],
    ]
    totals = {parse_settlement_report(s).lines_total() for s in sources}  # type: ignore[arg-type]
    assert totals == {Money.of("10.50", "USD")}


def test_caller_binary_file_is_left_open(tmp_path: Path) -> None:
    path = tmp_path / "settlement.txt"
    path.write_bytes(BALANCED.encode())
    with path.open("rb") as handle:
        parse_settlement_report(handle)
        assert not handle.closed


def test_windows_line_endings_and_bom_are_handled() -> None:
    data = b"\xef\xbb\xbf" + BALANCED.replace("\n", "\r\n").encode()
    assert parse_settlement_report(data).total == Money.of("10.50", "USD")
    chunks = [data[i : i + 3] for i in range(0, len(data), 3)]
    assert parse_settlement_report(iter(chunks)).total == Money.of("10.50", "USD")


def test_latin1_bytes_are_read_without_mojibake_or_errors() -> None:
    text = BALANCED.replace("Storage Fee", "Geb\u00fchr")
    settlement = parse_settlement_report(text.encode("latin-1"))
    assert settlement.lines[2].amount_description == "Geb\u00fchr"
    assert (
        parse_settlement_report(text.encode("utf-8")).lines[2].amount_description == "Geb\u00fchr"
    )


def test_explicit_encoding_reads_cp932() -> None:
    text = BALANCED.replace("Storage Fee", "\u4fdd\u7ba1\u6599")
    settlement = parse_settlement_report(text.encode("cp932"), encoding="cp932")
    assert settlement.lines[2].amount_description == "\u4fdd\u7ba1\u6599"


def test_missing_file_is_a_validation_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="cannot open"):
        parse_settlement_report(tmp_path / "nope.txt")


# -- streaming forms -------------------------------------------------------------------------


def test_reader_gives_the_summary_first_then_lines_one_at_a_time() -> None:
    with open_settlement_report(BALANCED) as reader:
        assert reader.summary.settlement_id == "123"
        assert reader.summary.total == Money.of("10.50", "USD")
        assert "promotion-id" not in reader.summary.columns
        first = next(iter(reader))
        assert isinstance(first, SettlementLine)


def test_reader_is_single_pass() -> None:
    with open_settlement_report(BALANCED) as reader:
        list(reader)
        with pytest.raises(ValidationError, match="one pass"):
            list(reader)


def test_iter_settlement_lines_checks_integrity_at_the_end() -> None:
    lines = iter_settlement_lines(BALANCED.replace("0.30", "0.29"))
    assert next(lines).amount == Money.of("12.00", "USD")
    with pytest.raises(IntegrityError):
        list(lines)


def test_summary_totals_by_key_match_the_full_parse() -> None:
    original = generate_settlement(orders=30)
    text = settlement_text(original)
    totals = summarize_settlement_report(text)
    expected: dict[tuple[str, str, str], Money] = {}
    for line in original.lines:
        expected[line.key] = expected.get(line.key, Money.zero("USD")) + line.amount
    assert dict(totals.amounts) == expected
    assert totals.lines == len(original.lines)
    assert totals.lines_total() == original.total


def test_fast_summary_survives_odd_rows_across_batches() -> None:
    rows = [row("Order", "ItemPrice", "Principal", "1.00") for _ in range(9000)]
    rows[8500] = row("Order", "ItemPrice", "Principal", "1,00")
    rows.insert(100, "")
    summary = SUMMARY.replace("\t10.50\t", "\t9000.00\t")
    totals = summarize_settlement_report(small_file(*rows, summary=summary))
    assert totals.amounts == {("Order", "ItemPrice", "Principal"): Money.of("9000.00", "USD")}
    assert totals.counts == {("Order", "ItemPrice", "Principal"): 9000}


def test_fast_summary_error_in_a_later_batch_names_the_right_line() -> None:
    rows = [row("Order", "ItemPrice", "Principal", "1.00") for _ in range(9000)]
    rows[8999] = row("Order", "ItemPrice", "Principal", "x")
    with pytest.raises(ValidationError, match="line 9002 amount"):
        summarize_settlement_report(small_file(*rows))


# -- round trip -------------------------------------------------------------------------------

_amounts = st.decimals(
    min_value=Decimal("-99999.99"), max_value=Decimal("99999.99"), places=2, allow_nan=False
)
_kinds = st.sampled_from(
    [
        ("Order", "ItemPrice", "Principal"),
        ("Order", "ItemFees", "Commission"),
        ("Refund", "ItemPrice", "Principal"),
        ("other-transaction", "other-transaction", "Storage Fee"),
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    entries=st.lists(st.tuples(_kinds, _amounts), max_size=30),
    style=st.sampled_from(["iso", "eu"]),
    comma=st.booleans(),
    currency=st.sampled_from(["USD", "EUR", "GBP"]),
)
def test_parse_of_rendered_settlement_round_trips_amounts_exactly(
    entries: list[tuple[tuple[str, str, str], Decimal]], style: str, comma: bool, currency: str
) -> None:
    start = datetime(2026, 3, 1, 8, tzinfo=UTC)
    lines = tuple(
        SettlementLine(
            *key,
            amount=Money(amount, currency),
            posted_date=start + timedelta(hours=n),
            sku=f"SKU-{n}",
            quantity_purchased=n % 3,
        )
        for n, (key, amount) in enumerate(entries)
    )
    original = Settlement(
        settlement_id="42",
        start=start,
        end=start + timedelta(days=14),
        total=Money.total((line.amount for line in lines), currency),
        deposit_date=start + timedelta(days=16),
        lines=lines,
    )
    text = settlement_text(original, date_style=style, decimal_comma=comma)  # type: ignore[arg-type]
    parsed = parse_settlement_report(text)
    assert parsed.total == original.total
    assert [line.amount for line in parsed.lines] == [line.amount for line in lines]
    assert [line.posted_date for line in parsed.lines] == [line.posted_date for line in lines]
    assert summarize_settlement_report(text).lines_total() == original.total


def test_required_columns_are_the_documented_names() -> None:
    assert set(REQUIRED_COLUMNS) <= set(V2_COLUMNS)
