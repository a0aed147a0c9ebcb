"""The ledger: what became of every source record, and an append-only audit trail of how.

A record is keyed by ``(kind, source_id)``, e.g. ``("order", "206-1234567-8901234")`` or
``("settlement", "18906543210")``. Its state moves along a small state machine
(:data:`TRANSITIONS`); the ERP document it became, its attempts and the last failure reason are
kept beside it. The ledger never holds payloads, only their digests, and everything it writes is
redacted, so neither secrets nor buyer PII end up in it.

:class:`Ledger` is the protocol the :class:`~amazon_erp_bridge.posting.poster.Poster` needs;
:class:`~amazon_erp_bridge.posting.sqlite.SqliteLedger` is the embedded default.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final, Protocol

from attrs import field, frozen

from amazon_erp_bridge.errors import PostingError


class RecordState(enum.StrEnum):
    """Where a source record stands on its way into the ERP."""

    #: Read from Amazon, not yet mapped.
    RECEIVED = "received"
    #: Mapped to an ERP payload, not yet sent.
    MAPPED = "mapped"
    #: A poster holds it and is talking to the ERP (a claim with an owner and a lease).
    POSTING = "posting"
    #: The ERP holds its document; terminal.
    POSTED = "posted"
    #: The last try failed in a way a later run may fix (ERP down, circuit open); retried.
    FAILED = "failed"
    #: Failed in a way retries cannot fix; waits for a fix and an explicit replay.
    DEAD_LETTERED = "dead_lettered"


_S = RecordState

#: Allowed state changes; ``None`` stands for "no record yet". Staying in FAILED, MAPPED or
#: DEAD_LETTERED (with a new reason) is allowed; leaving POSTED is not.
TRANSITIONS: Final[Mapping[RecordState | None, frozenset[RecordState]]] = {
    None: frozenset({_S.RECEIVED, _S.MAPPED, _S.POSTING, _S.FAILED, _S.DEAD_LETTERED}),
    _S.RECEIVED: frozenset({_S.MAPPED, _S.POSTING, _S.FAILED, _S.DEAD_LETTERED}),
    _S.MAPPED: frozenset({_S.MAPPED, _S.POSTING, _S.FAILED, _S.DEAD_LETTERED}),
    _S.POSTING: frozenset({_S.POSTING, _S.POSTED, _S.FAILED, _S.DEAD_LETTERED}),
    _S.FAILED: frozenset({_S.MAPPED, _S.POSTING, _S.FAILED, _S.DEAD_LETTERED}),
    _S.DEAD_LETTERED: frozenset({_S.POSTING, _S.DEAD_LETTERED}),
    _S.POSTED: frozenset(),
}


class LedgerStateError(PostingError):
    """A state change the ledger's state machine does not allow (e.g. leaving POSTED)."""


class ClaimLostError(PostingError):
    """A poster tried to finish a record that another poster has since claimed."""


def check_transition(
    kind: str, source_id: str, current: RecordState | None, new: RecordState
) -> None:
    """Raise :class:`LedgerStateError` unless ``current -> new`` is in :data:`TRANSITIONS`."""
    if new not in TRANSITIONS[current]:
        shown = current.value if current is not None else "absent"
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "nothing"
        raise LedgerStateError(
            f"ledger {kind} {source_id}: cannot go from {shown} to {new.value}; "
            f"from {shown} it may go to {allowed}"
        )


@frozen
class ErpDocument:
    """The ERP document a source record became, as an ERP target reports it.

    ``complete`` is False for a document the ERP holds only half-made (an M3 temporary batch
    order whose confirmation never ran); the poster then asks the target to ``resume`` it.
    ``detail`` is kept in the audit trail, redacted.
    """

    erp: str
    document_id: str
    complete: bool = True
    detail: Mapping[str, Any] = field(factory=dict)


@frozen
class LedgerRecord:
    """One source record in the ledger."""

    kind: str
    source_id: str
    state: RecordState
    attempts: int
    created_at: datetime
    updated_at: datetime
    #: The ERP it was posted to and the document it became (once POSTED).
    erp: str | None = None
    document_id: str | None = None
    #: How it got posted: "created", "found existing" or "resumed".
    outcome: str | None = None
    #: The last failure or dead-letter reason (redacted).
    reason: str | None = None
    #: SHA-256 of the payload last posted; the payload itself is never stored.
    payload_digest: str | None = None
    #: A short human summary given by the caller (redacted).
    description: str | None = None
    #: Who holds the claim while POSTING: "host:pid:nonce".
    owner: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """(kind, source id): what identifies the record in the ledger."""
        return (self.kind, self.source_id)

    @property
    def document(self) -> ErpDocument | None:
        """The ERP document, once posted."""
        if self.erp is None or self.document_id is None:
            return None
        return ErpDocument(self.erp, self.document_id)


@frozen
class Claim:
    """The answer to :meth:`Ledger.claim`: granted, or why not (the record says)."""

    granted: bool
    record: LedgerRecord
    #: The owner whose dead or expired claim was taken over, if any.
    took_over_from: str | None = None


@frozen
class AuditEvent:
    """One line of the append-only audit trail (detail redacted, payloads only as digests)."""

    seq: int
    at: datetime
    kind: str
    source_id: str
    #: What happened: "claim", "attempt", "find", "create", "resume", "posted", "failed",
    #: "dead_lettered", "retry", "deferred", "skip", "received", "mapped".
    action: str
    #: How it went, in a few words: "not found", "found existing", "created", "error"...
    outcome: str = ""
    #: The record's state after the event.
    state: RecordState | None = None
    attempt: int = 0
    request_digest: str | None = None
    response_digest: str | None = None
    detail: Mapping[str, Any] = field(factory=dict)


class Ledger(Protocol):
    """What the poster and the CLI need from a ledger; every write is redacted and audited.

    Implementations must make :meth:`claim` atomic across processes: two posters claiming the
    same record never both get it, while a claim whose owner died (or whose lease expired) can
    be taken over.
    """

    def get(self, kind: str, source_id: str) -> LedgerRecord | None:
        """The record, or None if the ledger has never seen it."""
        ...

    def receive(self, kind: str, source_id: str, *, describe: str | None = None) -> LedgerRecord:
        """Note a record read from the source (RECEIVED); an existing record is left as it is."""
        ...

    def mark_mapped(
        self, kind: str, source_id: str, *, payload_digest: str, describe: str | None = None
    ) -> LedgerRecord:
        """Note that the record was mapped to a payload with this digest (MAPPED)."""
        ...

    def claim(
        self,
        kind: str,
        source_id: str,
        *,
        owner: str,
        lease: float,
        payload_digest: str | None = None,
        describe: str | None = None,
        replay: bool = False,
    ) -> Claim:
        """Atomically take the record for posting (POSTING), or say why not.

        Not granted when it is POSTED, DEAD_LETTERED (unless ``replay``; a replay also starts
        the attempt count afresh) or POSTING under another live owner. ``lease`` seconds bound
        how long the claim holds without :meth:`begin_attempt` renewing it.
        """
        ...

    def begin_attempt(self, kind: str, source_id: str, *, owner: str, lease: float) -> int:
        """Count one more try against the ERP and renew the lease; returns the attempt number."""
        ...

    def mark_posted(
        self, kind: str, source_id: str, document: ErpDocument, *, owner: str, outcome: str
    ) -> LedgerRecord:
        """POSTING -> POSTED with the document and how it was obtained."""
        ...

    def mark_failed(
        self, kind: str, source_id: str, reason: str, *, owner: str | None = None
    ) -> LedgerRecord:
        """-> FAILED with the reason; a later run retries it. ``owner`` is needed from POSTING."""
        ...

    def mark_dead_lettered(
        self, kind: str, source_id: str, reason: str, *, owner: str | None = None
    ) -> LedgerRecord:
        """-> DEAD_LETTERED with the reason; only a replay posts it again."""
        ...

    def append_audit(
        self,
        kind: str,
        source_id: str,
        action: str,
        *,
        outcome: str = "",
        attempt: int = 0,
        request_digest: str | None = None,
        response_digest: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> AuditEvent:
        """Append one event to the record's audit trail (detail is redacted)."""
        ...

    def audit(self, kind: str, source_id: str) -> list[AuditEvent]:
        """The record's audit trail, oldest first."""
        ...

    def records(
        self,
        *,
        state: RecordState | None = None,
        kind: str | None = None,
        source_ids: Sequence[str] | None = None,
    ) -> list[LedgerRecord]:
        """Records filtered by state, kind and ids, oldest first."""
        ...

    def dead_letters(self, kind: str | None = None) -> list[LedgerRecord]:
        """Dead-lettered records with their reasons, oldest first."""
        ...

    def counts(self, kind: str | None = None) -> dict[RecordState, int]:
        """How many records are in each state (every state present, zeros included)."""
        ...

    def get_cursor(self, name: str) -> str | None:
        """A named polling cursor, e.g. ``"amazon.orders.lastUpdatedAfter"``, or None."""
        ...

    def set_cursor(self, name: str, value: str) -> None:
        """Store a plain cursor whose value sorts as text (an ISO time), forward only.

        A value older than the stored plain one is ignored. Over a cursor moved by
        :meth:`advance_cursor` it is an operator's reset: stores the value, clears the position.
        """
        ...

    def advance_cursor(self, name: str, value: str, *, position: str) -> bool:
        """Move cursor ``name`` forward to ``value``, atomically; never backwards.

        The contract every ledger keeps (SQLite here, PostgreSQL alike): one compare-and-set
        transaction stores ``value`` and ``position`` only when the stored position is absent
        (no cursor yet, or a ledger from before positions) or not greater than ``position``
        (plain string comparison, so positions must sort as text: use
        :func:`~amazon_erp_bridge.posting.cursors.time_position`). Returns True when stored,
        False when a concurrent run had already moved it further (nothing written). Any
        number of processes and threads may call it at once; the stored position never
        decreases. The caller advances only after everything derived from the window the
        cursor leaves behind is recorded in the ledger (see
        :mod:`amazon_erp_bridge.posting.cursors`).
        """
        ...

    def close(self) -> None:
        """Release the ledger's resources."""
        ...
