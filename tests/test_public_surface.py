"""DESIGN.md's public surface, exactly as written there, against the sandbox."""

import inspect
from datetime import UTC, datetime

from amazon_erp_bridge.amazon import AsyncSpApiClient, LwaCredentials, SpApiClient
from amazon_erp_bridge.amazon.settlement import parse_settlement_report
from amazon_erp_bridge.errors import BridgeError
from amazon_erp_bridge.infor import IonApiConfig, M3Client
from amazon_erp_bridge.mapping import (
    AMAZON_DEFAULT_ACCOUNTS,
    GlAccountMap,
    ItemCrosswalk,
    settlement_to_journal,
)
from amazon_erp_bridge.model import Address, JournalEntry, Money, Order, OrderLine, Settlement
from amazon_erp_bridge.posting import Poster, SqliteLedger
from amazon_erp_bridge.sandbox import Sandbox
from amazon_erp_bridge.sap import ODataClient, SalesOrderService


def test_every_error_derives_from_bridge_error():
    import amazon_erp_bridge.errors as errors

    for name in errors.__all__:
        assert issubclass(getattr(errors, name), BridgeError)


def test_design_calls_work_as_written(tmp_path):
    assert all(inspect.isclass(c) for c in (Address, OrderLine, AsyncSpApiClient, ItemCrosswalk))
    with Sandbox() as sandbox:
        fake = sandbox.amazon
        client = SpApiClient(
            LwaCredentials(
                client_id=fake.CLIENT_ID,
                client_secret=fake.CLIENT_SECRET,
                refresh_token=fake.REFRESH_TOKEN,
            ),
            region="na",
            endpoint=sandbox.url("amazon"),
            lwa_endpoint=sandbox.url("amazon") + "/auth/o2/token",
        )
        dt = datetime(2026, 2, 1, tzinfo=UTC)
        orders = list(client.orders.get_orders(marketplace_ids=["ATVPDKIKX0DER"], created_after=dt))
        assert orders and all(isinstance(o, Order) for o in orders)
        assert client.orders.get_order_items(orders[0].order_id)
        events = client.finances.list_financial_events(
            posted_after=dt, posted_before=datetime(2026, 4, 1, tzinfo=UTC)
        )
        assert next(iter(events))
        token = client.tokens.restricted_data_token(
            restricted_resources=[
                {"method": "GET", "path": f"/orders/v0/orders/{orders[0].order_id}/address"}
            ]
        )
        assert token

        report = next(iter(client.reports.settlement_reports()))
        document = client.reports.get_report(report.report_id).report_document_id
        raw = b"".join(client.reports.download(document))
        path = tmp_path / "settlement.txt"
        path.write_bytes(raw)
        settlement = parse_settlement_report(path)
        assert isinstance(settlement, Settlement)
        accounts = GlAccountMap.from_json(AMAZON_DEFAULT_ACCOUNTS.to_json())
        entry = settlement_to_journal(settlement, accounts)
        assert isinstance(entry, JournalEntry)
        assert entry.lines[0].amount == settlement.total
        assert isinstance(settlement.total, Money)

        ionapi = tmp_path / "tenant.ionapi"
        sandbox.ion.write_ionapi(ionapi, sandbox.url("ion"))
        cfg = IonApiConfig.from_file(ionapi)
        assert cfg.token_url and cfg.base_url and cfg.revoke_url
        m3 = M3Client(cfg)
        customer = next(iter(sandbox.m3_customers.values()))
        assert m3.execute("CRS610MI", "GetBasicData", {"CUNO": customer})[0]["CUNO"] == customer
        m3.close()

        sap = sandbox.sap_client()
        assert SalesOrderService(sap).find_by_purchase_order("no-such-order") == []
        assert isinstance(sap, ODataClient)

        ledger = SqliteLedger(str(tmp_path / "ledger.sqlite"))
        assert inspect.signature(Poster).parameters["ledger"]
        ledger.close()
        client.close()
