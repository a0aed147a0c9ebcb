"""Fake Notifications API v1 and the notifications the fake Amazon publishes.

Two halves, both kept here:

- **publishing**: :func:`order_change` renders an ``ORDER_CHANGE`` notification of an order the
  fake holds, as Amazon would put it on an SQS queue (the official schema
  ``schemas/notifications/OrderChangeNotification.json``: every required field, PascalCase);
  :func:`order_changes` renders one per order of a state, for bursts in tests and the demo.
- **the API** (``/notifications/v1``): destinations (SQS ARN, or EventBridge account id +
  region, which Amazon answers with the event bus ``name``/``arn`` it created) and
  subscriptions per notification type, as the Notifications API model defines the requests
  and answers. Destination operations (and deleteSubscriptionById) are grantless: they take an
  LWA client-credentials token of scope ``sellingpartnerapi::notifications``.

This module imports only the model and the sandbox's own server pieces, never client code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from attrs import define, field

from amazon_erp_bridge.model import FulfillmentChannel, Order
from amazon_erp_bridge.sandbox.server import Reply, SandboxRequest

if TYPE_CHECKING:
    from amazon_erp_bridge.sandbox.amazon.app import Caller, FakeSpApi

#: The grantless scope of the destination operations.
GRANTLESS: Final = "sellingpartnerapi::notifications"
#: The application id the fake stamps on notifications.
APPLICATION_ID: Final = "amzn1.sellerapps.app.sandbox-0000-0000-0000-000000000000"
SELLER_ID: Final = "A3SANDBOXSELLER"
#: Notification types the fake accepts subscriptions for (the bridge's seven, and more).
TYPES: Final = frozenset(
    {
        "ORDER_CHANGE",
        "FBA_OUTBOUND_SHIPMENT_STATUS",
        "FULFILLMENT_ORDER_STATUS",
        "FBA_INVENTORY_AVAILABILITY_CHANGES",
        "LISTINGS_ITEM_MFN_QUANTITY_CHANGE",
        "REPORT_PROCESSING_FINISHED",
        "FEED_PROCESSING_FINISHED",
        "ANY_OFFER_CHANGED",
        "ITEM_INVENTORY_EVENT_CHANGE",
    }
)
_SQS_ARN: Final = re.compile(r"^arn:aws:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$")
_ACCOUNT: Final = re.compile(r"^\d{12}$")


def wire_time(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and ``Z``, as notifications carry times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def order_change(
    order: Order,
    notification_id: str,
    *,
    at: datetime | None = None,
    subscription_id: str = "sandbox-subscription-order-change",
) -> dict[str, Any]:
    """An ``ORDER_CHANGE`` notification (OrderStatusChange) of ``order`` at ``at``
    (default: its last update), with every field the official schema requires."""
    when = at or order.last_updated
    channel = "AFN" if order.fulfillment_channel is FulfillmentChannel.AMAZON else "MFN"
    postal = order.ship_address.postal_code if order.ship_address is not None else None
    return {
        "NotificationVersion": "1.0",
        "NotificationType": "ORDER_CHANGE",
        "PayloadVersion": "1.0",
        "EventTime": wire_time(when),
        "Payload": {
            "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": SELLER_ID,
                "AmazonOrderId": order.order_id,
                "OrderChangeType": "OrderStatusChange",
                "OrderChangeTrigger": {
                    "TimeOfOrderChange": wire_time(when),
                    "ChangeReason": "Order status changed",
                },
                "Summary": {
                    "MarketplaceId": order.marketplace_id or "",
                    "OrderStatus": order.status.value,
                    "PurchaseDate": wire_time(order.purchase_date),
                    "DestinationPostalCode": postal or "",
                    "FulfillmentType": channel,
                    "OrderType": order.order_type or "StandardOrder",
                    "OrderItems": [
                        {
                            "OrderItemId": line.line_id,
                            "SellerSKU": line.item.seller_sku or "",
                            "SupplySourceId": "",
                            "Quantity": line.quantity,
                        }
                        for line in order.lines
                    ],
                },
            }
        },
        "NotificationMetadata": {
            "ApplicationId": APPLICATION_ID,
            "SubscriptionId": subscription_id,
            "PublishTime": wire_time(when),
            "NotificationId": notification_id,
        },
    }


def order_changes(orders: Iterable[Order], *, prefix: str = "n") -> list[dict[str, Any]]:
    """One ``ORDER_CHANGE`` per order, ids ``<prefix>-<order id>``, in the given order."""
    return [order_change(o, f"{prefix}-{o.order_id}") for o in orders]


@define
class NotificationsState:
    """Destinations and subscriptions the fake Notifications API holds."""

    destinations: dict[str, dict[str, Any]] = field(factory=dict)
    #: (seller id, notification type) -> subscription
    subscriptions: dict[tuple[str, str], dict[str, Any]] = field(factory=dict)
    counter: int = 0

    def new_id(self, prefix: str) -> str:
        """A fresh, readable id."""
        self.counter += 1
        return f"{prefix}-{self.counter:08d}"


def _resource(spec: Any) -> dict[str, Any] | str:
    """The ``resource`` of a destination (a DestinationResource) or the reason it is wrong."""
    if not isinstance(spec, dict):
        return "resourceSpecification must be an object"
    sqs = spec.get("sqs")
    bridge = spec.get("eventBridge")
    if (sqs is None) == (bridge is None):
        return "resourceSpecification must have exactly one of sqs or eventBridge"
    if sqs is not None:
        arn = sqs.get("arn") if isinstance(sqs, dict) else None
        if not isinstance(arn, str) or len(arn) > 1000 or not _SQS_ARN.match(arn):
            return "sqs.arn must be an SQS queue ARN"
        return {"sqs": {"arn": arn}}
    region = bridge.get("region") if isinstance(bridge, dict) else None
    account = bridge.get("accountId") if isinstance(bridge, dict) else None
    if not isinstance(region, str) or not re.fullmatch(r"[a-z]{2}-[a-z]+-\d", region):
        return "eventBridge.region must be an AWS region"
    if not isinstance(account, str) or not _ACCOUNT.match(account):
        return "eventBridge.accountId must be a 12-digit AWS account id"
    name = f"aws.partner/sellingpartnerapi.amazon.com/{account}/{APPLICATION_ID}"
    return {
        "eventBridge": {
            "name": name,
            "region": region,
            "accountId": account,
        }
    }


def register(fake: FakeSpApi) -> None:
    """The Notifications API v1 operations; state in ``fake.notifications``."""
    state = NotificationsState()
    fake.notifications = state  # type: ignore[attr-defined]
    base = r"/notifications/v1"

    def bad(message: str) -> Reply:
        return fake.error(400, "InvalidInput", message, "")

    def missing(what: str) -> Reply:
        return fake.error(404, "NotFound", f"{what} not found", "")

    @fake.operation(
        "GET", base + r"/destinations", "notifications.getDestinations", grantless_scope=GRANTLESS
    )
    def get_destinations(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        return Reply.json({"payload": list(state.destinations.values())})

    @fake.operation(
        "POST",
        base + r"/destinations",
        "notifications.createDestination",
        grantless_scope=GRANTLESS,
    )
    def create_destination(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        body = req.json()
        if not isinstance(body, dict):
            return bad("The request body must be a CreateDestinationRequest")
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 256:
            return bad("name is required (1 to 256 characters)")
        resource = _resource(body.get("resourceSpecification"))
        if isinstance(resource, str):
            return bad(resource)
        for existing in state.destinations.values():
            if existing["resource"] == resource:
                return fake.error(409, "Conflict", "A destination with this resource exists", "")
        destination_id = state.new_id("dest")
        found = {"name": name, "destinationId": destination_id, "resource": resource}
        state.destinations[destination_id] = found
        return Reply.json({"payload": found})

    @fake.operation(
        "GET",
        base + r"/destinations/(?P<id>[^/]+)",
        "notifications.getDestination",
        grantless_scope=GRANTLESS,
    )
    def get_destination(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        found = state.destinations.get(m["id"])
        return Reply.json({"payload": found}) if found else missing("Destination")

    @fake.operation(
        "DELETE",
        base + r"/destinations/(?P<id>[^/]+)",
        "notifications.deleteDestination",
        grantless_scope=GRANTLESS,
    )
    def delete_destination(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        if state.destinations.pop(m["id"], None) is None:
            return missing("Destination")
        return Reply.json({})

    @fake.operation(
        "POST", base + r"/subscriptions/(?P<type>[A-Z_]+)", "notifications.createSubscription"
    )
    def create_subscription(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        kind = m["type"]
        if kind not in TYPES:
            return bad(f"Unknown notificationType {kind}")
        body = req.json()
        if not isinstance(body, dict):
            return bad("The request body must be a CreateSubscriptionRequest")
        version = body.get("payloadVersion")
        if not isinstance(version, str) or not version:
            return bad("payloadVersion is required")
        destination = body.get("destinationId")
        if destination not in state.destinations:
            return bad("destinationId does not name a destination")
        key = (caller.seller_id or "", kind)
        if key in state.subscriptions:
            return fake.error(409, "Conflict", "A subscription for this type exists", "")
        found: dict[str, Any] = {
            "subscriptionId": state.new_id("sub"),
            "payloadVersion": version,
            "destinationId": destination,
        }
        config = body.get("processingDirective")
        if config is not None:
            found["processingDirective"] = config
        state.subscriptions[key] = found
        return Reply.json({"payload": found})

    @fake.operation(
        "GET", base + r"/subscriptions/(?P<type>[A-Z_]+)", "notifications.getSubscription"
    )
    def get_subscription(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        found = state.subscriptions.get((caller.seller_id or "", m["type"]))
        return Reply.json({"payload": found}) if found else missing("Subscription")

    @fake.operation("GET", base + r"/subscriptions", "notifications.getSubscriptions")
    def get_subscriptions(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        kinds = req.args("notificationTypes")
        if len(kinds) != 1:
            return bad("notificationTypes must name exactly one notification type")
        found = state.subscriptions.get((caller.seller_id or "", kinds[0]))
        return Reply.json({"payload": {"subscriptions": [found] if found else []}})

    @fake.operation(
        "GET",
        base + r"/subscriptions/(?P<type>[A-Z_]+)/(?P<id>[^/]+)",
        "notifications.getSubscriptionById",
        grantless_scope=GRANTLESS,
    )
    def get_subscription_by_id(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        for key, found in state.subscriptions.items():
            if key[1] == m["type"] and found["subscriptionId"] == m["id"]:
                return Reply.json({"payload": found})
        return missing("Subscription")

    @fake.operation(
        "DELETE",
        base + r"/subscriptions/(?P<type>[A-Z_]+)/(?P<id>[^/]+)",
        "notifications.deleteSubscriptionById",
        grantless_scope=GRANTLESS,
    )
    def delete_subscription(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        for key, found in list(state.subscriptions.items()):
            if key[1] == m["type"] and found["subscriptionId"] == m["id"]:
                del state.subscriptions[key]
                return Reply.json({})
        return missing("Subscription")


__all__ = [
    "GRANTLESS",
    "TYPES",
    "NotificationsState",
    "order_change",
    "order_changes",
    "register",
    "wire_time",
]
