"""Business partners (customers) and products."""

from __future__ import annotations

import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.model import Address
from amazon_erp_bridge.sandbox.sap import FakeSap
from amazon_erp_bridge.sap import (
    AsyncBusinessPartnerService,
    AsyncODataClient,
    AsyncProductService,
    BusinessPartnerService,
    ODataClient,
    ODataError,
    ProductService,
    customer_payload,
)
from amazon_erp_bridge.sap.business_partners import address_payload, customers_condition
from amazon_erp_bridge.sap.products import gtin_forms

PARTNERS = BusinessPartnerService.PATH


def test_find_customer_by_search_term_external_id_and_name(client: ODataClient) -> None:
    partners = BusinessPartnerService(client)
    by_term = partners.find_customers(search_term="AMAZON-US")
    assert [p.customer for p in by_term] == ["1000001"]
    assert by_term[0].roles == ("FLCU00", "FLCU01")
    assert partners.find_customers(external_id="ATVPDKIKX0DER")[0].name == "Amazon.com Services LLC"
    assert partners.find_customers(name="Amazon.com Services LLC")[0].business_partner == "1000001"
    assert partners.find_customers(search_term="NOBODY") == []


def test_find_customers_needs_a_criterion() -> None:
    with pytest.raises(ValidationError, match="search_term, an external_id or a name"):
        customers_condition()


def test_create_customer_by_deep_insert(client: ODataClient, fake: FakeSap) -> None:
    payload = customer_payload(
        "Amazon EU SARL",
        grouping="BP02",
        search_term="AMAZON-EU",
        external_id="A1PA6795UKMFR9",
        address=Address(
            line1="38 Avenue John F. Kennedy",
            city="Luxembourg",
            postal_code="1855",
            country_code="LU",
            state_or_region="Luxembourg",
        ),
        sales_areas=[
            {
                "SalesOrganization": "1010",
                "DistributionChannel": "10",
                "Division": "00",
                "Currency": "EUR",
            }
        ],
        company_codes=[{"CompanyCode": "1010", "ReconciliationAccount": "12100000"}],
    )
    assert "Region" not in payload["to_BusinessPartnerAddress"]["results"][0]
    partner = BusinessPartnerService(client).create_customer(payload)
    assert partner.customer == partner.business_partner
    assert partner.roles == ("FLCU00", "FLCU01")
    assert (
        BusinessPartnerService(client).get(partner.business_partner).external_id == "A1PA6795UKMFR9"
    )
    address = fake.rows(PARTNERS, "A_BusinessPartnerAddress")[0]
    assert address["CityName"] == "Luxembourg" and address["Country"] == "LU"
    assert fake.rows(PARTNERS, "A_CustomerSalesArea")[0]["Currency"] == "EUR"
    assert fake.rows(PARTNERS, "A_CustomerCompany")[0]["ReconciliationAccount"] == "12100000"


def test_customer_payload_checks_lengths_by_field() -> None:
    with pytest.raises(ValidationError, match="SearchTerm1 .* at most 20"):
        customer_payload("X", grouping="BP02", search_term="S" * 21)
    with pytest.raises(ValidationError, match="OrganizationBPName1 .* at most 40"):
        customer_payload("N" * 41, grouping="BP02")
    with pytest.raises(ValidationError, match="name\\) is empty"):
        customer_payload(" ", grouping="BP02")
    with pytest.raises(ValidationError, match="only organization"):
        customer_payload("X", grouping="BP02", category="1")
    with pytest.raises(ValidationError, match="StreetName .* at most 60"):
        address_payload(Address(line1="L" * 61), "C1")


def test_sap_refusal_of_a_partner_names_the_fields(client: ODataClient) -> None:
    with pytest.raises(ODataError, match="grouping") as info:
        BusinessPartnerService(client).create_customer({"BusinessPartnerCategory": "2"})
    targets = {d.target for d in info.value.error_details}
    assert {"BusinessPartnerGrouping", "OrganizationBPName1"} <= targets


def test_product_by_number_and_gtin(client: ODataClient) -> None:
    products = ProductService(client)
    mug = products.get("MUG-SAGE")
    assert mug.gtin == "0012345678905"
    assert mug.description("EN") == "Sage mug"
    assert [p.product for p in products.find_by_gtin("00012345678905")] == ["MUG-SAGE"]
    assert [p.product for p in products.find_by_gtin("4006381333931")] == ["VASE-TALL"]
    assert products.find_by_gtin("4006381333948") == []


def test_unknown_product_is_404(client: ODataClient) -> None:
    with pytest.raises(ODataError, match="Resource not found") as info:
        ProductService(client).get("NOPE")
    assert info.value.status == 404


@pytest.mark.parametrize("gtin", ["", "abc", "1234567", "123456789012345"])
def test_bad_gtins_are_refused(gtin: str) -> None:
    with pytest.raises(ValidationError, match="GTIN"):
        gtin_forms(gtin)


def test_gtin_forms() -> None:
    assert gtin_forms("4006381333931") == ("4006381333931", "04006381333931")
    assert gtin_forms("04006381333931") == ("04006381333931", "4006381333931")
    assert gtin_forms("12345670") == ("12345670",)


def test_list_all_products_for_a_crosswalk(client: ODataClient, fake: FakeSap) -> None:
    for n in range(4):
        fake.add_product(f"SKU-{n}", description=f"Item {n}")
    plain = list(ProductService(client).iter_all())
    assert len(plain) == 6 and all(p.descriptions == {} for p in plain)
    described = list(ProductService(client).iter_all(with_descriptions=True))
    assert {p.product: p.description() for p in described}["SKU-2"] == "Item 2"


async def test_async_master_data(aclient: AsyncODataClient) -> None:
    partners = AsyncBusinessPartnerService(aclient)
    assert (await partners.find_customers(search_term="AMAZON-US"))[0].customer == "1000001"
    created = await partners.create_customer(customer_payload("Async Co", grouping="BP02"))
    assert (await partners.get(created.business_partner)).name == "Async Co"
    assert [p.name async for p in partners.search(customers_condition(name="Async Co"))] == [
        "Async Co"
    ]
    products = AsyncProductService(aclient)
    assert (await products.get("VASE-TALL")).gtin == "4006381333931"
    assert [p.product for p in await products.find_by_gtin("12345678905")] == []
    assert len([p async for p in products.iter_all()]) == 2
