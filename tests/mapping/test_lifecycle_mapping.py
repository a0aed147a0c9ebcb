"""The order lifecycle's pure rules: cancellations per ERP line, returns, shipment confirmations."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from amazon_erp_bridge.errors import ConfigurationError, CurrencyMismatchError, MappingError
from amazon_erp_bridge.mapping import (
    CarrierRules,
    ErpOrderLine,
    ErpOrderRef,
    ItemCrosswalk,
    LineAction,
    M3CancellationRules,
    M3ReturnSettings,
    RefundCurrencyError,
    SapCancellationRules,
    SapReturnSettings,
    confirm_shipment_request,
    m3_cancellation,
    refunded_principal,
    return_to_m3,
    return_to_sap,
    sap_cancellation,
)
from amazon_erp_bridge.model import (
    FinancialComponent,
    ItemRef,
    Money,
    Order,
    OrderLine,
    Refund,
    Return,
    Shipment,
    ShipmentItem,
    ShipmentPackage,
)

WHEN = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
ITEMS = ItemCrosswalk.from_entries(
    [("seller_sku", "SKU-MUG-01", "MUG01"), ("seller_sku", "SKU-TEE-02", "TEE02")]
)

# -- cancellations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "ordered", "delivered", "action"),
    [
        ("05", 1, 0, LineAction.DELETE),
        ("22", 2, 0, LineAction.DELETE),
        ("23", 2, 0, LineAction.DELETE),
        ("33", 2, 0, LineAction.CLOSE),
        ("44", 2, 0, LineAction.CLOSE),
        ("33", 3, 1, LineAction.CLOSE),  # partly delivered: close the rest, report the part
        ("66", 2, 2, LineAction.REPORT_DELIVERED),
        ("77", 2, 2, LineAction.REPORT_DELIVERED),
        ("99", 2, 0, LineAction.NOTHING),
        ("90", 2, 0, LineAction.NOTHING),
    ],
)
def test_m3_line_action_follows_the_line_status(
    status: str, ordered: int, delivered: int, action: LineAction
) -> None:
    line = ErpOrderLine("1", "MUG01", ordered, delivered, status)
    plan = m3_cancellation("111-0000000-0000001", "1000001", [line])
    assert plan.decisions[0].action is action
    assert plan.done is (action not in (LineAction.DELETE, LineAction.CLOSE))


def test_m3_plan_reports_delivered_lines_and_changes_the_rest() -> None:
    plan = m3_cancellation(
        "111-0000000-0000001",
        "1000001",
        [ErpOrderLine("1", "MUG01", 1, 1, "66"), ErpOrderLine("2", "TEE02", 2, 0, "22")],
    )
    assert [d.line.line for d in plan.changes] == ["2"]
    [note] = plan.report()
    assert "line 1" in note and "MUG01" in note and "already delivered" in note
    assert plan.describe() == "1 report delivered, 1 delete"


def test_m3_rules_are_data() -> None:
    rules = M3CancellationRules({"3": LineAction.CLOSE, "2": LineAction.DELETE})
    plan = m3_cancellation("o", "1", [ErpOrderLine("1", "X", 1, 0, "33")], rules)
    assert plan.decisions[0].action is LineAction.CLOSE


@pytest.mark.parametrize(
    ("status", "message"),
    [("2", "not two digits"), ("AB", "not two digits"), ("88", "no cancellation rule")],
)
def test_m3_bad_status_is_a_mapping_error(status: str, message: str) -> None:
    with pytest.raises(MappingError, match=message):
        m3_cancellation("o", "1", [ErpOrderLine("7", "X", 1, 0, status)])


def test_m3_rule_keys_must_be_one_digit() -> None:
    with pytest.raises(ConfigurationError, match="one digit"):
        M3CancellationRules({"22": LineAction.DELETE})


@pytest.mark.parametrize(
    ("status", "delivered", "rejection", "action"),
    [
        ("", 0, None, LineAction.REJECT),
        ("A", 0, None, LineAction.REJECT),
        ("B", 1, None, LineAction.REPORT_DELIVERED),
        ("C", 2, None, LineAction.REPORT_DELIVERED),
        ("A", 0, "10", LineAction.NOTHING),
    ],
)
def test_sap_item_action_follows_delivery_status(
    status: str, delivered: int, rejection: str | None, action: LineAction
) -> None:
    item = ErpOrderLine("10", "SKU-MUG-01", 2, delivered, status, rejection=rejection)
    assert sap_cancellation("o", "5000001", [item]).decisions[0].action is action


def test_sap_unknown_delivery_status_is_an_error() -> None:
    with pytest.raises(MappingError, match="delivery status 'Z'"):
        sap_cancellation("o", "5000001", [ErpOrderLine("10", "X", 1, 0, "Z")])


def test_sap_rejection_reason_is_two_characters() -> None:
    with pytest.raises(ConfigurationError, match="SalesDocumentRjcnReason"):
        SapCancellationRules("ZZZ")


# -- returns ---------------------------------------------------------------------------------


def _return(**kw: object) -> Return:
    values: dict[str, object] = {
        "return_id": "LPNRR0000001",
        "order_id": "111-0000000-0000001",
        "seller_sku": "SKU-MUG-01",
        "quantity": 1,
        "returned_at": WHEN,
        "reason": "DEFECTIVE",
    }
    values.update(kw)
    return Return(**values)  # type: ignore[arg-type]


ORDER_M3 = ErpOrderRef(
    "111-0000000-0000001",
    "1000001",
    "AMZUS",
    "USD",
    [ErpOrderLine("1", "MUG01", 2, 2, "66"), ErpOrderLine("2", "TEE02", 1, 1, "66")],
)
ORDER_SAP = ErpOrderRef(
    "111-0000000-0000001",
    "5000001",
    "1700001",
    "USD",
    [ErpOrderLine("10", "SKU-MUG-01", 2, 2, "C")],
)
SAP_ITEMS = ItemCrosswalk.from_entries([("seller_sku", "SKU-MUG-01", "SKU-MUG-01")])


def _refund(*amounts: tuple[str, str, str], sku: str = "SKU-MUG-01") -> Refund:
    return Refund(
        "R1",
        "111-0000000-0000001",
        WHEN,
        tuple(
            FinancialComponent("Charge", kind, Money(Decimal(value), currency), seller_sku=sku)
            for kind, value, currency in amounts
        ),
    )


def test_m3_return_references_the_order_line_and_carries_the_return_id() -> None:
    refund = _refund(("Principal", "-12.50", "USD"), ("Tax", "-1.00", "USD"))
    settings = M3ReturnSettings("AMZ", reasons={"DEFECTIVE": "RDF"}, order_type="RET")
    payload = return_to_m3(_return(), ORDER_M3, items=ITEMS, settings=settings, refunds=[refund])
    assert payload.head == {
        "WHLO": "AMZ",
        "CUNO": "AMZUS",
        "RORN": "1000001",
        "YREF": "LPNRR0000001",
        "EPDT": "20261120",
        "RSCD": "RDF",
        "ORTP": "RET",
    }
    assert payload.lines == (
        {
            "WHLO": "AMZ",
            "ITNO": "MUG01",
            "REQ0": "1",
            "RORL": "1",
            "RORX": "0",
            "EPDT": "20261120",
            "RSCD": "RDF",
            "SAPR": "12.5",
        },
    )


@pytest.mark.parametrize(
    ("document", "prefix", "type_code"),
    [
        ("customer_return", "CustomerReturn", "CBAR"),
        ("credit_memo_request", "CreditMemoRequest", "G2"),
    ],
)
def test_sap_return_document_is_configuration(document: str, prefix: str, type_code: str) -> None:
    settings = SapReturnSettings("1710", "10", "00", document=document, default_reason="R01")  # type: ignore[arg-type]
    request = return_to_sap(
        _return(quantity=2),
        ORDER_SAP,
        items=SAP_ITEMS,
        settings=settings,
        refunds=[_refund(("Principal", "-25.00", "USD"))],
    )
    body = request.body
    assert request.document == document and request.reference == "LPNRR0000001"
    assert body[f"{prefix}Type"] == type_code
    assert body["PurchaseOrderByCustomer"] == "LPNRR0000001"
    assert body["ReferenceSDDocument"] == "5000001"
    assert body["SDDocumentReason"] == "R01"
    [item] = body["to_Item"]["results"]
    assert item[f"{prefix}Item"] == "10"
    assert item["ReferenceSDDocumentItem"] == "10"
    assert item["RequestedQuantity"] == "2"
    assert item["to_PricingElement"]["results"][0]["ConditionRateValue"] == "12.5"


def test_refund_in_another_currency_is_refused() -> None:
    refund = _refund(("Principal", "-12.50", "EUR"))
    with pytest.raises(RefundCurrencyError, match="EUR.*ERP order is in USD") as info:
        return_to_m3(
            _return(), ORDER_M3, items=ITEMS, settings=M3ReturnSettings("AMZ"), refunds=[refund]
        )
    assert isinstance(info.value, CurrencyMismatchError)
    assert "LPNRR0000001" in str(info.value)


def test_report_refund_amount_is_used_without_refund_events() -> None:
    ret = _return(refund_amount=Money(Decimal("9.99"), "USD"))
    assert refunded_principal(ret, [], "USD") == Money(Decimal("9.99"), "USD")
    with pytest.raises(RefundCurrencyError, match="never converted"):
        refunded_principal(_return(refund_amount=Money(Decimal("9.99"), "GBP")), [], "USD")


def test_inexact_unit_price_leaves_pricing_to_the_erp() -> None:
    refund = _refund(("Principal", "-10.00", "USD"))
    payload = return_to_m3(
        _return(quantity=3),
        ErpOrderRef("111-0000000-0000001", "1", "C", "USD", [ErpOrderLine("1", "MUG01", 3)]),
        items=ITEMS,
        settings=M3ReturnSettings("AMZ"),
        refunds=[refund],
    )
    assert "SAPR" not in payload.lines[0]


@pytest.mark.parametrize(
    ("ret", "message"),
    [
        (_return(seller_sku="SKU-CAP-09"), "no ERP item for seller SKU 'SKU-CAP-09'"),
        (_return(quantity=5), "quantity 5 of SKU SKU-MUG-01 is more than"),
        (_return(return_id="X" * 31), "YREF \\(Amazon return id\\) holds at most 30"),
    ],
)
def test_bad_returns_are_mapping_errors(ret: Return, message: str) -> None:
    with pytest.raises(MappingError, match=message):
        return_to_m3(ret, ORDER_M3, items=ITEMS, settings=M3ReturnSettings("AMZ"))


def test_returned_item_not_on_the_order_names_both() -> None:
    order = ErpOrderRef("111-0000000-0000001", "1000009", "AMZUS", "USD", [])
    with pytest.raises(MappingError, match="item MUG01 .*not on 1000009"):
        return_to_m3(_return(), order, items=ITEMS, settings=M3ReturnSettings("AMZ"))


def test_settings_refuse_bad_values() -> None:
    with pytest.raises(ConfigurationError, match="WHLO"):
        M3ReturnSettings(" ")
    with pytest.raises(ConfigurationError, match="customer_return, credit_memo_request"):
        SapReturnSettings("1710", "10", "00", document="invoice")  # type: ignore[arg-type]


# -- shipment confirmations ------------------------------------------------------------------


def _order(**kw: object) -> Order:
    values: dict[str, object] = {
        "order_id": "111-0000000-0000002",
        "purchase_date": WHEN,
        "last_updated": WHEN,
        "status": "Unshipped",
        "marketplace_id": "ATVPDKIKX0DER",
        "fulfillment_channel": "MFN",
        "lines": (
            OrderLine("OI-1", ItemRef(seller_sku="SKU-MUG-01"), 2),
            OrderLine("OI-2", ItemRef(seller_sku="SKU-TEE-02"), 1),
        ),
    }
    values.update(kw)
    return Order(**values)  # type: ignore[arg-type]


def _shipment(carrier: str = "Fed-Ex", number: str = "0001", **kw: object) -> Shipment:
    values: dict[str, object] = {
        "shipment_id": "DLV1",
        "order_id": "111-0000000-0000002",
        "status": "SHIPPED",
        "shipped_at": WHEN,
        "items": (ShipmentItem("SKU-MUG-01", 2), ShipmentItem("SKU-TEE-02", 1, "OI-2")),
        "packages": (ShipmentPackage(number, carrier, "1Z999"),),
    }
    values.update(kw)
    return Shipment(**values)  # type: ignore[arg-type]


def test_confirm_shipment_request_has_amazons_shape() -> None:
    assert confirm_shipment_request(_order(), _shipment()).to_wire() == {
        "marketplaceId": "ATVPDKIKX0DER",
        "packageDetail": {
            "packageReferenceId": "1",
            "carrierCode": "FedEx",
            "trackingNumber": "1Z999",
            "shipDate": "2026-11-20T15:30:00Z",
            "orderItems": [
                {"orderItemId": "OI-1", "quantity": 2},
                {"orderItemId": "OI-2", "quantity": 1},
            ],
        },
    }


@pytest.mark.parametrize(
    ("carrier", "code", "name"),
    [
        ("UPS", "UPS", None),
        ("royal_mail", "Royal Mail", None),
        ("  dhl  express ", "DHL", None),
        ("Bob's Vans", "Other", "Bob's Vans"),
    ],
)
def test_carrier_codes_are_data(carrier: str, code: str, name: str | None) -> None:
    detail = confirm_shipment_request(_order(), _shipment(carrier)).to_wire()["packageDetail"]
    assert detail["carrierCode"] == code
    assert detail.get("carrierName") == name


def test_strict_carriers_and_methods() -> None:
    rules = CarrierRules({"Vans": "Other", "UPS": "UPS"}, {"UPS": "UPS Ground"}, strict=True)
    detail = confirm_shipment_request(_order(), _shipment("ups"), rules).to_wire()["packageDetail"]
    assert detail["shippingMethod"] == "UPS Ground"
    with pytest.raises(MappingError, match="'DPD' has no Amazon carrierCode"):
        confirm_shipment_request(_order(), _shipment("DPD"), rules)


def test_non_numeric_package_numbers_use_the_position() -> None:
    detail = confirm_shipment_request(_order(), _shipment(number="PKG-A")).to_wire()[
        "packageDetail"
    ]
    assert detail["packageReferenceId"] == "1"


@pytest.mark.parametrize(
    ("order", "shipment", "message"),
    [
        (_order(marketplace_id=None), _shipment(), "no marketplace id"),
        (_order(), _shipment(shipped_at=None), "no ship date"),
        (
            _order(),
            _shipment(packages=(ShipmentPackage("1", "UPS"),)),
            "no package with a tracking",
        ),
        (_order(), _shipment(""), "no carrier"),
        (
            _order(),
            _shipment(items=(ShipmentItem("SKU-MUG-01", 3),)),
            "3 x SKU-MUG-01 shipped but Amazon order item OI-1 has 2 left",
        ),
        (_order(), _shipment(items=(ShipmentItem("SKU-CAP-09", 1),)), "SKU-CAP-09 is not on"),
        (_order(), _shipment(items=(ShipmentItem("SKU-MUG-01", 0),)), "no shipped quantities"),
    ],
)
def test_bad_confirmations_are_mapping_errors(
    order: Order, shipment: Shipment, message: str
) -> None:
    with pytest.raises(MappingError, match=message):
        confirm_shipment_request(order, shipment)
