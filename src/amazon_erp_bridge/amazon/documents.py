"""Report and feed documents: pre-signed download calls, gzip by magic bytes, text decoding.

Amazon hands out documents as pre-signed URLs (valid for five minutes) and says whether they
are compressed. It has been seen to mark plain files as GZIP, so the decision to gunzip is made
from the first two bytes of the stream (``1f 8b``), never from the ``compressionAlgorithm``
field alone. Text comes in the charset of the response's Content-Type, else ISO-8859-1, and
Japanese reports in windows-31j (Python's ``cp932``). Everything here is pure and incremental:
chunks go in, chunks come out, nothing is held whole.
"""

from __future__ import annotations

import codecs
import zlib
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from typing import Any

import httpx2

from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.core.redaction import get_logger
from amazon_erp_bridge.core.sender import ResponseHook
from amazon_erp_bridge.errors import BridgeError

log = get_logger("amazon_erp_bridge.amazon.documents")

GZIP_MAGIC = b"\x1f\x8b"
#: Amazon.co.jp: its reports come in windows-31j when the response names no charset.
JAPAN_MARKETPLACE_ID = "A1VC38T7YXB528"
DEFAULT_ENCODING = "iso-8859-1"

_UTF8_BOM = codecs.BOM_UTF8
# Names Amazon uses that Python's codec registry does not know, or knows as a narrower codec.
_ENCODING_ALIASES = {
    "windows-31j": "cp932",
    "windows_31j": "cp932",
    "ms932": "cp932",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
}


class DocumentError(BridgeError):
    """A downloaded document cannot be read: truncated or corrupt gzip, undecodable text."""

    def __init__(self, message: str, *, document_id: str = "") -> None:
        super().__init__(message)
        self.document_id = document_id


def _what(document_id: str) -> str:
    return f"document {document_id}" if document_id else "document"


class Inflater:
    """Gunzips a byte stream that starts with the gzip magic bytes; passes others through.

    Feed chunks with :meth:`feed`, then call :meth:`finish`, which raises
    :class:`DocumentError` if a gzip stream stopped before its end (a truncated download).
    Concatenated gzip members are inflated one after the other, as ``gunzip`` does.
    """

    def __init__(self, document_id: str = "") -> None:
        self.document_id = document_id
        self._head = b""
        self._gzip: bool | None = None  # None until two bytes have been seen
        self._inflate: Any = None
        self._compressed = 0
        self._received = 0

    @property
    def compressed(self) -> bool | None:
        """True for gzip, False for plain, None while fewer than two bytes have arrived."""
        return self._gzip

    def feed(self, chunk: bytes) -> bytes:
        """The decompressed bytes that ``chunk`` completes (may be empty)."""
        before, self._received = self._received, self._received + len(chunk)
        if self._received >> 20 > before >> 20:
            log.debug("document %s: %d MiB received", self.document_id, self._received >> 20)
        if self._gzip is None:
            self._head += chunk
            if len(self._head) < len(GZIP_MAGIC):
                return b""
            chunk, self._head = self._head, b""
            self._gzip = chunk.startswith(GZIP_MAGIC)
            if self._gzip:
                self._inflate = zlib.decompressobj(wbits=31)
        if not self._gzip:
            return chunk
        return self._inflate_chunk(chunk)

    def _inflate_chunk(self, chunk: bytes) -> bytes:
        out: list[bytes] = []
        while chunk:
            self._compressed += len(chunk)
            try:
                out.append(self._inflate.decompress(chunk))
            except zlib.error as exc:
                raise DocumentError(
                    f"{_what(self.document_id)}: corrupt gzip data after "
                    f"{self._compressed} compressed bytes ({exc})",
                    document_id=self.document_id,
                ) from None
            if not self._inflate.eof:
                break
            rest = self._inflate.unused_data
            self._compressed -= len(rest)
            if rest.strip(b"\x00") and not rest.startswith(GZIP_MAGIC):
                raise DocumentError(
                    f"{_what(self.document_id)}: {len(rest)} bytes of non-gzip data follow "
                    "the end of the gzip stream",
                    document_id=self.document_id,
                )
            chunk = rest if rest.startswith(GZIP_MAGIC) else b""
            if chunk:
                self._inflate = zlib.decompressobj(wbits=31)
        return b"".join(out)

    def finish(self) -> bytes:
        """Whatever is left; raises :class:`DocumentError` if the gzip stream was cut short."""
        if self._gzip is None:
            head, self._head = self._head, b""
            self._gzip = False
            return head
        if not self._gzip:
            return b""
        if not self._inflate.eof:
            raise DocumentError(
                f"{_what(self.document_id)}: the gzip stream ends early after "
                f"{self._compressed} compressed bytes (truncated download?); download it again",
                document_id=self.document_id,
            )
        return b""


def inflate(chunks: Iterable[bytes], document_id: str = "") -> Iterator[bytes]:
    """``chunks`` gunzipped if they start with the gzip magic bytes, else unchanged."""
    inflater = Inflater(document_id)
    for chunk in chunks:
        out = inflater.feed(chunk)
        if out:
            yield out
    tail = inflater.finish()
    if tail:
        yield tail


async def inflate_async(
    chunks: AsyncIterable[bytes], document_id: str = ""
) -> AsyncIterator[bytes]:
    """The async twin of :func:`inflate`."""
    inflater = Inflater(document_id)
    async for chunk in chunks:
        out = inflater.feed(chunk)
        if out:
            yield out
    tail = inflater.finish()
    if tail:
        yield tail


def normalize_encoding(name: str) -> str:
    """Python's codec name for a charset label; windows-31j and Shift_JIS become cp932."""
    label = name.strip().strip('"').lower()
    label = _ENCODING_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        raise DocumentError(f"unknown text encoding {name!r}") from None


def charset_of(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header value, if it has one."""
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None


def choose_encoding(
    content_type: str | None = None,
    *,
    marketplace_id: str | None = None,
    encoding: str | None = None,
) -> str:
    """The codec to read a document with.

    An explicit ``encoding`` wins; then the response's charset; then cp932 for Amazon.co.jp;
    then ISO-8859-1, which Amazon uses for flat files in the other marketplaces.
    """
    if encoding:
        return normalize_encoding(encoding)
    charset = charset_of(content_type)
    if charset:
        return normalize_encoding(charset)
    if marketplace_id == JAPAN_MARKETPLACE_ID:
        return "cp932"
    return DEFAULT_ENCODING


class TextDecoder:
    """Incremental bytes-to-text decoding; characters split across chunks are kept whole.

    A UTF-8 byte order mark at the start switches to UTF-8 whatever the declared encoding:
    it cannot mean anything else, and ISO-8859-1 would turn it into header garbage.
    """

    def __init__(self, encoding: str, document_id: str = "") -> None:
        self.encoding = normalize_encoding(encoding)
        self.document_id = document_id
        self._decoder: codecs.IncrementalDecoder | None = None
        self._head = b""
        self._offset = 0

    def feed(self, chunk: bytes, final: bool = False) -> str:
        """The text that ``chunk`` completes; pass ``final=True`` with the last chunk."""
        if self._decoder is None:
            self._head += chunk
            if len(self._head) < len(_UTF8_BOM) and not final:
                return ""
            chunk, self._head = self._head, b""
            encoding = self.encoding
            if chunk.startswith(_UTF8_BOM):
                encoding = "utf-8-sig"
            self._decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            text = self._decoder.decode(chunk, final)
        except UnicodeDecodeError as exc:
            raise DocumentError(
                f"{_what(self.document_id)}: byte {self._offset + exc.start} is not valid "
                f"{self.encoding} ({exc.reason}); pass the right encoding",
                document_id=self.document_id,
            ) from None
        self._offset += len(chunk)
        return text

    def finish(self) -> str:
        """The last characters; raises :class:`DocumentError` on a truncated multibyte one."""
        return self.feed(b"", final=True)


Encoding = str | Callable[[], str]


def _decoder(encoding: Encoding, document_id: str) -> TextDecoder:
    return TextDecoder(encoding if isinstance(encoding, str) else encoding(), document_id)


def decode(chunks: Iterable[bytes], encoding: Encoding, document_id: str = "") -> Iterator[str]:
    """Text chunks from byte chunks in ``encoding``.

    ``encoding`` may be a function, called when the first chunk has arrived: a download knows
    its Content-Type only then.
    """
    decoder: TextDecoder | None = None
    for chunk in chunks:
        decoder = decoder or _decoder(encoding, document_id)
        text = decoder.feed(chunk)
        if text:
            yield text
    tail = decoder.finish() if decoder else ""
    if tail:
        yield tail


async def decode_async(
    chunks: AsyncIterable[bytes], encoding: Encoding, document_id: str = ""
) -> AsyncIterator[str]:
    """The async twin of :func:`decode`."""
    decoder: TextDecoder | None = None
    async for chunk in chunks:
        decoder = decoder or _decoder(encoding, document_id)
        text = decoder.feed(chunk)
        if text:
            yield text
    tail = decoder.finish() if decoder else ""
    if tail:
        yield tail


class ResponseHead:
    """The headers of a streamed document response, filled in when the response arrives.

    A streamed call's body never reaches a parse function, so this object stands in as the
    call's ``parse`` and :func:`record_document_head` (a sender hook) hands it the response.
    """

    def __init__(self) -> None:
        self.headers: httpx2.Headers | None = None

    def __call__(self, response: httpx2.Response) -> None:
        self.headers = response.headers

    @property
    def content_type(self) -> str | None:
        return None if self.headers is None else self.headers.get("content-type")


def record_document_head(call: Call[Any], response: httpx2.Response) -> None:
    """Sender hook: give a document download's :class:`ResponseHead` the response headers."""
    if isinstance(call.parse, ResponseHead):
        call.parse(response)


def watch_document_heads(hooks: list[ResponseHook]) -> None:
    """Install :func:`record_document_head` in a sender's hooks (once)."""
    if record_document_head not in hooks:
        hooks.append(record_document_head)


def download_call(url: str) -> tuple[Call[None], ResponseHead]:
    """The call that streams a document from its pre-signed URL, and where its headers land.

    The URL carries its own signature: no access token is sent and no SP-API rate limit
    applies.
    """
    head = ResponseHead()
    call: Call[None] = Call("GET", url, parse=head, authenticated=False, stream=True)
    return call, head


def upload_call(url: str, content: bytes, content_type: str) -> Call[None]:
    """The call that PUTs a feed document to its pre-signed URL (sending it twice is harmless)."""
    return Call(
        "PUT",
        url,
        parse=_ignore,
        content=content,
        headers={"Content-Type": content_type},
        authenticated=False,
        idempotent=True,
    )


def _ignore(response: httpx2.Response) -> None:
    return None
