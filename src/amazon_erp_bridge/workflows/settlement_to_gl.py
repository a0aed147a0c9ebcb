"""Settlement to GL: every Amazon settlement becomes one journal in the ERP, once, tied out.

For each settlement report Amazon published since the last run:

1. download and parse it (streaming, :meth:`ReportsApi.download_settlement`);
2. map it to one balanced journal with the config's account map
   (:func:`~amazon_erp_bridge.mapping.settlement_to_journal`) and check that the journal ties
   out to the deposit (:func:`~amazon_erp_bridge.mapping.settlement_tie_out`);
3. post it exactly once through the idempotent :class:`~amazon_erp_bridge.posting.Poster`
   (ledger kind ``settlement.m3`` / ``settlement.sap``, source id = settlement id), which
   asks the ERP first: M3 finds the GLS840 batch by ``KEY1`` = settlement id (a batch a crash
   left open is finished), SAP finds the journal entry by ``DocumentReferenceID`` through the
   journal item cube (or posts through the bulk service, whose MessageHeader ID derives from
   the settlement id);
4. reconcile: the report notes that the journal balances and its deposit line equals the
   settlement total; SAP's posted items are read back and compared with the lines sent.

**Taxes and receivables.** With ``taxes`` in the config the journal's tax lines carry their
tax code and base (SAP ``ProductTaxItem``; M3 the ``VTCD`` of a PARM layout that has one) and
VAT is split out of gross fees; the notes say whether the tax lines equal the settlement's
taxes. With ``receivables`` what the buyer paid for each order clears the Amazon customer's
receivable (SAP ``DebtorItem``) instead of revenue; with ``open_receivables`` as well, only
the orders cash application matches to an open invoice do, and the notes list the rest with
amounts and reasons. :func:`reverse_settlement_m3` / :func:`reverse_settlement_sap` reverse a
posted settlement journal, once.

A settlement the account map cannot place (every unmapped kind listed) or that does not tie
out is dead-lettered with the reason, never posted and never fatal to the run. Fix the map in
the config and run again with ``replay=True``.

**Cursor.** ``amazon.settlements.<erp>`` in the ledger holds JSON ``{"created_since": ISO
time, "reports": {report id: settlement id}}``: reports created since ``created_since`` are
listed again (the ledger makes them duplicates), and known reports are not downloaded again.
``created_since`` advances to the newest report once every report before it is settled
(posted or dead-lettered); reports of dead-lettered and pending settlements stay in the map so
a replay, or the next run, can fetch them again. The cursor only moves forward (a
compare-and-set on ``created_since``), and each run first posts the settlements earlier runs
left pending (see :mod:`amazon_erp_bridge.posting.cursors`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, TypeVar

import attrs
from attrs import define, field, frozen

from amazon_erp_bridge.amazon import SpApiClient
from amazon_erp_bridge.amazon.reports import Report
from amazon_erp_bridge.amazon.settlement import SettlementSource, open_settlement_report
from amazon_erp_bridge.errors import BridgeError, ConfigurationError, ValidationError
from amazon_erp_bridge.infor import (
    DEFAULT_BATCH_LOOKUP,
    DEFAULT_PARM_LAYOUT,
    GlBatchLookup,
    M3Client,
    ParmLayout,
)
from amazon_erp_bridge.infor.gl import reversal_key
from amazon_erp_bridge.mapping import (
    AMAZON_DEFAULT_ACCOUNTS,
    GlAccountMap,
    SettlementTieOut,
    settlement_journal_from_lines,
    settlement_tie_out,
    settlement_to_journal,
)
from amazon_erp_bridge.mapping.cash_application import (
    CashApplication,
    OpenReceivable,
    ReceivableRules,
    apply_cash,
)
from amazon_erp_bridge.mapping.journal import settlement_taxes
from amazon_erp_bridge.mapping.tax import TaxRules
from amazon_erp_bridge.model import JournalEntry, JournalLine, Money, Settlement
from amazon_erp_bridge.posting import (
    ErpDocument,
    Ledger,
    Poster,
    PostResult,
    PostStatus,
    PostSummary,
    RecordState,
    pending_records,
    time_position,
)
from amazon_erp_bridge.sap import JournalEntryService, ODataClient, PostedJournalEntry
from amazon_erp_bridge.workflows.open_receivables import (
    OpenReceivables,
    m3_open_receivables,
    sap_open_receivables,
)
from amazon_erp_bridge.workflows.report import StepReport, WorkflowReport

WORKFLOW: Final = "settlement to GL"
_SETTLED: Final = frozenset({RecordState.POSTED, RecordState.DEAD_LETTERED})
_PENDING: Final = frozenset({PostStatus.FAILED, PostStatus.DEFERRED, PostStatus.BUSY})


def _optional_ids(value: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


@frozen(kw_only=True)
class _SettlementRules:
    """What both ERPs' configs share: the account map and which settlements to book."""

    #: GL accounts per settlement amount kind, and the clearing account for deposits.
    accounts: GlAccountMap
    #: Book only settlements of these marketplaces (None: every marketplace).
    marketplace_ids: tuple[str, ...] | None = field(default=None, converter=_optional_ids)
    #: One journal line per account and order (True) instead of per account.
    detail: bool = False
    #: On the first run, settlement reports created since then (None: Amazon's default).
    start: datetime | None = None
    #: Only settlement reports created before then (None: up to now); with ``cursor``, a
    #: backfill books one window of history (:mod:`amazon_erp_bridge.workflows.backfill`).
    until: datetime | None = None
    #: The ledger cursor of this run (None: ``amazon.settlements.<erp>``, the scheduled one).
    cursor: str | None = None
    #: Tax codes and bases of tax amounts, VAT inside gross fees (None: no tax lines).
    taxes: TaxRules | None = None
    #: Post what each order paid against the Amazon customer's receivable (None: revenue).
    receivables: ReceivableRules | None = None
    #: The open invoices of a settlement's orders: cash application clears only the orders
    #: it matches. None: read from the ERP the workflow posts to when ``read_open_receivables``
    #: (:mod:`~amazon_erp_bridge.workflows.open_receivables`), else every order's rows clear
    #: the receivable.
    open_receivables: Callable[[Settlement], Iterable[OpenReceivable]] | None = None
    #: With ``receivables`` and no ``open_receivables``: read each order's open receivable
    #: from the ERP (SAP open debtor items, M3 open invoices of the order) and apply cash.
    read_open_receivables: bool = True


@frozen(kw_only=True)
class SettlementToGlM3Config(_SettlementRules):
    """Settlement-to-GL for Infor M3: account map, GLS850 PARM layout and batch lookup.

    ``lookup`` must return the batch status for crash recovery: a batch whose status is not
    one of its ``posted_statuses`` is finished (``resume``); without a status column, a batch
    that exists counts as posted.
    """

    layout: ParmLayout = DEFAULT_PARM_LAYOUT
    lookup: GlBatchLookup = DEFAULT_BATCH_LOOKUP


@frozen(kw_only=True)
class SettlementToGlSapConfig(_SettlementRules):
    """Settlement-to-GL for SAP S/4HANA: account map, company code and posting settings.

    ``bulk=True`` posts through ``JournalEntryBulkCreationRequest_In`` (asynchronous; SAP
    refuses a repeated MessageHeader ID, which derives from the settlement id) instead of the
    synchronous service; the read-back then waits for a later run.
    """

    company_code: str
    created_by_user: str
    document_type: str = "SA"
    bulk: bool = False


# -- ERP targets ------------------------------------------------------------------------------


class _M3Journals:
    """GLS840MI batches keyed by the settlement id (KEY1); a half-made batch is finished."""

    name = "m3"

    def __init__(self, m3: M3Client, config: SettlementToGlM3Config) -> None:
        self._m3 = m3
        self._config = config
        self._pending: dict[str, JournalEntry] = {}

    def find(self, source_id: str, payload: JournalEntry) -> ErpDocument | None:
        batch = self._m3.gl.find_batch(payload.reference, lookup=self._config.lookup)
        if batch is None:
            return None
        self._pending[batch.key1] = payload
        detail = {"status": batch.status, "interface": batch.interface}
        return ErpDocument("m3", batch.key1, complete=batch.posted is not False, detail=detail)

    def create(self, payload: JournalEntry) -> ErpDocument:
        payload = with_vat_codes(payload, self._config.layout)
        posting = self._m3.gl.post_journal(payload, layout=self._config.layout)
        return ErpDocument("m3", posting.key1, detail={"lines": posting.lines})

    def resume(self, document: ErpDocument) -> ErpDocument:
        entry = self._pending.pop(document.document_id)
        entry = with_vat_codes(entry, self._config.layout)
        posting = self._m3.gl.post_journal(entry, layout=self._config.layout, resume=True)
        return ErpDocument("m3", posting.key1, detail={"lines": posting.lines, "resumed": True})


def _sap_key(company_code: str, fiscal_year: str, document: str) -> str:
    return f"{company_code}/{fiscal_year}/{document}"


class _SapJournals:
    """SAP journal entries found by DocumentReferenceID (the settlement id) before posting."""

    name = "sap"

    def __init__(self, service: JournalEntryService, config: SettlementToGlSapConfig) -> None:
        self._service = service
        self._config = config

    def find(self, source_id: str, payload: JournalEntry) -> ErpDocument | None:
        found = [
            doc
            for doc in self._service.find_by_reference(payload.reference)
            if not any(item.is_reversed for item in doc.items)
        ]
        if not found:
            return None
        doc = found[0]
        key = _sap_key(doc.company_code, doc.fiscal_year, doc.accounting_document)
        return ErpDocument("sap", key, detail={"documents": len(found)})

    def create(self, payload: JournalEntry) -> ErpDocument:
        payload = sap_assignments(payload)
        if self._config.bulk:
            receipt = self._service.post_bulk(payload, settlement_id=payload.reference)
            return ErpDocument("sap", receipt.message_id, detail={"bulk": receipt.status})
        posted = self._service.post(payload)
        key = _sap_key(posted.company_code, posted.fiscal_year, posted.accounting_document)
        return ErpDocument("sap", key)


# -- the cursor -------------------------------------------------------------------------------


@define
class _Cursor:
    created_since: datetime | None = None
    reports: dict[str, str] = field(factory=dict)

    @classmethod
    def load(cls, text: str | None, start: datetime | None) -> _Cursor:
        if not text:
            return cls(start)
        try:
            data = json.loads(text)
            since = data.get("created_since")
            return cls(
                datetime.fromisoformat(since) if since else start,
                {str(k): str(v) for k, v in (data.get("reports") or {}).items()},
            )
        except (ValueError, TypeError, AttributeError) as exc:
            raise ConfigurationError(
                f"ledger cursor of the settlement workflow is not the JSON it writes ({exc}); "
                "delete the cursor to list every settlement report again"
            ) from None

    def dump(self) -> str:
        since = self.created_since.isoformat() if self.created_since else None
        return json.dumps({"created_since": since, "reports": self.reports}, sort_keys=True)

    def settlement_report(self, settlement_id: str) -> str | None:
        return next((r for r, s in self.reports.items() if s == settlement_id), None)


# -- one run ----------------------------------------------------------------------------------


@frozen
class _Prepared:
    settlement: Settlement
    entry: JournalEntry
    tie_out: SettlementTieOut
    applied: CashApplication | None = None


_Check = Callable[[str, JournalEntry], str]


class _Run:
    """One run of the workflow for one ERP: list, download, map, post, reconcile."""

    def __init__(
        self,
        amazon: SpApiClient,
        ledger: Ledger,
        config: _SettlementRules,
        target: _M3Journals | _SapJournals,
        check: _Check,
        poster_options: Mapping[str, Any] | None,
    ) -> None:
        self.amazon = amazon
        self.ledger = ledger
        self.config = config
        self.erp = target.name
        self.kind = f"settlement.{self.erp}"
        self.cursor_name = config.cursor or f"amazon.settlements.{self.erp}"
        self.cursor = _Cursor.load(ledger.get_cursor(self.cursor_name), config.start)
        self.check = check
        self.prepared: dict[str, _Prepared] = {}
        self.poster: Poster[JournalEntry] = Poster(
            ledger, target, rebuild=self.rebuild, **dict(poster_options or {})
        )

    # payloads ------------------------------------------------------------------------------

    def prepare(self, settlement: Settlement) -> JournalEntry:
        """Journal of ``settlement``, tied out to its deposit (mapping errors propagate)."""
        entry, tie, applied = settlement_journal(settlement, self.config)
        self.prepared[settlement.settlement_id] = _Prepared(settlement, entry, tie, applied)
        return entry

    def download(self, report: Report) -> Settlement:
        if not report.report_document_id:
            raise ValidationError(f"settlement report {report.report_id} has no document yet")
        settlement = self.amazon.reports.download_settlement(report.report_document_id, check=False)
        self.cursor.reports[report.report_id] = settlement.settlement_id
        return settlement

    def rebuild(self, kind: str, source_id: str) -> JournalEntry:
        """Fetch a settlement again by id (for replay) and map it with the current config."""
        report_id = self.cursor.settlement_report(source_id)
        if report_id is None:
            raise ValidationError(
                f"settlement {source_id}: no settlement report is known for it in cursor "
                f"{self.cursor_name}; it cannot be fetched again"
            )
        return self.prepare(self.download(self.amazon.reports.get_report(report_id)))

    # posting -------------------------------------------------------------------------------

    def settled_earlier(self, report: Report) -> PostResult | None:
        """The result for a report whose settlement the ledger has settled (no download)."""
        settlement_id = self.cursor.reports.get(report.report_id)
        record = self.ledger.get(self.kind, settlement_id) if settlement_id else None
        if record is None or record.state not in _SETTLED:
            return None
        if record.state is RecordState.POSTED:
            return PostResult(
                self.kind,
                record.source_id,
                PostStatus.DUPLICATE,
                document=record.document,
                attempts=record.attempts,
            )
        return PostResult(
            self.kind,
            record.source_id,
            PostStatus.DEAD_LETTERED,
            reason=f"dead-lettered earlier: {record.reason}; fix the cause, then replay it",
            attempts=record.attempts,
        )

    def book(self, report: Report) -> PostResult:
        earlier = self.settled_earlier(report)
        if earlier is not None:
            return earlier
        try:
            settlement = self.download(report)
        except BridgeError as exc:
            return PostResult(
                self.kind,
                f"report {report.report_id}",
                PostStatus.FAILED,
                reason=f"download failed: {type(exc).__name__}: {exc}",
            )
        try:
            entry = self.prepare(settlement)
        except ValidationError as exc:
            return self.poster.reject(self.kind, settlement.settlement_id, exc)
        describe = f"{len(settlement.lines)} lines, deposit {settlement.total}"
        return self.poster.post(self.kind, settlement.settlement_id, entry, describe=describe)

    def notes(self, results: Iterable[PostResult]) -> list[str]:
        """What reconciliation shows for the settlements posted in this run."""
        notes: list[str] = []
        for result in results:
            prepared = self.prepared.get(result.source_id)
            if prepared is None or result.status not in {
                PostStatus.CREATED,
                PostStatus.RESUMED,
                PostStatus.FOUND_EXISTING,
            }:
                continue
            document = result.document.document_id if result.document else "?"
            money = money_notes(prepared.settlement, prepared.entry, self.config, prepared.applied)
            facts = [str(prepared.tie_out), self.check(document, prepared.entry), *money]
            notes.append("; ".join(facts))  # one note per settlement
        return notes

    def advance(self, outcomes: list[tuple[Report, PostResult]]) -> None:
        """Move ``created_since`` past every settled report; keep what a replay may need."""
        pending = [r.created_time for r, result in outcomes if result.status in _PENDING]
        if pending:
            self.cursor.created_since = min(pending)
        elif outcomes:
            self.cursor.created_since = max(r.created_time for r, _ in outcomes)
        since = self.cursor.created_since
        created = {r.report_id: r.created_time for r, _ in outcomes}
        dead = (
            {
                result.source_id
                for _, result in outcomes
                if result.status is PostStatus.DEAD_LETTERED
            }
            | {record.source_id for record in self.ledger.dead_letters(self.kind)}
            | {record.source_id for record in pending_records(self.ledger, self.kind)}
        )
        self.cursor.reports = {
            report_id: settlement_id
            for report_id, settlement_id in self.cursor.reports.items()
            if settlement_id in dead
            or (report_id in created and (since is None or created[report_id] >= since))
        }
        position = time_position(since) if since is not None else ""
        self.ledger.advance_cursor(self.cursor_name, self.cursor.dump(), position=position)

    def take_up(self, booked: set[str]) -> list[PostResult]:
        """Post the settlements earlier runs left pending (failed, or POSTING when a run was
        killed) that this run's listing did not bring back, fetched again by report id."""
        results: list[PostResult] = []
        for record in pending_records(self.ledger, self.kind):
            if (
                record.source_id in booked
                or self.cursor.settlement_report(record.source_id) is None
            ):
                continue
            try:
                entry = self.rebuild(self.kind, record.source_id)
            except ValidationError as exc:
                results.append(self.poster.reject(self.kind, record.source_id, exc))
                continue
            except BridgeError as exc:
                reason = f"fetching it again failed: {type(exc).__name__}: {exc}"
                results.append(
                    PostResult(self.kind, record.source_id, PostStatus.FAILED, reason=reason)
                )
                continue
            results.append(self.poster.post(self.kind, record.source_id, entry))
        return results

    def run(self, replay: bool) -> WorkflowReport:
        steps: list[StepReport] = []
        if replay:
            replayed = self.poster.replay(self.kind)
            steps.append(StepReport("replay dead letters", replayed, self.notes(replayed.results)))
        try:
            reports = sorted(
                self.amazon.reports.settlement_reports(
                    created_since=self.cursor.created_since,
                    created_until=self.config.until,
                    marketplace_ids=self.config.marketplace_ids,
                ),
                key=lambda r: (r.created_time, r.report_id),
            )
        except BridgeError as exc:
            reason = f"listing failed: {type(exc).__name__}: {exc}; the next run lists again"
            failed = PostResult(self.kind, "settlement reports", PostStatus.FAILED, reason=reason)
            steps.append(StepReport("settlements", PostSummary([failed])))
            return WorkflowReport(WORKFLOW, self.erp, steps)
        outcomes = [(report, self.book(report)) for report in reports]
        taken_up = self.take_up({result.source_id for _, result in outcomes})
        summary = PostSummary([*(result for _, result in outcomes), *taken_up])
        steps.append(StepReport("settlements", summary, self.notes(summary.results)))
        self.advance(outcomes)
        return WorkflowReport(WORKFLOW, self.erp, steps)


# -- taxes, receivables, cash application -----------------------------------------------------


def settlement_journal(
    settlement: Settlement, config: _SettlementRules
) -> tuple[JournalEntry, SettlementTieOut, CashApplication | None]:
    """The journal a config makes of ``settlement`` (taxes, receivables, cash application),
    tied out to its deposit, and the cash application if one was made."""
    applied = None
    if config.receivables is not None and config.open_receivables is not None:
        open_items = list(config.open_receivables(settlement))
        applied = apply_cash(settlement, open_items, config.receivables)
    entry = settlement_to_journal(
        settlement,
        config.accounts,
        detail=config.detail,
        taxes=config.taxes,
        receivables=config.receivables,
        applied=applied,
    )
    return entry, settlement_tie_out(settlement, entry, config.accounts), applied


def money_notes(
    settlement: Settlement,
    entry: JournalEntry,
    config: _SettlementRules,
    applied: CashApplication | None,
) -> list[str]:
    """Notes for people: tax lines against the settlement's taxes, receivables cleared, and
    each amount cash application could not match with its reason."""
    notes: list[str] = []
    if config.taxes is not None:
        taxes = settlement_taxes(
            settlement, config.taxes, receivables=config.receivables, applied=applied
        )
        expected = {code: -amount for code, amount in taxes.items()}
        got = {code: total for (code, _), total in entry.tax_totals().items()}
        zero = Money.zero(settlement.currency)
        off = [
            f"{code} journal {got.get(code, zero)} vs settlement {expected.get(code, zero)}"
            for code in sorted(expected.keys() | got.keys())
            if got.get(code, zero) != expected.get(code, zero)
        ]
        shown = ", ".join(f"{code} {got[code]}" for code in sorted(got)) or "none"
        notes.append(
            f"! tax lines differ from the settlement's taxes: {'; '.join(off)}"
            if off
            else f"tax lines equal the settlement's taxes ({shown})"
        )
    if config.receivables is not None:
        debtor = entry.receivable_lines()
        cleared = Money.total((-line.amount for line in debtor), settlement.currency)
        customers = ", ".join(sorted({line.customer or "" for line in debtor}))
        notes.append(
            f"receivable cleared for {len({line.reference for line in debtor})} orders "
            f"(customer {customers}): {cleared}"
            if debtor
            else "no order paid in this settlement: no receivable cleared"
        )
    if applied is not None:
        notes += [
            f"unmatched: order {u.order_id}: paid {u.paid or '-'}, invoiced "
            f"{u.invoiced or '-'}: {u.reason}"
            for u in applied.unmatched
        ]
    return notes


def with_vat_codes(entry: JournalEntry, layout: ParmLayout) -> JournalEntry:
    """``entry`` with each line's tax code in ``dimensions["VTCD"]`` when ``layout`` writes a
    VTCD field from that dimension (:data:`~amazon_erp_bridge.infor.gl.VAT_PARM_LAYOUT`):
    M3's GL interface reads the VAT code from the PARM string."""
    if not any(f.source == "dimension:VTCD" for f in layout.fields):
        return entry
    if not any(line.tax_code for line in entry.lines):
        return entry
    lines = tuple(
        line
        if not line.tax_code or "VTCD" in line.dimensions
        else JournalLine(
            account=line.account,
            amount=line.amount,
            text=line.text,
            dimensions={**line.dimensions, "VTCD": line.tax_code},
            reference=line.reference,
            tax_code=line.tax_code,
            tax_base=line.tax_base,
            customer=line.customer,
        )
        for line in entry.lines
    )
    return JournalEntry(
        reference=entry.reference,
        posting_date=entry.posting_date,
        lines=lines,
        text=entry.text,
        document_date=entry.document_date,
        source=entry.source,
    )


#: SAP's AssignmentReference holds 18 characters; an Amazon order id has 19 (3-7-7 digits).
SAP_ASSIGNMENT_LENGTH: Final = 18


def sap_assignments(entry: JournalEntry) -> JournalEntry:
    """``entry`` with line references that SAP's AssignmentReference (18 characters) cannot
    hold written without their hyphens: an Amazon order id ``205-7954050-1090518`` becomes
    ``20579540501090518`` (still unique, and what a search of the open items finds)."""

    def fit(reference: str | None) -> str | None:
        if reference is None or len(reference) <= SAP_ASSIGNMENT_LENGTH:
            return reference
        compact = reference.replace("-", "")
        return compact if len(compact) <= SAP_ASSIGNMENT_LENGTH else reference

    if all(fit(line.reference) == line.reference for line in entry.lines):
        return entry
    lines = tuple(attrs.evolve(line, reference=fit(line.reference)) for line in entry.lines)
    return attrs.evolve(entry, lines=lines)


def sap_tax_accounts(document: PostedJournalEntry, entry: JournalEntry) -> JournalEntry:
    """``entry`` with each tax and receivable line on the G/L account SAP posted it to.

    A ``ProductTaxItem`` names no account (SAP determines it from the tax code), nor does a
    ``DebtorItem`` (the customer's reconciliation account). Such a line takes the account of
    the item read back with its tax code or customer, amount and currency (when there is one),
    so comparing what was sent with what SAP holds checks amounts, codes and customers, not an
    account SAP chose.
    """
    if not entry.tax_lines() and not entry.receivable_lines():
        return entry
    posted: dict[tuple[str, str, Decimal, str], str] = {}
    for item in document.items:
        amount = item.amount or Decimal(0)
        if item.debit_credit_code == "H" and amount > 0:
            amount = -amount
        if not item.gl_account:
            continue
        if item.tax_code:
            posted.setdefault(("tax", item.tax_code, amount, item.currency or ""), item.gl_account)
        if item.customer:
            posted.setdefault(
                ("debtor", item.customer, amount, item.currency or ""), item.gl_account
            )
    lines = []
    for line in entry.lines:
        account = None
        if line.is_tax:
            account = posted.get(
                ("tax", line.tax_code or "", line.amount.amount, line.amount.currency)
            )
        elif line.is_receivable:
            key = ("debtor", line.customer or "", line.amount.amount, line.amount.currency)
            account = posted.get(key)
        lines.append(line if account is None else attrs.evolve(line, account=account))
    return attrs.evolve(entry, lines=tuple(lines))


# -- entry points -----------------------------------------------------------------------------

_ConfigT = TypeVar("_ConfigT", SettlementToGlM3Config, SettlementToGlSapConfig)


def _reading_erp(
    config: _ConfigT, reader: Callable[[ReceivableRules], OpenReceivables]
) -> _ConfigT:
    """``config`` with the ERP's open receivables as ``open_receivables`` when it books
    receivables, names no reader of its own and ``read_open_receivables`` is on."""
    if (
        config.receivables is None
        or config.open_receivables is not None
        or not config.read_open_receivables
    ):
        return config
    return attrs.evolve(config, open_receivables=reader(config.receivables))


def settlement_to_gl_m3(
    amazon: SpApiClient,
    m3: M3Client,
    ledger: Ledger,
    config: SettlementToGlM3Config,
    *,
    replay: bool = False,
    poster_options: Mapping[str, Any] | None = None,
) -> WorkflowReport:
    """Post every new settlement to M3 as one GLS840MI batch (KEY1 = settlement id), once.

    ``replay=True`` first posts the dead-lettered settlements again with the current config.
    ``poster_options`` go to the :class:`~amazon_erp_bridge.posting.Poster` (``retry``,
    ``sleep``, ``breaker``, ``clock``, ...).
    """

    def check(document: str, entry: JournalEntry) -> str:
        batch = m3.gl.find_batch(entry.reference, lookup=config.lookup)
        if batch is None:
            return f"! M3 shows no batch {document}"
        return f"M3 batch {batch.key1} status {batch.status or 'unknown'}"

    config = _reading_erp(config, lambda rules: m3_open_receivables(m3, rules))
    run = _Run(amazon, ledger, config, _M3Journals(m3, config), check, poster_options)
    return run.run(replay)


def settlement_to_gl_sap(
    amazon: SpApiClient,
    sap: ODataClient,
    ledger: Ledger,
    config: SettlementToGlSapConfig,
    *,
    replay: bool = False,
    poster_options: Mapping[str, Any] | None = None,
) -> WorkflowReport:
    """Post every new settlement to SAP as one journal entry (reference = settlement id), once.

    The posted items are read back through the journal item cube and compared with the lines
    sent. ``replay`` and ``poster_options`` as in :func:`settlement_to_gl_m3`.
    """
    service = JournalEntryService(
        sap,
        created_by_user=config.created_by_user,
        company_code=config.company_code,
        document_type=config.document_type,
    )

    def check(document: str, entry: JournalEntry) -> str:
        found = service.find_by_reference(entry.reference)
        if not found:
            return f"SAP {document}: not readable yet" if config.bulk else "! SAP shows no document"
        differences = [
            d for doc in found[:1] for d in doc.differences(sap_tax_accounts(doc, entry))
        ]
        if len(found) > 1:
            differences.append(f"{len(found)} documents carry this reference")
        if differences:
            return f"! SAP {document} read back differs: " + "; ".join(differences)
        return f"SAP document {document}: {len(found[0].items)} items read back agree"

    config = _reading_erp(
        config,
        lambda rules: sap_open_receivables(sap, rules, company_code=config.company_code),
    )
    run = _Run(amazon, ledger, config, _SapJournals(service, config), check, poster_options)
    return run.run(replay)


# -- reversal ---------------------------------------------------------------------------------

#: Ledger kind of reversals: ``settlement-reversal.<erp>``, source id = settlement id.
REVERSAL_KIND: Final = "settlement-reversal"


class _M3Reversal:
    """The GLS840 counter-batch of a posted settlement (KEY1 ``R`` + settlement id), once."""

    name = "m3"

    def __init__(self, m3: M3Client, config: SettlementToGlM3Config, posting_date: date) -> None:
        self._m3 = m3
        self._config = config
        self._posting_date = posting_date

    def find(self, source_id: str, payload: JournalEntry) -> ErpDocument | None:
        key = reversal_key(payload.reference)
        batch = self._m3.gl.find_batch(key, lookup=self._config.lookup)
        if batch is None or batch.posted is False:
            return None  # none, or one a crash left open: reverse_journal finishes it
        return ErpDocument("m3", batch.key1, detail={"reverses": payload.reference})

    def create(self, payload: JournalEntry) -> ErpDocument:
        reversal = self._m3.gl.reverse_journal(
            with_vat_codes(payload, self._config.layout),
            posting_date=self._posting_date,
            layout=self._config.layout,
            lookup=self._config.lookup,
        )
        detail = {"reverses": reversal.original_key1, "posted_now": reversal.posted_now}
        return ErpDocument("m3", reversal.key1, detail=detail)


class _SapReversal:
    """SAP's own reversal of the posted journal entry (ReversalReason), once."""

    name = "sap"

    def __init__(self, service: JournalEntryService, reason: str, posting_date: date | None):
        self._service = service
        self._reason = reason
        self._posting_date = posting_date

    def find(self, source_id: str, payload: JournalEntry) -> ErpDocument | None:
        for doc in self._service.find_by_reference(payload.reference):
            done = doc.reversed_by if not doc.is_reversal else None
            if done is not None:
                key = _sap_key(doc.company_code, done[1], done[0])
                return ErpDocument("sap", key, detail={"reverses": payload.reference})
        return None

    def create(self, payload: JournalEntry) -> ErpDocument:
        posted = self._service.create_reversal(
            sap_assignments(payload), reason=self._reason, posting_date=self._posting_date
        )
        key = _sap_key(posted.company_code, posted.fiscal_year, posted.accounting_document)
        return ErpDocument("sap", key, detail={"reverses": payload.reference})


def _reversal_report(
    ledger: Ledger,
    erp: str,
    settlement: Settlement,
    config: _SettlementRules,
    target: _M3Reversal | _SapReversal,
    poster_options: Mapping[str, Any] | None,
) -> WorkflowReport:
    sid = settlement.settlement_id
    original = ledger.get(f"settlement.{erp}", sid)
    if original is None or original.state is not RecordState.POSTED:
        raise ValidationError(
            f"settlement {sid}: not posted to {erp.upper()} according to the ledger "
            f"(kind settlement.{erp}); there is nothing to reverse"
        )
    entry, _, _ = settlement_journal(settlement, config)
    poster: Poster[JournalEntry] = Poster(ledger, target, **dict(poster_options or {}))
    result = poster.post(
        f"{REVERSAL_KIND}.{erp}", sid, entry, describe=f"reverse {original.document_id}"
    )
    notes = [f"settlement {sid} (document {original.document_id}): {result.status.value}"]
    if result.status is PostStatus.DUPLICATE:
        notes.append("reversed before; a journal is reversed once only")
    return WorkflowReport(WORKFLOW, erp, [StepReport("reversal", PostSummary([result]), notes)])


def reverse_settlement_m3(
    m3: M3Client,
    ledger: Ledger,
    config: SettlementToGlM3Config,
    settlement: Settlement,
    *,
    posting_date: date,
    poster_options: Mapping[str, Any] | None = None,
) -> WorkflowReport:
    """Reverse the posted journal of ``settlement`` in M3, once.

    GLS840MI has no reversal transaction, so the M3 equivalent is a counter-batch (KEY1 ``R``
    + settlement id, the same lines with signs turned) on ``posting_date``
    (:meth:`~amazon_erp_bridge.infor.gl.GeneralLedger.reverse_journal`). The journal is
    rebuilt from ``settlement`` with ``config``, as it was posted. The ledger (kind
    ``settlement-reversal.m3``) and the ERP lookup make a second call a no-op; a settlement the
    ledger does not show as posted is refused.
    """
    target = _M3Reversal(m3, config, posting_date)
    config = _reading_erp(config, lambda rules: m3_open_receivables(m3, rules))
    return _reversal_report(ledger, "m3", settlement, config, target, poster_options)


def reverse_settlement_sap(
    sap: ODataClient,
    ledger: Ledger,
    config: SettlementToGlSapConfig,
    settlement: Settlement,
    *,
    reason: str,
    posting_date: date | None = None,
    poster_options: Mapping[str, Any] | None = None,
) -> WorkflowReport:
    """Reverse the posted journal entry of ``settlement`` through SAP's reversal, once.

    The reversing entry carries ReversalReason ``reason`` (e.g. ``"01"``) and refers to the
    original, so SAP marks the original reversed (not a free counter-entry). Found again by
    the original's reversal mark and the ledger (kind ``settlement-reversal.sap``), it is
    never posted twice; a settlement the ledger does not show as posted is refused.
    """
    service = JournalEntryService(
        sap,
        created_by_user=config.created_by_user,
        company_code=config.company_code,
        document_type=config.document_type,
    )
    target = _SapReversal(service, reason, posting_date)

    def posted_document(settlement: Settlement) -> str | None:
        record = ledger.get("settlement.sap", settlement.settlement_id)
        document = record.document_id if record is not None else None
        return document.rsplit("/", 1)[-1] if document else None

    # the items the posted journal cleared were open when it was posted: read them too
    config = _reading_erp(
        config,
        lambda rules: sap_open_receivables(
            sap, rules, company_code=config.company_code, cleared_by=posted_document
        ),
    )
    return _reversal_report(ledger, "sap", settlement, config, target, poster_options)


# -- preview (no ERP, no ledger) --------------------------------------------------------------


def load_account_map(path: str | os.PathLike[str]) -> GlAccountMap:
    """Read an account map file: ``.json`` (GlAccountMap.to_json) or ``.csv`` (one rule a row)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigurationError(f"account map {file}: cannot read it ({exc.strerror})") from None
    if file.suffix.lower() == ".csv":
        return GlAccountMap.from_csv(text)
    if file.suffix.lower() == ".json":
        return GlAccountMap.from_json(text)
    raise ConfigurationError(f"account map {file}: expected a .json or .csv file")


def preview_settlement(
    source: SettlementSource,
    accounts: GlAccountMap | str | os.PathLike[str] | None = None,
    *,
    detail: bool = False,
) -> JournalEntry:
    """The journal a settlement report would post, without any ERP or ledger.

    ``source`` is a settlement report V2 flat file (path, bytes, text or open file);
    ``accounts`` an account map, a path to a JSON or CSV map, or None for
    :data:`~amazon_erp_bridge.mapping.AMAZON_DEFAULT_ACCOUNTS`. Raises the mapping error
    (``UnmappedSettlementLines`` lists every kind with no account) or
    ``SettlementTieOutError`` when the journal would not tie out to the deposit. The report
    is streamed: memory stays flat whatever its size.
    """
    if accounts is None:
        account_map = AMAZON_DEFAULT_ACCOUNTS
    elif isinstance(accounts, GlAccountMap):
        account_map = accounts
    else:
        account_map = load_account_map(accounts)
    # Streamed: the lines are summed into the journal as they are read, never held.
    with open_settlement_report(source, check=False) as reader:
        summary = reader.summary
        header = Settlement(
            settlement_id=summary.settlement_id,
            start=summary.start,
            end=summary.end,
            total=summary.total,
            deposit_date=summary.deposit_date,
        )
        return settlement_journal_from_lines(header, reader, account_map, detail=detail)


__all__ = [
    "SettlementToGlM3Config",
    "SettlementToGlSapConfig",
    "load_account_map",
    "preview_settlement",
    "reverse_settlement_m3",
    "reverse_settlement_sap",
    "sap_assignments",
    "sap_tax_accounts",
    "settlement_journal",
    "settlement_to_gl_m3",
    "settlement_to_gl_sap",
    "with_vat_codes",
]
