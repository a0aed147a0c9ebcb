"""Every M3 request the client sends and every answer the fake gives keep Infor's published
MI contract (tests/contracts/m3.py), over the traffic of the lifecycle operations."""

from datetime import date
from decimal import Decimal

import httpx2
import pytest

from amazon_erp_bridge.infor import (
    VAT_PARM_LAYOUT,
    OrderCharge,
    OrderText,
    ReturnLine,
    ReturnRequest,
)
from amazon_erp_bridge.model import JournalEntry, JournalLine, Money
from tests.contracts.m3 import check_m3

from .conftest import CUSTOMER, HEAD, LINES, make_client


class Recorder(httpx2.BaseTransport):
    """Passes requests to the fake and keeps (method, url, body, status, answer)."""

    def __init__(self, inner):
        self.inner = inner
        self.traffic = []

    def handle_request(self, request):
        response = self.inner.handle_request(request)
        body = response.read()
        self.traffic.append(
            (request.method, str(request.url), request.content, response.status_code, body)
        )
        return httpx2.Response(response.status_code, headers=response.headers, content=body)


@pytest.fixture
def recorded(fake, clock):
    recorder = Recorder(fake.transport())
    client = make_client(fake, clock, transport=recorder)
    yield client, recorder
    client.close()


def entry(reference="12345678901"):
    return JournalEntry(
        reference=reference,
        posting_date=date(2026, 3, 17),
        lines=(
            JournalLine("1930", Money("10.00", "USD"), dimensions={"VTCD": "1"}),
            JournalLine("3010", Money("-10.00", "USD")),
        ),
    )


def test_lifecycle_traffic_keeps_the_published_contract(recorded, fake):
    m3, recorder = recorded
    address = {"ADRT": "1", "CUNM": "Jane Buyer", "CUA1": "1 Main St", "TOWN": "Seattle"}
    orno = m3.customer_orders.create(
        HEAD,
        [{"POPN": "MUG-SKU", "ALWT": "03", "ALWQ": "SKU", "ORQT": "1", "SAPR": "12.50"}],
        address=address | {"PHNO": "5550100"},
        texts=[OrderText("Happy birthday!", line=1)],
        charges=[OrderCharge("FRT", Decimal("4.99")), OrderCharge("GIFT", Decimal("1"), line=1)],
    )
    assert m3.customer_orders.find_by_reference(CUSTOMER, HEAD["CUOR"]).orno == orno
    assert m3.customer_orders.list_heads(CUSTOMER)[0].currency == "USD"
    assert m3.customer_orders.get_address(orno)["CUNM"] == "Jane Buyer"
    assert m3.customers.find("NOPE") is None
    assert m3.items.find_by_alias("seller_sku", "NOPE") is None
    assert m3.stock.balance("MUG-01", "ZZZ") is None
    m3.deliveries.confirm_shipped(orno)
    dlix = fake.state.deliveries and next(iter(fake.state.deliveries))
    m3.deliveries.add_tracking(dlix, "1Z999AA10123456784")
    m3.customer_returns.ensure(
        ReturnRequest("RET-1", orno, "FBA", [ReturnLine(Decimal("1"), order_line=1)])
    )
    m3.invoices.by_order(orno)
    m3.gl.post_journal(entry(), layout=VAT_PARM_LAYOUT)
    m3.gl.reverse_journal(entry(), posting_date=date(2026, 3, 18), layout=VAT_PARM_LAYOUT)
    problems = [p for t in recorder.traffic for p in check_m3(*t)]
    assert problems == []
    assert len(recorder.traffic) > 20


def test_orders_traffic_with_cancellation_keeps_the_contract(recorded, fake):
    m3, recorder = recorded
    fake.state.auto_release = False
    orno = m3.customer_orders.create(HEAD, LINES)
    m3.customer_orders.update_cancellation(orno)
    assert [p for t in recorder.traffic for p in check_m3(*t)] == []


URL = "https://ion.example/T/M3/m3api-rest/v2/execute"


def test_checker_names_unknown_programs_and_transactions():
    assert "unknown program" in check_m3("GET", f"{URL}/XYZ999MI/Get", b"", 200, b"")[0]
    assert "unknown transaction" in check_m3("GET", f"{URL}/OIS100MI/Nope", b"", 200, b"")[0]


def test_checker_names_a_missing_required_input_and_a_too_long_one():
    line = check_m3("GET", f"{URL}/OIS100MI/AddBatchLine?ORNO=1&POPN=X", b"", 200, b"")
    assert any("required input ITNO" in p for p in line)
    phone = check_m3(
        "GET", f"{URL}/OIS100MI/AddBatchAddress?ORNO=1&ADRT=1&PHNO=12345678901", b"", 200, b""
    )
    assert any("PHNO is 11 characters, the field holds 10" in p for p in phone)


def test_checker_names_outputs_that_are_not_published():
    answer = b'{"results": [{"transaction": "LstHead", "records": [{"ORNO": "1", "CUNO": "C"}]}]}'
    problems = check_m3("GET", f"{URL}/OIS100MI/LstHead?CUNO=C", b"", 200, answer)
    assert problems == [
        "OIS100MI/LstHead answer: output fields ['CUNO'] are not in the published outputs"
    ]


def test_checker_reads_bulk_requests_and_control_parameters():
    body = (
        b'{"program": "GLS840MI", "transactions": [{"transaction": "AddBatchLine", "record": {}}]}'
    )
    problems = check_m3("POST", URL, body, 200, b"")
    assert any("required input KEY1" in p for p in problems)
    assert (
        "not an m3api-rest control parameter"
        in check_m3("GET", f"{URL}/CRS610MI/GetBasicData?CUNO=C&bogus=1", b"", 200, b"")[0]
    )
    assert check_m3("POST", "https://ion.example/T/as/token.oauth2", b"", 200, b"") == []
