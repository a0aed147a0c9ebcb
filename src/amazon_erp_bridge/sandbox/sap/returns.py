"""Metadata of the two return services the fake serves, kept by hand (their EDMX is not in
``../shared``): API_CUSTOMER_RETURN_SRV and API_CREDIT_MEMO_REQUEST_SRV.

Only the properties the library writes or reads are kept, each with the type, length and
``sap:creatable`` / ``sap:updatable`` of SAP's published metadata as vendored in public
repositories (read, not copied):

- API_CUSTOMER_RETURN_SRV: andrew-mak4/risk-mgmt-202308,
  ``srv/external/API_CUSTOMER_RETURN_SRV.edmx`` @ eecad99d51cdd318f22b784bbf86c117debdde45;
- API_CREDIT_MEMO_REQUEST_SRV: AnswerThink-AT/Aleron_Monitor,
  ``srv/external/API_CREDIT_MEMO_REQUEST_SRV.edmx`` @ 81b6aee1be8e99f3bd1f7df5383b3bc341c353d6.

The association names of those files are hashes; the subset here names its two associations
for what they join. The ``$metadata`` the fake serves for these services is this subset.
"""

from __future__ import annotations

from typing import Any

from amazon_erp_bridge.sandbox.sap import edm

CUSTOMER_RETURN_ROOT = "/sap/opu/odata/sap/API_CUSTOMER_RETURN_SRV"
CREDIT_MEMO_REQUEST_ROOT = "/sap/opu/odata/sap/API_CREDIT_MEMO_REQUEST_SRV"

S, D, DT, DTO = "Edm.String", "Edm.Decimal", "Edm.DateTime", "Edm.DateTimeOffset"
RO = {"sap:creatable": "false", "sap:updatable": "false"}

#: (name, type, attributes) of each kept property, in the published order.
_CR_HEADER: list[tuple[str, str, dict[str, str]]] = [
    ("CustomerReturn", S, {"Nullable": "false", "MaxLength": "10"}),
    ("CustomerReturnType", S, {"MaxLength": "4"}),
    ("SalesOrganization", S, {"MaxLength": "4"}),
    ("DistributionChannel", S, {"MaxLength": "2"}),
    ("OrganizationDivision", S, {"MaxLength": "2"}),
    ("SoldToParty", S, {"MaxLength": "10"}),
    ("CreationDate", DT, {"Precision": "0", **RO}),
    ("LastChangeDateTime", DTO, {"Precision": "7", "ConcurrencyMode": "Fixed", **RO}),
    ("PurchaseOrderByCustomer", S, {"MaxLength": "35"}),
    ("CustomerReturnDate", DT, {"Precision": "0"}),
    ("TotalNetAmount", D, {"Precision": "16", "Scale": "3", **RO}),
    ("TransactionCurrency", S, {"MaxLength": "5"}),
    ("SDDocumentReason", S, {"MaxLength": "3"}),
    ("ReferenceSDDocument", S, {"MaxLength": "10"}),
    ("OverallSDProcessStatus", S, {"MaxLength": "1", **RO}),
]
_CR_ITEM: list[tuple[str, str, dict[str, str]]] = [
    ("CustomerReturn", S, {"Nullable": "false", "MaxLength": "10", **RO}),
    ("CustomerReturnItem", S, {"Nullable": "false", "MaxLength": "6"}),
    ("CustomerReturnItemCategory", S, {"MaxLength": "4"}),
    ("Material", S, {"MaxLength": "40"}),
    ("RequestedQuantity", D, {"Precision": "15", "Scale": "3"}),
    ("RequestedQuantityUnit", S, {"MaxLength": "3"}),
    ("TransactionCurrency", S, {"MaxLength": "5", **RO}),
    ("NetAmount", D, {"Precision": "16", "Scale": "3", **RO}),
    ("ReturnReason", S, {"MaxLength": "3"}),
    ("SDProcessStatus", S, {"MaxLength": "1", **RO}),
    ("ReferenceSDDocument", S, {"MaxLength": "10"}),
    ("ReferenceSDDocumentItem", S, {"MaxLength": "6"}),
]
_CMR_HEADER: list[tuple[str, str, dict[str, str]]] = [
    ("CreditMemoRequest", S, {"Nullable": "false", "MaxLength": "10"}),
    ("CreditMemoRequestType", S, {"MaxLength": "4"}),
    ("SalesOrganization", S, {"MaxLength": "4"}),
    ("DistributionChannel", S, {"MaxLength": "2"}),
    ("OrganizationDivision", S, {"MaxLength": "2"}),
    ("SoldToParty", S, {"MaxLength": "10"}),
    ("CreationDate", DT, {"Precision": "0", **RO}),
    ("LastChangeDateTime", DTO, {"Precision": "7", "ConcurrencyMode": "Fixed", **RO}),
    ("PurchaseOrderByCustomer", S, {"MaxLength": "35"}),
    ("CreditMemoRequestDate", DT, {"Precision": "0"}),
    ("TotalNetAmount", D, {"Precision": "16", "Scale": "3", **RO}),
    ("TransactionCurrency", S, {"MaxLength": "5"}),
    ("SDDocumentReason", S, {"MaxLength": "3"}),
    ("ReferenceSDDocument", S, {"MaxLength": "10"}),
    ("OverallSDProcessStatus", S, {"MaxLength": "1", **RO}),
]
_CMR_ITEM: list[tuple[str, str, dict[str, str]]] = [
    ("CreditMemoRequest", S, {"Nullable": "false", "MaxLength": "10", **RO}),
    ("CreditMemoRequestItem", S, {"Nullable": "false", "MaxLength": "6"}),
    ("CreditMemoRequestItemCategory", S, {"MaxLength": "4"}),
    ("Material", S, {"MaxLength": "40"}),
    ("RequestedQuantity", D, {"Precision": "15", "Scale": "3"}),
    ("RequestedQuantityUnit", S, {"MaxLength": "3"}),
    ("TransactionCurrency", S, {"MaxLength": "5", **RO}),
    ("NetAmount", D, {"Precision": "16", "Scale": "3", **RO}),
    ("ReferenceSDDocument", S, {"MaxLength": "10"}),
    ("ReferenceSDDocumentItem", S, {"MaxLength": "6"}),
    ("SDProcessStatus", S, {"MaxLength": "1", **RO}),
]


def _pricing(key: str, item_key: str) -> list[tuple[str, str, dict[str, str]]]:
    return [
        (key, S, {"Nullable": "false", "MaxLength": "10", **RO}),
        (item_key, S, {"Nullable": "false", "MaxLength": "6", **RO}),
        ("PricingProcedureStep", S, {"Nullable": "false", "MaxLength": "3"}),
        ("PricingProcedureCounter", S, {"Nullable": "false", "MaxLength": "3"}),
        ("ConditionType", S, {"MaxLength": "4"}),
        ("ConditionRateValue", D, {"Precision": "24", "Scale": "9"}),
        ("ConditionCurrency", S, {"MaxLength": "5"}),
        ("ConditionAmount", D, {"Precision": "16", "Scale": "3", **RO}),
        ("TransactionCurrency", S, {"MaxLength": "5"}),
    ]


#: Root -> the item pricing element entity set.
PRICING_SETS = {
    CUSTOMER_RETURN_ROOT: "A_CustomerReturnItemPrcgElmnt",
    CREDIT_MEMO_REQUEST_ROOT: "A_CreditMemoReqItemPrcgElmnt",
}

#: Root -> (header entity set, item entity set).
SETS = {
    CUSTOMER_RETURN_ROOT: ("A_CustomerReturn", "A_CustomerReturnItem"),
    CREDIT_MEMO_REQUEST_ROOT: ("A_CreditMemoRequest", "A_CreditMemoRequestItem"),
}
#: Root -> the header key (the document number).
KEY = {CUSTOMER_RETURN_ROOT: "CustomerReturn", CREDIT_MEMO_REQUEST_ROOT: "CreditMemoRequest"}
_FIELDS = {
    CUSTOMER_RETURN_ROOT: ("API_CUSTOMER_RETURN_SRV", _CR_HEADER, _CR_ITEM, "CustomerReturnItem"),
    CREDIT_MEMO_REQUEST_ROOT: (
        "API_CREDIT_MEMO_REQUEST_SRV",
        _CMR_HEADER,
        _CMR_ITEM,
        "CreditMemoRequestItem",
    ),
}


def _entity_type(
    name: str,
    keys: tuple[str, ...],
    props: list[tuple[str, str, dict[str, str]]],
    navs: list[tuple[str, str, str, str]],
) -> edm.Node:
    kids: list[Any] = [("Key", {}, tuple(("PropertyRef", {"Name": k}, ()) for k in keys))]
    kids += [("Property", {"Name": n, "Type": t, **a}, ()) for n, t, a in props]
    kids += [
        (
            "NavigationProperty",
            {"Name": nav, "Relationship": rel, "FromRole": from_role, "ToRole": to_role},
            (),
        )
        for nav, rel, from_role, to_role in navs
    ]
    return ("EntityType", {"Name": name, "sap:content-version": "1"}, tuple(kids))


def tree(root: str) -> edm.Node:
    """The hand-kept schema of ``root`` in the generated tables' form."""
    namespace, header_props, item_props, item_key = _FIELDS[root]
    header_set, item_set = SETS[root]
    key = KEY[root]
    header_type, item_type = f"{header_set}Type", f"{item_set}Type"
    pricing_set = PRICING_SETS[root]
    pricing_type = f"{pricing_set}Type"
    down, up, prices = "assoc_header_items", "assoc_item_header", "assoc_item_pricing"
    types = (
        _entity_type(
            header_type,
            (key,),
            header_props,
            [("to_Item", f"{namespace}.{down}", f"FromRole_{down}", f"ToRole_{down}")],
        ),
        _entity_type(
            item_type,
            (key, item_key),
            item_props,
            [
                (f"to_{header_set[2:]}", f"{namespace}.{up}", f"FromRole_{up}", f"ToRole_{up}"),
                (
                    "to_PricingElement",
                    f"{namespace}.{prices}",
                    f"FromRole_{prices}",
                    f"ToRole_{prices}",
                ),
            ],
        ),
        _entity_type(
            pricing_type,
            (key, item_key, "PricingProcedureStep", "PricingProcedureCounter"),
            _pricing(key, item_key),
            [],
        ),
    )

    def association(name: str, source: str, target: str, many: str) -> edm.Node:
        ends = (
            (
                "End",
                {"Type": f"{namespace}.{source}", "Multiplicity": "1", "Role": f"FromRole_{name}"},
                (),
            ),
            (
                "End",
                {"Type": f"{namespace}.{target}", "Multiplicity": many, "Role": f"ToRole_{name}"},
                (),
            ),
        )
        return ("Association", {"Name": name, "sap:content-version": "1"}, ends)

    def association_set(name: str, source: str, target: str) -> edm.Node:
        ends = (
            ("End", {"EntitySet": source, "Role": f"FromRole_{name}"}, ()),
            ("End", {"EntitySet": target, "Role": f"ToRole_{name}"}, ()),
        )
        return ("AssociationSet", {"Name": name, "Association": f"{namespace}.{name}"}, ends)

    container = (
        "EntityContainer",
        {"Name": f"{namespace}_Entities", "m:IsDefaultEntityContainer": "true"},
        (
            ("EntitySet", {"Name": header_set, "EntityType": f"{namespace}.{header_type}"}, ()),
            ("EntitySet", {"Name": item_set, "EntityType": f"{namespace}.{item_type}"}, ()),
            ("EntitySet", {"Name": pricing_set, "EntityType": f"{namespace}.{pricing_type}"}, ()),
            association_set(down, header_set, item_set),
            association_set(up, item_set, header_set),
            association_set(prices, item_set, pricing_set),
        ),
    )
    return (
        "Schema",
        {"Namespace": namespace, "xml:lang": "en", "sap:schema-version": "1"},
        (
            *types,
            association(down, header_type, item_type, "*"),
            association(up, item_type, header_type, "1"),
            association(prices, item_type, pricing_type, "*"),
            container,
        ),
    )


def metadata(root: str) -> edm.ServiceMetadata:
    """The metadata of the return service at ``root``."""
    return edm.read_tree(tree(root))
