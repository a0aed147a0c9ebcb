"""``Marketplace`` members go wherever marketplace ids go (issue #19)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from amazon_erp_bridge.amazon import Marketplace
from amazon_erp_bridge.amazon import endpoints as ep
from amazon_erp_bridge.errors import ConfigurationError
from amazon_erp_bridge.sandbox import Sandbox


def test_marketplace_members_carry_id_country_currency_and_region_endpoint():
    assert Marketplace.US.id == "ATVPDKIKX0DER" == Marketplace.US
    assert Marketplace.US.currency == "USD" and Marketplace.US.country_code == "US"
    assert Marketplace.DE.region == "eu"
    assert Marketplace.DE.endpoint == "https://sellingpartnerapi-eu.amazon.com"
    assert Marketplace.JP.endpoint == "https://sellingpartnerapi-fe.amazon.com"
    assert Marketplace.GB is Marketplace.UK and Marketplace.UK.currency == "GBP"
    assert Marketplace("A1PA6795UKMFR9") is Marketplace.DE
    assert f"{Marketplace.US}" == str(Marketplace.US) == "ATVPDKIKX0DER"
    assert json.dumps([Marketplace.US]) == '["ATVPDKIKX0DER"]'
    assert (
        ep.marketplace("de") is Marketplace.DE
        and ep.MARKETPLACES["ATVPDKIKX0DER"] is Marketplace.US
    )
    assert len(ep.MARKETPLACES) == 23
    with pytest.raises(ConfigurationError, match="unknown marketplace 'XX'"):
        ep.marketplace("XX")


@pytest.fixture
def sandbox():
    with Sandbox(seed=7) as box:
        yield box


def _sent(box: Sandbox, path_part: str) -> list[object]:
    return [r for r in box.amazon.router.requests if path_part in r.path]


def test_orders_reports_inventory_and_finances_accept_marketplace_members(sandbox):
    client = sandbox.spapi_client()
    since = datetime(2020, 1, 1, tzinfo=UTC)
    by_member = list(client.orders.get_orders([Marketplace.US], created_after=since))
    by_id = list(client.orders.get_orders(["ATVPDKIKX0DER"], created_after=since))
    assert by_member and [o.order_id for o in by_member] == [o.order_id for o in by_id]
    assert {o.marketplace_id for o in by_member} == {"ATVPDKIKX0DER"}

    report_id = client.reports.create_report(
        "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
        [Marketplace.US],
        data_start_time=since,
    )
    assert report_id
    posted = _sent(sandbox, "/reports/2021-06-30/reports")[-1]
    assert json.loads(posted.body)["marketplaceIds"] == ["ATVPDKIKX0DER"]

    list(client.inventory.get_inventory_summaries(Marketplace.US))
    assert _sent(sandbox, "/fba/inventory")[-1].arg("marketplaceIds") == "ATVPDKIKX0DER"

    now = datetime.fromtimestamp(sandbox.amazon.clock(), UTC)
    list(client.finances.list_transactions(now - timedelta(days=30), marketplace_id=Marketplace.US))
    assert _sent(sandbox, "/finances/2024-06-19/transactions")[-1].arg("marketplaceId") == (
        "ATVPDKIKX0DER"
    )
    client.close()


def test_fulfillment_requests_accept_marketplace_members():
    from amazon_erp_bridge.amazon import fulfillment as ops
    from tests.amazon.test_mcf_changes import preview_request

    call = ops.get_fulfillment_preview({**preview_request(), "marketplaceId": Marketplace.US})
    assert json.loads(json.dumps(call.json))["marketplaceId"] == "ATVPDKIKX0DER"
    reasons = ops.list_return_reason_codes("MUG-SAGE", marketplace_id=Marketplace.DE)
    assert reasons.params["marketplaceId"] == "A1PA6795UKMFR9"
