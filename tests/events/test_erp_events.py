"""ION BODs (Sync.CustomerOrder, Sync.Shipment) and SAP business events (CloudEvents) as typed
events; malformed, hostile or unknown messages are clear EventErrors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from amazon_erp_bridge.events.decode import parse_event
from amazon_erp_bridge.events.errors import EventError, UnknownEventError
from amazon_erp_bridge.events.ion import MAX_BOD_BYTES, parse_ion_event
from amazon_erp_bridge.events.model import ErpDeliveryShipped, ErpOrderChanged, Origin
from amazon_erp_bridge.events.sap import (
    DELIVERY_GOODS_ISSUED,
    SALES_ORDER_CHANGED,
    parse_sap_event,
)

NS = "http://schema.infor.com/InforOAGIS/2"


def customer_order_bod(orno: str = "1000123", cuor: str | None = "114-1234567-1234567") -> str:
    reference = (
        f"<CustomerPurchaseOrderReference><DocumentID><ID>{cuor}</ID></DocumentID>"
        "</CustomerPurchaseOrderReference>"
        if cuor
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<SyncCustomerOrder xmlns="{NS}" releaseID="9.2" versionID="2.14.6">
  <ApplicationArea>
    <Sender><LogicalID>lid://infor.m3.m3</LogicalID></Sender>
    <CreationDateTime>2026-03-02T10:00:00Z</CreationDateTime>
    <BODID>infor-nid:infor:100:AA:{orno}:?CustomerOrder&amp;verb=Sync</BODID>
  </ApplicationArea>
  <DataArea>
    <Sync><TenantID>TENANT</TenantID><ActionCriteria><ActionExpression actionCode="Replace"/>
    </ActionCriteria></Sync>
    <CustomerOrder><CustomerOrderHeader>
      <DocumentID><ID accountingEntity="100_AA">{orno}</ID></DocumentID>
      {reference}
      <Status><Code>22</Code></Status>
    </CustomerOrderHeader></CustomerOrder>
  </DataArea>
</SyncCustomerOrder>"""


def shipment_bod(delivery: str = "2000456", orno: str = "1000123") -> str:
    return f"""<SyncShipment xmlns="{NS}">
  <ApplicationArea><CreationDateTime>2026-03-02T11:00:00+01:00</CreationDateTime>
    <BODID>bod-ship-{delivery}</BODID></ApplicationArea>
  <DataArea><Sync/><Shipment><ShipmentHeader>
    <DocumentID><ID>{delivery}</ID></DocumentID>
    <DocumentReference type="CustomerOrder"><DocumentID><ID>{orno}</ID></DocumentID>
    </DocumentReference>
    <Status><Code>Shipped</Code></Status>
  </ShipmentHeader></Shipment></DataArea>
</SyncShipment>"""


def cloud_event(kind: str, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "type": kind,
        "source": "/default/sap.s4.beh/0LOGSYS",
        "id": "a823e884-5edc-4194-a81a-f3a3632417ee",
        "time": "2026-03-02T12:00:00Z",
        "datacontenttype": "application/json",
        "data": data,
        **extra,
    }


def test_sync_customer_order() -> None:
    event = parse_ion_event(customer_order_bod())
    assert isinstance(event, ErpOrderChanged)
    assert (event.document_id, event.reference, event.status) == (
        "1000123",
        "114-1234567-1234567",
        "22",
    )
    assert event.meta.origin is Origin.M3
    assert event.meta.occurred_at == datetime(2026, 3, 2, 10, tzinfo=UTC)


def test_sync_shipment_names_its_order() -> None:
    event = parse_event(shipment_bod())
    assert isinstance(event, ErpDeliveryShipped)
    assert (event.delivery_id, event.order_document) == ("2000456", "1000123")
    assert event.meta.event_id == "bod-ship-2000456"


@pytest.mark.parametrize(
    ("xml", "error", "words"),
    [
        (
            '<!DOCTYPE x [<!ENTITY a "aaaa">]><SyncShipment>&a;</SyncShipment>',
            EventError,
            "no entity expansion",
        ),
        ('<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>', EventError, "DOCTYPE"),
        ("<SyncShipment><unclosed></SyncShipment>", EventError, "not well-formed"),
        ("<ProcessInvoice/>", UnknownEventError, "ProcessInvoice"),
        (
            f'<SyncShipment xmlns="{NS}"><ApplicationArea/></SyncShipment>',
            EventError,
            "BODID",
        ),
        (
            customer_order_bod().replace('<ID accountingEntity="100_AA">1000123</ID>', ""),
            EventError,
            "DocumentID/ID",
        ),
        (
            customer_order_bod().replace("2026-03-02T10:00:00Z", "yesterday"),
            EventError,
            "CreationDateTime",
        ),
    ],
)
def test_bad_bods(xml: str, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        parse_ion_event(xml)


def test_an_oversized_bod_is_refused_before_parsing() -> None:
    with pytest.raises(EventError, match="more than"):
        parse_ion_event("<a>" + "x" * MAX_BOD_BYTES + "</a>")


def test_sap_sales_order_changed_and_goods_issued() -> None:
    changed = parse_event(json.dumps(cloud_event(SALES_ORDER_CHANGED, {"SalesOrder": "10"})))
    assert isinstance(changed, ErpOrderChanged)
    assert changed.document_id == "10"
    assert changed.meta.origin is Origin.SAP
    issued = parse_sap_event(cloud_event(DELIVERY_GOODS_ISSUED, {"OutboundDelivery": "80000001"}))
    assert isinstance(issued, ErpDeliveryShipped)
    assert issued.delivery_id == "80000001"


@pytest.mark.parametrize(
    ("event", "error", "words"),
    [
        (cloud_event("sap.s4.beh.product.v1.Product.Changed.v1", {}), UnknownEventError, "Product"),
        (cloud_event(SALES_ORDER_CHANGED, {}), EventError, "SalesOrder"),
        (cloud_event(SALES_ORDER_CHANGED, {"SalesOrder": "12345678901"}), EventError, "SalesOrder"),
        (
            cloud_event(SALES_ORDER_CHANGED, {"SalesOrder": "1"}, specversion="0.3"),
            EventError,
            "specversion",
        ),
        (cloud_event(SALES_ORDER_CHANGED, {"SalesOrder": "1"}, time="soon"), EventError, "time"),
        (cloud_event(SALES_ORDER_CHANGED, [1]), EventError, "data must be an object"),  # type: ignore[arg-type]
        (cloud_event(SALES_ORDER_CHANGED, {"SalesOrder": "1"}, id=5), EventError, "id"),
    ],
)
def test_bad_sap_events(event: dict[str, Any], error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        parse_event(json.dumps(event))


def test_decode_refuses_what_is_neither_json_nor_xml() -> None:
    with pytest.raises(EventError, match="not JSON or XML"):
        parse_event(b"hello")
    with pytest.raises(EventError, match="JSON object"):
        parse_event(b"[1]")
