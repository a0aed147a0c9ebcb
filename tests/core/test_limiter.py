import asyncio
import threading

import pytest

from amazon_erp_bridge.core.limiter import Rate, RateLimiter
from amazon_erp_bridge.errors import ConfigurationError


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.mark.parametrize(("n", "rate", "burst"), [(50, 2.0, 10), (30, 0.5, 30), (100, 0.0167, 20)])
def test_n_calls_at_rate_r_with_burst_b_take_n_minus_b_over_r(n, rate, burst):
    clock = FakeClock()
    limiter = RateLimiter({"op": Rate(rate, burst)}, clock=clock)
    start = clock.now
    for _ in range(n):
        limiter.acquire("op", sleep=clock.sleep)
    assert clock.now - start == pytest.approx(max(n - burst, 0) / rate)


def test_burst_is_free_then_calls_are_spaced():
    clock = FakeClock()
    limiter = RateLimiter({"op": Rate(1.0, 3)}, clock=clock)
    waits = [limiter.acquire("op", sleep=clock.sleep) for _ in range(5)]
    assert waits == pytest.approx([0, 0, 0, 1.0, 1.0])


def test_idle_time_refills_up_to_the_burst_only():
    clock = FakeClock()
    limiter = RateLimiter({"op": Rate(1.0, 2)}, clock=clock)
    for _ in range(2):
        limiter.acquire("op", sleep=clock.sleep)
    clock.now += 3600
    waits = [limiter.acquire("op", sleep=clock.sleep) for _ in range(3)]
    assert waits == pytest.approx([0, 0, 1.0])


def test_buckets_are_separate_per_scope_and_key():
    clock = FakeClock()
    limiter = RateLimiter({"a": Rate(1.0, 1), "b": Rate(1.0, 1)}, clock=clock)
    assert limiter.reserve("a", "seller1") == 0
    assert limiter.reserve("a", "seller2") == 0
    assert limiter.reserve("b", "seller1") == 0
    assert limiter.reserve("a", "seller1") == pytest.approx(1.0)


def test_unknown_keys_are_not_limited_without_a_default():
    limiter = RateLimiter({}, clock=FakeClock())
    assert all(limiter.reserve("x") == 0 for _ in range(100))


def test_default_rate_applies_to_unknown_keys():
    limiter = RateLimiter({}, default=Rate(2.0, 1), clock=FakeClock())
    assert limiter.reserve("x") == 0
    assert limiter.reserve("x") == pytest.approx(0.5)


def test_rate_follows_the_server_header():
    clock = FakeClock()
    limiter = RateLimiter({"op": Rate(1.0, 1)}, clock=clock)
    limiter.acquire("op", sleep=clock.sleep)
    limiter.set_rate("op", 4.0)
    assert limiter.reserve("op") == pytest.approx(0.25)


def test_set_rate_ignores_nonsense():
    limiter = RateLimiter({"op": Rate(1.0, 1)}, clock=FakeClock())
    limiter.set_rate("op", 0)
    limiter.reserve("op")
    assert limiter.reserve("op") == pytest.approx(1.0)


@pytest.mark.parametrize(("rate", "burst", "words"), [(0, 1, "per_second"), (1, 0, "burst")])
def test_bad_rates_are_configuration_errors(rate, burst, words):
    with pytest.raises(ConfigurationError, match=words):
        Rate(rate, burst)


def test_threads_never_share_a_token():
    clock = FakeClock()
    limiter = RateLimiter({"op": Rate(10.0, 5)}, clock=clock)
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(50):
            w = limiter.reserve("op")
            with lock:
                waits.append(w)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # With the clock frozen, 400 reservations must queue up one slot (0.1 s) apart after the burst.
    assert sorted(waits) == pytest.approx([max(0, i - 4) * 0.1 for i in range(400)])


async def test_coroutines_wait_their_turn(monkeypatch):
    clock = FakeClock()
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    limiter = RateLimiter({"op": Rate(2.0, 2)}, clock=clock)
    await asyncio.gather(*(limiter.acquire_async("op", sleep=fake_sleep) for _ in range(6)))
    assert sorted(slept) == pytest.approx([0.5, 1.0, 1.5, 2.0])


def test_headroom_keeps_tokens_unused_without_costing_sustained_rate():
    clock = FakeClock()
    limiter = RateLimiter({"op": Rate(2.0, 5)}, clock=clock, headroom=1)
    waits = [limiter.acquire("op", sleep=clock.sleep) for _ in range(8)]
    assert waits == pytest.approx([0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5])


def test_headroom_never_leaves_a_bucket_empty():
    limiter = RateLimiter({"op": Rate(1.0, 1)}, clock=FakeClock(), headroom=3)
    assert limiter.reserve("op") == 0


def test_negative_headroom_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="headroom must be >= 0"):
        RateLimiter({}, headroom=-1)


class ServerBucket:
    """The server's side: a real burst smaller than the documented one."""

    def __init__(self, clock: FakeClock, rate: float, burst: int) -> None:
        self.clock, self.rate, self.burst = clock, rate, burst
        self.tokens, self.at = float(burst), clock.now

    def accept(self) -> bool:
        self.tokens = min(self.burst, self.tokens + (self.clock.now - self.at) * self.rate)
        self.at = self.clock.now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def _run(limiter, server, clock, calls):
    refusals = 0
    for _ in range(calls):
        while True:
            limiter.acquire("op", sleep=clock.sleep)
            if server.accept():
                break
            refusals += 1
            limiter.throttled("op")
    return refusals


def test_a_burst_smaller_than_documented_costs_one_429_not_a_dozen():
    clock = FakeClock()
    limiter = RateLimiter({"op": Rate(1.0, 20)}, clock=clock)
    server = ServerBucket(clock, rate=1.0, burst=2)
    assert _run(limiter, server, clock, calls=40) == 1
    assert limiter.burst_of("op") == 2


def test_without_learning_the_same_client_would_be_refused_many_times():
    clock = FakeClock()
    limiter = RateLimiter({"op": Rate(1.0, 20)}, clock=clock)
    server = ServerBucket(clock, rate=1.0, burst=2)
    refusals = 0
    for _ in range(40):
        limiter.acquire("op", sleep=clock.sleep)
        refusals += not server.accept()
    assert refusals >= 12


def test_a_learned_burst_recovers_slowly_up_to_the_documented_one():
    clock = FakeClock()
    limiter = RateLimiter({"op": Rate(1.0, 10)}, clock=clock, burst_recovery=30.0)
    for _ in range(3):
        limiter.reserve("op")
    limiter.throttled("op")
    assert limiter.burst_of("op") == 2
    clock.now += 59
    assert limiter.burst_of("op") == 3
    clock.now += 3600
    assert limiter.burst_of("op") == 10


def test_a_429_empties_the_bucket():
    clock = FakeClock()
    limiter = RateLimiter({"op": Rate(2.0, 5)}, clock=clock)
    limiter.reserve("op")
    limiter.throttled("op")
    assert limiter.reserve("op") == pytest.approx(0.5)


def test_burst_recovery_must_be_positive():
    with pytest.raises(ConfigurationError, match="burst_recovery must be > 0"):
        RateLimiter({}, burst_recovery=0)


def test_a_learned_rate_shortens_the_waits_already_taken():
    clock = FakeClock()
    limiter = RateLimiter({"op": Rate(0.5, 1)}, clock=clock)
    tickets = [limiter.take("op") for _ in range(11)]
    assert limiter.wait_time(tickets[-1]) == pytest.approx(20.0)
    limiter.set_rate("op", 10.0)
    assert limiter.wait_time(tickets[-1]) == pytest.approx(1.0)
    clock.now += 0.5
    assert limiter.wait_time(tickets[5]) == pytest.approx(0.0)


def test_threads_waiting_on_a_real_clock_are_woken_by_a_higher_rate():
    limiter = RateLimiter({"op": Rate(0.1, 1)})  # a 10 s wait at the documented rate
    limiter.reserve("op")
    done = threading.Event()

    def waiter() -> None:
        limiter.acquire("op")
        done.set()

    thread = threading.Thread(target=waiter)
    thread.start()
    assert not done.wait(0.05)
    limiter.set_rate("op", 1000.0)
    assert done.wait(2.0), "the waiting thread was not re-timed by the new rate"
    thread.join()


async def test_coroutines_waiting_on_a_real_clock_are_woken_by_a_higher_rate():
    limiter = RateLimiter({"op": Rate(0.1, 1)})
    limiter.reserve("op")
    waiting = asyncio.ensure_future(limiter.acquire_async("op"))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    limiter.set_rate("op", 1000.0)
    waited = await asyncio.wait_for(waiting, 2.0)
    assert waited < 2.0
