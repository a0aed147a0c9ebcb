"""The documented rate (requests/s) and burst of every SP-API operation, from Amazon's models.

The table is generated (``tools/codegen`` reads each operation's usage plan from its model into
``amazon/_generated/index.py``); nothing here is typed by hand. The live rate for a seller and
application may differ; the client follows ``x-amzn-RateLimit-Limit`` when the server sends it.
Keys are the operations' ``limit_key`` (``"<api>.<operationId>"``, e.g. ``"orders.searchOrders"``).
The sandbox enforces the same published numbers from its own generated copy, not this table.
"""

from __future__ import annotations

from typing import Final

from amazon_erp_bridge.amazon._generated.index import RATES as _PUBLISHED
from amazon_erp_bridge.core.limiter import Rate

RATES: Final[dict[str, Rate]] = {
    key: Rate(rate, burst) for key, (rate, burst) in _PUBLISHED.items()
}


def rate_for(limit_key: str) -> Rate | None:
    """The documented rate of an operation, or None if its model documents none."""
    return RATES.get(limit_key)
