"""Seller accounts for the scale-out recipe: what a worker needs to run one workflow for one.

An agency runs one integration for many seller accounts. Each account here names its Amazon
credentials, its ERP and where the shared ledger and limiter live; a worker turns it into
clients and runs one workflow. Every worker of every machine shares:

- one :class:`~amazon_erp_bridge.posting.PostgresLedger` database, with one PostgreSQL schema
  per account (so cursors and records of different sellers never mix), and
- one :class:`~amazon_erp_bridge.core.RedisRateLimiter`, whose buckets are keyed per selling
  partner + application + operation, as Amazon counts them.

In this recipe every account is a sandbox world (``serve_worlds.py`` serves them and writes
``accounts.json``); for real sellers, fill the same fields from your secrets store (the
refresh token from an environment variable or the keyring, never from the file itself).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from attrs import frozen

from amazon_erp_bridge.amazon import LwaCredentials, SpApiClient
from amazon_erp_bridge.amazon.rates import RATES
from amazon_erp_bridge.core import Rate, RateLimiter, RedisRateLimiter
from amazon_erp_bridge.infor import IonApiConfig, M3Client
from amazon_erp_bridge.posting import PostgresLedger
from amazon_erp_bridge.sap import ODataClient, basic
from amazon_erp_bridge.workflows import (
    WorkflowReport,
    order_to_cash_m3,
    order_to_cash_sap,
    settlement_to_gl_m3,
    settlement_to_gl_sap,
)

#: The workflows a worker runs, by the name a task is given.
WORKFLOWS = ("order-to-cash", "settlement-to-gl")


@frozen
class Account:
    """One seller account: its Amazon app and refresh token, its ERP, its world's seed."""

    name: str
    selling_partner_id: str
    erp: str  # "m3" or "sap"
    spapi_endpoint: str
    lwa_endpoint: str
    client_id: str
    client_secret: str
    refresh_token: str
    ionapi: dict[str, Any] | None = None
    m3_company: str | None = None
    m3_division: str | None = None
    m3_rate: float = 10.0
    sap_url: str | None = None
    sap_user: str | None = None
    sap_password: str | None = None
    seed: int = 7


@frozen
class Shared:
    """Where every worker finds the shared ledger database and the shared limiter."""

    postgres_dsn: str
    redis_url: str
    limiter_prefix: str = "aeb:rl"


def load(path: str | os.PathLike[str]) -> tuple[Shared, dict[str, Account]]:
    """Read ``accounts.json``: ``{"shared": {...}, "accounts": [{...}, ...]}``."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    shared = Shared(**data["shared"])
    accounts = {a["name"]: Account(**a) for a in data["accounts"]}
    return shared, accounts


def ledger_for(shared: Shared, account: Account) -> PostgresLedger:
    """The account's ledger: its own schema in the shared database."""
    return PostgresLedger(shared.postgres_dsn, schema=f"seller_{account.name}")


def limiter_for(shared: Shared) -> RedisRateLimiter:
    """The limiter every worker shares (one token of headroom, as the local default)."""
    return RedisRateLimiter(shared.redis_url, RATES, headroom=1, prefix=shared.limiter_prefix)


def amazon_for(account: Account, limiter: RedisRateLimiter, **kw: Any) -> SpApiClient:
    """The account's SP-API client, drawing from the shared buckets of its selling partner."""
    credentials = LwaCredentials(
        client_id=account.client_id,
        client_secret=account.client_secret,
        refresh_token=account.refresh_token,
    )
    return SpApiClient(
        credentials,
        endpoint=account.spapi_endpoint,
        lwa_endpoint=account.lwa_endpoint,
        selling_partner_id=account.selling_partner_id,
        limiter=limiter,
        **kw,
    )


def run(
    shared: Shared,
    account: Account,
    workflow: str,
    *,
    poster_options: dict[str, Any] | None = None,
    **client_options: Any,
) -> WorkflowReport:
    """Run ``workflow`` once for ``account`` with the shared ledger and limiter."""
    # The sandbox world's rules stand in for the account's own configuration data.
    from amazon_erp_bridge.sandbox import Sandbox
    from amazon_erp_bridge.sandbox.rules import finance, orders

    if workflow not in WORKFLOWS:
        raise ValueError(f"unknown workflow {workflow!r}; one of {', '.join(WORKFLOWS)}")
    world = Sandbox(account.seed)  # not served: only its deterministic rules are read
    limiter = limiter_for(shared)
    ledger = ledger_for(shared, account)
    amazon = amazon_for(account, limiter, **client_options)
    try:
        if account.erp == "m3":
            m3 = M3Client(
                IonApiConfig.from_dict(account.ionapi or {}, source=account.name),
                cono=account.m3_company,
                divi=account.m3_division,
                limiter=RateLimiter(default=Rate(account.m3_rate, max(1, int(account.m3_rate)))),
            )
            with m3:
                if workflow == "order-to-cash":
                    config = orders.order_to_cash_m3_config(world)
                    return order_to_cash_m3(
                        amazon, m3, ledger, config, poster_options=poster_options
                    )
                gl = finance.settlement_to_gl_m3_config(world)
                return settlement_to_gl_m3(amazon, m3, ledger, gl, poster_options=poster_options)
        sap = ODataClient(
            account.sap_url or "", auth=basic(account.sap_user or "", account.sap_password or "")
        )
        with sap:
            if workflow == "order-to-cash":
                sap_config = orders.order_to_cash_sap_config(world)
                return order_to_cash_sap(
                    amazon, sap, ledger, sap_config, poster_options=poster_options
                )
            sap_gl = finance.settlement_to_gl_sap_config(world)
            return settlement_to_gl_sap(amazon, sap, ledger, sap_gl, poster_options=poster_options)
    finally:
        amazon.close()
        ledger.close()
        limiter.close()
