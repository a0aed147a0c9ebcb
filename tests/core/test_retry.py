import random

import httpx2
import pytest

from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.core.retry import RetryPolicy, parse_retry_after
from amazon_erp_bridge.core.sender import SyncSender
from amazon_erp_bridge.errors import ApiError, RateLimitedError, TransportError


def ok(response: httpx2.Response) -> str:
    return response.text


class Script:
    """An httpx transport that answers from a list, recording what it was asked."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def sender(script, policy=None):
    slept: list[float] = []
    s = SyncSender(
        "https://api.test",
        service="test",
        transport=httpx2.MockTransport(script),
        retry=policy or RetryPolicy(max_attempts=4, rng=random.Random(7)),
        sleep=slept.append,
    )
    return s, slept


def test_5xx_is_retried_until_it_succeeds():
    script = Script(httpx2.Response(503), httpx2.Response(500), httpx2.Response(200, text="ok"))
    s, slept = sender(script)
    assert s.send(Call("GET", "/x", parse=ok)) == "ok"
    assert len(script.requests) == 3
    assert len(slept) == 2


def test_retries_are_bounded_by_attempts():
    script = Script(*[httpx2.Response(502)] * 10)
    s, _ = sender(script)
    with pytest.raises(ApiError, match="HTTP 502") as info:
        s.send(Call("GET", "/x", parse=ok))
    assert info.value.status == 502
    assert len(script.requests) == 4


def test_429_exhausted_raises_rate_limited():
    script = Script(*[httpx2.Response(429, text="slow down")] * 4)
    s, _ = sender(script)
    with pytest.raises(RateLimitedError, match="slow down"):
        s.send(Call("GET", "/x", parse=ok))


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_other_4xx_are_never_retried(status):
    script = Script(httpx2.Response(status, text="no"), httpx2.Response(200))
    s, slept = sender(script)
    with pytest.raises(ApiError, match=f"HTTP {status}"):
        s.send(Call("GET", "/x", parse=ok))
    assert len(script.requests) == 1
    assert slept == []


def test_post_is_not_retried_after_5xx_unless_idempotent():
    script = Script(httpx2.Response(500), httpx2.Response(201, text="created"))
    s, _ = sender(script)
    with pytest.raises(ApiError):
        s.send(Call("POST", "/orders", parse=ok, json={}))
    assert len(script.requests) == 1

    script = Script(httpx2.Response(500), httpx2.Response(201, text="created"))
    s, _ = sender(script)
    assert s.send(Call("POST", "/orders", parse=ok, json={}, idempotent=True)) == "created"


def test_post_is_retried_after_429_because_it_was_not_processed():
    script = Script(httpx2.Response(429), httpx2.Response(201, text="created"))
    s, _ = sender(script)
    assert s.send(Call("POST", "/orders", parse=ok, json={})) == "created"


def test_post_is_not_retried_after_a_read_timeout():
    script = Script(httpx2.ReadTimeout("slow"), httpx2.Response(201))
    s, _ = sender(script)
    with pytest.raises(TransportError, match="timed out") as info:
        s.send(Call("POST", "/orders", parse=ok, json={}))
    assert info.value.timeout and info.value.sent


def test_post_is_retried_when_the_connection_was_refused():
    script = Script(httpx2.ConnectError("refused"), httpx2.Response(201, text="created"))
    s, _ = sender(script)
    assert s.send(Call("POST", "/orders", parse=ok, json={})) == "created"


def test_get_is_retried_after_timeouts():
    script = Script(httpx2.ReadTimeout("slow"), httpx2.Response(200, text="ok"))
    s, _ = sender(script)
    assert s.send(Call("GET", "/x", parse=ok)) == "ok"


def test_retry_after_is_honoured():
    script = Script(httpx2.Response(429, headers={"Retry-After": "7"}), httpx2.Response(200))
    s, slept = sender(script)
    s.send(Call("GET", "/x", parse=ok))
    assert slept == [7.0]


def test_backoff_is_full_jitter_within_exponential_bounds():
    policy = RetryPolicy(base=0.5, cap=8.0, rng=random.Random(1))
    for attempt in range(1, 10):
        ceiling = min(8.0, 0.5 * 2 ** (attempt - 1))
        waits = [policy.backoff(attempt) for _ in range(200)]
        assert all(0 <= w <= ceiling for w in waits)
        assert max(waits) > ceiling * 0.8  # jitter spreads over the whole range


def test_waits_never_exceed_the_total_time_budget():
    script = Script(httpx2.Response(429, headers={"Retry-After": "500"}), httpx2.Response(200))
    s, slept = sender(script, RetryPolicy(max_attempts=3, max_elapsed=5.0))
    s.send(Call("GET", "/x", parse=ok))
    assert slept and slept[0] <= 5.0


def test_retry_after_http_date_and_garbage():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("2.5") == 2.5
