import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from amazon_erp_bridge.errors import ConfigurationError, PostingError
from amazon_erp_bridge.posting import (
    SCHEMA_VERSION,
    ClaimLostError,
    ErpDocument,
    LedgerStateError,
    RecordState,
    SqliteLedger,
)
from amazon_erp_bridge.posting.claims import new_owner
from amazon_erp_bridge.posting.postgres import PostgresLedger
from tests.services import drop_postgres_schema, require_postgres

ORDER = "206-1234567-8901234"


class WallClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 17, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["sqlite", "postgres"])
def make(request, tmp_path):
    """A factory of empty ledgers on each engine (one contract, both engines)."""
    opened = []

    def factory(now=None):
        kwargs = {} if now is None else {"now": now}
        if request.param == "sqlite":
            led = SqliteLedger(tmp_path / f"ledger{len(opened)}.db", **kwargs)
        else:
            dsn = require_postgres()
            schema = f"aeb_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            led = PostgresLedger(dsn, schema=schema, **kwargs)
        opened.append(led)
        return led

    yield factory
    for led in opened:
        led.close()
        if isinstance(led, PostgresLedger):
            drop_postgres_schema(led._dsn, led.schema)


@pytest.fixture
def ledger(make):
    return make()


def test_received_then_mapped_then_posted_records_the_document(ledger):
    ledger.receive("order", ORDER, describe="2 lines, 54.00 USD")
    ledger.mark_mapped("order", ORDER, payload_digest="abc")
    owner = new_owner()
    claim = ledger.claim("order", ORDER, owner=owner, lease=60)
    assert claim.granted and claim.record.state is RecordState.POSTING
    assert ledger.begin_attempt("order", ORDER, owner=owner, lease=60) == 1
    record = ledger.mark_posted(
        "order", ORDER, ErpDocument("m3", "CO000001"), owner=owner, outcome="created"
    )
    assert record.state is RecordState.POSTED
    assert record.document == ErpDocument("m3", "CO000001")
    assert (record.outcome, record.attempts, record.owner) == ("created", 1, None)
    assert record.description == "2 lines, 54.00 USD"
    assert record.payload_digest == "abc"
    actions = [e.action for e in ledger.audit("order", ORDER)]
    assert actions == ["received", "mapped", "claim", "attempt", "posted"]


def test_receive_twice_keeps_the_first_record(ledger):
    first = ledger.receive("order", ORDER)
    again = ledger.receive("order", ORDER)
    assert again == first
    assert len(ledger.audit("order", ORDER)) == 1


def test_posted_is_terminal(ledger):
    owner = new_owner()
    ledger.claim("order", ORDER, owner=owner, lease=60)
    ledger.mark_posted("order", ORDER, ErpDocument("m3", "1"), owner=owner, outcome="created")
    with pytest.raises(LedgerStateError, match=r"order 206-1234567-8901234: cannot go from posted"):
        ledger.mark_failed("order", ORDER, "late error")
    with pytest.raises(LedgerStateError, match="from posted to dead_lettered"):
        ledger.mark_dead_lettered("order", ORDER, "late error")
    with pytest.raises(LedgerStateError, match="to mapped"):
        ledger.mark_mapped("order", ORDER, payload_digest="x")
    claim = ledger.claim("order", ORDER, owner=new_owner(), lease=60)
    assert not claim.granted and claim.record.state is RecordState.POSTED


def test_posted_requires_a_claim(ledger):
    ledger.receive("order", ORDER)
    with pytest.raises(ClaimLostError, match="is received, not posting under x; claim it first"):
        ledger.mark_posted("order", ORDER, ErpDocument("m3", "1"), owner="x", outcome="created")


def test_only_the_claim_owner_finishes_a_posting_record(ledger):
    ledger.claim("order", ORDER, owner=new_owner(), lease=60)
    with pytest.raises(ClaimLostError, match="only that poster may finish it"):
        ledger.mark_dead_lettered("order", ORDER, "operator gave up")


def test_a_poster_whose_record_was_finished_by_another_cannot_post_it_again(make):
    clock = WallClock()
    with make(clock) as ledger:
        slow, fast = new_owner(), new_owner()
        ledger.claim("order", ORDER, owner=slow, lease=1)
        clock.now += timedelta(seconds=5)
        ledger.claim("order", ORDER, owner=fast, lease=60)
        ledger.mark_posted("order", ORDER, ErpDocument("m3", "1"), owner=fast, outcome="created")
        with pytest.raises(ClaimLostError, match="is posted, not posting"):
            ledger.mark_posted("order", ORDER, ErpDocument("m3", "2"), owner=slow, outcome="x")
        assert ledger.get("order", ORDER).document_id == "1"


def test_dead_lettered_record_is_claimed_only_by_a_replay_which_restarts_attempts(ledger):
    owner = new_owner()
    ledger.claim("order", ORDER, owner=owner, lease=60)
    ledger.begin_attempt("order", ORDER, owner=owner, lease=60)
    ledger.begin_attempt("order", ORDER, owner=owner, lease=60)
    dead = ledger.mark_dead_lettered("order", ORDER, "M3 said: customer missing", owner=owner)
    assert dead.state is RecordState.DEAD_LETTERED and dead.attempts == 2
    assert not ledger.claim("order", ORDER, owner=new_owner(), lease=60).granted
    claim = ledger.claim("order", ORDER, owner=new_owner(), lease=60, replay=True)
    assert claim.granted and claim.record.attempts == 0
    replay_event = ledger.audit("order", ORDER)[-1]
    assert replay_event.detail["replay"] is True
    assert replay_event.detail["previous_attempts"] == 2


def test_a_live_claim_is_not_granted_twice(ledger):
    first = ledger.claim("order", ORDER, owner=new_owner(), lease=60)
    second = ledger.claim("order", ORDER, owner=new_owner(), lease=60)
    assert first.granted and not second.granted
    assert second.record.owner == first.record.owner


def test_claim_of_a_dead_process_is_taken_over(ledger):
    dead_pid = _dead_pid()
    host = new_owner().split(":")[0]
    ghost = f"{host}:{dead_pid}:feedbeef"
    ledger.claim("order", ORDER, owner=ghost, lease=600)
    claim = ledger.claim("order", ORDER, owner=new_owner(), lease=60)
    assert claim.granted and claim.took_over_from == ghost
    assert ledger.audit("order", ORDER)[-1].outcome == "took over"


def test_claim_whose_lease_ran_out_is_taken_over(make):
    clock = WallClock()
    with make(clock) as ledger:
        holder = new_owner()
        ledger.claim("order", ORDER, owner=holder, lease=60)
        clock.now += timedelta(seconds=59)
        assert not ledger.claim("order", ORDER, owner=new_owner(), lease=60).granted
        clock.now += timedelta(seconds=2)
        assert ledger.claim("order", ORDER, owner=new_owner(), lease=60).took_over_from == holder


def test_begin_attempt_renews_the_lease(make):
    clock = WallClock()
    with make(clock) as ledger:
        holder = new_owner()
        ledger.claim("order", ORDER, owner=holder, lease=60)
        clock.now += timedelta(seconds=50)
        ledger.begin_attempt("order", ORDER, owner=holder, lease=60)
        clock.now += timedelta(seconds=50)
        assert not ledger.claim("order", ORDER, owner=new_owner(), lease=60).granted


def test_a_poster_that_lost_its_claim_cannot_finish(make):
    clock = WallClock()
    with make(clock) as ledger:
        slow = new_owner()
        ledger.claim("order", ORDER, owner=slow, lease=1)
        clock.now += timedelta(seconds=5)
        assert ledger.claim("order", ORDER, owner=new_owner(), lease=60).granted
        with pytest.raises(ClaimLostError, match="another poster took it over"):
            ledger.mark_posted("order", ORDER, ErpDocument("m3", "1"), owner=slow, outcome="x")
        with pytest.raises(ClaimLostError):
            ledger.begin_attempt("order", ORDER, owner=slow, lease=60)
        with pytest.raises(ClaimLostError):
            ledger.mark_failed("order", ORDER, "boom", owner=slow)


def test_begin_attempt_needs_a_claim(ledger):
    ledger.receive("order", ORDER)
    with pytest.raises(ClaimLostError, match="is received, not posting under .*; claim it first"):
        ledger.begin_attempt("order", ORDER, owner=new_owner(), lease=60)


def test_failed_record_can_be_claimed_again_and_keeps_counting(ledger):
    owner = new_owner()
    ledger.claim("order", ORDER, owner=owner, lease=60)
    ledger.begin_attempt("order", ORDER, owner=owner, lease=60)
    ledger.mark_failed("order", ORDER, "M3 HTTP 503", owner=owner)
    owner2 = new_owner()
    assert ledger.claim("order", ORDER, owner=owner2, lease=60).granted
    assert ledger.begin_attempt("order", ORDER, owner=owner2, lease=60) == 2


def test_counts_dead_letters_and_records_filter(ledger):
    ledger.receive("order", "A")
    ledger.receive("order", "B")
    ledger.receive("settlement", "S1")
    ledger.mark_dead_lettered("order", "B", "no customer for marketplace ATVPDKIKX0DER")
    ledger.mark_failed("settlement", "S1", "GL down")
    counts = ledger.counts()
    assert counts[RecordState.RECEIVED] == 1
    assert counts[RecordState.DEAD_LETTERED] == 1
    assert counts[RecordState.POSTED] == 0
    assert sum(ledger.counts("order").values()) == 2
    [dead] = ledger.dead_letters()
    assert (dead.source_id, dead.reason) == ("B", "no customer for marketplace ATVPDKIKX0DER")
    assert [r.source_id for r in ledger.records(kind="order")] == ["A", "B"]
    assert [r.source_id for r in ledger.records(source_ids=["S1", "A"])] == ["A", "S1"]
    assert ledger.records(source_ids=[]) == []
    assert ledger.get("order", "missing") is None


def test_cursors_round_trip_and_are_audited(ledger):
    name = "amazon.orders.lastUpdatedAfter"
    assert ledger.get_cursor(name) is None
    ledger.set_cursor(name, "2026-03-17T00:00:00Z")
    ledger.set_cursor(name, "2026-03-18T00:00:00Z")
    assert ledger.get_cursor(name) == "2026-03-18T00:00:00Z"
    trail = ledger.audit("cursor", name)
    assert trail[-1].detail == {"from": "2026-03-17T00:00:00Z", "to": "2026-03-18T00:00:00Z"}


def test_audit_trail_is_append_only(ledger):
    if not isinstance(ledger, SqliteLedger):
        pytest.skip("the SQLite engine's own check (PostgreSQL: see below)")
    ledger.receive("order", ORDER)
    with sqlite3.connect(ledger.path) as raw:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute("UPDATE audit SET outcome = 'forged'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute("DELETE FROM audit")


def test_file_ledger_uses_wal_and_records_its_schema_version(tmp_path):
    path = tmp_path / "l.db"
    with SqliteLedger(path) as ledger:
        assert ledger.schema_version == SCHEMA_VERSION
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    with SqliteLedger(path) as again:  # reopening does not migrate twice
        assert again.schema_version == SCHEMA_VERSION


def test_ledger_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "l.db"
    SqliteLedger(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(ConfigurationError, match="schema version 99 .* newer"):
        SqliteLedger(path)


def test_memory_ledger_works_and_closed_ledger_refuses_use():
    ledger = SqliteLedger()
    ledger.receive("feed", "F1")
    assert ledger.get("feed", "F1").state is RecordState.RECEIVED
    ledger.close()
    with pytest.raises(PostingError, match="used after close"):
        ledger.get("feed", "F1")


def test_unopenable_path_raises_posting_error(tmp_path):
    with pytest.raises(PostingError, match="cannot open"):
        SqliteLedger(tmp_path / "missing-dir" / "l.db")


def test_reasons_and_descriptions_are_redacted(ledger):
    from amazon_erp_bridge.core.redaction import Secret

    token = Secret("Atza|ledger-test-token-0001")
    ledger.receive("order", ORDER, describe=f"fetched with {token.reveal()}")
    record = ledger.mark_failed("order", ORDER, f"401 for token {token.reveal()}")
    assert "ledger-test-token" not in (record.reason or "")
    assert "ledger-test-token" not in (record.description or "")
    assert "ledger-test-token" not in str(ledger.audit("order", ORDER))


def _dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_postgres_audit_trail_is_append_only_and_schema_versioned(make):
    ledger = make()
    if not isinstance(ledger, PostgresLedger):
        pytest.skip("the PostgreSQL engine's own checks")
    import psycopg

    from amazon_erp_bridge.posting import postgres

    ledger.receive("order", ORDER)
    assert ledger.schema_version == postgres.SCHEMA_VERSION
    with psycopg.connect(ledger._dsn, autocommit=True) as raw:
        raw.execute(f'SET search_path TO "{ledger.schema}"')
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            raw.execute("UPDATE audit SET outcome = 'forged'")
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            raw.execute("DELETE FROM audit")
        raw.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(ConfigurationError, match="schema version 99 .* newer"):
        PostgresLedger(ledger._dsn, schema=ledger.schema)


def test_cursor_advances_only_forward_and_a_reset_clears_the_position(ledger):
    assert ledger.advance_cursor("c", "v18", position="2026-03-18T00:00:00.000000Z")
    assert not ledger.advance_cursor("c", "v17", position="2026-03-17T00:00:00.000000Z")
    assert ledger.get_cursor("c") == "v18"
    ledger.set_cursor("c", "v10")
    assert ledger.advance_cursor("c", "v11", position="2026-03-11T00:00:00.000000Z")
    assert ledger.get_cursor("c") == "v11"


def test_postgres_ledger_refuses_a_bad_schema_name_and_an_unreachable_server():
    with pytest.raises(ConfigurationError, match="letters, digits and underscores"):
        PostgresLedger("postgresql://x@127.0.0.1:1/db", schema="x; DROP")
    with pytest.raises(PostingError, match="cannot connect") as caught:
        PostgresLedger("postgresql://nobody:s3cret-pw@127.0.0.1:1/db?connect_timeout=1")
    assert "s3cret-pw" not in str(caught.value)


def test_a_killed_but_unreaped_process_holds_no_claim(ledger):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        host = new_owner().split(":")[0]
        ghost = f"{host}:{child.pid}:feedbeef"
        ledger.claim("order", ORDER, owner=ghost, lease=600)
        assert not ledger.claim("order", ORDER, owner=new_owner(), lease=60).granted
        os.kill(child.pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # a zombie until we wait() for it
            with open(f"/proc/{child.pid}/stat", "rb") as stat:
                if stat.read().rsplit(b")", 1)[-1].split()[0] == b"Z":
                    break
        claim = ledger.claim("order", ORDER, owner=new_owner(), lease=60)
        assert claim.granted and claim.took_over_from == ghost
    finally:
        child.kill()
        child.wait()
