"""Regions, sandbox hosts, the marketplace table and endpoint overrides."""

from __future__ import annotations

import pytest

from amazon_erp_bridge.amazon import MARKETPLACES, REGIONS, SpApiClient
from amazon_erp_bridge.amazon import endpoints as ep
from amazon_erp_bridge.errors import ConfigurationError
from amazon_erp_bridge.sandbox.clients import spapi_credentials

from .spapi_env import Env


def test_three_regions_with_their_hosts() -> None:
    assert {r: REGIONS[r].endpoint for r in REGIONS} == {
        "na": "https://sellingpartnerapi-na.amazon.com",
        "eu": "https://sellingpartnerapi-eu.amazon.com",
        "fe": "https://sellingpartnerapi-fe.amazon.com",
    }
    assert ep.base_url("eu", sandbox=True) == "https://sandbox.sellingpartnerapi-eu.amazon.com"
    assert REGIONS["fe"].aws_region == "us-west-2"


def test_every_public_marketplace_is_known() -> None:
    assert len(MARKETPLACES) == 23
    by_region = {
        r: sorted(m.country_code for m in MARKETPLACES.values() if m.region == r) for r in REGIONS
    }
    assert by_region["na"] == ["BR", "CA", "MX", "US"]
    assert by_region["fe"] == ["AU", "JP", "SG"]
    assert len(by_region["eu"]) == 16
    assert ep.marketplace("ATVPDKIKX0DER").currency == "USD"
    assert ep.marketplace("jp").marketplace_id == "A1VC38T7YXB528"
    assert ep.marketplace("GB").marketplace_id == "A1F83G8C2ARO7P"
    assert ep.marketplace("IE").marketplace_id == "A28R8C7NBKEWEA"


def test_unknown_region_and_marketplace() -> None:
    with pytest.raises(ConfigurationError, match="na, eu, fe|eu, fe, na"):
        ep.region("us")
    with pytest.raises(ConfigurationError, match="unknown marketplace 'XX'"):
        ep.marketplace("XX")


def test_client_picks_the_region_endpoint_and_overrides() -> None:
    creds = spapi_credentials(Env().fake)
    assert SpApiClient(creds, region="eu").base_url == "https://sellingpartnerapi-eu.amazon.com"
    assert (
        SpApiClient(creds, region="fe", sandbox=True).base_url
        == "https://sandbox.sellingpartnerapi-fe.amazon.com"
    )
    assert SpApiClient(creds, endpoint="http://127.0.0.1:9/").base_url == "http://127.0.0.1:9"
    with pytest.raises(ConfigurationError, match="unknown SP-API region"):
        SpApiClient(creds, region="mars")
    with pytest.raises(ConfigurationError, match="LwaCredentials"):
        SpApiClient({"client_id": "x"}, region="na")  # type: ignore[arg-type]


def test_lwa_endpoint_override_is_used() -> None:
    env = Env()
    client = env.client(lwa_endpoint=f"{env.fake.BASE_URL}/auth/o2/token")
    client.orders.get_order(next(iter(env.fake.state.orders)))
    assert env.fake.router.requests[0].path == "/auth/o2/token"
