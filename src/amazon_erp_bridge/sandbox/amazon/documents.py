"""The fake's document storage: pre-signed download and upload URLs it serves itself.

Amazon keeps report documents, feed inputs and feed results in S3 behind pre-signed URLs that
expire after five minutes; the fake does the same on its own router (``/_sandbox/...``), with
a signature in the query string and S3-style XML errors, so clients prove that they send the
URL untouched, without an SP-API access token, and in time.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from attrs import define

from amazon_erp_bridge.sandbox.server import Reply, SandboxRequest

if TYPE_CHECKING:
    import re

    from amazon_erp_bridge.sandbox.amazon.app import FakeSpApi

#: How long a pre-signed URL works (Amazon: five minutes).
URL_TTL: Final = 300.0


@define
class StoredDocument:
    """A document as the fake will serve it (already compressed when marked GZIP)."""

    document_id: str
    body: bytes = b""
    content_type: str = "text/plain; charset=UTF-8"
    compression_algorithm: str | None = None
    signature: str = ""
    signed_at: float = 0.0
    uploaded: bool = False


def _s3_error(status: int, code: str, message: str) -> Reply:
    xml = (
        "<?xml version='1.0' encoding='UTF-8'?>"
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )
    return Reply.text(xml, status, content_type="application/xml")


class FakeDocuments:
    """Documents by id, their pre-signed URLs, and the routes that serve them."""

    def __init__(self, fake: FakeSpApi) -> None:
        self.fake = fake
        self.documents: dict[str, StoredDocument] = {}
        self.url_ttl = URL_TTL
        self._lock = threading.Lock()

    # -- storing --------------------------------------------------------------------------

    def put(
        self,
        content: bytes,
        *,
        content_type: str = "text/plain; charset=UTF-8",
        compress: bool = True,
        plain_but_marked_gzip: bool = False,
        truncate: bool = False,
        document_id: str | None = None,
    ) -> StoredDocument:
        """Store ``content``; gzip it (or pretend to) and maybe cut it short, for tests."""
        body = content
        algorithm: str | None = None
        if compress or plain_but_marked_gzip:
            algorithm = "GZIP"
            if not plain_but_marked_gzip:
                body = gzip.compress(content, mtime=0)
        if truncate:
            body = body[: max(len(body) * 2 // 3, 1)]
        doc = StoredDocument(
            document_id or f"amzn1.tortuga.4.na.{self.fake.new_id()}",
            body,
            content_type,
            algorithm,
            uploaded=True,
        )
        with self._lock:
            self.documents[doc.document_id] = doc
        return doc

    def reserve_upload(self, content_type: str) -> StoredDocument:
        """An empty document waiting for its upload (createFeedDocument)."""
        doc = StoredDocument(f"amzn1.tortuga.4.na.{self.fake.new_id()}", content_type=content_type)
        with self._lock:
            self.documents[doc.document_id] = doc
        return doc

    def get(self, document_id: str) -> StoredDocument | None:
        return self.documents.get(document_id)

    # -- URLs ----------------------------------------------------------------------------

    def _sign(self, doc: StoredDocument) -> str:
        now = self.fake.clock()
        doc.signature = hashlib.sha256(f"{doc.document_id}:{now}".encode()).hexdigest()
        doc.signed_at = now
        stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%dT%H%M%SZ")
        return (
            f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=SANDBOX%2F{stamp[:8]}%2Fs3"
            f"&X-Amz-Date={stamp}&X-Amz-Expires={int(self.url_ttl)}"
            f"&X-Amz-SignedHeaders=host&X-Amz-Signature={doc.signature}"
        )

    def _base(self, req: SandboxRequest) -> str:
        return f"http://{req.headers.get('host', '127.0.0.1')}"

    def download_url(self, req: SandboxRequest, doc: StoredDocument) -> str:
        """A fresh pre-signed URL for downloading ``doc`` (valid for ``url_ttl`` seconds)."""
        return f"{self._base(req)}/_sandbox/documents/{doc.document_id}?{self._sign(doc)}"

    def upload_url(self, req: SandboxRequest, doc: StoredDocument) -> str:
        """A fresh pre-signed URL for uploading ``doc``."""
        return f"{self._base(req)}/_sandbox/uploads/{doc.document_id}?{self._sign(doc)}"

    def wire(self, req: SandboxRequest, doc: StoredDocument, id_field: str) -> dict[str, Any]:
        """A getReportDocument / getFeedDocument answer: the id, a fresh URL, compression."""
        out: dict[str, Any] = {id_field: doc.document_id, "url": self.download_url(req, doc)}
        if doc.compression_algorithm:
            out["compressionAlgorithm"] = doc.compression_algorithm
        return out

    def _check(self, req: SandboxRequest, document_id: str) -> StoredDocument | Reply:
        doc = self.documents.get(document_id)
        if doc is None:
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        if req.headers.get("x-amz-access-token"):
            return _s3_error(
                400, "InvalidArgument", "Only one auth mechanism allowed (pre-signed URL)"
            )
        if not doc.signature or req.arg("X-Amz-Signature") != doc.signature:
            return _s3_error(
                403, "SignatureDoesNotMatch", "The request signature we calculated does not match."
            )
        if self.fake.clock() > doc.signed_at + self.url_ttl:
            return _s3_error(403, "AccessDenied", "Request has expired")
        return doc

    # -- routes --------------------------------------------------------------------------

    def download(self, req: SandboxRequest, m: re.Match[str]) -> Reply:
        doc = self._check(req, m["id"])
        if isinstance(doc, Reply):
            return doc
        return Reply(200, doc.body, {"Content-Type": doc.content_type})

    def upload(self, req: SandboxRequest, m: re.Match[str]) -> Reply:
        doc = self._check(req, m["id"])
        if isinstance(doc, Reply):
            return doc
        given = req.headers.get("content-type", "")
        if given.split(";")[0].strip().lower() != doc.content_type.split(";")[0].strip().lower():
            return _s3_error(
                403,
                "SignatureDoesNotMatch",
                f"Content-Type {given!r} is not the {doc.content_type!r} the URL was signed for",
            )
        doc.body = req.body
        doc.uploaded = True
        return Reply(200, b"", {"ETag": f'"{hashlib.md5(req.body).hexdigest()}"'})

    def text(self, document_id: str) -> bytes:
        """The uncompressed content of a stored document (for tests and the feed processor)."""
        doc = self.documents[document_id]
        return gzip.decompress(doc.body) if doc.body[:2] == b"\x1f\x8b" else doc.body


def register(fake: FakeSpApi) -> None:
    """Serve pre-signed document downloads and uploads on the fake's router."""
    store = FakeDocuments(fake)
    fake.documents = store
    fake.router.route("GET", r"/_sandbox/documents/(?P<id>[^/]+)")(store.download)
    fake.router.route("PUT", r"/_sandbox/uploads/(?P<id>[^/]+)")(store.upload)
