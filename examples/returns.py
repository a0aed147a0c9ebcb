"""Returns: what buyers sent back to Amazon becomes return documents in M3 and SAP, once each.

What it shows: Amazon's FBA customer returns report lists one return per ERP (an Amazon.com
order for M3, an Amazon.de order for SAP). Each is posted once against the ERP order it came
from: an OIS390MI return order in M3 (YREF = the Amazon return id, RORN/RORL the original order
line), a customer return in SAP (PurchaseOrderByCustomer = the Amazon return id,
ReferenceSDDocument the sales order). The refund events Amazon booked for the order are read
too: a refund in another currency than the ERP order is refused, never converted. Run before
order to cash, a return is dead-lettered ("never reached M3"); a replay after order to cash
posts it.

Point it at real systems by swapping the sandbox pieces for your own:

    amazon = SpApiClient(LwaCredentials(client_id=..., client_secret=..., refresh_token=...))
    m3 = M3Client(IonApiConfig.from_file("tenant.ionapi"), cono=100, divi="AAA")
    sap = ODataClient("https://my-s4.example.com", auth=basic("COMM_USER", password))
    ledger = SqliteLedger("bridge.db")          # the ledger order to cash posts into
    m3_config = ReturnsM3Config(marketplaces=("ATVPDKIKX0DER",), start=start,
                                settings=M3ReturnSettings("RET", default_reason="RUW"))
    sap_config = ReturnsSapConfig(marketplaces=("A1PA6795UKMFR9",), start=start,
                                  settings=SapReturnSettings("1010", "10", "00",
                                                             document="credit_memo_request"))

Run it: ``python examples/returns.py``
"""

from __future__ import annotations

from amazon_erp_bridge.posting import SqliteLedger
from amazon_erp_bridge.sandbox import Sandbox
from amazon_erp_bridge.sandbox.rules import lifecycle, orders
from amazon_erp_bridge.workflows import (
    order_to_cash_m3,
    order_to_cash_sap,
    returns_m3,
    returns_sap,
)


def main() -> None:
    with Sandbox() as sandbox:
        amazon, m3, sap = sandbox.spapi_client(), sandbox.m3_client(), sandbox.sap_client()
        ledger = SqliteLedger()  # in memory here; a file in production
        m3_config = lifecycle.returns_m3_config(sandbox)
        sap_config = lifecycle.returns_sap_config(sandbox)

        print("== before order to cash")
        print(returns_m3(amazon, m3, ledger, m3_config))

        order_to_cash_m3(amazon, m3, ledger, orders.order_to_cash_m3_config(sandbox))
        order_to_cash_sap(amazon, sap, ledger, orders.order_to_cash_sap_config(sandbox))
        for run in ("first run", "second run"):
            print(f"== {run}")
            print(returns_m3(amazon, m3, ledger, m3_config, replay=True))
            print(returns_sap(amazon, sap, ledger, sap_config))
        posted = [r.document_id for r in ledger.records(kind="return.m3") if r.document_id]
        print(f"M3 return orders: {', '.join(posted)}")
        for client in (amazon, m3, sap):
            client.close()


if __name__ == "__main__":
    main()
