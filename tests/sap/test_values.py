"""OData literals for URLs and the V2/V4 JSON value forms, both ways."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.sandbox.sap.filters import parse_literal
from amazon_erp_bridge.sap.values import (
    Typed,
    dump_json,
    json_value,
    literal,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_time,
)


@pytest.mark.parametrize(
    ("value", "v2", "v4"),
    [
        ("O'Brien", "'O''Brien'", "'O''Brien'"),
        ("''", "''''''", "''''''"),
        ("", "''", "''"),
        (None, "null", "null"),
        (True, "true", "true"),
        (False, "false", "false"),
        (42, "42", "42"),
        (Decimal("12.30"), "12.30M", "12.30"),
        (Decimal("-0.001"), "-0.001M", "-0.001"),
        (Decimal("1E+3"), "1000M", "1000"),
        (1.5, "1.5d", "1.5"),
        (date(2026, 1, 2), "datetime'2026-01-02T00:00:00'", "2026-01-02"),
        (
            datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            "datetimeoffset'2026-01-02T03:04:05Z'",
            "2026-01-02T03:04:05Z",
        ),
        (
            uuid.UUID("6f9619ff-8b86-d011-b42d-00c04fc964ff"),
            "guid'6f9619ff-8b86-d011-b42d-00c04fc964ff'",
            "6f9619ff-8b86-d011-b42d-00c04fc964ff",
        ),
        (time(12, 30, 5), "time'PT12H30M05S'", "12:30:05"),
        (b"\x0a\x1b", "binary'0A1B'", "binary'Chs='"),
    ],
)
def test_literals_are_spelled_per_version(value: object, v2: str, v4: str) -> None:
    assert literal(value, 2) == v2
    assert literal(value, 4) == v4


def test_naive_datetime_is_a_v2_datetime_literal() -> None:
    assert literal(datetime(2026, 1, 2, 3, 4, 5, 120000)) == "datetime'2026-01-02T03:04:05.120000'"


def test_aware_datetime_is_written_in_utc() -> None:
    berlin = timezone(timedelta(hours=1))
    value = datetime(2026, 1, 2, 3, 4, 5, tzinfo=berlin)
    assert literal(value) == "datetimeoffset'2026-01-02T02:04:05Z'"


def test_typed_chooses_the_edm_type() -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert literal(Typed(moment, "Edm.DateTime")) == "datetime'2026-01-02T03:04:05'"
    assert literal(Typed(7, "Edm.Int64")) == "7L"
    assert literal(Typed("12.5", "Edm.Decimal")) == "12.5M"
    assert literal(Typed("SAP__x", "Edm.Raw")) == "SAP__x"


def test_v4_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValidationError, match="no time zone"):
        literal(datetime(2026, 1, 2), 4)


@pytest.mark.parametrize("value", [object(), [1], {"a": 1}])
def test_unknown_types_are_refused_by_name(value: object) -> None:
    with pytest.raises(ValidationError, match="cannot write a"):
        literal(value)


def test_non_finite_numbers_are_refused() -> None:
    with pytest.raises(ValidationError, match="not a finite"):
        literal(Decimal("NaN"))
    with pytest.raises(ValidationError, match="not a finite"):
        literal(float("inf"))


def test_unknown_version_is_refused() -> None:
    with pytest.raises(ValidationError, match="expected 2 or 4"):
        literal("x", 3)


# ----------------------------------------------------------------------------- JSON values


def test_v2_date_is_read_in_utc() -> None:
    assert parse_datetime("/Date(1767225600000)/") == datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_date("/Date(1767225600000)/") == date(2026, 1, 1)


def test_v2_datetimeoffset_keeps_the_instant_and_shows_the_offset() -> None:
    value = parse_datetime("/Date(1767225600000+0060)/")
    assert value == datetime(2026, 1, 1, tzinfo=UTC)
    assert value.utcoffset() == timedelta(minutes=60)
    assert parse_datetime("/Date(1767225600000+0000)/") == datetime(2026, 1, 1, tzinfo=UTC)


def test_negative_epoch_milliseconds_are_dates_before_1970() -> None:
    assert parse_date("/Date(-86400000)/") == date(1969, 12, 31)


def test_iso_strings_with_seven_fraction_digits_are_read() -> None:
    value = parse_datetime("2026-01-05T10:00:00.1234567Z")
    assert value == datetime(2026, 1, 5, 10, 0, 0, 123456, tzinfo=UTC)
    assert parse_datetime("2026-01-05T10:00:00") == datetime(2026, 1, 5, 10, tzinfo=UTC)


def test_garbage_dates_name_the_field() -> None:
    with pytest.raises(ValidationError, match=r"CreationDate.*neither"):
        parse_datetime("yesterday", what="CreationDate")
    with pytest.raises(ValidationError, match="expected an OData date"):
        parse_datetime(12)


def test_decimals_are_exact() -> None:
    assert parse_decimal("12.300") == Decimal("12.300")
    assert parse_decimal(Decimal("0.1")) + parse_decimal("0.2") == Decimal("0.3")
    assert parse_decimal(3) == Decimal(3)


@pytest.mark.parametrize("value", [0.1, True, "twelve", "NaN", None])
def test_inexact_or_wrong_decimals_are_refused(value: object) -> None:
    with pytest.raises(ValidationError, match="NetAmount"):
        parse_decimal(value, what="NetAmount")


def test_times_are_read_in_both_forms() -> None:
    assert parse_time("PT12H30M05S") == time(12, 30, 5)
    assert parse_time("PT0H0M1.5S") == time(0, 0, 1, 500000)
    assert parse_time("12:30:05") == time(12, 30, 5)
    with pytest.raises(ValidationError, match="PT..H..M..S"):
        parse_time("noon")


def test_payload_values_take_their_v2_json_form() -> None:
    payload = {
        "Qty": Decimal("2.500"),
        "When": date(2026, 1, 1),
        "Stamp": datetime(2026, 1, 1, tzinfo=UTC),
        "Naive": datetime(2026, 1, 1),
        "Nested": {"results": [{"Price": Decimal("1.10")}]},
    }
    assert json_value(payload) == {
        "Qty": "2.500",
        "When": "/Date(1767225600000)/",
        "Stamp": "/Date(1767225600000+0000)/",
        "Naive": "/Date(1767225600000)/",
        "Nested": {"results": [{"Price": "1.10"}]},
    }
    assert json_value({"When": date(2026, 1, 1), "Qty": Decimal("1.0")}, 4) == {
        "When": "2026-01-01",
        "Qty": "1.0",
    }


def test_floats_never_enter_a_payload() -> None:
    with pytest.raises(ValidationError, match="float"):
        dump_json({"RequestedQuantity": 2.5})


# ----------------------------------------------------------------------------- round trip


_values = st.one_of(
    st.text(),
    st.integers(min_value=-(2**31), max_value=2**31),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.booleans(),
    st.none(),
    st.uuids(),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2999, 1, 1)),
    st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2999, 1, 1), timezones=st.just(UTC)
    ),
    st.binary(max_size=16),
)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_every_literal_reads_back_as_the_same_value(value: object) -> None:
    """What the client writes, the fake (written separately) reads back unchanged."""
    assert parse_literal(literal(value)) == value
