from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amazon_erp_bridge.errors import ConfigurationError, MappingError
from amazon_erp_bridge.mapping import (
    InventoryRules,
    allocate_quantities,
    amazon_quantities,
    changed_quantities,
    sellable_quantities,
)
from amazon_erp_bridge.model import InventoryLevel, ItemRef

US, CA, MX = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"


def level(sku, fulfillable, reserved=0, location="W01"):
    return InventoryLevel(ItemRef(seller_sku=sku), fulfillable, reserved, location=location)


def test_available_less_reservations_and_buffer_never_below_zero():
    rules = InventoryRules(safety_buffer=2, buffers={"GADGET-002": 0}, reserved={"WIDGET-001": 5})
    available = {"WIDGET-001": 20, "GADGET-002": 3, "THING-3": 1, "BACKORDER-4": -7}
    assert sellable_quantities(available, rules) == {
        "BACKORDER-4": 0,
        "GADGET-002": 3,
        "THING-3": 0,
        "WIDGET-001": 13,
    }


def test_erp_levels_sum_per_sku_and_respect_reserved_and_locations():
    levels = [
        level("WIDGET-001", 10, reserved=3),
        level("WIDGET-001", 5, location="W02"),
        level("WIDGET-001", 100, location="QUARANTINE"),
        level("GADGET-002", 4),
    ]
    rules = InventoryRules(locations=frozenset({"W01", "W02"}))
    assert sellable_quantities(levels, rules) == {"GADGET-002": 4, "WIDGET-001": 12}


def test_level_without_seller_sku_names_the_location():
    levels = [InventoryLevel(ItemRef(asin="B0EXAMPLE1"), 3, location="W01")]
    with pytest.raises(
        MappingError, match="inventory level at W01 for 'B0EXAMPLE1': no seller SKU"
    ):
        sellable_quantities(levels, InventoryRules())


def test_non_integer_stock_names_the_sku():
    with pytest.raises(MappingError, match=r"available stock of SKU 'X': expected an integer"):
        sellable_quantities({"X": Decimal("1.5")}, InventoryRules())


def test_shares_split_whole_units_by_largest_remainder():
    rules = InventoryRules(shares={US: Decimal("0.5"), CA: Decimal("0.3"), MX: Decimal("0.2")})
    result = allocate_quantities({"WIDGET-001": 11, "ONE-LEFT": 1}, rules)
    assert result == {
        US: {"ONE-LEFT": 1, "WIDGET-001": 6},
        CA: {"ONE-LEFT": 0, "WIDGET-001": 3},
        MX: {"ONE-LEFT": 0, "WIDGET-001": 2},
    }


def test_a_single_marketplace_gets_everything_sellable_and_the_cap_applies():
    rules = InventoryRules(safety_buffer=1, max_quantity=50)
    assert amazon_quantities({"A": 10, "B": 500}, rules, marketplace_id=US) == {"A": 9, "B": 50}


def test_asking_for_a_marketplace_without_share_names_it():
    rules = InventoryRules(shares={US: Decimal("1")})
    with pytest.raises(MappingError, match=f"marketplace '{CA}' has no share"):
        amazon_quantities({"A": 1}, rules, marketplace_id=CA)


def test_shares_over_one_or_out_of_range_are_refused():
    with pytest.raises(ConfigurationError, match="add up to more than 1"):
        InventoryRules(shares={US: Decimal("0.7"), CA: Decimal("0.4")})
    with pytest.raises(ConfigurationError, match="not between 0 and 1"):
        InventoryRules(shares={US: "1.5"})
    with pytest.raises(ConfigurationError, match="not a float"):
        InventoryRules(shares={US: 0.5})
    with pytest.raises(ConfigurationError, match="expected a count >= 0"):
        InventoryRules(safety_buffer=-1)
    with pytest.raises(ConfigurationError, match="name the marketplaces"):
        allocate_quantities({"A": 1}, InventoryRules())


def test_changes_only_keeps_what_differs_from_what_was_last_sent():
    last_sent = {"A": 5, "B": 3, "GONE": 2, "ALREADY-ZERO": 0}
    current = {"A": 5, "B": 4, "NEW": 1}
    assert changed_quantities(current, last_sent) == {"B": 4, "NEW": 1, "GONE": 0}
    assert changed_quantities(current, last_sent, zero_missing=False) == {"B": 4, "NEW": 1}


@st.composite
def stock_and_rules(draw):
    skus = draw(st.lists(st.text("ABCDEFG-12", min_size=1, max_size=6), unique=True, max_size=8))
    available = {sku: draw(st.integers(-50, 10_000)) for sku in skus}
    weights = draw(st.lists(st.integers(0, 100), min_size=1, max_size=4))
    total = sum(weights) or 1
    names = [f"M{i}" for i in range(len(weights))]
    shares = {n: Decimal(w) / Decimal(total) for n, w in zip(names, weights, strict=True)}
    if sum(shares.values()) > 1:  # rounding of the division: scale down a hair
        shares = {n: s * Decimal("0.999") for n, s in shares.items()}
    rules = InventoryRules(
        safety_buffer=draw(st.integers(0, 20)),
        reserved={sku: draw(st.integers(0, 30)) for sku in skus[:2]},
        shares=shares,
        max_quantity=draw(st.none() | st.integers(0, 500)),
    )
    return available, rules


@settings(max_examples=100, deadline=None)
@given(stock_and_rules())
def test_quantities_are_never_negative_and_never_exceed_the_sellable_stock(case):
    available, rules = case
    allocated = allocate_quantities(available, rules)
    sellable = sellable_quantities(available, rules)
    for per_sku in allocated.values():
        assert all(q >= 0 for q in per_sku.values())
    for sku, quantity in sellable.items():
        assert sum(per_sku[sku] for per_sku in allocated.values()) <= quantity
    assert allocate_quantities(available, rules) == allocated  # deterministic
