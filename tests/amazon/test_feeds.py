"""Feeds 2021-06-30 and the JSON_LISTINGS_FEED: builder, calls, processing report, sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2
import pytest

from amazon_erp_bridge.amazon import feeds as ops
from amazon_erp_bridge.amazon.feeds import (
    JSON_CONTENT_TYPE,
    JSON_LISTINGS_FEED,
    FeedFailedError,
    FeedTimeoutError,
    encode_feed,
    listings_quantity_feed,
    parse_processing_report,
)
from amazon_erp_bridge.amazon.processing import ProcessingStatus
from amazon_erp_bridge.errors import ApiError, ValidationError
from amazon_erp_bridge.sandbox.amazon.feeds import UNKNOWN_SKU

from .spapi_env import Env

RECORDED = Path(__file__).parent / "recorded"
US = "ATVPDKIKX0DER"
SELLER = "A3SANDBOXSELLER1"


# -- the listings feed -----------------------------------------------------------------------


def test_quantity_feed_has_the_schema_v2_message_shape() -> None:
    feed = listings_quantity_feed(SELLER, {"SKU-A": 5, "SKU-B": 0})
    assert feed["header"] == {"sellerId": SELLER, "version": "2.0"}
    assert feed["messages"] == [
        {
            "messageId": 1,
            "sku": "SKU-A",
            "operationType": "PATCH",
            "productType": "PRODUCT",
            "patches": [
                {
                    "op": "replace",
                    "path": "/attributes/fulfillment_availability",
                    "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 5}],
                }
            ],
        },
        {
            "messageId": 2,
            "sku": "SKU-B",
            "operationType": "PATCH",
            "productType": "PRODUCT",
            "patches": [
                {
                    "op": "replace",
                    "path": "/attributes/fulfillment_availability",
                    "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}],
                }
            ],
        },
    ]
    assert json.loads(encode_feed(feed)) == feed


@pytest.mark.parametrize(
    ("quantities", "words"),
    [
        ({}, "at least one SKU"),
        ({"A": -1}, "SKU A: quantity must be a whole number >= 0, got -1"),
        ({"A": 1.5}, "got 1.5"),
        ({"A": True}, "got True"),
        ({"": 1}, "message 1: SKU '' is empty"),
    ],
)
def test_quantity_feed_refuses_bad_quantities(quantities: dict[str, int], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        listings_quantity_feed(SELLER, quantities)


def test_quantity_feed_refuses_more_than_25000_messages() -> None:
    with pytest.raises(ValidationError, match="at most 25000 messages"):
        listings_quantity_feed(SELLER, {f"S{n}": 1 for n in range(25001)})


def test_quantity_feed_needs_a_seller() -> None:
    with pytest.raises(ValidationError, match="seller_id"):
        listings_quantity_feed(" ", {"A": 1})


# -- calls and shapes ------------------------------------------------------------------------


def test_feed_calls_use_documented_paths_bodies_and_keys() -> None:
    doc = ops.create_feed_document()
    assert (doc.method, doc.path, doc.json, doc.limit_key) == (
        "POST",
        "/feeds/2021-06-30/documents",
        {"contentType": JSON_CONTENT_TYPE},
        "feeds.createFeedDocument",
    )
    feed = ops.create_feed(JSON_LISTINGS_FEED, [US], "doc-1", feed_options={"a": "b"})
    assert feed.json == {
        "feedType": JSON_LISTINGS_FEED,
        "marketplaceIds": [US],
        "inputFeedDocumentId": "doc-1",
        "feedOptions": {"a": "b"},
    }
    assert feed.parse(httpx2.Response(202, json={"feedId": "9"})) == "9"
    assert ops.get_feed("9").path == "/feeds/2021-06-30/feeds/9"
    assert ops.cancel_feed("9").method == "DELETE"
    assert ops.get_feed_document("d").limit_key == "feeds.getFeedDocument"
    assert ops.get_feeds(feed_types=["X"], page_size=5).params == {
        "feedTypes": "X",
        "pageSize": "5",
    }
    with pytest.raises(ValidationError, match="feed_types"):
        ops.get_feeds()


def test_upload_goes_to_the_presigned_url_without_a_token() -> None:
    document = ops.FeedDocument("d", "https://bucket.example/up?sig=1")
    call = ops.upload_feed_document(document, b"{}", JSON_CONTENT_TYPE)
    assert call.path == "https://bucket.example/up?sig=1"
    assert call.authenticated is False and call.headers["Content-Type"] == JSON_CONTENT_TYPE


def test_feed_parses_recorded_shape() -> None:
    response = httpx2.Response(200, content=(RECORDED / "feeds_getFeed_done.json").read_bytes())
    feed = ops.get_feed("x").parse(response)
    assert feed.processing_status is ProcessingStatus.DONE
    assert feed.result_feed_document_id == "amzn1.tortuga.4.na.result-0001"


def test_processing_report_parses_recorded_shape() -> None:
    report = parse_processing_report((RECORDED / "feeds_processing_report.json").read_bytes())
    assert report.feed_id == "50000000001" and not report.ok
    assert report.summary.messages_accepted == 2 and report.summary.messages_invalid == 1
    assert report.rejected_skus() == {"SKU-GONE"}
    warning = report.issues[1]
    assert (warning.severity, warning.attribute_name, warning.message_id) == (
        "WARNING",
        "item_weight",
        3,
    )


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"not json", "not JSON"),
        (b"[]", "expected an object with a summary"),
        (b'{"summary": {"errors": "2"}}', "summary.errors: expected a count"),
        (
            b'{"summary": {"errors": 0, "warnings": 0, "messagesProcessed": 0, '
            b'"messagesAccepted": 0, "messagesInvalid": 0}, "issues": [{"code": "1"}]}',
            "issue 0: expected severity and message",
        ),
    ],
)
def test_malformed_processing_report_is_refused(content: bytes, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        parse_processing_report(content)


# -- against the sandbox ---------------------------------------------------------------------


def test_quantity_feed_is_uploaded_processed_and_applied() -> None:
    env = Env()
    with env.client() as client:
        feed_id = client.feeds.submit_listings_quantities(
            SELLER, {"SKU-MUG-01": 7, "SKU-LAMP-02": 0, "SKU-GONE": 3}, [US]
        )
        feed = client.feeds.wait(feed_id)
        report = client.feeds.processing_report(feed)
    assert feed.processing_status is ProcessingStatus.DONE
    assert report.summary.messages_processed == 3 and report.summary.messages_accepted == 2
    assert report.rejected_skus() == {"SKU-GONE"}
    assert report.errors()[0].code == UNKNOWN_SKU
    assert env.fake.feeds.quantities == {"SKU-MUG-01": 7, "SKU-LAMP-02": 0}
    upload = env.fake.requests_to(r"^/_sandbox/uploads/")[0]
    assert "x-amz-access-token" not in upload.headers
    assert json.loads(upload.body)["messages"][0]["sku"] == "SKU-MUG-01"


def test_feed_with_wrong_seller_ends_fatal() -> None:
    env = Env()
    with env.client() as client:
        feed_id = client.feeds.submit_listings_quantities("SOMEONE-ELSE", {"SKU-MUG-01": 1}, [US])
        with pytest.raises(FeedFailedError) as info:
            client.feeds.wait(feed_id)
        assert info.value.document_id
        report = ops.parse_processing_report(client.feeds.download(info.value.document_id))
    assert "is not yours" in report.issues[0].message


def test_feed_that_never_finishes_times_out() -> None:
    env = Env()
    env.fake.feeds.polls_per_step = 1000
    with env.client() as client:
        feed_id = client.feeds.submit_listings_quantities(SELLER, {"SKU-MUG-01": 1}, [US])
        with pytest.raises(FeedTimeoutError, match=f"feed {feed_id}.*IN_QUEUE"):
            client.feeds.wait(feed_id, timeout=30, poll_interval=10)


def test_feed_cannot_name_a_document_that_was_not_uploaded() -> None:
    env = Env()
    with env.client() as client:
        document = client.feeds.create_feed_document()
        with pytest.raises(ApiError, match="has not been uploaded"):
            client.feeds.create_feed(JSON_LISTINGS_FEED, [US], document.feed_document_id)


def test_upload_with_another_content_type_is_refused_like_s3_does() -> None:
    env = Env()
    with env.client() as client:
        document = client.feeds.create_feed_document(JSON_CONTENT_TYPE)
        with pytest.raises(ApiError) as info:
            client.feeds.upload(document, b"{}", "text/plain")
    assert info.value.status == 403


def test_cancel_queued_feed_and_list_feeds() -> None:
    env = Env()
    env.fake.feeds.polls_per_step = 1000
    with env.client() as client:
        first = client.feeds.submit_listings_quantities(SELLER, {"SKU-MUG-01": 1}, [US])
        client.feeds.submit_listings_quantities(SELLER, {"SKU-MUG-01": 2}, [US])
        client.feeds.cancel_feed(first)
        listed = list(client.feeds.get_feeds(feed_types=[JSON_LISTINGS_FEED], page_size=1))
        assert client.feeds.get_feed(first).processing_status is ProcessingStatus.CANCELLED
    assert {f.feed_id for f in listed} >= {first}
    assert len(listed) == 2


def test_processing_report_before_done_is_refused() -> None:
    env = Env()
    env.fake.feeds.polls_per_step = 1000
    with env.client() as client:
        feed = client.feeds.get_feed(
            client.feeds.submit_listings_quantities(SELLER, {"SKU-MUG-01": 1}, [US])
        )
        with pytest.raises(ValidationError, match="no result document yet"):
            client.feeds.processing_report(feed)


async def test_async_feed_round_trip() -> None:
    env = Env()
    async with env.async_client() as client:
        feed_id = await client.feeds.submit_listings_quantities(SELLER, {"SKU-TEA-05": 12}, [US])
        feed = await client.feeds.wait(feed_id)
        report = await client.feeds.processing_report(feed)
        listed = [f async for f in client.feeds.get_feeds(feed_types=[JSON_LISTINGS_FEED])]
    assert report.ok and listed[0].feed_id == feed_id
    assert env.fake.feeds.quantities == {"SKU-TEA-05": 12}
