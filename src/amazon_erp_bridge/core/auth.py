"""Credentials that add headers to calls: cached tokens refreshed before they expire.

An :class:`Authenticator` is sans-IO: it says which call fetches its token and how to read a
refusal; the sender does the sending. :class:`TokenSource` covers OAuth2-style access tokens
(LWA, ION) and anything else that is fetched, cached and refreshed (SAP CSRF tokens): one
refresh at a time, whether the callers are threads or coroutines.
"""

from __future__ import annotations

import asyncio
import base64
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import httpx2
from attrs import field, frozen

from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.core.redaction import Secret


def _secret(value: str | Secret) -> Secret:
    return value if isinstance(value, Secret) else Secret(value)


def _optional_secret(value: str | Secret | None) -> Secret | None:
    return None if value is None else _secret(value)


@frozen
class AccessToken:
    """A bearer credential and when it stops working (clock seconds; None: until refused)."""

    value: Secret = field(converter=_secret)
    expires_at: float | None = None
    refresh_token: Secret | None = field(default=None, converter=_optional_secret)
    scope: str | None = None


class Authenticator(Protocol):
    """What a sender needs from a credential; implemented by :class:`TokenSource`."""

    def applies(self, call: Call[Any]) -> bool: ...

    def headers(self, send: Callable[[Call[AccessToken]], AccessToken]) -> Mapping[str, str]: ...

    async def headers_async(
        self, send: Callable[[Call[AccessToken]], Awaitable[AccessToken]]
    ) -> Mapping[str, str]: ...

    def rejected(self, response: httpx2.Response) -> bool: ...

    def invalidate(self) -> None: ...


def _always(call: Call[Any]) -> bool:
    return True


def _unauthorized(response: httpx2.Response) -> bool:
    return response.status_code == 401


class TokenSource:
    """Fetches a token with ``fetch`` (a call builder), caches it, refreshes it before expiry.

    ``fetch`` receives the previous token (so it can use a refresh token) and returns the call
    that gets a new one. The token goes into ``header``, formatted by ``template``. A response
    for which ``rejected`` is true invalidates the token: the sender then fetches a new one and
    sends the call once more.
    """

    def __init__(
        self,
        fetch: Callable[[AccessToken | None], Call[AccessToken]],
        *,
        header: str = "Authorization",
        template: str = "Bearer {}",
        refresh_margin: float = 60.0,
        clock: Callable[[], float] = time.time,
        applies: Callable[[Call[Any]], bool] = _always,
        rejected: Callable[[httpx2.Response], bool] = _unauthorized,
    ) -> None:
        self._fetch = fetch
        self.header = header
        self._template = template
        self._margin = refresh_margin
        self._clock = clock
        self._applies = applies
        self._rejected = rejected
        self._token: AccessToken | None = None
        self._lock = threading.Lock()
        self._async_locks: dict[int, asyncio.Lock] = {}
        self.fetch_count = 0

    def applies(self, call: Call[Any]) -> bool:
        return self._applies(call)

    def rejected(self, response: httpx2.Response) -> bool:
        return self._rejected(response)

    def valid(self) -> AccessToken | None:
        """The cached token if it is still good for at least ``refresh_margin`` seconds."""
        token = self._token
        if token is None:
            return None
        if token.expires_at is not None and token.expires_at - self._margin <= self._clock():
            return None
        return token

    def invalidate(self) -> None:
        """Forget the token, keeping its refresh token for the next fetch."""
        token = self._token
        if token is not None:
            self._token = AccessToken(
                token.value, expires_at=0.0, refresh_token=token.refresh_token
            )

    def _format(self, token: AccessToken) -> dict[str, str]:
        return {self.header: self._template.format(token.value.reveal())}

    def _store(self, token: AccessToken) -> AccessToken:
        if token.refresh_token is None and self._token is not None:
            token = AccessToken(
                token.value, token.expires_at, self._token.refresh_token, token.scope
            )
        self._token = token
        self.fetch_count += 1
        return token

    def token(self, send: Callable[[Call[AccessToken]], AccessToken]) -> AccessToken:
        """A valid token, fetched with ``send`` if needed (one fetch at a time across threads)."""
        token = self.valid()
        if token is not None:
            return token
        with self._lock:
            token = self.valid()
            if token is None:
                token = self._store(send(self._fetch(self._token)))
            return token

    async def token_async(
        self, send: Callable[[Call[AccessToken]], Awaitable[AccessToken]]
    ) -> AccessToken:
        """A valid token, fetched with ``send`` if needed (one fetch at a time per event loop)."""
        token = self.valid()
        if token is not None:
            return token
        loop_id = id(asyncio.get_running_loop())
        lock = self._async_locks.setdefault(loop_id, asyncio.Lock())
        async with lock:
            token = self.valid()
            if token is None:
                token = self._store(await send(self._fetch(self._token)))
            return token

    def headers(self, send: Callable[[Call[AccessToken]], AccessToken]) -> Mapping[str, str]:
        return self._format(self.token(send))

    async def headers_async(
        self, send: Callable[[Call[AccessToken]], Awaitable[AccessToken]]
    ) -> Mapping[str, str]:
        return self._format(await self.token_async(send))

    def __repr__(self) -> str:
        state = "cached" if self._token is not None else "empty"
        return f"TokenSource(header={self.header!r}, {state})"


class StaticHeaders:
    """Fixed headers on every call, e.g. HTTP basic auth for an SAP communication user."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._headers = dict(headers)
        for value in self._headers.values():
            Secret(value)  # registers it for redaction

    def applies(self, call: Call[Any]) -> bool:
        return True

    def headers(self, send: Callable[[Call[AccessToken]], AccessToken]) -> Mapping[str, str]:
        return self._headers

    async def headers_async(
        self, send: Callable[[Call[AccessToken]], Awaitable[AccessToken]]
    ) -> Mapping[str, str]:
        return self._headers

    def rejected(self, response: httpx2.Response) -> bool:
        return False

    def invalidate(self) -> None:
        return None

    def __repr__(self) -> str:
        return f"StaticHeaders({sorted(self._headers)})"


def basic_auth(username: str, password: str) -> StaticHeaders:
    """HTTP basic authentication as an authenticator; the password is redacted everywhere."""
    Secret(password)
    pair = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return StaticHeaders({"Authorization": f"Basic {pair}"})
