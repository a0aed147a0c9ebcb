import random

import pytest

from amazon_erp_bridge.core.retry import RetryPolicy
from amazon_erp_bridge.errors import (
    ApiError,
    AuthError,
    ConfigurationError,
    MappingError,
    RateLimitedError,
    TransportError,
    ValidationError,
)
from amazon_erp_bridge.posting import (
    AsyncPoster,
    BreakerState,
    CircuitBreaker,
    ErpDocument,
    Failure,
    Poster,
    PostStatus,
    RecordState,
    SqliteLedger,
    classify_failure,
)
from tests.posting.posting_fakes import (
    FakeClock,
    MemoryErp,
    ResumableMemoryErp,
    order_payload,
    rebuild_orders,
)

ORDER = "206-1234567-8901234"


def down(status: int = 503) -> ApiError:
    return ApiError("service unavailable", status=status, service="m3")


@pytest.fixture
def ledger():
    with SqliteLedger() as led:
        yield led


@pytest.fixture
def clock():
    return FakeClock()


def make_poster(ledger, erp, clock, **kwargs):
    kwargs.setdefault("retry", RetryPolicy(max_attempts=3, base=1.0, rng=random.Random(7)))
    kwargs.setdefault("breaker", CircuitBreaker(5, 30.0, clock=clock))
    return Poster(ledger, erp, sleep=clock.sleep, clock=clock, **kwargs)


def test_new_record_is_created_after_the_erp_says_it_has_none(ledger, clock):
    erp = MemoryErp()
    result = make_poster(ledger, erp, clock).post("order", ORDER, order_payload(ORDER))
    assert result.status is PostStatus.CREATED and result.ok
    assert result.document == erp.docs[ORDER]
    assert erp.calls == ["find", "create"]
    record = ledger.get("order", ORDER)
    assert (record.state, record.outcome, record.attempts) == (RecordState.POSTED, "created", 1)
    trail = [(e.action, e.outcome) for e in ledger.audit("order", ORDER)]
    assert trail == [
        ("claim", "claimed"),
        ("attempt", ""),
        ("find", "not found"),
        ("create", "created"),
        ("posted", "created"),
    ]
    create = ledger.audit("order", ORDER)[3]
    assert create.request_digest == record.payload_digest
    assert create.response_digest and create.detail["document_id"] == "CO000001"


def test_posted_record_is_skipped_as_duplicate_without_calling_the_erp(ledger, clock):
    erp = MemoryErp()
    poster = make_poster(ledger, erp, clock)
    first = poster.post("order", ORDER, order_payload(ORDER))
    erp.calls.clear()
    again = poster.post("order", ORDER, order_payload(ORDER))
    assert again.status is PostStatus.DUPLICATE and again.ok
    assert again.document == first.document
    assert erp.calls == []
    assert erp.created == [ORDER]


def test_document_already_in_the_erp_is_recorded_as_found_existing(ledger, clock):
    erp = MemoryErp()
    existing = erp.put(ORDER)
    result = make_poster(ledger, erp, clock).post("order", ORDER, order_payload(ORDER))
    assert result.status is PostStatus.FOUND_EXISTING
    assert result.document == existing
    assert erp.created == []
    record = ledger.get("order", ORDER)
    assert (record.state, record.outcome) == (RecordState.POSTED, "found existing")


def test_incomplete_document_is_resumed_not_created_again(ledger, clock):
    erp = ResumableMemoryErp()
    erp.put(ORDER, complete=False)
    result = make_poster(ledger, erp, clock).post("order", ORDER, order_payload(ORDER))
    assert result.status is PostStatus.RESUMED
    assert result.document.complete
    assert erp.created == [] and erp.resumed == [ORDER]
    assert ledger.get("order", ORDER).outcome == "resumed"
    assert [e.outcome for e in ledger.audit("order", ORDER)][2:4] == ["found incomplete", "resumed"]


def test_incomplete_document_without_resume_is_dead_lettered_with_advice(ledger, clock):
    erp = MemoryErp()
    erp.put(ORDER, complete=False)
    result = make_poster(ledger, erp, clock).post("order", ORDER, order_payload(ORDER))
    assert result.status is PostStatus.DEAD_LETTERED
    assert "incomplete document CO000001" in result.reason
    assert "finish or delete it in the ERP, then replay" in result.reason
    assert erp.created == []


def test_transient_failures_are_retried_with_backoff_and_counted(ledger, clock):
    erp = MemoryErp()
    erp.failures["create"] = [down(503), TransportError("read timed out", timeout=True)]
    result = make_poster(ledger, erp, clock).post("order", ORDER, order_payload(ORDER))
    assert result.status is PostStatus.CREATED
    assert result.attempts == 3
    assert len(clock.sleeps) == 2
    assert 0 <= clock.sleeps[0] <= 1.0 and 0 <= clock.sleeps[1] <= 2.0
    # every try asks the ERP first
    assert erp.calls == ["find", "create", "find", "create", "find", "create"]
    assert erp.created == [ORDER]
    outcomes = [(e.action, e.outcome) for e in ledger.audit("order", ORDER)]
    assert outcomes.count(("create", "error")) == 2
    assert sum(1 for a, _ in outcomes if a == "retry") == 2


def test_retries_are_bounded_and_the_record_left_failed(ledger, clock):
    erp = MemoryErp()
    erp.failures["find"] = [down(502)] * 10
    result = make_poster(ledger, erp, clock).post("order", ORDER, order_payload(ORDER))
    assert result.status is PostStatus.FAILED
    assert result.attempts == 3
    assert len(clock.sleeps) == 2
    assert "find in m3 failed: ApiError: m3 HTTP 502" in result.reason
    assert ledger.get("order", ORDER).state is RecordState.FAILED
    assert "create" not in erp.calls


def test_retry_after_a_create_that_timed_out_finds_the_document_instead_of_duplicating(
    ledger, clock
):
    erp = MemoryErp()
    erp.create_then_fail = [TransportError("read timed out", timeout=True)]
    result = make_poster(ledger, erp, clock).post("order", ORDER, order_payload(ORDER))
    assert result.status is PostStatus.FOUND_EXISTING
    assert erp.created == [ORDER]
    assert erp.calls == ["find", "create", "find"]


def test_retry_after_honours_the_servers_wait(ledger, clock):
    erp = MemoryErp()
    erp.failures["create"] = [RateLimitedError("slow down", status=429, retry_after=7.0)]
    make_poster(ledger, erp, clock).post("order", ORDER, order_payload(ORDER))
    assert clock.sleeps == [7.0]


def test_retries_stop_at_the_elapsed_budget(ledger, clock):
    erp = MemoryErp()
    erp.failures["create"] = [RateLimitedError("slow down", status=429, retry_after=500.0)]
    retry = RetryPolicy(max_attempts=5, max_elapsed=60.0)
    result = make_poster(ledger, erp, clock, retry=retry).post("order", ORDER, order_payload(ORDER))
    assert result.status is PostStatus.FAILED
    assert clock.sleeps == []


def test_failed_record_is_retried_by_the_next_run(ledger, clock):
    erp = MemoryErp()
    erp.failures["create"] = [down()] * 3
    poster = make_poster(ledger, erp, clock)
    assert poster.post("order", ORDER, order_payload(ORDER)).status is PostStatus.FAILED
    result = poster.post("order", ORDER, order_payload(ORDER))
    assert result.status is PostStatus.CREATED
    assert result.attempts == 4


def test_attempts_across_runs_are_bounded_then_dead_lettered(ledger, clock):
    erp = MemoryErp()
    erp.failures["create"] = [down()] * 20
    poster = make_poster(ledger, erp, clock, max_attempts=4, breaker=CircuitBreaker(99))
    assert poster.post("order", ORDER, order_payload(ORDER)).status is PostStatus.FAILED
    result = poster.post("order", ORDER, order_payload(ORDER))
    assert result.status is PostStatus.DEAD_LETTERED
    assert result.attempts == 4
    assert "gave up after 4 attempts across runs (max_attempts=4)" in result.reason
    assert "HTTP 503" in result.reason


@pytest.mark.parametrize(
    "error",
    [
        ApiError("customer AMAZON01 does not exist", status=400, service="m3"),
        ApiError("CUNO does not exist", status=200, code="MI", service="m3"),
        ValidationError("order 206-1: line 2: quantity must be positive"),
        MappingError("no M3 customer for marketplace A1PA6795UKMFR9"),
    ],
)
def test_permanent_failures_are_dead_lettered_at_once_with_the_reason(ledger, clock, error):
    erp = MemoryErp()
    erp.failures["create"] = [error]
    result = make_poster(ledger, erp, clock).post("order", ORDER, order_payload(ORDER))
    assert result.status is PostStatus.DEAD_LETTERED
    assert result.reason.startswith("create in m3 failed: ")
    assert error.message in result.reason
    assert clock.sleeps == []
    [dead] = ledger.dead_letters()
    assert dead.source_id == ORDER and dead.reason == result.reason


def test_dead_lettered_record_is_left_alone_by_a_plain_post(ledger, clock):
    erp = MemoryErp()
    erp.failures["create"] = [ApiError("bad item", status=422)]
    poster = make_poster(ledger, erp, clock)
    poster.post("order", ORDER, order_payload(ORDER))
    erp.calls.clear()
    result = poster.post("order", ORDER, order_payload(ORDER))
    assert result.status is PostStatus.DEAD_LETTERED
    assert result.reason.startswith("dead-lettered earlier: create in m3 failed")
    assert "replay" in result.reason
    assert erp.calls == []


def test_replay_posts_dead_letters_again_after_the_fix(ledger, clock):
    erp = MemoryErp()
    erp.failures["create"] = [ApiError("customer AMAZON01 does not exist", status=400)]
    poster = make_poster(ledger, erp, clock, rebuild=rebuild_orders)
    poster.post("order", ORDER, order_payload(ORDER))
    poster.post("order", "OTHER", order_payload("OTHER"))
    assert [r.source_id for r in ledger.dead_letters()] == [ORDER]
    summary = poster.replay()
    assert [r.status for r in summary.results] == [PostStatus.CREATED]
    record = ledger.get("order", ORDER)
    assert record.state is RecordState.POSTED and record.attempts == 1
    assert ledger.dead_letters() == []
    assert erp.created == ["OTHER", ORDER]


def test_replay_still_asks_the_erp_first(ledger, clock):
    erp = MemoryErp()
    erp.failures["create"] = [ApiError("bad", status=400)]
    poster = make_poster(ledger, erp, clock)
    poster.post("order", ORDER, order_payload(ORDER))
    erp.put(ORDER)  # someone fixed it by hand in the ERP
    summary = poster.replay("order", [ORDER], rebuild=rebuild_orders)
    assert summary.results[0].status is PostStatus.FOUND_EXISTING


def test_replay_of_named_ids_reports_posted_ones_and_retries_failed_ones(ledger, clock):
    erp = MemoryErp()
    poster = make_poster(ledger, erp, clock, rebuild=rebuild_orders)
    poster.post("order", "DONE", order_payload("DONE"))
    erp.failures["create"] = [down()] * 3
    poster.post("order", "LATER", order_payload("LATER"))
    summary = poster.replay("order", ["DONE", "LATER"])
    statuses = {r.source_id: r.status for r in summary.results}
    assert statuses == {"DONE": PostStatus.DUPLICATE, "LATER": PostStatus.CREATED}


def test_replay_of_unknown_ids_is_refused_before_sending(ledger, clock):
    erp = MemoryErp()
    poster = make_poster(ledger, erp, clock, rebuild=rebuild_orders)
    with pytest.raises(ValidationError, match="replay: no ledger record for order NOPE"):
        poster.replay("order", ["NOPE"])
    assert erp.calls == []


def test_replay_without_rebuild_explains_why_it_is_needed(ledger, clock):
    poster = make_poster(ledger, MemoryErp(), clock)
    with pytest.raises(ConfigurationError, match="rebuild.*keeps no payloads.*PII"):
        poster.replay()


def test_replay_whose_rebuild_still_fails_mapping_stays_dead_lettered(ledger, clock):
    erp = MemoryErp()
    erp.failures["create"] = [MappingError("no GL account for ItemFees")]
    poster = make_poster(ledger, erp, clock)
    poster.post("settlement", "S1", order_payload("S1"))

    def rebuild(kind, source_id):
        raise MappingError("still no GL account for ItemFees")

    summary = poster.replay(rebuild=rebuild)
    [result] = summary.dead_lettered
    assert "replay could not rebuild the payload: MappingError: still no GL" in result.reason
    assert ledger.get("settlement", "S1").reason == result.reason


def test_replay_whose_rebuild_hits_an_outage_leaves_the_record_as_it_was(ledger, clock):
    erp = MemoryErp()
    erp.failures["create"] = [ApiError("bad", status=400)]
    poster = make_poster(ledger, erp, clock)
    poster.post("order", ORDER, order_payload(ORDER))
    before = ledger.get("order", ORDER)

    def rebuild(kind, source_id):
        raise TransportError("connection refused", sent=False)

    [result] = poster.replay(rebuild=rebuild).results
    assert result.status is PostStatus.FAILED
    assert ledger.get("order", ORDER) == before


def test_breaker_opens_and_defers_without_calling_the_erp(ledger, clock):
    erp = MemoryErp()
    erp.failures["find"] = [down()] * 100
    breaker = CircuitBreaker(3, 30.0, clock=clock)
    poster = make_poster(ledger, erp, clock, breaker=breaker, retry=RetryPolicy(max_attempts=1))
    summary = poster.post_many("order", [(f"O{i}", order_payload(f"O{i}")) for i in range(5)])
    assert [r.status for r in summary.results] == [PostStatus.FAILED] * 3 + [
        PostStatus.DEFERRED
    ] * 2
    assert breaker.state is BreakerState.OPEN
    assert erp.calls == ["find"] * 3
    deferred = ledger.get("order", "O4")
    assert deferred.state is RecordState.FAILED and deferred.attempts == 0
    assert "deferred: the circuit for m3 is open after 3 consecutive failures" in deferred.reason
    assert ledger.dead_letters() == []


def test_breaker_stops_the_retries_of_a_record_midway(ledger, clock):
    erp = MemoryErp()
    erp.failures["create"] = [down()] * 10
    breaker = CircuitBreaker(2, 30.0, clock=clock)
    result = make_poster(ledger, erp, clock, breaker=breaker).post(
        "order", ORDER, order_payload(ORDER)
    )
    assert result.status is PostStatus.FAILED
    assert result.attempts == 2
    assert "then deferred" in result.reason


def test_breaker_half_opens_after_the_cool_down_and_closes_on_success(ledger, clock):
    erp = MemoryErp()
    erp.failures["find"] = [down()] * 2
    breaker = CircuitBreaker(2, 30.0, clock=clock)
    poster = make_poster(ledger, erp, clock, breaker=breaker, retry=RetryPolicy(max_attempts=1))
    poster.post_many("order", [("A", order_payload("A")), ("B", order_payload("B"))])
    assert poster.post("order", "C", order_payload("C")).status is PostStatus.DEFERRED
    clock.advance(30)
    assert breaker.state is BreakerState.HALF_OPEN
    summary = poster.post_many("order", [(s, order_payload(s)) for s in "ABC"])
    assert [r.status for r in summary.results] == [PostStatus.CREATED] * 3
    assert breaker.state is BreakerState.CLOSED


def test_breaker_reopens_when_the_half_open_trial_fails(ledger, clock):
    erp = MemoryErp()
    erp.failures["find"] = [down()] * 3
    breaker = CircuitBreaker(2, 30.0, clock=clock)
    poster = make_poster(ledger, erp, clock, breaker=breaker, retry=RetryPolicy(max_attempts=1))
    poster.post_many("order", [("A", order_payload("A")), ("B", order_payload("B"))])
    clock.advance(31)
    assert poster.post("order", "A", order_payload("A")).status is PostStatus.FAILED
    assert breaker.state is BreakerState.OPEN
    assert poster.post("order", "B", order_payload("B")).status is PostStatus.DEFERRED


def test_a_client_error_proves_the_erp_is_up(ledger, clock):
    erp = MemoryErp()
    erp.failures["find"] = [down(), ApiError("bad", status=400)]
    breaker = CircuitBreaker(3, 30.0, clock=clock)
    poster = make_poster(ledger, erp, clock, breaker=breaker, retry=RetryPolicy(max_attempts=1))
    poster.post("order", "A", order_payload("A"))
    assert breaker.failures == 1
    poster.post("order", "B", order_payload("B"))
    assert breaker.failures == 0


def test_rejected_credentials_fail_without_retry_or_dead_letter(ledger, clock):
    erp = MemoryErp()
    erp.failures["find"] = [AuthError("invalid_client", status=401)]
    result = make_poster(ledger, erp, clock).post("order", ORDER, order_payload(ORDER))
    assert result.status is PostStatus.FAILED
    assert clock.sleeps == []
    assert ledger.get("order", ORDER).state is RecordState.FAILED


def test_an_adapter_bug_is_raised_and_the_record_not_left_posting(ledger, clock):
    erp = MemoryErp()
    erp.failures["create"] = [KeyError("CUNO")]
    with pytest.raises(KeyError):
        make_poster(ledger, erp, clock).post("order", ORDER, order_payload(ORDER))
    record = ledger.get("order", ORDER)
    assert record.state is RecordState.FAILED
    assert "KeyError" in record.reason


def test_an_interrupt_releases_the_claim(ledger, clock):
    erp = MemoryErp()
    erp.failures["create"] = [KeyboardInterrupt()]
    with pytest.raises(KeyboardInterrupt):
        make_poster(ledger, erp, clock).post("order", ORDER, order_payload(ORDER))
    assert ledger.get("order", ORDER).reason.startswith("interrupted: KeyboardInterrupt")
    result = make_poster(ledger, erp, clock).post("order", ORDER, order_payload(ORDER))
    assert result.status is PostStatus.CREATED


def test_a_target_returning_something_else_is_dead_lettered(ledger, clock):
    class Sloppy(MemoryErp):
        def create(self, payload):
            super().create(payload)
            return {"id": "CO1"}

    result = make_poster(ledger, Sloppy(), clock).post("order", ORDER, order_payload(ORDER))
    assert result.status is PostStatus.DEAD_LETTERED
    assert "create() returned dict, expected an ErpDocument" in result.reason


def test_busy_record_is_reported_and_not_sent(ledger, clock):
    erp = MemoryErp()
    ledger.claim("order", ORDER, owner="otherhost:1:abc", lease=600)
    result = make_poster(ledger, erp, clock).post("order", ORDER, order_payload(ORDER))
    assert result.status is PostStatus.BUSY
    assert "being posted by otherhost:1:abc" in result.reason
    assert erp.calls == []


def test_post_many_summarises_for_people(ledger, clock):
    erp = MemoryErp()
    erp.put("FOUND")
    poster = make_poster(ledger, erp, clock)
    poster.post("order", "DUP", order_payload("DUP"))
    erp.failures["create"] = [None, ApiError("item SKU-9 unknown", status=400)]
    items = {s: order_payload(s) for s in ["NEW", "FOUND", "DUP", "BAD"]}
    summary = poster.post_many("order", items, describe=lambda sid, p: f"{len(p['lines'])} line")
    assert [r.source_id for r in summary.posted] == ["NEW", "FOUND"]
    assert [r.source_id for r in summary.duplicates] == ["DUP"]
    assert [r.source_id for r in summary.dead_lettered] == ["BAD"]
    assert summary.failed == [] and not summary.ok
    assert ledger.get("order", "NEW").description == "1 line"
    text = str(summary)
    assert text.startswith("4 records: 1 created, 1 found existing, 1 duplicate, 1 dead_lettered")
    assert "order BAD: dead_lettered (create in m3 failed: ApiError: HTTP 400: item SKU-9" in text


def test_payload_digest_is_recorded_for_each_post(ledger, clock):
    poster = make_poster(ledger, MemoryErp(), clock)
    poster.post("order", "A", order_payload("A"))
    poster.post("order", "B", order_payload("B"))
    a, b = ledger.get("order", "A"), ledger.get("order", "B")
    assert len(a.payload_digest) == 64 and a.payload_digest != b.payload_digest


def test_poster_rejects_a_nonsense_attempt_budget(ledger):
    with pytest.raises(ValueError, match="max_attempts must be >= 1"):
        Poster(ledger, MemoryErp(), max_attempts=0)


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (TransportError("reset"), Failure.TRANSIENT),
        (ApiError("x", status=500), Failure.TRANSIENT),
        (ApiError("x", status=429), Failure.TRANSIENT),
        (ApiError("x", status=408), Failure.TRANSIENT),
        (ApiError("x", status=423), Failure.TRANSIENT),
        (ApiError("x", status=403), Failure.BLOCKED),
        (ApiError("x", status=404), Failure.PERMANENT),
        (AuthError("x", status=503), Failure.TRANSIENT),
        (AuthError("x", status=400), Failure.BLOCKED),
        (ConfigurationError("x"), Failure.BLOCKED),
        (MappingError("x"), Failure.PERMANENT),
        (RuntimeError("x"), Failure.BUG),
    ],
)
def test_failures_are_classified(error, failure):
    assert classify_failure(error) is failure


# -- async ------------------------------------------------------------------------------------


class AsyncMemoryErp:
    name = "sap"

    def __init__(self, inner):
        self.inner = inner

    async def find(self, source_id, payload):
        return self.inner.find(source_id, payload)

    async def create(self, payload):
        return self.inner.create(payload)

    async def resume(self, document):
        return self.inner.resume(document)


async def test_async_poster_makes_the_same_decisions(ledger, clock):
    inner = ResumableMemoryErp()
    inner.put("TEMP", complete=False)
    inner.put("FOUND")
    inner.failures["create"] = [down(), None]
    waits = []

    async def sleep(seconds):
        waits.append(seconds)

    poster = AsyncPoster(ledger, AsyncMemoryErp(inner), sleep=sleep, clock=clock, rebuild=None)
    summary = await poster.post_many(
        "order", [(s, order_payload(s)) for s in ["NEW", "FOUND", "TEMP", "NEW"]]
    )
    statuses = [r.status for r in summary.results]
    assert statuses == [
        PostStatus.CREATED,
        PostStatus.FOUND_EXISTING,
        PostStatus.RESUMED,
        PostStatus.DUPLICATE,
    ]
    assert len(waits) == 1
    assert inner.created == ["NEW"]


async def test_async_replay_uses_an_async_rebuild(ledger, clock):
    inner = MemoryErp()
    inner.failures["create"] = [ApiError("bad", status=400)]

    async def rebuild(kind, source_id):
        return order_payload(source_id)

    async def sleep(seconds):
        pass

    poster = AsyncPoster(ledger, AsyncMemoryErp(inner), sleep=sleep, clock=clock)
    assert (
        await poster.post("order", ORDER, order_payload(ORDER))
    ).status is PostStatus.DEAD_LETTERED
    with pytest.raises(ConfigurationError):
        await poster.replay()
    summary = await poster.replay(rebuild=rebuild)
    assert summary.ok and summary.results[0].status is PostStatus.CREATED


def test_erp_document_defaults():
    doc = ErpDocument("sap", "4711")
    assert doc.complete and doc.detail == {}


def test_reject_dead_letters_a_record_whose_mapping_failed(ledger, clock):
    poster = make_poster(ledger, MemoryErp(), clock, rebuild=rebuild_orders)
    result = poster.reject("order", ORDER, MappingError("no M3 item for SKU SKU-9"))
    assert result.status is PostStatus.DEAD_LETTERED
    assert result.reason == "no payload: MappingError: no M3 item for SKU SKU-9"
    assert ledger.dead_letters()[0].reason == result.reason
    assert poster.replay().results[0].status is PostStatus.CREATED


def test_reject_leaves_posted_and_busy_records_alone(ledger, clock):
    poster = make_poster(ledger, MemoryErp(), clock)
    poster.post("order", "DONE", order_payload("DONE"))
    assert poster.reject("order", "DONE", "late mapping error").status is PostStatus.DUPLICATE
    ledger.claim("order", "BUSY", owner="otherhost:1:abc", lease=600)
    assert poster.reject("order", "BUSY", "x").status is PostStatus.BUSY
    assert ledger.get("order", "DONE").state is RecordState.POSTED


async def test_a_cancelled_async_post_releases_its_claim(ledger, clock):
    import asyncio

    class Hanging:
        name = "sap"

        async def find(self, source_id, payload):
            return None

        async def create(self, payload):
            await asyncio.Event().wait()

    poster = AsyncPoster(ledger, Hanging(), clock=clock)
    task = asyncio.create_task(poster.post("order", ORDER, order_payload(ORDER)))
    for _ in range(5):
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    record = ledger.get("order", ORDER)
    assert record.state is RecordState.FAILED
    assert record.reason.startswith("interrupted: CancelledError")
