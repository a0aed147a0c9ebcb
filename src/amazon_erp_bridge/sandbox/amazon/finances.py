"""Fake finances API (being written)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from amazon_erp_bridge.sandbox.amazon.app import FakeSpApi


def register(fake: FakeSpApi) -> None:
    """Registers the finances operations."""
