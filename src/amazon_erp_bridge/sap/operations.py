"""Generic OData operations, each a pure call builder plus a pure parse (sans-IO).

Read a page of an entity set, read one entity, create (deep insert), update with ``If-Match``
(PATCH, PUT, or MERGE tunnelled through POST), delete, call a function import, fetch
``$metadata`` and ``$count``. Paths are relative to a service root; the service senders of
:mod:`amazon_erp_bridge.sap.client` add the root, the credentials and the CSRF token.

Server-driven paging: V2 answers carry ``__next``, V4 ``@odata.nextLink``. The link's *query*
is followed on the original path, so a gateway that writes its internal host name into the link
(common behind SAP's Cloud Connector or an API proxy) does not lead the client astray.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

import httpx2
from attrs import evolve, field, frozen

from amazon_erp_bridge.core.call import Call, Page
from amazon_erp_bridge.core.sender import json_body
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.sap.errors import SapMessage, sap_messages
from amazon_erp_bridge.sap.query import Query, check_name, function_params
from amazon_erp_bridge.sap.values import (
    dump_json,
    optional,
    parse_date,
    parse_datetime,
    parse_decimal,
)

T = TypeVar("T")

JSON = "application/json"
UPDATE_METHODS = ("PATCH", "PUT", "MERGE")


def _plain(value: Any) -> Any:
    """A payload value without OData bookkeeping: ``results`` unwrapped, metadata dropped."""
    if isinstance(value, Mapping):
        if "__deferred" in value and len(value) == 1:
            return None
        if set(value) <= {"results", "__count", "__next"} and "results" in value:
            return [_plain(v) for v in value["results"]]
        return {
            k: _plain(v)
            for k, v in value.items()
            if k != "__metadata" and not k.startswith("@odata.") and "@odata." not in k
        }
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@frozen
class Entity:
    """One entity as read: its properties (expanded navigation as lists/dicts), ETag, messages.

    ``data`` has the OData bookkeeping removed; ``raw`` is the body as SAP sent it.
    ``messages`` are the ``sap-message`` warnings of the answer that carried it.
    """

    raw: Mapping[str, Any] = field(repr=False)
    etag: str | None = None
    uri: str | None = None
    messages: tuple[SapMessage, ...] = ()
    data: Mapping[str, Any] = field(init=False)

    @data.default
    def _data(self) -> Mapping[str, Any]:
        plain = _plain(self.raw)
        return plain if isinstance(plain, dict) else {}

    @classmethod
    def of(cls, raw: Mapping[str, Any], messages: tuple[SapMessage, ...] = ()) -> Entity:
        """An Entity from a V2 or V4 entity body, with its ETag and URI from the metadata."""
        meta = raw.get("__metadata")
        meta = meta if isinstance(meta, Mapping) else {}
        etag = meta.get("etag") or raw.get("@odata.etag")
        uri = meta.get("uri") or raw.get("@odata.id")
        return cls(raw, etag=etag, uri=uri, messages=messages)

    def __getitem__(self, name: str) -> Any:
        try:
            return self.data[name]
        except KeyError:
            raise KeyError(f"{name} (the entity has {', '.join(sorted(self.data))})") from None

    def get(self, name: str, default: Any = None) -> Any:
        """The property ``name``, or ``default`` when it is missing or null."""
        value = self.data.get(name, default)
        return default if value is None else value

    def text(self, name: str) -> str | None:
        """Property ``name`` as text; None when absent or empty."""
        value = self.data.get(name)
        return None if value is None or value == "" else str(value)

    def required(self, name: str) -> str:
        """Property ``name`` as text; raises if SAP left it out (it names the entity)."""
        value = self.text(name)
        if value is None:
            raise ValidationError(f"{self._name()}: property {name} is missing or empty")
        return value

    def as_decimal(self, name: str) -> Decimal | None:
        """An ``Edm.Decimal`` property, exactly; None when absent."""
        return optional(parse_decimal, self.data.get(name), what=f"{self._name()}.{name}")

    def as_date(self, name: str) -> date | None:
        """An ``Edm.DateTime`` date field (``/Date(ms)/``) as a date; None when absent."""
        return optional(parse_date, self.data.get(name), what=f"{self._name()}.{name}")

    def as_datetime(self, name: str) -> datetime | None:
        """An ``Edm.DateTime``/``Edm.DateTimeOffset`` as an aware datetime; None when absent."""
        return optional(parse_datetime, self.data.get(name), what=f"{self._name()}.{name}")

    def as_bool(self, name: str) -> bool | None:
        """An ``Edm.Boolean``; None when absent."""
        value = self.data.get(name)
        return None if value is None else bool(value)

    def _name(self) -> str:
        return self.uri.rsplit("/", 1)[-1] if self.uri else "entity"

    def children(self, navigation: str) -> tuple[Entity, ...]:
        """The expanded entities of ``navigation`` (``to_Item``), each with its own ETag."""
        value = self.raw.get(navigation)
        if isinstance(value, Mapping) and "results" in value:
            value = value["results"]
        if isinstance(value, Mapping) and "__deferred" not in value:
            value = [value]
        if not isinstance(value, list):
            return ()
        return tuple(Entity.of(v) for v in value if isinstance(v, Mapping))


@frozen
class Updated:
    """The answer to an update, delete or action: the new ETag (if sent) and messages."""

    etag: str | None = None
    messages: tuple[SapMessage, ...] = ()


@frozen
class FunctionResult:
    """What a function import returned (entities, a complex value or a list) and messages."""

    value: Any
    messages: tuple[SapMessage, ...] = ()


@frozen
class Collection:
    """One page of a collection with the total SAP counted (``$inlinecount``/``$count``)."""

    entities: tuple[Entity, ...]
    count: int | None = None
    next_link: str | None = None


def identity(entity: Entity) -> Entity:
    return entity


def _limit_key(path: str, op: str) -> str:
    return f"sap.{path.split('(', 1)[0].split('/', 1)[0]}.{op}"


def _headers(version: int, body: bool = False) -> dict[str, str]:
    headers = {"Accept": JSON}
    if body:
        headers["Content-Type"] = JSON if version == 2 else f"{JSON};IEEE754Compatible=true"
    return headers


def entities_of(body: Any) -> tuple[list[Mapping[str, Any]], str | None]:
    """The entity dicts of a collection answer and its next link, for V2 and V4 bodies."""
    if isinstance(body, Mapping) and "d" in body:
        d = body["d"]
        if isinstance(d, list):
            return d, None
        if isinstance(d, Mapping) and isinstance(d.get("results"), list):
            return d["results"], d.get("__next")
        raise ValidationError("OData V2 answer: 'd' holds neither a list nor 'results'")
    if isinstance(body, Mapping) and isinstance(body.get("value"), list):
        return body["value"], body.get("@odata.nextLink")
    raise ValidationError("OData answer: no 'd.results' (V2) or 'value' (V4) collection")


def entity_of(body: Any) -> Mapping[str, Any]:
    """The entity dict of a single-entity answer (V2 ``{"d": {...}}`` or a V4 object)."""
    if isinstance(body, Mapping) and "d" in body:
        d = body["d"]
        if isinstance(d, Mapping):
            return d
        raise ValidationError("OData V2 answer: 'd' is not an entity object")
    if isinstance(body, Mapping):
        return body
    raise ValidationError("OData answer: expected an entity object")


def _next_params(link: str) -> dict[str, str]:
    params = dict(parse_qsl(urlsplit(link).query, keep_blank_values=True))
    if not params:
        raise ValidationError(f"OData next link {link!r} has no query to follow")
    return params


def read_page(
    path: str,
    query: Query | None,
    token: str | None,
    *,
    version: int = 2,
    item: Callable[[Entity], T],
    limit_key: str = "",
) -> Call[Page[T]]:
    """One page of ``path`` (an entity set or navigation); ``token`` is the previous next link."""
    params = _next_params(token) if token else (query or Query()).params(version)

    def parse(response: httpx2.Response) -> Page[T]:
        rows, link = entities_of(json_body(response))
        messages = sap_messages(response)
        items = tuple(item(Entity.of(r, messages)) for r in rows)
        return Page(items, link or None)

    return Call(
        "GET",
        path,
        parse=parse,
        params=params,
        headers=_headers(version),
        limit_key=limit_key or _limit_key(path, "read"),
    )


def read_collection(path: str, query: Query | None = None, *, version: int = 2) -> Call[Collection]:
    """One page of ``path`` with the server's total count (asks for it when ``query`` did not)."""
    query = evolve(query or Query(), count=True)

    def parse(response: httpx2.Response) -> Collection:
        body = json_body(response)
        rows, link = entities_of(body)
        messages = sap_messages(response)
        raw = body["d"].get("__count") if "d" in body else body.get("@odata.count")
        count = int(raw) if raw is not None else None
        return Collection(tuple(Entity.of(r, messages) for r in rows), count, link or None)

    return Call(
        "GET",
        path,
        parse=parse,
        params=query.params(version),
        headers=_headers(version),
        limit_key=_limit_key(path, "read"),
    )


def _single(item: Callable[[Entity], T]) -> Callable[[httpx2.Response], T]:
    def parse(response: httpx2.Response) -> T:
        messages = sap_messages(response)
        if response.status_code == 204 or not response.content:
            return item(Entity({}, etag=response.headers.get("etag"), messages=messages))
        entity = Entity.of(entity_of(json_body(response)), messages)
        if entity.etag is None and response.headers.get("etag"):
            entity = Entity(entity.raw, response.headers["etag"], entity.uri, messages)
        return item(entity)

    return parse


def read_entity(
    path: str,
    query: Query | None = None,
    *,
    version: int = 2,
    item: Callable[[Entity], T],
    limit_key: str = "",
) -> Call[T]:
    """One entity by its path (``A_SalesOrder('4711')``), with ``$expand``/``$select``."""
    params = (query or Query()).params(version)
    return Call(
        "GET",
        path,
        parse=_single(item),
        params=params,
        headers=_headers(version),
        limit_key=limit_key or _limit_key(path, "read"),
    )


def create_entity(
    path: str,
    payload: Mapping[str, Any],
    *,
    version: int = 2,
    item: Callable[[Entity], T],
    limit_key: str = "",
) -> Call[T]:
    """POST ``payload`` (a deep insert when it holds navigation properties); 201 -> entity."""
    if not isinstance(payload, Mapping):
        raise ValidationError(f"OData create {path}: payload must be a mapping of properties")
    return Call(
        "POST",
        path,
        parse=_single(item),
        content=dump_json(payload, version),
        headers=_headers(version, body=True),
        limit_key=limit_key or _limit_key(path, "create"),
    )


def _updated(response: httpx2.Response) -> Updated:
    return Updated(etag=response.headers.get("etag"), messages=sap_messages(response))


def _if_match(etag: str | None) -> dict[str, str]:
    return {"If-Match": etag} if etag else {}


def update_entity(
    path: str,
    changes: Mapping[str, Any],
    *,
    etag: str | None,
    method: str = "PATCH",
    version: int = 2,
    limit_key: str = "",
) -> Call[Updated]:
    """Change an entity: PATCH (default), PUT, or MERGE (sent as POST + ``X-HTTP-Method``).

    ``etag`` goes into ``If-Match``; SAP answers 412 when it is stale and 428 when the entity
    needs one and none was sent (both raise PreconditionFailedError). ``"*"`` matches any.
    """
    method = method.upper()
    if method not in UPDATE_METHODS:
        raise ValidationError(f"OData update {path}: method must be one of {UPDATE_METHODS}")
    headers = {**_headers(version, body=True), **_if_match(etag)}
    if method == "MERGE":
        headers["X-HTTP-Method"] = "MERGE"
    return Call(
        "POST" if method == "MERGE" else method,
        path,
        parse=_updated,
        content=dump_json(changes, version),
        headers=headers,
        limit_key=limit_key or _limit_key(path, "update"),
    )


def delete_entity(path: str, *, etag: str | None, limit_key: str = "") -> Call[Updated]:
    """DELETE an entity, with ``If-Match`` when an ETag is given."""
    return Call(
        "DELETE",
        path,
        parse=_updated,
        headers={"Accept": JSON, **_if_match(etag)},
        limit_key=limit_key or _limit_key(path, "delete"),
    )


def _function_value(body: Any, name: str) -> Any:
    if isinstance(body, Mapping) and "d" in body:
        d = body["d"]
        if isinstance(d, Mapping) and set(d) == {name}:
            d = d[name]
        return _plain(d)
    if isinstance(body, Mapping) and "value" in body and len(body) <= 2:
        return _plain(body["value"])
    return _plain(body)


def invoke_function(
    name: str,
    params: Mapping[str, Any],
    *,
    method: str = "POST",
    etag: str | None = None,
    version: int = 2,
    limit_key: str = "",
) -> Call[FunctionResult]:
    """Call a V2 function import (``PostGoodsIssue?DeliveryDocument='80000001'``).

    Parameters travel in the URL as OData literals. Some SAP actions are bound to an entity
    with an ETag (``sap:action-for``) and want its ETag in ``If-Match``: pass ``etag``.
    """
    check_name(name, "function import")

    def parse(response: httpx2.Response) -> FunctionResult:
        messages = sap_messages(response)
        if response.status_code == 204 or not response.content:
            return FunctionResult(None, messages)
        return FunctionResult(_function_value(json_body(response), name), messages)

    headers = {**_headers(version), **_if_match(etag)}
    return Call(
        method.upper(),
        name,
        parse=parse,
        params=function_params(params, version),
        headers=headers,
        limit_key=limit_key or f"sap.{name}",
    )


def read_count(path: str, query: Query | None = None, *, version: int = 2) -> Call[int]:
    """How many entities ``path`` holds under ``query``'s filter (``/$count``)."""
    params = {k: v for k, v in (query or Query()).params(version).items() if k == "$filter"}

    def parse(response: httpx2.Response) -> int:
        return int(response.text.strip())

    return Call(
        "GET",
        f"{path}/$count",
        parse=parse,
        params=params,
        headers={"Accept": "text/plain"},
        limit_key=_limit_key(path, "count"),
    )


def read_metadata() -> Call[bytes]:
    """The service's ``$metadata`` document (EDMX), as bytes."""

    def parse(response: httpx2.Response) -> bytes:
        return response.content

    return Call(
        "GET",
        "$metadata",
        parse=parse,
        headers={"Accept": "application/xml"},
        limit_key="sap.metadata",
    )
