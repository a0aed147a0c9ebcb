"""The errors of the event path: a message that is not an event the bridge knows.

Each names the message (its id or file) and what is wrong with it, so the source can park it
(dead-letter with the reason) instead of losing it or crashing the consumer.
"""

from __future__ import annotations

from amazon_erp_bridge.errors import ValidationError


class EventError(ValidationError):
    """A message could not be read as an event (malformed, missing or mistyped field)."""


class UnknownEventError(EventError):
    """A well-formed message of a type the bridge does not handle."""


__all__ = ["EventError", "UnknownEventError"]
