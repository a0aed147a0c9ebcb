import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.infor import OrderProgress, StatusCode


def test_pairs_describe_lowest_and_highest_stage():
    assert StatusCode("22").describe() == "22 to allocate"
    assert StatusCode("46").describe() == "46 from on a picking list to delivered"
    assert StatusCode("05").describe() == "05 quotation"


def test_progress_flags():
    new = OrderProgress.parse("22")
    assert not new.is_delivered and not new.is_allocated
    partly = OrderProgress.parse("66", "46")
    assert partly.is_partly_delivered and not partly.is_delivered
    delivered = OrderProgress.parse("66")
    assert delivered.is_delivered and not delivered.is_invoiced
    invoiced = OrderProgress.from_record({"ORSL": "77", "ORST": "77"})
    assert invoiced.is_invoiced and invoiced.is_delivered
    assert OrderProgress.parse("99").is_closed
    assert OrderProgress.parse("05").is_quotation
    assert "lowest 46" in partly.describe()


@pytest.mark.parametrize("bad", ["7", "ABC", "", "777"])
def test_bad_status_codes_are_refused(bad):
    with pytest.raises(ValidationError, match="expected two digits"):
        StatusCode(bad)


def test_record_without_orst_is_refused():
    with pytest.raises(ValidationError, match="no ORST"):
        OrderProgress.from_record({"ORNO": "1"})
