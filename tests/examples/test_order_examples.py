"""The order-to-cash and MCF examples run as scripts and print their reports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ORDER_EXAMPLES = ["order_to_cash_m3.py", "order_to_cash_sap.py", "mcf_orders.py"]


def run(name: str) -> str:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("name", ORDER_EXAMPLES)
def test_example_starts_by_saying_what_it_shows_and_how_to_use_real_systems(name: str) -> None:
    head = (EXAMPLES / name).read_text(encoding="utf-8")[:2500]
    assert head.startswith('"""') and "What it shows" in head and "real systems" in head


@pytest.mark.parametrize(
    ("name", "erp", "created", "dead", "posted"),
    [
        ("order_to_cash_m3.py", "m3", 12, "114-4040404-0000001", 13),
        ("order_to_cash_sap.py", "sap", 10, "206-4040404-0000002", 11),
    ],
)
def test_order_to_cash_example_dead_letters_replays_and_skips_duplicates(
    name: str, erp: str, created: int, dead: str, posted: int
) -> None:
    out = run(name)
    first, rest = out.split("== fix:")
    replay, second = rest.split("== second run")
    assert f"order-to-cash ({erp})\n  orders\n    {created} created, 1 dead lettered" in first
    assert f"! {dead}: dead_lettered: no payload: ItemNotFoundError" in first
    assert "closest: seller SKU 'SKU-MUG-01'" in first
    assert "invoices read back" in first
    assert "  replay\n    1 created" in replay
    assert "created" not in second and "duplicate" in second
    assert f"ledger: {posted} orders posted to {erp.upper()}, 0 dead-lettered" in out


def test_mcf_example_ships_web_orders_once_from_both_erps() -> None:
    out = run("mcf_orders.py")
    first, second = out.split("== second run")
    assert first.count("  fulfillment orders\n    2 created") == 2
    assert first.count("  tracking\n    2 created") == 2
    assert first.count("shipped UPS 1ZSANDBOX") == 4
    assert "created" not in second
    assert "Amazon holds 4 fulfilment orders" in out
