"""Tokens API 2021-03-01: Restricted Data Tokens (RDT) for operations that return buyer PII.

An RDT covers exactly the restricted resources (method, path, data elements) it was asked for
and is sent in ``x-amz-access-token`` instead of the LWA token on those calls. The cache keeps
one per resource set until shortly before it expires, so a run of PII calls asks for one token.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import httpx2
from attrs import field, frozen

from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.core.redaction import Secret
from amazon_erp_bridge.core.sender import AsyncSender, SyncSender, json_body
from amazon_erp_bridge.errors import ValidationError

PATH: Final = "/tokens/2021-03-01/restrictedDataToken"
MAX_RESOURCES: Final = 50
DATA_ELEMENTS: Final = frozenset({"buyerInfo", "shippingAddress", "buyerTaxInformation"})
_METHODS: Final = frozenset({"GET", "PUT", "POST", "DELETE"})


def _elements(value: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(sorted(set(value or ())))


def _method(value: str) -> str:
    return value.upper()


@frozen
class RestrictedResource:
    """One restricted operation: HTTP method, path (``/orders/v0/orders/{id}``), PII elements."""

    method: str = field(converter=_method)
    path: str
    data_elements: tuple[str, ...] = field(default=(), converter=_elements)

    def __attrs_post_init__(self) -> None:
        if self.method not in _METHODS:
            raise ValidationError(
                f"RestrictedResource.method: expected one of {sorted(_METHODS)}, got "
                f"{self.method!r}"
            )
        if not self.path.startswith("/"):
            raise ValidationError(
                f"RestrictedResource.path: expected a path such as '/orders/v0/orders', got "
                f"{self.path!r}"
            )
        unknown = set(self.data_elements) - DATA_ELEMENTS
        if unknown:
            raise ValidationError(
                f"RestrictedResource.data_elements: unknown {sorted(unknown)}; expected some "
                f"of {sorted(DATA_ELEMENTS)}"
            )

    def to_json(self) -> dict[str, Any]:
        """The resource as createRestrictedDataToken expects it (method, path, dataElements)."""
        out: dict[str, Any] = {"method": self.method, "path": self.path}
        if self.data_elements:
            out["dataElements"] = list(self.data_elements)
        return out


ResourceLike = RestrictedResource | Mapping[str, Any]


def resource(value: ResourceLike) -> RestrictedResource:
    """A RestrictedResource from itself or from the API's dict ``{method, path, dataElements}``."""
    if isinstance(value, RestrictedResource):
        return value
    try:
        return RestrictedResource(
            value["method"], value["path"], tuple(value.get("dataElements") or ())
        )
    except KeyError as exc:
        raise ValidationError(
            f"restricted resource {dict(value)!r}: missing {exc.args[0]!r} "
            "(expected method and path, optionally dataElements)"
        ) from None


@frozen
class RestrictedDataToken:
    """An RDT and its lifetime in seconds; the value never shows in repr or logs."""

    token: Secret
    expires_in: int


def _parse_rdt(response: httpx2.Response) -> RestrictedDataToken:
    body = json_body(response)
    value = body["restrictedDataToken"]
    if not isinstance(value, str) or not value:
        raise ValueError("restrictedDataToken is empty")
    return RestrictedDataToken(Secret(value), int(body.get("expiresIn", 3600)))


def _resources(restricted_resources: Iterable[ResourceLike]) -> tuple[RestrictedResource, ...]:
    resources = tuple(resource(r) for r in restricted_resources)
    if not resources:
        raise ValidationError("restricted_resources: give at least one resource")
    if len(resources) > MAX_RESOURCES:
        raise ValidationError(
            f"restricted_resources: {len(resources)} given, SP-API allows at most {MAX_RESOURCES}"
        )
    return resources


def create_restricted_data_token(
    restricted_resources: Iterable[ResourceLike], target_application: str | None = None
) -> Call[RestrictedDataToken]:
    """createRestrictedDataToken for exactly ``restricted_resources`` (at most 50)."""
    body: dict[str, Any] = {
        "restrictedResources": [r.to_json() for r in _resources(restricted_resources)]
    }
    if target_application:
        body["targetApplication"] = target_application
    return Call(
        "POST",
        PATH,
        parse=_parse_rdt,
        json=body,
        limit_key="tokens.createRestrictedDataToken",
        idempotent=True,
    )


class RdtCache:
    """RDTs by resource set, kept until ``margin`` seconds before they expire."""

    def __init__(self, clock: Callable[[], float] = time.time, margin: float = 60.0) -> None:
        self._clock = clock
        self._margin = margin
        self._tokens: dict[frozenset[RestrictedResource], tuple[Secret, float]] = {}
        self._lock = threading.Lock()
        self.fetch_count = 0

    @staticmethod
    def key(resources: Iterable[ResourceLike]) -> frozenset[RestrictedResource]:
        return frozenset(resource(r) for r in resources)

    def get(self, resources: Iterable[ResourceLike]) -> Secret | None:
        """The cached token for this resource set, if it is still good."""
        with self._lock:
            entry = self._tokens.get(self.key(resources))
        if entry is None or entry[1] - self._margin <= self._clock():
            return None
        return entry[0]

    def put(self, resources: Iterable[ResourceLike], token: RestrictedDataToken) -> Secret:
        with self._lock:
            self.fetch_count += 1
            self._tokens[self.key(resources)] = (token.token, self._clock() + token.expires_in)
        return token.token

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


class TokensApi:
    """Tokens API for the sync client."""

    def __init__(self, sender: SyncSender, cache: RdtCache | None = None) -> None:
        self._sender = sender
        self.cache = cache or RdtCache()

    def restricted_data_token(
        self,
        restricted_resources: Sequence[ResourceLike],
        target_application: str | None = None,
    ) -> RestrictedDataToken:
        """A new RDT for exactly ``restricted_resources``."""
        call = create_restricted_data_token(restricted_resources, target_application)
        return self._sender.send(call)

    def cached_token(self, restricted_resources: Sequence[ResourceLike]) -> Secret:
        """An RDT for these resources, from the cache or fetched (and cached) now."""
        token = self.cache.get(restricted_resources)
        if token is None:
            fetched = self.restricted_data_token(restricted_resources)
            token = self.cache.put(restricted_resources, fetched)
        return token


class AsyncTokensApi:
    """Tokens API for the async client."""

    def __init__(self, sender: AsyncSender, cache: RdtCache | None = None) -> None:
        self._sender = sender
        self.cache = cache or RdtCache()

    async def restricted_data_token(
        self,
        restricted_resources: Sequence[ResourceLike],
        target_application: str | None = None,
    ) -> RestrictedDataToken:
        """A new RDT for exactly ``restricted_resources``."""
        call = create_restricted_data_token(restricted_resources, target_application)
        return await self._sender.send(call)

    async def cached_token(self, restricted_resources: Sequence[ResourceLike]) -> Secret:
        """An RDT for these resources, from the cache or fetched (and cached) now."""
        token = self.cache.get(restricted_resources)
        if token is None:
            fetched = await self.restricted_data_token(restricted_resources)
            token = self.cache.put(restricted_resources, fetched)
        return token
