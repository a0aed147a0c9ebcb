"""The embedded default ledger: one SQLite file, safe for several processes on one machine.

WAL mode lets readers run beside a writer; every state change is one ``BEGIN IMMEDIATE``
transaction (the write lock is taken before the record is read, so two processes can never both
claim it), and a busy timeout makes writers queue instead of failing. The audit table refuses
UPDATE and DELETE. The schema carries its version in ``schema_version`` and is migrated forward
when an older file is opened.

``synchronous=NORMAL``: a killed process never loses a committed write; a power cut may lose the
last few, which query-first posting repairs (the ERP is asked before anything is created again).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from amazon_erp_bridge.core.redaction import get_logger, redact, redact_data
from amazon_erp_bridge.errors import ConfigurationError, PostingError
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

if TYPE_CHECKING:
    from amazon_erp_bridge.posting.ledger import Ledger

log = get_logger("amazon_erp_bridge.posting")

MEMORY: Final = ":memory:"

#: Each entry moves the schema from version ``i`` to ``i + 1``.
_MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (
        """CREATE TABLE records (
            kind TEXT NOT NULL,
            source_id TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            erp TEXT,
            document_id TEXT,
            outcome TEXT,
            reason TEXT,
            payload_digest TEXT,
            description TEXT,
            owner TEXT,
            lease_expires REAL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (kind, source_id)
        )""",
        "CREATE INDEX records_by_state ON records (state, kind)",
        """CREATE TABLE audit (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            source_id TEXT NOT NULL,
            action TEXT NOT NULL,
            outcome TEXT NOT NULL DEFAULT '',
            state TEXT,
            attempt INTEGER NOT NULL DEFAULT 0,
            request_digest TEXT,
            response_digest TEXT,
            detail TEXT NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX audit_by_record ON audit (kind, source_id, seq)",
        """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
           BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
        """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
           BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
        """CREATE TABLE cursors (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
    ),
    # 2: cursors carry a sortable position, so that advance_cursor only moves them forward.
    ("ALTER TABLE cursors ADD COLUMN position TEXT",),
)

#: The schema version this code writes.
SCHEMA_VERSION: Final = len(_MIGRATIONS)

_RECORD_COLUMNS: Final = (
    "kind, source_id, state, attempts, created_at, updated_at, erp, document_id, outcome, "
    "reason, payload_digest, description, owner, lease_expires"
)
_AUDIT_COLUMNS: Final = (
    "seq, at, kind, source_id, action, outcome, state, attempt, request_digest, "
    "response_digest, detail"
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _dump(detail: Mapping[str, Any] | None) -> str:
    return json.dumps(redact_data(dict(detail or {})), sort_keys=True, default=str)


def _clean(text: str | None) -> str | None:
    return None if text is None else redact(text)


class SqliteLedger:
    """A :class:`~amazon_erp_bridge.posting.ledger.Ledger` in a SQLite file (or ``":memory:"``).

    Open one per process (a ledger inherited through ``fork`` reopens its connection by
    itself); within a process it may be shared by threads. A dead owner's claim is recognised
    by host name and pid; owners on another host name wait for the claim lease to run out.
    (Containers sharing one file must therefore not share a host name.) ``busy_timeout`` is
    how long a writer waits for another process's transaction; ``now`` is the clock for
    timestamps and claim leases.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = MEMORY,
        *,
        busy_timeout: float = 30.0,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.path = str(path) if str(path) == MEMORY else str(Path(path))
        self._busy_timeout = busy_timeout
        self._now = now
        self._lock = threading.RLock()
        self._pid = os.getpid()
        self._conn: sqlite3.Connection | None = None
        self._closed = False
        with self._lock:
            self._connect()

    # -- connection and transactions ---------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=self._busy_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise PostingError(f"ledger {self.path}: cannot open the database: {exc}") from exc
        self._conn = conn
        self._pid = os.getpid()
        try:
            if self.path != MEMORY:
                mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    log.warning("ledger %s: WAL mode unavailable, using %s", self.path, mode)
            conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate(conn)
        except sqlite3.Error as exc:
            raise PostingError(f"ledger {self.path}: cannot prepare the database: {exc}") from exc
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
            version = int(row[0]) if row and row[0] is not None else 0
            if version > SCHEMA_VERSION:
                raise ConfigurationError(
                    f"ledger {self.path}: schema version {version} was written by a newer "
                    f"amazon-erp-bridge (this one reads up to {SCHEMA_VERSION}); upgrade it"
                )
            for statements in _MIGRATIONS[version:]:
                for statement in statements:
                    conn.execute(statement)
            if version < SCHEMA_VERSION:
                conn.execute("DELETE FROM schema_version")
                conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise PostingError(f"ledger {self.path}: used after close()")
        if self._conn is None or self._pid != os.getpid():
            # A connection must not cross fork(); the child opens its own.
            return self._connect()
        return self._conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise PostingError(f"ledger {self.path}: cannot start a write: {exc}") from exc
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise PostingError(f"ledger {self.path}: cannot commit: {exc}") from exc

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return list(self._connection().execute(sql, params).fetchall())
            except sqlite3.Error as exc:
                raise PostingError(f"ledger {self.path}: cannot read: {exc}") from exc

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed when the last one closes)."""
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None
            self._closed = True

    def __enter__(self) -> SqliteLedger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqliteLedger({self.path!r})"

    @property
    def schema_version(self) -> int:
        """The schema version of the open file."""
        return int(self._read("SELECT MAX(version) FROM schema_version")[0][0])

    # -- rows ---------------------------------------------------------------------------------

    @staticmethod
    def _record(row: Sequence[Any]) -> LedgerRecord:
        return LedgerRecord(
            kind=row[0],
            source_id=row[1],
            state=RecordState(row[2]),
            attempts=row[3],
            created_at=datetime.fromisoformat(row[4]),
            updated_at=datetime.fromisoformat(row[5]),
            erp=row[6],
            document_id=row[7],
            outcome=row[8],
            reason=row[9],
            payload_digest=row[10],
            description=row[11],
            owner=row[12],
        )

    @staticmethod
    def _event(row: Sequence[Any]) -> AuditEvent:
        return AuditEvent(
            seq=row[0],
            at=datetime.fromisoformat(row[1]),
            kind=row[2],
            source_id=row[3],
            action=row[4],
            outcome=row[5],
            state=RecordState(row[6]) if row[6] else None,
            attempt=row[7],
            request_digest=row[8],
            response_digest=row[9],
            detail=json.loads(row[10]),
        )

    def _row(self, conn: sqlite3.Connection, kind: str, source_id: str) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = conn.execute(
            f"SELECT {_RECORD_COLUMNS} FROM records WHERE kind = ? AND source_id = ?",
            (kind, source_id),
        ).fetchone()
        return row

    def _set(
        self,
        conn: sqlite3.Connection,
        kind: str,
        source_id: str,
        exists: bool,
        fields: Mapping[str, Any],
    ) -> LedgerRecord:
        now = self._now().isoformat()
        if exists:
            assignments = ", ".join(f"{name} = ?" for name in fields)
            conn.execute(
                f"UPDATE records SET {assignments}, updated_at = ? "
                "WHERE kind = ? AND source_id = ?",
                (*fields.values(), now, kind, source_id),
            )
        else:
            names = ", ".join(fields)
            marks = ", ".join("?" for _ in fields)
            conn.execute(
                f"INSERT INTO records (kind, source_id, created_at, updated_at, {names}) "
                f"VALUES (?, ?, ?, ?, {marks})",
                (kind, source_id, now, now, *fields.values()),
            )
        row = self._row(conn, kind, source_id)
        assert row is not None
        return self._record(row)

    def _audit(
        self,
        conn: sqlite3.Connection,
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
        cur = conn.execute(
            "INSERT INTO audit (at, kind, source_id, action, outcome, state, attempt, "
            "request_digest, response_digest, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        )
        row = conn.execute(
            f"SELECT {_AUDIT_COLUMNS} FROM audit WHERE seq = ?", (cur.lastrowid,)
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
        rows = self._read(
            f"SELECT {_RECORD_COLUMNS} FROM records WHERE kind = ? AND source_id = ?",
            (kind, source_id),
        )
        return self._record(rows[0]) if rows else None

    def receive(self, kind: str, source_id: str, *, describe: str | None = None) -> LedgerRecord:
        with self._write() as conn:
            row = self._row(conn, kind, source_id)
            if row is not None:
                return self._record(row)
            record = self._set(
                conn,
                kind,
                source_id,
                False,
                {"state": RecordState.RECEIVED.value, "description": _clean(describe)},
            )
            self._audit(conn, kind, source_id, "received", state=record.state)
            return record

    def mark_mapped(
        self, kind: str, source_id: str, *, payload_digest: str, describe: str | None = None
    ) -> LedgerRecord:
        with self._write() as conn:
            row = self._row(conn, kind, source_id)
            current = RecordState(row[2]) if row else None
            check_transition(kind, source_id, current, RecordState.MAPPED)
            fields: dict[str, Any] = {
                "state": RecordState.MAPPED.value,
                "payload_digest": payload_digest,
            }
            if describe is not None:
                fields["description"] = _clean(describe)
            record = self._set(conn, kind, source_id, row is not None, fields)
            self._audit(
                conn,
                kind,
                source_id,
                "mapped",
                state=record.state,
                request_digest=payload_digest,
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
        with self._write() as conn:
            now = self._now()
            row = self._row(conn, kind, source_id)
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
            claimed = self._set(conn, kind, source_id, row is not None, fields)
            detail: dict[str, Any] = {"owner": owner}
            if took_over is not None:
                detail["took_over_from"] = took_over
            if replay:
                detail["replay"] = True
                detail["previous_attempts"] = row[3] if row is not None else 0
            self._audit(
                conn,
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
        with self._write() as conn:
            row = self._row(conn, kind, source_id)
            self._owned(kind, source_id, row, owner)
            assert row is not None
            attempt = int(row[3]) + 1
            self._set(
                conn,
                kind,
                source_id,
                True,
                {"attempts": attempt, "lease_expires": self._now().timestamp() + lease},
            )
            self._audit(
                conn, kind, source_id, "attempt", state=RecordState.POSTING, attempt=attempt
            )
            return attempt

    def mark_posted(
        self, kind: str, source_id: str, document: ErpDocument, *, owner: str, outcome: str
    ) -> LedgerRecord:
        with self._write() as conn:
            row = self._row(conn, kind, source_id)
            self._owned(kind, source_id, row, owner)
            check_transition(kind, source_id, RecordState.POSTING, RecordState.POSTED)
            record = self._set(
                conn,
                kind,
                source_id,
                True,
                {
                    "state": RecordState.POSTED.value,
                    "erp": document.erp,
                    "document_id": document.document_id,
                    "outcome": outcome,
                    "reason": None,
                    "owner": None,
                    "lease_expires": None,
                },
            )
            self._audit(
                conn,
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
        with self._write() as conn:
            row = self._row(conn, kind, source_id)
            self._owned(kind, source_id, row, owner)
            check_transition(kind, source_id, RecordState(row[2]) if row else None, state)
            record = self._set(
                conn,
                kind,
                source_id,
                row is not None,
                {
                    "state": state.value,
                    "reason": redact(reason),
                    "owner": None,
                    "lease_expires": None,
                },
            )
            self._audit(
                conn,
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
        return self._fail(kind, source_id, reason, owner, RecordState.FAILED)

    def mark_dead_lettered(
        self, kind: str, source_id: str, reason: str, *, owner: str | None = None
    ) -> LedgerRecord:
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
        with self._write() as conn:
            row = self._row(conn, kind, source_id)
            return self._audit(
                conn,
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
        rows = self._read(
            f"SELECT {_AUDIT_COLUMNS} FROM audit WHERE kind = ? AND source_id = ? ORDER BY seq",
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
            f"SELECT {_RECORD_COLUMNS} FROM records{clause} ORDER BY created_at, rowid", params
        )
        return [self._record(row) for row in rows]

    def dead_letters(self, kind: str | None = None) -> list[LedgerRecord]:
        return self.records(state=RecordState.DEAD_LETTERED, kind=kind)

    def counts(self, kind: str | None = None) -> dict[RecordState, int]:
        if kind is None:
            rows = self._read("SELECT state, COUNT(*) FROM records GROUP BY state")
        else:
            rows = self._read(
                "SELECT state, COUNT(*) FROM records WHERE kind = ? GROUP BY state", (kind,)
            )
        found = {RecordState(state): int(n) for state, n in rows}
        return {state: found.get(state, 0) for state in RecordState}

    def get_cursor(self, name: str) -> str | None:
        rows = self._read("SELECT value FROM cursors WHERE name = ?", (name,))
        return str(rows[0][0]) if rows else None

    def set_cursor(self, name: str, value: str) -> None:
        """Store a plain cursor (its value sorts as text, e.g. an ISO time), forward only.

        An older value than the stored plain one is ignored. Over a cursor moved by
        :meth:`advance_cursor` it is an operator's reset: the value is stored and the position
        cleared, so the next advance starts afresh.
        """
        with self._write() as conn:
            old = conn.execute(
                "SELECT value, position FROM cursors WHERE name = ?", (name,)
            ).fetchone()
            if old is not None and old[1] is None and str(old[0]) > value:
                return
            conn.execute(
                "INSERT INTO cursors (name, value, updated_at, position) VALUES (?, ?, ?, NULL) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at, position = NULL",
                (name, value, self._now().isoformat()),
            )
            self._audit(
                conn,
                "cursor",
                name,
                "cursor",
                outcome="set",
                detail={"from": old[0] if old else None, "to": value},
            )

    def advance_cursor(self, name: str, value: str, *, position: str) -> bool:
        """Compare-and-set: store ``value`` only if ``position`` is not behind the stored one.

        One ``BEGIN IMMEDIATE`` transaction reads and writes, so concurrent processes and
        threads serialise on SQLite's write lock and the stored position never decreases.
        """
        with self._write() as conn:
            old = conn.execute(
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
            conn.execute(
                "INSERT INTO cursors (name, value, updated_at, position) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at, position = excluded.position",
                (name, value, self._now().isoformat(), position),
            )
            if old is None or old[0] != value:
                self._audit(
                    conn,
                    "cursor",
                    name,
                    "cursor",
                    outcome="set",
                    detail={"from": old[0] if old else None, "to": value},
                )
            return True


if TYPE_CHECKING:
    _conforms: Ledger = SqliteLedger()
