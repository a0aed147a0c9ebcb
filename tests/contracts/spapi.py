"""SP-API traffic checked against Amazon's Swagger models in ../shared/specs.

A request is matched to its operation by method and path template, then checked: every query
parameter is one the operation defines (exact casing), required ones are present, values have
the parameter's type, enum, length and item count; required headers are present; the body is
valid against the body parameter's schema. An answer is checked against the schema the operation
declares for its status. Schema checks follow Swagger 2.0 (a JSON Schema dialect) and add the
project's own rule: an object carries no property its model does not define.

Where a real service departs from its own model, the deviation goes in :data:`KNOWN_DEVIATIONS`
with the public report of it; nothing else is forgiven.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "../shared/specs/spapi-models/official/models"

#: (operationId, JSON path, problem glob) -> the public report of the real service doing it.
KNOWN_DEVIATIONS: dict[tuple[str, str, str], str] = {
    # FBA Inventory answers lastUpdatedTime "" for some SKUs although the model says date-time:
    # amzn/selling-partner-api-models issue #2275, amzn/selling-partner-api-docs issue #1174.
    (
        "getInventorySummaries",
        "payload.inventorySummaries[*].lastUpdatedTime",
        "'' is not a date-time",
    ): "amzn/selling-partner-api-models#2275",
}

#: Paths the fake SP-API serves that are not SP-API operations (LWA, pre-signed documents).
NOT_OPERATIONS = ("/auth/o2/token", "/_sandbox/")


@dataclass(frozen=True)
class Operation:
    """One operation of one model, ready to match and check."""

    model: str
    operation_id: str
    method: str
    template: str
    pattern: re.Pattern[str]
    spec: dict[str, Any]
    params: tuple[dict[str, Any], ...]
    definitions: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{Path(self.model).stem}.{self.operation_id}"


@cache
def operations() -> tuple[Operation, ...]:
    """Every operation of every official model (parsed once per run)."""
    out: list[Operation] = []
    for path in sorted(MODELS.rglob("*.json")):
        doc = json.loads(path.read_text(), parse_float=Decimal)
        shared = doc.get("parameters", {})
        base = doc.get("basePath", "/").rstrip("/")
        for template, item in doc["paths"].items():
            common = item.get("parameters", [])
            for method in ("get", "put", "post", "delete", "patch"):
                if method not in item:
                    continue
                spec = item[method]
                params = []
                for p in [*common, *spec.get("parameters", [])]:
                    if "$ref" in p:
                        p = shared[p["$ref"].rsplit("/", 1)[-1]]
                    params.append(p)
                full = base + template
                regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(full))
                out.append(
                    Operation(
                        model=path.relative_to(MODELS).as_posix(),
                        operation_id=spec["operationId"],
                        method=method.upper(),
                        template=full,
                        pattern=re.compile(regex + r"\Z"),
                        spec=spec,
                        params=tuple(params),
                        definitions=doc.get("definitions", {}),
                    )
                )
    # Literal segments win over parameters: /orders/{id}/address before /orders/{id}/{x}.
    out.sort(key=lambda o: (o.template.count("{"), -len(o.template)))
    return tuple(out)


def find_operation(method: str, path: str) -> Operation | None:
    """The operation that ``method path`` calls, or None."""
    for op in operations():
        if op.method == method.upper() and op.pattern.match(path):
            return op
    return None


def _known(op: Operation, where: str, problem: str) -> bool:
    return any(
        op.operation_id == op_id and where == path and fnmatchcase(problem, text)
        for (op_id, path, text) in KNOWN_DEVIATIONS
    )


# -- schemas ------------------------------------------------------------------------------------


def _is_datetime(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return "T" in text or " " in text or len(text) > 10


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return _is_datetime(text)
    return True


def _resolve(schema: dict[str, Any], definitions: Mapping[str, Any]) -> dict[str, Any]:
    seen = 0
    while "$ref" in schema:
        schema = definitions[schema["$ref"].rsplit("/", 1)[-1]]
        seen += 1
        if seen > 50:
            raise ValueError("a $ref cycle")
    return schema


def _object_shape(
    schema: dict[str, Any], definitions: Mapping[str, Any]
) -> tuple[dict[str, Any], set[str], Any]:
    props: dict[str, Any] = dict(schema.get("properties", {}))
    required = set(schema.get("required", []))
    extra = schema.get("additionalProperties")
    for part in schema.get("allOf", []):
        sub = _resolve(part, definitions)
        p, r, e = _object_shape(sub, definitions)
        props.update(p)
        required |= r
        extra = extra if extra is not None else e
    return props, required, extra


def check_value(
    value: Any, schema: dict[str, Any] | None, definitions: Mapping[str, Any], where: str
) -> Iterator[tuple[str, str]]:
    """Every (json path, problem) of ``value`` against a Swagger schema."""
    if not schema:
        return
    schema = _resolve(schema, definitions)
    kind = schema.get("type")
    if kind is None and ("properties" in schema or "allOf" in schema):
        kind = "object"
    if value is None:
        if not schema.get("x-nullable"):
            yield where, "is null, the model does not allow null"
        return
    if kind == "object":
        if not isinstance(value, dict):
            yield where, f"expected an object, got {type(value).__name__}"
            return
        props, required, extra = _object_shape(schema, definitions)
        for name in sorted(required - set(value)):
            yield where, f"misses required property {name!r}"
        for name, item in value.items():
            sub = f"{where}.{name}" if where else name
            if name in props:
                yield from check_value(item, props[name], definitions, sub)
            elif isinstance(extra, dict):
                yield from check_value(item, extra, definitions, sub)
            elif extra is True or (extra is None and not props and "allOf" not in schema):
                continue  # a free-form map
            else:
                near = [p for p in props if p.lower() == name.lower()]
                hint = f" (the model spells it {near[0]!r})" if near else ""
                yield sub, f"is not a property of the model{hint}"
    elif kind == "array":
        if not isinstance(value, list):
            yield where, f"expected an array, got {type(value).__name__}"
            return
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            yield where, f"has {len(value)} items, at most {schema['maxItems']} allowed"
        if "minItems" in schema and len(value) < schema["minItems"]:
            yield where, f"has {len(value)} items, at least {schema['minItems']} required"
        for item in value:
            yield from check_value(item, schema.get("items"), definitions, f"{where}[*]")
    elif kind == "string":
        if not isinstance(value, str):
            yield where, f"expected a string, got {type(value).__name__} {value!r}"
            return
        yield from _check_text(value, schema, where)
    elif kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            yield where, f"expected an integer, got {value!r}"
            return
        yield from _check_range(Decimal(value), schema, where)
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
            yield where, f"expected a number, got {value!r}"
            return
        yield from _check_range(Decimal(str(value)), schema, where)
    elif kind == "boolean" and not isinstance(value, bool):
        yield where, f"expected a boolean, got {value!r}"


def _check_text(value: str, schema: dict[str, Any], where: str) -> Iterator[tuple[str, str]]:
    if "enum" in schema and value not in schema["enum"]:
        yield where, f"{value!r} is not one of the model's values {schema['enum'][:12]}"
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        yield where, f"{value!r} is longer than maxLength {schema['maxLength']}"
    if "minLength" in schema and len(value) < schema["minLength"]:
        yield where, f"{value!r} is shorter than minLength {schema['minLength']}"
    fmt = schema.get("format")
    if fmt == "date-time" and not _is_datetime(value):
        yield where, f"{value!r} is not a date-time"
    if fmt == "date" and not _is_date(value):
        yield where, f"{value!r} is not a date"
    pattern = schema.get("pattern")
    if pattern:
        try:
            ok = re.search(pattern, value) is not None
        except re.error:
            ok = True
        if not ok:
            yield where, f"{value!r} does not match the pattern {pattern!r}"


def _check_range(value: Decimal, schema: dict[str, Any], where: str) -> Iterator[tuple[str, str]]:
    if "minimum" in schema and value < Decimal(str(schema["minimum"])):
        yield where, f"{value} is below the minimum {schema['minimum']}"
    if "maximum" in schema and value > Decimal(str(schema["maximum"])):
        yield where, f"{value} is above the maximum {schema['maximum']}"


# -- requests and answers ----------------------------------------------------------------------


def _scalar(text: str, param: dict[str, Any], where: str) -> Iterator[tuple[str, str]]:
    kind = param.get("type", "string")
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", text):
            yield where, f"{text!r} is not an integer"
            return
        yield from _check_range(Decimal(text), param, where)
    elif kind == "number":
        try:
            number = Decimal(text)
        except InvalidOperation:
            yield where, f"{text!r} is not a number"
            return
        yield from _check_range(number, param, where)
    elif kind == "boolean":
        if text not in ("true", "false"):
            yield where, f"{text!r} is not true or false"
    else:
        yield from _check_text(text, param, where)


def check_request(op: Operation, url: str, headers: Mapping[str, str], body: bytes) -> list[str]:
    """Problems of one request to ``op`` (query, path, headers, body), each a sentence."""
    problems: list[tuple[str, str]] = []
    parts = urlsplit(url)
    query: dict[str, list[str]] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        query.setdefault(key, []).append(value)
    by_place: dict[str, dict[str, dict[str, Any]]] = {}
    for p in op.params:
        by_place.setdefault(p["in"], {})[p["name"]] = p
    defined = by_place.get("query", {})
    for key, values in query.items():
        param = defined.get(key)
        if param is None:
            near = [n for n in defined if n.lower() == key.lower()]
            hint = f" (the model spells it {near[0]!r})" if near else ""
            problems.append((f"query {key}", f"is not a parameter of the operation{hint}"))
            continue
        if param.get("type") == "array":
            fmt = param.get("collectionFormat", "csv")
            items = values if fmt == "multi" else [v for x in values for v in x.split(",")]
            if fmt != "multi" and len(values) > 1:
                problems.append((f"query {key}", f"repeated, the model says {fmt}"))
            if "maxItems" in param and len(items) > param["maxItems"]:
                problems.append(
                    (f"query {key}", f"{len(items)} items, at most {param['maxItems']}")
                )
            for item in items:
                problems.extend(_scalar(item, param.get("items", {}), f"query {key}"))
        else:
            if len(values) > 1:
                problems.append((f"query {key}", "repeated, the model has one value"))
            problems.extend(_scalar(values[0], param, f"query {key}"))
    for name, param in defined.items():
        if param.get("required") and name not in query:
            problems.append((f"query {name}", "is required by the model and missing"))
    lower = {k.lower() for k in headers}
    for name, param in by_place.get("header", {}).items():
        if param.get("required") and name.lower() not in lower:
            problems.append((f"header {name}", "is required by the model and missing"))
    segments = op.template.split("/")
    sent = parts.path.split("/")
    for tpl, value in zip(segments, sent, strict=False):
        if tpl.startswith("{") and tpl.endswith("}"):
            param = by_place.get("path", {}).get(tpl[1:-1], {"type": "string"})
            problems.extend(_scalar(unquote(value), param, f"path {tpl[1:-1]}"))
    body_params = list(by_place.get("body", {}).values())
    if body_params:
        param = body_params[0]
        if not body:
            if param.get("required"):
                problems.append(("body", "is required by the model and missing"))
        else:
            try:
                data = json.loads(body, parse_float=Decimal)
            except ValueError as exc:
                problems.append(("body", f"is not JSON ({exc})"))
            else:
                problems.extend(
                    (f"body {w}".strip(), p)
                    for w, p in check_value(data, param["schema"], op.definitions, "")
                )
    elif body:
        problems.append(("body", "the operation takes no body"))
    return [f"{where}: {text}" for where, text in problems if not _known(op, where, text)]


def check_response(op: Operation, status: int, body: bytes) -> list[str]:
    """Problems of one answer to ``op``: its body against the schema declared for ``status``."""
    declared = op.spec.get("responses", {}).get(str(status))
    if declared is None or "schema" not in declared:
        if declared is None and 200 <= status < 300:
            return [f"status {status} is not an answer the model declares"]
        return []
    if not body:
        return [f"status {status}: the model declares a body, the answer has none"]
    try:
        data = json.loads(body, parse_float=Decimal)
    except ValueError as exc:
        return [f"status {status}: the body is not JSON ({exc})"]
    return [
        f"answer {status} {where or '(body)'}: {text}"
        for where, text in check_value(data, declared["schema"], op.definitions, "")
        if not _known(op, where, text)
    ]


def check_exchange(
    method: str,
    url: str,
    headers: Mapping[str, str],
    request_body: bytes,
    status: int | None,
    response_body: bytes | None,
) -> tuple[str, list[str]]:
    """(operation name, problems) of one SP-API exchange; ``status`` None: no answer recorded."""
    path = urlsplit(url).path
    if path.startswith(NOT_OPERATIONS):
        return "", []
    op = find_operation(method, path)
    if op is None:
        if status is not None and 200 <= status < 300 and find_operation_prefix(path):
            return f"{method} {path}", ["no operation of the official models has this path"]
        return "", []
    problems = check_request(op, url, headers, request_body)
    if status is not None and response_body is not None:
        problems += check_response(op, status, response_body)
    return op.name, problems


@cache
def _prefixes() -> frozenset[str]:
    return frozenset("/".join(op.template.split("/")[:3]) for op in operations())


def find_operation_prefix(path: str) -> bool:
    """True if ``path`` starts like an SP-API operation (``/orders/v0``, ``/fba/inventory``)."""
    return "/".join(path.split("/")[:3]) in _prefixes()
