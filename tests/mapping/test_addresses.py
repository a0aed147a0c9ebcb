import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amazon_erp_bridge.errors import MappingError
from amazon_erp_bridge.mapping import (
    M3_ADDRESS,
    SAP_BUSINESS_PARTNER_ADDRESS,
    SAP_SALES_ORDER_ADDRESS,
    AddressTooLongError,
    erp_address,
    fit_lines,
)
from amazon_erp_bridge.model import Address

from .samples import ship_to


def test_us_address_normalises_to_m3_fields():
    assert erp_address(ship_to(), M3_ADDRESS) == {
        "CUNM": "Jane Doe",
        "CUA1": "123 Any Street",
        "CUA2": "Apt 4B",
        "TOWN": "Seattle",
        "PONO": "98101-1234",
        "ECAR": "WA",
        "CSCD": "US",
        "PHNO": "+12065550100",
    }


def test_us_address_normalises_to_sap_sales_order_partner_address():
    fields = erp_address(ship_to(company="Acme Corp"), SAP_SALES_ORDER_ADDRESS)
    assert fields == {
        "OrganizationName1": "Jane Doe",
        "OrganizationName2": "Acme Corp",
        "StreetName": "123 Any Street",
        "StreetSuffixName1": "Apt 4B",
        "CityName": "Seattle",
        "PostalCode": "98101-1234",
        "Region": "WA",
        "Country": "US",
        "PhoneNumber": "+12065550100",
    }


def test_business_partner_layout_leaves_name_and_phone_to_the_caller():
    fields = erp_address(ship_to(), SAP_BUSINESS_PARTNER_ADDRESS)
    assert "OrganizationName1" not in fields and "PhoneNumber" not in fields
    assert fields["StreetName"] == "123 Any Street"
    assert fields["StreetSuffixName"] == "Apt 4B"


def test_company_goes_into_the_m3_address_lines_before_the_street():
    fields = erp_address(ship_to(company="Acme Corp"), M3_ADDRESS)
    assert [fields["CUNM"], fields["CUA1"], fields["CUA2"], fields["CUA3"]] == [
        "Jane Doe",
        "Acme Corp",
        "123 Any Street",
        "Apt 4B",
    ]


def test_long_lines_split_at_word_boundaries_without_losing_text():
    address = ship_to(
        line1="Building 7, Riverside Technology Park, 4500 North Industrial Parkway",
        line2="Loading dock C",
    )
    fields = erp_address(address, M3_ADDRESS)
    lines = [fields.get(f"CUA{n}", "") for n in range(1, 5)]
    assert all(len(text) <= 36 for text in lines)
    assert " ".join(t for t in lines if t).replace(",", "").split() == (
        f"{address.line1} {address.line2}".replace(",", "").split()
    )
    assert lines[0] == "Building 7, Riverside Technology"


def test_short_lines_are_joined_only_when_they_would_not_fit_apart():
    address = ship_to(company="Acme", line1="Unit 1", line2="Block B", line3="Estate Road 9")
    fields = erp_address(address, M3_ADDRESS)
    assert [fields[f"CUA{n}"] for n in range(1, 5)] == [
        "Acme",
        "Unit 1",
        "Block B",
        "Estate Road 9",
    ]
    fields = erp_address(
        ship_to(
            company="Acme",
            line1="Unit 1",
            line2="Block B",
            line3="Estate Road 9",
            state_or_region="Greater London",
            country_code="GB",
            postal_code="sw1a1aa",
        ),
        M3_ADDRESS,
    )
    assert "CUA4" not in fields or len(fields["CUA4"]) <= 36
    assert "Greater London" in " ".join(
        fields[k] for k in ("CUA1", "CUA2", "CUA3", "CUA4") if k in fields
    )
    assert fields["PONO"] == "SW1A 1AA"
    assert "ECAR" not in fields


def test_long_name_continues_in_the_address_lines():
    name = "Dr. Maximilian Alexander von Hohenberg-Schwarzenfeld"
    fields = erp_address(ship_to(name=name, line2=None), M3_ADDRESS)
    assert fields["CUNM"] == "Dr. Maximilian Alexander von"
    assert fields["CUA1"] == "Hohenberg-Schwarzenfeld"
    assert fields["CUA2"] == "123 Any Street"


def test_address_too_long_to_fit_names_record_and_field():
    words = " ".join(["Extraordinarilylongstreetname"] * 8)
    with pytest.raises(AddressTooLongError) as caught:
        erp_address(ship_to(line1=words, line2=words), M3_ADDRESS, record="order 113-1 ship-to")
    error = caught.value
    assert isinstance(error, MappingError)
    assert error.field == "CUA1..CUA4"
    assert error.message.startswith("order 113-1 ship-to: address text of")
    assert "does not fit M3 fields CUA1..CUA4 (4 fields, 144 characters) without losing text" in (
        error.message
    )


def test_city_too_long_for_town_names_the_field():
    with pytest.raises(
        AddressTooLongError,
        match=r"order 9 ship-to: 'Rancho Santa Margarita' .*"
        r"does not fit M3 field TOWN \(at most 20\)",
    ):
        erp_address(ship_to(city="Rancho Santa Margarita"), M3_ADDRESS, record="order 9 ship-to")
    fields = erp_address(ship_to(city="Rancho Santa Margarita"), SAP_SALES_ORDER_ADDRESS)
    assert fields["CityName"] == "Rancho Santa Margarita"


def test_phone_too_long_names_the_field():
    with pytest.raises(AddressTooLongError, match="does not fit M3 field PHNO"):
        erp_address(ship_to(phone="+1 206 555 0100 extension 12345"), M3_ADDRESS)


@pytest.mark.parametrize(
    ("country", "raw", "formatted"),
    [
        ("US", "98101", "98101"),
        ("US", "98101 1234", "98101-1234"),
        ("CA", "k1a0b1", "K1A 0B1"),
        ("GB", "ec1a 1bb", "EC1A 1BB"),
        ("NL", "1234ab", "1234 AB"),
        ("JP", "1000001", "100-0001"),
        ("DE", "10115", "10115"),
        ("CH", "8001", "8001"),  # no format on file: kept as given
    ],
)
def test_postal_codes_take_their_country_format(country, raw, formatted):
    fields = erp_address(
        Address(name="A", line1="B", city="C", postal_code=raw, country_code=country),
        SAP_SALES_ORDER_ADDRESS,
    )
    assert fields["PostalCode"] == formatted


def test_postal_code_that_cannot_match_its_country_names_record_and_field():
    with pytest.raises(
        MappingError, match=r"order 5 ship-to: PONO '9810' is not a valid US postal"
    ):
        erp_address(ship_to(postal_code="9810"), M3_ADDRESS, record="order 5 ship-to")


def test_states_become_codes_and_an_unknown_state_is_an_error():
    assert erp_address(ship_to(state_or_region="wa"), M3_ADDRESS)["ECAR"] == "WA"
    ca = Address(
        name="A",
        line1="B",
        city="Montréal",
        postal_code="H2X1Y4",
        country_code="CA",
        state_or_region="Québec",
    )
    assert erp_address(ca, M3_ADDRESS)["ECAR"] == "QC"
    with pytest.raises(MappingError, match=r"ECAR 'Kalifornia' is not a known US state"):
        erp_address(ship_to(state_or_region="Kalifornia"), M3_ADDRESS)


def test_uk_country_alias_becomes_gb():
    address = Address(
        name="A", line1="1 High St", city="London", postal_code="SW1A1AA", country_code="UK"
    )
    assert erp_address(address, M3_ADDRESS)["CSCD"] == "GB"


def test_district_without_room_moves_into_the_lines():
    address = ship_to(district="Capitol Hill", line2=None)
    assert erp_address(address, M3_ADDRESS)["CUA2"] == "Capitol Hill"
    assert erp_address(address, SAP_SALES_ORDER_ADDRESS)["DistrictName"] == "Capitol Hill"


def test_fit_lines_prefers_separate_lines_then_joins():
    assert fit_lines(["a", "b"], [5, 5]) == ["a", "b"]
    assert fit_lines(["a", "b", "c"], [5, 5]) == ["a, b,", "c"]
    assert fit_lines(["abcdefghij"], [5]) is None
    assert fit_lines(["abcdefghij"], [5, 5]) == ["abcde", "fghij"]


words = st.text(
    alphabet=st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=12
)
texts = st.lists(st.lists(words, max_size=8).map(" ".join), max_size=4)


@settings(max_examples=100, deadline=None)
@given(texts, st.lists(st.integers(min_value=12, max_value=40), min_size=1, max_size=4))
def test_fitting_never_loses_or_truncates_text(parts, widths):
    placed = fit_lines(parts, widths)
    if placed is None:
        return
    assert len(placed) <= len(widths)
    assert all(len(p) <= w for p, w in zip(placed, widths, strict=False))
    original = "".join("".join(parts).split())
    kept = "".join("".join(placed).split())
    assert kept in (original, "".join("".join(",".join(p for p in parts if p.strip())).split()))
