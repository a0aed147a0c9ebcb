"""The SAP S/4HANA clients: one HTTP session, one sender per OData service, CSRF handled.

``ODataClient`` (blocking) and ``AsyncODataClient`` share everything but the I/O: the operations
are the pure call builders of :mod:`~amazon_erp_bridge.sap.operations` and the service modules.
One httpx client holds the connection pool and the session cookies that SAP binds CSRF tokens
to; each OData service root gets its own sender with its own CSRF token source, all sharing
the user's credentials (basic, OAuth2 client credentials) and the X.509 certificate if any::

    client = ODataClient("https://my-s4.example.com", auth=basic("COMM_USER", password))
    orders = SalesOrderService(client)
    order = orders.get("4711")

Answers that are errors become :class:`~amazon_erp_bridge.sap.errors.ODataError` (or its
subclasses); 429 and 5xx are retried with backoff and jitter (GETs and idempotent calls; POSTs
only on 429), and ``sap-message`` warnings are logged under ``amazon_erp_bridge.sap``.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar

import httpx2
from attrs import evolve

from amazon_erp_bridge.core.auth import Authenticator
from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.core.limiter import RateLimiter
from amazon_erp_bridge.core.retry import RetryPolicy
from amazon_erp_bridge.core.sender import (
    DEFAULT_TIMEOUT,
    USER_AGENT,
    AsyncSender,
    ResponseHook,
    SyncSender,
)
from amazon_erp_bridge.errors import ApiError, ValidationError
from amazon_erp_bridge.sap import operations as ops
from amazon_erp_bridge.sap.batch import BatchItem, BatchResult, batch
from amazon_erp_bridge.sap.csrf import csrf_token
from amazon_erp_bridge.sap.errors import log_sap_messages, odata_error
from amazon_erp_bridge.sap.operations import Entity, FunctionResult, Updated
from amazon_erp_bridge.sap.query import Query, entity_path
from amazon_erp_bridge.sap.soap import soap_error
from amazon_erp_bridge.sap.values import VERSIONS

T = TypeVar("T")

Auth = Authenticator | Sequence[Authenticator] | None


#: The query parameter that picks the logon client of an on-premise system with several.
SAP_CLIENT = "sap-client"
_CLIENT = re.compile(r"^\d{3}$")


class _SapClientParam:
    """Adds ``sap-client`` to every request a sender builds (CSRF fetch and paging included);
    calls to absolute URLs (an OAuth token endpoint outside the system) go without it."""

    sap_client: str | None = None

    def _request(
        self, http: Any, call: Call[Any], auth_headers: Mapping[str, str]
    ) -> httpx2.Request:
        absolute = call.path.startswith(("http://", "https://"))  # e.g. an OAuth token URL
        if self.sap_client is not None and SAP_CLIENT not in call.params and not absolute:
            call = evolve(call, params={**call.params, SAP_CLIENT: self.sap_client})
        request: httpx2.Request = super()._request(http, call, auth_headers)  # type: ignore[misc]
        return request


def check_sap_client(value: str | None) -> str | None:
    """``value`` if it is an SAP client number (three digits, e.g. ``"100"``), else raise."""
    if value is not None and not (isinstance(value, str) and _CLIENT.match(value)):
        raise ValidationError(f"sap_client {value!r}: expected three digits such as '100'")
    return value


class ODataSender(_SapClientParam, SyncSender):
    """A blocking sender for one OData service root; error answers become ODataErrors."""

    version: int = 2

    def error_for(self, call: Call[Any], response: httpx2.Response) -> ApiError:
        return odata_error(response, service=self.service, operation=call.limit_key)


class AsyncODataSender(_SapClientParam, AsyncSender):
    """An asyncio sender for one OData service root; error answers become ODataErrors."""

    version: int = 2

    def error_for(self, call: Call[Any], response: httpx2.Response) -> ApiError:
        return odata_error(response, service=self.service, operation=call.limit_key)


class SoapSender(_SapClientParam, SyncSender):
    """A blocking sender for SAP's SOAP services (no CSRF); faults become SoapFaultErrors."""

    def error_for(self, call: Call[Any], response: httpx2.Response) -> ApiError:
        return soap_error(response, service=self.service, operation=call.limit_key)


class AsyncSoapSender(_SapClientParam, AsyncSender):
    """An asyncio sender for SAP's SOAP services (no CSRF); faults become SoapFaultErrors."""

    def error_for(self, call: Call[Any], response: httpx2.Response) -> ApiError:
        return soap_error(response, service=self.service, operation=call.limit_key)


def _auth_list(auth: Auth) -> list[Authenticator]:
    if auth is None:
        return []
    if isinstance(auth, Sequence):
        return list(auth)
    return [auth]


def _service_name(path: str) -> str:
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return f"SAP {name}" if name else "SAP"


def _check_path(path: str) -> str:
    if not path.startswith("/"):
        raise ValidationError(
            f"SAP service path {path!r}: expected an absolute path such as "
            "'/sap/opu/odata/sap/API_SALES_ORDER_SRV'"
        )
    return path.rstrip("/")


def _http_options(cert: Any, verify: Any, timeout: Any, transport: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "timeout": timeout if timeout is not None else DEFAULT_TIMEOUT,
        "headers": {"User-Agent": USER_AGENT},
        "follow_redirects": False,
    }
    for name, value in (("cert", cert), ("verify", verify), ("transport", transport)):
        if value is not None:
            options[name] = value
    return options


OS = TypeVar("OS", ODataSender, AsyncODataSender)
SS = TypeVar("SS", SoapSender, AsyncSoapSender)


class _Senders(Generic[OS, SS]):
    """The senders of one client, made on first use; what they share is set here once.

    All share the HTTP client (and so the session cookies CSRF tokens are bound to), the
    credentials, the retry policy, the limiter and the hooks; each OData service root gets its
    own CSRF token source.
    """

    def __init__(
        self,
        odata_cls: type[OS],
        soap_cls: type[SS],
        base_url: str,
        *,
        auth: Auth,
        retry: RetryPolicy | None,
        limiter: RateLimiter | None,
        hooks: Sequence[ResponseHook],
        csrf_method: str,
        clock: Callable[[], float],
        http: Any,
        sleep: Any,
        sap_client: str | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValidationError(f"SAP base URL {base_url!r}: expected http(s)://host[:port]")
        self.base_url = base_url.rstrip("/")
        self._odata_cls: type[OS] = odata_cls
        self._soap_cls: type[SS] = soap_cls
        self._shared: dict[str, Any] = {
            "http": http,
            "sleep": sleep,
            "limiter": limiter,
            "retry": retry,
            "hooks": [log_sap_messages, *hooks],
        }
        self._auth = _auth_list(auth)
        self.sap_client = check_sap_client(sap_client)
        self._csrf_method = csrf_method
        self._clock = clock
        self._odata: dict[str, OS] = {}
        self._soap: SS | None = None

    def odata(self, path: str, version: int) -> OS:
        path = _check_path(path)
        sender = self._odata.get(path)
        if sender is None:
            if version not in VERSIONS:
                raise ValidationError(f"OData version: expected 2 or 4, got {version!r}")
            csrf = csrf_token(method=self._csrf_method, clock=self._clock)
            sender = self._odata_cls(
                self.base_url + path,
                service=_service_name(path),
                auth=[*self._auth, csrf],
                **self._shared,
            )
            sender.version = version
            sender.sap_client = self.sap_client
            self._odata[path] = sender
        return sender

    def soap(self) -> SS:
        if self._soap is None:
            self._soap = self._soap_cls(
                self.base_url, service="SAP SOAP", auth=list(self._auth), **self._shared
            )
            self._soap.sap_client = self.sap_client
        return self._soap

    def __repr__(self) -> str:
        client = f", sap_client={self.sap_client!r}" if self.sap_client else ""
        return f"{self.base_url!r}{client}, services={sorted(self._odata)}"


class ODataClient:
    """A blocking SAP S/4HANA client: OData services and SOAP services of one system.

    ``base_url`` is the system (``https://host:port``); ``sap_client`` the logon client of an
    on-premise system with several (``"100"``), sent as the ``sap-client`` query parameter on
    every request (reads, changes, ``$batch``, the CSRF fetch and SOAP); ``auth`` is
    :func:`~.auth.basic`, :func:`~.auth.oauth_client_credentials`, any authenticator, or a list
    of them; ``cert`` is an
    httpx client certificate (path, or (cert, key[, password])) for X.509 logon; ``transport``
    and ``http`` are for tests and custom networking; ``sleep`` is what retries wait with.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: Auth = None,
        cert: Any = None,
        verify: Any = None,
        timeout: Any = None,
        transport: httpx2.BaseTransport | None = None,
        http: httpx2.Client | None = None,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        hooks: Sequence[ResponseHook] = (),
        sleep: Callable[[float], None] = time.sleep,
        csrf_method: str = "GET",
        clock: Callable[[], float] = time.time,
        sap_client: str | None = None,
    ) -> None:
        self._owns_http = http is None
        options = _http_options(cert, verify, timeout, transport)
        self.http: httpx2.Client = http or httpx2.Client(**options)
        self._senders = _Senders(
            ODataSender,
            SoapSender,
            base_url,
            auth=auth,
            retry=retry,
            limiter=limiter,
            hooks=hooks,
            csrf_method=csrf_method,
            clock=clock,
            http=self.http,
            sleep=sleep,
            sap_client=sap_client,
        )

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        keyring_service: str | None = None,
        **kw: Any,
    ) -> ODataClient:
        """A client from ``SAP_BASE_URL``, ``SAP_USER``, ``SAP_PASSWORD`` and ``SAP_CLIENT``.

        ``env`` defaults to ``os.environ``; ``keyring_service`` reads a missing
        ``SAP_PASSWORD`` from the OS keyring; other keyword arguments go to the constructor.
        Every missing variable is named in one ConfigurationError.
        """
        from amazon_erp_bridge.sap.environment import sap_settings_from_env

        base_url, args = sap_settings_from_env(env, keyring_service=keyring_service, overrides=kw)
        return cls(base_url, **args)

    @property
    def base_url(self) -> str:
        """The system URL every service path is joined to."""
        return self._senders.base_url

    @property
    def sap_client(self) -> str | None:
        """The ``sap-client`` every request carries, if one was given."""
        return self._senders.sap_client

    def service(self, path: str, *, version: int = 2) -> ODataSender:
        """The sender for the OData service at ``path`` (created once, then reused)."""
        return self._senders.odata(path, version)

    def soap(self) -> SoapSender:
        """The sender for SOAP services of this system (paths are given per call)."""
        return self._senders.soap()

    # Generic operations on any service, for entity sets without a typed service.

    def query(self, service: str, entity_set: str, query: Query | None = None) -> Iterator[Entity]:
        """Every entity of ``entity_set`` matching ``query``, following server paging."""
        sender = self.service(service)
        return sender.pages(
            lambda token: ops.read_page(
                entity_set, query, token, version=sender.version, item=ops.identity
            )
        )

    def get(self, service: str, entity_set: str, key: Any, query: Query | None = None) -> Entity:
        """One entity by key (a value, or a dict for a compound key), as the service returns it."""
        sender = self.service(service)
        path = entity_path(entity_set, key, sender.version)
        return sender.send(ops.read_entity(path, query, version=sender.version, item=ops.identity))

    def create(self, service: str, entity_set: str, payload: Mapping[str, Any]) -> Entity:
        """POST a new entity (CSRF token fetched and reused); the created entity as returned."""
        sender = self.service(service)
        return sender.send(
            ops.create_entity(entity_set, payload, version=sender.version, item=ops.identity)
        )

    def update(
        self,
        service: str,
        entity_set: str,
        key: Any,
        changes: Mapping[str, Any],
        *,
        etag: str | None,
        method: str = "PATCH",
    ) -> Updated:
        """Change an entity (PATCH, or PUT/MERGE by ``method``) under its ``etag`` (If-Match)."""
        sender = self.service(service)
        path = entity_path(entity_set, key, sender.version)
        return sender.send(
            ops.update_entity(path, changes, etag=etag, method=method, version=sender.version)
        )

    def delete(self, service: str, entity_set: str, key: Any, *, etag: str | None) -> Updated:
        """Delete an entity under its ``etag`` (If-Match); a changed entity is a 412 error."""
        sender = self.service(service)
        return sender.send(
            ops.delete_entity(entity_path(entity_set, key, sender.version), etag=etag)
        )

    def function(
        self,
        service: str,
        name: str,
        params: Mapping[str, Any],
        *,
        method: str = "POST",
        etag: str | None = None,
    ) -> FunctionResult:
        """Call a function import / action ``name`` with ``params`` (POST unless ``method``)."""
        sender = self.service(service)
        return sender.send(
            ops.invoke_function(name, params, method=method, etag=etag, version=sender.version)
        )

    def batch(self, service: str, items: Sequence[BatchItem]) -> BatchResult:
        """Send ``items`` in one ``$batch`` (change sets atomic); each item's answer, in order."""
        sender = self.service(service)
        return sender.send(batch(items, service=sender.service))

    def metadata(self, service: str) -> bytes:
        """The service's ``$metadata`` document (EDMX), as bytes."""
        return self.service(service).send(ops.read_metadata())

    def close(self) -> None:
        """Close the HTTP connections this client opened (not an ``http`` client you passed)."""
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> ODataClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ODataClient({self._senders!r})"


class AsyncODataClient:
    """The asyncio twin of :class:`ODataClient`: same arguments, ``await`` on every call."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: Auth = None,
        cert: Any = None,
        verify: Any = None,
        timeout: Any = None,
        transport: httpx2.AsyncBaseTransport | None = None,
        http: httpx2.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        hooks: Sequence[ResponseHook] = (),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        csrf_method: str = "GET",
        clock: Callable[[], float] = time.time,
        sap_client: str | None = None,
    ) -> None:
        self._owns_http = http is None
        options = _http_options(cert, verify, timeout, transport)
        self.http: httpx2.AsyncClient = http or httpx2.AsyncClient(**options)
        self._senders = _Senders(
            AsyncODataSender,
            AsyncSoapSender,
            base_url,
            auth=auth,
            retry=retry,
            limiter=limiter,
            hooks=hooks,
            csrf_method=csrf_method,
            clock=clock,
            http=self.http,
            sleep=sleep,
            sap_client=sap_client,
        )

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        keyring_service: str | None = None,
        **kw: Any,
    ) -> AsyncODataClient:
        """An async client from the variables :meth:`ODataClient.from_env` reads."""
        from amazon_erp_bridge.sap.environment import sap_settings_from_env

        base_url, args = sap_settings_from_env(env, keyring_service=keyring_service, overrides=kw)
        return cls(base_url, **args)

    @property
    def base_url(self) -> str:
        """The system URL every service path is joined to."""
        return self._senders.base_url

    @property
    def sap_client(self) -> str | None:
        """The ``sap-client`` every request carries, if one was given."""
        return self._senders.sap_client

    def service(self, path: str, *, version: int = 2) -> AsyncODataSender:
        """The sender for the OData service at ``path`` (created once, then reused)."""
        return self._senders.odata(path, version)

    def soap(self) -> AsyncSoapSender:
        """The sender for SOAP services of this system (paths are given per call)."""
        return self._senders.soap()

    def query(
        self, service: str, entity_set: str, query: Query | None = None
    ) -> AsyncIterator[Entity]:
        """Every entity of ``entity_set`` matching ``query``, following server paging."""
        sender = self.service(service)
        return sender.pages(
            lambda token: ops.read_page(
                entity_set, query, token, version=sender.version, item=ops.identity
            )
        )

    async def get(
        self, service: str, entity_set: str, key: Any, query: Query | None = None
    ) -> Entity:
        """One entity by key (see :meth:`ODataClient.get`)."""
        sender = self.service(service)
        path = entity_path(entity_set, key, sender.version)
        return await sender.send(
            ops.read_entity(path, query, version=sender.version, item=ops.identity)
        )

    async def create(self, service: str, entity_set: str, payload: Mapping[str, Any]) -> Entity:
        """POST a new entity (see :meth:`ODataClient.create`)."""
        sender = self.service(service)
        return await sender.send(
            ops.create_entity(entity_set, payload, version=sender.version, item=ops.identity)
        )

    async def update(
        self,
        service: str,
        entity_set: str,
        key: Any,
        changes: Mapping[str, Any],
        *,
        etag: str | None,
        method: str = "PATCH",
    ) -> Updated:
        """Change an entity under its ``etag`` (see :meth:`ODataClient.update`)."""
        sender = self.service(service)
        path = entity_path(entity_set, key, sender.version)
        return await sender.send(
            ops.update_entity(path, changes, etag=etag, method=method, version=sender.version)
        )

    async def delete(self, service: str, entity_set: str, key: Any, *, etag: str | None) -> Updated:
        """Delete an entity under its ``etag`` (see :meth:`ODataClient.delete`)."""
        sender = self.service(service)
        return await sender.send(
            ops.delete_entity(entity_path(entity_set, key, sender.version), etag=etag)
        )

    async def function(
        self,
        service: str,
        name: str,
        params: Mapping[str, Any],
        *,
        method: str = "POST",
        etag: str | None = None,
    ) -> FunctionResult:
        """Call a function import / action (see :meth:`ODataClient.function`)."""
        sender = self.service(service)
        return await sender.send(
            ops.invoke_function(name, params, method=method, etag=etag, version=sender.version)
        )

    async def batch(self, service: str, items: Sequence[BatchItem]) -> BatchResult:
        """Send ``items`` in one ``$batch`` (see :meth:`ODataClient.batch`)."""
        sender = self.service(service)
        return await sender.send(batch(items, service=sender.service))

    async def metadata(self, service: str) -> bytes:
        """The service's ``$metadata`` document (EDMX), as bytes."""
        return await self.service(service).send(ops.read_metadata())

    async def aclose(self) -> None:
        """Close the HTTP connections this client opened (not an ``http`` client you passed)."""
        if self._owns_http:
            await self.http.aclose()

    async def __aenter__(self) -> AsyncODataClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"AsyncODataClient({self._senders!r})"
