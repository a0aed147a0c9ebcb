"""ERP stock rows (M3 warehouse balances, SAP material stock) -> inventory levels per seller SKU."""

from decimal import Decimal

import pytest
from attrs import frozen

from amazon_erp_bridge.errors import MappingError
from amazon_erp_bridge.infor import WarehouseBalance
from amazon_erp_bridge.mapping import InventoryRules, ItemCrosswalk, amazon_quantities
from amazon_erp_bridge.mapping.inventory import erp_inventory_levels
from amazon_erp_bridge.sap import MaterialStock

US = "ATVPDKIKX0DER"
ITEMS = ItemCrosswalk.from_entries(
    [("seller_sku", "SKU-MUG", "MUG01"), ("seller_sku", "SKU-PEN", "PEN04")], system="M3 item"
)


def balance(item: str, on_hand: str, allocated: str = "0", warehouse: str = "AMZ"):
    return WarehouseBalance(item, warehouse, Decimal(on_hand), Decimal(allocated))


def test_m3_balances_become_levels_per_seller_sku():
    levels = erp_inventory_levels([balance("MUG01", "120", "15"), balance("PEN04", "8")], ITEMS)
    assert [(lv.item.seller_sku, lv.fulfillable, lv.reserved, lv.location) for lv in levels] == [
        ("SKU-MUG", 120, 15, "AMZ"),
        ("SKU-PEN", 8, 0, "AMZ"),
    ]


def test_items_not_sold_on_amazon_are_left_out():
    assert erp_inventory_levels([balance("SPARE-PART", "40")], ITEMS) == []


def test_fractions_round_down_on_hand_and_up_allocated_and_negative_stock_is_zero():
    levels = erp_inventory_levels(
        [balance("MUG01", "7.9", "1.2"), balance("PEN04", "-3", "0")], ITEMS
    )
    assert [(lv.fulfillable, lv.reserved) for lv in levels] == [(7, 2), (0, 0)]


def test_an_item_with_several_seller_skus_offers_its_stock_on_one_only():
    items = ItemCrosswalk.from_entries(
        [("seller_sku", "SKU-MUG-B", "MUG01"), ("seller_sku", "SKU-MUG-A", "MUG01")]
    )
    levels = erp_inventory_levels([balance("MUG01", "10", "1")], items)
    assert [(lv.item.seller_sku, lv.fulfillable, lv.reserved) for lv in levels] == [
        ("SKU-MUG-A", 10, 1),
        ("SKU-MUG-B", 0, 0),
    ]


def test_sap_rows_of_several_storage_locations_add_up_per_sku():
    items = ItemCrosswalk.from_sap_products([{"Product": "SKU-MUG"}])
    rows = [
        MaterialStock("SKU-MUG", "AMZ", Decimal("12"), storage_location="0001"),
        MaterialStock("SKU-MUG", "AMZ", Decimal("3.5"), storage_location="0002"),
    ]
    levels = erp_inventory_levels(rows, items)
    assert amazon_quantities(levels, InventoryRules(), marketplace_id=US) == {"SKU-MUG": 15}


def test_reserved_units_and_the_safety_buffer_are_held_back_and_never_below_zero():
    levels = erp_inventory_levels(
        [balance("MUG01", "120", "15"), balance("PEN04", "8", "2")], ITEMS
    )
    rules = InventoryRules(safety_buffer=3, reserved={"SKU-PEN": 5})
    assert amazon_quantities(levels, rules, marketplace_id=US) == {"SKU-MUG": 102, "SKU-PEN": 0}


def test_a_quantity_that_is_not_a_decimal_names_item_and_location():
    @frozen
    class Row:
        item: str
        location: str
        on_hand: object
        allocated: object

    with pytest.raises(MappingError, match="stock of M3 item MUG01 at AMZ on-hand"):
        erp_inventory_levels([Row("MUG01", "AMZ", 1.5, Decimal(0))], ITEMS)  # type: ignore[list-item]
