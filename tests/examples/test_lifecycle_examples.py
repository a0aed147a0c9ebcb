"""The confirm-shipments and returns examples run as scripts and print their reports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LIFECYCLE_EXAMPLES = ["confirm_shipments.py", "returns.py"]


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


@pytest.mark.parametrize("name", LIFECYCLE_EXAMPLES)
def test_example_starts_by_saying_what_it_shows_and_how_to_use_real_systems(name: str) -> None:
    head = (EXAMPLES / name).read_text(encoding="utf-8")[:2500]
    assert head.startswith('"""') and "What it shows" in head and "real systems" in head


def test_confirm_shipments_example_confirms_each_erp_shipment_once() -> None:
    out = run("confirm_shipments.py")
    first, second = out.split("== second run")
    assert first.count("  confirmations\n    1 created") == 2
    assert "UPS 1Z999AA10123456784 confirmed" in first
    assert "DHL JD014600006281234567 confirmed" in first
    assert "created" not in second
    assert "Amazon holds 2 confirmed orders" in out


def test_returns_example_dead_letters_then_posts_each_return_once() -> None:
    out = run("returns.py")
    before, rest = out.split("== first run")
    first, second = rest.split("== second run")
    assert "never reached M3" in before and "1 dead lettered" in before
    assert "1 of 1 dead letters now posted" in first
    assert "-> SAP " in first
    assert "created" not in second
    assert "M3 return orders: " in out
