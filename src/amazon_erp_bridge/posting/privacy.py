"""What the posting layer may write down: digests instead of payloads, and text without PII.

Payloads going to an ERP carry buyer names and addresses, so the ledger keeps only a SHA-256
digest of them. ERP error messages and document details can echo those values back; the
:class:`PiiScrubber` learns the PII values of one payload (by key name) and masks them in any
text before it reaches the ledger, on top of the core redaction of registered secrets.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Mapping
from typing import Any, Final

from amazon_erp_bridge.core.redaction import MASK, SENSITIVE_KEYS, redact, redact_data
from amazon_erp_bridge.model.convert import to_dict

#: Keys whose values (and everything beneath them) are buyer PII in a payload.
PII_KEYS: Final[frozenset[str]] = SENSITIVE_KEYS | frozenset(
    k.lower()
    for k in (
        "shipping_address",
        "billing_address",
        "buyer_info",
        "buyerInfo",
        "BuyerInfo",
        "destination_address",
        "destinationAddress",
        "DestinationAddress",
        "deliveryAddress",
        "recipient",
    )
)

# Shorter values ("NY", "US") are too common to mask without mangling ordinary text.
_MIN_PII_LENGTH: Final = 3


def _plain(data: Any) -> Any:
    """JSON-like data for model objects and Decimals (unknown objects are left as they are)."""
    return to_dict(data)


def digest(data: Any) -> str:
    """SHA-256 (hex) of canonical JSON for a payload: dicts, lists, model objects, Decimals."""
    text = json.dumps(
        _plain(data), sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(text.encode()).hexdigest()


class PiiScrubber:
    """Masks one payload's PII values wherever they reappear in text or data."""

    def __init__(self, values: Collection[str] = ()) -> None:
        usable = sorted({v for v in values if len(v.strip()) >= _MIN_PII_LENGTH}, key=len)
        self._pattern = (
            re.compile("|".join(re.escape(v) for v in reversed(usable)), re.IGNORECASE)
            if usable
            else None
        )

    @classmethod
    def from_payload(cls, payload: Any, keys: Collection[str] = PII_KEYS) -> PiiScrubber:
        """Learn every string under a PII key (at any depth) of ``payload``."""
        lowered = {k.lower() for k in keys}
        found: set[str] = set()
        _collect(_plain(payload), lowered, False, found)
        return cls(found)

    def text(self, text: str) -> str:
        """``text`` with the payload's PII values and every registered secret masked."""
        cleaned = redact(text)
        if self._pattern is None:
            return cleaned
        return self._pattern.sub(MASK, cleaned)

    def data(self, data: Any) -> Any:
        """A copy of JSON-like ``data`` with sensitive keys, PII values and secrets masked."""
        return _scrub_strings(redact_data(_plain(data)), self)


def _collect(data: Any, keys: set[str], inside: bool, found: set[str]) -> None:
    if isinstance(data, Mapping):
        for k, v in data.items():
            _collect(v, keys, inside or str(k).lower() in keys, found)
    elif isinstance(data, list | tuple | set | frozenset):
        for v in data:
            _collect(v, keys, inside, found)
    elif inside and isinstance(data, str):
        found.add(data)


def _scrub_strings(data: Any, scrubber: PiiScrubber) -> Any:
    if isinstance(data, Mapping):
        return {k: _scrub_strings(v, scrubber) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_scrub_strings(v, scrubber) for v in data]
    if isinstance(data, str):
        return scrubber.text(data)
    return data
