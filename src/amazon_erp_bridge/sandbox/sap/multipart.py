"""The fake's own multipart/mixed codec for OData ``$batch`` (it shares no code with the client).

A ``$batch`` body is MIME multipart/mixed (RFC 2046 section 5.1): parts between
``--boundary`` lines, the last followed by ``--boundary--``; each part has MIME headers, a blank
line and its content, which is an ``application/http`` message (request line or status line,
headers, blank line, body) or, for a change set, another multipart/mixed body. Boundaries and
header lines are ASCII (RFC 2046 and RFC 7230 allow nothing else); anything else is a
:class:`MultipartError`, which the fake answers with 400.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

CRLF = b"\r\n"
_BOUNDARY = re.compile(r'boundary=(?:"([^"]{1,70})"|([^;\s"]{1,70}))', re.IGNORECASE)
_BCHARS = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]*[0-9A-Za-z'()+_,\-./:=?]")


class MultipartError(ValueError):
    """A multipart body or header the fake cannot read."""


def boundary(content_type: str) -> str:
    """The boundary parameter of a multipart Content-Type (ASCII, 1 to 70 characters)."""
    match = _BOUNDARY.search(content_type or "")
    if not match:
        raise MultipartError(f"no multipart boundary in Content-Type {content_type!r}")
    value = match.group(1) or match.group(2)
    if not value.isascii() or not _BCHARS.fullmatch(value):
        raise MultipartError(f"multipart boundary {value!r} has characters RFC 2046 forbids")
    return value


def split(body: bytes, marker: str) -> list[bytes]:
    """The parts of a multipart body, preamble and epilogue dropped."""
    delimiter = b"--" + marker.encode("ascii")
    parts: list[bytes] = []
    current: list[bytes] | None = None
    for line in body.splitlines(keepends=True):
        bare = line.rstrip(b"\r\n").rstrip(b" \t")
        if bare == delimiter or bare == delimiter + b"--":
            if current is not None:
                part = b"".join(current)
                parts.append(part[:-2] if part.endswith(CRLF) else part.removesuffix(b"\n"))
            if bare.endswith(b"--") and bare != delimiter:
                return parts
            current = []
        elif current is not None:
            current.append(line)
    raise MultipartError(f"multipart body does not end with --{marker}--")


def head_and_body(data: bytes) -> tuple[list[str], dict[str, str], bytes]:
    """The header lines (first line kept), the headers by lower-case name, and the body."""
    match = re.search(rb"\r?\n\r?\n", data)
    head, body = (data, b"") if match is None else (data[: match.start()], data[match.end() :])
    try:
        lines = [ln.decode("ascii") for ln in re.split(rb"\r?\n", head) if ln]
    except UnicodeDecodeError:
        raise MultipartError("a header line of the batch holds a non-ASCII byte") from None
    headers: dict[str, str] = {}
    for line in lines:
        name, sep, value = line.partition(":")
        if sep and " " not in name.strip() and not line.startswith("HTTP/"):
            headers[name.strip().lower()] = value.strip()
    return lines, headers, body


def http_message(start_line: str, headers: Mapping[str, str], body: bytes) -> bytes:
    """An ``application/http`` message: start line, headers, blank line, body."""
    lines = [start_line, *(f"{k}: {v}" for k, v in headers.items())]
    return CRLF.join(line.encode("latin-1") for line in lines) + CRLF + CRLF + body


def join(parts: Sequence[tuple[Mapping[str, str], bytes]], marker: str) -> bytes:
    """A multipart/mixed body from (MIME headers, content) pairs."""
    out = b""
    delimiter = b"--" + marker.encode("ascii")
    for headers, content in parts:
        head = CRLF.join(f"{k}: {v}".encode("latin-1") for k, v in headers.items())
        out += delimiter + CRLF + head + CRLF + CRLF + content + CRLF
    return out + delimiter + b"--" + CRLF
