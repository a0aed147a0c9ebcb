"""What a workflow run did, in a shape people can read and scripts can parse."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

from attrs import field, frozen

from amazon_erp_bridge.model.display import dataframe, html_table
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
        """True when every record of the step reached the ERP (or the step posts nothing)."""
        return self.summary is None or self.summary.ok

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: name, notes and, for a posting step, counts, problems and documents."""
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
        """JSON-ready: workflow, ERP, ok and every step (what ``--json`` prints)."""
        return {
            "workflow": self.workflow,
            "erp": self.erp,
            "ok": self.ok,
            "steps": [step.to_dict() for step in self.steps],
        }

    def __str__(self) -> str:
        head = f"{self.workflow} ({self.erp})"
        return "\n".join([head, *(str(step) for step in self.steps)])

    #: The columns of the steps table (notebook) and of :meth:`to_dataframe`.
    STEP_COLUMNS: ClassVar[tuple[str, ...]] = ("step", "outcome", "problems", "notes")
    #: The columns of the problems table: one row per record that did not post.
    PROBLEM_COLUMNS: ClassVar[tuple[str, ...]] = ("step", "source_id", "status", "reason")

    def _step_rows(self) -> Iterator[tuple[object, ...]]:
        for step in self.steps:
            outcome, problems = "-", 0
            if step.summary is not None:
                counts = step.summary.counts()
                outcome = ", ".join(
                    f"{n} {s.value.replace('_', ' ')}" for s, n in counts.items() if n
                )
                outcome = outcome or "nothing to do"
                problems = sum(1 for r in step.summary.results if not r.ok)
            yield (step.name, outcome, problems, "; ".join(step.notes))

    def _problem_rows(self) -> Iterator[tuple[object, ...]]:
        for step in self.steps:
            if step.summary is None:
                continue
            for r in step.summary.results:
                if not r.ok:
                    yield (step.name, r.source_id, r.status.value, r.reason)

    def _repr_html_(self) -> str:
        """A notebook table of the steps, and one of the records that did not post."""
        state = "ok" if self.ok else "NOT ok"
        steps = html_table(
            f"{self.workflow} ({self.erp}): {state}",
            self.STEP_COLUMNS,
            self._step_rows(),
            total=len(self.steps),
        )
        problems = list(self._problem_rows())
        if not problems:
            return steps
        return steps + html_table(
            f"Records that did not post ({len(problems)})",
            self.PROBLEM_COLUMNS,
            problems,
            total=len(problems),
        )

    def to_dataframe(self) -> Any:
        """One row per step (outcome, problem count, notes); needs the pandas extra."""
        return dataframe(self.STEP_COLUMNS, self._step_rows())

    def problems_dataframe(self) -> Any:
        """One row per record that did not post, with its reason; needs the pandas extra."""
        return dataframe(self.PROBLEM_COLUMNS, self._problem_rows(), categories=("status",))
