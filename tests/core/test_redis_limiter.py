"""RedisRateLimiter against a real Redis: one bucket shared by every worker, on Redis's clock.

No test sleeps: each checks the waits the shared bucket hands out, which Redis computes from its
own clock at the moment a place is taken.
"""

import uuid

import pytest

from amazon_erp_bridge.core import RedisRateLimiter
from amazon_erp_bridge.core.limiter import Rate
from amazon_erp_bridge.errors import ConfigurationError, TransportError
from tests.services import require_redis


@pytest.fixture
def url():
    return require_redis()


@pytest.fixture
def workers(url):
    """Two limiters (two workers) sharing one fresh prefix."""
    prefix = f"aeb-test:{uuid.uuid4().hex[:10]}"
    made = [
        RedisRateLimiter(url, {"op": Rate(2.0, 5)}, prefix=prefix, burst_recovery=3600)
        for _ in range(2)
    ]
    yield made
    for limiter in made:
        limiter.close()


def test_the_burst_is_shared_then_calls_are_spaced_at_the_rate(workers):
    a, b = workers
    waits = [a.take("op").wait for _ in range(3)] + [b.take("op").wait for _ in range(4)]
    assert waits[:5] == [0, 0, 0, 0, 0]
    assert waits[5] == pytest.approx(0.5, abs=0.05)
    assert waits[6] == pytest.approx(1.0, abs=0.05)


def test_buckets_are_separate_per_scope_and_key(workers):
    a, _ = workers
    for _ in range(5):
        a.take("op", "seller1")
    assert a.take("op", "seller2").wait == 0
    assert a.take("op", "seller1").wait == pytest.approx(0.5, abs=0.05)
    assert a.take("unlisted").wait == 0


def test_a_rate_learned_by_one_worker_re_times_another_workers_waits(workers):
    a, b = workers
    tickets = [b.take("op") for _ in range(15)]
    assert tickets[-1].wait == pytest.approx(5.0, abs=0.1)
    a.set_rate("op", 100.0)
    assert b.wait_time(tickets[-1]) == pytest.approx(0.1, abs=0.05)


def test_a_429_seen_by_one_worker_teaches_every_worker_the_burst(workers):
    a, b = workers
    for _ in range(3):
        a.take("op")
    a.throttled("op")
    assert b.burst_of("op") == 2
    assert b.take("op").wait == pytest.approx(0.5, abs=0.05)


def test_burst_learning_gives_one_429_for_a_real_burst_of_two(url):
    """A sequential client against a server whose real burst is 2 (documented 20)."""
    limiter = RedisRateLimiter(url, {"op": Rate(1.0, 20)}, prefix=f"aeb-test:{uuid.uuid4().hex}")
    server_tokens = 2
    refusals = 0
    for _ in range(10):
        while True:
            ticket = limiter.take("op")
            if ticket.wait == 0 and server_tokens > 0:
                server_tokens -= 1
                break
            if ticket.wait == 0:
                refusals += 1
                limiter.throttled("op")
                continue
            break  # the limiter now spaces calls at the rate: the server refills meanwhile
    limiter.close()
    assert refusals == 1


async def test_async_acquire_shares_the_bucket(workers):
    a, b = workers
    for _ in range(5):
        a.take("op")
    slept = []

    async def fake_sleep(seconds):
        slept.append(seconds)
        b.set_rate("op", 10_000.0)

    assert await b.acquire_async("op", sleep=fake_sleep) > 0
    assert len(slept) == 1 and slept[0] <= 1.0
    await b.aclose()


def test_bad_settings_and_an_unreachable_server_are_clear_errors():
    with pytest.raises(ConfigurationError, match="poll must be > 0"):
        RedisRateLimiter("redis://127.0.0.1:6379/15", {}, poll=0)
    limiter = RedisRateLimiter("redis://:hunter2-pw@127.0.0.1:1/0", {"op": Rate(1.0, 1)})
    with pytest.raises(TransportError, match="rate limiter redis") as caught:
        limiter.take("op")
    assert "hunter2-pw" not in str(caught.value)
    assert "hunter2" not in repr(limiter)
