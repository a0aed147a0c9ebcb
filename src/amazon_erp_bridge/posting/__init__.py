"""Idempotent posting: a ledger of every source record and a poster that never posts twice.

>>> from amazon_erp_bridge.posting import Poster, SqliteLedger        # doctest: +SKIP
>>> poster = Poster(SqliteLedger("bridge.db"), target)                # doctest: +SKIP
>>> poster.post("order", "206-1234567-8901234", payload)              # doctest: +SKIP

``target`` is an :class:`ErpTarget`: ``name``, ``find(source_id, payload)`` (query the ERP by
the Amazon identifier), ``create(payload)`` and optionally ``resume(document)``. The ledger
keeps state, attempts, the ERP document, payload digests (never payloads), a redacted
append-only audit trail and polling cursors.
"""

from amazon_erp_bridge.posting.breaker import BreakerState, CircuitBreaker
from amazon_erp_bridge.posting.cursors import PENDING_STATES, pending_records, time_position
from amazon_erp_bridge.posting.ledger import (
    TRANSITIONS,
    AuditEvent,
    Claim,
    ClaimLostError,
    ErpDocument,
    Ledger,
    LedgerRecord,
    LedgerStateError,
    RecordState,
)
from amazon_erp_bridge.posting.poster import (
    DEFAULT_RETRY,
    AsyncErpTarget,
    AsyncPoster,
    ErpTarget,
    Failure,
    Poster,
    PostResult,
    PostStatus,
    PostSummary,
    ResumableTarget,
    classify_failure,
)
from amazon_erp_bridge.posting.postgres import PostgresLedger
from amazon_erp_bridge.posting.privacy import PII_KEYS, PiiScrubber, digest
from amazon_erp_bridge.posting.sqlite import SCHEMA_VERSION, SqliteLedger
from amazon_erp_bridge.posting.status import LedgerStatus, ledger_status

__all__ = [
    "DEFAULT_RETRY",
    "PENDING_STATES",
    "PII_KEYS",
    "SCHEMA_VERSION",
    "TRANSITIONS",
    "AsyncErpTarget",
    "AsyncPoster",
    "AuditEvent",
    "BreakerState",
    "CircuitBreaker",
    "Claim",
    "ClaimLostError",
    "ErpDocument",
    "ErpTarget",
    "Failure",
    "Ledger",
    "LedgerRecord",
    "LedgerStateError",
    "LedgerStatus",
    "PiiScrubber",
    "PostResult",
    "PostStatus",
    "PostSummary",
    "Poster",
    "PostgresLedger",
    "RecordState",
    "ResumableTarget",
    "SqliteLedger",
    "classify_failure",
    "digest",
    "ledger_status",
    "pending_records",
    "time_position",
]
