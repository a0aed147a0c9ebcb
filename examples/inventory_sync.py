"""Inventory sync: what Infor M3 and SAP have available to sell becomes Amazon quantities.

What it shows: M3's warehouse balances (on-hand less allocated) and SAP's own unrestricted
stock are turned into seller-SKU quantities (5 pens reserved for another channel, a safety
buffer of 2, never below zero) and sent in a JSON_LISTINGS_FEED; Amazon's processing report is
read back. A run with nothing changed sends no feed at all; when the stock of one item changes,
only that SKU is sent. (M3 and SAP each run in a sandbox of their own: a seller's listings
take their quantities from one ERP.)

Point it at real systems by swapping the sandbox pieces for your own:

    amazon = SpApiClient(LwaCredentials(client_id=..., client_secret=..., refresh_token=...))
    m3 = M3Client(IonApiConfig.from_file("tenant.ionapi"), cono=100, divi="AAA")
    ledger = SqliteLedger("bridge.db")   # remembers what Amazon was last sent
    config = InventorySyncM3Config(rules=InventoryRules(safety_buffer=2), seller_id="A1...",
                                   marketplace_ids=["ATVPDKIKX0DER"], warehouses=["100"])

Run it: ``python examples/inventory_sync.py``
"""

from __future__ import annotations

from amazon_erp_bridge.posting import SqliteLedger
from amazon_erp_bridge.sandbox import Sandbox
from amazon_erp_bridge.sandbox.environment import WAREHOUSE
from amazon_erp_bridge.sandbox.rules.finance import (
    inventory_sync_m3_config,
    inventory_sync_sap_config,
)
from amazon_erp_bridge.workflows.inventory_sync import inventory_sync_m3, inventory_sync_sap


def sync_from_m3() -> None:
    with Sandbox() as sandbox:
        amazon, m3 = sandbox.spapi_client(), sandbox.m3_client()
        ledger = SqliteLedger()  # in memory here; a file in production
        config = inventory_sync_m3_config(sandbox)
        print(inventory_sync_m3(amazon, m3, ledger, config))
        print(inventory_sync_m3(amazon, m3, ledger, config))  # nothing changed: no feed
        sandbox.ion.set_stock(sandbox.m3_item("SKU-MUG-01"), WAREHOUSE, 60, 5)  # mugs sold
        print(inventory_sync_m3(amazon, m3, ledger, config))  # only the mugs are sent
        print(f"Amazon now offers: {dict(sorted(sandbox.amazon.feeds.quantities.items()))}")
        amazon.close()
        m3.close()


def sync_from_sap() -> None:
    with Sandbox() as sandbox:
        amazon, sap = sandbox.spapi_client(), sandbox.sap_client()
        ledger = SqliteLedger()
        config = inventory_sync_sap_config(sandbox)
        print(inventory_sync_sap(amazon, sap, ledger, config))
        sandbox.sap.set_stock("SKU-BAG-03", WAREHOUSE, 12)  # tote bags received
        print(inventory_sync_sap(amazon, sap, ledger, config))
        amazon.close()
        sap.close()


def main() -> None:
    sync_from_m3()
    sync_from_sap()


if __name__ == "__main__":
    main()
