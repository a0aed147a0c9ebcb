"""The ledger's rules written once in SQL, for every SQL engine the library ships a ledger for.

:class:`SqlLedger` implements the whole :class:`~amazon_erp_bridge.posting.ledger.Ledger`
protocol (state machine, claims and leases, owner checks, redaction, audit, forward-only
cursors) over a small engine interface: open a write transaction that holds the record's lock,
run a read, and say how a timestamp column comes back. :class:`SqliteLedger` and
:class:`PostgresLedger` supply those; the statements are portable (``?`` placeholders,
``ON CONFLICT``, ``RETURNING``) and an engine rewrites the placeholder if it needs to.
"""

from __future__ import annotations

import json
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any, Final, Protocol, Self

from amazon_erp_bridge.core.redaction import get_logger, redact, redact_data
from amazon_erp_bridge.posting.claims import claim_is_live
from amazon_erp_bridge.posting.ledger import (
    AuditEvent,
    Claim,
    ClaimLostError,
    ErpDocument,
    LedgerRecord,
    RecordState,
    check_transition,
)

log = get_logger("amazon_erp_bridge.posting")

RECORD_COLUMNS: Final = (
    "kind, source_id, state, attempts, created_at, updated_at, erp, document_id, outcome, "
    "reason, payload_digest, description, owner, lease_expires"
)
AUDIT_COLUMNS: Final = (
    "seq, at, kind, source_id, action, outcome, state, attempt, request_digest, "
    "response_digest, detail"
)


def utc_now() -> datetime:
    """The default ledger clock."""
    return datetime.now(UTC)


def _dump(detail: Mapping[str, Any] | None) -> str:
    return json.dumps(redact_data(dict(detail or {})), sort_keys=True, default=str)


def _clean(text: str | None) -> str | None:
    return None if text is None else redact(text)


class Cursor(Protocol):
    """The part of a DB-API cursor the ledger uses."""

    def fetchone(self) -> Any: ...

    def fetchall(self) -> Any: ...


class Transaction(Protocol):
    """A write transaction: statements with ``?`` placeholders, run in one atomic unit."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...


class SqlLedger(ABC):
    """The ledger protocol over SQL; subclasses provide the engine (see the module docstring).

    Every write runs in :meth:`_write`, which must hold a lock that serialises writers of the
    same record (SQLite: the database write lock of ``BEGIN IMMEDIATE``; PostgreSQL: a
    transaction-scoped advisory lock on the record's key), so a record is never read and then
    written by two posters at once.
    """

    _now: Callable[[], datetime]
    _lock: threading.RLock
    _conn: Any
    _pid: int
    _closed: bool

    # -- what an engine supplies ---------------------------------------------------------------

    @abstractmethod
    def _write(self, kind: str, source_id: str) -> AbstractContextManager[Transaction]:
        """A write transaction holding the lock of record ``(kind, source_id)``."""

    @abstractmethod
    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of one read-only statement."""

    @staticmethod
    def _timestamp(value: Any) -> datetime:
        """A timestamp column as an aware datetime (engines store ISO text or timestamptz)."""
        return value if isinstance(value, datetime) else datetime.fromisoformat(value)

    @property
    def schema_version(self) -> int:
        """The schema version of the ledger's tables."""
        return int(self._read("SELECT MAX(version) FROM schema_version")[0][0])

    def close(self) -> None:
        """Close this process's connection; the ledger refuses use afterwards."""
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None
            self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- rows ---------------------------------------------------------------------------------

    def _record(self, row: Sequence[Any]) -> LedgerRecord:
        return LedgerRecord(
            kind=row[0],
            source_id=row[1],
            state=RecordState(row[2]),
            attempts=row[3],
            created_at=self._timestamp(row[4]),
            updated_at=self._timestamp(row[5]),
            erp=row[6],
            document_id=row[7],
            outcome=row[8],
            reason=row[9],
            payload_digest=row[10],
            description=row[11],
            owner=row[12],
        )

    def _event(self, row: Sequence[Any]) -> AuditEvent:
        detail = row[10]
        return AuditEvent(
            seq=row[0],
            at=self._timestamp(row[1]),
            kind=row[2],
            source_id=row[3],
            action=row[4],
            outcome=row[5],
            state=RecordState(row[6]) if row[6] else None,
            attempt=row[7],
            request_digest=row[8],
            response_digest=row[9],
            detail=json.loads(detail) if isinstance(detail, str) else dict(detail),
        )

    @staticmethod
    def _row(tx: Transaction, kind: str, source_id: str) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = tx.execute(
            f"SELECT {RECORD_COLUMNS} FROM records WHERE kind = ? AND source_id = ?",
            (kind, source_id),
        ).fetchone()
        return row

    def _set(
        self,
        tx: Transaction,
        kind: str,
        source_id: str,
        exists: bool,
        fields: Mapping[str, Any],
    ) -> LedgerRecord:
        now = self._now().isoformat()
        if exists:
            assignments = ", ".join(f"{name} = ?" for name in fields)
            row = tx.execute(
                f"UPDATE records SET {assignments}, updated_at = ? "
                f"WHERE kind = ? AND source_id = ? RETURNING {RECORD_COLUMNS}",
                (*fields.values(), now, kind, source_id),
            ).fetchone()
        else:
            names = ", ".join(fields)
            marks = ", ".join("?" for _ in fields)
            row = tx.execute(
                f"INSERT INTO records (kind, source_id, created_at, updated_at, {names}) "
                f"VALUES (?, ?, ?, ?, {marks}) RETURNING {RECORD_COLUMNS}",
                (kind, source_id, now, now, *fields.values()),
            ).fetchone()
        return self._record(row)

    def _audit(
        self,
        tx: Transaction,
        kind: str,
        source_id: str,
        action: str,
        *,
        outcome: str = "",
        state: RecordState | None = None,
        attempt: int = 0,
        request_digest: str | None = None,
        response_digest: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> AuditEvent:
        row = tx.execute(
            "INSERT INTO audit (at, kind, source_id, action, outcome, state, attempt, "
            "request_digest, response_digest, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            f"RETURNING {AUDIT_COLUMNS}",
            (
                self._now().isoformat(),
                kind,
                source_id,
                action,
                redact(outcome),
                state.value if state is not None else None,
                attempt,
                request_digest,
                response_digest,
                _dump(detail),
            ),
        ).fetchone()
        return self._event(row)

    @staticmethod
    def _owned(kind: str, source_id: str, row: Sequence[Any] | None, owner: str | None) -> None:
        """Raise ClaimLostError unless ``owner`` (if given) holds the record, and a POSTING
        record is only finished by its owner."""
        if owner is None:
            if row is not None and row[2] == RecordState.POSTING:
                raise ClaimLostError(
                    f"ledger {kind} {source_id}: is being posted by {row[12]}; only that "
                    "poster may finish it"
                )
            return
        if row is None or row[2] != RecordState.POSTING:
            shown = row[2] if row is not None else "absent"
            raise ClaimLostError(
                f"ledger {kind} {source_id}: is {shown}, not posting under {owner}; "
                "claim it first (or another poster finished it meanwhile)"
            )
        if row[12] != owner:
            raise ClaimLostError(
                f"ledger {kind} {source_id}: claimed by {row[12]}, not by {owner}; "
                "another poster took it over (this poster's lease ran out?)"
            )

    # -- the Ledger protocol ------------------------------------------------------------------

    def get(self, kind: str, source_id: str) -> LedgerRecord | None:
        """The record, or None if the ledger has never seen it."""
        rows = self._read(
            f"SELECT {RECORD_COLUMNS} FROM records WHERE kind = ? AND source_id = ?",
            (kind, source_id),
        )
        return self._record(rows[0]) if rows else None

    def receive(self, kind: str, source_id: str, *, describe: str | None = None) -> LedgerRecord:
        """Note a record read from the source (RECEIVED); an existing record is left as it is."""
        with self._write(kind, source_id) as tx:
            row = self._row(tx, kind, source_id)
            if row is not None:
                return self._record(row)
            fields = {"state": RecordState.RECEIVED.value, "description": _clean(describe)}
            record = self._set(tx, kind, source_id, False, fields)
            self._audit(tx, kind, source_id, "received", state=record.state)
            return record

    def mark_mapped(
        self, kind: str, source_id: str, *, payload_digest: str, describe: str | None = None
    ) -> LedgerRecord:
        """Note that the record was mapped to a payload with this digest (MAPPED)."""
        with self._write(kind, source_id) as tx:
            row = self._row(tx, kind, source_id)
            current = RecordState(row[2]) if row else None
            check_transition(kind, source_id, current, RecordState.MAPPED)
            fields: dict[str, Any] = {
                "state": RecordState.MAPPED.value,
                "payload_digest": payload_digest,
            }
            if describe is not None:
                fields["description"] = _clean(describe)
            record = self._set(tx, kind, source_id, row is not None, fields)
            self._audit(
                tx, kind, source_id, "mapped", state=record.state, request_digest=payload_digest
            )
            return record

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
        """Atomically take the record for posting (POSTING), or say why not."""
        with self._write(kind, source_id) as tx:
            now = self._now()
            row = self._row(tx, kind, source_id)
            took_over: str | None = None
            attempts = 0
            if row is not None:
                record = self._record(row)
                if record.state is RecordState.POSTED:
                    return Claim(False, record)
                if record.state is RecordState.DEAD_LETTERED and not replay:
                    return Claim(False, record)
                if record.state is RecordState.POSTING:
                    if record.owner == owner or claim_is_live(
                        record.owner, row[13], now.timestamp()
                    ):
                        return Claim(False, record)
                    took_over = record.owner
                restart = replay and record.state is RecordState.DEAD_LETTERED
                attempts = 0 if restart else record.attempts
            fields: dict[str, Any] = {
                "state": RecordState.POSTING.value,
                "attempts": attempts,
                "owner": owner,
                "lease_expires": now.timestamp() + lease,
            }
            if payload_digest is not None:
                fields["payload_digest"] = payload_digest
            if describe is not None:
                fields["description"] = _clean(describe)
            claimed = self._set(tx, kind, source_id, row is not None, fields)
            detail: dict[str, Any] = {"owner": owner}
            if took_over is not None:
                detail["took_over_from"] = took_over
            if replay:
                detail["replay"] = True
                detail["previous_attempts"] = row[3] if row is not None else 0
            self._audit(
                tx,
                kind,
                source_id,
                "claim",
                outcome="took over" if took_over else "claimed",
                state=claimed.state,
                attempt=claimed.attempts,
                request_digest=payload_digest,
                detail=detail,
            )
            return Claim(True, claimed, took_over)

    def begin_attempt(self, kind: str, source_id: str, *, owner: str, lease: float) -> int:
        """Count one more try against the ERP and renew the lease; returns the attempt number."""
        with self._write(kind, source_id) as tx:
            row = self._row(tx, kind, source_id)
            self._owned(kind, source_id, row, owner)
            assert row is not None
            attempt = int(row[3]) + 1
            fields = {"attempts": attempt, "lease_expires": self._now().timestamp() + lease}
            self._set(tx, kind, source_id, True, fields)
            self._audit(tx, kind, source_id, "attempt", state=RecordState.POSTING, attempt=attempt)
            return attempt

    def mark_posted(
        self, kind: str, source_id: str, document: ErpDocument, *, owner: str, outcome: str
    ) -> LedgerRecord:
        """POSTING -> POSTED with the document and how it was obtained."""
        with self._write(kind, source_id) as tx:
            row = self._row(tx, kind, source_id)
            self._owned(kind, source_id, row, owner)
            check_transition(kind, source_id, RecordState.POSTING, RecordState.POSTED)
            fields = {
                "state": RecordState.POSTED.value,
                "erp": document.erp,
                "document_id": document.document_id,
                "outcome": outcome,
                "reason": None,
                "owner": None,
                "lease_expires": None,
            }
            record = self._set(tx, kind, source_id, True, fields)
            self._audit(
                tx,
                kind,
                source_id,
                "posted",
                outcome=outcome,
                state=record.state,
                attempt=record.attempts,
                detail={"erp": document.erp, "document_id": document.document_id},
            )
            return record

    def _fail(
        self, kind: str, source_id: str, reason: str, owner: str | None, state: RecordState
    ) -> LedgerRecord:
        with self._write(kind, source_id) as tx:
            row = self._row(tx, kind, source_id)
            self._owned(kind, source_id, row, owner)
            check_transition(kind, source_id, RecordState(row[2]) if row else None, state)
            fields = {
                "state": state.value,
                "reason": redact(reason),
                "owner": None,
                "lease_expires": None,
            }
            record = self._set(tx, kind, source_id, row is not None, fields)
            self._audit(
                tx,
                kind,
                source_id,
                state.value,
                outcome="error",
                state=record.state,
                attempt=record.attempts,
                detail={"reason": reason},
            )
            return record

    def mark_failed(
        self, kind: str, source_id: str, reason: str, *, owner: str | None = None
    ) -> LedgerRecord:
        """-> FAILED with the reason; a later run retries it. ``owner`` is needed from POSTING."""
        return self._fail(kind, source_id, reason, owner, RecordState.FAILED)

    def mark_dead_lettered(
        self, kind: str, source_id: str, reason: str, *, owner: str | None = None
    ) -> LedgerRecord:
        """-> DEAD_LETTERED with the reason; only a replay posts it again."""
        return self._fail(kind, source_id, reason, owner, RecordState.DEAD_LETTERED)

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
        with self._write(kind, source_id) as tx:
            row = self._row(tx, kind, source_id)
            return self._audit(
                tx,
                kind,
                source_id,
                action,
                outcome=outcome,
                state=RecordState(row[2]) if row else None,
                attempt=attempt,
                request_digest=request_digest,
                response_digest=response_digest,
                detail=detail,
            )

    def audit(self, kind: str, source_id: str) -> list[AuditEvent]:
        """The record's audit trail, oldest first."""
        rows = self._read(
            f"SELECT {AUDIT_COLUMNS} FROM audit WHERE kind = ? AND source_id = ? ORDER BY seq",
            (kind, source_id),
        )
        return [self._event(row) for row in rows]

    def records(
        self,
        *,
        state: RecordState | None = None,
        kind: str | None = None,
        source_ids: Sequence[str] | None = None,
    ) -> list[LedgerRecord]:
        """Records filtered by state, kind and ids, oldest first."""
        where: list[str] = []
        params: list[Any] = []
        if state is not None:
            where.append("state = ?")
            params.append(RecordState(state).value)
        if kind is not None:
            where.append("kind = ?")
            params.append(kind)
        if source_ids is not None:
            if not source_ids:
                return []
            where.append(f"source_id IN ({', '.join('?' for _ in source_ids)})")
            params.extend(source_ids)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = self._read(
            f"SELECT {RECORD_COLUMNS} FROM records{clause} ORDER BY created_at, {self._row_order}",
            params,
        )
        return [self._record(row) for row in rows]

    #: The column that breaks ties of ``created_at`` in insertion order.
    _row_order: str = "rowid"

    def dead_letters(self, kind: str | None = None) -> list[LedgerRecord]:
        """Dead-lettered records with their reasons, oldest first."""
        return self.records(state=RecordState.DEAD_LETTERED, kind=kind)

    def counts(self, kind: str | None = None) -> dict[RecordState, int]:
        """How many records are in each state (every state present, zeros included)."""
        if kind is None:
            rows = self._read("SELECT state, COUNT(*) FROM records GROUP BY state")
        else:
            rows = self._read(
                "SELECT state, COUNT(*) FROM records WHERE kind = ? GROUP BY state", (kind,)
            )
        found = {RecordState(state): int(n) for state, n in rows}
        return {state: found.get(state, 0) for state in RecordState}

    def get_cursor(self, name: str) -> str | None:
        """A named polling cursor, or None."""
        rows = self._read("SELECT value FROM cursors WHERE name = ?", (name,))
        return str(rows[0][0]) if rows else None

    def set_cursor(self, name: str, value: str) -> None:
        """Store a plain cursor (its value sorts as text, e.g. an ISO time), forward only.

        An older value than the stored plain one is ignored. Over a cursor moved by
        :meth:`advance_cursor` it is an operator's reset: the value is stored and the position
        cleared, so the next advance starts afresh.
        """
        with self._write("cursor", name) as tx:
            old = tx.execute(
                "SELECT value, position FROM cursors WHERE name = ?", (name,)
            ).fetchone()
            if old is not None and old[1] is None and str(old[0]) > value:
                return
            tx.execute(
                "INSERT INTO cursors (name, value, updated_at, position) VALUES (?, ?, ?, NULL) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at, position = NULL",
                (name, value, self._now().isoformat()),
            )
            self._audit(
                tx,
                "cursor",
                name,
                "cursor",
                outcome="set",
                detail={"from": old[0] if old else None, "to": value},
            )

    def advance_cursor(self, name: str, value: str, *, position: str) -> bool:
        """Compare-and-set: store ``value`` only if ``position`` is not behind the stored one.

        The read and the write run in one transaction under the cursor's lock (SQLite's write
        lock, PostgreSQL's advisory lock), so concurrent processes and threads serialise and
        the stored position never decreases.
        """
        with self._write("cursor", name) as tx:
            old = tx.execute(
                "SELECT value, position FROM cursors WHERE name = ?", (name,)
            ).fetchone()
            if old is not None and old[1] is not None and str(old[1]) > position:
                log.debug(
                    "ledger cursor %s: kept at position %s (asked to go back to %s)",
                    name,
                    old[1],
                    position,
                )
                return False
            tx.execute(
                "INSERT INTO cursors (name, value, updated_at, position) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at, position = excluded.position",
                (name, value, self._now().isoformat(), position),
            )
            if old is None or old[0] != value:
                self._audit(
                    tx,
                    "cursor",
                    name,
                    "cursor",
                    outcome="set",
                    detail={"from": old[0] if old else None, "to": value},
                )
            return True


def placeholders(sql: str, mark: str) -> str:
    """``sql`` with each ``?`` placeholder replaced by ``mark`` (e.g. ``%s`` for psycopg).

    The ledger's statements never hold a literal question mark, so a plain replace is exact.
    """
    return sql.replace("?", mark)
