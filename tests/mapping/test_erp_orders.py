"""ERP orders (M3 records, SAP V2 JSON) -> canonical Orders, and the ERP-price fallback rule."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from amazon_erp_bridge.errors import MappingError
from amazon_erp_bridge.mapping import (
    ItemCrosswalk,
    McfRules,
    is_flagged_for_mcf,
    line_unit_price,
    m3_address,
    m3_order,
    mcf_order_request,
    sap_address,
    sap_order,
    unit_price_or_erp_price,
)
from amazon_erp_bridge.model import ItemRef, Money, OrderLine, OrderStatus

from .samples import us_order

ITEMS = ItemCrosswalk.from_entries(
    [("seller_sku", "SKU-MUG-01", "MUG01"), ("seller_sku", "SKU-LAMP-02", "LAMP02")],
    system="M3 item",
)
HEAD = {
    "ORNO": "1000000042",
    "CUNO": "WEBSHOP",
    "ORTP": "MCF",
    "ORDT": "20260305",
    "CUOR": "WEB-7781",
    "CUCD": "USD",
    "ORST": "22",
    "ORSL": "22",
    "MODL": "EXP",
    "WHLO": "AMZ",
}
LINES = [
    {"PONR": "1", "POSX": "0", "ITNO": "MUG01", "ORQT": "2", "SAPR": "12.99", "ITDS": "Mug"},
    {"PONR": "2", "POSX": "0", "ITNO": "LAMP02", "ORQT": "1.000", "SAPR": "34.5"},
]
ADDRESS = {
    "CUNM": "Jane Doe",
    "CUA1": "12 Pike Street",
    "CUA2": "Apt 4",
    "CUA3": "",
    "CUA4": "",
    "TOWN": "Seattle",
    "PONO": "98101",
    "ECAR": "WA",
    "CSCD": "US",
    "PHNO": "+12065550100",
}


def sap_record(**overrides: object) -> dict[str, object]:
    record: dict[str, object] = {
        "__metadata": {"uri": "A_SalesOrder('5000042')"},
        "SalesOrder": "5000042",
        "SalesOrderType": "ZMCF",
        "SoldToParty": "1700100",
        "PurchaseOrderByCustomer": "WEB-9001",
        "TransactionCurrency": "EUR",
        "CreationDate": "/Date(1772668800000)/",
        "LastChangeDateTime": "/Date(1772672400000+0000)/",
        "OverallDeliveryStatus": "A",
        "OverallSDDocumentRejectionSts": "",
        "ShippingCondition": "01",
        "to_Item": {
            "results": [
                {
                    "SalesOrderItem": "10",
                    "Material": "SKU-MUG-01",
                    "RequestedQuantity": "3",
                    "NetAmount": "35.07",
                }
            ]
        },
        "to_Partner": {
            "results": [
                {"PartnerFunction": "AG", "Customer": "1700100"},
                {
                    "PartnerFunction": "WE",
                    "Customer": "1700100",
                    "to_Address": {
                        "results": [
                            {
                                "OrganizationName1": "Max Muster",
                                "StreetName": "Hauptstrasse",
                                "HouseNumber": "5",
                                "CityName": "Berlin",
                                "PostalCode": "10115",
                                "Country": "DE",
                            }
                        ]
                    },
                },
            ]
        },
    }
    record.update(overrides)
    return record


# --- M3 ----------------------------------------------------------------------------------


def test_m3_order_becomes_a_canonical_order_with_seller_skus_from_the_crosswalk() -> None:
    order = m3_order(HEAD, LINES, ADDRESS, items=ITEMS)
    assert order.order_id == "1000000042"
    assert order.seller_order_id == "WEB-7781"
    assert order.order_type == "MCF"
    assert order.ship_service_level == "EXP"
    assert order.status is OrderStatus.UNSHIPPED
    assert order.purchase_date == datetime(2026, 3, 5, tzinfo=UTC)
    assert [(ln.line_id, ln.item.seller_sku, ln.quantity) for ln in order.lines] == [
        ("1", "SKU-MUG-01", 2),
        ("2", "SKU-LAMP-02", 1),
    ]
    assert order.lines[0].item_price == Money.of("25.98", "USD")
    assert order.attributes["CUNO"] == "WEBSHOP"
    assert order.ship_address is not None
    assert order.ship_address.city == "Seattle"
    assert order.ship_address.line2 == "Apt 4"


def test_m3_order_date_uses_the_given_timezone() -> None:
    tz = timezone(timedelta(hours=-8))
    assert m3_order(HEAD, LINES, items=ITEMS, timezone=tz).purchase_date.utcoffset() == (
        timedelta(hours=-8)
    )


def test_m3_order_flagged_by_order_type_becomes_an_mcf_request() -> None:
    order = m3_order(HEAD, LINES, ADDRESS, items=ITEMS)
    rules = McfRules(flag_order_types=frozenset({"MCF"}))
    assert is_flagged_for_mcf(order, rules)
    body = mcf_order_request(order, rules)
    assert body["sellerFulfillmentOrderId"] == "1000000042"
    assert body["displayableOrderId"] == "WEB-7781"
    assert [i["sellerFulfillmentOrderItemId"] for i in body["items"]] == ["1", "2"]


def test_m3_head_field_can_be_the_mcf_flag() -> None:
    order = m3_order({**HEAD, "ORTP": "STD", "UCA1": "X"}, LINES, ADDRESS, items=ITEMS)
    assert is_flagged_for_mcf(order, McfRules(flag_attribute="UCA1"))
    assert not is_flagged_for_mcf(order, McfRules(flag_order_types=frozenset({"MCF"})))


def test_m3_item_without_seller_sku_is_an_error_naming_the_line() -> None:
    lines = [{"PONR": "3", "ITNO": "PEN04", "ORQT": "1"}]
    with pytest.raises(MappingError, match=r"M3 order 1000000042 line 3: M3 item PEN04 has no"):
        m3_order(HEAD, lines, items=ITEMS)


def test_m3_item_with_two_seller_skus_is_ambiguous() -> None:
    items = ItemCrosswalk.from_entries(
        [("seller_sku", "A-1", "MUG01"), ("seller_sku", "A-2", "MUG01")], system="M3 item"
    )
    with pytest.raises(MappingError, match="several seller SKUs .A-1, A-2."):
        m3_order(HEAD, LINES[:1], items=items)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"ORNO": ""}, "ORNO"),
        ({"ORDT": ""}, "ORDT"),
        ({"ORDT": "2026-03-05"}, "YYYYMMDD"),
        ({"ORST": "55"}, "ORST '55'"),
    ],
)
def test_bad_m3_head_is_a_mapping_error(change: dict[str, str], words: str) -> None:
    with pytest.raises(MappingError, match=words):
        m3_order({**HEAD, **change}, LINES, items=ITEMS)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"ORQT": "1.5"}, "whole, non-negative quantity"),
        ({"ORQT": "many"}, "not a number"),
        ({"SAPR": "x"}, "SAPR: 'x' is not a number"),
        ({"ITNO": ""}, "ITNO"),
    ],
)
def test_bad_m3_line_is_a_mapping_error(change: dict[str, str], words: str) -> None:
    with pytest.raises(MappingError, match=words):
        m3_order(HEAD, [{**LINES[0], **change}], items=ITEMS)


def test_m3_address_with_a_bad_country_names_the_order() -> None:
    with pytest.raises(MappingError, match="M3 order 1000000042 address: .*country_code"):
        m3_order(HEAD, LINES, {**ADDRESS, "CSCD": "USA"}, items=ITEMS)


def test_m3_address_keeps_the_fourth_line_and_empty_record_is_none() -> None:
    address = m3_address({**ADDRESS, "CUA3": "Building B", "CUA4": "Floor 2"})
    assert address is not None
    assert address.line3 == "Building B, Floor 2"
    assert m3_address({"CUNM": "", "TOWN": ""}) is None


def test_m3_order_without_crosswalk_uses_the_item_number() -> None:
    assert m3_order(HEAD, LINES).lines[0].item.seller_sku == "MUG01"


# --- SAP ---------------------------------------------------------------------------------


def test_sap_order_becomes_a_canonical_order_with_the_ship_to_address() -> None:
    order = sap_order(sap_record())
    assert order.order_id == "5000042"
    assert order.seller_order_id == "WEB-9001"
    assert order.order_type == "ZMCF"
    assert order.status is OrderStatus.UNSHIPPED
    assert order.purchase_date == datetime(2026, 3, 5, tzinfo=UTC)
    assert order.last_updated == datetime(2026, 3, 5, 1, tzinfo=UTC)
    (line,) = order.lines
    assert (line.line_id, line.item.seller_sku, line.quantity) == ("10", "SKU-MUG-01", 3)
    assert line.item_price == Money.of("35.07", "EUR")
    assert order.ship_address is not None
    assert order.ship_address.name == "Max Muster"
    assert order.ship_address.line1 == "5 Hauptstrasse"
    assert order.attributes["SoldToParty"] == "1700100"
    assert "__metadata" not in order.attributes


def test_sap_order_reads_plain_lists_and_iso_dates() -> None:
    record = sap_record(
        CreationDate="2026-03-05T00:00:00",
        to_Item=[{"SalesOrderItem": "10", "Material": "M1", "RequestedQuantity": "1.000"}],
        to_Partner=[],
    )
    order = sap_order(record)
    assert order.purchase_date == datetime(2026, 3, 5, tzinfo=UTC)
    assert order.ship_address is None
    assert order.lines[0].item_price is None


def test_sap_order_rejected_completely_is_canceled() -> None:
    order = sap_order(sap_record(OverallSDDocumentRejectionSts="C"))
    assert order.status is OrderStatus.CANCELED


def test_sap_order_material_through_a_crosswalk() -> None:
    items = ItemCrosswalk.from_entries([("seller_sku", "AMZ-MUG", "SKU-MUG-01")])
    assert sap_order(sap_record(), items=items).lines[0].item.seller_sku == "AMZ-MUG"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"SalesOrder": ""}, "SalesOrder"),
        ({"CreationDate": None}, "SalesOrderDate and CreationDate are both missing"),
        ({"CreationDate": "yesterday"}, "not an OData date"),
        ({"OverallDeliveryStatus": "Z"}, "OverallDeliveryStatus 'Z'"),
        ({"to_Item": [{"SalesOrderItem": "10", "RequestedQuantity": "1"}]}, "Material"),
    ],
)
def test_bad_sap_order_is_a_mapping_error(change: dict[str, object], words: str) -> None:
    with pytest.raises(MappingError, match=words):
        sap_order(sap_record(**change))


def test_sap_address_other_fields() -> None:
    address = sap_address(
        {
            "AddresseeFullName": "Ana Ruiz",
            "OrganizationName2": "Ruiz SL",
            "StreetName": "Calle Mayor 1",
            "StreetSuffixName1": "Piso 2",
            "DistrictName": "Centro",
            "CityName": "Madrid",
            "PostalCode": "28013",
            "Country": "ES",
            "PhoneNumber": "+34911234567",
        }
    )
    assert address is not None
    assert (address.name, address.company, address.line2, address.district) == (
        "Ana Ruiz",
        "Ruiz SL",
        "Piso 2",
        "Centro",
    )


# --- the ERP-price fallback --------------------------------------------------------------


def test_unit_price_or_erp_price_keeps_an_exact_price_and_drops_an_inexact_one() -> None:
    order = us_order()
    exact = OrderLine("1", ItemRef("A"), 2, item_price=Money.of("25.98", "USD"))
    inexact = OrderLine("2", ItemRef("B"), 3, item_price=Money.of("80.80", "USD"))
    assert unit_price_or_erp_price(exact, order, 6) == Decimal("12.99")
    assert unit_price_or_erp_price(inexact, order, 6) is None
    with pytest.raises(MappingError, match="no exact unit price"):
        line_unit_price(inexact, order, 6)
    unpriced = OrderLine("3", ItemRef("C"), 1)
    assert unit_price_or_erp_price(unpriced, order, 6) is None
