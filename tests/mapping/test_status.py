import pytest

from amazon_erp_bridge.errors import MappingError
from amazon_erp_bridge.mapping import (
    AMAZON_TO_M3,
    M3_TO_AMAZON,
    SapOrderStatus,
    UnknownStatusError,
    amazon_status,
    amazon_status_from_m3,
    amazon_status_from_sap,
    m3_status_for,
    sap_status_for,
)
from amazon_erp_bridge.model import OrderStatus


@pytest.mark.parametrize(
    ("orst", "status"),
    [
        ("22", OrderStatus.UNSHIPPED),
        ("33", OrderStatus.UNSHIPPED),
        ("24", OrderStatus.UNSHIPPED),
        ("26", OrderStatus.PARTIALLY_SHIPPED),
        ("47", OrderStatus.PARTIALLY_SHIPPED),
        ("66", OrderStatus.SHIPPED),
        ("67", OrderStatus.SHIPPED),
        ("77", OrderStatus.SHIPPED),
        ("10", OrderStatus.PENDING),
        ("5", OrderStatus.PENDING),  # M3 may right-trim a leading zero away: 05
        ("99", OrderStatus.CANCELED),
    ],
)
def test_m3_order_status_maps_to_amazon(orst, status):
    assert amazon_status_from_m3(orst) is status


def test_unknown_m3_status_names_it_and_never_defaults():
    with pytest.raises(UnknownStatusError) as caught:
        amazon_status_from_m3("85", record="order 0000012345")
    assert isinstance(caught.value, MappingError)
    assert caught.value.system == "M3" and caught.value.status == "85"
    assert "order 0000012345: M3 order status ORST '85' is not in the status table" in (
        caught.value.message
    )


def test_status_tables_are_overridable_with_plain_dicts():
    table = {**M3_TO_AMAZON, "90": "Canceled"}
    assert amazon_status_from_m3("90", table) is OrderStatus.CANCELED
    assert m3_status_for("Shipped", {**AMAZON_TO_M3, OrderStatus.SHIPPED: "77"}) == "77"


def test_a_table_value_that_is_not_an_amazon_status_is_an_error():
    with pytest.raises(UnknownStatusError, match="Amazon order status 'Sent' is unknown"):
        amazon_status_from_m3("66", {"66": "Sent"})


@pytest.mark.parametrize(
    ("status", "orst"),
    [
        (OrderStatus.UNSHIPPED, "22"),
        (OrderStatus.PARTIALLY_SHIPPED, "26"),
        (OrderStatus.SHIPPED, "66"),
        ("Canceled", "99"),
        ("CANCELLED", "99"),  # Orders v2026-01-01 spelling
    ],
)
def test_amazon_status_maps_to_m3(status, orst):
    assert m3_status_for(status) == orst


def test_every_amazon_status_round_trips_through_the_default_m3_tables():
    for status in OrderStatus:
        back = amazon_status_from_m3(m3_status_for(status))
        expected = {
            OrderStatus.PENDING_AVAILABILITY: OrderStatus.PENDING,
            OrderStatus.INVOICE_UNCONFIRMED: OrderStatus.SHIPPED,
            OrderStatus.UNFULFILLABLE: OrderStatus.CANCELED,
        }.get(status, status)
        assert back is expected


def test_unknown_amazon_status_names_it():
    with pytest.raises(UnknownStatusError, match=r"order 1: Amazon order status 'Lost' is unknown"):
        m3_status_for("Lost", record="order 1")
    with pytest.raises(UnknownStatusError, match="has no M3 order status in the table"):
        m3_status_for(OrderStatus.SHIPPED, {OrderStatus.UNSHIPPED: "22"})


@pytest.mark.parametrize(
    ("sap", "status"),
    [
        (SapOrderStatus("A", "A"), OrderStatus.UNSHIPPED),
        (SapOrderStatus("", ""), OrderStatus.UNSHIPPED),
        (SapOrderStatus("B", "B"), OrderStatus.PARTIALLY_SHIPPED),
        (SapOrderStatus("B", "C"), OrderStatus.SHIPPED),
        (SapOrderStatus("C", "C"), OrderStatus.SHIPPED),
        (SapOrderStatus("C", "", "C"), OrderStatus.CANCELED),
        (SapOrderStatus("C", "C", "C"), OrderStatus.CANCELED),
    ],
)
def test_sap_statuses_map_to_amazon(sap, status):
    assert amazon_status_from_sap(sap) is status


def test_sap_status_reads_an_odata_record():
    record = {
        "SalesOrder": "1000123",
        "OverallSDProcessStatus": "B",
        "OverallDeliveryStatus": "C",
        "OverallSDDocumentRejectionSts": None,
    }
    status = SapOrderStatus.from_record(record)
    assert status == SapOrderStatus("B", "C", "")
    assert amazon_status_from_sap(status) is OrderStatus.SHIPPED
    assert status.to_dict()["OverallDeliveryStatus"] == "C"


def test_unknown_sap_status_names_the_property():
    with pytest.raises(UnknownStatusError, match=r"SAP OverallDeliveryStatus 'X' is not in"):
        amazon_status_from_sap(SapOrderStatus("A", "X"), record="sales order 1000123")
    with pytest.raises(UnknownStatusError, match=r"SAP OverallSDDocumentRejectionSts 'Z'"):
        amazon_status_from_sap(SapOrderStatus("A", "A", "Z"))


def test_amazon_status_maps_to_sap_expectations():
    assert sap_status_for("Shipped") == SapOrderStatus("C", "C")
    assert sap_status_for(OrderStatus.CANCELED).overall_sd_document_rejection_sts == "C"
    with pytest.raises(UnknownStatusError, match="has no SAP status"):
        sap_status_for("Shipped", {})


def test_amazon_status_reads_both_api_spellings():
    assert amazon_status("PartiallyShipped") is OrderStatus.PARTIALLY_SHIPPED
    assert amazon_status("PARTIALLY_SHIPPED") is OrderStatus.PARTIALLY_SHIPPED
    assert amazon_status(OrderStatus.SHIPPED) is OrderStatus.SHIPPED
