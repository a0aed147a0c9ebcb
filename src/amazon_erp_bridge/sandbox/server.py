"""The ground every fake stands on: routes, fault switches and a real HTTP server on loopback.

A fake service is a :class:`Router` with handlers that read a :class:`SandboxRequest` and return
a :class:`Reply`. The same router runs behind :class:`LocalServer` (a threaded HTTP server on
127.0.0.1, for the demo, examples and wire tests) or in-process as an httpx transport
(:meth:`Router.transport`), for fast unit tests.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
from attrs import define, field, frozen

log = logging.getLogger("amazon_erp_bridge.sandbox")


@frozen
class SandboxRequest:
    """An HTTP request as a fake sees it: header names are lower-case."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes = b""

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of query parameter ``name``."""
        values = self.query.get(name)
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        """Every value of ``name``, comma-separated lists split (as SP-API sends arrays)."""
        out: list[str] = []
        for value in self.query.get(name, []):
            out.extend(v for v in value.split(",") if v)
        return out

    def json(self) -> Any:
        return json.loads(self.body or b"null", parse_float=Decimal)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}


_DECIMAL_MARK = re.compile(r'"\\u0000D:([-+0-9.Ee]+)\\u0000"')


def _mark_decimals(data: Any) -> Any:
    if isinstance(data, Decimal):
        return f"\x00D:{data}\x00"
    if isinstance(data, Mapping):
        return {k: _mark_decimals(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_mark_decimals(v) for v in data]
    return data


def dump_json(data: Any) -> bytes:
    """JSON bytes; Decimals are written as exact JSON numbers (Amazon's Finances style)."""
    text = json.dumps(_mark_decimals(data), ensure_ascii=False)
    return _DECIMAL_MARK.sub(r"\1", text).encode()


@define
class Reply:
    """A fake's answer."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(factory=dict)
    delay: float = 0.0
    drop: bool = False  # close the connection without answering (a reset / timeout)

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Reply:
        h = {"Content-Type": "application/json", **(headers or {})}
        return cls(status, dump_json(data), h)

    @classmethod
    def text(
        cls,
        text: str | bytes,
        status: int = 200,
        content_type: str = "text/plain; charset=utf-8",
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        body = text.encode() if isinstance(text, str) else text
        return cls(status, body, {"Content-Type": content_type, **(headers or {})})


Handler = Callable[[SandboxRequest, "re.Match[str]"], Reply]


@define
class Faults:
    """Switches that make a fake misbehave the way real services do, for tests.

    Each counter applies to the next N requests whose path matches ``match`` (a regex; every
    request if empty), then switches itself off.
    """

    throttle: int = 0  # answer 429
    fail: int = 0  # answer ``fail_status``
    fail_status: int = 503
    drop: int = 0  # close the connection without an answer
    slow: int = 0  # answer after ``slow_seconds``
    slow_seconds: float = 0.0
    retry_after: str | None = None
    match: str = ""
    _lock: threading.Lock = field(factory=threading.Lock, repr=False)

    def reset(self) -> None:
        with self._lock:
            self.throttle = self.fail = self.drop = self.slow = 0
            self.retry_after = None
            self.match = ""

    def take(self, path: str) -> str | None:
        """Which fault (if any) the request at ``path`` gets; consumes one."""
        if self.match and not re.search(self.match, path):
            return None
        with self._lock:
            for name in ("drop", "throttle", "fail", "slow"):
                if getattr(self, name) > 0:
                    setattr(self, name, getattr(self, name) - 1)
                    return name
        return None


ErrorBody = Callable[[int, str, str], Reply]


def plain_error(status: int, code: str, message: str) -> Reply:
    return Reply.json({"code": code, "message": message}, status)


#: Called with (router, request, reply) after every request a router dispatches: the contract
#: recorder of the test suite (tests/contracts) registers here. Observers must not change the reply.
OBSERVERS: list[Callable[[Router, SandboxRequest, Reply], None]] = []


class Router:
    """Routes requests to handlers by method and path regex; applies fault switches first."""

    def __init__(self, name: str, error_body: ErrorBody = plain_error) -> None:
        self.name = name
        self.faults = Faults()
        self.error_body = error_body
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.requests: list[SandboxRequest] = []
        self._log_lock = threading.Lock()

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        """Decorator: handle ``method`` requests whose whole path matches ``pattern``."""

        def register(handler: Handler) -> Handler:
            self._routes.append((method.upper(), re.compile(pattern + r"\Z"), handler))
            return handler

        return register

    def handle(self, request: SandboxRequest) -> Reply:
        reply = self._dispatch(request)
        for observe in OBSERVERS:
            observe(self, request, reply)
        return reply

    def _dispatch(self, request: SandboxRequest) -> Reply:
        with self._log_lock:
            self.requests.append(request)
        fault = self.faults.take(request.path)
        if fault == "drop":
            return Reply(drop=True)
        if fault == "throttle":
            reply = self.error_body(
                429, "QuotaExceeded", "You exceeded your quota for the requested resource."
            )
            if self.faults.retry_after is not None:
                reply.headers["Retry-After"] = self.faults.retry_after
            return reply
        if fault == "fail":
            status = self.faults.fail_status
            return self.error_body(status, "InternalFailure", f"{self.name}: injected failure")
        allowed: list[str] = []
        for method, pattern, handler in self._routes:
            match = pattern.match(request.path)
            if match is None:
                continue
            if method != request.method:
                allowed.append(method)
                continue
            reply = handler(request, match)
            if fault == "slow":
                reply.delay = max(reply.delay, self.faults.slow_seconds)
            return reply
        if allowed:
            return self.error_body(405, "MethodNotAllowed", f"{request.method} {request.path}")
        return self.error_body(404, "NotFound", f"{self.name}: no resource at {request.path}")

    def transport(self) -> _RouterTransport:
        """This router as an in-process httpx transport (sync and async)."""
        return _RouterTransport(self)


def _to_request(method: str, url: str, headers: Mapping[str, str], body: bytes) -> SandboxRequest:
    parts = urlsplit(url)
    return SandboxRequest(
        method=method.upper(),
        path=parts.path,
        query=parse_qs(parts.query, keep_blank_values=True),
        headers={k.lower(): v for k, v in headers.items()},
        body=body,
    )


class _RouterTransport(httpx2.BaseTransport, httpx2.AsyncBaseTransport):
    def __init__(self, router: Router) -> None:
        self.router = router

    def _reply(self, request: httpx2.Request) -> httpx2.Response:
        req = _to_request(request.method, str(request.url), request.headers, request.content)
        reply = self.router.handle(req)
        if reply.drop:
            raise httpx2.ReadTimeout("sandbox dropped the connection", request=request)
        return httpx2.Response(reply.status, headers=reply.headers, content=reply.body)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        return self._reply(request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        await request.aread()
        return self._reply(request)


class _Handler(BaseHTTPRequestHandler):
    router: Router
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without TCP_NODELAY each answer waits for
    # the client's delayed ACK (~40 ms on Linux loopback).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s: " + format, self.router.name, *args)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("Host", "127.0.0.1")
        req = _to_request(self.command, f"http://{host}{self.path}", dict(self.headers), body)
        try:
            reply = self.router.handle(req)
        except Exception as exc:  # a bug in a fake must show as a 500, not a hung client
            log.exception("sandbox %s crashed on %s %s", self.router.name, req.method, req.path)
            reply = self.router.error_body(500, "InternalFailure", f"sandbox error: {exc}")
        if reply.delay:
            time.sleep(reply.delay)
        if reply.drop:
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve


class LocalServer:
    """Serves a :class:`Router` over real HTTP on 127.0.0.1 from a background thread."""

    def __init__(self, router: Router, host: str = "127.0.0.1", port: int = 0) -> None:
        self.router = router
        handler = type(f"{router.name}Handler", (_Handler,), {"router": router})
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LocalServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"sandbox-{self.router.name}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
