"""Addresses normalised to an ERP's fields and lengths, without losing any text.

Each ERP layout (which field holds what, and how long it may be) is data: see
:data:`M3_ADDRESS`, :data:`SAP_SALES_ORDER_ADDRESS`, :data:`SAP_BUSINESS_PARTNER_ADDRESS`;
build your own :class:`AddressLayout` if your fields differ. The rules:

- country codes are ISO 3166 alpha-2 (``UK`` becomes ``GB``);
- US and Canadian states/provinces become their two-letter codes (``California`` -> ``CA``);
  regions of other countries have no code table, so their text goes into the address lines
  (an ERP region field holds codes, not free text);
- postal codes take their country's format (``123456789`` -> ``12345-6789``, ``k1a0b1`` ->
  ``K1A 0B1``); one that does not fit the format is an error naming the field;
- phones lose spaces, dots, dashes and brackets (``+1 (206) 555-0100`` -> ``+12065550100``);
- the name (and company) fill the name fields; what does not fit continues in the address
  lines; long lines split at word boundaries across the line fields; short lines are joined
  with ", " only when keeping them apart would not fit. Text that cannot fit anywhere raises
  :class:`~amazon_erp_bridge.mapping.errors.AddressTooLongError` naming the record and field.
  Nothing is ever truncated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final

from attrs import frozen

from amazon_erp_bridge.errors import MappingError
from amazon_erp_bridge.mapping.errors import AddressTooLongError
from amazon_erp_bridge.model import Address


@frozen
class FieldSpec:
    """One ERP field and its maximum length in characters."""

    name: str
    max_length: int


@frozen
class AddressLayout:
    """Where an ERP keeps each part of an address. A part with no field (None) is not mapped.

    ``names`` receive the recipient name then the company; ``lines`` the street lines in
    order. A layout with no name fields (the SAP business partner address, whose name lives
    on A_BusinessPartner) leaves name and company to the caller.
    """

    system: str
    names: tuple[FieldSpec, ...]
    lines: tuple[FieldSpec, ...]
    city: FieldSpec | None = None
    district: FieldSpec | None = None
    postal_code: FieldSpec | None = None
    region: FieldSpec | None = None
    country: FieldSpec | None = None
    phone: FieldSpec | None = None


def _fields(prefix: str, count: int, length: int) -> tuple[FieldSpec, ...]:
    return tuple(FieldSpec(f"{prefix}{n}", length) for n in range(1, count + 1))


#: Infor M3 customer / customer-order address (CRS610MI, OIS100MI AddBatchAddress).
M3_ADDRESS: Final = AddressLayout(
    system="M3",
    names=(FieldSpec("CUNM", 36),),
    lines=_fields("CUA", 4, 36),
    city=FieldSpec("TOWN", 20),
    postal_code=FieldSpec("PONO", 10),
    region=FieldSpec("ECAR", 2),
    country=FieldSpec("CSCD", 3),
    phone=FieldSpec("PHNO", 16),
)

#: SAP sales order partner address (API_SALES_ORDER_SRV A_SalesOrderPartnerAddress), e.g. the
#: ship-to's ``to_Address`` in a deep insert.
SAP_SALES_ORDER_ADDRESS: Final = AddressLayout(
    system="SAP A_SalesOrderPartnerAddress",
    names=(FieldSpec("OrganizationName1", 40), FieldSpec("OrganizationName2", 40)),
    lines=(
        FieldSpec("StreetName", 60),
        FieldSpec("StreetSuffixName1", 40),
        FieldSpec("StreetSuffixName2", 40),
    ),
    city=FieldSpec("CityName", 40),
    district=FieldSpec("DistrictName", 40),
    postal_code=FieldSpec("PostalCode", 10),
    region=FieldSpec("Region", 3),
    country=FieldSpec("Country", 3),
    phone=FieldSpec("PhoneNumber", 30),
)

#: SAP business partner address (API_BUSINESS_PARTNER A_BusinessPartnerAddress). The name is
#: on A_BusinessPartner and the phone in ``to_PhoneNumber``, so this layout has neither.
SAP_BUSINESS_PARTNER_ADDRESS: Final = AddressLayout(
    system="SAP A_BusinessPartnerAddress",
    names=(),
    lines=(
        FieldSpec("StreetName", 60),
        FieldSpec("StreetSuffixName", 40),
        FieldSpec("AdditionalStreetSuffixName", 40),
    ),
    city=FieldSpec("CityName", 40),
    district=FieldSpec("District", 40),
    postal_code=FieldSpec("PostalCode", 10),
    region=FieldSpec("Region", 3),
    country=FieldSpec("Country", 3),
)

#: Non-ISO country codes seen in marketplace data -> ISO 3166 alpha-2.
COUNTRY_ALIASES: Final[Mapping[str, str]] = MappingProxyType({"UK": "GB"})

_US: Final = MappingProxyType({
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
    "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "District of Columbia": "DC",
    "Florida": "FL", "Georgia": "GA", "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL",
    "Indiana": "IN", "Iowa": "IA", "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA",
    "Maine": "ME", "Maryland": "MD", "Massachusetts": "MA", "Michigan": "MI",
    "Minnesota": "MN", "Mississippi": "MS", "Missouri": "MO", "Montana": "MT",
    "Nebraska": "NE", "Nevada": "NV", "New Hampshire": "NH", "New Jersey": "NJ",
    "New Mexico": "NM", "New York": "NY", "North Carolina": "NC", "North Dakota": "ND",
    "Ohio": "OH", "Oklahoma": "OK", "Oregon": "OR", "Pennsylvania": "PA",
    "Rhode Island": "RI", "South Carolina": "SC", "South Dakota": "SD", "Tennessee": "TN",
    "Texas": "TX", "Utah": "UT", "Vermont": "VT", "Virginia": "VA", "Washington": "WA",
    "West Virginia": "WV", "Wisconsin": "WI", "Wyoming": "WY", "Puerto Rico": "PR",
    "Guam": "GU", "U.S. Virgin Islands": "VI", "American Samoa": "AS",
    "Northern Mariana Islands": "MP", "Armed Forces Americas": "AA",
    "Armed Forces Europe": "AE", "Armed Forces Pacific": "AP",
})  # fmt: skip
_CA: Final = MappingProxyType({
    "Alberta": "AB", "British Columbia": "BC", "Manitoba": "MB", "New Brunswick": "NB",
    "Newfoundland and Labrador": "NL", "Nova Scotia": "NS", "Northwest Territories": "NT",
    "Nunavut": "NU", "Ontario": "ON", "Prince Edward Island": "PE", "Quebec": "QC",
    "Québec": "QC", "Saskatchewan": "SK", "Yukon": "YT",
})  # fmt: skip

#: Country -> region name -> code, for the countries whose ERP region fields hold codes.
REGION_CODES: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType({"US": _US, "CA": _CA})


@frozen
class PostalFormat:
    """A country's postal code: its compact pattern and where the separator goes.

    ``split_at`` counts from the start (positive) or the end (negative) of the compact code;
    the separator is only inserted when the code is longer than that (a 5-digit ZIP stays).
    """

    pattern: str
    example: str
    split_at: int | None = None
    separator: str = " "

    def format(self, compact: str) -> str | None:
        """The postal code written the country's way, or None when it does not fit the pattern."""
        if not re.fullmatch(self.pattern, compact):
            return None
        if self.split_at is None or len(compact) <= abs(self.split_at):
            return compact
        return compact[: self.split_at] + self.separator + compact[self.split_at :]


POSTAL_FORMATS: Final[Mapping[str, PostalFormat]] = MappingProxyType(
    {
        "US": PostalFormat(r"\d{5}(\d{4})?", "12345 or 12345-6789", 5, "-"),
        "CA": PostalFormat(r"[A-Z]\d[A-Z]\d[A-Z]\d", "K1A 0B1", -3),
        "GB": PostalFormat(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}", "SW1A 1AA", -3),
        "NL": PostalFormat(r"\d{4}[A-Z]{2}", "1234 AB", -2),
        "DE": PostalFormat(r"\d{5}", "10115"),
        "FR": PostalFormat(r"\d{5}", "75001"),
        "IT": PostalFormat(r"\d{5}", "00184"),
        "ES": PostalFormat(r"\d{5}", "28001"),
        "MX": PostalFormat(r"\d{5}", "01000"),
        "AU": PostalFormat(r"\d{4}", "2000"),
        "IN": PostalFormat(r"\d{6}", "110001"),
        "JP": PostalFormat(r"\d{7}", "100-0001", 3, "-"),
        "BR": PostalFormat(r"\d{8}", "01310-100", 5, "-"),
        "PL": PostalFormat(r"\d{5}", "00-950", 2, "-"),
        "SE": PostalFormat(r"\d{5}", "114 55", 3),
    }
)


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _where(record: str) -> str:
    return f"{record}: " if record else ""


def country_code(code: str | None, aliases: Mapping[str, str] = COUNTRY_ALIASES) -> str:
    """ISO 3166 alpha-2, upper case; marketplace aliases such as ``UK`` become ``GB``."""
    text = _clean(code).upper()
    return aliases.get(text, text)


def postal_code(
    code: str | None,
    country: str,
    formats: Mapping[str, PostalFormat] = POSTAL_FORMATS,
    *,
    record: str = "",
    field: str = "postal code",
) -> str:
    """The postal code in its country's format; one that cannot match it is an error."""
    text = _clean(code).upper()
    rule = formats.get(country)
    if rule is None or not text:
        return text
    formatted = rule.format(re.sub(r"[\s\-]", "", text))
    if formatted is None:
        raise MappingError(
            f"{_where(record)}{field} {text!r} is not a valid {country} postal code "
            f"(expected e.g. {rule.example})"
        )
    return formatted


def region_code(
    region: str | None,
    country: str,
    codes: Mapping[str, Mapping[str, str]] = REGION_CODES,
    *,
    record: str = "",
    field: str = "state",
) -> str | None:
    """The region's code for countries with a code table (US, CA), else None (no table).

    An unknown name for a country that has a table is an error naming it.
    """
    table = codes.get(country)
    text = _clean(region)
    if table is None or not text:
        return None
    if text.upper() in table.values():
        return text.upper()
    by_name = {name.casefold(): code for name, code in table.items()}
    found = by_name.get(text.casefold().rstrip("."))
    if found is None:
        raise MappingError(
            f"{_where(record)}{field} {text!r} is not a known {country} state or province; "
            "use its two-letter code or add it to the region table"
        )
    return found


def phone_number(phone: str | None) -> str:
    """A phone number without spaces, dots, dashes or brackets: ``+12065550100``."""
    return re.sub(r"[\s().\-/]", "", phone or "")


def _wrap(text: str, widths: Sequence[int]) -> tuple[list[str], str]:
    """Fill ``widths`` with ``text`` cut at word boundaries; returns (chunks, what is left)."""
    chunks: list[str] = []
    rest = text
    for width in widths:
        if not rest:
            break
        if len(rest) <= width:
            chunks.append(rest)
            rest = ""
            break
        cut = rest.rfind(" ", 0, width + 1)
        if cut <= 0:
            cut = width  # one word longer than the field: split it rather than lose it
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return chunks, rest


def fit_lines(texts: Sequence[str], widths: Sequence[int]) -> list[str] | None:
    """Place every text in fields of the given widths without losing any of it, or None.

    First each text keeps its own fields (long ones split at word boundaries); if that needs
    too many fields, the texts are joined with ", " and wrapped as one.
    """
    texts = [t for t in (_clean(t) for t in texts) if t]
    placed: list[str] = []
    for text in texts:
        chunks, rest = _wrap(text, widths[len(placed) :])
        if rest:
            break
        placed.extend(chunks)
    else:
        return placed
    chunks, rest = _wrap(", ".join(texts), widths)
    return None if rest else chunks


def _field_range(specs: Sequence[FieldSpec]) -> str:
    return specs[0].name if len(specs) == 1 else f"{specs[0].name}..{specs[-1].name}"


def _single(
    out: dict[str, str], spec: FieldSpec | None, value: str, record: str, system: str
) -> None:
    if spec is None or not value:
        return
    if len(value) > spec.max_length:
        raise AddressTooLongError(
            f"{_where(record)}{value!r} ({len(value)} characters) does not fit {system} field "
            f"{spec.name} (at most {spec.max_length})",
            field=spec.name,
        )
    out[spec.name] = value


def _place_names(address: Address, specs: Sequence[FieldSpec]) -> tuple[dict[str, str], list[str]]:
    """The name, then the company, each in name fields of its own; what does not fit there
    (the end of a long name, or the company) leads the address lines instead."""
    if not specs:
        return {}, []
    name, company = _clean(address.name), _clean(address.company)
    if company.casefold() == name.casefold():
        company = ""
    widths = [spec.max_length for spec in specs]
    placed, rest = _wrap(name, widths)
    lead = [rest] if rest else []
    if company:
        company_chunks, company_rest = _wrap(company, widths[len(placed) :])
        if rest or company_rest or not company_chunks:
            lead.append(company)
        else:
            placed.extend(company_chunks)
    return {spec.name: value for spec, value in zip(specs, placed, strict=False)}, lead


def erp_address(
    address: Address,
    layout: AddressLayout,
    *,
    record: str = "",
    region_codes: Mapping[str, Mapping[str, str]] = REGION_CODES,
    postal_formats: Mapping[str, PostalFormat] = POSTAL_FORMATS,
    country_aliases: Mapping[str, str] = COUNTRY_ALIASES,
) -> dict[str, str]:
    """The address as ``{ERP field: value}`` for ``layout``; empty parts are left out.

    ``record`` (e.g. ``"order 206-1234567-8901234 ship-to"``) prefixes every error message.
    """
    out: dict[str, str] = {}
    country = country_code(address.country_code, country_aliases)
    postal_field = layout.postal_code.name if layout.postal_code else "postal code"
    region_field = layout.region.name if layout.region else "state"
    postal = postal_code(
        address.postal_code, country, postal_formats, record=record, field=postal_field
    )
    region = region_code(
        address.state_or_region, country, region_codes, record=record, field=region_field
    )
    extra_lines: list[str] = []
    if region is None and _clean(address.state_or_region):
        extra_lines.append(_clean(address.state_or_region))
    district = _clean(address.district)
    if district and (layout.district is None or len(district) > layout.district.max_length):
        extra_lines.insert(0, district)
        district = ""

    names, lead = _place_names(address, layout.names)
    out.update(names)

    streets = [address.line1 or "", address.line2 or "", address.line3 or ""]
    line_texts = [*lead, *streets, *extra_lines]
    widths = [spec.max_length for spec in layout.lines]
    lines = fit_lines(line_texts, widths)
    if lines is None:
        text = ", ".join(t for t in (_clean(t) for t in line_texts) if t)
        raise AddressTooLongError(
            f"{_where(record)}address text of {len(text)} characters does not fit {layout.system} "
            f"fields {_field_range(layout.lines)} ({len(widths)} fields, "
            f"{sum(widths)} characters) without losing text: {text!r}",
            field=_field_range(layout.lines),
        )
    out.update({spec.name: value for spec, value in zip(layout.lines, lines, strict=False)})

    _single(out, layout.city, _clean(address.city), record, layout.system)
    _single(out, layout.district, district, record, layout.system)
    _single(out, layout.postal_code, postal, record, layout.system)
    _single(out, layout.region, region or "", record, layout.system)
    _single(out, layout.country, country, record, layout.system)
    _single(out, layout.phone, phone_number(address.phone), record, layout.system)
    return out


__all__ = [
    "COUNTRY_ALIASES",
    "M3_ADDRESS",
    "POSTAL_FORMATS",
    "REGION_CODES",
    "SAP_BUSINESS_PARTNER_ADDRESS",
    "SAP_SALES_ORDER_ADDRESS",
    "AddressLayout",
    "FieldSpec",
    "PostalFormat",
    "country_code",
    "erp_address",
    "fit_lines",
    "phone_number",
    "postal_code",
    "region_code",
]
