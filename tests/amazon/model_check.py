"""A focused check of one built request against its operation in Amazon's Swagger model.

Method, path template, query parameter names (and the required ones), and the JSON body
against its schema: required properties, no property the model lacks, JSON types, enums and
maxLength. The general recorder/validator lives in tests/contracts; this one is small enough
to read beside the tests that use it.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from amazon_erp_bridge.core.call import Call

MODELS = Path(__file__).resolve().parents[2] / "../shared/specs/spapi-models/official/models"


@cache
def model(relative: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((MODELS / relative).read_text())
    return loaded


def operation(relative: str, operation_id: str) -> tuple[str, str, dict[str, Any]]:
    """(method, path template, operation) of ``operation_id`` in the model file."""
    for path, item in model(relative)["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return method.upper(), path, op
    raise LookupError(operation_id)


def _resolve(relative: str, schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        schema = model(relative)["definitions"][name]
    return schema


_TYPES = {
    "string": str,
    "integer": int,
    "boolean": bool,
    "array": list,
    "object": dict,
    "number": (int, float),
}


def check_value(relative: str, schema: dict[str, Any], value: Any, where: str) -> list[str]:
    """Problems of ``value`` against ``schema`` (empty when it conforms)."""
    schema = _resolve(relative, schema)
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    problems: list[str] = []
    if kind is not None:
        expected = _TYPES[kind]
        if not isinstance(value, expected) or (kind == "integer" and isinstance(value, bool)):
            return [f"{where}: expected {kind}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, str) and "maxLength" in schema and len(value) > schema["maxLength"]:
        problems.append(f"{where}: longer than {schema['maxLength']}")
    if kind == "array":
        for n, item in enumerate(value):
            problems += check_value(relative, schema.get("items", {}), item, f"{where}[{n}]")
    if isinstance(value, dict) and "properties" in schema:
        props = schema["properties"]
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{where}.{name}: required, missing")
        for name, item in value.items():
            if name not in props:
                problems.append(f"{where}.{name}: not in the model")
            else:
                problems += check_value(relative, props[name], item, f"{where}.{name}")
    return problems


def check_call(call: Call[Any], relative: str, operation_id: str) -> None:
    """Assert that ``call`` is a request the model defines for ``operation_id``."""
    method, template, op = operation(relative, operation_id)
    assert call.method == method, (call.method, method)
    pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
    assert re.match(pattern, call.path), (call.path, template)
    params = [p for p in op.get("parameters", []) if "$ref" not in p]
    query = {p["name"]: p for p in params if p["in"] == "query"}
    unknown = set(call.params) - set(query)
    assert not unknown, f"{operation_id}: query parameters not in the model: {unknown}"
    for name, p in query.items():
        if p.get("required"):
            assert name in call.params, f"{operation_id}: required query parameter {name}"
        if name in call.params and "enum" in p.get("items", {}):
            values = str(call.params[name]).split(",")
            assert set(values) <= set(p["items"]["enum"]), (name, values)
    body = [p for p in params if p["in"] == "body"]
    if body:
        assert call.json is not None, f"{operation_id}: the model requires a body"
        problems = check_value(relative, body[0]["schema"], call.json, "body")
        assert not problems, problems
    else:
        assert call.json is None, f"{operation_id}: the model has no body"
