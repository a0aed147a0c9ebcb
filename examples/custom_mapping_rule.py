"""A user's own mapping rule, overriding one built-in decision: which GL account a settlement
line posts to.

The business rule: this seller keeps revenue per marketplace. ItemPrice/Principal on an
Order credits revenue account 4000 (as the default map says), but with a ``marketplace``
dimension so the P&L splits by amazon.co.uk / amazon.de / ... Every other line is left to
the built-in rule. The function has the same signature as the built-in
``settlement_line_account``, so it plugs into ``settlement_to_journal(account_for=...)`` and is
unit-tested without any client (see tests/mapping/test_example_custom_rule.py).

Run it: ``python examples/custom_mapping_rule.py``. With real data, parse a downloaded
settlement report (``amazon_erp_bridge.amazon.settlement.parse_settlement_report(path)``) or
pass ``account_for=revenue_by_marketplace`` wherever your workflow maps settlements.
"""

from __future__ import annotations

from datetime import UTC, datetime

from amazon_erp_bridge.mapping import (
    AMAZON_DEFAULT_ACCOUNTS,
    GlAccount,
    GlAccountMap,
    settlement_line_account,
    settlement_to_journal,
)
from amazon_erp_bridge.model import JournalEntry, Money, Settlement, SettlementLine


def revenue_by_marketplace(line: SettlementLine, accounts: GlAccountMap) -> GlAccount | None:
    """Order principal credits revenue with a marketplace dimension; the rest is built in."""
    account = settlement_line_account(line, accounts)
    if account is None or line.key != ("Order", "ItemPrice", "Principal"):
        return account
    marketplace = (line.marketplace_name or "unknown").lower()
    dimensions = {**account.dimensions, "marketplace": marketplace}
    return GlAccount(account.account, dimensions, account.text)


def example_settlement() -> Settlement:
    """A small EU settlement with orders on two marketplaces and their fees."""

    def eur(amount: str) -> Money:
        return Money.of(amount, "EUR")

    lines = (
        SettlementLine("Order", "ItemPrice", "Principal", eur("49.90"),
                       order_id="302-1111111-1111111", marketplace_name="Amazon.de"),
        SettlementLine("Order", "ItemFees", "Commission", eur("-7.49"),
                       order_id="302-1111111-1111111", marketplace_name="Amazon.de"),
        SettlementLine("Order", "ItemPrice", "Principal", eur("19.90"),
                       order_id="171-2222222-2222222", marketplace_name="Amazon.fr"),
        SettlementLine("Order", "ItemFees", "Commission", eur("-2.99"),
                       order_id="171-2222222-2222222", marketplace_name="Amazon.fr"),
    )  # fmt: skip
    return Settlement(
        settlement_id="24601234567",
        start=datetime(2026, 4, 1, tzinfo=UTC),
        end=datetime(2026, 4, 15, tzinfo=UTC),
        deposit_date=datetime(2026, 4, 17, tzinfo=UTC),
        total=Money.total((ln.amount for ln in lines), "EUR"),
        lines=lines,
    )


def journal() -> JournalEntry:
    return settlement_to_journal(
        example_settlement(), AMAZON_DEFAULT_ACCOUNTS, account_for=revenue_by_marketplace
    )


if __name__ == "__main__":
    entry = journal()
    print(f"{entry.reference} {entry.posting_date} {entry.text}")
    for ln in entry.lines:
        dims = ", ".join(f"{k}={v}" for k, v in ln.dimensions.items())
        print(f"  {ln.account:>6} {ln.amount!s:>12}  {ln.text} {dims}")
