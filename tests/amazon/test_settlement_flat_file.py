"""The flat-file settlement layout sellers download, and bad amounts in either layout.

Three REAL Amazon.ca settlement files (``../shared/specs/settlement-samples``, see its
SOURCES.md) in the older ``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE`` layout must parse,
reconcile exactly to their totals and give balanced journals with the default account map;
the third-party V2 sample parses too. Amounts that are not plain decimals are errors naming
line and column, in bounded time.
"""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amazon_erp_bridge.amazon.settlement import (
    FLAT_LAYOUT,
    V2_LAYOUT,
    open_settlement_report,
    parse_amount,
    parse_settlement_report,
    summarize_settlement_report,
)
from amazon_erp_bridge.errors import BridgeError, ValidationError
from amazon_erp_bridge.mapping import settlement_to_journal
from amazon_erp_bridge.mapping.accounts import AMAZON_DEFAULT_ACCOUNTS
from amazon_erp_bridge.model import Money

from .test_settlement import SUMMARY, row, small_file

SAMPLES = Path(__file__).resolve().parents[2] / "../shared/specs/settlement-samples"
REAL = {
    "adwweaver-50011020300.txt": ("23874396421", "-321.69", 3),
    "adwweaver-50018020314.txt": ("23874397121", "-62.31", 15),
    "adwweaver-50065020384.txt": ("24702193891", "10015.64", 958),
}
V2_SAMPLE = SAMPLES / "xieyi138-settlement-sample.txt"

FLAT_HEADER = (SAMPLES / "adwweaver-50018020314.txt").read_text().splitlines()[0]
FLAT_COLUMNS = FLAT_HEADER.split("\t")
FLAT_SUMMARY = "\t".join(
    ["9", "2025-07-31T22:07:18+00:00", "2025-08-14T22:07:18+00:00", "", "{total}", "CAD"]
)


def flat_row(**values: str) -> str:
    cells = dict.fromkeys(FLAT_COLUMNS, "")
    cells["settlement-id"] = "9"
    cells.update({k.replace("_", "-"): v for k, v in values.items()})
    return "\t".join(cells[c] for c in FLAT_COLUMNS)


def flat_file(total: str, *rows: str) -> str:
    return "\n".join([FLAT_HEADER, FLAT_SUMMARY.format(total=total), *rows]) + "\n"


# -- the three real files ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_flat_file_parses_and_reconciles_exactly(name: str) -> None:
    settlement_id, total, lines = REAL[name]
    settlement = parse_settlement_report(SAMPLES / name)
    assert settlement.settlement_id == settlement_id
    assert settlement.total == Money.of(total, "CAD")
    assert settlement.lines_total() == settlement.total
    assert len(settlement.lines) == lines
    assert all(line.posted_date and line.posted_date.tzinfo for line in settlement.lines)
    with open_settlement_report(SAMPLES / name) as reader:
        assert reader.summary.layout == FLAT_LAYOUT
    totals = summarize_settlement_report(SAMPLES / name)
    assert totals.lines == lines and totals.lines_total() == settlement.total


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_flat_file_makes_a_balanced_journal_with_the_default_map(name: str) -> None:
    settlement = parse_settlement_report(SAMPLES / name)
    assert all(AMAZON_DEFAULT_ACCOUNTS.lookup(line.key) for line in settlement.lines)
    entry = settlement_to_journal(settlement, AMAZON_DEFAULT_ACCOUNTS)
    assert entry.debit_total("CAD") == entry.credit_total("CAD")


def test_each_amount_column_of_a_row_is_one_line() -> None:
    settlement = parse_settlement_report(SAMPLES / "adwweaver-50018020314.txt")
    service = [line for line in settlement.lines if line.transaction_type == "ServiceFee"]
    assert [(x.amount_type, x.amount_description, x.amount) for x in service] == [
        ("ItemFees", "Cost of Advertising", Money.of("-1.16", "CAD")),
        ("OtherFees", "TaxAmount", Money.of("-0.14", "CAD")),
    ]
    principal = next(x for x in settlement.lines if x.amount_description == "Principal")
    assert principal.key == ("Order", "ItemPrice", "Principal")
    assert principal.order_id == "702-1101758-6751437"
    assert principal.sku == "SALTT15-ALLT"
    assert principal.quantity_purchased == 1  # from the item's quantity row before it
    shipping_promo = next(x for x in settlement.lines if x.amount_type == "Promotion")
    assert shipping_promo.amount_description == "Shipping"
    charge = next(x for x in settlement.lines if x.transaction_type == "Successful charge")
    assert charge.key == ("Successful charge", "other-transaction", "Successful charge")
    assert charge.amount == Money.of("321.69", "CAD")  # written "321.69    " in the file


def test_reserve_and_reimbursement_rows() -> None:
    big = parse_settlement_report(SAMPLES / "adwweaver-50065020384.txt")
    (reversal,) = [x for x in big.lines if x.transaction_type == "REVERSAL_REIMBURSEMENT"]
    assert reversal.amount == Money.of("42.25", "CAD")
    assert reversal.adjustment_id == "amzn1:crow:xCY/jBgkR4ScugIW1r0IKQ"
    account = AMAZON_DEFAULT_ACCOUNTS.lookup(reversal.key)
    assert account is not None and account.account == "4090"
    sample = parse_settlement_report(V2_SAMPLE)
    reserve = [x for x in sample.lines if "Reserve" in x.amount_description]
    assert {x.amount for x in reserve} == {Money.of("820.44", "USD"), Money.of("-420.00", "USD")}


def test_the_v2_sample_parses_and_reconciles() -> None:
    settlement = parse_settlement_report(V2_SAMPLE)
    assert settlement.settlement_id == "28471003921"
    assert settlement.total == Money.of("582.89", "USD") == settlement.lines_total()
    assert len(settlement.lines) == 23
    with open_settlement_report(V2_SAMPLE) as reader:
        assert reader.summary.layout == V2_LAYOUT
    entry = settlement_to_journal(settlement, AMAZON_DEFAULT_ACCOUNTS)
    assert entry.debit_total("USD") == entry.credit_total("USD")


def test_flat_file_streams_from_chunks_and_tolerates_ragged_rows() -> None:
    ragged = flat_row(
        transaction_type="Order", order_id="1", price_type="Principal", price_amount="3"
    ).rstrip("\t")  # the row stops after its last value, as Amazon's do
    assert ragged.count("\t") < len(FLAT_COLUMNS) - 1
    text = flat_file(
        "-2.00", ragged, flat_row(transaction_type="Subscription Fee", other_amount="-5.00   ")
    )
    chunks = (text[i : i + 7].encode() for i in range(0, len(text), 7))
    settlement = parse_settlement_report(chunks)
    assert [(x.key, x.amount) for x in settlement.lines] == [
        (("Order", "ItemPrice", "Principal"), Money.of("3", "CAD")),
        (("Subscription Fee", "other-transaction", "Subscription Fee"), Money.of("-5", "CAD")),
    ]


def test_flat_file_bad_amount_names_line_and_column() -> None:
    text = flat_file("1", flat_row(transaction_type="Order", price_amount="1,234,5"))
    with pytest.raises(ValidationError, match=r"line 3 price-amount: '1,234,5'"):
        parse_settlement_report(text)
    with pytest.raises(ValidationError, match=r"line 3 price-amount"):
        summarize_settlement_report(text)


def test_unknown_layout_names_both() -> None:
    with pytest.raises(ValidationError, match="flat-file layout"):
        parse_settlement_report("settlement-id\tfoo\n1\t2\n")


# -- #15: bad amounts are errors naming line and column, fast ---------------------------------


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1e999999999", "line 3 amount"),
        ("1,234,5", "line 3 amount: '1,234,5'"),
        ("\u0661\u0662\u0663", "line 3 amount"),  # Arabic-Indic 123
        ("NaN", "line 3 amount"),
        ("9" * 60, "line 3 amount"),
    ],
)
def test_bad_amounts_are_errors_naming_line_and_column(amount: str, words: str) -> None:
    text = small_file(row("Order", "ItemPrice", "Principal", amount))
    for read in (parse_settlement_report, summarize_settlement_report):
        started = time.perf_counter()
        with pytest.raises(ValidationError, match=words):
            read(text)
        assert time.perf_counter() - started < 1


def test_huge_total_amount_is_refused_in_parsing_and_summary() -> None:
    summary = SUMMARY.replace("\t10.50\t", "\t1e999999999\t")
    text = small_file(row("Order", "ItemPrice", "Principal", "10.50"), summary=summary)
    for read in (parse_settlement_report, summarize_settlement_report):
        with pytest.raises(ValidationError, match="line 2 .*total-amount"):
            read(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("32.09    ", "32.09"), ("-1.234,56", "-1234.56"), ("1.234.567", "1234567")],
)
def test_padded_and_grouped_amounts_read_exactly(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300), st.sampled_from(["v2", "flat"]))
def test_any_row_text_gives_lines_or_a_bridge_error_quickly(cells: str, layout: str) -> None:
    if layout == "v2":
        text = small_file("123\t\t\t\t\t\tOrder\t" + cells, summary=SUMMARY)
    else:
        text = flat_file("0", "9\t\t\t\t\t\tOrder\t" + cells)
    started = time.perf_counter()
    try:
        parse_settlement_report(text, check=False)
        summarize_settlement_report(text, check=False)
    except BridgeError:
        pass
    assert time.perf_counter() - started < 2
