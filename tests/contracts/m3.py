"""Contract check of M3 MI traffic against Infor's published metadata (../shared/specs).

``check_m3(method, url, request_body, status, response_body)`` returns the problems found in
one request/answer pair (an empty list when it keeps the contract):

- the program or transaction is not in the published MI metadata (M3H5 extraction);
- an input field the transaction does not have, a Required input missing, a value longer
  than its documented length (text) or digits (numbers), a date not YYYYMMDD;
- a lower-case query parameter that is not an m3api-rest control parameter;
- an answer key that is not in the v2 BulkResponse / result (swagger), or a record field
  that is not in the transaction's published output list.

It reads the spec files itself (not the sandbox's generated tables, so the two can disagree).
Site-defined MDBREADMI transactions cannot be published and are only checked for shape.
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SPECS = Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "m3-reference"

_GET = re.compile(r"/M3/m3api-rest/v2/execute/(?P<program>[^/]+)/(?P<transaction>[^/;?]+)/?$")
_BULK = re.compile(r"/M3/m3api-rest/v2/execute/?$")
SITE_DEFINED = frozenset({"MDBREADMI"})


def _kind(text: str) -> str:
    t = text.rstrip("?").lower()
    if t in ("int", "long", "decimal", "number", "double"):
        return "n"
    return "d" if t == "datetime" else "s"


@cache
def metadata() -> dict[str, dict[str, dict[str, Any]]]:
    """{program: {transaction: {"inputs": {field: (kind, length, required)}, "outputs"}}}."""
    programs: dict[str, dict[str, Any]] = {}
    for name in ("m3h5-mi.json", "m3h5-mi-all.json"):
        for program, transactions in json.loads((SPECS / name).read_text())["programs"].items():
            programs.setdefault(program, {}).update(transactions)
    documented: dict[tuple[str, str], dict[str, Any]] = {}
    for key, fact in json.loads((SPECS / "mi-doc-facts.json").read_text())["transactions"].items():
        program, transaction = key.split("/")
        documented[(program, transaction)] = fact["inputs"]
    swagger = json.loads((SPECS / "crs610mi-v2-swagger-facts.json").read_text())
    for transaction, fact in swagger["transactions"].items():
        documented[("CRS610MI", transaction)] = fact["inputs"]
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for program, transactions in programs.items():
        longest: dict[str, int] = {}
        for (p, _), inputs in documented.items():
            if p == program:
                for field, fact in inputs.items():
                    longest[field] = max(longest.get(field, 0), int(fact.get("length") or 0))
        for transaction, spec in transactions.items():
            doc = documented.get((program, transaction), {})
            inputs = {}
            for field in {*spec["inputs"], *doc}:
                meta, fact = spec["inputs"].get(field, {}), doc.get(field, {})
                inputs[field] = (
                    _kind(meta.get("type") or fact.get("type") or "string"),
                    int(fact.get("length") or longest.get(field) or 0),
                    bool(meta.get("required")) or bool(fact.get("required")),
                )
            outputs = spec.get("outputs")
            out.setdefault(program, {})[transaction] = {
                "inputs": inputs,
                "outputs": None if outputs is None else frozenset(outputs),
            }
    return out


@cache
def protocol() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(control parameters, v2 top-level answer keys, v2 result keys) from the swagger."""
    swagger = json.loads((SPECS / "crs610mi-v2-swagger-facts.json").read_text())
    return (
        frozenset(swagger["control_params"]),
        frozenset(swagger["response_top_keys"]),
        frozenset(swagger["response_result_keys"]),
    )


def _check_value(where: str, field: str, value: str, spec: tuple[str, int, bool]) -> list[str]:
    kind, length, _ = spec
    if not value.strip():
        return []
    if kind == "n":
        body = value.strip().lstrip("+-")
        if not re.fullmatch(r"[0-9]*\.?[0-9]*", body) or body in ("", "."):
            return [f"{where}: {field}={value!r} is not a number"]
        digits = sum(c.isdigit() for c in body)
        if length and digits > length:
            return [f"{where}: {field} has {digits} digits, the field holds {length}"]
        return []
    if kind == "d":
        try:
            ok = len(value) == 8 and value.isdigit()
            ok = ok and bool(date(int(value[:4]), int(value[4:6]), int(value[6:])))
        except ValueError:
            ok = False
        return [] if ok else [f"{where}: {field}={value!r} is not a YYYYMMDD date"]
    if length and len(value) > length:
        return [f"{where}: {field} is {len(value)} characters, the field holds {length}"]
    return []


def check_request(program: str, transaction: str, record: dict[str, str]) -> list[str]:
    """Problems of one transaction's input record."""
    where = f"{program}/{transaction}"
    if program in SITE_DEFINED:
        return []
    spec = metadata().get(program, {}).get(transaction)
    if spec is None:
        known = "transaction" if program in metadata() else "program"
        return [f"{where}: unknown {known} (not in the published MI metadata)"]
    problems = []
    for field, value in record.items():
        if field not in spec["inputs"]:
            problems.append(f"{where}: input field {field} is not an input of the transaction")
            continue
        problems.extend(_check_value(where, field, value, spec["inputs"][field]))
    for field, (_, _, required) in spec["inputs"].items():
        if required and not record.get(field, "").strip():
            problems.append(f"{where}: required input {field} is missing")
    return problems


def check_result(program: str, transaction: str, result: Any) -> list[str]:
    """Problems of one v2 result: its keys and its records' fields."""
    where = f"{program}/{transaction} answer"
    _, _, result_keys = protocol()
    if not isinstance(result, dict):
        return [f"{where}: a result is not an object"]
    problems = [
        f"{where}: result key {k!r} is not in the swagger" for k in result if k not in result_keys
    ]
    if program in SITE_DEFINED:
        return problems
    spec = metadata().get(program, {}).get(transaction)
    if spec is None:
        return problems
    outputs = spec["outputs"]
    for record in result.get("records") or []:
        extra = sorted(set(record) - (outputs or frozenset()))
        if extra:
            problems.append(f"{where}: output fields {extra} are not in the published outputs")
    return problems


def check_m3(
    method: str, url: str, request_body: bytes, status: int, response_body: bytes
) -> list[str]:
    """The contract problems of one M3 MI request and its answer ([] if none; [] for
    requests that are not MI calls, e.g. the token endpoint)."""
    parts = urlsplit(url)
    controls, top_keys, result_keys = protocol()
    get = _GET.search(parts.path)
    problems: list[str] = []
    calls: list[tuple[str, str]] = []
    if method.upper() == "GET" and get:
        program, transaction = get.group("program"), get.group("transaction")
        query = parse_qsl(parts.query, keep_blank_values=True)
        record = {k: v for k, v in query if k[:1].isupper()}
        problems += [
            f"{program}/{transaction}: {k!r} is not an m3api-rest control parameter"
            for k, _ in query
            if not k[:1].isupper() and k not in controls
        ]
        problems += check_request(program, transaction, record)
        calls.append((program, transaction))
    elif method.upper() == "POST" and _BULK.search(parts.path):
        try:
            body = json.loads(request_body or b"{}")
            program = body["program"]
            items = body["transactions"]
        except (ValueError, KeyError, TypeError):
            return ["bulk request: not a JSON {program, transactions} body"]
        for item in items:
            transaction = str(item.get("transaction", ""))
            record = {k: str(v) for k, v in (item.get("record") or {}).items()}
            problems += check_request(program, transaction, record)
            calls.append((program, transaction))
    else:
        return []
    if status not in (200, 400) or not response_body:
        return problems
    try:
        answer = json.loads(response_body)
    except ValueError:
        return problems if status == 400 else [*problems, "MI answer is not JSON"]
    if not isinstance(answer, dict):
        return [*problems, "MI answer is not a JSON object"]
    if status == 400:
        return problems + [
            f"HTTP 400 answer key {k!r} is not an MI error key"
            for k in answer
            if k not in result_keys
        ]
    problems += [f"answer key {k!r} is not in the swagger" for k in answer if k not in top_keys]
    results = answer.get("results") or []
    for index, result in enumerate(results):
        program, transaction = calls[min(index, len(calls) - 1)] if calls else ("?", "?")
        if isinstance(result, dict) and result.get("transaction"):
            transaction = str(result["transaction"])
        problems += check_result(program, transaction, result)
    return problems
