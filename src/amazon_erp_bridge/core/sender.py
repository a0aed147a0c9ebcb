"""The only code that does HTTP: one sync and one async sender for every operation.

A sender takes a :class:`~amazon_erp_bridge.core.call.Call`, waits for the rate limiter, adds
credentials, sends it with retries, turns error answers into BridgeErrors and hands the response
to the call's pure ``parse``. Operations are never written per sender.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import httpx2
from attrs import frozen

from amazon_erp_bridge import __version__
from amazon_erp_bridge.core.auth import AccessToken, Authenticator
from amazon_erp_bridge.core.call import Call, PageCall
from amazon_erp_bridge.core.limiter import RateLimiter
from amazon_erp_bridge.core.redaction import get_logger
from amazon_erp_bridge.core.retry import RetryPolicy, parse_retry_after
from amazon_erp_bridge.errors import (
    ApiError,
    BridgeError,
    RateLimitedError,
    TransportError,
    ValidationError,
)
from amazon_erp_bridge.limits import loads_json

T = TypeVar("T")

log = get_logger("amazon_erp_bridge.http")

USER_AGENT = f"amazon-erp-bridge/{__version__}"
DEFAULT_TIMEOUT = httpx2.Timeout(30.0, connect=10.0)

#: Exceptions a parse function may raise on a body of the wrong shape.
_SHAPE_ERRORS = (KeyError, IndexError, TypeError, ValueError, AttributeError)


@frozen
class ErrorInfo:
    """What a service's error body says: its code, message and details."""

    message: str
    code: str | None = None
    details: Any = None


def read_error_text(response: httpx2.Response) -> ErrorInfo:
    """Fallback error reader: the start of the body, or the reason phrase."""
    text = response.text.strip() if response.content else ""
    return ErrorInfo(text[:500] or response.reason_phrase or "no error body")


ErrorReader = Callable[[httpx2.Response], ErrorInfo]
ResponseHook = Callable[[Call[Any], httpx2.Response], None]


class _Sender:
    """What both senders share: building requests and reading outcomes, all pure."""

    def __init__(
        self,
        base_url: str,
        *,
        service: str,
        auth: Sequence[Authenticator] = (),
        limiter: RateLimiter | None = None,
        limit_scope: str = "",
        retry: RetryPolicy | None = None,
        error_reader: ErrorReader = read_error_text,
        request_id_header: str = "x-request-id",
        hooks: Sequence[ResponseHook] = (),
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.service = service
        self.auth = tuple(auth)
        self.limiter = limiter
        self.limit_scope = limit_scope
        self.retry = retry or RetryPolicy()
        self._error_reader = error_reader
        self._request_id_header = request_id_header
        self.hooks = list(hooks)

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def _request(
        self,
        http: httpx2.Client | httpx2.AsyncClient,
        call: Call[Any],
        auth_headers: Mapping[str, str],
    ) -> httpx2.Request:
        headers = {**auth_headers, **call.headers}
        timeout = httpx2.Timeout(call.timeout) if call.timeout is not None else http.timeout
        # Passing params (even empty) would drop a query already in the URL (pre-signed URLs).
        params = {k: v if isinstance(v, str) else list(v) for k, v in call.params.items()}
        return http.build_request(
            call.method,
            self.url(call.path),
            params=params or None,
            headers=headers,
            json=call.json,
            content=call.content,
            data=call.form,
            timeout=timeout,
        )

    def _applicable(self, call: Call[Any]) -> list[Authenticator]:
        if not call.authenticated:
            return []
        return [a for a in self.auth if a.applies(call)]

    def _request_id(self, response: httpx2.Response) -> str | None:
        value: str | None = response.headers.get(self._request_id_header)
        return value

    def _after(self, call: Call[Any], response: httpx2.Response) -> None:
        if log.isEnabledFor(logging.DEBUG):  # the request id lookup is not free
            log.debug(
                "%s %s %s -> %s (%s)",
                self.service,
                call.method,
                call.path,
                response.status_code,
                self._request_id(response) or "-",
            )
        if response.status_code == 429 and self.limiter is not None and call.limit_key:
            self.limiter.throttled(call.limit_key, self.limit_scope)
        for hook in self.hooks:
            hook(call, response)

    def error_for(self, call: Call[Any], response: httpx2.Response) -> ApiError:
        """The BridgeError that a non-accepted answer stands for."""
        try:
            info = self._error_reader(response)
        except Exception:  # an unreadable error body must not hide the HTTP status
            info = read_error_text(response)
        kw: dict[str, Any] = {
            "status": response.status_code,
            "code": info.code,
            "request_id": self._request_id(response),
            "service": self.service,
            "details": info.details,
            "operation": call.limit_key,
            "retry_after": parse_retry_after(response.headers.get("retry-after")),
        }
        if response.status_code == 429:
            return RateLimitedError(info.message, **kw)
        return ApiError(info.message, **kw)

    def outcome(self, call: Call[T], response: httpx2.Response) -> T:
        """Parse an accepted answer, or raise the error it stands for."""
        if not call.accepts(response.status_code):
            raise self.error_for(call, response)
        try:
            return call.parse(response)
        except UnreadableBodyError as exc:
            raise ApiError(
                f"unreadable response ({exc.message})",
                status=response.status_code,
                request_id=self._request_id(response),
                service=self.service,
                operation=call.limit_key,
            ) from exc
        except BridgeError:
            raise
        except _SHAPE_ERRORS as exc:
            raise ApiError(
                f"unreadable response ({type(exc).__name__}: {exc})",
                status=response.status_code,
                request_id=self._request_id(response),
                service=self.service,
                operation=call.limit_key,
            ) from exc

    def transport_error(self, call: Call[Any], exc: httpx2.TransportError) -> TransportError:
        sent = not isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout | httpx2.PoolTimeout)
        timeout = isinstance(exc, httpx2.TimeoutException)
        what = "timed out" if timeout else f"failed ({type(exc).__name__})"
        return TransportError(
            f"{self.service} {call.method} {call.path} {what}: {exc}", timeout=timeout, sent=sent
        )


def _default_client(client_cls: type[Any], transport: Any, cert: Any, verify: Any) -> Any:
    kwargs: dict[str, Any] = {
        "timeout": DEFAULT_TIMEOUT,
        "headers": {"User-Agent": USER_AGENT},
        "follow_redirects": False,
    }
    if transport is not None:
        kwargs["transport"] = transport
    if cert is not None:
        kwargs["cert"] = cert
    if verify is not None:
        kwargs["verify"] = verify
    return client_cls(**kwargs)


class SyncSender(_Sender):
    """Sends calls with an ``httpx2.Client``; blocks on the limiter and between retries."""

    def __init__(
        self,
        base_url: str,
        *,
        http: httpx2.Client | None = None,
        transport: httpx2.BaseTransport | None = None,
        cert: Any = None,
        verify: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        **kw: Any,
    ) -> None:
        super().__init__(base_url, **kw)
        self._owns_http = http is None
        self.http: httpx2.Client = http or _default_client(httpx2.Client, transport, cert, verify)
        self._sleep = sleep

    def send(self, call: Call[T]) -> T:
        """Send ``call`` (with limiter, credentials and retries) and return what it parses to."""
        return self.retry.run(call, lambda: self.outcome(call, self._exchange(call)), self._sleep)

    def _exchange(self, call: Call[Any], *, stream: bool = False) -> httpx2.Response:
        if self.limiter is not None and call.limit_key:
            self.limiter.acquire(call.limit_key, self.limit_scope, self._sleep)
        authenticators = self._applicable(call)
        for refreshed in (False, True):
            headers: dict[str, str] = {}
            for a in authenticators:
                headers.update(a.headers(self._send_token))
            request = self._request(self.http, call, headers)
            try:
                response = self.http.send(request, stream=stream)
            except httpx2.TransportError as exc:
                raise self.transport_error(call, exc) from exc
            refused = [a for a in authenticators if a.rejected(response)]
            if refused and not refreshed:
                log.debug("%s %s: credential refused, refreshing once", self.service, call.path)
                response.close()
                for a in refused:
                    a.invalidate()
                continue
            break
        self._after(call, response)
        return response

    def _send_token(self, call: Call[AccessToken]) -> AccessToken:
        return self.send(call)

    def pages(self, make: PageCall[T]) -> Iterator[T]:
        """Every item of every page, fetching the next page only when needed."""
        token: str | None = None
        while True:
            page = self.send(make(token))
            yield from page.items
            if not page.next_token:
                return
            if page.next_token == token:
                raise ApiError(
                    "the server returned the same page token twice; stopping to avoid a loop",
                    status=200,
                    service=self.service,
                )
            token = page.next_token

    def iter_bytes(self, call: Call[Any], chunk_size: int = 65536) -> Iterator[bytes]:
        """Stream the body of ``call``'s answer in chunks, without holding it in memory."""
        for attempt in self.retry.retrying(call, self._sleep):
            with attempt:
                response = self._exchange(call, stream=True)
                if not call.accepts(response.status_code):
                    response.read()
                    response.close()
                    raise self.error_for(call, response)
        try:
            yield from response.iter_bytes(chunk_size)
        except httpx2.TransportError as exc:
            raise self.transport_error(call, exc) from exc
        finally:
            response.close()

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> SyncSender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncSender(_Sender):
    """Sends calls with an ``httpx2.AsyncClient``; awaits the limiter and between retries."""

    def __init__(
        self,
        base_url: str,
        *,
        http: httpx2.AsyncClient | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
        cert: Any = None,
        verify: Any = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        **kw: Any,
    ) -> None:
        super().__init__(base_url, **kw)
        self._owns_http = http is None
        self.http: httpx2.AsyncClient = http or _default_client(
            httpx2.AsyncClient, transport, cert, verify
        )
        self._sleep = sleep

    async def send(self, call: Call[T]) -> T:
        """Send ``call`` (with limiter, credentials and retries) and return what it parses to."""

        async def attempt() -> T:
            return self.outcome(call, await self._exchange(call))

        return await self.retry.run_async(call, attempt, self._sleep)

    async def _exchange(self, call: Call[Any], *, stream: bool = False) -> httpx2.Response:
        if self.limiter is not None and call.limit_key:
            await self.limiter.acquire_async(call.limit_key, self.limit_scope, self._sleep)
        authenticators = self._applicable(call)
        for refreshed in (False, True):
            headers: dict[str, str] = {}
            for a in authenticators:
                headers.update(await a.headers_async(self._send_token))
            request = self._request(self.http, call, headers)
            try:
                response = await self.http.send(request, stream=stream)
            except httpx2.TransportError as exc:
                raise self.transport_error(call, exc) from exc
            refused = [a for a in authenticators if a.rejected(response)]
            if refused and not refreshed:
                log.debug("%s %s: credential refused, refreshing once", self.service, call.path)
                await response.aclose()
                for a in refused:
                    a.invalidate()
                continue
            break
        self._after(call, response)
        return response

    async def _send_token(self, call: Call[AccessToken]) -> AccessToken:
        return await self.send(call)

    async def pages(self, make: PageCall[T]) -> AsyncIterator[T]:
        """Every item of every page, fetching the next page only when needed."""
        token: str | None = None
        while True:
            page = await self.send(make(token))
            for item in page.items:
                yield item
            if not page.next_token:
                return
            if page.next_token == token:
                raise ApiError(
                    "the server returned the same page token twice; stopping to avoid a loop",
                    status=200,
                    service=self.service,
                )
            token = page.next_token

    async def iter_bytes(self, call: Call[Any], chunk_size: int = 65536) -> AsyncIterator[bytes]:
        """Stream the body of ``call``'s answer in chunks, without holding it in memory."""
        async for attempt in self.retry.retrying_async(call, self._sleep):
            with attempt:
                response = await self._exchange(call, stream=True)
                if not call.accepts(response.status_code):
                    await response.aread()
                    await response.aclose()
                    raise self.error_for(call, response)
        try:
            async for chunk in response.aiter_bytes(chunk_size):
                yield chunk
        except httpx2.TransportError as exc:
            raise self.transport_error(call, exc) from exc
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self.http.aclose()

    async def __aenter__(self) -> AsyncSender:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def json_body(response: httpx2.Response) -> Any:
    """The JSON body of ``response``; numbers with a fraction become Decimal, never float.

    Read with :func:`~amazon_erp_bridge.limits.loads_json`: size, nesting depth and number
    sizes are checked before the work, and anything malformed is a ValidationError (a
    ``ValueError`` too) naming the request and the position.
    """
    try:
        request = response.request
        what = f"answer to {request.method} {request.url.path} (HTTP {response.status_code})"
    except RuntimeError:  # a Response built without its request (tests, hooks)
        what = f"HTTP {response.status_code} answer"
    try:
        return loads_json(response.content, what=what)
    except ValidationError as exc:
        raise UnreadableBodyError(exc.message) from None


class UnreadableBodyError(ValidationError):
    """A response body that is not the bounded JSON :func:`json_body` reads.

    Raised inside a call's ``parse``, the sender turns it into an
    :class:`~amazon_erp_bridge.errors.ApiError` carrying the status and request id.
    """
