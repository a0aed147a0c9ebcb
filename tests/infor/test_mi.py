"""MI call builders and parsers, pure: no server, recorded-shape bodies."""

from pathlib import Path

import httpx2
import pytest

from amazon_erp_bridge.errors import ApiError, ValidationError
from amazon_erp_bridge.infor import MiError, MiTransaction, mi

FIXTURES = Path(__file__).parent / "fixtures"


def response(name_or_body, status=200):
    content = (
        (FIXTURES / name_or_body).read_bytes() if name_or_body.endswith(".json") else name_or_body
    )
    if isinstance(content, str):
        content = content.encode()
    return httpx2.Response(status, content=content, request=httpx2.Request("GET", "https://x/"))


def test_execute_call_puts_fields_and_control_params_in_the_query():
    call = mi.execute(
        "OIS100MI",
        "LstHead",
        {"CUNO": "AMZ_US", "ORSL": None},
        cono=100,
        divi="AAA",
        return_cols=["ORNO", "CUOR"],
    )
    assert call.method == "GET"
    assert call.path == "M3/m3api-rest/v2/execute/OIS100MI/LstHead"
    assert call.params == {
        "CUNO": "AMZ_US",
        "cono": "100",
        "divi": "AAA",
        "maxrecs": "0",
        "returncols": "ORNO,CUOR",
    }
    assert call.limit_key == "ion.m3api"
    assert call.is_idempotent


@pytest.mark.parametrize(
    ("transaction", "idempotent"),
    [
        ("GetHead", True),
        ("LstHead", True),
        ("SearchCustomer", True),
        ("AddBatchHead", False),
        ("Confirm", False),
        ("UpdBatch", False),
        ("DelBatchHead", False),
    ],
)
def test_only_reads_may_be_sent_twice(transaction, idempotent):
    assert mi.execute("OIS100MI", transaction).is_idempotent is idempotent


def test_caller_can_vouch_for_a_write():
    assert mi.execute("CRS610MI", "ChgBasicData", idempotent=True).is_idempotent


def test_max_records_none_leaves_m3_default():
    assert "maxrecs" not in mi.execute("CRS610MI", "LstByNumber", max_records=None).params


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"program": "OIS100MI/../X", "transaction": "GetHead"}, "program name must be letters"),
        ({"program": "OIS100MI", "transaction": ""}, "transaction name must be letters"),
    ],
)
def test_bad_names_are_refused(kw, words):
    with pytest.raises(ValidationError, match=words):
        mi.execute(**kw)


def test_lower_case_field_names_would_clash_with_control_params():
    with pytest.raises(ValidationError, match="MI field names are upper-case"):
        mi.execute("CRS610MI", "GetBasicData", {"cono": "1"})


def test_negative_max_records_is_refused():
    with pytest.raises(ValidationError, match="max_records must be >= 0"):
        mi.execute("CRS610MI", "LstByNumber", max_records=-1)


def test_ok_response_records_are_trimmed_strings():
    records = mi.execute("CRS610MI", "GetBasicData").parse(response("v2_ok.json"))
    assert records == [
        {
            "CONO": "100",
            "CUNO": "AMZ_US",
            "CUNM": "Amazon.com marketplace",
            "CUA1": "",
            "LMDT": "20260301",
        }
    ]


def test_nok_in_http_200_raises_mi_error_with_every_detail():
    with pytest.raises(MiError) as err:
        mi.execute("CRS610MI", "GetBasicData").parse(response("v2_nok.json"))
    e = err.value
    assert isinstance(e, ApiError)
    assert (e.program, e.transaction, e.field) == ("CRS610MI", "GetBasicData", "CUNO")
    assert e.error_type == "ServerReturnedNOK" and e.error_code == "WCU0203"
    assert e.mi_message == "Customer number  C9 does not exist"
    assert e.status == 200
    assert "CRS610MI/GetBasicData" in str(e) and "(field CUNO)" in str(e)


def test_list_that_ends_in_nok_surfaces_records_and_error():
    with pytest.raises(MiError) as err:
        mi.execute("CRS610MI", "LstByNumber").parse(response("v2_list_then_nok.json"))
    assert [r["CUNO"] for r in err.value.records] == ["C1", "C2"]
    assert "Record is locked" in err.value.mi_message
    assert "2 record(s) were returned before the error" in str(err.value)


def test_whole_response_keeps_records_and_error_for_the_caller():
    parsed = mi.execute_response("CRS610MI", "LstByNumber").parse(response("v2_list_then_nok.json"))
    assert not parsed.ok
    assert len(parsed.records) == 2
    assert parsed.errors()[0].transaction == "LstByNumber"


def test_terminated_request_is_an_error_with_the_reason():
    with pytest.raises(MiError, match="terminated: MI program CRS610MI terminated") as err:
        mi.execute("CRS610MI", "LstByNumber").parse(response("v2_terminated.json"))
    assert err.value.records == ({"CUNO": "C1"},)


def test_failed_count_without_message_is_still_an_error():
    with pytest.raises(MiError, match="1 transaction\\(s\\) failed but no result says why"):
        mi.execute("CRS610MI", "Add").parse(response("v2_failed_without_message.json"))


def test_legacy_v1_bodies_are_read():
    records = mi.execute("CRS610MI", "GetBasicData").parse(response("v1_ok.json"))
    assert records == [{"CUNO": "C1", "CUNM": "First"}]
    with pytest.raises(MiError) as err:
        mi.execute("CRS610MI", "GetBasicData").parse(response("v1_nok.json"))
    assert err.value.field == "CUNO" and err.value.error_type == "ServerReturnedNOK"


def test_bare_http_400_is_an_mi_error_with_a_hint():
    with pytest.raises(MiError) as err:
        mi.execute("OIS100MI", "AddBatchHed").parse(response("Bad Request", 400))
    e = err.value
    assert e.status == 400
    assert "HTTP 400" in str(e) and "case-sensitive" in str(e)


def test_http_400_with_mi_body_uses_its_message():
    with pytest.raises(MiError, match="does not exist") as err:
        mi.execute("CRS610MI", "GetBasicData").parse(response("v2_nok.json", 400))
    assert err.value.status == 400 and "HTTP 400" in str(err.value)


def test_body_of_wrong_shape_raises_a_shape_error_for_the_sender():
    with pytest.raises(ValueError, match="no 'results'"):
        mi.execute("CRS610MI", "GetBasicData").parse(response('{"foo": 1}'))


def test_bulk_call_body_and_mixed_results():
    call = mi.bulk(
        "MMS025MI",
        [
            ("AddAlias", {"ITNO": "A", "POPN": "1"}),
            MiTransaction("AddAlias", {"ITNO": "NOPE"}),
            MiTransaction("LstAlias", {"ITNO": "A"}, return_cols=("POPN",)),
        ],
        cono="100",
        divi="AAA",
    )
    assert call.method == "POST" and call.path == "M3/m3api-rest/v2/execute"
    assert call.json["program"] == "MMS025MI" and call.json["cono"] == 100
    assert call.json["transactions"][2] == {
        "transaction": "LstAlias",
        "record": {"ITNO": "A"},
        "selectedColumns": ["POPN"],
    }
    assert not call.is_idempotent
    parsed = call.parse(response("bulk_mixed.json"))
    assert (parsed.successful, parsed.failed, parsed.not_processed) == (1, 1, 1)
    assert parsed.bulk_job_id == "b-123"
    errors = parsed.errors()
    assert [e.error_type for e in errors] == ["ServerReturnedNOK", "NotProcessed"]
    with pytest.raises(MiError, match="Item number NOPE does not exist"):
        parsed.raise_for_errors()


def test_bulk_of_reads_is_idempotent_and_empty_bulk_is_refused():
    assert mi.bulk("MMS025MI", [("LstAlias", {"ITNO": "A"})]).is_idempotent
    with pytest.raises(ValidationError, match="at least one transaction"):
        mi.bulk("MMS025MI", [])


def test_gateway_error_reader_finds_the_message():
    info = mi.read_gateway_error(response('{"error": "invalid_token", "error_description": "x"}'))
    assert info.message == "x" and info.code == "invalid_token"
    assert mi.read_gateway_error(response("plain text", 503)).message == "plain text"
