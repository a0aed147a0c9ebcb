"""The base of every typed program facade: run a plan with the client's sender.

A facade method is one line: build the plan (pure, in the program's module) and run it. The
sync and async facades differ only in how they run it.
"""

from __future__ import annotations

from typing import TypeVar

from amazon_erp_bridge.core.sender import AsyncSender, SyncSender
from amazon_erp_bridge.infor.mi import MiContext
from amazon_erp_bridge.infor.plan import Plan, run, run_async

T = TypeVar("T")


class SyncFacade:
    """Holds the client's sender and company context; runs plans blocking."""

    def __init__(self, sender: SyncSender, context: MiContext) -> None:
        self._sender = sender
        self._ctx = context

    def _run(self, plan: Plan[T]) -> T:
        return run(self._sender.send, plan)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(cono={self._ctx.cono!r}, divi={self._ctx.divi!r})"


class AsyncFacade:
    """Holds the client's async sender and company context; runs plans awaiting."""

    def __init__(self, sender: AsyncSender, context: MiContext) -> None:
        self._sender = sender
        self._ctx = context

    async def _run(self, plan: Plan[T]) -> T:
        return await run_async(self._sender.send, plan)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(cono={self._ctx.cono!r}, divi={self._ctx.divi!r})"
