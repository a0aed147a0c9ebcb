"""Sans-IO request descriptions: an API operation is data plus a pure parse function.

Each operation in the library is a function that returns a :class:`Call`. Building a call does
no I/O; the sync and async senders send it; ``parse`` turns the ``httpx2.Response`` (status,
headers, bytes: no I/O either) into model objects or raises a BridgeError.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import httpx2
from attrs import field, frozen

T = TypeVar("T")
U = TypeVar("U")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})

Params = Mapping[str, str | Sequence[str]]


def _upper(method: str) -> str:
    return method.upper()


@frozen
class Call(Generic[T]):
    """One HTTP call: what to send, how to rate-limit it, and how to read the answer.

    ``path`` is appended to the sender's base URL unless it is an absolute URL. ``limit_key``
    names the operation for the rate limiter (``"orders.searchOrders"``). A POST or PATCH is
    retried after a timeout or 5xx only when ``idempotent`` is set: the caller vouches that
    sending it twice is harmless.
    """

    method: str = field(converter=_upper)
    path: str
    parse: Callable[[httpx2.Response], T]
    params: Params = field(factory=dict)
    headers: Mapping[str, str] = field(factory=dict)
    json: Any = None
    content: bytes | None = None
    form: Mapping[str, str] | None = None
    limit_key: str = ""
    idempotent: bool | None = None
    authenticated: bool = True
    ok_statuses: frozenset[int] | None = None
    timeout: float | None = None
    stream: bool = False

    @property
    def is_idempotent(self) -> bool:
        if self.idempotent is not None:
            return self.idempotent
        return self.method in IDEMPOTENT_METHODS

    def accepts(self, status: int) -> bool:
        """True if ``status`` is an answer ``parse`` can read (2xx unless said otherwise)."""
        if self.ok_statuses is not None:
            return status in self.ok_statuses
        return 200 <= status < 300

    def then(self, f: Callable[[T], U]) -> Call[U]:
        """The same call with ``f`` applied to what ``parse`` returns."""
        parse = self.parse

        def composed(response: httpx2.Response) -> U:
            return f(parse(response))

        return Call(
            method=self.method,
            path=self.path,
            parse=composed,
            params=self.params,
            headers=self.headers,
            json=self.json,
            content=self.content,
            form=self.form,
            limit_key=self.limit_key,
            idempotent=self.idempotent,
            authenticated=self.authenticated,
            ok_statuses=self.ok_statuses,
            timeout=self.timeout,
            stream=self.stream,
        )


@frozen
class Page(Generic[T]):
    """One page of a paged answer and the token for the next (None on the last page)."""

    items: tuple[T, ...]
    next_token: str | None = None

    def _repr_html_(self) -> str:
        from amazon_erp_bridge.model.display import html_table

        more = "more pages follow" if self.next_token else "last page"
        rows = ((i, repr(item)) for i, item in enumerate(self.items))
        title = f"Page of {len(self.items)} ({more})"
        return html_table(title, ("#", "item"), rows, total=len(self.items))


#: Builds the call for a page from the previous page's token (None for the first page).
PageCall = Callable[[str | None], Call[Page[T]]]
