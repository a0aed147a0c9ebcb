from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from amazon_erp_bridge.errors import ConfigurationError, MappingError
from amazon_erp_bridge.mapping import (
    CustomerRules,
    ItemCrosswalk,
    ItemNotFoundError,
    M3OrderSettings,
    OrderTypeRule,
    OrderTypeRules,
    SapOrderSettings,
    is_mcf_order,
    order_to_m3,
    order_to_sap,
    resolve_customer,
    resolve_order_type,
)
from amazon_erp_bridge.model import FulfillmentChannel, ItemRef, Money, OrderLine

from .samples import us_order, usd

ITEMS = ItemCrosswalk.from_entries(
    [("seller_sku", "WIDGET-001", "A1000"), ("seller_sku", "GADGET-002", "B2000")],
    system="M3 item",
)
CUSTOMERS = CustomerRules(
    marketplaces={"ATVPDKIKX0DER": "AMZUS", "A1F83G8C2ARO7P": "AMZUK"},
    buyers={"buyer@acme.example": "C10042"},
    per_buyer="business",
)
ORDER_TYPES = OrderTypeRules.from_dict(
    {
        "rules": [
            {"order_type": "RPL", "replacement": True},
            {"order_type": "MCF", "mcf": True, "warehouse": "FBA"},
            {"order_type": "B2B", "business": True},
            {"order_type": "FBA", "fulfillment_channel": "AFN", "warehouse": "FBA"},
        ],
        "default": {"order_type": "MFN", "warehouse": "W01"},
    }
)
SAP = SapOrderSettings(sales_organization="1010", distribution_channel="10", division="00")


def m3(order, **kwargs):
    return order_to_m3(order, customers=CUSTOMERS, order_types=ORDER_TYPES, items=ITEMS, **kwargs)


def sap(order, **kwargs):
    kwargs.setdefault("settings", SAP)
    return order_to_sap(order, customers=CUSTOMERS, order_types=ORDER_TYPES, items=ITEMS, **kwargs)


def test_amazon_order_becomes_an_m3_batch_order_head():
    result = m3(us_order(), settings=M3OrderSettings(facility="F01"))
    assert result.head == {
        "CUNO": "AMZUS",
        "ORTP": "MFN",
        "FACI": "F01",
        "WHLO": "W01",
        "CUOR": "113-4567890-1234567",
        "CUDT": "20260302",
        "ORDT": "20260302",
        "CUCD": "USD",
        "YREF": "Amazon.com",
    }


def test_m3_lines_carry_item_quantity_and_exact_unit_price_and_skip_cancelled_items():
    lines = m3(us_order()).lines
    assert lines == (
        {"ITNO": "A1000", "ORQT": "2", "CUOR": "113-4567890-1234567", "CUPO": "1",
         "SAPR": "19.99", "WHLO": "W01"},
        {"ITNO": "B2000", "ORQT": "1", "CUOR": "113-4567890-1234567", "CUPO": "2",
         "SAPR": "24.99", "WHLO": "W01"},
    )  # fmt: skip


def test_m3_delivery_address_record_uses_the_m3_layout():
    address = m3(us_order()).address
    assert address is not None
    assert address["ADRT"] == "1"
    assert address["CUA1"] == "123 Any Street"
    assert address["PONO"] == "98101-1234"
    assert m3(us_order(), settings=M3OrderSettings(include_address=False)).address is None


def test_m3_order_date_follows_the_configured_time_zone():
    tokyo = timezone(timedelta(hours=9))
    result = m3(us_order(), settings=M3OrderSettings(timezone=tokyo))
    assert result.head["ORDT"] == "20260303"


def test_promotion_discount_goes_to_the_configured_discount_field():
    lines = m3(us_order(), settings=M3OrderSettings(discount_field="DIA2")).lines
    assert lines[1]["DIA2"] == "5.00"
    assert "DIA2" not in lines[0]


def test_order_type_rules_pick_the_first_match():
    base = us_order()
    assert resolve_order_type(base, ORDER_TYPES).order_type == "MFN"
    afn = us_order(fulfillment_channel=FulfillmentChannel.AMAZON)
    assert resolve_order_type(afn, ORDER_TYPES).order_type == "FBA"
    assert m3(afn).head["WHLO"] == "FBA"
    business = us_order(is_business_order=True, fulfillment_channel="AFN")
    assert resolve_order_type(business, ORDER_TYPES).order_type == "B2B"
    replacement = us_order(is_replacement_order=True, is_business_order=True)
    assert resolve_order_type(replacement, ORDER_TYPES).order_type == "RPL"
    mcf = us_order(sales_channel="Non-Amazon")
    assert is_mcf_order(mcf)
    assert resolve_order_type(mcf, ORDER_TYPES).order_type == "MCF"


def test_no_matching_order_type_and_no_default_names_the_order():
    rules = OrderTypeRules([OrderTypeRule("FBA", fulfillment_channel="AFN")])
    with pytest.raises(
        MappingError,
        match=r"order 113-4567890-1234567: no order type rule "
        r"matches \(channel MFN, business False",
    ):
        resolve_order_type(us_order(), rules)


def test_order_type_rules_load_from_json_and_refuse_unknown_fields():
    rules = OrderTypeRules.from_json('{"rules": [{"order_type": "X", "business": true}]}')
    assert rules.rules[0].business is True
    with pytest.raises(
        ConfigurationError, match=r"order type rule 1: unexpected field\(s\) colour"
    ):
        OrderTypeRules.from_dict({"rules": [{"order_type": "X", "colour": "red"}]})
    with pytest.raises(ConfigurationError, match="order type rule 1.order_type: required"):
        OrderTypeRules.from_dict({"rules": [{"business": True}]})
    with pytest.raises(ConfigurationError, match="malformed"):
        OrderTypeRules.from_json("[")


def test_customer_per_marketplace_and_per_business_buyer():
    assert resolve_customer(us_order(), CUSTOMERS) == "AMZUS"
    b2b = us_order(is_business_order=True, buyer_email="Buyer@Acme.example")
    assert resolve_customer(b2b, CUSTOMERS) == "C10042"
    unknown_b2b = us_order(is_business_order=True, buyer_email="new@corp.example")
    assert resolve_customer(unknown_b2b, CUSTOMERS) == "AMZUS"


def test_strict_per_buyer_rule_without_the_buyer_is_an_error():
    rules = CustomerRules.from_dict(
        {"marketplaces": {"ATVPDKIKX0DER": "AMZUS"}, "per_buyer": "always",
         "fallback_to_marketplace": False, "buyers": {"A@B.example": "C1"}}
    )  # fmt: skip
    assert resolve_customer(us_order(buyer_email="a@b.example"), rules) == "C1"
    with pytest.raises(
        MappingError,
        match=r"order 113-4567890-1234567: buyer x@y.example has no "
        "customer",
    ):
        resolve_customer(us_order(buyer_email="x@y.example"), rules)


def test_unknown_marketplace_without_default_names_it():
    with pytest.raises(MappingError, match=r"marketplace 'A13V1IB3VIYZZH' has no customer"):
        resolve_customer(us_order(marketplace_id="A13V1IB3VIYZZH"), CUSTOMERS)
    rules = CustomerRules(default="AMZ-OTHER")
    assert resolve_customer(us_order(marketplace_id="A13V1IB3VIYZZH"), rules) == "AMZ-OTHER"


def test_customer_rules_refuse_unknown_modes():
    with pytest.raises(ConfigurationError, match="per_buyer: expected one of never, business"):
        CustomerRules(per_buyer="sometimes")


def test_inexact_unit_price_is_an_error_naming_order_and_line():
    line = OrderLine("L1", ItemRef(seller_sku="WIDGET-001"), 3, item_price=usd("10.00"))
    with pytest.raises(
        MappingError,
        match=r"order 113-4567890-1234567 line L1: item price 10.00 "
        r"USD for 3 units has no exact unit price",
    ):
        m3(us_order(lines=(line,), order_total=usd("10.00")))


def test_a_price_rule_can_replace_the_exact_unit_price():
    line = OrderLine("L1", ItemRef(seller_sku="WIDGET-001"), 3, item_price=usd("10.00"))

    def no_price(line, order, max_decimals):
        return None

    result = m3(us_order(lines=(line,), order_total=usd("10.00")), unit_price_for=no_price)
    assert "SAPR" not in result.lines[0]


def test_missing_sku_raises_with_suggestions():
    line = OrderLine("L9", ItemRef(seller_sku="WIDGET-01"), 1, item_price=usd("1.00"))
    with pytest.raises(
        ItemNotFoundError,
        match=r"order 113-4567890-1234567 line L9: no M3 item "
        r"for seller SKU 'WIDGET-01'; closest: seller SKU 'WIDGET-001' -> A1000",
    ):
        m3(us_order(lines=(line,), order_total=usd("1.00")))


def test_order_id_longer_than_cuor_is_an_error():
    with pytest.raises(MappingError, match=r"CUOR \(Amazon order id\) .* holds 20"):
        m3(us_order(order_id="113-4567890-1234567-EXTRA"))


def test_line_in_another_currency_names_line_and_field():
    line = OrderLine(
        "L2",
        ItemRef(seller_sku="WIDGET-001"),
        1,
        item_price=usd("1.00"),
        item_tax=Money.of("1", "EUR"),
    )
    with pytest.raises(
        MappingError,
        match=r"line L2: item_tax 1.00 EUR is not in the order "
        "currency USD",
    ):
        m3(us_order(lines=(line,), order_total=usd("1.00")))


def test_order_without_orderable_lines_is_an_error():
    line = OrderLine("L3", ItemRef(seller_sku="WIDGET-001"), 0, item_price=usd("0.00"))
    with pytest.raises(MappingError, match="no lines with a quantity to order"):
        m3(us_order(lines=(line,)))


def test_amazon_order_becomes_an_sap_sales_order_deep_insert():
    body = sap(us_order())
    assert {k: v for k, v in body.items() if not k.startswith("to_")} == {
        "SalesOrderType": "MFN",
        "SalesOrganization": "1010",
        "DistributionChannel": "10",
        "OrganizationDivision": "00",
        "SoldToParty": "AMZUS",
        "PurchaseOrderByCustomer": "113-4567890-1234567",
        "CustomerPurchaseOrderDate": "/Date(1772409600000)/",
        "TransactionCurrency": "USD",
    }
    items = body["to_Item"]["results"]
    assert [i["SalesOrderItem"] for i in items] == ["10", "20"]
    assert items[0] == {
        "SalesOrderItem": "10",
        "Material": "A1000",
        "RequestedQuantity": "2",
        "RequestedQuantityUnit": "EA",
        "PurchaseOrderByCustomer": "113-4567890-1234567",
        "ProductionPlant": "W01",
        "to_PricingElement": {
            "results": [
                {"ConditionType": "PR00", "ConditionRateValue": "19.99", "ConditionCurrency": "USD"}
            ]
        },
    }
    (ship_to,) = body["to_Partner"]["results"]
    assert ship_to["PartnerFunction"] == "WE"
    assert ship_to["Customer"] == "AMZUS"
    assert ship_to["to_Address"]["results"][0]["StreetName"] == "123 Any Street"


def test_odata_date_is_midnight_utc_of_the_purchase_day():
    stamp = int(datetime(2026, 3, 2, tzinfo=UTC).timestamp() * 1000)
    assert sap(us_order())["CustomerPurchaseOrderDate"] == f"/Date({stamp})/"


def test_sap_pricing_can_be_left_to_sap():
    settings = SapOrderSettings(
        "1010", "10", "00", price_condition_type=None, include_ship_to_address=False, item_step=1
    )
    body = sap(us_order(), settings=settings)
    assert "to_PricingElement" not in body["to_Item"]["results"][0]
    assert "to_Partner" not in body
    assert body["to_Item"]["results"][1]["SalesOrderItem"] == "2"


def test_user_hooks_replace_single_decisions():
    def always_c1(order, rules):
        return "C1"

    def by_asin(line, order, items):
        return "MAT-" + (line.item.asin or "NONE")

    body = sap(us_order(), customer_for=always_c1, item_for=by_asin)
    assert body["SoldToParty"] == "C1"
    assert body["to_Item"]["results"][0]["Material"] == "MAT-B0EXAMPLE1"


def test_mapping_orders_is_deterministic():
    assert sap(us_order()) == sap(us_order())
    assert m3(us_order()) == m3(us_order())
    assert Decimal("19.99") == Decimal(m3(us_order()).lines[0]["SAPR"])
