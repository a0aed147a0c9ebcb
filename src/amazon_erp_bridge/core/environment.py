"""Settings and secrets from environment variables (and, optionally, the OS keyring).

The clients' ``from_env()`` constructors read the variable names integration engineers already
set for other tools (python-amazon-sp-api's ``SP_API_REFRESH_TOKEN``, ``LWA_APP_ID``,
``LWA_CLIENT_SECRET``), so one deployment configures both. Every variable that is missing is
named in one :class:`~amazon_erp_bridge.errors.ConfigurationError`, never only the first.
Values are never logged nor put in an error message: only the variable names are.

A secret may instead live in the OS keyring (``pip install 'amazon-erp-bridge[keyring]'``):
give ``keyring_service=`` and each secret variable missing from the environment is looked up
as ``keyring.get_password(keyring_service, VARIABLE_NAME)``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping, Sequence
from typing import Any

from amazon_erp_bridge.errors import ConfigurationError


def keyring_secret(service: str, name: str) -> str | None:
    """The secret stored in the OS keyring for ``(service, name)``, or None when there is none.

    ``keyring`` is an optional dependency, imported only here: without it this raises a
    ConfigurationError saying how to install it.
    """
    try:
        keyring: Any = importlib.import_module("keyring")
    except ImportError:
        raise ConfigurationError(
            f"keyring service {service!r}: the keyring package is not installed "
            "(pip install 'amazon-erp-bridge[keyring]'), so secrets cannot be read from the "
            "OS keyring; set the environment variables instead"
        ) from None
    value = keyring.get_password(service, name)
    return str(value) if value else None


def read_environment(
    what: str,
    required: Sequence[str],
    optional: Sequence[str] = (),
    *,
    secrets: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    keyring_service: str | None = None,
    alternatives: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, str]:
    """The ``required`` and (when set) ``optional`` variables of ``env`` (default os.environ).

    ``what`` names the thing being configured, for the error. ``secrets`` are the names that
    may come from the keyring when ``keyring_service`` is given. ``alternatives`` maps a
    required name to other names accepted for it (the first one set wins). Empty or blank
    values count as missing. Raises ConfigurationError naming every missing variable.
    """
    source = os.environ if env is None else env
    alternatives = alternatives or {}
    found: dict[str, str] = {}
    missing: list[str] = []
    for name in (*required, *optional):
        value = None
        for candidate in (name, *alternatives.get(name, ())):
            text = source.get(candidate, "")
            if text.strip():
                value = text.strip()
                break
        if value is None and keyring_service is not None and name in secrets:
            value = keyring_secret(keyring_service, name)
        if value is not None:
            found[name] = value
        elif name in required:
            other = alternatives.get(name, ())
            missing.append(f"{name} (or {', '.join(other)})" if other else name)
    if missing:
        where = f" or keyring service {keyring_service!r}" if keyring_service else ""
        raise ConfigurationError(
            f"{what} from the environment: missing {', '.join(missing)} "
            f"(set {'it' if len(missing) == 1 else 'them'} in the environment{where})"
        )
    return found


__all__ = ["keyring_secret", "read_environment"]
