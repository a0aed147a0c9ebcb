"""The event runner: messages from a source -> typed events -> routed work -> the ERP, once.

:class:`EventRunner` drains a :class:`~amazon_erp_bridge.events.sources.MessageSource` batch
by batch. Each message is parsed (:func:`~amazon_erp_bridge.events.decode.parse_event`) and
routed (:func:`~amazon_erp_bridge.events.router.route`); the work is done by the handlers you
give it, which are the workflows' own entry points (``post_order_m3`` for one order, the
scheduled ``inventory_sync_m3`` for stock, ...), so an event and a scheduled run share ledger
kinds and posters and never post the same record twice.

Delivery is at least once and out of order:

- a message seen before in this runner (same event id) is acknowledged at once; one that
  comes to another runner is absorbed by the ledger (the poster answers "duplicate");
- an order event no newer than the ledger's settled record of that order (POSTED, or
  DEAD_LETTERED until a fix and a replay; event time before the record's last change)
  changes nothing: that outcome already read a newer state;
- an order Amazon does not know (HTTP 404), a message that is not an event
  (:class:`~amazon_erp_bridge.events.errors.EventError`) or a handler refusing it for good is
  dead-lettered at the source with its reason, never lost;
- a passing failure (ERP down, throttled past retries) gives the message back.

Within a batch an order (or an MCF order's tracking, a delivery's confirmation) is read once:
later events for it are answered by that read. MCF tracking and shipment confirmations run
per record when ``track`` / ``confirm`` handlers are given (an unknown MCF order or delivery
is dead-lettered with its reason); work that is not about one record (a stock sync without
``skus``, returns, starting MCF) is coalesced: run once per batch for every event that asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Final

from attrs import define, field

from amazon_erp_bridge.core.redaction import get_logger
from amazon_erp_bridge.errors import ApiError, BridgeError, MappingError, ValidationError
from amazon_erp_bridge.events.amazon import LISTINGS_ITEM_MFN_QUANTITY_CHANGE as MFN_QUANTITY
from amazon_erp_bridge.events.decode import parse_event
from amazon_erp_bridge.events.errors import EventError
from amazon_erp_bridge.events.model import Event, OrderChanged, StockChanged
from amazon_erp_bridge.events.router import Action, RoutingRules, Work, route
from amazon_erp_bridge.events.sources import Message, MessageSource
from amazon_erp_bridge.posting import Ledger, PostResult, PostSummary, RecordState
from amazon_erp_bridge.workflows.report import StepReport, WorkflowReport

log = get_logger("amazon_erp_bridge.events")

WORKFLOW: Final = "events"
#: Event ids remembered per runner to acknowledge repeats without any work.
SEEN_LIMIT: Final = 100_000

#: Posts one record by id (``post_order_m3`` with everything but the id bound).
OneRecord = Callable[[str], WorkflowReport]
#: A scheduled run, idempotent through the ledger (``inventory_sync_m3`` bound).
WholeRun = Callable[[], WorkflowReport]
#: Syncs some SKUs given what Amazon reported for each (``sync_skus_m3`` bound).
SomeSkus = Callable[[Mapping[str, int | None]], WorkflowReport]


@define
class EventHandlers:
    """The work the runner can do, per ERP name: ``orders`` post one order by id (with the
    ledger kind ``order_kinds[erp]``); ``skus`` sync the SKUs of a batch's stock events (else
    ``stock``, a whole sync, runs); ``track`` reads one MCF order's tracking by its seller
    fulfilment order id (``track_mcf_order_m3``) and ``confirm`` confirms one delivery's
    shipment by the id its event names (``confirm_shipment_m3``): with them those events do
    only their record's work, else ``tracking`` / ``shipments`` run whole; the others are
    scheduled runs, run once per batch."""

    orders: Mapping[str, OneRecord] = field(factory=dict)
    order_kinds: Mapping[str, str] = field(factory=dict)
    stock: Mapping[str, WholeRun] = field(factory=dict)
    skus: Mapping[str, SomeSkus] = field(factory=dict)
    tracking: Mapping[str, WholeRun] = field(factory=dict)
    shipments: Mapping[str, WholeRun] = field(factory=dict)
    returns: Mapping[str, WholeRun] = field(factory=dict)
    mcf: Mapping[str, WholeRun] = field(factory=dict)
    track: Mapping[str, OneRecord] = field(factory=dict)
    confirm: Mapping[str, OneRecord] = field(factory=dict)

    def one(self, work: Work) -> Mapping[str, OneRecord]:
        """The per-record handlers for ``work``, by ERP (empty: none, run it whole)."""
        if work is Work.READ_TRACKING:
            return self.track
        if work is Work.CONFIRM_SHIPMENT:
            return self.confirm
        return {}

    def runs(self, work: Work) -> Mapping[str, object]:
        """The handlers that do ``work`` (scheduled runs, or per-SKU syncs), by ERP."""
        if work is Work.SYNC_STOCK and self.skus:
            return self.skus
        return {
            Work.SYNC_STOCK: self.stock,
            Work.READ_TRACKING: self.tracking,
            Work.CONFIRM_SHIPMENT: self.shipments,
            Work.TAKE_UP_RETURN: self.returns,
            Work.START_MCF: self.mcf,
        }.get(work, {})


@define
class EventTally:
    """What a runner did, for the report: counts, parked reasons and every posting."""

    received: int = 0
    handled: int = 0
    repeats: int = 0
    stale: int = 0
    coalesced: int = 0
    no_work: int = 0
    parked: list[str] = field(factory=list)
    given_back: list[str] = field(factory=list)
    results: list[PostResult] = field(factory=list)
    runs: list[str] = field(factory=list)
    work: dict[str, int] = field(factory=dict)

    def report(self, erp: str) -> WorkflowReport:
        """The tally as a workflow report (steps ``messages`` and ``postings``)."""
        notes = [
            f"received {self.received} messages: {self.handled} handled, {self.repeats} repeats "
            f"acknowledged, {self.stale} older than the ledger, {self.coalesced} for an order "
            f"already read in their batch, {self.no_work} needing no work, "
            f"{len(self.parked)} dead-lettered, {len(self.given_back)} given back"
        ]
        if self.work:
            notes.append("work: " + ", ".join(f"{n} {w}" for w, n in sorted(self.work.items())))
        notes += [f"! parked: {reason}" for reason in self.parked[:10]]
        notes += [f"given back: {reason}" for reason in self.given_back[:5]]
        data = {
            "received": self.received,
            "handled": self.handled,
            "repeats": self.repeats,
            "stale": self.stale,
            "coalesced": self.coalesced,
            "no_work": self.no_work,
            "dead_lettered": len(self.parked),
            "given_back": len(self.given_back),
        }
        postings = StepReport("postings", PostSummary(self.results), self.runs[:20])
        return WorkflowReport(
            WORKFLOW, erp, [StepReport("messages", notes=notes, data=data), postings]
        )


def _results(report: WorkflowReport) -> list[PostResult]:
    return [r for step in report.steps if step.summary is not None for r in step.summary.results]


#: Ledger states an older event cannot change: posted, or parked until a fix and a replay.
SETTLED: Final = (RecordState.POSTED, RecordState.DEAD_LETTERED)


def _newer_than_ledger(ledger: Ledger, kind: str, event: Event) -> bool:
    """False when the ledger settled the order (POSTED, or DEAD_LETTERED waiting for a fix
    and a replay) after the event happened: that outcome read a newer state already."""
    record = ledger.get(kind, getattr(event, "order_id", ""))
    when: datetime | None = event.meta.occurred_at
    if record is None or record.state not in SETTLED or when is None:
        return True
    return when > record.updated_at


def _amazon_has(events: Iterable[Event]) -> dict[str, int | None]:
    """Per SKU of stock events, the MFN quantity Amazon reported last (None when only FBA
    availability events name it: that number is not what the sync sends)."""
    found: dict[str, tuple[datetime | None, int | None]] = {}
    for event in events:
        if not isinstance(event, StockChanged):
            continue
        quantity = event.quantity if event.meta.source_type == MFN_QUANTITY else None
        when = event.meta.occurred_at
        seen = found.get(event.seller_sku)
        if seen is None or (when is not None and (seen[0] is None or when >= seen[0])):
            found[event.seller_sku] = (when, quantity)
    return {sku: quantity for sku, (_, quantity) in found.items()}


class EventRunner:
    """Drains a source through the router into the handlers; see the module doc."""

    def __init__(
        self,
        ledger: Ledger,
        rules: RoutingRules,
        handlers: EventHandlers,
        *,
        batch_size: int = 100,
        parse: Callable[[bytes], Event] = parse_event,
    ) -> None:
        self.ledger = ledger
        self.rules = rules
        self.handlers = handlers
        self.batch_size = batch_size
        self.parse = parse
        self.tally = EventTally()
        self._seen: dict[str, None] = {}

    def _remember(self, event_id: str) -> None:
        self._seen[event_id] = None
        if len(self._seen) > SEEN_LIMIT:
            self._seen.pop(next(iter(self._seen)))

    def run_once(self, source: MessageSource) -> int:
        """Handle one batch from ``source``; the number of messages received."""
        batch = source.receive(self.batch_size)
        waiting: dict[tuple[Work, str], list[tuple[Message, Event]]] = {}
        in_batch: set[str] = set()
        orders_in_batch: set[tuple[str | None, str]] = set()
        records_in_batch: set[tuple[Work, str | None, str]] = set()
        for message in batch:
            self.tally.received += 1
            try:
                event = self.parse(message.body)
            except EventError as exc:
                self._park(source, message, f"{message.message_id}: {exc}")
                continue
            if event.meta.event_id in self._seen or event.meta.event_id in in_batch:
                # safe to settle: its first copy is done, or waits in this batch and is given
                # back (to come again) if its work fails
                self.tally.repeats += 1
                source.acknowledge(message)
                continue
            in_batch.add(event.meta.event_id)
            action = route(event, self.rules)
            self.tally.work[action.work.value] = self.tally.work.get(action.work.value, 0) + 1
            if action.work is Work.NOTHING:
                self.tally.no_work += 1
                self._done(source, message, event)
            elif action.work is Work.POST_ORDER:
                if (action.erp, action.subject) in orders_in_batch:
                    # the order is read once per batch: its current state answers them all
                    self.tally.coalesced += 1
                    self._done(source, message, event)
                    continue
                if self._post_order(source, message, event, action):
                    orders_in_batch.add((action.erp, action.subject))
            elif self.handlers.one(action.work):
                key = (action.work, action.erp, action.subject)
                if key in records_in_batch:
                    self.tally.coalesced += 1
                    self._done(source, message, event)
                    continue
                if self._one_record(source, message, event, action):
                    records_in_batch.add(key)
            else:
                runs = self.handlers.runs(action.work)
                erps = [action.erp] if action.erp is not None else list(runs)
                if not erps or any(erp not in runs for erp in erps):
                    self._park(
                        source,
                        message,
                        f"{message.message_id}: no {action.work.value} handler for "
                        f"{action.erp or 'any ERP'}",
                    )
                    continue
                for erp in erps:
                    waiting.setdefault((action.work, erp), []).append((message, event))
        self._run_coalesced(source, waiting)
        return len(batch)

    def _done(self, source: MessageSource, message: Message, event: Event) -> None:
        self._remember(event.meta.event_id)
        source.acknowledge(message)

    def _park(self, source: MessageSource, message: Message, reason: str) -> None:
        log.warning("event dead-lettered: %s", reason)
        self.tally.parked.append(reason)
        source.dead_letter(message, reason)

    def _post_order(
        self, source: MessageSource, message: Message, event: Event, action: Action
    ) -> bool:
        """Post one order; True when the handler read it (later events in the batch are
        answered by that read)."""
        assert action.erp is not None
        post = self.handlers.orders.get(action.erp)
        if post is None:
            self._park(source, message, f"{message.message_id}: no order handler for {action.erp}")
            return False
        kind = self.handlers.order_kinds.get(action.erp, f"order.{action.erp}")
        if isinstance(event, OrderChanged) and not _newer_than_ledger(self.ledger, kind, event):
            self.tally.stale += 1
            self._done(source, message, event)
            return False
        try:
            report = post(action.subject)
        except ApiError as exc:
            if exc.status == 404:
                self._park(
                    source,
                    message,
                    f"{message.message_id}: order {action.subject}: unknown ({exc})",
                )
            else:
                self._give_back(source, message, exc)
            return False
        except (MappingError, ValidationError) as exc:
            self._park(source, message, f"{message.message_id}: order {action.subject}: {exc}")
            return False
        except BridgeError as exc:
            self._give_back(source, message, exc)
            return False
        self.tally.handled += 1
        self.tally.results += _results(report)
        self._done(source, message, event)
        return True

    def _one_record(
        self, source: MessageSource, message: Message, event: Event, action: Action
    ) -> bool:
        """Do one record's work (``track`` / ``confirm``) in its ERP, or in each ERP when the
        event names none (the ERP that does not know the record says so); True when done.
        A record no ERP knows is dead-lettered with every ERP's reason."""
        handlers = self.handlers.one(action.work)
        erps = [action.erp] if action.erp is not None else sorted(handlers)
        what = f"{action.work.value} {action.subject}"
        if any(erp not in handlers for erp in erps):
            self._park(
                source,
                message,
                f"{message.message_id}: no {action.work.value} handler for {action.erp}",
            )
            return False
        unknown: list[str] = []
        done = 0
        for erp in erps:
            try:
                report = handlers[erp](action.subject)
            except ApiError as exc:
                if exc.status != 404:
                    self._give_back(source, message, exc)
                    return False
                unknown.append(f"{erp}: {exc}")
                continue
            except (MappingError, ValidationError) as exc:
                unknown.append(f"{erp}: {exc}")
                continue
            except BridgeError as exc:
                self._give_back(source, message, exc)
                return False
            done += 1
            self.tally.results += _results(report)
            self.tally.runs.append(f"{what} ({erp}): ok={report.ok}")
        if not done:
            self._park(source, message, f"{message.message_id}: {what}: {'; '.join(unknown)}")
            return False
        self.tally.handled += 1
        self._done(source, message, event)
        return True

    def _give_back(self, source: MessageSource, message: Message, exc: BaseException) -> None:
        reason = f"{message.message_id}: {type(exc).__name__}: {exc}"
        log.warning("event given back: %s", reason)
        self.tally.given_back.append(reason)
        source.give_back(message, reason)

    def _run_coalesced(
        self,
        source: MessageSource,
        waiting: Mapping[tuple[Work, str], list[tuple[Message, Event]]],
    ) -> None:
        failed: dict[str, BridgeError] = {}
        for (work, erp), asked in waiting.items():
            try:
                if work is Work.SYNC_STOCK and erp in self.handlers.skus:
                    report = self.handlers.skus[erp](_amazon_has(event for _, event in asked))
                else:
                    report = self.handlers.runs(work)[erp]()  # type: ignore[operator]
            except BridgeError as exc:
                for message, _ in asked:
                    failed[message.message_id] = exc
                continue
            self.tally.results += _results(report)
            self.tally.runs.append(f"{work.value} ({erp}) for {len(asked)} events: ok={report.ok}")
        settled: set[str] = set()
        for asked in waiting.values():
            for message, event in asked:
                if message.message_id in settled:
                    continue
                settled.add(message.message_id)
                error = failed.get(message.message_id)
                if error is not None:
                    self._give_back(source, message, error)
                else:
                    self.tally.handled += 1
                    self._done(source, message, event)

    def run(
        self,
        source: MessageSource,
        *,
        once: bool = False,
        idle: Callable[[], bool] | None = None,
        on_batch: Callable[[EventTally], None] | None = None,
    ) -> EventTally:
        """Drain ``source``: with ``once``, until it is empty (or holds only messages given
        back in this pass, to be tried on the next run); otherwise ``idle()`` is called when
        a receive brings nothing new: wait there, return False to stop. ``on_batch`` sees
        the tally after each batch (progress)."""
        while True:
            given_back = len(self.tally.given_back)
            received = self.run_once(source)
            if received and on_batch is not None:
                on_batch(self.tally)
            if received and len(self.tally.given_back) - given_back < received:
                continue  # progress: drain on
            if once or idle is None or not idle():
                return self.tally


__all__ = [
    "WORKFLOW",
    "EventHandlers",
    "EventRunner",
    "EventTally",
    "OneRecord",
    "SomeSkus",
    "WholeRun",
]
