"""Inventory sync: the ERP's available-to-sell becomes Amazon quantities, changes only.

Each run:

1. reads the ERP's stock: M3 item warehouse balances (MMS200MI GetItmWhsBal: approved on-hand
   less allocated) of every item with a seller SKU alias, or SAP's own unrestricted-use stock
   per plant (API_MATERIAL_STOCK_SRV) of every product;
2. turns it into quantities per seller SKU with the config's inventory rules
   (:func:`~amazon_erp_bridge.mapping.erp_inventory_levels`, then
   :func:`~amazon_erp_bridge.mapping.amazon_quantities`: reservations, safety buffer,
   marketplace shares, never below zero);
3. keeps only what differs from what Amazon was last sent
   (:func:`~amazon_erp_bridge.mapping.changed_quantities`) and sends those in one
   JSON_LISTINGS_FEED per marketplace, waits for it and reads its processing report. SKUs
   Amazon rejected are listed in the report (with Amazon's message) and sent again next run.

Nothing changed: no feed. Quantities are absolute, so sending one twice (after a crash between
the feed and the ledger write) is harmless.

**Ledger.** What was last sent, and accepted, is the JSON cursor ``amazon.inventory.<erp>``:
``{marketplace id: {seller SKU: quantity}}``. Delete it to send every quantity again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Final

from attrs import field, frozen

from amazon_erp_bridge.amazon import SpApiClient
from amazon_erp_bridge.amazon.endpoints import MARKETPLACES
from amazon_erp_bridge.amazon.feeds import DEFAULT_PRODUCT_TYPE
from amazon_erp_bridge.amazon.processing import DEFAULT_POLL_INTERVAL, DEFAULT_WAIT_TIMEOUT
from amazon_erp_bridge.errors import BridgeError, ConfigurationError
from amazon_erp_bridge.infor import M3Client
from amazon_erp_bridge.mapping import (
    InventoryRules,
    ItemCrosswalk,
    amazon_quantities,
    changed_quantities,
    erp_inventory_levels,
)
from amazon_erp_bridge.model import InventoryLevel
from amazon_erp_bridge.posting import Ledger, PostResult, PostStatus, PostSummary, time_position
from amazon_erp_bridge.sap import MaterialStockService, ODataClient, ProductService
from amazon_erp_bridge.workflows.report import StepReport, WorkflowReport

WORKFLOW: Final = "inventory sync"
#: How many changes a feed step lists by SKU before it only counts them.
_SHOWN: Final = 8


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    ids = (value,) if isinstance(value, str) else tuple(value)
    if not ids:
        raise ConfigurationError(
            "inventory sync: name at least one marketplace, warehouse or plant"
        )
    return ids


@frozen(kw_only=True)
class _InventoryRules:
    """What both ERPs' configs share: the rules, who sells, where, and how long to wait."""

    #: Reservations, safety buffers, marketplace shares and a cap.
    rules: InventoryRules
    #: The selling partner id the feeds are for.
    seller_id: str
    #: One feed per marketplace, each with its share of the stock.
    marketplace_ids: tuple[str, ...] = field(converter=_ids)
    product_type: str = DEFAULT_PRODUCT_TYPE
    #: Seconds between feed status polls, and the longest wait for a feed.
    poll_interval: float = DEFAULT_POLL_INTERVAL
    timeout: float = DEFAULT_WAIT_TIMEOUT


@frozen(kw_only=True)
class InventorySyncM3Config(_InventoryRules):
    """Inventory sync from Infor M3: the warehouses whose stock Amazon may sell."""

    warehouses: tuple[str, ...] = field(converter=_ids)


@frozen(kw_only=True)
class InventorySyncSapConfig(_InventoryRules):
    """Inventory sync from SAP: plants (and storage locations) whose own stock may be sold.

    Materials are the seller SKUs by default (``A_Product.Product``); point
    ``seller_sku_field`` at another product property if yours differ.
    """

    plants: tuple[str, ...] = field(converter=_ids)
    storage_locations: tuple[str, ...] | None = None
    seller_sku_field: str = "Product"


# -- one run ----------------------------------------------------------------------------------


def _load(text: str | None) -> dict[str, dict[str, int]]:
    if not text:
        return {}
    try:
        data = json.loads(text)
        return {str(m): {str(s): int(q) for s, q in skus.items()} for m, skus in data.items()}
    except (ValueError, TypeError, AttributeError) as exc:
        raise ConfigurationError(
            f"ledger cursor of the inventory sync is not the JSON it writes ({exc}); delete "
            "it to send every quantity again"
        ) from None


def _changes(changes: Mapping[str, int], before: Mapping[str, int]) -> str:
    shown = [f"{sku} {before.get(sku, 'new')} -> {qty}" for sku, qty in list(changes.items())]
    more = len(shown) - _SHOWN
    return ", ".join(shown[:_SHOWN]) + (f" and {more} more" if more > 0 else "")


def _feed_step(
    amazon: SpApiClient,
    config: _InventoryRules,
    kind: str,
    marketplace_id: str,
    levels: list[InventoryLevel],
    sent: dict[str, int],
    only: Mapping[str, object] | None = None,
) -> StepReport:
    """Send one marketplace's changed quantities (of the SKUs in ``only``, when given);
    ``sent`` is updated with what was accepted."""
    market = MARKETPLACES.get(marketplace_id)
    name = f"feed to Amazon {market.country_code if market else marketplace_id}"
    current = amazon_quantities(levels, config.rules, marketplace_id=marketplace_id)
    changes = changed_quantities(current, sent)
    if only is not None:  # an event's targeted sync: never a quantity of another SKU
        current = {sku: qty for sku, qty in current.items() if sku in only}
        changes = {sku: qty for sku, qty in changes.items() if sku in only}
    if not changes:
        return StepReport(name, notes=[f"{len(current)} SKUs unchanged; no feed sent"])
    notes = [f"{len(changes)} of {len(current)} SKUs changed: {_changes(changes, sent)}"]
    try:
        feed_id = amazon.feeds.submit_listings_quantities(
            config.seller_id, changes, [marketplace_id], product_type=config.product_type
        )
        feed = amazon.feeds.wait(
            feed_id, timeout=config.timeout, poll_interval=config.poll_interval
        )
        report = amazon.feeds.processing_report(feed)
    except BridgeError as exc:
        reason = f"not sent: {type(exc).__name__}: {exc}"
        failed = [PostResult(kind, sku, PostStatus.FAILED, reason=reason) for sku in changes]
        return StepReport(name, PostSummary(failed), notes)
    whole_feed = [i for i in report.errors() if not i.sku]
    problems: dict[str, str] = {}
    for issue in report.errors():
        if issue.sku:
            problems.setdefault(issue.sku, f"{issue.code or 'ERROR'}: {issue.message}")
    for issue in whole_feed:
        for sku in changes:
            problems.setdefault(sku, f"{issue.code or 'ERROR'}: {issue.message}")
    accepted = {sku: qty for sku, qty in changes.items() if sku not in problems}
    sent.update(accepted)
    notes.append(
        f"feed {feed.feed_id} {feed.processing_status.value}: {len(accepted)} accepted, "
        f"{len(problems)} rejected"
    )
    failed = [
        PostResult(kind, sku, PostStatus.FAILED, reason=f"Amazon rejected it: {problem}")
        for sku, problem in problems.items()
    ]
    return StepReport(name, PostSummary(failed) if failed else None, notes)


def _sync(
    amazon: SpApiClient,
    ledger: Ledger,
    config: _InventoryRules,
    erp: str,
    levels: list[InventoryLevel],
    read_notes: list[str],
    amazon_has: Mapping[str, int | None] | None = None,
) -> WorkflowReport:
    kind, cursor = f"inventory.{erp}", f"amazon.inventory.{erp}"
    # Stock was read just now: a run that read it earlier must not overwrite what this one sent.
    read_at = time_position(datetime.now(UTC))
    last = _load(ledger.get_cursor(cursor))
    steps = [StepReport("read stock", notes=read_notes)]
    for marketplace_id in config.marketplace_ids:
        sent = last.setdefault(marketplace_id, {})
        for sku, quantity in (amazon_has or {}).items():
            if quantity is not None and sent.get(sku) != quantity:
                sent.pop(sku, None)  # Amazon's quantity drifted from what was sent: send again
        steps.append(_feed_step(amazon, config, kind, marketplace_id, levels, sent, amazon_has))
    ledger.advance_cursor(cursor, json.dumps(last, sort_keys=True), position=read_at)
    return WorkflowReport(WORKFLOW, erp, steps)


def _skus(levels: list[InventoryLevel]) -> int:
    return len({level.item.seller_sku for level in levels})


# -- entry points -----------------------------------------------------------------------------


def inventory_sync_m3(
    amazon: SpApiClient,
    m3: M3Client,
    ledger: Ledger,
    config: InventorySyncM3Config,
    *,
    poster_options: Mapping[str, Any] | None = None,
) -> WorkflowReport:
    """Send M3's available-to-sell (on-hand less allocated) to Amazon, changed SKUs only.

    Items are found through their seller SKU aliases (MMS025MI, the client's alias scheme).
    ``poster_options`` is accepted for a signature like the other workflows'; a feed needs
    no poster (its quantities are absolute).
    """
    levels, notes = _m3_levels(m3, config, None)
    return _sync(amazon, ledger, config, "m3", levels, notes)


def sync_skus_m3(
    amazon: SpApiClient,
    m3: M3Client,
    ledger: Ledger,
    config: InventorySyncM3Config,
    amazon_has: Mapping[str, int | None],
    *,
    poster_options: Mapping[str, Any] | None = None,
) -> WorkflowReport:
    """Sync only these seller SKUs (the targeted work of stock events), with the cursor of
    :func:`inventory_sync_m3`: ``amazon_has`` maps each SKU to the quantity Amazon reported
    for it (``None`` if unknown); a SKU whose Amazon quantity differs from what was last sent
    gets M3's quantity again, the others only when M3's changed."""
    levels, notes = _m3_levels(m3, config, set(amazon_has))
    return _sync(amazon, ledger, config, "m3", levels, notes, amazon_has)


def _m3_levels(
    m3: M3Client, config: InventorySyncM3Config, skus: set[str] | None
) -> tuple[list[InventoryLevel], list[str]]:
    """M3's inventory levels (of ``skus`` only, when given) and the read-stock notes."""
    table = m3.items.alias_table(("seller_sku",))
    items = ItemCrosswalk.from_entries(
        (
            (kind, alias, itno)
            for kind, aliases in table.entries.items()
            for alias, itno in aliases.items()
        ),
        system="M3 item",
    )
    wanted = {itno for sku, itno in items.by_seller_sku.items() if skus is None or sku in skus}
    balances = m3.stock.balances(sorted(wanted), config.warehouses)
    levels = erp_inventory_levels(balances, items)
    notes = [
        f"M3 warehouse {', '.join(config.warehouses)}: {len(balances)} balances of "
        f"{len(wanted)} items with a seller SKU; {_skus(levels)} seller SKUs"
    ]
    return levels, notes


def inventory_sync_sap(
    amazon: SpApiClient,
    sap: ODataClient,
    ledger: Ledger,
    config: InventorySyncSapConfig,
    *,
    poster_options: Mapping[str, Any] | None = None,
) -> WorkflowReport:
    """Send SAP's own unrestricted-use stock to Amazon, changed SKUs only.

    SAP's stock API has no allocations: hold open orders back with ``rules.reserved`` or a
    safety buffer. ``poster_options`` as in :func:`inventory_sync_m3`.
    """
    levels, notes = _sap_levels(sap, config)
    return _sync(amazon, ledger, config, "sap", levels, notes)


def sync_skus_sap(
    amazon: SpApiClient,
    sap: ODataClient,
    ledger: Ledger,
    config: InventorySyncSapConfig,
    amazon_has: Mapping[str, int | None],
    *,
    poster_options: Mapping[str, Any] | None = None,
) -> WorkflowReport:
    """Sync only these seller SKUs from SAP, as :func:`sync_skus_m3` does from M3."""
    levels, notes = _sap_levels(sap, config)
    return _sync(amazon, ledger, config, "sap", levels, notes, amazon_has)


def _sap_levels(
    sap: ODataClient, config: InventorySyncSapConfig
) -> tuple[list[InventoryLevel], list[str]]:
    """SAP's inventory levels and the read-stock notes."""
    products = [p.raw for p in ProductService(sap).iter_all()]
    items = ItemCrosswalk.from_sap_products(
        products, seller_sku_field=config.seller_sku_field, gtin_field=None
    )
    rows = list(
        MaterialStockService(sap).available(
            config.plants, storage_locations=config.storage_locations
        )
    )
    levels = erp_inventory_levels(rows, items)
    notes = [
        f"SAP plant {', '.join(config.plants)}: {len(rows)} unrestricted stock rows of "
        f"{len(products)} products; {_skus(levels)} seller SKUs"
    ]
    return levels, notes


__all__ = [
    "InventorySyncM3Config",
    "InventorySyncSapConfig",
    "inventory_sync_m3",
    "inventory_sync_sap",
    "sync_skus_m3",
    "sync_skus_sap",
]
