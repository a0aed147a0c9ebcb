"""Outbound deliveries through API_OUTBOUND_DELIVERY_SRV;v=0002 (OData V2, SAP_COM_0106).

What the API offers, from SAP's published metadata:

- read deliveries (``A_OutbDeliveryHeader`` with ``to_DeliveryDocumentItem``), and find those of
  a sales order through the items' ``ReferenceSDDocument``;
- create a delivery for sales order items by deep insert (items name ``ReferenceSDDocument``
  and ``ReferenceSDDocumentItem``; SAP assigns the delivery number);
- the function imports ``PickAllItems`` and ``PostGoodsIssue`` (POST, parameter
  ``DeliveryDocument``). They are actions on the delivery header, which carries an ETag
  (``DeliveryVersion``), so they are sent with ``If-Match``; without an ETag the service reads
  the delivery first;
- header fields that may be changed include ``BillOfLading``, ``MeansOfTransport`` and
  ``DeliveryDocumentBySupplier``. The API has no field named for a parcel tracking number:
  :meth:`OutboundDeliveryService.set_tracking` writes it to ``BillOfLading`` unless told
  another field.

For orders Amazon ships itself (FBA/AFN) nothing in SAP ships anything, yet the order must be
delivered and billed: create the delivery (:meth:`~OutboundDeliveryService.create_for_sales_order`),
record Amazon's shipment id or tracking in ``BillOfLading``, then pick and post goods issue,
which takes the stock out of the plant/storage location that stands for the FBA network.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from attrs import field, frozen

from amazon_erp_bridge.core.call import Call, Page
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.sap import operations as ops
from amazon_erp_bridge.sap.client import AsyncODataClient, ODataClient
from amazon_erp_bridge.sap.errors import SapMessage
from amazon_erp_bridge.sap.operations import Entity, FunctionResult, Updated
from amazon_erp_bridge.sap.query import Query, entity_path, prop

SERVICE = "/sap/opu/odata/sap/API_OUTBOUND_DELIVERY_SRV;v=0002"
HEADERS = "A_OutbDeliveryHeader"
ITEM_SET = "A_OutbDeliveryItem"
ITEMS = "to_DeliveryDocumentItem"
#: Header fields the API lets a caller change that can hold a carrier reference (max 35/20).
TRACKING_FIELDS = {"BillOfLading": 35, "DeliveryDocumentBySupplier": 35, "MeansOfTransport": 20}


@frozen
class DeliveryItem:
    """One item of an outbound delivery: material, quantity, the sales order item it delivers."""

    delivery_document_item: str
    material: str | None = None
    actual_delivery_quantity: Decimal | None = None
    delivery_quantity_unit: str | None = None
    reference_sd_document: str | None = None
    reference_sd_document_item: str | None = None
    goods_movement_status: str | None = None
    picking_status: str | None = None

    @classmethod
    def from_entity(cls, e: Entity) -> DeliveryItem:
        """Read an outbound delivery item from an OData entity."""
        return cls(
            delivery_document_item=e.required("DeliveryDocumentItem"),
            material=e.text("Material"),
            actual_delivery_quantity=e.as_decimal("ActualDeliveryQuantity"),
            delivery_quantity_unit=e.text("DeliveryQuantityUnit"),
            reference_sd_document=e.text("ReferenceSDDocument"),
            reference_sd_document_item=e.text("ReferenceSDDocumentItem"),
            goods_movement_status=e.text("GoodsMovementStatus"),
            picking_status=e.text("PickingStatus"),
        )


@frozen
class OutboundDelivery:
    """An outbound delivery header, its items when read, its ETag and SAP's messages."""

    delivery_document: str
    delivery_document_type: str | None = None
    shipping_point: str | None = None
    sold_to_party: str | None = None
    ship_to_party: str | None = None
    overall_goods_movement_status: str | None = None
    overall_picking_status: str | None = None
    overall_sd_process_status: str | None = None
    actual_goods_movement_date: date | None = None
    planned_goods_issue_date: date | None = None
    bill_of_lading: str | None = None
    items: tuple[DeliveryItem, ...] = ()
    etag: str | None = None
    messages: tuple[SapMessage, ...] = ()
    raw: Mapping[str, Any] = field(factory=dict, repr=False, eq=False)

    @classmethod
    def from_entity(cls, e: Entity) -> OutboundDelivery:
        """Read an outbound delivery (with items and ETag) from an OData entity."""
        return cls(
            delivery_document=e.required("DeliveryDocument"),
            delivery_document_type=e.text("DeliveryDocumentType"),
            shipping_point=e.text("ShippingPoint"),
            sold_to_party=e.text("SoldToParty"),
            ship_to_party=e.text("ShipToParty"),
            overall_goods_movement_status=e.text("OverallGoodsMovementStatus"),
            overall_picking_status=e.text("OverallPickingStatus"),
            overall_sd_process_status=e.text("OverallSDProcessStatus"),
            actual_goods_movement_date=e.as_date("ActualGoodsMovementDate"),
            planned_goods_issue_date=e.as_date("PlannedGoodsIssueDate"),
            bill_of_lading=e.text("BillOfLading"),
            items=tuple(DeliveryItem.from_entity(i) for i in e.children(ITEMS)),
            etag=e.etag,
            messages=e.messages,
            raw=e.raw,
        )

    @property
    def goods_issued(self) -> bool:
        """True once goods issue is posted (goods movement status C)."""
        return self.overall_goods_movement_status == "C"


@frozen
class DeliveryAction:
    """What SAP answered to PickAllItems / PostGoodsIssue: its report lines and messages."""

    delivery_document: str
    report: tuple[SapMessage, ...] = ()
    messages: tuple[SapMessage, ...] = ()


@frozen
class DeliveryLine:
    """A sales order item to deliver, with an optional quantity (all open quantity if None)."""

    sales_order_item: str
    quantity: Decimal | None = None
    unit: str | None = None


def _report_line(row: Mapping[str, Any]) -> SapMessage:
    ident = str(row.get("SystemMessageIdentification") or "")
    number = str(row.get("SystemMessageNumber") or "")
    variables = [
        str(row.get(f"SystemMessageVariable{i}") or "")
        for i in range(1, 5)
        if row.get(f"SystemMessageVariable{i}")
    ]
    return SapMessage(
        code=f"{ident}/{number}" if ident or number else "",
        message=" ".join(variables),
        severity=str(row.get("SystemMessageType") or ""),
        target=str(row.get("DeliveryDocumentItem") or ""),
    )


def _action(delivery: str) -> Callable[[FunctionResult], DeliveryAction]:
    def read(result: FunctionResult) -> DeliveryAction:
        rows = result.value if isinstance(result.value, list) else []
        report = tuple(_report_line(r) for r in rows if isinstance(r, Mapping))
        return DeliveryAction(delivery, report, result.messages)

    return read


# ----------------------------------------------------------------------------- operations


def read_delivery(delivery: str) -> Call[OutboundDelivery]:
    return ops.read_entity(
        entity_path(HEADERS, delivery),
        Query(expand=(ITEMS,)),
        item=OutboundDelivery.from_entity,
        limit_key="sap.delivery.read",
    )


def _delivery_number(e: Entity) -> str:
    return e.required("DeliveryDocument")


def deliveries_of_order_page(sales_order: str, token: str | None) -> Call[Page[str]]:
    """One page of delivery numbers whose items refer to ``sales_order``."""
    query = Query(
        filter=prop("ReferenceSDDocument").eq(sales_order),
        select=("DeliveryDocument", "DeliveryDocumentItem"),
    )
    return ops.read_page(
        ITEM_SET, query, token, item=_delivery_number, limit_key="sap.delivery.find"
    )


def create_delivery(
    sales_order: str, lines: Sequence[DeliveryLine], *, shipping_point: str | None = None
) -> Call[OutboundDelivery]:
    """Deep insert of a delivery for the given items of ``sales_order``."""
    if not lines:
        raise ValidationError(f"delivery for sales order {sales_order}: no items to deliver")
    items = []
    for line in lines:
        item: dict[str, Any] = {
            "ReferenceSDDocument": sales_order,
            "ReferenceSDDocumentItem": line.sales_order_item,
        }
        if line.quantity is not None:
            if line.quantity <= 0:
                raise ValidationError(
                    f"delivery for sales order {sales_order} item {line.sales_order_item}: "
                    f"quantity must be positive, got {line.quantity}"
                )
            item["ActualDeliveryQuantity"] = line.quantity
            if line.unit:
                item["DeliveryQuantityUnit"] = line.unit
        items.append(item)
    payload: dict[str, Any] = {ITEMS: {"results": items}}
    if shipping_point:
        payload["ShippingPoint"] = shipping_point
    return ops.create_entity(
        HEADERS, payload, item=OutboundDelivery.from_entity, limit_key="sap.delivery.create"
    )


def update_delivery(
    delivery: str, changes: Mapping[str, Any], *, etag: str | None
) -> Call[Updated]:
    return ops.update_entity(
        entity_path(HEADERS, delivery), changes, etag=etag, limit_key="sap.delivery.update"
    )


def tracking_changes(tracking: str, field_name: str = "BillOfLading") -> dict[str, str]:
    """The header change that records ``tracking`` in ``field_name`` (checked for length)."""
    if field_name not in TRACKING_FIELDS:
        raise ValidationError(
            f"tracking field {field_name!r}: the delivery API lets us write one of "
            f"{sorted(TRACKING_FIELDS)}"
        )
    if not tracking or len(tracking) > TRACKING_FIELDS[field_name]:
        raise ValidationError(
            f"tracking {tracking!r}: {field_name} holds 1 to {TRACKING_FIELDS[field_name]} "
            "characters"
        )
    return {field_name: tracking}


def pick_all_items(delivery: str, *, etag: str | None) -> Call[DeliveryAction]:
    """``PickAllItems``: take the delivery quantity as picked for every item."""
    call = ops.invoke_function(
        "PickAllItems", {"DeliveryDocument": delivery}, etag=etag, limit_key="sap.delivery.pick"
    )
    return call.then(_action(delivery))


def post_goods_issue(delivery: str, *, etag: str | None) -> Call[DeliveryAction]:
    """``PostGoodsIssue``: post the goods movement that ships the delivery."""
    call = ops.invoke_function(
        "PostGoodsIssue", {"DeliveryDocument": delivery}, etag=etag, limit_key="sap.delivery.pgi"
    )
    return call.then(_action(delivery))


# ----------------------------------------------------------------------------- facades


class OutboundDeliveryService:
    """Outbound deliveries of one S/4HANA system (blocking)."""

    PATH = SERVICE

    def __init__(self, client: ODataClient, *, path: str = SERVICE) -> None:
        self._sender = client.service(path)

    def get(self, delivery: str) -> OutboundDelivery:
        """One outbound delivery with its items and ETag."""
        return self._sender.send(read_delivery(delivery))

    def find_by_sales_order(self, sales_order: str) -> list[OutboundDelivery]:
        """Every delivery with an item referring to ``sales_order``."""
        numbers = self._sender.pages(lambda t: deliveries_of_order_page(sales_order, t))
        return [self.get(n) for n in dict.fromkeys(numbers)]

    def create_for_sales_order(
        self,
        sales_order: str,
        lines: Sequence[DeliveryLine],
        *,
        shipping_point: str | None = None,
    ) -> OutboundDelivery:
        """Create the outbound delivery of a sales order's open items."""
        return self._sender.send(create_delivery(sales_order, lines, shipping_point=shipping_point))

    def set_tracking(
        self,
        delivery: str,
        tracking: str,
        *,
        etag: str | None = None,
        field_name: str = "BillOfLading",
    ) -> Updated:
        """Record a carrier tracking number or shipment id on the delivery header."""
        etag = etag or self.get(delivery).etag
        return self._sender.send(
            update_delivery(delivery, tracking_changes(tracking, field_name), etag=etag)
        )

    def pick_all_items(self, delivery: str, *, etag: str | None = None) -> DeliveryAction:
        """Pick every item of the delivery (under its ETag, read if not given)."""
        return self._sender.send(pick_all_items(delivery, etag=etag or self.get(delivery).etag))

    def post_goods_issue(self, delivery: str, *, etag: str | None = None) -> DeliveryAction:
        """Post goods issue; reads the delivery first when no ETag is given."""
        return self._sender.send(post_goods_issue(delivery, etag=etag or self.get(delivery).etag))


class AsyncOutboundDeliveryService:
    """Outbound deliveries of one S/4HANA system (asyncio)."""

    PATH = SERVICE

    def __init__(self, client: AsyncODataClient, *, path: str = SERVICE) -> None:
        self._sender = client.service(path)

    async def get(self, delivery: str) -> OutboundDelivery:
        """The async form of :meth:`OutboundDeliveryService.get`."""
        return await self._sender.send(read_delivery(delivery))

    async def find_by_sales_order(self, sales_order: str) -> list[OutboundDelivery]:
        """The async form of :meth:`OutboundDeliveryService.find_by_sales_order`."""
        numbers = self._sender.pages(lambda t: deliveries_of_order_page(sales_order, t))
        unique = dict.fromkeys([n async for n in numbers])
        return [await self.get(n) for n in unique]

    async def create_for_sales_order(
        self,
        sales_order: str,
        lines: Sequence[DeliveryLine],
        *,
        shipping_point: str | None = None,
    ) -> OutboundDelivery:
        """The async form of :meth:`OutboundDeliveryService.create_for_sales_order`."""
        return await self._sender.send(
            create_delivery(sales_order, lines, shipping_point=shipping_point)
        )

    async def set_tracking(
        self,
        delivery: str,
        tracking: str,
        *,
        etag: str | None = None,
        field_name: str = "BillOfLading",
    ) -> Updated:
        """The async form of :meth:`OutboundDeliveryService.set_tracking`."""
        etag = etag or (await self.get(delivery)).etag
        return await self._sender.send(
            update_delivery(delivery, tracking_changes(tracking, field_name), etag=etag)
        )

    async def pick_all_items(self, delivery: str, *, etag: str | None = None) -> DeliveryAction:
        """The async form of :meth:`OutboundDeliveryService.pick_all_items`."""
        etag = etag or (await self.get(delivery)).etag
        return await self._sender.send(pick_all_items(delivery, etag=etag))

    async def post_goods_issue(self, delivery: str, *, etag: str | None = None) -> DeliveryAction:
        """The async form of :meth:`OutboundDeliveryService.post_goods_issue`."""
        etag = etag or (await self.get(delivery)).etag
        return await self._sender.send(post_goods_issue(delivery, etag=etag))
