import pytest

from amazon_erp_bridge.posting import BreakerState, CircuitBreaker
from tests.posting.posting_fakes import FakeClock


def test_closed_breaker_lets_calls_through_and_counts_consecutive_failures():
    breaker = CircuitBreaker(3, 10.0, clock=FakeClock())
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.allow() and breaker.state is BreakerState.CLOSED
    breaker.record_success()
    assert breaker.failures == 0


def test_breaker_opens_at_the_threshold_and_refuses_calls():
    clock = FakeClock()
    breaker = CircuitBreaker(2, 10.0, clock=clock)
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()
    clock.advance(4)
    assert breaker.retry_in == pytest.approx(6.0)


def test_half_open_breaker_allows_one_trial_at_a_time():
    clock = FakeClock()
    breaker = CircuitBreaker(1, 10.0, clock=clock)
    breaker.record_failure()
    clock.advance(10)
    assert breaker.state is BreakerState.HALF_OPEN and breaker.retry_in == 0
    assert breaker.allow()
    assert not breaker.allow()
    breaker.release()
    assert breaker.allow()


def test_successful_trial_closes_and_failed_trial_reopens_for_a_new_cool_down():
    clock = FakeClock()
    breaker = CircuitBreaker(1, 10.0, clock=clock)
    breaker.record_failure()
    clock.advance(10)
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    clock.advance(9)
    assert not breaker.allow()
    clock.advance(1)
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    assert "closed" in repr(breaker)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"failure_threshold": 0}, "failure_threshold must be >= 1"),
        ({"reset_timeout": -1}, "reset_timeout must be >= 0"),
    ],
)
def test_breaker_rejects_nonsense_settings(kwargs, words):
    with pytest.raises(ValueError, match=words):
        CircuitBreaker(**kwargs)
