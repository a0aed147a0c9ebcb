"""Where SP-API lives: the three regions, their sandbox hosts, LWA, and every public marketplace.

A seller's calls go to the endpoint of the region that holds the marketplace; the marketplace
ids are the ones in Amazon's public "Marketplace IDs" table.
"""

from __future__ import annotations

from typing import Final

from attrs import frozen

from amazon_erp_bridge.errors import ConfigurationError

#: Login with Amazon token endpoint (one for every region).
LWA_TOKEN_URL: Final = "https://api.amazon.com/auth/o2/token"


@frozen
class Region:
    """An SP-API region: its production and sandbox base URLs and the AWS region behind it."""

    code: str
    aws_region: str
    endpoint: str
    sandbox_endpoint: str


REGIONS: Final[dict[str, Region]] = {
    r.code: r
    for r in (
        Region(
            "na",
            "us-east-1",
            "https://sellingpartnerapi-na.amazon.com",
            "https://sandbox.sellingpartnerapi-na.amazon.com",
        ),
        Region(
            "eu",
            "eu-west-1",
            "https://sellingpartnerapi-eu.amazon.com",
            "https://sandbox.sellingpartnerapi-eu.amazon.com",
        ),
        Region(
            "fe",
            "us-west-2",
            "https://sellingpartnerapi-fe.amazon.com",
            "https://sandbox.sellingpartnerapi-fe.amazon.com",
        ),
    )
}


@frozen
class Marketplace:
    """A public Amazon marketplace: id, country code (as Amazon writes it), region, currency."""

    marketplace_id: str
    country_code: str
    country: str
    region: str
    currency: str


MARKETPLACES: Final[dict[str, Marketplace]] = {
    m.marketplace_id: m
    for m in (
        # North America
        Marketplace("A2EUQ1WTGCTBG2", "CA", "Canada", "na", "CAD"),
        Marketplace("ATVPDKIKX0DER", "US", "United States of America", "na", "USD"),
        Marketplace("A1AM78C64UM0Y8", "MX", "Mexico", "na", "MXN"),
        Marketplace("A2Q3Y263D00KWC", "BR", "Brazil", "na", "BRL"),
        # Europe (Amazon writes the United Kingdom as UK, not GB)
        Marketplace("A28R8C7NBKEWEA", "IE", "Ireland", "eu", "EUR"),
        Marketplace("A1RKKUPIHCS9HS", "ES", "Spain", "eu", "EUR"),
        Marketplace("A1F83G8C2ARO7P", "UK", "United Kingdom", "eu", "GBP"),
        Marketplace("A13V1IB3VIYZZH", "FR", "France", "eu", "EUR"),
        Marketplace("AMEN7PMS3EDWL", "BE", "Belgium", "eu", "EUR"),
        Marketplace("A1805IZSGTT6HS", "NL", "Netherlands", "eu", "EUR"),
        Marketplace("A1PA6795UKMFR9", "DE", "Germany", "eu", "EUR"),
        Marketplace("APJ6JRA9NG5V4", "IT", "Italy", "eu", "EUR"),
        Marketplace("A2NODRKZP88ZB9", "SE", "Sweden", "eu", "SEK"),
        Marketplace("AE08WJ6YKNBMC", "ZA", "South Africa", "eu", "ZAR"),
        Marketplace("A1C3SOZRARQ6R3", "PL", "Poland", "eu", "PLN"),
        Marketplace("ARBP9OOSHTCHU", "EG", "Egypt", "eu", "EGP"),
        Marketplace("A33AVAJ2PDY3EV", "TR", "Turkey", "eu", "TRY"),
        Marketplace("A17E79C6D8DWNP", "SA", "Saudi Arabia", "eu", "SAR"),
        Marketplace("A2VIGQ35RCS4UG", "AE", "United Arab Emirates", "eu", "AED"),
        Marketplace("A21TJRUUN4KGV", "IN", "India", "eu", "INR"),
        # Far East
        Marketplace("A19VAU5U5O7RUS", "SG", "Singapore", "fe", "SGD"),
        Marketplace("A39IBJ37TRP1C6", "AU", "Australia", "fe", "AUD"),
        Marketplace("A1VC38T7YXB528", "JP", "Japan", "fe", "JPY"),
    )
}

_BY_COUNTRY: Final = {m.country_code: m for m in MARKETPLACES.values()}


def region(code: str) -> Region:
    """The region ``"na"``, ``"eu"`` or ``"fe"``; anything else is a ConfigurationError."""
    found = REGIONS.get(code.strip().lower())
    if found is None:
        raise ConfigurationError(
            f"unknown SP-API region {code!r}: expected one of {', '.join(sorted(REGIONS))}"
        )
    return found


def marketplace(id_or_country: str) -> Marketplace:
    """A marketplace by id (``"ATVPDKIKX0DER"``) or country code (``"US"``, ``"UK"``, ``"GB"``)."""
    key = id_or_country.strip()
    found = MARKETPLACES.get(key) or _BY_COUNTRY.get(key.upper())
    if found is None and key.upper() == "GB":
        found = _BY_COUNTRY["UK"]
    if found is None:
        raise ConfigurationError(
            f"unknown marketplace {id_or_country!r}: give a marketplace id such as "
            "'ATVPDKIKX0DER' or a country code such as 'US'"
        )
    return found


def base_url(region_code: str, *, sandbox: bool = False) -> str:
    """The SP-API base URL of a region (its sandbox host if ``sandbox``)."""
    r = region(region_code)
    return r.sandbox_endpoint if sandbox else r.endpoint
