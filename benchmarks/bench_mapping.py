"""Mapping throughput and its growth: orders to M3 and SAP payloads, settlements to journals.

Orders come from the sandbox's seeded order generator (several marketplaces and currencies,
lines with every charge); each is mapped with ``order_to_m3`` (an M3 batch customer order)
and ``order_to_sap`` (an ``A_SalesOrder`` deep-insert body). The journal is built from a
settlement report V2 flat file while streaming it (``settlement_journal_from_lines``, what
the CLI and ``preview_settlement`` do). Each runs at 1x, 10x and 100x its base size and
prints the rate (per second, CPU time of this process) and the rate's ratio to the 1x one:
1.00 means the cost per record does not grow with the input.

Options: ``--orders N`` (base number of orders, default 300), ``--lines N`` (base settlement
lines, default 10,000: the largest run is 1,000,000), ``--sizes 1,10,100``.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from amazon_erp_bridge.errors import BridgeError
from amazon_erp_bridge.mapping import (
    AMAZON_DEFAULT_ACCOUNTS,
    CustomerRules,
    ItemCrosswalk,
    OrderTypeRules,
    SapOrderSettings,
    order_to_m3,
    order_to_sap,
    settlement_journal_from_lines,
)
from amazon_erp_bridge.model import Order, Settlement


def _orders(n: int) -> list[Order]:
    from amazon_erp_bridge.sandbox.amazon.state import make_order

    rng = random.Random(18)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    return [make_order(rng, i, start + timedelta(minutes=i)) for i in range(n)]


def _rules(orders: Sequence[Order]) -> dict[str, Any]:
    skus = sorted(
        {line.item.seller_sku for o in orders for line in o.lines if line.item.seller_sku}
    )
    markets = sorted({o.marketplace_id for o in orders if o.marketplace_id})
    return {
        "customers": CustomerRules(marketplaces={m: f"AMZ{i:03d}" for i, m in enumerate(markets)}),
        "order_types": OrderTypeRules.from_dict(
            {
                "rules": [{"order_type": "FBA", "fulfillment_channel": "AFN", "warehouse": "FBA"}],
                "default": {"order_type": "MFN", "warehouse": "W01"},
            }
        ),
        "items": ItemCrosswalk.from_entries(
            [("seller_sku", sku, f"I{i:06d}") for i, sku in enumerate(skus)], system="ERP item"
        ),
    }


def _cpu(fn: Callable[[], int]) -> tuple[int, float]:
    start = time.process_time()
    count = fn()
    return count, time.process_time() - start


def _print_growth(name: str, unit: str, results: list[tuple[int, int, float]]) -> None:
    base_rate = None
    for factor, count, seconds in results:
        rate = count / seconds if seconds else float("inf")
        base_rate = base_rate or rate
        print(
            f"  {name:28s} {factor:>4d}x {count:>9,} {unit:8s} {seconds:8.2f} s CPU "
            f"{rate:>12,.0f}/s  rate vs 1x {rate / base_rate:.2f}"
        )


def bench_orders(base: int, sizes: Sequence[int]) -> None:
    every = _orders(base * max(sizes))
    rules = _rules(every)
    mappable = []
    for order in every:
        try:
            order_to_m3(order, **rules)
            order_to_sap(order, settings=SAP, **rules)
        except BridgeError:  # orders a mapping refuses (e.g. pending) are left out
            continue
        mappable.append(order)
    m3: list[tuple[int, int, float]] = []
    sap: list[tuple[int, int, float]] = []
    for factor in sizes:
        batch = [mappable[i % len(mappable)] for i in range(base * factor)]
        m3.append((factor, *_cpu(lambda b=batch: sum(1 for o in b if order_to_m3(o, **rules)))))
        sap.append(
            (
                factor,
                *_cpu(lambda b=batch: sum(1 for o in b if order_to_sap(o, settings=SAP, **rules))),
            )
        )
    print(f"orders ({len(mappable)} distinct seeded orders mapped, repeated to size):")
    _print_growth("order_to_m3", "orders", m3)
    _print_growth("order_to_sap", "orders", sap)


SAP = SapOrderSettings(sales_organization="1010", distribution_channel="10", division="00")


def bench_journal(base: int, sizes: Sequence[int]) -> None:
    from amazon_erp_bridge.amazon.settlement import open_settlement_report
    from amazon_erp_bridge.sandbox.amazon.settlement_files import write_large_settlement

    results: list[tuple[int, int, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for factor in sizes:
            path = Path(tmp) / f"settlement-{factor}.txt"
            with path.open("w", encoding="utf-8") as out:
                write_large_settlement(out, base * factor)

            def run(p: Path = path) -> int:
                with open_settlement_report(p) as reader:
                    s = reader.summary
                    header = Settlement(
                        settlement_id=s.settlement_id,
                        start=s.start,
                        end=s.end,
                        total=s.total,
                        deposit_date=s.deposit_date,
                    )
                    settlement_journal_from_lines(header, reader, AMAZON_DEFAULT_ACCOUNTS)
                    return reader.lines_read

            results.append((factor, *_cpu(run)))
            path.unlink()
    print("settlement journal (streamed from the V2 flat file, parse included):")
    _print_growth("settlement_journal_from_lines", "lines", results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--sizes", default="1,10,100")
    args, _ = parser.parse_known_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    bench_orders(args.orders, sizes)
    bench_journal(args.lines, sizes)


if __name__ == "__main__":
    main()
