"""MCF order changes: what to ask Amazon when an ERP order already sent for fulfilment changes.

Fulfillment Outbound 2020-07-01 (``FulfillmentOrderStatus``): the seller can cancel a
fulfilment order that is Received or Planning (New is not validated yet, so it counts too);
once Processing, picking has begun and Amazon no longer cancels it. The same window holds
for ``updateFulfillmentOrder`` here: an order Amazon is picking or has shipped is not changed,
it is reported for a person to settle.

:func:`mcf_update_request` compares the createFulfillmentOrder body the ERP order gives now
(:func:`~amazon_erp_bridge.mapping.mcf_order_request`) with the order Amazon holds, and gives
the UpdateFulfillmentOrderRequest with only what changed: items whose quantity differs
(a line gone from the ERP order, deleted, closed or rejected, becomes quantity 0) and the
destination address. Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from amazon_erp_bridge.amazon import FulfillmentOrderDetails
from amazon_erp_bridge.errors import MappingError

#: Statuses in which the seller may still cancel or change a fulfilment order.
CHANGEABLE: Final = frozenset({"New", "Received", "Planning"})
#: The destinationAddress fields the comparison reads (Address in the 2020-07-01 model).
_ADDRESS_FIELDS: Final = (
    "name",
    "addressLine1",
    "addressLine2",
    "addressLine3",
    "city",
    "districtOrCounty",
    "stateOrRegion",
    "postalCode",
    "countryCode",
    "phone",
)


def mcf_can_change(status: str) -> bool:
    """True while Amazon lets the seller cancel or update a fulfilment order in ``status``."""
    return status in CHANGEABLE


def _held_address(details: FulfillmentOrderDetails) -> dict[str, str]:
    address = details.order.destination_address
    values = {
        "name": address.name,
        "addressLine1": address.line1,
        "addressLine2": address.line2,
        "addressLine3": address.line3,
        "city": address.city,
        "districtOrCounty": address.district,
        "stateOrRegion": address.state_or_region,
        "postalCode": address.postal_code,
        "countryCode": address.country_code,
        "phone": address.phone,
    }
    return {k: " ".join(v.split()) for k, v in values.items() if v and v.strip()}


def _wanted_address(wanted: Mapping[str, Any]) -> dict[str, str]:
    address = wanted.get("destinationAddress") or {}
    return {
        k: " ".join(str(address[k]).split())
        for k in _ADDRESS_FIELDS
        if address.get(k) and str(address[k]).strip()
    }


def _require_body(order_id: str, wanted: Mapping[str, Any]) -> None:
    """A createFulfillmentOrder body has its destination address and well-formed items."""
    problems = []
    if not isinstance(wanted.get("destinationAddress"), Mapping):
        problems.append("destinationAddress (an address object) is missing")
    items = wanted.get("items") or ()
    if not isinstance(items, list | tuple):
        problems.append("items is not a list")
        items = ()
    for number, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            problems.append(f"item {number} is not an object")
            continue
        missing = [
            k for k in ("sellerSku", "sellerFulfillmentOrderItemId", "quantity") if k not in item
        ]
        if missing:
            problems.append(f"item {number} lacks {', '.join(missing)}")
        elif isinstance(item["quantity"], bool) or not isinstance(item["quantity"], int):
            problems.append(f"item {number} quantity {item['quantity']!r} is not a whole number")
    if problems:
        raise MappingError(
            f"fulfilment order {order_id}: the ERP order's request body is incomplete: "
            + "; ".join(problems)
        )


def mcf_update_request(
    wanted: Mapping[str, Any], held: FulfillmentOrderDetails
) -> dict[str, Any] | None:
    """The updateFulfillmentOrder body that makes ``held`` match ``wanted``, or None when they
    already agree on items and address.

    ``wanted`` is the createFulfillmentOrder body of the ERP order as it is now. Items are
    matched by ``sellerFulfillmentOrderItemId`` (the ERP line number); an item Amazon holds
    that the ERP order no longer has goes to quantity 0. A line the ERP order gained, or a
    line whose SKU changed, cannot be expressed as an update (Amazon adds no items to an order):
    MappingError naming the order and the lines.
    """
    order_id = held.order.seller_fulfillment_order_id
    _require_body(order_id, wanted)
    held_items = {i.seller_fulfillment_order_item_id: i for i in held.items}
    wanted_items = {str(i["sellerFulfillmentOrderItemId"]): i for i in wanted.get("items") or ()}
    added = sorted(set(wanted_items) - set(held_items))
    moved = sorted(
        line
        for line, item in wanted_items.items()
        if line in held_items and str(item["sellerSku"]) != held_items[line].seller_sku
    )
    if added or moved:
        parts = []
        if added:
            parts.append(f"new lines {', '.join(added)}")
        if moved:
            parts.append(f"lines {', '.join(moved)} changed SKU")
        raise MappingError(
            f"fulfilment order {order_id}: {' and '.join(parts)}; updateFulfillmentOrder only "
            "changes quantities of the lines Amazon holds: cancel it and send the order again"
        )
    items = []
    for line, held_item in held_items.items():
        quantity = int(wanted_items[line]["quantity"]) if line in wanted_items else 0
        if quantity != held_item.quantity:
            items.append(
                {
                    "sellerSku": held_item.seller_sku,
                    "sellerFulfillmentOrderItemId": line,
                    "quantity": quantity,
                }
            )
    body: dict[str, Any] = {}
    address = _wanted_address(wanted)
    if address != _held_address(held):
        body["destinationAddress"] = dict(wanted["destinationAddress"])
    if items:
        body["items"] = sorted(items, key=lambda i: i["sellerFulfillmentOrderItemId"])
    if not body:
        return None
    if wanted.get("marketplaceId"):
        body["marketplaceId"] = wanted["marketplaceId"]
    return body


#: CreateReturnItem.sellerReturnItemId maxLength (Fulfillment Outbound 2020-07-01).
MAX_RETURN_ITEM_ID: Final = 80


def mcf_return_items(
    held: FulfillmentOrderDetails,
    units: Mapping[str, int],
    reason_code: str,
    *,
    return_id: str,
    comment: str | None = None,
) -> list[dict[str, Any]]:
    """The createFulfillmentReturn items for ``units`` (line id -> units returned) of a shipped
    fulfilment order: one CreateReturnItem per unit, ``sellerReturnItemId``
    ``<return_id>-<line>-<n>`` (so asking again is a DuplicateRequest, not a second return),
    ``amazonShipmentId`` of the shipped shipment that carried the unit.

    MappingError when a line has fewer shipped units than asked, or an id grows past 80
    characters.
    """
    order_id = held.order.seller_fulfillment_order_id
    items: list[dict[str, Any]] = []
    for line, count in sorted(units.items()):
        carried = [
            s.shipment_id
            for s in held.shipments
            if s.status == "SHIPPED"
            for i in s.items
            if i.line_id == line
            for _ in range(i.quantity)
        ]
        if count < 1 or count > len(carried):
            raise MappingError(
                f"fulfilment order {order_id} line {line}: {count} units to return, "
                f"{len(carried)} shipped"
            )
        for n in range(count):
            item_id = f"{return_id}-{line}-{n + 1}"
            if len(item_id) > MAX_RETURN_ITEM_ID:
                raise MappingError(
                    f"fulfilment order {order_id}: sellerReturnItemId {item_id!r} is longer "
                    f"than {MAX_RETURN_ITEM_ID} characters; use a shorter return id"
                )
            item = {
                "sellerReturnItemId": item_id,
                "sellerFulfillmentOrderItemId": line,
                "amazonShipmentId": carried[n],
                "returnReasonCode": reason_code,
            }
            if comment:
                item["returnComment"] = comment
            items.append(item)
    return items


__all__ = [
    "CHANGEABLE",
    "MAX_RETURN_ITEM_ID",
    "mcf_can_change",
    "mcf_return_items",
    "mcf_update_request",
]
