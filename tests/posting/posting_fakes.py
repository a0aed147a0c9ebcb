"""Fake ERP targets, clocks and sleeps for the posting tests."""

from __future__ import annotations

import os
import signal
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from amazon_erp_bridge.posting import ErpDocument


class FakeClock:
    """A monotonic clock the test moves by hand; ``sleep`` advances it and records the wait."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class MemoryErp:
    """An in-process ERP holding documents by reference, with scripted failures.

    ``failures`` is consumed one per call of the named step ("find", "create", "resume"):
    an exception is raised, ``None`` lets the call through. ``create_then_fail`` makes a create
    store the document and then raise (a timeout after the ERP did the work).
    """

    name = "m3"

    def __init__(self, *, lookup: bool = True) -> None:
        self.docs: dict[str, ErpDocument] = {}
        self.created: list[str] = []
        self.calls: list[str] = []
        self.failures: dict[str, list[BaseException | None]] = {}
        self.create_then_fail: list[BaseException] = []
        self.lookup = lookup
        self._next = 1

    def _maybe_fail(self, step: str) -> None:
        self.calls.append(step)
        queue = self.failures.get(step)
        if queue:
            exc = queue.pop(0)
            if exc is not None:
                raise exc

    def put(self, reference: str, *, complete: bool = True) -> ErpDocument:
        doc = ErpDocument(self.name, f"CO{self._next:06d}", complete=complete)
        self._next += 1
        self.docs[reference] = doc
        return doc

    def find(self, source_id: str, payload: dict[str, Any]) -> ErpDocument | None:
        self._maybe_fail("find")
        return self.docs.get(source_id) if self.lookup else None

    def create(self, payload: dict[str, Any]) -> ErpDocument:
        self._maybe_fail("create")
        doc = self.put(payload["reference"])
        self.created.append(payload["reference"])
        if self.create_then_fail:
            raise self.create_then_fail.pop(0)
        return doc


class ResumableMemoryErp(MemoryErp):
    """A MemoryErp that can finish a temporary (incomplete) document."""

    def __init__(self) -> None:
        super().__init__()
        self.resumed: list[str] = []

    def resume(self, document: ErpDocument) -> ErpDocument:
        self._maybe_fail("resume")
        for ref, doc in self.docs.items():
            if doc.document_id == document.document_id:
                done = ErpDocument(doc.erp, doc.document_id, complete=True)
                self.docs[ref] = done
                self.resumed.append(ref)
                return done
        raise AssertionError(f"no document {document.document_id}")


class FileErp:
    """A fake ERP kept in a SQLite file, so that it outlives a killed posting process.

    ``crash_after_create`` kills the calling process with SIGKILL right after the document is
    committed (before the poster can write the ledger). ``temporary`` creates documents in two
    steps like an M3 batch order: a header marked incomplete, then a confirmation; a crash
    between them leaves an incomplete document. ``lookup=False`` makes ``find`` blind.
    """

    name = "m3"

    def __init__(
        self,
        path: Path,
        *,
        crash_after_create: bool = False,
        temporary: bool = False,
        lookup: bool = True,
    ) -> None:
        self.path = path
        self.crash_after_create = crash_after_create
        self.temporary = temporary
        self.lookup = lookup
        with self._db() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS docs (id INTEGER PRIMARY KEY, reference TEXT, "
                "complete INTEGER, creator INTEGER)"
            )

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def _doc(self, row: tuple[Any, ...]) -> ErpDocument:
        return ErpDocument(self.name, f"CO{row[0]:06d}", complete=bool(row[1]))

    def find(self, source_id: str, payload: dict[str, Any]) -> ErpDocument | None:
        if not self.lookup:
            return None
        with self._db() as db:
            row = db.execute(
                "SELECT id, complete FROM docs WHERE reference = ? ORDER BY id", (source_id,)
            ).fetchone()
        return self._doc(row) if row else None

    def create(self, payload: dict[str, Any]) -> ErpDocument:
        db = self._db()
        with db:
            cur = db.execute(
                "INSERT INTO docs (reference, complete, creator) VALUES (?, ?, ?)",
                (payload["reference"], 0 if self.temporary else 1, os.getpid()),
            )
        doc_id = cur.lastrowid
        db.close()
        if self.crash_after_create:
            os.kill(os.getpid(), signal.SIGKILL)
        if self.temporary:
            with self._db() as db:
                db.execute("UPDATE docs SET complete = 1 WHERE id = ?", (doc_id,))
        return ErpDocument(self.name, f"CO{doc_id:06d}")

    def resume(self, document: ErpDocument) -> ErpDocument:
        with self._db() as db:
            db.execute(
                "UPDATE docs SET complete = 1 WHERE id = ?", (int(document.document_id[2:]),)
            )
        return ErpDocument(self.name, document.document_id)

    def documents(self) -> list[tuple[str, bool, int]]:
        """(reference, complete, creator pid) of every document, in creation order."""
        with self._db() as db:
            rows = db.execute("SELECT reference, complete, creator FROM docs ORDER BY id")
            return [(r[0], bool(r[1]), r[2]) for r in rows]


def order_payload(reference: str) -> dict[str, Any]:
    """A small M3-like customer order payload keyed by the Amazon order id."""
    return {"reference": reference, "CUNO": "AMAZON01", "lines": [{"ITNO": "SKU-1", "ORQT": 1}]}


Rebuild = Callable[[str, str], dict[str, Any]]


def rebuild_orders(kind: str, source_id: str) -> dict[str, Any]:
    return order_payload(source_id)
