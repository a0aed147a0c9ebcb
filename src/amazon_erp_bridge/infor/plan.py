"""Multi-step MI work written once, run by the sync or the async client (sans-IO).

Creating a customer order takes several MI calls, each depending on the last answer. Such work
is a *plan*: a generator that yields :class:`~amazon_erp_bridge.core.call.Call` objects and
receives what each call parsed to (or has the call's exception thrown in at the ``yield``, so
a plan can handle a NOK). :func:`run` drives a plan with a sync sender and :func:`run_async`
with an async sender; the plan itself does no I/O and is testable by feeding it answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

from amazon_erp_bridge.core.call import Call

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
