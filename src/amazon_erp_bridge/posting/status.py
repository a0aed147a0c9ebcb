"""The ledger at a glance: counts per kind and state, and the dead letters with their reasons.

``ledger_status(ledger)`` returns a small value that prints as text (what ``amazon-erp-bridge
ledger status`` shows), renders as HTML tables in a notebook, converts to JSON-ready dicts
and, with pandas, to DataFrames with typed date columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from attrs import field, frozen

from amazon_erp_bridge.model.display import dataframe, html_table
from amazon_erp_bridge.posting.ledger import LedgerRecord, RecordState

#: The columns of ledger records in tables and frames.
RECORD_COLUMNS = (
    "kind",
    "source_id",
    "state",
    "attempts",
    "created_at",
    "updated_at",
    "erp",
    "document_id",
    "reason",
)


class _Readable(Protocol):
    def records(
        self, *, state: RecordState | None = ..., kind: str | None = ...
    ) -> list[LedgerRecord]: ...

    def counts(self, kind: str | None = None) -> dict[RecordState, int]: ...

    def dead_letters(self, kind: str | None = None) -> list[LedgerRecord]: ...


def _record_row(r: LedgerRecord) -> tuple[object, ...]:
    return (
        r.kind,
        r.source_id,
        r.state.value,
        r.attempts,
        r.created_at,
        r.updated_at,
        r.erp,
        r.document_id,
        r.reason,
    )


def records_dataframe(records: Iterable[LedgerRecord]) -> Any:
    """Ledger records as a pandas DataFrame (``created_at``/``updated_at`` as UTC datetimes)."""
    return dataframe(
        RECORD_COLUMNS, (_record_row(r) for r in records), dates=("created_at", "updated_at")
    )


def records_html(title: str, records: Sequence[LedgerRecord]) -> str:
    """Ledger records as an HTML table (at most 50 rows, the caption says how many in all)."""
    return html_table(title, RECORD_COLUMNS, (_record_row(r) for r in records), len(records))


def _tuple(value: Iterable[LedgerRecord]) -> tuple[LedgerRecord, ...]:
    return tuple(value)


@frozen
class LedgerStatus:
    """Record counts per kind and state, and the dead-lettered records with their reasons."""

    #: kind -> state -> count, states with a zero count left out; kinds sorted.
    counts: dict[str, dict[RecordState, int]]
    #: The dead-lettered records, oldest first.
    dead_letters: tuple[LedgerRecord, ...] = field(default=(), converter=_tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"counts": {kind: {state: n}}, "dead_letters": [...]}``."""
        return {
            "counts": {k: {s.value: n for s, n in c.items()} for k, c in self.counts.items()},
            "dead_letters": [
                {
                    "kind": r.kind,
                    "source_id": r.source_id,
                    "attempts": r.attempts,
                    "updated_at": r.updated_at.isoformat(),
                    "reason": r.reason,
                }
                for r in self.dead_letters
            ],
        }

    def to_dataframe(self) -> Any:
        """One row per kind, one integer column per state; needs the pandas extra."""
        states = [s for s in RecordState if any(s in c for c in self.counts.values())]
        rows = ((k, *(c.get(s, 0) for s in states)) for k, c in self.counts.items())
        return dataframe(("kind", *(s.value for s in states)), rows)

    def dead_letters_dataframe(self) -> Any:
        """The dead letters as a DataFrame (typed dates); needs the pandas extra."""
        return records_dataframe(self.dead_letters)

    def _repr_html_(self) -> str:
        states = [s for s in RecordState if any(s in c for c in self.counts.values())]
        rows = ((k, *(c.get(s, 0) for s in states)) for k, c in self.counts.items())
        counts = html_table(
            "Ledger: records per kind and state",
            ("kind", *(s.value for s in states)),
            rows,
            total=len(self.counts),
        )
        if not self.dead_letters:
            return counts + "<p>No dead-lettered records.</p>"
        return counts + records_html(f"Dead letters ({len(self.dead_letters)})", self.dead_letters)

    def __str__(self) -> str:
        if not self.counts:
            return "no records"
        lines = []
        for kind, counts in self.counts.items():
            shown = ", ".join(f"{n} {s.value.replace('_', ' ')}" for s, n in counts.items())
            lines.append(f"{kind:<18} {shown}")
        for r in self.dead_letters:
            lines.append(f"! {r.kind} {r.source_id} (attempts {r.attempts}): {r.reason}")
        return "\n".join(lines)


def ledger_status(ledger: _Readable, kind: str | None = None) -> LedgerStatus:
    """The counts and dead letters of ``ledger`` (of one ``kind`` if given), read now."""
    kinds = sorted({r.kind for r in ledger.records(kind=kind)})
    counts = {k: {s: n for s, n in ledger.counts(k).items() if n} for k in kinds}
    return LedgerStatus(counts, ledger.dead_letters(kind))


__all__ = ["RECORD_COLUMNS", "LedgerStatus", "ledger_status", "records_dataframe", "records_html"]
