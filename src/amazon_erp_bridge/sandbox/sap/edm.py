"""The published metadata of each fake SAP service, read from the generated tables.

``_generated/`` holds SAP's EDMX of every service the fake serves (written by
``tools/sapgen/generate.py`` from ``../shared/specs/sap-metadata``). This module turns a table
into what the fake needs: the ``$metadata`` document itself, and per entity type its keys,
properties (type, MaxLength, Precision/Scale, Nullable, ``sap:creatable`` / ``sap:updatable``,
the ETag property) and navigation properties; per entity set its ``sap:creatable`` /
``sap:updatable`` / ``sap:deletable``; the function imports with their parameters.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any
from xml.sax.saxutils import quoteattr

from attrs import field, frozen

Node = tuple[str, Mapping[str, str], tuple[Any, ...]]

#: The fake's service roots and the generated module that holds each one's metadata.
MODULES = {
    "/sap/opu/odata/sap/API_SALES_ORDER_SRV": "api_sales_order_srv",
    "/sap/opu/odata/sap/API_BUSINESS_PARTNER": "api_business_partner",
    "/sap/opu/odata/sap/API_PRODUCT_SRV": "api_product_srv",
    "/sap/opu/odata/sap/API_OUTBOUND_DELIVERY_SRV;v=0002": "api_outbound_delivery_srv_0002",
    "/sap/opu/odata/sap/API_BILLING_DOCUMENT_SRV": "api_billing_document_srv",
    "/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV": "api_material_stock_srv",
    "/sap/opu/odata/sap/API_OPLACCTGDOCITEMCUBE_SRV": "api_oplacctgdocitemcube_srv",
}


@frozen
class Property:
    """One property of an entity or complex type, as the metadata declares it."""

    name: str
    type: str
    nullable: bool = True
    max_length: int | None = None
    precision: int | None = None
    scale: int | None = None
    creatable: bool = True
    updatable: bool = True
    etag: bool = False


@frozen
class NavigationProperty:
    name: str
    target: str  # entity type name, without namespace
    many: bool


@frozen
class EntityType:
    name: str
    keys: tuple[str, ...]
    properties: Mapping[str, Property]
    navigations: Mapping[str, NavigationProperty] = field(factory=dict)

    @property
    def etag_property(self) -> Property | None:
        """The property SAP builds the ETag from (ConcurrencyMode="Fixed"), if any."""
        return next((p for p in self.properties.values() if p.etag), None)


@frozen
class EntitySetInfo:
    name: str
    type: str
    creatable: bool = True
    updatable: bool = True
    deletable: bool = True


@frozen
class FunctionImport:
    name: str
    return_type: str | None
    http_method: str
    parameters: Mapping[str, Property]


@frozen
class ServiceMetadata:
    """Everything the fake reads from one service's published metadata."""

    namespace: str
    tree: Node = field(repr=False)
    types: Mapping[str, EntityType]
    complex_types: Mapping[str, Mapping[str, Property]]
    sets: Mapping[str, EntitySetInfo]
    functions: Mapping[str, FunctionImport]

    def entity_type(self, entity_set: str) -> EntityType:
        return self.types[self.sets[entity_set].type]

    def set_of(self, type_name: str) -> str | None:
        """The entity set whose entities are of ``type_name``."""
        return next((s.name for s in self.sets.values() if s.type == type_name), None)


def _local(qualified: str) -> str:
    return qualified.rsplit(".", 1)[-1]


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def _property(attrs: Mapping[str, str]) -> Property:
    return Property(
        name=attrs["Name"],
        type=attrs.get("Type", "Edm.String"),
        nullable=attrs.get("Nullable", "true") != "false",
        max_length=_int(attrs.get("MaxLength")),
        precision=_int(attrs.get("Precision")),
        scale=_int(attrs.get("Scale")),
        creatable=attrs.get("sap:creatable", "true") != "false",
        updatable=attrs.get("sap:updatable", "true") != "false",
        etag=attrs.get("ConcurrencyMode") == "Fixed",
    )


def _children(node: Node, tag: str) -> Iterator[Node]:
    return (c for c in node[2] if c[0] == tag)


def _read(tree: Node) -> ServiceMetadata:
    namespace = tree[1]["Namespace"]
    ends: dict[tuple[str, str], tuple[str, str]] = {}
    for assoc in _children(tree, "Association"):
        for end in _children(assoc, "End"):
            ends[(assoc[1]["Name"], end[1]["Role"])] = (
                _local(end[1]["Type"]),
                end[1]["Multiplicity"],
            )
    types: dict[str, EntityType] = {}
    for node in _children(tree, "EntityType"):
        keys = tuple(
            ref[1]["Name"]
            for key in _children(node, "Key")
            for ref in _children(key, "PropertyRef")
        )
        props = {p[1]["Name"]: _property(p[1]) for p in _children(node, "Property")}
        navs = {}
        for nav in _children(node, "NavigationProperty"):
            relationship = _local(nav[1]["Relationship"])
            target, multiplicity = ends[(relationship, nav[1]["ToRole"])]
            navs[nav[1]["Name"]] = NavigationProperty(nav[1]["Name"], target, multiplicity == "*")
        types[node[1]["Name"]] = EntityType(node[1]["Name"], keys, props, navs)
    complex_types = {
        node[1]["Name"]: {p[1]["Name"]: _property(p[1]) for p in _children(node, "Property")}
        for node in _children(tree, "ComplexType")
    }
    sets: dict[str, EntitySetInfo] = {}
    functions: dict[str, FunctionImport] = {}
    for container in _children(tree, "EntityContainer"):
        for node in _children(container, "EntitySet"):
            a = node[1]
            sets[a["Name"]] = EntitySetInfo(
                a["Name"],
                _local(a["EntityType"]),
                creatable=a.get("sap:creatable", "true") != "false",
                updatable=a.get("sap:updatable", "true") != "false",
                deletable=a.get("sap:deletable", "true") != "false",
            )
        for node in _children(container, "FunctionImport"):
            a = node[1]
            functions[a["Name"]] = FunctionImport(
                a["Name"],
                a.get("ReturnType"),
                a.get("m:HttpMethod", "GET"),
                {p[1]["Name"]: _property(p[1]) for p in _children(node, "Parameter")},
            )
    return ServiceMetadata(namespace, tree, types, complex_types, sets, functions)


@cache
def service(root: str) -> ServiceMetadata:
    """The published metadata of the fake service at ``root`` (read once)."""
    module = importlib.import_module(f"amazon_erp_bridge.sandbox.sap._generated.{MODULES[root]}")
    return _read(module.SCHEMA)


_ENVELOPE = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" '
    'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" '
    'xmlns:sap="http://www.sap.com/Protocols/SAPData">'
    '<edmx:DataServices m:DataServiceVersion="2.0">{schema}</edmx:DataServices></edmx:Edmx>'
)


def _xml(node: Node, out: list[str], top: bool = False) -> None:
    tag, attrs, kids = node
    text = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
    if top:
        text += ' xmlns="http://schemas.microsoft.com/ado/2008/09/edm"'
    if not kids:
        out.append(f"<{tag}{text}/>")
        return
    out.append(f"<{tag}{text}>")
    for kid in kids:
        _xml(kid, out)
    out.append(f"</{tag}>")


def read_tree(tree: Node) -> ServiceMetadata:
    """The metadata of a schema tree in the generated tables' form (for hand-kept services)."""
    return _read(tree)


def metadata_document(meta: ServiceMetadata) -> str:
    """The ``$metadata`` answer of a service: the published EDMX content of its schema."""
    out: list[str] = []
    _xml(meta.tree, out, top=True)
    return _ENVELOPE.format(schema="".join(out))
