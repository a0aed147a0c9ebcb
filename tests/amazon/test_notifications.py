"""Notifications from SQS and EventBridge as typed events; malformed ones refused clearly."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from amazon_erp_bridge.amazon.notifications import (
    FbaOutboundShipmentStatusEvent,
    OrderChangeEvent,
    ReportProcessingFinishedEvent,
    parse_notification,
)
from amazon_erp_bridge.amazon.processing import ProcessingStatus
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import FulfillmentChannel, OrderStatus

RECORDED = Path(__file__).parent / "recorded"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((RECORDED / f"notification_{name}.json").read_text())
    return data


def eventbridge(detail: Any) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "4b1d6a5e-0000-0000-0000-000000000000",
        "detail-type": "Order Change",
        "source": "aws.partner/sellingpartnerapi.amazon/amzn1.sellerapps.app.sandbox-0001",
        "account": "123456789012",
        "time": "2026-04-14T10:15:03Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


def test_order_change_from_an_sqs_body() -> None:
    event = parse_notification(json.dumps(load("order_change")))
    assert isinstance(event, OrderChangeEvent)
    assert event.amazon_order_id == "112-5550123-7654321"
    assert event.order_status is OrderStatus.SHIPPED
    assert event.fulfillment_type is FulfillmentChannel.AMAZON
    assert event.order_change_type == "OrderStatusChange"
    assert event.change_reason == "Order shipped"
    assert event.event_time == datetime(2026, 4, 14, 10, 15, 2, 120000, tzinfo=UTC)
    assert event.metadata.notification_id.endswith("0001")
    (item,) = event.items
    assert (item.seller_sku, item.quantity, item.quantity_shipped) == ("SKU-MUG-01", 2, 2)
    assert item.supply_source_id is None


def test_shipment_status_from_an_eventbridge_event() -> None:
    event = parse_notification(eventbridge(load("fba_outbound_shipment_status")))
    assert isinstance(event, FbaOutboundShipmentStatusEvent)
    assert (event.amazon_order_id, event.amazon_shipment_id, event.shipment_status) == (
        "WEB-10042",
        "TQbCx7kD2",
        "Created",
    )


def test_camel_case_report_notification_from_bytes() -> None:
    event = parse_notification(json.dumps(load("report_processing_finished")).encode())
    assert isinstance(event, ReportProcessingFinishedEvent)
    assert event.processing_status is ProcessingStatus.DONE
    assert event.report_document_id == "amzn1.spdoc.1.4.na.settlement-0001"
    assert event.metadata.subscription_id == "sub-0003"


def test_whole_sqs_message_and_eventbridge_inside_sqs_are_unwrapped() -> None:
    body = json.dumps(eventbridge(load("order_change")))
    message = {"MessageId": "m-1", "ReceiptHandle": "r-1", "Body": body}
    assert isinstance(parse_notification(message), OrderChangeEvent)
    lambda_record = {"messageId": "m-1", "body": json.dumps(load("order_change"))}
    assert isinstance(parse_notification(lambda_record), OrderChangeEvent)


def test_eventbridge_detail_given_as_a_json_string_is_read() -> None:
    event = parse_notification(eventbridge(json.dumps(load("report_processing_finished"))))
    assert isinstance(event, ReportProcessingFinishedEvent)


def test_unknown_type_is_refused_with_the_supported_list() -> None:
    data = load("order_change")
    data["NotificationType"] = "ANY_OFFER_CHANGED"
    with pytest.raises(ValidationError) as info:
        parse_notification(data)
    assert "'ANY_OFFER_CHANGED' is not supported" in str(info.value)
    assert "ORDER_CHANGE" in str(info.value)


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "expected a JSON object"),
        ({"hello": "world"}, "no NotificationType"),
        ({"Body": "{oops"}, "SQS message Body: not JSON"),
    ],
)
def test_malformed_messages_are_refused(message: Any, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        parse_notification(message)


def test_missing_field_is_named_by_its_path() -> None:
    data = load("order_change")
    del data["Payload"]["OrderChangeNotification"]["AmazonOrderId"]
    with pytest.raises(ValidationError) as info:
        parse_notification(data)
    assert "ORDER_CHANGE.Payload.OrderChangeNotification.AmazonOrderId" in str(info.value)


def test_unknown_order_status_is_refused_naming_the_allowed_ones() -> None:
    data = load("order_change")
    data["Payload"]["OrderChangeNotification"]["Summary"]["OrderStatus"] = "Lost"
    with pytest.raises(ValidationError, match="'Lost' is not one of Pending"):
        parse_notification(data)


def test_bad_quantity_and_bad_timestamp_are_refused() -> None:
    data = load("order_change")
    data["Payload"]["OrderChangeNotification"]["Summary"]["OrderItems"][0]["Quantity"] = "two"
    with pytest.raises(ValidationError, match=r"OrderItems\[0\]\.Quantity: expected a whole"):
        parse_notification(data)
    data = load("fba_outbound_shipment_status")
    data["EventTime"] = "yesterday"
    with pytest.raises(ValidationError, match="EventTime"):
        parse_notification(data)


def test_missing_metadata_is_refused() -> None:
    data = load("report_processing_finished")
    del data["notificationMetadata"]
    with pytest.raises(ValidationError, match="NotificationMetadata: expected an object"):
        parse_notification(data)
