"""The entity sets of the SAP fake: a subset of each real service, with SAP's names.

Property names and types are those of SAP's published metadata for API_SALES_ORDER_SRV,
API_BUSINESS_PARTNER, API_PRODUCT_SRV, API_OUTBOUND_DELIVERY_SRV;v=0002,
API_BILLING_DOCUMENT_SRV and API_OPLACCTGDOCITEMCUBE_SRV; only the fields this library reads
or writes are kept. Rows may hold extra keys starting with ``_`` for the fake's bookkeeping;
they never reach a client.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from amazon_erp_bridge.sandbox.sap.odata import EntitySet, Navigation, Store
from amazon_erp_bridge.sap.billing import SERVICE as BILLING
from amazon_erp_bridge.sap.business_partners import SERVICE as PARTNERS
from amazon_erp_bridge.sap.deliveries import SERVICE as DELIVERIES
from amazon_erp_bridge.sap.journal_entries import CUBE_SERVICE as CUBE
from amazon_erp_bridge.sap.products import SERVICE as PRODUCTS
from amazon_erp_bridge.sap.sales_orders import SERVICE as SALES_ORDERS
from amazon_erp_bridge.sap.stock import SERVICE as STOCK

S, D, DT, DTO, B = "Edm.String", "Edm.Decimal", "Edm.DateTime", "Edm.DateTimeOffset", "Edm.Boolean"


def _props(strings: str = "", **typed: str) -> dict[str, str]:
    out = dict.fromkeys(strings.split(), S)
    out.update(typed)
    return out


def timestamp_etag(row: Mapping[str, Any]) -> str | None:
    """SAP's ETag from a LastChangeDateTime: ``W/"datetimeoffset'2026-01-05T10%3A00%3A00...Z'"``."""
    moment = row.get("LastChangeDateTime")
    if not isinstance(moment, datetime):
        return None
    text = moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
    return f"W/\"datetimeoffset'{text.replace(':', '%3A')}'\""


def version_etag(row: Mapping[str, Any]) -> str | None:
    """The delivery's ETag from its DeliveryVersion: ``W/"'3'"``."""
    version = row.get("DeliveryVersion")
    return f"W/\"'{version}'\"" if version else None


def _link(*names: str) -> tuple[tuple[str, str], ...]:
    return tuple((n, n) for n in names)


#: The A_SalesOrderPartnerAddress properties the fake keeps (a one-time ship-to's address).
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
    header = EntitySet(
        "A_SalesOrder",
        "A_SalesOrderType",
        ("SalesOrder",),
        _props(
            "SalesOrder SalesOrderType SalesOrganization DistributionChannel OrganizationDivision "
            "SoldToParty PurchaseOrderByCustomer TransactionCurrency OverallSDProcessStatus "
            "OverallDeliveryStatus OverallTotalDeliveryStatus OverallOrdReltdBillgStatus "
            "TotalCreditCheckStatus DeliveryBlockReason HeaderBillingBlockReason "
            "ShippingCondition CustomerPaymentTerms",
            TotalNetAmount=D,
            RequestedDeliveryDate=DT,
            CreationDate=DT,
            LastChangeDateTime=DTO,
        ),
        {
            "to_Item": Navigation("A_SalesOrderItem", _link("SalesOrder")),
            "to_Partner": Navigation("A_SalesOrderHeaderPartner", _link("SalesOrder")),
        },
        etag=timestamp_etag,
    )
    item = EntitySet(
        "A_SalesOrderItem",
        "A_SalesOrderItemType",
        ("SalesOrder", "SalesOrderItem"),
        _props(
            "SalesOrder SalesOrderItem SalesOrderItemCategory Material RequestedQuantityUnit "
            "TransactionCurrency PurchaseOrderByCustomer SDProcessStatus DeliveryStatus "
            "ProductionPlant",
            RequestedQuantity=D,
            NetAmount=D,
        ),
    )
    partner = EntitySet(
        "A_SalesOrderHeaderPartner",
        "A_SalesOrderHeaderPartnerType",
        ("SalesOrder", "PartnerFunction"),
        _props("SalesOrder PartnerFunction Customer Supplier"),
        {
            "to_Address": Navigation(
                "A_SalesOrderPartnerAddress", _link("SalesOrder", "PartnerFunction")
            )
        },
    )
    address = EntitySet(
        "A_SalesOrderPartnerAddress",
        "A_SalesOrderPartnerAddressType",
        ("SalesOrder", "PartnerFunction", "AddressRepresentationCode"),
        _props(" ".join(("SalesOrder PartnerFunction AddressRepresentationCode", *SO_ADDRESS))),
    )
    return Store("API_SALES_ORDER_SRV", [header, item, partner, address])


def business_partners() -> Store:
    partner = EntitySet(
        "A_BusinessPartner",
        "A_BusinessPartnerType",
        ("BusinessPartner",),
        _props(
            "BusinessPartner Customer BusinessPartnerCategory BusinessPartnerGrouping "
            "BusinessPartnerFullName BusinessPartnerName OrganizationBPName1 FirstName LastName "
            "SearchTerm1 BusinessPartnerIDByExtSystem CorrespondenceLanguage",
            BusinessPartnerIsBlocked=B,
        ),
        {
            "to_BusinessPartnerRole": Navigation("A_BusinessPartnerRole", _link("BusinessPartner")),
            "to_BusinessPartnerAddress": Navigation(
                "A_BusinessPartnerAddress", _link("BusinessPartner")
            ),
            "to_Customer": Navigation("A_Customer", _link("Customer"), many=False),
        },
    )
    role = EntitySet(
        "A_BusinessPartnerRole",
        "A_BusinessPartnerRoleType",
        ("BusinessPartner", "BusinessPartnerRole"),
        _props("BusinessPartner BusinessPartnerRole"),
    )
    address = EntitySet(
        "A_BusinessPartnerAddress",
        "A_BusinessPartnerAddressType",
        ("BusinessPartner", "AddressID"),
        _props(
            "BusinessPartner AddressID StreetName StreetSuffixName AdditionalStreetSuffixName "
            "CityName District County PostalCode Region Country CareOfName"
        ),
    )
    customer = EntitySet(
        "A_Customer",
        "A_CustomerType",
        ("Customer",),
        _props("Customer CustomerName CustomerFullName CustomerAccountGroup"),
        {
            "to_CustomerSalesArea": Navigation("A_CustomerSalesArea", _link("Customer")),
            "to_CustomerCompany": Navigation("A_CustomerCompany", _link("Customer")),
        },
    )
    sales_area = EntitySet(
        "A_CustomerSalesArea",
        "A_CustomerSalesAreaType",
        ("Customer", "SalesOrganization", "DistributionChannel", "Division"),
        _props(
            "Customer SalesOrganization DistributionChannel Division Currency CustomerPaymentTerms"
        ),
    )
    company = EntitySet(
        "A_CustomerCompany",
        "A_CustomerCompanyType",
        ("Customer", "CompanyCode"),
        _props("Customer CompanyCode ReconciliationAccount PaymentTerms"),
    )
    return Store("API_BUSINESS_PARTNER", [partner, role, address, customer, sales_area, company])


def products() -> Store:
    product = EntitySet(
        "A_Product",
        "A_ProductType",
        ("Product",),
        _props(
            "Product ProductType BaseUnit ProductGroup ProductStandardID "
            "InternationalArticleNumberCat WeightUnit",
            IsMarkedForDeletion=B,
            GrossWeight=D,
        ),
        {"to_Description": Navigation("A_ProductDescription", _link("Product"))},
    )
    description = EntitySet(
        "A_ProductDescription",
        "A_ProductDescriptionType",
        ("Product", "Language"),
        _props("Product Language ProductDescription"),
    )
    return Store("API_PRODUCT_SRV", [product, description])


PICKING_REPORT = _props(
    "SystemMessageIdentification SystemMessageNumber SystemMessageType SystemMessageVariable1 "
    "SystemMessageVariable2 SystemMessageVariable3 SystemMessageVariable4 Batch "
    "DeliveryQuantityUnit DeliveryDocumentItemText Material DeliveryDocumentItem DeliveryDocument",
    ActualDeliveryQuantity=D,
)


def deliveries() -> Store:
    header = EntitySet(
        "A_OutbDeliveryHeader",
        "A_OutbDeliveryHeaderType",
        ("DeliveryDocument",),
        _props(
            "DeliveryDocument DeliveryDocumentType ShippingPoint SoldToParty ShipToParty "
            "OverallGoodsMovementStatus OverallPickingStatus OverallSDProcessStatus BillOfLading "
            "DeliveryDocumentBySupplier MeansOfTransport DeliveryVersion",
            ActualGoodsMovementDate=DT,
            PlannedGoodsIssueDate=DT,
            DeliveryDate=DT,
            CreationDate=DT,
        ),
        {"to_DeliveryDocumentItem": Navigation("A_OutbDeliveryItem", _link("DeliveryDocument"))},
        etag=version_etag,
    )
    item = EntitySet(
        "A_OutbDeliveryItem",
        "A_OutbDeliveryItemType",
        ("DeliveryDocument", "DeliveryDocumentItem"),
        _props(
            "DeliveryDocument DeliveryDocumentItem Material DeliveryQuantityUnit "
            "ReferenceSDDocument ReferenceSDDocumentItem GoodsMovementStatus PickingStatus Plant",
            ActualDeliveryQuantity=D,
        ),
    )
    store = Store("API_OUTBOUND_DELIVERY_SRV", [header, item])
    store.complex_types["PickingReport"] = PICKING_REPORT
    report = "Collection(API_OUTBOUND_DELIVERY_SRV.PickingReport)"
    store.functions["PostGoodsIssue"] = (report, {"DeliveryDocument": S})
    store.functions["PickAllItems"] = (report, {"DeliveryDocument": S})
    return store


def billing_documents() -> Store:
    header = EntitySet(
        "A_BillingDocument",
        "A_BillingDocumentType",
        ("BillingDocument",),
        _props(
            "BillingDocument BillingDocumentType SoldToParty PurchaseOrderByCustomer "
            "TransactionCurrency CompanyCode FiscalYear AccountingDocument OverallBillingStatus "
            "AccountingPostingStatus",
            BillingDocumentDate=DT,
            TotalNetAmount=D,
            TaxAmount=D,
            TotalGrossAmount=D,
            BillingDocumentIsCancelled=B,
            LastChangeDateTime=DTO,
        ),
        {"to_Item": Navigation("A_BillingDocumentItem", _link("BillingDocument"))},
        etag=timestamp_etag,
    )
    item = EntitySet(
        "A_BillingDocumentItem",
        "A_BillingDocumentItemType",
        ("BillingDocument", "BillingDocumentItem"),
        _props(
            "BillingDocument BillingDocumentItem Material BillingQuantityUnit SalesDocument "
            "SalesDocumentItem ReferenceSDDocument ReferenceSDDocumentItem TransactionCurrency",
            BillingQuantity=D,
            NetAmount=D,
            TaxAmount=D,
        ),
    )
    return Store("API_BILLING_DOCUMENT_SRV", [header, item])


def journal_items() -> Store:
    cube = EntitySet(
        "A_OperationalAcctgDocItemCube",
        "A_OperationalAcctgDocItemCubeType",
        ("CompanyCode", "FiscalYear", "AccountingDocument", "AccountingDocumentItem"),
        _props(
            "CompanyCode FiscalYear AccountingDocument AccountingDocumentItem GLAccount "
            "DebitCreditCode TransactionCurrency AccountingDocumentType DocumentReferenceID "
            "OriginalReferenceDocument AccountingDocumentHeaderText DocumentItemText "
            "AssignmentReference ProfitCenter CostCenter",
            AmountInTransactionCurrency=D,
            PostingDate=DT,
            DocumentDate=DT,
            IsReversed=B,
        ),
    )
    return Store("API_OPLACCTGDOCITEMCUBE_SRV", [cube])


#: Keys of A_MatlStkInAcctMod: one row per stock identity.
STOCK_KEYS = (
    "Material",
    "Plant",
    "StorageLocation",
    "Batch",
    "Supplier",
    "Customer",
    "WBSElementInternalID",
    "SDDocument",
    "SDDocumentItem",
    "InventorySpecialStockType",
    "InventoryStockType",
)


def material_stock() -> Store:
    stock = EntitySet(
        "A_MatlStkInAcctMod",
        "A_MatlStkInAcctModType",
        STOCK_KEYS,
        _props(" ".join(STOCK_KEYS) + " MaterialBaseUnit", MatlWrhsStkQtyInMatlBaseUnit=D),
    )
    return Store("API_MATERIAL_STOCK_SRV", [stock])


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
    }
