"""Clients configured for the fakes: the one sandbox module (with the world in environment.py)
that may import the real clients, so that the fakes themselves never do.

The fakes (``sandbox.server``, ``sandbox.amazon``, ``sandbox.infor``, ``sandbox.sap``) share no
code with the clients, or a bug both sides shared could never fail a test; an import contract
(``lint-imports``) keeps it so. Tests and examples build their clients here.
"""

from __future__ import annotations

from typing import Any

from amazon_erp_bridge.amazon import AsyncSpApiClient, LwaCredentials, SpApiClient
from amazon_erp_bridge.sandbox.amazon import FakeSpApi


def spapi_credentials(fake: FakeSpApi, **overrides: Any) -> LwaCredentials:
    """The LWA credentials the fake knows (its app and seeded refresh token), with overrides."""
    values: dict[str, Any] = {
        "client_id": fake.CLIENT_ID,
        "client_secret": fake.CLIENT_SECRET,
        "refresh_token": fake.REFRESH_TOKEN,
    }
    values.update(overrides)
    return LwaCredentials(**values)


def _client_kwargs(fake: FakeSpApi, kw: dict[str, Any]) -> dict[str, Any]:
    if "endpoint" not in kw and "http" not in kw:
        kw.setdefault("transport", fake.router.transport())
    kw.setdefault("endpoint", fake.BASE_URL)
    kw.setdefault("lwa_endpoint", f"{kw['endpoint'].rstrip('/')}/auth/o2/token")
    kw.setdefault("clock", fake.clock)
    return kw


def spapi_client(
    fake: FakeSpApi, credentials: LwaCredentials | None = None, **kw: Any
) -> SpApiClient:
    """A sync client talking to ``fake`` in-process (or to ``endpoint=`` if given)."""
    return SpApiClient(credentials or spapi_credentials(fake), **_client_kwargs(fake, kw))


def async_spapi_client(
    fake: FakeSpApi, credentials: LwaCredentials | None = None, **kw: Any
) -> AsyncSpApiClient:
    """An async client talking to ``fake`` in-process (or to ``endpoint=`` if given)."""
    return AsyncSpApiClient(credentials or spapi_credentials(fake), **_client_kwargs(fake, kw))


__all__ = ["async_spapi_client", "spapi_client", "spapi_credentials"]
