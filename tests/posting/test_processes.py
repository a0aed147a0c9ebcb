"""Several processes on one ledger, and a process killed between the ERP create and the ledger.

The fake ERP lives in its own SQLite file, so what a killed process created survives it.
"""

import multiprocessing
import signal
import sys

import pytest

from amazon_erp_bridge.posting import Poster, PostStatus, RecordState, SqliteLedger
from tests.posting.posting_fakes import FakeClock, FileErp, order_payload

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs fork and SIGKILL")

ORDER = "206-1234567-8901234"
N_ORDERS = 40


def context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _post_all(ledger_path, erp_path, barrier, results):
    barrier.wait(timeout=10)
    clock = FakeClock()
    with SqliteLedger(ledger_path) as ledger:
        poster = Poster(ledger, FileErp(erp_path, lookup=False), sleep=clock.sleep, clock=clock)
        summary = poster.post_many(
            "order", [(f"O{i:03d}", order_payload(f"O{i:03d}")) for i in range(N_ORDERS)]
        )
    results.put([r.status.value for r in summary.results])


def test_two_processes_claiming_the_same_records_never_both_post_one(tmp_path):
    ledger_path, erp_path = tmp_path / "ledger.db", tmp_path / "erp.db"
    SqliteLedger(ledger_path).close()
    erp = FileErp(erp_path, lookup=False)  # blind ERP: only the ledger's claims prevent doubles
    ctx = context()
    barrier, results = ctx.Barrier(2), ctx.Queue()
    workers = [
        ctx.Process(target=_post_all, args=(ledger_path, erp_path, barrier, results))
        for _ in range(2)
    ]
    for w in workers:
        w.start()
    statuses = [results.get(timeout=20) for _ in workers]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    references = [ref for ref, _, _ in erp.documents()]
    assert sorted(references) == [f"O{i:03d}" for i in range(N_ORDERS)]  # each exactly once
    created = sum(s.count("created") for s in statuses)
    assert created == N_ORDERS
    assert all(set(s) <= {"created", "duplicate", "busy"} for s in statuses)
    with SqliteLedger(ledger_path) as ledger:
        assert ledger.counts()[RecordState.POSTED] == N_ORDERS


def _post_and_die(ledger_path, erp_path, temporary):
    ledger = SqliteLedger(ledger_path)
    erp = FileErp(erp_path, crash_after_create=True, temporary=temporary)
    Poster(ledger, erp).post("order", ORDER, order_payload(ORDER))


def _run_killed(ledger_path, erp_path, *, temporary=False):
    proc = context().Process(target=_post_and_die, args=(ledger_path, erp_path, temporary))
    proc.start()
    proc.join(timeout=60)
    assert proc.exitcode == -signal.SIGKILL


def test_crash_between_erp_create_and_ledger_write_does_not_duplicate(tmp_path):
    ledger_path, erp_path = tmp_path / "ledger.db", tmp_path / "erp.db"
    _run_killed(ledger_path, erp_path)
    erp = FileErp(erp_path)
    assert [ref for ref, _, _ in erp.documents()] == [ORDER]
    with SqliteLedger(ledger_path) as ledger:
        stranded = ledger.get("order", ORDER)
        assert stranded.state is RecordState.POSTING and stranded.attempts == 1

        clock = FakeClock()
        result = Poster(ledger, erp, sleep=clock.sleep, clock=clock).post(
            "order", ORDER, order_payload(ORDER)
        )

        assert result.status is PostStatus.FOUND_EXISTING
        assert [ref for ref, _, _ in erp.documents()] == [ORDER]
        record = ledger.get("order", ORDER)
        assert (record.state, record.outcome) == (RecordState.POSTED, "found existing")
        assert record.document_id == result.document.document_id
        claims = [e for e in ledger.audit("order", ORDER) if e.action == "claim"]
        assert claims[-1].outcome == "took over"
        assert claims[-1].detail["took_over_from"] == stranded.owner


def test_crash_after_a_temporary_order_resumes_it_instead_of_creating_another(tmp_path):
    ledger_path, erp_path = tmp_path / "ledger.db", tmp_path / "erp.db"
    _run_killed(ledger_path, erp_path, temporary=True)
    erp = FileErp(erp_path)
    assert [(ref, done) for ref, done, _ in erp.documents()] == [(ORDER, False)]
    with SqliteLedger(ledger_path) as ledger:
        clock = FakeClock()
        result = Poster(ledger, erp, sleep=clock.sleep, clock=clock).post(
            "order", ORDER, order_payload(ORDER)
        )
        assert result.status is PostStatus.RESUMED
        assert [(ref, done) for ref, done, _ in erp.documents()] == [(ORDER, True)]
        assert ledger.get("order", ORDER).outcome == "resumed"


def test_threads_sharing_one_poster_never_post_a_record_twice(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from tests.posting.posting_fakes import MemoryErp

    erp = MemoryErp(lookup=False)
    with SqliteLedger(tmp_path / "ledger.db") as ledger:
        clock = FakeClock()
        poster = Poster(ledger, erp, sleep=clock.sleep, clock=clock)
        items = [(f"T{i}", order_payload(f"T{i}")) for i in range(20)]
        with ThreadPoolExecutor(4) as pool:
            summaries = list(pool.map(lambda _: poster.post_many("order", items), range(4)))
        assert sorted(erp.created) == sorted(s for s, _ in items)
        assert sum(len(s.by_status(PostStatus.CREATED)) for s in summaries) == 20
        assert ledger.counts()[RecordState.POSTED] == 20


def _receive_in_child(ledger):
    ledger.receive("feed", "F-CHILD")


def test_a_ledger_inherited_through_fork_reopens_its_connection(tmp_path):
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("needs fork")
    with SqliteLedger(tmp_path / "ledger.db") as ledger:
        ledger.receive("feed", "F-PARENT")
        child = multiprocessing.get_context("fork").Process(
            target=_receive_in_child, args=(ledger,)
        )
        child.start()
        child.join(timeout=30)
        assert child.exitcode == 0
        assert {r.source_id for r in ledger.records(kind="feed")} == {"F-PARENT", "F-CHILD"}
