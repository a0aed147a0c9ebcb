"""OData ``$batch``: many operations in one multipart/mixed request, change sets atomic.

Any operation of this package (a :class:`~amazon_erp_bridge.core.call.Call`) can go into a
batch; each answer part is read by that call's own ``parse``, so a batch returns the same typed
results as sending the calls one by one. Calls inside a :class:`ChangeSet` succeed or fail
together: SAP rolls the whole change set back and answers with the one error of the request
that failed, which :class:`~amazon_erp_bridge.sap.errors.BatchError` names.

Wire format (OData V2 part 1, section 2.2.7.6; the same multipart/mixed in V4)::

    --batch_1
    Content-Type: multipart/mixed; boundary=changeset_1

    --changeset_1
    Content-Type: application/http
    Content-Transfer-Encoding: binary
    Content-ID: 1

    POST A_SalesOrder HTTP/1.1
    Content-Type: application/json
    ...
    --changeset_1--
    --batch_1--

Lines end in CRLF; parsing also accepts bare LF, which some proxies produce. Boundaries are
ASCII (RFC 2046 allows 1 to 70 of a fixed set of characters); an answer with another boundary,
nested deeper than a change set, or with more parts than requests is a ValidationError, as is
any part that cannot be read; header bytes outside ASCII are kept as Latin-1.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx2
from attrs import field, frozen

from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.errors import ApiError, BridgeError, ValidationError
from amazon_erp_bridge.sap.errors import BatchError, ODataError, odata_error

CRLF = b"\r\n"
_BOUNDARY = re.compile(r'boundary=(?:"([^"]+)"|([^;\s]+))', re.IGNORECASE)
#: RFC 2046 section 5.1.1: the characters a boundary may hold (1 to 70 of them).
_BCHARS = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
_STATUS_LINE = re.compile(rb"^HTTP/\d\.\d\s+(\d{3})(?:\s+(.*))?$")
_SHAPE_ERRORS = (KeyError, IndexError, TypeError, ValueError, AttributeError, RecursionError)
#: Characters kept as they are in a batch request line's query (spaces become %20).
_QUERY_SAFE = "$',()=:@!*;/"


def _tuple(calls: Sequence[Call[Any]]) -> tuple[Call[Any], ...]:
    return tuple(calls)


@frozen
class ChangeSet:
    """Calls that SAP applies together or not at all (creates, updates, deletes, actions)."""

    calls: tuple[Call[Any], ...] = field(converter=_tuple)

    def __attrs_post_init__(self) -> None:
        if not self.calls:
            raise ValidationError("OData $batch: a change set needs at least one request")
        reads = [c for c in self.calls if c.method == "GET"]
        if reads:
            raise ValidationError(
                f"OData $batch: a change set may not hold reads ({reads[0].method} "
                f"{reads[0].path}); put GETs outside change sets"
            )


BatchItem = Call[Any] | ChangeSet


@frozen
class Outcome:
    """The answer to one request of a batch: its parsed value, or the error it got."""

    request: str
    status: int
    value: Any = None
    error: ApiError | None = None

    @property
    def ok(self) -> bool:
        """True when the request in the batch succeeded (no error)."""
        return self.error is None


@frozen
class BatchResult:
    """One outcome per request, in the order the requests were given (change sets flattened)."""

    outcomes: tuple[Outcome, ...]

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self.outcomes)

    def __len__(self) -> int:
        return len(self.outcomes)

    def values(self) -> list[Any]:
        """Every parsed value; raises the first error if any request failed."""
        for outcome in self.outcomes:
            if outcome.error is not None:
                raise outcome.error
        return [o.value for o in self.outcomes]


# ----------------------------------------------------------------------------- MIME helpers


def boundary_of(content_type: str) -> str:
    """The ``boundary`` parameter of a multipart Content-Type."""
    match = _BOUNDARY.search(content_type or "")
    if not match:
        raise ValidationError(f"multipart answer without a boundary: {content_type[:100]!r}")
    value = match.group(1) or match.group(2)
    if not _BCHARS.fullmatch(value):
        raise ValidationError(
            f"multipart boundary {value[:80]!r}: RFC 2046 allows 1 to 70 ASCII letters, digits "
            "and '()+_,-./:=? characters"
        )
    return value


def _delimiter(boundary: str) -> bytes:
    try:
        return b"--" + boundary.encode("ascii")
    except UnicodeEncodeError:
        raise ValidationError(f"multipart boundary {boundary[:80]!r} is not ASCII") from None


def split_multipart(body: bytes, boundary: str) -> list[bytes]:
    """The parts between the boundary lines of a multipart body (preamble, epilogue dropped)."""
    delimiter = _delimiter(boundary)
    parts: list[bytes] = []
    current: list[bytes] | None = None
    closed = False
    for line in body.splitlines(keepends=True):
        bare = line.rstrip(b"\r\n").rstrip(b" \t")
        if bare in (delimiter, delimiter + b"--"):
            if current is not None:
                parts.append(_drop_final_newline(b"".join(current)))
            if bare.endswith(b"--") and bare != delimiter:
                closed = True
                current = None
                break
            current = []
        elif current is not None:
            current.append(line)
    if not closed:
        raise ValidationError(f"multipart body does not end with the closing --{boundary}--")
    return parts


def _drop_final_newline(data: bytes) -> bytes:
    if data.endswith(CRLF):
        return data[:-2]
    if data.endswith(b"\n"):
        return data[:-1]
    return data


def split_headers(data: bytes) -> tuple[list[bytes], dict[str, str], bytes]:
    """Header lines (first lines as they are), the headers (lower-case names), the body."""
    match = re.search(rb"\r?\n\r?\n", data)
    if match is None:
        head, body = data, b""
    else:
        head, body = data[: match.start()], data[match.end() :]
    lines = [ln for ln in re.split(rb"\r?\n", head) if ln != b""]
    headers: dict[str, str] = {}
    for line in lines:
        name, sep, value = line.partition(b":")
        if sep and not line.startswith((b"HTTP/", b" ")) and b" " not in name.strip():
            headers[name.decode("latin-1").strip().lower()] = value.decode("latin-1").strip()
    return lines, headers, body


def http_part(start_line: str, headers: Mapping[str, str], body: bytes) -> bytes:
    """An ``application/http`` message: start line, headers, blank line, body."""
    lines = [_header_bytes("request line", start_line)[len("request line: ") :]]
    lines += [_header_bytes(k, v) for k, v in headers.items()]
    return CRLF.join(lines) + CRLF + CRLF + body


def _header_bytes(name: str, value: str) -> bytes:
    try:
        return f"{name}: {value}".encode("latin-1")
    except UnicodeEncodeError:
        raise ValidationError(
            f"OData $batch: header {name} holds characters outside Latin-1 ({value[:60]!r})"
        ) from None


def build_multipart(parts: Sequence[tuple[Mapping[str, str], bytes]], boundary: str) -> bytes:
    """A multipart/mixed body from (MIME headers, content) pairs."""
    out = b""
    delimiter = _delimiter(boundary)
    for headers, content in parts:
        head = CRLF.join(_header_bytes(k, v) for k, v in headers.items())
        out += delimiter + CRLF + head + CRLF + CRLF + content + CRLF
    return out + delimiter + b"--" + CRLF


def parse_http_response(data: bytes) -> httpx2.Response:
    """An ``application/http`` answer part as an httpx2.Response (status, headers, body)."""
    lines, headers, body = split_headers(data)
    status_line = next((ln for ln in lines if ln.startswith(b"HTTP/")), b"")
    match = _STATUS_LINE.match(status_line.strip())
    if match is None:
        raise ValidationError(f"batch answer part has no HTTP status line: {data[:80]!r}")
    # Header bytes go to httpx as bytes (Latin-1 round trip): a non-ASCII byte is kept, not
    # re-encoded as ASCII (which raised UnicodeEncodeError).
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    return httpx2.Response(int(match.group(1)), headers=raw, content=body)


# ----------------------------------------------------------------------------- building


def _query_string(call: Call[Any]) -> str:
    pairs: list[str] = []
    for key, value in call.params.items():
        for v in [value] if isinstance(value, str) else value:
            pairs.append(f"{quote(key, safe='$')}={quote(v, safe=_QUERY_SAFE)}")
    return "&".join(pairs)


def _body(call: Call[Any]) -> bytes:
    if call.content is not None:
        return call.content
    if call.json is not None:
        return json.dumps(call.json).encode("utf-8")
    return b""


def describe(call: Call[Any]) -> str:
    """``POST A_SalesOrder``: how errors name a request."""
    method = call.headers.get("X-HTTP-Method", call.method)
    return f"{method} {call.path}"


def request_part(call: Call[Any], content_id: str | None = None) -> bytes:
    """One request of a batch as a MIME part (``application/http``)."""
    if call.path.startswith(("http://", "https://", "/")):
        raise ValidationError(
            f"OData $batch: {describe(call)} must use a path relative to the service root"
        )
    query = _query_string(call)
    target = call.path + (f"?{query}" if query else "")
    body = _body(call)
    headers = dict(call.headers)
    if body:
        headers.setdefault("Content-Type", "application/json")
        headers["Content-Length"] = str(len(body))
    mime = {"Content-Type": "application/http", "Content-Transfer-Encoding": "binary"}
    if content_id is not None:
        mime["Content-ID"] = content_id
    message = http_part(f"{call.method} {target} HTTP/1.1", headers, body)
    head = CRLF.join(_header_bytes(k, v) for k, v in mime.items())
    return head + CRLF + CRLF + message


def build_batch(items: Sequence[BatchItem], boundary: str) -> bytes:
    """The body of a ``$batch`` request; change set parts get Content-IDs 1, 2, ..."""
    out = b""
    number = 0
    delimiter = _delimiter(boundary)
    for item in items:
        out += delimiter + CRLF
        if isinstance(item, ChangeSet):
            inner = f"changeset_{uuid.uuid4().hex}"
            out += f"Content-Type: multipart/mixed; boundary={inner}".encode() + CRLF + CRLF
            for call in item.calls:
                number += 1
                out += b"--" + inner.encode("ascii") + CRLF
                out += request_part(call, str(number)) + CRLF
            out += b"--" + inner.encode("ascii") + b"--" + CRLF
        else:
            out += request_part(item) + CRLF
    return out + delimiter + b"--" + CRLF


# ----------------------------------------------------------------------------- reading


def _outcome(call: Call[Any], response: httpx2.Response, service: str) -> Outcome:
    request = describe(call)
    error: ApiError
    if not call.accepts(response.status_code):
        error = odata_error(response, service=service, operation=call.limit_key)
        return Outcome(request, response.status_code, error=error)
    try:
        value = call.parse(response)
    except BridgeError as exc:
        if isinstance(exc, ApiError):
            return Outcome(request, response.status_code, error=exc)
        raise
    except _SHAPE_ERRORS as exc:
        error = ApiError(
            f"unreadable batch answer for {request} ({type(exc).__name__}: {exc})",
            status=response.status_code,
            service=service,
            operation=call.limit_key,
        )
        return Outcome(request, response.status_code, error=error)
    return Outcome(request, response.status_code, value=value)


def _failed(
    changeset: ChangeSet,
    first_id: int,
    response: httpx2.Response,
    mime: Mapping[str, str],
    service: str,
) -> BatchError:
    """The error for a change set SAP refused, naming the request that failed."""
    content_id = mime.get("content-id") or response.headers.get("content-id")
    index: int | None = None
    if content_id and content_id.strip().isdigit():
        index = int(content_id) - first_id
    elif len(changeset.calls) == 1:
        index = 0
    if index is not None and 0 <= index < len(changeset.calls):
        failed = describe(changeset.calls[index])
        where = f"request {index + 1} of the change set ({failed})"
    else:
        failed = ", ".join(describe(c) for c in changeset.calls)
        where = f"one of the change set's requests ({failed})"
    cause = odata_error(response, service=service)
    return BatchError(
        f"change set rolled back: {where} failed: {cause.detail_message}",
        failed_request=failed,
        status=response.status_code,
        code=cause.code,
        transaction_id=cause.transaction_id,
        error_details=cause.error_details,
        inner_error=cause.inner_error,
        service=service,
    )


def parse_batch(
    response: httpx2.Response, items: Sequence[BatchItem], service: str = "SAP"
) -> BatchResult:
    """Read a ``$batch`` answer against the requests that were sent."""
    parts = split_multipart(response.content, boundary_of(response.headers.get("content-type", "")))
    if len(parts) != len(items):
        raise ValidationError(
            f"OData $batch answer has {len(parts)} parts for {len(items)} requests/change sets"
        )
    outcomes: list[Outcome] = []
    number = 0
    for item, part in zip(items, parts, strict=True):
        _, mime, content = split_headers(part)
        kind = mime.get("content-type", "").lower()
        if isinstance(item, Call):
            outcomes.append(_outcome(item, parse_http_response(content), service))
            continue
        first_id = number + 1
        number += len(item.calls)
        if kind.startswith("multipart/mixed"):
            answers = split_multipart(content, boundary_of(mime["content-type"]))
            if len(answers) != len(item.calls):
                raise ValidationError(
                    f"OData $batch: change set answer has {len(answers)} parts for "
                    f"{len(item.calls)} requests"
                )
            for offset, (call, answer) in enumerate(zip(item.calls, answers, strict=True)):
                _, inner_mime, inner = split_headers(answer)
                reply = parse_http_response(inner)
                if not call.accepts(reply.status_code):
                    inner_mime.setdefault("content-id", str(first_id + offset))
                    raise _failed(item, first_id, reply, inner_mime, service)
                outcomes.append(_outcome(call, reply, service))
        else:
            raise _failed(item, first_id, parse_http_response(content), mime, service)
    return BatchResult(tuple(outcomes))


def batch(
    items: Sequence[BatchItem], *, boundary: str | None = None, service: str = "SAP"
) -> Call[BatchResult]:
    """A ``$batch`` call: reads and change sets in one request, each answer parsed by its call."""
    items = list(items)
    if not items:
        raise ValidationError("OData $batch: nothing to send")
    boundary = boundary or f"batch_{uuid.uuid4().hex}"
    if not _BCHARS.fullmatch(boundary):
        raise ValidationError(f"OData $batch: boundary {boundary[:80]!r} is not an RFC 2046 one")

    def parse(response: httpx2.Response) -> BatchResult:
        return parse_batch(response, items, service)

    return Call(
        "POST",
        "$batch",
        parse=parse,
        content=build_batch(items, boundary),
        headers={
            "Content-Type": f"multipart/mixed; boundary={boundary}",
            "Accept": "multipart/mixed",
        },
        limit_key="sap.batch",
    )


__all__ = [
    "BatchItem",
    "BatchResult",
    "ChangeSet",
    "ODataError",
    "Outcome",
    "batch",
    "build_batch",
    "build_multipart",
    "parse_batch",
    "split_multipart",
]
