"""Multi-Channel Fulfillment: web-shop orders in M3 and SAP are shipped by Amazon.

What it shows: orders entered in the ERPs and flagged for MCF (M3 order type MCF for customer
WEBSHOP; SAP sales order type ZMCF) become createFulfillmentOrder requests, each created once
(Amazon is asked for the ERP order number first); orders not flagged stay in the ERP. Amazon's
shipments come back once: M3 confirms the order delivered, SAP gets an outbound delivery with
the tracking number in BillOfLading and goods issue. A second run creates nothing.

Point it at real systems by swapping the sandbox pieces for your own:

    amazon = SpApiClient(LwaCredentials(client_id=..., client_secret=..., refresh_token=...))
    m3 = M3Client(IonApiConfig.from_file("tenant.ionapi"), cono=100, divi="AAA")
    sap = ODataClient("https://my-s4.example.com", auth=basic("COMM_USER", password))
    ledger = SqliteLedger("bridge.db")
    rules = McfRules(flag_order_types=frozenset({"MCF"}), marketplace_id="ATVPDKIKX0DER",
                     comment="Thank you for your order.")
    m3_config = McfM3Config(customers=("WEBSHOP",), rules=rules)   # run it every few minutes
    sap_config = McfSapConfig(rules=evolve(rules, flag_order_types=frozenset({"ZMCF"})))

Run it: ``python examples/mcf_orders.py``
"""

from __future__ import annotations

from amazon_erp_bridge.posting import SqliteLedger
from amazon_erp_bridge.sandbox import Sandbox
from amazon_erp_bridge.sandbox.rules.orders import mcf_m3_config, mcf_sap_config
from amazon_erp_bridge.workflows.mcf import mcf_m3, mcf_sap


def main() -> None:
    with Sandbox() as sandbox:
        amazon, m3, sap = sandbox.spapi_client(), sandbox.m3_client(), sandbox.sap_client()
        ledger = SqliteLedger()  # in memory here; a file in production
        m3_config, sap_config = mcf_m3_config(sandbox), mcf_sap_config(sandbox)
        for run in ("first run", "second run"):
            print(f"== {run}")
            print(mcf_m3(amazon, m3, ledger, m3_config))
            print(mcf_sap(amazon, sap, ledger, sap_config))
        orders = sandbox.amazon.fulfillment.orders
        print(f"Amazon holds {len(orders)} fulfilment orders: {', '.join(sorted(orders))}")
        for client in (amazon, m3, sap):
            client.close()


if __name__ == "__main__":
    main()
