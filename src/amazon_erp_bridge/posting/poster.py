"""The idempotent poster: each source record becomes exactly one ERP document.

For every record the poster

1. looks it up in the ledger: already posted -> skipped as a duplicate (its document returned);
   dead-lettered -> left alone until :meth:`Poster.replay`;
2. claims it (state POSTING, atomic across processes);
3. **asks the ERP first** (``target.find``) whether a document for this source id exists. ERP
   creates (M3 ``Add*`` transactions, SAP POSTs) are not idempotent, so a crash between the ERP
   create and the ledger write would otherwise post twice on the next run. Found complete ->
   recorded as "found existing"; found incomplete (an M3 temporary order left by a crash) ->
   ``target.resume``; not found -> ``target.create``;
4. records the document (POSTED), or the failure.

Failures are sorted by :func:`classify_failure`: transient ones (5xx, 429, 408, timeouts) are
retried with backoff and full jitter (a :class:`~amazon_erp_bridge.core.retry.RetryPolicy`),
querying the ERP again before any create; a :class:`CircuitBreaker` stops calls to an ERP that
keeps failing (records are then *deferred*: left FAILED, not dead-lettered, for the next run);
permanent ones (validation and mapping errors, other 4xx answers, or more than ``max_attempts``
tries across runs) are dead-lettered with the reason.

Payloads are never stored (they carry buyer PII); the ledger keeps their digest. To replay a
dead-lettered record after a fix, the poster rebuilds its payload from the source with a
``rebuild(kind, source_id)`` function: after a mapping fix the old payload is the wrong one
anyway.

The decision logic is written once, as a generator that yields the ERP calls it wants
(sans-IO); :class:`Poster` performs them with a sync target, :class:`AsyncPoster` with an async
one. Ledger calls stay synchronous in both (a local SQLite transaction is short).
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections import Counter
from collections.abc import (
    Awaitable,
    Callable,
    Collection,
    Generator,
    Iterable,
    Mapping,
    Sequence,
)
from typing import Any, Generic, Protocol, TypeVar, cast

from attrs import field, frozen

from amazon_erp_bridge.core.redaction import get_logger, redact
from amazon_erp_bridge.core.retry import RetryPolicy
from amazon_erp_bridge.errors import (
    ApiError,
    AuthError,
    BridgeError,
    ConfigurationError,
    PostingError,
    TransportError,
    ValidationError,
)
from amazon_erp_bridge.posting.breaker import CircuitBreaker
from amazon_erp_bridge.posting.claims import new_owner
from amazon_erp_bridge.posting.ledger import (
    ClaimLostError,
    ErpDocument,
    Ledger,
    LedgerRecord,
    RecordState,
)
from amazon_erp_bridge.posting.privacy import PII_KEYS, PiiScrubber, digest

log = get_logger("amazon_erp_bridge.posting")

P = TypeVar("P")
P_contra = TypeVar("P_contra", contravariant=True)

#: Per-run retries of one record: three tries, 1 s then up to 2 s apart, 2 minutes at most.
DEFAULT_RETRY = RetryPolicy(max_attempts=3, base=1.0, cap=30.0, max_elapsed=120.0)


# -- ERP targets ------------------------------------------------------------------------------


class ErpTarget(Protocol[P_contra]):
    """An ERP adapter the poster writes through, for one kind of document.

    ``find`` must look the document up by the Amazon identifier (M3 customer order reference,
    SAP ``PurchaseOrderByCustomer``, a journal's reference) and return it, or None. ``create``
    makes it. A target that can finish a half-made document also has
    ``resume(document) -> ErpDocument`` (see :class:`ResumableTarget`).
    """

    @property
    def name(self) -> str:
        """The ERP's short name, e.g. ``"m3"`` or ``"sap"``."""
        ...

    def find(self, source_id: str, payload: P_contra) -> ErpDocument | None:
        """The ERP document made for ``source_id``, or None if there is none."""
        ...

    def create(self, payload: P_contra) -> ErpDocument:
        """Create the document (not idempotent: called only after ``find`` found nothing)."""
        ...


class ResumableTarget(ErpTarget[P_contra], Protocol[P_contra]):
    """A target that can finish a document ``find`` reported with ``complete=False``."""

    def resume(self, document: ErpDocument) -> ErpDocument:
        """Finish ``document`` (e.g. confirm an M3 temporary batch order); return it complete."""
        ...


class AsyncErpTarget(Protocol[P_contra]):
    """The async twin of :class:`ErpTarget` (optionally with ``async resume(document)``)."""

    @property
    def name(self) -> str:
        """The ERP this target posts to ("m3", "sap"), recorded in the ledger."""

    async def find(self, source_id: str, payload: P_contra) -> ErpDocument | None:
        """The ERP document already made for ``source_id``, if any (the duplicate check)."""

    async def create(self, payload: P_contra) -> ErpDocument:
        """Create the ERP document for ``payload`` and say which it is."""


# -- failures ---------------------------------------------------------------------------------


class Failure(enum.StrEnum):
    """What a failed try means for the record."""

    #: Worth another try soon (5xx, 429, 408, 409, 423, timeouts, dropped connections).
    TRANSIENT = "transient"
    #: Not this record's fault and not fixed by waiting (credentials, configuration, 401/403):
    #: left FAILED for the next run.
    BLOCKED = "blocked"
    #: This record cannot be posted as it is (validation, mapping, other 4xx): dead-lettered.
    PERMANENT = "permanent"
    #: Not a BridgeError: a bug in an adapter. Left FAILED and raised.
    BUG = "bug"


_TRANSIENT_STATUSES = frozenset({408, 409, 423, 425, 429})
_BLOCKED_STATUSES = frozenset({401, 403, 407})


def classify_failure(exc: BaseException) -> Failure:
    """Sort an exception from an ERP target into a :class:`Failure`.

    Query-first makes a repeated create safe, so a timeout after a create is transient too.
    """
    if isinstance(exc, TransportError):
        return Failure.TRANSIENT
    if isinstance(exc, AuthError):
        if exc.status is None or exc.status >= 500 or exc.status in _TRANSIENT_STATUSES:
            return Failure.TRANSIENT
        return Failure.BLOCKED
    if isinstance(exc, ApiError):
        if exc.status >= 500 or exc.status in _TRANSIENT_STATUSES:
            return Failure.TRANSIENT
        if exc.status in _BLOCKED_STATUSES:
            return Failure.BLOCKED
        return Failure.PERMANENT
    if isinstance(exc, ValidationError | PostingError):
        return Failure.PERMANENT
    if isinstance(exc, ConfigurationError | BridgeError):
        return Failure.BLOCKED
    return Failure.BUG


# -- results ----------------------------------------------------------------------------------


class PostStatus(enum.StrEnum):
    """What one post did."""

    #: The ERP had nothing; the poster created the document.
    CREATED = "created"
    #: The ERP held a half-made document (left by a crash); the poster finished it.
    RESUMED = "resumed"
    #: The ERP already had the document (a crash after the create, or posted by other means).
    FOUND_EXISTING = "found existing"
    #: The ledger says it was posted before; nothing sent.
    DUPLICATE = "duplicate"
    #: Another live poster holds the record right now; nothing sent.
    BUSY = "busy"
    #: The circuit breaker is open; nothing sent, left FAILED for a later run.
    DEFERRED = "deferred"
    #: Tries failed in a way a later run may fix; left FAILED.
    FAILED = "failed"
    #: Cannot be posted as it is (now or earlier); waits for a fix and a replay.
    DEAD_LETTERED = "dead_lettered"


_POSTED = frozenset({PostStatus.CREATED, PostStatus.RESUMED, PostStatus.FOUND_EXISTING})


@frozen
class PostResult:
    """The outcome of posting one record."""

    kind: str
    source_id: str
    status: PostStatus
    document: ErpDocument | None = None
    reason: str | None = None
    attempts: int = 0

    @property
    def ok(self) -> bool:
        """True when the ERP holds the document (posted now or before)."""
        return self.status in _POSTED or self.status is PostStatus.DUPLICATE

    def __str__(self) -> str:
        text = f"{self.kind} {self.source_id}: {self.status.value}"
        if self.document is not None:
            text += f" -> {self.document.erp} {self.document.document_id}"
        if self.reason:
            text += f" ({self.reason})"
        return text


def _results(results: Iterable[PostResult]) -> tuple[PostResult, ...]:
    return tuple(results)


@frozen
class PostSummary:
    """What a batch of posts did, for people and for tests."""

    results: tuple[PostResult, ...] = field(converter=_results)

    def by_status(self, status: PostStatus) -> list[PostResult]:
        """The results with ``status``, in posting order."""
        return [r for r in self.results if r.status is status]

    def counts(self) -> dict[PostStatus, int]:
        """How many results per status (every status present)."""
        found = Counter(r.status for r in self.results)
        return {status: found.get(status, 0) for status in PostStatus}

    @property
    def posted(self) -> list[PostResult]:
        """Documents the ERP got in this batch: created, resumed or found existing."""
        return [r for r in self.results if r.status in _POSTED]

    @property
    def duplicates(self) -> list[PostResult]:
        """The results found already in the ERP (posted earlier, not again)."""
        return self.by_status(PostStatus.DUPLICATE)

    @property
    def failed(self) -> list[PostResult]:
        """Left for a later run: failed, deferred (breaker open) or busy elsewhere."""
        pending = {PostStatus.FAILED, PostStatus.DEFERRED, PostStatus.BUSY}
        return [r for r in self.results if r.status in pending]

    @property
    def dead_lettered(self) -> list[PostResult]:
        """The results parked as dead letters (they need a person)."""
        return self.by_status(PostStatus.DEAD_LETTERED)

    @property
    def ok(self) -> bool:
        """True when every record is in the ERP."""
        return all(r.ok for r in self.results)

    def __str__(self) -> str:
        counts = self.counts()
        shown = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
        lines = [f"{len(self.results)} records: {shown or 'nothing to do'}"]
        lines += [f"  {r}" for r in self.results if not r.ok]
        return "\n".join(lines)


# -- the decision logic (sans-IO) -------------------------------------------------------------


@frozen
class _Find:
    source_id: str
    payload: Any


@frozen
class _Create:
    payload: Any


@frozen
class _Resume:
    document: ErpDocument


@frozen
class _Sleep:
    seconds: float


_Effect = _Find | _Create | _Resume | _Sleep
_Flow = Generator[_Effect, object, PostResult]


def _document(value: object, erp: str, step: str, *, optional: bool) -> ErpDocument | None:
    if value is None and optional:
        return None
    if not isinstance(value, ErpDocument):
        raise PostingError(
            f"ERP target {erp}: {step}() returned {type(value).__name__}, "
            f"expected an ErpDocument{' or None' if optional else ''}"
        )
    return value


def _response_digest(document: ErpDocument | None) -> str | None:
    if document is None:
        return None
    return digest(
        {
            "erp": document.erp,
            "document_id": document.document_id,
            "complete": document.complete,
            "detail": document.detail,
        }
    )


class _PosterCore(Generic[P]):
    """Everything the sync and async posters share: settings and the decision logic."""

    def __init__(
        self,
        ledger: Ledger,
        target_name: str,
        can_resume: bool,
        *,
        retry: RetryPolicy,
        breaker: CircuitBreaker | None,
        max_attempts: int,
        clock: Callable[[], float],
        lease: float,
        pii_keys: Collection[str],
        classify: Callable[[BaseException], Failure],
    ) -> None:
        if max_attempts < 1:
            raise ValueError(f"Poster.max_attempts must be >= 1, got {max_attempts}")
        self.ledger = ledger
        self.retry = retry
        self.breaker = breaker or CircuitBreaker(clock=clock, name=target_name)
        self.max_attempts = max_attempts
        self._erp = target_name
        self._can_resume = can_resume
        self._clock = clock
        self._lease = lease
        self._pii_keys = frozenset(pii_keys)
        self._classify = classify

    def reject(self, kind: str, source_id: str, error: BaseException | str) -> PostResult:
        """Dead-letter a record whose payload could not be built (e.g. a MappingError).

        Workflows call this so that every source record ends up posted or dead-lettered with
        a reason. A record already posted is left alone (reported as a duplicate), as is one
        another poster is posting right now (busy). :meth:`replay` retries it after the fix.
        """
        if isinstance(error, BaseException):
            reason = f"no payload: {type(error).__name__}: {error}"
        else:
            reason = f"no payload: {error}"
        record = self.ledger.get(kind, source_id)
        if record is not None and record.state is RecordState.POSTED:
            settled = self._settled(record, replay=False)
            assert settled is not None
            return settled
        try:
            dead = self.ledger.mark_dead_lettered(kind, source_id, redact(reason))
        except ClaimLostError as exc:
            return PostResult(kind, source_id, PostStatus.BUSY, reason=exc.message)
        return self._result(dead, PostStatus.DEAD_LETTERED)

    # Results for records the ledger has already settled.
    def _settled(self, record: LedgerRecord, replay: bool) -> PostResult | None:
        if record.state is RecordState.POSTED:
            return PostResult(
                record.kind,
                record.source_id,
                PostStatus.DUPLICATE,
                document=record.document,
                attempts=record.attempts,
            )
        if record.state is RecordState.DEAD_LETTERED and not replay:
            return PostResult(
                record.kind,
                record.source_id,
                PostStatus.DEAD_LETTERED,
                reason=f"dead-lettered earlier: {record.reason}; fix the cause, then replay it",
                attempts=record.attempts,
            )
        return None

    def _flow(
        self, kind: str, source_id: str, payload: Any, describe: str | None, replay: bool
    ) -> _Flow:
        existing = self.ledger.get(kind, source_id)
        if existing is not None:
            settled = self._settled(existing, replay)
            if settled is not None:
                return settled
        scrub = PiiScrubber.from_payload(payload, self._pii_keys)
        request_digest = digest(payload)
        owner = new_owner()
        claim = self.ledger.claim(
            kind,
            source_id,
            owner=owner,
            lease=self._lease,
            payload_digest=request_digest,
            describe=scrub.text(describe) if describe else None,
            replay=replay,
        )
        if not claim.granted:
            settled = self._settled(claim.record, replay)
            if settled is not None:
                return settled
            return PostResult(
                kind,
                source_id,
                PostStatus.BUSY,
                reason=f"being posted by {claim.record.owner}",
                attempts=claim.record.attempts,
            )
        try:
            return (
                yield from self._attempts(kind, source_id, payload, request_digest, owner, scrub)
            )
        except ClaimLostError as exc:
            self.breaker.release()
            return PostResult(kind, source_id, PostStatus.BUSY, reason=exc.message)
        except BaseException as exc:
            # Interrupted (Ctrl-C, task cancelled) or a bug: do not leave the claim dangling.
            self._abandon(kind, source_id, owner, exc)
            raise

    def _abandon(self, kind: str, source_id: str, owner: str, exc: BaseException) -> None:
        self.breaker.release()
        try:
            record = self.ledger.get(kind, source_id)
            if record is not None and record.state is RecordState.POSTING:
                self.ledger.mark_failed(
                    kind, source_id, f"interrupted: {type(exc).__name__}: {exc}", owner=owner
                )
        except Exception:
            log.exception("ledger %s %s: could not release the claim", kind, source_id)

    def _attempts(
        self,
        kind: str,
        source_id: str,
        payload: Any,
        request_digest: str,
        owner: str,
        scrub: PiiScrubber,
    ) -> _Flow:
        ledger = self.ledger
        started = self._clock()
        tries = 0
        last_error = ""
        while True:
            if not self.breaker.allow():
                reason = (
                    f"deferred: the circuit for {self._erp} is open after "
                    f"{self.breaker.failures} consecutive failures; next try in "
                    f"{self.breaker.retry_in:.0f}s"
                )
                if last_error:
                    reason = f"{last_error}; then {reason}"
                record = ledger.mark_failed(kind, source_id, reason, owner=owner)
                status = PostStatus.FAILED if tries else PostStatus.DEFERRED
                return self._result(record, status)
            tries += 1
            attempt = ledger.begin_attempt(kind, source_id, owner=owner, lease=self._lease)
            step = "find"
            events: list[tuple[str, str, ErpDocument | None]] = []
            error: Exception | None = None
            document: ErpDocument | None = None
            outcome = PostStatus.CREATED
            try:
                found = _document(
                    (yield _Find(source_id, payload)), self._erp, "find", optional=True
                )
                if found is None:
                    events.append(("find", "not found", None))
                    step = "create"
                    document = _document(
                        (yield _Create(payload)), self._erp, "create", optional=False
                    )
                    events.append(("create", "created", document))
                elif found.complete:
                    events.append(("find", "found existing", found))
                    document, outcome = found, PostStatus.FOUND_EXISTING
                else:
                    events.append(("find", "found incomplete", found))
                    if not self._can_resume:
                        raise PostingError(
                            f"{kind} {source_id}: {self._erp} holds an incomplete document "
                            f"{found.document_id} for it and this target cannot resume one; "
                            "finish or delete it in the ERP, then replay"
                        )
                    step = "resume"
                    document = _document(
                        (yield _Resume(found)), self._erp, "resume", optional=False
                    )
                    if document is not None and not document.complete:
                        raise PostingError(
                            f"{kind} {source_id}: {self._erp} resume() left document "
                            f"{document.document_id} incomplete"
                        )
                    events.append(("resume", "resumed", document))
                    outcome = PostStatus.RESUMED
            except Exception as exc:
                error = exc
            for action, said, doc in events:
                ledger.append_audit(
                    kind,
                    source_id,
                    action,
                    outcome=said,
                    attempt=attempt,
                    request_digest=request_digest,
                    response_digest=_response_digest(doc),
                    detail=self._detail(doc, scrub),
                )
            if error is None and document is not None:
                self.breaker.record_success()
                record = ledger.mark_posted(
                    kind, source_id, document, owner=owner, outcome=outcome.value
                )
                log.info(
                    "%s %s: %s %s %s",
                    kind,
                    source_id,
                    outcome.value,
                    document.erp,
                    document.document_id,
                )
                return self._result(record, outcome, document)
            assert error is not None
            failure = self._classify(error)
            message = scrub.text(f"{type(error).__name__}: {error}")
            reason = f"{step} in {self._erp} failed: {message}"
            ledger.append_audit(
                kind,
                source_id,
                step,
                outcome="error",
                attempt=attempt,
                request_digest=request_digest,
                detail={"error": type(error).__name__, "message": message, "failure": failure},
            )
            if failure is Failure.BUG:
                self.breaker.release()
                ledger.mark_failed(kind, source_id, reason, owner=owner)
                raise error
            if failure is Failure.PERMANENT:
                if isinstance(error, ApiError):
                    self.breaker.record_success()  # the ERP answered: it is up
                else:
                    self.breaker.release()
                record = ledger.mark_dead_lettered(kind, source_id, reason, owner=owner)
                return self._result(record, PostStatus.DEAD_LETTERED)
            self.breaker.record_failure()
            if attempt >= self.max_attempts:
                reason = (
                    f"gave up after {attempt} attempts across runs "
                    f"(max_attempts={self.max_attempts}); last error: {reason}"
                )
                record = ledger.mark_dead_lettered(kind, source_id, reason, owner=owner)
                return self._result(record, PostStatus.DEAD_LETTERED)
            if failure is Failure.TRANSIENT and tries < self.retry.max_attempts:
                delay = self.retry.backoff(tries, getattr(error, "retry_after", None))
                if self._clock() - started + delay <= self.retry.max_elapsed:
                    ledger.append_audit(
                        kind, source_id, "retry", outcome=f"in {delay:.2f}s", attempt=attempt
                    )
                    yield _Sleep(delay)
                    last_error = reason
                    continue
            record = ledger.mark_failed(kind, source_id, reason, owner=owner)
            return self._result(record, PostStatus.FAILED)

    @staticmethod
    def _detail(document: ErpDocument | None, scrub: PiiScrubber) -> dict[str, Any]:
        if document is None:
            return {}
        return {
            "erp": document.erp,
            "document_id": document.document_id,
            "complete": document.complete,
            "detail": scrub.data(document.detail),
        }

    @staticmethod
    def _result(
        record: LedgerRecord, status: PostStatus, document: ErpDocument | None = None
    ) -> PostResult:
        reason = None if status in _POSTED else record.reason
        if status is PostStatus.DEAD_LETTERED or status is PostStatus.FAILED:
            log.warning("%s %s: %s: %s", record.kind, record.source_id, status.value, reason)
        return PostResult(
            record.kind,
            record.source_id,
            status,
            document=document or record.document,
            reason=reason,
            attempts=record.attempts,
        )

    def _replay_plan(
        self, kind: str | None, source_ids: Sequence[str] | None
    ) -> tuple[list[LedgerRecord], list[PostResult]]:
        """Records to replay (dead-lettered, or named and failed) and results for the rest."""
        if source_ids is None:
            return self.ledger.dead_letters(kind), []
        named = self.ledger.records(kind=kind, source_ids=list(source_ids))
        unknown = sorted(set(source_ids) - {r.source_id for r in named})
        if unknown:
            scope = f"{kind} " if kind else ""
            raise ValidationError(
                f"replay: no ledger record for {scope}{', '.join(unknown)}; "
                "check the ids with the ledger status"
            )
        todo: list[LedgerRecord] = []
        done: list[PostResult] = []
        for record in named:
            settled = self._settled(record, replay=True)
            if settled is not None:
                done.append(settled)
            else:
                todo.append(record)
        return todo, done

    def _rebuild_failed(self, record: LedgerRecord, exc: Exception) -> PostResult:
        failure = self._classify(exc)
        if failure is Failure.BUG:
            raise exc
        reason = redact(f"replay could not rebuild the payload: {type(exc).__name__}: {exc}")
        if failure is Failure.PERMANENT:
            updated = self.ledger.mark_dead_lettered(record.kind, record.source_id, reason)
            return self._result(updated, PostStatus.DEAD_LETTERED)
        return PostResult(
            record.kind,
            record.source_id,
            PostStatus.FAILED,
            reason=reason,
            attempts=record.attempts,
        )


# -- the posters ------------------------------------------------------------------------------


class Poster(_PosterCore[P]):
    """Posts source records to one ERP target exactly once, recording everything in a ledger.

    ``retry`` bounds the tries within one call (backoff with full jitter, slept with ``sleep``);
    ``max_attempts`` bounds the tries across runs before a record is dead-lettered; ``breaker``
    (default: 5 failures, 30 s cool-down, on ``clock``) guards the target; ``lease`` is how long
    a claim protects a record from other processes between tries; ``rebuild(kind, source_id)``
    makes a payload again for :meth:`replay`; ``pii_keys`` name the payload keys whose values
    are masked in any text the ledger keeps.

    >>> poster = Poster(SqliteLedger("bridge.db"), m3_order_target)   # doctest: +SKIP
    >>> poster.post("order", order.order_id, m3_payload).status        # doctest: +SKIP
    <PostStatus.CREATED: 'created'>
    """

    def __init__(
        self,
        ledger: Ledger,
        target: ErpTarget[P],
        *,
        retry: RetryPolicy = DEFAULT_RETRY,
        breaker: CircuitBreaker | None = None,
        max_attempts: int = 10,
        rebuild: Callable[[str, str], P] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        lease: float = 600.0,
        pii_keys: Collection[str] = PII_KEYS,
        classify: Callable[[BaseException], Failure] = classify_failure,
    ) -> None:
        super().__init__(
            ledger,
            target.name,
            callable(getattr(target, "resume", None)),
            retry=retry,
            breaker=breaker,
            max_attempts=max_attempts,
            clock=clock,
            lease=lease,
            pii_keys=pii_keys,
            classify=classify,
        )
        self.target = target
        self.rebuild = rebuild
        self._sleep = sleep

    def post(
        self, kind: str, source_id: str, payload: P, *, describe: str | None = None
    ) -> PostResult:
        """Post one record (see the module docs for the steps); never posts it twice.

        ``describe`` is a short human summary kept in the ledger ("3 lines, 54.00 USD").
        """
        return self._drive(self._flow(kind, source_id, payload, describe, replay=False))

    def post_many(
        self,
        kind: str,
        items: Iterable[tuple[str, P]] | Mapping[str, P],
        *,
        describe: Callable[[str, P], str] | None = None,
    ) -> PostSummary:
        """Post ``(source_id, payload)`` pairs one after the other; a summary of what happened."""
        pairs = items.items() if isinstance(items, Mapping) else items
        return PostSummary(
            self.post(
                kind,
                source_id,
                payload,
                describe=describe(source_id, payload) if describe else None,
            )
            for source_id, payload in pairs
        )

    def replay(
        self,
        kind: str | None = None,
        source_ids: Sequence[str] | None = None,
        *,
        rebuild: Callable[[str, str], P] | None = None,
    ) -> PostSummary:
        """Post dead-lettered records again after a fix, with payloads made by ``rebuild``.

        Without ``source_ids`` every dead-lettered record (of ``kind``) is replayed; named ids
        may also be FAILED records, and named POSTED ones are reported as duplicates. Unknown
        ids raise ValidationError before anything is sent. The ERP is still queried first.
        """
        make = rebuild or self.rebuild
        if make is None:
            raise ConfigurationError(
                "replay needs rebuild(kind, source_id) -> payload (pass it to Poster or to "
                "replay): the ledger keeps no payloads because they carry buyer PII"
            )
        todo, results = self._replay_plan(kind, source_ids)
        for record in todo:
            try:
                payload = make(record.kind, record.source_id)
            except Exception as exc:
                results.append(self._rebuild_failed(record, exc))
                continue
            results.append(
                self._drive(self._flow(record.kind, record.source_id, payload, None, replay=True))
            )
        return PostSummary(results)

    def _drive(self, flow: _Flow) -> PostResult:
        try:
            effect = next(flow)
            while True:
                try:
                    value = self._perform(effect)
                except BaseException as exc:
                    effect = flow.throw(exc)
                else:
                    effect = flow.send(value)
        except StopIteration as stop:
            result: PostResult = stop.value
            return result

    def _perform(self, effect: _Effect) -> object:
        if isinstance(effect, _Find):
            return self.target.find(effect.source_id, effect.payload)
        if isinstance(effect, _Create):
            return self.target.create(effect.payload)
        if isinstance(effect, _Resume):
            return cast(ResumableTarget[P], self.target).resume(effect.document)
        self._sleep(effect.seconds)
        return None


class AsyncPoster(_PosterCore[P]):
    """:class:`Poster` for an :class:`AsyncErpTarget`: the same decisions, awaited ERP calls.

    ``sleep`` is awaited between retries (pass an async no-op in tests) and ``rebuild`` may be
    async. Ledger calls are synchronous (short local transactions).
    """

    def __init__(
        self,
        ledger: Ledger,
        target: AsyncErpTarget[P],
        *,
        retry: RetryPolicy = DEFAULT_RETRY,
        breaker: CircuitBreaker | None = None,
        max_attempts: int = 10,
        rebuild: Callable[[str, str], Awaitable[P]] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        lease: float = 600.0,
        pii_keys: Collection[str] = PII_KEYS,
        classify: Callable[[BaseException], Failure] = classify_failure,
    ) -> None:
        super().__init__(
            ledger,
            target.name,
            callable(getattr(target, "resume", None)),
            retry=retry,
            breaker=breaker,
            max_attempts=max_attempts,
            clock=clock,
            lease=lease,
            pii_keys=pii_keys,
            classify=classify,
        )
        self.target = target
        self.rebuild = rebuild
        self._sleep = sleep

    async def post(
        self, kind: str, source_id: str, payload: P, *, describe: str | None = None
    ) -> PostResult:
        """Post one record; see :meth:`Poster.post`."""
        return await self._drive(self._flow(kind, source_id, payload, describe, replay=False))

    async def post_many(
        self,
        kind: str,
        items: Iterable[tuple[str, P]] | Mapping[str, P],
        *,
        describe: Callable[[str, P], str] | None = None,
    ) -> PostSummary:
        """Post pairs one after the other; see :meth:`Poster.post_many`."""
        pairs = items.items() if isinstance(items, Mapping) else items
        results: list[PostResult] = []
        for source_id, payload in pairs:
            note = describe(source_id, payload) if describe else None
            results.append(await self.post(kind, source_id, payload, describe=note))
        return PostSummary(results)

    async def replay(
        self,
        kind: str | None = None,
        source_ids: Sequence[str] | None = None,
        *,
        rebuild: Callable[[str, str], Awaitable[P]] | None = None,
    ) -> PostSummary:
        """Replay dead-lettered records; see :meth:`Poster.replay`."""
        make = rebuild or self.rebuild
        if make is None:
            raise ConfigurationError(
                "replay needs rebuild(kind, source_id) -> payload (pass it to AsyncPoster or "
                "to replay): the ledger keeps no payloads because they carry buyer PII"
            )
        todo, results = self._replay_plan(kind, source_ids)
        for record in todo:
            try:
                payload = await make(record.kind, record.source_id)
            except Exception as exc:
                results.append(self._rebuild_failed(record, exc))
                continue
            flow = self._flow(record.kind, record.source_id, payload, None, replay=True)
            results.append(await self._drive(flow))
        return PostSummary(results)

    async def _drive(self, flow: _Flow) -> PostResult:
        try:
            effect = next(flow)
            while True:
                try:
                    value = await self._perform(effect)
                except BaseException as exc:
                    effect = flow.throw(exc)
                else:
                    effect = flow.send(value)
        except StopIteration as stop:
            result: PostResult = stop.value
            return result

    async def _perform(self, effect: _Effect) -> object:
        if isinstance(effect, _Find):
            return await self.target.find(effect.source_id, effect.payload)
        if isinstance(effect, _Create):
            return await self.target.create(effect.payload)
        if isinstance(effect, _Resume):
            resume: Callable[[ErpDocument], Awaitable[ErpDocument]]
            resume = self.target.resume  # type: ignore[attr-defined]
            return await resume(effect.document)
        await self._sleep(effect.seconds)
        return None
