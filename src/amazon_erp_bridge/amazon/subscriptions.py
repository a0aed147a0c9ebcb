"""Notifications API v1: where Amazon sends notifications (destinations) and which it sends
(subscriptions), so the event path can be set up from code.

Amazon delivers notifications only to an SQS queue (give its ARN) or an EventBridge partner
event bus (give your AWS account id and region; Amazon answers with the bus name to associate).
Destinations are per application: their operations are **grantless** (an LWA
client-credentials token of scope ``sellingpartnerapi::notifications``; the client picks it by
each call's limit key, see :data:`~amazon_erp_bridge.amazon.lwa.GRANTLESS_SCOPES`), as are
``getSubscriptionById`` and ``deleteSubscriptionById``; creating and reading a subscription by
type acts for the selling partner. Requests and answers are those of the Notifications API
model (``notifications-api-model/notifications.json``).

Sans-IO builders (``create_destination(...)`` -> :class:`~amazon_erp_bridge.core.call.Call`)
plus :class:`NotificationsApi` / :class:`AsyncNotificationsApi` that send them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import quote

import httpx2
from attrs import frozen

from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.core.sender import AsyncSender, SyncSender, json_body
from amazon_erp_bridge.errors import ValidationError

BASE: Final = "/notifications/v1"
#: The notification types the bridge subscribes to.
BRIDGE_TYPES: Final = (
    "ORDER_CHANGE",
    "FBA_OUTBOUND_SHIPMENT_STATUS",
    "FULFILLMENT_ORDER_STATUS",
    "FBA_INVENTORY_AVAILABILITY_CHANGES",
    "LISTINGS_ITEM_MFN_QUANTITY_CHANGE",
    "REPORT_PROCESSING_FINISHED",
    "FEED_PROCESSING_FINISHED",
)
#: The payload version per type Amazon documents (the report/feed types use the dated one).
PAYLOAD_VERSIONS: Final[Mapping[str, str]] = {
    "ORDER_CHANGE": "1.0",
    "FBA_OUTBOUND_SHIPMENT_STATUS": "1.0",
    "FULFILLMENT_ORDER_STATUS": "1.0",
    "FBA_INVENTORY_AVAILABILITY_CHANGES": "1.0",
    "LISTINGS_ITEM_MFN_QUANTITY_CHANGE": "1.0",
    "REPORT_PROCESSING_FINISHED": "2020-09-04",
    "FEED_PROCESSING_FINISHED": "2020-09-04",
}

_SQS_ARN: Final = re.compile(r"^arn:aws:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,80}$")
_TYPE: Final = re.compile(r"^[A-Z][A-Z0-9_]{0,99}$")


@frozen
class Destination:
    """A destination: its id, name, and either an SQS ARN or an EventBridge bus."""

    destination_id: str
    name: str
    sqs_arn: str | None = None
    event_bridge_name: str | None = None
    event_bridge_region: str | None = None
    event_bridge_account_id: str | None = None


@frozen
class Subscription:
    """A subscription of one notification type to a destination."""

    subscription_id: str
    destination_id: str
    payload_version: str
    processing_directive: Mapping[str, Any] | None = None


def _payload(response: httpx2.Response, what: str) -> Any:
    body = json_body(response)
    if not isinstance(body, Mapping) or "payload" not in body:
        raise ValidationError(f"{what}: answer has no payload")
    return body["payload"]


def _text(data: Mapping[str, Any], key: str, what: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{what}: {key} must be a non-empty string")
    return value


def destination_from(data: Any, what: str = "destination") -> Destination:
    """A :class:`Destination` from the model's ``Destination`` object."""
    if not isinstance(data, Mapping):
        raise ValidationError(f"{what}: expected an object")
    resource = data.get("resource") or {}
    if not isinstance(resource, Mapping):
        raise ValidationError(f"{what}: resource must be an object")
    sqs = resource.get("sqs") or {}
    bridge = resource.get("eventBridge") or {}
    return Destination(
        destination_id=_text(data, "destinationId", what),
        name=_text(data, "name", what),
        sqs_arn=sqs.get("arn") if isinstance(sqs, Mapping) else None,
        event_bridge_name=bridge.get("name") if isinstance(bridge, Mapping) else None,
        event_bridge_region=bridge.get("region") if isinstance(bridge, Mapping) else None,
        event_bridge_account_id=bridge.get("accountId") if isinstance(bridge, Mapping) else None,
    )


def subscription_from(data: Any, what: str = "subscription") -> Subscription:
    """A :class:`Subscription` from the model's ``Subscription`` object."""
    if not isinstance(data, Mapping):
        raise ValidationError(f"{what}: expected an object")
    directive = data.get("processingDirective")
    return Subscription(
        subscription_id=_text(data, "subscriptionId", what),
        destination_id=_text(data, "destinationId", what),
        payload_version=_text(data, "payloadVersion", what),
        processing_directive=directive if isinstance(directive, Mapping) else None,
    )


def _id(value: str, what: str) -> str:
    if not value or len(value) > 200 or "/" in value:
        raise ValidationError(f"{what} {value[:60]!r}: expected an id without '/'")
    return quote(value, safe="")


def _type(value: str) -> str:
    if not _TYPE.match(value):
        raise ValidationError(f"notification type {value[:60]!r}: expected e.g. ORDER_CHANGE")
    return value


# -- destinations (grantless) ----------------------------------------------------------------


def create_sqs_destination(name: str, arn: str) -> Call[Destination]:
    """createDestination for an SQS queue (Amazon's account must be allowed to send to it)."""
    if not 1 <= len(name) <= 256:
        raise ValidationError(f"destination name {name[:60]!r}: 1 to 256 characters")
    if len(arn) > 1000 or not _SQS_ARN.match(arn):
        raise ValidationError(f"destination {name}: {arn[:80]!r} is not an SQS queue ARN")
    body = {"name": name, "resourceSpecification": {"sqs": {"arn": arn}}}
    return Call(
        "POST",
        f"{BASE}/destinations",
        json=body,
        parse=lambda r: destination_from(_payload(r, "createDestination"), "createDestination"),
        limit_key="notifications.createDestination",
    )


def create_event_bridge_destination(name: str, account_id: str, region: str) -> Call[Destination]:
    """createDestination for an EventBridge partner event bus in ``account_id`` / ``region``."""
    if not 1 <= len(name) <= 256:
        raise ValidationError(f"destination name {name[:60]!r}: 1 to 256 characters")
    if not re.fullmatch(r"\d{12}", account_id):
        raise ValidationError(f"destination {name}: accountId must be a 12-digit AWS account id")
    if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", region):
        raise ValidationError(f"destination {name}: region {region[:30]!r} is not an AWS region")
    body = {
        "name": name,
        "resourceSpecification": {"eventBridge": {"accountId": account_id, "region": region}},
    }
    return Call(
        "POST",
        f"{BASE}/destinations",
        json=body,
        parse=lambda r: destination_from(_payload(r, "createDestination"), "createDestination"),
        limit_key="notifications.createDestination",
    )


def _destinations(response: httpx2.Response) -> list[Destination]:
    found = _payload(response, "getDestinations")
    if not isinstance(found, list):
        raise ValidationError("getDestinations: payload must be a list")
    return [destination_from(d, f"getDestinations[{n}]") for n, d in enumerate(found)]


def get_destinations() -> Call[list[Destination]]:
    """getDestinations: every destination of the application."""
    return Call(
        "GET",
        f"{BASE}/destinations",
        parse=_destinations,
        limit_key="notifications.getDestinations",
    )


def get_destination(destination_id: str) -> Call[Destination]:
    """getDestination by id."""
    return Call(
        "GET",
        f"{BASE}/destinations/{_id(destination_id, 'destination')}",
        parse=lambda r: destination_from(_payload(r, "getDestination"), "getDestination"),
        limit_key="notifications.getDestination",
    )


def delete_destination(destination_id: str) -> Call[None]:
    """deleteDestination by id."""
    return Call(
        "DELETE",
        f"{BASE}/destinations/{_id(destination_id, 'destination')}",
        parse=lambda r: None,
        limit_key="notifications.deleteDestination",
    )


# -- subscriptions ---------------------------------------------------------------------------


def create_subscription(
    notification_type: str,
    destination_id: str,
    *,
    payload_version: str | None = None,
    processing_directive: Mapping[str, Any] | None = None,
) -> Call[Subscription]:
    """createSubscription of ``notification_type`` to a destination (for the seller)."""
    kind = _type(notification_type)
    body: dict[str, Any] = {
        "payloadVersion": payload_version or PAYLOAD_VERSIONS.get(kind, "1.0"),
        "destinationId": destination_id,
    }
    if processing_directive is not None:
        body["processingDirective"] = dict(processing_directive)
    return Call(
        "POST",
        f"{BASE}/subscriptions/{kind}",
        json=body,
        parse=lambda r: subscription_from(_payload(r, "createSubscription"), kind),
        limit_key="notifications.createSubscription",
    )


def get_subscription(notification_type: str) -> Call[Subscription]:
    """getSubscription: the seller's subscription of one type."""
    kind = _type(notification_type)
    return Call(
        "GET",
        f"{BASE}/subscriptions/{kind}",
        parse=lambda r: subscription_from(_payload(r, "getSubscription"), kind),
        limit_key="notifications.getSubscription",
    )


def get_subscription_by_id(notification_type: str, subscription_id: str) -> Call[Subscription]:
    """getSubscriptionById (grantless)."""
    kind = _type(notification_type)
    return Call(
        "GET",
        f"{BASE}/subscriptions/{kind}/{_id(subscription_id, 'subscription')}",
        parse=lambda r: subscription_from(_payload(r, "getSubscriptionById"), kind),
        limit_key="notifications.getSubscriptionById",
    )


def delete_subscription(notification_type: str, subscription_id: str) -> Call[None]:
    """deleteSubscriptionById (grantless)."""
    kind = _type(notification_type)
    return Call(
        "DELETE",
        f"{BASE}/subscriptions/{kind}/{_id(subscription_id, 'subscription')}",
        parse=lambda r: None,
        limit_key="notifications.deleteSubscriptionById",
    )


class NotificationsApi:
    """Destinations and subscriptions for the sync client."""

    def __init__(self, sender: SyncSender) -> None:
        self._sender = sender

    def create_sqs_destination(self, name: str, arn: str) -> Destination:
        """See :func:`create_sqs_destination`."""
        return self._sender.send(create_sqs_destination(name, arn))

    def create_event_bridge_destination(
        self, name: str, account_id: str, region: str
    ) -> Destination:
        """See :func:`create_event_bridge_destination`."""
        return self._sender.send(create_event_bridge_destination(name, account_id, region))

    def get_destinations(self) -> list[Destination]:
        """See :func:`get_destinations`."""
        return self._sender.send(get_destinations())

    def get_destination(self, destination_id: str) -> Destination:
        """See :func:`get_destination`."""
        return self._sender.send(get_destination(destination_id))

    def delete_destination(self, destination_id: str) -> None:
        """See :func:`delete_destination`."""
        self._sender.send(delete_destination(destination_id))

    def create_subscription(
        self,
        notification_type: str,
        destination_id: str,
        *,
        payload_version: str | None = None,
        processing_directive: Mapping[str, Any] | None = None,
    ) -> Subscription:
        """See :func:`create_subscription`."""
        return self._sender.send(
            create_subscription(
                notification_type,
                destination_id,
                payload_version=payload_version,
                processing_directive=processing_directive,
            )
        )

    def get_subscription(self, notification_type: str) -> Subscription:
        """See :func:`get_subscription`."""
        return self._sender.send(get_subscription(notification_type))

    def get_subscription_by_id(self, notification_type: str, subscription_id: str) -> Subscription:
        """See :func:`get_subscription_by_id`."""
        return self._sender.send(get_subscription_by_id(notification_type, subscription_id))

    def delete_subscription(self, notification_type: str, subscription_id: str) -> None:
        """See :func:`delete_subscription`."""
        self._sender.send(delete_subscription(notification_type, subscription_id))

    def subscribe_all(
        self, destination_id: str, types: tuple[str, ...] = BRIDGE_TYPES
    ) -> list[Subscription]:
        """Subscribe the bridge's notification types to one destination."""
        return [self.create_subscription(kind, destination_id) for kind in types]


class AsyncNotificationsApi:
    """Destinations and subscriptions for the async client."""

    def __init__(self, sender: AsyncSender) -> None:
        self._sender = sender

    async def create_sqs_destination(self, name: str, arn: str) -> Destination:
        """See :func:`create_sqs_destination`."""
        return await self._sender.send(create_sqs_destination(name, arn))

    async def create_event_bridge_destination(
        self, name: str, account_id: str, region: str
    ) -> Destination:
        """See :func:`create_event_bridge_destination`."""
        return await self._sender.send(create_event_bridge_destination(name, account_id, region))

    async def get_destinations(self) -> list[Destination]:
        """See :func:`get_destinations`."""
        return await self._sender.send(get_destinations())

    async def get_destination(self, destination_id: str) -> Destination:
        """See :func:`get_destination`."""
        return await self._sender.send(get_destination(destination_id))

    async def delete_destination(self, destination_id: str) -> None:
        """See :func:`delete_destination`."""
        await self._sender.send(delete_destination(destination_id))

    async def create_subscription(
        self,
        notification_type: str,
        destination_id: str,
        *,
        payload_version: str | None = None,
        processing_directive: Mapping[str, Any] | None = None,
    ) -> Subscription:
        """See :func:`create_subscription`."""
        return await self._sender.send(
            create_subscription(
                notification_type,
                destination_id,
                payload_version=payload_version,
                processing_directive=processing_directive,
            )
        )

    async def get_subscription(self, notification_type: str) -> Subscription:
        """See :func:`get_subscription`."""
        return await self._sender.send(get_subscription(notification_type))

    async def get_subscription_by_id(
        self, notification_type: str, subscription_id: str
    ) -> Subscription:
        """See :func:`get_subscription_by_id`."""
        return await self._sender.send(get_subscription_by_id(notification_type, subscription_id))

    async def delete_subscription(self, notification_type: str, subscription_id: str) -> None:
        """See :func:`delete_subscription`."""
        await self._sender.send(delete_subscription(notification_type, subscription_id))


__all__ = [
    "BRIDGE_TYPES",
    "PAYLOAD_VERSIONS",
    "AsyncNotificationsApi",
    "Destination",
    "NotificationsApi",
    "Subscription",
    "create_event_bridge_destination",
    "create_sqs_destination",
    "create_subscription",
    "delete_destination",
    "delete_subscription",
    "destination_from",
    "get_destination",
    "get_destinations",
    "get_subscription",
    "get_subscription_by_id",
    "subscription_from",
]
