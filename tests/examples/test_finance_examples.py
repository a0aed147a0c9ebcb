"""The settlement-to-GL and inventory-sync examples run as scripts and print their reports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


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


@pytest.mark.parametrize("name", ["settlement_to_gl.py", "inventory_sync.py"])
def test_example_starts_by_saying_what_it_shows_and_how_to_use_real_systems(name: str) -> None:
    head = (EXAMPLES / name).read_text(encoding="utf-8")[:2000]
    assert head.startswith('"""') and "What it shows" in head and "real systems" in head


def test_settlement_example_posts_to_m3_and_sap_once() -> None:
    out = run("settlement_to_gl.py")
    first, second = out.split("== second run")
    assert "settlement to GL (m3)\n  settlements\n    4 created" in first
    assert "settlement to GL (sap)\n  settlements\n    6 created" in first
    assert first.count("ties out") == 10 and first.count("items read back agree") == 6
    assert "created" not in second and "duplicate" in second
    assert "ledger: 4 settlements posted to M3, 6 to SAP" in out


def test_inventory_example_sends_changes_only() -> None:
    out = run("inventory_sync.py")
    assert out.count("6 of 6 SKUs changed") == 2  # M3, then SAP in its own sandbox
    assert "6 SKUs unchanged; no feed sent" in out
    assert "1 of 6 SKUs changed: SKU-MUG-01 103 -> 53" in out
    assert "1 of 6 SKUs changed: SKU-BAG-03 0 -> 10" in out
    assert "rejected" in out and " 0 rejected" in out
    assert "'SKU-MUG-01': 53" in out
