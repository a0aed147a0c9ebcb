"""MMS200MI GetItmWhsBal: item warehouse balances, one at a time and in bulk."""

from decimal import Decimal

import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.infor import MiError, WarehouseBalance
from amazon_erp_bridge.infor.mi import MiContext
from amazon_erp_bridge.infor.stock import COLUMNS, balance, balances


@pytest.fixture
def stocked(fake):
    fake.set_stock("MUG-01", "FBA", 120, 15)
    fake.set_stock("MUG-01", "MFN", "7.5", 0)
    fake.set_stock("TEE-01", "FBA", 3, 5)
    return fake


def test_balance_reads_on_hand_and_allocated_as_exact_decimals(m3, stocked):
    found = m3.stock.balance("MUG-01", "FBA")
    assert found == WarehouseBalance(
        item="MUG-01",
        warehouse="FBA",
        on_hand=Decimal(120),
        allocated=Decimal(15),
        allocatable=Decimal(105),
        reserved=Decimal(0),
        record=found.record,
    )
    assert found.location == "FBA"
    assert found.available == Decimal(105)


def test_allocated_beyond_on_hand_leaves_nothing_available(m3, stocked):
    assert m3.stock.balance("TEE-01", "FBA").available == 0


def test_an_item_without_a_balance_in_the_warehouse_has_none(m3, stocked):
    assert m3.stock.balance("TEE-01", "MFN") is None
    assert m3.stock.balance("NO-SUCH-ITEM", "FBA") is None


def test_balances_reads_every_item_in_every_warehouse_and_skips_missing_pairs(m3, stocked):
    found = m3.stock.balances(["MUG-01", "TEE-01", "MUG-01"], ["FBA", "MFN"])
    assert [(b.item, b.warehouse, b.on_hand) for b in found] == [
        ("MUG-01", "FBA", Decimal(120)),
        ("MUG-01", "MFN", Decimal("7.5")),
        ("TEE-01", "FBA", Decimal(3)),
    ]


def test_balances_go_in_bulk_requests_of_the_size_asked(m3, stocked):
    before = len(stocked.router.requests)
    m3.stock.balances(["MUG-01", "TEE-01"], ["FBA", "MFN"], per_request=3)
    bulk = [
        r for r in stocked.router.requests[before:] if r.method == "POST" and "execute" in r.path
    ]
    assert len(bulk) == 2


def test_balance_call_asks_only_for_the_columns_it_reads():
    call = next(balance(MiContext("100"), "MUG-01", "FBA"))
    assert call.path.endswith("/MMS200MI/GetItmWhsBal")
    assert call.params["WHLO"] == "FBA" and call.params["ITNO"] == "MUG-01"
    assert call.params["returncols"] == ",".join(COLUMNS)
    assert call.idempotent


def test_other_refusals_raise(m3, stocked):
    with pytest.raises(MiError, match="WHLO") as err:
        m3.stock.balance("MUG-01", "TOOLONG")
    assert err.value.error_type == "InputFieldTooLong"
    with pytest.raises(MiError, match="WHLO"):
        m3.stock.balances(["MUG-01"], ["TOOLONG"])


def test_a_terminated_bulk_request_raises(m3, stocked):
    stocked.terminate("MMS200MI", "GetItmWhsBal", reason="MI program ended")
    with pytest.raises(MiError, match="terminated: MI program ended"):
        m3.stock.balances(["MUG-01", "TEE-01"], ["FBA"])


@pytest.mark.parametrize(
    ("items", "warehouses", "words"),
    [([""], ["FBA"], "item (ITNO)"), (["MUG-01"], ["  "], "warehouse (WHLO)")],
)
def test_blank_keys_are_refused_before_sending(m3, items, warehouses, words):
    with pytest.raises(ValidationError, match=words.replace("(", r"\(").replace(")", r"\)")):
        m3.stock.balances(items, warehouses)


def test_per_request_must_be_positive():
    with pytest.raises(ValidationError, match="per_request must be >= 1"):
        next(balances(MiContext("100"), ["A"], ["B"], per_request=0))


def test_record_reading_fills_missing_keys_and_reads_trailing_minus():
    found = WarehouseBalance.from_record({"STQT": "4-", "ALQT": ""}, item="X", warehouse="W")
    assert (found.item, found.warehouse, found.on_hand, found.allocated) == (
        "X",
        "W",
        Decimal(-4),
        Decimal(0),
    )
    assert found.available == 0


def test_unreadable_quantities_name_item_warehouse_and_field():
    with pytest.raises(ValidationError, match="item X warehouse W STQT"):
        WarehouseBalance.from_record({"ITNO": "X", "WHLO": "W", "STQT": "lots"})


async def test_async_client_reads_balances(am3, stocked):
    found = await am3.stock.balances(["MUG-01"], ["FBA"])
    assert [b.on_hand for b in found] == [Decimal(120)]
    assert (await am3.stock.balance("TEE-01", "MFN")) is None
