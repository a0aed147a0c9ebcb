"""Order to cash into M3 after a crash keeps every charge (issue 14): an order whose run died
after AddBatchHead, after an AddBatchLine or after some of its AddBatchHeadChg /
AddBatchLineChg is resumed with the charges the batch order does not yet hold, each once, so
the final M3 order carries exactly the charges (and the invoice the total) of an order posted
without a crash.

OIS100MI lists a batch order's lines (LstBatchLine) but no transaction lists its charges
(LstOrderCharge / LstLineCharge read the charges of a *final* order; see
``../shared/specs/m3-reference/m3h5-mi-all.json``): so resume sends every charge when lines
were missing (the crash came before any charge) and, when every line was there, sends each
charge again and takes M3's "already exists" answer as "this one was added before"."""

from __future__ import annotations

from typing import Any

import pytest

from amazon_erp_bridge.posting import PostStatus

from .orders_env import World


def charges_by_order(world: World) -> dict[str, list[tuple[str, str, str]]]:
    """Each final M3 order's charges (line, charge id, amount), by Amazon order id."""
    return {
        order.head["CUOR"]: sorted(
            (c.get("PONR", "").lstrip("0"), c["CRID"], c["CRAM"]) for c in order.charges
        )
        for order in world.sandbox.ion.state.orders.values()
    }


def statuses(world: World, **kw: Any) -> dict[str, PostStatus]:
    report = world.o2c_m3(**kw)
    summary = next(s for s in report.steps if s.name == "orders").summary
    assert summary is not None
    return {r.source_id: r.status for r in summary.results}


@pytest.fixture(scope="module")
def reference() -> dict[str, list[tuple[str, str, str]]]:
    """The charges of every order posted without a crash."""
    world = World()
    world.o2c_m3()
    charged = charges_by_order(world)
    assert any(charged.values()), "the seed orders carry charges"
    assert any(p for v in charged.values() for p, _, _ in v), "and line charges"
    return charged


@pytest.mark.parametrize(
    "transaction",
    ["AddBatchHead", "AddBatchLine", "AddBatchLineChg", "AddBatchHeadChg"],
)
def test_an_order_resumed_after_a_crash_holds_every_charge_once(
    transaction: str, reference: dict[str, list[tuple[str, str, str]]]
) -> None:
    world = World()
    world.sandbox.ion.lose_reply("OIS100MI", transaction)  # M3 did it; the reply is lost
    posted = statuses(world)
    assert PostStatus.RESUMED in posted.values(), transaction
    assert world.m3_open_batches() == []
    assert max(world.m3_orders_by_cuor().values()) == 1
    assert charges_by_order(world) == reference


def test_a_crash_after_every_charge_then_a_lost_confirm_doubles_none(
    reference: dict[str, list[tuple[str, str, str]]],
) -> None:
    world = World()
    world.sandbox.ion.lose_reply("OIS100MI", "AddBatchHeadChg", times=3)
    world.sandbox.ion.lose_reply("OIS100MI", "Confirm")
    statuses(world)
    statuses(world)  # a later run finds what is left
    assert world.m3_open_batches() == []
    assert charges_by_order(world) == reference
