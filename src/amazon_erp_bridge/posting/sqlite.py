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

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from amazon_erp_bridge.core.redaction import get_logger
from amazon_erp_bridge.errors import ConfigurationError, PostingError
from amazon_erp_bridge.posting.sql import SqlLedger, utc_now

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


class SqliteLedger(SqlLedger):
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
        now: Callable[[], datetime] = utc_now,
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
    def _write(self, kind: str = "", source_id: str = "") -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction: SQLite's write lock covers every record."""
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

    def __repr__(self) -> str:
        return f"SqliteLedger({self.path!r})"


if TYPE_CHECKING:
    _conforms: Ledger = SqliteLedger()
