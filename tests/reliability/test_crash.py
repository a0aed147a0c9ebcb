"""Kill -9 a workflow run anywhere, then run it to completion: the ERP (and Amazon) end with
exactly the documents one clean run makes (issue 15).

The sandbox runs in its own process and serves SP-API, ION/M3 and SAP over HTTP on loopback;
each workflow run is a child process with a file ledger, killed with SIGKILL after a random
delay within the time a clean run takes. Two sandboxes with the same seed: on the first every
workflow runs once, cleanly; on the second every workflow is killed ``KILLS_PER_WORKFLOW``
times and then run to completion. After each workflow both sandboxes are compared by Amazon
identifiers (documents per Amazon order, settlement, fulfilment order; delivery states;
quantities Amazon holds): no duplicate, nothing missing.

A second test runs 4 processes of 4 threads on one SQLite ledger and checks that no cursor
ever moves backwards.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import random
import signal
import sqlite3
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from amazon_erp_bridge.core.limiter import RateLimiter
from amazon_erp_bridge.posting import RecordState, SqliteLedger, time_position
from amazon_erp_bridge.sandbox import Sandbox
from amazon_erp_bridge.sandbox.clients import spapi_client

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs fork and SIGKILL")

SEED = 11
KILLS_PER_WORKFLOW = 3
#: The SAP return documents' services and header sets (customer return, credit memo request).
SAP_RETURN_HEADERS = (
    ("/sap/opu/odata/sap/API_CUSTOMER_RETURN_SRV", "A_CustomerReturn"),
    ("/sap/opu/odata/sap/API_CREDIT_MEMO_REQUEST_SRV", "A_CreditMemoRequest"),
)
#: Every workflow, for both ERPs, in the order both sandboxes run them.
WORKFLOWS = (
    "order-to-cash m3",
    "order-to-cash sap",
    "settlement m3",
    "settlement sap",
    "mcf m3",
    "mcf sap",
    "inventory m3",
    "inventory sap",
    "returns m3",
    "returns sap",
)
#: Seconds a run may take before the test gives up on it (clean runs take 1-3 s).
RUN_TIMEOUT = 120.0


def _context() -> Any:
    return multiprocessing.get_context("fork")


# -- the sandbox process --------------------------------------------------------------------


def _configs(sandbox: Sandbox) -> dict[str, Any]:
    """Each workflow's config; building them seeds the fakes (idempotently)."""
    from amazon_erp_bridge.sandbox.rules import finance, lifecycle
    from amazon_erp_bridge.sandbox.rules import orders as rules

    return {
        "order-to-cash m3": rules.order_to_cash_m3_config(sandbox),
        "order-to-cash sap": rules.order_to_cash_sap_config(sandbox),
        "settlement m3": finance.settlement_to_gl_m3_config(sandbox),
        "settlement sap": finance.settlement_to_gl_sap_config(sandbox),
        "mcf m3": rules.mcf_m3_config(sandbox),
        "mcf sap": rules.mcf_sap_config(sandbox),
        "inventory m3": finance.inventory_sync_m3_config(sandbox),
        "inventory sap": finance.inventory_sync_sap_config(sandbox),
        "returns m3": lifecycle.returns_m3_config(sandbox),
        "returns sap": lifecycle.returns_sap_config(sandbox),
    }


def _snapshot(sandbox: Sandbox) -> dict[str, Any]:
    """What the fakes hold, keyed by Amazon identifiers (never by generated numbers)."""
    from amazon_erp_bridge.sap.deliveries import SERVICE as DELIVERIES
    from amazon_erp_bridge.sap.sales_orders import SERVICE as SALES_ORDERS

    ion = sandbox.ion.state
    sap_orders = sandbox.sap.rows(SALES_ORDERS, "A_SalesOrder")
    by_number = {r["SalesOrder"]: r["PurchaseOrderByCustomer"] for r in sap_orders}
    deliveries: Counter[tuple[str, str]] = Counter()
    for item in sandbox.sap.rows(DELIVERIES, "A_OutbDeliveryItem"):
        reference = by_number.get(item.get("ReferenceSDDocument", ""), "?")
        deliveries[(reference, str(item.get("ReferenceSDDocumentItem", "")))] += 1
    journals: Counter[str] = Counter()
    seen: set[tuple[str, str]] = set()
    for row in sandbox.sap.journal_documents():
        key = (row["FiscalYear"], row["AccountingDocument"])
        if key not in seen:
            seen.add(key)
            journals[row["DocumentReferenceID"]] += 1
    return {
        "m3 orders": Counter(
            (o.head.get("CUNO", ""), o.head.get("CUOR", "")) for o in ion.orders.values()
        ),
        "m3 order status": sorted((o.head.get("CUOR", ""), o.orst) for o in ion.orders.values()),
        "m3 open batch orders": sorted(
            b.head.get("CUOR", "") for b in ion.batch_orders.values() if not b.confirmed
        ),
        "m3 gl batches": sorted((key, b.status, len(b.lines)) for key, b in ion.gl_batches.items()),
        "sap sales orders": Counter(r["PurchaseOrderByCustomer"] for r in sap_orders),
        "sap delivery status": sorted(
            (r["PurchaseOrderByCustomer"], r.get("OverallDeliveryStatus", "")) for r in sap_orders
        ),
        "sap delivery items": deliveries,
        "sap journal entries": journals,
        "amazon mcf orders": sorted(
            (key, order.status) for key, order in sandbox.amazon.fulfillment.orders.items()
        ),
        "amazon quantities": dict(sandbox.amazon.feeds.quantities),
        # Return documents by the Amazon return id they carry (M3 YREF; SAP customer reference).
        "m3 returns": Counter(r.head.get("YREF", "") for r in ion.returns.values()),
        "sap returns": Counter(
            row.get("PurchaseOrderByCustomer", "")
            for root, entity in SAP_RETURN_HEADERS
            for row in sandbox.sap.rows(root, entity)
        ),
    }


def _serve(conn: Any) -> None:
    # A killed client resets its connections; the HTTP server prints each reset it sees.
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the life of this process
    sandbox = Sandbox(seed=SEED)
    _configs(sandbox)
    sandbox.amazon.enforce_rates = False  # rate limits are tested elsewhere; keep this fast
    sandbox.start()
    conn.send({name: sandbox.url(name) for name in ("amazon", "ion", "sap")})
    while True:
        command = conn.recv()
        if command == "snapshot":
            conn.send(_snapshot(sandbox))
        else:
            break
    sandbox.stop()
    conn.send("stopped")


class SandboxProcess:
    """A sandbox served from another process, with a pipe to take snapshots."""

    def __init__(self) -> None:
        ctx = _context()
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        self.urls: dict[str, str] = self.conn.recv()

    def snapshot(self) -> dict[str, Any]:
        self.conn.send("snapshot")
        result: dict[str, Any] = self.conn.recv()
        return result

    def stop(self) -> None:
        self.conn.send("stop")
        self.conn.recv()
        self.process.join(timeout=10)


# -- one workflow run (a child process) -------------------------------------------------------


def _run_workflow(name: str, urls: dict[str, str], ledger_path: str) -> None:
    from amazon_erp_bridge.core.retry import RetryPolicy
    from amazon_erp_bridge.infor import IonApiConfig, M3Client
    from amazon_erp_bridge.sandbox.environment import M3_SANDBOX_RATE
    from amazon_erp_bridge.sandbox.sap.fake import PASSWORD, USER
    from amazon_erp_bridge.sap import ODataClient
    from amazon_erp_bridge.sap.auth import basic
    from amazon_erp_bridge.workflows import (
        inventory_sync_m3,
        inventory_sync_sap,
        mcf_m3,
        mcf_sap,
        order_to_cash_m3,
        order_to_cash_sap,
        returns_m3,
        returns_sap,
        settlement_to_gl_m3,
        settlement_to_gl_sap,
    )

    local = Sandbox(seed=SEED)  # never started: only its configs and credentials are used
    config = _configs(local)[name]
    retry = RetryPolicy(max_attempts=4)
    # The fake advertises SP-API's real rates (getReportDocument: one a minute) and the limiter
    # adopts them; this clock jumps an hour per reading, so no bucket ever makes a run wait.
    hours = itertools.count(step=3600.0)
    unlimited = RateLimiter(clock=lambda: float(next(hours)))
    amazon = spapi_client(local.amazon, endpoint=urls["amazon"], limiter=unlimited, retry=retry)
    ion = local.ion
    m3 = M3Client(
        IonApiConfig.from_dict(ion.ionapi(urls["ion"]), source="<sandbox process>"),
        cono=ion.cono,
        divi=ion.divi,
        limiter=RateLimiter(default=M3_SANDBOX_RATE),
        retry=retry,
    )
    sap = ODataClient(urls["sap"], auth=basic(USER, PASSWORD), retry=retry)
    ledger = SqliteLedger(ledger_path)
    options: dict[str, Any] = {"retry": retry}
    run: dict[str, Callable[[], Any]] = {
        "order-to-cash m3": lambda: order_to_cash_m3(amazon, m3, ledger, config, poster_options=options),
        "order-to-cash sap": lambda: order_to_cash_sap(amazon, sap, ledger, config, poster_options=options),
        "settlement m3": lambda: settlement_to_gl_m3(amazon, m3, ledger, config, poster_options=options),
        "settlement sap": lambda: settlement_to_gl_sap(amazon, sap, ledger, config, poster_options=options),
        "mcf m3": lambda: mcf_m3(amazon, m3, ledger, config, poster_options=options),
        "mcf sap": lambda: mcf_sap(amazon, sap, ledger, config, poster_options=options),
        "inventory m3": lambda: inventory_sync_m3(amazon, m3, ledger, config),
        "inventory sap": lambda: inventory_sync_sap(amazon, sap, ledger, config),
        "returns m3": lambda: returns_m3(amazon, m3, ledger, config, poster_options=options),
        "returns sap": lambda: returns_sap(amazon, sap, ledger, config, poster_options=options),
    }  # fmt: skip
    run[name]()
    ledger.close()


def _start(name: str, urls: dict[str, str], ledger: Path) -> Any:
    process = _context().Process(target=_run_workflow, args=(name, urls, str(ledger)))
    process.start()
    return process


def _run_clean(name: str, urls: dict[str, str], ledger: Path) -> float:
    started = time.perf_counter()
    process = _start(name, urls, ledger)
    process.join(timeout=RUN_TIMEOUT)
    assert process.exitcode == 0, f"{name}: a clean run failed (exit code {process.exitcode})"
    return time.perf_counter() - started


def _run_killed(name: str, urls: dict[str, str], ledger: Path, delay: float) -> bool:
    """Start a run and SIGKILL it after ``delay`` s; True if it was killed before finishing."""
    process = _start(name, urls, ledger)
    process.join(timeout=delay)
    killed = process.exitcode is None
    if killed:
        os.kill(process.pid, signal.SIGKILL)
    process.join(timeout=RUN_TIMEOUT)  # reaped: a zombie's pid would look alive to claims
    assert process.exitcode in (0, -signal.SIGKILL), f"{name}: exit code {process.exitcode}"
    return killed


def _ledger_writes(ledger: Path) -> int:
    """How many audited writes the ledger holds (every state change and cursor move is one)."""
    if not ledger.exists():
        return 0
    with sqlite3.connect(f"file:{ledger}?mode=ro", uri=True, timeout=30) as raw:
        try:
            return int(raw.execute("SELECT COUNT(*) FROM audit").fetchone()[0])
        except sqlite3.OperationalError:  # the schema is being created
            return 0


def _cursor_write(ledger: Path, after: int) -> int | None:
    """Which write (1-based, counted from write ``after``) first moved a cursor, if any."""
    with sqlite3.connect(f"file:{ledger}?mode=ro", uri=True, timeout=30) as raw:
        kinds = [row[0] for row in raw.execute("SELECT kind FROM audit ORDER BY seq")][after:]
    return kinds.index("cursor") + 1 if "cursor" in kinds else None


def _run_killed_at_write(name: str, urls: dict[str, str], ledger: Path, writes: int) -> bool:
    """Start a run and SIGKILL it right after its ``writes``-th ledger write (the kill lands
    between two steps as often as inside one); True if it was killed before finishing."""
    base = _ledger_writes(ledger)
    process = _start(name, urls, ledger)
    deadline = time.monotonic() + RUN_TIMEOUT
    killed = False
    while process.exitcode is None and time.monotonic() < deadline:
        if _ledger_writes(ledger) >= base + writes:
            os.kill(process.pid, signal.SIGKILL)
            killed = True
            break
        time.sleep(0.002)
    process.join(timeout=RUN_TIMEOUT)
    assert process.exitcode in (0, -signal.SIGKILL), f"{name}: exit code {process.exitcode}"
    return killed and process.exitcode == -signal.SIGKILL


def _unsettled(ledger: Path) -> list[str]:
    """Claims a finished run must not leave behind: records still POSTING."""
    with SqliteLedger(ledger) as opened:
        return [
            f"{r.kind} {r.source_id} {r.state.value}"
            for r in opened.records(state=RecordState.POSTING)
        ]


def test_killed_runs_then_one_completion_make_exactly_the_clean_documents(tmp_path):
    rng = random.Random(int(os.environ.get("CRASH_SEED", "20261201")))
    clean, crashed = SandboxProcess(), SandboxProcess()
    started = time.perf_counter()
    kills = 0
    compared = 0
    crashed_db = tmp_path / "crashed.db"
    figures: list[str] = []
    try:
        for name in WORKFLOWS:
            before = _ledger_writes(tmp_path / "clean.db")
            took = _run_clean(name, clean.urls, tmp_path / "clean.db")
            writes = _ledger_writes(tmp_path / "clean.db") - before
            # The step boundary the issue found: right after the cursor moved, before the
            # steps that follow (shipments) recorded anything.
            boundary = _cursor_write(tmp_path / "clean.db", before)
            expected = clean.snapshot()
            killed = attempts = 0
            while killed < KILLS_PER_WORKFLOW and attempts < 6 * KILLS_PER_WORKFLOW:
                # Anywhere in the run: from right after start to the end of a clean run's time
                # (a run that finishes first counts as a run, not as a kill).
                attempts += 1
                if attempts == 1 and boundary is not None:
                    killed += _run_killed_at_write(name, crashed.urls, crashed_db, boundary)
                elif attempts % 3 and writes > 1:  # at a random ledger write of a clean run's
                    at = rng.randint(1, writes - 1)
                    killed += _run_killed_at_write(name, crashed.urls, crashed_db, at)
                else:  # at a random time within a clean run's duration
                    delay = rng.uniform(0.02, max(took, 0.1))
                    killed += _run_killed(name, crashed.urls, crashed_db, delay)
            kills += killed
            _run_clean(name, crashed.urls, tmp_path / "crashed.db")
            actual = crashed.snapshot()
            for view, documents in expected.items():
                assert actual[view] == documents, f"after {name}: {view} differ"
                compared += len(documents)
            for view in (
                "m3 orders",
                "sap sales orders",
                "sap journal entries",
                "m3 returns",
                "sap returns",
            ):
                doubled = [key for key, n in actual[view].items() if n > 1]
                assert not doubled, f"after {name}: duplicate {view}: {doubled}"
            assert _unsettled(tmp_path / "crashed.db") == [], name
            figures.append(f"{name}: clean run {took:.2f} s, {killed} kills")
    finally:
        clean.stop()
        crashed.stop()
    wall = time.perf_counter() - started
    print(
        f"\ncrash test: {kills} kills over {len(WORKFLOWS)} workflows, {compared} documents "
        f"compared, {wall:.1f} s; " + "; ".join(figures)
    )
    assert kills >= 20, f"only {kills} runs were killed before they finished"


# -- cursors under concurrency ----------------------------------------------------------------

CURSOR = "amazon.orders.concurrency"
WRITES = 60


def _hammer(path: str, seed: int, barrier: Any) -> None:
    """4 threads advancing one cursor to random times; each checks it never reads one older
    than the newest it wrote and saw stored."""
    base = datetime(2026, 3, 1, tzinfo=UTC)
    barrier.wait(timeout=30)
    ledger = SqliteLedger(path)
    failures: list[str] = []

    def thread(n: int) -> None:
        rng = random.Random(seed * 10 + n)
        highest = ""
        for _ in range(WRITES):
            moment = base + timedelta(seconds=rng.randint(0, 10_000))
            position = time_position(moment)
            if ledger.advance_cursor(CURSOR, moment.isoformat(), position=position):
                highest = max(highest, position)
            stored = ledger.get_cursor(CURSOR)
            assert stored is not None
            seen = time_position(datetime.fromisoformat(stored))
            if seen < highest:
                failures.append(f"read {seen} after writing {highest}")
            highest = max(highest, seen)

    threads = [threading.Thread(target=thread, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ledger.close()
    if failures:
        raise SystemExit(f"cursor moved backwards: {failures[:3]}")


def test_four_processes_of_four_threads_never_move_a_cursor_backwards(tmp_path):
    path = str(tmp_path / "ledger.db")
    SqliteLedger(path).close()
    ctx = _context()
    barrier = ctx.Barrier(4)
    workers = [ctx.Process(target=_hammer, args=(path, n, barrier)) for n in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
        assert w.exitcode == 0
    with SqliteLedger(path) as ledger:
        trail = [e for e in ledger.audit("cursor", CURSOR) if e.action == "cursor"]
        positions = [time_position(datetime.fromisoformat(str(e.detail["to"]))) for e in trail]
        stored = ledger.get_cursor(CURSOR)
    assert positions == sorted(positions), "the audit trail shows a backward move"
    assert stored is not None
    assert time_position(datetime.fromisoformat(stored)) == max(positions)
    assert len(trail) >= 4  # moves happened, 4 x 4 x 60 attempts in all
