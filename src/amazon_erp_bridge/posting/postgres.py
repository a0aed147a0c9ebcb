"""The ledger for many workers on many machines: PostgreSQL through psycopg 3 (extra ``postgres``).

The same contract as :class:`~amazon_erp_bridge.posting.sqlite.SqliteLedger` (both are
:class:`~amazon_erp_bridge.posting.sql.SqlLedger`), with these engine choices:

- Every write to a record runs in one transaction that first takes a transaction-scoped
  advisory lock on the record's key (``pg_advisory_xact_lock``), so two workers can never both
  read a record and then claim it; writers of different records never wait for each other.
- The schema lives in its own PostgreSQL schema (``amazon_erp_bridge`` unless told otherwise),
  created and migrated by the library under an advisory lock, with its version in
  ``schema_version``. The audit table refuses UPDATE and DELETE through a trigger.
- Indexes: the primary key ``(kind, source_id)`` serves every posting step, ``(state, kind)``
  the dead-letter and pending lists, ``(kind, source_id, seq)`` the audit trail, so a posting's
  cost stays flat as the ledger grows to millions of rows (see ``benchmarks/bench_ledger.py``).

``synchronous_commit`` is ``off`` by default, as SQLite's ``synchronous=NORMAL``: a commit
returns before PostgreSQL flushes its WAL, so a killed worker never loses a committed write and
a crash of the database server may lose the last fraction of a second of them, which
query-first posting repairs (the ERP is asked before anything is created again). Pass
``synchronous_commit="on"`` to wait for the flush (about 40 times fewer postings a second on
a disk that takes 10 ms to flush).

One connection per ledger object, opened lazily in each process (a ledger inherited through
``fork`` opens its own) and shared by threads under a lock; pass ``connect_timeout`` and the
usual libpq settings in the DSN.
"""

from __future__ import annotations

import os
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from amazon_erp_bridge.core.redaction import get_logger, redact
from amazon_erp_bridge.errors import ConfigurationError, PostingError
from amazon_erp_bridge.posting.sql import Cursor, SqlLedger, placeholders, utc_now

if TYPE_CHECKING:
    import psycopg

    from amazon_erp_bridge.posting.ledger import Ledger

log = get_logger("amazon_erp_bridge.posting")

#: Each entry moves the schema from version ``i`` to ``i + 1``.
_MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (
        """CREATE TABLE records (
            row_id BIGSERIAL UNIQUE,
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
            lease_expires DOUBLE PRECISION,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (kind, source_id)
        )""",
        "CREATE INDEX records_by_state ON records (state, kind)",
        """CREATE TABLE audit (
            seq BIGSERIAL PRIMARY KEY,
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
        """CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$""",
        """CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
           FOR EACH ROW EXECUTE FUNCTION audit_append_only()""",
        """CREATE TABLE cursors (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            position TEXT
        )""",
    ),
)

#: The schema version this code writes.
SCHEMA_VERSION: Final = len(_MIGRATIONS)

_MIGRATION_LOCK: Final = 0x4145_4221  # "AEB!": one migrator at a time across workers


def _lock_key(kind: str, source_id: str) -> int:
    """A stable signed 64-bit key for a record's advisory lock (crc32 of each half)."""
    high = zlib.crc32(kind.encode("utf-8"))
    low = zlib.crc32(source_id.encode("utf-8"))
    key = (high << 32) | low
    return key - (1 << 64) if key >= 1 << 63 else key


def _import_psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise ConfigurationError(
            "PostgresLedger needs psycopg 3: pip install 'amazon-erp-bridge[postgres]'"
        ) from None
    return psycopg


class _Tx:
    """A psycopg connection inside a transaction, speaking the ledger's ``?`` placeholders."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return self._conn.execute(placeholders(sql, "%s"), tuple(params))


class PostgresLedger(SqlLedger):
    """A :class:`~amazon_erp_bridge.posting.ledger.Ledger` in PostgreSQL, for many workers.

    ``dsn`` is a libpq connection string or URL (``postgresql://user@host:5432/db``); its
    password never appears in ``repr``, logs or errors. ``schema`` names the PostgreSQL schema
    holding the ledger's tables, so several ledgers (tenants, tests) can share a database.
    """

    _row_order = "row_id"

    def __init__(
        self,
        dsn: str,
        *,
        schema: str = "amazon_erp_bridge",
        synchronous_commit: str = "off",
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        if not schema.replace("_", "").isalnum() or not schema[:1].isalpha():
            raise ConfigurationError(
                f"PostgresLedger schema {schema!r}: use letters, digits and underscores, "
                "starting with a letter"
            )
        if synchronous_commit not in ("on", "off", "local", "remote_write", "remote_apply"):
            raise ConfigurationError(
                f"PostgresLedger synchronous_commit {synchronous_commit!r}: use 'off' or 'on' "
                "(or 'local', 'remote_write', 'remote_apply')"
            )
        self._synchronous_commit = synchronous_commit
        self._psycopg = _import_psycopg()
        self._dsn = dsn
        self.schema = schema.lower()
        self._now = now
        self._lock = threading.RLock()
        self._pid = os.getpid()
        self._conn: psycopg.Connection[Any] | None = None
        self._closed = False
        with self._lock:
            self._connect()

    @property
    def _where(self) -> str:
        return f"ledger postgres:{self.schema}"

    def _fail_db(self, doing: str, exc: Exception) -> PostingError:
        return PostingError(f"{self._where}: {doing}: {redact(str(exc).strip())}")

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            conn: psycopg.Connection[Any] = self._psycopg.connect(self._dsn, autocommit=True)
        except self._psycopg.Error as exc:
            raise self._fail_db("cannot connect", exc) from None
        self._conn = conn
        self._pid = os.getpid()
        self._prepare(conn)
        return conn

    def _prepare(self, conn: psycopg.Connection[Any]) -> None:
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
                conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
                conn.execute(f'SET search_path TO "{self.schema}"')
                conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
                version = int(row[0]) if row and row[0] is not None else 0
                if version > SCHEMA_VERSION:
                    raise ConfigurationError(
                        f"{self._where}: schema version {version} was written by a newer "
                        f"amazon-erp-bridge (this one reads up to {SCHEMA_VERSION}); upgrade it"
                    )
                for statements in _MIGRATIONS[version:]:
                    for statement in statements:
                        conn.execute(statement)
                if version < SCHEMA_VERSION:
                    conn.execute("DELETE FROM schema_version")
                    conn.execute(
                        "INSERT INTO schema_version (version) VALUES (%s)", (SCHEMA_VERSION,)
                    )
            conn.execute(f'SET search_path TO "{self.schema}"')
            conn.execute(f"SET synchronous_commit TO {self._synchronous_commit}")
        except self._psycopg.Error as exc:
            conn.close()
            self._conn = None
            raise self._fail_db("cannot prepare the schema", exc) from None

    def _connection(self) -> psycopg.Connection[Any]:
        if self._closed:
            raise PostingError(f"{self._where}: used after close()")
        if self._conn is None or self._pid != os.getpid() or self._conn.closed:
            return self._connect()
        return self._conn

    @contextmanager
    def _write(self, kind: str, source_id: str) -> Iterator[_Tx]:
        with self._lock:
            conn = self._connection()
            try:
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_key(kind, source_id),))
                    yield _Tx(conn)
            except self._psycopg.Error as exc:
                raise self._fail_db(f"cannot write {kind} {source_id}", exc) from None

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                rows = self._connection().execute(placeholders(sql, "%s"), tuple(params))
                return [tuple(row) for row in rows.fetchall()]
            except self._psycopg.Error as exc:
                raise self._fail_db("cannot read", exc) from None

    def drop(self) -> None:
        """Delete the ledger's schema and everything in it (tests and tear-downs only)."""
        with self._lock:
            try:
                self._connection().execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
            except self._psycopg.Error as exc:
                raise self._fail_db("cannot drop the schema", exc) from None

    def __repr__(self) -> str:
        return f"PostgresLedger(schema={self.schema!r})"


if TYPE_CHECKING:
    _conforms: Ledger = PostgresLedger("")
