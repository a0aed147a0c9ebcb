"""Finances API: v0 financial events and event groups, and 2024-06-19 transactions.

Amounts here are JSON numbers (``CurrencyAmount``); they are read with ``parse_float=Decimal``
and never pass through float. v0 events become ``model.FinancialEvent`` by the table in
:mod:`amazon_erp_bridge.amazon.financial_events`: one ``FinancialComponent`` per amount that
moves money, informational amounts (totals of parts, initial values) kept apart, every event
dated by the field the model gives its list.

listFinancialEvents answers 400 ``InvalidInput`` when a response would pass Amazon's 10 MB cap
(after ~150 pages) or a NextToken went stale. :class:`WindowedEvents` then splits the date
window in halves and reads them afresh, skipping the events it already gave out, so the
caller sees every event once.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import httpx2
from attrs import field, frozen

from amazon_erp_bridge.amazon.financial_events import currency_amount, financial_events
from amazon_erp_bridge.amazon.timestamps import from_wire, to_wire
from amazon_erp_bridge.core.call import Call, Page
from amazon_erp_bridge.core.redaction import get_logger
from amazon_erp_bridge.core.sender import AsyncSender, SyncSender, json_body
from amazon_erp_bridge.errors import ApiError, ValidationError
from amazon_erp_bridge.model import (
    ComponentKind,
    FinancialComponent,
    FinancialEvent,
    Money,
    Payout,
    Refund,
)

log = get_logger("amazon_erp_bridge.amazon.finances")

V0: Final = "/finances/v0"
TRANSACTIONS_PATH: Final = "/finances/2024-06-19/transactions"

#: Amazon's lower bound: PostedBefore must be more than two minutes before now.
SETTLE_DELAY: Final = timedelta(minutes=2)
#: Narrowing stops here: a window this short that still fails is reported as an error.
MIN_WINDOW: Final = timedelta(minutes=1)

TRANSACTION_STATUSES: Final = frozenset({"DEFERRED", "RELEASED", "DEFERRED_RELEASED"})
RELATED_IDENTIFIER_NAMES: Final = frozenset({"FINANCIAL_EVENT_GROUP_ID", "ORDER_ID"})


# -- typed records -------------------------------------------------------------------------


@frozen
class FinancialEventGroup:
    """A financial event group: the events of one settlement period and its fund transfer."""

    group_id: str
    processing_status: str | None = None  # Open | Closed
    fund_transfer_status: str | None = None
    original_total: Money | None = None
    converted_total: Money | None = None
    fund_transfer_date: datetime | None = None
    trace_id: str | None = None
    account_tail: str | None = None
    beginning_balance: Money | None = None
    start: datetime | None = None
    end: datetime | None = None


@frozen
class Breakdown:
    """One 2024-06-19 breakdown of an amount (``Sales`` > ``Product Charges``...); nests."""

    breakdown_type: str
    amount: Money | None
    breakdowns: tuple[Breakdown, ...] = ()

    def leaves(self, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Money]]:
        """Each innermost amount with the path of breakdown types leading to it."""
        here = (*path, self.breakdown_type)
        if not self.breakdowns:
            if self.amount is not None:
                yield here, self.amount
            return
        for child in self.breakdowns:
            yield from child.leaves(here)


@frozen
class TransactionItem:
    """An item of a 2024-06-19 transaction (an order line, a fee line...)."""

    description: str | None = None
    total_amount: Money | None = None
    breakdowns: tuple[Breakdown, ...] = ()
    contexts: tuple[Mapping[str, Any], ...] = field(default=(), eq=False)
    related_identifiers: tuple[tuple[str, str], ...] = ()


@frozen
class Transaction:
    """A 2024-06-19 Finances transaction with its nested breakdowns and items."""

    transaction_id: str | None
    transaction_type: str | None
    transaction_status: str | None
    posted_date: datetime | None
    total_amount: Money | None
    description: str | None = None
    marketplace_id: str | None = None
    marketplace_name: str | None = None
    selling_partner_id: str | None = None
    account_type: str | None = None
    related_identifiers: tuple[tuple[str, str], ...] = ()
    items: tuple[TransactionItem, ...] = ()
    breakdowns: tuple[Breakdown, ...] = ()
    contexts: tuple[Mapping[str, Any], ...] = field(default=(), eq=False)

    def related(self, name: str) -> str | None:
        """The first related identifier called ``name`` (``ORDER_ID``...), if any."""
        for key, value in self.related_identifiers:
            if key == name:
                return value
        return None


# -- parsing helpers -----------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(f"{what}: expected an object, got {type(value).__name__}")
    return value


def _objects(value: Any, what: str) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(f"{what}: expected a list, got {type(value).__name__}")
    return [_object(v, what) for v in value]


def _payload(response: httpx2.Response, operation: str) -> Mapping[str, Any]:
    body = _object(json_body(response), f"{operation} answer")
    return _object(body.get("payload"), f"{operation} answer payload")


def _events_parser(group_id: str | None) -> Callable[[httpx2.Response], Page[FinancialEvent]]:
    def parse(response: httpx2.Response) -> Page[FinancialEvent]:
        payload = _payload(response, "listFinancialEvents")
        events = financial_events(payload.get("FinancialEvents") or {}, group_id)
        return Page(tuple(events), _text(payload.get("NextToken")))

    return parse


# -- v0 call builders ----------------------------------------------------------------------


def _page_size(value: int | None) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
        raise ValidationError(f"max_results_per_page: expected 1 to 100, got {value!r}")
    return {"MaxResultsPerPage": str(value)}


def _window(
    posted_after: datetime | None, posted_before: datetime | None, *, names: tuple[str, str]
) -> dict[str, str]:
    params = {}
    if posted_after is not None:
        params[names[0]] = to_wire(posted_after, "posted_after")
    if posted_before is not None:
        params[names[1]] = to_wire(posted_before, "posted_before")
    if posted_after is not None and posted_before is not None and posted_before <= posted_after:
        raise ValidationError(
            f"posted_before ({posted_before.isoformat()}) must be later than posted_after "
            f"({posted_after.isoformat()})"
        )
    return params


def _token(next_token: str | None) -> dict[str, str]:
    return {"NextToken": next_token} if next_token else {}


def list_financial_events(
    posted_after: datetime | None = None,
    posted_before: datetime | None = None,
    max_results_per_page: int | None = None,
    next_token: str | None = None,
) -> Call[Page[FinancialEvent]]:
    """Finances v0 listFinancialEvents, one page."""
    params = {
        **_window(posted_after, posted_before, names=("PostedAfter", "PostedBefore")),
        **_page_size(max_results_per_page),
        **_token(next_token),
    }
    return Call(
        "GET",
        f"{V0}/financialEvents",
        parse=_events_parser(None),
        params=params,
        limit_key="finances.listFinancialEvents",
    )


def list_financial_events_by_group_id(
    event_group_id: str,
    posted_after: datetime | None = None,
    posted_before: datetime | None = None,
    max_results_per_page: int | None = None,
    next_token: str | None = None,
) -> Call[Page[FinancialEvent]]:
    """Finances v0 listFinancialEventsByGroupId, one page; events carry the group id."""
    if not isinstance(event_group_id, str) or not event_group_id.strip():
        raise ValidationError(f"event_group_id: expected a group id, got {event_group_id!r}")
    params = {
        **_window(posted_after, posted_before, names=("PostedAfter", "PostedBefore")),
        **_page_size(max_results_per_page),
        **_token(next_token),
    }
    return Call(
        "GET",
        f"{V0}/financialEventGroups/{event_group_id}/financialEvents",
        parse=_events_parser(event_group_id),
        params=params,
        limit_key="finances.listFinancialEventsByGroupId",
    )


def list_financial_events_by_order_id(
    order_id: str, max_results_per_page: int | None = None, next_token: str | None = None
) -> Call[Page[FinancialEvent]]:
    """Finances v0 listFinancialEventsByOrderId, one page."""
    if not isinstance(order_id, str) or not order_id.strip():
        raise ValidationError(f"order_id: expected an Amazon order id, got {order_id!r}")
    return Call(
        "GET",
        f"{V0}/orders/{order_id}/financialEvents",
        parse=_events_parser(None),
        params={**_page_size(max_results_per_page), **_token(next_token)},
        limit_key="finances.listFinancialEventsByOrderId",
    )


def event_group(data: Mapping[str, Any]) -> FinancialEventGroup:
    """A v0 ``FinancialEventGroup`` as a typed record."""
    data = _object(data, "financial event group")
    group_id = _text(data.get("FinancialEventGroupId"))
    if group_id is None:
        raise ValidationError("financial event group: it has no FinancialEventGroupId")
    what = f"financial event group {group_id}"
    return FinancialEventGroup(
        group_id=group_id,
        processing_status=_text(data.get("ProcessingStatus")),
        fund_transfer_status=_text(data.get("FundTransferStatus")),
        original_total=currency_amount(data.get("OriginalTotal"), f"{what} OriginalTotal"),
        converted_total=currency_amount(data.get("ConvertedTotal"), f"{what} ConvertedTotal"),
        fund_transfer_date=from_wire(data.get("FundTransferDate"), f"{what} FundTransferDate"),
        trace_id=_text(data.get("TraceId")),
        account_tail=_text(data.get("AccountTail")),
        beginning_balance=currency_amount(data.get("BeginningBalance"), f"{what} BeginningBalance"),
        start=from_wire(data.get("FinancialEventGroupStart"), f"{what} start"),
        end=from_wire(data.get("FinancialEventGroupEnd"), f"{what} end"),
    )


def _parse_groups(response: httpx2.Response) -> Page[FinancialEventGroup]:
    payload = _payload(response, "listFinancialEventGroups")
    groups = tuple(
        event_group(g)
        for g in _objects(payload.get("FinancialEventGroupList"), "FinancialEventGroupList")
    )
    return Page(groups, _text(payload.get("NextToken")))


def list_financial_event_groups(
    started_after: datetime | None = None,
    started_before: datetime | None = None,
    max_results_per_page: int | None = None,
    next_token: str | None = None,
) -> Call[Page[FinancialEventGroup]]:
    """Finances v0 listFinancialEventGroups, one page."""
    params = {
        **_window(
            started_after,
            started_before,
            names=("FinancialEventGroupStartedAfter", "FinancialEventGroupStartedBefore"),
        ),
        **_page_size(max_results_per_page),
        **_token(next_token),
    }
    return Call(
        "GET",
        f"{V0}/financialEventGroups",
        parse=_parse_groups,
        params=params,
        limit_key="finances.listFinancialEventGroups",
    )


# -- 2024-06-19 transactions ---------------------------------------------------------------


def breakdown(data: Mapping[str, Any], what: str) -> Breakdown:
    """A 2024-06-19 ``Breakdown`` with its nested breakdowns."""
    data = _object(data, f"{what} breakdown")
    kind = str(data.get("breakdownType") or "")
    return Breakdown(
        breakdown_type=kind,
        amount=currency_amount(data.get("breakdownAmount"), f"{what} {kind}", upper=False),
        breakdowns=tuple(
            breakdown(b, what) for b in _objects(data.get("breakdowns"), f"{what} breakdowns")
        ),
    )


def _identifiers(items: Any, name_key: str, value_key: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (str(i.get(name_key) or ""), str(i.get(value_key) or ""))
        for i in _objects(items, "relatedIdentifiers")
    )


def transaction(data: Mapping[str, Any]) -> Transaction:
    """A 2024-06-19 ``Transaction`` as a typed record, breakdowns nested as they come."""
    data = _object(data, "transaction")
    tid = _text(data.get("transactionId"))
    what = f"transaction {tid or data.get('transactionType')}"
    market = _object(data.get("marketplaceDetails") or {}, f"{what} marketplaceDetails")
    partner = _object(data.get("sellingPartnerMetadata") or {}, f"{what} sellingPartnerMetadata")
    items = tuple(
        TransactionItem(
            description=_text(i.get("description")),
            total_amount=currency_amount(i.get("totalAmount"), f"{what} item", upper=False),
            breakdowns=tuple(
                breakdown(b, f"{what} item") for b in _objects(i.get("breakdowns"), what)
            ),
            contexts=tuple(_objects(i.get("contexts"), f"{what} item contexts")),
            related_identifiers=_identifiers(
                i.get("relatedIdentifiers"),
                "itemRelatedIdentifierName",
                "itemRelatedIdentifierValue",
            ),
        )
        for i in _objects(data.get("items"), f"{what} items")
    )
    return Transaction(
        transaction_id=tid,
        transaction_type=_text(data.get("transactionType")),
        transaction_status=_text(data.get("transactionStatus")),
        posted_date=from_wire(data.get("postedDate"), f"{what} postedDate"),
        total_amount=currency_amount(data.get("totalAmount"), f"{what} totalAmount", upper=False),
        description=_text(data.get("description")),
        marketplace_id=_text(market.get("marketplaceId")) or _text(partner.get("marketplaceId")),
        marketplace_name=_text(market.get("marketplaceName")),
        selling_partner_id=_text(partner.get("sellingPartnerId")),
        account_type=_text(partner.get("accountType")),
        related_identifiers=_identifiers(
            data.get("relatedIdentifiers"), "relatedIdentifierName", "relatedIdentifierValue"
        ),
        items=items,
        breakdowns=tuple(breakdown(b, what) for b in _objects(data.get("breakdowns"), what)),
        contexts=tuple(_objects(data.get("contexts"), f"{what} contexts")),
    )


def _parse_transactions(response: httpx2.Response) -> Page[Transaction]:
    payload = _payload(response, "listTransactions")
    items = tuple(transaction(t) for t in _objects(payload.get("transactions"), "transactions"))
    return Page(items, _text(payload.get("nextToken")))


def list_transactions(
    posted_after: datetime | None = None,
    posted_before: datetime | None = None,
    *,
    marketplace_id: str | None = None,
    transaction_status: str | None = None,
    related_identifier_name: str | None = None,
    related_identifier_value: str | None = None,
    next_token: str | None = None,
) -> Call[Page[Transaction]]:
    """Finances 2024-06-19 listTransactions, one page."""
    if posted_after is None and related_identifier_name is None:
        raise ValidationError(
            "list_transactions: give posted_after, or a related identifier (name and value)"
        )
    if transaction_status is not None and transaction_status not in TRANSACTION_STATUSES:
        raise ValidationError(
            f"transaction_status: expected one of {sorted(TRANSACTION_STATUSES)}, got "
            f"{transaction_status!r}"
        )
    if (related_identifier_name is None) != (related_identifier_value is None):
        raise ValidationError(
            "related_identifier_name and related_identifier_value go together; give both"
        )
    if (
        related_identifier_name is not None
        and related_identifier_name not in RELATED_IDENTIFIER_NAMES
    ):
        raise ValidationError(
            f"related_identifier_name: expected one of {sorted(RELATED_IDENTIFIER_NAMES)}, "
            f"got {related_identifier_name!r}"
        )
    params = _window(posted_after, posted_before, names=("postedAfter", "postedBefore"))
    for name, value in (
        ("marketplaceId", marketplace_id),
        ("transactionStatus", transaction_status),
        ("relatedIdentifierName", related_identifier_name),
        ("relatedIdentifierValue", related_identifier_value),
        ("nextToken", next_token),
    ):
        if value:
            params[name] = value
    return Call(
        "GET",
        TRANSACTIONS_PATH,
        parse=_parse_transactions,
        params=params,
        limit_key="finances.listTransactions",
    )


# -- refunds -------------------------------------------------------------------------------

REFUND: Final = "Refund"
REFUND_SOURCES: Final = ("v0", "2024-06-19")

#: Top-level breakdown types of a 2024-06-19 transaction -> the kind of their leaves, by the
#: first word found in the type (Amazon's ``ProductCharges``, ``AmazonFees``, ``Tax``...,
#: and the sandbox's ``Sales``, ``Expenses``...). Anything else is ``Other``.
BREAKDOWN_KINDS: Final = (
    ("withheld", ComponentKind.TAX_WITHHELD),
    ("promotion", ComponentKind.PROMOTION),
    ("discount", ComponentKind.PROMOTION),
    ("fee", ComponentKind.FEE),
    ("expense", ComponentKind.FEE),
    ("adjustment", ComponentKind.ADJUSTMENT),
    ("sales", ComponentKind.CHARGE),
    ("charge", ComponentKind.CHARGE),
    ("tax", ComponentKind.CHARGE),
    ("shipping", ComponentKind.CHARGE),
    ("principal", ComponentKind.CHARGE),
)


def breakdown_kind(breakdown_type: str) -> ComponentKind:
    """The component kind of a top-level breakdown type (see :data:`BREAKDOWN_KINDS`)."""
    lowered = breakdown_type.lower()
    return next((kind for word, kind in BREAKDOWN_KINDS if word in lowered), ComponentKind.OTHER)


def refund_from_event(event: FinancialEvent) -> Refund:
    """A v0 ``RefundEventList`` entry as a :class:`~amazon_erp_bridge.model.Refund`.

    v0 gives a refund no id of its own; ``refund_id`` is ``<order id>@<posted date>`` (one
    refund of an order per posting time), which stays the same however often it is read.
    """
    if event.event_type != REFUND:
        raise ValidationError(f"a {event.event_type} event is not a refund")
    if not event.order_id:
        raise ValidationError("refund event: it names no AmazonOrderId")
    posted = event.posted_date.isoformat() if event.posted_date else "undated"
    return Refund(
        refund_id=f"{event.order_id}@{posted}",
        order_id=event.order_id,
        posted_date=event.posted_date,
        components=event.components,
        marketplace_name=event.marketplace_name,
    )


def _leaf_components(
    breakdowns: tuple[Breakdown, ...], sku: str | None = None, quantity: int | None = None
) -> list[FinancialComponent]:
    out = []
    for top in breakdowns:
        kind = breakdown_kind(top.breakdown_type)
        for path, money in top.leaves():
            out.append(FinancialComponent(kind, path[-1], money, seller_sku=sku, quantity=quantity))
    return out


def _sums_to(components: list[FinancialComponent], total: Money) -> bool:
    return (
        bool(components)
        and Money.total((c.amount for c in components), total.currency) == total
        and all(c.amount.currency == total.currency for c in components)
    )


def _item_components(item: TransactionItem) -> list[FinancialComponent]:
    product = next(
        (c for c in item.contexts if c.get("contextType") == "ProductContext"), None
    ) or next((c for c in item.contexts if "sku" in c), {})
    quantity = product.get("quantityShipped")
    return _leaf_components(
        item.breakdowns,
        _text(product.get("sku")),
        quantity if isinstance(quantity, int) and not isinstance(quantity, bool) else None,
    )


def transaction_components(t: Transaction) -> tuple[FinancialComponent, ...]:
    """The amounts of a 2024-06-19 transaction that make up its ``totalAmount``.

    The items' breakdown leaves (with SKU and quantity) when they sum to the total, else the
    transaction's own breakdown leaves when they do, else the total as one ``Other``
    component: the money is always exactly ``totalAmount``.
    """
    if t.total_amount is None:
        return ()
    by_item = [c for item in t.items for c in _item_components(item)]
    if _sums_to(by_item, t.total_amount):
        return tuple(by_item)
    top = _leaf_components(t.breakdowns)
    if _sums_to(top, t.total_amount):
        return tuple(top)
    if t.breakdowns or t.items:
        log.warning(
            "transaction %s: breakdowns do not sum to totalAmount %s; kept as one amount",
            t.transaction_id,
            t.total_amount,
        )
    return (FinancialComponent(ComponentKind.OTHER, "totalAmount", t.total_amount),)


def refund_from_transaction(t: Transaction) -> Refund:
    """A 2024-06-19 refund transaction as a :class:`~amazon_erp_bridge.model.Refund`.

    ``refund_id`` is the ``REFUND_ID`` related identifier, else the transaction id.
    """
    what = f"transaction {t.transaction_id or '(no id)'}"
    if (t.transaction_type or "").lower() != REFUND.lower():
        raise ValidationError(f"{what}: a {t.transaction_type} transaction is not a refund")
    order_id = t.related("ORDER_ID")
    if not order_id:
        raise ValidationError(f"{what}: the refund names no ORDER_ID related identifier")
    refund_id = t.related("REFUND_ID") or t.transaction_id
    if not refund_id:
        raise ValidationError(f"{what}: the refund has neither a REFUND_ID nor a transactionId")
    return Refund(
        refund_id=refund_id,
        order_id=order_id,
        posted_date=t.posted_date,
        components=transaction_components(t),
        marketplace_name=t.marketplace_name,
        adjustment_id=t.transaction_id if t.related("REFUND_ID") else None,
    )


#: Transaction types (case-insensitive) that move the balance to the seller's bank.
PAYOUT_TRANSACTION_TYPES: Final = frozenset({"transfer", "disbursement", "payout"})
PAYOUT_IDENTIFIERS: Final = ("TRANSFER_ID", "DISBURSEMENT_ID")


def is_payout_transaction(t: Transaction) -> bool:
    """True for a transaction that pays the balance out: a transfer or disbursement."""
    return (t.transaction_type or "").lower() in PAYOUT_TRANSACTION_TYPES or any(
        t.related(name) for name in PAYOUT_IDENTIFIERS
    )


def payout_from_transaction(t: Transaction) -> Payout:
    """A 2024-06-19 transfer transaction as a :class:`~amazon_erp_bridge.model.Payout`.

    The payout id is the ``TRANSFER_ID`` (Transfers API's payout id) or ``DISBURSEMENT_ID``,
    else the transaction id; the amount leaves the Amazon balance (negative there), so
    ``expected`` is its absolute value. A transaction says nothing of the bank: ``deposited``
    stays unknown (see Transfers ``listPayouts`` for that).
    """
    what = f"transaction {t.transaction_id or '(no id)'}"
    if not is_payout_transaction(t):
        raise ValidationError(f"{what}: a {t.transaction_type} transaction is not a payout")
    if t.total_amount is None:
        raise ValidationError(f"{what}: the transfer has no totalAmount")
    payout_id = next((t.related(n) for n in PAYOUT_IDENTIFIERS if t.related(n)), None)
    payout_id = payout_id or t.transaction_id
    if not payout_id:
        raise ValidationError(f"{what}: the transfer has no TRANSFER_ID and no transactionId")
    amount = t.total_amount
    return Payout(
        payout_id=payout_id,
        expected=-amount if amount.amount < 0 else amount,
        settlement_id=t.related("SETTLEMENT_ID"),
        initiated_at=t.posted_date,
        status=t.transaction_status,
    )


def _refund_source(source: str) -> str:
    if source not in REFUND_SOURCES:
        raise ValidationError(f"source: expected one of {list(REFUND_SOURCES)}, got {source!r}")
    return source


def _is_refund_transaction(t: Transaction) -> bool:
    return (t.transaction_type or "").lower() == REFUND.lower()


@frozen
class TransactionFilters:
    """The optional filters of listTransactions, kept together for every page's call."""

    marketplace_id: str | None = None
    transaction_status: str | None = None
    related_identifier_name: str | None = None
    related_identifier_value: str | None = None

    def call(
        self,
        posted_after: datetime | None,
        posted_before: datetime | None,
        next_token: str | None = None,
    ) -> Call[Page[Transaction]]:
        """The listTransactions call of one page with these filters."""
        return list_transactions(
            posted_after,
            posted_before,
            marketplace_id=self.marketplace_id,
            transaction_status=self.transaction_status,
            related_identifier_name=self.related_identifier_name,
            related_identifier_value=self.related_identifier_value,
            next_token=next_token,
        )


# -- narrowing the window ------------------------------------------------------------------


def is_window_error(error: ApiError) -> bool:
    """True for the 400 InvalidInput that a too-large response or a stale token causes."""
    return error.status == 400 and (error.code or "") == "InvalidInput"


class WindowedEvents:
    """Pure state for reading listFinancialEvents over a window that may need narrowing.

    Ask :meth:`next_call` for the call to send; give its page to :meth:`accept` (which returns
    the events to hand out) or its ApiError to :meth:`failed`. A window that fails after at
    least one good page is split in two halves, read afresh; events already handed out from
    it are skipped when they come again. A failure on a window's first page is a real error.
    """

    def __init__(
        self,
        posted_after: datetime,
        posted_before: datetime | None,
        *,
        now: Callable[[], datetime],
        max_results_per_page: int | None = None,
        min_window: timedelta = MIN_WINDOW,
    ) -> None:
        if posted_after is None:
            raise ValidationError("posted_after: listFinancialEvents needs a start date")
        list_financial_events(posted_after, posted_before, max_results_per_page)  # validates
        self._now = now
        self._size = max_results_per_page
        self._min = min_window
        # Windows still to read, last first; end None means "up to Amazon's default".
        self._windows: list[tuple[datetime, datetime | None]] = [(posted_after, posted_before)]
        self._token: str | None = None
        self._pages = 0
        self._received: Counter[FinancialEvent] = Counter()  # this window's, skipped or not
        self._skip: Counter[FinancialEvent] = Counter()
        self.splits = 0

    def next_call(self) -> Call[Page[FinancialEvent]] | None:
        if not self._windows:
            return None
        start, end = self._windows[-1]
        return list_financial_events(start, end, self._size, self._token)

    def accept(self, page: Page[FinancialEvent]) -> list[FinancialEvent]:
        out = []
        for event in page.items:
            self._received[event] += 1
            if self._skip[event] > 0:
                self._skip[event] -= 1
                continue
            out.append(event)
        self._pages += 1
        if page.next_token and page.next_token != self._token:
            self._token = page.next_token
        else:
            self._windows.pop()
            self._token, self._pages = None, 0
            self._received.clear()
        return out

    def failed(self, error: ApiError) -> None:
        """Split the current window after a 10 MB-cap / stale-token error, or re-raise."""
        if not is_window_error(error) or self._pages == 0:
            raise error
        start, end = self._windows.pop()
        stop = end or (self._now() - SETTLE_DELAY)
        if stop - start < 2 * self._min:
            raise ApiError(
                f"listFinancialEvents keeps failing for {start.isoformat()} to "
                f"{stop.isoformat()} even after narrowing the window: {error.detail_message}",
                status=error.status,
                code=error.code,
                request_id=error.request_id,
                service=error.service,
                operation=error.operation,
            ) from error
        middle = start + (stop - start) / 2
        log.info(
            "listFinancialEvents %s..%s failed after %d pages (%s); reading it in two halves",
            start.isoformat(),
            stop.isoformat(),
            self._pages,
            error.code,
        )
        # Everything this window produced comes again from its halves: skip it all then.
        self._skip.update(self._received)
        self._received.clear()
        self._windows.append((middle, stop))
        self._windows.append((start, middle))
        self._token, self._pages = None, 0
        self.splits += 1


def _utc_now(clock: Callable[[], float]) -> Callable[[], datetime]:
    return lambda: datetime.fromtimestamp(clock(), UTC)


class FinancesApi:
    """Finances for the sync client."""

    def __init__(self, sender: SyncSender, clock: Callable[[], float] = time.time) -> None:
        self._sender = sender
        self._now = _utc_now(clock)

    def list_financial_events(
        self,
        posted_after: datetime,
        posted_before: datetime | None = None,
        *,
        max_results_per_page: int | None = None,
    ) -> Iterator[FinancialEvent]:
        """Every financial event posted in the window, narrowing it if Amazon refuses a page."""
        pager = WindowedEvents(
            posted_after, posted_before, now=self._now, max_results_per_page=max_results_per_page
        )
        return self._run(pager)

    def _run(self, pager: WindowedEvents) -> Iterator[FinancialEvent]:
        while (call := pager.next_call()) is not None:
            try:
                page = self._sender.send(call)
            except ApiError as error:
                pager.failed(error)
                continue
            yield from pager.accept(page)

    def list_financial_events_by_group_id(
        self,
        event_group_id: str,
        posted_after: datetime | None = None,
        posted_before: datetime | None = None,
        *,
        max_results_per_page: int | None = None,
    ) -> Iterator[FinancialEvent]:
        """Every event of one financial event group (optionally within a window)."""
        return self._sender.pages(
            lambda t: list_financial_events_by_group_id(
                event_group_id, posted_after, posted_before, max_results_per_page, t
            )
        )

    def list_financial_events_by_order_id(
        self, order_id: str, *, max_results_per_page: int | None = None
    ) -> Iterator[FinancialEvent]:
        """Every event of one order."""
        return self._sender.pages(
            lambda t: list_financial_events_by_order_id(order_id, max_results_per_page, t)
        )

    def list_financial_event_groups(
        self,
        started_after: datetime | None = None,
        started_before: datetime | None = None,
        *,
        max_results_per_page: int | None = None,
    ) -> Iterator[FinancialEventGroup]:
        """Every financial event group started in the window."""
        return self._sender.pages(
            lambda t: list_financial_event_groups(
                started_after, started_before, max_results_per_page, t
            )
        )

    def list_transactions(
        self,
        posted_after: datetime | None = None,
        posted_before: datetime | None = None,
        *,
        marketplace_id: str | None = None,
        transaction_status: str | None = None,
        related_identifier_name: str | None = None,
        related_identifier_value: str | None = None,
    ) -> Iterator[Transaction]:
        """Every 2024-06-19 transaction matching the filters (see :func:`list_transactions`)."""
        filters = TransactionFilters(
            marketplace_id, transaction_status, related_identifier_name, related_identifier_value
        )
        filters.call(posted_after, posted_before)  # validates before paging
        return self._sender.pages(lambda t: filters.call(posted_after, posted_before, t))

    def list_refunds(
        self,
        posted_after: datetime,
        posted_before: datetime | None = None,
        *,
        source: str = "v0",
    ) -> Iterator[Refund]:
        """Every refund posted in the window, as :class:`~amazon_erp_bridge.model.Refund`.

        ``source="v0"`` reads listFinancialEvents (``RefundEventList``); ``"2024-06-19"``
        reads listTransactions (transactions of type ``Refund``).
        """
        if _refund_source(source) == "v0":
            events = self.list_financial_events(posted_after, posted_before)
            return (refund_from_event(e) for e in events if e.event_type == REFUND)
        transactions = self.list_transactions(posted_after, posted_before)
        return (refund_from_transaction(t) for t in transactions if _is_refund_transaction(t))

    def list_payout_transactions(
        self, posted_after: datetime, posted_before: datetime | None = None
    ) -> Iterator[Payout]:
        """The 2024-06-19 transfer transactions of the window, as ``Payout`` (tied to their
        settlement by ``SETTLEMENT_ID``); Transfers ``listPayouts`` adds the bank side."""
        transactions = self.list_transactions(posted_after, posted_before)
        return (payout_from_transaction(t) for t in transactions if is_payout_transaction(t))


class AsyncFinancesApi:
    """Finances for the async client; the same methods as :class:`FinancesApi`."""

    def __init__(self, sender: AsyncSender, clock: Callable[[], float] = time.time) -> None:
        self._sender = sender
        self._now = _utc_now(clock)

    def list_financial_events(
        self,
        posted_after: datetime,
        posted_before: datetime | None = None,
        *,
        max_results_per_page: int | None = None,
    ) -> AsyncIterator[FinancialEvent]:
        """Every financial event posted in the window, narrowing it if Amazon refuses a page."""
        pager = WindowedEvents(
            posted_after, posted_before, now=self._now, max_results_per_page=max_results_per_page
        )
        return self._run(pager)

    async def _run(self, pager: WindowedEvents) -> AsyncIterator[FinancialEvent]:
        while (call := pager.next_call()) is not None:
            try:
                page = await self._sender.send(call)
            except ApiError as error:
                pager.failed(error)
                continue
            for event in pager.accept(page):
                yield event

    def list_financial_events_by_group_id(
        self,
        event_group_id: str,
        posted_after: datetime | None = None,
        posted_before: datetime | None = None,
        *,
        max_results_per_page: int | None = None,
    ) -> AsyncIterator[FinancialEvent]:
        """Every event of one financial event group (optionally within a window)."""
        return self._sender.pages(
            lambda t: list_financial_events_by_group_id(
                event_group_id, posted_after, posted_before, max_results_per_page, t
            )
        )

    def list_financial_events_by_order_id(
        self, order_id: str, *, max_results_per_page: int | None = None
    ) -> AsyncIterator[FinancialEvent]:
        """Every event of one order."""
        return self._sender.pages(
            lambda t: list_financial_events_by_order_id(order_id, max_results_per_page, t)
        )

    def list_financial_event_groups(
        self,
        started_after: datetime | None = None,
        started_before: datetime | None = None,
        *,
        max_results_per_page: int | None = None,
    ) -> AsyncIterator[FinancialEventGroup]:
        """Every financial event group started in the window."""
        return self._sender.pages(
            lambda t: list_financial_event_groups(
                started_after, started_before, max_results_per_page, t
            )
        )

    def list_transactions(
        self,
        posted_after: datetime | None = None,
        posted_before: datetime | None = None,
        *,
        marketplace_id: str | None = None,
        transaction_status: str | None = None,
        related_identifier_name: str | None = None,
        related_identifier_value: str | None = None,
    ) -> AsyncIterator[Transaction]:
        """Every 2024-06-19 transaction matching the filters (see :func:`list_transactions`)."""
        filters = TransactionFilters(
            marketplace_id, transaction_status, related_identifier_name, related_identifier_value
        )
        filters.call(posted_after, posted_before)
        return self._sender.pages(lambda t: filters.call(posted_after, posted_before, t))

    def list_refunds(
        self,
        posted_after: datetime,
        posted_before: datetime | None = None,
        *,
        source: str = "v0",
    ) -> AsyncIterator[Refund]:
        """Every refund posted in the window (see :meth:`FinancesApi.list_refunds`)."""
        return self._refunds(posted_after, posted_before, _refund_source(source))

    async def _refunds(
        self, posted_after: datetime, posted_before: datetime | None, source: str
    ) -> AsyncIterator[Refund]:
        if source == "v0":
            async for event in self.list_financial_events(posted_after, posted_before):
                if event.event_type == REFUND:
                    yield refund_from_event(event)
            return
        async for t in self.list_transactions(posted_after, posted_before):
            if _is_refund_transaction(t):
                yield refund_from_transaction(t)

    async def list_payout_transactions(
        self, posted_after: datetime, posted_before: datetime | None = None
    ) -> AsyncIterator[Payout]:
        """The 2024-06-19 transfer transactions of the window, as ``Payout``."""
        async for t in self.list_transactions(posted_after, posted_before):
            if is_payout_transaction(t):
                yield payout_from_transaction(t)


__all__ = [
    "BREAKDOWN_KINDS",
    "AsyncFinancesApi",
    "Breakdown",
    "FinancesApi",
    "FinancialEventGroup",
    "Transaction",
    "TransactionItem",
    "WindowedEvents",
    "breakdown_kind",
    "is_payout_transaction",
    "payout_from_transaction",
    "refund_from_event",
    "refund_from_transaction",
    "transaction_components",
]
