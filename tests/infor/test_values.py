from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.infor import m3_date, m3_decimal, to_m3_date, to_m3_decimal
from amazon_erp_bridge.infor.values import to_m3, to_m3_record


def test_m3_dates_read_and_write():
    assert m3_date("20260317") == date(2026, 3, 17)
    assert m3_date("") is None
    assert m3_date("00000000") is None
    assert to_m3_date(date(2026, 1, 5)) == "20260105"


@pytest.mark.parametrize(("text", "words"), [("2026-03-17", "YYYYMMDD"), ("20260231", "calendar")])
def test_bad_m3_dates_name_the_field(text, words):
    with pytest.raises(ValidationError, match=rf"CUDT: .*{words}"):
        m3_date(text, field="CUDT")


def test_datetime_is_refused_for_a_date_field():
    with pytest.raises(ValidationError, match="pass value.date()"):
        to_m3_date(datetime(2026, 3, 17, 12))


@given(st.dates())
def test_dates_round_trip(d):
    assert m3_date(to_m3_date(d)) == d


def test_decimals_are_exact_both_ways():
    assert m3_decimal("12.50") == Decimal("12.50")
    assert m3_decimal("  -0.01") == Decimal("-0.01")
    assert m3_decimal("12.50-") == Decimal("-12.50")
    assert m3_decimal("") is None
    assert to_m3_decimal(Decimal("1E+2")) == "100"
    assert to_m3_decimal(Decimal("0.10")) == "0.10"


@given(st.decimals(allow_nan=False, allow_infinity=False, places=4))
def test_decimals_round_trip(value):
    assert m3_decimal(to_m3_decimal(value)) == value


def test_bad_numbers_and_floats_are_refused():
    with pytest.raises(ValidationError, match="ORQT: expected a decimal number, got 'abc'"):
        m3_decimal("abc", field="ORQT")
    with pytest.raises(ValidationError, match="SAPR: got the float 1.1"):
        to_m3(1.1, field="SAPR")
    with pytest.raises(ValidationError, match="no booleans"):
        to_m3(True, field="X")


def test_record_conversion_drops_none_and_formats_values():
    record = to_m3_record(
        {"ORQT": 2, "SAPR": Decimal("12.50"), "CUDT": date(2026, 3, 17), "YREF": None}
    )
    assert record == {"ORQT": "2", "SAPR": "12.50", "CUDT": "20260317"}
