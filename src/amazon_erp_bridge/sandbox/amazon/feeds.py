"""Fake Feeds API 2021-06-30 and Listings Items patch, sharing one listings quantity table.

A feed goes through the real steps: createFeedDocument hands out a pre-signed upload URL on the
fake itself, the client PUTs the content there, createFeed names the document, and getFeed
moves it IN_QUEUE -> IN_PROGRESS -> DONE one step every ``polls_per_step`` polls. When a
JSON_LISTINGS_FEED finishes, each message is checked against the listings feed schema v2 rules
(messageId, sku, operationType; PATCH needs productType and patches), quantity patches of
known SKUs are applied to :attr:`FeedsFake.quantities`, and a processing report (JSON, gzip)
becomes the feed's result document. ``patchListingsItem`` applies the same patches at once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote

from attrs import define, field

from amazon_erp_bridge.sandbox.amazon.jobs import StoredPages, advance
from amazon_erp_bridge.sandbox.amazon.wire import wire_time
from amazon_erp_bridge.sandbox.server import Reply, SandboxRequest

if TYPE_CHECKING:
    import re

    from amazon_erp_bridge.sandbox.amazon.app import Caller, FakeSpApi

BASE: Final = "/feeds/2021-06-30"
LISTINGS: Final = "/listings/2021-08-01/items"
OPERATION_TYPES: Final = frozenset({"UPDATE", "PARTIAL_UPDATE", "PATCH", "DELETE"})
PATCH_OPS: Final = frozenset({"add", "replace", "merge", "delete"})
AVAILABILITY: Final = "/attributes/fulfillment_availability"
#: Issue code the fake uses for SKUs it has no listing for (not an Amazon code).
UNKNOWN_SKU: Final = "SANDBOX_SKU_NOT_FOUND"


@define
class FakeFeed:
    """A submitted feed and where it is in its lifecycle."""

    feed_id: str
    feed_type: str
    marketplace_ids: list[str]
    input_document_id: str
    created: datetime
    seller_id: str | None
    outcome: str = "DONE"
    status: str = "IN_QUEUE"
    polls: int = 0
    processing_start: datetime | None = None
    processing_end: datetime | None = None
    result_document_id: str | None = None
    options: dict[str, str] = field(factory=dict)

    def wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "feedId": self.feed_id,
            "feedType": self.feed_type,
            "marketplaceIds": list(self.marketplace_ids),
            "createdTime": wire_time(self.created),
            "processingStatus": self.status,
        }
        if self.processing_start is not None:
            out["processingStartTime"] = wire_time(self.processing_start)
        if self.processing_end is not None:
            out["processingEndTime"] = wire_time(self.processing_end)
        if self.result_document_id:
            out["resultFeedDocumentId"] = self.result_document_id
        return out


def _issue(message_id: Any, sku: Any, code: str, message: str, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"code": code, "severity": "ERROR", "message": message}
    if isinstance(message_id, int):
        out["messageId"] = message_id
    if isinstance(sku, str):
        out["sku"] = sku
    out.update(extra)
    return out


def patch_problem(patch: Any) -> str | None:
    """Why a JSON Patch operation is malformed, or None."""
    if not isinstance(patch, Mapping):
        return "a patch must be an object"
    if patch.get("op") not in PATCH_OPS:
        return f"patch op must be one of {sorted(PATCH_OPS)}"
    path = patch.get("path")
    if not isinstance(path, str) or not path.startswith("/attributes/"):
        return "patch path must be a JSON Pointer such as /attributes/fulfillment_availability"
    if patch["op"] != "delete" and not isinstance(patch.get("value"), list):
        return "patch value must be a list of objects"
    return None


def availability_quantity(patches: list[Any]) -> int | None:
    """The DEFAULT-channel quantity the patches set, if they set one."""
    quantity: int | None = None
    for patch in patches:
        if patch.get("path") != AVAILABILITY or patch.get("op") == "delete":
            continue
        for entry in patch.get("value") or ():
            if (
                isinstance(entry, Mapping)
                and entry.get("fulfillment_channel_code") == "DEFAULT"
                and isinstance(entry.get("quantity"), int)
            ):
                quantity = entry["quantity"]
    return quantity


class FeedsFake:
    """The state and switches of the fake Feeds and Listings Items APIs (``fake.feeds``)."""

    def __init__(self, fake: FakeSpApi) -> None:
        self.fake = fake
        self.feeds: dict[str, FakeFeed] = {}
        #: Merchant-fulfilled (DEFAULT channel) quantity per SKU, as feeds and patches set it.
        self.quantities: dict[str, int] = {}
        #: SKUs with a listing; patches for other SKUs are rejected.
        self.listings: set[str] = {p.sku for p in fake.state.products}
        self.polls_per_step = 1
        #: "FATAL" or "CANCELLED": the next created feed ends so.
        self.fail_next: str | None = None
        self._pages: StoredPages[FakeFeed] = StoredPages(lambda: fake.token_value("feeds-"))
        self._lock = threading.RLock()

    # -- feed processing -------------------------------------------------------------------

    def _apply(self, sku: str, patches: list[Any]) -> None:
        quantity = availability_quantity(patches)
        if quantity is not None:
            self.quantities[sku] = quantity

    def process_listings_feed(self, content: bytes, feed: FakeFeed) -> tuple[str, dict[str, Any]]:
        """(final status, processing report) for a JSON_LISTINGS_FEED document."""
        header = {"sellerId": feed.seller_id or "", "version": "2.0", "feedId": feed.feed_id}
        try:
            data = json.loads(content)
        except ValueError as exc:
            report = self._report(header, [_issue(None, None, "FATAL", f"not JSON: {exc}")], 0, 0)
            return "FATAL", report
        if not isinstance(data, Mapping) or not isinstance(data.get("messages"), list):
            bad = [_issue(None, None, "FATAL", "the feed needs a header and messages")]
            return "FATAL", self._report(header, bad, 0, 0)
        seller = (data.get("header") or {}).get("sellerId")
        if seller != feed.seller_id:
            bad = [_issue(None, None, "FATAL", f"header.sellerId {seller!r} is not yours")]
            return "FATAL", self._report(header, bad, 0, 0)
        issues: list[dict[str, Any]] = []
        accepted = 0
        for message in data["messages"]:
            problems = self._message_issues(message)
            if problems:
                issues += problems
                continue
            accepted += 1
            if message["operationType"] == "PATCH":
                self._apply(message["sku"], message["patches"])
        return "DONE", self._report(header, issues, len(data["messages"]), accepted)

    def _message_issues(self, message: Any) -> list[dict[str, Any]]:
        if not isinstance(message, Mapping):
            return [_issue(None, None, "INVALID_MESSAGE", "a message must be an object")]
        mid, sku, op = message.get("messageId"), message.get("sku"), message.get("operationType")
        out: list[dict[str, Any]] = []
        if not isinstance(mid, int) or isinstance(mid, bool) or mid < 1:
            out.append(_issue(mid, sku, "INVALID_MESSAGE", "messageId must be an integer >= 1"))
        if not isinstance(sku, str) or not sku:
            out.append(_issue(mid, sku, "INVALID_MESSAGE", "sku is required"))
        if op not in OPERATION_TYPES:
            out.append(_issue(mid, sku, "INVALID_MESSAGE", f"operationType {op!r} is unknown"))
        if op == "PATCH":
            if not message.get("productType"):
                out.append(_issue(mid, sku, "INVALID_MESSAGE", "PATCH requires productType"))
            patches = message.get("patches")
            if not isinstance(patches, list) or not patches:
                out.append(_issue(mid, sku, "INVALID_MESSAGE", "PATCH requires patches"))
            else:
                out += [
                    _issue(mid, sku, "INVALID_MESSAGE", problem)
                    for problem in map(patch_problem, patches)
                    if problem
                ]
        if not out and sku not in self.listings:
            out.append(_issue(mid, sku, UNKNOWN_SKU, f"SKU {sku} has no listing"))
        return out

    def _report(
        self, header: dict[str, Any], issues: list[dict[str, Any]], processed: int, accepted: int
    ) -> dict[str, Any]:
        return {
            "header": header,
            "issues": issues,
            "summary": {
                "errors": sum(1 for i in issues if i["severity"] == "ERROR"),
                "warnings": sum(1 for i in issues if i["severity"] == "WARNING"),
                "messagesProcessed": processed,
                "messagesAccepted": accepted,
                "messagesInvalid": processed - accepted,
            },
        }

    def _advance(self, feed: FakeFeed) -> None:
        if not advance(feed, self.polls_per_step, self.fake.now()) or feed.outcome != "DONE":
            return
        content = self.fake.documents.text(feed.input_document_id)
        if feed.feed_type == "JSON_LISTINGS_FEED":
            status, report = self.process_listings_feed(content, feed)
        else:
            status, report = "DONE", self._report({"feedId": feed.feed_id}, [], 0, 0)
        feed.status = status
        doc = self.fake.documents.put(
            json.dumps(report).encode(), content_type="application/json", compress=True
        )
        feed.result_document_id = doc.document_id

    # -- operations ------------------------------------------------------------------------

    def create_feed_document(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        body = req.json() or {}
        content_type = body.get("contentType")
        if not isinstance(content_type, str) or not content_type.strip():
            return self.fake.error(400, "InvalidInput", "contentType is required.")
        doc = self.fake.documents.reserve_upload(content_type)
        url = self.fake.documents.upload_url(req, doc)
        return Reply.json({"feedDocumentId": doc.document_id, "url": url}, 201)

    def create_feed(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        body = req.json() or {}
        missing = [
            k for k in ("feedType", "marketplaceIds", "inputFeedDocumentId") if not body.get(k)
        ]
        if missing:
            return self.fake.error(400, "InvalidInput", f"Missing {', '.join(missing)}.")
        doc = self.fake.documents.get(body["inputFeedDocumentId"])
        if doc is None or not doc.uploaded:
            return self.fake.error(
                400,
                "InvalidInput",
                f"Feed document {body['inputFeedDocumentId']} has not been uploaded.",
            )
        outcome, self.fail_next = self.fail_next or "DONE", None
        with self._lock:
            feed = FakeFeed(
                feed_id=str(50000000000 + len(self.feeds) * 7919 + 1),
                feed_type=body["feedType"],
                marketplace_ids=list(body["marketplaceIds"]),
                input_document_id=doc.document_id,
                created=self.fake.now(),
                seller_id=caller.seller_id,
                outcome=outcome,
                options=dict(body.get("feedOptions") or {}),
            )
            self.feeds[feed.feed_id] = feed
        return Reply.json({"feedId": feed.feed_id}, 202)

    def get_feed(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        with self._lock:
            feed = self.feeds.get(m["id"])
            if feed is None:
                return self.fake.error(404, "NotFound", f"Feed {m['id']} not found.")
            self._advance(feed)
            return Reply.json(feed.wire())

    def get_feeds(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        token = req.arg("nextToken")
        if token:
            found = self._pages.next(token) if len(req.query) == 1 else None
            if found is None:
                return self.fake.error(400, "InvalidInput", "Invalid nextToken request.")
        else:
            types = req.args("feedTypes")
            if not types:
                return self.fake.error(
                    400, "InvalidInput", "Either feedTypes or nextToken is required."
                )
            statuses = req.args("processingStatuses")
            with self._lock:
                matches = [
                    f
                    for f in reversed(self.feeds.values())
                    if f.feed_type in types and (not statuses or f.status in statuses)
                ]
            size = min(int(req.arg("pageSize") or 10), self.fake.page_size)
            found = self._pages.first(matches, size)
        page, next_token = found
        out: dict[str, Any] = {"feeds": [f.wire() for f in page]}
        if next_token:
            out["nextToken"] = next_token
        return Reply.json(out)

    def cancel_feed(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        with self._lock:
            feed = self.feeds.get(m["id"])
            if feed is None:
                return self.fake.error(404, "NotFound", f"Feed {m['id']} not found.")
            if feed.status != "IN_QUEUE":
                return self.fake.error(
                    400, "InvalidInput", f"Feed {feed.feed_id} is {feed.status}; cannot cancel."
                )
            feed.status = feed.outcome = "CANCELLED"
        return Reply(200, b"")

    def get_feed_document(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        doc = self.fake.documents.get(m["id"])
        if doc is None:
            return self.fake.error(404, "NotFound", f"Feed document {m['id']} not found.")
        return Reply.json(self.fake.documents.wire(req, doc, "feedDocumentId"))

    def patch_listings_item(self, req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        seller, sku = unquote(m["seller"]), unquote(m["sku"])
        if seller != caller.seller_id:
            return self.fake.error(403, "Unauthorized", "Access to requested resource is denied.")
        if not req.args("marketplaceIds"):
            return self.fake.error(400, "InvalidInput", "marketplaceIds is required.")
        body = req.json() or {}
        patches = body.get("patches")
        if not body.get("productType") or not isinstance(patches, list) or not patches:
            return self.fake.error(400, "InvalidInput", "productType and patches are required.")
        problems = [p for p in map(patch_problem, patches) if p]
        if problems:
            return self.fake.error(400, "InvalidInput", "; ".join(problems))
        submission = self.fake.new_id()
        if sku not in self.listings:
            issue = {
                "code": UNKNOWN_SKU,
                "message": f"SKU {sku} has no listing",
                "severity": "ERROR",
                "categories": ["INVALID_ATTRIBUTE"],
            }
            body_out = {"sku": sku, "status": "INVALID", "submissionId": submission}
            return Reply.json({**body_out, "issues": [issue]})
        preview = req.arg("mode") == "VALIDATION_PREVIEW"
        if not preview:
            with self._lock:
                self._apply(sku, patches)
        status = "VALID" if preview else "ACCEPTED"
        return Reply.json({"sku": sku, "status": status, "submissionId": submission, "issues": []})


def register(fake: FakeSpApi) -> None:
    """Register the Feeds and Listings Items operations (after the document store)."""
    feeds = FeedsFake(fake)
    fake.feeds = feeds
    op = fake.operation
    op("POST", rf"{BASE}/documents", "feeds.createFeedDocument")(feeds.create_feed_document)
    op("GET", rf"{BASE}/documents/(?P<id>[^/]+)", "feeds.getFeedDocument")(feeds.get_feed_document)
    op("POST", rf"{BASE}/feeds", "feeds.createFeed")(feeds.create_feed)
    op("GET", rf"{BASE}/feeds", "feeds.getFeeds")(feeds.get_feeds)
    op("GET", rf"{BASE}/feeds/(?P<id>[^/]+)", "feeds.getFeed")(feeds.get_feed)
    op("DELETE", rf"{BASE}/feeds/(?P<id>[^/]+)", "feeds.cancelFeed")(feeds.cancel_feed)
    op(
        "PATCH",
        rf"{LISTINGS}/(?P<seller>[^/]+)/(?P<sku>[^/]+)",
        "listingsItems.patchListingsItem",
    )(feeds.patch_listings_item)


__all__ = ["FakeFeed", "FeedsFake", "register"]
