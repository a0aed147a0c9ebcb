"""Transfers 2024-06-01 listPayouts: the call, the parse, the sandbox, payouts to settlements."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amazon_erp_bridge.amazon import finances, transfers
from amazon_erp_bridge.amazon.settlement import parse_settlement_report
from amazon_erp_bridge.errors import BridgeError, ValidationError
from amazon_erp_bridge.mapping.payouts import payout_report
from amazon_erp_bridge.model import Money, Settlement
from amazon_erp_bridge.sandbox.server import dump_json

from .spapi_env import NOW, Env

MODEL = (
    Path(__file__).parents[2]
    / "../shared/specs/spapi-models/official/models/finances-api-model/transfers_2024-06-01.json"
)
T0 = datetime(2024, 6, 1, tzinfo=UTC)


def _example() -> dict[str, object]:
    spec = json.loads(MODEL.read_text(), parse_float=Decimal)
    op = spec["paths"]["/finances/transfers/2024-06-01/payouts"]["get"]
    example: dict[str, object] = op["responses"]["200"]["examples"]["application/json"]
    return example


def test_list_payouts_call_follows_the_model() -> None:
    call = transfers.list_payouts(
        marketplace_ids=["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"],
        created_after=T0,
        created_before=datetime(2024, 6, 30, tzinfo=UTC),
        payout_id="11888387941",
        account_type="STANDARD_ORDERS",
        next_token="tok",
    )
    assert (call.method, call.path) == ("GET", "/finances/transfers/2024-06-01/payouts")
    assert call.limit_key == "transfers.listPayouts"
    assert call.params == {
        "marketplaceIds": "ATVPDKIKX0DER,A2EUQ1WTGCTBG2",
        "createdAfter": "2024-06-01T00:00:00Z",
        "createdBefore": "2024-06-30T00:00:00Z",
        "payoutId": "11888387941",
        "accountType": "STANDARD_ORDERS",
        "nextToken": "tok",
    }
    assert transfers.list_payouts().params == {}


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"created_after": datetime(2024, 6, 1)}, "no time zone"),
        ({"created_after": T0, "created_before": T0}, "must be later"),
        ({"payout_id": " "}, "payoutId"),
        ({"marketplace_ids": [""]}, "marketplace_ids"),
    ],
)
def test_bad_payout_arguments_are_named(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        transfers.list_payouts(**kwargs)  # type: ignore[arg-type]


def test_the_official_example_becomes_a_payout_tied_to_its_settlement() -> None:
    page = transfers.list_payouts().parse(httpx2.Response(200, content=dump_json(_example())))
    assert page.next_token == "eyJhbGciOiJIUzI1NiJ9"
    (details,) = page.items
    payout = details.payout
    assert payout.payout_id == "11888387941"
    assert payout.settlement_id == "11888387941"
    assert payout.expected == payout.deposited == Money.of("1250.75", "USD")
    assert payout.deposited_at == datetime(2024, 6, 2, 12, tzinfo=UTC)
    assert payout.initiated_at == T0
    assert (payout.status, payout.account_tail) == ("PAID", "1234")
    assert payout.difference == Money.of("0", "USD")
    assert details.trace_id == "4B03616UONXSAWP"
    assert [s for s, _ in details.status_history] == ["STARTED", "IN_TRANSIT", "PAID"]


def test_a_payout_without_amount_is_zero_in_its_marketplace_currency() -> None:
    body = {
        "payouts": [
            {
                "id": "9",
                "partnerMetadata": {
                    "partnerId": "A",
                    "accountType": "X",
                    "marketplaceId": "A2EUQ1WTGCTBG2",
                },
                "currentStatus": "NO_PAYOUT",
                "statusHistory": [],
            }
        ]
    }
    page = transfers.list_payouts().parse(httpx2.Response(200, content=dump_json(body)))
    assert page.items[0].payout.expected == Money.of("0", "CAD")
    assert page.items[0].payout.deposited is None


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"payouts": [{"currentStatus": "PAID"}]}, "has no id"),
        ({"payouts": [{"id": "1", "currentStatus": "LOST"}]}, "currentStatus"),
        ({"payouts": [{"id": "1", "partnerMetadata": {"marketplaceId": "X"}}]}, "no amount"),
        ({"payouts": {"id": "1"}}, "not a list"),
        ([], "not a JSON object"),
    ],
)
def test_malformed_payouts_are_named(body: object, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        transfers.list_payouts().parse(httpx2.Response(200, content=dump_json(body)))


def _settlements(env: Env) -> dict[str, Settlement]:
    out = {}
    for report in env.fake.reports.settlements():
        assert report.document_id is not None
        s = parse_settlement_report(env.fake.documents.text(report.document_id))
        out[s.settlement_id] = s
    return out


def test_sandbox_payouts_pay_its_settlements() -> None:
    env = Env()
    client = env.client()
    payouts = list(client.transfers.list_payouts())
    settlements = _settlements(env)
    assert payouts and {p.settlement_id for p in payouts} <= set(settlements)
    for p in payouts:
        s = settlements[p.settlement_id or ""]
        assert p.expected == s.total or (s.total.amount <= 0 and p.expected.amount == 0)
        if p.status == "PAID":
            assert p.deposited == p.expected and p.deposited_at is not None
    report = payout_report(
        payouts,
        start=datetime(2026, 1, 1).date(),
        end=NOW.date(),
        settlements=settlements.values(),
    )
    assert all(r.difference.amount == 0 for r in report.rows if r.status == "PAID")
    one = payouts[0]
    assert [p.payout_id for p in client.transfers.list_payouts(payout_id=one.payout_id)] == [
        one.payout_id
    ]
    transactions = list(client.finances.list_transactions(datetime(2026, 2, 25, tzinfo=UTC)))
    named = {t.related("SETTLEMENT_ID") for t in transactions} - {None}
    assert named <= set(settlements)


def test_transfer_transactions_are_the_payouts_of_the_transfers_api() -> None:
    env = Env()
    client = env.client()
    paid = {p.payout_id: p for p in client.transfers.list_payouts() if p.expected.amount > 0}
    moved = list(client.finances.list_payout_transactions(datetime(2026, 2, 25, tzinfo=UTC)))
    assert moved and {p.payout_id for p in moved} == set(paid)
    for p in moved:
        assert (p.expected, p.settlement_id) == (
            paid[p.payout_id].expected,
            paid[p.payout_id].settlement_id,
        )
        assert p.deposited is None  # a transaction knows nothing of the bank


def test_payout_from_transaction_needs_a_transfer() -> None:
    shipment = finances.Transaction(
        transaction_id="T",
        transaction_type="Shipment",
        transaction_status=None,
        posted_date=None,
        total_amount=Money.of("1", "USD"),
    )
    with pytest.raises(ValidationError, match="not a payout"):
        finances.payout_from_transaction(shipment)
    transfer = finances.Transaction(
        transaction_id="T",
        transaction_type="Transfer",
        transaction_status="RELEASED",
        posted_date=None,
        total_amount=None,
    )
    with pytest.raises(ValidationError, match="no totalAmount"):
        finances.payout_from_transaction(transfer)


async def test_async_list_payouts() -> None:
    env = Env()
    client = env.async_client()
    payouts = [p async for p in client.transfers.list_payouts()]
    details = [d async for d in client.transfers.list_payout_details()]
    assert [p.payout_id for p in payouts] == [d.payout.payout_id for d in details]
    moved = [
        p async for p in client.finances.list_payout_transactions(datetime(2026, 2, 25, tzinfo=UTC))
    ]
    assert {p.payout_id for p in moved} <= {p.payout_id for p in payouts}
    await client.aclose()


_value = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**6), 10**6),
        st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**6),
        st.text(max_size=10),
        st.sampled_from(["PAID", "USD", "SETTLEMENT_ID", "2024-06-01T00:00:00Z"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "amount",
                    "currencyCode",
                    "currencyAmount",
                    "statusHistory",
                    "status",
                    "lastUpdatedDate",
                    "relatedIdentifiers",
                    "relatedIdentifierName",
                    "relatedIdentifierValue",
                    "partnerMetadata",
                    "marketplaceId",
                    "period",
                    "startDate",
                    "totalAmount",
                    "breakdowns",
                    "breakdownAmount",
                    "items",
                    "contexts",
                    "postedDate",
                ]
            ),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["payouts", "nextToken", "payload"]), _value, max_size=2))
def test_any_payout_or_transaction_answer_gives_a_page_or_a_bridge_error(body: object) -> None:
    for call in (transfers.list_payouts(), finances.list_transactions(T0)):
        with contextlib.suppress(BridgeError):
            call.parse(httpx2.Response(200, content=dump_json(body)))
