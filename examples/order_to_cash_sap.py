"""Order to cash into SAP S/4HANA: Amazon orders become SAP sales orders exactly once.

What it shows: the sandbox's UK, German and Japanese orders are read since the ledger's
cursor, mapped to A_SalesOrder deep inserts (sold-to per marketplace, PurchaseOrderByCustomer =
the Amazon order id, which SAP is searched for before every create) and posted once each;
cancelled orders are not created; orders Amazon shipped (FBA) get an outbound delivery with
goods issue, and their billing documents are read back. One order has a misspelt SKU: it is
dead-lettered, then posted by a replay with a crosswalk that knows the misspelling. A second
run creates nothing.

Point it at real systems by swapping the sandbox pieces for your own:

    amazon = SpApiClient(LwaCredentials(client_id=..., client_secret=..., refresh_token=...))
    sap = ODataClient("https://my-s4.example.com", auth=basic("COMM_USER", password))
    ledger = SqliteLedger("bridge.db")        # keep it: it is what makes runs idempotent
    config = OrderToCashSapConfig(
        marketplaces=("A1F83G8C2ARO7P",),
        customers=CustomerRules(marketplaces={"A1F83G8C2ARO7P": "1000001"}),  # sold-to parties
        order_types=OrderTypeRules.from_json(open("order_types.json").read()),
        start=datetime(2026, 1, 1, tzinfo=UTC),
        settings=SapOrderSettings("1010", "10", "00"),   # your sales area
    )

Run it: ``python examples/order_to_cash_sap.py``
"""

from __future__ import annotations

import attrs

from amazon_erp_bridge.mapping import ItemCrosswalk
from amazon_erp_bridge.posting import RecordState, SqliteLedger
from amazon_erp_bridge.sandbox import Sandbox
from amazon_erp_bridge.sandbox.rules.orders import RIGHT_SKU, TYPO_SKU, order_to_cash_sap_config
from amazon_erp_bridge.workflows.order_to_cash import order_to_cash_sap, sap_crosswalk


def main() -> None:
    with Sandbox() as sandbox:
        amazon, sap = sandbox.spapi_client(), sandbox.sap_client()
        ledger = SqliteLedger()  # in memory here; a file in production
        config = order_to_cash_sap_config(sandbox)
        print("== first run")
        print(order_to_cash_sap(amazon, sap, ledger, config))

        print(f"== fix: the crosswalk learns that {TYPO_SKU} is material {RIGHT_SKU}, replay")
        known = ItemCrosswalk.from_entries([("seller_sku", TYPO_SKU, RIGHT_SKU)])
        fixed = attrs.evolve(config, items=sap_crosswalk(sap).merged(known))
        print(order_to_cash_sap(amazon, sap, ledger, fixed, replay=True))

        print("== second run")
        print(order_to_cash_sap(amazon, sap, ledger, fixed))
        counts = ledger.counts("order.sap")
        print(
            f"ledger: {counts[RecordState.POSTED]} orders posted to SAP, "
            f"{counts[RecordState.DEAD_LETTERED]} dead-lettered"
        )
        amazon.close()
        sap.close()


if __name__ == "__main__":
    main()
