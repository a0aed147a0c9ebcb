import pytest

from amazon_erp_bridge.errors import MappingError
from amazon_erp_bridge.mapping import IdKind, ItemCrosswalk, ItemNotFoundError, order_line_item
from amazon_erp_bridge.model import ItemRef

from .samples import us_order

M3_ALIASES = [
    {"ALWT": "02", "ALWQ": "SKU", "POPN": "WIDGET-001", "ITNO": "A1000"},
    {"ALWT": "02", "ALWQ": "SKU", "POPN": "WIDGET-002", "ITNO": "A1001"},
    {"ALWT": "02", "ALWQ": "SKU", "POPN": "GADGET-002", "ITNO": "B2000"},
    {"ALWT": "02", "ALWQ": "ASIN", "POPN": "B0EXAMPLE9", "ITNO": "C3000"},
    {"ALWT": "02", "ALWQ": "FNSK", "POPN": "X00ABCDEFG", "ITNO": "A1000"},
    {"ALWT": "05", "ALWQ": "EA13", "POPN": "4006381333931", "ITNO": "D4000"},
    {"ALWT": "01", "ALWQ": "CUST", "POPN": "whatever", "ITNO": "Z9"},
]


def crosswalk() -> ItemCrosswalk:
    return ItemCrosswalk.from_m3_aliases(M3_ALIASES)


def test_m3_aliases_build_a_crosswalk_by_qualifier():
    items = crosswalk()
    assert items.resolve(ItemRef(seller_sku="WIDGET-001")) == "A1000"
    assert items.resolve(ItemRef(asin="B0EXAMPLE9")) == "C3000"
    assert items.resolve(ItemRef(fnsku="X00ABCDEFG")) == "A1000"
    assert items.by_gtin == {"4006381333931": "D4000"}
    assert "whatever" not in items.by_seller_sku
    assert items.system == "M3 item"


def test_seller_sku_wins_then_fnsku_then_asin_then_sku_as_gtin():
    items = crosswalk()
    ref = ItemRef(seller_sku="GADGET-002", asin="B0EXAMPLE9", fnsku="X00ABCDEFG")
    assert items.resolve(ref) == "B2000"
    assert items.resolve(ItemRef(seller_sku="unknown", fnsku="X00ABCDEFG")) == "A1000"
    assert items.resolve(ItemRef(seller_sku="4006381333931")) == "D4000"


def test_alias_category_filter_keeps_one_alwt():
    items = ItemCrosswalk.from_m3_aliases(M3_ALIASES, alias_category="2")
    assert "4006381333931" not in items.by_gtin
    assert items.by_seller_sku["WIDGET-001"] == "A1000"


def test_miss_lists_the_closest_candidates_ranked_by_similarity():
    with pytest.raises(ItemNotFoundError) as caught:
        crosswalk().resolve(
            ItemRef(seller_sku="WIDGET-01", asin="B0NOTHING1"), record="order 113-1 line 7"
        )
    error = caught.value
    assert isinstance(error, MappingError)
    assert error.message.startswith(
        "order 113-1 line 7: no M3 item for seller SKU 'WIDGET-01', ASIN 'B0NOTHING1'; closest: "
        "seller SKU 'WIDGET-001' -> A1000"
    )
    assert [c[0] for c in error.candidates[:2]] == [
        "seller SKU 'WIDGET-001'",
        "seller SKU 'WIDGET-002'",
    ]
    scores = [c[2] for c in error.candidates]
    assert scores == sorted(scores, reverse=True)
    assert "MMS025" in error.message


def test_miss_with_nothing_similar_says_so():
    with pytest.raises(ItemNotFoundError, match="no similar identifier is known"):
        crosswalk().resolve(ItemRef(seller_sku="zzzzzzzzzzzzzzzz"))


def test_order_line_item_names_order_and_line_on_a_miss():
    order = us_order()
    with pytest.raises(ItemNotFoundError, match=r"order 113-4567890-1234567 line 32345678901234"):
        order_line_item(order.lines[2], order, crosswalk())


def test_m3_alias_record_without_item_names_record_and_field():
    records = [{"ALWT": "02", "ALWQ": "SKU", "POPN": "WIDGET-001", "ITNO": "  "}]
    with pytest.raises(MappingError, match=r"MMS025MI alias record 1 \(ALWQ SKU\): field ITNO"):
        ItemCrosswalk.from_m3_aliases(records)


def test_one_identifier_mapped_to_two_items_is_an_error():
    records = [
        {"ALWQ": "SKU", "POPN": "WIDGET-001", "ITNO": "A1000"},
        {"ALWQ": "SKU", "POPN": "WIDGET-001", "ITNO": "A9999"},
    ]
    with pytest.raises(MappingError, match=r"seller SKU 'WIDGET-001' maps to both 'A1000' and"):
        ItemCrosswalk.from_m3_aliases(records)


def test_sap_products_build_a_crosswalk_with_material_as_sku_and_gtin():
    records = [
        {"Product": "WIDGET-001", "ProductStandardID": "4006381333931", "ProductType": "FERT"},
        {"Product": "GADGET-002", "ProductStandardID": ""},
    ]
    items = ItemCrosswalk.from_sap_products(records)
    assert items.resolve(ItemRef(seller_sku="GADGET-002")) == "GADGET-002"
    assert items.resolve(ItemRef(seller_sku="4006381333931")) == "WIDGET-001"
    assert items.system == "SAP material"
    with pytest.raises(ItemNotFoundError, match="no SAP material for seller SKU 'GADGET-02'"):
        items.resolve(ItemRef(seller_sku="GADGET-02"))


def test_sap_product_without_product_names_record():
    with pytest.raises(MappingError, match="A_Product record 2: field Product"):
        ItemCrosswalk.from_sap_products([{"Product": "X"}, {"ProductStandardID": "1"}])


def test_entries_merge_and_reverse_lookup():
    a = ItemCrosswalk.from_entries([(IdKind.SELLER_SKU, "S1", "I1"), ("asin", "B1", "I1")])
    b = ItemCrosswalk.from_entries([("seller_sku", "S2", "I1")])
    merged = a.merged(b)
    assert merged.seller_skus_for("I1") == ("S1", "S2")
    with pytest.raises(MappingError, match="maps to both"):
        a.merged(ItemCrosswalk.from_entries([("seller_sku", "S1", "I2")]))
    with pytest.raises(MappingError, match="unknown identifier kind 'upc'"):
        ItemCrosswalk.from_entries([("upc", "1", "2")])


def test_lookup_is_deterministic():
    ref = ItemRef(seller_sku="WIDGET-00")
    errors = []
    for _ in range(3):
        with pytest.raises(ItemNotFoundError) as caught:
            crosswalk().resolve(ref)
        errors.append(caught.value.message)
    assert len(set(errors)) == 1
