"""The query builder: filters, system query options and entity keys."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.sap.query import (
    Query,
    Raw,
    all_of,
    any_of,
    entity_path,
    equals,
    function_params,
    key_predicate,
    prop,
)


def test_quotes_in_filter_values_are_doubled() -> None:
    f = prop("PurchaseOrderByCustomer").eq("113-'A'-B")
    assert f.render() == "PurchaseOrderByCustomer eq '113-''A''-B'"


def test_a_value_cannot_break_out_of_its_literal() -> None:
    attack = "x' or SoldToParty ne '"
    rendered = prop("SoldToParty").eq(attack).render()
    assert rendered == "SoldToParty eq 'x'' or SoldToParty ne '''"


def test_and_or_not_group_by_precedence() -> None:
    a, b, c = prop("A").eq(1), prop("B").eq(2), prop("C").eq(3)
    assert ((a | b) & c).render() == "(A eq 1 or B eq 2) and C eq 3"
    assert (a & b | c).render() == "(A eq 1 and B eq 2) or C eq 3"
    assert (a & b & c).render() == "A eq 1 and B eq 2 and C eq 3"
    assert (~a).render() == "not (A eq 1)"
    assert all_of(a, Raw("B eq 2 or C eq 3")).render() == "A eq 1 and (B eq 2 or C eq 3)"
    assert any_of(a).render() == "A eq 1"


def test_comparisons_and_functions_per_version() -> None:
    assert prop("D").ge(date(2026, 1, 2)).render(2) == "D ge datetime'2026-01-02T00:00:00'"
    assert prop("D").lt(date(2026, 1, 2)).render(4) == "D lt 2026-01-02"
    assert prop("N").gt(Decimal("1.5")).render(2) == "N gt 1.5M"
    assert prop("N").le(3).render() == "N le 3"
    assert prop("N").ne(None).render() == "N ne null"
    assert prop("Name").contains("O'B").render(2) == "substringof('O''B',Name)"
    assert prop("Name").contains("x").render(4) == "contains(Name,'x')"
    assert prop("Name").startswith("A").render() == "startswith(Name,'A')"
    assert prop("Name").endswith("z").render() == "endswith(Name,'z')"
    assert prop("G").one_of(["1", "2"]).render() == "G eq '1' or G eq '2'"


def test_equals_skips_none() -> None:
    assert equals(A="1", B=None, C="3").render() == "A eq '1' and C eq '3'"


@pytest.mark.parametrize("name", ["", "A B", "A eq 1", "1A", "A)", "to_Item//X", "A'"])
def test_property_names_are_checked(name: str) -> None:
    with pytest.raises(ValidationError, match="name"):
        prop(name)


def test_empty_combinations_are_refused() -> None:
    with pytest.raises(ValidationError, match="at least one"):
        all_of()
    with pytest.raises(ValidationError, match="at least one"):
        prop("A").one_of([])


def test_query_params_v2() -> None:
    q = Query(
        filter=prop("SoldToParty").eq("1"),
        select=("SalesOrder", "SoldToParty"),
        expand=("to_Item",),
        orderby=("SalesOrder desc",),
        top=10,
        skip=20,
        count=True,
        custom={"sap-language": "EN"},
    )
    assert q.params(2) == {
        "$filter": "SoldToParty eq '1'",
        "$select": "SalesOrder,SoldToParty",
        "$expand": "to_Item",
        "$orderby": "SalesOrder desc",
        "$top": "10",
        "$skip": "20",
        "$inlinecount": "allpages",
        "$format": "json",
        "sap-language": "EN",
    }


def test_query_params_v4_count() -> None:
    assert Query(count=True).params(4) == {"$count": "true"}


def test_where_ands_to_the_existing_filter() -> None:
    q = Query(filter=prop("A").eq(1)).where(prop("B").eq(2))
    assert q.params()["$filter"] == "A eq 1 and B eq 2"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("select", ("A,B",), r"\$select"),
        ("expand", ("to_Item;drop",), r"\$expand"),
        ("orderby", ("A descending",), r"\$orderby"),
        ("top", -1, r"\$top"),
        ("skip", True, r"\$skip"),
    ],
)
def test_bad_query_options_are_refused(field: str, value: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Query(**{field: value})  # type: ignore[arg-type]


def test_single_and_composite_keys() -> None:
    assert key_predicate("4711") == "('4711')"
    assert key_predicate({"SalesOrder": "1", "SalesOrderItem": "10"}) == (
        "(SalesOrder='1',SalesOrderItem='10')"
    )
    assert key_predicate(7) == "(7)"


def test_keys_are_escaped_and_percent_encoded_in_paths() -> None:
    assert entity_path("A_Product", "A/B C'D") == "A_Product('A%2FB%20C''D')"
    assert entity_path("A_Product", "100%") == "A_Product('100%25')"
    assert entity_path("A_SalesOrder") == "A_SalesOrder"


@pytest.mark.parametrize("key", [None, "", {}])
def test_empty_keys_are_refused(key: object) -> None:
    with pytest.raises(ValidationError, match="key"):
        key_predicate(key)


def test_entity_set_names_are_checked() -> None:
    with pytest.raises(ValidationError, match="entity set"):
        entity_path("A_SalesOrder?$top=1", "1")


def test_function_parameters_are_literals() -> None:
    assert function_params({"DeliveryDocument": "80000000", "Qty": Decimal("2")}) == {
        "DeliveryDocument": "'80000000'",
        "Qty": "2M",
    }
