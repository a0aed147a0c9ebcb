"""Every Finances v0 event type, built from the official model's schema, read by the table.

For each ``...EventList`` of ``FinancialEvents`` in ``financesV0.json`` the test synthesizes one
event with every field the schema defines (each amount a different figure), reads it, and
checks: the event is dated by its model date field, every amount comes out exactly once
(moving or informational), and the table covers every amount field the model has.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amazon_erp_bridge.amazon.financial_events import (
    EVENT_LISTS,
    Role,
    financial_events,
    table_rows,
)
from amazon_erp_bridge.errors import BridgeError, ValidationError
from amazon_erp_bridge.model import Money

MODEL = (
    Path(__file__).parents[2]
    / "../shared/specs/spapi-models/official/models/finances-api-model/financesV0.json"
)
SPEC = json.loads(MODEL.read_text())
DEFS: dict[str, Any] = SPEC["definitions"]


def _name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _event_definition(list_name: str) -> str:
    prop = DEFS["FinancialEvents"]["properties"][list_name]
    return _name(DEFS[_name(prop["$ref"])]["items"]["$ref"])


MODEL_LISTS = list(DEFS["FinancialEvents"]["properties"])


class _Synth:
    """Builds an instance of a definition with every field set and every amount distinct."""

    def __init__(self) -> None:
        self.amounts = (Decimal(n) / 100 for n in itertools.count(101, 7))
        self.days = itertools.count(1)

    def value(self, schema: dict[str, Any], key: str = "") -> Any:
        if "$ref" in schema:
            name = _name(schema["$ref"])
            if name == "Currency":
                return {"CurrencyCode": "USD", "CurrencyAmount": next(self.amounts)}
            if name == "Date":
                return f"2026-03-{next(self.days) % 28 + 1:02d}T10:00:00.123Z"
            if name == "BigDecimal":
                return next(self.amounts)
            return self.value(DEFS[name], key)
        kind = schema.get("type")
        if kind == "array":
            return [self.value(schema["items"], key)]
        if kind == "object" or "properties" in schema:
            return {k: self.value(v, k) for k, v in schema.get("properties", {}).items()}
        if kind == "integer":
            return 2
        if kind == "string":
            return "2" if "quantity" in key.lower() else f"S-{key}"
        return "S"


def _money(data: Any) -> Iterator[Decimal]:
    if isinstance(data, dict):
        if "CurrencyAmount" in data:
            yield data["CurrencyAmount"]
            return
        for value in data.values():
            yield from _money(value)
    elif isinstance(data, list):
        for value in data:
            yield from _money(value)


def _date_field(definition: str) -> str | None:
    props = DEFS[definition]["properties"]
    dates = [k for k, v in props.items() if _name(v.get("$ref", "")) == "Date"]
    return dates[0] if dates else None


def test_the_table_has_every_event_list_of_the_model() -> None:
    assert set(EVENT_LISTS) == set(MODEL_LISTS)
    for name, spec in EVENT_LISTS.items():
        assert spec.definition == _event_definition(name), name


@pytest.mark.parametrize("list_name", MODEL_LISTS)
def test_event_type_from_the_model_schema(list_name: str) -> None:
    definition = _event_definition(list_name)
    spec = EVENT_LISTS[list_name]
    synth = _Synth()
    event_data = synth.value(DEFS[definition])
    (event,) = financial_events({list_name: [event_data]})
    assert event.event_type == list_name.removesuffix("EventList")

    # Dated by the model's date field, wherever the model has one.
    date_field = _date_field(definition)
    assert spec.date == date_field
    if date_field is None:
        assert event.posted_date is None
    else:
        assert event.posted_date is not None and event.posted_date.tzinfo is not None
        assert event.posted_date.isoformat().startswith(event_data[date_field][:19])

    # Every amount exactly once, moving or informational; nothing invented.
    given = sorted(_money(event_data))
    out = sorted(c.amount.amount for c in (*event.components, *event.informational))
    assert out == given
    assert all(c.amount.currency == "USD" for c in event.components)

    # Moving amounts are exactly the MOVES fields (a TOTAL moves only when alone).
    roles = {path.rsplit(".", 1)[-1]: f.role for path, f in spec.fields()}
    has_parts = any(r is Role.MOVES for r in roles.values())
    assert event.components or not has_parts
    for c in event.informational:
        assert c.type not in roles or roles[c.type] is not Role.MOVES


@pytest.mark.parametrize(
    "list_name",
    [n for n, s in EVENT_LISTS.items() if any(f.role is Role.TOTAL for _, f in s.fields())],
)
def test_a_total_without_its_parts_still_moves(list_name: str) -> None:
    spec = EVENT_LISTS[list_name]
    data: dict[str, Any] = {}
    total = next(f for _, f in spec.fields() if f.role is Role.TOTAL)
    data[total.name] = {"CurrencyCode": "EUR", "CurrencyAmount": Decimal("-7.25")}
    (event,) = financial_events({list_name: [data]})
    assert event.total("EUR") == Money.of("-7.25", "EUR")
    assert event.informational == ()


def test_product_ads_payment_is_counted_once() -> None:
    ads = {
        "postedDate": "2026-03-03T00:00:00Z",
        "transactionType": "charge",
        "invoiceId": "INV-1",
        "baseValue": {"CurrencyCode": "EUR", "CurrencyAmount": Decimal("-100.00")},
        "taxValue": {"CurrencyCode": "EUR", "CurrencyAmount": Decimal("-19.00")},
        "transactionValue": {"CurrencyCode": "EUR", "CurrencyAmount": Decimal("-119.00")},
    }
    (event,) = financial_events({"ProductAdsPaymentEventList": [ads]})
    assert event.total("EUR") == Money.of("-119.00", "EUR")
    assert [c.type for c in event.components] == ["baseValue", "taxValue"]
    assert [c.type for c in event.informational] == ["transactionValue"]


def test_rental_initial_value_is_informational() -> None:
    rental = {
        "AmazonOrderId": "111-1",
        "RentalEventType": "RentalLostItemReimbursement",
        "PostedDate": "2026-03-03T00:00:00Z",
        "RentalInitialValue": {"CurrencyCode": "USD", "CurrencyAmount": Decimal("80.00")},
        "RentalReimbursement": {"CurrencyCode": "USD", "CurrencyAmount": Decimal("45.00")},
    }
    (event,) = financial_events({"RentalTransactionEventList": [rental]})
    assert event.total("USD") == Money.of("45.00", "USD")
    assert event.description == "RentalLostItemReimbursement"
    assert [c.type for c in event.informational] == ["RentalInitialValue"]


def test_service_provider_credit_is_dated_by_its_creation_date() -> None:
    credit = {
        "SellerOrderId": "S-1",
        "TransactionAmount": {"CurrencyCode": "USD", "CurrencyAmount": Decimal("1.50")},
        "TransactionCreationDate": "2020-02-05T13:56:00.363Z",
    }
    (event,) = financial_events({"ServiceProviderCreditEventList": [credit]})
    assert event.posted_date is not None
    assert event.posted_date.isoformat() == "2020-02-05T13:56:00.363000+00:00"


def test_an_unknown_event_list_keeps_every_amount_and_its_date() -> None:
    data = {
        "NewThingDate": "2026-03-04T00:00:00Z",
        "Deep": {"Amount": {"CurrencyCode": "USD", "CurrencyAmount": Decimal("3.10")}},
    }
    (event,) = financial_events({"BrandNewEventList": [data]})
    assert event.total("USD") == Money.of("3.10", "USD")
    assert event.posted_date is not None


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"ShipmentEventList": {"x": 1}}, "ShipmentEventList: expected a list"),
        ({"ShipmentEventList": ["x"]}, "expected an event object"),
        (
            {"AdjustmentEventList": [{"AdjustmentItemList": [{"Quantity": "two"}]}]},
            "Quantity: expected a whole number",
        ),
        (
            {
                "ServiceFeeEventList": [
                    {"FeeList": [{"FeeAmount": {"CurrencyCode": "DOLLARS", "CurrencyAmount": 1}}]}
                ]
            },
            "ServiceFeeEventList event FeeList",
        ),
    ],
)
def test_malformed_events_name_the_list(data: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        financial_events(data)


def test_table_rows_state_every_field_role() -> None:
    rows = list(table_rows())
    assert ("ProductAdsPaymentEventList", "postedDate", "transactionValue", "Fee", "total") in rows
    assert (
        "RentalTransactionEventList",
        "PostedDate",
        "RentalInitialValue",
        "Other",
        "informational",
    ) in rows


def test_the_reference_page_states_the_table() -> None:
    page = (Path(__file__).parents[2] / "docs/reference/financial-events.md").read_text()
    for list_name, date, path, kind, role in table_rows():
        date_cell = date if date == "(none)" else f"`{date}`"
        assert f"| `{list_name}` | {date_cell} | `{path}` | {kind} | {role} |" in page


_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=2, max_value=10**6, min_value=-(10**6)
    ),
    st.text(max_size=12),
    st.sampled_from(["USD", "2026-03-01T00:00:00Z", "not a date"]),
)
_json = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "CurrencyCode",
                    "CurrencyAmount",
                    "PostedDate",
                    "FeeList",
                    "FeeAmount",
                    "FeeType",
                    "ShipmentItemList",
                    "ItemChargeList",
                    "ChargeAmount",
                    "QuantityShipped",
                    "AdjustmentItemList",
                    "Quantity",
                    "TotalAmount",
                    "baseValue",
                ]
            ),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([*MODEL_LISTS[:8], "NewEventList"]), _json, max_size=3))
def test_any_event_payload_gives_events_or_a_bridge_error(data: dict[str, Any]) -> None:
    try:
        events = financial_events(data)
    except BridgeError:
        return
    for event in events:
        for c in event.components:
            assert isinstance(c.amount, Money)
