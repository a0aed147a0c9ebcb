"""The SP-API clients: one sender with LWA, limiter, retries and Amazon's error reader.

Both clients are built the same way; each API group is an attribute constructed from the one
sender (``OrdersApi(sender, ...)`` / ``AsyncOrdersApi(sender, ...)``). A group's operations are
written once, as pure call builders and parsers in its module; the group classes only send them.
To add a group, add one line to each client's ``__init__``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import httpx2

from amazon_erp_bridge.amazon import endpoints
from amazon_erp_bridge.amazon._generated.index import AsyncApis, SyncApis
from amazon_erp_bridge.amazon.errors import RATE_LIMIT_HEADER, REQUEST_ID_HEADER, read_error
from amazon_erp_bridge.amazon.feeds import AsyncFeedsApi, FeedsApi
from amazon_erp_bridge.amazon.finances import AsyncFinancesApi, FinancesApi
from amazon_erp_bridge.amazon.fulfillment import AsyncFulfillmentApi, FulfillmentApi
from amazon_erp_bridge.amazon.inventory import AsyncInventoryApi, InventoryApi
from amazon_erp_bridge.amazon.listings import AsyncListingsApi, ListingsApi
from amazon_erp_bridge.amazon.lwa import (
    GRANTLESS_SCOPES,
    LwaCredentials,
    grantless_token_source,
    seller_token_source,
)
from amazon_erp_bridge.amazon.operation import restricted_resource, with_token
from amazon_erp_bridge.amazon.orders import AsyncOrdersApi, OrdersApi
from amazon_erp_bridge.amazon.rates import RATES
from amazon_erp_bridge.amazon.reports import AsyncReportsApi, ReportsApi
from amazon_erp_bridge.amazon.subscriptions import AsyncNotificationsApi, NotificationsApi
from amazon_erp_bridge.amazon.tokens import AsyncTokensApi, RdtCache, TokensApi
from amazon_erp_bridge.amazon.transfers import AsyncTransfersApi, TransfersApi
from amazon_erp_bridge.core.auth import TokenSource
from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.core.limiter import RateLimiter
from amazon_erp_bridge.core.redaction import get_logger
from amazon_erp_bridge.core.retry import RetryPolicy
from amazon_erp_bridge.core.sender import AsyncSender, SyncSender
from amazon_erp_bridge.errors import ConfigurationError

log = get_logger("amazon_erp_bridge.amazon")

T = TypeVar("T")

SERVICE = "SP-API"


def follow_rate_limit(
    limiter: RateLimiter, scope: str
) -> Callable[[Call[Any], httpx2.Response], None]:
    """A sender hook: set the operation's bucket to the rate in ``x-amzn-RateLimit-Limit``."""

    last: dict[str, str] = {}  # limit key -> the header value last followed

    def hook(call: Call[Any], response: httpx2.Response) -> None:
        value = response.headers.get(RATE_LIMIT_HEADER)
        if not value or not call.limit_key or last.get(call.limit_key) == value:
            return
        try:
            rate = float(value)
        except ValueError:
            log.debug("ignoring unreadable %s header %r", RATE_LIMIT_HEADER, value)
            return
        limiter.set_rate(call.limit_key, rate, scope)
        last[call.limit_key] = value

    return hook


class _Setup:
    """What both clients derive from their arguments: URLs, credentials, limiter, scope."""

    def __init__(
        self,
        credentials: LwaCredentials,
        *,
        region: str,
        endpoint: str | None,
        lwa_endpoint: str | None,
        sandbox: bool,
        selling_partner_id: str | None,
        limiter: RateLimiter | None,
        clock: Callable[[], float],
    ) -> None:
        if not isinstance(credentials, LwaCredentials):
            raise ConfigurationError(
                "SpApiClient: credentials must be LwaCredentials(client_id=..., "
                f"client_secret=..., refresh_token=...), got {type(credentials).__name__}"
            )
        self.region = endpoints.region(region)
        self.base_url = endpoint or (
            self.region.sandbox_endpoint if sandbox else self.region.endpoint
        )
        self.token_url = lwa_endpoint or endpoints.LWA_TOKEN_URL
        self.clock = clock
        # One token of headroom: jittered arrivals must not empty the server-side bucket.
        self.limiter = limiter or RateLimiter(RATES, headroom=1)
        # Amazon counts requests per selling partner and application.
        self.scope = f"{selling_partner_id or ''}|{credentials.client_id}"
        scopes = dict.fromkeys([*credentials.scopes, *GRANTLESS_SCOPES.values()])
        self.token_sources: list[TokenSource] = [
            seller_token_source(credentials, self.token_url, clock),
            *(grantless_token_source(credentials, s, self.token_url, clock) for s in scopes),
        ]

    def sender_options(self, retry: RetryPolicy | None) -> dict[str, Any]:
        return {
            "service": SERVICE,
            "auth": self.token_sources,
            "limiter": self.limiter,
            "limit_scope": self.scope,
            "retry": retry,
            "error_reader": read_error,
            "request_id_header": REQUEST_ID_HEADER,
            "hooks": [follow_rate_limit(self.limiter, self.scope)],
        }


class SpApiClient:
    """Synchronous SP-API client for one selling partner (or grantless application).

    ``region`` picks the endpoint (``"na"``, ``"eu"``, ``"fe"``); ``endpoint`` and
    ``lwa_endpoint`` override the SP-API base URL and the LWA token URL (sandbox, tests).
    ``selling_partner_id`` separates rate-limit buckets of several sellers sharing a limiter.
    ``clock`` times token expiry; ``sleep`` waits for the limiter and between retries.
    """

    def __init__(
        self,
        credentials: LwaCredentials,
        *,
        region: str = "na",
        endpoint: str | None = None,
        lwa_endpoint: str | None = None,
        sandbox: bool = False,
        selling_partner_id: str | None = None,
        transport: httpx2.BaseTransport | None = None,
        http: httpx2.Client | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        limiter: RateLimiter | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        setup = _Setup(
            credentials,
            region=region,
            endpoint=endpoint,
            lwa_endpoint=lwa_endpoint,
            sandbox=sandbox,
            selling_partner_id=selling_partner_id,
            limiter=limiter,
            clock=clock,
        )
        self.credentials = credentials
        self.region = setup.region.code
        self.limiter = setup.limiter
        self._sender = SyncSender(
            setup.base_url,
            http=http,
            transport=transport,
            sleep=sleep,
            **setup.sender_options(retry),
        )
        self.sender = self._sender
        self.tokens = TokensApi(self._sender, RdtCache(clock))
        self.orders = OrdersApi(self._sender, self.tokens)
        self.finances = FinancesApi(self._sender, clock)
        self.transfers = TransfersApi(self._sender)
        self.inventory = InventoryApi(self._sender)
        self.reports = ReportsApi(self._sender, sleep=sleep, clock=clock)
        self.feeds = FeedsApi(self._sender, sleep=sleep, clock=clock)
        self.listings = ListingsApi(self._sender)
        self.fulfillment = FulfillmentApi(self._sender)
        self.notifications = NotificationsApi(self._sender)
        #: Every operation of every SP-API model, generated: ``client.api.orders_v0.get_orders``.
        self.api = SyncApis(self.send)

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        keyring_service: str | None = None,
        **kw: Any,
    ) -> SpApiClient:
        """A client configured from the environment variables python-amazon-sp-api users set.

        ``SP_API_REFRESH_TOKEN``, ``LWA_APP_ID``, ``LWA_CLIENT_SECRET`` (required),
        ``SP_API_REGION``, ``SP_API_SELLING_PARTNER_ID``, ``SP_API_ENDPOINT``,
        ``SP_API_LWA_ENDPOINT`` (optional); ``env`` defaults to ``os.environ``. With
        ``keyring_service`` the secrets missing from the environment come from the OS keyring.
        Keyword arguments go to the constructor and win over the environment. Every missing
        variable is named in one ConfigurationError; no value is ever logged.
        """
        from amazon_erp_bridge.amazon.environment import spapi_settings_from_env

        credentials, args = spapi_settings_from_env(
            env, keyring_service=keyring_service, overrides=kw
        )
        return cls(credentials, **args)

    def send(self, call: Call[T], *, data_elements: Sequence[str] = ()) -> T:
        """Send any call (a generated one or your own) with limiter, retries and credentials.

        A restricted operation gets a Restricted Data Token first (cached per resource):
        always where Amazon requires one, and for Orders v0 PII when ``data_elements`` (e.g.
        ``["buyerInfo", "shippingAddress"]``) asks for it.
        """
        resource = restricted_resource(call, data_elements)
        if resource is not None:
            call = with_token(call, self.tokens.cached_token([resource]))
        return self._sender.send(call)

    @property
    def base_url(self) -> str:
        """The SP-API base URL this client sends to (region endpoint, sandbox or override)."""
        return self._sender.base_url

    def close(self) -> None:
        """Close the HTTP connections (the client cannot send afterwards)."""
        self._sender.close()

    def __enter__(self) -> SpApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SpApiClient({self.credentials!r}, base_url={self.base_url!r})"


class AsyncSpApiClient:
    """Asynchronous SP-API client; the same arguments and API groups as :class:`SpApiClient`."""

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        keyring_service: str | None = None,
        **kw: Any,
    ) -> AsyncSpApiClient:
        """An async client from the variables :meth:`SpApiClient.from_env` reads."""
        from amazon_erp_bridge.amazon.environment import spapi_settings_from_env

        credentials, args = spapi_settings_from_env(
            env, keyring_service=keyring_service, overrides=kw
        )
        return cls(credentials, **args)

    def __init__(
        self,
        credentials: LwaCredentials,
        *,
        region: str = "na",
        endpoint: str | None = None,
        lwa_endpoint: str | None = None,
        sandbox: bool = False,
        selling_partner_id: str | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
        http: httpx2.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        # asyncio.sleep itself: the limiter then wakes waiting calls early when a higher rate
        # is learned (any other function is taken for a test's clock and slept once).
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        limiter: RateLimiter | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        setup = _Setup(
            credentials,
            region=region,
            endpoint=endpoint,
            lwa_endpoint=lwa_endpoint,
            sandbox=sandbox,
            selling_partner_id=selling_partner_id,
            limiter=limiter,
            clock=clock,
        )
        self.credentials = credentials
        self.region = setup.region.code
        self.limiter = setup.limiter
        self._sender = AsyncSender(
            setup.base_url,
            http=http,
            transport=transport,
            sleep=sleep,
            **setup.sender_options(retry),
        )
        self.sender = self._sender
        self.tokens = AsyncTokensApi(self._sender, RdtCache(clock))
        self.orders = AsyncOrdersApi(self._sender, self.tokens)
        self.finances = AsyncFinancesApi(self._sender, clock)
        self.transfers = AsyncTransfersApi(self._sender)
        self.inventory = AsyncInventoryApi(self._sender)
        self.reports = AsyncReportsApi(self._sender, sleep=sleep, clock=clock)
        self.feeds = AsyncFeedsApi(self._sender, sleep=sleep, clock=clock)
        self.listings = AsyncListingsApi(self._sender)
        self.fulfillment = AsyncFulfillmentApi(self._sender)
        self.notifications = AsyncNotificationsApi(self._sender)
        #: Every operation of every SP-API model, generated: ``await client.api.orders_v0...``.
        self.api = AsyncApis(self.send)

    async def send(self, call: Call[T], *, data_elements: Sequence[str] = ()) -> T:
        """Send any call with limiter, retries and credentials; see :meth:`SpApiClient.send`."""
        resource = restricted_resource(call, data_elements)
        if resource is not None:
            call = with_token(call, await self.tokens.cached_token([resource]))
        return await self._sender.send(call)

    @property
    def base_url(self) -> str:
        """The SP-API base URL this client sends to (region endpoint, sandbox or override)."""
        return self._sender.base_url

    async def aclose(self) -> None:
        """Close the HTTP connections (the client cannot send afterwards)."""
        await self._sender.aclose()

    async def __aenter__(self) -> AsyncSpApiClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"AsyncSpApiClient({self.credentials!r}, base_url={self.base_url!r})"
