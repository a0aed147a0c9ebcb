"""Reading back orders that start in M3: heads of a customer by order type, and addresses."""

import pytest

from amazon_erp_bridge.errors import ValidationError
from amazon_erp_bridge.infor import MiError

from .conftest import CUSTOMER, HEAD, LINES

ADDRESS = {
    "ADRT": "1",
    "CUNM": "Jane Doe",
    "CUA1": "12 Pike Street",
    "TOWN": "Seattle",
    "PONO": "98101",
    "ECAR": "WA",
    "CSCD": "US",
}


def place(m3, cuor, order_type="AMZ", address=None):
    """An order entered the way M3 users do: batch head, lines, address, confirm."""
    temporary = m3.execute("OIS100MI", "AddBatchHead", {**HEAD, "CUOR": cuor, "ORTP": order_type})
    orno = temporary[0]["ORNO"]
    for line in LINES:
        m3.execute("OIS100MI", "AddBatchLine", {**line, "ORNO": orno})
    if address is not None:
        m3.execute("OIS100MI", "AddBatchAddress", {**address, "ORNO": orno})
    m3.execute("OIS100MI", "Confirm", {"ORNO": orno})
    return m3.execute("OIS100MI", "GetOrderNo", {"ORNO": orno})[0]["ORNR"]


def test_list_heads_filters_by_order_type(m3):
    mcf = place(m3, "WEB-1", "MCF")
    place(m3, "WEB-2", "AMZ")
    heads = m3.customer_orders.list_heads(CUSTOMER, order_types={"MCF"})
    assert [(h.orno, h.order_type, h.cuor) for h in heads] == [(mcf, "MCF", "WEB-1")]
    assert len(m3.customer_orders.list_heads(CUSTOMER)) == 2
    assert heads[0].progress is not None


def test_list_heads_of_a_blank_customer_is_refused(m3):
    with pytest.raises(ValidationError, match="customer"):
        m3.customer_orders.list_heads(" ")


def test_get_address_returns_the_delivery_address(m3):
    orno = place(m3, "WEB-3", "MCF", ADDRESS)
    address = m3.customer_orders.get_address(orno)
    assert address is not None
    assert (address["CUNM"], address["TOWN"], address["CSCD"]) == ("Jane Doe", "Seattle", "US")


def test_order_without_its_own_address_gives_none(m3):
    orno = place(m3, "WEB-4", "MCF")
    assert m3.customer_orders.get_address(orno) is None


def test_address_of_an_unknown_order_is_an_mi_error(m3):
    with pytest.raises(MiError, match="does not exist"):
        m3.customer_orders.get_address("1999999999")


async def test_async_client_reads_heads_and_addresses(m3, am3):
    orno = place(m3, "WEB-5", "MCF", ADDRESS)
    heads = await am3.customer_orders.list_heads(CUSTOMER, order_types=["MCF"])
    assert [h.orno for h in heads] == [orno]
    address = await am3.customer_orders.get_address(orno, "1")
    assert address is not None
    assert address["PONO"] == "98101"
