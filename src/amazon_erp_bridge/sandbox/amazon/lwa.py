"""Fake Login with Amazon: refresh-token and client-credentials grants, expiring tokens."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from amazon_erp_bridge.sandbox.amazon.state import IssuedToken
from amazon_erp_bridge.sandbox.amazon.wire import SCOPE_CREDENTIAL_ROTATION, SCOPE_NOTIFICATIONS
from amazon_erp_bridge.sandbox.server import Reply, SandboxRequest

if TYPE_CHECKING:
    from amazon_erp_bridge.sandbox.amazon.app import FakeSpApi

TOKEN_PATH: Final = "/auth/o2/token"
SCOPES: Final = frozenset({SCOPE_NOTIFICATIONS, SCOPE_CREDENTIAL_ROTATION})


def _oauth_error(status: int, error: str, description: str) -> Reply:
    return Reply.json({"error": error, "error_description": description}, status)


def register(fake: FakeSpApi) -> None:
    """POST /auth/o2/token (form-encoded), as api.amazon.com answers it."""

    @fake.router.route("POST", re.escape(TOKEN_PATH))
    def token(req: SandboxRequest, m: re.Match[str]) -> Reply:
        form = req.form()
        state = fake.state
        client_id = form.get("client_id", "")
        if state.clients.get(client_id) != form.get("client_secret") or not client_id:
            return _oauth_error(401, "invalid_client", "Client authentication failed")
        grant = form.get("grant_type")
        expires_at = fake.clock() + fake.token_ttl
        if grant == "refresh_token":
            refresh = form.get("refresh_token", "")
            seller = state.refresh_tokens.get(refresh)
            if seller is None:
                return _oauth_error(
                    400,
                    "invalid_grant",
                    "The request has an invalid grant parameter : refresh_token",
                )
            value = fake.token_value("Atza|sandbox-")
            state.access_tokens[value] = IssuedToken(client_id, seller, None, expires_at)
            return Reply.json(
                {
                    "access_token": value,
                    "refresh_token": refresh,
                    "token_type": "bearer",
                    "expires_in": fake.token_ttl,
                }
            )
        if grant == "client_credentials":
            scope = form.get("scope", "")
            if scope not in SCOPES:
                return _oauth_error(400, "invalid_scope", f"Unknown scope {scope!r}")
            value = fake.token_value("Atc|sandbox-")
            state.access_tokens[value] = IssuedToken(client_id, None, scope, expires_at)
            return Reply.json(
                {
                    "access_token": value,
                    "scope": scope,
                    "token_type": "bearer",
                    "expires_in": fake.token_ttl,
                }
            )
        return _oauth_error(400, "unsupported_grant_type", f"grant_type {grant!r}")
