"""Read Amazon's SP-API Swagger models into what the code writer needs: APIs, operations, types.

Nothing here writes code. Each model file becomes an :class:`Api` with its operations (every
parameter with its wire name, Python name, place, type and documentation) and its definitions.
The usage plan (rate, burst) is read from the operation's own description and checked against
``all-operations.json``; a disagreement stops the generator.
"""

from __future__ import annotations

import json
import keyword
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.codegen.naming import LIMIT_PREFIXES, RESTRICTED, module_name, snake

SPECS = Path("../shared/specs/spapi-models")
MODELS = SPECS / "official" / "models"
INDEX = SPECS / "all-operations.json"
METHODS = ("get", "put", "post", "delete", "patch")

_USAGE = re.compile(
    r"(?:\*\*)?Usage Plan:(?:\*\*)?.*?\|\s*-+\s*\|\s*-+\s*\|\s*\n\s*\|\s*([0-9.]+)\s*\|\s*([0-9]+)\s*\|",
    re.S | re.I,
)


class SpecError(Exception):
    """A model the generator cannot read as it expects; the message names file and place."""


@dataclass
class Param:
    """One operation parameter as the wire and the Python signature see it."""

    wire: str
    py: str
    location: str  # path | query | header | body
    required: bool
    schema: dict[str, Any]
    description: str
    collection_format: str | None = None


@dataclass
class Op:
    """One operation of a model."""

    operation_id: str
    key: str  # unique in its module: the operationId, + "_<method>" where the model repeats one
    py: str
    method: str
    path: str
    description: str
    params: list[Param]
    responses: list[tuple[str, dict[str, Any] | None]]  # 2xx status -> schema
    rate: float | None
    burst: int | None
    rate_text: tuple[str, str] | None
    deprecated: bool
    restricted: str
    limit_key: str


@dataclass
class Api:
    """One model file: one generated module."""

    module: str
    spec_path: str  # relative to MODELS, forward slashes
    title: str
    version: str
    description: str
    definitions: dict[str, dict[str, Any]]
    operations: list[Op] = field(default_factory=list)


def _index(root: Path) -> dict[tuple[str, str], dict[str, Any]]:
    data = json.loads((root / INDEX).read_text())
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for model in data["models"]:
        rel = model["path"].removeprefix("models/")
        for op in model["operations"]:
            out[(rel, op["method"], op["path"])] = {**op, "version": model["version"]}
    return out


def _params(raw: list[dict[str, Any]], where: str) -> list[Param]:
    params: list[Param] = []
    for p in raw:
        if "$ref" in p:
            raise SpecError(f"{where}: parameter $ref {p['$ref']} is not supported")
        location = p["in"]
        if location not in ("path", "query", "header", "body"):
            raise SpecError(f"{where}: parameter {p['name']} in {location} is not supported")
        schema = p["schema"] if location == "body" else {k: v for k, v in p.items() if k != "in"}
        fmt = None
        if p.get("type") == "array":
            fmt = p.get("collectionFormat", "csv")
        params.append(
            Param(
                wire=p["name"],
                py=snake(p["name"]),
                location=location,
                required=bool(p.get("required")) or location == "path",
                schema=schema,
                description=p.get("description", ""),
                collection_format=fmt,
            )
        )
    # Unique, non-keyword Python names (a header and a query parameter may share a name).
    seen: dict[str, int] = {}
    for p in params:
        seen[p.py] = seen.get(p.py, 0) + 1
    for p in params:
        if seen[p.py] > 1:
            p.py = f"{p.py}_{p.location}"
        if keyword.iskeyword(p.py) or p.py in ("self", "cls"):
            p.py += "_"
    return params


def _usage(description: str) -> tuple[str, str] | None:
    m = _USAGE.search(description)
    return (m.group(1), m.group(2)) if m else None


def read_api(root: Path, spec: Path, index: dict[tuple[str, str], dict[str, Any]]) -> Api:
    """One model file as an :class:`Api`."""
    rel = spec.relative_to(root / MODELS).as_posix()
    doc = json.loads(spec.read_text())
    shared = doc.get("parameters", {})
    first = next(v for k, v in index.items() if k[0] == rel)
    module = module_name(spec.stem, first["version"])
    api = Api(
        module=module,
        spec_path=rel,
        title=doc["info"].get("title", spec.stem),
        version=doc["info"].get("version", first["version"]),
        description=doc["info"].get("description", ""),
        definitions=doc.get("definitions", {}),
    )
    prefix = LIMIT_PREFIXES.get(rel, module)
    base = doc.get("basePath", "/").rstrip("/")
    for path, item in doc["paths"].items():
        common = item.get("parameters", [])
        for method in METHODS:
            if method not in item:
                continue
            raw = item[method]
            op_id = raw["operationId"]
            where = f"{rel} {op_id}"
            resolved = []
            for p in [*common, *raw.get("parameters", [])]:
                if "$ref" in p:
                    name = p["$ref"].rsplit("/", 1)[-1]
                    if name not in shared:
                        raise SpecError(f"{where}: unknown parameter {p['$ref']}")
                    p = shared[name]
                resolved.append(p)
            responses = [
                (code, r.get("schema"))
                for code, r in sorted(raw.get("responses", {}).items())
                if code.startswith("2")
            ]
            description = raw.get("description") or raw.get("summary") or ""
            listed = index.get((rel, method.upper(), base + path))
            if listed is None:
                raise SpecError(f"{where}: not in {INDEX.name}")
            rate_text = _usage(description)
            rate: float | None = None
            burst: int | None = None
            if rate_text is not None:
                rate, burst = float(rate_text[0]), int(rate_text[1])
            if (listed.get("rate"), listed.get("burst")) != (rate, burst):
                raise SpecError(
                    f"{where}: usage plan {rate}/{burst} in the model, "
                    f"{listed.get('rate')}/{listed.get('burst')} in {INDEX.name}"
                )
            api.operations.append(
                Op(
                    operation_id=op_id,
                    key=op_id,
                    py=snake(op_id),
                    method=method.upper(),
                    path=base + path,
                    description=description,
                    params=_params(resolved, where),
                    responses=responses,
                    rate=rate,
                    burst=burst,
                    rate_text=rate_text,
                    deprecated=bool(raw.get("deprecated")),
                    restricted=RESTRICTED.get((rel, op_id), "none"),
                    limit_key=f"{prefix}.{op_id}",
                )
            )
    ids = [op.operation_id for op in api.operations]
    for op in api.operations:
        if ids.count(op.operation_id) > 1:  # shippingV2 linkCarrierAccount: PUT and POST
            op.key = f"{op.operation_id}_{op.method.lower()}"
            op.py = snake(op.key)
            op.limit_key = f"{prefix}.{op.key}"
    return api


def read_all(root: Path) -> list[Api]:
    """Every model under ``official/models``, in path order; names and limit keys checked."""
    index = _index(root)
    apis = [read_api(root, spec, index) for spec in sorted((root / MODELS).rglob("*.json"))]
    modules = [a.module for a in apis]
    if len(set(modules)) != len(modules):
        raise SpecError(f"two models map to one module name: {sorted(modules)}")
    keys: dict[str, str] = {}
    for api in apis:
        for op in api.operations:
            if op.limit_key in keys:
                raise SpecError(
                    f"limit key {op.limit_key} of {api.spec_path} is {keys[op.limit_key]}'s"
                )
            keys[op.limit_key] = api.spec_path
    listed = set(index)
    generated = {(a.spec_path, o.method, o.path) for a in apis for o in a.operations}
    if listed != generated:
        raise SpecError(f"{INDEX.name} and the models disagree: {sorted(listed ^ generated)}")
    missing = set(RESTRICTED) - {(a.spec_path, o.operation_id) for a in apis for o in a.operations}
    if missing:
        raise SpecError(f"restricted operations not in the models: {sorted(missing)}")
    return apis
