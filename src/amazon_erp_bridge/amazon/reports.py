"""Reports API 2021-06-30: request, poll, list and download reports; settlement reports.

Each operation is a pure call builder with its parse; :class:`ReportsApi` and
:class:`AsyncReportsApi` send them. A report goes IN_QUEUE -> IN_PROGRESS -> DONE (or CANCELLED
/ FATAL); :meth:`ReportsApi.wait` polls with a bounded wait. Downloads stream: the pre-signed
document is gunzipped when its first bytes say gzip, and decoded incrementally.

Settlement reports (``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2``) cannot be requested: Amazon
generates them at the end of each settlement period. List them with
:meth:`ReportsApi.settlement_reports` and read one with :meth:`ReportsApi.download_settlement`.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterator,
    Mapping,
    Sequence,
)
from datetime import datetime
from typing import Any, Final

import httpx2
from attrs import field, frozen

from amazon_erp_bridge.amazon import documents
from amazon_erp_bridge.amazon.processing import (
    DEFAULT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
    ProcessingFailedError,
    ProcessingStatus,
    ProcessingTimeoutError,
    ProcessingWait,
    checked_id,
    string_tuple,
)
from amazon_erp_bridge.amazon.returns import (
    FBA_RETURNS_REPORT_TYPE,
    RETURNS_REPORT_TYPES,
    ReturnRowError,
    iter_returns,
)
from amazon_erp_bridge.amazon.settlement import parse_settlement_report
from amazon_erp_bridge.amazon.timestamps import from_wire, from_wire_required, to_wire
from amazon_erp_bridge.core.call import Call, Page
from amazon_erp_bridge.core.redaction import get_logger
from amazon_erp_bridge.core.sender import AsyncSender, SyncSender, json_body
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import Return, Settlement

log = get_logger("amazon_erp_bridge.amazon.reports")

BASE: Final = "/reports/2021-06-30"
SETTLEMENT_REPORT_TYPE: Final = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"


@frozen
class Report:
    """A report request and its state; ``report_document_id`` is set once it is DONE."""

    report_id: str
    report_type: str
    processing_status: ProcessingStatus = field(converter=ProcessingStatus)
    created_time: datetime
    marketplace_ids: tuple[str, ...] = field(default=(), converter=string_tuple)
    data_start_time: datetime | None = None
    data_end_time: datetime | None = None
    report_schedule_id: str | None = None
    processing_start_time: datetime | None = None
    processing_end_time: datetime | None = None
    report_document_id: str | None = None


@frozen
class ReportDocument:
    """Where to download a report: a pre-signed URL valid for five minutes."""

    report_document_id: str
    url: str = field(repr=False)  # the signature in it is a bearer credential
    compression_algorithm: str | None = None


class ReportFailedError(ProcessingFailedError):
    """Amazon ended the report FATAL or CANCELLED (``document_id``: its error document)."""


class ReportTimeoutError(ProcessingTimeoutError):
    """The report was still not DONE when the wait ran out."""


def _required(data: Any, name: str, what: str) -> Any:
    """A field the model marks required: missing is a ValidationError naming it (not KeyError)."""
    value = data.get(name) if isinstance(data, Mapping) else None
    if value is None or value == "":
        raise ValidationError(f"{what}: required field {name} is missing")
    return value


def _status(value: Any, what: str) -> ProcessingStatus:
    try:
        return ProcessingStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in ProcessingStatus)
        raise ValidationError(
            f"{what} processingStatus: {value!r} is not one of {allowed}"
        ) from None


def _report(data: Mapping[str, Any]) -> Report:
    rid = str(_required(data, "reportId", "report"))
    what = f"report {rid}"
    return Report(
        report_id=rid,
        report_type=str(_required(data, "reportType", what)),
        processing_status=_status(_required(data, "processingStatus", what), what),
        created_time=from_wire_required(data.get("createdTime"), f"{what} createdTime"),
        marketplace_ids=data.get("marketplaceIds") or (),
        data_start_time=from_wire(data.get("dataStartTime"), f"{what} dataStartTime"),
        data_end_time=from_wire(data.get("dataEndTime"), f"{what} dataEndTime"),
        report_schedule_id=data.get("reportScheduleId"),
        processing_start_time=from_wire(
            data.get("processingStartTime"), f"{what} processingStartTime"
        ),
        processing_end_time=from_wire(data.get("processingEndTime"), f"{what} processingEndTime"),
        report_document_id=data.get("reportDocumentId"),
    )


def _parse_report(response: httpx2.Response) -> Report:
    return _report(json_body(response))


def _parse_reports_page(response: httpx2.Response) -> Page[Report]:
    body = json_body(response)
    reports = body.get("reports") if isinstance(body, Mapping) else None
    if not isinstance(reports, list):
        raise ValidationError("getReports: required field reports is missing")
    return Page(tuple(_report(r) for r in reports), body.get("nextToken") or None)


def _parse_report_id(response: httpx2.Response) -> str:
    return str(_required(json_body(response), "reportId", "createReport"))


def _parse_document(response: httpx2.Response) -> ReportDocument:
    body = json_body(response)
    return ReportDocument(
        report_document_id=str(_required(body, "reportDocumentId", "getReportDocument")),
        url=str(_required(body, "url", "getReportDocument")),
        compression_algorithm=body.get("compressionAlgorithm"),
    )


def _nothing(response: httpx2.Response) -> None:
    return None


def _ids(values: Sequence[str], what: str, *, most: int | None = None) -> list[str]:
    if isinstance(values, str):
        values = [values]
    out = [v for v in values if v]
    if not out:
        raise ValidationError(f"{what}: give at least one value")
    if most is not None and len(out) > most:
        raise ValidationError(f"{what}: at most {most} values are allowed, got {len(out)}")
    return out


def create_report(
    report_type: str,
    marketplace_ids: Sequence[str],
    *,
    data_start_time: datetime | None = None,
    data_end_time: datetime | None = None,
    report_options: Mapping[str, str] | None = None,
) -> Call[str]:
    """createReport: ask Amazon to generate a report; the call parses to the new report id."""
    if report_type == SETTLEMENT_REPORT_TYPE:
        raise ValidationError(
            f"{SETTLEMENT_REPORT_TYPE} cannot be requested: Amazon generates settlement reports "
            "itself; list them with reports.settlement_reports()"
        )
    body: dict[str, Any] = {
        "reportType": report_type,
        "marketplaceIds": _ids(marketplace_ids, "createReport marketplace_ids"),
    }
    if data_start_time is not None:
        body["dataStartTime"] = to_wire(data_start_time, "createReport data_start_time")
    if data_end_time is not None:
        body["dataEndTime"] = to_wire(data_end_time, "createReport data_end_time")
    if report_options:
        body["reportOptions"] = dict(report_options)
    return Call(
        "POST",
        f"{BASE}/reports",
        parse=_parse_report_id,
        json=body,
        limit_key="reports.createReport",
    )


def get_report(report_id: str) -> Call[Report]:
    """getReport: the report's processing status (and document id once DONE)."""
    rid = checked_id(report_id, "getReport report_id")
    return Call("GET", f"{BASE}/reports/{rid}", parse=_parse_report, limit_key="reports.getReport")


def get_reports(
    next_token: str | None = None,
    *,
    report_types: Sequence[str] | None = None,
    processing_statuses: Sequence[str] | None = None,
    marketplace_ids: Sequence[str] | None = None,
    page_size: int | None = None,
    created_since: datetime | None = None,
    created_until: datetime | None = None,
) -> Call[Page[Report]]:
    """getReports: one page of reports matching the filters.

    Amazon requires ``report_types`` on the first page and only the token on later pages.
    """
    if next_token:
        return Call(
            "GET",
            f"{BASE}/reports",
            parse=_parse_reports_page,
            params={"nextToken": next_token},
            limit_key="reports.getReports",
        )
    if not report_types:
        raise ValidationError("getReports: give report_types (Amazon requires them)")
    params: dict[str, str] = {"reportTypes": ",".join(_ids(report_types, "report_types", most=10))}
    if processing_statuses:
        params["processingStatuses"] = ",".join(
            ProcessingStatus(s).value for s in _ids(processing_statuses, "processing_statuses")
        )
    if marketplace_ids:
        params["marketplaceIds"] = ",".join(_ids(marketplace_ids, "marketplace_ids", most=10))
    if page_size is not None:
        if not 1 <= page_size <= 100:
            raise ValidationError(f"getReports page_size: expected 1 to 100, got {page_size}")
        params["pageSize"] = str(page_size)
    if created_since is not None:
        params["createdSince"] = to_wire(created_since, "getReports created_since")
    if created_until is not None:
        params["createdUntil"] = to_wire(created_until, "getReports created_until")
    return Call(
        "GET",
        f"{BASE}/reports",
        parse=_parse_reports_page,
        params=params,
        limit_key="reports.getReports",
    )


def get_report_document(report_document_id: str) -> Call[ReportDocument]:
    """getReportDocument: the pre-signed URL of a report document."""
    did = checked_id(report_document_id, "getReportDocument report_document_id")
    return Call(
        "GET",
        f"{BASE}/documents/{did}",
        parse=_parse_document,
        limit_key="reports.getReportDocument",
    )


def cancel_report(report_id: str) -> Call[None]:
    """cancelReport: cancel a report that is still IN_QUEUE."""
    rid = checked_id(report_id, "cancelReport report_id")
    return Call("DELETE", f"{BASE}/reports/{rid}", parse=_nothing, limit_key="reports.cancelReport")


def report_wait(
    report_id: str,
    *,
    timeout: float = DEFAULT_WAIT_TIMEOUT,
    interval: float = DEFAULT_POLL_INTERVAL,
    clock: Callable[[], float] = time.monotonic,
) -> ProcessingWait:
    """The rules of waiting for one report (see :class:`ProcessingWait`)."""
    return ProcessingWait(
        "report",
        report_id,
        timeout=timeout,
        interval=interval,
        clock=clock,
        failed=ReportFailedError,
        timed_out=ReportTimeoutError,
    )


def _next_delay(rules: ProcessingWait, report: Report) -> float | None:
    return rules.next_delay(report.processing_status, report.report_type, report.report_document_id)


def _settlement_filters(
    created_since: datetime | None,
    created_until: datetime | None,
    marketplace_ids: Sequence[str] | None,
) -> Callable[[str | None], Call[Page[Report]]]:
    def page(token: str | None) -> Call[Page[Report]]:
        return get_reports(
            token,
            report_types=[SETTLEMENT_REPORT_TYPE],
            processing_statuses=[ProcessingStatus.DONE],
            marketplace_ids=marketplace_ids,
            page_size=100,
            created_since=created_since,
            created_until=created_until,
        )

    return page


def _returns_window(report_type: str, data_start_time: datetime, data_end_time: datetime) -> None:
    if report_type not in RETURNS_REPORT_TYPES:
        raise ValidationError(
            f"list_returns report_type: {report_type!r} is not one of "
            f"{', '.join(RETURNS_REPORT_TYPES)}"
        )
    to_wire(data_start_time, "list_returns data_start_time")
    to_wire(data_end_time, "list_returns data_end_time")
    if data_end_time <= data_start_time:
        raise ValidationError("list_returns: data_end_time must be after data_start_time")


def _spool() -> Any:
    # Settlement text beyond 8 MB goes to a temporary file, so memory stays flat.
    return tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8")


class ReportsApi:
    """Reports API 2021-06-30 over a synchronous sender (``client.reports``)."""

    def __init__(
        self,
        sender: SyncSender,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sender = sender
        self._sleep = sleep
        self._clock = clock
        documents.watch_document_heads(sender.hooks)

    def create_report(
        self,
        report_type: str,
        marketplace_ids: Sequence[str],
        *,
        data_start_time: datetime | None = None,
        data_end_time: datetime | None = None,
        report_options: Mapping[str, str] | None = None,
    ) -> str:
        """Request a report; returns its id (then :meth:`wait` for it)."""
        return self._sender.send(
            create_report(
                report_type,
                marketplace_ids,
                data_start_time=data_start_time,
                data_end_time=data_end_time,
                report_options=report_options,
            )
        )

    def get_report(self, report_id: str) -> Report:
        return self._sender.send(get_report(report_id))

    def get_reports(
        self,
        *,
        report_types: Sequence[str],
        processing_statuses: Sequence[str] | None = None,
        marketplace_ids: Sequence[str] | None = None,
        page_size: int | None = None,
        created_since: datetime | None = None,
        created_until: datetime | None = None,
    ) -> Iterator[Report]:
        """Every report matching the filters, page after page."""
        return self._sender.pages(
            lambda token: get_reports(
                token,
                report_types=report_types,
                processing_statuses=processing_statuses,
                marketplace_ids=marketplace_ids,
                page_size=page_size,
                created_since=created_since,
                created_until=created_until,
            )
        )

    def settlement_reports(
        self,
        *,
        created_since: datetime | None = None,
        created_until: datetime | None = None,
        marketplace_ids: Sequence[str] | None = None,
    ) -> Iterator[Report]:
        """The settlement reports (V2 flat file) Amazon has generated, newest first."""
        return self._sender.pages(
            _settlement_filters(created_since, created_until, marketplace_ids)
        )

    def get_report_document(self, report_document_id: str) -> ReportDocument:
        return self._sender.send(get_report_document(report_document_id))

    def cancel_report(self, report_id: str) -> None:
        self._sender.send(cancel_report(report_id))

    def wait(
        self,
        report_id: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> Report:
        """Poll until the report is DONE; raises ReportFailedError or ReportTimeoutError."""
        rules = report_wait(report_id, timeout=timeout, interval=poll_interval, clock=self._clock)
        while True:
            report = self.get_report(report_id)
            delay = _next_delay(rules, report)
            if delay is None:
                return report
            log.debug(
                "report %s is %s; polling again in %.1fs",
                report_id,
                report.processing_status.value,
                delay,
            )
            self._sleep(delay)

    def download(self, report_document_id: str) -> Iterator[bytes]:
        """The document's bytes, streamed, gunzipped if they are gzip (by their magic bytes)."""
        document = self.get_report_document(report_document_id)
        call, _ = documents.download_call(document.url)
        return documents.inflate(self._sender.iter_bytes(call), report_document_id)

    def download_text(
        self,
        report_document_id: str,
        *,
        encoding: str | None = None,
        marketplace_id: str | None = None,
    ) -> Iterator[str]:
        """The document as text chunks, decoded by the response charset (see module doc)."""
        document = self.get_report_document(report_document_id)
        call, head = documents.download_call(document.url)
        raw = documents.inflate(self._sender.iter_bytes(call), report_document_id)
        return documents.decode(
            raw,
            lambda: documents.choose_encoding(
                head.content_type, marketplace_id=marketplace_id, encoding=encoding
            ),
            report_document_id,
        )

    def download_settlement(
        self, report_document_id: str, *, encoding: str | None = None, check: bool = True
    ) -> Settlement:
        """Download a settlement report and parse it (see :func:`parse_settlement_report`).

        ``check=False`` reads a file whose lines do not sum to its total instead of raising,
        so the caller can report it by settlement id.
        """
        return parse_settlement_report(
            self.download_text(report_document_id, encoding=encoding), check=check
        )

    def list_returns(
        self,
        marketplace_ids: Sequence[str],
        *,
        data_start_time: datetime,
        data_end_time: datetime,
        report_type: str = FBA_RETURNS_REPORT_TYPE,
        errors: list[ReturnRowError] | None = None,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> Iterator[Return]:
        """The returns of a window: request the returns report, wait, download, parse, streamed.

        ``report_type``: FBA customer returns (default) or merchant returns
        (``GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE``); see :mod:`amazon.returns`. A bad row
        raises ReturnsReportError naming line and column, unless ``errors`` collects it.
        """
        _returns_window(report_type, data_start_time, data_end_time)
        report_id = self.create_report(
            report_type,
            marketplace_ids,
            data_start_time=data_start_time,
            data_end_time=data_end_time,
        )
        report = self.wait(report_id, timeout=timeout, poll_interval=poll_interval)
        document_id = checked_id(report.report_document_id or "", "report document id")
        text = self.download_text(document_id, marketplace_id=marketplace_ids[0])
        return iter_returns(text, report_type=report_type, errors=errors)


class AsyncReportsApi:
    """Reports API 2021-06-30 over an asynchronous sender (``client.reports``)."""

    def __init__(
        self,
        sender: AsyncSender,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sender = sender
        self._sleep = sleep
        self._clock = clock
        documents.watch_document_heads(sender.hooks)

    async def create_report(
        self,
        report_type: str,
        marketplace_ids: Sequence[str],
        *,
        data_start_time: datetime | None = None,
        data_end_time: datetime | None = None,
        report_options: Mapping[str, str] | None = None,
    ) -> str:
        """Request a report; returns its id (then :meth:`wait` for it)."""
        return await self._sender.send(
            create_report(
                report_type,
                marketplace_ids,
                data_start_time=data_start_time,
                data_end_time=data_end_time,
                report_options=report_options,
            )
        )

    async def get_report(self, report_id: str) -> Report:
        return await self._sender.send(get_report(report_id))

    def get_reports(
        self,
        *,
        report_types: Sequence[str],
        processing_statuses: Sequence[str] | None = None,
        marketplace_ids: Sequence[str] | None = None,
        page_size: int | None = None,
        created_since: datetime | None = None,
        created_until: datetime | None = None,
    ) -> AsyncIterator[Report]:
        """Every report matching the filters, page after page."""
        return self._sender.pages(
            lambda token: get_reports(
                token,
                report_types=report_types,
                processing_statuses=processing_statuses,
                marketplace_ids=marketplace_ids,
                page_size=page_size,
                created_since=created_since,
                created_until=created_until,
            )
        )

    def settlement_reports(
        self,
        *,
        created_since: datetime | None = None,
        created_until: datetime | None = None,
        marketplace_ids: Sequence[str] | None = None,
    ) -> AsyncIterator[Report]:
        """The settlement reports (V2 flat file) Amazon has generated, newest first."""
        return self._sender.pages(
            _settlement_filters(created_since, created_until, marketplace_ids)
        )

    async def get_report_document(self, report_document_id: str) -> ReportDocument:
        return await self._sender.send(get_report_document(report_document_id))

    async def cancel_report(self, report_id: str) -> None:
        await self._sender.send(cancel_report(report_id))

    async def wait(
        self,
        report_id: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> Report:
        """Poll until the report is DONE; raises ReportFailedError or ReportTimeoutError."""
        rules = report_wait(report_id, timeout=timeout, interval=poll_interval, clock=self._clock)
        while True:
            report = await self.get_report(report_id)
            delay = _next_delay(rules, report)
            if delay is None:
                return report
            await self._sleep(delay)

    async def download(self, report_document_id: str) -> AsyncIterator[bytes]:
        """The document's bytes, streamed, gunzipped if they are gzip (by their magic bytes)."""
        document = await self.get_report_document(report_document_id)
        call, _ = documents.download_call(document.url)
        async for chunk in documents.inflate_async(
            self._sender.iter_bytes(call), report_document_id
        ):
            yield chunk

    async def download_text(
        self,
        report_document_id: str,
        *,
        encoding: str | None = None,
        marketplace_id: str | None = None,
    ) -> AsyncIterator[str]:
        """The document as text chunks, decoded by the response charset (see module doc)."""
        document = await self.get_report_document(report_document_id)
        call, head = documents.download_call(document.url)
        raw = documents.inflate_async(self._sender.iter_bytes(call), report_document_id)
        async for text in documents.decode_async(
            raw,
            lambda: documents.choose_encoding(
                head.content_type, marketplace_id=marketplace_id, encoding=encoding
            ),
            report_document_id,
        ):
            yield text

    async def download_settlement(
        self, report_document_id: str, *, encoding: str | None = None, check: bool = True
    ) -> Settlement:
        """Download a settlement report (spooled to a temporary file) and parse it."""
        with _spool() as spool:
            async for text in self.download_text(report_document_id, encoding=encoding):
                spool.write(text)
            spool.seek(0)
            return parse_settlement_report(spool, check=check)

    async def list_returns(
        self,
        marketplace_ids: Sequence[str],
        *,
        data_start_time: datetime,
        data_end_time: datetime,
        report_type: str = FBA_RETURNS_REPORT_TYPE,
        errors: list[ReturnRowError] | None = None,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> AsyncIterator[Return]:
        """The returns of a window (see ``ReportsApi.list_returns``); the document is spooled
        to a temporary file, then parsed row by row."""
        _returns_window(report_type, data_start_time, data_end_time)
        report_id = await self.create_report(
            report_type,
            marketplace_ids,
            data_start_time=data_start_time,
            data_end_time=data_end_time,
        )
        report = await self.wait(report_id, timeout=timeout, poll_interval=poll_interval)
        document_id = checked_id(report.report_document_id or "", "report document id")
        with _spool() as spool:
            async for text in self.download_text(document_id, marketplace_id=marketplace_ids[0]):
                spool.write(text)
            spool.seek(0)
            for item in iter_returns(spool, report_type=report_type, errors=errors):
                yield item
