"""Notifications API: requests exactly per the model, grantless where Amazon says, the sandbox
serves destinations and subscriptions (sync and async)."""

from __future__ import annotations

import asyncio

import pytest

from amazon_erp_bridge.amazon import subscriptions as ops
from amazon_erp_bridge.amazon.lwa import GRANTLESS_SCOPES, SCOPE_NOTIFICATIONS
from amazon_erp_bridge.errors import ApiError, ValidationError

from ..amazon.model_check import check_call
from ..amazon.spapi_env import Env

MODEL = "notifications-api-model/notifications.json"
ARN = "arn:aws:sqs:us-east-1:123456789012:bridge-events"


@pytest.mark.parametrize(
    ("call", "operation_id"),
    [
        (ops.create_sqs_destination("bridge", ARN), "createDestination"),
        (
            ops.create_event_bridge_destination("bus", "123456789012", "us-east-1"),
            "createDestination",
        ),
        (ops.get_destinations(), "getDestinations"),
        (ops.get_destination("d-1"), "getDestination"),
        (ops.delete_destination("d-1"), "deleteDestination"),
        (ops.create_subscription("ORDER_CHANGE", "d-1"), "createSubscription"),
        (
            ops.create_subscription(
                "ORDER_CHANGE",
                "d-1",
                processing_directive={"eventFilter": {"eventFilterType": "ORDER_CHANGE"}},
            ),
            "createSubscription",
        ),
        (ops.get_subscription("FEED_PROCESSING_FINISHED"), "getSubscription"),
        (ops.get_subscription_by_id("ORDER_CHANGE", "s-1"), "getSubscriptionById"),
        (ops.delete_subscription("ORDER_CHANGE", "s-1"), "deleteSubscriptionById"),
    ],
)
def test_every_request_is_one_the_model_defines(call: object, operation_id: str) -> None:
    check_call(call, MODEL, operation_id)  # type: ignore[arg-type]


def test_grantless_operations_take_the_notifications_scope() -> None:
    for key in (
        "getDestinations",
        "createDestination",
        "getDestination",
        "deleteDestination",
        "getSubscriptionById",
        "deleteSubscriptionById",
    ):
        assert GRANTLESS_SCOPES[f"notifications.{key}"] == SCOPE_NOTIFICATIONS
    assert "notifications.createSubscription" not in GRANTLESS_SCOPES


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: ops.create_sqs_destination("q", "https://sqs/queue"), "not an SQS queue ARN"),
        (lambda: ops.create_sqs_destination("", ARN), "1 to 256"),
        (lambda: ops.create_event_bridge_destination("b", "12", "us-east-1"), "12-digit"),
        (lambda: ops.create_event_bridge_destination("b", "123456789012", "mars"), "AWS region"),
        (lambda: ops.create_subscription("order change", "d"), "ORDER_CHANGE"),
        (lambda: ops.get_destination("a/b"), "without '/'"),
    ],
)
def test_bad_input_is_refused_before_sending(build: object, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        build()  # type: ignore[operator]


def test_sandbox_round_trip_with_grantless_tokens() -> None:
    env = Env()
    with env.client() as client:
        api = client.notifications
        queue = api.create_sqs_destination("bridge", ARN)
        bus = api.create_event_bridge_destination("bus", "123456789012", "eu-west-1")
        assert queue.sqs_arn == ARN
        assert bus.event_bridge_region == "eu-west-1"
        assert bus.event_bridge_name and "123456789012" in bus.event_bridge_name
        assert {d.destination_id for d in api.get_destinations()} == {
            queue.destination_id,
            bus.destination_id,
        }
        subs = api.subscribe_all(queue.destination_id)
        assert len(subs) == len(ops.BRIDGE_TYPES)
        again = api.get_subscription("REPORT_PROCESSING_FINISHED")
        assert again.payload_version == "2020-09-04"
        by_id = api.get_subscription_by_id("ORDER_CHANGE", subs[0].subscription_id)
        assert by_id == subs[0]
        api.delete_subscription("ORDER_CHANGE", subs[0].subscription_id)
        with pytest.raises(ApiError) as missing:
            api.get_subscription("ORDER_CHANGE")
        assert missing.value.status == 404
        api.delete_destination(bus.destination_id)
        assert [d.destination_id for d in api.get_destinations()] == [queue.destination_id]
    grants = [r.form().get("scope") for r in env.fake.requests_to(r"/auth/o2/token")]
    assert SCOPE_NOTIFICATIONS in grants


def test_sandbox_refuses_a_second_destination_for_the_same_queue() -> None:
    env = Env()
    with env.client() as client:
        client.notifications.create_sqs_destination("bridge", ARN)
        with pytest.raises(ApiError) as conflict:
            client.notifications.create_sqs_destination("again", ARN)
    assert conflict.value.status == 409


def test_async_client_serves_the_same() -> None:
    env = Env()

    async def main() -> None:
        async with env.async_client() as client:
            dest = await client.notifications.create_sqs_destination("bridge", ARN)
            sub = await client.notifications.create_subscription(
                "FBA_INVENTORY_AVAILABILITY_CHANGES", dest.destination_id
            )
            assert (await client.notifications.get_destination(dest.destination_id)) == dest
            assert sub.destination_id == dest.destination_id

    asyncio.run(main())
