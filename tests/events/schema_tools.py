"""Reading the official notification JSON schemas in tests: examples, paths, a small validator."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

SCHEMAS = (
    Path(__file__).resolve().parents[2] / "../shared/specs/spapi-models/official/schemas"
).resolve() / "notifications"

FILES = {
    "ORDER_CHANGE": "OrderChangeNotification.json",
    "FBA_OUTBOUND_SHIPMENT_STATUS": "FBAOutboundShipmentStatusNotification.json",
    "FULFILLMENT_ORDER_STATUS": "FulfillmentOrderStatusNotification.json",
    "FBA_INVENTORY_AVAILABILITY_CHANGES": "FBAInventoryAvailabilityChangeNotification.json",
    "LISTINGS_ITEM_MFN_QUANTITY_CHANGE": "ListingsItemMfnQuantityChange.json",
    "REPORT_PROCESSING_FINISHED": "ReportProcessingFinishedNotification.json",
    "FEED_PROCESSING_FINISHED": "FeedProcessingFinishedNotification.json",
}

_TYPES: dict[str, Any] = {
    "string": str,
    "integer": int,
    "boolean": bool,
    "array": list,
    "object": dict,
    "number": (int, float),
}


@cache
def schema(kind: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / FILES[kind]).read_text())
    return loaded


def _sample(node: dict[str, Any], name: str, depth: int = 0) -> Any:
    kind = node.get("type") or ("object" if "properties" in node else "string")
    if "enum" in node:
        return node["enum"][0]
    if kind == "object":
        return {k: _sample(v, k, depth + 1) for k, v in node.get("properties", {}).items()}
    if kind == "array":
        return [_sample(node.get("items", {"type": "string"}), name, depth + 1)]
    if kind == "integer":
        return 3
    if kind == "boolean":
        return True
    if "Time" in name or "Date" in name:
        return "2026-03-02T10:00:00.000Z"
    return f"sample-{name}"


def examples(kind: str) -> list[dict[str, Any]]:
    """The schema's examples, or one document built from its properties when it has none."""
    found = schema(kind).get("examples")
    if found:
        return copy.deepcopy(found)
    built = _sample(schema(kind), kind)
    built["NotificationType"] = kind
    built["EventTime"] = "2026-03-02T10:00:00.000Z"
    return [built]


def node_at(kind: str, path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(parent schema, schema) of a ``a/b[]/c`` path."""
    parent: dict[str, Any] = {}
    node = schema(kind)
    for step in path.split("/"):
        items = step.endswith("[]")
        name = step.removesuffix("[]")
        parent = node
        node = node["properties"][name]
        if items:
            node = node["items"]
    return parent, node


def _walk(document: Any, path: str) -> tuple[Any, str]:
    steps = path.split("/")
    here = document
    for step in steps[:-1]:
        here = here[step.removesuffix("[]")]
        if step.endswith("[]"):
            here = here[0]
    return here, steps[-1].removesuffix("[]")


def without(document: dict[str, Any], path: str) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    parent, key = _walk(changed, path)
    del parent[key]
    return changed


def replaced(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    parent, key = _walk(changed, path)
    parent[key] = value
    return changed


def _is(value: Any, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "integer" and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES[kind])


def problems(node: dict[str, Any], value: Any, where: str = "$") -> list[str]:
    """Problems of ``value`` against a schema node: required properties and JSON types."""
    kind = node.get("type") or ("object" if "properties" in node else None)
    kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
    if kinds and not any(_is(value, k) for k in kinds):
        return [f"{where}: expected {' or '.join(kinds)}"]
    found: list[str] = []
    if "enum" in node and value not in node["enum"]:
        found.append(f"{where}: not in {node['enum']}")
    if isinstance(value, list):
        for n, item in enumerate(value):
            found += problems(node.get("items", {}), item, f"{where}[{n}]")
    if isinstance(value, dict):
        props = node.get("properties", {})
        for name in node.get("required", []):
            if name not in value:
                found.append(f"{where}.{name}: required")
        for name, item in value.items():
            if name in props:
                found += problems(props[name], item, f"{where}.{name}")
    return found
