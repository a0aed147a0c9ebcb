"""The M3 clients: ION API OAuth2, MI execute, and typed programs as attributes.

::

    cfg = IonApiConfig.from_file("tenant.ionapi")
    with M3Client(cfg, cono=100, divi="AAA") as m3:
        m3.execute("CRS610MI", "GetBasicData", {"CUNO": "C1"})   # -> list of records
        m3.customer_orders.find_by_reference("AMAZON_US", "113-1234567-1234567")

Typed programs: ``customer_orders`` (OIS100MI), ``customers`` (CRS610MI), ``items``
(MMS200MI/MMS025MI), ``invoices`` (OIS350MI), ``gl`` (GLS840MI), ``deliveries`` (delivery
confirmation, MWS423MI tracking numbers), ``stock`` (MMS200MI item warehouse balances),
``customer_returns`` (OIS390MI). Every call passes one rate
limiter per tenant (ION counts a tenant's calls together; share a
:class:`~amazon_erp_bridge.core.limiter.RateLimiter` between clients of one tenant), and
429/5xx are retried with backoff and jitter. ``close()`` revokes the tokens.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import httpx2

from amazon_erp_bridge.core.limiter import Rate, RateLimiter
from amazon_erp_bridge.core.redaction import get_logger
from amazon_erp_bridge.core.retry import RetryPolicy
from amazon_erp_bridge.core.sender import AsyncSender, SyncSender
from amazon_erp_bridge.errors import BridgeError
from amazon_erp_bridge.infor import mi
from amazon_erp_bridge.infor.auth import IonTokenSource
from amazon_erp_bridge.infor.customers import AsyncCustomers, Customers
from amazon_erp_bridge.infor.deliveries import AsyncDeliveries, Deliveries
from amazon_erp_bridge.infor.gl import AsyncGeneralLedger, GeneralLedger
from amazon_erp_bridge.infor.invoices import AsyncInvoices, Invoices
from amazon_erp_bridge.infor.ionapi import IonApiConfig
from amazon_erp_bridge.infor.items import DEFAULT_ALIAS_SCHEME, AliasScheme, AsyncItems, Items
from amazon_erp_bridge.infor.mi import MiContext, MiResponse, MiTransaction, Record
from amazon_erp_bridge.infor.orders import AsyncCustomerOrders, CustomerOrders
from amazon_erp_bridge.infor.returns import AsyncCustomerReturns, CustomerReturns
from amazon_erp_bridge.infor.stock import AsyncStock, Stock
from amazon_erp_bridge.infor.values import FieldValue

log = get_logger("amazon_erp_bridge.infor")

#: ION API quotas are set per tenant by its admins and not published; this default keeps a
#: client well below common spike-arrest settings. Pass limiter= to match your tenant.
DEFAULT_RATE = Rate(per_second=10.0, burst=20)

Transactions = Sequence[MiTransaction | tuple[str, Mapping[str, FieldValue]]]


def _context(cono: str | int | None, divi: str | None) -> MiContext:
    return MiContext(str(cono) if cono is not None else None, divi)


def _sender_options(
    config: IonApiConfig,
    auth: IonTokenSource,
    limiter: RateLimiter | None,
    retry: RetryPolicy | None,
    base_url: str | None,
) -> dict[str, Any]:
    return {
        "base_url": base_url or config.base_url,
        "service": "M3",
        "auth": [auth],
        "limiter": limiter if limiter is not None else RateLimiter(default=DEFAULT_RATE),
        "limit_scope": config.tenant or config.client_id,
        "retry": retry,
        "error_reader": mi.read_gateway_error,
    }


class M3Client:
    """Blocking M3 client over ION API (see the module doc for an example)."""

    def __init__(
        self,
        config: IonApiConfig,
        *,
        transport: httpx2.BaseTransport | None = None,
        http: httpx2.Client | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        limiter: RateLimiter | None = None,
        cono: str | int | None = None,
        divi: str | None = None,
        base_url: str | None = None,
        clock: Callable[[], float] = time.time,
        alias_scheme: AliasScheme = DEFAULT_ALIAS_SCHEME,
    ) -> None:
        self.config = config
        self.auth = IonTokenSource(config, clock=clock)
        options = _sender_options(config, self.auth, limiter, retry, base_url)
        self._sender = SyncSender(transport=transport, http=http, sleep=sleep, **options)
        self.context = _context(cono, divi)
        self.customer_orders = CustomerOrders(self._sender, self.context)
        self.customers = Customers(self._sender, self.context)
        self.items = Items(self._sender, self.context, scheme=alias_scheme)
        self.invoices = Invoices(self._sender, self.context)
        self.gl = GeneralLedger(self._sender, self.context)
        self.deliveries = Deliveries(self._sender, self.context)
        self.stock = Stock(self._sender, self.context)
        self.customer_returns = CustomerReturns(self._sender, self.context)

    @property
    def sender(self) -> SyncSender:
        """The sender every MI call goes through (limiter, retries, ION token)."""
        return self._sender

    def execute(
        self,
        program: str,
        transaction: str,
        params: Mapping[str, FieldValue] | None = None,
        *,
        cono: str | int | None = None,
        divi: str | None = None,
        max_records: int | None = 0,
        return_cols: Sequence[str] | None = None,
        idempotent: bool | None = None,
        extra_params: Mapping[str, str] | None = None,
    ) -> list[Record]:
        """Run one MI transaction; its records (trimmed strings). A NOK raises MiError.

        ``max_records=0`` asks for every record (M3's own default is 100); ``None`` leaves
        it to M3. ``idempotent`` overrides whether a timeout may be retried (default: only
        Get/Lst/Search/Sel transactions). ``extra_params`` adds other control parameters
        (``lanc``, ``dateformat``, ``excludeempty``, ``righttrim``, ...).
        """
        return self._sender.send(
            mi.execute(
                program,
                transaction,
                params,
                cono=cono if cono is not None else self.context.cono,
                divi=divi if divi is not None else self.context.divi,
                max_records=max_records,
                return_cols=return_cols,
                idempotent=idempotent,
                extra_params=extra_params,
            )
        )

    def execute_bulk(
        self,
        program: str,
        transactions: Transactions,
        *,
        cono: str | int | None = None,
        divi: str | None = None,
        max_records: int | None = 0,
        raise_on_error: bool = True,
        idempotent: bool | None = None,
    ) -> MiResponse:
        """Run many transactions of ``program`` in one request; one result per transaction."""
        response = self._sender.send(
            mi.bulk(
                program,
                transactions,
                cono=cono if cono is not None else self.context.cono,
                divi=divi if divi is not None else self.context.divi,
                max_records=max_records,
                idempotent=idempotent,
            )
        )
        return response.raise_for_errors() if raise_on_error else response

    def close(self) -> None:
        """Revoke the tokens issued to this client and close its connections."""
        try:
            for call in self.auth.revoke_calls():
                try:
                    if not self._sender.send(call):
                        log.warning("ION API did not confirm the revocation of a token")
                except BridgeError as exc:
                    log.warning("could not revoke an ION API token: %s", exc)
            self.auth.forget()
        finally:
            self._sender.close()

    def __enter__(self) -> M3Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"M3Client(tenant={self.config.tenant!r}, cono={self.context.cono!r}, "
            f"divi={self.context.divi!r})"
        )


class AsyncM3Client:
    """The asyncio twin of :class:`M3Client`: same programs, awaited."""

    def __init__(
        self,
        config: IonApiConfig,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        http: httpx2.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        limiter: RateLimiter | None = None,
        cono: str | int | None = None,
        divi: str | None = None,
        base_url: str | None = None,
        clock: Callable[[], float] = time.time,
        alias_scheme: AliasScheme = DEFAULT_ALIAS_SCHEME,
    ) -> None:
        self.config = config
        self.auth = IonTokenSource(config, clock=clock)
        options = _sender_options(config, self.auth, limiter, retry, base_url)
        self._sender = AsyncSender(transport=transport, http=http, sleep=sleep, **options)
        self.context = _context(cono, divi)
        self.customer_orders = AsyncCustomerOrders(self._sender, self.context)
        self.customers = AsyncCustomers(self._sender, self.context)
        self.items = AsyncItems(self._sender, self.context, scheme=alias_scheme)
        self.invoices = AsyncInvoices(self._sender, self.context)
        self.gl = AsyncGeneralLedger(self._sender, self.context)
        self.deliveries = AsyncDeliveries(self._sender, self.context)
        self.stock = AsyncStock(self._sender, self.context)
        self.customer_returns = AsyncCustomerReturns(self._sender, self.context)

    @property
    def sender(self) -> AsyncSender:
        """The sender every MI call goes through (limiter, retries, ION token)."""
        return self._sender

    async def execute(
        self,
        program: str,
        transaction: str,
        params: Mapping[str, FieldValue] | None = None,
        *,
        cono: str | int | None = None,
        divi: str | None = None,
        max_records: int | None = 0,
        return_cols: Sequence[str] | None = None,
        idempotent: bool | None = None,
        extra_params: Mapping[str, str] | None = None,
    ) -> list[Record]:
        """Run one MI transaction; its records. A NOK raises MiError."""
        return await self._sender.send(
            mi.execute(
                program,
                transaction,
                params,
                cono=cono if cono is not None else self.context.cono,
                divi=divi if divi is not None else self.context.divi,
                max_records=max_records,
                return_cols=return_cols,
                idempotent=idempotent,
                extra_params=extra_params,
            )
        )

    async def execute_bulk(
        self,
        program: str,
        transactions: Transactions,
        *,
        cono: str | int | None = None,
        divi: str | None = None,
        max_records: int | None = 0,
        raise_on_error: bool = True,
        idempotent: bool | None = None,
    ) -> MiResponse:
        """Run many transactions of ``program`` in one request; one result per transaction."""
        response = await self._sender.send(
            mi.bulk(
                program,
                transactions,
                cono=cono if cono is not None else self.context.cono,
                divi=divi if divi is not None else self.context.divi,
                max_records=max_records,
                idempotent=idempotent,
            )
        )
        return response.raise_for_errors() if raise_on_error else response

    async def aclose(self) -> None:
        """Revoke the tokens issued to this client and close its connections."""
        try:
            for call in self.auth.revoke_calls():
                try:
                    if not await self._sender.send(call):
                        log.warning("ION API did not confirm the revocation of a token")
                except BridgeError as exc:
                    log.warning("could not revoke an ION API token: %s", exc)
            self.auth.forget()
        finally:
            await self._sender.aclose()

    async def __aenter__(self) -> AsyncM3Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return (
            f"AsyncM3Client(tenant={self.config.tenant!r}, cono={self.context.cono!r}, "
            f"divi={self.context.divi!r})"
        )
