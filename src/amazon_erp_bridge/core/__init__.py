"""The core every layer stands on: HTTP calls, senders, limiter, retries, tokens, redaction.

``RateLimiter`` and ``RedisRateLimiter`` are loaded on first use: :mod:`amazon_erp_bridge.errors`
imports :mod:`.redaction` from this package, so the package itself must import nothing eagerly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from amazon_erp_bridge.core.limiter import Rate, RateLimiter, Ticket
    from amazon_erp_bridge.core.redis_limiter import RedisRateLimiter

_LAZY = {
    "Rate": "amazon_erp_bridge.core.limiter",
    "RateLimiter": "amazon_erp_bridge.core.limiter",
    "Ticket": "amazon_erp_bridge.core.limiter",
    "RedisRateLimiter": "amazon_erp_bridge.core.redis_limiter",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'amazon_erp_bridge.core' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = ["Rate", "RateLimiter", "RedisRateLimiter", "Ticket"]
