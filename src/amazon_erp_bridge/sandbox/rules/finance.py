"""The sandbox world's finance rules: settlement-to-GL and inventory-sync configs, M3 and SAP.

Settlements
    The account map is :data:`~amazon_erp_bridge.mapping.AMAZON_DEFAULT_ACCOUNTS` with each
    ERP's dimension on the profit-and-loss accounts (4xxx, 5xxx): M3 accounting dimension
    ``AIT2`` = ``AMAZON``, SAP ``ProfitCenter`` = ``YB600``. The map covers every amount kind
    the fake's settlements carry, so nothing is dead-lettered here (the tests show that path).
    M3 books the North American marketplaces' settlements and SAP the others (UK, Germany,
    Japan), as a seller running two ERPs would: each settlement lands in one ledger.
    The fakes' charts of accounts get the map's accounts, so M3's CtrlBatch and SAP's posting
    check every account the journals use.

Taxes and receivables
    The journals carry tax lines: the taxes Amazon reports (Tax, ShippingTax, GiftWrapTax)
    and the facilitator tax it withholds again, each with a tax code and its base (M3 VAT
    codes ``01`` / ``02`` in the PARM's VTCD, SAP tax codes ``A1`` / ``A0``). What the
    buyer paid for each order clears the marketplace customer's receivable (account 1200;
    the customer the order-to-cash rules book the marketplace's orders to), which the ERP
    invoice debited, instead of being booked as revenue again.

Inventory
    The catalogue is stocked in M3 warehouse and SAP plant ``AMZ`` (:func:`seed_stock`, called
    by the inventory configs; it never overwrites stock a test has set). Stock is offered on
    Amazon.com with a safety buffer of 2 units and 5 fountain pen sets reserved for another
    channel; SAP also holds blocked, inspection and consignment stock that is never offered.

Feeds and report polls wait a tenth of a second here, so a demo on the real clock is quick.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Final

from attrs import evolve

from amazon_erp_bridge.amazon.endpoints import MARKETPLACES
from amazon_erp_bridge.infor.gl import VAT_PARM_LAYOUT
from amazon_erp_bridge.mapping import (
    AMAZON_DEFAULT_ACCOUNTS,
    GlAccount,
    GlAccountMap,
    InventoryRules,
    ReceivableRules,
    TaxRules,
    sales_tax_rules,
)
from amazon_erp_bridge.sandbox.amazon.state import MARKETPLACE_NAMES
from amazon_erp_bridge.sandbox.environment import WAREHOUSE, Sandbox
from amazon_erp_bridge.sandbox.sap.fake import USER
from amazon_erp_bridge.sap.stock import SERVICE as STOCK_SERVICE
from amazon_erp_bridge.workflows.inventory_sync import (
    InventorySyncM3Config,
    InventorySyncSapConfig,
)
from amazon_erp_bridge.workflows.settlement_to_gl import (
    SettlementToGlM3Config,
    SettlementToGlSapConfig,
)

#: The SAP company code that books the sandbox's settlements.
COMPANY_CODE: Final = "1010"
#: M3 accounting dimension 2 (AIT2) of Amazon's profit-and-loss postings.
M3_DIMENSIONS: Final[Mapping[str, str]] = {"AIT2": "AMAZON"}
#: SAP account assignment of Amazon's profit-and-loss postings.
SAP_DIMENSIONS: Final[Mapping[str, str]] = {"ProfitCenter": "YB600"}
#: Stock of the catalogue by seller SKU: (on-hand, allocated to orders already taken).
STOCK: Final[Mapping[str, tuple[str, str]]] = {
    "SKU-MUG-01": ("120", "15"),
    "SKU-LAMP-02": ("35", "3"),
    "SKU-BAG-03": ("0", "0"),
    "SKU-PEN-04": ("8", "1"),
    "SKU-TEA-05": ("500", "40"),
    "SKU-BOOK-06": ("60.5", "2"),
}
#: SAP stock that must never be offered: (seller SKU, quantity, stock type, special stock).
SAP_UNAVAILABLE: Final = (
    ("SKU-MUG-01", "20", "07", ""),  # blocked
    ("SKU-LAMP-02", "4", "02", ""),  # in quality inspection
    ("SKU-TEA-05", "100", "01", "K"),  # supplier consignment
)
INVENTORY_RULES: Final = InventoryRules(safety_buffer=2, reserved={"SKU-PEN-04": 5})
#: Poll feeds every tenth of a second, at most a minute.
POLL_INTERVAL: Final = 0.1
POLL_TIMEOUT: Final = 60.0
US: Final = "ATVPDKIKX0DER"
#: The receivable of the marketplace customers (what the ERP invoices debit).
RECEIVABLE: Final = GlAccount("1200", text="Amazon customer receivable")
#: Tax codes of the taxes Amazon reports and of the facilitator tax it withholds again.
M3_TAXES: Final = TaxRules(sales_tax_rules("01", withheld_code="02"))
SAP_TAXES: Final = TaxRules(sales_tax_rules("A1", withheld_code="A0"))


def with_dimensions(accounts: GlAccountMap, dimensions: Mapping[str, str]) -> GlAccountMap:
    """``accounts`` with ``dimensions`` on its profit-and-loss accounts (4xxx and 5xxx)."""

    def place(account: GlAccount) -> GlAccount:
        if account.account[:1] not in ("4", "5"):
            return account
        return evolve(account, dimensions={**account.dimensions, **dimensions})

    return evolve(
        accounts, rules=[evolve(rule, account=place(rule.account)) for rule in accounts.rules]
    )


def _account_numbers(accounts: GlAccountMap) -> set[str]:
    special = (accounts.clearing, accounts.unsettled, accounts.default)
    return {a.account for a in special if a} | {r.account.account for r in accounts.rules}


def _north_america(sandbox: Sandbox) -> tuple[str, ...]:
    return tuple(m for m in sandbox.marketplaces if MARKETPLACES[m].region == "na")


def _receivables(customers: Mapping[str, str], marketplaces: tuple[str, ...]) -> ReceivableRules:
    """Each marketplace's orders clear the receivable of the customer its orders book to."""
    names = {MARKETPLACE_NAMES.get(m, m): customers[m] for m in marketplaces if m in customers}
    return ReceivableRules(customers[marketplaces[0]], RECEIVABLE, marketplaces=names)


def settlement_to_gl_m3_config(sandbox: Sandbox) -> SettlementToGlM3Config:
    """Settlements of the North American marketplaces into the fake M3's GL (GLS840MI)."""
    accounts = with_dimensions(AMAZON_DEFAULT_ACCOUNTS, M3_DIMENSIONS)
    markets = _north_america(sandbox)
    with sandbox.ion.state.lock:
        sandbox.ion.state.gl_accounts.update(_account_numbers(accounts) | {RECEIVABLE.account})
    return SettlementToGlM3Config(
        accounts=accounts,
        marketplace_ids=markets,
        taxes=M3_TAXES,
        receivables=_receivables(sandbox.m3_customers, markets),
        # the seeded settlements pay orders the finance runs do not invoice: every order's
        # rows clear the receivable (tests turn reading the ERP's open invoices on)
        read_open_receivables=False,
        layout=VAT_PARM_LAYOUT,
    )


def settlement_to_gl_sap_config(sandbox: Sandbox) -> SettlementToGlSapConfig:
    """Settlements of the other marketplaces into the fake SAP's company code 1010."""
    accounts = with_dimensions(AMAZON_DEFAULT_ACCOUNTS, SAP_DIMENSIONS)
    sandbox.sap.add_gl_accounts(*sorted(_account_numbers(accounts) | {RECEIVABLE.account}))
    others = tuple(m for m in sandbox.marketplaces if m not in _north_america(sandbox))
    return SettlementToGlSapConfig(
        accounts=accounts,
        marketplace_ids=others,
        taxes=SAP_TAXES,
        receivables=_receivables(sandbox.sap_customers, others),
        read_open_receivables=False,  # as for M3
        company_code=COMPANY_CODE,
        created_by_user=USER,
    )


def seed_stock(sandbox: Sandbox) -> None:
    """Stock the catalogue in M3 warehouse and SAP plant ``AMZ``, where none is set yet."""
    for product in sandbox.amazon.state.products:
        on_hand, allocated = STOCK.get(product.sku, ("0", "0"))
        itno = sandbox.m3_item(product.sku)
        with sandbox.ion.state.lock:
            if (WAREHOUSE, itno) not in sandbox.ion.state.balances:
                sandbox.ion.state.set_balance(itno, WAREHOUSE, on_hand, allocated)
        if not any(
            row["Material"] == product.sku and row["Plant"] == WAREHOUSE
            for row in sandbox.sap.rows(STOCK_SERVICE, "A_MatlStkInAcctMod")
        ):
            # SAP's stock API has no allocations: what is promised is already issued.
            sandbox.sap.set_stock(product.sku, WAREHOUSE, Decimal(on_hand) - Decimal(allocated))
            for sku, quantity, stock_type, special in SAP_UNAVAILABLE:
                if sku == product.sku:
                    sandbox.sap.set_stock(
                        sku,
                        WAREHOUSE,
                        quantity,
                        stock_type=stock_type,
                        special_stock_type=special,
                        storage_location="0002",
                    )


def inventory_sync_m3_config(sandbox: Sandbox) -> InventorySyncM3Config:
    """M3 warehouse AMZ's stock offered on Amazon.com (stock seeded by :func:`seed_stock`)."""
    seed_stock(sandbox)
    return InventorySyncM3Config(
        rules=INVENTORY_RULES,
        seller_id=sandbox.amazon.state.seller_id,
        marketplace_ids=(US,),
        warehouses=(WAREHOUSE,),
        poll_interval=POLL_INTERVAL,
        timeout=POLL_TIMEOUT,
    )


def inventory_sync_sap_config(sandbox: Sandbox) -> InventorySyncSapConfig:
    """SAP plant AMZ's own unrestricted stock offered on Amazon.com (seeded as for M3)."""
    seed_stock(sandbox)
    return InventorySyncSapConfig(
        rules=INVENTORY_RULES,
        seller_id=sandbox.amazon.state.seller_id,
        marketplace_ids=(US,),
        plants=(WAREHOUSE,),
        poll_interval=POLL_INTERVAL,
        timeout=POLL_TIMEOUT,
    )


__all__ = [
    "COMPANY_CODE",
    "INVENTORY_RULES",
    "STOCK",
    "inventory_sync_m3_config",
    "inventory_sync_sap_config",
    "seed_stock",
    "settlement_to_gl_m3_config",
    "settlement_to_gl_sap_config",
    "with_dimensions",
]
