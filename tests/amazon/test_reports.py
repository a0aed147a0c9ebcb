"""Reports 2021-06-30: call building, recorded shapes, waiting rules, and the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx2
import pytest

from amazon_erp_bridge.amazon import reports as ops
from amazon_erp_bridge.amazon.documents import DocumentError, download_call
from amazon_erp_bridge.amazon.processing import ProcessingStatus
from amazon_erp_bridge.amazon.reports import (
    SETTLEMENT_REPORT_TYPE,
    ReportFailedError,
    ReportTimeoutError,
    report_wait,
)
from amazon_erp_bridge.errors import ApiError, IntegrityError, ValidationError
from amazon_erp_bridge.model import Money
from amazon_erp_bridge.sandbox.amazon.settlement_files import generate_settlement
from amazon_erp_bridge.sandbox.server import LocalServer

from .spapi_env import NOW, Env

RECORDED = Path(__file__).parent / "recorded"
JAPAN = "A1VC38T7YXB528"
US = "ATVPDKIKX0DER"


def recorded(name: str) -> httpx2.Response:
    return httpx2.Response(200, content=(RECORDED / name).read_bytes())


# -- building calls ------------------------------------------------------------------------


def test_create_report_sends_the_documented_body() -> None:
    call = ops.create_report(
        "GET_MERCHANT_LISTINGS_ALL_DATA",
        [US],
        data_start_time=datetime(2026, 3, 1, tzinfo=UTC),
        report_options={"custom": "true"},
    )
    assert (call.method, call.path, call.limit_key) == (
        "POST",
        "/reports/2021-06-30/reports",
        "reports.createReport",
    )
    assert call.json == {
        "reportType": "GET_MERCHANT_LISTINGS_ALL_DATA",
        "marketplaceIds": [US],
        "dataStartTime": "2026-03-01T00:00:00Z",
        "reportOptions": {"custom": "true"},
    }
    assert call.parse(httpx2.Response(202, json={"reportId": "123"})) == "123"


def test_settlement_reports_cannot_be_requested() -> None:
    with pytest.raises(ValidationError, match="cannot be requested"):
        ops.create_report(SETTLEMENT_REPORT_TYPE, [US])


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValidationError, match="data_end_time.*no time zone"):
        ops.create_report("X", [US], data_end_time=datetime(2026, 3, 1))


def test_get_reports_first_page_sends_filters_and_later_pages_only_the_token() -> None:
    call = ops.get_reports(
        report_types=[SETTLEMENT_REPORT_TYPE],
        processing_statuses=["DONE"],
        marketplace_ids=[US],
        page_size=100,
        created_since=datetime(2026, 3, 1, tzinfo=UTC),
    )
    assert call.params == {
        "reportTypes": SETTLEMENT_REPORT_TYPE,
        "processingStatuses": "DONE",
        "marketplaceIds": US,
        "pageSize": "100",
        "createdSince": "2026-03-01T00:00:00Z",
    }
    assert ops.get_reports("tok", report_types=["X"]).params == {"nextToken": "tok"}


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({}, "report_types"),
        ({"report_types": ["X"], "page_size": 101}, "page_size"),
        ({"report_types": ["X"] * 11}, "at most 10"),
        ({"report_types": ["X"], "processing_statuses": ["LOST"]}, "LOST"),
    ],
)
def test_get_reports_refuses_bad_filters(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        ops.get_reports(**kwargs)  # type: ignore[arg-type]


def test_ids_go_into_paths_and_slashes_are_refused() -> None:
    assert ops.get_report("123").path == "/reports/2021-06-30/reports/123"
    assert ops.cancel_report("123").method == "DELETE"
    assert ops.get_report_document("d-1").path == "/reports/2021-06-30/documents/d-1"
    with pytest.raises(ValidationError, match="getReport report_id"):
        ops.get_report("../x/y")


# -- recorded shapes -----------------------------------------------------------------------


def test_get_reports_page_parses_recorded_shape() -> None:
    page = ops.get_reports(report_types=["X"]).parse(recorded("reports_getReports.json"))
    assert page.next_token == "Zm9yIHRoZSBuZXh0IHBhZ2U="
    done, queued = page.items
    assert done.processing_status is ProcessingStatus.DONE
    assert done.created_time == datetime(2026, 3, 16, 11, 2, 45, 123000, tzinfo=UTC)
    assert done.marketplace_ids == (US,)
    assert done.report_document_id and done.report_document_id.startswith("amzn1.spdoc")
    assert queued.report_document_id is None and queued.data_start_time is None


def test_report_document_parses_and_hides_its_url_from_repr() -> None:
    doc = ops.get_report_document("x").parse(recorded("reports_getReportDocument.json"))
    assert doc.compression_algorithm == "GZIP"
    assert "X-Amz-Signature=abcdef0123456789" in doc.url
    assert "X-Amz-Signature" not in repr(doc)


# -- waiting rules --------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_wait_rules_sleep_until_done() -> None:
    clock = Clock()
    rules = report_wait("r1", timeout=60, interval=15, clock=clock)
    assert rules.next_delay(ProcessingStatus.IN_QUEUE) == 15
    clock.now = 50
    assert rules.next_delay(ProcessingStatus.IN_PROGRESS) == 10  # capped by the time left
    assert rules.next_delay(ProcessingStatus.DONE) is None


def test_fatal_report_raises_with_its_error_document() -> None:
    report = ops.get_report("x").parse(recorded("reports_getReport_fatal.json"))
    rules = report_wait(report.report_id)
    with pytest.raises(ReportFailedError) as info:
        rules.next_delay(report.processing_status, report.report_type, report.report_document_id)
    assert "report 61014019809" in str(info.value) and "FATAL" in str(info.value)
    assert info.value.document_id == "amzn1.spdoc.1.4.eu.0b1c-fatal-details"
    assert info.value.processing_status == "FATAL"


def test_cancelled_report_says_so() -> None:
    with pytest.raises(ReportFailedError, match="was cancelled"):
        report_wait("r2").next_delay(ProcessingStatus.CANCELLED)


def test_wait_timeout_names_report_and_last_status() -> None:
    clock = Clock()
    rules = report_wait("r3", timeout=30, interval=10, clock=clock)
    clock.now = 31
    with pytest.raises(ReportTimeoutError) as info:
        rules.next_delay(ProcessingStatus.IN_PROGRESS, "GET_X")
    assert "report r3 (GET_X) is still IN_PROGRESS after 30s" in str(info.value)
    assert info.value.resource_id == "r3"


def test_wait_refuses_a_negative_timeout() -> None:
    with pytest.raises(ValidationError, match="timeout"):
        report_wait("r", timeout=-1)


# -- against the sandbox --------------------------------------------------------------------


def test_requested_report_goes_through_its_lifecycle_and_downloads_gzip() -> None:
    env = Env()
    with env.client() as client:
        report_id = client.reports.create_report("GET_MERCHANT_LISTINGS_ALL_DATA", [US])
        assert client.reports.get_report(report_id).processing_status in (
            ProcessingStatus.IN_QUEUE,
            ProcessingStatus.IN_PROGRESS,
        )
        report = client.reports.wait(report_id, poll_interval=5)
        assert report.processing_status is ProcessingStatus.DONE
        assert report.report_document_id
        document = client.reports.get_report_document(report.report_document_id)
        assert document.compression_algorithm == "GZIP"
        raw = b"".join(client.reports.download(report.report_document_id))
    assert raw.startswith(b"sku\tasin\titem-name\tquantity\n")
    assert b"SKU-MUG-01" in raw
    downloads = env.fake.requests_to(r"^/_sandbox/documents/")
    assert downloads and "x-amz-access-token" not in downloads[-1].headers
    assert downloads[-1].query["X-Amz-Signature"]  # the pre-signed query arrived intact


def test_plain_document_marked_gzip_is_read_as_plain() -> None:
    env = Env()
    env.fake.reports.plain_but_marked_gzip = True
    with env.client() as client:
        report = client.reports.wait(client.reports.create_report("GET_X", [US]))
        assert report.report_document_id
        doc = client.reports.get_report_document(report.report_document_id)
        assert doc.compression_algorithm == "GZIP"
        text = "".join(client.reports.download_text(report.report_document_id))
    assert text.startswith("sku\tasin")


def test_truncated_document_download_raises_document_error() -> None:
    env = Env()
    env.fake.reports.truncate_documents = True
    with env.client() as client:
        report = client.reports.wait(client.reports.create_report("GET_X", [US]))
        assert report.report_document_id
        with pytest.raises(DocumentError, match="truncated"):
            b"".join(client.reports.download(report.report_document_id))


def test_japanese_report_is_decoded_by_its_charset_or_by_marketplace() -> None:
    env = Env()
    with env.client() as client:
        report = client.reports.wait(client.reports.create_report("GET_X", [JAPAN]))
        assert report.report_document_id
        text = "".join(client.reports.download_text(report.report_document_id))
        assert "サンドボックス" in text
        env.fake.reports.omit_charset = True
        report = client.reports.wait(client.reports.create_report("GET_X", [JAPAN]))
        assert report.report_document_id
        wrong = "".join(client.reports.download_text(report.report_document_id))
        right = "".join(
            client.reports.download_text(report.report_document_id, marketplace_id=JAPAN)
        )
    assert "サンドボックス" not in wrong  # read as ISO-8859-1 without a hint
    assert "サンドボックス" in right


def test_fatal_report_raises_report_failed_error() -> None:
    env = Env()
    env.fake.reports.fail_next = "FATAL"
    with env.client() as client:
        report_id = client.reports.create_report("GET_X", [US])
        with pytest.raises(ReportFailedError) as info:
            client.reports.wait(report_id)
    assert info.value.resource_id == report_id and info.value.document_id


def test_slow_report_times_out_naming_id_and_status() -> None:
    env = Env()
    env.fake.reports.polls_per_step = 1000
    with env.client() as client:
        report_id = client.reports.create_report("GET_X", [US])
        with pytest.raises(ReportTimeoutError) as info:
            client.reports.wait(report_id, timeout=60, poll_interval=20)
    assert report_id in str(info.value) and "IN_QUEUE" in str(info.value)
    assert env.clock.slept >= 60


def test_cancel_report_while_queued_then_not_after() -> None:
    env = Env()
    env.fake.reports.polls_per_step = 1000
    with env.client() as client:
        report_id = client.reports.create_report("GET_X", [US])
        client.reports.cancel_report(report_id)
        assert client.reports.get_report(report_id).processing_status is ProcessingStatus.CANCELLED
        with pytest.raises(ApiError) as info:
            client.reports.cancel_report(report_id)
    assert info.value.status == 400 and info.value.code == "InvalidInput"


def test_settlement_reports_are_listed_and_reconcile() -> None:
    env = Env()
    with env.client() as client:
        reports = list(client.reports.settlement_reports())
        assert len(reports) >= 4
        assert {r.report_type for r in reports} == {SETTLEMENT_REPORT_TYPE}
        assert all(r.processing_status is ProcessingStatus.DONE for r in reports)
        assert [r.created_time for r in reports] == sorted(
            (r.created_time for r in reports), reverse=True
        )
        first = reports[0]
        assert first.report_document_id
        settlement = client.reports.download_settlement(first.report_document_id)
    assert settlement.lines_total() == settlement.total
    assert settlement.start == first.data_start_time
    order_ids = {line.order_id for line in settlement.lines if line.order_id}
    assert order_ids <= set(env.fake.state.orders)


def test_get_reports_pages_through_every_match() -> None:
    env = Env()
    with env.client() as client:
        for _ in range(5):
            client.reports.create_report("GET_X", [US])
        found = list(client.reports.get_reports(report_types=["GET_X"], page_size=2))
    assert len(found) == 5
    assert len(env.paths(r"/reports/2021-06-30/reports$")) >= 3 + 5


def test_unreconciled_settlement_from_the_fake_raises_integrity_error() -> None:
    env = Env()
    broken = generate_settlement(settlement_id="77700000001", orders=3)
    broken = type(broken)(
        settlement_id=broken.settlement_id,
        start=broken.start,
        end=broken.end,
        total=broken.total + Money.of("0.01", "USD"),
        deposit_date=broken.deposit_date,
        lines=broken.lines,
    )
    report = env.fake.reports.add_settlement(broken, date_style="eu", decimal_comma=True)
    with env.client() as client:
        assert report.document_id
        with pytest.raises(IntegrityError, match="77700000001 does not reconcile"):
            client.reports.download_settlement(report.document_id)


def test_expired_presigned_url_is_refused_by_the_store() -> None:
    env = Env()
    with env.client() as client:
        report = next(iter(client.reports.settlement_reports()))
        assert report.report_document_id
        document = client.reports.get_report_document(report.report_document_id)
        env.clock.advance(301)
        call, _ = download_call(document.url)
        with pytest.raises(ApiError) as info:
            b"".join(client.sender.iter_bytes(call))
    assert info.value.status == 403 and "expired" in str(info.value)


def test_fake_refuses_next_token_with_other_parameters() -> None:
    env = Env()
    with env.client() as client:
        call = ops.get_reports(report_types=["GET_X"])
        bad = type(call)(
            "GET", call.path, parse=call.parse, params={"nextToken": "t", "reportTypes": "X"}
        )
        with pytest.raises(ApiError, match="nextToken with any other parameters"):
            client.sender.send(bad)


async def test_async_client_requests_waits_and_downloads() -> None:
    env = Env()
    async with env.async_client() as client:
        report_id = await client.reports.create_report("GET_X", [US])
        report = await client.reports.wait(report_id)
        assert report.report_document_id
        chunks = [c async for c in client.reports.download(report.report_document_id)]
        settlements = [r async for r in client.reports.settlement_reports()]
        assert settlements[0].report_document_id
        settlement = await client.reports.download_settlement(settlements[0].report_document_id)
    assert b"".join(chunks).startswith(b"sku\t")
    assert settlement.lines_total() == settlement.total


async def test_async_wait_raises_for_fatal_report() -> None:
    env = Env()
    env.fake.reports.fail_next = "CANCELLED"
    async with env.async_client() as client:
        report_id = await client.reports.create_report("GET_X", [US])
        with pytest.raises(ReportFailedError, match="cancelled"):
            await client.reports.wait(report_id)


def test_settlement_download_over_real_http() -> None:
    env = Env()
    with LocalServer(env.fake.router) as server, env.client(endpoint=server.url) as client:
        report = next(iter(client.reports.settlement_reports()))
        assert report.report_document_id
        settlement = client.reports.download_settlement(report.report_document_id)
        text = "".join(client.reports.download_text(report.report_document_id))
    assert settlement.lines_total() == settlement.total
    assert isinstance(text, str) and text.startswith("settlement-id\t")
    assert settlement.end < NOW
