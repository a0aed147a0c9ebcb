"""SAP contract checks: an exchange against SAP's published EDMX and the journal entry WSDL.

:func:`check_sap` reads the documents in ``../shared/specs/sap-metadata`` itself (it shares no
code with the library or the sandbox) and reports, for one request and its answer:

- OData: the entity set or function import exists; key predicates name the key properties;
  ``$select``/``$expand``/``$orderby``/``$filter`` name properties of the type (and filters use
  only ``sap:filterable`` ones); a create goes to a creatable set and sends only existing,
  creatable properties (deep inserts through navigation properties, level by level); an update
  goes to an updatable set, changes only updatable properties and carries ``If-Match`` when
  the type has an ETag property (``ConcurrencyMode="Fixed"``); strings fit ``MaxLength``,
  decimals their ``Precision``/``Scale``; ``$batch`` parts are checked one by one. Answers
  (2xx JSON) carry only properties of their type, in the V2 JSON form of each type, and
  ``__metadata.etag`` where the type has an ETag.
- SOAP journal entries: the request's ``SOAPAction`` is the WSDL's, its body follows the WSDL's
  element sequences (names, order, required elements, ``maxLength``, ``currencyCode`` on
  amounts); a 200 answer follows ``JournalEntryCreateConfirmationBulkMessage``.

Services whose metadata is not in ``../shared`` (customer returns, credit memo requests) are
not checked here. Problems are short strings; an empty list means the exchange conforms.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import attrs

SPECS = Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "sap-metadata"
EDM = "{http://schemas.microsoft.com/ado/2008/09/edm}"
SAP = "{http://www.sap.com/Protocols/SAPData}"
META = "{http://schemas.microsoft.com/ado/2007/08/dataservices/metadata}"
XSD = "{http://www.w3.org/2001/XMLSchema}"
WSDL = "{http://schemas.xmlsoap.org/wsdl/}"
SOAP_BINDING = "{http://schemas.xmlsoap.org/wsdl/soap/}"
SFIN = "http://sap.com/xi/SAPSCORE/SFIN"
LIBRARY_AGENT = "amazon-erp-bridge/"

#: Service root -> EDMX file.
SERVICES = {
    "API_SALES_ORDER_SRV": "API_SALES_ORDER_SRV.edmx",
    "API_BUSINESS_PARTNER": "API_BUSINESS_PARTNER.edmx",
    "API_PRODUCT_SRV": "API_PRODUCT_SRV.edmx",
    "API_OUTBOUND_DELIVERY_SRV;v=0002": "OP_API_OUTBOUND_DELIVERY_SRV_0002.edmx",
    "API_BILLING_DOCUMENT_SRV": "API_BILLING_DOCUMENT_SRV.edmx",
    "API_MATERIAL_STOCK_SRV": "API_MATERIAL_STOCK_SRV.edmx",
    "API_OPLACCTGDOCITEMCUBE_SRV": "API_OPLACCTGDOCITEMCUBE_SRV.edmx",
}
_ODATA = re.compile(r"^/sap/opu/odata/sap/(?P<service>[A-Za-z0-9_]+(?:;v=\d+)?)(?P<rest>/.*)?$")
_SEGMENT = re.compile(
    r"^/(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"(?P<key>\((?:[^()']|'(?:[^']|'')*')*\))?"
    r"(?:/(?P<nav>[A-Za-z_][A-Za-z0-9_]*|\$count))?$"
)
_COMPARED = re.compile(r"([A-Za-z_][A-Za-z0-9_/]*)\s+(?:eq|ne|gt|ge|lt|le)\s")
_FUNCTION_ARG = re.compile(r"(?:substringof\([^,]*,|startswith\(|endswith\()\s*([A-Za-z_]\w*)")
_V2_DATE = re.compile(r"^/Date\(-?\d+(?:[+-]\d{4})?\)/$")


# ----------------------------------------------------------------------------- EDMX model


@attrs.frozen
class Prop:
    name: str
    type: str
    max_length: int | None
    precision: int | None
    scale: int | None
    creatable: bool
    updatable: bool
    filterable: bool
    etag: bool


@attrs.frozen
class EType:
    name: str
    keys: tuple[str, ...]
    props: Mapping[str, Prop]
    navs: Mapping[str, str]  # navigation -> target type


@attrs.frozen
class ESet:
    name: str
    type: str
    creatable: bool
    updatable: bool
    deletable: bool


@attrs.frozen
class Function:
    name: str
    method: str
    params: Mapping[str, Prop]


@attrs.frozen
class Service:
    types: Mapping[str, EType]
    sets: Mapping[str, ESet]
    functions: Mapping[str, Function]


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _prop(e: ET.Element) -> Prop:
    return Prop(
        name=e.get("Name", ""),
        type=e.get("Type", "Edm.String"),
        max_length=_int(e.get("MaxLength")),
        precision=_int(e.get("Precision")),
        scale=_int(e.get("Scale")),
        creatable=e.get(f"{SAP}creatable") != "false",
        updatable=e.get(f"{SAP}updatable") != "false",
        filterable=e.get(f"{SAP}filterable") != "false",
        etag=e.get("ConcurrencyMode") == "Fixed",
    )


@cache
def service(name: str) -> Service | None:
    """The published metadata of service ``name`` (None when it is not in ../shared)."""
    file = SERVICES.get(name)
    if file is None or not (SPECS / file).exists():
        return None
    root = ET.parse(SPECS / file).getroot()
    ends: dict[tuple[str, str], tuple[str, str]] = {}
    for assoc in root.iter(f"{EDM}Association"):
        for end in assoc.findall(f"{EDM}End"):
            ends[(assoc.get("Name", ""), end.get("Role", ""))] = (
                end.get("Type", "").rsplit(".", 1)[-1],
                end.get("Multiplicity", ""),
            )
    types = {}
    for t in root.iter(f"{EDM}EntityType"):
        navs = {
            n.get("Name", ""): ends[
                (n.get("Relationship", "").rsplit(".", 1)[-1], n.get("ToRole", ""))
            ][0]
            for n in t.findall(f"{EDM}NavigationProperty")
        }
        types[t.get("Name", "")] = EType(
            t.get("Name", ""),
            tuple(r.get("Name", "") for r in t.iter(f"{EDM}PropertyRef")),
            {p.get("Name", ""): _prop(p) for p in t.findall(f"{EDM}Property")},
            navs,
        )
    sets = {
        s.get("Name", ""): ESet(
            s.get("Name", ""),
            s.get("EntityType", "").rsplit(".", 1)[-1],
            s.get(f"{SAP}creatable") != "false",
            s.get(f"{SAP}updatable") != "false",
            s.get(f"{SAP}deletable") != "false",
        )
        for s in root.iter(f"{EDM}EntitySet")
    }
    functions = {
        f.get("Name", ""): Function(
            f.get("Name", ""),
            f.get(f"{META}HttpMethod", "GET"),
            {p.get("Name", ""): _prop(p) for p in f.findall(f"{EDM}Parameter")},
        )
        for f in root.iter(f"{EDM}FunctionImport")
    }
    return Service(types, sets, functions)


# ----------------------------------------------------------------------------- values


def _check_value(prop: Prop, value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if prop.type == "Edm.String":
        if not isinstance(value, str):
            return [f"{where}: {prop.name} must be a string, got {type(value).__name__}"]
        if prop.max_length is not None and len(value) > prop.max_length:
            return [f"{where}: {prop.name} is {len(value)} characters, MaxLength {prop.max_length}"]
    elif prop.type == "Edm.Decimal":
        if not isinstance(value, str):
            return [f"{where}: {prop.name} (Edm.Decimal) must travel as a string in V2 JSON"]
        try:
            number = Decimal(value)
        except InvalidOperation:
            return [f"{where}: {prop.name} {value!r} is not a decimal"]
        if not number.is_finite():
            return [f"{where}: {prop.name} {value!r} is not finite"]
        scale = prop.scale or 0
        exponent = number.as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
        if decimals > scale and number != number.quantize(Decimal(1).scaleb(-scale)):
            return [f"{where}: {prop.name} {value} has more than Scale {scale} decimals"]
        if prop.precision is not None:
            integral = len(str(abs(int(number))).lstrip("0"))
            if integral > prop.precision - scale:
                return [f"{where}: {prop.name} {value} exceeds Precision {prop.precision}"]
    elif prop.type in ("Edm.DateTime", "Edm.DateTimeOffset"):
        if not isinstance(value, str) or not _V2_DATE.match(value):
            return [f"{where}: {prop.name} must be /Date(ms)/ in V2 JSON, got {value!r}"]
    elif prop.type == "Edm.Boolean":
        if not isinstance(value, bool):
            return [f"{where}: {prop.name} must be true or false, got {value!r}"]
    elif prop.type == "Edm.Time" and (not isinstance(value, str) or not value.startswith("PT")):
        return [f"{where}: {prop.name} must be an Edm.Time duration, got {value!r}"]
    return []


def _results(value: Any) -> list[Any]:
    if isinstance(value, Mapping) and "results" in value:
        value = value["results"]
    if isinstance(value, Mapping):
        return [value]
    return value if isinstance(value, list) else []


def _payload(
    svc: Service, etype: EType, body: Mapping[str, Any], *, create: bool, where: str
) -> list[str]:
    problems: list[str] = []
    for name, value in body.items():
        if name == "__metadata":
            continue
        if name in etype.navs:
            if not create:
                problems.append(f"{where}: update sends navigation property {name}")
                continue
            target = svc.types[etype.navs[name]]
            for number, child in enumerate(_results(value), start=1):
                if isinstance(child, Mapping):
                    problems += _payload(
                        svc, target, child, create=True, where=f"{where}/{name}[{number}]"
                    )
            continue
        prop = etype.props.get(name)
        if prop is None:
            problems.append(f"{where}: {name} is not a property of {etype.name}")
            continue
        if create and not prop.creatable:
            problems.append(f"{where}: {name} is not creatable (sap:creatable=false)")
        if not create and (not prop.updatable or name in etype.keys):
            problems.append(f"{where}: {name} is not updatable (sap:updatable=false)")
        problems += _check_value(prop, value, where)
    return problems


def _entity(svc: Service, etype: EType, data: Any, where: str) -> list[str]:
    if not isinstance(data, Mapping):
        return [f"{where}: an entity must be a JSON object"]
    problems: list[str] = []
    meta = data.get("__metadata")
    has_etag = any(p.etag for p in etype.props.values())
    if has_etag and isinstance(meta, Mapping) and "etag" not in meta:
        problems.append(f"{where}: {etype.name} has an ETag property but no __metadata.etag")
    for name, value in data.items():
        if name == "__metadata":
            continue
        if name in etype.navs:
            if isinstance(value, Mapping) and "__deferred" in value:
                continue
            target = svc.types[etype.navs[name]]
            for child in _results(value):
                problems += _entity(svc, target, child, f"{where}/{name}")
            continue
        prop = etype.props.get(name)
        if prop is None:
            problems.append(f"{where}: answer property {name} is not in {etype.name}")
            continue
        problems += _check_value(prop, value, where)
    return problems


# ----------------------------------------------------------------------------- OData


def _names(value: str | None) -> list[str]:
    return [v.strip().split(" ")[0] for v in (value or "").split(",") if v.strip()]


def _key_problems(etype: EType, key: str, where: str) -> list[str]:
    inner = key[1:-1]
    parts = re.findall(r"([A-Za-z_]\w*)\s*=", re.sub(r"'(?:[^']|'')*'", "''", inner))
    if not parts:
        if len(etype.keys) != 1:
            return [f"{where}: {etype.name} has key ({', '.join(etype.keys)}); name each part"]
        return []
    if sorted(parts) != sorted(etype.keys):
        return [f"{where}: key names {parts} are not the key ({', '.join(etype.keys)})"]
    return []


def _query_problems(etype: EType, args: Mapping[str, str], where: str) -> list[str]:
    problems: list[str] = []
    for option in ("$select", "$orderby"):
        for name in _names(args.get(option)):
            if name.split("/", 1)[0] not in etype.props and name.split("/")[0] not in etype.navs:
                problems.append(f"{where}: {option} names {name}, not a property of {etype.name}")
    for name in _names(args.get("$expand")):
        if name.split("/", 1)[0] not in etype.navs:
            problems.append(f"{where}: $expand {name} is not a navigation of {etype.name}")
    text = re.sub(r"'(?:[^']|'')*'", "''", args.get("$filter", ""))
    for name in _COMPARED.findall(text) + _FUNCTION_ARG.findall(text):
        prop = etype.props.get(name)
        if prop is None:
            problems.append(f"{where}: $filter names {name}, not a property of {etype.name}")
        elif not prop.filterable:
            problems.append(f"{where}: $filter on {name}, which is sap:filterable=false")
    return problems


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _odata(
    name: str,
    rest: str,
    method: str,
    args: Mapping[str, str],
    headers: Mapping[str, str],
    request_body: bytes,
    status: int,
    response_body: bytes,
    check_request: bool,
) -> list[str]:
    svc = service(name)
    if svc is None:
        return []
    if rest in ("", "/", "/$metadata"):
        return []
    if rest == "/$batch":
        return _batch(name, headers, request_body, status, response_body, check_request)
    match = _SEGMENT.match(rest)
    where = f"{method} {name}{rest}"
    if match is None:
        return [f"{where}: not an OData resource path"] if check_request else []
    override = headers.get("x-http-method", "").upper()
    verb = override if method == "POST" and override else method
    set_name, key, nav = match["name"], match["key"], match["nav"]
    problems: list[str] = []
    if set_name in svc.functions and key is None:
        function = svc.functions[set_name]
        if check_request:
            if method != function.method:
                problems.append(f"{where}: {set_name} is called with {function.method}")
            for param, prop in function.params.items():
                if param not in args:
                    problems.append(f"{where}: parameter {param} of {set_name} is missing")
                elif prop.type == "Edm.String" and prop.max_length is not None:
                    text = args[param].strip("'")
                    if len(text) > prop.max_length:
                        problems.append(f"{where}: {param} exceeds MaxLength {prop.max_length}")
            unknown = set(args) - set(function.params) - {"$format", "sap-client"}
            problems += [f"{where}: {u} is not a parameter of {set_name}" for u in sorted(unknown)]
        return problems
    entity_set = svc.sets.get(set_name)
    if entity_set is None:
        if not check_request:
            return []
        return [f"{where}: {set_name} is neither an entity set nor a function import"]
    etype = svc.types[entity_set.type]
    if check_request:
        if key is not None:
            problems += _key_problems(etype, unquote(key), where)
        target = etype
        if nav not in (None, "$count"):
            if nav not in etype.navs:
                return [*problems, f"{where}: {nav} is not a navigation of {etype.name}"]
            target = svc.types[etype.navs[nav]]
        problems += _query_problems(target, args, where)
        body = _json(request_body) if request_body else None
        if verb == "POST" and key is None:
            if not entity_set.creatable:
                problems.append(f"{where}: {set_name} is not creatable (sap:creatable=false)")
            if isinstance(body, Mapping):
                problems += _payload(svc, etype, body, create=True, where=where)
        elif verb in ("PATCH", "PUT", "MERGE"):
            if not entity_set.updatable:
                problems.append(f"{where}: {set_name} is not updatable (sap:updatable=false)")
            if any(p.etag for p in etype.props.values()) and not headers.get("if-match"):
                problems.append(f"{where}: {etype.name} has an ETag; the update needs If-Match")
            if isinstance(body, Mapping):
                problems += _payload(svc, etype, body, create=False, where=where)
        elif verb == "DELETE":
            if not entity_set.deletable:
                problems.append(f"{where}: {set_name} is not deletable (sap:deletable=false)")
            if any(p.etag for p in etype.props.values()) and not headers.get("if-match"):
                problems.append(f"{where}: {etype.name} has an ETag; the delete needs If-Match")
    if 200 <= status < 300 and response_body[:1] == b"{" and nav != "$count":
        data = _json(response_body)
        d = data.get("d") if isinstance(data, Mapping) else None
        target = svc.types[etype.navs[nav]] if nav and nav in etype.navs else etype
        rows = d.get("results") if isinstance(d, Mapping) and "results" in d else [d]
        for row in rows or []:
            if row is not None:
                problems += _entity(svc, target, row, f"answer to {where}")
    return problems


def _split(body: bytes, boundary: str) -> list[bytes]:
    delimiter = b"--" + boundary.encode("ascii", "replace")
    parts: list[bytes] = []
    current: list[bytes] | None = None
    for line in body.splitlines(keepends=True):
        bare = line.rstrip(b"\r\n")
        if bare in (delimiter, delimiter + b"--"):
            if current is not None:
                parts.append(b"".join(current).removesuffix(b"\r\n").removesuffix(b"\n"))
            if bare.endswith(b"--") and bare != delimiter:
                break
            current = []
        elif current is not None:
            current.append(line)
    return parts


def _head(data: bytes) -> tuple[list[str], dict[str, str], bytes]:
    match = re.search(rb"\r?\n\r?\n", data)
    head, body = (data, b"") if match is None else (data[: match.start()], data[match.end() :])
    lines = [ln.decode("latin-1") for ln in re.split(rb"\r?\n", head) if ln]
    headers = {}
    for line in lines[1:] if lines and " " in lines[0].split(":", 1)[0] else lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return lines, headers, body


def _boundary(content_type: str) -> str | None:
    match = re.search(r'boundary=(?:"([^"]+)"|([^;\s]+))', content_type or "")
    return (match.group(1) or match.group(2)) if match else None


def _batch(
    name: str,
    headers: Mapping[str, str],
    request_body: bytes,
    status: int,
    response_body: bytes,
    check_request: bool,
) -> list[str]:
    boundary = _boundary(headers.get("content-type", ""))
    if boundary is None:
        return ["$batch: request without a multipart boundary"] if check_request else []
    problems: list[str] = []
    requests: list[bytes] = []
    for part in _split(request_body, boundary):
        _, mime, content = _head(part)
        inner = _boundary(mime.get("content-type", ""))
        requests += [_head(p)[2] for p in _split(content, inner)] if inner else [content]
    for message in requests:
        lines, inner_headers, body = _head(message)
        if not lines:
            continue
        method, _, target = lines[0].partition(" ")
        target = target.rsplit(" ", 1)[0]
        path, _, query = target.partition("?")
        args = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        problems += _odata(
            name,
            "/" + unquote(path).lstrip("/"),
            method,
            args,
            inner_headers,
            body,
            0,
            b"",
            check_request,
        )
    return problems


# ----------------------------------------------------------------------------- WSDL


@attrs.frozen
class Simple:
    max_length: int | None = None
    length: int | None = None
    total_digits: int | None = None


@attrs.frozen
class Complex:
    elements: tuple[tuple[str, str, int, bool], ...]  # name, type, minOccurs, repeats
    attributes: tuple[tuple[str, bool], ...] = ()  # name, required
    content: str | None = None  # simpleContent base type


@cache
def wsdl() -> tuple[dict[str, Simple | Complex], dict[str, str], str]:
    """(types by name, top-level elements -> type, the SOAPAction of the operation)."""
    root = ET.parse(SPECS / "journalentrycreaterequestconfi.wsdl").getroot()
    types: dict[str, Simple | Complex] = {}
    for schema in root.iter(f"{XSD}schema"):
        for node in schema:
            name = node.get("name", "")
            if node.tag == f"{XSD}simpleType":
                types[name] = _simple(node)
            elif node.tag == f"{XSD}complexType":
                sequence = node.find(f"{XSD}sequence")
                elements = tuple(
                    (
                        e.get("name", ""),
                        e.get("type", ""),
                        int(e.get("minOccurs", "1")),
                        e.get("maxOccurs", "1") != "1",
                    )
                    for e in (sequence if sequence is not None else [])
                    if e.tag == f"{XSD}element"
                )
                extension = node.find(f"{XSD}simpleContent/{XSD}extension")
                attributes = tuple(
                    (a.get("name", ""), a.get("use") == "required")
                    for a in (extension if extension is not None else [])
                    if a.tag == f"{XSD}attribute"
                )
                content = extension.get("base") if extension is not None else None
                types[name] = Complex(elements, attributes, content)
    top = {
        e.get("name", ""): e.get("type", "")
        for schema in root.iter(f"{XSD}schema")
        for e in schema.findall(f"{XSD}element")
    }
    action = next((o.get("soapAction", "") for o in root.iter(f"{SOAP_BINDING}operation")), "")
    return types, top, action


def _simple(node: ET.Element) -> Simple:
    restriction = node.find(f"{XSD}restriction")

    def facet(name: str) -> int | None:
        found = restriction.find(f"{XSD}{name}") if restriction is not None else None
        return int(found.get("value", "0")) if found is not None else None

    return Simple(facet("maxLength"), facet("length"), facet("totalDigits"))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml_value(type_name: str, text: str, where: str) -> list[str]:
    types, _, _ = wsdl()
    spec = types.get(type_name)
    if isinstance(spec, Complex) and spec.content:
        spec = types.get(spec.content)
    if not isinstance(spec, Simple):
        return []
    if spec.max_length is not None and len(text) > spec.max_length:
        return [f"{where}: {len(text)} characters, maxLength {spec.max_length}"]
    if spec.length is not None and len(text) != spec.length:
        return [f"{where}: {len(text)} characters, length {spec.length}"]
    return []


def _xml(element: ET.Element, type_name: str, where: str) -> list[str]:
    types, _, _ = wsdl()
    spec = types.get(type_name)
    if not isinstance(spec, Complex) or (spec.content and not spec.elements):
        problems = _xml_value(type_name, (element.text or "").strip(), where)
        if isinstance(spec, Complex):
            allowed = {n for n, _ in spec.attributes}
            problems += [
                f"{where}: attribute {a} is not in the WSDL"
                for a in element.attrib
                if _local(a) not in allowed
            ]
            problems += [
                f"{where}: required attribute {n} is missing"
                for n, required in spec.attributes
                if required and n not in element.attrib
            ]
        return problems
    problems: list[str] = []
    position = 0
    children = list(element)
    seen: dict[str, int] = {}
    order = [n for n, _, _, _ in spec.elements]
    for child in children:
        name = _local(child.tag)
        if name not in order:
            problems.append(f"{where}: {name} is not an element of {type_name}")
            continue
        index = order.index(name)
        if index < position:
            problems.append(f"{where}: {name} is out of the WSDL's order in {type_name}")
        position = max(position, index)
        seen[name] = seen.get(name, 0) + 1
        _, child_type, _, repeats = spec.elements[index]
        if seen[name] > 1 and not repeats:
            problems.append(f"{where}: {name} appears more than once")
        problems += _xml(child, child_type, f"{where}/{name}")
    for name, _, minimum, _ in spec.elements:
        if minimum > 0 and name not in seen:
            problems.append(f"{where}: required element {name} is missing")
    return problems


def _soap(
    headers: Mapping[str, str],
    request_body: bytes,
    status: int,
    response_body: bytes,
    check_request: bool,
) -> list[str]:
    if not SPECS.exists():
        return []
    _types, top, action = wsdl()
    problems: list[str] = []
    if check_request:
        sent = headers.get("soapaction", "").strip('"')
        if sent and sent != action and "journalentrybulk" not in sent.lower():
            problems.append(f"SOAPAction {sent!r} is not the WSDL's {action!r}")
        problems += _envelope(request_body, "JournalEntryBulkCreateRequest", top, "request")
    if status == 200 and response_body:
        problems += _envelope(response_body, "JournalEntryBulkCreateConfirmation", top, "answer")
    return problems


def _envelope(body: bytes, expected: str, top: Mapping[str, str], what: str) -> list[str]:
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        return [f"{what}: not XML ({exc})"]
    soap_body = next((c for c in root if _local(c.tag) == "Body"), None)
    if soap_body is None or len(soap_body) == 0:
        return [f"{what}: no SOAP Body content"]
    payload = soap_body[0]
    if _local(payload.tag) == "Fault":
        return []
    if payload.tag != f"{{{SFIN}}}{expected}":
        return [f"{what}: Body holds {payload.tag}, expected {{{SFIN}}}{expected}"]
    return _xml(payload, top[expected], f"{what} {expected}")


# ----------------------------------------------------------------------------- entry point


def check_sap(
    method: str,
    url: str,
    headers: dict[str, str],
    request_body: bytes,
    status: int,
    response_body: bytes,
) -> list[str]:
    """Problems of one SAP exchange against the published EDMX / WSDL; [] when it conforms.

    The request is held to the documents when the library sent it (its User-Agent) or the
    answer was a success; the answer when it was a success.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    check_request = lower.get("user-agent", "").startswith(LIBRARY_AGENT) or 200 <= status < 300
    parts = urlsplit(url)
    path = unquote(parts.path)
    if "/sap/bc/srt/" in path:
        return _soap(lower, request_body, status, response_body, check_request)
    match = _ODATA.match(path)
    if match is None or not SPECS.exists():
        return []
    args = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    return _odata(
        match["service"],
        match["rest"] or "",
        method.upper(),
        args,
        lower,
        request_body,
        status,
        response_body,
        check_request,
    )


def check_all(exchanges: Iterable[tuple[str, str, dict[str, str], bytes, int, bytes]]) -> list[str]:
    """Every problem of many exchanges (for tests that collect their own traffic)."""
    return [p for exchange in exchanges for p in check_sap(*exchange)]
