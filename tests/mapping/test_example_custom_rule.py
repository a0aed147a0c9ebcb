"""The user's own mapping rule in examples/custom_mapping_rule.py, tested without a client."""

import importlib.util
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from amazon_erp_bridge.mapping import AMAZON_DEFAULT_ACCOUNTS
from amazon_erp_bridge.model import Money, SettlementLine

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "custom_mapping_rule.py"


def load_example():
    spec = importlib.util.spec_from_file_location("custom_mapping_rule", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


example = load_example()


def principal(marketplace: str | None) -> SettlementLine:
    return SettlementLine(
        "Order", "ItemPrice", "Principal", Money.of("10.00", "EUR"), marketplace_name=marketplace
    )


def test_order_principal_gets_a_marketplace_dimension_on_the_default_account():
    account = example.revenue_by_marketplace(principal("Amazon.de"), AMAZON_DEFAULT_ACCOUNTS)
    assert account.account == "4000"
    assert dict(account.dimensions) == {"marketplace": "amazon.de"}


def test_principal_without_marketplace_is_marked_unknown():
    account = example.revenue_by_marketplace(principal(None), AMAZON_DEFAULT_ACCOUNTS)
    assert dict(account.dimensions) == {"marketplace": "unknown"}


def test_every_other_line_keeps_the_built_in_rule():
    fee = SettlementLine("Order", "ItemFees", "Commission", Money.of("-1.00", "EUR"))
    assert example.revenue_by_marketplace(fee, AMAZON_DEFAULT_ACCOUNTS) == (
        AMAZON_DEFAULT_ACCOUNTS.lookup(fee.key)
    )


def test_the_journal_splits_revenue_per_marketplace_and_still_balances():
    entry = example.journal()
    revenue = {
        ln.dimensions["marketplace"]: ln.amount for ln in entry.lines if ln.account == "4000"
    }
    assert revenue == {
        "amazon.de": Money.of("-49.90", "EUR"),
        "amazon.fr": Money.of("-19.90", "EUR"),
    }
    assert entry.totals_by_currency() == {"EUR": Decimal(0)}
    assert entry.lines[0].amount == Money.of("59.32", "EUR")


def test_the_example_runs_as_a_script():
    result = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.startswith("24601234567 2026-04-17")
    assert "marketplace=amazon.fr" in result.stdout
