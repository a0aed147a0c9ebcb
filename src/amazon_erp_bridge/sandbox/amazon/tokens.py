"""Fake Tokens API 2021-03-01: createRestrictedDataToken."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from amazon_erp_bridge.sandbox.amazon.state import IssuedRdt
from amazon_erp_bridge.sandbox.server import Reply, SandboxRequest

if TYPE_CHECKING:
    from amazon_erp_bridge.sandbox.amazon.app import Caller, FakeSpApi

_METHODS = frozenset({"GET", "PUT", "POST", "DELETE"})


def register(fake: FakeSpApi) -> None:
    """POST /tokens/2021-03-01/restrictedDataToken."""

    @fake.operation(
        "POST", r"/tokens/2021-03-01/restrictedDataToken", "tokens.createRestrictedDataToken"
    )
    def create(req: SandboxRequest, m: re.Match[str], caller: Caller) -> Reply:
        try:
            body: Any = req.json()
            items = body["restrictedResources"]
            resources = frozenset(
                (
                    str(r["method"]).upper(),
                    str(r["path"]),
                    tuple(sorted(r.get("dataElements") or ())),
                )
                for r in items
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return fake.error(400, "InvalidInput", "Invalid Input", "restrictedResources")
        if not resources or len(items) > 50:
            return fake.error(400, "InvalidInput", "Between 1 and 50 restricted resources")
        if any(method not in _METHODS for method, _, _ in resources):
            return fake.error(400, "InvalidInput", "Invalid method in restrictedResources")
        value = fake.token_value("Atz.sprdt|sandbox-")
        fake.state.rdts[value] = IssuedRdt(
            resources, caller.client_id, caller.seller_id, fake.clock() + fake.token_ttl
        )
        return Reply.json({"restrictedDataToken": value, "expiresIn": fake.token_ttl})
