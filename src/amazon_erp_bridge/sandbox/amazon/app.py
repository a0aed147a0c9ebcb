"""The fake SP-API and LWA on one router: auth, per-operation token buckets, request ids.

``FakeSpApi`` holds a :class:`SpApiState` and a :class:`~amazon_erp_bridge.sandbox.server.Router`.
Each fake API module registers its operations with :meth:`FakeSpApi.operation`, which checks the
access token (or restricted data token), takes a token from the operation's bucket (429
``QuotaExceeded`` when empty, as Amazon does) and stamps ``x-amzn-RequestId`` and
``x-amzn-RateLimit-Limit`` on the answer. To add an API, add its ``register`` to ``_APIS``.
"""

from __future__ import annotations

import random
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Final, Literal, Protocol

from attrs import frozen

from amazon_erp_bridge.model import Order, Return
from amazon_erp_bridge.sandbox.amazon import documents as _documents
from amazon_erp_bridge.sandbox.amazon import feeds as _feeds
from amazon_erp_bridge.sandbox.amazon import finances as _finances
from amazon_erp_bridge.sandbox.amazon import fulfillment as _fulfillment
from amazon_erp_bridge.sandbox.amazon import inventory as _inventory
from amazon_erp_bridge.sandbox.amazon import lwa as _lwa
from amazon_erp_bridge.sandbox.amazon import notifications as _notifications
from amazon_erp_bridge.sandbox.amazon import orders as _orders
from amazon_erp_bridge.sandbox.amazon import reports as _reports
from amazon_erp_bridge.sandbox.amazon import tokens as _tokens
from amazon_erp_bridge.sandbox.amazon._generated_rates import PUBLISHED_RATES
from amazon_erp_bridge.sandbox.amazon.state import DEFAULT_START, IssuedRdt, seeded
from amazon_erp_bridge.sandbox.amazon.wire import (
    ACCESS_TOKEN_HEADER,
    RATE_LIMIT_HEADER,
    REQUEST_ID_HEADER,
)
from amazon_erp_bridge.sandbox.server import Reply, Router, SandboxRequest

#: Every fake API's ``register(fake)``; one line per API group.
_APIS: Final[tuple[Callable[[FakeSpApi], None], ...]] = (
    _lwa.register,
    _tokens.register,
    _orders.register,
    _finances.register,
    _inventory.register,
    _documents.register,  # before reports and feeds, which store documents
    _reports.register,
    _feeds.register,
    _fulfillment.register,
    _notifications.register,
)

DENIED: Final = "Access to requested resource is denied."
QUOTA_MESSAGE: Final = "You exceeded your quota for the requested resource."

PiiMode = Literal["none", "optional", "required"]


@frozen
class Caller:
    """Who is calling an operation: application, selling partner, and PII the RDT grants."""

    client_id: str
    seller_id: str | None
    pii: frozenset[str] = frozenset()
    restricted: bool = False  # True when the call carried a valid restricted data token


OperationHandler = Callable[[SandboxRequest, "re.Match[str]", Caller], Reply]


class ManualClock:
    """A clock tests move by hand; ``sleep`` advances it instead of waiting."""

    def __init__(self, start: float | datetime = DEFAULT_START) -> None:
        self.now = start.timestamp() if isinstance(start, datetime) else float(start)
        self._lock = threading.Lock()
        self.slept = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.now += max(seconds, 0.0)
            self.slept += max(seconds, 0.0)

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


class Rate(Protocol):
    """A usage plan: ``per_second`` tokens refill each second, up to ``burst`` (duck-typed, so
    callers may pass the client's ``core.limiter.Rate`` or the fake's :class:`Quota`)."""

    @property
    def per_second(self) -> float: ...

    @property
    def burst(self) -> int: ...


@frozen
class Quota:
    """The fake's own usage plan record, read from the published rates table."""

    per_second: float
    burst: int


class _Bucket:
    """A server-side token bucket; a tiny tolerance absorbs float rounding at the boundary."""

    __slots__ = ("burst", "rate", "tokens", "updated")

    def __init__(self, rate: Rate, now: float) -> None:
        self.rate = rate.per_second
        self.burst = float(rate.burst)
        self.tokens = float(rate.burst)
        self.updated = now

    def take(self, now: float) -> bool:
        if now > self.updated:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
        if self.tokens < 1.0 - 1e-6:
            return False
        self.tokens -= 1.0
        return True


def _template(path: str) -> re.Pattern[str]:
    parts = re.split(r"\{[^/{}]+\}", path)
    return re.compile("[^/]+".join(re.escape(p) for p in parts) + r"\Z")


def rdt_covers(rdt: IssuedRdt, method: str, path: str) -> frozenset[str] | None:
    """The data elements an RDT grants for ``method path``, or None if it does not cover it."""
    for r_method, r_path, elements in rdt.resources:
        if r_method == method and _template(r_path).match(path):
            return frozenset(elements)
    return None


class FakeSpApi:
    """A stateful fake of SP-API and Login with Amazon for tests, examples and the demo.

    ``seed`` makes the seeded orders, events and stock deterministic; ``clock`` (epoch seconds)
    drives token expiry and the token buckets, so a test can share one manual clock between
    the client's limiter and the fake. Serve it with ``LocalServer(fake.router)`` or in-process
    with ``fake.router.transport()``; :meth:`client` builds a client wired to it.
    """

    BASE_URL: Final = "https://sellingpartnerapi.sandbox.test"
    CLIENT_ID: Final = "amzn1.application-oa2-client.sandbox0000000000000000000000"
    CLIENT_SECRET: Final = "sandbox-client-secret-0000"
    REFRESH_TOKEN: Final = "Atzr|sandbox-refresh-token-0000"

    # Set by the API modules' ``register``: their state and test switches.
    documents: _documents.FakeDocuments
    reports: _reports.ReportsFake
    feeds: _feeds.FeedsFake
    fulfillment: _fulfillment.FulfillmentFake

    def __init__(
        self,
        seed: int = 0,
        *,
        clock: Callable[[], float] = time.time,
        orders: int = 60,
        start: datetime = DEFAULT_START,
        days: int = 30,
        rates: dict[str, Rate] | None = None,
        token_ttl: int = 3600,
        page_size: int = 20,
    ) -> None:
        self.clock = clock
        self.seed = seed
        self.rng = random.Random(seed)
        self.state = seeded(seed, orders=orders, start=start, days=days)
        self.state.clients[self.CLIENT_ID] = self.CLIENT_SECRET
        self.state.refresh_tokens[self.REFRESH_TOKEN] = self.state.seller_id
        # Amazon's published usage plans, generated from the models: never the client's table.
        published = {key: Quota(rate, burst) for key, (rate, burst) in PUBLISHED_RATES.items()}
        self.rates: dict[str, Rate] = {**published, **(rates or {})}
        self.token_ttl = token_ttl
        #: Most items per page the fake returns, whatever the caller asks (forces paging).
        self.page_size = page_size
        #: Finances: a listFinancialEvents window longer than this (seconds) answers 400
        #: InvalidInput once it is past its first page, like Amazon's 10 MB response cap.
        self.finance_window_limit: float | None = None
        self.enforce_rates = True
        self.router = Router("sp-api", error_body=self.error)
        self._buckets: dict[tuple[str, str, str], _Bucket] = {}
        self._lock = threading.Lock()
        self.throttled = 0
        #: 429s answered because a bucket was empty, by operation (faults not counted).
        self.throttled_by: Counter[str] = Counter()
        for register in _APIS:
            register(self)

    # -- time, ids and errors ---------------------------------------------------------------

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def new_id(self) -> str:
        with self._lock:
            return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def token_value(self, prefix: str) -> str:
        with self._lock:
            return f"{prefix}{self.rng.getrandbits(160):040x}"

    def error(self, status: int, code: str, message: str, details: str = "") -> Reply:
        """An SP-API error answer: ``{"errors": [{code, message, details}]}`` with a request id."""
        body = {"errors": [{"code": code, "message": message, "details": details}]}
        return Reply.json(body, status, {REQUEST_ID_HEADER: self.new_id()})

    # -- operations ------------------------------------------------------------------------

    def operation(
        self,
        method: str,
        pattern: str,
        limit_key: str,
        *,
        pii: PiiMode = "none",
        grantless_scope: str | None = None,
    ) -> Callable[[OperationHandler], OperationHandler]:
        """Register an SP-API operation: auth, bucket and headers around ``handler``.

        ``pii="optional"``: an RDT covering the path unlocks PII (``caller.pii``), the LWA token
        works without it. ``pii="required"``: only an RDT covering the path is accepted.
        ``grantless_scope``: the operation wants a client-credentials token of that scope.
        """

        def register(handler: OperationHandler) -> OperationHandler:
            def wrapped(req: SandboxRequest, m: re.Match[str]) -> Reply:
                caller = self._authenticate(req, pii, grantless_scope)
                if isinstance(caller, Reply):
                    return caller
                if not self._take(caller, limit_key):
                    self.throttled += 1
                    self.throttled_by[limit_key] += 1
                    return self.error(429, "QuotaExceeded", QUOTA_MESSAGE)
                reply = handler(req, m, caller)
                reply.headers.setdefault(REQUEST_ID_HEADER, self.new_id())
                rate = self.rates.get(limit_key)
                if rate is not None and 200 <= reply.status < 300:
                    reply.headers[RATE_LIMIT_HEADER] = f"{rate.per_second:g}"
                return reply

            self.router.route(method, pattern)(wrapped)
            return handler

        return register

    def _authenticate(
        self, req: SandboxRequest, pii: PiiMode, grantless_scope: str | None
    ) -> Caller | Reply:
        token = req.headers.get(ACCESS_TOKEN_HEADER.lower())
        if not token:
            return self.error(403, "Unauthorized", DENIED, "The request has no access token.")
        now = self.clock()
        rdt = self.state.rdts.get(token)
        if rdt is not None:
            if pii == "none":
                return self.error(403, "Unauthorized", DENIED, "")
            if rdt.expires_at <= now:
                return self.error(
                    403, "Unauthorized", DENIED, "The restricted data token has expired."
                )
            elements = rdt_covers(rdt, req.method, req.path)
            if elements is None:
                return self.error(403, "Unauthorized", DENIED, "")
            return Caller(rdt.client_id, rdt.seller_id, elements, restricted=True)
        issued = self.state.access_tokens.get(token)
        if issued is None:
            return self.error(
                403,
                "Unauthorized",
                DENIED,
                "The access token you provided is revoked, malformed or invalid.",
            )
        if issued.expires_at <= now:
            return self.error(
                403, "Unauthorized", DENIED, "The access token you provided has expired."
            )
        if pii == "required":
            return self.error(403, "Unauthorized", DENIED, "")
        if grantless_scope is not None and issued.scope != grantless_scope:
            return self.error(403, "Unauthorized", DENIED, "")
        if grantless_scope is None and issued.seller_id is None:
            return self.error(403, "Unauthorized", DENIED, "")
        return Caller(issued.client_id, issued.seller_id)

    def _take(self, caller: Caller, limit_key: str) -> bool:
        if not self.enforce_rates:
            return True
        rate = self.rates.get(limit_key)
        if rate is None:
            return True
        key = (caller.seller_id or "", caller.client_id, limit_key)
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(rate, self.clock())
            return bucket.take(self.clock())

    def set_rate(self, limit_key: str, rate: Rate) -> None:
        """Change an operation's rate (and reset its buckets); the header reports the new one."""
        with self._lock:
            self.rates[limit_key] = rate
            for key in [k for k in self._buckets if k[2] == limit_key]:
                del self._buckets[key]

    # -- test helpers ----------------------------------------------------------------------

    def add_order(self, order: Order) -> Order:
        """Add an order (canonical model) that both Orders API versions will return."""
        return self.state.add_order(order)

    def cancel_order(self, order_id: str, *, reason: str = "NoInventory") -> Order:
        """Cancel a listed order now (see :meth:`SpApiState.cancel_order`): the next read of
        either Orders version shows it cancelled with a newer last-update time."""
        return self.state.cancel_order(order_id, self.now(), reason=reason)

    def add_return(self, ret: Return) -> Return:
        """Add a return the returns reports will list: FBA customer returns when
        ``fulfilled_by_amazon``, else merchant returns (``return_id`` ``<RMA>/<SKU>``)."""
        self.state.returns.append(ret)
        return ret

    def add_orders(self, orders: Iterable[Order]) -> None:
        for order in orders:
            self.add_order(order)

    def expire_tokens(self) -> None:
        """Make every issued access token and RDT expire now (the next call gets a 403)."""
        now = self.clock()
        for value, token in list(self.state.access_tokens.items()):
            self.state.access_tokens[value] = type(token)(
                token.client_id, token.seller_id, token.scope, now
            )
        for value, rdt in list(self.state.rdts.items()):
            self.state.rdts[value] = type(rdt)(rdt.resources, rdt.client_id, rdt.seller_id, now)

    def revoke_refresh_token(self, refresh_token: str | None = None) -> None:
        """Revoke a refresh token (the seeded one by default): LWA then answers invalid_grant."""
        self.state.refresh_tokens.pop(refresh_token or self.REFRESH_TOKEN, None)

    def requests_to(self, pattern: str) -> list[SandboxRequest]:
        """Requests received whose path matches the regex ``pattern``."""
        return [r for r in self.router.requests if re.search(pattern, r.path)]
