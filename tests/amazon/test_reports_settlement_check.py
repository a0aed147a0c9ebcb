"""download_settlement(check=False) reads a settlement that does not reconcile, by its id."""

from __future__ import annotations

import attrs
import pytest

from amazon_erp_bridge.errors import IntegrityError
from amazon_erp_bridge.model import Money
from amazon_erp_bridge.sandbox.amazon.settlement_files import generate_settlement

from .spapi_env import Env


def _publish_unreconciled(env: Env) -> str:
    settlement = generate_settlement(settlement_id="77700000002", orders=2)
    broken = attrs.evolve(settlement, total=settlement.total + Money.of("0.01", "USD"))
    report = env.fake.reports.add_settlement(broken)
    assert report.document_id
    return report.document_id


def test_unchecked_download_returns_the_settlement_that_does_not_reconcile() -> None:
    env = Env()
    document_id = _publish_unreconciled(env)
    with env.client() as client:
        with pytest.raises(IntegrityError, match="77700000002 does not reconcile"):
            client.reports.download_settlement(document_id)
        settlement = client.reports.download_settlement(document_id, check=False)
    assert settlement.settlement_id == "77700000002"
    assert settlement.total - settlement.lines_total() == Money.of("0.01", "USD")


async def test_async_unchecked_download_returns_it_too() -> None:
    env = Env()
    document_id = _publish_unreconciled(env)
    async with env.async_client() as client:
        settlement = await client.reports.download_settlement(document_id, check=False)
    assert settlement.settlement_id == "77700000002"
