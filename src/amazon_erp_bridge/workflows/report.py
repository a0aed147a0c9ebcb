"""What a workflow run did, in a shape people can read and scripts can parse."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from attrs import field, frozen

from amazon_erp_bridge.posting import PostStatus, PostSummary


def _notes(value: Any) -> tuple[str, ...]:
    return tuple(value)


@frozen
class StepReport:
    """One step of a workflow: what was posted (if it posts) and notes worth a person's eye.

    ``notes`` carry facts such as "journal 18906543210 balances; deposit 1847.32 GBP ties
    out" or "3 SKUs changed, feed 50012 DONE".
    """

    name: str
    summary: PostSummary | None = None
    notes: tuple[str, ...] = field(default=(), converter=_notes)
    #: Step-specific JSON-ready data added to :meth:`to_dict` under its own keys, e.g. the
    #: invoices step's ``"invoices"`` list; never one of the standard keys.
    data: Mapping[str, Any] = field(factory=dict)

    @property
    def ok(self) -> bool:
        return self.summary is None or self.summary.ok

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "notes": list(self.notes)}
        if self.summary is not None:
            data["counts"] = {s.value: n for s, n in self.summary.counts().items() if n}
            data["problems"] = [
                {
                    "source_id": r.source_id,
                    "status": r.status.value,
                    "reason": r.reason,
                }
                for r in self.summary.results
                if not r.ok
            ]
            data["documents"] = {
                r.source_id: r.document.document_id
                for r in self.summary.results
                if r.document is not None
            }
        data.update({k: v for k, v in self.data.items() if k not in data})
        return data

    def __str__(self) -> str:
        lines = [f"  {self.name}"]
        if self.summary is not None:
            counts = self.summary.counts()
            shown = ", ".join(f"{n} {s.value.replace('_', ' ')}" for s, n in counts.items() if n)
            lines.append(f"    {shown or 'nothing to do'}")
            for result in self.summary.results:
                if result.status in (PostStatus.DEAD_LETTERED, PostStatus.FAILED):
                    lines.append(
                        f"    ! {result.source_id}: {result.status.value}: {result.reason}"
                    )
        lines += [f"    {note}" for note in self.notes]
        return "\n".join(lines)


def _steps(value: Iterable[StepReport]) -> tuple[StepReport, ...]:
    return tuple(value)


@frozen
class WorkflowReport:
    """A workflow run: its name, the ERP it talked to and its steps in order."""

    workflow: str
    erp: str
    steps: tuple[StepReport, ...] = field(default=(), converter=_steps)

    @property
    def ok(self) -> bool:
        """True when every record of every step reached the ERP (or was already there)."""
        return all(step.ok for step in self.steps)

    def to_dict(self) -> dict[str, Any]:
        return {
            "workflow": self.workflow,
            "erp": self.erp,
            "ok": self.ok,
            "steps": [step.to_dict() for step in self.steps],
        }

    def __str__(self) -> str:
        head = f"{self.workflow} ({self.erp})"
        return "\n".join([head, *(str(step) for step in self.steps)])
