"""Where SP-API lives: the three regions, their sandbox hosts, LWA, and every public marketplace.

A seller's calls go to the endpoint of the region that holds the marketplace; the marketplace
ids are the ones in Amazon's public "Marketplace IDs" table.
"""

from __future__ import annotations

from enum import StrEnum
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


#: marketplace id -> (country code as Amazon writes it, country, region, currency).
_MARKETPLACE_INFO: Final[dict[str, tuple[str, str, str, str]]] = {
    "A2EUQ1WTGCTBG2": ("CA", "Canada", "na", "CAD"),
    "ATVPDKIKX0DER": ("US", "United States of America", "na", "USD"),
    "A1AM78C64UM0Y8": ("MX", "Mexico", "na", "MXN"),
    "A2Q3Y263D00KWC": ("BR", "Brazil", "na", "BRL"),
    "A28R8C7NBKEWEA": ("IE", "Ireland", "eu", "EUR"),
    "A1RKKUPIHCS9HS": ("ES", "Spain", "eu", "EUR"),
    "A1F83G8C2ARO7P": ("UK", "United Kingdom", "eu", "GBP"),
    "A13V1IB3VIYZZH": ("FR", "France", "eu", "EUR"),
    "AMEN7PMS3EDWL": ("BE", "Belgium", "eu", "EUR"),
    "A1805IZSGTT6HS": ("NL", "Netherlands", "eu", "EUR"),
    "A1PA6795UKMFR9": ("DE", "Germany", "eu", "EUR"),
    "APJ6JRA9NG5V4": ("IT", "Italy", "eu", "EUR"),
    "A2NODRKZP88ZB9": ("SE", "Sweden", "eu", "SEK"),
    "AE08WJ6YKNBMC": ("ZA", "South Africa", "eu", "ZAR"),
    "A1C3SOZRARQ6R3": ("PL", "Poland", "eu", "PLN"),
    "ARBP9OOSHTCHU": ("EG", "Egypt", "eu", "EGP"),
    "A33AVAJ2PDY3EV": ("TR", "Turkey", "eu", "TRY"),
    "A17E79C6D8DWNP": ("SA", "Saudi Arabia", "eu", "SAR"),
    "A2VIGQ35RCS4UG": ("AE", "United Arab Emirates", "eu", "AED"),
    "A21TJRUUN4KGV": ("IN", "India", "eu", "INR"),
    "A19VAU5U5O7RUS": ("SG", "Singapore", "fe", "SGD"),
    "A39IBJ37TRP1C6": ("AU", "Australia", "fe", "AUD"),
    "A1VC38T7YXB528": ("JP", "Japan", "fe", "JPY"),
}


class Marketplace(StrEnum):
    """A public Amazon marketplace, by country code: ``Marketplace.US.id == "ATVPDKIKX0DER"``.

    Each member IS its marketplace id (a ``str``), so it goes wherever an id goes
    (``get_orders(marketplace_ids=[Marketplace.US])``, report and feed requests, fulfilment,
    finances) and prints, compares and serialises as the id. Its attributes say where it is:
    ``country_code``, ``country``, ``region`` (``"na"``/``"eu"``/``"fe"``), ``currency`` and
    the SP-API ``endpoint`` of that region. ``Marketplace.GB`` is ``Marketplace.UK``.
    """

    CA = "A2EUQ1WTGCTBG2"
    US = "ATVPDKIKX0DER"
    MX = "A1AM78C64UM0Y8"
    BR = "A2Q3Y263D00KWC"
    IE = "A28R8C7NBKEWEA"
    ES = "A1RKKUPIHCS9HS"
    UK = "A1F83G8C2ARO7P"  # Amazon writes the United Kingdom as UK, not GB
    FR = "A13V1IB3VIYZZH"
    BE = "AMEN7PMS3EDWL"
    NL = "A1805IZSGTT6HS"
    DE = "A1PA6795UKMFR9"
    IT = "APJ6JRA9NG5V4"
    SE = "A2NODRKZP88ZB9"
    ZA = "AE08WJ6YKNBMC"
    PL = "A1C3SOZRARQ6R3"
    EG = "ARBP9OOSHTCHU"
    TR = "A33AVAJ2PDY3EV"
    SA = "A17E79C6D8DWNP"
    AE = "A2VIGQ35RCS4UG"
    IN = "A21TJRUUN4KGV"
    SG = "A19VAU5U5O7RUS"
    AU = "A39IBJ37TRP1C6"
    JP = "A1VC38T7YXB528"
    GB = "A1F83G8C2ARO7P"  # an alias of UK, the ISO 3166 code

    @property
    def id(self) -> str:
        """The marketplace id, e.g. ``"ATVPDKIKX0DER"`` (the member's value)."""
        return str(self.value)

    @property
    def marketplace_id(self) -> str:
        """The marketplace id (the same as :attr:`id`)."""
        return str(self.value)

    @property
    def country_code(self) -> str:
        """The country code as Amazon writes it (``"UK"`` for the United Kingdom)."""
        return _MARKETPLACE_INFO[self.value][0]

    @property
    def country(self) -> str:
        """The country's name in English."""
        return _MARKETPLACE_INFO[self.value][1]

    @property
    def region(self) -> str:
        """The SP-API region holding the marketplace: ``"na"``, ``"eu"`` or ``"fe"``."""
        return _MARKETPLACE_INFO[self.value][2]

    @property
    def currency(self) -> str:
        """The ISO 4217 currency the marketplace sells in."""
        return _MARKETPLACE_INFO[self.value][3]

    @property
    def endpoint(self) -> str:
        """The production SP-API base URL of the marketplace's region."""
        return REGIONS[self.region].endpoint


#: Every public marketplace by id.
MARKETPLACES: Final[dict[str, Marketplace]] = {m.value: m for m in Marketplace}

_BY_COUNTRY: Final = {m.country_code: m for m in Marketplace}


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
        found = Marketplace.UK
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
