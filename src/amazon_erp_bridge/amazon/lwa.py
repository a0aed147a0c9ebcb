"""Login with Amazon: the access tokens every SP-API call carries in ``x-amz-access-token``.

Two grants: ``refresh_token`` (a seller authorised the application) and grantless
``client_credentials`` with a scope (notifications, credential rotation). The token calls are
pure call builders; :class:`~amazon_erp_bridge.core.auth.TokenSource` caches the tokens and
refreshes them one at a time, and the sender retries once when SP-API refuses an expired token.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Final

import httpx2
from attrs import field, frozen

from amazon_erp_bridge.core.auth import AccessToken, TokenSource
from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.core.redaction import Secret
from amazon_erp_bridge.errors import AuthError, ConfigurationError

#: The header SP-API reads the LWA access token (or a restricted data token) from.
ACCESS_TOKEN_HEADER: Final = "x-amz-access-token"
SCOPE_NOTIFICATIONS: Final = "sellingpartnerapi::notifications"
SCOPE_CREDENTIAL_ROTATION: Final = "sellingpartnerapi::client_credential:rotation"

#: Grantless operations (by limit key) and the LWA scope their token needs. Other API groups add
#: their grantless operations here.
GRANTLESS_SCOPES: dict[str, str] = {
    "notifications.getDestinations": SCOPE_NOTIFICATIONS,
    "notifications.createDestination": SCOPE_NOTIFICATIONS,
    "notifications.getDestination": SCOPE_NOTIFICATIONS,
    "notifications.deleteDestination": SCOPE_NOTIFICATIONS,
    "notifications.getSubscriptionById": SCOPE_NOTIFICATIONS,
    "notifications.deleteSubscriptionById": SCOPE_NOTIFICATIONS,
    "applications.rotateApplicationClientSecret": SCOPE_CREDENTIAL_ROTATION,
}

_TOKEN_STATUSES: Final = frozenset({200, 400, 401, 403})


def _secret(value: str | Secret) -> Secret:
    return value if isinstance(value, Secret) else Secret(value)


def _optional_secret(value: str | Secret | None) -> Secret | None:
    return None if value is None else _secret(value)


def _scopes(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@frozen(repr=False)
class LwaCredentials:
    """An SP-API application's LWA client id and secret, and a seller's refresh token.

    Leave ``refresh_token`` out for an application that only makes grantless calls (then give
    ``scopes``). The secret and the refresh token never appear in ``repr`` or logs.
    """

    client_id: str
    client_secret: Secret = field(converter=_secret)
    refresh_token: Secret | None = field(default=None, converter=_optional_secret)
    scopes: tuple[str, ...] = field(default=(), converter=_scopes)

    def __attrs_post_init__(self) -> None:
        if not self.client_id or not self.client_id.strip():
            raise ConfigurationError("LwaCredentials.client_id: expected the LWA client id")
        if not self.client_secret:
            raise ConfigurationError("LwaCredentials.client_secret: expected the LWA secret")

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, keyring_service: str | None = None
    ) -> LwaCredentials:
        """Read ``LWA_APP_ID``, ``LWA_CLIENT_SECRET`` and ``SP_API_REFRESH_TOKEN``.

        The names python-amazon-sp-api uses; ``env`` defaults to ``os.environ``. With
        ``keyring_service`` the secrets missing from the environment come from the OS keyring.
        Every missing variable is named in one ConfigurationError.
        """
        from amazon_erp_bridge.amazon.environment import spapi_settings_from_env

        credentials, _ = spapi_settings_from_env(env, keyring_service=keyring_service)
        return credentials

    def __repr__(self) -> str:
        token = "***" if self.refresh_token is not None else "None"
        return (
            f"LwaCredentials(client_id={self.client_id!r}, client_secret=***, "
            f"refresh_token={token}, scopes={list(self.scopes)!r})"
        )


def _auth_error(response: httpx2.Response, grant: str) -> AuthError:
    try:
        body = json.loads(response.content) if response.content else {}
    except ValueError:
        body = {}
    if not isinstance(body, Mapping):
        body = {}
    code = str(body.get("error") or "") or None
    description = str(body.get("error_description") or "") or response.reason_phrase
    if code == "invalid_grant":
        hint = (
            "the refresh token was revoked or has expired (or belongs to another application); "
            "ask the selling partner to authorise the application again and use the new "
            "refresh token"
        )
    elif code in ("invalid_client", "unauthorized_client"):
        hint = "check the LWA client id and client secret (they may have been rotated)"
    elif code == "invalid_scope":
        hint = "the grantless scope is not one this application may use"
    else:
        hint = "Login with Amazon refused the request"
    return AuthError(
        f"LWA {grant} token request failed: HTTP {response.status_code} {code or ''}: "
        f"{description}; {hint}",
        status=response.status_code,
        code=code,
    )


def _token_parser(
    grant: str, now: float, scope: str | None
) -> Callable[[httpx2.Response], AccessToken]:
    def parse(response: httpx2.Response) -> AccessToken:
        if response.status_code != 200:
            raise _auth_error(response, grant)
        try:
            body = json.loads(response.content)
            value = body["access_token"]
            expires_in = float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError) as exc:
            raise AuthError(
                f"LWA {grant} token response is unreadable: expected JSON with access_token "
                f"and expires_in ({type(exc).__name__})",
                status=response.status_code,
            ) from None
        if not isinstance(value, str) or not value:
            raise AuthError(f"LWA {grant} token response has an empty access_token")
        refresh = body.get("refresh_token")
        return AccessToken(
            value,
            expires_at=now + expires_in,
            refresh_token=refresh if isinstance(refresh, str) and refresh else None,
            scope=scope,
        )

    return parse


def refresh_token_call(
    credentials: LwaCredentials, token_url: str, now: float
) -> Call[AccessToken]:
    """The LWA call exchanging the seller's refresh token for an access token."""
    if credentials.refresh_token is None:
        raise ConfigurationError(
            "this SP-API operation acts for a selling partner: give "
            "LwaCredentials(refresh_token=...) from the seller's authorisation"
        )
    return Call(
        "POST",
        token_url,
        parse=_token_parser("refresh_token", now, None),
        form={
            "grant_type": "refresh_token",
            "refresh_token": credentials.refresh_token.reveal(),
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret.reveal(),
        },
        authenticated=False,
        idempotent=True,
        ok_statuses=_TOKEN_STATUSES,
    )


def client_credentials_call(
    credentials: LwaCredentials, scope: str, token_url: str, now: float
) -> Call[AccessToken]:
    """The LWA grantless call: an application token for ``scope`` (no seller involved)."""
    return Call(
        "POST",
        token_url,
        parse=_token_parser("client_credentials", now, scope),
        form={
            "grant_type": "client_credentials",
            "scope": scope,
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret.reveal(),
        },
        authenticated=False,
        idempotent=True,
        ok_statuses=_TOKEN_STATUSES,
    )


_REFUSED_TOKEN_WORDS: Final = ("expired", "revoked, malformed or invalid")


def token_refused(response: httpx2.Response) -> bool:
    """True when SP-API refused the LWA access token itself (expired or invalid).

    SP-API answers 403 ``Unauthorized`` for an expired token, with the reason in ``details``.
    A 403 on a call that carried a restricted data token, or a plain "access denied", is not a
    token problem: refreshing would not help, so it is not retried.
    """
    if response.status_code == 401:
        return True
    if response.status_code != 403:
        return False
    try:
        sent = response.request.headers.get(ACCESS_TOKEN_HEADER, "")
    except RuntimeError:
        sent = ""
    if sent.startswith("Atz.sprdt"):
        return False
    text = response.text.lower() if response.content else ""
    return any(word in text for word in _REFUSED_TOKEN_WORDS)


def _is_grantless(call: Call[Any]) -> bool:
    return call.limit_key in GRANTLESS_SCOPES


def seller_token_source(
    credentials: LwaCredentials,
    token_url: str,
    clock: Callable[[], float],
    refresh_margin: float = 60.0,
) -> TokenSource:
    """The cached refresh-token-grant access token, applied to every seller operation."""

    def fetch(previous: AccessToken | None) -> Call[AccessToken]:
        return refresh_token_call(credentials, token_url, clock())

    return TokenSource(
        fetch,
        header=ACCESS_TOKEN_HEADER,
        template="{}",
        refresh_margin=refresh_margin,
        clock=clock,
        applies=lambda call: not _is_grantless(call),
        rejected=token_refused,
    )


def grantless_token_source(
    credentials: LwaCredentials,
    scope: str,
    token_url: str,
    clock: Callable[[], float],
    refresh_margin: float = 60.0,
) -> TokenSource:
    """The cached client-credentials access token for ``scope``, applied to its operations."""

    def fetch(previous: AccessToken | None) -> Call[AccessToken]:
        return client_credentials_call(credentials, scope, token_url, clock())

    return TokenSource(
        fetch,
        header=ACCESS_TOKEN_HEADER,
        template="{}",
        refresh_margin=refresh_margin,
        clock=clock,
        applies=lambda call: GRANTLESS_SCOPES.get(call.limit_key) == scope,
        rejected=token_refused,
    )
