"""Customers as business partners through API_BUSINESS_PARTNER (OData V2).

Find a customer by search term, by the id an external system gave it
(``BusinessPartnerIDByExtSystem``) or by name, and create one in a single deep insert of the
business partner with its roles, address and customer data. :func:`customer_payload` builds
that payload from field names checked against SAP's published API_BUSINESS_PARTNER metadata;
the values (grouping, roles, sales areas, reconciliation account) are customising of each
system and are the caller's to give.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from functools import partial
from typing import Any

from attrs import field, frozen

from amazon_erp_bridge.core.call import Call, Page
from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import Address
from amazon_erp_bridge.sap import operations as ops
from amazon_erp_bridge.sap.client import AsyncODataClient, ODataClient
from amazon_erp_bridge.sap.errors import SapMessage
from amazon_erp_bridge.sap.operations import Entity
from amazon_erp_bridge.sap.query import Filter, Query, all_of, entity_path, prop

SERVICE = "/sap/opu/odata/sap/API_BUSINESS_PARTNER"
ENTITY_SET = "A_BusinessPartner"
ROLES = "to_BusinessPartnerRole"
ADDRESSES = "to_BusinessPartnerAddress"

#: SAP's standard business partner roles of a customer (FI customer, sales customer). A
#: system's customising may use others: pass ``roles=`` to :func:`customer_payload`.
CUSTOMER_ROLES = ("FLCU00", "FLCU01")
#: BusinessPartnerCategory: 1 person, 2 organization, 3 group.
ORGANIZATION = "2"

# Property lengths from API_BUSINESS_PARTNER's metadata, for messages before SAP refuses.
_ADDRESS_FIELDS = {
    "StreetName": 60,
    "StreetSuffixName": 40,
    "AdditionalStreetSuffixName": 40,
    "CityName": 40,
    "District": 40,
    "County": 40,
    "PostalCode": 10,
    "Region": 3,
    "Country": 3,
    "CareOfName": 40,
}


@frozen
class BusinessPartner:
    """A business partner; ``customer`` is its customer number when it has the customer role."""

    business_partner: str
    customer: str | None = None
    category: str | None = None
    grouping: str | None = None
    name: str | None = None
    search_term: str | None = None
    external_id: str | None = None
    is_blocked: bool | None = None
    roles: tuple[str, ...] = ()
    etag: str | None = None
    messages: tuple[SapMessage, ...] = ()
    raw: Mapping[str, Any] = field(factory=dict, repr=False, eq=False)

    @classmethod
    def from_entity(cls, e: Entity) -> BusinessPartner:
        """Read a business partner (name, roles, addresses) from an OData entity."""
        name = (
            e.text("BusinessPartnerFullName")
            or e.text("OrganizationBPName1")
            or e.text("BusinessPartnerName")
            or " ".join(p for p in (e.text("FirstName"), e.text("LastName")) if p)
            or None
        )
        return cls(
            business_partner=e.required("BusinessPartner"),
            customer=e.text("Customer"),
            category=e.text("BusinessPartnerCategory"),
            grouping=e.text("BusinessPartnerGrouping"),
            name=name,
            search_term=e.text("SearchTerm1"),
            external_id=e.text("BusinessPartnerIDByExtSystem"),
            is_blocked=e.as_bool("BusinessPartnerIsBlocked"),
            roles=tuple(r.required("BusinessPartnerRole") for r in e.children(ROLES)),
            etag=e.etag,
            messages=e.messages,
            raw=e.raw,
        )


def _fit(value: str | None, name: str, length: int, record: str) -> str | None:
    if value is None or value == "":
        return None
    if len(value) > length:
        raise ValidationError(
            f"customer {record!r}: {name} {value!r} has {len(value)} characters; SAP holds "
            f"at most {length}"
        )
    return value


def address_payload(address: Address, record: str = "") -> dict[str, str]:
    """An A_BusinessPartnerAddress from a model Address (lines 2 and 3 go to the suffixes).

    ``state_or_region`` goes to Region only when it is a code of at most 3 characters (SAP
    wants its region key, not a name); names like "California" are left out.
    """
    region = address.state_or_region
    values = {
        "StreetName": address.line1,
        "StreetSuffixName": address.line2,
        "AdditionalStreetSuffixName": address.line3,
        "CityName": address.city,
        "District": address.district,
        "County": address.county,
        "PostalCode": address.postal_code,
        "Region": region if region and len(region) <= 3 else None,
        "Country": address.country_code,
    }
    out: dict[str, str] = {}
    for name, value in values.items():
        fitted = _fit(value, name, _ADDRESS_FIELDS[name], record)
        if fitted is not None:
            out[name] = fitted
    return out


def customer_payload(
    name: str,
    *,
    grouping: str,
    category: str = ORGANIZATION,
    roles: Sequence[str] = CUSTOMER_ROLES,
    address: Address | None = None,
    search_term: str | None = None,
    external_id: str | None = None,
    language: str | None = None,
    sales_areas: Sequence[Mapping[str, Any]] = (),
    company_codes: Sequence[Mapping[str, Any]] = (),
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An A_BusinessPartner deep-insert payload for an organization customer.

    ``sales_areas`` are A_CustomerSalesArea dicts (SalesOrganization, DistributionChannel,
    Division, Currency, ...) and ``company_codes`` A_CustomerCompany dicts (CompanyCode,
    ReconciliationAccount, ...); both go under ``to_Customer``. ``extra`` is merged into the
    header for fields this builder does not know.
    """
    record = external_id or search_term or name
    if not name or not name.strip():
        raise ValidationError(f"customer {record!r}: OrganizationBPName1 (the name) is empty")
    if category != ORGANIZATION:
        raise ValidationError(
            f"customer {record!r}: only organization customers (category '2') are built here; "
            "pass a payload of your own for persons"
        )
    payload: dict[str, Any] = {
        "BusinessPartnerCategory": category,
        "BusinessPartnerGrouping": grouping,
        "OrganizationBPName1": _fit(name, "OrganizationBPName1", 40, record),
    }
    optional = {
        "SearchTerm1": _fit(search_term, "SearchTerm1", 20, record),
        "BusinessPartnerIDByExtSystem": _fit(
            external_id, "BusinessPartnerIDByExtSystem", 20, record
        ),
        "CorrespondenceLanguage": language,
    }
    payload.update({k: v for k, v in optional.items() if v})
    payload[ROLES] = {"results": [{"BusinessPartnerRole": r} for r in roles]}
    if address is not None:
        payload[ADDRESSES] = {"results": [address_payload(address, record)]}
    customer: dict[str, Any] = {}
    if sales_areas:
        customer["to_CustomerSalesArea"] = {"results": [dict(a) for a in sales_areas]}
    if company_codes:
        customer["to_CustomerCompany"] = {"results": [dict(c) for c in company_codes]}
    if customer:
        payload["to_Customer"] = customer
    payload.update(extra or {})
    return payload


# ----------------------------------------------------------------------------- operations


def customers_condition(
    *, search_term: str | None = None, external_id: str | None = None, name: str | None = None
) -> Filter:
    """Partners that are customers and match every criterion given."""
    parts = [prop("Customer").ne("")]
    if search_term is not None:
        parts.append(prop("SearchTerm1").eq(search_term))
    if external_id is not None:
        parts.append(prop("BusinessPartnerIDByExtSystem").eq(external_id))
    if name is not None:
        parts.append(prop("OrganizationBPName1").eq(name))
    if len(parts) == 1:
        raise ValidationError(
            "find customers: give a search_term, an external_id or a name to look for"
        )
    return all_of(*parts)


def find_page(condition: Filter, token: str | None) -> Call[Page[BusinessPartner]]:
    """One page of business partners matching ``condition``, with their roles."""
    query = Query(filter=condition, expand=(ROLES,))
    return ops.read_page(
        ENTITY_SET, query, token, item=BusinessPartner.from_entity, limit_key="sap.bp.find"
    )


def read_business_partner(business_partner: str) -> Call[BusinessPartner]:
    return ops.read_entity(
        entity_path(ENTITY_SET, business_partner),
        Query(expand=(ROLES,)),
        item=BusinessPartner.from_entity,
        limit_key="sap.bp.read",
    )


def create_business_partner(payload: Mapping[str, Any]) -> Call[BusinessPartner]:
    """Deep insert of a business partner (see :func:`customer_payload`)."""
    return ops.create_entity(
        ENTITY_SET, payload, item=BusinessPartner.from_entity, limit_key="sap.bp.create"
    )


# ----------------------------------------------------------------------------- facades


class BusinessPartnerService:
    """Business partners of one S/4HANA system (blocking)."""

    PATH = SERVICE

    def __init__(self, client: ODataClient, *, path: str = SERVICE) -> None:
        self._sender = client.service(path)

    def find_customers(
        self,
        *,
        search_term: str | None = None,
        external_id: str | None = None,
        name: str | None = None,
    ) -> list[BusinessPartner]:
        """Customers matching the given search fields, over all pages."""
        condition = customers_condition(search_term=search_term, external_id=external_id, name=name)
        return list(self._sender.pages(partial(find_page, condition)))

    def search(self, condition: Filter) -> Iterator[BusinessPartner]:
        """Every business partner matching ``condition``, following paging."""
        return self._sender.pages(partial(find_page, condition))

    def get(self, business_partner: str) -> BusinessPartner:
        """One business partner by number."""
        return self._sender.send(read_business_partner(business_partner))

    def create_customer(self, payload: Mapping[str, Any]) -> BusinessPartner:
        """Create a business partner in the customer role from an API payload."""
        return self._sender.send(create_business_partner(payload))


class AsyncBusinessPartnerService:
    """Business partners of one S/4HANA system (asyncio)."""

    PATH = SERVICE

    def __init__(self, client: AsyncODataClient, *, path: str = SERVICE) -> None:
        self._sender = client.service(path)

    async def find_customers(
        self,
        *,
        search_term: str | None = None,
        external_id: str | None = None,
        name: str | None = None,
    ) -> list[BusinessPartner]:
        """The async form of :meth:`BusinessPartnerService.find_customers`."""
        condition = customers_condition(search_term=search_term, external_id=external_id, name=name)
        return [bp async for bp in self._sender.pages(partial(find_page, condition))]

    def search(self, condition: Filter) -> AsyncIterator[BusinessPartner]:
        """The async form of :meth:`BusinessPartnerService.search`."""
        return self._sender.pages(partial(find_page, condition))

    async def get(self, business_partner: str) -> BusinessPartner:
        """The async form of :meth:`BusinessPartnerService.get`."""
        return await self._sender.send(read_business_partner(business_partner))

    async def create_customer(self, payload: Mapping[str, Any]) -> BusinessPartner:
        """The async form of :meth:`BusinessPartnerService.create_customer`."""
        return await self._sender.send(create_business_partner(payload))
