"""The entity sets of the SAP fake, built from SAP's published metadata.

Every entity set the fake serves has the keys, the full property list (types, lengths,
creatable/updatable) and the navigation properties of its type in the published EDMX
(:mod:`.edm`, from the generated tables). What the metadata cannot say, and this module adds,
is how a navigation's rows point back at their source (SAP's EDMX files carry no referential
constraints for most associations), and which entity sets the fake keeps rows for at all.
Rows may hold extra keys starting with ``_`` for the fake's bookkeeping; they never reach a
client.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from amazon_erp_bridge.sandbox.sap import edm, returns
from amazon_erp_bridge.sandbox.sap.odata import EntitySet, Navigation, Store

SALES_ORDERS = "/sap/opu/odata/sap/API_SALES_ORDER_SRV"
PARTNERS = "/sap/opu/odata/sap/API_BUSINESS_PARTNER"
PRODUCTS = "/sap/opu/odata/sap/API_PRODUCT_SRV"
DELIVERIES = "/sap/opu/odata/sap/API_OUTBOUND_DELIVERY_SRV;v=0002"
BILLING = "/sap/opu/odata/sap/API_BILLING_DOCUMENT_SRV"
STOCK = "/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV"
CUBE = "/sap/opu/odata/sap/API_OPLACCTGDOCITEMCUBE_SRV"
CUSTOMER_RETURNS = returns.CUSTOMER_RETURN_ROOT
CREDIT_MEMO_REQUESTS = returns.CREDIT_MEMO_REQUEST_ROOT


def timestamp_etag(value: Any) -> str | None:
    """SAP's ETag of a timestamp: ``W/"datetimeoffset'2026-01-05T10%3A00%3A00.0000000Z'"``."""
    if not isinstance(value, datetime):
        return None
    text = value.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
    return f"W/\"datetimeoffset'{text.replace(':', '%3A')}'\""


def string_etag(value: Any) -> str | None:
    """SAP's ETag of a version string: ``W/"'3'"``."""
    return f"W/\"'{value}'\"" if value else None


def etag_function(entity_type: edm.EntityType) -> Callable[[Mapping[str, Any]], str | None] | None:
    """How the fake spells the ETag of a row of ``entity_type`` (None when it has none)."""
    prop = entity_type.etag_property
    if prop is None:
        return None
    make = timestamp_etag if prop.type == "Edm.DateTimeOffset" else string_etag
    name = prop.name

    def etag(row: Mapping[str, Any]) -> str | None:
        return make(row.get(name))

    return etag


def _link(*names: str) -> tuple[tuple[str, str], ...]:
    return tuple((n, n) for n in names)


def _set(
    meta: edm.ServiceMetadata, name: str, navigations: Mapping[str, Navigation] | None = None
) -> EntitySet:
    entity_type = meta.entity_type(name)
    return EntitySet(
        name,
        entity_type.name,
        entity_type.keys,
        {p.name: p.type for p in entity_type.properties.values()},
        dict(navigations or {}),
        etag=etag_function(entity_type),
        type=entity_type,
        info=meta.sets[name],
    )


def _store(root: str, meta: edm.ServiceMetadata, sets: list[EntitySet]) -> Store:
    store = Store(meta.namespace, sets)
    store.root = root
    store.meta = meta
    return store


#: The A_SalesOrderPartnerAddress properties a one-time ship-to's address is given with.
SO_ADDRESS = (
    "AddresseeFullName",
    "OrganizationName1",
    "OrganizationName2",
    "StreetName",
    "StreetSuffixName1",
    "StreetSuffixName2",
    "HouseNumber",
    "CityName",
    "DistrictName",
    "PostalCode",
    "Region",
    "Country",
    "PhoneNumber",
    "EmailAddress",
)


def sales_orders() -> Store:
    meta = edm.service(SALES_ORDERS)
    header = _set(
        meta,
        "A_SalesOrder",
        {
            "to_Item": Navigation("A_SalesOrderItem", _link("SalesOrder")),
            "to_Partner": Navigation("A_SalesOrderHeaderPartner", _link("SalesOrder")),
        },
    )
    item = _set(
        meta,
        "A_SalesOrderItem",
        {
            "to_PricingElement": Navigation(
                "A_SalesOrderItemPrElement", _link("SalesOrder", "SalesOrderItem")
            ),
            "to_SalesOrder": Navigation("A_SalesOrder", _link("SalesOrder"), many=False),
        },
    )
    pricing = _set(meta, "A_SalesOrderItemPrElement")
    partner = _set(
        meta,
        "A_SalesOrderHeaderPartner",
        {
            "to_Address": Navigation(
                "A_SalesOrderPartnerAddress", _link("SalesOrder", "PartnerFunction")
            )
        },
    )
    address = _set(meta, "A_SalesOrderPartnerAddress")
    return _store(SALES_ORDERS, meta, [header, item, pricing, partner, address])


def business_partners() -> Store:
    meta = edm.service(PARTNERS)
    partner = _set(
        meta,
        "A_BusinessPartner",
        {
            "to_BusinessPartnerRole": Navigation("A_BusinessPartnerRole", _link("BusinessPartner")),
            "to_BusinessPartnerAddress": Navigation(
                "A_BusinessPartnerAddress", _link("BusinessPartner")
            ),
            "to_Customer": Navigation("A_Customer", _link("Customer"), many=False),
        },
    )
    customer = _set(
        meta,
        "A_Customer",
        {
            "to_CustomerSalesArea": Navigation("A_CustomerSalesArea", _link("Customer")),
            "to_CustomerCompany": Navigation("A_CustomerCompany", _link("Customer")),
        },
    )
    return _store(
        PARTNERS,
        meta,
        [
            partner,
            _set(meta, "A_BusinessPartnerRole"),
            _set(meta, "A_BusinessPartnerAddress"),
            customer,
            _set(meta, "A_CustomerSalesArea"),
            _set(meta, "A_CustomerCompany"),
        ],
    )


def products() -> Store:
    meta = edm.service(PRODUCTS)
    product = _set(
        meta,
        "A_Product",
        {"to_Description": Navigation("A_ProductDescription", _link("Product"))},
    )
    return _store(PRODUCTS, meta, [product, _set(meta, "A_ProductDescription")])


def deliveries() -> Store:
    meta = edm.service(DELIVERIES)
    header = _set(
        meta,
        "A_OutbDeliveryHeader",
        {"to_DeliveryDocumentItem": Navigation("A_OutbDeliveryItem", _link("DeliveryDocument"))},
    )
    return _store(DELIVERIES, meta, [header, _set(meta, "A_OutbDeliveryItem")])


def billing_documents() -> Store:
    meta = edm.service(BILLING)
    header = _set(
        meta,
        "A_BillingDocument",
        {"to_Item": Navigation("A_BillingDocumentItem", _link("BillingDocument"))},
    )
    return _store(BILLING, meta, [header, _set(meta, "A_BillingDocumentItem")])


def journal_items() -> Store:
    meta = edm.service(CUBE)
    return _store(CUBE, meta, [_set(meta, "A_OperationalAcctgDocItemCube")])


def material_stock() -> Store:
    meta = edm.service(STOCK)
    return _store(STOCK, meta, [_set(meta, "A_MatlStkInAcctMod")])


#: Keys of A_MatlStkInAcctMod: one row per stock identity.
STOCK_KEYS = edm.service(STOCK).entity_type("A_MatlStkInAcctMod").keys


def return_documents(root: str) -> Store:
    """Customer returns or credit memo requests (their metadata is hand-kept, see .returns)."""
    meta = returns.metadata(root)
    header_set, item_set = returns.SETS[root]
    key = returns.KEY[root]
    header = _set(meta, header_set, {"to_Item": Navigation(item_set, _link(key))})
    item_key = meta.entity_type(item_set).keys[1]
    pricing_set = returns.PRICING_SETS[root]
    item = _set(
        meta, item_set, {"to_PricingElement": Navigation(pricing_set, _link(key, item_key))}
    )
    return _store(root, meta, [header, item, _set(meta, pricing_set)])


def all_stores() -> dict[str, Store]:
    """Every fake OData service by its root path."""
    return {
        SALES_ORDERS: sales_orders(),
        PARTNERS: business_partners(),
        PRODUCTS: products(),
        DELIVERIES: deliveries(),
        BILLING: billing_documents(),
        CUBE: journal_items(),
        STOCK: material_stock(),
        CUSTOMER_RETURNS: return_documents(CUSTOMER_RETURNS),
        CREDIT_MEMO_REQUESTS: return_documents(CREDIT_MEMO_REQUESTS),
    }
