"""SAP S/4HANA client settings from environment variables.

=================  ==================================================================
``SAP_BASE_URL``   the system, ``https://host:port`` (required)
``SAP_USER``       the communication user (required)
``SAP_PASSWORD``   its password (required; secret; may come from the OS keyring)
``SAP_CLIENT``     the logon client (``sap-client``) of a system with several, e.g. ``100``
=================  ==================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from amazon_erp_bridge.core.environment import read_environment
from amazon_erp_bridge.sap.auth import basic

REQUIRED = ("SAP_BASE_URL", "SAP_USER", "SAP_PASSWORD")
OPTIONAL = ("SAP_CLIENT",)


def sap_settings_from_env(
    env: Mapping[str, str] | None = None,
    *,
    keyring_service: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The base URL and client keyword arguments (basic ``auth``, ``sap_client``) from ``env``.

    Arguments in ``overrides`` win over the environment. Raises ConfigurationError naming
    every missing variable (never a value).
    """
    values = read_environment(
        "SAP connection",
        REQUIRED,
        OPTIONAL,
        secrets=("SAP_PASSWORD",),
        env=env,
        keyring_service=keyring_service,
    )
    kwargs: dict[str, Any] = {"auth": basic(values["SAP_USER"], values["SAP_PASSWORD"])}
    if "SAP_CLIENT" in values:
        kwargs["sap_client"] = values["SAP_CLIENT"]
    kwargs.update(overrides or {})
    return values["SAP_BASE_URL"], kwargs


__all__ = ["sap_settings_from_env"]
