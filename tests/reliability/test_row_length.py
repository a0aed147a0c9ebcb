"""A flat-file row longer than limits.MAX_ROW_CHARS is refused by line, before it is parsed;
a stream without line breaks is refused before it fills memory."""

from pathlib import Path

import pytest

from amazon_erp_bridge.amazon.order_reports import _ORDER_REQUIRED, iter_report_orders
from amazon_erp_bridge.amazon.returns import iter_returns
from amazon_erp_bridge.amazon.settlement import parse_settlement_report
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.limits import MAX_ROW_CHARS

SAMPLE = Path(__file__).resolve().parents[2] / ".." / "shared" / "specs" / "settlement-samples"
HUGE = "x" * (MAX_ROW_CHARS + 1)
FBA_HEADER = (
    "return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\tfulfillment-center-id"
    "\tdetailed-disposition\treason\tstatus\tlicense-plate-number\tcustomer-comments"
)


def chunks(text: str) -> list[str]:
    return [text[i : i + 65536] for i in range(0, len(text), 65536)]


def settlement_head() -> str:
    lines = (SAMPLE / "xieyi138-settlement-sample.txt").read_text(encoding="utf-8").splitlines()
    return "\n".join(lines[:2]) + "\n"


@pytest.mark.parametrize("as_chunks", [False, True])
def test_a_settlement_row_too_long_is_refused_by_line(as_chunks):
    text = settlement_head() + HUGE + "\n"
    with pytest.raises(ValidationError, match=r"settlement report line \d+: longer than"):
        parse_settlement_report(chunks(text) if as_chunks else text, check=False)


def test_a_settlement_stream_without_line_breaks_is_refused_before_it_fills_memory():
    stream = iter([settlement_head(), *chunks(HUGE * 3)])
    with pytest.raises(ValidationError, match="settlement report line 3: longer than"):
        parse_settlement_report(stream, check=False)


@pytest.mark.parametrize("tail", ["\n", ""])
def test_a_returns_row_too_long_is_refused_by_line(tail):
    with pytest.raises(ValidationError, match="report line 2: longer than"):
        list(iter_returns(chunks(FBA_HEADER + "\n" + HUGE + tail)))


def test_an_order_report_row_too_long_is_refused_by_line():
    header = "\t".join(_ORDER_REQUIRED)
    with pytest.raises(ValidationError, match="report line 2: longer than"):
        list(iter_report_orders(chunks(header + "\n" + HUGE + "\n")))
