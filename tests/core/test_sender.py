import asyncio
import gzip
import json
import logging
import random
import threading
import time

import httpx2
import pytest

from amazon_erp_bridge import __version__
from amazon_erp_bridge.core.auth import AccessToken, TokenSource, basic_auth
from amazon_erp_bridge.core.call import Call, Page
from amazon_erp_bridge.core.limiter import Rate, RateLimiter
from amazon_erp_bridge.core.retry import RetryPolicy
from amazon_erp_bridge.core.sender import AsyncSender, ErrorInfo, SyncSender, json_body
from amazon_erp_bridge.errors import ApiError, AuthError
from amazon_erp_bridge.sandbox.server import LocalServer, Reply, Router


class TokenServer:
    """A router with a token endpoint and an API that accepts only the newest token."""

    def __init__(self, delay: float = 0.0) -> None:
        self.router = Router("tokens")
        self.issued = 0
        self.delay = delay
        self.lock = threading.Lock()

        @self.router.route("POST", "/token")
        def token(req, m):
            with self.lock:
                self.issued += 1
                n = self.issued
            if req.form().get("client_secret") != "s3cret-value":
                return Reply.json({"error": "invalid_client"}, 401)
            return Reply.json({"access_token": f"tok-{n}-secret", "expires_in": 3600})

        @self.router.route("GET", "/data")
        def data(req, m):
            if self.delay:
                time.sleep(self.delay)
            if req.headers.get("authorization") != f"Bearer tok-{self.issued}-secret":
                return Reply.json({"message": "expired"}, 401)
            return Reply.json({"ok": True, "page": req.arg("page")})


def fetch_token(clock=time.time):
    def parse(response: httpx2.Response) -> AccessToken:
        if response.status_code == 401:
            raise AuthError("token endpoint refused the client", status=401)
        body = json_body(response)
        return AccessToken(body["access_token"], expires_at=clock() + int(body["expires_in"]))

    def build(previous):
        return Call(
            "POST",
            "/token",
            parse=parse,
            form={"client_secret": "s3cret-value"},
            authenticated=False,
            ok_statuses=frozenset({200, 401}),
        )

    return build


def read(response):
    return json_body(response)


def test_user_agent_names_the_library():
    seen = []
    s = SyncSender(
        "https://x.test",
        service="t",
        transport=httpx2.MockTransport(lambda r: seen.append(r) or httpx2.Response(200, json={})),
    )
    s.send(Call("GET", "/a", parse=read))
    assert seen[0].headers["user-agent"] == f"amazon-erp-bridge/{__version__}"


def test_expired_token_is_refreshed_once():
    server = TokenServer()
    source = TokenSource(fetch_token())
    s = SyncSender("http://fake", service="t", transport=server.router.transport(), auth=[source])
    assert s.send(Call("GET", "/data", parse=read))["ok"] is True
    server.issued += 1  # the server moves on: our cached token is now refused
    assert s.send(Call("GET", "/data", parse=read))["ok"] is True
    assert source.fetch_count == 2


def test_token_is_refreshed_before_it_expires():
    now = [0.0]
    server = TokenServer()
    source = TokenSource(fetch_token(lambda: now[0]), clock=lambda: now[0], refresh_margin=60)
    s = SyncSender("http://fake", service="t", transport=server.router.transport(), auth=[source])
    s.send(Call("GET", "/data", parse=read))
    now[0] = 3600 - 59
    s.send(Call("GET", "/data", parse=read))
    assert source.fetch_count == 2
    assert server.issued == 2  # no request was sent with a token about to die


def test_refused_credentials_are_not_retried_forever():
    router = Router("r")

    @router.route("POST", "/token")
    def token(req, m):
        return Reply.json({"access_token": "t-abcdef", "expires_in": 3600})

    @router.route("GET", "/data")
    def data(req, m):
        return Reply.json({"message": "no"}, 401)

    source = TokenSource(fetch_token())
    s = SyncSender("http://fake", service="t", transport=router.transport(), auth=[source])
    with pytest.raises(ApiError, match="HTTP 401"):
        s.send(Call("GET", "/data", parse=read))
    assert source.fetch_count == 2


def test_one_refresh_at_a_time_across_threads():
    server = TokenServer(delay=0.01)
    source = TokenSource(fetch_token())
    with LocalServer(server.router) as srv:
        s = SyncSender(srv.url, service="t", auth=[source])
        errors = []

        def work():
            try:
                s.send(Call("GET", "/data", parse=read))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        s.close()
    assert not errors
    assert server.issued == 1


async def test_one_refresh_at_a_time_across_coroutines():
    server = TokenServer()
    source = TokenSource(fetch_token())
    s = AsyncSender("http://fake", service="t", transport=server.router.transport(), auth=[source])
    results = await asyncio.gather(*(s.send(Call("GET", "/data", parse=read)) for _ in range(10)))
    assert all(r["ok"] for r in results)
    assert server.issued == 1
    await s.aclose()


def test_auth_error_from_the_token_endpoint():
    def fetch(previous):
        return Call(
            "POST",
            "/token",
            parse=fetch_token()(None).parse,
            form={"client_secret": "wrong"},
            authenticated=False,
            ok_statuses=frozenset({200, 401}),
        )

    server = TokenServer()
    s = SyncSender(
        "http://fake", service="t", transport=server.router.transport(), auth=[TokenSource(fetch)]
    )
    with pytest.raises(AuthError, match="refused the client"):
        s.send(Call("GET", "/data", parse=read))


def test_malformed_json_becomes_an_api_error():
    s = SyncSender(
        "https://x.test",
        service="svc",
        transport=httpx2.MockTransport(lambda r: httpx2.Response(200, text="{not json")),
    )
    with pytest.raises(
        ApiError,
        match=r"svc HTTP 200.*unreadable response \(answer to GET /a .*malformed JSON at line 1",
    ):
        s.send(Call("GET", "/a", parse=read))


def test_missing_field_becomes_an_api_error_not_a_keyerror():
    s = SyncSender(
        "https://x.test",
        service="svc",
        transport=httpx2.MockTransport(lambda r: httpx2.Response(200, json={})),
    )
    with pytest.raises(ApiError, match="unreadable response \\(KeyError: 'payload'"):
        s.send(Call("GET", "/a", parse=lambda r: json_body(r)["payload"]))


def test_error_reader_gives_code_and_request_id():
    def reader(response):
        body = response.json()
        return ErrorInfo(body["message"], code=body["code"], details=body)

    s = SyncSender(
        "https://x.test",
        service="svc",
        error_reader=reader,
        request_id_header="x-rid",
        transport=httpx2.MockTransport(
            lambda r: httpx2.Response(
                400, json={"code": "InvalidInput", "message": "bad date"}, headers={"x-rid": "r-1"}
            )
        ),
    )
    with pytest.raises(ApiError) as info:
        s.send(Call("GET", "/a", parse=read, limit_key="op.get"))
    err = info.value
    assert (err.status, err.code, err.request_id) == (400, "InvalidInput", "r-1")
    assert str(err) == "svc HTTP 400 InvalidInput op.get: bad date (request id r-1)"


def test_broken_error_reader_still_reports_the_status():
    s = SyncSender(
        "https://x.test",
        service="svc",
        error_reader=lambda r: r.json()["nope"],
        transport=httpx2.MockTransport(lambda r: httpx2.Response(418, text="teapot")),
    )
    with pytest.raises(ApiError, match="HTTP 418.*teapot"):
        s.send(Call("GET", "/a", parse=read))


def test_pages_are_fetched_lazily_until_the_last():
    seen = []

    def handler(request):
        token = request.url.params.get("next")
        seen.append(token)
        n = int(token or 0)
        return httpx2.Response(200, json={"items": [n], "next": str(n + 1) if n < 3 else None})

    s = SyncSender("https://x.test", service="t", transport=httpx2.MockTransport(handler))

    def page(token):
        params = {"next": token} if token else {}
        return Call(
            "GET",
            "/p",
            params=params,
            parse=lambda r: Page(tuple(r.json()["items"]), r.json()["next"]),
        )

    items = s.pages(page)
    assert next(items) == 0
    assert seen == [None]
    assert list(items) == [1, 2, 3]


def test_a_repeated_page_token_stops_the_loop():
    s = SyncSender(
        "https://x.test",
        service="t",
        transport=httpx2.MockTransport(lambda r: httpx2.Response(200, json={"next": "same"})),
    )
    with pytest.raises(ApiError, match="same page token twice"):
        list(s.pages(lambda t: Call("GET", "/p", parse=lambda r: Page((1,), r.json()["next"]))))


def test_bytes_stream_in_chunks():
    body = gzip.compress(random.Random(3).randbytes(200_000))
    s = SyncSender(
        "https://x.test",
        service="t",
        transport=httpx2.MockTransport(lambda r: httpx2.Response(200, content=body)),
    )
    chunks = list(s.iter_bytes(Call("GET", "/doc", parse=lambda r: None), chunk_size=4096))
    assert b"".join(chunks) == body
    assert len(chunks) > 1


def test_stream_error_status_raises():
    s = SyncSender(
        "https://x.test",
        service="t",
        retry=RetryPolicy(max_attempts=1),
        transport=httpx2.MockTransport(lambda r: httpx2.Response(403, text="expired url")),
    )
    with pytest.raises(ApiError, match="HTTP 403.*expired url"):
        list(s.iter_bytes(Call("GET", "/doc", parse=lambda r: None)))


def test_limiter_is_consulted_per_operation():
    slept = []
    now = [0.0]
    limiter = RateLimiter({"op": Rate(1.0, 1)}, clock=lambda: now[0])
    s = SyncSender(
        "https://x.test",
        service="t",
        limiter=limiter,
        sleep=slept.append,
        transport=httpx2.MockTransport(lambda r: httpx2.Response(200, json={})),
    )
    for _ in range(3):
        s.send(Call("GET", "/a", parse=read, limit_key="op"))
    assert slept == [1.0, 2.0]


def test_hooks_see_every_response():
    seen = []
    s = SyncSender(
        "https://x.test",
        service="t",
        hooks=[lambda call, resp: seen.append((call.limit_key, resp.headers["x-rate"]))],
        transport=httpx2.MockTransport(lambda r: httpx2.Response(200, headers={"x-rate": "5"})),
    )
    s.send(Call("GET", "/a", parse=lambda r: None, limit_key="k"))
    assert seen == [("k", "5")]


def test_basic_auth_header_and_secret_hidden():
    auth = basic_auth("COMM_USER", "pa55word-xyz")
    assert "pa55word" not in repr(auth)
    seen = []
    s = SyncSender(
        "https://x.test",
        service="t",
        auth=[auth],
        transport=httpx2.MockTransport(lambda r: seen.append(r) or httpx2.Response(200)),
    )
    s.send(Call("GET", "/a", parse=lambda r: None))
    assert seen[0].headers["authorization"].startswith("Basic ")


def test_absolute_urls_bypass_the_base_url():
    seen = []
    s = SyncSender(
        "https://x.test/base",
        service="t",
        transport=httpx2.MockTransport(lambda r: seen.append(str(r.url)) or httpx2.Response(200)),
    )
    s.send(Call("GET", "https://bucket.test/doc?sig=1", parse=lambda r: None))
    s.send(Call("GET", "rel", parse=lambda r: None, params={"a": ["1", "2"]}))
    assert seen == ["https://bucket.test/doc?sig=1", "https://x.test/base/rel?a=1&a=2"]


async def test_async_sender_retries_and_pages():
    calls = []

    def handler(request):
        calls.append(request)
        if len(calls) == 1:
            return httpx2.Response(503)
        return httpx2.Response(200, json={"items": [1, 2]})

    slept = []

    async def sleep(seconds):
        slept.append(seconds)

    s = AsyncSender(
        "https://x.test", service="t", transport=httpx2.MockTransport(handler), sleep=sleep
    )
    items = [i async for i in s.pages(lambda t: Call("GET", "/p", parse=lambda r: Page((1, 2))))]
    assert items == [1, 2]
    assert len(slept) == 1
    await s.aclose()


def test_decimal_json_numbers_never_pass_through_float():
    response = httpx2.Response(200, content=b'{"CurrencyAmount": 0.1, "big": 12345678901234567.89}')
    body = json_body(response)
    assert str(body["CurrencyAmount"]) == "0.1"
    assert str(body["big"]) == "12345678901234567.89"


def test_debug_log_names_service_method_and_status(caplog):
    s = SyncSender(
        "https://x.test",
        service="svc",
        request_id_header="x-rid",
        transport=httpx2.MockTransport(lambda r: httpx2.Response(204, headers={"x-rid": "abc"})),
    )
    with caplog.at_level(logging.DEBUG, logger="amazon_erp_bridge"):
        s.send(Call("GET", "/a", parse=lambda r: None))
    assert "svc GET /a -> 204 (abc)" in caplog.text
    json.dumps(caplog.text)
