"""A posting's ledger cost as the ledger grows: SQLite and PostgreSQL at 1k to 1M rows.

Each size is prefilled in bulk (posted records with their audit events, as years of postings
leave them), then a batch of new records goes through the whole posting path a poster takes:
receive, claim, begin_attempt, mark_posted (four transactions, four audit events). It prints
postings per second at each size and the ratio to the smallest: flat means the index plan
keeps a posting's cost independent of the ledger's size.

PostgreSQL runs when ``--postgres`` answers (default: the local test server); its schema is
dropped afterwards.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from amazon_erp_bridge.posting import ErpDocument, PostgresLedger, SqliteLedger
from amazon_erp_bridge.posting.claims import new_owner

SIZES = (1_000, 10_000, 100_000, 1_000_000)
NOW = "2026-01-01T00:00:00+00:00"


def prefill_sqlite(ledger: SqliteLedger, start: int, stop: int) -> None:
    conn = ledger._connection()
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO records (kind, source_id, state, attempts, erp, document_id, outcome, "
        "created_at, updated_at) VALUES ('order.m3', ?, 'posted', 1, 'm3', ?, 'created', ?, ?)",
        ((f"old-{i:09d}", f"CO{i:09d}", NOW, NOW) for i in range(start, stop)),
    )
    conn.executemany(
        "INSERT INTO audit (at, kind, source_id, action, outcome, state, attempt, detail) "
        "VALUES (?, 'order.m3', ?, 'posted', 'created', 'posted', 1, '{}')",
        ((NOW, f"old-{i:09d}") for i in range(start, stop)),
    )
    conn.execute("COMMIT")


def prefill_postgres(ledger: PostgresLedger, start: int, stop: int) -> None:
    conn = ledger._connection()
    with conn.transaction():
        conn.execute(
            "INSERT INTO records (kind, source_id, state, attempts, erp, document_id, outcome, "
            "created_at, updated_at) SELECT 'order.m3', 'old-' || lpad(i::text, 9, '0'), "
            "'posted', 1, 'm3', 'CO' || i, 'created', %s, %s FROM generate_series(%s::bigint, %s::bigint) i",
            (NOW, NOW, start, stop - 1),
        )
        conn.execute(
            "INSERT INTO audit (at, kind, source_id, action, outcome, state, attempt, detail) "
            "SELECT %s, 'order.m3', 'old-' || lpad(i::text, 9, '0'), 'posted', 'created', "
            "'posted', 1, '{}' FROM generate_series(%s::bigint, %s::bigint) i",
            (NOW, start, stop - 1),
        )
        conn.execute("ANALYZE records")
        conn.execute("ANALYZE audit")


def postings_per_second(ledger: Any, batch: int, tag: str) -> float:
    start = time.perf_counter()
    for i in range(batch):
        source = f"new-{tag}-{i:06d}"
        owner = new_owner()
        ledger.receive("order.m3", source, describe="1 line")
        ledger.claim("order.m3", source, owner=owner, lease=60)
        ledger.begin_attempt("order.m3", source, owner=owner, lease=60)
        ledger.mark_posted(
            "order.m3", source, ErpDocument("m3", f"N{i}"), owner=owner, outcome="created"
        )
    return batch / (time.perf_counter() - start)


def measure(name: str, ledger: Any, prefill: Any, sizes: tuple[int, ...], batch: int) -> None:
    filled = 0
    first: float | None = None
    for size in sizes:
        t = time.perf_counter()
        prefill(ledger, filled, size)
        filled = size
        fill_s = time.perf_counter() - t
        rate = postings_per_second(ledger, batch, str(size))
        first = first or rate
        print(
            f"  {name:10} {size:>9,} rows: {rate:8.0f} postings/s "
            f"({rate / first:.2f}x the {sizes[0]:,}-row rate; prefill {fill_s:.1f}s)",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=500, help="postings measured per size")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--max", type=int, default=SIZES[-1], help="largest ledger size")
    args, _ = parser.parse_known_args()
    sizes = tuple(s for s in SIZES if s <= args.max)
    print(f"ledger cost per posting (receive, claim, attempt, posted), {args.batch} postings")
    with tempfile.TemporaryDirectory() as tmp, SqliteLedger(Path(tmp) / "ledger.db") as sqlite:
        measure("SQLite", sqlite, prefill_sqlite, sizes, args.batch)
    schema = f"aeb_bench_{uuid.uuid4().hex[:8]}"
    try:
        pg = PostgresLedger(args.postgres, schema=schema)
    except Exception as exc:  # no server here: say so and stop
        print(f"  PostgreSQL skipped: {exc}")
        return
    try:
        measure("PostgreSQL", pg, prefill_postgres, sizes, args.batch)
    finally:
        pg.drop()
        pg.close()


if __name__ == "__main__":
    main()
