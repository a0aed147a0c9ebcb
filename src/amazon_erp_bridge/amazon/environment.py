"""SP-API client settings from the environment variables python-amazon-sp-api users already set.

=============================  ========================================================
``SP_API_REFRESH_TOKEN``       the seller's LWA refresh token (required; secret)
``LWA_APP_ID``                 the application's LWA client id (required)
``LWA_CLIENT_SECRET``          the application's LWA client secret (required; secret)
``SP_API_REGION``              ``na`` (default), ``eu`` or ``fe``
``SP_API_SELLING_PARTNER_ID``  separates rate-limit buckets of sellers sharing a limiter
``SP_API_ENDPOINT``            another SP-API base URL (the sandbox, a proxy)
``SP_API_LWA_ENDPOINT``        another LWA token URL
=============================  ========================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from amazon_erp_bridge.amazon.lwa import LwaCredentials
from amazon_erp_bridge.core.environment import read_environment

REQUIRED = ("SP_API_REFRESH_TOKEN", "LWA_APP_ID", "LWA_CLIENT_SECRET")
OPTIONAL = ("SP_API_REGION", "SP_API_SELLING_PARTNER_ID", "SP_API_ENDPOINT", "SP_API_LWA_ENDPOINT")
SECRETS = ("SP_API_REFRESH_TOKEN", "LWA_CLIENT_SECRET")

_ARGUMENTS = {
    "SP_API_REGION": "region",
    "SP_API_SELLING_PARTNER_ID": "selling_partner_id",
    "SP_API_ENDPOINT": "endpoint",
    "SP_API_LWA_ENDPOINT": "lwa_endpoint",
}


def spapi_settings_from_env(
    env: Mapping[str, str] | None = None,
    *,
    keyring_service: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> tuple[LwaCredentials, dict[str, Any]]:
    """Credentials and client keyword arguments from ``env`` (default ``os.environ``).

    Arguments in ``overrides`` win over the environment. Raises ConfigurationError naming
    every missing variable (never a value).
    """
    values = read_environment(
        "SP-API credentials",
        REQUIRED,
        OPTIONAL,
        secrets=SECRETS,
        env=env,
        keyring_service=keyring_service,
    )
    credentials = LwaCredentials(
        client_id=values["LWA_APP_ID"],
        client_secret=values["LWA_CLIENT_SECRET"],
        refresh_token=values["SP_API_REFRESH_TOKEN"],
    )
    kwargs: dict[str, Any] = {
        argument: values[name] for name, argument in _ARGUMENTS.items() if name in values
    }
    if "region" in kwargs:
        kwargs["region"] = kwargs["region"].lower()
    kwargs.update(overrides or {})
    return credentials, kwargs


__all__ = ["spapi_settings_from_env"]
