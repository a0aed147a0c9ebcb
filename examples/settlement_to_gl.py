"""Settlement to GL: Amazon settlement reports become one journal each in Infor M3 and SAP.

What it shows: the sandbox's settlement reports (North America booked in M3, the other
marketplaces in SAP) are downloaded, mapped with an account map, posted exactly once (an M3
GLS840MI batch keyed by the settlement id; an SAP journal entry referencing it) and tied out to
the deposit. A second run finds every settlement already posted and sends nothing.

Point it at real systems by swapping the sandbox pieces for your own:

    amazon = SpApiClient(LwaCredentials(client_id=..., client_secret=..., refresh_token=...))
    m3 = M3Client(IonApiConfig.from_file("tenant.ionapi"), cono=100, divi="AAA")
    sap = ODataClient("https://my-s4.example.com", auth=basic("COMM_USER", password))
    ledger = SqliteLedger("bridge.db")          # keep it: it is what makes runs idempotent
    accounts = load_account_map("accounts.json")  # your chart: AMAZON_DEFAULT_ACCOUNTS.to_json()
    config = SettlementToGlM3Config(accounts=accounts, layout=..., lookup=...)  # your GLS850 setup

Run it: ``python examples/settlement_to_gl.py``
"""

from __future__ import annotations

from amazon_erp_bridge.posting import RecordState, SqliteLedger
from amazon_erp_bridge.sandbox import Sandbox
from amazon_erp_bridge.sandbox.rules.finance import (
    settlement_to_gl_m3_config,
    settlement_to_gl_sap_config,
)
from amazon_erp_bridge.workflows.settlement_to_gl import settlement_to_gl_m3, settlement_to_gl_sap


def main() -> None:
    with Sandbox() as sandbox:
        amazon, m3, sap = sandbox.spapi_client(), sandbox.m3_client(), sandbox.sap_client()
        ledger = SqliteLedger()  # in memory here; a file in production
        m3_config = settlement_to_gl_m3_config(sandbox)
        sap_config = settlement_to_gl_sap_config(sandbox)
        for run in ("first run", "second run"):
            print(f"== {run}")
            print(settlement_to_gl_m3(amazon, m3, ledger, m3_config))
            print(settlement_to_gl_sap(amazon, sap, ledger, sap_config))
        m3_posted = ledger.counts("settlement.m3")[RecordState.POSTED]
        sap_posted = ledger.counts("settlement.sap")[RecordState.POSTED]
        print(f"ledger: {m3_posted} settlements posted to M3, {sap_posted} to SAP")
        for client in (amazon, m3, sap):
            client.close()


if __name__ == "__main__":
    main()
