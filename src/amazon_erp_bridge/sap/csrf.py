"""SAP's CSRF protection: fetch a token with the session cookies, send it on every change.

SAP Gateway refuses POST, PUT, PATCH, MERGE and DELETE (``$batch`` included) without a valid
``X-CSRF-Token``. The token is fetched with ``X-CSRF-Token: Fetch`` on the service root and is
bound to the session cookies set by that answer, which the shared httpx client keeps. A 403
with ``x-csrf-token: Required`` (or the text "CSRF token validation failed") means the token or
the session expired: the sender fetches a new one once and sends the request again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx2

from amazon_erp_bridge.core.auth import AccessToken, TokenSource
from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.errors import AuthError
from amazon_erp_bridge.sap.errors import is_csrf_rejection

#: Methods that change data and so need the token (MERGE is sent as POST with X-HTTP-Method).
MODIFYING_METHODS = frozenset({"POST", "PUT", "PATCH", "MERGE", "DELETE"})
HEADER = "X-CSRF-Token"


def needs_token(call: Call[Any]) -> bool:
    """True for calls that change data; safe reads and the token fetch itself go without."""
    return call.method in MODIFYING_METHODS


def _read_token(response: httpx2.Response) -> AccessToken:
    token = response.headers.get("x-csrf-token", "")
    if not token or token.lower() in ("required", "fetch", "unsafe"):
        raise AuthError(
            f"SAP sent no X-CSRF-Token when asked at {response.request.url} "
            f"(HTTP {response.status_code}); is this an OData service root?",
            status=response.status_code,
        )
    return AccessToken(token)


def fetch_call(method: str = "GET") -> Call[AccessToken]:
    """The request that fetches a token: the service root with ``X-CSRF-Token: Fetch``."""
    return Call(
        method,
        "",
        parse=_read_token,
        headers={HEADER: "Fetch", "Accept": "application/json"},
        limit_key="sap.csrf",
    )


def csrf_token(*, method: str = "GET", clock: Callable[[], float] = time.time) -> TokenSource:
    """A token source for one OData service: fetched on the first change, renewed on refusal.

    ``method`` is ``GET`` (the service document) or ``HEAD``, for services whose root is slow.
    """
    return TokenSource(
        lambda _previous: fetch_call(method),
        header=HEADER,
        template="{}",
        refresh_margin=0.0,
        clock=clock,
        applies=needs_token,
        rejected=is_csrf_rejection,
    )
