"""One entry point for any message: which parser reads it, by its first bytes.

XML (``<``) is an ION BOD, JSON with ``specversion`` is a SAP CloudEvent, any other JSON is an
SP-API notification (SQS body or message, or EventBridge event).
"""

from __future__ import annotations

from typing import Final

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.events.amazon import parse_amazon_event
from amazon_erp_bridge.events.errors import EventError
from amazon_erp_bridge.events.ion import parse_ion_event
from amazon_erp_bridge.events.model import Event
from amazon_erp_bridge.events.sap import parse_sap_event
from amazon_erp_bridge.limits import loads_json

#: The largest message read by :func:`parse_event`, in bytes.
MAX_MESSAGE_BYTES: Final = 1024 * 1024


def parse_event(body: str | bytes) -> Event:
    """The typed event of one message body from any origin (see the module doc)."""
    data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    if len(data) > MAX_MESSAGE_BYTES:
        raise EventError(f"message: {len(data)} bytes is more than the {MAX_MESSAGE_BYTES} allowed")
    start = data.lstrip()[:1]
    if start == b"<":
        return parse_ion_event(data)
    try:
        decoded = loads_json(data, what="message: not JSON or XML", max_bytes=MAX_MESSAGE_BYTES)
    except ValidationError as exc:
        raise EventError(str(exc)) from None
    if isinstance(decoded, dict) and "specversion" in decoded:
        return parse_sap_event(decoded)
    if not isinstance(decoded, dict):
        raise EventError("message: expected a JSON object")
    return parse_amazon_event(decoded)


__all__ = ["MAX_MESSAGE_BYTES", "parse_event"]
