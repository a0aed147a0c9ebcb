"""MCF after creation: update, cancel, return (reason codes) against the model and the fake;
the parsers on Amazon's own examples (#20); sync and async twins alike."""

from __future__ import annotations

import asyncio
import inspect
import json
from typing import Any

import httpx2
import pytest

from amazon_erp_bridge.amazon import fulfillment as ops
from amazon_erp_bridge.amazon.fulfillment import AsyncFulfillmentApi, FulfillmentApi
from amazon_erp_bridge.amazon.orders import AsyncOrdersApi, OrdersApi
from amazon_erp_bridge.amazon.reports import AsyncReportsApi, ReportsApi
from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.errors import ApiError, ValidationError

from .model_check import check_call, check_value, operation
from .spapi_env import Env
from .test_fulfillment import order_request

MODEL = "fulfillment-outbound-api-model/fulfillmentOutbound_2020-07-01.json"


def _example(operation_id: str) -> httpx2.Response:
    _, _, op = operation(MODEL, operation_id)
    examples = op["responses"]["200"]["examples"]
    return httpx2.Response(200, json=examples.get("application/json", examples))


def preview_request() -> dict[str, Any]:
    body = order_request()
    return {"address": body["destinationAddress"], "items": body["items"]}


# -- requests against the model ---------------------------------------------------------------


def test_update_request_is_the_models() -> None:
    call = ops.update_fulfillment_order(
        "WEB-1",
        {
            "shippingSpeedCategory": "Expedited",
            "fulfillmentAction": "Ship",
            "displayableOrderComment": "Now faster",
            "items": [{"sellerFulfillmentOrderItemId": "line-1", "quantity": 1}],
        },
    )
    check_call(call, MODEL, "updateFulfillmentOrder")
    assert call.method == "PUT" and call.path.endswith("/fulfillmentOrders/WEB-1")


@pytest.mark.parametrize(
    ("request_", "words"),
    [
        ({"shippingSpeed": "Expedited"}, "shippingSpeed is not a field"),
        ({"fulfillmentAction": "Go"}, "fulfillmentAction must be one of"),
        ({"items": [{"quantity": 1}]}, "missing required field.*sellerFulfillmentOrderItemId"),
        ({"displayableOrderComment": "x" * 751}, "751 characters; Amazon allows 750"),
        ({}, "what to change"),
    ],
)
def test_bad_updates_are_refused_naming_the_field(request_: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        ops.update_fulfillment_order("WEB-1", request_)


def test_cancel_and_return_and_reason_requests_are_the_models() -> None:
    check_call(ops.cancel_fulfillment_order("WEB 1/x"), MODEL, "cancelFulfillmentOrder")
    item = {
        "sellerReturnItemId": "R1",
        "sellerFulfillmentOrderItemId": "line-1",
        "amazonShipmentId": "T0000001SDX",
        "returnReasonCode": "CR-DEFECTIVE",
        "returnComment": "Broken handle",
    }
    check_call(ops.create_fulfillment_return("WEB-1", [item]), MODEL, "createFulfillmentReturn")
    reasons = ops.list_return_reason_codes(
        "SKU-MUG-01", marketplace_id="ATVPDKIKX0DER", language="en_US"
    )
    check_call(reasons, MODEL, "listReturnReasonCodes")
    with pytest.raises(ValidationError, match="missing required field.*returnReasonCode"):
        ops.create_fulfillment_return("WEB-1", [{**item, "returnReasonCode": ""}])
    with pytest.raises(ValidationError, match="sellerReturnItemId is 81 characters"):
        ops.create_fulfillment_return("WEB-1", [{**item, "sellerReturnItemId": "R" * 81}])
    with pytest.raises(ValidationError, match="at least one item"):
        ops.create_fulfillment_return("WEB-1", [])
    with pytest.raises(ValidationError, match="sellerSku"):
        ops.list_return_reason_codes(" ")


# -- #20: Amazon's own examples parse --------------------------------------------------------


def test_preview_example_without_is_cod_capable_reads_as_false() -> None:
    (preview,) = ops.get_fulfillment_preview(preview_request()).parse(
        _example("getFulfillmentPreview")
    )
    assert preview.is_fulfillable and not preview.is_cod_capable
    assert preview.marketplace_id == "ATVPDKIKX0DER"


def test_preview_missing_other_required_fields_is_a_validation_error() -> None:
    body = {"payload": {"fulfillmentPreviews": [{"shippingSpeedCategory": "Standard"}]}}
    call = ops.get_fulfillment_preview(preview_request())
    with pytest.raises(ValidationError, match="preview Standard isFulfillable"):
        call.parse(httpx2.Response(200, json=body))
    body["payload"]["fulfillmentPreviews"][0]["isFulfillable"] = "yes"
    with pytest.raises(ValidationError, match="expected true or false"):
        call.parse(httpx2.Response(200, json=body))


def test_return_and_reason_examples_parse() -> None:
    result = ops.create_fulfillment_return("x", [_return_item()]).parse(
        _example("createFulfillmentReturn")
    )
    (item,) = result.return_items
    assert item.seller_return_item_id == "testReturn11"
    assert item.seller_return_reason_code is None  # the example leaves it out
    assert item.status == "New" and item.status_changed_date is not None
    (auth,) = result.return_authorizations
    assert auth.amazon_rma_id == "D50WttPHRRMA" and auth.return_to_address is not None
    codes = ops.list_return_reason_codes("SKU").parse(_example("listReturnReasonCodes"))
    assert ("CR-DEFECTIVE", "Defective/Does not work properly") in {
        (c.code, c.description) for c in codes
    }


def test_details_missing_a_required_field_names_it() -> None:
    body = {"payload": {"fulfillmentOrder": {"sellerFulfillmentOrderId": "A"}}}
    with pytest.raises(ValidationError, match="fulfillment order A.*displayableOrderId"):
        ops.get_fulfillment_order("A").parse(httpx2.Response(200, json=body))


# -- against the sandbox ----------------------------------------------------------------------


def _return_item(shipment: str = "T0000001SDX", rid: str = "R1") -> dict[str, Any]:
    return {
        "sellerReturnItemId": rid,
        "sellerFulfillmentOrderItemId": "line-1",
        "amazonShipmentId": shipment,
        "returnReasonCode": "CR-DEFECTIVE",
    }


def test_update_then_ship_then_return_once() -> None:
    env = Env()
    with env.client() as client:
        client.fulfillment.create_fulfillment_order(order_request(fulfillmentAction="Hold"))
        client.fulfillment.update_fulfillment_order(
            "WEB-1",
            {
                "fulfillmentAction": "Ship",
                "shippingSpeedCategory": "Expedited",
                "items": [{"sellerFulfillmentOrderItemId": "line-1", "quantity": 1}],
            },
        )
        details = client.fulfillment.get_fulfillment_order("WEB-1")
        assert details.order.shipping_speed_category == "Expedited"
        assert details.items[0].quantity == 1
        for _ in range(4):
            details = client.fulfillment.get_fulfillment_order("WEB-1")
        assert details.order.status == "Complete"
        shipment = details.shipments[0].shipment_id
        reasons = client.fulfillment.list_return_reason_codes("SKU-MUG-01")
        assert "CR-DEFECTIVE" in {r.code for r in reasons}
        first = client.fulfillment.create_fulfillment_return("WEB-1", [_return_item(shipment)])
        again = client.fulfillment.create_fulfillment_return("WEB-1", [_return_item(shipment)])
        with pytest.raises(ApiError, match="Complete and cannot be updated"):
            client.fulfillment.update_fulfillment_order("WEB-1", {"fulfillmentAction": "Hold"})
        with pytest.raises(ApiError, match="cannot be cancelled"):
            client.fulfillment.cancel_fulfillment_order("WEB-1")
    assert [i.seller_return_item_id for i in first.return_items] == ["R1"]
    assert first.return_authorizations and not first.invalid_return_items
    assert [i.reason_code for i in again.invalid_return_items] == ["DuplicateRequest"]


def test_return_of_an_unshipped_order_is_an_invalid_item() -> None:
    env = Env()
    with env.client() as client:
        client.fulfillment.create_fulfillment_order(order_request(fulfillmentAction="Hold"))
        result = client.fulfillment.create_fulfillment_return("WEB-1", [_return_item()])
        client.fulfillment.cancel_fulfillment_order("WEB-1")
        assert client.fulfillment.get_fulfillment_order("WEB-1").order.status == "Cancelled"
    assert [i.reason_code for i in result.invalid_return_items] == ["NoCompletedShipItems"]


def test_async_mcf_changes_behave_the_same() -> None:
    env = Env()

    async def run() -> tuple[str, list[str]]:
        async with env.async_client() as client:
            await client.fulfillment.create_fulfillment_order(
                order_request(fulfillmentAction="Hold")
            )
            await client.fulfillment.update_fulfillment_order(
                "WEB-1", {"shippingSpeedCategory": "Priority"}
            )
            details = await client.fulfillment.get_fulfillment_order("WEB-1")
            codes = await client.fulfillment.list_return_reason_codes("SKU-MUG-01")
            result = await client.fulfillment.create_fulfillment_return("WEB-1", [_return_item()])
            await client.fulfillment.cancel_fulfillment_order("WEB-1")
            assert [i.reason_code for i in result.invalid_return_items] == ["NoCompletedShipItems"]
            return details.order.shipping_speed_category, [c.code for c in codes]

    speed, codes = asyncio.run(run())
    assert speed == "Priority" and "CR-DEFECTIVE" in codes


# -- parity ------------------------------------------------------------------------------------

NEW_METHODS = [
    (OrdersApi, AsyncOrdersApi, "confirm_shipment"),
    (FulfillmentApi, AsyncFulfillmentApi, "update_fulfillment_order"),
    (FulfillmentApi, AsyncFulfillmentApi, "create_fulfillment_return"),
    (FulfillmentApi, AsyncFulfillmentApi, "list_return_reason_codes"),
    (FulfillmentApi, AsyncFulfillmentApi, "cancel_fulfillment_order"),
    (ReportsApi, AsyncReportsApi, "list_returns"),
]


@pytest.mark.parametrize(("sync", "async_", "name"), NEW_METHODS)
def test_sync_and_async_twins_take_the_same_arguments(sync: type, async_: type, name: str) -> None:
    s = inspect.signature(getattr(sync, name))
    a = inspect.signature(getattr(async_, name))
    assert list(s.parameters) == list(a.parameters)
    for key, param in s.parameters.items():
        other = a.parameters[key]
        assert (param.kind, param.default) == (other.kind, other.default), key
    assert getattr(sync, name).__doc__ and getattr(async_, name).__doc__


def test_sandbox_mcf_answers_match_the_model() -> None:
    env = Env()

    def raw(method: str, path: str, **kw: Any) -> Any:
        call = Call(method, path, parse=lambda r: json.loads(r.content or b"{}"), **kw)
        return client.sender.send(call)

    def schema(operation_id: str) -> dict[str, Any]:
        _, _, op = operation(MODEL, operation_id)
        found: dict[str, Any] = op["responses"]["200"]["schema"]
        return found

    base = "/fba/outbound/2020-07-01"
    with env.client() as client:
        client.fulfillment.create_fulfillment_order(order_request())
        for _ in range(4):
            details = raw("GET", f"{base}/fulfillmentOrders/WEB-1")
        shipment = details["payload"]["fulfillmentShipments"][0]["amazonShipmentId"]
        returned = raw(
            "PUT",
            f"{base}/fulfillmentOrders/WEB-1/return",
            json={"items": [_return_item(shipment)]},
        )
        details = raw("GET", f"{base}/fulfillmentOrders/WEB-1")
        reasons = raw("GET", f"{base}/returnReasonCodes", params={"sellerSku": "SKU-MUG-01"})
        preview = raw(
            "POST",
            f"{base}/fulfillmentOrders/preview",
            json=ops.check_fulfillment_preview(preview_request()),
        )
    for operation_id, answer in (
        ("getFulfillmentOrder", details),
        ("createFulfillmentReturn", returned),
        ("listReturnReasonCodes", reasons),
        ("getFulfillmentPreview", preview),
    ):
        assert not check_value(MODEL, schema(operation_id), answer, operation_id)
    assert details["payload"]["returnItems"]
