"""Fake Finances API: v0 events, event groups, 2024-06-19 transactions, Transfers payouts.

Events are rendered from the state's canonical ``FinancialEvent`` objects with amounts as exact
JSON numbers. Every return in the state (``state.returns``, kept by the orders fake) whose
order has no refund event yet gets one when finances are read, so refunds follow returns.
Transactions name their financial event group and, once the group's settlement report exists,
its ``SETTLEMENT_ID``; refunds carry a ``REFUND_ID``; each positive settlement's payout is a
``Transfer`` transaction (``TRANSFER_ID`` = the payout id, the total leaving the balance).
Transfers ``listPayouts`` answers one payout per settlement report the reports fake offers: its
total, its period, PAID on its deposit date (``NO_PAYOUT`` for a settlement that is not
positive).

``fake.finance_window_limit`` (seconds) makes listFinancialEvents answer 400 ``InvalidInput``
past the first page of any wider window, the way Amazon's 10 MB response cap does after ~150
pages.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from amazon_erp_bridge.model import ComponentKind, FinancialComponent, FinancialEvent, Money
from amazon_erp_bridge.sandbox.amazon import paging
from amazon_erp_bridge.sandbox.amazon.settlement_files import SettlementHead, read_head
from amazon_erp_bridge.sandbox.amazon.state import EventGroup, PostedEvent, SpApiState, refund_event
from amazon_erp_bridge.sandbox.amazon.wire import wire_time
from amazon_erp_bridge.sandbox.server import Reply, SandboxRequest

if TYPE_CHECKING:
    from amazon_erp_bridge.sandbox.amazon.app import Caller, FakeSpApi

V0: Final = "/finances/v0"
SETTLE_DELAY: Final = timedelta(minutes=2)
MAX_RANGE: Final = timedelta(days=180)
TOO_LARGE: Final = (
    "The response is too large for the requested date range. Narrow the range with "
    "PostedAfter and PostedBefore."
)


class _BadInput(Exception):
    pass


def currency(m: Money) -> dict[str, Any]:
    """v0 ``Currency``: the amount as an exact JSON number."""
    return {"CurrencyCode": m.currency, "CurrencyAmount": m.amount}


def _charges(comps: Iterable[FinancialComponent], kind: ComponentKind) -> list[FinancialComponent]:
    return [c for c in comps if c.kind is kind]


def _shipment_items(event: FinancialEvent, refund: bool) -> list[dict[str, Any]]:
    by_item: dict[tuple[str | None, str | None], list[FinancialComponent]] = defaultdict(list)
    for c in event.components:
        by_item[(c.order_item_id, c.seller_sku)].append(c)
    suffix = "AdjustmentList" if refund else "List"
    items = []
    for (item_id, sku), comps in by_item.items():
        item: dict[str, Any] = {"SellerSKU": sku}
        item["OrderAdjustmentItemId" if refund else "OrderItemId"] = item_id
        quantity = next((c.quantity for c in comps if c.quantity is not None), None)
        if quantity is not None:
            item["QuantityShipped"] = quantity
        item[f"ItemCharge{suffix}"] = [
            {"ChargeType": c.type, "ChargeAmount": currency(c.amount)}
            for c in _charges(comps, ComponentKind.CHARGE)
        ]
        item[f"ItemFee{suffix}"] = [
            {"FeeType": c.type, "FeeAmount": currency(c.amount)}
            for c in _charges(comps, ComponentKind.FEE)
        ]
        item[f"Promotion{suffix}"] = [
            {
                "PromotionType": c.type,
                "PromotionId": f"PROMO-{item_id}",
                "PromotionAmount": currency(c.amount),
            }
            for c in _charges(comps, ComponentKind.PROMOTION)
        ]
        withheld = _charges(comps, ComponentKind.TAX_WITHHELD)
        if withheld:
            item["ItemTaxWithheldList"] = [
                {
                    "TaxCollectionModel": "MarketplaceFacilitator",
                    "TaxesWithheld": [
                        {"ChargeType": c.type, "ChargeAmount": currency(c.amount)} for c in withheld
                    ],
                }
            ]
        items.append({k: v for k, v in item.items() if v is not None})
    return items


def render_event(posted: PostedEvent) -> dict[str, Any]:
    """One event in its v0 list's shape."""
    event = posted.event
    if posted.list_name in ("ShipmentEventList", "RefundEventList"):
        refund = posted.list_name == "RefundEventList"
        key = "ShipmentItemAdjustmentList" if refund else "ShipmentItemList"
        return {
            "AmazonOrderId": event.order_id,
            "SellerOrderId": event.seller_order_id,
            "MarketplaceName": event.marketplace_name,
            "PostedDate": wire_time(posted.posted_at),
            key: _shipment_items(event, refund),
        }
    if posted.list_name == "ServiceFeeEventList":
        out: dict[str, Any] = {
            "FeeList": [
                {"FeeType": c.type, "FeeAmount": currency(c.amount)} for c in event.components
            ],
            "FeeDescription": event.description,
        }
        sku = next((c.seller_sku for c in event.components if c.seller_sku), None)
        if sku:
            out["SellerSKU"] = sku
        if event.order_id:
            out["AmazonOrderId"] = event.order_id
        return out
    if posted.list_name == "AdjustmentEventList":
        first = event.components[0]
        return {
            "AdjustmentType": first.type,
            "PostedDate": wire_time(posted.posted_at),
            "AdjustmentAmount": currency(
                Money.total((c.amount for c in event.components), first.amount.currency)
            ),
            "AdjustmentItemList": [
                {
                    "Quantity": str(c.quantity or 1),
                    "PerUnitAmount": currency(
                        Money(c.amount.amount / (c.quantity or 1), c.amount.currency)
                    ),
                    "TotalAmount": currency(c.amount),
                    "SellerSKU": c.seller_sku,
                }
                for c in event.components
            ],
        }
    raise ValueError(f"sandbox cannot render {posted.list_name}")  # pragma: no cover


def render_events(events: Sequence[PostedEvent]) -> dict[str, list[dict[str, Any]]]:
    """A v0 ``FinancialEvents`` object: events grouped into their lists."""
    lists: dict[str, list[dict[str, Any]]] = {
        "ShipmentEventList": [],
        "RefundEventList": [],
        "ServiceFeeEventList": [],
        "AdjustmentEventList": [],
    }
    for e in events:
        lists[e.list_name].append(render_event(e))
    return lists


def _event_currency(event: FinancialEvent) -> str | None:
    return event.components[0].amount.currency if event.components else None


def render_group(group: EventGroup, events: Sequence[PostedEvent]) -> dict[str, Any]:
    total = Money.total(
        (
            c.amount
            for e in events
            for c in e.event.components
            if c.amount.currency == group.currency
        ),
        group.currency,
    )
    out: dict[str, Any] = {
        "FinancialEventGroupId": group.group_id,
        "ProcessingStatus": group.processing_status,
        "FundTransferStatus": group.fund_transfer_status,
        "OriginalTotal": currency(total),
        "BeginningBalance": currency(Money.zero(group.currency)),
        "FinancialEventGroupStart": wire_time(group.start),
    }
    if group.end is not None:
        out["FinancialEventGroupEnd"] = wire_time(group.end)
        out["FundTransferDate"] = wire_time(group.end + timedelta(days=1))
        out["TraceId"] = hashlib.sha1(group.group_id.encode()).hexdigest()[:16].upper()
        out["AccountTail"] = "042"
    return out


# -- 2024-06-19 transactions ---------------------------------------------------------------

_TOP: Final = {
    ComponentKind.CHARGE: "Sales",
    ComponentKind.FEE: "Expenses",
    ComponentKind.PROMOTION: "Promotions",
    ComponentKind.TAX_WITHHELD: "TaxWithheld",
    ComponentKind.ADJUSTMENT: "Adjustments",
    ComponentKind.OTHER: "Other",
}


def amount_2024(m: Money) -> dict[str, Any]:
    return {"currencyCode": m.currency, "currencyAmount": m.amount}


def _breakdowns(comps: Sequence[FinancialComponent]) -> list[dict[str, Any]]:
    out = []
    for kind, name in _TOP.items():
        parts = [c for c in comps if c.kind is kind]
        if not parts:
            continue
        cur = parts[0].amount.currency
        out.append(
            {
                "breakdownType": name,
                "breakdownAmount": amount_2024(Money.total((c.amount for c in parts), cur)),
                "breakdowns": [
                    {
                        "breakdownType": c.type,
                        "breakdownAmount": amount_2024(c.amount),
                        "breakdowns": [],
                    }
                    for c in parts
                ],
            }
        )
    return out


def render_transaction(
    index: int,
    posted: PostedEvent,
    seller_id: str,
    group_id: str | None,
    settlement_id: str | None = None,
) -> dict[str, Any]:
    event = posted.event
    cur = _event_currency(event) or "USD"
    total = Money.total((c.amount for c in event.components), cur)
    related = []
    if event.order_id:
        related.append(
            {"relatedIdentifierName": "ORDER_ID", "relatedIdentifierValue": event.order_id}
        )
    if group_id:
        related.append(
            {
                "relatedIdentifierName": "FINANCIAL_EVENT_GROUP_ID",
                "relatedIdentifierValue": group_id,
            }
        )
    if settlement_id:
        related.append(
            {"relatedIdentifierName": "SETTLEMENT_ID", "relatedIdentifierValue": settlement_id}
        )
    transaction_id = hashlib.sha1(f"{index}:{posted.posted_at}".encode()).hexdigest()[:20]
    if posted.list_name == "RefundEventList":
        related.append(
            {"relatedIdentifierName": "REFUND_ID", "relatedIdentifierValue": f"R{transaction_id}"}
        )
    by_sku: dict[str | None, list[FinancialComponent]] = defaultdict(list)
    for c in event.components:
        by_sku[c.seller_sku].append(c)
    items = []
    for sku, comps in by_sku.items():
        if sku is None:
            continue
        qty = next((c.quantity for c in comps if c.quantity is not None), None)
        items.append(
            {
                "description": sku,
                "totalAmount": amount_2024(Money.total((c.amount for c in comps), cur)),
                "relatedIdentifiers": [],
                "breakdowns": _breakdowns(comps),
                "contexts": [{"contextType": "ProductContext", "sku": sku, "quantityShipped": qty}],
            }
        )
    return {
        "sellingPartnerMetadata": {"sellingPartnerId": seller_id, "accountType": "PAYABLE"},
        "relatedIdentifiers": related,
        "transactionType": event.event_type,
        "transactionId": transaction_id,
        "transactionStatus": "RELEASED",
        "description": event.description or event.event_type,
        "postedDate": wire_time(posted.posted_at),
        "totalAmount": amount_2024(total),
        "marketplaceDetails": {"marketplaceName": event.marketplace_name}
        if event.marketplace_name
        else {},
        "items": items,
        "breakdowns": _breakdowns(event.components),
    }


# -- refunds follow returns; payouts follow settlements --------------------------------------


def take_up_returns(state: SpApiState) -> int:
    """Add a refund event for every returned order that has none yet; returns how many."""
    refunded = {e.event.order_id for e in state.events if e.list_name == "RefundEventList"}
    added = 0
    for ret in state.returns:
        order = state.orders.get(ret.order_id)
        if order is None or ret.order_id in refunded:
            continue
        event = refund_event(order)
        if not event.event.components:
            continue
        state.events.append(event)
        refunded.add(ret.order_id)
        added += 1
    if added:
        state.events.sort(key=lambda e: e.posted_at)
    return added


def settlement_heads(fake: FakeSpApi) -> list[tuple[SettlementHead, str]]:
    """(summary, marketplace id) of every settlement report the reports fake offers."""
    out = []
    for report in fake.reports.settlements():
        if report.document_id is None:
            continue
        text = fake.documents.text(report.document_id).decode("latin-1")
        out.append((read_head(text), report.marketplace_ids[0]))
    return out


def _settlement_of(group: EventGroup, heads: Sequence[tuple[SettlementHead, str]]) -> str | None:
    for head, _ in heads:
        if (head.total.currency, head.start, head.end) == (group.currency, group.start, group.end):
            return head.settlement_id
    return None


def _digits(seed: str, width: int = 11) -> str:
    return str(int(hashlib.sha256(seed.encode()).hexdigest()[:12], 16) % 10**width).rjust(
        width, "7"
    )


def render_payout(
    head: SettlementHead, marketplace_id: str, seller_id: str, now: datetime
) -> dict[str, Any]:
    """A Transfers 2024-06-01 ``Payout`` paying the settlement ``head`` summarises."""
    created = head.end
    out: dict[str, Any] = {
        "id": _digits(f"payout:{head.settlement_id}"),
        "partnerMetadata": {
            "partnerId": seller_id,
            "accountType": "STANDARD_ORDERS",
            "marketplaceId": marketplace_id,
        },
        "period": {"startDate": wire_time(head.start), "endDate": wire_time(head.end)},
        "relatedIdentifiers": [
            {"relatedIdentifierName": "SETTLEMENT_ID", "relatedIdentifierValue": head.settlement_id}
        ],
        "creationDate": wire_time(created),
    }
    if head.total.amount <= 0:
        out["currentStatus"] = "NO_PAYOUT"
        out["statusHistory"] = [{"status": "NO_PAYOUT", "lastUpdatedDate": wire_time(created)}]
        return out
    history = [{"status": "STARTED", "lastUpdatedDate": wire_time(created)}]
    deposit = head.deposit_date or created + timedelta(days=2)
    in_transit = min(created + timedelta(hours=6), deposit)
    if in_transit <= now:
        history.append({"status": "IN_TRANSIT", "lastUpdatedDate": wire_time(in_transit)})
    if deposit <= now:
        history.append({"status": "PAID", "lastUpdatedDate": wire_time(deposit)})
    out.update(
        {
            "currentStatus": history[-1]["status"],
            "statusHistory": history,
            "type": "SCHEDULED",
            "amount": amount_2024(head.total),
            "accountTail": "042",
            "paymentMethod": "BANK_ACCOUNT",
            "paymentRail": "ACH",
            "traceId": hashlib.sha1(head.settlement_id.encode()).hexdigest()[:15].upper(),
        }
    )
    return out


def render_transfer(
    head: SettlementHead, marketplace_id: str, seller_id: str, group_id: str | None
) -> dict[str, Any]:
    """The 2024-06-19 transaction of a settlement's payout: money leaving the Amazon balance."""
    related = [
        {"relatedIdentifierName": "SETTLEMENT_ID", "relatedIdentifierValue": head.settlement_id},
        {
            "relatedIdentifierName": "TRANSFER_ID",
            "relatedIdentifierValue": _digits(f"payout:{head.settlement_id}"),
        },
    ]
    if group_id:
        related.append(
            {
                "relatedIdentifierName": "FINANCIAL_EVENT_GROUP_ID",
                "relatedIdentifierValue": group_id,
            }
        )
    return {
        "sellingPartnerMetadata": {
            "sellingPartnerId": seller_id,
            "accountType": "PAYABLE",
            "marketplaceId": marketplace_id,
        },
        "relatedIdentifiers": related,
        "transactionType": "Transfer",
        "transactionId": hashlib.sha1(f"transfer:{head.settlement_id}".encode()).hexdigest()[:20],
        "transactionStatus": "RELEASED",
        "description": "Transfer to bank account",
        "postedDate": wire_time(head.end),
        "totalAmount": amount_2024(-head.total),
        "marketplaceDetails": {"marketplaceId": marketplace_id},
        "items": [],
        "breakdowns": [],
    }


# -- handlers ------------------------------------------------------------------------------


def _time(req: SandboxRequest, name: str) -> datetime | None:
    value = req.arg(name)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _BadInput(f"{name} is not a valid ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise _BadInput(f"{name} must carry a time zone")
    return parsed


def _size(req: SandboxRequest, name: str, fake: FakeSpApi) -> int:
    raw = req.arg(name)
    if raw is None:
        return min(100, fake.page_size)
    try:
        size = int(raw)
    except ValueError:
        raise _BadInput(f"{name} must be an integer from 1 to 100") from None
    if not 1 <= size <= 100:
        raise _BadInput(f"{name} must be from 1 to 100")
    return min(size, fake.page_size)


def _posted_window(
    req: SandboxRequest, fake: FakeSpApi, after_name: str, before_name: str, required: bool
) -> tuple[datetime | None, datetime]:
    after = _time(req, after_name)
    before = _time(req, before_name)
    latest = fake.now() - SETTLE_DELAY
    if after is None and required:
        raise _BadInput(f"{after_name} is required")
    if before is None:
        before = latest
    elif before > latest:
        raise _BadInput(
            f"{before_name} must be at least two minutes before the time of the request"
        )
    if after is not None and after > latest:
        raise _BadInput(f"{after_name} must be at least two minutes before the time of the request")
    if after is not None and after >= before:
        raise _BadInput(f"{after_name} must be before {before_name}")
    return after, before


def _in(after: datetime | None, before: datetime) -> Callable[[PostedEvent], bool]:
    return lambda e: (after is None or e.posted_at >= after) and e.posted_at < before


def register(fake: FakeSpApi) -> None:
    """Finances v0 (four list operations) and 2024-06-19 listTransactions."""
    state = fake.state

    def group_of(e: PostedEvent) -> EventGroup | None:
        cur = _event_currency(e.event)
        for g in state.groups:
            if (
                g.currency == cur
                and g.start <= e.posted_at
                and (g.end is None or e.posted_at < g.end)
            ):
                return g
        return None

    def events_page(req: SandboxRequest, selected: list[PostedEvent], size: int) -> Reply:
        try:
            chunk, token, _ = paging.page(req, selected, token_param="NextToken", size=size)
        except paging.BadToken:
            return fake.error(400, "InvalidInput", "Invalid NextToken", "")
        payload: dict[str, Any] = {"FinancialEvents": render_events(chunk)}
        if token:
            payload["NextToken"] = token
        return Reply.json({"payload": payload})

    @fake.operation("GET", rf"{V0}/financialEvents", "finances.listFinancialEvents")
    def list_events(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        take_up_returns(state)
        try:
            after, before = _posted_window(req, fake, "PostedAfter", "PostedBefore", required=False)
            size = _size(req, "MaxResultsPerPage", fake)
        except _BadInput as exc:
            return fake.error(400, "InvalidInput", str(exc), "")
        start = after or before - timedelta(days=180)
        limit = fake.finance_window_limit
        if limit is not None and req.arg("NextToken") and (before - start).total_seconds() > limit:
            return fake.error(400, "InvalidInput", TOO_LARGE, "")
        if before - start > MAX_RANGE:
            return events_page(req, [], size)
        return events_page(req, [e for e in state.events if _in(start, before)(e)], size)

    @fake.operation(
        "GET",
        rf"{V0}/financialEventGroups/(?P<group_id>[^/]+)/financialEvents",
        "finances.listFinancialEventsByGroupId",
    )
    def list_events_by_group(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        take_up_returns(state)
        group = next((g for g in state.groups if g.group_id == m["group_id"]), None)
        if group is None:
            return fake.error(404, "NotFound", f"Financial event group {m['group_id']} not found")
        try:
            after, before = _posted_window(req, fake, "PostedAfter", "PostedBefore", required=False)
            size = _size(req, "MaxResultsPerPage", fake)
        except _BadInput as exc:
            return fake.error(400, "InvalidInput", str(exc), "")
        selected = [e for e in state.events if group_of(e) == group and _in(after, before)(e)]
        return events_page(req, selected, size)

    @fake.operation(
        "GET",
        rf"{V0}/orders/(?P<order_id>[^/]+)/financialEvents",
        "finances.listFinancialEventsByOrderId",
    )
    def list_events_by_order(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        take_up_returns(state)
        try:
            size = _size(req, "MaxResultsPerPage", fake)
        except _BadInput as exc:
            return fake.error(400, "InvalidInput", str(exc), "")
        selected = [e for e in state.events if e.event.order_id == m["order_id"]]
        return events_page(req, selected, size)

    @fake.operation("GET", rf"{V0}/financialEventGroups", "finances.listFinancialEventGroups")
    def list_groups(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        try:
            after = _time(req, "FinancialEventGroupStartedAfter")
            before = _time(req, "FinancialEventGroupStartedBefore")
            size = _size(req, "MaxResultsPerPage", fake)
        except _BadInput as exc:
            return fake.error(400, "InvalidInput", str(exc), "")
        groups = [
            g
            for g in state.groups
            if (after is None or g.start >= after) and (before is None or g.start < before)
        ]
        try:
            chunk, token, _ = paging.page(req, groups, token_param="NextToken", size=size)
        except paging.BadToken:
            return fake.error(400, "InvalidInput", "Invalid NextToken", "")
        rendered = [render_group(g, [e for e in state.events if group_of(e) == g]) for g in chunk]
        payload: dict[str, Any] = {"FinancialEventGroupList": rendered}
        if token:
            payload["NextToken"] = token
        return Reply.json({"payload": payload})

    @fake.operation("GET", r"/finances/2024-06-19/transactions", "finances.listTransactions")
    def list_transactions(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        take_up_returns(state)
        heads = settlement_heads(fake)
        name, value = req.arg("relatedIdentifierName"), req.arg("relatedIdentifierValue")
        try:
            after, before = _posted_window(
                req, fake, "postedAfter", "postedBefore", required=name is None
            )
        except _BadInput as exc:
            return fake.error(400, "InvalidInput", str(exc), "")
        status = req.arg("transactionStatus")
        selected: list[tuple[datetime, Callable[[], dict[str, Any]]]] = []
        for index, e in enumerate(state.events):
            if not _in(after, before)(e):
                continue
            group = group_of(e)
            if name == "ORDER_ID" and e.event.order_id != value:
                continue
            if name == "FINANCIAL_EVENT_GROUP_ID" and (group is None or group.group_id != value):
                continue
            if status and status != "RELEASED":
                continue
            settlement = _settlement_of(group, heads) if group and group.end is not None else None
            selected.append(
                (
                    e.posted_at,
                    partial(
                        render_transaction,
                        index,
                        e,
                        state.seller_id,
                        group.group_id if group else None,
                        settlement,
                    ),
                )
            )
        for head, market in heads:
            group = next((g for g in state.groups if _settlement_of(g, [(head, market)])), None)
            if head.total.amount <= 0 or name == "ORDER_ID" or (status and status != "RELEASED"):
                continue
            if not (after is None or head.end >= after) or head.end >= before:
                continue
            if name == "FINANCIAL_EVENT_GROUP_ID" and (group is None or group.group_id != value):
                continue
            selected.append(
                (
                    head.end,
                    partial(
                        render_transfer,
                        head,
                        market,
                        state.seller_id,
                        group.group_id if group else None,
                    ),
                )
            )
        selected.sort(key=lambda item: item[0])
        try:
            chunk, token, _ = paging.page(
                req, selected, token_param="nextToken", size=fake.page_size
            )
        except paging.BadToken:
            return fake.error(400, "InvalidInput", "Invalid nextToken", "")
        payload: dict[str, Any] = {"transactions": [render() for _, render in chunk]}
        if token:
            payload["nextToken"] = token
        return Reply.json({"payload": payload})

    @fake.operation("GET", r"/finances/transfers/2024-06-01/payouts", "transfers.listPayouts")
    def list_payouts(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        try:
            after = _time(req, "createdAfter")
            before = _time(req, "createdBefore")
        except _BadInput as exc:
            return fake.error(400, "InvalidInput", str(exc), "")
        markets = {x for x in (req.arg("marketplaceIds") or "").split(",") if x}
        payout_id, account_type = req.arg("payoutId"), req.arg("accountType")
        now = fake.now()
        payouts = [
            render_payout(head, market, state.seller_id, now)
            for head, market in settlement_heads(fake)
            if head.end <= now
        ]
        selected = [
            p
            for p in sorted(payouts, key=lambda p: str(p["creationDate"]), reverse=True)
            if (not markets or p["partnerMetadata"]["marketplaceId"] in markets)
            and (after is None or datetime.fromisoformat(p["creationDate"]) >= after)
            and (before is None or datetime.fromisoformat(p["creationDate"]) < before)
            and (payout_id is None or p["id"] == payout_id)
            and (account_type is None or p["partnerMetadata"]["accountType"] == account_type)
        ]
        try:
            chunk, token, _ = paging.page(
                req, selected, token_param="nextToken", size=fake.page_size
            )
        except paging.BadToken:
            return fake.error(400, "InvalidInput", "Invalid nextToken", "")
        body: dict[str, Any] = {"payouts": list(chunk)}
        if token:
            body["nextToken"] = token
        return Reply.json(body)
