"""ION API OAuth2: token calls for the grants a ``.ionapi`` file allows, cached by TokenSource.

A service account file uses the password grant: ``username`` is the service account access
key (``saak``) as is, ``password`` the secret key (``sask``), plus the client id and secret.
A backend service file uses the client credentials grant. A refresh token, where the
authorization server issues one, is used before a new grant; if it is refused, a new grant
follows at once. Closing a client revokes its tokens.

The authorization server answers 400/401 for the usual setup mistakes (the app is not a
Backend Service app, the service account was never created or was deleted, a regenerated
secret): the :class:`~amazon_erp_bridge.errors.AuthError` says so.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Awaitable, Callable, Mapping

import httpx2

from amazon_erp_bridge.core.auth import AccessToken, TokenSource
from amazon_erp_bridge.core.call import Call
from amazon_erp_bridge.core.redaction import Secret, get_logger
from amazon_erp_bridge.core.sender import json_body
from amazon_erp_bridge.errors import AuthError, ConfigurationError
from amazon_erp_bridge.infor.ionapi import IonApiConfig, IonApiKind

log = get_logger("amazon_erp_bridge.infor.auth")

#: Token endpoint answers that ``parse`` reads itself, to explain them.
_TOKEN_STATUSES = frozenset({200, 400, 401, 403})

Clock = Callable[[], float]


class RefreshRefusedError(AuthError):
    """The authorization server refused a refresh token; a new grant is the way on."""


def _basic(config: IonApiConfig) -> str:
    pair = f"{config.client_id}:{config.client_secret.reveal()}".encode()
    value = "Basic " + base64.b64encode(pair).decode("ascii")
    Secret(value)  # registers the header value for redaction
    return value


def _oauth_error(response: httpx2.Response) -> tuple[str | None, str]:
    try:
        body = json_body(response)
    except ValueError:
        return None, (response.text or response.reason_phrase or "").strip()[:300]
    if not isinstance(body, Mapping):
        return None, str(body)[:300]
    code = body.get("error")
    description = body.get("error_description") or body.get("message") or ""
    return (str(code) if code else None), str(description).strip()[:300]


def _explain(config: IonApiConfig, grant: str, response: httpx2.Response) -> AuthError:
    code, description = _oauth_error(response)
    status = response.status_code
    said = f"{code}: {description}" if code and description else (code or description or "")
    said = f" ({said})" if said else ""
    if grant == "refresh_token":
        return RefreshRefusedError(
            f"ION API refused the refresh token (HTTP {status}){said}; a new grant is needed",
            status=status,
            code=code,
        )
    causes = [
        "the ION API client in the .ionapi file is not a 'Backend Service' application",
        "the client secret was regenerated after the file was downloaded",
        "the file belongs to another tenant or environment",
    ]
    if config.kind is IonApiKind.SERVICE_ACCOUNT:
        causes.insert(
            1,
            "no service account exists for this app and user (it was never created, or was "
            "deleted or expired): create one in ION API and download a new .ionapi file",
        )
    else:
        causes.insert(
            1,
            "the file has no service account keys (saak/sask) and this app does not allow "
            "the client credentials grant: download credentials with a service account",
        )
    listed = "; ".join(causes)
    return AuthError(
        f"ION API token endpoint {config.token_url} refused the {grant} grant for client "
        f"{config.client_id!r} (HTTP {status}){said}. Usual causes: {listed}. "
        f"File: {config.source}",
        status=status,
        code=code,
    )


def _token_parse(
    config: IonApiConfig, grant: str, clock: Clock
) -> Callable[[httpx2.Response], AccessToken]:
    def parse(response: httpx2.Response) -> AccessToken:
        if response.status_code != 200:
            raise _explain(config, grant, response)
        body = json_body(response)
        if not isinstance(body, Mapping) or not body.get("access_token"):
            raise AuthError(
                f"ION API token endpoint {config.token_url} answered 200 without an "
                "access_token; is 'pu'/'ot' in the .ionapi file the token endpoint?",
                status=200,
            )
        expires_in = body.get("expires_in")
        expires_at = clock() + float(expires_in) if expires_in is not None else None
        refresh = body.get("refresh_token")
        return AccessToken(
            value=str(body["access_token"]),
            expires_at=expires_at,
            refresh_token=str(refresh) if refresh else None,
            scope=str(body["scope"]) if body.get("scope") else None,
        )

    return parse


def _token_call(
    config: IonApiConfig,
    grant: str,
    form: dict[str, str],
    clock: Clock,
    headers: Mapping[str, str] | None = None,
) -> Call[AccessToken]:
    return Call(
        "POST",
        config.token_url,
        parse=_token_parse(config, grant, clock),
        form=form,
        headers=dict(headers or {}),
        limit_key="ion.token",
        idempotent=True,  # asking for a token twice does no harm
        authenticated=False,
        ok_statuses=_TOKEN_STATUSES,
    )


def password_grant(config: IonApiConfig, *, clock: Clock = time.time) -> Call[AccessToken]:
    """The password grant of a service account file (username = ``saak`` as is)."""
    saak, sask = config.service_account_access_key, config.service_account_secret_key
    if saak is None or sask is None:
        raise ConfigurationError(
            f"{config.source}: has no service account keys (saak/sask); it is a backend "
            "service file, use the client credentials grant"
        )
    form = {
        "grant_type": "password",
        "username": saak.reveal(),
        "password": sask.reveal(),
        "client_id": config.client_id,
        "client_secret": config.client_secret.reveal(),
    }
    return _token_call(config, "password", form, clock)


def client_credentials_grant(
    config: IonApiConfig, *, clock: Clock = time.time
) -> Call[AccessToken]:
    """The client credentials grant of a backend service file."""
    form = {
        "grant_type": "client_credentials",
        "client_id": config.client_id,
        "client_secret": config.client_secret.reveal(),
    }
    return _token_call(config, "client_credentials", form, clock)


def refresh_grant(
    config: IonApiConfig, refresh_token: Secret, *, clock: Clock = time.time
) -> Call[AccessToken]:
    """Trade a refresh token for a new access token (client id/secret as HTTP Basic)."""
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token.reveal()}
    return _token_call(
        config, "refresh_token", form, clock, headers={"Authorization": _basic(config)}
    )


def new_grant(config: IonApiConfig, *, clock: Clock = time.time) -> Call[AccessToken]:
    """The grant the file is for: password (service account) or client credentials."""
    if config.kind is IonApiKind.SERVICE_ACCOUNT:
        return password_grant(config, clock=clock)
    return client_credentials_grant(config, clock=clock)


def revoke_call(config: IonApiConfig, token: Secret, hint: str) -> Call[bool]:
    """Revoke ``token`` (``hint``: ``access_token`` or ``refresh_token``); parses to success."""
    if not config.revoke_url:
        raise ConfigurationError(f"{config.source}: has no 'or' (revoke endpoint path)")

    def parse(response: httpx2.Response) -> bool:
        return 200 <= response.status_code < 300

    return Call(
        "POST",
        config.revoke_url,
        parse=parse,
        form={"token": token.reveal(), "token_type_hint": hint},
        headers={"Authorization": _basic(config)},
        limit_key="ion.token",
        idempotent=True,
        authenticated=False,
        ok_statuses=frozenset(range(200, 500)),
    )


class IonTokenSource(TokenSource):
    """ION access tokens: cached, refreshed before expiry, one fetch at a time.

    Uses the refresh token when the server issued one and a new grant otherwise (or when the
    refresh token is refused). :meth:`revoke_calls` lists what closing should revoke.
    """

    def __init__(
        self,
        config: IonApiConfig,
        *,
        clock: Clock = time.time,
        refresh_margin: float = 60.0,
    ) -> None:
        self.config = config
        self._clock = clock
        self._refused: set[Secret] = set()
        #: The newest token issued (with the newest refresh token), for revoking on close.
        self.issued: AccessToken | None = None
        super().__init__(self._fetch_call, clock=clock, refresh_margin=refresh_margin)

    def _fetch_call(self, previous: AccessToken | None) -> Call[AccessToken]:
        refresh = previous.refresh_token if previous is not None else None
        if refresh is not None and refresh not in self._refused:
            log.debug("ION token: refreshing with the refresh token")
            call = refresh_grant(self.config, refresh, clock=self._clock)
        else:
            log.debug("ION token: new %s grant", self.config.kind.grant)
            call = new_grant(self.config, clock=self._clock)
        return call.then(lambda token: self._remember(token, refresh))

    def _remember(self, token: AccessToken, used_refresh: Secret | None) -> AccessToken:
        if token.refresh_token is None and used_refresh is not None:
            token = AccessToken(token.value, token.expires_at, used_refresh, token.scope)
        self.issued = token
        return token

    def _note_refusal(self, exc: RefreshRefusedError) -> None:
        issued = self.issued
        if issued is not None and issued.refresh_token is not None:
            self._refused.add(issued.refresh_token)
        log.debug("ION token: %s", exc.message)

    def token(self, send: Callable[[Call[AccessToken]], AccessToken]) -> AccessToken:
        try:
            return super().token(send)
        except RefreshRefusedError as exc:
            self._note_refusal(exc)
            return super().token(send)

    async def token_async(
        self, send: Callable[[Call[AccessToken]], Awaitable[AccessToken]]
    ) -> AccessToken:
        try:
            return await super().token_async(send)
        except RefreshRefusedError as exc:
            self._note_refusal(exc)
            return await super().token_async(send)

    def revoke_calls(self) -> list[Call[bool]]:
        """Calls that revoke the tokens issued so far (none if the file has no revoke URL)."""
        issued = self.issued
        if issued is None or not self.config.revoke_url:
            return []
        calls = [revoke_call(self.config, issued.value, "access_token")]
        if issued.refresh_token is not None:
            calls.append(revoke_call(self.config, issued.refresh_token, "refresh_token"))
        return calls

    def forget(self) -> None:
        """Drop every token (after revoking them): the next call makes a new grant."""
        issued = self.issued
        if issued is not None and issued.refresh_token is not None:
            self._refused.add(issued.refresh_token)
        self.issued = None
        self.invalidate()

    def __repr__(self) -> str:
        state = "token issued" if self.issued is not None else "no token yet"
        return f"IonTokenSource(client_id={self.config.client_id!r}, {state})"
