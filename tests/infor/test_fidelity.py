"""The fake M3 answers as Infor's published MI metadata says (issue 11, M3 parts)."""

import ast
import contextlib
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amazon_erp_bridge.infor import MiError
from amazon_erp_bridge.infor.plan import read_all
from amazon_erp_bridge.sandbox.infor import PROGRAMS, FakeIonApi, Nok
from amazon_erp_bridge.sandbox.infor._generated.mi_fields import INPUTS, OUTPUTS
from tests.contracts.m3 import metadata

from .conftest import CUSTOMER, HEAD, LINES, seed

ROOT = Path(__file__).resolve().parents[2]
exempt = pytest.mark.contracts_exempt("sends a request M3 refuses, on purpose")


def test_generated_field_tables_match_a_fresh_run_of_the_generator():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "m3_fields.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_transaction_of_the_fake_is_published_or_site_defined():
    for program, transactions in PROGRAMS.items():
        for name in transactions:
            if program == "MDBREADMI":
                continue
            assert name in metadata()[program], f"{program}/{name}"
            assert name in INPUTS[program] and name in OUTPUTS[program]


def test_generated_lengths_and_flags_come_from_the_published_documents():
    assert INPUTS["OIS100MI"]["AddBatchLine"]["ITNO"] == ("s", 15, True)
    assert INPUTS["OIS100MI"]["AddBatchAddress"]["PHNO"] == ("s", 10, False)
    assert INPUTS["CRS610MI"]["Add"]["CUTM"] == ("s", 10, True)
    assert "CUNO" not in OUTPUTS["OIS100MI"]["LstHead"]


@exempt
def test_add_batch_line_without_itno_is_refused(m3):
    temporary = m3.execute("OIS100MI", "AddBatchHead", HEAD)[0]["ORNO"]
    with pytest.raises(MiError) as err:
        m3.execute("OIS100MI", "AddBatchLine", {"ORNO": temporary, "POPN": "MUG-SKU", "ALWT": "3"})
    assert err.value.field == "ITNO" and err.value.error_type == "MandatoryInputFieldNotFound"


@exempt
def test_address_phone_longer_than_ten_is_refused(m3):
    temporary = m3.execute("OIS100MI", "AddBatchHead", HEAD)[0]["ORNO"]
    record = {"ORNO": temporary, "ADRT": "1", "PHNO": "+1 206 555 0100"}
    with pytest.raises(MiError) as err:
        m3.execute("OIS100MI", "AddBatchAddress", record)
    assert err.value.field == "PHNO" and err.value.error_type == "InputFieldTooLong"


@exempt
def test_fields_a_transaction_does_not_have_and_non_numbers_are_refused(m3):
    with pytest.raises(MiError, match="does not exist in transaction"):
        m3.execute("CRS610MI", "GetBasicData", {"CUNO": CUSTOMER, "WHLO": "X"})
    with pytest.raises(MiError, match="must be numeric") as err:
        m3.execute("MMS025MI", "GetItem", {"ALWT": "x3", "POPN": "MUG-SKU"})
    assert err.value.field == "ALWT"


def test_a_nok_of_a_v2_call_is_http_400_and_not_found_reads_as_none(m3, fake):
    assert m3.customers.find("NOPE") is None
    assert m3.items.find_by_alias("seller_sku", "NOPE") is None
    assert m3.stock.balance("MUG-01", "ZZZ") is None
    with pytest.raises(MiError) as err:
        m3.customers.get("NOPE")
    assert err.value.status == 400 and err.value.field == "CUNO" and err.value.is_not_found()


def test_lists_answer_only_published_output_fields(m3, fake):
    orno = m3.customer_orders.create(HEAD, LINES)
    records = m3.execute("OIS100MI", "LstHead", {"CUNO": CUSTOMER})
    assert records and all(set(r) <= set(OUTPUTS["OIS100MI"]["LstHead"]) for r in records)
    assert "CUNO" not in records[0] and "CUCD" not in records[0]
    (head,) = m3.customer_orders.list_heads(CUSTOMER)
    assert (head.orno, head.customer, head.currency, head.warehouse) == (
        orno,
        CUSTOMER,
        "USD",
        "FBA",
    )
    address = {"ADRT": "1", "CUNM": "Jane Buyer", "CUA1": "1 Main St"}
    other = m3.customer_orders.create(
        HEAD | {"CUOR": "111-0000000-0000009"}, LINES, address=address
    )
    (record,) = m3.execute("OIS100MI", "GetAddress", {"ORNO": other, "ADRT": "1"})
    assert record["CUNM"] == "Jane Buyer" and "ORNO" not in record and "ADRT" not in record


def test_a_line_by_alias_is_looked_up_and_sent_with_itno(m3, fake):
    orno = m3.customer_orders.create(HEAD, [{"POPN": "MUG-SKU", "ALWT": "03", "ORQT": "1"}])
    assert fake.state.orders[orno].lines[0]["ITNO"] == "MUG-01"
    sent = [r for r in fake.router.requests if r.path.endswith("/AddBatchLine")]
    assert sent[0].arg("ITNO") == "MUG-01" and sent[0].arg("POPN") is None


def test_lists_are_read_in_pages_with_positionkey(m3, fake):
    for n in range(7):
        m3.customer_orders.create(HEAD | {"CUOR": f"111-000000{n}-0000000"}, LINES[:1])
    records = m3.customer_orders._run(
        read_all(m3.context, "OIS100MI", "LstHead", {"CUNO": CUSTOMER}, page_size=3)
    )
    assert len(records) == 7
    pages = [r for r in fake.router.requests if r.path.endswith("/LstHead")]
    assert [r.headers.get("positionkey") for r in pages] == [None, "3", "6"]
    assert all(r.arg("maxrecs") == "3" for r in pages)


def test_the_m3_fake_imports_no_client_mapping_or_posting_code():
    allowed = ("amazon_erp_bridge.sandbox", "amazon_erp_bridge.model", "amazon_erp_bridge.errors")
    allowed += ("amazon_erp_bridge.limits",)
    folder = ROOT / "src" / "amazon_erp_bridge" / "sandbox" / "infor"
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.startswith("amazon_erp_bridge"):
                    assert name.startswith(allowed), f"{path.name} imports {name}"


TRANSACTIONS = sorted((p, t) for p, ts in PROGRAMS.items() for t in ts)
KNOWN = ("", "1", "01", "2", "22", "44", "MUG-01", "MUG-SKU", "AMZ_US", "FBA", "X" * 31)
NUMBERS = ("1000000001", "9000000001", "9000000002", "5000001", "800001", "AMZSETTLE", "K1")
VALUES = st.sampled_from([*KNOWN, *NUMBERS])
VALUES = VALUES | st.text(max_size=12)


@settings(max_examples=400, deadline=2000)
@given(st.sampled_from(TRANSACTIONS), st.data())
def test_the_fake_answers_any_input_with_records_or_a_nok(transaction, data):
    program, name = transaction
    spec = PROGRAMS[program][name]
    fields = sorted(spec.inputs)
    record = data.draw(st.dictionaries(st.sampled_from(fields), VALUES, max_size=len(fields)))
    fake = seed(FakeIonApi())
    fake.add_temporary_order(CUSTOMER, "CUOR-1", LINES, WHLO="FBA")
    confirm = PROGRAMS["OIS100MI"]["Confirm"]
    confirm.run(fake.state, {"ORNO": "9000000001"})
    fake.add_temporary_order(CUSTOMER, "CUOR-2", LINES[:1])
    state = fake.state
    with contextlib.suppress(Nok):
        spec.check(record)
        spec.shape(spec.run(state, record))
