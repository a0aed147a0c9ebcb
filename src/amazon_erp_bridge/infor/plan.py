"""Multi-step MI work written once, run by the sync or the async client (sans-IO).

Creating a customer order takes several MI calls, each depending on the last answer. Such work
is a *plan*: a generator that yields :class:`~amazon_erp_bridge.core.call.Call` objects and
receives what each call parsed to (or has the call's exception thrown in at the ``yield``, so
a plan can handle a NOK). :func:`run` drives a plan with a sync sender and :func:`run_async`
with an async sender; the plan itself does no I/O and is testable by feeding it answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from typing import Any, TypeVar

from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.errors import ApiError
from amazon_erp_bridge.infor.mi import MiContext, MiPage, Record
from amazon_erp_bridge.infor.values import FieldValue

T = TypeVar("T")

#: A plan yields calls, is sent their results, and returns T.
Plan = Generator[Call[Any], Any, T]


def run(send: Callable[[Call[Any]], Any], plan: Plan[T]) -> T:
    """Drive ``plan`` to its end with a blocking ``send`` (e.g. ``SyncSender.send``)."""
    try:
        call = next(plan)
        while True:
            try:
                result = send(call)
            except Exception as exc:
                call = plan.throw(exc)
            else:
                call = plan.send(result)
    except StopIteration as stop:
        value: T = stop.value
        return value


async def run_async(send: Callable[[Call[Any]], Awaitable[Any]], plan: Plan[T]) -> T:
    """Drive ``plan`` to its end with an awaitable ``send`` (e.g. ``AsyncSender.send``)."""
    try:
        call = next(plan)
        while True:
            try:
                result = await send(call)
            except Exception as exc:
                call = plan.throw(exc)
            else:
                call = plan.send(result)
    except StopIteration as stop:
        value: T = stop.value
        return value


def single(call: Call[T]) -> Plan[T]:
    """A one-call plan (lets one-call operations share the plan-based facades)."""
    result: T = yield call
    return result


#: Records per page when a plan reads a whole list (M3's own default is 100 per call).
DEFAULT_PAGE_SIZE = 500
#: Pages read at most before a list is taken as endless (a position that never ends).
MAX_PAGES = 10_000


def read_all(
    ctx: MiContext,
    program: str,
    transaction: str,
    record: Mapping[str, FieldValue] | None = None,
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    return_cols: Sequence[str] | None = None,
) -> Plan[list[Record]]:
    """Every record of a list transaction, read page by page with ``positionkey``.

    This replaces ``maxrecs=0`` (everything in one answer), which a long list makes slow and
    big; a position that does not move on is an :class:`~amazon_erp_bridge.errors.ApiError`.
    """
    records: list[Record] = []
    position: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        page: MiPage = yield ctx.page(
            program,
            transaction,
            record,
            page_size=page_size,
            position=position,
            return_cols=return_cols,
        )
        records.extend(page.records)
        if page.next_position is None:
            return records
        if page.next_position in seen:
            break
        seen.add(page.next_position)
        position = page.next_position
    raise ApiError(
        f"M3 {program}/{transaction}: the list did not end after {len(seen)} pages "
        f"(positionkey {position!r} repeats or never ends)",
        status=200,
        service="M3",
        operation=f"{program}/{transaction}",
    )
