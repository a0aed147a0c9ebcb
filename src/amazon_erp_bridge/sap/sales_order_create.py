"""Typed request models for a sales order deep insert (API_SALES_ORDER_SRV, OData V2).

``SalesOrderCreate`` holds the creatable properties of A_SalesOrder, ``SalesOrderItemCreate``
those of A_SalesOrderItem and ``PricingElementCreate`` those of A_SalesOrderItemPrElement, each
spelt as SAP spells it in the payload. The field lists and MaxLengths are those of the
published metadata (shared/specs/sap-metadata/API_SALES_ORDER_SRV.edmx: every Property not
marked ``sap:creatable="false"``). ``to_payload()`` gives the same deep-insert mapping a caller
builds by hand (``to_Item``, ``to_PricingElement`` and ``to_Partner`` as ``{"results": [...]}``,
absent properties left out), so :meth:`SalesOrderService.create` sends the same body for both.
A string longer than its MaxLength is a ValidationError naming the entity and the property.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Final

from attrs import field, fields, frozen

from amazon_erp_bridge.errors import ValidationError

#: MaxLength of A_SalesOrder's creatable string properties.
HEADER_MAX_LENGTHS: Final = {
    "SalesOrder": 10,
    "SalesOrderType": 4,
    "SalesOrganization": 4,
    "DistributionChannel": 2,
    "OrganizationDivision": 2,
    "SalesGroup": 3,
    "SalesOffice": 4,
    "SalesDistrict": 6,
    "SoldToParty": 10,
    "PurchaseOrderByCustomer": 35,
    "PurchaseOrderByShipToParty": 35,
    "CustomerPurchaseOrderType": 4,
    "TransactionCurrency": 5,
    "SDDocumentReason": 3,
    "BillingPlan": 10,
    "ShippingCondition": 2,
    "ShippingType": 2,
    "HeaderBillingBlockReason": 2,
    "DeliveryBlockReason": 2,
    "DeliveryDateTypeRule": 1,
    "IncotermsClassification": 3,
    "IncotermsTransferLocation": 28,
    "IncotermsLocation1": 70,
    "IncotermsLocation2": 70,
    "IncotermsVersion": 4,
    "CustomerPriceGroup": 2,
    "PriceListType": 2,
    "CustomerPaymentTerms": 4,
    "PaymentMethod": 1,
    "AssignmentReference": 18,
    "ReferenceSDDocument": 10,
    "AccountingDocExternalReference": 16,
    "CustomerAccountAssignmentGroup": 2,
    "CustomerGroup": 2,
    "AdditionalCustomerGroup1": 3,
    "AdditionalCustomerGroup2": 3,
    "AdditionalCustomerGroup3": 3,
    "AdditionalCustomerGroup4": 3,
    "AdditionalCustomerGroup5": 3,
    "CustomerTaxClassification1": 1,
    "CustomerTaxClassification2": 1,
    "CustomerTaxClassification3": 1,
    "CustomerTaxClassification4": 1,
    "CustomerTaxClassification5": 1,
    "CustomerTaxClassification6": 1,
    "CustomerTaxClassification7": 1,
    "CustomerTaxClassification8": 1,
    "CustomerTaxClassification9": 1,
    "TaxDepartureCountry": 3,
    "VATRegistrationCountry": 3,
    "ContractAccount": 12,
    "AdditionalValueDays": 2,
    "CustomerPurchaseOrderSuplmnt": 4,
}
#: MaxLength of A_SalesOrderItem's creatable string properties.
ITEM_MAX_LENGTHS: Final = {
    "SalesOrderItem": 6,
    "HigherLevelItem": 6,
    "SalesOrderItemCategory": 4,
    "SalesOrderItemText": 40,
    "PurchaseOrderByCustomer": 35,
    "PurchaseOrderByShipToParty": 35,
    "UnderlyingPurchaseOrderItem": 6,
    "Material": 40,
    "MaterialByCustomer": 35,
    "PricingReferenceMaterial": 40,
    "BillingPlan": 10,
    "RequestedQuantityUnit": 3,
    "RequestedQuantitySAPUnit": 3,
    "RequestedQuantityISOUnit": 3,
    "ItemWeightSAPUnit": 3,
    "ItemWeightISOUnit": 3,
    "ItemVolumeSAPUnit": 3,
    "ItemVolumeISOUnit": 3,
    "MaterialGroup": 9,
    "MaterialPricingGroup": 2,
    "AdditionalMaterialGroup1": 3,
    "AdditionalMaterialGroup2": 3,
    "AdditionalMaterialGroup3": 3,
    "AdditionalMaterialGroup4": 3,
    "AdditionalMaterialGroup5": 3,
    "ContractAccount": 12,
    "AdditionalValueDays": 2,
    "Batch": 10,
    "ProductionPlant": 4,
    "StorageLocation": 4,
    "DeliveryGroup": 3,
    "ShippingPoint": 4,
    "ShippingType": 2,
    "DeliveryPriority": 2,
    "DeliveryDateTypeRule": 1,
    "IncotermsClassification": 3,
    "IncotermsTransferLocation": 28,
    "IncotermsLocation1": 70,
    "IncotermsLocation2": 70,
    "ProductTaxClassification1": 1,
    "ProductTaxClassification2": 1,
    "ProductTaxClassification3": 1,
    "ProductTaxClassification4": 1,
    "ProductTaxClassification5": 1,
    "ProductTaxClassification6": 1,
    "ProductTaxClassification7": 1,
    "ProductTaxClassification8": 1,
    "ProductTaxClassification9": 1,
    "MatlAccountAssignmentGroup": 2,
    "CustomerPaymentTerms": 4,
    "CustomerGroup": 2,
    "SalesDocumentRjcnReason": 2,
    "ItemBillingBlockReason": 2,
    "WBSElement": 24,
    "ProfitCenter": 10,
    "ReferenceSDDocument": 10,
    "ReferenceSDDocumentItem": 6,
}
#: MaxLength of A_SalesOrderItemPrElement's creatable string properties.
PRICING_MAX_LENGTHS: Final = {
    "PricingProcedureStep": 3,
    "PricingProcedureCounter": 3,
    "ConditionType": 4,
    "ConditionCurrency": 5,
    "ConditionQuantityUnit": 3,
    "ConditionQuantitySAPUnit": 3,
    "ConditionQuantityISOUnit": 3,
    "TransactionCurrency": 5,
}
_TYPES: Final = {"Decimal": Decimal, "date": date, "bool": bool}


def _properties(record: Any, what: str, limits: Mapping[str, int]) -> dict[str, Any]:
    """The record's SAP properties that are set, each checked against its type and MaxLength."""
    values: dict[str, Any] = {}
    for attribute in fields(type(record)):
        name = attribute.name
        if not name[:1].isupper():
            continue  # a navigation (items, pricing_elements, partners), not a property
        value = getattr(record, name)
        if value is None:
            continue
        kind = str(attribute.type).split(" |")[0]
        if kind == "str":
            if not isinstance(value, str):
                raise ValidationError(f"{what}: {name} must be a string, got {value!r}")
            limit = limits.get(name)
            if limit is not None and len(value) > limit:
                raise ValidationError(
                    f"{what}: {name} {value!r} has {len(value)} characters; SAP allows {limit}"
                )
        elif not isinstance(value, _TYPES[kind]) or (kind == "Decimal" and isinstance(value, bool)):
            raise ValidationError(f"{what}: {name} must be a {kind}, got {value!r}")
        values[name] = value
    return values


@frozen
class PricingElementCreate:
    """A creatable pricing element (A_SalesOrderItemPrElement) for an item's deep insert.

    ConditionType is required (MaxLength 4); ConditionRateValue is the rate SAP applies.
    """

    PricingProcedureStep: str | None = None
    PricingProcedureCounter: str | None = None
    ConditionType: str | None = None
    ConditionRateValue: Decimal | None = None
    ConditionCurrency: str | None = None
    ConditionQuantity: Decimal | None = None
    ConditionQuantityUnit: str | None = None
    ConditionQuantitySAPUnit: str | None = None
    ConditionQuantityISOUnit: str | None = None
    TransactionCurrency: str | None = None

    def __attrs_post_init__(self) -> None:
        if not self.ConditionType:
            raise ValidationError("sales order pricing element: ConditionType is required")
        self.to_payload()

    def to_payload(self) -> dict[str, Any]:
        """The element as one ``to_PricingElement`` entry (only the properties that are set)."""
        what = f"sales order pricing element {self.ConditionType!r}"
        return _properties(self, what, PRICING_MAX_LENGTHS)


def _pricing(value: Any) -> tuple[PricingElementCreate, ...]:
    return tuple(value)


def _items(value: Any) -> tuple[SalesOrderItemCreate, ...]:
    return tuple(value)


def _partners(value: Any) -> tuple[Mapping[str, Any], ...]:
    return tuple(value)


@frozen
class SalesOrderItemCreate:
    """A creatable sales order item (A_SalesOrderItem) with its pricing elements.

    Every property is optional as in the metadata (SAP numbers items and takes defaults from
    the material); ``pricing_elements`` go out as ``to_PricingElement``.
    """

    SalesOrderItem: str | None = None
    HigherLevelItem: str | None = None
    SalesOrderItemCategory: str | None = None
    SalesOrderItemText: str | None = None
    PurchaseOrderByCustomer: str | None = None
    PurchaseOrderByShipToParty: str | None = None
    UnderlyingPurchaseOrderItem: str | None = None
    Material: str | None = None
    MaterialByCustomer: str | None = None
    PricingDate: date | None = None
    PricingReferenceMaterial: str | None = None
    BillingPlan: str | None = None
    RequestedQuantity: Decimal | None = None
    RequestedQuantityUnit: str | None = None
    RequestedQuantitySAPUnit: str | None = None
    RequestedQuantityISOUnit: str | None = None
    ItemWeightSAPUnit: str | None = None
    ItemWeightISOUnit: str | None = None
    ItemVolumeSAPUnit: str | None = None
    ItemVolumeISOUnit: str | None = None
    MaterialGroup: str | None = None
    MaterialPricingGroup: str | None = None
    AdditionalMaterialGroup1: str | None = None
    AdditionalMaterialGroup2: str | None = None
    AdditionalMaterialGroup3: str | None = None
    AdditionalMaterialGroup4: str | None = None
    AdditionalMaterialGroup5: str | None = None
    BillingDocumentDate: date | None = None
    ContractAccount: str | None = None
    AdditionalValueDays: str | None = None
    ServicesRenderedDate: date | None = None
    Batch: str | None = None
    ProductionPlant: str | None = None
    StorageLocation: str | None = None
    DeliveryGroup: str | None = None
    ShippingPoint: str | None = None
    ShippingType: str | None = None
    DeliveryPriority: str | None = None
    DeliveryDateQuantityIsFixed: bool | None = None
    DeliveryDateTypeRule: str | None = None
    IncotermsClassification: str | None = None
    IncotermsTransferLocation: str | None = None
    IncotermsLocation1: str | None = None
    IncotermsLocation2: str | None = None
    TaxAmount: Decimal | None = None
    ProductTaxClassification1: str | None = None
    ProductTaxClassification2: str | None = None
    ProductTaxClassification3: str | None = None
    ProductTaxClassification4: str | None = None
    ProductTaxClassification5: str | None = None
    ProductTaxClassification6: str | None = None
    ProductTaxClassification7: str | None = None
    ProductTaxClassification8: str | None = None
    ProductTaxClassification9: str | None = None
    MatlAccountAssignmentGroup: str | None = None
    CostAmount: Decimal | None = None
    CustomerPaymentTerms: str | None = None
    FixedValueDate: date | None = None
    CustomerGroup: str | None = None
    SalesDocumentRjcnReason: str | None = None
    ItemBillingBlockReason: str | None = None
    SlsDocIsRlvtForProofOfDeliv: bool | None = None
    WBSElement: str | None = None
    ProfitCenter: str | None = None
    AccountingExchangeRate: Decimal | None = None
    ReferenceSDDocument: str | None = None
    ReferenceSDDocumentItem: str | None = None
    pricing_elements: tuple[PricingElementCreate, ...] = field(default=(), converter=_pricing)

    def __attrs_post_init__(self) -> None:
        self.to_payload()

    def to_payload(self) -> dict[str, Any]:
        """The item as one ``to_Item`` entry of the deep insert."""
        what = f"sales order item {self.SalesOrderItem or ''!r}"
        payload = _properties(self, what, ITEM_MAX_LENGTHS)
        for n, element in enumerate(self.pricing_elements):
            if not isinstance(element, PricingElementCreate):
                raise ValidationError(
                    f"{what}: pricing_elements[{n}] must be a PricingElementCreate"
                )
        if self.pricing_elements:
            payload["to_PricingElement"] = {
                "results": [e.to_payload() for e in self.pricing_elements]
            }
        return payload


@frozen
class SalesOrderCreate:
    """A sales order to create (A_SalesOrder deep insert): header properties, items, partners.

    Pass it to :meth:`SalesOrderService.create` where the payload dict was passed. At least
    one item is required (a sales order cannot be created without one). ``partners`` are
    A_SalesOrderHeaderPartner entries (with an optional ``to_Address``) in SAP's own JSON
    shape, sent as ``to_Partner``.
    """

    SalesOrder: str | None = None
    SalesOrderType: str | None = None
    SalesOrganization: str | None = None
    DistributionChannel: str | None = None
    OrganizationDivision: str | None = None
    SalesGroup: str | None = None
    SalesOffice: str | None = None
    SalesDistrict: str | None = None
    SoldToParty: str | None = None
    PurchaseOrderByCustomer: str | None = None
    PurchaseOrderByShipToParty: str | None = None
    CustomerPurchaseOrderType: str | None = None
    CustomerPurchaseOrderDate: date | None = None
    SalesOrderDate: date | None = None
    TransactionCurrency: str | None = None
    SDDocumentReason: str | None = None
    PricingDate: date | None = None
    PriceDetnExchangeRate: Decimal | None = None
    BillingPlan: str | None = None
    RequestedDeliveryDate: date | None = None
    ShippingCondition: str | None = None
    CompleteDeliveryIsDefined: bool | None = None
    ShippingType: str | None = None
    HeaderBillingBlockReason: str | None = None
    DeliveryBlockReason: str | None = None
    DeliveryDateTypeRule: str | None = None
    IncotermsClassification: str | None = None
    IncotermsTransferLocation: str | None = None
    IncotermsLocation1: str | None = None
    IncotermsLocation2: str | None = None
    IncotermsVersion: str | None = None
    CustomerPriceGroup: str | None = None
    PriceListType: str | None = None
    CustomerPaymentTerms: str | None = None
    PaymentMethod: str | None = None
    FixedValueDate: date | None = None
    AssignmentReference: str | None = None
    ReferenceSDDocument: str | None = None
    AccountingDocExternalReference: str | None = None
    CustomerAccountAssignmentGroup: str | None = None
    AccountingExchangeRate: Decimal | None = None
    CustomerGroup: str | None = None
    AdditionalCustomerGroup1: str | None = None
    AdditionalCustomerGroup2: str | None = None
    AdditionalCustomerGroup3: str | None = None
    AdditionalCustomerGroup4: str | None = None
    AdditionalCustomerGroup5: str | None = None
    SlsDocIsRlvtForProofOfDeliv: bool | None = None
    CustomerTaxClassification1: str | None = None
    CustomerTaxClassification2: str | None = None
    CustomerTaxClassification3: str | None = None
    CustomerTaxClassification4: str | None = None
    CustomerTaxClassification5: str | None = None
    CustomerTaxClassification6: str | None = None
    CustomerTaxClassification7: str | None = None
    CustomerTaxClassification8: str | None = None
    CustomerTaxClassification9: str | None = None
    TaxDepartureCountry: str | None = None
    VATRegistrationCountry: str | None = None
    BillingDocumentDate: date | None = None
    ContractAccount: str | None = None
    AdditionalValueDays: str | None = None
    CustomerPurchaseOrderSuplmnt: str | None = None
    ServicesRenderedDate: date | None = None
    items: tuple[SalesOrderItemCreate, ...] = field(default=(), converter=_items)
    partners: tuple[Mapping[str, Any], ...] = field(default=(), converter=_partners)

    def __attrs_post_init__(self) -> None:
        self.to_payload()

    def to_payload(self) -> dict[str, Any]:
        """The order as the A_SalesOrder deep-insert payload (``to_Item`` and ``to_Partner``)."""
        what = f"sales order {self.PurchaseOrderByCustomer or ''!r}"
        if not self.items:
            raise ValidationError(f"{what}: items (to_Item) is required; give at least one item")
        payload = _properties(self, what, HEADER_MAX_LENGTHS)
        for n, item in enumerate(self.items):
            if not isinstance(item, SalesOrderItemCreate):
                raise ValidationError(f"{what}: items[{n}] must be a SalesOrderItemCreate")
        payload["to_Item"] = {"results": [item.to_payload() for item in self.items]}
        if self.partners:
            payload["to_Partner"] = {"results": [dict(p) for p in self.partners]}
        return payload
