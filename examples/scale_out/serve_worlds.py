"""Serve one sandbox world per seller account and write the ``accounts.json`` workers read.

Each world is a whole sandbox (an Amazon seller with its own orders and settlements, an M3
or an SAP system), served on free loopback ports. Run it, then start workers and fan out::

    python examples/scale_out/serve_worlds.py --accounts 3 --out accounts.json &
    AEB_ACCOUNTS=accounts.json celery -A tasks worker --workdir examples/scale_out -c 2
    AEB_ACCOUNTS=accounts.json python examples/scale_out/fan_out.py
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
from typing import Any

from amazon_erp_bridge.sandbox import Sandbox
from amazon_erp_bridge.sandbox.amazon import FakeSpApi
from amazon_erp_bridge.sandbox.rules import finance, orders
from amazon_erp_bridge.sandbox.sap.fake import PASSWORD, USER


def serve(count: int, *, postgres_dsn: str, redis_url: str) -> tuple[list[Sandbox], dict[str, Any]]:
    """Start ``count`` worlds (alternately M3 and SAP) and the accounts data that points at them."""
    worlds: list[Sandbox] = []
    accounts: list[dict[str, Any]] = []
    for number in range(count):
        seed = 100 + number
        world = Sandbox(seed).start()
        worlds.append(world)
        erp = "m3" if number % 2 == 0 else "sap"
        # The world's rules, applied to the served fakes: seeded orders, GL accounts.
        if erp == "m3":
            orders.order_to_cash_m3_config(world)
            finance.settlement_to_gl_m3_config(world)
        else:
            orders.order_to_cash_sap_config(world)
            finance.settlement_to_gl_sap_config(world)
        url = world.url("amazon") or ""
        accounts.append(
            {
                "name": f"seller{number + 1}",
                "selling_partner_id": f"A{seed:013d}",
                "erp": erp,
                "seed": seed,
                "spapi_endpoint": url,
                "lwa_endpoint": f"{url}/auth/o2/token",
                "client_id": FakeSpApi.CLIENT_ID,
                "client_secret": FakeSpApi.CLIENT_SECRET,
                "refresh_token": FakeSpApi.REFRESH_TOKEN,
                "ionapi": world.ionapi() if erp == "m3" else None,
                "m3_company": world.ion.cono if erp == "m3" else None,
                "m3_division": world.ion.divi if erp == "m3" else None,
                "m3_rate": 200.0,
                "sap_url": world.url("sap") if erp == "sap" else None,
                "sap_user": USER if erp == "sap" else None,
                "sap_password": PASSWORD if erp == "sap" else None,
            }
        )
    data = {"shared": {"postgres_dsn": postgres_dsn, "redis_url": redis_url}, "accounts": accounts}
    return worlds, data


def main(argv: list[str] | None = None) -> int:
    """Serve the worlds until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=3, help="how many seller accounts")
    parser.add_argument("--out", default="accounts.json", help="where to write the accounts")
    parser.add_argument(
        "--postgres", default="postgresql://postgres@127.0.0.1:5432/test", help="ledger DSN"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="limiter URL")
    args = parser.parse_args(argv)
    worlds, data = serve(args.accounts, postgres_dsn=args.postgres, redis_url=args.redis)
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2)
    print(f"serving {len(worlds)} worlds; accounts in {args.out}; Ctrl-C stops", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        signal.pause()
    for world in worlds:
        world.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
