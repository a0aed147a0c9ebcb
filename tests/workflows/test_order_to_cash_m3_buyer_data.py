"""Order to cash into M3 with buyer data: the delivery address (OIS100MI AddBatchAddress) and
gift messages (AddBatchText) reach the M3 order; without buyer data neither is sent and the
run says so. The contract recorder checks every MI request against the published metadata."""

from __future__ import annotations

import attrs
import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.mapping import ItemCrosswalk
from amazon_erp_bridge.mapping.addresses import M3_ADDRESS, erp_address
from amazon_erp_bridge.mapping.orders import M3CustomerOrder, M3OrderSettings, order_to_m3
from amazon_erp_bridge.model import Address, OrderStatus
from amazon_erp_bridge.posting import PostStatus
from amazon_erp_bridge.sandbox.infor.state import CustomerOrder
from amazon_erp_bridge.sandbox.rules import orders as rules
from amazon_erp_bridge.workflows.order_to_cash import m3_order_texts
from amazon_erp_bridge.workflows.report import StepReport, WorkflowReport

from .orders_env import World, extra_order

GIFT = "Happy birthday! From the sandbox."


def step(report: WorkflowReport, name: str) -> StepReport:
    return next(s for s in report.steps if s.name == name)


def statuses(report: WorkflowReport) -> dict[str, PostStatus]:
    summary = step(report, "orders").summary
    assert summary is not None
    return {r.source_id: r.status for r in summary.results}


def m3_order(world: World, cuor: str) -> CustomerOrder:
    return next(o for o in world.sandbox.ion.state.orders.values() if o.head["CUOR"] == cuor)


@pytest.fixture
def world() -> World:
    return World()


def with_pii(world: World) -> None:
    world.o2c_m3_config = attrs.evolve(world.o2c_m3_config, include_pii=True)


def test_m3_orders_carry_the_buyer_address_and_gift_messages(world: World) -> None:
    with_pii(world)
    report = world.o2c_m3()
    created = [oid for oid, s in statuses(report).items() if s is PostStatus.CREATED]
    assert created
    amazon = world.amazon_orders(world.o2c_m3_config.marketplaces)
    gifted = 0
    for oid in created:
        order, posted = amazon[oid], m3_order(world, oid)
        assert order.ship_address is not None
        expected = erp_address(order.ship_address, M3_ADDRESS, record=oid)
        assert posted.addresses == {"1": {k: expected.get(k, "") for k in posted.addresses["1"]}}
        assert posted.addresses["1"]["CUNM"] == expected["CUNM"]
        orderable = [line for line in order.lines if line.quantity > 0]
        want = [
            (str(n), line.gift_message)
            for n, line in enumerate(orderable, start=1)
            if line.gift_message
        ]
        texts = [t for t in posted.texts if t["TYPE"] == "2"]
        assert [(t["PONR"], t["PARM"]) for t in texts] == want
        assert all(t["TYTR"] == "2" for t in texts)
        gifted += len(want)
    assert gifted > 0, "the seed has gift messages"
    assert not any("buyer data not read" in n for n in step(report, "orders").notes)


def test_without_buyer_data_no_address_or_text_is_sent_and_the_run_says_so(world: World) -> None:
    report = world.o2c_m3()
    created = [oid for oid, s in statuses(report).items() if s is PostStatus.CREATED]
    assert created
    for oid in created:
        posted = m3_order(world, oid)
        assert posted.addresses == {} and posted.texts == []
    assert any(
        "buyer data not read (include_pii off)" in n and "delivery address" in n
        for n in step(report, "orders").notes
    )


def test_a_temporary_order_resumed_after_a_crash_gets_its_address_and_gift_text(
    world: World,
) -> None:
    with_pii(world)
    address = Address(
        name="Jane Doe", line1="1 Main Street", city="Seattle", state_or_region="WA",
        postal_code="98101", country_code="US",
    )  # fmt: skip
    order = extra_order("111-0000000-0000009", OrderStatus.UNSHIPPED)
    line = attrs.evolve(order.lines[0], gift_message="For you")
    order = attrs.evolve(order, lines=(line,), ship_address=address)
    world.sandbox.amazon.add_order(order)
    world.sandbox.ion.add_temporary_order(
        "AMZUS", order.order_id, [{"ITNO": "TEA05", "ORQT": "2", "CUOR": order.order_id}]
    )
    report = world.o2c_m3()
    assert statuses(report)[order.order_id] is PostStatus.RESUMED
    final = m3_order(world, order.order_id)
    assert final.addresses["1"]["CUA1"] == "1 Main Street"
    assert final.addresses["1"]["PONO"] == "98101"
    # every line was there already: M3 cannot tell which texts were added, so none is re-sent
    assert final.texts == []


def test_a_temporary_order_missing_its_lines_is_resumed_with_the_gift_text(world: World) -> None:
    with_pii(world)
    order = extra_order("111-0000000-0000010", OrderStatus.UNSHIPPED)
    line = attrs.evolve(order.lines[0], gift_message="For you")
    order = attrs.evolve(order, lines=(line,))
    world.sandbox.amazon.add_order(order)
    world.sandbox.ion.add_temporary_order("AMZUS", order.order_id, [])
    report = world.o2c_m3()
    assert statuses(report)[order.order_id] is PostStatus.RESUMED
    final = m3_order(world, order.order_id)
    assert [(t["TYPE"], t["PONR"], t["PARM"]) for t in final.texts] == [("2", "1", "For you")]


# -- the mapping, pure ------------------------------------------------------------------------


def _payload(world: World, **settings: object) -> tuple[M3CustomerOrder, str]:
    amazon = world.amazon_orders(world.o2c_m3_config.marketplaces)
    oid, order = next(
        (oid, o)
        for oid, o in amazon.items()
        if any(line.gift_message for line in o.lines)
        and o.status is not OrderStatus.CANCELED
        and oid != rules.DEAD_LETTER_M3
    )
    config = world.o2c_m3_config
    items = config.items or ItemCrosswalk.from_m3_aliases(
        alias.record for kind in config.alias_kinds for alias in world.m3.items.all_aliases(kind)
    )
    payload = order_to_m3(
        order,
        customers=config.customers,
        order_types=config.order_types,
        items=items,
        settings=attrs.evolve(config.settings, **settings),
    )
    return payload, oid


def test_order_to_m3_maps_gift_messages_to_line_numbers(world: World) -> None:
    payload, _ = _payload(world)
    assert payload.gift_messages
    assert all(message == GIFT for _, message in payload.gift_messages)
    assert all(1 <= n <= len(payload.lines) for n, _ in payload.gift_messages)
    texts = m3_order_texts(payload)
    assert [(t.line, t.kind, t.text) for t in texts] == [
        (n, 2, m) for n, m in payload.gift_messages
    ]


def test_order_to_m3_leaves_gift_messages_out_when_told(world: World) -> None:
    payload, _ = _payload(world, include_gift_messages=False)
    assert payload.gift_messages == ()
    assert m3_order_texts(payload) == []


def test_gift_message_text_must_not_be_blank() -> None:
    payload = M3CustomerOrder(head={}, lines=({},), gift_messages=((1, " "),))
    with pytest.raises(ValidationError, match="order text: expected a non-empty text"):
        m3_order_texts(payload)


def test_default_settings_send_gift_messages() -> None:
    assert M3OrderSettings().include_gift_messages is True
