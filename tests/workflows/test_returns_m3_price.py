"""Returns into M3 carry the refunded unit price the mapping computes (OIS390MI AddLine SAPR)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from amazon_erp_bridge.posting import PostStatus

from .test_returns import M3_RETURN, Returns, statuses


@pytest.fixture
def world() -> Returns:
    return Returns()


def test_m3_return_line_carries_the_price_the_mapping_computed(world: Returns) -> None:
    world.o2c_m3()
    report = world.ret_m3()
    assert statuses(report) == {M3_RETURN: PostStatus.CREATED}
    record = world.ledger.get("return.m3", M3_RETURN)
    assert record is not None
    [m3_return] = world.sandbox.ion.state.returns.values()
    [line] = m3_return.lines
    ret = next(r for r in world.sandbox.amazon.state.returns if r.return_id == M3_RETURN)
    # the sandbox refunds the whole order: the SKU's item price per returned unit
    order = world.sandbox.amazon.state.orders[ret.order_id]
    principal = sum(
        (
            line.item_price.amount
            for line in order.lines
            if line.item.seller_sku == ret.seller_sku and line.item_price is not None
        ),
        Decimal(0),
    )
    assert principal > 0
    assert Decimal(line["SAPR"]) == principal / ret.quantity
