"""Polling cursors that lose nothing: record what a window holds, then move, then take up.

A workflow that polls a source (orders updated since, settlement reports created since) keeps
its place in a ledger cursor. A run can die anywhere, and several runs may share one ledger,
so every workflow keeps three rules:

1. **Record before moving.** Everything derived from the window the cursor is about to leave
   behind is in the ledger before the cursor moves: posted, dead-lettered, or at least
   pending (``ledger.receive(kind, source_id)`` for a follow-up such as the delivery of an
   order Amazon shipped). A run killed before the move reads the window again (the ledger
   turns what it already did into duplicates); a run killed after it finds the pending
   records.
2. **Forward only.** The cursor moves with :meth:`~amazon_erp_bridge.posting.Ledger.advance_cursor`,
   a compare-and-set on a sortable position (:func:`time_position`), so a slow run never
   writes an older cursor over a newer one.
3. **Take up what is pending.** Each run posts the records of its kinds that are not settled
   (:func:`pending_records`): RECEIVED, MAPPED and FAILED ones, and POSTING ones, whose claim
   the :class:`~amazon_erp_bridge.posting.Poster` takes over when its owner died or its lease
   ran out (a live owner's record answers BUSY and stays for the next run).

A new workflow follows the same shape::

    since = cursor_time(ledger.get_cursor(NAME), start)
    for item in source.read(since=since):
        ledger.receive(KIND, item.id)                     # or post it right away
    ledger.advance_cursor(NAME, newest.isoformat(), position=time_position(newest))
    for record in pending_records(ledger, KIND):
        poster.post(KIND, record.source_id, build(record.source_id))
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.posting.ledger import Ledger, LedgerRecord, RecordState

#: States of records a run must still take up (POSTING: the poster decides if it is stranded).
PENDING_STATES: Final = (
    RecordState.RECEIVED,
    RecordState.MAPPED,
    RecordState.FAILED,
    RecordState.POSTING,
)


def time_position(moment: datetime) -> str:
    """A cursor position for an aware datetime that sorts as text: UTC, fixed width.

    ``2026-03-17T09:30:00.000000Z``; the same instant in any offset gives the same position.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(f"cursor position: {moment.isoformat()} has no timezone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def pending_records(ledger: Ledger, kind: str) -> list[LedgerRecord]:
    """The records of ``kind`` a run must take up (not POSTED, not DEAD_LETTERED), oldest first.

    POSTING records are included: posting one again makes the poster take over a stranded
    claim (dead owner, expired lease) or report BUSY for a live one, never post it twice.
    """
    found: list[LedgerRecord] = []
    for state in PENDING_STATES:
        found += ledger.records(kind=kind, state=state)
    found.sort(key=lambda r: (r.created_at, r.source_id))
    return found


__all__ = ["PENDING_STATES", "pending_records", "time_position"]
