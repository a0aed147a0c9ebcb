"""Confirm shipments: merchant-fulfilled orders shipped from M3 and SAP are confirmed to Amazon.

What it shows: order to cash posts Amazon's merchant-fulfilled (MFN) orders into the ERPs; the
warehouse ships one from each ERP (M3: delivery confirmed, tracking number on a package with
MWS423MI; SAP: outbound delivery with the tracking number in BillOfLading, goods issue). Each
shipment becomes one confirmShipment call (carrier code, tracking number, ship date, Amazon
order items with quantities), sent once: Amazon is asked first (getOrder) and a package Amazon
already has is recorded, not sent again. Orders the ERP has not shipped yet wait for a later run.

Point it at real systems by swapping the sandbox pieces for your own:

    amazon = SpApiClient(LwaCredentials(client_id=..., client_secret=..., refresh_token=...))
    m3 = M3Client(IonApiConfig.from_file("tenant.ionapi"), cono=100, divi="AAA")
    sap = ODataClient("https://my-s4.example.com", auth=basic("COMM_USER", password))
    ledger = SqliteLedger("bridge.db")          # the ledger order to cash posts into
    carriers = CarrierRules({**CARRIER_CODES, "UPSGND": "UPS"})   # your delivery methods
    m3_config = ConfirmShipmentsM3Config(marketplaces=("ATVPDKIKX0DER",), start=start,
                                         carriers=carriers)       # run it every few minutes
    sap_config = ConfirmShipmentsSapConfig(marketplaces=("A1F83G8C2ARO7P",), start=start,
                                           carriers=carriers, default_carrier="DHL")

Run it: ``python examples/confirm_shipments.py``
"""

from __future__ import annotations

from amazon_erp_bridge.posting import SqliteLedger
from amazon_erp_bridge.sandbox import Sandbox
from amazon_erp_bridge.sandbox.rules import lifecycle, orders
from amazon_erp_bridge.workflows import (
    confirm_shipments_m3,
    confirm_shipments_sap,
    order_to_cash_m3,
    order_to_cash_sap,
)


def main() -> None:
    with Sandbox() as sandbox:
        amazon, m3, sap = sandbox.spapi_client(), sandbox.m3_client(), sandbox.sap_client()
        ledger = SqliteLedger()  # in memory here; a file in production
        order_to_cash_m3(amazon, m3, ledger, orders.order_to_cash_m3_config(sandbox))
        order_to_cash_sap(amazon, sap, ledger, orders.order_to_cash_sap_config(sandbox))
        m3_config = lifecycle.confirm_shipments_m3_config(sandbox)
        sap_config = lifecycle.confirm_shipments_sap_config(sandbox)

        # The warehouse ships the first merchant order each ERP holds.
        for erp, config in (("m3", m3_config), ("sap", sap_config)):
            for order_id in lifecycle.merchant_orders(sandbox, config.marketplaces):
                record = ledger.get(f"order.{erp}", order_id)
                if record is None or not record.document_id:
                    continue
                if erp == "m3":
                    lifecycle.ship_from_m3(m3, record.document_id, "1Z999AA10123456784")
                else:
                    lifecycle.ship_from_sap(sap, record.document_id, "JD014600006281234567")
                print(f"{erp.upper()} shipped Amazon order {order_id} ({record.document_id})")
                break

        for run in ("first run", "second run"):
            print(f"== {run}")
            print(confirm_shipments_m3(amazon, m3, ledger, m3_config))
            print(confirm_shipments_sap(amazon, sap, ledger, sap_config))
        confirmed = sorted({order_id for order_id, _ in sandbox.amazon.state.confirmations})
        print(f"Amazon holds {len(confirmed)} confirmed orders: {', '.join(confirmed)}")
        for client in (amazon, m3, sap):
            client.close()


if __name__ == "__main__":
    main()
