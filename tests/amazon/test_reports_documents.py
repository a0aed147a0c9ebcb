"""Document streams, pure: gzip decided by magic bytes, truncation, incremental decoding."""

from __future__ import annotations

import gzip

import httpx2
import pytest

from amazon_erp_bridge.amazon.documents import (
    DocumentError,
    Inflater,
    TextDecoder,
    charset_of,
    choose_encoding,
    decode,
    download_call,
    inflate,
    normalize_encoding,
    record_document_head,
    upload_call,
)

TEXT = ("sku\tquantity\n" + "".join(f"SKU-{n}\t{n}\n" for n in range(500))).encode()


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("size", [1, 2, 3, 64, 100000])
def test_gzip_stream_is_inflated_whatever_the_chunk_size(size: int) -> None:
    assert b"".join(inflate(chunked(gzip.compress(TEXT), size))) == TEXT


@pytest.mark.parametrize("size", [1, 5, 100000])
def test_plain_stream_passes_through_even_if_called_gzip(size: int) -> None:
    inflater = Inflater("doc-1")
    out = b"".join(inflater.feed(c) for c in chunked(TEXT, size)) + inflater.finish()
    assert out == TEXT
    assert inflater.compressed is False


def test_concatenated_gzip_members_are_all_inflated() -> None:
    data = gzip.compress(b"first\n") + gzip.compress(b"second\n")
    assert b"".join(inflate([data])) == b"first\nsecond\n"


def test_truncated_gzip_is_a_clear_error() -> None:
    data = gzip.compress(TEXT)[:-40]
    with pytest.raises(DocumentError) as info:
        b"".join(inflate(chunked(data, 50), "amzn1.doc.7"))
    assert "amzn1.doc.7" in str(info.value)
    assert "ends early" in str(info.value) and "truncated" in str(info.value)
    assert info.value.document_id == "amzn1.doc.7"


def test_corrupt_gzip_is_a_clear_error() -> None:
    data = bytearray(gzip.compress(TEXT))
    data[20:30] = b"\xff" * 10
    with pytest.raises(DocumentError, match="corrupt gzip data"):
        b"".join(inflate([bytes(data)]))


def test_garbage_after_gzip_is_refused_but_zero_padding_is_not() -> None:
    assert b"".join(inflate([gzip.compress(b"ok") + b"\x00\x00"])) == b"ok"
    with pytest.raises(DocumentError, match="non-gzip data"):
        b"".join(inflate([gzip.compress(b"ok") + b"junk"]))


def test_one_byte_document_is_plain() -> None:
    assert b"".join(inflate([b"x"])) == b"x"
    assert b"".join(inflate([])) == b""


@pytest.mark.parametrize(
    ("content_type", "marketplace", "explicit", "expected"),
    [
        ("text/plain;charset=UTF-8", None, None, "utf-8"),
        ('text/plain; charset="Windows-31J"', None, None, "cp932"),
        ("text/plain; charset=Shift_JIS", None, None, "cp932"),
        ("text/plain", "A1VC38T7YXB528", None, "cp932"),
        ("text/plain", "ATVPDKIKX0DER", None, "iso8859-1"),
        (None, None, None, "iso8859-1"),
        ("text/plain;charset=UTF-8", None, "cp1252", "cp1252"),
    ],
)
def test_encoding_is_chosen_by_charset_then_marketplace_then_latin1(
    content_type: str | None, marketplace: str | None, explicit: str | None, expected: str
) -> None:
    chosen = choose_encoding(content_type, marketplace_id=marketplace, encoding=explicit)
    assert normalize_encoding(chosen) == expected


def test_unknown_charset_is_a_document_error() -> None:
    with pytest.raises(DocumentError, match="unknown text encoding 'klingon'"):
        choose_encoding("text/plain; charset=klingon")


def test_charset_of_reads_only_the_charset_parameter() -> None:
    assert charset_of("text/plain; format=flowed; charset=utf-8") == "utf-8"
    assert charset_of("text/plain") is None
    assert charset_of(None) is None


def test_multibyte_characters_split_across_chunks_decode_whole() -> None:
    text = "品番\t数量\nＡ-1\t3\n"
    for encoding in ("cp932", "utf-8"):
        data = text.encode(encoding)
        assert "".join(decode(chunked(data, 1), encoding)) == text


def test_utf8_bom_wins_over_a_latin1_fallback() -> None:
    data = "sku\tname\nA\tCaf\u00e9\n".encode("utf-8-sig")
    assert "".join(decode(chunked(data, 2), "iso-8859-1")) == "sku\tname\nA\tCaf\u00e9\n"


def test_invalid_bytes_name_the_offset_and_encoding() -> None:
    decoder = TextDecoder("utf-8", "doc-9")
    decoder.feed(b"abc")
    with pytest.raises(DocumentError, match=r"doc-9: byte 4 is not valid utf-8"):
        decoder.feed(b"d\xffe")


def test_truncated_multibyte_character_at_the_end_is_an_error() -> None:
    decoder = TextDecoder("utf-8")
    decoder.feed("é".encode()[:1])
    with pytest.raises(DocumentError):
        decoder.finish()


def test_encoding_given_as_a_function_is_asked_at_the_first_chunk() -> None:
    asked: list[int] = []

    def encoding() -> str:
        asked.append(1)
        return "cp932"

    chunks = iter(["日本".encode("cp932")])
    out = decode(chunks, encoding)
    assert asked == []
    assert "".join(out) == "日本"
    assert asked == [1]


def test_download_call_is_unauthenticated_and_keeps_the_presigned_url() -> None:
    url = "https://bucket.example/doc?X-Amz-Signature=ab%2Fcd&X-Amz-Expires=300"
    call, head = download_call(url)
    assert call.method == "GET" and call.path == url
    assert call.authenticated is False and call.limit_key == "" and call.stream
    response = httpx2.Response(200, headers={"Content-Type": "text/plain;charset=UTF-8"})
    record_document_head(call, response)
    assert head.content_type == "text/plain;charset=UTF-8"


def test_upload_call_sends_content_type_and_may_be_repeated() -> None:
    call = upload_call("https://bucket.example/up?sig=1", b"{}", "application/json")
    assert call.method == "PUT" and call.headers == {"Content-Type": "application/json"}
    assert call.is_idempotent and call.authenticated is False and call.content == b"{}"
