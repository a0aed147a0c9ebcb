"""Smallest valid values for a Swagger schema: request arguments and mock answers for the tests.

Only required properties are filled; strings take the model's first enum value, its format, or
the first of a few candidates that fits its pattern and length.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

MOMENT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
_CANDIDATES = (
    "A1B2",
    "US",
    "en_US",
    "2026-01-02",
    "2026-01-02T03:04:05Z",
    "1",
    "1.1",
    "AFTN1",
    "UN1234",
    "a@b.example",
    "https://x.example/a",
    "arn:aws:sqs:us-east-1:123456789012:queue",
    "AAAAAAAAAAAAAAAAAAAAAA==",
    "0000aaaa-0000-0000-0000-000000000000",
    "ABC",
)


def text(schema: Mapping[str, Any]) -> str:
    """A string that the schema accepts."""
    if schema.get("enum"):
        return str(schema["enum"][0])
    if schema.get("format") == "date-time":
        return "2026-01-02T03:04:05Z"
    if schema.get("format") == "date":
        return "2026-01-02"
    low = int(schema.get("minLength", 0))
    high = int(schema.get("maxLength", 10**6))
    pattern = schema.get("pattern")
    for candidate in _CANDIDATES:
        if not low <= len(candidate) <= high:
            continue
        if pattern and not re.search(pattern, candidate):
            continue
        return candidate
    return "A" * max(low, 1)


def number(schema: Mapping[str, Any], integer: bool) -> int | Decimal:
    low = schema.get("minimum")
    value = Decimal(str(low)) if low is not None else Decimal(1)
    if schema.get("exclusiveMinimum") and low is not None:
        value += 1
    high = schema.get("maximum")
    if high is not None and value > Decimal(str(high)):
        value = Decimal(str(high))
    return int(value) if integer else value


def value(schema: Mapping[str, Any] | None, definitions: Mapping[str, Any], depth: int = 0) -> Any:
    """The smallest value ``schema`` accepts (required properties only)."""
    if not schema or depth > 40:
        return {}
    while "$ref" in schema:
        schema = definitions[schema["$ref"].rsplit("/", 1)[-1]]
    kind = schema.get("type")
    if kind is None and ("properties" in schema or "allOf" in schema):
        kind = "object"
    if kind == "object" or kind is None:
        out: dict[str, Any] = {}
        for part in schema.get("allOf", []):
            part_value = value(part, definitions, depth + 1)
            if isinstance(part_value, dict):
                out.update(part_value)
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name in props:
                out[name] = value(props[name], definitions, depth + 1)
        return out
    if kind == "array":
        count = max(int(schema.get("minItems", 0)), 1)
        return [value(schema.get("items"), definitions, depth + 1) for _ in range(count)]
    if kind == "string":
        return text(schema)
    if kind == "integer":
        return number(schema, integer=True)
    if kind == "number":
        return number(schema, integer=False)
    if kind == "boolean":
        return True
    return {}
