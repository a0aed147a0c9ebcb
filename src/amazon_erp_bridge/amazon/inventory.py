"""Inventory API operations (being written)."""

from __future__ import annotations

from typing import Any

from amazon_erp_bridge.core.sender import AsyncSender, SyncSender


class InventoryApi:
    """Inventory for the sync client."""

    def __init__(self, sender: SyncSender, *args: Any) -> None:
        self._sender = sender


class AsyncInventoryApi:
    """Inventory for the async client."""

    def __init__(self, sender: AsyncSender, *args: Any) -> None:
        self._sender = sender
