"""A sandbox world for the order-to-cash and MCF tests: manual clock, in-process clients, a
ledger, and views of what the fake ERPs and Amazon hold."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from amazon_erp_bridge.core.retry import RetryPolicy
from amazon_erp_bridge.model import (
    FulfillmentChannel,
    ItemRef,
    Money,
    Order,
    OrderLine,
    OrderStatus,
)
from amazon_erp_bridge.posting import RecordState, SqliteLedger
from amazon_erp_bridge.sandbox import Sandbox
from amazon_erp_bridge.sandbox.amazon.app import ManualClock
from amazon_erp_bridge.sandbox.amazon.state import DEFAULT_START
from amazon_erp_bridge.sandbox.rules import orders as rules
from amazon_erp_bridge.sap.deliveries import SERVICE as DELIVERIES
from amazon_erp_bridge.sap.sales_orders import SERVICE as SALES_ORDERS
from amazon_erp_bridge.workflows.mcf import mcf_m3, mcf_sap
from amazon_erp_bridge.workflows.order_to_cash import order_to_cash_m3, order_to_cash_sap
from amazon_erp_bridge.workflows.report import WorkflowReport

from .finance_env import Crash, CrashingLedger

US = "ATVPDKIKX0DER"
UK = "A1F83G8C2ARO7P"
__all__ = ["UK", "US", "Crash", "CrashingLedger", "World", "extra_order"]


def extra_order(
    order_id: str,
    status: OrderStatus,
    *,
    marketplace: str = US,
    channel: FulfillmentChannel = FulfillmentChannel.AMAZON,
    sku: str = "SKU-TEA-05",
    days: int = 12,
) -> Order:
    """An order to add to the Amazon fake, in the seeded month."""
    currency = "USD" if marketplace == US else "GBP"
    day = DEFAULT_START + timedelta(days=days)
    price = Money.of("18.98", currency)
    return Order(
        order_id=order_id,
        purchase_date=day,
        last_updated=day + timedelta(hours=1),
        status=status,
        marketplace_id=marketplace,
        fulfillment_channel=channel,
        sales_channel="Amazon.com" if marketplace == US else "Amazon.co.uk",
        order_total=None if status is OrderStatus.PENDING else price,
        lines=(OrderLine("77000000000001", ItemRef(sku), 2, item_price=price),),
    )


class World:
    """Sandbox, clients and ledger sharing one manual clock (sleeps advance it)."""

    def __init__(self, **sandbox: Any) -> None:
        self.clock = ManualClock()
        self.sandbox = Sandbox(clock=self.clock, **sandbox)
        retry = RetryPolicy(max_attempts=6, rng=random.Random(3))
        self.amazon = self.sandbox.spapi_client(sleep=self.clock.sleep, retry=retry)
        self.m3 = self.sandbox.m3_client(sleep=self.clock.sleep, retry=retry)
        self.sap = self.sandbox.sap_client(sleep=self.clock.sleep, retry=retry)
        self.ledger = SqliteLedger(now=self.now)
        self.poster_options: dict[str, Any] = {
            "sleep": self.clock.sleep,
            "clock": self.clock,
            "lease": 60.0,
        }
        self.o2c_m3_config = rules.order_to_cash_m3_config(self.sandbox)
        self.o2c_sap_config = rules.order_to_cash_sap_config(self.sandbox)
        self.mcf_m3_config = rules.mcf_m3_config(self.sandbox)
        self.mcf_sap_config = rules.mcf_sap_config(self.sandbox)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    # -- the workflows -----------------------------------------------------------------------

    def o2c_m3(self, ledger: Any = None, **kw: Any) -> WorkflowReport:
        config = kw.pop("config", None) or self.o2c_m3_config
        return order_to_cash_m3(
            self.amazon, self.m3, ledger or self.ledger, config,
            poster_options=self.poster_options, **kw,
        )  # fmt: skip

    def o2c_sap(self, ledger: Any = None, **kw: Any) -> WorkflowReport:
        config = kw.pop("config", None) or self.o2c_sap_config
        return order_to_cash_sap(
            self.amazon, self.sap, ledger or self.ledger, config,
            poster_options=self.poster_options, **kw,
        )  # fmt: skip

    def mcf_m3(self, ledger: Any = None, **kw: Any) -> WorkflowReport:
        config = kw.pop("config", None) or self.mcf_m3_config
        return mcf_m3(
            self.amazon, self.m3, ledger or self.ledger, config,
            poster_options=self.poster_options, **kw,
        )  # fmt: skip

    def mcf_sap(self, ledger: Any = None, **kw: Any) -> WorkflowReport:
        config = kw.pop("config", None) or self.mcf_sap_config
        return mcf_sap(
            self.amazon, self.sap, ledger or self.ledger, config,
            poster_options=self.poster_options, **kw,
        )  # fmt: skip

    # -- what Amazon and the fakes hold ------------------------------------------------------

    def amazon_orders(self, marketplaces: tuple[str, ...]) -> dict[str, Order]:
        return {
            o.order_id: o
            for o in self.sandbox.amazon.state.orders.values()
            if o.marketplace_id in marketplaces
        }

    def postable(self, marketplaces: tuple[str, ...]) -> set[str]:
        """Orders the rules post: not pending, not cancelled, not the typo order."""
        skip = {OrderStatus.PENDING, OrderStatus.PENDING_AVAILABILITY, OrderStatus.CANCELED}
        return {
            oid
            for oid, o in self.amazon_orders(marketplaces).items()
            if o.status not in skip and oid not in (rules.DEAD_LETTER_M3, rules.DEAD_LETTER_SAP)
        }

    def m3_orders_by_cuor(self) -> Counter[str]:
        """How many final M3 orders of the marketplace customers carry each CUOR."""
        customers = set(self.sandbox.m3_customers.values())
        return Counter(
            o.head.get("CUOR", "")
            for o in self.sandbox.ion.state.orders.values()
            if o.head["CUNO"] in customers
        )

    def m3_open_batches(self) -> list[str]:
        return [b.orno for b in self.sandbox.ion.state.batch_orders.values() if not b.confirmed]

    def sap_orders_by_po(self) -> Counter[str]:
        """How many sales orders of the marketplace customers carry each customer reference."""
        customers = set(self.sandbox.sap_customers.values())
        rows = self.sandbox.sap.rows(SALES_ORDERS, "A_SalesOrder")
        return Counter(r["PurchaseOrderByCustomer"] for r in rows if r["SoldToParty"] in customers)

    def sap_deliveries(self) -> list[dict[str, Any]]:
        return self.sandbox.sap.rows(DELIVERIES, "A_OutbDeliveryHeader")

    def mcf_orders(self) -> dict[str, Any]:
        return dict(self.sandbox.amazon.fulfillment.orders)

    def settled(self, kind: str) -> bool:
        records = self.ledger.records(kind=kind)
        return bool(records) and all(
            r.state in (RecordState.POSTED, RecordState.DEAD_LETTERED) for r in records
        )
