"""Every notification type the bridge subscribes to, against its official JSON schema and the
schema's examples: it parses, each required field it reads is required and typed so in the
schema, and a message missing or mistyping one is an EventError naming the field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from amazon_erp_bridge.events import amazon as parsing
from amazon_erp_bridge.events.errors import EventError, UnknownEventError
from amazon_erp_bridge.events.model import (
    FulfillmentChanged,
    OrderChanged,
    ProcessingFinished,
    ReturnReceived,
    StockChanged,
)
from amazon_erp_bridge.sandbox.amazon.notifications import order_change
from amazon_erp_bridge.sandbox.amazon.state import seeded

from .schema_tools import FILES, examples, node_at, problems, replaced, schema, without

EXPECTED: dict[str, type] = {
    "ORDER_CHANGE": OrderChanged,
    "FBA_OUTBOUND_SHIPMENT_STATUS": FulfillmentChanged,
    "FULFILLMENT_ORDER_STATUS": ReturnReceived,  # its example carries a returned item
    "FBA_INVENTORY_AVAILABILITY_CHANGES": StockChanged,
    "LISTINGS_ITEM_MFN_QUANTITY_CHANGE": StockChanged,
    "REPORT_PROCESSING_FINISHED": ProcessingFinished,
    "FEED_PROCESSING_FINISHED": ProcessingFinished,
}

CASES = [
    (kind, path, typ) for kind, fields in parsing.SCHEMA_FIELDS.items() for path, typ in fields
]


def test_every_subscribed_type_has_a_parser_and_a_schema() -> None:
    assert set(parsing.NOTIFICATION_TYPES) == set(FILES) == set(parsing.SCHEMA_FIELDS)


@pytest.mark.parametrize("kind", parsing.NOTIFICATION_TYPES)
def test_schema_examples_conform_and_parse(kind: str) -> None:
    for example in examples(kind):
        assert problems(schema(kind), example) == []
        event = parsing.parse_amazon_event(json.dumps(example))
        assert isinstance(event, EXPECTED[kind])
        assert event.meta.source_type == kind
        assert event.meta.event_id


@pytest.mark.parametrize(("kind", "path", "typ"), CASES)
def test_fields_read_are_required_and_typed_so_in_the_schema(
    kind: str, path: str, typ: str
) -> None:
    parent, node = node_at(kind, path)
    assert node.get("type") == typ
    leaf = path.split("/")[-1].removesuffix("[]")
    assert leaf in parent.get("required", []) or "required" not in parent, (kind, path)


@pytest.mark.parametrize(("kind", "path", "typ"), CASES)
def test_a_missing_required_field_is_an_error_naming_it(kind: str, path: str, typ: str) -> None:
    example = examples(kind)[0]
    leaf = path.split("/")[-1].removesuffix("[]")
    with pytest.raises(EventError, match=f"(?i){leaf}"):
        parsing.parse_amazon_event(without(example, path))


@pytest.mark.parametrize(("kind", "path", "typ"), CASES)
def test_a_mistyped_field_is_an_error_naming_it(kind: str, path: str, typ: str) -> None:
    example = examples(kind)[0]
    wrong: Any = {"string": 12, "integer": "12", "array": {"a": 1}}[typ]
    leaf = path.split("/")[-1].removesuffix("[]")
    with pytest.raises(EventError, match=f"(?i){leaf}"):
        parsing.parse_amazon_event(replaced(example, path, wrong))


def test_eventbridge_and_sqs_wrappers_are_unwrapped() -> None:
    example = examples("LISTINGS_ITEM_MFN_QUANTITY_CHANGE")[0]
    bridge = {"detail-type": "x", "source": "aws.partner/sellingpartnerapi", "detail": example}
    sqs = {"MessageId": "1", "Body": json.dumps(example)}
    for wrapped in (bridge, sqs):
        event = parsing.parse_amazon_event(json.dumps(wrapped))
        assert isinstance(event, StockChanged)
        assert event.seller_sku == "NLS-SHOES-03"
        assert event.quantity == 99


def test_fulfillment_status_without_a_return_is_a_tracking_event() -> None:
    example = examples("FULFILLMENT_ORDER_STATUS")[0]
    body = example["Payload"]["FulfillmentOrderStatusNotification"]
    body["FulfillmentReturnItem"]["ReturnedQuantity"] = 0
    event = parsing.parse_amazon_event(example)
    assert isinstance(event, FulfillmentChanged)
    assert (event.fulfillment_order_id, event.shipment_id) == ("SFOID2345", "ASID49535")


def test_the_sandbox_publishes_order_changes_the_schema_accepts() -> None:
    order = next(iter(seeded(seed=3).orders.values()))
    message = order_change(order, "n-1")
    assert problems(schema("ORDER_CHANGE"), message) == []
    event = parsing.parse_amazon_event(message)
    assert isinstance(event, OrderChanged)
    assert (event.order_id, event.status) == (order.order_id, order.status.value)


@pytest.mark.parametrize(
    ("message", "error", "words"),
    [
        ('{"NotificationType": "ANY_OFFER_CHANGED"}', UnknownEventError, "ANY_OFFER_CHANGED"),
        ('{"hello": 1}', UnknownEventError, "not handled"),
        ("[1, 2]", EventError, "JSON object"),
        ("{not json", EventError, "not JSON"),
        ("[" * 100 + "]" * 100, EventError, "deep"),
    ],
)
def test_bad_messages_are_clear_errors(message: str, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        parsing.parse_amazon_event(message)


def test_feed_status_outside_the_enum_is_refused() -> None:
    example = examples("FEED_PROCESSING_FINISHED")[0]
    example["payload"]["feedProcessingFinishedNotification"]["processingStatus"] = "MAYBE"
    with pytest.raises(EventError, match="processingStatus"):
        parsing.parse_amazon_event(example)
