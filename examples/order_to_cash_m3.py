"""Order to cash into Infor M3: Amazon orders become M3 customer orders exactly once.

What it shows: the sandbox's Amazon.com and Amazon.ca orders are read since the ledger's
cursor, mapped to OIS100MI batch orders (customer per marketplace, order type by fulfilment
channel, M3 items through the MMS025 aliases) and posted once each; pending and cancelled
orders are left alone by rule; orders Amazon shipped (FBA) get their M3 delivery confirmed and
their invoices are read back. One order has a misspelt SKU: it is dead-lettered with the
crosswalk's "closest" hint, and after the alias is added in M3 a replay posts it. A second run
finds everything already posted and creates nothing.

Point it at real systems by swapping the sandbox pieces for your own:

    amazon = SpApiClient(LwaCredentials(client_id=..., client_secret=..., refresh_token=...))
    m3 = M3Client(IonApiConfig.from_file("tenant.ionapi"), cono=100, divi="AAA")
    ledger = SqliteLedger("bridge.db")        # keep it: it is what makes runs idempotent
    config = OrderToCashM3Config(
        marketplaces=("ATVPDKIKX0DER",),
        customers=CustomerRules(marketplaces={"ATVPDKIKX0DER": "AMZUS"}),   # your CUNOs
        order_types=OrderTypeRules.from_json(open("order_types.json").read()),
        start=datetime(2026, 1, 1, tzinfo=UTC),
    )

Run it: ``python examples/order_to_cash_m3.py``
"""

from __future__ import annotations

from amazon_erp_bridge.posting import RecordState, SqliteLedger
from amazon_erp_bridge.sandbox import Sandbox
from amazon_erp_bridge.sandbox.rules.orders import RIGHT_SKU, TYPO_SKU, order_to_cash_m3_config
from amazon_erp_bridge.workflows.order_to_cash import order_to_cash_m3


def main() -> None:
    with Sandbox() as sandbox:
        amazon, m3 = sandbox.spapi_client(), sandbox.m3_client()
        ledger = SqliteLedger()  # in memory here; a file in production
        config = order_to_cash_m3_config(sandbox)
        print("== first run")
        print(order_to_cash_m3(amazon, m3, ledger, config))

        print(f"== fix: {TYPO_SKU} becomes an M3 alias of {sandbox.m3_item(RIGHT_SKU)}, replay")
        m3.items.add_alias(sandbox.m3_item(RIGHT_SKU), "seller_sku", TYPO_SKU)
        print(order_to_cash_m3(amazon, m3, ledger, config, replay=True))

        print("== second run")
        print(order_to_cash_m3(amazon, m3, ledger, config))
        counts = ledger.counts("order.m3")
        print(
            f"ledger: {counts[RecordState.POSTED]} orders posted to M3, "
            f"{counts[RecordState.DEAD_LETTERED]} dead-lettered"
        )
        amazon.close()
        m3.close()


if __name__ == "__main__":
    main()
