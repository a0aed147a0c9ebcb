"""Feeds API 2021-06-30 and the JSON_LISTINGS_FEED: upload, submit, wait, read the result.

Submitting a feed takes three calls: createFeedDocument (Amazon answers with a document id and
a pre-signed upload URL), a PUT of the content to that URL (no access token: the URL is its own
credential), and createFeed naming the document. Amazon then processes the feed (IN_QUEUE ->
IN_PROGRESS -> DONE); a DONE feed has a result document, the processing report, which says per
message what was accepted and what was not.

:func:`listings_quantity_feed` builds the JSON_LISTINGS_FEED (schema v2) that sets the
quantity of many SKUs at once: one PATCH message per SKU replacing its
``fulfillment_availability`` (channel DEFAULT, i.e. merchant-fulfilled stock).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
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
from amazon_erp_bridge.amazon.timestamps import from_wire, from_wire_required, to_wire
from amazon_erp_bridge.core.call import Call, Page
from amazon_erp_bridge.core.redaction import get_logger
from amazon_erp_bridge.core.sender import AsyncSender, SyncSender, json_body
from amazon_erp_bridge.errors import ValidationError

log = get_logger("amazon_erp_bridge.amazon.feeds")


def _log_poll(feed: Feed, delay: float) -> None:
    log.debug(
        "feed %s is %s; polling again in %.1fs", feed.feed_id, feed.processing_status.value, delay
    )


BASE: Final = "/feeds/2021-06-30"
JSON_LISTINGS_FEED: Final = "JSON_LISTINGS_FEED"
#: Content type of JSON feeds; the upload must send exactly the type the document was made for.
JSON_CONTENT_TYPE: Final = "application/json; charset=UTF-8"
#: Most messages one JSON_LISTINGS_FEED may hold (schema v2 ``maxItems``).
MAX_LISTINGS_MESSAGES: Final = 25000
#: A product type that Amazon accepts for offer-only changes such as quantity.
DEFAULT_PRODUCT_TYPE: Final = "PRODUCT"
FULFILLMENT_AVAILABILITY_PATH: Final = "/attributes/fulfillment_availability"


@frozen
class Feed:
    """A submitted feed and its state; ``result_feed_document_id`` is set once it is DONE."""

    feed_id: str
    feed_type: str
    processing_status: ProcessingStatus = field(converter=ProcessingStatus)
    created_time: datetime
    marketplace_ids: tuple[str, ...] = field(default=(), converter=string_tuple)
    processing_start_time: datetime | None = None
    processing_end_time: datetime | None = None
    result_feed_document_id: str | None = None


@frozen
class FeedDocument:
    """A feed document: where to upload it (createFeedDocument) or download it (result)."""

    feed_document_id: str
    url: str = field(repr=False)  # the signature in it is a bearer credential
    compression_algorithm: str | None = None


class FeedFailedError(ProcessingFailedError):
    """Amazon ended the feed FATAL or CANCELLED (``document_id``: its processing report)."""


class FeedTimeoutError(ProcessingTimeoutError):
    """The feed was still not DONE when the wait ran out."""


# -- operations -------------------------------------------------------------------------------


def _feed(data: Mapping[str, Any]) -> Feed:
    fid = str(data["feedId"])
    what = f"feed {fid}"
    return Feed(
        feed_id=fid,
        feed_type=str(data["feedType"]),
        processing_status=data["processingStatus"],
        created_time=from_wire_required(data.get("createdTime"), f"{what} createdTime"),
        marketplace_ids=data.get("marketplaceIds") or (),
        processing_start_time=from_wire(
            data.get("processingStartTime"), f"{what} processingStartTime"
        ),
        processing_end_time=from_wire(data.get("processingEndTime"), f"{what} processingEndTime"),
        result_feed_document_id=data.get("resultFeedDocumentId"),
    )


def _parse_feed(response: httpx2.Response) -> Feed:
    return _feed(json_body(response))


def _parse_feeds_page(response: httpx2.Response) -> Page[Feed]:
    body = json_body(response)
    return Page(tuple(_feed(f) for f in body["feeds"]), body.get("nextToken") or None)


def _parse_feed_id(response: httpx2.Response) -> str:
    return str(json_body(response)["feedId"])


def _parse_document(response: httpx2.Response) -> FeedDocument:
    body = json_body(response)
    return FeedDocument(
        feed_document_id=str(body["feedDocumentId"]),
        url=str(body["url"]),
        compression_algorithm=body.get("compressionAlgorithm"),
    )


def _nothing(response: httpx2.Response) -> None:
    return None


def _marketplaces(values: Sequence[str], what: str) -> list[str]:
    out = [values] if isinstance(values, str) else [v for v in values if v]
    if not out:
        raise ValidationError(f"{what}: give at least one marketplace id")
    return out


def create_feed_document(content_type: str = JSON_CONTENT_TYPE) -> Call[FeedDocument]:
    """createFeedDocument: a document id and the pre-signed URL to upload the content to."""
    if not content_type.strip():
        raise ValidationError(
            "createFeedDocument content_type: expected e.g. 'text/tab-separated-values'"
        )
    return Call(
        "POST",
        f"{BASE}/documents",
        parse=_parse_document,
        json={"contentType": content_type},
        limit_key="feeds.createFeedDocument",
    )


def upload_feed_document(document: FeedDocument, content: bytes, content_type: str) -> Call[None]:
    """The PUT of the feed content to the document's pre-signed URL (``content_type`` must be
    the one given to createFeedDocument)."""
    return documents.upload_call(document.url, content, content_type)


def create_feed(
    feed_type: str,
    marketplace_ids: Sequence[str],
    input_feed_document_id: str,
    *,
    feed_options: Mapping[str, str] | None = None,
) -> Call[str]:
    """createFeed: submit an uploaded document as a feed; the call parses to the feed id."""
    if not feed_type:
        raise ValidationError("createFeed feed_type: expected e.g. 'JSON_LISTINGS_FEED'")
    body: dict[str, Any] = {
        "feedType": feed_type,
        "marketplaceIds": _marketplaces(marketplace_ids, "createFeed marketplace_ids"),
        "inputFeedDocumentId": checked_id(input_feed_document_id, "createFeed input document id"),
    }
    if feed_options:
        body["feedOptions"] = dict(feed_options)
    return Call(
        "POST", f"{BASE}/feeds", parse=_parse_feed_id, json=body, limit_key="feeds.createFeed"
    )


def get_feed(feed_id: str) -> Call[Feed]:
    """getFeed: the feed's processing status (and result document id once DONE)."""
    fid = checked_id(feed_id, "getFeed feed_id")
    return Call("GET", f"{BASE}/feeds/{fid}", parse=_parse_feed, limit_key="feeds.getFeed")


def get_feeds(
    next_token: str | None = None,
    *,
    feed_types: Sequence[str] | None = None,
    processing_statuses: Sequence[str] | None = None,
    marketplace_ids: Sequence[str] | None = None,
    page_size: int | None = None,
    created_since: datetime | None = None,
    created_until: datetime | None = None,
) -> Call[Page[Feed]]:
    """getFeeds: one page of feeds; Amazon wants feed_types first, then only the token."""
    if next_token:
        params: dict[str, str] = {"nextToken": next_token}
    else:
        if not feed_types:
            raise ValidationError("getFeeds: give feed_types (Amazon requires them)")
        params = {"feedTypes": ",".join(feed_types)}
        if processing_statuses:
            params["processingStatuses"] = ",".join(
                ProcessingStatus(s).value for s in processing_statuses
            )
        if marketplace_ids:
            params["marketplaceIds"] = ",".join(marketplace_ids)
        if page_size is not None:
            if not 1 <= page_size <= 100:
                raise ValidationError(f"getFeeds page_size: expected 1 to 100, got {page_size}")
            params["pageSize"] = str(page_size)
        if created_since is not None:
            params["createdSince"] = to_wire(created_since, "getFeeds created_since")
        if created_until is not None:
            params["createdUntil"] = to_wire(created_until, "getFeeds created_until")
    return Call(
        "GET", f"{BASE}/feeds", parse=_parse_feeds_page, params=params, limit_key="feeds.getFeeds"
    )


def cancel_feed(feed_id: str) -> Call[None]:
    """cancelFeed: cancel a feed that is still IN_QUEUE."""
    fid = checked_id(feed_id, "cancelFeed feed_id")
    return Call("DELETE", f"{BASE}/feeds/{fid}", parse=_nothing, limit_key="feeds.cancelFeed")


def get_feed_document(feed_document_id: str) -> Call[FeedDocument]:
    """getFeedDocument: the pre-signed URL of a feed document (e.g. the processing report)."""
    did = checked_id(feed_document_id, "getFeedDocument feed_document_id")
    return Call(
        "GET", f"{BASE}/documents/{did}", parse=_parse_document, limit_key="feeds.getFeedDocument"
    )


def feed_wait(
    feed_id: str,
    *,
    timeout: float = DEFAULT_WAIT_TIMEOUT,
    interval: float = DEFAULT_POLL_INTERVAL,
    clock: Callable[[], float] = time.monotonic,
) -> ProcessingWait:
    """The rules of waiting for one feed (see :class:`ProcessingWait`)."""
    return ProcessingWait(
        "feed",
        feed_id,
        timeout=timeout,
        interval=interval,
        clock=clock,
        failed=FeedFailedError,
        timed_out=FeedTimeoutError,
    )


def _next_delay(rules: ProcessingWait, feed: Feed) -> float | None:
    return rules.next_delay(feed.processing_status, feed.feed_type, feed.result_feed_document_id)


# -- JSON_LISTINGS_FEED -----------------------------------------------------------------------


def listings_quantity_feed(
    seller_id: str,
    quantities: Mapping[str, int],
    *,
    product_type: str = DEFAULT_PRODUCT_TYPE,
    issue_locale: str | None = None,
) -> dict[str, Any]:
    """A JSON_LISTINGS_FEED (v2) that sets the merchant-fulfilled quantity of each SKU.

    One PATCH message per SKU, numbered from 1 in the mapping's order, replacing
    ``/attributes/fulfillment_availability`` with ``[{fulfillment_channel_code: DEFAULT,
    quantity}]``.
    """
    if not seller_id or not seller_id.strip():
        raise ValidationError("listings feed seller_id: expected the selling partner id")
    if not quantities:
        raise ValidationError("listings feed quantities: give at least one SKU")
    if len(quantities) > MAX_LISTINGS_MESSAGES:
        raise ValidationError(
            f"listings feed: {len(quantities)} SKUs, but one feed holds at most "
            f"{MAX_LISTINGS_MESSAGES} messages; split them over several feeds"
        )
    messages: list[dict[str, Any]] = []
    for message_id, (sku, quantity) in enumerate(quantities.items(), start=1):
        if not isinstance(sku, str) or not sku.strip():
            raise ValidationError(f"listings feed message {message_id}: SKU {sku!r} is empty")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise ValidationError(
                f"listings feed SKU {sku}: quantity must be a whole number >= 0, got {quantity!r}"
            )
        messages.append(
            {
                "messageId": message_id,
                "sku": sku,
                "operationType": "PATCH",
                "productType": product_type,
                "patches": [quantity_patch(quantity)],
            }
        )
    header: dict[str, Any] = {"sellerId": seller_id.strip(), "version": "2.0"}
    if issue_locale:
        header["issueLocale"] = issue_locale
    return {"header": header, "messages": messages}


def quantity_patch(quantity: int) -> dict[str, Any]:
    """The JSON Patch that sets the merchant-fulfilled (DEFAULT channel) quantity."""
    return {
        "op": "replace",
        "path": FULFILLMENT_AVAILABILITY_PATH,
        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
    }


def encode_feed(feed: Mapping[str, Any]) -> bytes:
    """A JSON feed as the UTF-8 bytes to upload."""
    return json.dumps(feed, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# -- processing report ------------------------------------------------------------------------


@frozen
class FeedIssue:
    """A problem the processing report names: which message and SKU, its code and severity."""

    severity: str  # ERROR | WARNING | INFO
    message: str
    code: str | None = None
    message_id: int | None = None
    sku: str | None = None
    attribute_name: str | None = None


@frozen
class FeedSummary:
    """The processing report's counts."""

    errors: int
    warnings: int
    messages_processed: int
    messages_accepted: int
    messages_invalid: int


@frozen
class ProcessingReport:
    """The result of a JSON feed: summary counts and the issues per message."""

    feed_id: str | None
    seller_id: str | None
    summary: FeedSummary
    issues: tuple[FeedIssue, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every message was accepted and nothing is an ERROR."""
        return self.summary.messages_invalid == 0 and self.summary.errors == 0

    def errors(self) -> tuple[FeedIssue, ...]:
        """The issues of severity ERROR: the records Amazon did not apply."""
        return tuple(i for i in self.issues if i.severity == "ERROR")

    def rejected_skus(self) -> frozenset[str]:
        """SKUs with at least one ERROR issue."""
        return frozenset(i.sku for i in self.issues if i.severity == "ERROR" and i.sku)


def _int(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            f"feed processing report summary.{key}: expected a count, got {value!r}"
        )
    return value


def parse_processing_report(content: bytes | str | Mapping[str, Any]) -> ProcessingReport:
    """Read a JSON feed processing report (listings feed processing report schema v2)."""
    if isinstance(content, Mapping):
        data: Any = content
    else:
        try:
            data = json.loads(content)
        except ValueError as exc:
            raise ValidationError(f"feed processing report: not JSON ({exc})") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("summary"), Mapping):
        raise ValidationError("feed processing report: expected an object with a summary")
    header: Mapping[str, Any] = data["header"] if isinstance(data.get("header"), Mapping) else {}
    summary = data["summary"]
    issues: list[FeedIssue] = []
    for n, issue in enumerate(data.get("issues") or ()):
        if not isinstance(issue, Mapping) or "severity" not in issue or "message" not in issue:
            raise ValidationError(
                f"feed processing report issue {n}: expected severity and message, got {issue!r}"
            )
        message_id = issue.get("messageId")
        issues.append(
            FeedIssue(
                severity=str(issue["severity"]),
                message=str(issue["message"]),
                code=None if issue.get("code") is None else str(issue["code"]),
                message_id=message_id if isinstance(message_id, int) else None,
                sku=issue.get("sku"),
                attribute_name=issue.get("attributeName"),
            )
        )
    return ProcessingReport(
        feed_id=header.get("feedId"),
        seller_id=header.get("sellerId"),
        summary=FeedSummary(
            errors=_int(summary, "errors"),
            warnings=_int(summary, "warnings"),
            messages_processed=_int(summary, "messagesProcessed"),
            messages_accepted=_int(summary, "messagesAccepted"),
            messages_invalid=_int(summary, "messagesInvalid"),
        ),
        issues=tuple(issues),
    )


def _result_document_id(feed: Feed) -> str:
    if not feed.result_feed_document_id:
        raise ValidationError(
            f"feed {feed.feed_id} is {feed.processing_status.value} and has no result document "
            "yet; wait for it first"
        )
    return feed.result_feed_document_id


# -- clients ----------------------------------------------------------------------------------


class FeedsApi:
    """Feeds API 2021-06-30 over a synchronous sender (``client.feeds``)."""

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

    def create_feed_document(self, content_type: str = JSON_CONTENT_TYPE) -> FeedDocument:
        return self._sender.send(create_feed_document(content_type))

    def upload(self, document: FeedDocument, content: bytes, content_type: str) -> None:
        self._sender.send(upload_feed_document(document, content, content_type))

    def create_feed(
        self,
        feed_type: str,
        marketplace_ids: Sequence[str],
        input_feed_document_id: str,
        *,
        feed_options: Mapping[str, str] | None = None,
    ) -> str:
        return self._sender.send(
            create_feed(
                feed_type, marketplace_ids, input_feed_document_id, feed_options=feed_options
            )
        )

    def get_feed(self, feed_id: str) -> Feed:
        return self._sender.send(get_feed(feed_id))

    def get_feeds(self, *, feed_types: Sequence[str], **filters: Any) -> Iterator[Feed]:
        """Every feed matching the filters (see :func:`get_feeds`), page after page."""
        return self._sender.pages(lambda token: get_feeds(token, feed_types=feed_types, **filters))

    def cancel_feed(self, feed_id: str) -> None:
        self._sender.send(cancel_feed(feed_id))

    def get_feed_document(self, feed_document_id: str) -> FeedDocument:
        return self._sender.send(get_feed_document(feed_document_id))

    def submit(
        self,
        feed_type: str,
        content: bytes,
        marketplace_ids: Sequence[str],
        *,
        content_type: str = JSON_CONTENT_TYPE,
        feed_options: Mapping[str, str] | None = None,
    ) -> str:
        """Create a document, upload ``content`` and submit it as a feed; returns the feed id."""
        document = self.create_feed_document(content_type)
        self.upload(document, content, content_type)
        return self.create_feed(
            feed_type, marketplace_ids, document.feed_document_id, feed_options=feed_options
        )

    def submit_listings_quantities(
        self,
        seller_id: str,
        quantities: Mapping[str, int],
        marketplace_ids: Sequence[str],
        *,
        product_type: str = DEFAULT_PRODUCT_TYPE,
    ) -> str:
        """Submit a JSON_LISTINGS_FEED setting each SKU's quantity; returns the feed id."""
        feed = listings_quantity_feed(seller_id, quantities, product_type=product_type)
        return self.submit(JSON_LISTINGS_FEED, encode_feed(feed), marketplace_ids)

    def wait(
        self,
        feed_id: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> Feed:
        """Poll until the feed is DONE; raises FeedFailedError or FeedTimeoutError."""
        rules = feed_wait(feed_id, timeout=timeout, interval=poll_interval, clock=self._clock)
        while True:
            feed = self.get_feed(feed_id)
            delay = _next_delay(rules, feed)
            if delay is None:
                return feed
            _log_poll(feed, delay)
            self._sleep(delay)

    def download(self, feed_document_id: str) -> bytes:
        """A feed document's content (gunzipped if it is gzip), e.g. the processing report."""
        document = self.get_feed_document(feed_document_id)
        call, _ = documents.download_call(document.url)
        return b"".join(documents.inflate(self._sender.iter_bytes(call), feed_document_id))

    def processing_report(self, feed: Feed) -> ProcessingReport:
        """The processing report of a finished JSON feed."""
        return parse_processing_report(self.download(_result_document_id(feed)))


class AsyncFeedsApi:
    """Feeds API 2021-06-30 over an asynchronous sender (``client.feeds``)."""

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

    async def create_feed_document(self, content_type: str = JSON_CONTENT_TYPE) -> FeedDocument:
        return await self._sender.send(create_feed_document(content_type))

    async def upload(self, document: FeedDocument, content: bytes, content_type: str) -> None:
        await self._sender.send(upload_feed_document(document, content, content_type))

    async def create_feed(
        self,
        feed_type: str,
        marketplace_ids: Sequence[str],
        input_feed_document_id: str,
        *,
        feed_options: Mapping[str, str] | None = None,
    ) -> str:
        return await self._sender.send(
            create_feed(
                feed_type, marketplace_ids, input_feed_document_id, feed_options=feed_options
            )
        )

    async def get_feed(self, feed_id: str) -> Feed:
        return await self._sender.send(get_feed(feed_id))

    def get_feeds(self, *, feed_types: Sequence[str], **filters: Any) -> AsyncIterator[Feed]:
        """Every feed matching the filters (see :func:`get_feeds`), page after page."""
        return self._sender.pages(lambda token: get_feeds(token, feed_types=feed_types, **filters))

    async def cancel_feed(self, feed_id: str) -> None:
        await self._sender.send(cancel_feed(feed_id))

    async def get_feed_document(self, feed_document_id: str) -> FeedDocument:
        return await self._sender.send(get_feed_document(feed_document_id))

    async def submit(
        self,
        feed_type: str,
        content: bytes,
        marketplace_ids: Sequence[str],
        *,
        content_type: str = JSON_CONTENT_TYPE,
        feed_options: Mapping[str, str] | None = None,
    ) -> str:
        """Create a document, upload ``content`` and submit it as a feed; returns the feed id."""
        document = await self.create_feed_document(content_type)
        await self.upload(document, content, content_type)
        return await self.create_feed(
            feed_type, marketplace_ids, document.feed_document_id, feed_options=feed_options
        )

    async def submit_listings_quantities(
        self,
        seller_id: str,
        quantities: Mapping[str, int],
        marketplace_ids: Sequence[str],
        *,
        product_type: str = DEFAULT_PRODUCT_TYPE,
    ) -> str:
        """Submit a JSON_LISTINGS_FEED setting each SKU's quantity; returns the feed id."""
        feed = listings_quantity_feed(seller_id, quantities, product_type=product_type)
        return await self.submit(JSON_LISTINGS_FEED, encode_feed(feed), marketplace_ids)

    async def wait(
        self,
        feed_id: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> Feed:
        """Poll until the feed is DONE; raises FeedFailedError or FeedTimeoutError."""
        rules = feed_wait(feed_id, timeout=timeout, interval=poll_interval, clock=self._clock)
        while True:
            feed = await self.get_feed(feed_id)
            delay = _next_delay(rules, feed)
            if delay is None:
                return feed
            _log_poll(feed, delay)
            await self._sleep(delay)

    async def download(self, feed_document_id: str) -> bytes:
        """A feed document's content (gunzipped if it is gzip), e.g. the processing report."""
        document = await self.get_feed_document(feed_document_id)
        call, _ = documents.download_call(document.url)
        chunks = documents.inflate_async(self._sender.iter_bytes(call), feed_document_id)
        return b"".join([chunk async for chunk in chunks])

    async def processing_report(self, feed: Feed) -> ProcessingReport:
        """The processing report of a finished JSON feed."""
        return parse_processing_report(await self.download(_result_document_id(feed)))
