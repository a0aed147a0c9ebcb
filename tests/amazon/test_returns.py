"""Returns reports: both published layouts, streamed, bad rows named; the sandbox end to end."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx2
import pytest

from amazon_erp_bridge.amazon import reports
from amazon_erp_bridge.amazon import returns as rr
from amazon_erp_bridge.amazon.reports import create_report
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import Money, Return

from .model_check import check_call
from .spapi_env import MARKETS, SEEDED_FROM, Env

FBA_HEADER = "\t".join(rr.FBA_COLUMNS)
MERCHANT_HEADER = "\t".join(rr.MERCHANT_COLUMNS)
FBA_ROW = (
    "2026-03-05T10:15:00+00:00\t111-1234567-1234567\tSKU-MUG-01\tB0SANDBX01\tX00SANDB01\t"
    "Enamel camping mug\t1\tPHX3\tCUSTOMER_DAMAGED\tDEFECTIVE\tUnit returned to inventory\t"
    "LPNRR123456789\tHandle broke"
)


def _merchant_row(**cells: str) -> str:
    values = dict.fromkeys(rr.MERCHANT_COLUMNS, "")
    values.update(
        {
            "Order ID": "113-7654321-7654321",
            "Order date": "2026-03-01T09:00:00Z",
            "Return request date": "2026-03-06",
            "Return request status": "Approved",
            "Amazon RMA ID": "DSBX0000001",
            "Currency code": "USD",
            "ASIN": "B0SANDBX02",
            "Merchant SKU": "SKU-LAMP-02",
            "Return quantity": "2",
            "Return Reason": "CR-DEFECTIVE",
            "Resolution": "StandardRefund",
            "Refunded Amount": "69.00",
        }
    )
    values.update(cells)
    return "\t".join(values[c] for c in rr.MERCHANT_COLUMNS)


def test_fba_customer_returns_row_becomes_a_return() -> None:
    (ret,) = rr.parse_returns_report(f"{FBA_HEADER}\n{FBA_ROW}\n")
    assert ret == Return(
        return_id="LPNRR123456789",
        order_id="111-1234567-1234567",
        seller_sku="SKU-MUG-01",
        quantity=1,
        returned_at=datetime(2026, 3, 5, 10, 15, tzinfo=UTC),
        reason="DEFECTIVE",
        disposition="CUSTOMER_DAMAGED",
        fulfillment_center_id="PHX3",
        asin="B0SANDBX01",
        fnsku="X00SANDB01",
        status="Unit returned to inventory",
        license_plate_number="LPNRR123456789",
        customer_comments="Handle broke",
    )


def test_merchant_returns_row_becomes_a_return_keyed_by_rma_and_sku() -> None:
    (ret,) = rr.parse_returns_report(f"{MERCHANT_HEADER}\n{_merchant_row()}\n")
    assert ret.return_id == "DSBX0000001/SKU-LAMP-02"
    assert ret.order_id == "113-7654321-7654321" and ret.quantity == 2
    assert ret.returned_at == datetime(2026, 3, 6, tzinfo=UTC)
    assert ret.refund_amount == Money.of("69.00", "USD")
    assert ret.disposition == "StandardRefund" and not ret.fulfilled_by_amazon


def test_columns_are_read_by_name_in_any_order_and_spelling() -> None:
    columns = list(reversed(rr.FBA_COLUMNS))
    row = list(reversed(FBA_ROW.split("\t")))
    header = "\t".join(c.replace("-", "_").upper() for c in columns)
    (ret,) = rr.parse_returns_report(f"{header}\n" + "\t".join(row) + "\n")
    assert ret.license_plate_number == "LPNRR123456789"


def test_parsing_streams_across_chunk_boundaries() -> None:
    text = FBA_HEADER + "\r\n" + "\r\n".join([FBA_ROW] * 50) + "\r\n"
    chunks = (text[i : i + 7] for i in range(0, len(text), 7))
    returns = rr.iter_returns(chunks, report_type=rr.FBA_RETURNS_REPORT_TYPE)
    assert next(returns).order_id == "111-1234567-1234567"
    assert sum(1 for _ in returns) == 49


@pytest.mark.parametrize(
    ("row", "line_words"),
    [
        (FBA_ROW.replace("\t1\tPHX3", "\tone\tPHX3"), "line 2, column quantity"),
        (FBA_ROW.replace("2026-03-05T10:15:00+00:00", "05/03/2026"), "line 2, column return-date"),
        (FBA_ROW.replace("111-1234567-1234567", ""), "line 2, column order-id"),
    ],
)
def test_a_bad_row_names_its_line_and_column(row: str, line_words: str) -> None:
    with pytest.raises(rr.ReturnsReportError, match=line_words):
        rr.parse_returns_report(f"{FBA_HEADER}\n{row}\n")


def test_bad_rows_can_be_collected_instead() -> None:
    bad = FBA_ROW.replace("\t1\tPHX3", "\t-1\tPHX3")
    errors: list[rr.ReturnRowError] = []
    good = rr.parse_returns_report(f"{FBA_HEADER}\n{bad}\n{FBA_ROW}\n", errors=errors)
    assert len(good) == 1
    assert errors == [rr.ReturnRowError(2, "quantity", "'-1' is not a whole number")]


def test_merchant_refund_amount_must_be_plain_decimal() -> None:
    text = f"{MERCHANT_HEADER}\n{_merchant_row(**{'Refunded Amount': '1,234,5'})}\n"
    with pytest.raises(rr.ReturnsReportError, match="line 2, column Refunded Amount"):
        rr.parse_returns_report(text)


def test_header_problems_are_named() -> None:
    with pytest.raises(rr.ReturnsReportError, match="line 1.*neither"):
        rr.parse_returns_report("sku\tqty\nA\t1\n")
    with pytest.raises(rr.ReturnsReportError, match="lacks the column.*quantity"):
        rr.parse_returns_report(FBA_HEADER.replace("\tquantity", "") + "\n")
    with pytest.raises(rr.ReturnsReportError, match="not GET_FLAT_FILE"):
        rr.parse_returns_report(f"{FBA_HEADER}\n", report_type=rr.MERCHANT_RETURNS_REPORT_TYPE)
    with pytest.raises(rr.ReturnsReportError, match="empty"):
        rr.parse_returns_report("")
    with pytest.raises(ValidationError, match="report_type"):
        rr.parse_returns_report(f"{FBA_HEADER}\n", report_type="GET_SOMETHING")


def test_create_report_for_returns_is_the_models() -> None:
    call = create_report(
        rr.FBA_RETURNS_REPORT_TYPE,
        ["ATVPDKIKX0DER"],
        data_start_time=SEEDED_FROM,
        data_end_time=datetime(2026, 4, 1, tzinfo=UTC),
    )
    check_call(call, "reports-api-model/reports_2021-06-30.json", "createReport")


@pytest.mark.parametrize("report_type", rr.RETURNS_REPORT_TYPES)
def test_list_returns_reads_the_sandbox_returns_of_a_window(report_type: str) -> None:
    env = Env()
    fba = report_type == rr.FBA_RETURNS_REPORT_TYPE
    expected = [r for r in env.fake.state.returns if r.fulfilled_by_amazon == fba]
    assert expected
    end = datetime(2026, 4, 10, tzinfo=UTC)
    with env.client() as client:
        got = list(
            client.reports.list_returns(
                MARKETS, data_start_time=SEEDED_FROM, data_end_time=end, report_type=report_type
            )
        )
        late = list(
            client.reports.list_returns(
                MARKETS,
                data_start_time=datetime(2026, 4, 5, tzinfo=UTC),
                data_end_time=end,
                report_type=report_type,
            )
        )
    assert got == expected
    assert late == []


def test_async_list_returns_gives_the_same_returns() -> None:
    env = Env()
    end = datetime(2026, 4, 10, tzinfo=UTC)

    async def run() -> list[Return]:
        async with env.async_client() as client:
            return [
                r
                async for r in client.reports.list_returns(
                    MARKETS, data_start_time=SEEDED_FROM, data_end_time=end
                )
            ]

    with env.client() as client:
        sync = list(
            client.reports.list_returns(MARKETS, data_start_time=SEEDED_FROM, data_end_time=end)
        )
    assert asyncio.run(run()) == sync and sync


def test_list_returns_refuses_a_bad_window_before_any_request() -> None:
    env = Env()
    with env.client() as client, pytest.raises(ValidationError, match="after data_start_time"):
        client.reports.list_returns(MARKETS, data_start_time=SEEDED_FROM, data_end_time=SEEDED_FROM)
    assert not env.fake.requests_to("/reports/")


def test_report_answers_missing_required_fields_name_them() -> None:
    with pytest.raises(ValidationError, match="report 55.*reportType"):
        reports.get_report("55").parse(
            httpx2.Response(200, json={"reportId": "55", "processingStatus": "DONE"})
        )
    with pytest.raises(ValidationError, match="processingStatus: 'LOST'"):
        reports.get_report("55").parse(
            httpx2.Response(
                200, json={"reportId": "55", "reportType": "X", "processingStatus": "LOST"}
            )
        )
    with pytest.raises(ValidationError, match="getReportDocument.*url"):
        reports.get_report_document("D1").parse(
            httpx2.Response(200, json={"reportDocumentId": "D1"})
        )
    with pytest.raises(ValidationError, match="getReports.*reports"):
        reports.get_reports(report_types=["X"]).parse(httpx2.Response(200, json={}))


def test_a_return_added_to_the_sandbox_is_reported_even_for_an_unknown_order() -> None:
    env = Env()
    ret = Return(
        return_id="LPNUNKNOWN01",
        order_id="111-0000000-0000000",
        seller_sku="SKU-MUG-01",
        quantity=1,
        returned_at=datetime(2026, 3, 20, 12, tzinfo=UTC),
        license_plate_number="LPNUNKNOWN01",
    )
    env.fake.add_return(ret)
    with env.client() as client:
        got = list(
            client.reports.list_returns(
                ["ATVPDKIKX0DER"],
                data_start_time=datetime(2026, 3, 19, tzinfo=UTC),
                data_end_time=datetime(2026, 3, 21, tzinfo=UTC),
            )
        )
    assert ret in got


def test_memory_stays_flat_as_the_report_grows() -> None:
    import tracemalloc

    def report(rows: int) -> Iterator[str]:
        yield FBA_HEADER + "\n"
        for n in range(rows):
            yield FBA_ROW.replace("LPNRR123456789", f"LPN{n:011d}") + "\n"

    def peak(rows: int) -> int:
        tracemalloc.start()
        count = sum(1 for _ in rr.iter_returns(report(rows)))
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert count == rows
        return top

    small, large = peak(500), peak(5_000)
    assert large < small * 2 + 64_000  # 10x the rows, not 10x the memory
