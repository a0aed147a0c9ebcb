"""Settlement report V2 flat files for the fake: rendered from a Settlement, or generated.

Generated settlements reconcile by construction (total-amount is the exact sum of the lines)
and are deterministic for a given seed, so tests and demos can rely on their figures. The
renderer writes either date style Amazon uses (ISO 8601, or the EU ``dd.mm.yyyy HH:MM:SS UTC``)
and decimal points or commas, which makes it the other half of a parser round trip.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Final, Literal, TextIO

from amazon_erp_bridge.model import Money, Order, Settlement, SettlementLine, minor_units

#: Column order of Amazon's V2 flat file; some files add ``promotion-id`` at the end.
V2_COLUMNS: Final = (
    "settlement-id",
    "settlement-start-date",
    "settlement-end-date",
    "deposit-date",
    "total-amount",
    "currency",
    "transaction-type",
    "order-id",
    "merchant-order-id",
    "adjustment-id",
    "shipment-id",
    "marketplace-name",
    "amount-type",
    "amount-description",
    "amount",
    "fulfillment-id",
    "posted-date",
    "posted-date-time",
    "order-item-code",
    "merchant-order-item-id",
    "merchant-adjustment-item-id",
    "sku",
    "quantity-purchased",
)
V2_COLUMNS_WITH_PROMOTION: Final = (*V2_COLUMNS, "promotion-id")

DateStyle = Literal["iso", "eu"]


def _amount(value: Decimal, decimal_comma: bool) -> str:
    text = format(value, "f")
    return text.replace(".", ",") if decimal_comma else text


def _date_time(value: datetime | None, style: DateStyle) -> str:
    if value is None:
        return ""
    if style == "eu":
        return value.astimezone(UTC).strftime("%d.%m.%Y %H:%M:%S UTC")
    return value.isoformat()


def _date(value: datetime | None, style: DateStyle) -> str:
    if value is None:
        return ""
    day = value.astimezone(UTC)
    return day.strftime("%d.%m.%Y") if style == "eu" else day.date().isoformat()


def _line_fields(line: SettlementLine, style: DateStyle, decimal_comma: bool) -> dict[str, str]:
    fields = {
        "transaction-type": line.transaction_type,
        "order-id": line.order_id or "",
        "merchant-order-id": line.merchant_order_id or "",
        "adjustment-id": line.adjustment_id or "",
        "shipment-id": line.shipment_id or "",
        "marketplace-name": line.marketplace_name or "",
        "amount-type": line.amount_type,
        "amount-description": line.amount_description,
        "amount": _amount(line.amount.amount, decimal_comma),
        "fulfillment-id": line.fulfillment_id or "",
        "posted-date": _date(line.posted_date, style),
        "posted-date-time": _date_time(line.posted_date, style),
        "order-item-code": line.order_item_code or "",
        "merchant-order-item-id": line.merchant_order_item_id or "",
        "merchant-adjustment-item-id": line.merchant_adjustment_item_id or "",
        "sku": line.sku or "",
        "quantity-purchased": ""
        if line.quantity_purchased is None
        else str(line.quantity_purchased),
        "promotion-id": line.promotion_id or "",
    }
    fields.update(line.extra)
    return fields


def render_settlement(
    settlement: Settlement,
    *,
    columns: Sequence[str] = V2_COLUMNS,
    date_style: DateStyle = "iso",
    decimal_comma: bool = False,
) -> Iterator[str]:
    """The lines (with newlines) of ``settlement`` as a V2 flat file with ``columns``."""
    yield "\t".join(columns) + "\n"
    summary = {
        "settlement-id": settlement.settlement_id,
        "settlement-start-date": _date_time(settlement.start, date_style),
        "settlement-end-date": _date_time(settlement.end, date_style),
        "deposit-date": _date_time(settlement.deposit_date, date_style),
        "total-amount": _amount(settlement.total.amount, decimal_comma),
        "currency": settlement.currency,
    }
    yield "\t".join(summary.get(c, "") for c in columns) + "\n"
    for line in settlement.lines:
        fields = _line_fields(line, date_style, decimal_comma)
        fields["settlement-id"] = settlement.settlement_id
        yield "\t".join(fields.get(c, "") for c in columns) + "\n"


def settlement_text(
    settlement: Settlement,
    *,
    columns: Sequence[str] = V2_COLUMNS,
    date_style: DateStyle = "iso",
    decimal_comma: bool = False,
) -> str:
    """The whole file as one string (see :func:`render_settlement`)."""
    return "".join(
        render_settlement(
            settlement, columns=columns, date_style=date_style, decimal_comma=decimal_comma
        )
    )


def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def _draw(rng: random.Random, low: int, high: int, currency: str) -> Decimal:
    """A random amount of ``low``..``high`` minor units (cents; whole yen for JPY)."""
    return Decimal(rng.randint(low, high)) * _quantum(currency)


def _order_lines(
    rng: random.Random,
    *,
    order_id: str,
    sku: str,
    quantity: int,
    price: Decimal,
    posted: datetime,
    currency: str,
    marketplace_name: str,
    item_code: str,
) -> list[SettlementLine]:
    def line(kind: str, description: str, amount: Decimal, tx: str = "Order") -> SettlementLine:
        return SettlementLine(
            transaction_type=tx,
            amount_type=kind,
            amount_description=description,
            amount=Money(amount, currency),
            order_id=order_id,
            shipment_id=f"D{item_code[-8:]}",
            marketplace_name=marketplace_name,
            fulfillment_id="AFN",
            posted_date=posted,
            order_item_code=item_code,
            sku=sku,
            quantity_purchased=quantity,
        )

    quantum = _quantum(currency)
    tax = (price * Decimal("0.08")).quantize(quantum)
    commission = -(price * Decimal("0.15")).quantize(quantum)
    fba_fee = -_draw(rng, 250, 650, currency) * quantity
    lines = [
        line("ItemPrice", "Principal", price),
        line("ItemPrice", "Tax", tax),
        line("ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", -tax),
        line("ItemFees", "Commission", commission),
        line("ItemFees", "FBAPerUnitFulfillmentFee", fba_fee),
    ]
    if rng.random() < 0.3:
        shipping = _draw(rng, 299, 899, currency)
        lines.append(line("ItemPrice", "Shipping", shipping))
        lines.append(line("Promotion", "Shipping", -shipping))
    if rng.random() < 0.06:
        refund = posted + timedelta(days=rng.randint(1, 4))
        lines += [
            SettlementLine(
                transaction_type="Refund",
                amount_type=kind,
                amount_description=description,
                amount=Money(amount, currency),
                order_id=order_id,
                adjustment_id=f"A{item_code[-9:]}",
                marketplace_name=marketplace_name,
                fulfillment_id="AFN",
                posted_date=refund,
                merchant_adjustment_item_id=f"MA{item_code[-6:]}",
                sku=sku,
                quantity_purchased=quantity,
            )
            for kind, description, amount in (
                ("ItemPrice", "Principal", -price),
                ("ItemPrice", "Tax", -tax),
                ("ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", tax),
                ("ItemFees", "Commission", -commission),
                ("ItemFees", "RefundCommission", -_draw(rng, 100, 500, currency)),
            )
        ]
    return lines


def _period_lines(
    rng: random.Random, end: datetime, currency: str, marketplace_name: str
) -> list[SettlementLine]:
    def other(tx: str, kind: str, description: str, amount: Decimal) -> SettlementLine:
        return SettlementLine(
            transaction_type=tx,
            amount_type=kind,
            amount_description=description,
            amount=Money(amount, currency),
            marketplace_name=marketplace_name,
            posted_date=end - timedelta(hours=1),
        )

    reserve = _draw(rng, 5000, 20000, currency)
    return [
        other(
            "ServiceFee",
            "Cost of Advertising",
            "TransactionTotalAmount",
            -_draw(rng, 1000, 9000, currency),
        ),
        other(
            "ServiceFee", "Subscription Fee", "Subscription Fee", -_draw(rng, 3999, 3999, currency)
        ),
        other(
            "other-transaction",
            "other-transaction",
            "Storage Fee",
            -_draw(rng, 100, 4000, currency),
        ),
        other("other-transaction", "other-transaction", "Previous Reserve Amount Balance", reserve),
        other("other-transaction", "other-transaction", "Current Reserve Amount", -reserve),
    ]


def generate_settlement(
    *,
    settlement_id: str = "10000000001",
    start: datetime = datetime(2026, 3, 1, 8, tzinfo=UTC),
    days: int = 14,
    orders: int = 40,
    currency: str = "USD",
    marketplace_name: str = "Amazon.com",
    seed: int = 0,
) -> Settlement:
    """A deterministic settlement of ``orders`` FBA orders, fees, refunds and service fees."""
    rng = random.Random(f"{settlement_id}:{seed}")
    end = start + timedelta(days=days)
    lines: list[SettlementLine] = []
    for n in range(orders):
        posted = start + timedelta(minutes=rng.randint(0, days * 24 * 60 - 120))
        quantity = rng.randint(1, 3)
        lines += _order_lines(
            rng,
            order_id=f"111-{rng.randint(0, 9999999):07d}-{rng.randint(0, 9999999):07d}",
            sku=f"SKU-{rng.randint(1, 60):03d}",
            quantity=quantity,
            price=_draw(rng, 999, 9999, currency) * quantity,
            posted=posted,
            currency=currency,
            marketplace_name=marketplace_name,
            item_code=f"{rng.randint(10**13, 10**14 - 1)}{n % 10}",
        )
    lines += _period_lines(rng, end, currency, marketplace_name)
    return Settlement(
        settlement_id=settlement_id,
        start=start,
        end=end,
        total=Money.total((line.amount for line in lines), currency),
        deposit_date=end + timedelta(days=2),
        lines=tuple(lines),
        marketplace_name=marketplace_name,
    )


def settlement_from_orders(
    orders: Iterable[Order],
    *,
    settlement_id: str,
    start: datetime,
    end: datetime,
    currency: str,
    marketplace_name: str = "Amazon.com",
    seed: int = 0,
) -> Settlement:
    """A settlement paying out the priced lines of ``orders`` in ``currency`` (others skipped).

    Each order line becomes its principal, tax, commission and fulfilment fee rows, so the
    settlement ties back to orders the fake serves.
    """
    rng = random.Random(f"{settlement_id}:{seed}")
    lines: list[SettlementLine] = []
    for order in orders:
        for item in order.lines:
            if item.item_price is None or item.item_price.currency != currency:
                continue
            lines += _order_lines(
                rng,
                order_id=order.order_id,
                sku=item.item.key,
                quantity=max(item.quantity, 1),
                price=item.item_price.amount,
                posted=min(max(order.purchase_date, start), end),
                currency=currency,
                marketplace_name=marketplace_name,
                item_code=item.line_id,
            )
    lines += _period_lines(rng, end, currency, marketplace_name)
    return Settlement(
        settlement_id=settlement_id,
        start=start,
        end=end,
        total=Money.total((line.amount for line in lines), currency),
        deposit_date=end + timedelta(days=2),
        lines=tuple(lines),
        marketplace_name=marketplace_name,
    )


#: (transaction-type, amount-type, amount-description, low cents, high cents) for big files.
_BULK_KINDS: Final = (
    ("Order", "ItemPrice", "Principal", 999, 19999),
    ("Order", "ItemPrice", "Tax", 50, 1600),
    ("Order", "ItemPrice", "Shipping", 299, 899),
    ("Order", "ItemFees", "Commission", -3000, -150),
    ("Order", "ItemFees", "FBAPerUnitFulfillmentFee", -650, -250),
    ("Order", "Promotion", "Shipping", -899, -299),
    ("Order", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", -1600, -50),
    ("Refund", "ItemPrice", "Principal", -19999, -999),
    ("Refund", "ItemFees", "Commission", 150, 3000),
    ("Refund", "ItemFees", "RefundCommission", -500, -100),
    ("other-transaction", "other-transaction", "Storage Fee", -4000, -100),
    ("ServiceFee", "Cost of Advertising", "TransactionTotalAmount", -9000, -1000),
)


def write_large_settlement(
    out: TextIO,
    lines: int,
    *,
    settlement_id: str = "90000000001",
    currency: str = "USD",
    seed: int = 0,
) -> Decimal:
    """Write a reconciling settlement of ``lines`` amount rows to ``out``; returns the total.

    Built for benchmarks: a million rows take a few seconds and little memory (amounts are
    drawn twice from the same seed: once to total them, once to write them).
    """
    start = datetime(2026, 3, 1, 8, tzinfo=UTC)
    total_cents = sum(_bulk_cents(seed, lines))
    total = Decimal(total_cents).scaleb(-2)
    out.write("\t".join(V2_COLUMNS) + "\n")
    summary = [settlement_id, start.isoformat(), (start + timedelta(days=14)).isoformat()]
    summary += [(start + timedelta(days=16)).isoformat(), format(total, "f"), currency]
    out.write("\t".join(summary + [""] * (len(V2_COLUMNS) - len(summary))) + "\n")
    days = [
        f"{d.date().isoformat()}\t{d.isoformat()}"
        for d in (start + timedelta(minutes=m) for m in range(0, 20160, 7))
    ]
    kinds = [f"{tx}\t{{}}\t\t\t\tAmazon.com\t{kind}\t{desc}" for tx, kind, desc, *_ in _BULK_KINDS]
    prefix = f"{settlement_id}\t\t\t\t\t\t"
    batch: list[str] = []
    for n, cents in enumerate(_bulk_cents(seed, lines)):
        sign, units = ("-", -cents) if cents < 0 else ("", cents)
        order = f"111-{n // 7:07d}-{(n * 7919) % 9999991:07d}"
        batch.append(
            f"{prefix}{kinds[n % len(kinds)].format(order)}\t{sign}{units // 100}.{units % 100:02d}"
            f"\tAFN\t{days[n % len(days)]}\t{n:014d}\t\t\tSKU-{n % 997:03d}\t1\n"
        )
        if len(batch) >= 10000:
            out.write("".join(batch))
            batch.clear()
    out.write("".join(batch))
    return total


@dataclass(frozen=True)
class SettlementHead:
    """The summary row of a settlement file the fake serves: what its payout pays."""

    settlement_id: str
    start: datetime
    end: datetime
    deposit_date: datetime | None
    total: Money


def _read_time(text: str) -> datetime:
    t = text.strip().removesuffix(" UTC").strip()
    try:
        parsed = datetime.fromisoformat(t)
    except ValueError:
        parsed = datetime.strptime(t, "%d.%m.%Y %H:%M:%S")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def read_head(text: str) -> SettlementHead:
    """The summary row of a file this module rendered (either date style, either decimal mark).

    The fake's own reader, apart from the client's parser, so that the two can disagree."""
    lines = iter(text.splitlines())
    header = next(lines).split("\t")
    row = dict(zip(header, next(lines).split("\t"), strict=False))
    deposit = row.get("deposit-date", "").strip()
    return SettlementHead(
        settlement_id=row["settlement-id"].strip(),
        start=_read_time(row["settlement-start-date"]),
        end=_read_time(row["settlement-end-date"]),
        deposit_date=_read_time(deposit) if deposit else None,
        total=Money(Decimal(row["total-amount"].strip().replace(",", ".")), row["currency"]),
    )


def _bulk_cents(seed: int, lines: int) -> Iterator[int]:
    rng = random.Random(seed)
    for n in range(lines):
        low, high = _BULK_KINDS[n % len(_BULK_KINDS)][3:]
        yield rng.randint(low, high)
