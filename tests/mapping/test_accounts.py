import json

import pytest

from amazon_erp_bridge.errors import ConfigurationError
from amazon_erp_bridge.mapping import (
    AMAZON_DEFAULT_ACCOUNTS,
    GlAccount,
    GlAccountMap,
    GlRule,
    settlement_line_account,
)

from .samples import line

CLEARING = GlAccount("1290", {}, "clearing")


def accounts(*rules: GlRule, default: GlAccount | None = None) -> GlAccountMap:
    return GlAccountMap(clearing=CLEARING, rules=rules, default=default)


def test_exact_triple_beats_wildcards():
    exact = GlAccount("4001")
    m = accounts(
        GlRule("Order", "ItemPrice", "*", GlAccount("4000")),
        GlRule("Order", "ItemPrice", "Principal", exact),
    )
    assert m.lookup(("Order", "ItemPrice", "Principal")) is exact
    assert m.lookup(("Order", "ItemPrice", "Shipping")).account == "4000"


def test_more_exact_parts_win_over_fewer():
    m = accounts(
        GlRule("*", "*", "Commission", GlAccount("5000")),
        GlRule("*", "ItemFees", "Commission", GlAccount("5100")),
    )
    assert m.lookup(("Refund", "ItemFees", "Commission")).account == "5100"


def test_tie_goes_to_the_description_because_it_is_the_leaf():
    m = accounts(
        GlRule("Refund", "ItemPrice", "*", GlAccount("4060")),
        GlRule("*", "ItemPrice", "Tax", GlAccount("2200")),
    )
    assert m.lookup(("Refund", "ItemPrice", "Tax")).account == "2200"
    assert m.lookup(("Refund", "ItemPrice", "Principal")).account == "4060"


def test_glob_part_beats_a_full_wildcard():
    m = accounts(
        GlRule("*", "ItemFees", "*", GlAccount("5100")),
        GlRule("*", "ItemFees", "FBA*", GlAccount("5200")),
    )
    assert m.lookup(("Order", "ItemFees", "FBAPerUnitFulfillmentFee")).account == "5200"
    assert m.lookup(("Order", "ItemFees", "Commission")).account == "5100"


def test_equal_rank_goes_to_the_rule_listed_first():
    m = accounts(
        GlRule("Order", "Item*", "*", GlAccount("A")),
        GlRule("Order", "*Fees", "*", GlAccount("B")),
    )
    assert m.lookup(("Order", "ItemFees", "Commission")).account == "A"


def test_keys_match_ignoring_case_spaces_hyphens_and_underscores():
    m = accounts(GlRule("ServiceFee", "*", "*", GlAccount("5300")))
    assert m.lookup(("Service Fee", "other", "Subscription")).account == "5300"
    assert m.lookup(("service-fee", "", "")).account == "5300"


def test_no_match_uses_the_explicit_default_or_none():
    assert accounts().lookup(("Order", "X", "Y")) is None
    suspense = GlAccount("1999", {}, "suspense")
    assert accounts(default=suspense).lookup(("Order", "X", "Y")) is suspense


def test_settlement_line_account_uses_the_line_key():
    found = settlement_line_account(
        line("Order", "ItemPrice", "Principal", "1.00"), AMAZON_DEFAULT_ACCOUNTS
    )
    assert found is not None and found.account == "4000"


def test_two_rules_for_the_same_pattern_are_refused():
    with pytest.raises(
        ConfigurationError, match=r"rules 1 and 2 both match \(order, Item Price, principal\)"
    ):
        accounts(
            GlRule("Order", "ItemPrice", "Principal", GlAccount("4000")),
            GlRule("order", "Item Price", "principal", GlAccount("4001")),
        )


def test_blank_account_number_is_refused():
    with pytest.raises(ConfigurationError, match="GlAccount.account"):
        GlAccount("  ")


@pytest.mark.parametrize(
    ("key", "account"),
    [
        (("Order", "ItemPrice", "Principal"), "4000"),
        (("Order", "ItemPrice", "Shipping"), "4010"),
        (("Order", "ItemPrice", "Tax"), "2200"),
        (("Refund", "ItemPrice", "Principal"), "4060"),
        (("Refund", "ItemPrice", "ShippingTax"), "2200"),
        (("Order", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal"), "2200"),
        (("Order", "Promotion", "Shipping"), "4050"),
        (("Order", "ItemFees", "Commission"), "5100"),
        (("Order", "ItemFees", "FBAPerUnitFulfillmentFee"), "5200"),
        (("Order", "ItemFees", "ShippingChargeback"), "5210"),
        (("A-to-z Guarantee Refund", "ItemPrice", "Principal"), "4060"),
        (("other-transaction", "other-transaction", "Current Reserve Amount"), "1292"),
        (("Previous Reserve Amount Balance", "", ""), "1292"),
        (("other-transaction", "", "Storage Fee"), "5300"),
        (("Transfer", "", ""), "1293"),
        (("Service Fee", "other", "Subscription"), "5300"),
    ],
)
def test_default_amazon_map_places_the_common_settlement_rows(key, account):
    assert AMAZON_DEFAULT_ACCOUNTS.lookup(key).account == account


def test_default_amazon_map_has_no_catch_all_so_new_kinds_surface():
    assert AMAZON_DEFAULT_ACCOUNTS.default is None
    assert AMAZON_DEFAULT_ACCOUNTS.lookup(("NewTransaction", "NewType", "New")) is None


def test_map_round_trips_through_json():
    text = AMAZON_DEFAULT_ACCOUNTS.to_json()
    assert json.loads(text)["clearing"]["account"] == "1290"
    assert GlAccountMap.from_json(text) == AMAZON_DEFAULT_ACCOUNTS


def test_map_loads_from_dict_with_dimensions_and_kebab_case_names():
    m = GlAccountMap.from_dict(
        {
            "clearing": {"account": "1290"},
            "unsettled": {"account": "1291"},
            "default": None,
            "rules": [
                {
                    "transaction-type": "Order",
                    "amount-type": "ItemPrice",
                    "amount-description": "*",
                    "account": "4000",
                    "dimensions": {"profit_center": "PC-AMZ"},
                }
            ],
        }
    )
    found = m.lookup(("Order", "ItemPrice", "Principal"))
    assert found == GlAccount("4000", {"profit_center": "PC-AMZ"})
    assert m.unsettled == GlAccount("1291")


def test_map_loads_from_csv_with_roles_and_dimension_columns():
    text = (
        "transaction-type,amount-type,amount-description,account,text,dim.cost_center\n"
        "@clearing,,,1290,Settlement clearing,\n"
        "@default,,,1999,Suspense,\n"
        "Order,ItemPrice,Principal,4000,Sales,CC-10\n"
        "*,ItemFees,,5100,Fees,\n"
        ",,,,,\n"
    )
    m = GlAccountMap.from_csv(text)
    assert m.clearing.account == "1290"
    assert m.default is not None and m.default.account == "1999"
    assert m.lookup(("Order", "ItemPrice", "Principal")) == GlAccount(
        "4000", {"cost_center": "CC-10"}, "Sales"
    )
    assert m.lookup(("Refund", "ItemFees", "Commission")).account == "5100"


def test_csv_without_clearing_row_is_refused():
    with pytest.raises(ConfigurationError, match="no @clearing row"):
        GlAccountMap.from_csv("transaction-type,amount-type,amount-description,account\n")


def test_csv_with_unknown_role_names_the_row():
    text = "transaction-type,amount-type,amount-description,account\n@bank,,,1000\n"
    with pytest.raises(ConfigurationError, match=r"CSV row 2: unknown role '@bank'"):
        GlAccountMap.from_csv(text)


def test_csv_missing_a_column_is_refused():
    with pytest.raises(ConfigurationError, match="missing column.*amount_description"):
        GlAccountMap.from_csv("transaction-type,amount-type,account\n")


def test_dict_rule_missing_a_key_part_names_the_rule_and_field():
    with pytest.raises(ConfigurationError, match=r"rule 1.amount_description: required"):
        GlAccountMap.from_dict(
            {
                "clearing": {"account": "1290"},
                "rules": [{"transaction_type": "Order", "amount_type": "X", "account": "1"}],
            }
        )


def test_dict_without_clearing_is_refused():
    with pytest.raises(ConfigurationError, match="'clearing' is required"):
        GlAccountMap.from_dict({"rules": []})


def test_malformed_json_says_where():
    with pytest.raises(ConfigurationError, match="malformed at line 1"):
        GlAccountMap.from_json("{nope")


def test_unknown_fields_are_refused():
    with pytest.raises(ConfigurationError, match="unexpected field.*bank"):
        GlAccountMap.from_dict({"clearing": {"account": "1"}, "bank": {}})


def test_rule_for_tells_which_rule_decided():
    rule = AMAZON_DEFAULT_ACCOUNTS.rule_for(("Order", "ItemFees", "FBAWeightBasedFee"))
    assert rule is not None and rule.pattern == ("*", "ItemFees", "FBA*")
    assert rule.matches(("Refund", "item fees", "fba-per-unit"))
    assert AMAZON_DEFAULT_ACCOUNTS.rule_for(("X", "Y", "Z")) is None
