"""The marketplaces the fake SP-API knows, kept apart from the client's table.

Values from Amazon's public "Marketplace IDs" page (developer-docs.amazon.com/sp-api/docs/
marketplace-ids): id, country code as Amazon writes it (``UK`` for the United Kingdom), the
SP-API region serving it, its currency and site name. The fake has its own copy so that a
wrong entry in the client's table cannot be hidden by the fake agreeing with it.
"""

from __future__ import annotations

from typing import Final

from attrs import frozen


@frozen
class FakeMarketplace:
    """A marketplace as the fake needs it: region for order ids, currency, country, site."""

    marketplace_id: str
    country_code: str
    region: str
    currency: str
    name: str


MARKETPLACES: Final[dict[str, FakeMarketplace]] = {
    m.marketplace_id: m
    for m in (
        FakeMarketplace("A2EUQ1WTGCTBG2", "CA", "na", "CAD", "Amazon.ca"),
        FakeMarketplace("ATVPDKIKX0DER", "US", "na", "USD", "Amazon.com"),
        FakeMarketplace("A1AM78C64UM0Y8", "MX", "na", "MXN", "Amazon.com.mx"),
        FakeMarketplace("A2Q3Y263D00KWC", "BR", "na", "BRL", "Amazon.com.br"),
        FakeMarketplace("A28R8C7NBKEWEA", "IE", "eu", "EUR", "Amazon.ie"),
        FakeMarketplace("A1RKKUPIHCS9HS", "ES", "eu", "EUR", "Amazon.es"),
        FakeMarketplace("A1F83G8C2ARO7P", "UK", "eu", "GBP", "Amazon.co.uk"),
        FakeMarketplace("A13V1IB3VIYZZH", "FR", "eu", "EUR", "Amazon.fr"),
        FakeMarketplace("AMEN7PMS3EDWL", "BE", "eu", "EUR", "Amazon.com.be"),
        FakeMarketplace("A1805IZSGTT6HS", "NL", "eu", "EUR", "Amazon.nl"),
        FakeMarketplace("A1PA6795UKMFR9", "DE", "eu", "EUR", "Amazon.de"),
        FakeMarketplace("APJ6JRA9NG5V4", "IT", "eu", "EUR", "Amazon.it"),
        FakeMarketplace("A2NODRKZP88ZB9", "SE", "eu", "SEK", "Amazon.se"),
        FakeMarketplace("AE08WJ6YKNBMC", "ZA", "eu", "ZAR", "Amazon.co.za"),
        FakeMarketplace("A1C3SOZRARQ6R3", "PL", "eu", "PLN", "Amazon.pl"),
        FakeMarketplace("ARBP9OOSHTCHU", "EG", "eu", "EGP", "Amazon.eg"),
        FakeMarketplace("A33AVAJ2PDY3EV", "TR", "eu", "TRY", "Amazon.com.tr"),
        FakeMarketplace("A17E79C6D8DWNP", "SA", "eu", "SAR", "Amazon.sa"),
        FakeMarketplace("A2VIGQ35RCS4UG", "AE", "eu", "AED", "Amazon.ae"),
        FakeMarketplace("A21TJRUUN4KGV", "IN", "eu", "INR", "Amazon.in"),
        FakeMarketplace("A19VAU5U5O7RUS", "SG", "fe", "SGD", "Amazon.sg"),
        FakeMarketplace("A39IBJ37TRP1C6", "AU", "fe", "AUD", "Amazon.com.au"),
        FakeMarketplace("A1VC38T7YXB528", "JP", "fe", "JPY", "Amazon.co.jp"),
    )
}


def currency_of(marketplace_id: str, default: str = "USD") -> str:
    """The currency of a marketplace the fake knows (``default`` for any other)."""
    market = MARKETPLACES.get(marketplace_id)
    return market.currency if market is not None else default


__all__ = ["MARKETPLACES", "FakeMarketplace", "currency_of"]
