from datetime import UTC, datetime

import pytest

from amazon_erp_bridge.errors import ConfigurationError, MappingError
from amazon_erp_bridge.mapping import (
    ItemCrosswalk,
    M3PickReportSettings,
    McfRules,
    ShipmentAction,
    UnknownStatusError,
    is_flagged_for_mcf,
    m3_delivery_confirmation,
    mcf_order_request,
    sap_delivery_update,
    shipment_action,
    shipments_by_action,
)
from amazon_erp_bridge.model import (
    ItemRef,
    OrderLine,
    Shipment,
    ShipmentItem,
    ShipmentPackage,
)

from .samples import ship_to, us_order, usd

RULES = McfRules(
    shipping_speeds={"Next Day": "Priority", "Express": "Expedited"},
    flag_order_types=frozenset({"MCF"}),
    marketplace_id="ATVPDKIKX0DER",
    comment="Thanks for shopping with Example Co.",
)


def erp_order(**overrides):
    """An M3 order 0000123456 flagged for MCF, lines numbered as M3 numbers them."""
    values = {
        "order_id": "0000123456",
        "seller_order_id": "WEB-98765",
        "order_type": "MCF",
        "ship_service_level": "Express",
        "lines": (
            OrderLine("1", ItemRef(seller_sku="WIDGET-001"), 2, item_price=usd("39.98")),
            OrderLine("2", ItemRef(seller_sku="GADGET-002"), 1, item_price=usd("24.99")),
        ),
        "order_total": usd("64.97"),
    }
    values.update(overrides)
    return us_order(**values)


def test_flagged_erp_order_becomes_a_create_fulfillment_order_body():
    body = mcf_order_request(erp_order(), RULES)
    assert body == {
        "marketplaceId": "ATVPDKIKX0DER",
        "sellerFulfillmentOrderId": "0000123456",
        "displayableOrderId": "WEB-98765",
        "displayableOrderDate": "2026-03-02T23:30:00Z",
        "displayableOrderComment": "Thanks for shopping with Example Co.",
        "shippingSpeedCategory": "Expedited",
        "destinationAddress": {
            "name": "Jane Doe",
            "addressLine1": "123 Any Street",
            "addressLine2": "Apt 4B",
            "city": "Seattle",
            "stateOrRegion": "Washington",
            "postalCode": "98101-1234",
            "countryCode": "US",
            "phone": "+1 (206) 555-0100",
        },
        "fulfillmentAction": "Ship",
        "fulfillmentPolicy": "FillOrKill",
        "items": [
            {"sellerSku": "WIDGET-001", "sellerFulfillmentOrderItemId": "1", "quantity": 2},
            {"sellerSku": "GADGET-002", "sellerFulfillmentOrderItemId": "2", "quantity": 1},
        ],
    }


def test_unknown_ship_level_uses_the_default_speed_and_declared_value_is_optional():
    rules = McfRules(flag_order_types=frozenset({"MCF"}), declared_value=True)
    body = mcf_order_request(erp_order(ship_service_level="Whatever"), rules)
    assert body["shippingSpeedCategory"] == "Standard"
    assert body["items"][0]["perUnitDeclaredValue"] == {"currencyCode": "USD", "value": "19.99"}
    assert "marketplaceId" not in body


def test_flag_can_be_an_order_attribute():
    rules = McfRules()
    order = erp_order(order_type="A01", attributes={"mcf": "X"})
    assert is_flagged_for_mcf(order, rules)
    assert not is_flagged_for_mcf(erp_order(order_type="A01"), rules)


def test_order_not_flagged_for_mcf_is_refused():
    with pytest.raises(MappingError, match=r"order 0000123456: not flagged for MCF"):
        mcf_order_request(erp_order(order_type="A01"), RULES)


def test_missing_required_address_fields_are_named():
    order = erp_order(ship_address=ship_to(line1=None, postal_code=None))
    with pytest.raises(
        MappingError,
        match=r"destinationAddress.addressLine1, "
        r"destinationAddress.postalCode required by createFulfillmentOrder",
    ):
        mcf_order_request(order, RULES)
    with pytest.raises(MappingError, match="destinationAddress is required"):
        mcf_order_request(erp_order(ship_address=None), RULES)


def test_line_without_seller_sku_names_the_line():
    line = OrderLine("3", ItemRef(asin="B0EXAMPLE1"), 1)
    with pytest.raises(MappingError, match=r"order 0000123456 line 3: no seller SKU for MCF"):
        mcf_order_request(erp_order(lines=(line,)), RULES)


def test_a_sku_rule_can_map_erp_items_to_seller_skus():
    line = OrderLine("3", ItemRef(asin="B0EXAMPLE1"), 1)
    items = ItemCrosswalk.from_entries([("seller_sku", "WIDGET-001", "A1000"),
                                        ("asin", "B0EXAMPLE1", "A1000")])  # fmt: skip

    def sku_from_crosswalk(line, order):
        return items.seller_skus_for(items.resolve(line.item))[0]

    body = mcf_order_request(erp_order(lines=(line,)), RULES, sku_for=sku_from_crosswalk)
    assert body["items"][0]["sellerSku"] == "WIDGET-001"


def test_too_many_units_or_too_long_ids_are_refused():
    big = OrderLine("1", ItemRef(seller_sku="WIDGET-001"), 251)
    with pytest.raises(MappingError, match="at most 250 units; this one has 1 lines, 251 units"):
        mcf_order_request(erp_order(lines=(big,)), RULES)
    with pytest.raises(MappingError, match="sellerFulfillmentOrderId .* must be 1 to 40"):
        mcf_order_request(erp_order(order_id="X" * 41), RULES)


def test_rules_refuse_values_outside_amazons_enums():
    with pytest.raises(ConfigurationError, match="default_speed: 'Overnight' is not one of"):
        McfRules(default_speed="Overnight")
    with pytest.raises(ConfigurationError, match=r"shipping_speeds\['Next Day'\]"):
        McfRules(shipping_speeds={"Next Day": "Fast"})
    with pytest.raises(ConfigurationError, match="fulfillment_policy"):
        McfRules(fulfillment_policy="Whenever")
    with pytest.raises(ConfigurationError, match="displayableOrderComment is required"):
        McfRules(comment=" ")


def test_scheduled_delivery_cannot_be_held():
    rules = McfRules(flag_order_types=frozenset({"MCF"}), default_speed="ScheduledDelivery",
                     fulfillment_action="Hold")  # fmt: skip
    with pytest.raises(MappingError, match="ScheduledDelivery orders must ship"):
        mcf_order_request(erp_order(ship_service_level=None), rules)


# --- shipments back to the ERP ---------------------------------------------------------

SHIPPED_AT = datetime(2026, 3, 4, 17, 5, tzinfo=UTC)


def shipment(status="SHIPPED", **overrides):
    values = {
        "shipment_id": "DnQ7yx8vX",
        "order_id": "0000123456",
        "status": status,
        "shipped_at": SHIPPED_AT,
        "items": (
            ShipmentItem("WIDGET-001", 2, line_id="1"),
            ShipmentItem("GADGET-002", 1, line_id="2"),
        ),
        "packages": (ShipmentPackage("1", "UPS", "1Z999AA10123456784"),),
    }
    values.update(overrides)
    return Shipment(**values)


ITEMS = ItemCrosswalk.from_entries(
    [("seller_sku", "WIDGET-001", "A1000"), ("seller_sku", "GADGET-002", "B2000")]
)


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("SHIPPED", ShipmentAction.CONFIRM),
        ("PENDING", ShipmentAction.WAIT),
        ("CANCELLED_BY_FULFILLER", ShipmentAction.WAIT),
        ("CANCELLED_BY_SELLER", ShipmentAction.CANCEL),
        ("shipped", ShipmentAction.CONFIRM),
    ],
)
def test_shipment_status_decides_the_erp_action(status, action):
    assert shipment_action(shipment(status)) is action


def test_unknown_shipment_status_names_it():
    with pytest.raises(
        UnknownStatusError,
        match=r"shipment DnQ7yx8vX of order 0000123456: "
        r"status 'LOST' is not in the shipment status table",
    ):
        shipment_action(shipment("LOST"))


def test_shipments_group_by_action():
    grouped = shipments_by_action([shipment(), shipment("PENDING")])
    assert [len(grouped[a]) for a in ShipmentAction] == [1, 1, 0]


def test_shipped_shipment_becomes_m3_pick_reports():
    settings = M3PickReportSettings("FBA", "AMAZONMCF", "MCFPICK", process_flag="*EXE")
    result = m3_delivery_confirmation(
        shipment(), settings, customer="C10042", items=ITEMS, pick_list_suffix="1",
        delivery_index="300012345",
    )  # fmt: skip
    assert result.records[0] == {
        "WHLO": "FBA",
        "E0PA": "AMAZONMCF",
        "E065": "MCFPICK",
        "CUNO": "C10042",
        "RIDN": "0000123456",
        "RIDL": "1",
        "PLSX": "1",
        "ITNO": "A1000",
        "QTYP": "2",
        "RPDT": "20260304",
        "PRFL": "*EXE",
        "DLIX": "300012345",
    }
    assert result.records[1]["ITNO"] == "B2000"
    assert result.tracking_numbers == ("1Z999AA10123456784",)


def test_shipped_shipment_becomes_an_sap_outbound_delivery():
    update = sap_delivery_update(shipment(), sales_order="1000123")
    assert update.delivery == {
        "to_DeliveryDocumentItem": {
            "results": [
                {"ReferenceSDDocument": "1000123", "ReferenceSDDocumentItem": "1",
                 "ActualDeliveryQuantity": "2", "DeliveryQuantityUnit": "EA"},
                {"ReferenceSDDocument": "1000123", "ReferenceSDDocumentItem": "2",
                 "ActualDeliveryQuantity": "1", "DeliveryQuantityUnit": "EA"},
            ]
        }
    }  # fmt: skip
    assert update.header_patch == {"BillOfLading": "1Z999AA10123456784"}
    assert update.post_goods_issue is True


def test_only_shipped_shipments_confirm_a_delivery():
    with pytest.raises(MappingError, match=r"has status PENDING; only SHIPPED shipments confirm"):
        sap_delivery_update(shipment("PENDING"))


def test_shipment_item_without_line_id_names_shipment_and_item():
    bad = shipment(items=(ShipmentItem("WIDGET-001", 2),))
    with pytest.raises(
        MappingError,
        match=r"shipment DnQ7yx8vX of order 0000123456: item "
        r"WIDGET-001 has no line_id",
    ):
        m3_delivery_confirmation(bad, M3PickReportSettings("FBA", "P", "T"), customer="C",
                                 items=ITEMS, pick_list_suffix="1")  # fmt: skip


def test_unknown_shipped_sku_raises_with_suggestions():
    bad = shipment(items=(ShipmentItem("WIDGET-01", 2, line_id="1"),))
    with pytest.raises(
        MappingError,
        match=r"shipment DnQ7yx8vX item WIDGET-01: no ERP item .*"
        r"closest: seller SKU 'WIDGET-001'",
    ):
        m3_delivery_confirmation(bad, M3PickReportSettings("FBA", "P", "T"), customer="C",
                                 items=ITEMS, pick_list_suffix="1")  # fmt: skip
