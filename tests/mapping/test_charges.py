"""Order line charges -> M3 order charges and SAP pricing elements, as pure tables."""

from __future__ import annotations

from decimal import Decimal

import pytest

from amazon_erp_bridge.errors import ConfigurationError, MappingError
from amazon_erp_bridge.mapping import (
    CustomerRules,
    ItemCrosswalk,
    M3OrderSettings,
    OrderTypeRules,
    SapOrderSettings,
    order_to_m3,
    order_to_sap,
)
from amazon_erp_bridge.mapping.charges import (
    ChargeRules,
    MissingTaxCodeError,
    PromotionTooLargeError,
    UnknownChargeError,
    expected_invoice_total,
    line_charges,
    rounded_unit_price,
    rounding_charge,
)
from amazon_erp_bridge.model import ItemRef, OrderLine

from .samples import us_order, usd

RULES = ChargeRules(
    codes={
        "shipping_price": "FRT",
        "gift_wrap_price": "GWR",
        "item_tax": "TAX",
        "shipping_tax": "TAX",
        "gift_wrap_tax": "TAX",
        "promotion_discount": "PRO",
        "shipping_discount": "FRT",
        "promotion_discount_tax": "TAX",
        "shipping_discount_tax": "TAX",
        "price_rounding": "RND",
    },
    tax_codes={
        "item_tax": "S1",
        "shipping_tax": "S1",
        "gift_wrap_tax": "S1",
        "promotion_discount_tax": "S1",
        "shipping_discount_tax": "S1",
    },
)
ITEMS = ItemCrosswalk.from_entries([("seller_sku", "WIDGET-001", "A1000")], system="M3 item")
CUSTOMERS = CustomerRules(default="AMZUS")
TYPES = OrderTypeRules.from_dict({"default": {"order_type": "AZM"}})
#: SAP takes the tax code of the taxes as the item's tax classification (1 character).
SAP_RULES = ChargeRules(codes=RULES.codes, tax_codes=dict.fromkeys(RULES.tax_codes, "1"))
SAP = SapOrderSettings(
    sales_organization="1010", distribution_channel="10", division="00", charges=SAP_RULES
)


def full_line(**overrides: object) -> OrderLine:
    values: dict[str, object] = {
        "line_id": "L1",
        "item": ItemRef("WIDGET-001"),
        "quantity": 2,
        "item_price": usd("40.00"),
        "item_tax": usd("3.20"),
        "shipping_price": usd("5.00"),
        "shipping_tax": usd("0.40"),
        "gift_wrap_price": usd("2.00"),
        "gift_wrap_tax": usd("0.16"),
        "promotion_discount": usd("4.00"),
        "promotion_discount_tax": usd("0.32"),
        "shipping_discount": usd("1.00"),
        "shipping_discount_tax": usd("0.08"),
    }
    values.update(overrides)
    return OrderLine(**values)  # type: ignore[arg-type]


def order_of(*lines: OrderLine):
    return us_order(lines=lines, order_total=None)


def table(charges):
    return [(c.kind, c.code, str(c.amount.amount), c.tax_code) for c in charges]


def test_every_charge_kind_gets_its_code_with_discounts_negative_and_taxes_coded():
    line = full_line()
    assert table(line_charges(order_of(line), line, RULES)) == [
        ("shipping_price", "FRT", "5.00", None),
        ("gift_wrap_price", "GWR", "2.00", None),
        ("item_tax", "TAX", "3.20", "S1"),
        ("shipping_tax", "TAX", "0.40", "S1"),
        ("gift_wrap_tax", "TAX", "0.16", "S1"),
        ("promotion_discount", "PRO", "-4.00", None),
        ("shipping_discount", "FRT", "-1.00", None),
        ("promotion_discount_tax", "TAX", "-0.32", "S1"),
        ("shipping_discount_tax", "TAX", "-0.08", "S1"),
    ]


@pytest.mark.parametrize(
    ("line", "rules", "expected"),
    [
        # a bare line: nothing but the price
        (full_line(**dict.fromkeys(RULES.codes.keys() - {"price_rounding"})), RULES, []),
        # taxes the ERP determines are not sent and need no code
        (
            full_line(gift_wrap_price=None, promotion_discount=None),
            ChargeRules(
                codes={"shipping_price": "FRT", "shipping_discount": "FRT"},
                erp_taxes={
                    "item_tax",
                    "shipping_tax",
                    "gift_wrap_tax",
                    "promotion_discount_tax",
                    "shipping_discount_tax",
                },
            ),
            [("shipping_price", "FRT", "5.00", None), ("shipping_discount", "FRT", "-1.00", None)],
        ),
    ],
)
def test_charge_table(line, rules, expected):
    assert table(line_charges(order_of(line), line, rules)) == expected


def test_facilitator_tax_is_left_out_by_default_and_sent_when_included():
    line = full_line(
        shipping_price=None,
        shipping_tax=None,
        gift_wrap_price=None,
        gift_wrap_tax=None,
        promotion_discount=None,
        promotion_discount_tax=None,
        shipping_discount=None,
        shipping_discount_tax=None,
        facilitator_tax=usd("3.20"),
    )
    order = order_of(line)
    assert line_charges(order, line, RULES) == ()
    assert expected_invoice_total(order, RULES) == usd("40.00")
    included = ChargeRules(codes=RULES.codes, tax_codes=RULES.tax_codes, facilitator_tax="include")
    assert table(line_charges(order, line, included)) == [("item_tax", "TAX", "3.20", "S1")]
    assert expected_invoice_total(order, included) == usd("43.20")


def test_part_of_the_tax_withheld_comes_off_the_item_tax_first():
    line = full_line(facilitator_tax=usd("3.00"))
    taxes = {c.kind: c.amount for c in line_charges(order_of(line), line, RULES) if c.is_tax}
    assert taxes["item_tax"] == usd("0.20")
    assert taxes["shipping_tax"] == usd("0.40")


def test_expected_invoice_total_is_what_the_buyer_paid():
    line = full_line()
    # 40 + 3.20 + 5 + 0.40 + 2 + 0.16 - 4 - 0.32 - 1 - 0.08
    assert expected_invoice_total(order_of(line), RULES) == usd("45.36")
    assert line.buyer_total("USD") == usd("45.36")


# --- bad input --------------------------------------------------------------------------


def test_unknown_charge_type_without_code_names_order_line_and_kind():
    line = full_line()
    rules = ChargeRules(codes={"shipping_price": "FRT"}, tax_codes=RULES.tax_codes)
    with pytest.raises(
        UnknownChargeError,
        match=r"order 113-4567890-1234567 line L1: gift_wrap_price 2\.00 USD has no M3 charge code",
    ):
        line_charges(order_of(line), line, rules, erp="M3")


def test_tax_without_tax_code_names_order_line_and_kind():
    line = full_line()
    rules = ChargeRules(codes=RULES.codes)
    with pytest.raises(MissingTaxCodeError, match=r"line L1: item_tax 3\.20 USD has no tax code"):
        line_charges(order_of(line), line, rules)


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        (
            {"promotion_discount": usd("40.01")},
            "promotion_discount 40.01 USD is larger than the item_price 40.00 USD",
        ),
        (
            {"shipping_discount": usd("6.00")},
            "shipping_discount 6.00 USD is larger than the shipping_price",
        ),
        (
            {"promotion_discount_tax": usd("3.21")},
            "promotion_discount_tax 3.21 USD is larger than the item_tax",
        ),
        ({"promotion_discount": usd("-1.00")}, "negative"),
    ],
)
def test_promotion_larger_than_what_it_discounts_is_refused(overrides, words):
    line = full_line(**overrides)
    with pytest.raises(PromotionTooLargeError) as err:
        line_charges(order_of(line), line, RULES)
    assert "order 113-4567890-1234567 line L1" in str(err.value)
    assert words in str(err.value)


def test_facilitator_tax_larger_than_the_tax_is_refused():
    line = full_line(facilitator_tax=usd("10.00"))
    with pytest.raises(
        MappingError, match="facilitator_tax 10.00 USD is larger than the line's net tax"
    ):
        line_charges(order_of(line), line, RULES)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"codes": {"shipping": "FRT"}}, "unknown charge kind(s) shipping"),
        ({"tax_codes": {"shipping_price": "S1"}}, "shipping_price is not a tax kind"),
        ({"erp_taxes": "item_tax"}, "expected a list of tax kinds"),
        ({"facilitator_tax": "keep"}, "expected one of exclude, include"),
        ({"codes": {"item_tax": " "}}, "empty code for item_tax"),
        ({"colour": 1}, "unexpected field(s) colour"),
    ],
)
def test_charge_rules_refuse_bad_configuration(data, words):
    with pytest.raises(ConfigurationError) as err:
        ChargeRules.from_dict(data)
    assert words in str(err.value)


def test_charge_rules_round_trip_through_json():
    import json

    assert ChargeRules.from_json(json.dumps(RULES.to_dict())) == RULES


# --- unit price rounding ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "quantity", "decimals", "unit", "rest"),
    [
        ("80.80", 3, 2, "26.93", "0.01"),
        ("80.80", 3, 6, "26.933333", "0.000001"),
        ("39.98", 2, 2, "19.99", None),
    ],
)
def test_rounded_unit_price_leaves_the_rest_as_a_rounding_charge(
    total, quantity, decimals, unit, rest
):
    line = full_line(item_price=usd(total), quantity=quantity)
    order = order_of(line)
    price = rounded_unit_price(line, order, decimals)
    assert price == Decimal(unit)
    charge = rounding_charge(order, line, price, RULES, erp="M3")
    assert (charge.amount.amount if charge else None) == (Decimal(rest) if rest else None)


def test_rounding_without_a_code_is_an_unknown_charge():
    line = full_line(item_price=usd("80.80"), quantity=3)
    with pytest.raises(UnknownChargeError, match="price_rounding"):
        rounding_charge(order_of(line), line, Decimal("26.93"), ChargeRules(), erp="SAP")


# --- the ERP payloads -------------------------------------------------------------------


def test_m3_order_carries_line_charges_and_taxes_as_head_charges_with_taxc():
    line = full_line(item_price=usd("80.80"), quantity=3)
    settings = M3OrderSettings(charges=RULES, price_decimals=2)
    order = order_of(line)
    payload = order_to_m3(
        order,
        customers=CUSTOMERS,
        order_types=TYPES,
        items=ITEMS,
        settings=settings,
        unit_price_for=rounded_unit_price,
    )
    assert payload.lines[0]["SAPR"] == "26.93"
    assert payload.line_charges == (
        (
            {"CRID": "RND", "CRAM": "0.01"},
            {"CRID": "FRT", "CRAM": "4.00"},  # 5.00 shipping less 1.00 shipping discount
            {"CRID": "GWR", "CRAM": "2.00"},
            {"CRID": "PRO", "CRAM": "-4.00"},
        ),
    )
    assert payload.head_charges == ({"CRID": "TAX", "CRAM": "3.36", "CUCD": "USD", "TAXC": "S1"},)
    sent = Decimal(payload.lines[0]["SAPR"]) * 3 + sum(
        Decimal(c["CRAM"]) for c in (*payload.line_charges[0], *payload.head_charges)
    )
    assert sent == expected_invoice_total(order, RULES).amount


def test_m3_promotion_on_the_discount_field_is_not_also_a_charge():
    line = full_line()
    settings = M3OrderSettings(charges=RULES, discount_field="DIA2")
    payload = order_to_m3(
        order_of(line), customers=CUSTOMERS, order_types=TYPES, items=ITEMS, settings=settings
    )
    assert payload.lines[0]["DIA2"] == "4.00"
    assert "PRO" not in {c["CRID"] for c in payload.line_charges[0]}


def test_m3_taxes_with_two_tax_codes_on_one_charge_id_are_refused():
    line = full_line()
    rules = ChargeRules(codes=RULES.codes, tax_codes={**RULES.tax_codes, "shipping_tax": "S2"})
    with pytest.raises(
        MappingError, match="charge TAX is configured for taxes with tax codes S1 and S2"
    ):
        order_to_m3(
            order_of(line),
            customers=CUSTOMERS,
            order_types=TYPES,
            items=ITEMS,
            settings=M3OrderSettings(charges=rules),
        )


def test_m3_order_without_charge_rules_is_unchanged():
    payload = order_to_m3(
        order_of(full_line()), customers=CUSTOMERS, order_types=TYPES, items=ITEMS
    )
    assert payload.head_charges == () and payload.line_charges == ()


def test_sap_items_carry_charges_as_pricing_elements_with_the_amount_as_rate():
    line = full_line(item_price=usd("80.80"), quantity=3)
    body = order_to_sap(
        order_of(line),
        customers=CUSTOMERS,
        order_types=TYPES,
        items=ITEMS,
        settings=SAP,
        unit_price_for=rounded_unit_price,
    )
    item = body["to_Item"]["results"][0]
    assert item["ProductTaxClassification1"] == "1"
    elements = item["to_PricingElement"]["results"]
    rows = [
        (
            e["ConditionType"],
            e["ConditionRateValue"],
            "ConditionCalculationType" in e or "TaxCode" in e,  # neither is creatable
        )
        for e in elements
    ]
    assert rows[0] == ("PR00", "26.933333", False)
    assert rows[1:] == [
        ("RND", "0.000001", False),
        ("FRT", "5.00", False),
        ("GWR", "2.00", False),
        ("TAX", "3.20", False),
        ("TAX", "0.40", False),
        ("TAX", "0.16", False),
        ("PRO", "-4.00", False),
        ("FRT", "-1.00", False),
        ("TAX", "-0.32", False),
        ("TAX", "-0.08", False),
    ]
    assert all(e["ConditionCurrency"] == "USD" for e in elements)


def test_sap_codes_longer_than_the_fields_are_refused():
    rules = ChargeRules(
        codes={**RULES.codes, "shipping_price": "FREIGHT"}, tax_codes=RULES.tax_codes
    )
    settings = SapOrderSettings(
        sales_organization="1010", distribution_channel="10", division="00", charges=rules
    )
    with pytest.raises(
        MappingError, match="condition type 'FREIGHT' for shipping_price is 7 characters"
    ):
        order_to_sap(
            order_of(full_line()),
            customers=CUSTOMERS,
            order_types=TYPES,
            items=ITEMS,
            settings=settings,
        )


def test_sap_item_with_taxes_of_two_codes_is_refused():
    rules = ChargeRules(codes=RULES.codes, tax_codes={**SAP_RULES.tax_codes, "shipping_tax": "0"})
    settings = SapOrderSettings(
        sales_organization="1010", distribution_channel="10", division="00", charges=rules
    )
    with pytest.raises(MappingError, match="taxes have the tax codes 0, 1; an SAP item holds one"):
        order_to_sap(
            order_of(full_line()),
            customers=CUSTOMERS,
            order_types=TYPES,
            items=ITEMS,
            settings=settings,
        )
