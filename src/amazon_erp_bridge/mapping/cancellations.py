"""What to do with each ERP order line when Amazon cancels an order that already reached the ERP.

Amazon cancels an order (v0 ``Canceled``, v2026 ``CANCELLED``) after the bridge posted it:
the ERP order must stop too, but only where nothing physical happened yet. The decision per
line is a pure function of the line's state in the ERP, through a rule table you can change:

- **Infor M3**: a line not allocated yet (status below 33) is deleted (OIS100MI
  ``DelLine``); an allocated line, one on a picking list or a partly delivered one has its
  open rest closed (``CloLine``: M3 refuses to delete a line from status 33 on), so the
  warehouse stops and the delivered part stays invoiceable; a line
  delivered or invoiced (66, 77) is *reported*, never touched: the goods are gone and a person
  decides (a return, a refund). Lines already deleted or closed (9x) need nothing.
- **SAP S/4HANA**: an item with no delivery yet (delivery status blank or ``A``) is rejected
  (``SalesDocumentRjcnReason`` set on ``A_SalesOrderItem``, with its ETag); an item partly or
  fully delivered (``B``, ``C``) is reported: SAP refuses to reject an item that has a
  delivery. An item that already carries a rejection reason needs nothing.

Nothing here reads the ERP: the workflows turn what the ERP answered into
:class:`ErpOrderLine` values and ask :func:`m3_cancellation` / :func:`sap_cancellation`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Final

from attrs import field, frozen

from amazon_erp_bridge.errors import ConfigurationError, MappingError
from amazon_erp_bridge.mapping.formats import decimal_text


class LineAction(enum.StrEnum):
    """What the bridge does to one ERP order line of a cancelled Amazon order."""

    #: Remove the line (M3 ``OIS100MI DelLine``): nothing was allocated to a pick yet.
    DELETE = "delete"
    #: Close the line's open rest (M3 ``OIS100MI CloLine``): picking started or part shipped.
    CLOSE = "close"
    #: Reject the item (SAP ``SalesDocumentRjcnReason``): not delivered yet.
    REJECT = "reject"
    #: Delivered (or invoiced): left alone and reported for a person to decide.
    REPORT_DELIVERED = "report delivered"
    #: Already deleted, closed or rejected in the ERP: nothing to do.
    NOTHING = "nothing"


#: The actions that change the ERP.
CHANGES: Final = frozenset({LineAction.DELETE, LineAction.CLOSE, LineAction.REJECT})


def _decimal(value: Decimal | int | str) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@frozen
class ErpOrderLine:
    """One ERP order line as a cancellation (or a return) needs to see it.

    ``line`` is the ERP's line key (M3 ``PONR``, SAP ``SalesOrderItem``), ``suffix`` the M3
    line suffix (``POSX``); ``status`` the ERP's own status text (M3 line ``ORST``, SAP item
    ``DeliveryStatus``); ``delivered`` the quantity already shipped; ``rejection`` the SAP
    rejection reason already on the item.
    """

    line: str
    item: str
    ordered: Decimal = field(converter=_decimal)
    delivered: Decimal = field(default=Decimal(0), converter=_decimal)
    status: str = ""
    suffix: str = "0"
    rejection: str | None = None

    @property
    def open_quantity(self) -> Decimal:
        """What is still to be shipped (never negative)."""
        return max(self.ordered - self.delivered, Decimal(0))


@frozen
class LineDecision:
    """The action for one line and why, in words a person can act on."""

    line: ErpOrderLine
    action: LineAction
    reason: str


@frozen
class CancellationPlan:
    """Every line of one ERP order with its action: what to change, what to report."""

    order_id: str
    document_id: str
    decisions: tuple[LineDecision, ...]

    @property
    def changes(self) -> tuple[LineDecision, ...]:
        """The lines the ERP must change (delete, close or reject), in line order."""
        return tuple(d for d in self.decisions if d.action in CHANGES)

    @property
    def delivered(self) -> tuple[LineDecision, ...]:
        """The lines left alone because goods already left: reported, never touched."""
        return tuple(d for d in self.decisions if d.action is LineAction.REPORT_DELIVERED)

    @property
    def done(self) -> bool:
        """True when the ERP needs no change (every open line is already cancelled)."""
        return not self.changes

    def describe(self) -> str:
        """A one-line summary: ``2 lines to delete, 1 delivered (reported)``."""
        counts: dict[LineAction, int] = {}
        for decision in self.decisions:
            counts[decision.action] = counts.get(decision.action, 0) + 1
        parts = [f"{n} {action.value}" for action, n in counts.items()]
        return ", ".join(parts) or "no lines"

    def report(self) -> list[str]:
        """The delivered lines as report notes (one per line)."""
        return [
            f"order {self.order_id} ({self.document_id}) line {d.line.line} item {d.line.item}: "
            f"{d.reason}; not cancelled, decide in the ERP (return or refund)"
            for d in self.delivered
        ]


# -- Infor M3 ---------------------------------------------------------------------------------


def _m3_actions(value: Mapping[str, LineAction]) -> Mapping[str, LineAction]:
    table = {str(k): LineAction(v) for k, v in value.items()}
    for stage in table:
        if len(stage) != 1 or not stage.isdigit():
            raise ConfigurationError(
                f"M3CancellationRules.by_stage: key {stage!r} must be one digit (the first digit "
                "of the M3 line status, e.g. '2' for 22/23)"
            )
    return MappingProxyType(table)


#: The default M3 rule: by the first digit of the line status (ORST).
M3_LINE_ACTIONS: Final[Mapping[str, LineAction]] = MappingProxyType(
    {
        "0": LineAction.DELETE,  # 05 quotation
        "1": LineAction.DELETE,  # 10 preliminary
        "2": LineAction.DELETE,  # 22/23 registered, not allocated
        "3": LineAction.CLOSE,  # 33 allocated: M3 refuses DelLine, close it
        "4": LineAction.CLOSE,  # 44 on a picking list: close the open rest
        "5": LineAction.CLOSE,  # 55 picked, not delivered yet
        "6": LineAction.REPORT_DELIVERED,  # 66 delivered
        "7": LineAction.REPORT_DELIVERED,  # 77 invoiced
        "9": LineAction.NOTHING,  # 90/99 deleted or closed already
    }
)


@frozen
class M3CancellationRules:
    """The M3 rule as data: the action per first digit of the line status (ORST).

    A partly delivered line (``delivered`` above zero and below ``ordered``) is closed
    whatever its status says, and its delivered part reported.
    """

    by_stage: Mapping[str, LineAction] = field(default=M3_LINE_ACTIONS, converter=_m3_actions)


def m3_line_decision(line: ErpOrderLine, rules: M3CancellationRules) -> LineDecision:
    """The action for one M3 line of a cancelled order (see the module docs for the rule)."""
    status = line.status.strip()
    if len(status) != 2 or not status.isdigit():
        raise MappingError(
            f"M3 order line {line.line}: status (ORST) {line.status!r} is not two digits"
        )
    action = rules.by_stage.get(status[0])
    if action is None:
        raise MappingError(
            f"M3 order line {line.line}: no cancellation rule for status {status}; add "
            f"{status[0]!r} to M3CancellationRules.by_stage"
        )
    if Decimal(0) < line.delivered < line.ordered and action is not LineAction.NOTHING:
        return LineDecision(
            line,
            LineAction.CLOSE,
            f"status {status}, {decimal_text(line.delivered)} of {decimal_text(line.ordered)} "
            "delivered: the open rest is closed, the delivered part reported",
        )
    reasons = {
        LineAction.DELETE: f"status {status}, nothing picked: deleted",
        LineAction.CLOSE: f"status {status}, picking started: the open rest is closed",
        LineAction.REPORT_DELIVERED: f"status {status}: already delivered",
        LineAction.NOTHING: f"status {status}: already deleted or closed",
        LineAction.REJECT: f"status {status}: rejected",
    }
    return LineDecision(line, action, reasons[action])


def m3_cancellation(
    order_id: str,
    orno: str,
    lines: Iterable[ErpOrderLine],
    rules: M3CancellationRules = M3CancellationRules(),
) -> CancellationPlan:
    """The cancellation plan of M3 customer order ``orno`` (Amazon order ``order_id``)."""
    return CancellationPlan(order_id, orno, tuple(m3_line_decision(x, rules) for x in lines))


# -- SAP S/4HANA ------------------------------------------------------------------------------

#: SAP item delivery statuses (DeliveryStatus): blank/A not delivered, B partly, C fully.
SAP_NOT_DELIVERED: Final = frozenset({"", "A"})
SAP_DELIVERED: Final = frozenset({"B", "C"})


@frozen
class SapCancellationRules:
    """The SAP rule as data: the rejection reason to set (SalesDocumentRjcnReason, 2 chars).

    ``10`` is "Unreasonable request" in SAP's standard customizing; most installations add
    their own code (e.g. ``Z1`` "Cancelled by marketplace").
    """

    rejection_reason: str = "10"

    def __attrs_post_init__(self) -> None:
        reason = self.rejection_reason
        if not reason.strip() or len(reason) > 2:
            raise ConfigurationError(
                "SapCancellationRules.rejection_reason: SalesDocumentRjcnReason is 1 to 2 "
                f"characters, got {reason!r}"
            )


def sap_item_decision(line: ErpOrderLine) -> LineDecision:
    """The action for one SAP item of a cancelled order (see the module docs for the rule)."""
    status = line.status.strip()
    if line.rejection:
        return LineDecision(line, LineAction.NOTHING, f"already rejected ({line.rejection})")
    if status in SAP_DELIVERED or line.delivered > 0:
        shown = "fully" if status == "C" else "partly"
        return LineDecision(
            line,
            LineAction.REPORT_DELIVERED,
            f"delivery status {status or '-'}: {shown} delivered, SAP keeps the item",
        )
    if status in SAP_NOT_DELIVERED:
        return LineDecision(line, LineAction.REJECT, "not delivered: rejected")
    raise MappingError(
        f"SAP sales order item {line.line}: delivery status {line.status!r} is not one of "
        "blank, A, B, C"
    )


def sap_cancellation(
    order_id: str, sales_order: str, items: Iterable[ErpOrderLine]
) -> CancellationPlan:
    """The cancellation plan of SAP sales order ``sales_order`` (Amazon order ``order_id``)."""
    return CancellationPlan(order_id, sales_order, tuple(sap_item_decision(x) for x in items))


__all__ = [
    "CHANGES",
    "M3_LINE_ACTIONS",
    "SAP_DELIVERED",
    "SAP_NOT_DELIVERED",
    "CancellationPlan",
    "ErpOrderLine",
    "LineAction",
    "LineDecision",
    "M3CancellationRules",
    "SapCancellationRules",
    "m3_cancellation",
    "m3_line_decision",
    "sap_cancellation",
    "sap_item_decision",
]
