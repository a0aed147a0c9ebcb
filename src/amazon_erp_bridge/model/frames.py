"""Orders as a pandas DataFrame: one row per order line, typed for analysis.

Dates are timezone-aware ``datetime64`` (UTC) columns, amounts stay ``Decimal`` (exact) with
their ``currency`` as a categorical column beside them; needs the optional ``pandas`` extra.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from amazon_erp_bridge.model.display import dataframe

if TYPE_CHECKING:
    from amazon_erp_bridge.model.order import Order

#: The columns of :func:`orders_dataframe`.
ORDER_COLUMNS = (
    "order_id",
    "purchase_date",
    "last_updated",
    "status",
    "marketplace_id",
    "fulfillment_channel",
    "line_id",
    "seller_sku",
    "asin",
    "quantity",
    "item_price",
    "item_tax",
    "currency",
)


def _rows(orders: Iterable[Order]) -> Iterator[tuple[object, ...]]:
    for order in orders:
        head = (
            order.order_id,
            order.purchase_date,
            order.last_updated,
            order.status.value,
            order.marketplace_id,
            order.fulfillment_channel.value if order.fulfillment_channel else None,
        )
        if not order.lines:
            yield (*head, None, None, None, None, None, None, order.currency)
        for line in order.lines:
            price, tax = line.item_price, line.item_tax
            priced = price if price is not None else tax
            yield (
                *head,
                line.line_id,
                line.item.seller_sku,
                line.item.asin,
                line.quantity,
                price.amount if price is not None else None,
                tax.amount if tax is not None else None,
                priced.currency if priced is not None else order.currency,
            )


def orders_dataframe(orders: Iterable[Order]) -> Any:
    """One row per order line (an order without lines gets one row), typed columns."""
    return dataframe(
        ORDER_COLUMNS,
        _rows(orders),
        dates=("purchase_date", "last_updated"),
        categories=("status", "currency"),
    )


__all__ = ["ORDER_COLUMNS", "orders_dataframe"]
