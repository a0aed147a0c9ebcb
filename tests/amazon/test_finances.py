"""Finances v0 events and groups, 2024-06-19 transactions, window narrowing, exact amounts."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amazon_erp_bridge.amazon import finances as ops
from amazon_erp_bridge.core.call import Page
from amazon_erp_bridge.errors import ApiError, ValidationError
from amazon_erp_bridge.model import ComponentKind, Money
from amazon_erp_bridge.sandbox.server import dump_json

from .spapi_env import NOW, SEEDED_FROM, Env

RECORDED = Path(__file__).parent / "recorded"
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def recorded(name: str) -> httpx2.Response:
    return httpx2.Response(200, content=(RECORDED / name).read_bytes())


# -- calls ---------------------------------------------------------------------------------


def test_list_financial_events_call() -> None:
    call = ops.list_financial_events(T0, T0 + timedelta(days=1), 100, "tok")
    assert call.path == "/finances/v0/financialEvents"
    assert call.limit_key == "finances.listFinancialEvents"
    assert call.params == {
        "PostedAfter": "2026-03-01T00:00:00Z",
        "PostedBefore": "2026-03-02T00:00:00Z",
        "MaxResultsPerPage": "100",
        "NextToken": "tok",
    }


def test_other_v0_calls() -> None:
    by_group = ops.list_financial_events_by_group_id("G1", T0)
    assert by_group.path == "/finances/v0/financialEventGroups/G1/financialEvents"
    assert by_group.limit_key == "finances.listFinancialEventsByGroupId"
    by_order = ops.list_financial_events_by_order_id("111-1-1", 10)
    assert by_order.path == "/finances/v0/orders/111-1-1/financialEvents"
    assert by_order.params == {"MaxResultsPerPage": "10"}
    groups = ops.list_financial_event_groups(T0, T0 + timedelta(days=30))
    assert groups.params == {
        "FinancialEventGroupStartedAfter": "2026-03-01T00:00:00Z",
        "FinancialEventGroupStartedBefore": "2026-03-31T00:00:00Z",
    }


def test_list_transactions_call() -> None:
    call = ops.list_transactions(
        T0,
        marketplace_id="ATVPDKIKX0DER",
        transaction_status="RELEASED",
        related_identifier_name="ORDER_ID",
        related_identifier_value="114-1",
        next_token="n",
    )
    assert call.path == "/finances/2024-06-19/transactions"
    assert call.limit_key == "finances.listTransactions"
    assert call.params == {
        "postedAfter": "2026-03-01T00:00:00Z",
        "marketplaceId": "ATVPDKIKX0DER",
        "transactionStatus": "RELEASED",
        "relatedIdentifierName": "ORDER_ID",
        "relatedIdentifierValue": "114-1",
        "nextToken": "n",
    }


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: ops.list_financial_events(datetime(2026, 3, 1)), "no time zone"),
        (lambda: ops.list_financial_events(T0, T0), "must be later than"),
        (lambda: ops.list_financial_events(T0, max_results_per_page=0), "1 to 100"),
        (lambda: ops.list_financial_events_by_group_id(""), "event_group_id"),
        (lambda: ops.list_financial_events_by_order_id(" "), "order_id"),
        (lambda: ops.list_transactions(), "give posted_after"),
        (lambda: ops.list_transactions(T0, transaction_status="PAID"), "transaction_status"),
        (lambda: ops.list_transactions(T0, related_identifier_name="ORDER_ID"), "give both"),
        (
            lambda: ops.list_transactions(
                T0, related_identifier_name="SKU", related_identifier_value="x"
            ),
            "related_identifier_name",
        ),
    ],
)
def test_bad_finance_arguments_are_rejected(make: object, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        make()  # type: ignore[operator]


# -- parsing -------------------------------------------------------------------------------


def test_parse_every_event_list() -> None:
    page = ops.list_financial_events(T0).parse(recorded("finances_v0_listFinancialEvents.json"))
    assert page.next_token == "b3JkZXJzLTEyMw"
    kinds = [e.event_type for e in page.items]
    assert kinds == [
        "Shipment",
        "Refund",
        "ServiceFee",
        "Adjustment",
        "Adjustment",
        "ProductAdsPayment",
    ]
    shipment, refund, fee, reimbursement, postage, ads = page.items
    assert shipment.order_id == "114-3941689-8772232"
    assert shipment.posted_date == datetime(2026, 3, 5, 10, 12, 40, 123000, tzinfo=UTC)
    by_type = {c.type: c for c in shipment.components}
    assert by_type["Principal"].amount == Money.of("25.98", "USD")
    assert by_type["Principal"].kind is ComponentKind.CHARGE
    assert by_type["Principal"].seller_sku == "MUG-RED-12OZ"
    assert by_type["Principal"].order_item_id == "68828574383266"
    assert by_type["Principal"].quantity == 2
    assert by_type["Commission"].amount.amount == Decimal("-3.9")
    assert by_type["MarketplaceFacilitatorTax-Principal"].kind is ComponentKind.TAX_WITHHELD
    assert by_type["PromotionMetaDataDefinitionValue"].kind is ComponentKind.PROMOTION
    assert shipment.total("USD") == Money.of("14.39", "USD")
    assert refund.event_type == "Refund"
    assert {c.order_item_id for c in refund.components} == {"52113440921"}
    assert refund.total("USD") == Money.of("-26.84", "USD")
    assert fee.posted_date is None  # ServiceFeeEvent has no PostedDate
    assert fee.description == "Professional seller subscription"
    assert fee.total("USD") == Money.of("-39.99", "USD")
    assert reimbursement.components[0].quantity == 2
    assert reimbursement.components[0].seller_sku == "MUG-RED-12OZ"
    assert postage.components[0].amount == Money.of("-7.35", "USD")
    # transactionValue = baseValue + taxValue: the parts move, the total is informational.
    assert {c.type for c in ads.components} == {"baseValue", "taxValue"}
    assert [c.type for c in ads.informational] == ["transactionValue"]
    assert ads.total("USD") == Money.of("-100.00", "USD")
    assert all(c.kind is ComponentKind.FEE for c in ads.components)


def test_group_events_carry_the_group_id() -> None:
    call = ops.list_financial_events_by_group_id("G-7")
    page = call.parse(recorded("finances_v0_listFinancialEvents.json"))
    assert {e.group_id for e in page.items} == {"G-7"}


def test_parse_event_groups() -> None:
    page = ops.list_financial_event_groups().parse(
        recorded("finances_v0_listFinancialEventGroups.json")
    )
    closed, open_ = page.items
    assert closed.processing_status == "Closed"
    assert closed.original_total == Money.of("1234.56", "USD")
    assert closed.beginning_balance == Money.of("0", "USD")
    assert closed.end == datetime(2026, 3, 15, tzinfo=UTC)
    assert open_.end is None and open_.fund_transfer_date is None


def test_parse_transactions_with_nested_breakdowns() -> None:
    page = ops.list_transactions(T0).parse(recorded("finances_2024_listTransactions.json"))
    assert page.next_token == "dHJhbnNhY3Rpb25zLTI"
    shipment, deferred = page.items
    assert shipment.transaction_id == "KA9XqPyeJ2bTsvmJZ1VOPg"
    assert shipment.related("ORDER_ID") == "114-3941689-8772232"
    assert shipment.marketplace_id == "ATVPDKIKX0DER"
    assert shipment.total_amount == Money.of("15.64", "USD")
    expenses = shipment.breakdowns[1]
    assert expenses.breakdown_type == "Expenses"
    assert expenses.breakdowns[0].breakdowns[1].amount == Money.of("-6.44", "USD")
    leaves = dict(b for top in shipment.breakdowns for b in top.leaves())
    assert leaves[("Expenses", "AmazonFees", "Commission")] == Money.of("-3.90", "USD")
    assert sum(m.amount for m in leaves.values()) == shipment.total_amount.amount
    (item,) = shipment.items
    assert item.related_identifiers == (("ORDER_ADJUSTMENT_ITEM_ID", "68828574383266"),)
    assert item.contexts[0]["sku"] == "MUG-RED-12OZ"
    assert deferred.transaction_status == "DEFERRED" and deferred.items == ()


def test_float_amount_can_never_arrive() -> None:
    body = json.dumps(
        {
            "payload": {
                "FinancialEvents": {
                    "ServiceFeeEventList": [
                        {
                            "FeeList": [
                                {
                                    "FeeType": "X",
                                    "FeeAmount": {"CurrencyCode": "USD", "CurrencyAmount": 0.1},
                                }
                            ]
                        }
                    ]
                }
            }
        }
    ).encode()
    (event,) = ops.list_financial_events(T0).parse(httpx2.Response(200, content=body)).items
    assert event.components[0].amount.amount == Decimal("0.1")
    assert isinstance(event.components[0].amount.amount, Decimal)


def test_bad_currency_names_the_event() -> None:
    body = json.dumps(
        {
            "payload": {
                "FinancialEvents": {
                    "ServiceFeeEventList": [
                        {
                            "FeeList": [
                                {
                                    "FeeType": "X",
                                    "FeeAmount": {"CurrencyCode": "DOLLARS", "CurrencyAmount": 1},
                                }
                            ]
                        }
                    ]
                }
            }
        }
    ).encode()
    with pytest.raises(ValidationError, match="ServiceFeeEventList event FeeList"):
        ops.list_financial_events(T0).parse(httpx2.Response(200, content=body))


amounts = st.decimals(
    min_value=Decimal("-99999999.999999"),
    max_value=Decimal("99999999.999999"),
    places=6,
    allow_nan=False,
    allow_infinity=False,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=8))
def test_decimal_amounts_never_pass_through_float(values: list[Decimal]) -> None:
    fees = [
        {"FeeType": f"F{i}", "FeeAmount": {"CurrencyCode": "EUR", "CurrencyAmount": v}}
        for i, v in enumerate(values)
    ]
    body = dump_json({"payload": {"FinancialEvents": {"ServiceFeeEventList": [{"FeeList": fees}]}}})
    (event,) = ops.list_financial_events(T0).parse(httpx2.Response(200, content=body)).items
    got = [c.amount.amount for c in event.components]
    assert got == values
    assert all(isinstance(v, Decimal) for v in got)
    assert event.total("EUR").amount == sum(values, Decimal(0))


@settings(max_examples=100, deadline=None)
@given(amounts)
def test_transaction_amounts_are_exact(value: Decimal) -> None:
    body = dump_json(
        {
            "payload": {
                "transactions": [{"totalAmount": {"currencyCode": "JPY", "currencyAmount": value}}]
            }
        }
    )
    (t,) = ops.list_transactions(T0).parse(httpx2.Response(200, content=body)).items
    assert t.total_amount is not None and t.total_amount.amount == value


# -- window narrowing (pure) ---------------------------------------------------------------


def _invalid_input() -> ApiError:
    return ApiError("too large", status=400, code="InvalidInput")


def test_window_is_split_after_a_refused_page_and_nothing_is_repeated() -> None:
    from amazon_erp_bridge.model import FinancialEvent

    a, b, c = (FinancialEvent("ServiceFee", description=x) for x in "abc")
    pager = ops.WindowedEvents(T0, T0 + timedelta(days=10), now=lambda: NOW)
    first = pager.next_call()
    assert first is not None and first.params["PostedBefore"] == "2026-03-11T00:00:00Z"
    assert pager.accept(Page((a, b), "t1")) == [a, b]
    pager.failed(_invalid_input())
    assert pager.splits == 1
    left = pager.next_call()
    assert left is not None
    assert (left.params["PostedAfter"], left.params["PostedBefore"]) == (
        "2026-03-01T00:00:00Z",
        "2026-03-06T00:00:00Z",
    )
    assert "NextToken" not in left.params
    assert pager.accept(Page((a,), None)) == []  # already handed out
    right = pager.next_call()
    assert right is not None and right.params["PostedAfter"] == "2026-03-06T00:00:00Z"
    assert pager.accept(Page((b, c), None)) == [c]
    assert pager.next_call() is None


def test_failure_on_a_first_page_is_not_narrowed() -> None:
    pager = ops.WindowedEvents(T0, None, now=lambda: NOW)
    with pytest.raises(ApiError, match="too large"):
        pager.failed(_invalid_input())


def test_other_errors_are_not_narrowed() -> None:
    pager = ops.WindowedEvents(T0, None, now=lambda: NOW)
    pager.accept(Page((), "t"))
    with pytest.raises(ApiError, match="boom"):
        pager.failed(ApiError("boom", status=500, code="InternalFailure"))


def test_narrowing_gives_up_on_a_tiny_window() -> None:
    pager = ops.WindowedEvents(T0, T0 + timedelta(seconds=90), now=lambda: NOW)
    pager.accept(Page((), "t"))
    with pytest.raises(ApiError, match="even after narrowing the window"):
        pager.failed(_invalid_input())


def test_open_window_is_closed_two_minutes_before_now_when_split() -> None:
    pager = ops.WindowedEvents(NOW - timedelta(days=2), None, now=lambda: NOW)
    pager.accept(Page((), "t"))
    pager.failed(_invalid_input())
    pager.next_call()
    pager.accept(Page((), None))
    right = pager.next_call()
    assert right is not None and right.params["PostedBefore"] == "2026-04-14T23:58:00Z"


# -- against the sandbox -------------------------------------------------------------------


def _expected(env: Env) -> Counter[object]:
    return Counter(p.event for p in env.fake.state.events)


def test_list_financial_events_reads_every_page() -> None:
    env = Env()
    events = list(env.client().finances.list_financial_events(SEEDED_FROM))
    assert Counter(events) == _expected(env)
    assert len(env.paths(r"/financialEvents$")) == 3
    assert {e.event_type for e in events} == {"Shipment", "Refund", "ServiceFee", "Adjustment"}
    assert all(e.posted_date is None for e in events if e.event_type == "ServiceFee")


def test_too_large_window_is_narrowed_and_resumed() -> None:
    env = Env()
    env.fake.finance_window_limit = 3 * 86400
    client = env.client()
    events = list(client.finances.list_financial_events(SEEDED_FROM))
    assert Counter(events) == _expected(env)  # each event exactly once
    refused = [r for r in env.fake.router.requests if r.path.endswith("financialEvents")]
    assert len(refused) > 3


def test_sandbox_refuses_a_posted_before_too_close_to_now() -> None:
    env = Env()
    with pytest.raises(ApiError, match="two minutes") as info:
        list(env.client().finances.list_financial_events(SEEDED_FROM, NOW))
    assert info.value.code == "InvalidInput"


def test_event_groups_and_their_events() -> None:
    env = Env()
    client = env.client()
    groups = list(client.finances.list_financial_event_groups(SEEDED_FROM))
    assert [g.group_id for g in groups] == [g.group_id for g in env.fake.state.groups]
    usd = next(g for g in groups if g.original_total and g.original_total.currency == "USD")
    events = list(client.finances.list_financial_events_by_group_id(usd.group_id))
    assert events and {e.group_id for e in events} == {usd.group_id}
    assert Money.total((e.total("USD") for e in events), "USD") == usd.original_total


def test_events_by_order_id() -> None:
    env = Env()
    refunded = next(
        p.event.order_id for p in env.fake.state.events if p.list_name == "RefundEventList"
    )
    assert refunded is not None
    events = list(env.client().finances.list_financial_events_by_order_id(refunded))
    assert [e.event_type for e in events] == ["Shipment", "Refund"]


def test_transactions_from_the_sandbox() -> None:
    env = Env()
    client = env.client()
    everything = list(client.finances.list_transactions(SEEDED_FROM))
    transactions = [t for t in everything if t.transaction_type != "Transfer"]
    assert len(transactions) == len(env.fake.state.events)
    assert all(t.related("TRANSFER_ID") for t in everything if t.transaction_type == "Transfer")
    for t, posted in zip(transactions, env.fake.state.events, strict=True):
        cur = posted.event.components[0].amount.currency
        assert t.total_amount == posted.event.total(cur)
        leaves = [m for top in t.breakdowns for _, m in top.leaves()]
        assert Money.total(leaves, cur) == t.total_amount
    order_id = next(t.related("ORDER_ID") for t in transactions if t.related("ORDER_ID"))
    assert order_id is not None
    by_order = list(
        client.finances.list_transactions(
            related_identifier_name="ORDER_ID", related_identifier_value=order_id
        )
    )
    assert by_order and all(t.related("ORDER_ID") == order_id for t in by_order)
    assert list(client.finances.list_transactions(SEEDED_FROM, transaction_status="DEFERRED")) == []


async def test_async_finances() -> None:
    env = Env()
    env.fake.finance_window_limit = 5 * 86400
    client = env.async_client()
    events = [e async for e in client.finances.list_financial_events(SEEDED_FROM)]
    assert Counter(events) == _expected(env)
    groups = [g async for g in client.finances.list_financial_event_groups()]
    by_group = [
        e async for e in client.finances.list_financial_events_by_group_id(groups[0].group_id)
    ]
    assert all(e.group_id == groups[0].group_id for e in by_group)
    order_id = events[0].order_id or ""
    assert [e async for e in client.finances.list_financial_events_by_order_id(order_id)]
    transactions = [t async for t in client.finances.list_transactions(SEEDED_FROM)]
    assert len([t for t in transactions if t.transaction_type != "Transfer"]) == len(events)
    await client.aclose()


# -- refunds (#13) -----------------------------------------------------------------------------


def _transaction(**over: object) -> ops.Transaction:
    usd = lambda v: Money.of(v, "USD")  # noqa: E731
    fields: dict[str, object] = {
        "transaction_id": "T-1",
        "transaction_type": "Refund",
        "transaction_status": "RELEASED",
        "posted_date": T0,
        "total_amount": usd("-17.00"),
        "related_identifiers": (("ORDER_ID", "114-1"), ("REFUND_ID", "R-9")),
        "breakdowns": (
            ops.Breakdown(
                "ProductCharges",
                usd("-20.00"),
                (ops.Breakdown("Principal", usd("-18.00")), ops.Breakdown("Tax", usd("-2.00"))),
            ),
            ops.Breakdown("AmazonFees", usd("3.00"), (ops.Breakdown("Commission", usd("3.00")),)),
        ),
    }
    fields.update(over)
    return ops.Transaction(**fields)  # type: ignore[arg-type]


def test_refund_event_becomes_a_refund_with_its_charges_and_fees() -> None:
    page = ops.list_financial_events(T0).parse(recorded("finances_v0_listFinancialEvents.json"))
    event = next(e for e in page.items if e.event_type == "Refund")
    refund = ops.refund_from_event(event)
    assert refund.order_id == event.order_id
    assert refund.refund_id == f"{event.order_id}@{event.posted_date.isoformat()}"  # type: ignore[union-attr]
    assert refund.total("USD") == Money.of("-26.84", "USD")
    assert {c.kind for c in refund.components} >= {ComponentKind.CHARGE, ComponentKind.FEE}
    with pytest.raises(ValidationError, match="not a refund"):
        ops.refund_from_event(page.items[0])


def test_refund_transaction_becomes_a_refund_from_its_breakdown_leaves() -> None:
    refund = ops.refund_from_transaction(_transaction())
    assert (refund.refund_id, refund.order_id, refund.adjustment_id) == ("R-9", "114-1", "T-1")
    assert [(c.kind, c.type, c.amount.amount) for c in refund.components] == [
        (ComponentKind.CHARGE, "Principal", Decimal("-18.00")),
        (ComponentKind.CHARGE, "Tax", Decimal("-2.00")),
        (ComponentKind.FEE, "Commission", Decimal("3.00")),
    ]
    assert refund.total("USD") == Money.of("-17.00", "USD")


def test_refund_transaction_whose_breakdowns_do_not_add_up_keeps_its_total() -> None:
    refund = ops.refund_from_transaction(_transaction(total_amount=Money.of("-16.00", "USD")))
    assert [c.type for c in refund.components] == ["totalAmount"]
    assert refund.total("USD") == Money.of("-16.00", "USD")


@pytest.mark.parametrize(
    ("over", "words"),
    [
        ({"transaction_type": "Shipment"}, "not a refund"),
        ({"related_identifiers": ()}, "names no ORDER_ID"),
        ({"related_identifiers": (("ORDER_ID", "1"),), "transaction_id": None}, "neither"),
    ],
)
def test_bad_refund_transactions_are_named(over: dict[str, object], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        ops.refund_from_transaction(_transaction(**over))


def test_list_refunds_from_events_and_from_transactions_agree() -> None:
    env = Env()
    client = env.client()
    expected = {
        p.event.order_id: p.event.total(p.event.components[0].amount.currency)
        for p in env.fake.state.events
        if p.list_name == "RefundEventList"
    }
    assert expected
    for source in ("v0", "2024-06-19"):
        refunds = list(client.finances.list_refunds(SEEDED_FROM, source=source))
        assert {r.order_id: r.total(r.currency or "") for r in refunds} == expected
        assert all(r.posted_date is not None and r.components for r in refunds)
    with pytest.raises(ValidationError, match="source"):
        client.finances.list_refunds(SEEDED_FROM, source="v1")


def test_a_return_without_a_refund_gets_one_in_the_sandbox() -> None:
    env = Env()
    state = env.fake.state
    refunded = {p.event.order_id for p in state.events if p.list_name == "RefundEventList"}
    shipped = next(
        o
        for o in state.orders.values()
        if o.order_id not in refunded and any(p.event.order_id == o.order_id for p in state.events)
    )
    template = state.returns[0]
    state.returns.append(attrs.evolve(template, return_id="RET-NEW", order_id=shipped.order_id))
    refunds = list(env.client().finances.list_refunds(SEEDED_FROM))
    assert shipped.order_id in {r.order_id for r in refunds}


async def test_async_list_refunds() -> None:
    env = Env()
    client = env.async_client()
    v0 = [r async for r in client.finances.list_refunds(SEEDED_FROM)]
    v2024 = [r async for r in client.finances.list_refunds(SEEDED_FROM, source="2024-06-19")]
    assert sorted(r.order_id for r in v0) == sorted(r.order_id for r in v2024)
    assert v0
    with pytest.raises(ValidationError, match="source"):
        client.finances.list_refunds(SEEDED_FROM, source="v1")
    await client.aclose()


def test_transactions_name_their_settlement_and_refund_ids() -> None:
    env = Env()
    transactions = list(env.client().finances.list_transactions(SEEDED_FROM))
    settlement_ids = {
        t.related("SETTLEMENT_ID") for t in transactions if t.related("SETTLEMENT_ID")
    }
    assert settlement_ids
    assert all(t.related("REFUND_ID") for t in transactions if t.transaction_type == "Refund")
