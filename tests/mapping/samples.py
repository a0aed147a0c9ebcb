"""Realistic inputs shared by the mapping tests: a UK settlement, a US order, events."""

from __future__ import annotations

from datetime import UTC, datetime

from amazon_erp_bridge.model import (
    Address,
    ComponentKind,
    FinancialComponent,
    FinancialEvent,
    FulfillmentChannel,
    ItemRef,
    Money,
    Order,
    OrderLine,
    OrderStatus,
    Settlement,
    SettlementLine,
)

START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 3, 15, tzinfo=UTC)
DEPOSIT = datetime(2026, 3, 17, 6, 0, tzinfo=UTC)
ORDER_ID = "206-1234567-8901234"
REFUND_ID = "206-9876543-2109876"


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def line(
    kind: str, amount_type: str, description: str, amount: str, **extra: object
) -> SettlementLine:
    currency = str(extra.pop("currency", "GBP"))
    return SettlementLine(kind, amount_type, description, Money.of(amount, currency), **extra)


def uk_settlement_lines() -> tuple[SettlementLine, ...]:
    """Two orders, a refund, a subscription, the reserve moving: every common row kind."""
    o1 = {"order_id": ORDER_ID, "sku": "WIDGET-001", "marketplace_name": "amazon.co.uk"}
    o2 = {
        "order_id": "206-5555555-1234567",
        "sku": "GADGET-002",
        "marketplace_name": "amazon.co.uk",
    }
    rf = {"order_id": REFUND_ID, "sku": "GADGET-002", "marketplace_name": "amazon.co.uk"}
    return (
        line("Order", "ItemPrice", "Principal", "29.99", **o1),
        line("Order", "ItemPrice", "Shipping", "3.99", **o1),
        line("Order", "ItemPrice", "Tax", "6.00", **o1),
        line("Order", "ItemWithheldTax", "MarketplaceFacilitatorVAT-Principal", "-6.00", **o1),
        line("Order", "Promotion", "Principal", "-2.00", **o1),
        line("Order", "ItemFees", "Commission", "-4.50", **o1),
        line("Order", "ItemFees", "FBAPerUnitFulfillmentFee", "-3.21", **o1),
        line("Order", "ItemPrice", "Principal", "19.99", **o2),
        line("Order", "ItemFees", "Commission", "-3.00", **o2),
        line("Order", "ItemFees", "FBAPerUnitFulfillmentFee", "-2.75", **o2),
        line("Refund", "ItemPrice", "Principal", "-19.99", **rf),
        line("Refund", "ItemFees", "Commission", "2.40", **rf),
        line("Refund", "ItemFees", "RefundCommission", "-0.60", **rf),
        line("ServiceFee", "", "Subscription", "-25.00"),
        line("other-transaction", "other-transaction", "Previous Reserve Amount Balance", "40.00"),
        line("other-transaction", "other-transaction", "Current Reserve Amount", "-30.00"),
    )


def uk_settlement(**overrides: object) -> Settlement:
    lines = overrides.pop("lines", uk_settlement_lines())
    total = Money.total((ln.amount for ln in lines), "GBP")
    values: dict[str, object] = {
        "settlement_id": "18906543210",
        "start": START,
        "end": END,
        "total": total,
        "deposit_date": DEPOSIT,
        "lines": lines,
        "marketplace_name": "amazon.co.uk",
    }
    values.update(overrides)
    return Settlement(**values)


def ship_to(**overrides: object) -> Address:
    values: dict[str, object] = {
        "name": "Jane Doe",
        "line1": "123 Any Street",
        "line2": "Apt 4B",
        "city": "Seattle",
        "state_or_region": "Washington",
        "postal_code": "981011234",
        "country_code": "US",
        "phone": "+1 (206) 555-0100",
    }
    values.update(overrides)
    return Address(**values)


def us_order(**overrides: object) -> Order:
    values: dict[str, object] = {
        "order_id": "113-4567890-1234567",
        "purchase_date": datetime(2026, 3, 2, 23, 30, tzinfo=UTC),
        "last_updated": datetime(2026, 3, 3, 8, 0, tzinfo=UTC),
        "status": OrderStatus.UNSHIPPED,
        "marketplace_id": "ATVPDKIKX0DER",
        "fulfillment_channel": FulfillmentChannel.MERCHANT,
        "sales_channel": "Amazon.com",
        "order_total": usd("64.97"),
        "lines": (
            OrderLine(
                "12345678901234",
                ItemRef(seller_sku="WIDGET-001", asin="B0EXAMPLE1"),
                2,
                item_price=usd("39.98"),
                item_tax=usd("3.20"),
            ),
            OrderLine(
                "22345678901234",
                ItemRef(seller_sku="GADGET-002", asin="B0EXAMPLE2"),
                1,
                item_price=usd("24.99"),
                promotion_discount=usd("-5.00"),
            ),
            OrderLine(
                "32345678901234",
                ItemRef(seller_sku="CANCELLED-9"),
                0,
            ),
        ),
        "ship_address": ship_to(),
        "buyer_email": "abc123@marketplace.amazon.com",
    }
    values.update(overrides)
    return Order(**values)


def shipment_event(
    order_id: str, principal: str, fee: str, currency: str = "USD"
) -> FinancialEvent:
    return FinancialEvent(
        event_type="Shipment",
        order_id=order_id,
        posted_date=datetime(2026, 3, 3, 12, tzinfo=UTC),
        components=(
            FinancialComponent(ComponentKind.CHARGE, "Principal", Money.of(principal, currency)),
            FinancialComponent(ComponentKind.CHARGE, "ShippingCharge", Money.of("3.99", currency)),
            FinancialComponent(ComponentKind.FEE, "Commission", Money.of(fee, currency)),
            FinancialComponent(
                ComponentKind.FEE, "FBAPerUnitFulfillmentFee", Money.of("-3.21", currency)
            ),
        ),
    )
