"""How the client proves who it is to SAP: a communication user (basic) or OAuth2.

X.509 client certificates are the third way; they are not headers but part of the TLS
connection: pass ``cert=`` to the client.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

import httpx2

from amazon_erp_bridge.core.auth import AccessToken, StaticHeaders, TokenSource, basic_auth
from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.core.redaction import Secret
from amazon_erp_bridge.core.sender import json_body
from amazon_erp_bridge.errors import AuthError


def basic(user: str, password: str | Secret) -> StaticHeaders:
    """HTTP basic authentication for an SAP communication user."""
    secret = password.reveal() if isinstance(password, Secret) else password
    return basic_auth(user, secret)


def _token_parse(token_url: str, clock: Callable[[], float]) -> Callable[[httpx2.Response], Any]:
    def parse(response: httpx2.Response) -> AccessToken:
        if response.status_code != 200:
            try:
                error = json_body(response)
            except ValueError:
                error = None
            if isinstance(error, dict):
                reason = str(error.get("error_description") or error.get("error") or error)
                code = str(error["error"]) if error.get("error") else None
            else:
                reason, code = response.text[:200], None
            raise AuthError(
                f"OAuth token endpoint {token_url} refused the client credentials "
                f"(HTTP {response.status_code}): {reason}",
                status=response.status_code,
                code=code,
            )
        body = json_body(response)
        try:
            value = body["access_token"]
        except (KeyError, TypeError):
            raise AuthError(f"OAuth token endpoint {token_url} sent no access_token") from None
        expires_in = body.get("expires_in")
        expires_at = clock() + float(expires_in) if expires_in is not None else None
        return AccessToken(value, expires_at=expires_at, scope=body.get("scope"))

    return parse


def oauth_client_credentials(
    token_url: str,
    client_id: str,
    client_secret: str | Secret,
    *,
    scope: str | None = None,
    clock: Callable[[], float] = time.time,
) -> TokenSource:
    """OAuth2 client credentials against the tenant's token endpoint (RFC 6749 section 4.4).

    The client authenticates with HTTP basic (``client_id:client_secret``), as SAP's token
    endpoints expect; the bearer token is cached and renewed a minute before it expires.
    """
    secret = client_secret if isinstance(client_secret, Secret) else Secret(client_secret)
    pair = base64.b64encode(f"{client_id}:{secret.reveal()}".encode()).decode("ascii")
    Secret(pair)
    form = {"grant_type": "client_credentials"}
    if scope:
        form["scope"] = scope
    parse = _token_parse(token_url, clock)

    def fetch(_previous: AccessToken | None) -> Call[AccessToken]:
        return Call(
            "POST",
            token_url,
            parse=parse,
            form=form,
            headers={"Authorization": f"Basic {pair}", "Accept": "application/json"},
            authenticated=False,
            idempotent=True,
            ok_statuses=frozenset(range(200, 500)),
            limit_key="sap.oauth.token",
        )

    return TokenSource(fetch, clock=clock)
