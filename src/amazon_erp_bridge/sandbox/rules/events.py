"""The sandbox world's event wiring: the event runner over the sandbox's ERPs, for the demo,
the ``events`` command and the benchmark (your application wires its own clients and configs
the same way).

:func:`sandbox_runner` routes each marketplace's orders to the ERP the sandbox's order-to-cash
configs give it and does the work through the workflows: ``post_order_m3`` /
``post_order_sap`` for one order, one MCF order's tracking (``track_mcf_order_m3`` /
``track_mcf_order_sap``) and one delivery's confirmation (``confirm_shipment_m3`` /
``confirm_shipment_sap``) per event, and the scheduled inventory sync, MCF and returns runs
for the coalesced work (stock events sync just their SKUs: ``sync_skus_m3`` /
``sync_skus_sap``). :func:`order_burst` renders the ORDER_CHANGE
notifications Amazon would send for the sandbox's orders (several per order, redelivered
copies, shuffled), and :func:`new_orders` has Amazon take a few new orders to post.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from attrs import evolve

from amazon_erp_bridge.amazon import SpApiClient
from amazon_erp_bridge.events.router import RoutingRules
from amazon_erp_bridge.events.runner import EventHandlers, EventRunner
from amazon_erp_bridge.events.sources import Message
from amazon_erp_bridge.infor import M3Client
from amazon_erp_bridge.model import FulfillmentChannel, Order, OrderStatus
from amazon_erp_bridge.posting import Ledger
from amazon_erp_bridge.sandbox.amazon.notifications import order_change
from amazon_erp_bridge.sandbox.environment import Sandbox
from amazon_erp_bridge.sandbox.rules import finance, lifecycle, orders
from amazon_erp_bridge.sap import ODataClient
from amazon_erp_bridge.workflows.confirm_shipments import (
    confirm_shipment_m3,
    confirm_shipment_sap,
    confirm_shipments_m3,
    confirm_shipments_sap,
)
from amazon_erp_bridge.workflows.inventory_sync import (
    inventory_sync_m3,
    inventory_sync_sap,
    sync_skus_m3,
    sync_skus_sap,
)
from amazon_erp_bridge.workflows.mcf import (
    mcf_m3,
    mcf_sap,
    track_mcf_order_m3,
    track_mcf_order_sap,
)
from amazon_erp_bridge.workflows.order_to_cash import post_order_m3, post_order_sap
from amazon_erp_bridge.workflows.returns import returns_m3, returns_sap


def sandbox_runner(
    sandbox: Sandbox,
    amazon: SpApiClient,
    m3: M3Client,
    sap: ODataClient,
    ledger: Ledger,
    *,
    poster_options: Mapping[str, Any] | None = None,
    batch_size: int = 100,
) -> EventRunner:
    """An :class:`~amazon_erp_bridge.events.runner.EventRunner` over the sandbox's ERPs."""
    o2c_m3 = orders.order_to_cash_m3_config(sandbox)
    o2c_sap = orders.order_to_cash_sap_config(sandbox)
    markets = dict.fromkeys(o2c_m3.marketplaces, "m3") | dict.fromkeys(o2c_sap.marketplaces, "sap")
    stock_m3 = finance.inventory_sync_m3_config(sandbox)
    stock_sap = finance.inventory_sync_sap_config(sandbox)
    mcf_m3_rules = orders.mcf_m3_config(sandbox)
    mcf_sap_rules = orders.mcf_sap_config(sandbox)
    ship_m3 = lifecycle.confirm_shipments_m3_config(sandbox)
    ship_sap = lifecycle.confirm_shipments_sap_config(sandbox)
    ret_m3 = lifecycle.returns_m3_config(sandbox)
    ret_sap = lifecycle.returns_sap_config(sandbox)
    opts = dict(poster_options or {})
    handlers = EventHandlers(
        orders={
            "m3": lambda oid: post_order_m3(amazon, m3, ledger, o2c_m3, oid, poster_options=opts),
            "sap": lambda oid: post_order_sap(
                amazon, sap, ledger, o2c_sap, oid, poster_options=opts
            ),
        },
        order_kinds={"m3": "order.m3", "sap": "order.sap"},
        stock={
            "m3": lambda: inventory_sync_m3(amazon, m3, ledger, stock_m3, poster_options=opts),
            "sap": lambda: inventory_sync_sap(amazon, sap, ledger, stock_sap, poster_options=opts),
        },
        skus={
            "m3": lambda has: sync_skus_m3(amazon, m3, ledger, stock_m3, has, poster_options=opts),
            "sap": lambda has: sync_skus_sap(
                amazon, sap, ledger, stock_sap, has, poster_options=opts
            ),
        },
        tracking={
            "m3": lambda: mcf_m3(amazon, m3, ledger, mcf_m3_rules, poster_options=opts),
            "sap": lambda: mcf_sap(amazon, sap, ledger, mcf_sap_rules, poster_options=opts),
        },
        mcf={
            "m3": lambda: mcf_m3(amazon, m3, ledger, mcf_m3_rules, poster_options=opts),
            "sap": lambda: mcf_sap(amazon, sap, ledger, mcf_sap_rules, poster_options=opts),
        },
        shipments={
            "m3": lambda: confirm_shipments_m3(amazon, m3, ledger, ship_m3, poster_options=opts),
            "sap": lambda: confirm_shipments_sap(
                amazon, sap, ledger, ship_sap, poster_options=opts
            ),
        },
        track={
            "m3": lambda sfo: track_mcf_order_m3(
                amazon, m3, ledger, mcf_m3_rules, sfo, poster_options=opts
            ),
            "sap": lambda sfo: track_mcf_order_sap(
                amazon, sap, ledger, mcf_sap_rules, sfo, poster_options=opts
            ),
        },
        confirm={
            "m3": lambda ref: confirm_shipment_m3(
                amazon, m3, ledger, ship_m3, ref, poster_options=opts
            ),
            "sap": lambda ref: confirm_shipment_sap(
                amazon, sap, ledger, ship_sap, ref, poster_options=opts
            ),
        },
        returns={
            "m3": lambda: returns_m3(amazon, m3, ledger, ret_m3, poster_options=opts),
            "sap": lambda: returns_sap(amazon, sap, ledger, ret_sap, poster_options=opts),
        },
    )
    return EventRunner(ledger, RoutingRules(markets), handlers, batch_size=batch_size)


def order_burst(
    sandbox: Sandbox,
    total: int,
    *,
    duplicates: float = 0.3,
    seed: int = 11,
    prefix: str = "n",
) -> list[Message]:
    """``total`` ORDER_CHANGE messages for the sandbox's orders: ``1 - duplicates`` of them
    distinct (several per order, at earlier times), the rest redeliveries, shuffled."""
    rng = random.Random(seed)
    held = sorted(sandbox.amazon.state.orders.values(), key=lambda o: o.order_id)
    distinct = total - int(total * duplicates)
    unique = []
    for n in range(distinct):
        order = held[n % len(held)]
        at = order.last_updated - timedelta(minutes=rng.randint(0, 600))
        body = order_change(order, f"{prefix}{n:06d}", at=at)
        unique.append(Message(f"{prefix}-m{n:06d}.json", json.dumps(body).encode()))
    again = [
        Message(f"{prefix}-d{n:06d}.json", m.body)
        for n, m in enumerate(rng.choices(unique, k=total - distinct))
    ]
    messages = unique + again
    rng.shuffle(messages)
    return messages


def new_orders(sandbox: Sandbox, count: int = 3) -> list[Order]:
    """Amazon takes ``count`` new unshipped merchant-fulfilled orders per ERP (US for M3, UK
    for SAP), copies of an order of that marketplace under new ids (``100-...`` /
    ``200-...``, so they sort before the seeded ones)."""
    state = sandbox.amazon.state
    added: list[Order] = []
    for prefix, market in (("100", "ATVPDKIKX0DER"), ("200", "A1F83G8C2ARO7P")):
        template = next(
            o
            for o in sorted(state.orders.values(), key=lambda o: o.order_id)
            if o.marketplace_id == market
            and o.status in (OrderStatus.UNSHIPPED, OrderStatus.SHIPPED)
            and o.order_total is not None
            and o.order_id not in (orders.DEAD_LETTER_M3, orders.DEAD_LETTER_SAP)
        )
        for n in range(count):
            order_id = f"{prefix}-5550000-{len(state.orders):07d}"
            order = evolve(
                template,
                order_id=order_id,
                status=OrderStatus.UNSHIPPED,
                fulfillment_channel=FulfillmentChannel.MERCHANT,
                last_updated=template.last_updated + timedelta(minutes=n + 1),
                lines=tuple(evolve(line, quantity_shipped=0) for line in template.lines),
            )
            added.append(sandbox.amazon.add_order(order))
    return added


__all__ = ["new_orders", "order_burst", "sandbox_runner"]
