"""What every generated SP-API operation shares: its record, wire encoding and client binding.

``tools/codegen`` writes one module per API version under ``amazon/_generated/``; each
operation there is a call builder that hands its typed arguments to :func:`build`, which turns
them into a :class:`~amazon_erp_bridge.core.call.Call` exactly as the model says: path
parameters percent-encoded, query arrays joined as their ``collectionFormat`` says (``csv``:
one comma-joined value, ``multi``: the parameter repeated), ``date-time`` values written as
ISO 8601 UTC, and the body sent as JSON with Decimals written as exact numbers.

The same module binds the builders to a client: ``client.api.orders_v0.get_orders(...)`` sends
and parses in one step (``SyncGroup``), ``await aclient.api.orders_v0.get_orders(...)`` does the
same on the async client (``AsyncGroup``); both go through the client's ``send``, so rate
limits, retries, LWA and restricted data tokens apply to every generated operation alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final, Generic, Literal, ParamSpec, TypeVar, overload
from urllib.parse import quote

import httpx2
from attrs import evolve, frozen

from amazon_erp_bridge.amazon._generated.index import RESTRICTED
from amazon_erp_bridge.amazon.lwa import ACCESS_TOKEN_HEADER
from amazon_erp_bridge.amazon.tokens import RestrictedResource
from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.core.redaction import Secret
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.limits import loads_json

P = ParamSpec("P")
T = TypeVar("T")

#: A JSON number as the models type it: sent from any of these, read back as int or Decimal.
Number = Decimal | int | float
#: A ``date-time`` parameter: an aware datetime (written as ISO 8601 UTC) or the text itself.
DateTimeLike = datetime | date | str

#: Whether an operation needs a Restricted Data Token: never, only for PII data elements, always.
Restriction = Literal["none", "optional", "required"]

CollectionFormat = Literal["csv", "multi", "ssv", "tsv", "pipes"]
_SEPARATORS: Final = {"csv": ",", "ssv": " ", "tsv": "\t", "pipes": "|"}
#: Responses larger than this are refused by the generic JSON reader (256 MiB).
MAX_RESPONSE_BYTES: Final = 256 * 1024 * 1024


@frozen
class Operation:
    """One operation of an SP-API model: where it lives, its documented usage plan, its RDT need.

    ``limit_key`` keys the rate limiter (``"<api>.<operationId>"``); ``rate`` (requests per
    second) and ``burst`` come from the usage plan in the model's description, None where the
    model documents none. ``model`` is the spec file it was generated from.
    """

    api: str
    operation_id: str
    method: str
    path: str
    limit_key: str
    rate: float | None
    burst: int | None
    deprecated: bool = False
    restricted: Restriction = "none"
    model: str = ""


def _scalar(value: object, *, what: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValidationError(f"{what}: expected an aware datetime, got naive {value!r}")
        text = value.astimezone(UTC).isoformat(timespec="seconds")
        return text.replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str | int | float | Decimal):
        return str(value)
    raise ValidationError(f"{what}: expected text, a number or a date, got {type(value).__name__}")


def query_value(
    value: object, *, what: str, collection_format: CollectionFormat | None = None
) -> str | list[str]:
    """One query parameter as the wire wants it (arrays joined per ``collection_format``)."""
    if collection_format is None:
        return _scalar(value, what=what)
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise ValidationError(
            f"{what}: expected a list of values, got {type(value).__name__} {value!r}"
        )
    items = [_scalar(v, what=what) for v in value]
    if collection_format == "multi":
        return items
    return _SEPARATORS[collection_format].join(items)


def path_value(value: object, *, what: str) -> str:
    """A path parameter, percent-encoded whole (a ``/`` in a SKU must not start a new segment)."""
    text = _scalar(value, what=what)
    if not text:
        raise ValidationError(f"{what}: a path parameter cannot be empty")
    return quote(text, safe="")


_DECIMAL_MARK: Final = re.compile(r'"\\u0000N:([-+0-9.Ee]+)\\u0000"')


def _mark(data: Any) -> Any:
    if isinstance(data, Decimal):
        if not data.is_finite():
            raise ValidationError(f"request body: {data} is not a JSON number")
        return f"\x00N:{data}\x00"
    if isinstance(data, Mapping):
        return {k: _mark(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_mark(v) for v in data]
    if isinstance(data, datetime | date):
        return _scalar(data, what="request body")
    return data


def dump_body(body: object) -> bytes:
    """The JSON bytes of a request body; Decimals are written as exact JSON numbers."""
    text = json.dumps(_mark(body), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return _DECIMAL_MARK.sub(r"\1", text).encode()


def read_json(response: httpx2.Response) -> Any:
    """The JSON body of an answer (numbers with a fraction as Decimal); None when it is empty."""
    if not response.content:
        return None
    what = f"SP-API answer {response.request.method} {response.request.url.path}"
    return loads_json(response.content, what=what, max_bytes=MAX_RESPONSE_BYTES)


def build(
    operation: Operation,
    *,
    path: Mapping[str, object] | None = None,
    query: Mapping[str, str | list[str] | None] | None = None,
    headers: Mapping[str, str | None] | None = None,
    body: object = None,
) -> Call[Any]:
    """The call for ``operation``: path template filled, Nones dropped, body as JSON."""
    url = operation.path
    for name, value in (path or {}).items():
        url = url.replace("{" + name + "}", path_value(value, what=f"{operation.api}.{name}"))
    params = {k: v for k, v in (query or {}).items() if v is not None}
    sent_headers = {k: v for k, v in (headers or {}).items() if v is not None}
    content: bytes | None = None
    if body is not None:
        content = dump_body(body)
        sent_headers["Content-Type"] = "application/json"
    return Call(
        operation.method,
        url,
        parse=read_json,
        params=params,
        headers=sent_headers,
        content=content,
        limit_key=operation.limit_key,
    )


def restricted_resource(
    call: Call[Any], data_elements: Sequence[str] = ()
) -> RestrictedResource | None:
    """The resource to get an RDT for before sending ``call``, or None if it needs none.

    Amazon's restricted operations (the generated ``RESTRICTED`` table, by ``limit_key``) need
    one: ``required`` ones always, ``optional`` ones (Orders v0 getOrders, getOrder,
    getOrderItems; Reports getReportDocument of a restricted report type) only when
    ``data_elements`` asks for PII. A call that already carries a token is left alone.
    """
    restriction = RESTRICTED.get(call.limit_key, "none")
    if ACCESS_TOKEN_HEADER in call.headers or restriction == "none":
        return None
    if restriction == "optional" and not data_elements:
        return None
    return RestrictedResource(call.method, call.path, tuple(data_elements))


def with_token(call: Call[T], token: Secret) -> Call[T]:
    """``call`` carrying ``token`` (an RDT) in ``x-amz-access-token`` instead of the LWA token."""
    return evolve(call, headers={**call.headers, ACCESS_TOKEN_HEADER: token.reveal()})


class SyncGroup:
    """One generated API module bound to a sync client: each operation sends and parses."""

    def __init__(self, send: Callable[[Call[Any]], Any]) -> None:
        self._send = send


class AsyncGroup:
    """One generated API module bound to an async client: each operation is awaited."""

    def __init__(self, send: Callable[[Call[Any]], Coroutine[Any, Any, Any]]) -> None:
        self._send = send


class bound(Generic[P, T]):
    """A call builder as a group attribute: on a sync group it sends, on an async one it awaits.

    On the class itself it is the builder, so ``orders_v0.Sync.get_orders(...)`` is the Call.
    """

    def __init__(self, builder: Callable[P, Call[T]]) -> None:
        self.builder = builder
        self.__doc__ = builder.__doc__

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Callable[P, Call[T]]: ...

    @overload
    def __get__(self, obj: SyncGroup, owner: type[Any]) -> Callable[P, T]: ...

    @overload
    def __get__(self, obj: AsyncGroup, owner: type[Any]) -> Callable[P, Coroutine[Any, Any, T]]: ...

    def __get__(self, obj: SyncGroup | AsyncGroup | None, owner: type[Any]) -> Any:
        builder = self.builder
        if obj is None:
            return builder
        send = obj._send

        def operation(*args: P.args, **kwargs: P.kwargs) -> Any:
            return send(builder(*args, **kwargs))

        operation.__name__ = builder.__name__
        operation.__doc__ = builder.__doc__
        return operation
