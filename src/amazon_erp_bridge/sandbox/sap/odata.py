"""The OData V2 machinery of the SAP fake: entity sets in memory, queries, JSON, $metadata.

An :class:`EntitySet` holds rows (dicts of Python values: str, Decimal, date, datetime, bool)
and knows its key, property types and navigation properties. This module answers the generic
part of a request: ``$filter`` (through :mod:`.filters`), ``$orderby``, ``$skip``/``$top``,
server-driven paging with ``$skiptoken`` and ``__next``, ``$inlinecount``, ``$select``,
``$expand``, the V2 JSON form of values (``/Date(ms)/``, decimals as strings) and keys in URLs.
Entities are answered with every property of their type in the published metadata (a value the
fake does not keep gets the type's empty value) and every navigation property (deferred, or
expanded when asked).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from attrs import define, field

from amazon_erp_bridge.sandbox.sap.edm import EntitySetInfo, EntityType, ServiceMetadata
from amazon_erp_bridge.sandbox.sap.filters import FilterError, parse_filter, parse_literal

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ODataFailure(Exception):
    """An error the fake answers with: HTTP status, SAP-style code, message and details."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Sequence[Mapping[str, str]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = list(details)
        self.headers = dict(headers or {})


@define
class Navigation:
    """A navigation property: the target set and how its rows point back (source -> target)."""

    target: str
    link: tuple[tuple[str, str], ...]
    many: bool = True


@define
class EntitySet:
    """One entity set of a fake service, with its rows keyed by the key tuple."""

    name: str
    type_name: str
    keys: tuple[str, ...]
    properties: dict[str, str]
    navigations: dict[str, Navigation] = field(factory=dict)
    etag: Callable[[Mapping[str, Any]], str | None] | None = None
    type: EntityType | None = None
    info: EntitySetInfo | None = None
    rows: dict[tuple[Any, ...], dict[str, Any]] = field(factory=dict)

    def key_of(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(row[k] for k in self.keys)

    def put(self, row: dict[str, Any]) -> dict[str, Any]:
        self.rows[self.key_of(row)] = row
        return row

    def get(self, key: tuple[Any, ...]) -> dict[str, Any]:
        row = self.rows.get(key)
        if row is None:
            shown = ",".join(str(k) for k in key)
            raise ODataFailure(
                404, "SANDBOX/NOT_FOUND", f"Resource not found for segment '{self.name}({shown})'"
            )
        return row


# ----------------------------------------------------------------------------- values


def _millis(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000


#: What SAP answers for a property that holds nothing, by type (V2 JSON).
EMPTY: dict[str, Any] = {
    "Edm.String": "",
    "Edm.Decimal": "0",
    "Edm.Boolean": False,
    "Edm.Time": "PT00H00M00S",
    "Edm.Guid": "00000000-0000-0000-0000-000000000000",
    "Edm.Byte": 0,
    "Edm.SByte": 0,
    "Edm.Int16": 0,
    "Edm.Int32": 0,
    "Edm.Int64": "0",
    "Edm.Double": "0",
    "Edm.Single": "0",
    "Edm.Binary": "",
}


def v2_value(value: Any, edm: str) -> Any:
    """A Python value in SAP's V2 JSON form for an ``edm`` property (empty: the type's empty
    value; dates without a value are null, as SAP sends them)."""
    if value is None:
        return EMPTY.get(edm)
    if edm == "Edm.Decimal":
        return format(Decimal(value), "f")
    if edm == "Edm.DateTime":
        if isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        else:
            moment = datetime.combine(value, time(), tzinfo=UTC)
        return f"/Date({_millis(moment)})/"
    if edm == "Edm.DateTimeOffset":
        return f"/Date({_millis(value)}+0000)/"
    if edm == "Edm.Time":
        return f"PT{value.hour:02d}H{value.minute:02d}M{value.second:02d}S"
    if edm == "Edm.Guid":
        return str(value)
    return value


def from_v2(value: Any, edm: str, name: str) -> Any:
    """A payload value sent by a client as a Python value; raises 400 on a wrong form."""
    if value is None:
        return None
    try:
        if edm == "Edm.Decimal":
            if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
                raise ValueError("decimals travel as strings in V2")
            return Decimal(value)
        if edm in ("Edm.DateTime", "Edm.DateTimeOffset"):
            match = re.fullmatch(r"/Date\((-?\d+)(?:[+-]\d{4})?\)/", str(value))
            if match:
                moment = _EPOCH + timedelta(milliseconds=int(match.group(1)))
                return (
                    moment.date() if edm == "Edm.DateTime" and moment.time() == time() else moment
                )
            parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            return parsed if edm == "Edm.DateTimeOffset" else parsed.date()
        if edm == "Edm.Boolean":
            if not isinstance(value, bool):
                raise ValueError("expected true or false")
            return value
        if edm == "Edm.String":
            if not isinstance(value, str):
                raise ValueError("expected a string")
            return value
    except (ValueError, ArithmeticError) as exc:
        raise ODataFailure(
            400,
            "SANDBOX/BAD_VALUE",
            f"Property '{name}' has an invalid value {value!r} for {edm}: {exc}",
        ) from None
    return value


def key_text(entity_set: EntitySet, row: Mapping[str, Any]) -> str:
    """``('4711')`` or ``(SalesOrder='1',SalesOrderItem='10')`` for a row's URI."""

    def lit(v: Any) -> str:
        return "'" + str(v).replace("'", "''") + "'"

    if len(entity_set.keys) == 1:
        return f"({lit(row[entity_set.keys[0]])})"
    return "(" + ",".join(f"{k}={lit(row[k])}" for k in entity_set.keys) + ")"


def parse_key(entity_set: EntitySet, text: str) -> tuple[Any, ...]:
    """The key tuple of ``('4711')`` / ``(A='1',B='2')`` from a URL path segment."""
    inner = text
    if not (inner.startswith("(") and inner.endswith(")")):
        raise ODataFailure(400, "SANDBOX/BAD_KEY", f"Invalid key predicate {text!r}")
    inner = inner[1:-1]
    parts: list[str] = []
    depth, start, in_quote = 0, 0, False
    for i, ch in enumerate(inner):
        if ch == "'":
            in_quote = not in_quote
        elif ch == "," and not in_quote and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    parts.append(inner[start:])
    try:
        if len(parts) == 1 and "=" not in parts[0].split("'")[0]:
            if len(entity_set.keys) != 1:
                raise ODataFailure(400, "SANDBOX/BAD_KEY", f"{entity_set.name} has a composite key")
            return (str(parse_literal(parts[0])),)
        given = {}
        for part in parts:
            name, _, value = part.partition("=")
            given[name.strip()] = str(parse_literal(value.strip()))
    except FilterError as exc:
        raise ODataFailure(
            400, "SANDBOX/BAD_KEY", f"Invalid key predicate {text!r}: {exc}"
        ) from None
    if set(given) != set(entity_set.keys):
        raise ODataFailure(
            400,
            "SANDBOX/BAD_KEY",
            f"Key of {entity_set.name} is ({', '.join(entity_set.keys)}), got {text!r}",
        )
    return tuple(given[k] for k in entity_set.keys)


# ----------------------------------------------------------------------------- reading


class Store:
    """The entity sets of one fake service, and how to show their rows as V2 JSON."""

    def __init__(self, namespace: str, sets: Iterable[EntitySet]) -> None:
        self.namespace = namespace
        self.sets = {s.name: s for s in sets}
        self.root = ""
        self.meta: ServiceMetadata | None = None

    def __getitem__(self, name: str) -> EntitySet:
        found = self.sets.get(name)
        if found is None:
            raise ODataFailure(404, "SANDBOX/NO_SET", f"Resource not found for segment '{name}'")
        return found

    def children(
        self, entity_set: EntitySet, row: Mapping[str, Any], nav: str
    ) -> list[dict[str, Any]]:
        link = entity_set.navigations[nav]
        target = self[link.target]
        return [
            r
            for r in target.rows.values()
            if all(r.get(dst) == row.get(src) for src, dst in link.link)
        ]

    def to_json(
        self,
        entity_set: EntitySet,
        row: Mapping[str, Any],
        base: str,
        select: Sequence[str] = (),
        expand: Sequence[str] = (),
    ) -> dict[str, Any]:
        uri = f"{base}/{entity_set.name}{key_text(entity_set, row)}"
        meta: dict[str, Any] = {
            "id": uri,
            "uri": uri,
            "type": f"{self.namespace}.{entity_set.type_name}",
        }
        if entity_set.etag is not None:
            tag = entity_set.etag(row)
            if tag:
                meta["etag"] = tag
        out: dict[str, Any] = {"__metadata": meta}
        for name, edm in entity_set.properties.items():
            if select and name not in select:
                continue
            out[name] = v2_value(row.get(name), edm)
        heads = {e.split("/", 1)[0] for e in expand}
        declared = entity_set.type.navigations if entity_set.type else {}
        for nav in dict.fromkeys([*declared, *entity_set.navigations]):
            link = entity_set.navigations.get(nav)
            many = link.many if link else declared[nav].many
            if nav in heads:
                rows = []
                if link is not None:
                    deeper = [e.split("/", 1)[1] for e in expand if e.startswith(nav + "/")]
                    rows = [
                        self.to_json(self[link.target], r, base, expand=deeper)
                        for r in self.children(entity_set, row, nav)
                    ]
                out[nav] = {"results": rows} if many else (rows[0] if rows else None)
            elif not select:
                out[nav] = {"__deferred": {"uri": f"{uri}/{nav}"}}
        return out


def _names(value: str | None, what: str, known: Iterable[str]) -> list[str]:
    if not value:
        return []
    names = [v.strip() for v in value.split(",") if v.strip()]
    allowed = set(known)
    for name in names:
        if name.split("/", 1)[0] not in allowed:
            raise ODataFailure(400, "SANDBOX/BAD_QUERY", f"{what}: property {name!r} not found")
    return names


def _sort(
    rows: list[dict[str, Any]], orderby: str | None, entity_set: EntitySet
) -> list[dict[str, Any]]:
    if not orderby:
        return sorted(rows, key=lambda r: tuple(str(r.get(k, "")) for k in entity_set.keys))
    for clause in reversed([c.strip() for c in orderby.split(",") if c.strip()]):
        name, _, direction = clause.partition(" ")
        if name not in entity_set.properties:
            raise ODataFailure(400, "SANDBOX/BAD_QUERY", f"$orderby: property {name!r} not found")
        rows = sorted(
            rows,
            key=lambda r: (r.get(name) is None, r.get(name) if r.get(name) is not None else ""),
            reverse=direction.strip() == "desc",
        )
    return rows


def _int(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    if not value.isdigit():
        raise ODataFailure(400, "SANDBOX/BAD_QUERY", f"{name}: {value!r} is not a number")
    return int(value)


def query_rows(
    store: Store,
    entity_set: EntitySet,
    rows: Iterable[dict[str, Any]],
    args: Mapping[str, str],
    *,
    page_size: int,
    link_base: str,
    path: str,
    base: str,
) -> dict[str, Any]:
    """The V2 JSON body (``{"d": {...}}``) of a collection read with the query in ``args``."""
    candidates = list(rows)
    text = args.get("$filter")
    if text:
        try:
            predicate = parse_filter(text)
            candidates = [r for r in candidates if predicate(r)]
        except FilterError as exc:
            raise ODataFailure(
                400, "SANDBOX/BAD_FILTER", f"Invalid filter expression: {exc}"
            ) from None
    candidates = _sort(candidates, args.get("$orderby"), entity_set)
    total = len(candidates)
    skip = _int(args.get("$skip"), "$skip") or 0
    top = _int(args.get("$top"), "$top")
    window = candidates[skip:] if top is None else candidates[skip : skip + top]
    offset = _int(args.get("$skiptoken"), "$skiptoken") or 0
    page = window[offset : offset + page_size]
    select = _names(args.get("$select"), "$select", entity_set.properties)
    declared = entity_set.type.navigations if entity_set.type else {}
    expand = _names(args.get("$expand"), "$expand", [*entity_set.navigations, *declared])
    body: dict[str, Any] = {
        "results": [store.to_json(entity_set, r, base, select, expand) for r in page]
    }
    if args.get("$inlinecount") == "allpages":
        body["__count"] = str(total)
    if offset + page_size < len(window):
        keep = {k: v for k, v in args.items() if k != "$skiptoken"}
        keep["$skiptoken"] = str(offset + page_size)
        body["__next"] = (
            f"{link_base}{path}?{urlencode(keep, quote_via=quote, safe=chr(36) + chr(39))}"
        )
    return {"d": body}


def error_body(
    status: int, code: str, message: str, service: str, details: Sequence[Mapping[str, str]] = ()
) -> dict[str, Any]:
    """An SAP Gateway V2 error body with innererror, transaction id and error details."""
    listed = [
        {
            "code": d.get("code", code),
            "message": d.get("message", message),
            "propertyref": d.get("target", ""),
            "severity": d.get("severity", "error"),
            "target": d.get("target", ""),
            "transition": False,
        }
        for d in (details or [{"code": code, "message": message}])
    ]
    return {
        "error": {
            "code": code,
            "message": {"lang": "en", "value": message},
            "innererror": {
                "application": {
                    "component_id": "",
                    "service_namespace": "/SAP/",
                    "service_id": service,
                    "service_version": "0001",
                },
                "transactionid": uuid.uuid4().hex.upper(),
                "timestamp": datetime.now(UTC).strftime("%Y%m%d%H%M%S.%f"),
                "Error_Resolution": {
                    "SAP_Transaction": "For backend administrators: use ADT feed reader "
                    "'SAP Gateway Error Log' or run transaction /IWFND/ERROR_LOG",
                    "SAP_Note": "See SAP Note 1797736 for error analysis",
                },
                "errordetails": listed,
            },
        }
    }
